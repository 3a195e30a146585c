//! Several reports side by side (in the manner of Autobahn|Testsuite's result matrix): one row per
//! case, one column per implementation, as Markdown and as a self-contained HTML page, each with a pruned
//! view that keeps only the cases where the implementations do not all agree.

use std::collections::BTreeMap;
use std::fmt::Write;

use spec::BasisKind;

use crate::grade::regrade;
use crate::grading::Grading;
use crate::report::{CaseResult, Report, Verdict};

/// One implementation's column.
#[derive(Debug, Clone)]
pub struct Column {
    /// A short name (`py_webauthn`).
    pub name: String,
    /// What was graded (`webauthn 3.0.1 (PyPI)`).
    pub implementation: String,
    /// Where its documentation is.
    pub docs: Option<String>,
    pub report: Report,
}

/// What a cell shows: the verdict, and for INFO cases (where either outcome conforms) what the RP did.
pub fn cell(c: &CaseResult) -> String {
    match (c.verdict, &c.observed) {
        (Verdict::Info, Some(o)) => format!("INFO {}", if o.accepted { "accepted" } else { "rejected" }),
        (v, _) => v.as_str().to_owned(),
    }
}

/// A case row: its metadata (from the first report that has it) and a cell per column.
struct Row<'a> {
    case: &'a CaseResult,
    cells: Vec<Option<&'a CaseResult>>,
}

impl Row<'_> {
    /// Whether the implementations differ on this case (a missing cell counts as different).
    fn differs(&self) -> bool {
        let shown: Vec<Option<String>> = self.cells.iter().map(|c| c.map(cell)).collect();
        shown.windows(2).any(|w| w[0] != w[1])
    }
}

fn rows(columns: &[Column]) -> Vec<Row<'_>> {
    // Catalogue order, as the reports list the cases; a case one report lacks still gets its row.
    let mut order: Vec<&str> = Vec::new();
    let mut first: BTreeMap<&str, &CaseResult> = BTreeMap::new();
    for col in columns {
        for c in &col.report.cases {
            if !first.contains_key(c.id.as_str()) {
                order.push(&c.id);
                first.insert(&c.id, c);
            }
        }
    }
    let index: Vec<BTreeMap<&str, &CaseResult>> =
        columns.iter().map(|col| col.report.cases.iter().map(|c| (c.id.as_str(), c)).collect()).collect();
    order
        .into_iter()
        .map(|id| Row { case: first[id], cells: index.iter().map(|m| m.get(id).copied()).collect() })
        .collect()
}

/// A case's basis in a few words: its kind and section (`procedure §7.1 step 9`).
pub fn basis(c: &CaseResult) -> String {
    match &c.basis {
        Some(b) if b.section.is_empty() => b.kind.as_str().to_owned(),
        Some(b) => format!("{} {}", b.kind.as_str(), b.section),
        None => "—".to_owned(),
    }
}

/// How many of a report's cases FAIL and WARN under `grading`, judged again from what the RP answered.
pub fn fail_warn(report: &Report, grading: Grading) -> (usize, usize) {
    let r = regrade(report, grading);
    let n = |v| r.summary.get(&v).copied().unwrap_or(0);
    (n(Verdict::Fail), n(Verdict::Warn))
}

/// Of the cases that went the other way under `grading`, how many FAIL and WARN for each basis kind (`None`:
/// the result states no basis).
fn by_basis(report: &Report, grading: Grading) -> BTreeMap<Option<BasisKind>, (usize, usize)> {
    let mut counts = BTreeMap::new();
    for c in &regrade(report, grading).cases {
        let entry: &mut (usize, usize) = counts.entry(c.basis.as_ref().map(|b| b.kind)).or_default();
        match c.verdict {
            Verdict::Fail => entry.0 += 1,
            Verdict::Warn => entry.1 += 1,
            _ => {}
        }
    }
    counts
}

