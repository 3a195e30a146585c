//! The report as one self-contained HTML page (`grade --format html`): no external style sheet, script, font or
//! image, so it opens from `file://` and can be mailed or attached as it is.
//!
//! The page: a header (target, origin, RP ID, seed, harness version), the count per verdict (in the report, and
//! shown under the current filters), filters by verdict, basis kind, section and case id (each option showing
//! how many results it would leave), whether a result is unexpected and whether it reproduces a public bug, and
//! one card per result with its requirement, expected and actual outcome, the RP's own words, the expectation
//! note, the public bugs it reproduces, the FIDO test and the command that re-runs it. Results that need a
//! look (not a good verdict, or a known one) are open; the rest fold to their one-line summary.
//!
//! Every string from the report — and so from the RP, whose error messages are free text — is escaped with
//! [`escape`]. The script reads only `data-` attributes and writes only `textContent`, `hidden` and `open`, so
//! no text of the report is ever parsed as markup or code.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::Reproduce;
use crate::report::{CaseResult, Report, Verdict};

/// Escapes text for HTML element content and for quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The part of the spec a result belongs to, for the section filter: the first section its basis cites (else
/// its `spec`), as one of the relying party's two procedures (§7.1, §7.2) or else as its chapter (§6.x, §8.x).
/// A basis outside the spec (an RFC) is grouped by the document's name.
pub fn section_group(c: &CaseResult) -> String {
    let cited = match &c.basis {
        Some(b) if !b.section.trim().is_empty() => b.section.as_str(),
        _ => c.spec.as_str(),
    };
    let first = cited.split(',').next().unwrap_or_default().trim();
    let Some(number) = first.strip_prefix('§') else {
        let name = first.split('§').next().unwrap_or_default().trim();
        return if name.is_empty() { "other".to_owned() } else { name.to_owned() };
    };
    let number = number.split_whitespace().next().unwrap_or_default();
    let mut parts = number.split('.');
    let chapter = parts.next().unwrap_or_default();
    match (chapter, parts.next()) {
        ("7", Some(procedure)) => format!("§7.{procedure}"),
        (_, Some(_)) => format!("§{chapter}.x"),
        (_, None) => format!("§{chapter}"),
    }
}

/// Sorts section groups as the spec orders them (§2.x before §10.x), other documents after.
fn section_order(s: &str) -> (u8, Vec<u32>, String) {
    match s.strip_prefix('§') {
        Some(n) => (0, n.split('.').map(|p| p.parse().unwrap_or(u32::MAX)).collect(), String::new()),
        None => (1, Vec::new(), s.to_owned()),
    }
}

/// The basis kind of a result, as the kind filter names it; `none` when the result carries no basis.
fn kind(c: &CaseResult) -> &'static str {
    c.basis.as_ref().map_or("none", |b| b.kind.as_str())
}

/// The header's lines: what was graded, and how.
fn header(r: &Report) -> Vec<(&'static str, String)> {
    let mut lines = vec![
        ("target", r.target.clone()),
        ("profile", r.profile.to_string()),
        ("origin", r.origin.clone()),
        ("declared origins", format!("{} ({})", r.origins.join(", "), r.origin_policy)),
    ];
    if r.attestation_required {
        lines.push(("declared attestation", "required where the RP asks for it".to_owned()));
    }
    lines.extend([
        ("RP ID", r.rp_id.clone()),
        ("seed", r.seed.to_string()),
        ("harness version", r.harness_version.clone()),
    ]);
    lines
}

/// Whether a result's card starts open: it needs a look, or it is a known result with a note.
fn starts_open(c: &CaseResult) -> bool {
    !c.verdict.is_good() || c.expected_because.is_some()
}

