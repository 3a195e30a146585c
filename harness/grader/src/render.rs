//! Renderers, all from the one [`Report`]: coloured text, JSON, Markdown, JUnit XML, and a self-contained HTML
//! page ([`html()`]).

use std::fmt::Write;

use spec::{Ceremony, Expect};

use crate::report::{CaseResult, Report, Verdict};

pub mod html;
pub use html::html;

/// How to print the command that re-runs one case.
pub struct Reproduce<'a> {
    /// `--target URL` or nothing for the embedded RP.
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
    match (c.expect, c.check) {
        (Expect::Reject, Some(check)) => {
            format!("rejection ({level} {}; the reference verifier's check is {check})", c.spec)
        }
        (Expect::Reject, None) => format!("rejection ({level} {})", c.spec),
        (Expect::Accept, _) => format!("acceptance ({level} {})", c.spec),
        (Expect::Either, _) => format!("either outcome ({})", c.spec),
    }
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
            let _ = writeln!(out, "\n  {on}{}{off} {}", c.verdict.as_str(), c.id);
            let _ = writeln!(out, "    Requirement: {} [{}]", c.title, c.spec);
            let _ = writeln!(out, "    Expected:    {}", expected_text(c));
            let _ = writeln!(out, "    Actual:      {}", c.detail);
            if let Some(why) = &c.expected_because {
                let _ = writeln!(out, "    Known:       {why}");
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
    let _ = writeln!(out, "- origin: `{}`, RP ID: `{}`, seed: {}", r.origin, r.rp_id, r.seed);
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
