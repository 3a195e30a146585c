//! A test FIDO Metadata Service (MDS3) BLOB for the harness's software authenticator, so an RP that takes its
//! trust anchors from metadata (§7.1 step 23: "the FIDO Metadata Service provides one way to obtain such
//! information, using the aaguid in the attestedCredentialData in authData") can be graded.
//!
//! The BLOB is a JWS (RFC 7515 compact serialization, ES256) signed by a metadata signer certified by the
//! harness's metadata root ([`metadata_root`]), a CA of its own, separate from the attestation root
//! ([`crate::pki::root`]). Its entries ([`entries`]): the software authenticator's model ([`HARNESS_AAGUID`],
//! which every ceremony the runner sends carries), the U2F attestation certificate (by key identifier), and three
//! models whose status reports an RP must refuse ([`REVOKED_AAGUID`], [`KEY_COMPROMISE_AAGUID`],
//! [`UV_BYPASS_AAGUID`]). Field names follow the FIDO Metadata Service v3.0 specification. Everything is
//! deterministic: fixed keys, RFC 6979 signatures, fixed dates.

use std::sync::OnceLock;

use serde_json::{json, Map, Value};
use sha1::{Digest, Sha1};
use signature::Signer;

use crate::pki::{self, CertSpec, Issued};

/// The software authenticator's model: the AAGUID of every credential the runner registers ("webauthn-harness"
/// in ASCII).
pub const HARNESS_AAGUID: [u8; 16] = *b"webauthn-harness";
/// A model whose latest status report is REVOKED.
pub const REVOKED_AAGUID: [u8; 16] = *b"harness:revoked!";
/// A model whose attestation key was reported compromised (ATTESTATION_KEY_COMPROMISE).
pub const KEY_COMPROMISE_AAGUID: [u8; 16] = *b"harness:key-comp";
/// A model reported to let user verification be bypassed (USER_VERIFICATION_BYPASS).
pub const UV_BYPASS_AAGUID: [u8; 16] = *b"harness:uvbypass";

/// The BLOB's serial number (`no`) and `nextUpdate`.
pub const BLOB_NO: u64 = 1;
pub const NEXT_UPDATE: &str = "2049-12-01";

/// The subject of the metadata root.
pub const METADATA_ROOT_NAME: &str = "CN=webauthn-harness metadata root,O=webauthn-harness,C=US";

/// The metadata root: a self-signed ES256 CA, the same in every run.
pub fn metadata_root() -> &'static Issued {
    static ROOT: OnceLock<Issued> = OnceLock::new();
    ROOT.get_or_init(|| pki::self_signed(&CertSpec::ca(METADATA_ROOT_NAME, 1), 0x3d5_0001))
}

/// The BLOB signer, certified by [`metadata_root`].
pub fn metadata_signer() -> &'static Issued {
    static SIGNER: OnceLock<Issued> = OnceLock::new();
    SIGNER.get_or_init(|| {
        let spec = CertSpec::end_entity("CN=webauthn-harness metadata signer,O=webauthn-harness,C=US", 2);
        pki::issue_by(&spec, 0x3d5_0002, metadata_root(), METADATA_ROOT_NAME)
    })
}

