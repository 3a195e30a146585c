//! The `apple` (§8.8) and `android-key` (§8.4) attestation statement formats: a valid registration of each
//! (a baseline: an RP that refuses it does not support the format, and the format's other cases are
//! UNSUPPORTED there), and one case per step of each verification procedure.
//!
//! Both formats certify the credential key itself, under the harness's attestation root
//! ([`crate::device_pki`]): the cases rebuild that certificate after signing with exactly one thing changed, so
//! each breaks one step. The RP must trust the harness's root for the valid ones (the embedded RP does).

use sha2::{Digest, Sha256};
use wire::cbor::Value;
use wire::cose::CoseKey;

use super::mutate::{attestation_message, edit_att_stmt, flip_last_byte, other_key, remove_text, set_text};
use super::{
    reg_post, Basis, Case, Ceremony, CheckId, Expect, Flag, Level, Reference, RegPost, Setup, REG_VALID,
};
use crate::ceremony::AttestationKind;
use crate::device_pki::{
    self, AuthorizationList, KeyDescription, KM_ORIGIN_GENERATED, KM_ORIGIN_IMPORTED, KM_PURPOSE_ENCRYPT,
    KM_PURPOSE_SIGN,
};
use crate::keys::Algorithm;

const APPLE: Setup = Setup { attestation: AttestationKind::Apple, ..Setup::DEFAULT };
const ANDROID: Setup = Setup { attestation: AttestationKind::AndroidKey, ..Setup::DEFAULT };

const STATEMENT: Option<CheckId> = Some(CheckId::RegAttestationStatementMalformed);
const SIGNATURE: Option<CheckId> = Some(CheckId::RegAttestationSignature);
const APPLE_NONCE: Option<CheckId> = Some(CheckId::RegAttestationAppleNonce);
const APPLE_KEY: Option<CheckId> = Some(CheckId::RegAttestationAppleKeyMismatch);
const ANDROID_KEY: Option<CheckId> = Some(CheckId::RegAttestationAndroidKeyMismatch);
const ANDROID_CHALLENGE: Option<CheckId> = Some(CheckId::RegAttestationAndroidKeyChallenge);
const ANDROID_ALL_APPLICATIONS: Option<CheckId> = Some(CheckId::RegAttestationAndroidKeyAllApplications);
const ANDROID_ORIGIN: Option<CheckId> = Some(CheckId::RegAttestationAndroidKeyOrigin);
const ANDROID_PURPOSE: Option<CheckId> = Some(CheckId::RegAttestationAndroidKeyPurpose);

/// Key seed of the other key the key-mismatch cases certify.
const OTHER_KEY: u64 = 0x0a11_0ca7;

/// Every step of §7.1 holds, so the RP registers the credential.
const REGISTERED: Basis = Basis::procedure(
    "§7.1 step 29",
    "If all the above steps are successful, store credentialRecord in the user account that was denoted in \
     pkOptions.user and continue the registration ceremony as appropriate.",
);

/// §8.8 step 1 and §8.4 step 1: the statement's syntax.
const SYNTAX: Option<Basis> = Some(Basis::procedure(
    "§8.4, §8.8 verification procedure",
    "Verify that attStmt is valid CBOR conforming to the syntax defined above and perform CBOR decoding on it to \
     extract the contained fields.",
));

/// §8.4 step 2: the signature by the first certificate's key.
const ANDROID_SIG: Option<Basis> = Some(Basis::procedure(
    "§8.4 verification procedure",
    "Verify that sig is a valid signature over the concatenation of authenticatorData and clientDataHash using \
     the public key in the first certificate in x5c with the algorithm specified in alg.",
));

/// A valid registration of a format the harness signs under its own root.
const VALID: Case = Case {
    ceremony: Ceremony::Registration,
    level: Level::Must,
    expect: Expect::Accept,
    flags: &[Flag::Baseline],
    basis: Some(REGISTERED),
    plan: REG_VALID,
    baseline: true,
    ..Case::DEFAULTS
};

/// An apple statement the RP must refuse.
const APPLE_REJECTED: Case = Case {
    spec: "§8.8, §7.1 step 22",
    flags: &[Flag::AttestationUnchecked],
    setup: APPLE,
    ..Case::must_reject(Ceremony::Registration)
};

