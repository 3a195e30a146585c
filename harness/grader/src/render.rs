//! Renderers, all from the one [`Report`]: coloured text, JSON, Markdown, JUnit XML, and a self-contained HTML
//! page ([`html()`]).

use std::fmt::Write;

use spec::{Ceremony, Expect};

use crate::report::{CaseResult, Report, Verdict};

pub mod html;
pub use html::html;

/// The width the text report wraps long lines (the quoted requirements) to.
const WIDTH: usize = 110;

/// How to print the command that re-runs one case.
pub struct Reproduce<'a> {
    /// The options of the run that a re-run of one case repeats (`--target URL`, `--origin`, `--profile`, ...),
    /// each followed by a space; empty for the embedded RP with every default.
    pub target_args: &'a str,
}

impl Reproduce<'_> {
    /// The command that re-runs case `id` alone with `seed`.
    pub fn command(&self, id: &str, seed: u64) -> String {
        format!("webauthn-harness grade {}--case {id} --seed {seed}", self.target_args)
    }
}

fn section(spec: &str) -> &str {
    // "§6.1, §7.1 step 13" → "§6.1"; "§7.1 step 9" → "§7.1".
    let first = spec.split(',').next().unwrap_or(spec).trim();
    first.split_whitespace().next().unwrap_or(first)
}

fn colour(v: Verdict, on: bool) -> (&'static str, &'static str) {
    if !on {
        return ("", "");
    }
    let c = match v {
        Verdict::Pass => "\x1b[32m",
        Verdict::Warn => "\x1b[33m",
        Verdict::Fail | Verdict::Error => "\x1b[31;1m",
        Verdict::Inconclusive => "\x1b[35m",
        Verdict::Info | Verdict::Unsupported | Verdict::Skipped => "\x1b[36m",
    };
    (c, "\x1b[0m")
}

fn expected_text(c: &CaseResult) -> String {
    let level = c.level.as_str();
    let mut text = match (c.expect, c.check) {
        (Expect::Reject, Some(check)) => {
            format!("rejection ({level} {}; the reference verifier's check is {check})", c.spec)
        }
        (Expect::Reject, None) => format!("rejection ({level} {})", c.spec),
        (Expect::Accept, _) => format!("acceptance ({level} {})", c.spec),
        (Expect::Either, _) => format!("either outcome ({})", c.spec),
        (Expect::Meet, _) => format!("options that meet the requirement ({level} {})", c.spec),
    };
    if let (Some(test), Some(fido)) = (&c.fido, c.fido_expect) {
        let _ =
            write!(text, "; the FIDO conformance test {test} expects {}", crate::grade::outcome_name(fido));
    }
    if c.origin_declared {
        text.push_str("; the origin sent is a declared one, so either outcome conforms");
    }
    text
}

/// The requirement a case rests on, as one line: its section and basis kind, then the spec's words (or, for a
/// conformance basis without them, whose rule it is). A case without a basis gives its title and step.
pub fn requirement(c: &CaseResult) -> String {
    let Some(b) = &c.basis else {
        return format!("{} [{}]", c.title, c.spec);
    };
    let place = if b.section.is_empty() {
        b.kind.as_str().to_owned()
    } else {
        format!("{} ({})", b.section, b.kind.as_str())
    };
    if b.quote.is_empty() {
        let test = c.fido.as_deref().map(|t| format!(" ({t})")).unwrap_or_default();
        format!("{place}: {}{test}", b.kind.whose())
    } else {
        format!("{place}: \u{201c}{}\u{201d}", b.quote)
    }
}

/// The public bugs a case reproduces, as one line (`id (summary); id (summary)`); empty when there are none.
pub fn reproduces(c: &CaseResult) -> String {
    c.references.iter().map(|r| r.describe()).collect::<Vec<_>>().join("; ")
}

