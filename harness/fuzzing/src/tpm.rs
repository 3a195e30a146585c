//! The `tpm` fuzz target: the TPM 2.0 structures of the tpm attestation format (WebAuthn §8.3), parsed by
//! [`wire::tpm`]. The first input byte chooses the structure (even: TPMS_ATTEST `certInfo`, odd: TPMT_PUBLIC
//! `pubArea`); the rest is the structure's bytes.
//!
//! Invariants: parsing never panics and reads no more than the input; a parse that succeeds is exact, so
//! `to_bytes` reproduces the input byte for byte (both parsers reject trailing bytes and every field has one
//! encoding) and parses back to the same value.

use wire::tpm::{Attest, Public};

pub fn tpm(data: &[u8]) {
    let Some((&selector, bytes)) = data.split_first() else { return };
    if selector % 2 == 0 {
        if let Ok(parsed) = Attest::parse(bytes) {
            let again = parsed.to_bytes();
            assert_eq!(again, bytes, "TPMS_ATTEST does not rebuild to its input");
            assert_eq!(Attest::parse(&again).as_ref(), Ok(&parsed));
        }
    } else if let Ok(parsed) = Public::parse(bytes) {
        let again = parsed.to_bytes();
        assert_eq!(again, bytes, "TPMT_PUBLIC does not rebuild to its input");
        assert_eq!(Public::parse(&again).as_ref(), Ok(&parsed));
    }
}

/// Seeds: certInfo (selector 0) and pubArea (selector 1) of the W3C §16 tpm example and of the generator's
/// tpm statements (ES256 and RS256 credentials; SHA-1 and SHA-256 Names).
pub(crate) fn seeds(vectors_json: &str) -> Vec<(String, Vec<u8>)> {
    use generator::ceremony::{Generator, RegistrationDraft, Rp};
    use generator::keys::Algorithm;
    use wire::cbor::{Limits, Value};

    let mut out = Vec::new();
    let mut push = |name: &str, stmt: &Value| {
        for (member, selector) in [("certInfo", 0u8), ("pubArea", 1u8)] {
            if let Some(b) = stmt.get_text(member).and_then(Value::as_bytes) {
                let mut seed = vec![selector];
                seed.extend_from_slice(b);
                out.push((format!("{name}-{member}.bin"), seed));
            }
        }
    };
    let json: serde_json::Value = serde_json::from_str(vectors_json).expect("the §16 vectors are JSON");
    let w3c = json["examples"]
        .as_array()
        .and_then(|e| e.iter().find(|e| e["anchor"] == "sctn-test-vectors-tpm-es256"))
        .and_then(|e| e["registration"]["attestationObject"].as_str())
        .and_then(|h| hex::decode(h).ok())
        .and_then(|b| wire::cbor::decode(&b, &Limits::WEBAUTHN).ok())
        .expect("the §16 tpm example");
    push("w3c-tpm-es256", w3c.value.get_text("attStmt").expect("attStmt"));
    let rp = Rp::new("example.org", "https://example.org");
    for alg in [Algorithm::Es256, Algorithm::Rs256] {
        let mut g = Generator::new(0x7e57);
        let cred = g.credential(alg, 16);
        let challenge = g.challenge();
        let signed = RegistrationDraft::new(&rp, &cred, &challenge, 0)
            .sign(&cred, generator::ceremony::AttestationKind::Tpm);
        push(&format!("gen-{}", alg.slug()), &signed.attestation_object.att_stmt);
        let draft = generator::tpm::TpmDraft::new(
            &cred.key.cose_key(),
            b"attToBeSigned",
            wire::cose::alg::RS1,
            wire::tpm::alg::SHA1,
        );
        let aik = generator::tpm::default_aik(true);
        push(&format!("gen-{}-rs1-sha1", alg.slug()), &draft.sign(&aik.key, vec![aik.der]));
    }
    out
}