/// A UUID's 8-4-4-4-12 text.
pub fn uuid(a: &[u8; 16]) -> String {
    let h: String = a.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// An attestation certificate's key identifier as MDS3 lists it: hex SHA-1 of its subjectPublicKey bits.
pub fn key_identifier(cert_der: &[u8]) -> Option<String> {
    use der::Decode;
    let cert = x509_cert::Certificate::from_der(cert_der).ok()?;
    let bits = cert.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes();
    Some(Sha1::digest(bits).iter().map(|b| format!("{b:02x}")).collect())
}

fn std_b64(der: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(der)
}

/// A metadata statement for a FIDO2 model of the software authenticator (`aaguid`) or, with `None`, its U2F
/// attestation certificate.
pub fn statement(aaguid: Option<[u8; 16]>, description: &str) -> Value {
    let mut s = json!({
        "legalHeader": "Test metadata of the webauthn-harness software authenticator; not for production use.",
        "description": description,
        "authenticatorVersion": 1,
        "schema": 3,
        "upv": [{"major": 1, "minor": 0}],
        "authenticationAlgorithms": ["secp256r1_ecdsa_sha256_raw"],
        "publicKeyAlgAndEncodings": ["cose"],
        "userVerificationDetails": [[{"userVerificationMethod": "presence_internal"}]],
        "keyProtection": ["software"],
        "matcherProtection": ["software"],
        "tcDisplay": [],
        "attestationRootCertificates": [std_b64(&pki::root().der)],
    });
    let m = s.as_object_mut().expect("an object");
    match aaguid {
        Some(a) => {
            m.insert("aaguid".into(), json!(uuid(&a)));
            m.insert("protocolFamily".into(), json!("fido2"));
            m.insert("attestationTypes".into(), json!(["basic_full", "attca", "anonca"]));
        }
        None => {
            let id = key_identifier(&pki::u2f_leaf().der).unwrap_or_default();
            m.insert("attestationCertificateKeyIdentifiers".into(), json!([id]));
            m.insert("protocolFamily".into(), json!("u2f"));
            m.insert("attestationTypes".into(), json!(["basic_full"]));
        }
    }
    s
}

fn report(status: &str, date: &str) -> Value {
    json!({"status": status, "effectiveDate": date})
}

/// The BLOB's entries (MetadataBLOBPayloadEntry): the model every ceremony carries, the U2F certificate, and
/// the three models an RP must refuse by their status reports.
pub fn entries() -> Vec<Value> {
    let fido2 = |a: [u8; 16], description: &str, reports: Vec<Value>| {
        json!({
            "aaguid": uuid(&a),
            "metadataStatement": statement(Some(a), description),
            "statusReports": reports,
            "timeOfLastStatusChange": "2024-01-01",
        })
    };
    let certified = || vec![report("NOT_FIDO_CERTIFIED", "2024-01-01")];
    let u2f_id = key_identifier(&pki::u2f_leaf().der).unwrap_or_default();
    vec![
        fido2(HARNESS_AAGUID, "webauthn-harness software authenticator", certified()),
        json!({
            "attestationCertificateKeyIdentifiers": [u2f_id],
            "metadataStatement": statement(None, "webauthn-harness software U2F authenticator"),
            "statusReports": certified(),
            "timeOfLastStatusChange": "2024-01-01",
        }),
        fido2(
            REVOKED_AAGUID,
            "webauthn-harness revoked authenticator",
            vec![report("NOT_FIDO_CERTIFIED", "2024-01-01"), report("REVOKED", "2024-06-01")],
        ),
        fido2(
            KEY_COMPROMISE_AAGUID,
            "webauthn-harness authenticator with a compromised attestation key",
            vec![
                report("NOT_FIDO_CERTIFIED", "2024-01-01"),
                report("ATTESTATION_KEY_COMPROMISE", "2024-06-01"),
            ],
        ),
        fido2(
            UV_BYPASS_AAGUID,
            "webauthn-harness authenticator whose user verification can be bypassed",
            vec![
                report("NOT_FIDO_CERTIFIED", "2024-01-01"),
                report("USER_VERIFICATION_BYPASS", "2024-06-01"),
            ],
        ),
    ]
}

/// The BLOB payload (MetadataBLOBPayload) listing `entries`.
pub fn payload(no: u64, next_update: &str, entries: Vec<Value>) -> Value {
    json!({
        "legalHeader": "Test metadata of the webauthn-harness software authenticator; not for production use.",
        "no": no,
        "nextUpdate": next_update,
        "entries": entries,
    })
}

/// A BLOB: `payload` signed (ES256) by `signer`, whose chain (signer first) is `x5c`.
pub fn sign_blob(payload: &Value, signer: &Issued, x5c: &[Vec<u8>]) -> String {
    let mut header = Map::new();
    header.insert("alg".into(), json!("ES256"));
    header.insert("typ".into(), json!("JWT"));
    header.insert("x5c".into(), wire::jws::x5c_value(x5c));
    let body = serde_json::to_vec(payload).unwrap_or_default();
    wire::jws::build(&header, &body, |input| {
        let sig: p256::ecdsa::Signature = signer.key.sign(input);
        sig.to_bytes().to_vec()
    })
}

/// The harness's test BLOB: [`entries`], signed by [`metadata_signer`].
pub fn blob() -> String {
    let signer = metadata_signer();
    sign_blob(&payload(BLOB_NO, NEXT_UPDATE, entries()), signer, std::slice::from_ref(&signer.der))
}

/// A certificate as PEM.
pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = std_b64(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_blob_is_deterministic_and_well_formed() {
        let b = blob();
        assert_eq!(b, blob());
        let jws = wire::jws::parse_with(&b, wire::jws::Limits::METADATA).unwrap();
        assert_eq!(jws.header.alg, "ES256");
        assert_eq!(jws.header.x5c.as_deref(), Some(&[metadata_signer().der.clone()][..]));
        let p: Value = serde_json::from_slice(&jws.payload).unwrap();
        assert_eq!(p["entries"].as_array().map(Vec::len), Some(5));
        assert_eq!(p["entries"][0]["aaguid"], "77656261-7574-686e-2d68-61726e657373");
        assert_eq!(key_identifier(&pki::u2f_leaf().der).map(|k| k.len()), Some(40));
    }
}
