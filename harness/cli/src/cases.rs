//! `webauthn-harness cases`: the catalogue as text or JSON.

use std::process::ExitCode;

use generator::catalog::{self, Case, Ceremony, Expect, Level};
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
    /// Only cases whose id starts with this prefix or matches this glob (`*` matches any run) (repeatable).
    #[arg(long = "case", value_name = "PATTERN")]
    patterns: Vec<String>,
}

/// Whether `id` matches `pattern`: a glob with `*`, or a prefix.
pub fn matches(pattern: &str, id: &str) -> bool {
    if !pattern.contains('*') {
        return id == pattern || id.starts_with(pattern);
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = id;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    rest.is_empty()
}

fn level(l: Level) -> &'static str {
    match l {
        Level::Must => "MUST",
        Level::Should => "SHOULD",
        Level::Policy => "POLICY",
    }
}

fn expect(e: Expect) -> &'static str {
    match e {
        Expect::Accept => "accept",
        Expect::Reject => "reject",
        Expect::Either => "either",
    }
}

pub fn case_json(c: &Case) -> Value {
    json!({
        "id": c.id,
        "ceremony": match c.ceremony() { Ceremony::Registration => "registration", Ceremony::Authentication => "authentication" },
        "spec": c.spec,
        "level": level(c.level),
        "expect": expect(c.expect),
        "title": c.title,
        "rationale": c.rationale,
        "flags": c.flags,
        "check": c.check,
        "fido": c.fido,
        "setup": c.setup,
    })
}

pub fn run(args: Args) -> ExitCode {
    let cases: Vec<Case> = catalog::all()
        .into_iter()
        .filter(|c| args.patterns.is_empty() || args.patterns.iter().any(|p| matches(p, c.id)))
        .collect();
    if cases.is_empty() {
        eprintln!("error: no case matches {:?}", args.patterns);
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
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        Format::Text => {
            let width = cases.iter().map(|c| c.id.len()).max().unwrap_or(0);
            for c in &cases {
                println!(
                    "{:width$}  {:<6}  {:<6}  {:<16}  {}",
                    c.id,
                    expect(c.expect),
                    level(c.level),
                    c.spec,
                    c.title
                );
            }
            println!("\n{} cases", cases.len());
        }
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn patterns_are_prefixes_or_globs() {
        assert!(matches("reg.", "reg.client-data.origin.null"));
        assert!(matches("reg.client-data.origin.null", "reg.client-data.origin.null"));
        assert!(!matches("auth.", "reg.client-data.origin.null"));
        assert!(matches("*.origin.*", "reg.client-data.origin.null"));
        assert!(matches("reg.*.null", "reg.client-data.origin.null"));
        assert!(!matches("reg.*.nul", "reg.client-data.origin.null"));
        assert!(matches("*", "anything"));
    }
}