/// The basis kinds the columns' cases have, in order, with `None` last when some case states none.
fn basis_kinds(columns: &[Column]) -> Vec<Option<BasisKind>> {
    let mut kinds: Vec<Option<BasisKind>> = BasisKind::ALL.into_iter().map(Some).collect();
    if columns.iter().any(|col| col.report.cases.iter().any(|c| c.basis.is_none())) {
        kinds.push(None);
    }
    kinds
}

fn basis_kind_name(kind: Option<BasisKind>) -> &'static str {
    kind.map_or("no basis stated", BasisKind::as_str)
}

/// The Markdown tables of FAIL and WARN counts under each compared grading, and per basis kind.
fn md_gradings(out: &mut String, columns: &[Column]) {
    let _ = writeln!(
        out,
        "## Under each grading\n\n\
         Grading is a function of what the RP answered, so the same answers are judged again under each profile \
         (nothing is sent again). FAIL / WARN per implementation:\n"
    );
    for g in Grading::COMPARED {
        let _ = writeln!(out, "- `{g}`: {}", g.describe());
    }
    let _ = write!(out, "\n| implementation |");
    for g in Grading::COMPARED {
        let _ = write!(out, " `{g}` |");
    }
    let _ = writeln!(out, "\n|---|{}", "---|".repeat(Grading::COMPARED.len()));
    for col in columns {
        let _ = write!(out, "| {} |", md(&col.name));
        for g in Grading::COMPARED {
            let (fail, warn) = fail_warn(&col.report, g);
            let _ = write!(out, " {fail} / {warn} |");
        }
        out.push('\n');
    }
    let grading = Grading::default();
    let kinds = basis_kinds(columns);
    let _ = writeln!(
        out,
        "\n### By basis (`{grading}`)\n\n\
         The cases that went the other way, by whose requirement they rest on: `procedure` (the RP's own steps), \
         `data` (a rule on what the client or authenticator produces that no RP step checks), `conformance` (what \
         the FIDO conformance tool expects beyond the spec), `hardening` (no MUST). FAIL / WARN:\n"
    );
    let _ = write!(out, "| implementation |");
    for k in &kinds {
        let _ = write!(out, " {} |", basis_kind_name(*k));
    }
    let _ = writeln!(out, "\n|---|{}", "---|".repeat(kinds.len()));
    for col in columns {
        let counts = by_basis(&col.report, grading);
        let _ = write!(out, "| {} |", md(&col.name));
        for k in &kinds {
            let (fail, warn) = counts.get(k).copied().unwrap_or_default();
            let _ = write!(out, " {fail} / {warn} |");
        }
        out.push('\n');
    }
    out.push('\n');
}

fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn md_cell(c: Option<&CaseResult>) -> String {
    match c {
        None => "—".into(),
        Some(c) => {
            let text = cell(c);
            let marked = if c.expected_because.is_some() { format!("{text}¹") } else { text };
            match c.verdict {
                Verdict::Fail | Verdict::Error | Verdict::Inconclusive => format!("**{marked}**"),
                _ => marked,
            }
        }
    }
}

fn md_table(out: &mut String, columns: &[Column], rows: &[&Row<'_>]) {
    let _ = write!(out, "| case | spec | level | expect | basis |");
    for col in columns {
        let _ = write!(out, " {} |", md(&col.name));
    }
    let _ = write!(out, "\n|---|---|---|---|---|");
    for _ in columns {
        let _ = write!(out, "---|");
    }
    out.push('\n');
    for row in rows {
        let c = row.case;
        let _ = write!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            c.id,
            md(&c.spec),
            c.level.as_str(),
            c.expect.as_str(),
            md(&basis(c))
        );
        for cell in &row.cells {
            let _ = write!(out, " {} |", md_cell(*cell));
        }
        out.push('\n');
    }
}