/// An android-key statement the RP must refuse.
const ANDROID_REJECTED: Case = Case {
    spec: "§8.4, §7.1 step 22",
    flags: &[Flag::AttestationUnchecked],
    setup: ANDROID,
    ..Case::must_reject(Ceremony::Registration)
};

// ---- rebuilding the statement after signing ----

/// The credential public key of the signed registration.
fn credential_key(p: &RegPost<'_>) -> Option<CoseKey> {
    let auth_data = wire::authdata::AuthenticatorData::parse(&p.signed.attestation_object.auth_data).ok()?;
    let attested = auth_data.data.attested_credential_data?;
    Some(CoseKey::parse(&attested.credential_public_key).ok()?.key)
}

fn client_data_hash(p: &RegPost<'_>) -> [u8; 32] {
    Sha256::digest(&p.signed.client_data_json).into()
}

/// An apple statement whose credCert certifies `key` (the credential's when `None`) with this nonce
/// extension value (none when `None`).
fn apple(p: &mut RegPost<'_>, key: Option<CoseKey>, extension: Option<Vec<u8>>) {
    let Some(key) = key.or_else(|| credential_key(p)) else { return };
    let cert = device_pki::apple_cred_cert(&key, extension);
    p.signed.attestation_object.att_stmt =
        Value::Map(vec![(Value::from("x5c"), Value::Array(vec![Value::Bytes(cert)]))]);
}

/// The nonce the signed registration needs.
fn apple_nonce(p: &RegPost<'_>) -> [u8; 32] {
    device_pki::apple_nonce(&p.signed.attestation_object.auth_data, &client_data_hash(p))
}

/// Replaces the android-key statement's certificate with one for the credential key carrying `kd` (none when
/// `None`). The signature by the credential key stays valid.
fn android_cert(p: &mut RegPost<'_>, kd: Option<KeyDescription>) {
    let Some(key) = credential_key(p) else { return };
    let cert = device_pki::android_key_cert(&key, kd.map(|k| k.to_der()));
    edit_att_stmt(p, |m| set_text(m, "x5c", Value::Array(vec![Value::Bytes(cert)])));
}

/// The valid KeyDescription of the signed registration, changed by `f`.
fn android_kd(p: &mut RegPost<'_>, f: impl FnOnce(&mut KeyDescription)) {
    let mut kd = KeyDescription::valid(&client_data_hash(p));
    f(&mut kd);
    android_cert(p, Some(kd));
}

pub(super) fn cases() -> Vec<Case> {
    let mut v = apple_cases();
    v.extend(android_key_cases());
    v
}

