//! §8.9 Compound Attestation Statement Format: "The "compound" attestation statement format is used to pass
//! multiple, self-contained attestation statements in a single ceremony."
//!
//! ```text
//! $$attStmtType //= ( fmt: "compound", attStmt: [2* nonCompoundAttStmt] )
//! nonCompoundAttStmt = { $$attStmtType } .within { fmt: text .ne "compound", * any => any }
//! ```
//!
//! So attStmt is an array of at least two sub-statements, each a map of exactly `fmt` (text, not
//! "compound") and `attStmt` ([`CheckId::RegAttestationCompoundSyntax`], [`CheckId::RegAttestationCompoundNested`]).
//! The procedure: "For each subStmt of attStmt, evaluate the verification procedure corresponding to the
//! attestation statement format identifier subStmt.fmt with verification procedure inputs subStmt,
//! authenticatorData and clientDataHash." — the same authenticator data and client data hash for every
//! sub-statement. "If validation fails for one or more subStmt, decide the appropriate result based on
//! Relying Party policy." This verifier's policy is the strictest: every sub-statement must verify, and the
//! first that does not rejects the registration at its own format's check (its detail names the
//! sub-statement), or at [`CheckId::RegAttestationCompoundSubFormat`] where its fmt has no procedure here.
//! The spec says nothing of two sub-statements of the same format; they are verified like any others.
//!
//! "If sufficiently many (as determined by Relying Party policy) items of attStmt verify successfully, return
//! implementation-specific values representing any combination of outputs from successful verification
//! procedures.": the result is [`AttestationType::Compound`], every sub-statement's format and result, and
//! §7.1 step 24 assesses each of them (with the anchors configured for its format).
//!
//! Bounded: at most [`MAX_SUB_STATEMENTS`] sub-statements, each verified once.

use wire::cbor::Value;

use super::{AttestationType, Statement, IMPLEMENTED_FORMATS};
use crate::check::{CheckId, Rejection};

/// The most sub-statements verified; more are refused before any is (the spec sets no upper bound; real
/// authenticators send two or three).
pub const MAX_SUB_STATEMENTS: usize = 8;

/// §8.9 "Verification procedure".
pub(super) fn verify(s: &Statement<'_>) -> Result<AttestationType, Rejection> {
    let subs = syntax(s.att_stmt)?;
    let mut results = Vec::with_capacity(subs.len());
    for (i, (fmt, att_stmt)) in subs.into_iter().enumerate() {
        let result = step_1_verify_sub_statement(s, i, fmt, att_stmt)?;
        results.push((fmt.to_owned(), result));
    }
    // Step 2: every item verified, which is "sufficiently many" under this verifier's policy.
    Ok(AttestationType::Compound(results))
}

fn syntax_error(why: String) -> Rejection {
    Rejection::new(CheckId::RegAttestationCompoundSyntax, format!("compound attStmt: {why}"))
}

/// The syntax above: an array of 2 to [`MAX_SUB_STATEMENTS`] maps, each with exactly a text `fmt` other than
/// "compound" and an `attStmt`. Every item is checked before any is verified.
fn syntax(att_stmt: &Value) -> Result<Vec<(&str, &Value)>, Rejection> {
    let items = att_stmt
        .as_array()
        .ok_or_else(|| syntax_error(format!("a {}, not an array of sub-statements", att_stmt.kind())))?;
    if items.len() < 2 {
        return Err(syntax_error(format!(
            "{} sub-statement(s); the syntax requires at least 2",
            items.len()
        )));
    }
    if items.len() > MAX_SUB_STATEMENTS {
        return Err(syntax_error(format!(
            "{} sub-statements exceed this verifier's limit of {MAX_SUB_STATEMENTS}",
            items.len()
        )));
    }
    items.iter().enumerate().map(|(i, item)| sub_statement(i, item)).collect()
}

