//! The `android-safetynet` attestation statement format (§8.5): a valid registration (a baseline: an RP that
//! refuses it does not support the format, and the other cases are UNSUPPORTED there), the FIDO conformance
//! tool's `Resp-B` tests, and what the verification procedure demands beyond them (the JWS's signature, its
//! signer's hostname, its shape).
//!
//! The statement is a SafetyNet JWS ([`crate::safetynet`]) under the harness's attestation root; each case
//! rebuilds it after signing with exactly one part changed. `ctsProfileMatch` and `timestampMs` are judged by
//! the SafetyNet documentation, not by a sentence of the spec, so those cases are POLICY level (the FIDO tool
//! fails an RP that accepts them).

use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use super::mutate::edit_att_stmt;
use super::mutate::set_text;
use super::{reg_post, Basis, Case, Ceremony, CheckId, Expect, Flag, Level, RegPost, Setup, REG_VALID};
use crate::ceremony::{AttestationKind, FIXED_TIME};
use crate::keys::Algorithm;
use crate::safetynet::{self, Parts, Signer};
use wire::cbor::Value;

const SAFETYNET: Setup = Setup { attestation: AttestationKind::AndroidSafetynet, ..Setup::DEFAULT };

const RESPONSE: Option<CheckId> = Some(CheckId::RegAttestationSafetynetResponse);
const NONCE: Option<CheckId> = Some(CheckId::RegAttestationSafetynetNonce);
const CERTIFICATE: Option<CheckId> = Some(CheckId::RegAttestationSafetynetCertificate);
const SIGNATURE: Option<CheckId> = Some(CheckId::RegAttestationSafetynetSignature);
const CTS: Option<CheckId> = Some(CheckId::RegAttestationSafetynetCtsProfile);
const TIMESTAMP: Option<CheckId> = Some(CheckId::RegAttestationSafetynetTimestamp);

/// The FIDO conformance tool's android-safetynet test group.
macro_rules! resp_b {
    ($t:literal) => {
        Some(concat!("Server-ServerAuthenticatorAttestationResponse-Resp-B ", $t))
    };
}

/// Every step of §7.1 holds, so the RP registers the credential.
const REGISTERED: Basis = Basis::procedure(
    "§7.1 step 29",
    "If all the above steps are successful, store credentialRecord in the user account that was denoted in \
     pkOptions.user and continue the registration ceremony as appropriate.",
);

const VALID: Case = Case {
    ceremony: Ceremony::Registration,
    spec: "§7.1, §8.5",
    level: Level::Must,
    expect: Expect::Accept,
    flags: &[Flag::Baseline],
    basis: Some(REGISTERED),
    setup: SAFETYNET,
    plan: REG_VALID,
    baseline: true,
    ..Case::DEFAULTS
};

/// An android-safetynet statement the RP must refuse.
const REJECTED: Case = Case {
    spec: "§8.5, §7.1 step 22",
    flags: &[Flag::AttestationUnchecked],
    setup: SAFETYNET,
    ..Case::must_reject(Ceremony::Registration)
};

/// A statement whose payload a policy the FIDO tool assumes refuses.
const POLICY_REJECTED: Case = Case {
    level: Level::Policy,
    fido_expect: Some(Expect::Reject),
    flags: &[Flag::AttestationUnchecked],
    ..REJECTED
};

// ---- rebuilding the statement after signing ----

/// The ceremony's time: what the signed statement's timestampMs says (the draft's time), else the fixed one.
fn ceremony_time(p: &RegPost<'_>) -> u64 {
    let response = match &p.signed.attestation_object.att_stmt {
        Value::Map(m) => {
            m.iter().find(|(k, _)| k.as_text() == Some("response")).and_then(|(_, v)| v.as_bytes())
        }
        _ => None,
    };
    response
        .and_then(|r| wire::jws::parse_bytes(r).ok())
        .and_then(|j| j.payload_json().ok())
        .and_then(|m| m.get("timestampMs").and_then(Json::as_u64))
        .map_or(FIXED_TIME, |ms| ms / 1000)
}

