//! Certificate paths through intermediate CAs, for §7.1 step 24 ("verify that the attestation public key
//! either correctly chains up to an acceptable root certificate"): a fixed intermediate CA under the harness
//! attestation root ([`crate::pki::root`]), a second-level CA under it, and re-issuing any certificate the
//! harness makes under another issuer (so a packed, android-key or apple leaf can sit below the intermediate
//! with x5c = [leaf, intermediate]). Deterministic like [`crate::pki`]: fixed key seeds, RFC 6979 nonces.

use std::sync::OnceLock;

use der::asn1::{BitString, OctetString};
use der::{Decode, Encode};
use p256::ecdsa::DerSignature;
use signature::Signer;
use x509_cert::certificate::{Certificate, TbsCertificate};
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::ext::Extension;
use x509_cert::name::Name;

use crate::pki::{self, CertSpec, Issued};

/// The subject of the harness attestation root ([`pki::root`]).
pub const ROOT_NAME: &str = pki::ROOT_NAME;
/// The subject of the intermediate CA ([`intermediate`]).
pub const INTERMEDIATE_NAME: &str = "CN=webauthn-harness attestation intermediate,O=webauthn-harness,C=US";
/// The subject of the second-level CA ([`sub_intermediate`]).
pub const SUB_INTERMEDIATE_NAME: &str =
    "CN=webauthn-harness attestation sub-intermediate,O=webauthn-harness,C=US";

/// Key seeds.
pub const INTERMEDIATE_KEY: u64 = 0x1a7e_c0de_0001;
pub const SUB_INTERMEDIATE_KEY: u64 = 0x1a7e_c0de_0002;
/// The key of the packed leaves issued under the intermediate.
pub const LEAF_KEY: u64 = 0x1a7e_c0de_0003;

/// `id-ce-basicConstraints`.
const BASIC_CONSTRAINTS: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.5.29.19");

/// What the intermediate CA is: cA true, no pathLenConstraint, the default validity.
pub fn intermediate_spec() -> CertSpec {
    CertSpec::ca(INTERMEDIATE_NAME, 0x10)
}

/// The intermediate CA, issued by the attestation root (the same in every run).
pub fn intermediate() -> &'static Issued {
    static CA: OnceLock<Issued> = OnceLock::new();
    CA.get_or_init(|| pki::issue(&intermediate_spec(), INTERMEDIATE_KEY))
}

/// The intermediate's key certified by the root for `spec` (a variant: expired, not a CA, ...).
pub fn intermediate_with(f: impl FnOnce(&mut CertSpec)) -> Issued {
    let mut spec = intermediate_spec();
    f(&mut spec);
    pki::issue(&spec, INTERMEDIATE_KEY)
}

/// A second-level CA issued by [`intermediate`].
pub fn sub_intermediate() -> Issued {
    let spec = CertSpec { subject: SUB_INTERMEDIATE_NAME.into(), serial: 0x11, ..intermediate_spec() };
    pki::issue_by(&spec, SUB_INTERMEDIATE_KEY, intermediate(), INTERMEDIATE_NAME)
}

/// A packed attestation leaf (§8.2.1) for `aaguid` issued by `ca`, whose subject is `ca_name`.
pub fn packed_leaf_under(aaguid: [u8; 16], ca: &Issued, ca_name: &str) -> Issued {
    pki::issue_by(&CertSpec::packed_leaf(aaguid), LEAF_KEY, ca, ca_name)
}

/// `der` (a certificate the harness made) issued again by `issuer` (subject `issuer_name`) after `edit`
/// changed its tbsCertificate: the subject key and extensions stay. Only the harness's own certificates and
/// names reach the `expect`s.
pub fn reissue(
    der: &[u8],
    issuer: &Issued,
    issuer_name: &str,
    edit: impl FnOnce(&mut TbsCertificate),
) -> Vec<u8> {
    use std::str::FromStr;
    let cert = Certificate::from_der(der).expect("a certificate the harness made");
    let mut tbs = cert.tbs_certificate;
    tbs.issuer = Name::from_str(issuer_name).expect("issuer name");
    edit(&mut tbs);
    let tbs_der = tbs.to_der().expect("TBS DER");
    let sig: DerSignature = issuer.key.sign(&tbs_der);
    Certificate {
        tbs_certificate: tbs,
        signature_algorithm: cert.signature_algorithm,
        signature: BitString::from_bytes(sig.as_bytes()).expect("bit string"),
    }
    .to_der()
    .expect("certificate DER")
}

/// Sets a CA certificate's basic constraints to cA true with `path_len`.
pub fn set_path_len(tbs: &mut TbsCertificate, path_len: Option<u8>) {
    let value = BasicConstraints { ca: true, path_len_constraint: path_len }.to_der().expect("DER");
    let ext = Extension {
        extn_id: BASIC_CONSTRAINTS,
        critical: true,
        extn_value: OctetString::new(value).expect("octets"),
    };
    let exts = tbs.extensions.get_or_insert_with(Vec::new);
    exts.retain(|e| e.extn_id != BASIC_CONSTRAINTS);
    exts.insert(0, ext);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_is_deterministic_and_names_match() {
        let leaf = packed_leaf_under([3; 16], intermediate(), INTERMEDIATE_NAME);
        assert_eq!(leaf.der, packed_leaf_under([3; 16], intermediate(), INTERMEDIATE_NAME).der);
        let parse = |der: &[u8]| Certificate::from_der(der).expect("parses").tbs_certificate;
        let (root, mid, sub) =
            (parse(&pki::root().der), parse(&intermediate().der), parse(&sub_intermediate().der));
        assert_eq!(mid.issuer, root.subject);
        assert_eq!(sub.issuer, mid.subject);
        assert_eq!(parse(&leaf.der).issuer, mid.subject);
        let again = reissue(&intermediate().der, pki::root(), ROOT_NAME, |_| {});
        assert_eq!(parse(&again), mid, "re-issuing unchanged keeps the tbsCertificate");
    }
}