fn apple_cases() -> Vec<Case> {
    vec![
        Case {
            id: "reg.valid.apple",
            spec: "§7.1, §8.8",
            title: "a valid registration with apple anonymous attestation (ES256 credCert under the harness root)",
            rationale: "the credCert's nonce is SHA-256(authenticatorData || clientDataHash) and its key is the \
                        credential key (§8.8), and it chains to a trusted root, so the RP must register it",
            setup: APPLE,
            ..VALID
        },
        Case {
            id: "reg.valid.apple.rs256",
            spec: "§7.1, §8.8",
            title: "a valid registration with apple anonymous attestation of an RS256 credential",
            rationale: "§8.8 certifies whatever the credential public key is; with an RSA key the nonce and key \
                        steps hold as with EC2, so the RP must register it",
            setup: Setup { alg: Algorithm::Rs256, ..APPLE },
            baseline: false,
            ..VALID
        },
        Case {
            id: "reg.attestation.apple.nonce-mismatch",
            title: "apple attestation whose credCert nonce is SHA-256 of authenticatorData and another clientDataHash",
            rationale: "the nonce binds the credCert to this ceremony's authenticator data and client data; one \
                        made for other client data proves nothing about this one",
            check: APPLE_NONCE,
            plan: reg_post(|p| {
                let other = Sha256::digest(b"other client data");
                let nonce = device_pki::apple_nonce(&p.signed.attestation_object.auth_data, &other);
                apple(p, None, Some(device_pki::apple_nonce_extension(&nonce)))
            }),
            ..APPLE_REJECTED
        },
        Case {
            id: "reg.attestation.apple.nonce-is-client-data-hash",
            title: "apple attestation whose credCert nonce is clientDataHash itself, not SHA-256(authenticatorData || clientDataHash)",
            rationale: "the nonce covers the authenticator data too; comparing it with clientDataHash alone leaves \
                        the authenticator data unprotected",
            check: APPLE_NONCE,
            plan: reg_post(|p| {
                let hash = client_data_hash(p);
                apple(p, None, Some(device_pki::apple_nonce_extension(&hash)))
            }),
            ..APPLE_REJECTED
        },
        Case {
            id: "reg.attestation.apple.nonce-missing",
            title: "apple attestation whose credCert has no extension 1.2.840.113635.100.8.2",
            rationale: "without the nonce extension nothing ties the credCert to this ceremony",
            check: APPLE_NONCE,
            plan: reg_post(|p| apple(p, None, None)),
            ..APPLE_REJECTED
        },
        Case {
            id: "reg.attestation.apple.nonce-truncated",
            title: "apple attestation whose nonce extension holds the right nonce less its last byte (31 bytes)",
            rationale: "the extension's value must equal the 32-byte nonce; a prefix of it is not equal",
            check: APPLE_NONCE,
            plan: reg_post(|p| {
                let nonce = apple_nonce(p);
                apple(p, None, Some(device_pki::apple_nonce_extension(&nonce[..31])))
            }),
            ..APPLE_REJECTED
        },
        Case {
            id: "reg.attestation.apple.nonce-malformed",
            title: "apple attestation whose nonce extension value is cut off after its first 10 bytes (not DER)",
            rationale: "an extension value that does not decode holds no nonce to compare; the RP must not treat a \
                        parse failure as a pass",
            check: APPLE_NONCE,
            plan: reg_post(|p| {
                let nonce = apple_nonce(p);
                let mut ext = device_pki::apple_nonce_extension(&nonce);
                ext.truncate(10);
                apple(p, None, Some(ext))
            }),
            ..APPLE_REJECTED
        },
        Case {
            id: "reg.attestation.apple.key-mismatch",
            title: "apple attestation whose credCert (with the right nonce) certifies another ES256 key than the credential's",
            rationale: "the credCert attests the key it certifies; when that is not the credential public key, the \
                        credential is not attested",
            check: APPLE_KEY,
            plan: reg_post(|p| {
                let nonce = apple_nonce(p);
                let other = other_key(Algorithm::Es256, OTHER_KEY).cose_key();
                apple(p, Some(other), Some(device_pki::apple_nonce_extension(&nonce)))
            }),
            ..APPLE_REJECTED
        },
        Case {
            id: "reg.attestation.apple.x5c-missing",
            title: "fmt \"apple\" whose attStmt has no x5c (an empty map)",
            rationale: "x5c is the only member of an apple statement and carries the credCert; without it there \
                        is nothing to verify",
            check: STATEMENT,
            basis: SYNTAX,
            plan: reg_post(|p| edit_att_stmt(p, |m| remove_text(m, "x5c"))),
            ..APPLE_REJECTED
        },
        Case {
            id: "reg.attestation.apple.x5c-empty",
            title: "apple attestation whose x5c is an empty array",
            rationale: "x5c holds at least the credCert",
            check: STATEMENT,
            basis: SYNTAX,
            plan: reg_post(|p| edit_att_stmt(p, |m| set_text(m, "x5c", Value::Array(vec![])))),
            ..APPLE_REJECTED
        },
    ]
}