/// The valid parts for the signed registration, signed by `signer`.
fn valid_parts(p: &RegPost<'_>, signer: Signer) -> Parts {
    let hash: [u8; 32] = Sha256::digest(&p.signed.client_data_json).into();
    Parts::valid(&p.signed.attestation_object.auth_data, &hash, ceremony_time(p), signer)
}

/// Rebuilds the statement from the valid RS256 parts changed by `f`.
fn rebuild(p: &mut RegPost<'_>, f: impl FnOnce(&mut Parts)) {
    let mut parts = valid_parts(p, Signer::Rs256);
    f(&mut parts);
    p.signed.attestation_object.att_stmt = parts.statement();
}

/// Replaces the statement's `response` bytes.
fn set_response(p: &mut RegPost<'_>, response: Vec<u8>) {
    edit_att_stmt(p, |m| set_text(m, "response", Value::Bytes(response)));
}

/// HMAC-SHA-256 (RFC 2104), for the HS256 algorithm-confusion case.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| block.iter().map(|k| k ^ b).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().to_vec()
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        // ---- valid ----
        Case {
            id: "reg.valid.android-safetynet",
            title: "a valid registration with android-safetynet attestation (RS256 JWS by an attest.android.com certificate under the harness root)",
            rationale: "the JWS's nonce is Base64(SHA-256(authenticatorData || clientDataHash)), it is signed by a \
                        certificate issued to attest.android.com that chains to a trusted root, and the device \
                        passed the compatibility check just now, so the RP must register it",
            fido: resp_b!("P-1"),
            ..VALID
        },
        Case {
            id: "reg.valid.android-safetynet.es256-jws",
            title: "a valid android-safetynet registration whose JWS is ES256 (raw R || S) by a P-256 attest.android.com certificate",
            rationale: "§8.5 takes the JWS as SafetyNet's documentation verifies it, by the key of its certificate \
                        with the header's alg; ES256 is a JWS algorithm like RS256 (RFC 7518 §3.4)",
            baseline: false,
            plan: reg_post(|p| p.signed.attestation_object.att_stmt = valid_parts(p, Signer::Es256).statement()),
            ..VALID
        },
        Case {
            id: "reg.valid.android-safetynet.rs256-credential",
            title: "a valid android-safetynet registration of an RS256 credential",
            rationale: "the statement attests SHA-256(authenticatorData || clientDataHash), whatever the credential \
                        key, so an RSA credential registers as an EC2 one does",
            baseline: false,
            setup: Setup { alg: Algorithm::Rs256, ..SAFETYNET },
            ..VALID
        },
        // ---- the FIDO tool's Resp-B ----
        Case {
            id: "reg.attestation.android-safetynet.ver-empty",
            title: "android-safetynet statement whose ver is the empty string",
            rationale: "response must be a SafetyNet response \"of version ver\"; an empty ver names no version of \
                        Google Play Services",
            check: RESPONSE,
            fido: resp_b!("F-1"),
            plan: reg_post(|p| edit_att_stmt(p, |m| set_text(m, "ver", Value::from("")))),
            ..REJECTED
        },
        Case {
            id: "reg.attestation.android-safetynet.response-empty",
            title: "android-safetynet statement whose response is an empty byte string",
            rationale: "response must be a JWS in Compact Serialization; empty bytes are none",
            check: RESPONSE,
            fido: resp_b!("F-2"),
            plan: reg_post(|p| set_response(p, vec![])),
            ..REJECTED
        },
        Case {
            id: "reg.attestation.android-safetynet.nonce-mismatch",
            title: "android-safetynet JWS whose nonce is the hash of authenticatorData and another clientDataHash",
            rationale: "the nonce binds the SafetyNet response to this ceremony; one made for other client data \
                        attests nothing about this one",
            check: NONCE,
            fido: resp_b!("F-3"),
            plan: reg_post(|p| {
                let other: [u8; 32] = Sha256::digest(b"other client data").into();
                let nonce = safetynet::nonce(&p.signed.attestation_object.auth_data, &other);
                rebuild(p, |parts| {
                    parts.payload.insert("nonce".into(), Json::String(nonce));
                })
            }),
            ..REJECTED
        },
        Case {
            id: "reg.attestation.android-safetynet.x5c-empty",
            title: "android-safetynet JWS whose header x5c is an empty array",
            rationale: "without the signer's certificate nothing shows the response came from the SafetyNet service",
            check: CERTIFICATE,
            fido: resp_b!("F-4"),
            plan: reg_post(|p| rebuild(p, |parts| parts.x5c = Some(vec![]))),
            ..REJECTED
        },
        Case {
            id: "reg.attestation.android-safetynet.cts-profile-false",
            title: "android-safetynet JWS whose payload says ctsProfileMatch false",
            rationale: "the device failed the Android compatibility check; SafetyNet's documentation tells the RP to \
                        look at ctsProfileMatch, and whether to refuse is its policy (the FIDO tool expects a refusal)",
            check: CTS,
            fido: resp_b!("F-5"),
            plan: reg_post(|p| {
                rebuild(p, |parts| {
                    parts.payload.insert("ctsProfileMatch".into(), Json::Bool(false));
                })
            }),
            ..POLICY_REJECTED
        },
        Case {
            id: "reg.attestation.android-safetynet.timestamp-future",
            title: "android-safetynet JWS whose timestampMs is ten minutes after the ceremony",
            rationale: "a compatibility check cannot have been made after the response arrived; the freshness of \
                        timestampMs is the RP's policy (the FIDO tool expects a refusal)",
            check: TIMESTAMP,
            fido: resp_b!("F-6"),
            plan: reg_post(|p| {
                let t = ceremony_time(p);
                rebuild(p, |parts| {
                    parts.payload.insert("timestampMs".into(), Json::from((t + 600) * 1000));
                })
            }),
            ..POLICY_REJECTED
        },
        Case {
            id: "reg.attestation.android-safetynet.timestamp-stale",
            title: "android-safetynet JWS whose timestampMs is two minutes before the ceremony",
            rationale: "an old SafetyNet response may be replayed from another session; the FIDO tool refuses one \
                        older than a minute, and the window is the RP's policy",
            check: TIMESTAMP,
            fido: resp_b!("F-7"),
            plan: reg_post(|p| {
                let t = ceremony_time(p);
                rebuild(p, |parts| {
                    parts.payload.insert("timestampMs".into(), Json::from(t.saturating_sub(120) * 1000));
                })
            }),
            ..POLICY_REJECTED
        },
        // ---- beyond the FIDO tool ----
        Case {
            id: "reg.attestation.android-safetynet.x5c-missing",
            title: "android-safetynet JWS whose header has no x5c",
            rationale: "the signer's certificate is what shows the response came from the SafetyNet service",
            check: CERTIFICATE,
            plan: reg_post(|p| rebuild(p, |parts| parts.x5c = None)),
            ..REJECTED
        },
        Case {
            id: "reg.attestation.android-safetynet.hostname",
            title: "android-safetynet JWS signed by a certificate under the trusted root issued to attest.example.com, not attest.android.com",
            rationale: "SafetyNet's documentation has the RP check that the signing certificate was issued to \
                        attest.android.com; any other certificate under the same root (an android-key or \
                        packed one) could otherwise sign a made-up response",
            check: CERTIFICATE,
            plan: reg_post(|p| {
                rebuild(p, |parts| {
                    let key = parts.signer.key(parts.key_seed);
                    parts.x5c = Some(vec![safetynet::leaf_cert(&key, "CN=attest.example.com,O=webauthn-harness,C=US")]);
                })
            }),
            ..REJECTED
        },
        Case {
            id: "reg.attestation.android-safetynet.hostname-suffix",
            title: "android-safetynet JWS signed by a certificate issued to attest.android.com.example.com",
            rationale: "the hostname must be attest.android.com itself; a prefix match accepts any name an attacker \
                        can get a certificate for",
            check: CERTIFICATE,
            plan: reg_post(|p| {
                rebuild(p, |parts| {
                    let key = parts.signer.key(parts.key_seed);
                    parts.x5c = Some(vec![safetynet::leaf_cert(
                        &key,
                        "CN=attest.android.com.example.com,O=webauthn-harness,C=US",
                    )]);
                })
            }),
            ..REJECTED
        },
        Case {
            id: "reg.attestation.android-safetynet.signature-other-key",
            title: "android-safetynet JWS whose RS256 signature is by another RSA key than x5c's certificate's",
            rationale: "a signature by a key other than the certificate's shows nothing about where the response \
                        came from",
            check: SIGNATURE,
            flags: &[Flag::AttestationUnchecked, Flag::SignatureUnchecked],
            plan: reg_post(|p| rebuild(p, |parts| parts.key_seed = safetynet::KEY_SEED + 1)),
            ..REJECTED
        },
        Case {
            id: "reg.attestation.android-safetynet.signature-flipped",
            title: "android-safetynet JWS whose last signature byte is flipped",
            rationale: "the JWS signature must verify over its signing input; a changed signature does not",
            check: SIGNATURE,
            flags: &[Flag::AttestationUnchecked, Flag::SignatureUnchecked],
            plan: reg_post(|p| {
                let response = valid_parts(p, Signer::Rs256).response();
                let (input, sig) = response.rsplit_once('.').unwrap_or((&response, ""));
                let mut bytes = wire::base64url::decode(sig).unwrap_or_default();
                if let Some(last) = bytes.last_mut() {
                    *last ^= 1;
                }
                set_response(p, format!("{input}.{}", wire::base64url::encode(&bytes)).into_bytes())
            }),
            ..REJECTED
        },
        Case {
            id: "reg.attestation.android-safetynet.alg-none",
            title: "android-safetynet JWS with header alg \"none\" and an empty signature",
            rationale: "an unsecured JWS (RFC 7515 Appendix A.5) is signed by nobody, so it cannot show it came \
                        from the SafetyNet service",
            check: SIGNATURE,
            flags: &[Flag::AttestationUnchecked, Flag::SignatureUnchecked],
            plan: reg_post(|p| {
                let parts = valid_parts(p, Signer::Rs256);
                let mut header = serde_json::Map::new();
                header.insert("alg".into(), Json::from("none"));
                header.insert("x5c".into(), wire::jws::x5c_value(parts.x5c.as_deref().unwrap_or_default()));
                let payload = serde_json::to_vec(&parts.payload).unwrap_or_default();
                set_response(p, wire::jws::build(&header, &payload, |_| vec![]).into_bytes())
            }),
            ..REJECTED
        },
        Case {
            id: "reg.attestation.android-safetynet.alg-hs256",
            title: "android-safetynet JWS with header alg HS256, MACed with the certificate's DER as the key",
            rationale: "HS256 is a MAC whose key is public here (the algorithm-confusion attack on JWS): no \
                        signature by the certificate's key exists",
            check: SIGNATURE,
            flags: &[Flag::AttestationUnchecked, Flag::SignatureUnchecked],
            plan: reg_post(|p| {
                let mut parts = valid_parts(p, Signer::Rs256);
                parts.alg = "HS256".into();
                let mut header = serde_json::Map::new();
                header.insert("alg".into(), Json::from("HS256"));
                let cert = parts.x5c.clone().unwrap_or_default();
                header.insert("x5c".into(), wire::jws::x5c_value(&cert));
                let payload = serde_json::to_vec(&parts.payload).unwrap_or_default();
                let key = cert.first().cloned().unwrap_or_default();
                let jws = wire::jws::build(&header, &payload, |input| hmac_sha256(&key, input));
                set_response(p, jws.into_bytes())
            }),
            ..REJECTED
        },
        Case {
            id: "reg.attestation.android-safetynet.es256-der-signature",
            title: "android-safetynet ES256 JWS whose signature is DER-encoded instead of raw R || S",
            rationale: "a JWS ECDSA signature is the 64 octets R || S (RFC 7518 §3.4); a DER signature is not a \
                        valid JWS signature, whatever a DER-reading verifier makes of it",
            check: SIGNATURE,
            flags: &[Flag::AttestationUnchecked, Flag::SignatureEncodingLeniency],
            plan: reg_post(|p| {
                let parts = valid_parts(p, Signer::Es256);
                let mut header = serde_json::Map::new();
                header.insert("alg".into(), Json::from("ES256"));
                header.insert("x5c".into(), wire::jws::x5c_value(parts.x5c.as_deref().unwrap_or_default()));
                let payload = serde_json::to_vec(&parts.payload).unwrap_or_default();
                let key = parts.signer.key(parts.key_seed);
                set_response(p, wire::jws::build(&header, &payload, |input| key.sign(input)).into_bytes())
            }),
            ..REJECTED
        },
        Case {
            id: "reg.attestation.android-safetynet.two-segments",
            title: "android-safetynet response that is a JWS's header and payload without the signature segment",
            rationale: "a JWS in Compact Serialization has three segments; without the signature there is no \
                        SafetyNet response",
            check: RESPONSE,
            plan: reg_post(|p| {
                let response = valid_parts(p, Signer::Rs256).response();
                let input = response.rsplit_once('.').map_or(response.clone(), |(i, _)| i.to_owned());
                set_response(p, input.into_bytes())
            }),
            ..REJECTED
        },
        Case {
            id: "reg.attestation.android-safetynet.payload-not-json",
            title: "android-safetynet JWS, validly signed, whose payload is not JSON",
            rationale: "the SafetyNet response's payload is a JSON object; without one there is no nonce to compare",
            check: RESPONSE,
            plan: reg_post(|p| {
                let parts = valid_parts(p, Signer::Rs256);
                let mut header = serde_json::Map::new();
                header.insert("alg".into(), Json::from("RS256"));
                header.insert("x5c".into(), wire::jws::x5c_value(parts.x5c.as_deref().unwrap_or_default()));
                let key = parts.signer.key(parts.key_seed);
                let jws = wire::jws::build(&header, b"nonce=not-json", |input| safetynet::jws_sign(&key, input));
                set_response(p, jws.into_bytes())
            }),
            ..REJECTED
        },
        Case {
            id: "reg.attestation.android-safetynet.nonce-missing",
            title: "android-safetynet JWS whose payload has no nonce",
            rationale: "without the nonce nothing binds the SafetyNet response to this ceremony",
            check: NONCE,
            plan: reg_post(|p| {
                rebuild(p, |parts| {
                    parts.payload.remove("nonce");
                })
            }),
            ..REJECTED
        },
        Case {
            id: "reg.attestation.android-safetynet.nonce-base64url",
            title: "android-safetynet JWS whose nonce is the right hash in unpadded base64url, not standard Base64",
            rationale: "the nonce must be identical to the Base64 encoding of the hash; another encoding of it is a \
                        different string",
            check: NONCE,
            plan: reg_post(|p| {
                let hash: [u8; 32] = Sha256::digest(&p.signed.client_data_json).into();
                let digest = Sha256::new()
                    .chain_update(&p.signed.attestation_object.auth_data)
                    .chain_update(hash)
                    .finalize();
                let nonce = wire::base64url::encode(&digest);
                rebuild(p, |parts| {
                    parts.payload.insert("nonce".into(), Json::String(nonce));
                })
            }),
            ..REJECTED
        },
        Case {
            id: "reg.attestation.android-safetynet.nonce-is-client-data-hash",
            title: "android-safetynet JWS whose nonce is Base64(clientDataHash), not of SHA-256(authenticatorData || clientDataHash)",
            rationale: "the nonce covers the authenticator data too; comparing it with clientDataHash alone leaves the \
                        authenticator data unprotected",
            check: NONCE,
            plan: reg_post(|p| {
                use base64::Engine;
                let hash: [u8; 32] = Sha256::digest(&p.signed.client_data_json).into();
                let nonce = base64::engine::general_purpose::STANDARD.encode(hash);
                rebuild(p, |parts| {
                    parts.payload.insert("nonce".into(), Json::String(nonce));
                })
            }),
            ..REJECTED
        },
    ]
}
