//! The `compound` attestation statement format (§8.9): several self-contained statements over the same
//! authenticator data and client data hash, as an array of `{fmt, attStmt}` (at least two, none itself
//! compound). The baseline is packed x5c + tpm ([`crate::ceremony::COMPOUND_PARTS`]); each case edits that
//! array. Registration only.

use wire::cbor::Value;

use super::mutate::flip_last_byte;
use super::{reg_post, Basis, Case, Ceremony, CheckId, Expect, Flag, Level, RegPost, Setup, REG_VALID};
use crate::ceremony::AttestationKind;

const COMPOUND: Setup = Setup { attestation: AttestationKind::Compound, ..Setup::DEFAULT };

const SYNTAX: Option<CheckId> = Some(CheckId::RegAttestationCompoundSyntax);

/// §8.9: what a failing sub-statement means is the RP's policy.
const SUB_STATEMENT_POLICY: Option<Basis> = Some(Basis::procedure(
    "§8.9 verification procedure",
    "For each subStmt of attStmt, evaluate the verification procedure corresponding to the attestation statement \
     format identifier subStmt.fmt with verification procedure inputs subStmt, authenticatorData and \
     clientDataHash. If validation fails for one or more subStmt, decide the appropriate result based on Relying \
     Party policy.",
));

/// A compound statement the RP must refuse.
const COMPOUND_REJECTED: Case = Case {
    spec: "§8.9, §7.1 step 22",
    flags: &[Flag::AttestationUnchecked],
    setup: COMPOUND,
    ..Case::must_reject(Ceremony::Registration)
};

/// The sub-statements of the signed compound statement.
fn edit_subs(p: &mut RegPost<'_>, f: impl FnOnce(&mut Vec<Value>)) {
    if let Value::Array(items) = &mut p.signed.attestation_object.att_stmt {
        f(items);
    }
}

/// Flips the last byte of `sig` in the attStmt of sub-statement `i`.
fn break_signature(items: &mut [Value], i: usize) {
    if let Some(Value::Map(sub)) = items.get_mut(i) {
        if let Some((_, Value::Map(stmt))) = sub.iter_mut().find(|(k, _)| k.as_text() == Some("attStmt")) {
            flip_last_byte(stmt, "sig");
        }
    }
}

