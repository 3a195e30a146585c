//! The `compound` fuzz target: a compound attestation statement (WebAuthn §8.9) through the whole registration
//! verification. The input is the CBOR of an attStmt; it replaces the statement of a fixed, valid compound
//! registration (packed x5c + tpm, ES256, under the harness root the policy trusts), which is then verified
//! with `fmt` "compound".
//!
//! Invariants: verification never panics; a rejection names a registration check; an accepted statement is
//! an array of 2 to [`verifier::attestation::MAX_SUB_STATEMENTS`] maps of exactly `fmt` (text, an implemented
//! format other than "compound") and `attStmt`, and the outcome is a compound attestation with one result
//! per sub-statement, in order.

use std::sync::OnceLock;

use generator::ceremony::{AttestationKind, Generator, RegistrationDraft, Rp, SignedRegistration};
use generator::keys::Algorithm;
use verifier::attestation::{AttestationType, IMPLEMENTED_FORMATS, MAX_SUB_STATEMENTS};
use verifier::{Policy, RegistrationExpectations};
use wire::cbor::{Limits, Value};

use crate::ceremony::{NOW, ORIGIN, RP_ID};

struct Baseline {
    signed: SignedRegistration,
    expectations: RegistrationExpectations,
    policy: Policy,
}

fn baseline() -> &'static Baseline {
    static BASELINE: OnceLock<Baseline> = OnceLock::new();
    BASELINE.get_or_init(|| {
        let mut g = Generator::new(0xc0_4d);
        let cred = g.credential(Algorithm::Es256, 16);
        let challenge = g.challenge();
        let signed = RegistrationDraft::new(&Rp::new(RP_ID, ORIGIN), &cred, &challenge, 0)
            .sign(&cred, AttestationKind::Compound);
        let expectations = RegistrationExpectations {
            challenge,
            pub_key_cred_params: vec![Algorithm::Es256.cose()],
            user_verification_required: false,
            conditional_mediation: false,
        };
        let mut policy = Policy::new(RP_ID, ORIGIN);
        policy.attestation.trust_anchors = vec![generator::pki::root().der.clone()];
        Baseline { signed, expectations, policy }
    })
}

/// The baseline's compound attStmt (a seed).
pub fn baseline_att_stmt() -> Value {
    baseline().signed.attestation_object.att_stmt.clone()
}

/// Is `v` the shape an accepted compound statement must have?
fn well_formed(v: &Value) -> Option<usize> {
    let items = v.as_array()?;
    if !(2..=MAX_SUB_STATEMENTS).contains(&items.len()) {
        return None;
    }
    for item in items {
        let entries = item.as_map()?;
        let fmt = item.get_text("fmt")?.as_text()?;
        item.get_text("attStmt")?;
        if entries.len() != 2 || fmt == "compound" || !IMPLEMENTED_FORMATS.contains(&fmt) {
            return None;
        }
    }
    Some(items.len())
}

pub fn compound(data: &[u8]) {
    let Ok(decoded) = wire::cbor::decode(data, &Limits::WEBAUTHN) else { return };
    let b = baseline();
    let mut signed = b.signed.clone();
    signed.attestation_object.att_stmt = decoded.value;
    let Ok(response) = verifier::RegistrationResponse::from_json_bytes(
        &serde_json::to_vec(&signed.to_json()).unwrap_or_default(),
    ) else {
        return;
    };
    let result =
        verifier::verify_registration(&response, &b.expectations, &b.policy, &verifier::EmptyStore, NOW);
    match result {
        Err(r) => assert_eq!(r.check.ceremony(), spec::Ceremony::Registration, "{r}"),
        Ok(out) => {
            let n = well_formed(&signed.attestation_object.att_stmt)
                .unwrap_or_else(|| panic!("accepted a malformed compound statement"));
            match out.attestation {
                AttestationType::Compound(subs) => assert_eq!(subs.len(), n, "one result per sub-statement"),
                other => panic!("a compound statement established {other:?}"),
            }
        }
    }
}

/// Seeds: the valid statement, and one of each malformation the catalogue sends (one sub-statement, a nested
/// compound, an unknown sub-format, a map instead of an array, a corrupted packed signature).
pub(crate) fn seeds() -> Vec<(String, Vec<u8>)> {
    let valid = baseline_att_stmt();
    let items = valid.as_array().map(<[Value]>::to_vec).unwrap_or_default();
    let sub = |fmt: &str, stmt: Value| {
        Value::Map(vec![(Value::from("fmt"), Value::from(fmt)), (Value::from("attStmt"), stmt)])
    };
    let mut out = vec![("valid".to_owned(), valid.clone())];
    out.push(("one-sub-statement".to_owned(), Value::Array(items.iter().take(1).cloned().collect())));
    let mut nested = items.clone();
    nested.push(sub("compound", valid.clone()));
    out.push(("nested".to_owned(), Value::Array(nested)));
    let mut unknown = items.clone();
    unknown.push(sub("x-unknown", Value::Map(vec![])));
    out.push(("sub-format-unknown".to_owned(), Value::Array(unknown)));
    if let Some(packed) = items.first().and_then(|s| s.get_text("attStmt")) {
        out.push(("not-an-array".to_owned(), packed.clone()));
        out.push(("same-format-twice".to_owned(), Value::Array(vec![items[0].clone(), items[0].clone()])));
    }
    let mut corrupted = items;
    if let Some(Value::Map(first)) = corrupted.first_mut() {
        if let Some((_, Value::Map(stmt))) = first.iter_mut().find(|(k, _)| k.as_text() == Some("attStmt")) {
            if let Some((_, Value::Bytes(sig))) = stmt.iter_mut().find(|(k, _)| k.as_text() == Some("sig")) {
                if let Some(last) = sig.last_mut() {
                    *last ^= 1;
                }
            }
        }
    }
    out.push(("packed-sig-corrupted".to_owned(), Value::Array(corrupted)));
    out.into_iter().map(|(name, v)| (format!("{name}.bin"), wire::cbor::encode(&v))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The valid seed is accepted (so the fuzz target reaches its accepted branch) and every other seed is
    /// rejected at the check its malformation names.
    #[test]
    fn seeds_have_the_expected_verdicts() {
        use verifier::CheckId::*;
        let b = baseline();
        for (name, bytes) in seeds() {
            let mut signed = b.signed.clone();
            signed.attestation_object.att_stmt =
                wire::cbor::decode(&bytes, &Limits::WEBAUTHN).expect("CBOR").value;
            let response = verifier::RegistrationResponse::from_json_bytes(
                &serde_json::to_vec(&signed.to_json()).expect("JSON"),
            )
            .expect("response");
            let got = verifier::verify_registration(
                &response,
                &b.expectations,
                &b.policy,
                &verifier::EmptyStore,
                NOW,
            )
            .err()
            .map(|r| r.check);
            let want = match name.as_str() {
                "valid.bin" | "same-format-twice.bin" => None,
                "one-sub-statement.bin" | "not-an-array.bin" => Some(RegAttestationCompoundSyntax),
                "nested.bin" => Some(RegAttestationCompoundNested),
                "sub-format-unknown.bin" => Some(RegAttestationCompoundSubFormat),
                "packed-sig-corrupted.bin" => Some(RegAttestationSignature),
                other => panic!("unexpected seed {other}"),
            };
            assert_eq!(got, want, "{name}");
            compound(&bytes);
        }
    }
}
