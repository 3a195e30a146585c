//! `webauthn-harness cases`: the catalogue as text or JSON.

use std::process::ExitCode;

use generator::catalog::{self, Case, Ceremony};
use serde_json::{json, Value};

#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Only cases whose id matches: an exact id, a prefix ending in '.', or a glob with '*' (repeatable).
    #[arg(long = "case", value_name = "PATTERN")]
    patterns: Vec<String>,
    /// Only cases that reproduce a bug from the public record (an advisory, a CVE or an issue of an RP
    /// library), each with the ids of the records it reproduces.
    #[arg(long)]
    references: bool,
}

pub fn case_json(c: &Case) -> Value {
    json!({
        "id": c.id,
        "ceremony": match c.ceremony() { Ceremony::Registration => "registration", Ceremony::Authentication => "authentication" },
        "spec": c.spec,
        "level": c.level.as_str(),
        "expect": c.expect.as_str(),
        "title": c.title,
        "rationale": c.rationale,
        "flags": c.flags,
        "references": c.references,
        "check": c.check,
        "fido": c.fido,
        "fido_expect": c.fido_expect,
        "basis": c.basis(),
        "setup": c.setup,
    })
}

pub fn run(args: Args) -> ExitCode {
    let cases: Vec<Case> = catalog::all()
        .into_iter()
        .filter(|c| {
            args.patterns.is_empty() || args.patterns.iter().any(|p| grader::expectations::matches(p, c.id))
        })
        .filter(|c| !args.references || !c.references.is_empty())
        .collect();
    if cases.is_empty() {
        let which = if args.references { " that reproduces a public bug" } else { "" };
        eprintln!("error: no case{which} matches {:?}", args.patterns);
        return ExitCode::from(2);
    }
    match args.format {
        Format::Json => {
            let flags: serde_json::Map<String, Value> = catalog::Flag::ALL
                .iter()
                .map(|f| (format!("{f:?}"), Value::String(f.description().to_owned())))
                .collect();
            let doc = json!({
                "schema": "webauthn-harness/cases/v1",
                "harness_version": env!("CARGO_PKG_VERSION"),
                "count": cases.len(),
                "flags": flags,
                "cases": cases.iter().map(case_json).collect::<Vec<_>>(),
            });
            outln!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        Format::Text => {
            let width = cases.iter().map(|c| c.id.len()).max().unwrap_or(0);
            for c in &cases {
                let line = format!(
                    "{:width$}  {:<6}  {:<6}  {:<11}  {:<16}  {}",
                    c.id,
                    c.expect.as_str(),
                    c.level.as_str(),
                    c.basis().map_or("", |b| b.kind.as_str()),
                    c.spec,
                    c.title
                );
                if args.references {
                    let ids: Vec<&str> = c.references.iter().map(|r| r.id).collect();
                    outln!("{line}\n{:width$}  reproduces {}", "", ids.join(", "));
                } else {
                    outln!("{line}");
                }
            }
            let what = if args.references { "cases that reproduce a public bug" } else { "cases" };
            outln!("\n{} {what}", cases.len());
        }
    }
    ExitCode::SUCCESS
}