fn android_key_cases() -> Vec<Case> {
    vec![
        Case {
            id: "reg.valid.android-key",
            spec: "§7.1, §8.4",
            title: "a valid registration with android-key attestation (ES256 key generated in the TEE, for signing)",
            rationale: "sig verifies with the certified credential key, attestationChallenge is clientDataHash, \
                        origin and purpose are as §8.4 requires and the certificate chains to a trusted root, so \
                        the RP must register it",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-A P-1"),
            setup: ANDROID,
            ..VALID
        },
        Case {
            id: "reg.valid.android-key.rs256",
            spec: "§7.1, §8.4",
            title: "a valid registration with android-key attestation of an RS256 credential",
            rationale: "§8.4 certifies whatever the credential public key is and alg is the credential's; with an \
                        RSA key every step holds as with EC2, so the RP must register it",
            setup: Setup { alg: Algorithm::Rs256, ..ANDROID },
            baseline: false,
            ..VALID
        },
        Case {
            id: "reg.attestation.android-key.challenge-mismatch",
            title: "android-key attestation whose KeyDescription attestationChallenge is the hash of other client data",
            rationale: "the attestation challenge binds the key attestation to this ceremony's client data",
            check: ANDROID_CHALLENGE,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-A F-1"),
            plan: reg_post(|p| {
                android_kd(p, |kd| kd.attestation_challenge = Sha256::digest(b"other client data").to_vec())
            }),
            ..ANDROID_REJECTED
        },
        Case {
            id: "reg.attestation.android-key.extension-missing",
            title: "android-key attestation whose certificate has no key attestation extension (1.3.6.1.4.1.11129.2.1.17)",
            rationale: "without the KeyDescription there is no attestationChallenge to compare with clientDataHash",
            check: ANDROID_CHALLENGE,
            plan: reg_post(|p| android_cert(p, None)),
            ..ANDROID_REJECTED
        },
        Case {
            id: "reg.attestation.android-key.certificate-of-other-key",
            title: "android-key attestation whose certificate certifies another ES256 key, sig made by the credential key",
            rationale: "sig must verify with the first certificate's key, which here is not the key that signed",
            check: SIGNATURE,
            basis: ANDROID_SIG,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-A F-2"),
            plan: reg_post(|p| {
                let other = other_key(Algorithm::Es256, OTHER_KEY).cose_key();
                let kd = KeyDescription::valid(&client_data_hash(p)).to_der();
                let cert = device_pki::android_key_cert(&other, Some(kd));
                edit_att_stmt(p, |m| set_text(m, "x5c", Value::Array(vec![Value::Bytes(cert)])))
            }),
            ..ANDROID_REJECTED
        },
        Case {
            id: "reg.attestation.android-key.wrong-certificate-order",
            title: "android-key attestation whose x5c is [the harness root, the credential's certificate]",
            rationale: "the first certificate must be the one whose key signed; a chain in the wrong order puts \
                        the CA's key there, with which sig does not verify",
            check: SIGNATURE,
            basis: ANDROID_SIG,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-A F-3"),
            plan: reg_post(|p| {
                let root = crate::pki::root().der.clone();
                edit_att_stmt(p, |m| {
                    if let Some((_, Value::Array(certs))) =
                        m.iter_mut().find(|(k, _)| k.as_text() == Some("x5c"))
                    {
                        certs.insert(0, Value::Bytes(root));
                    }
                })
            }),
            ..ANDROID_REJECTED
        },
        Case {
            id: "reg.attestation.android-key.sig-flipped",
            title: "android-key attestation whose sig has its last bit flipped",
            rationale: "sig must verify over authenticatorData || clientDataHash with the certified key",
            check: SIGNATURE,
            basis: ANDROID_SIG,
            plan: reg_post(|p| edit_att_stmt(p, |m| flip_last_byte(m, "sig"))),
            ..ANDROID_REJECTED
        },
        Case {
            id: "reg.attestation.android-key.key-mismatch",
            title: "android-key attestation by another ES256 key, certified and signing validly, than the credential's",
            rationale: "the certificate must certify the credential public key; a valid attestation of some other \
                        key says nothing about the credential",
            check: ANDROID_KEY,
            plan: reg_post(|p| {
                let other = other_key(Algorithm::Es256, OTHER_KEY);
                let kd = KeyDescription::valid(&client_data_hash(p)).to_der();
                let cert = device_pki::android_key_cert(&other.cose_key(), Some(kd));
                let sig = other.sign(&attestation_message(&p.signed));
                edit_att_stmt(p, |m| {
                    set_text(m, "alg", Value::from(wire::cose::alg::ES256));
                    set_text(m, "sig", Value::Bytes(sig));
                    set_text(m, "x5c", Value::Array(vec![Value::Bytes(cert)]));
                })
            }),
            ..ANDROID_REJECTED
        },
        Case {
            id: "reg.attestation.android-key.all-applications",
            title: "android-key attestation whose teeEnforced list has allApplications",
            rationale: "a key usable by all applications is not scoped to the RP ID, as a public key credential must be",
            check: ANDROID_ALL_APPLICATIONS,
            plan: reg_post(|p| android_kd(p, |kd| kd.tee_enforced.all_applications = true)),
            ..ANDROID_REJECTED
        },
        Case {
            id: "reg.attestation.android-key.all-applications-software",
            title: "android-key attestation whose softwareEnforced list has allApplications (teeEnforced has not)",
            rationale: "allApplications must be absent from both lists, whatever list the RP reads origin and \
                        purpose from",
            check: ANDROID_ALL_APPLICATIONS,
            plan: reg_post(|p| android_kd(p, |kd| kd.software_enforced.all_applications = true)),
            ..ANDROID_REJECTED
        },
        Case {
            id: "reg.attestation.android-key.origin-imported",
            title: "android-key attestation whose key origin is KM_ORIGIN_IMPORTED",
            rationale: "an imported key was known outside the keystore; only a key generated there is attested as \
                        never having left it",
            references: ORIGIN_PURPOSE_UNCHECKED,
            check: ANDROID_ORIGIN,
            plan: reg_post(|p| android_kd(p, |kd| kd.tee_enforced.origin = Some(KM_ORIGIN_IMPORTED))),
            ..ANDROID_REJECTED
        },
        Case {
            id: "reg.attestation.android-key.origin-absent",
            title: "android-key attestation whose authorization lists have no origin",
            rationale: "the origin must be shown to be KM_ORIGIN_GENERATED; a list without it shows nothing",
            references: ORIGIN_PURPOSE_UNCHECKED,
            check: ANDROID_ORIGIN,
            plan: reg_post(|p| android_kd(p, |kd| kd.tee_enforced.origin = None)),
            ..ANDROID_REJECTED
        },
        Case {
            id: "reg.attestation.android-key.purpose-encrypt",
            title: "android-key attestation whose key purpose is KM_PURPOSE_ENCRYPT only",
            rationale: "a credential key signs; a key the keystore allows only to encrypt is not the one attested \
                        for this credential",
            references: ORIGIN_PURPOSE_UNCHECKED,
            check: ANDROID_PURPOSE,
            plan: reg_post(|p| android_kd(p, |kd| kd.tee_enforced.purpose = Some(vec![KM_PURPOSE_ENCRYPT]))),
            ..ANDROID_REJECTED
        },
        Case {
            id: "reg.attestation.android-key.software-enforced-only",
            ceremony: Ceremony::Registration,
            spec: "§8.4, §7.1 step 22",
            level: Level::Policy,
            expect: Expect::Either,
            title: "android-key attestation whose origin (generated) and purpose (sign) are in softwareEnforced only",
            rationale: "an RP that accepts only TEE keys reads teeEnforced and refuses it; any other RP reads the \
                        union of both lists and accepts it: either answer conforms",
            flags: &[Flag::AttestationUnchecked],
            check: None,
            basis: Some(Basis::procedure(
                "§8.4 verification procedure",
                "For the following, use only the teeEnforced authorization list if the RP wants to accept only keys \
                 from a trusted execution environment, otherwise use the union of teeEnforced and softwareEnforced.",
            )),
            setup: ANDROID,
            plan: reg_post(|p| {
                android_kd(p, |kd| {
                    kd.software_enforced = AuthorizationList {
                        purpose: Some(vec![KM_PURPOSE_SIGN]),
                        all_applications: false,
                        origin: Some(KM_ORIGIN_GENERATED),
                    };
                    kd.tee_enforced = AuthorizationList::default();
                })
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.attestation.android-key.x5c-missing",
            title: "android-key attestation without x5c",
            rationale: "x5c is a required member of an android-key statement and carries the key's certificate",
            check: STATEMENT,
            basis: SYNTAX,
            plan: reg_post(|p| edit_att_stmt(p, |m| remove_text(m, "x5c"))),
            ..ANDROID_REJECTED
        },
    ]
}

/// A library that shipped android-key verification without the origin and purpose steps.
const ORIGIN_PURPOSE_UNCHECKED: &[Reference] = &[Reference {
    id: "web-auth/webauthn-framework#928",
    summary: "webauthn-framework's android-key support checked attestationChallenge and allApplications but never \
              the authorization lists' origin and purpose, so a key imported into the keystore or not allowed to \
              sign was accepted",
}];