/// One `nonCompoundAttStmt`: `{ fmt: text .ne "compound", attStmt: ... }`.
fn sub_statement(i: usize, item: &Value) -> Result<(&str, &Value), Rejection> {
    let entries =
        item.as_map().ok_or_else(|| syntax_error(format!("attStmt[{i}] is a {}, not a map", item.kind())))?;
    let (mut fmt, mut stmt) = (None, None);
    for (k, v) in entries {
        match k.as_text() {
            Some("fmt") => fmt = Some(v),
            Some("attStmt") => stmt = Some(v),
            Some(other) => {
                return Err(syntax_error(format!("attStmt[{i}] has an unexpected member {other:?}")))
            }
            None => return Err(syntax_error(format!("attStmt[{i}] has a {} key, not text", k.kind()))),
        }
    }
    let fmt = fmt.ok_or_else(|| syntax_error(format!("attStmt[{i}] has no fmt")))?;
    let fmt = fmt
        .as_text()
        .ok_or_else(|| syntax_error(format!("attStmt[{i}].fmt is a {}, not text", fmt.kind())))?;
    let stmt = stmt.ok_or_else(|| syntax_error(format!("attStmt[{i}] has no attStmt")))?;
    if fmt == "compound" {
        return Err(Rejection::new(
            CheckId::RegAttestationCompoundNested,
            format!("compound attStmt[{i}] is itself \"compound\"; a sub-statement is a nonCompoundAttStmt"),
        ));
    }
    Ok((fmt, stmt))
}

/// Step 1 for one sub-statement: its format's verification procedure over the same authenticator data and
/// client data hash. A failure keeps the sub-format's check; the detail names the sub-statement.
fn step_1_verify_sub_statement(
    s: &Statement<'_>,
    i: usize,
    fmt: &str,
    att_stmt: &Value,
) -> Result<AttestationType, Rejection> {
    if !IMPLEMENTED_FORMATS.contains(&fmt) || fmt == "compound" {
        let why = if super::REGISTERED_FORMATS.contains(&fmt) {
            "is a registered format this verifier does not implement"
        } else {
            "is not a registered attestation statement format"
        };
        return Err(Rejection::new(
            CheckId::RegAttestationCompoundSubFormat,
            format!("compound attStmt[{i}].fmt {fmt:?} {why}, so that sub-statement cannot be verified"),
        ));
    }
    let sub = Statement { fmt, att_stmt, ..*s };
    super::verify_statement(&sub)
        .map_err(|r| Rejection::new(r.check, format!("compound attStmt[{i}] (fmt {fmt:?}): {}", r.detail)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(fmt: &str) -> Value {
        Value::Map(vec![(Value::from("fmt"), Value::from(fmt)), (Value::from("attStmt"), Value::Map(vec![]))])
    }

    fn check(v: &Value) -> Option<CheckId> {
        syntax(v).err().map(|r| r.check)
    }

    const SYNTAX: Option<CheckId> = Some(CheckId::RegAttestationCompoundSyntax);

    #[test]
    fn syntax_is_checked_item_by_item() {
        assert_eq!(check(&Value::Array(vec![sub("none"), sub("packed")])), None);
        assert_eq!(check(&Value::Map(vec![])), SYNTAX, "not an array");
        assert_eq!(check(&Value::Array(vec![])), SYNTAX, "empty");
        assert_eq!(check(&Value::Array(vec![sub("none")])), SYNTAX, "one");
        assert_eq!(check(&Value::Array(vec![sub("none"); MAX_SUB_STATEMENTS])), None);
        assert_eq!(check(&Value::Array(vec![sub("none"); MAX_SUB_STATEMENTS + 1])), SYNTAX, "too many");
        assert_eq!(check(&Value::Array(vec![sub("none"), Value::from("none")])), SYNTAX, "not a map");
        let no_fmt = Value::Map(vec![(Value::from("attStmt"), Value::Map(vec![]))]);
        assert_eq!(check(&Value::Array(vec![sub("none"), no_fmt])), SYNTAX);
        let no_stmt = Value::Map(vec![(Value::from("fmt"), Value::from("none"))]);
        assert_eq!(check(&Value::Array(vec![sub("none"), no_stmt])), SYNTAX);
        let int_fmt = Value::Map(vec![
            (Value::from("fmt"), Value::from(1i64)),
            (Value::from("attStmt"), Value::Map(vec![])),
        ]);
        assert_eq!(check(&Value::Array(vec![sub("none"), int_fmt])), SYNTAX);
        let Value::Map(mut extra) = sub("none") else { unreachable!() };
        extra.push((Value::from("x"), Value::from(0)));
        assert_eq!(check(&Value::Array(vec![sub("none"), Value::Map(extra)])), SYNTAX);
        assert_eq!(
            check(&Value::Array(vec![sub("none"), sub("compound")])),
            Some(CheckId::RegAttestationCompoundNested)
        );
    }
}