/// What the RP did, in one line: the detail, or, in a published report (which has none), its answer.
pub fn actual_text(c: &CaseResult) -> String {
    if !c.detail.is_empty() {
        return c.detail.clone();
    }
    match &c.observed {
        Some(o) => {
            let status = o.http_status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
            format!("{}{status}", if o.accepted { "accepted" } else { "rejected" })
        }
        // An options case's finding is the harness's words (sizes, counts, members), kept in published reports.
        None => c.inspected.as_ref().map(|i| i.finding.clone()).unwrap_or_default(),
    }
}

/// `text` in lines of at most `width` characters (a longer word gets a line of its own), the first after
/// `first`, the rest after `indent`.
fn wrapped(first: &str, indent: usize, text: &str, width: usize) -> String {
    let mut out = String::from(first);
    let mut column = first.chars().count();
    let mut line_empty = true;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if !line_empty && column + 1 + len > width {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            column = indent;
            line_empty = true;
        }
        if !line_empty {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += len;
        line_empty = false;
    }
    out
}

pub fn summary_line(r: &Report) -> String {
    let parts: Vec<String> =
        r.summary.iter().filter(|(_, n)| **n > 0).map(|(v, n)| format!("{n} {}", v.as_str())).collect();
    format!("{} cases: {}", r.cases.len(), parts.join(", "))
}

/// The text report: grouped by ceremony and spec section, then the details of every result that needs a look.
pub fn text(r: &Report, colours: bool, reproduce: &Reproduce<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "webauthn-harness {} — target {} (origin {}, RP ID {}, seed {})",
        r.harness_version, r.target, r.origin, r.rp_id, r.seed
    );
    let _ =
        writeln!(out, "{}", wrapped(&format!("Profile {}: ", r.profile), 2, &r.profile.describe(), WIDTH));
    if !r.origins.is_empty() {
        let _ = writeln!(out, "Declared origins ({}): {}", r.origin_policy, r.origins.join(", "));
    }
    if r.attestation_required {
        let _ = writeln!(
            out,
            "Declared: the RP requires attestation where it asks for it (--require-attestation)"
        );
    }
    for ceremony in [Ceremony::Registration, Ceremony::Authentication] {
        let cases: Vec<&CaseResult> = r.cases.iter().filter(|c| c.ceremony == ceremony).collect();
        if cases.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n{}",
            match ceremony {
                Ceremony::Registration => "Registration (§7.1)",
                Ceremony::Authentication => "Authentication (§7.2)",
            }
        );
        let mut sections: Vec<&str> = cases.iter().map(|c| section(&c.spec)).collect();
        sections.sort_unstable();
        sections.dedup();
        for s in sections {
            let _ = writeln!(out, "  {s}");
            for c in cases.iter().filter(|c| section(&c.spec) == s) {
                let (on, off) = colour(c.verdict, colours);
                let mark = if c.expected_because.is_some() { " (expected)" } else { "" };
                let _ = writeln!(out, "    {on}{:<12}{off} {}{mark}  {}", c.verdict.as_str(), c.id, c.title);
            }
        }
    }
    let attention: Vec<&CaseResult> = r.cases.iter().filter(|c| !c.verdict.is_good()).collect();
    if !attention.is_empty() {
        let _ = writeln!(out, "\nDetails");
        for c in attention {
            let (on, off) = colour(c.verdict, colours);
            let _ = writeln!(out, "\n  {on}{}{off} {} \u{2014} {}", c.verdict.as_str(), c.id, c.title);
            let _ = writeln!(out, "{}", wrapped("    Requirement: ", 17, &requirement(c), WIDTH));
            let _ = writeln!(out, "{}", wrapped("    Expected:    ", 17, &expected_text(c), WIDTH));
            let _ = writeln!(out, "{}", wrapped("    Actual:      ", 17, &actual_text(c), WIDTH));
            if !c.references.is_empty() {
                let _ = writeln!(out, "{}", wrapped("    Reproduces:  ", 17, &reproduces(c), WIDTH));
            }
            if let Some(why) = &c.expected_because {
                let _ = writeln!(out, "{}", wrapped("    Known:       ", 17, why, WIDTH));
            }
            let _ = writeln!(out, "    Reproduce:   {}", reproduce.command(&c.id, r.seed));
        }
    }
    for s in &r.stale_expectations {
        let _ = writeln!(out, "\nStale expectation: {s}");
    }
    let _ = writeln!(out, "\n{}", summary_line(r));
    out
}