fn sub(fmt: &str, att_stmt: Value) -> Value {
    Value::Map(vec![(Value::from("fmt"), Value::from(fmt)), (Value::from("attStmt"), att_stmt)])
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "reg.valid.es256.compound",
            ceremony: Ceremony::Registration,
            spec: "§7.1, §8.9",
            level: Level::Must,
            expect: Expect::Accept,
            title: "a valid registration with compound attestation: packed x5c and tpm over the same authenticator data",
            rationale: "each sub-statement verifies by its own format's procedure and chains to the configured root, so the RP must register the credential (an RP that refuses it does not support compound, and its compound cases are UNSUPPORTED)",
            flags: &[Flag::Baseline],
            basis: Some(Basis::procedure(
                "§8.9 verification procedure, §7.1 step 29",
                "If sufficiently many (as determined by Relying Party policy) items of attStmt verify successfully, \
                 return implementation-specific values representing any combination of outputs from successful \
                 verification procedures. If all the above steps are successful, store credentialRecord in the \
                 user account that was denoted in pkOptions.user and continue the registration ceremony as \
                 appropriate.",
            )),
            setup: COMPOUND,
            plan: REG_VALID,
            baseline: true,
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.compound.same-format-twice",
            level: Level::Policy,
            expect: Expect::Either,
            title: "compound attestation of two valid packed x5c sub-statements",
            rationale: "the syntax allows any two non-compound statements and the spec says nothing of repeated formats; both verify, so accepting is natural, and refusing is the RP's policy",
            flags: &[Flag::Baseline],
            check: None,
            basis: SUB_STATEMENT_POLICY,
            plan: reg_post(|p| {
                edit_subs(p, |items| {
                    if let Some(first) = items.first().cloned() {
                        *items = vec![first.clone(), first];
                    }
                })
            }),
            ..COMPOUND_REJECTED
        },
        Case {
            id: "reg.attestation.compound.one-invalid",
            level: Level::Policy,
            expect: Expect::Either,
            title: "compound attestation whose packed sub-statement's sig is corrupted (the tpm one is valid)",
            rationale: "whether one failing sub-statement fails the registration is the RP's policy; the reference requires every sub-statement to verify and rejects at the packed signature check",
            check: Some(CheckId::RegAttestationSignature),
            basis: SUB_STATEMENT_POLICY,
            plan: reg_post(|p| edit_subs(p, |items| break_signature(items, 0))),
            ..COMPOUND_REJECTED
        },
        Case {
            id: "reg.attestation.compound.all-invalid",
            title: "compound attestation whose packed and tpm sub-statements both have a corrupted sig",
            rationale: "no sub-statement verifies, so the statement conveys no valid attestation signature and there are not \"sufficiently many\" verified items under any policy",
            check: Some(CheckId::RegAttestationSignature),
            basis: Some(Basis::procedure(
                "§7.1 step 22, §8.9 verification procedure",
                "Verify that attStmt is a correct attestation statement, conveying a valid attestation signature, by \
                 using the attestation statement format fmt's verification procedure given attStmt, authData and \
                 hash. If sufficiently many (as determined by Relying Party policy) items of attStmt verify \
                 successfully, return implementation-specific values representing any combination of outputs from \
                 successful verification procedures.",
            )),
            plan: reg_post(|p| {
                edit_subs(p, |items| {
                    break_signature(items, 0);
                    break_signature(items, 1);
                })
            }),
            ..COMPOUND_REJECTED
        },
        Case {
            id: "reg.attestation.compound.one-sub-statement",
            title: "compound attestation with a single (valid packed) sub-statement",
            rationale: "the syntax is attStmt: [2* nonCompoundAttStmt]: at least two sub-statements",
            check: SYNTAX,
            plan: reg_post(|p| edit_subs(p, |items| items.truncate(1))),
            ..COMPOUND_REJECTED
        },
        Case {
            id: "reg.attestation.compound.nested",
            title: "compound attestation whose third sub-statement is itself a compound statement",
            rationale: "a sub-statement is a nonCompoundAttStmt, whose fmt is text .ne \"compound\"",
            check: Some(CheckId::RegAttestationCompoundNested),
            plan: reg_post(|p| {
                edit_subs(p, |items| {
                    let inner = Value::Array(items.clone());
                    items.push(sub("compound", inner));
                })
            }),
            ..COMPOUND_REJECTED
        },
        Case {
            id: "reg.attestation.compound.sub-format-unknown",
            level: Level::Policy,
            expect: Expect::Either,
            title: "compound attestation of the valid packed and tpm sub-statements plus one of fmt \"x-unknown\"",
            rationale: "no verification procedure corresponds to the unknown format, so that sub-statement fails; what that means is the RP's policy, and the reference rejects",
            check: Some(CheckId::RegAttestationCompoundSubFormat),
            basis: SUB_STATEMENT_POLICY,
            plan: reg_post(|p| edit_subs(p, |items| items.push(sub("x-unknown", Value::Map(vec![]))))),
            ..COMPOUND_REJECTED
        },
        Case {
            id: "reg.attestation.compound.not-an-array",
            title: "fmt \"compound\" whose attStmt is the packed sub-statement's map, not an array",
            rationale: "the compound attStmt is an array of sub-statements; a map is no compound statement",
            check: SYNTAX,
            plan: reg_post(|p| {
                let packed = match &p.signed.attestation_object.att_stmt {
                    Value::Array(items) => items.first().and_then(|s| s.get_text("attStmt")).cloned(),
                    _ => None,
                };
                if let Some(packed) = packed {
                    p.signed.attestation_object.att_stmt = packed;
                }
            }),
            ..COMPOUND_REJECTED
        },
    ]
}
