//! A packed attestation certificate whose subject key is on P-521 (the attestation signs with ES512, alg
//! -36), issued under the harness's attestation root ([`crate::pki::root`], a P-256 CA signing with
//! ecdsa-with-SHA256), so a case can present a packed x5c statement with a P-521 attestation key. The key is
//! drawn from a fixed seed; the root signs with RFC 6979 nonces: everything is deterministic.

use der::Encode;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use wire::cbor::Value;

use crate::device_pki;
use crate::keys::{Algorithm, KeyPair};
use crate::pki::AAGUID_OID;

/// The subject of the P-521 packed attestation certificate: it meets §8.2.1 (C, O, OU "Authenticator
/// Attestation", CN).
pub const SUBJECT: &str =
    "CN=webauthn-harness packed attestation P-521,OU=Authenticator Attestation,O=webauthn-harness,C=US";

/// The certificate's serial number.
pub const SERIAL: u64 = 0x0521;

/// Seed of the P-521 attestation key.
const KEY_SEED: u64 = 0x0521_a77e_57ed;

/// A P-521 attestation key and its certificate (DER).
pub struct Leaf {
    pub key: KeyPair,
    pub der: Vec<u8>,
}

impl std::fmt::Debug for Leaf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "p521_pki::Leaf({} bytes)", self.der.len())
    }
}

/// The P-521 attestation key (the same in every run).
pub fn key() -> KeyPair {
    KeyPair::generate(Algorithm::Es512, &mut ChaCha20Rng::seed_from_u64(KEY_SEED))
}

/// A packed attestation certificate (§8.2.1: v3, the subject above, cA false, id-fido-gen-ce-aaguid
/// `aaguid`, not critical) for the P-521 key [`key`], issued by the harness's attestation root.
pub fn packed_leaf(aaguid: [u8; 16]) -> Leaf {
    let key = key();
    let aaguid_ext = der::asn1::OctetString::new(aaguid.to_vec())
        .and_then(|o| o.to_der())
        .expect("an OCTET STRING of 16 bytes encodes");
    let der = device_pki::issue_for_key(
        SUBJECT,
        SERIAL,
        device_pki::spki_of(&key.cose_key()),
        &[(AAGUID_OID, false, aaguid_ext)],
    );
    Leaf { key, der }
}

/// A packed x5c statement: `alg`, `sig` by the leaf's P-521 key over `message` (authenticatorData ||
/// clientDataHash; ES512, DER), `x5c` = the leaf alone.
pub fn packed_statement(leaf: &Leaf, alg: i64, message: &[u8]) -> Value {
    Value::Map(vec![
        (Value::from("alg"), Value::from(alg)),
        (Value::from("sig"), Value::Bytes(leaf.key.sign(message))),
        (Value::from("x5c"), Value::Array(vec![Value::Bytes(leaf.der.clone())])),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::asn1::ObjectIdentifier;
    use der::Decode;
    use x509_cert::Certificate;

    #[test]
    fn the_leaf_holds_the_p521_key_under_the_root() {
        let leaf = packed_leaf([7; 16]);
        assert_eq!(leaf.der, packed_leaf([7; 16]).der, "deterministic");
        let cert = Certificate::from_der(&leaf.der).expect("parses");
        let spki = &cert.tbs_certificate.subject_public_key_info;
        assert_eq!(*spki, device_pki::spki_of(&leaf.key.cose_key()));
        let curve: ObjectIdentifier =
            spki.algorithm.parameters.as_ref().expect("curve").decode_as().expect("named curve");
        assert_eq!(curve.to_string(), "1.3.132.0.35", "secp521r1");
        // 0x04 || x || y, 66 bytes each.
        assert_eq!(spki.subject_public_key.raw_bytes().len(), 133);
        let root = Certificate::from_der(&crate::pki::root().der).expect("root");
        assert_eq!(cert.tbs_certificate.issuer, root.tbs_certificate.subject);
        assert_eq!(cert.tbs_certificate.subject.to_string(), SUBJECT);
        let exts = cert.tbs_certificate.extensions.expect("extensions");
        let aaguid = exts.iter().find(|e| e.extn_id == AAGUID_OID).expect("aaguid");
        assert!(!aaguid.critical);
        assert_eq!(aaguid.extn_value.as_bytes(), [&[0x04, 16][..], &[7; 16]].concat());
    }
}