pub fn json(r: &Report) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default() + "\n"
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A Markdown report: summary, then one table row per case.
pub fn markdown(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# webauthn-harness report: {}\n", md_escape(&r.target));
    let _ = writeln!(out, "- harness version: {}", r.harness_version);
    let _ = writeln!(out, "- profile: `{}` ({})", r.profile, r.profile.describe());
    let _ = writeln!(out, "- origin: `{}`, RP ID: `{}`, seed: {}", r.origin, r.rp_id, r.seed);
    if !r.origins.is_empty() {
        let list: Vec<String> = r.origins.iter().map(|o| format!("`{o}`")).collect();
        let _ = writeln!(out, "- declared origins (policy `{}`): {}", r.origin_policy, list.join(", "));
    }
    if r.attestation_required {
        let _ = writeln!(
            out,
            "- declared: the RP requires attestation where it asks for it (`--require-attestation`)"
        );
    }
    let _ = writeln!(out, "- {}\n", summary_line(r));
    let _ = writeln!(out, "| verdict | count |\n|---|---|");
    for (v, n) in &r.summary {
        let _ = writeln!(out, "| {} | {n} |", v.as_str());
    }
    let _ = writeln!(out, "\n| case | spec | level | expect | verdict | detail |\n|---|---|---|---|---|---|");
    for c in &r.cases {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | **{}** | {} |",
            c.id,
            md_escape(&c.spec),
            c.level.as_str(),
            c.expect.as_str(),
            c.verdict.as_str(),
            md_escape(&c.detail)
        );
    }
    let attention: Vec<&CaseResult> = r.cases.iter().filter(|c| !c.verdict.is_good()).collect();
    if !attention.is_empty() {
        let _ = writeln!(
            out,
            "\n## Results that need a look\n\nEach with the requirement it rests on (section, basis kind, the spec's words), \
             then what was expected and what the RP did.\n"
        );
        for c in attention {
            let known = if c.expected_because.is_some() { " (known: see Notes)" } else { "" };
            let _ = writeln!(
                out,
                "- **{}** `{}`: {}{known}\n  - Requirement: {}\n  - Expected: {}; actual: {}",
                c.verdict.as_str(),
                c.id,
                md_escape(&c.title),
                md_escape(&requirement(c)),
                md_escape(&expected_text(c)),
                md_escape(&actual_text(c))
            );
            if !c.references.is_empty() {
                let _ = writeln!(out, "  - Reproduces: {}", md_escape(&reproduces(c)));
            }
        }
    }
    let notes: Vec<&CaseResult> = r.cases.iter().filter(|c| c.expected_because.is_some()).collect();
    if !notes.is_empty() {
        let _ = writeln!(
            out,
            "\n## Notes\n\nWhy each known result is what it is (from the expectations file).\n"
        );
        for c in notes {
            let kind = c.expected_kind.map(|k| format!(", {}", k.as_str())).unwrap_or_default();
            let _ = writeln!(
                out,
                "- `{}` (**{}**{kind}; {}): {}",
                c.id,
                c.verdict.as_str(),
                md_escape(&c.spec),
                md_escape(c.expected_because.as_deref().unwrap_or_default())
            );
        }
    }
    for s in &r.stale_expectations {
        let _ = writeln!(out, "\nStale expectation: {}", md_escape(s));
    }
    out
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: FAIL is a `<failure>`; ERROR and INCONCLUSIVE are `<error>`s; UNSUPPORTED and SKIPPED are
/// `<skipped>`; WARN and INFO pass with the detail in `<system-out>`.
pub fn junit(r: &Report) -> String {
    let count = |vs: &[Verdict]| {
        r.cases.iter().filter(|c| vs.contains(&c.verdict) && c.expected_because.is_none()).count()
    };
    let failures = count(&[Verdict::Fail]);
    let errors = count(&[Verdict::Error, Verdict::Inconclusive]);
    let skipped =
        r.cases.iter().filter(|c| matches!(c.verdict, Verdict::Unsupported | Verdict::Skipped)).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"webauthn-harness\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\">",
        r.cases.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\">",
        xml_escape(&r.target),
        r.cases.len()
    );
    out.push_str("    <properties>\n");
    let properties = [
        ("profile", r.profile.to_string()),
        ("origin", r.origin.clone()),
        ("origins", r.origins.join(" ")),
        ("origin_policy", r.origin_policy.to_string()),
        ("rp_id", r.rp_id.clone()),
        ("seed", r.seed.to_string()),
    ];
    let declared = r.attestation_required.then(|| ("attestation_required", "true".to_owned()));
    for (name, value) in properties.into_iter().chain(declared) {
        let _ = writeln!(out, "      <property name=\"{name}\" value=\"{}\"/>", xml_escape(&value));
    }
    out.push_str("    </properties>\n");
    for c in &r.cases {
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\">",
            xml_escape(c.ceremony.as_str()),
            xml_escape(&c.id)
        );
        let message = format!("{} [{}] expected {}; {}", c.title, c.spec, c.expect.as_str(), c.detail);
        match (c.verdict, &c.expected_because) {
            (_, Some(_)) | (Verdict::Pass, _) => {}
            (Verdict::Fail, None) => {
                let _ = write!(out, "<failure message=\"{}\" type=\"FAIL\"/>", xml_escape(&message));
            }
            (Verdict::Error | Verdict::Inconclusive, None) => {
                let _ = write!(
                    out,
                    "<error message=\"{}\" type=\"{}\"/>",
                    xml_escape(&message),
                    c.verdict.as_str()
                );
            }
            (Verdict::Unsupported | Verdict::Skipped, None) => {
                let _ = write!(out, "<skipped message=\"{}\"/>", xml_escape(&c.detail));
            }
            (Verdict::Warn | Verdict::Info, None) => {
                let _ =
                    write!(out, "<system-out>{}: {}</system-out>", c.verdict.as_str(), xml_escape(&message));
            }
        }
        let _ = writeln!(out, "</testcase>");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use spec::{BasisKind, Level};

    use super::*;
    use crate::grading::{Grading, Profile};
    use crate::origins::OriginPolicy;
    use crate::report::{CaseBasis, CaseReference, Observed};

    const QUOTE: &str =
        "Verify that the value of C.origin is an origin expected by the Relying Party. See § 13.5.9 \
                         Validating the origin of a credential for guidance.";

    fn result(id: &str, verdict: Verdict, basis: CaseBasis) -> CaseResult {
        CaseResult {
            id: id.into(),
            ceremony: Ceremony::Registration,
            spec: "§7.1 step 9".into(),
            level: Level::Must,
            expect: Expect::Reject,
            verdict,
            detail: "expected rejection, but the RP accepted".into(),
            title: "clientData.origin is another site".into(),
            flags: vec![],
            references: vec![],
            check: None,
            fido: None,
            fido_expect: None,
            basis: Some(basis),
            origin_declared: false,
            inspected: None,
            observed: Some(Observed {
                accepted: true,
                http_status: Some(200),
                error_message: None,
                check: None,
                not_json: false,
                declared_refusal: false,
            }),
            expected_because: None,
            expected_kind: None,
        }
    }

    /// An options case has no subject call: a published report (details dropped) still says what was found.
    #[test]
    fn an_options_finding_is_the_actual_answer_of_a_published_report() {
        let mut c = result(
            "reg.options.timeout",
            Verdict::Warn,
            CaseBasis {
                kind: BasisKind::Procedure,
                section: "§15.1".into(),
                quote: "Recommended range: 300000 milliseconds to 600000 milliseconds.".into(),
            },
        );
        c.expect = Expect::Meet;
        c.observed = None;
        c.inspected = Some(crate::report::Inspected { met: false, finding: "timeout 60000 ms".into() });
        let published = report(vec![c]).published();
        assert_eq!(actual_text(&published.cases[0]), "timeout 60000 ms");
        assert!(expected_text(&published.cases[0])
            .starts_with("options that meet the requirement (MUST §7.1 step 9)"));
    }

    fn report(cases: Vec<CaseResult>) -> Report {
        Report {
            schema: crate::report::SCHEMA.into(),
            harness_version: "1.2.3".into(),
            target: "t".into(),
            profile: Grading { profile: Profile::FidoConformance, strict: true },
            origin: "https://rp.example".into(),
            origins: vec!["https://rp.example".into(), "https://login.rp.example".into()],
            origin_policy: OriginPolicy::Subdomains,
            attestation_required: true,
            rp_id: "rp.example".into(),
            seed: 7,
            summary: Report::summarize(&cases),
            cases,
            stale_expectations: vec![],
        }
    }

    fn procedure() -> CaseBasis {
        CaseBasis { kind: BasisKind::Procedure, section: "§7.1 step 9".into(), quote: QUOTE.into() }
    }

    #[test]
    fn a_fail_in_the_text_report_quotes_its_requirement_wrapped() {
        let r = report(vec![
            result("reg.client-data.origin.other-site", Verdict::Fail, procedure()),
            CaseResult { verdict: Verdict::Pass, ..result("reg.ok", Verdict::Pass, procedure()) },
        ]);
        let text = text(&r, false, &Reproduce { target_args: "--target http://x " });
        let details = text.split("\nDetails\n").nth(1).expect("a Details section");
        assert!(
            details.contains(
                "  FAIL reg.client-data.origin.other-site \u{2014} clientData.origin is another site\n    \
                 Requirement: §7.1 step 9 (procedure): \u{201c}Verify that the value of C.origin is an origin"
            ),
            "{details}"
        );
        // The quote goes on over wrapped lines, indented under its label, and no line is too long.
        let quoted: String = details
            .lines()
            .skip_while(|l| !l.starts_with("    Requirement:"))
            .take_while(|l| !l.starts_with("    Expected:"))
            .map(|l| l.trim_start_matches("    Requirement:").trim())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(quoted.ends_with(&format!("{QUOTE}\u{201d}")), "{quoted}");
        assert!(details.lines().filter(|l| l.starts_with(&" ".repeat(17))).count() >= 1, "{details}");
        assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "{text}");
        assert!(details.contains("    Expected:    rejection (MUST §7.1 step 9)\n"), "{details}");
        assert!(details.contains("    Actual:      expected rejection, but the RP accepted\n"), "{details}");
        assert!(details.contains("Reproduce:   webauthn-harness grade --target http://x --case reg.client-data.origin.other-site --seed 7"));
        assert!(!details.contains("reg.ok"), "a PASS needs no look");
        // The header says how it was graded and what was declared.
        assert!(
            text.contains("\nProfile fido-conformance+strict: a case with a FIDO conformance test FAILs"),
            "{text}"
        );
        assert!(
            text.contains("\nDeclared origins (subdomains): https://rp.example, https://login.rp.example\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "\nDeclared: the RP requires attestation where it asks for it (--require-attestation)\n"
            ),
            "{text}"
        );
        let undeclared = super::text(
            &Report { attestation_required: false, ..r.clone() },
            false,
            &Reproduce { target_args: "--target http://x " },
        );
        assert!(!undeclared.contains("requires attestation"), "{undeclared}");
    }

    #[test]
    fn the_markdown_report_quotes_the_requirement_of_each_result_that_needs_a_look() {
        let conformance =
            CaseBasis { kind: BasisKind::Conformance, section: String::new(), quote: String::new() };
        let mut warn = result("reg.response.id.missing", Verdict::Warn, conformance);
        warn.fido = Some("Server-ServerAuthenticatorAttestationResponse-Resp-1 F-1".into());
        let r = report(vec![result("reg.client-data.origin.other-site", Verdict::Fail, procedure()), warn]);
        let md = markdown(&r.published());
        assert!(md.contains("- profile: `fido-conformance+strict` ("), "{md}");
        assert!(md.contains(
            "- declared origins (policy `subdomains`): `https://rp.example`, `https://login.rp.example`"
        ));
        assert!(md.contains(
            "- declared: the RP requires attestation where it asks for it (`--require-attestation`)"
        ));
        let look = md.split("## Results that need a look").nth(1).expect("the section");
        assert!(
            look.contains(&format!(
                "\n- **FAIL** `reg.client-data.origin.other-site`: clientData.origin is another site\n  \
                 - Requirement: §7.1 step 9 (procedure): \u{201c}{QUOTE}\u{201d}\n  \
                 - Expected: rejection (MUST §7.1 step 9); actual: accepted (HTTP 200)\n"
            )),
            "{look}"
        );
        // A conformance basis without a quote says whose rule it is and names the FIDO test.
        assert!(
            look.contains(
                "  - Requirement: conformance: an expectation of the FIDO conformance tool beyond the spec \
                 (Server-ServerAuthenticatorAttestationResponse-Resp-1 F-1)"
            ),
            "{look}"
        );
    }

    fn reproducing(mut c: CaseResult) -> CaseResult {
        c.references = vec![CaseReference {
            id: "CVE-2022-21449".into(),
            summary: "Java SE 15 to 18 accepted r = 0, s = 0 | for any message".into(),
        }];
        c
    }

    #[test]
    fn a_result_names_the_public_bugs_it_reproduces_in_every_format() {
        let fail = reproducing(result("auth.signature.es256.r-zero-s-zero", Verdict::Fail, procedure()));
        let pass = CaseResult {
            verdict: Verdict::Pass,
            ..reproducing(result("auth.ok", Verdict::Pass, procedure()))
        };
        let plain = result("reg.client-data.origin.other-site", Verdict::Fail, procedure());
        let r = report(vec![fail, pass, plain]);
        // Text: the Details of a result that needs a look.
        let text = text(&r, false, &Reproduce { target_args: "" });
        let details = text.split("\nDetails\n").nth(1).expect("a Details section");
        assert!(
            details.contains(
                "    Reproduces:  CVE-2022-21449 (Java SE 15 to 18 accepted r = 0, s = 0 | for any message)\n"
            ),
            "{details}"
        );
        assert_eq!(details.matches("Reproduces:").count(), 1, "only the result that has one: {details}");
        // Markdown: under the result, escaped for the table syntax.
        let md = markdown(&r);
        let look = md.split("## Results that need a look").nth(1).expect("the section");
        assert!(
            look.contains(
                "  - Reproduces: CVE-2022-21449 (Java SE 15 to 18 accepted r = 0, s = 0 \\| for any message)\n"
            ),
            "{look}"
        );
        assert_eq!(look.matches("Reproduces:").count(), 1, "{look}");
        // JSON: the member where there are references, none elsewhere; a report without it still parses.
        let doc: serde_json::Value = serde_json::from_str(&json(&r)).unwrap();
        assert_eq!(doc["cases"][0]["references"][0]["id"], "CVE-2022-21449");
        assert!(doc["cases"][0]["references"][0]["summary"].as_str().unwrap().starts_with("Java SE"));
        assert!(doc["cases"][2].get("references").is_none(), "{}", doc["cases"][2]);
        let back: Report = serde_json::from_str(&json(&r)).unwrap();
        assert_eq!(back, r);
        let mut old = doc.clone();
        for c in old["cases"].as_array_mut().unwrap() {
            c.as_object_mut().unwrap().remove("references");
        }
        let old: Report = serde_json::from_value(old).unwrap();
        assert!(old.cases.iter().all(|c| c.references.is_empty()));
    }

    #[test]
    fn junit_names_the_grading_as_properties() {
        let x = junit(&report(vec![result("reg.x", Verdict::Fail, procedure())]));
        assert!(x.contains("<property name=\"profile\" value=\"fido-conformance+strict\"/>"), "{x}");
        assert!(x.contains("<property name=\"origin_policy\" value=\"subdomains\"/>"), "{x}");
        assert!(x.contains("<property name=\"attestation_required\" value=\"true\"/>"), "{x}");
        assert!(
            x.contains("<property name=\"origins\" value=\"https://rp.example https://login.rp.example\"/>")
        );
        assert_eq!(x.matches("<failure ").count(), 1);
    }
}