/// The Markdown matrix: the implementations, their verdict counts, the cases where they differ, then every case.
pub fn markdown(title: &str, preamble: &str, columns: &[Column]) -> String {
    let rows = rows(columns);
    let differing: Vec<&Row<'_>> = rows.iter().filter(|r| r.differs()).collect();
    let mut out = String::new();
    let _ = writeln!(out, "# {title}\n");
    if !preamble.is_empty() {
        let _ = writeln!(out, "{}\n", preamble.trim_end());
    }
    let _ = writeln!(out, "| implementation | graded | seed | cases | {} |", verdict_header(" | "));
    let _ = writeln!(out, "|---|---|---|---|{}", "---|".repeat(Verdict::ALL.len()));
    for col in columns {
        let r = &col.report;
        let graded = match &col.docs {
            Some(url) => format!("[{}]({url})", md(&col.implementation)),
            None => md(&col.implementation),
        };
        let _ = write!(out, "| {} | {graded} | {} | {} |", md(&col.name), r.seed, r.cases.len());
        for v in Verdict::ALL {
            let _ = write!(out, " {} |", r.summary.get(&v).copied().unwrap_or(0));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "\n¹ a known result, explained in that implementation's report (`{{name}}/report-markdown.snap`, section Notes).\n\
         INFO cases are those where either outcome conforms; the cell says which one the RP chose.\n"
    );
    md_gradings(&mut out, columns);
    let _ =
        writeln!(out, "## Where the implementations differ ({} of {} cases)\n", differing.len(), rows.len());
    md_table(&mut out, columns, &differing);
    let _ = writeln!(out, "\n## Every case\n\n<details><summary>{} cases</summary>\n", rows.len());
    let all: Vec<&Row<'_>> = rows.iter().collect();
    md_table(&mut out, columns, &all);
    let _ = writeln!(out, "\n</details>");
    out
}

fn verdict_header(sep: &str) -> String {
    Verdict::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(sep)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A self-contained HTML page: the same matrix, coloured by verdict, with a switch between every case and the
/// cases where the implementations differ, and each cell's note (the expectation's reason) as its tooltip.
pub fn html(title: &str, columns: &[Column]) -> String {
    let rows = rows(columns);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n\
         body {{ font-family: system-ui, sans-serif; margin: 1.5em; }}\n\
         table {{ border-collapse: collapse; font-size: 0.85em; }}\n\
         th, td {{ border: 1px solid #ccc; padding: 0.2em 0.5em; }}\n\
         th {{ background: #f4f4f4; position: sticky; top: 0; }}\n\
         td.case {{ font-family: monospace; }}\n\
         .PASS {{ background: #c8ecc8; }} .INFO {{ background: #dfe8f7; }} .WARN {{ background: #fbeab0; }}\n\
         .FAIL {{ background: #f3b6b6; font-weight: bold; }} .ERROR, .INCONCLUSIVE {{ background: #e0a0e0; }}\n\
         .UNSUPPORTED, .SKIPPED, .none {{ background: #eee; color: #666; }}\n\
         .known {{ text-decoration: underline dotted; }}\n\
         body.pruned tr.same {{ display: none; }}\n\
         </style>\n</head>\n<body class=\"pruned\">\n<h1>{}</h1>\n",
        html_escape(title),
        html_escape(title)
    );
    out.push_str("<p>FAIL / WARN under each grading, judged again from the same answers:</p>\n<table>\n<tr><th>implementation</th>");
    for g in Grading::COMPARED {
        let _ = write!(out, "<th title=\"{}\">{g}</th>", html_escape(&g.describe()));
    }
    out.push_str("</tr>\n");
    for col in columns {
        let _ = write!(out, "<tr><td>{}</td>", html_escape(&col.name));
        for g in Grading::COMPARED {
            let (fail, warn) = fail_warn(&col.report, g);
            let _ = write!(out, "<td>{fail} / {warn}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    let differing = rows.iter().filter(|r| r.differs()).count();
    let _ = write!(
        out,
        "<p><label><input type=\"checkbox\" checked onchange=\"document.body.classList.toggle('pruned', this.checked)\"> \
         only the {differing} cases (of {}) where the implementations differ</label></p>\n<table>\n<tr><th>case</th><th>spec</th><th>level</th><th>expect</th><th>basis</th>",
        rows.len()
    );
    for col in columns {
        let _ =
            write!(out, "<th title=\"{}\">{}</th>", html_escape(&col.implementation), html_escape(&col.name));
    }
    out.push_str("</tr>\n");
    for row in &rows {
        let c = row.case;
        let _ = write!(
            out,
            "<tr class=\"{}\"><td class=\"case\" title=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td title=\"{}\">{}</td>",
            if row.differs() { "differs" } else { "same" },
            html_escape(&c.title),
            html_escape(&c.id),
            html_escape(&c.spec),
            html_escape(c.level.as_str()),
            html_escape(c.expect.as_str()),
            html_escape(c.basis.as_ref().map_or("", |b| b.quote.as_str())),
            html_escape(&basis(c))
        );
        for cell_result in &row.cells {
            match cell_result {
                None => out.push_str("<td class=\"none\">—</td>"),
                Some(r) => {
                    let note = match (&r.expected_because, r.expected_kind) {
                        (Some(why), Some(kind)) => format!("{}: {why}", kind.as_str()),
                        (Some(why), None) => why.clone(),
                        _ => String::new(),
                    };
                    let known = if note.is_empty() { "" } else { " known" };
                    let _ = write!(
                        out,
                        "<td class=\"{}{known}\" title=\"{}\">{}</td>",
                        r.verdict.as_str(),
                        html_escape(&note),
                        html_escape(&cell(r))
                    );
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Kind, Observed};
    use spec::{Ceremony, Expect, Level};

    fn case(id: &str, verdict: Verdict, accepted: bool) -> CaseResult {
        CaseResult {
            id: id.into(),
            ceremony: Ceremony::Authentication,
            spec: "§7.2 step 13".into(),
            level: Level::Must,
            expect: Expect::Reject,
            verdict,
            detail: String::new(),
            title: "t".into(),
            flags: vec![],
            references: vec![],
            check: None,
            fido: None,
            fido_expect: None,
            basis: None,
            origin_declared: false,
            inspected: None,
            observed: Some(Observed {
                accepted,
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

    fn column(name: &str, cases: Vec<CaseResult>) -> Column {
        let report = Report {
            schema: String::new(),
            harness_version: String::new(),
            target: name.into(),
            profile: Default::default(),
            origin: String::new(),
            origins: vec![],
            origin_policy: Default::default(),
            attestation_required: false,
            rp_id: String::new(),
            seed: 1,
            summary: Report::summarize(&cases),
            cases,
            stale_expectations: vec![],
        };
        Column { name: name.into(), implementation: format!("{name} 1.0"), docs: None, report }
    }

    #[test]
    fn the_pruned_view_keeps_exactly_the_cases_that_differ() {
        let a = column(
            "a",
            vec![
                case("same", Verdict::Pass, false),
                case("differs", Verdict::Pass, false),
                case("info", Verdict::Info, true),
            ],
        );
        let mut known = case("differs", Verdict::Fail, true);
        known.expected_because = Some("crossOrigin is never read".into());
        known.expected_kind = Some(Kind::Deviation);
        let b =
            column("b", vec![case("same", Verdict::Pass, false), known, case("info", Verdict::Info, false)]);
        let c = column("c", vec![case("same", Verdict::Pass, false)]);
        let md = markdown("m", "", &[a.clone(), b.clone()]);
        let pruned = md.split("## Every case").next().unwrap();
        assert!(pruned.contains("(2 of 3 cases)"), "{pruned}");
        assert!(pruned.contains("| `differs` |") && pruned.contains("**FAIL¹**"), "{pruned}");
        assert!(pruned.contains("INFO accepted") && pruned.contains("INFO rejected"), "{pruned}");
        assert!(!pruned.contains("| `same` |"), "{pruned}");
        // A case a report lacks is a difference too.
        let md = markdown("m", "", &[a, c]);
        assert!(md.contains("(2 of 3 cases)"), "{md}");

        let html = html("m <x>", &[b]);
        assert!(html.contains("<title>m &lt;x&gt;</title>"));
        assert!(html.contains("title=\"deviation: crossOrigin is never read\">FAIL</td>"), "{html}");
    }
}