const STYLE: &str = r#"
:root { color-scheme: light; --border: #d0d0d0; --muted: #5f6368; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #202124; background: #fafafa; line-height: 1.4; }
header, #summary-section, #filters, main, #stale { max-width: 72rem; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 1rem; }
h1 { font-size: 1.4rem; margin: 0.4rem 0; }
h2 { font-size: 1.1rem; margin: 1rem 0 0.4rem; }
code, .id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.88em; }
#meta { display: flex; flex-wrap: wrap; gap: 0.3rem 1.5rem; margin: 0.2rem 0 0.6rem; }
#meta div { display: flex; gap: 0.4rem; }
#meta dt { color: var(--muted); }
#meta dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
#summary { border-collapse: collapse; font-size: 0.92rem; }
#summary th, #summary td { border: 1px solid var(--border); padding: 0.15rem 0.5rem; text-align: center; }
#summary tbody th { text-align: left; background: #f0f0f0; font-weight: 600; }
#summary thead th { padding: 0.2rem 0.25rem; }
#summary td { font-variant-numeric: tabular-nums; font-weight: 600; }
#summary td.zero { color: #9aa0a6; font-weight: normal; }
#summary button { cursor: pointer; min-width: 0; width: 100%; }
#summary-note { color: var(--muted); margin: 0.4rem 0; }
#filters { position: sticky; top: 0; z-index: 1; background: #fafafa; border-bottom: 1px solid var(--border); padding-top: 0.5rem; padding-bottom: 0.5rem; display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; }
#filters label { display: flex; gap: 0.35rem; align-items: center; }
#filters select, #filters input[type=search] { font: inherit; padding: 0.1rem 0.25rem; }
#filters input[type=search] { width: 14rem; }
#shown-line { margin-left: auto; color: var(--muted); }
main { padding-top: 0.6rem; padding-bottom: 2rem; }
.case { background: #fff; border: 1px solid var(--border); border-left: 6px solid #ccc; border-radius: 4px; margin: 0.35rem 0; }
.case[hidden] { display: none !important; }
.case > summary { cursor: pointer; padding: 0.3rem 0.6rem; display: flex; flex-wrap: wrap; gap: 0.2rem 0.6rem; align-items: baseline; }
.case .title { color: #3c4043; }
.case .chips { color: var(--muted); font-size: 0.85rem; }
.case .known { font-size: 0.8rem; border: 1px dashed var(--muted); border-radius: 3px; padding: 0 0.3rem; color: var(--muted); }
.body { padding: 0.1rem 0.9rem 0.6rem 1.6rem; border-top: 1px solid #eee; }
blockquote { margin: 0.5rem 0; padding: 0.3rem 0.7rem; border-left: 3px solid #9aa0a6; background: #f6f7f9; }
blockquote p { margin: 0; font-style: italic; }
blockquote cite { display: block; font-style: normal; color: var(--muted); font-size: 0.82rem; margin-top: 0.2rem; }
.noquote { color: var(--muted); margin: 0.5rem 0; font-size: 0.9rem; }
dl.facts { display: grid; grid-template-columns: 8.5rem 1fr; gap: 0.2rem 0.9rem; margin: 0.4rem 0 0; font-size: 0.92rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.rp-message { background: #fff4e5; padding: 0 0.2rem; white-space: pre-wrap; }
.reproduce { user-select: all; background: #f1f3f4; padding: 0.05rem 0.3rem; }
.badge { display: inline-block; min-width: 6.5rem; text-align: center; border-radius: 3px; padding: 0 0.35rem; font-weight: 600; font-size: 0.82rem; border: 1px solid rgba(0,0,0,0.12); }
.PASS { background: #c8ecc8; } .INFO { background: #dfe8f7; } .WARN { background: #fbeab0; }
.FAIL { background: #f3b6b6; } .ERROR, .INCONCLUSIVE { background: #e9b3e9; } .UNSUPPORTED, .SKIPPED { background: #e8e8e8; }
.case.v-PASS { border-left-color: #5cb85c; } .case.v-INFO { border-left-color: #6f8fcf; } .case.v-WARN { border-left-color: #e0b000; }
.case.v-FAIL { border-left-color: #d9342b; } .case.v-ERROR, .case.v-INCONCLUSIVE { border-left-color: #a23ca2; }
.case.v-UNSUPPORTED, .case.v-SKIPPED { border-left-color: #9aa0a6; }
#none-shown { color: var(--muted); font-style: italic; }
ul.references { margin: 0; padding-left: 1.1rem; }
#stale li { font-family: ui-monospace, monospace; font-size: 0.88rem; }
"#;

const SCRIPT: &str = r#"
(function () {
  'use strict';
  var cases = Array.prototype.slice.call(document.querySelectorAll('#cases > .case'));
  var selects = Array.prototype.slice.call(document.querySelectorAll('#filters select'));
  var search = document.getElementById('f-search');
  var unexpected = document.getElementById('f-unexpected');
  var references = document.getElementById('f-references');
  var verdict = document.getElementById('f-verdict');
  // Whether a result passes every filter but `skip` (a select, or null for all of them).
  function passes(c, skip) {
    for (var i = 0; i < selects.length; i++) {
      var s = selects[i];
      if (s !== skip && s.value !== '' && c.dataset[s.dataset.key] !== s.value) return false;
    }
    var q = search.value.trim().toLowerCase();
    if (q && c.dataset.id.toLowerCase().indexOf(q) < 0) return false;
    if (unexpected.checked && c.dataset.unexpected !== '1') return false;
    if (references.checked && c.dataset.references !== '1') return false;
    return true;
  }
  function update() {
    var shown = 0, per = {};
    cases.forEach(function (c) {
      var ok = passes(c, null);
      c.hidden = !ok;
      if (ok) { shown += 1; per[c.dataset.verdict] = (per[c.dataset.verdict] || 0) + 1; }
    });
    // Each option counts the results it would leave, with the other filters as they are.
    selects.forEach(function (s) {
      var counts = {}, all = 0;
      cases.forEach(function (c) {
        if (!passes(c, s)) return;
        all += 1;
        var v = c.dataset[s.dataset.key];
        counts[v] = (counts[v] || 0) + 1;
      });
      Array.prototype.forEach.call(s.options, function (o) {
        o.textContent = o.dataset.label + ' (' + (o.value === '' ? all : (counts[o.value] || 0)) + ')';
      });
    });
    document.querySelectorAll('#summary td.shown').forEach(function (td) {
      var n = per[td.dataset.verdict] || 0;
      td.textContent = String(n);
      td.classList.toggle('zero', n === 0);
    });
    document.getElementById('shown-total').textContent = String(shown);
    document.getElementById('shown-count').textContent = String(shown);
    document.getElementById('none-shown').hidden = shown > 0;
  }
  selects.forEach(function (s) { s.addEventListener('change', update); });
  search.addEventListener('input', update);
  unexpected.addEventListener('change', update);
  references.addEventListener('change', update);
  document.querySelectorAll('#summary button[data-verdict]').forEach(function (b) {
    b.addEventListener('click', function () {
      verdict.value = verdict.value === b.dataset.verdict ? '' : b.dataset.verdict;
      update();
    });
  });
  document.getElementById('f-reset').addEventListener('click', function () {
    selects.forEach(function (s) { s.value = ''; });
    search.value = '';
    unexpected.checked = false;
    references.checked = false;
    update();
  });
  function fold(open) {
    cases.forEach(function (c) { if (!c.hidden) c.open = open; });
  }
  document.getElementById('expand').addEventListener('click', function () { fold(true); });
  document.getElementById('collapse').addEventListener('click', function () { fold(false); });
  update();
})();
"#;

/// One `<select>` of the filter bar: `all`, then each value (with the label the script counts against).
fn select(out: &mut String, id: &str, key: &str, label: &str, values: &[(String, String)]) {
    let _ = write!(
        out,
        "<label>{} <select id=\"{id}\" data-key=\"{key}\"><option value=\"\" data-label=\"all\">all</option>",
        escape(label)
    );
    for (value, text) in values {
        let _ = write!(
            out,
            "<option value=\"{}\" data-label=\"{}\">{}</option>",
            escape(value),
            escape(text),
            escape(text)
        );
    }
    out.push_str("</select></label>\n");
}

/// What a correct RP does, and where the FIDO tool expects otherwise.
fn expected(c: &CaseResult) -> String {
    let what = match c.expect {
        spec::Expect::Accept => "accept",
        spec::Expect::Reject => "reject",
        spec::Expect::Either => "either (both conform; the answer is recorded)",
        spec::Expect::Meet => "options that meet the requirement",
    };
    let mut s = format!("{what} — {} {}", c.level.as_str(), escape(&c.spec));
    if let Some(f) = c.fido_expect.filter(|f| *f != c.expect) {
        let _ = write!(s, "; the FIDO conformance tool expects {}", f.as_str());
    }
    s
}

/// What the RP answered: accepted or not, its HTTP status, its message and the check it named.
fn actual(c: &CaseResult) -> String {
    let Some(o) = &c.observed else {
        return "no answer to judge (see the detail)".to_owned();
    };
    let mut s = String::from(if o.accepted { "accepted" } else { "rejected" });
    if let Some(status) = o.http_status {
        let _ = write!(s, ", HTTP {status}");
    }
    if let Some(m) = &o.error_message {
        let _ = write!(s, "; the RP's message: <code class=\"rp-message\">{}</code>", escape(m));
    }
    if let Some(check) = &o.check {
        let _ = write!(s, "; the check the RP names: <code class=\"rp-check\">{}</code>", escape(check));
    }
    s
}

fn card(out: &mut String, r: &Report, c: &CaseResult, reproduce: &Reproduce<'_>, unexpected: bool) {
    let verdict = c.verdict.as_str();
    let basis_chip = match &c.basis {
        Some(b) => format!("{} {}", b.kind.as_str(), b.section),
        None => format!("no basis · {}", c.spec),
    };
    let _ = write!(
        out,
        "<details class=\"case v-{verdict}\" id=\"case-{id}\" data-id=\"{id}\" data-verdict=\"{verdict}\" \
         data-kind=\"{kind}\" data-section=\"{section}\" data-unexpected=\"{unexpected}\" \
         data-references=\"{references}\"{open}>\n\
         <summary><span class=\"badge {verdict}\">{verdict}</span> <code class=\"id\">{id}</code> \
         <span class=\"chips\">{ceremony} · {level} · {basis}</span> <span class=\"title\">{title}</span>",
        id = escape(&c.id),
        kind = kind(c),
        section = escape(&section_group(c)),
        unexpected = u8::from(unexpected),
        references = u8::from(!c.references.is_empty()),
        open = if starts_open(c) { " open" } else { "" },
        ceremony = c.ceremony.as_str(),
        level = c.level.as_str(),
        basis = escape(&basis_chip),
        title = escape(&c.title),
    );
    if c.expected_because.is_some() {
        out.push_str(" <span class=\"known\">known result</span>");
    }
    if !c.references.is_empty() {
        out.push_str(" <span class=\"known\">reproduces a public bug</span>");
    }
    out.push_str("</summary>\n<div class=\"body\">\n");
    match &c.basis {
        Some(b) if !b.quote.is_empty() => {
            let _ = writeln!(
                out,
                "<blockquote class=\"quote\"><p>{}</p><cite>{} — {}</cite></blockquote>",
                escape(&b.quote),
                escape(&b.section),
                escape(b.kind.whose())
            );
        }
        Some(b) => {
            let _ = writeln!(
                out,
                "<p class=\"noquote\">{} — {} (no sentence quoted)</p>",
                escape(&b.section),
                escape(b.kind.whose())
            );
        }
        None => out.push_str("<p class=\"noquote\">No basis recorded for this result.</p>\n"),
    }
    out.push_str("<dl class=\"facts\">\n");
    let mut fact = |name: &str, html: &str| {
        let _ = writeln!(out, "<dt>{name}</dt><dd>{html}</dd>");
    };
    fact("expected", &expected(c));
    fact("actual", &actual(c));
    if let Some(check) = c.check {
        fact("reference check", &format!("<code>{}</code>", escape(&check.to_string())));
    }
    fact("detail", &format!("<span class=\"detail\">{}</span>", escape(&c.detail)));
    if let Some(why) = &c.expected_because {
        let whose = c.expected_kind.map(|k| format!("{}: ", k.as_str())).unwrap_or_default();
        fact("expectation", &format!("<span class=\"note\">{}{}</span>", escape(&whose), escape(why)));
    }
    if !c.references.is_empty() {
        let list: Vec<String> = c
            .references
            .iter()
            .map(|r| {
                format!(
                    "<li><code class=\"reference\">{}</code> — {}</li>",
                    escape(&r.id),
                    escape(&r.summary)
                )
            })
            .collect();
        fact("reproduces", &format!("<ul class=\"references\">{}</ul>", list.concat()));
    }
    if let Some(fido) = &c.fido {
        fact("FIDO test", &format!("<code>{}</code>", escape(fido)));
    }
    if !c.flags.is_empty() {
        fact("reveals", &escape(&c.flags.join(", ")));
    }
    fact(
        "reproduce",
        &format!("<code class=\"reproduce\">{}</code>", escape(&reproduce.command(&c.id, r.seed))),
    );
    out.push_str("</dl>\n</div>\n</details>\n");
}

/// The report as one self-contained HTML page with filters; see the module documentation.
pub fn html(r: &Report, reproduce: &Reproduce<'_>) -> String {
    let unexpected: BTreeSet<&str> = r.unexpected().map(|c| c.id.as_str()).collect();
    let mut out = String::with_capacity(4096 + r.cases.len() * 1500);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>webauthn-harness report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header>\n<h1>webauthn-harness report</h1>\n<dl id=\"meta\">\n",
        escape(&r.target)
    );
    for (name, value) in header(r) {
        let _ = writeln!(out, "<div><dt>{}</dt><dd>{}</dd></div>", escape(name), escape(&value));
    }
    out.push_str("</dl>\n</header>\n");

    // The summary: per verdict (a column each), the report's own count and how many the filters show.
    let row = |out: &mut String, class: &str, name: &str, total_id: &str| {
        let _ = write!(out, "<tr><th>{name}</th>");
        for v in Verdict::ALL {
            let n = r.summary.get(&v).copied().unwrap_or(0);
            let zero = if n == 0 { " zero" } else { "" };
            let _ = write!(out, "<td class=\"{class}{zero}\" data-verdict=\"{}\">{n}</td>", v.as_str());
        }
        let _ = writeln!(out, "<td id=\"{total_id}\">{}</td></tr>", r.cases.len());
    };
    out.push_str(
        "<section id=\"summary-section\">\n<h2>Summary</h2>\n<table id=\"summary\">\n<thead><tr><th></th>",
    );
    for v in Verdict::ALL {
        let _ = write!(
            out,
            "<th><button type=\"button\" class=\"badge {v}\" data-verdict=\"{v}\" title=\"show only {v}; \
             again: all\">{v}</button></th>",
            v = v.as_str()
        );
    }
    out.push_str("<th>cases</th></tr></thead>\n<tbody>\n");
    row(&mut out, "total", "in the report", "total-count");
    row(&mut out, "shown", "shown", "shown-total");
    let _ = write!(
        out,
        "</tbody>\n</table>\n<p id=\"summary-note\">{} unexpected result(s) (not a good verdict and not in the \
         expectations file), {} stale expectation(s).</p>\n</section>\n",
        unexpected.len(),
        r.stale_expectations.len()
    );

    // The filters.
    out.push_str("<section id=\"filters\" aria-label=\"filters\">\n");
    let verdicts: Vec<(String, String)> =
        Verdict::ALL.iter().map(|v| (v.as_str().to_owned(), v.as_str().to_owned())).collect();
    select(&mut out, "f-verdict", "verdict", "verdict", &verdicts);
    let mut kinds: Vec<(String, String)> =
        spec::BasisKind::ALL.iter().map(|k| (k.as_str().to_owned(), k.as_str().to_owned())).collect();
    if r.cases.iter().any(|c| c.basis.is_none()) {
        kinds.push(("none".to_owned(), "no basis".to_owned()));
    }
    select(&mut out, "f-kind", "kind", "basis", &kinds);
    let mut sections: Vec<String> = r.cases.iter().map(section_group).collect();
    sections.sort_by_key(|s| section_order(s));
    sections.dedup();
    let sections: Vec<(String, String)> = sections.into_iter().map(|s| (s.clone(), s)).collect();
    select(&mut out, "f-section", "section", "section", &sections);
    out.push_str(
        "<label>id <input id=\"f-search\" type=\"search\" placeholder=\"part of a case id\" autocomplete=\"off\"></label>\n\
         <label><input id=\"f-unexpected\" type=\"checkbox\"> only unexpected</label>\n\
         <label><input id=\"f-references\" type=\"checkbox\"> only those that reproduce a public bug</label>\n\
         <button type=\"button\" id=\"f-reset\">reset</button>\n\
         <button type=\"button\" id=\"expand\">open shown</button>\
         <button type=\"button\" id=\"collapse\">fold shown</button>\n",
    );
    let _ = writeln!(
        out,
        "<span id=\"shown-line\"><span id=\"shown-count\">{}</span> of {} shown</span>\n</section>",
        r.cases.len(),
        r.cases.len()
    );

    out.push_str("<main id=\"cases\">\n");
    for c in &r.cases {
        card(&mut out, r, c, reproduce, unexpected.contains(c.id.as_str()));
    }
    out.push_str("<p id=\"none-shown\" hidden>No result matches the filters.</p>\n</main>\n");

    if !r.stale_expectations.is_empty() {
        out.push_str(
            "<section id=\"stale\">\n<h2>Stale expectations</h2>\n<p>Entries of the expectations file that matched \
             no result as written:</p>\n<ul>\n",
        );
        for s in &r.stale_expectations {
            let _ = writeln!(out, "<li>{}</li>", escape(s));
        }
        out.push_str("</ul>\n</section>\n");
    }
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CaseBasis, CaseReference, Kind, Observed};
    use spec::{BasisKind, Ceremony, CheckId, Expect, Level};

    fn case(id: &str, verdict: Verdict) -> CaseResult {
        CaseResult {
            id: id.into(),
            ceremony: Ceremony::Registration,
            spec: "§7.1 step 9".into(),
            level: Level::Must,
            expect: Expect::Reject,
            verdict,
            detail: "rejected (HTTP 400)".into(),
            title: "origin is not the RP's".into(),
            flags: vec![],
            references: vec![],
            check: None,
            fido: None,
            fido_expect: None,
            basis: Some(CaseBasis {
                kind: BasisKind::Procedure,
                section: "§7.1 step 9".into(),
                quote: "Verify that the value of C.origin is an origin expected by the Relying Party.".into(),
            }),
            origin_declared: false,
            inspected: None,
            observed: Some(Observed {
                accepted: false,
                http_status: Some(400),
                error_message: None,
                check: None,
                not_json: false,
                declared_refusal: false,
            }),
            expected_because: None,
            expected_kind: None,
        }
    }

    fn report(cases: Vec<CaseResult>) -> Report {
        Report {
            schema: crate::report::SCHEMA.into(),
            harness_version: "0.0.0-test".into(),
            target: "http://rp.test/<fido>".into(),
            profile: Default::default(),
            origin: "https://rp.test".into(),
            origins: vec!["https://rp.test".into()],
            origin_policy: Default::default(),
            attestation_required: false,
            rp_id: "rp.test".into(),
            seed: 7,
            summary: Report::summarize(&cases),
            cases,
            stale_expectations: vec!["reg.gone <b>".into()],
        }
    }

    fn crafted() -> Report {
        let pass = case("reg.client-data.origin.other", Verdict::Pass);
        let mut fail = case("reg.client-data.origin.suffix", Verdict::Fail);
        fail.detail = "expected rejection, but the RP accepted".into();
        fail.observed = Some(Observed {
            accepted: true,
            http_status: Some(200),
            error_message: Some("<script>alert(1)</script> & \"quoted\" 'single'".into()),
            check: Some("origin<check>".into()),
            not_json: false,
            declared_refusal: false,
        });
        fail.check = Some(CheckId::RegOrigin);
        fail.fido = Some("Server-ServerAuthenticatorAttestationResponse-Resp-5 F-1".into());
        let mut known = case("auth.signature.der.trailing", Verdict::Warn);
        known.ceremony = Ceremony::Authentication;
        known.spec = "§7.2 step 21, §6.5.5".into();
        known.basis =
            Some(CaseBasis { kind: BasisKind::Data, section: "§6.5.5".into(), quote: String::new() });
        known.expected_because = Some("the library's DER parser <img src=x onerror=alert(2)> is lax".into());
        known.expected_kind = Some(Kind::Deviation);
        known.fido_expect = Some(Expect::Accept);
        let mut none = case("reg.valid.es256.none", Verdict::Pass);
        none.basis = None;
        none.spec = "§7.1, §8.7".into();
        none.expect = Expect::Accept;
        report(vec![pass, fail, known, none])
    }

    #[test]
    fn a_card_names_the_public_bugs_its_case_reproduces_and_a_filter_finds_them() {
        let mut r = crafted();
        r.cases[1].references = vec![CaseReference {
            id: "CVE-2022-21449".into(),
            summary: "Java <15-18> accepted r = s = 0".into(),
        }];
        let page = html(&r, &Reproduce { target_args: "" });
        assert!(page.contains(
            "<input id=\"f-references\" type=\"checkbox\"> only those that reproduce a public bug</label>"
        ));
        let card = page.split("data-id=\"reg.client-data.origin.suffix\"").nth(1).unwrap();
        let card = card.split("</details>").next().unwrap();
        assert!(card.contains("data-unexpected=\"1\" data-references=\"1\" open>"), "{card}");
        assert!(card.contains("<span class=\"known\">reproduces a public bug</span>"), "{card}");
        assert!(
            card.contains(
                "<dt>reproduces</dt><dd><ul class=\"references\"><li><code class=\"reference\">CVE-2022-21449</code> \
                 — Java &lt;15-18&gt; accepted r = s = 0</li></ul></dd>"
            ),
            "{card}"
        );
        // Only that card is marked.
        assert_eq!(page.matches("data-references=\"1\"").count(), 1);
        assert_eq!(page.matches("<dt>reproduces</dt>").count(), 1);
    }

    #[test]
    fn escape_covers_markup_and_both_quotes() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        assert_eq!(escape("§7.1 — plain"), "§7.1 — plain");
    }

    #[test]
    fn sections_group_by_procedure_or_chapter() {
        let mut c = case("x", Verdict::Pass);
        let group = |c: &CaseResult| section_group(c);
        assert_eq!(group(&c), "§7.1");
        c.basis = Some(CaseBasis {
            kind: BasisKind::Data,
            section: "§6.5.1.1, §7.1 step 20".into(),
            quote: "".into(),
        });
        assert_eq!(group(&c), "§6.x");
        c.basis = None;
        c.spec = "§7.2 step 21, §6.5.5".into();
        assert_eq!(group(&c), "§7.2");
        c.spec = "§4".into();
        assert_eq!(group(&c), "§4");
        c.spec = "RFC 8152 §7".into();
        assert_eq!(group(&c), "RFC 8152");
        c.spec = String::new();
        assert_eq!(group(&c), "other");
        let mut order = vec!["§8.x", "§13.x", "RFC 8152", "§2.x", "§7.2", "§7.1"];
        order.sort_by_key(|s| section_order(s));
        assert_eq!(order, ["§2.x", "§7.1", "§7.2", "§8.x", "§13.x", "RFC 8152"]);
    }

    #[test]
    fn the_page_holds_every_result_once_escaped_with_its_filters() {
        let r = crafted();
        let page = html(&r, &Reproduce { target_args: "--target http://rp.test/ " });
        assert!(page.starts_with("<!DOCTYPE html>"));
        // Self-contained: nothing is loaded from elsewhere.
        for external in ["<link", "src=\"", "href=", "@import", "url(", "http-equiv"] {
            assert!(!page.contains(external), "{external} in the page");
        }
        // One card per result, each id once as a card.
        for c in &r.cases {
            let card = format!("data-id=\"{}\"", c.id);
            assert_eq!(page.matches(&card).count(), 1, "{}", c.id);
            assert_eq!(page.matches(&format!("<code class=\"id\">{}</code>", c.id)).count(), 1, "{}", c.id);
        }
        assert_eq!(page.matches("<details class=\"case ").count(), r.cases.len());
        // The RP's words and the report's strings are text, never markup.
        assert!(!page.contains("<script>alert"), "an unescaped script");
        assert!(!page.contains("<img"), "an unescaped image");
        assert!(!page.contains("<fido>") && !page.contains("<b>"));
        assert!(page.contains(
            "<code class=\"rp-message\">&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; &#39;single&#39;</code>"
        ));
        assert!(page.contains("<code class=\"rp-check\">origin&lt;check&gt;</code>"));
        assert!(page
            .contains("deviation: the library&#39;s DER parser &lt;img src=x onerror=alert(2)&gt; is lax"));
        assert!(page.contains("<title>webauthn-harness report: http://rp.test/&lt;fido&gt;</title>"));
        assert!(page.contains("<li>reg.gone &lt;b&gt;</li>"));
        // The page's only script is its own.
        assert_eq!(page.matches("<script>").count(), 1);
        // The header, the summary and the filters.
        for (name, value) in [
            ("profile", "webauthn-l3"),
            ("origin", "https://rp.test"),
            ("declared origins", "https://rp.test (exact)"),
            ("RP ID", "rp.test"),
            ("seed", "7"),
        ] {
            assert!(page.contains(&format!("<dt>{name}</dt><dd>{value}</dd>")), "{name}");
        }
        assert!(page.contains("<dt>harness version</dt><dd>0.0.0-test</dd>"));
        assert!(page.contains("<button type=\"button\" class=\"badge FAIL\" data-verdict=\"FAIL\""));
        assert!(page.contains("<td class=\"total\" data-verdict=\"FAIL\">1</td>"), "{page}");
        assert!(page.contains("<td class=\"total\" data-verdict=\"PASS\">2</td>"));
        assert!(page.contains("<td class=\"total zero\" data-verdict=\"ERROR\">0</td>"));
        assert!(page.contains("<td id=\"total-count\">4</td>"));
        assert!(page.contains("1 unexpected result(s)"));
        for control in [
            "id=\"f-verdict\"",
            "id=\"f-kind\"",
            "id=\"f-section\"",
            "id=\"f-search\"",
            "id=\"f-unexpected\"",
        ] {
            assert!(page.contains(control), "{control}");
        }
        for option in [
            "value=\"FAIL\"",
            "value=\"procedure\"",
            "value=\"data\"",
            "value=\"none\"",
            "value=\"§6.x\"",
            "value=\"§7.1\"",
        ] {
            assert!(page.contains(&format!("<option {option}")), "{option}");
        }
        // The card of the FAIL: its requirement, expected and actual, checks, FIDO id, and reproduce line.
        let fail = page.split("data-id=\"reg.client-data.origin.suffix\"").nth(1).unwrap();
        let fail = fail.split("</details>").next().unwrap();
        assert!(fail.contains(" open>"), "a FAIL starts open");
        assert!(
            fail.contains("data-kind=\"procedure\" data-section=\"§7.1\" data-unexpected=\"1\""),
            "{fail}"
        );
        assert!(
            fail.contains("Verify that the value of C.origin is an origin expected by the Relying Party.")
        );
        assert!(fail.contains("<dt>expected</dt><dd>reject — MUST §7.1 step 9</dd>"), "{fail}");
        assert!(fail.contains("<dt>actual</dt><dd>accepted, HTTP 200; the RP's message:"), "{fail}");
        assert!(fail.contains(&format!("<code>{}</code>", CheckId::RegOrigin)));
        assert!(fail.contains("Server-ServerAuthenticatorAttestationResponse-Resp-5 F-1"));
        assert!(fail.contains(
            "<code class=\"reproduce\">webauthn-harness grade --target http://rp.test/ --case reg.client-data.origin.suffix --seed 7</code>"
        ));
        // The known WARN: open, not unexpected, its note and the FIDO tool's differing expectation.
        let known = page.split("data-id=\"auth.signature.der.trailing\"").nth(1).unwrap();
        let known = known.split("</details>").next().unwrap();
        assert!(
            known.contains(
                "data-kind=\"data\" data-section=\"§6.x\" data-unexpected=\"0\" data-references=\"0\" open>"
            ),
            "{known}"
        );
        assert!(known.contains("known result") && known.contains("the FIDO conformance tool expects accept"));
        // A PASS folds.
        let pass = page.split("data-id=\"reg.client-data.origin.other\"").nth(1).unwrap();
        assert!(pass.split_once('>').unwrap().0.ends_with("data-references=\"0\""), "a PASS starts folded");
    }
}
