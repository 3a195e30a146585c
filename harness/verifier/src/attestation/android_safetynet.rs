//! §8.5 Android SafetyNet Attestation Statement Format.
//!
//! ```text
//! safetynetStmtFormat = { ver: text, response: bytes }
//! ```
//!
//! `response` is the UTF-8 result of SafetyNet's `getJwsResult()`: a JWS in Compact Serialization
//! ([`wire::jws`]) whose payload is a JSON object with `nonce` (standard padded Base64 of the nonce the caller
//! gave, here SHA-256(authenticatorData || clientDataHash)), `timestampMs`, `ctsProfileMatch`,
//! `basicIntegrity` and the calling app's identity; its protected header carries `alg` (RS256 from the real
//! service) and `x5c`, the signer's certificate first.
//!
//! The spec defers two steps to the SafetyNet documentation ("a valid SafetyNet response of version ver",
//! "actually came from the SafetyNet service"). This module reads them as that documentation's compatibility
//! check verification does: the JWS signature verifies with the key of x5c's first certificate, that
//! certificate is issued to the hostname `attest.android.com`, and its chain is assessed like any other trust
//! path (§7.1 step 24, against the configured anchors). The hostname is matched (ASCII case-insensitively,
//! no wildcards) against the subject's CN *or* a SAN dNSName: Google's certificates carry it in both, RFC 6125
//! prefers the SAN and the common libraries compare the CN, so either is accepted. The payload's
//! `ctsProfileMatch` and `timestampMs` are judged by the RP's policy
//! ([`crate::policy::AttestationPolicy::safetynet_require_cts_profile_match`], `safetynet_max_age_ms`) at
//! the verification time the caller gives (`now`), never the wall clock.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};
use wire::jws::{self, Jws};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;

use super::packed::alg_fits_key;
use super::x509::{oid, Certificate};
use super::{AttestationType, Statement};
use crate::check::{CheckId, Rejection};
use crate::crypto::CredentialKey;

/// The hostname the SafetyNet signing certificate is issued to.
pub const SAFETYNET_HOSTNAME: &str = "attest.android.com";

/// §8.5 "Verification procedure", in order.
pub(super) fn verify(s: &Statement<'_>) -> Result<AttestationType, Rejection> {
    let (ver, response) = step_1_decode(s)?;
    let (jws, payload) = step_2_valid_response(ver, response)?;
    step_3_nonce(s, &payload)?;
    let trust_path = step_4_came_from_safetynet(s, &jws)?;
    // What the SafetyNet documentation asks beyond authenticity, left to the RP's policy.
    policy_cts_profile_match(s, &payload)?;
    policy_timestamp(s, &payload)?;
    // "If successful, return implementation-specific values representing attestation type Basic and
    // attestation trust path x5c." (x5c of the JWS header; step 24 chains it to the anchors.)
    Ok(AttestationType::Basic { trust_path })
}

/// Step 1: "Verify that attStmt is valid CBOR conforming to the syntax defined above and perform CBOR
/// decoding on it to extract the contained fields." `ver` is text, `response` bytes; nothing else.
fn step_1_decode<'a>(s: &Statement<'a>) -> Result<(&'a str, &'a [u8]), Rejection> {
    let members = super::stmt::StmtEntries::of(s.fmt, s.att_stmt, &["ver", "response"])?;
    let malformed = |what: String| {
        Rejection::new(
            CheckId::RegAttestationStatementMalformed,
            format!("attStmt of fmt {:?}: {what}", s.fmt),
        )
    };
    let ver = match members.get("ver") {
        None => return Err(malformed("member \"ver\" is missing".into())),
        Some(v) => v.as_text().ok_or_else(|| malformed(format!("\"ver\" is a {}, not text", v.kind())))?,
    };
    let response = members.bytes("response")?;
    Ok((ver, response))
}

/// Step 2: "Verify that response is a valid SafetyNet response of version ver by following the steps
/// indicated by the SafetyNet online documentation." A non-empty `ver`; `response` a JWS in Compact
/// Serialization (UTF-8, three strict base64url segments, a JSON header with `alg`) whose payload is a JSON
/// object.
fn step_2_valid_response(ver: &str, response: &[u8]) -> Result<(Jws, Map<String, Json>), Rejection> {
    let bad = |why: String| Rejection::new(CheckId::RegAttestationSafetynetResponse, why);
    if ver.is_empty() {
        return Err(bad("ver is empty; it names the version of Google Play Services".into()));
    }
    if response.is_empty() {
        return Err(bad("response is empty, not a JWS".into()));
    }
    let jws = jws::parse_bytes(response).map_err(|e| bad(format!("response: {e}")))?;
    let payload = jws.payload_json().map_err(|e| bad(format!("response: {e}")))?;
    Ok((jws, payload))
}

/// Step 3: "Verify that the nonce attribute in the payload of response is identical to the Base64 encoding
/// of the SHA-256 hash of the concatenation of authenticatorData and clientDataHash." Base64 is the standard
/// padded alphabet (RFC 4648 §4), as SafetyNet writes it; the comparison is of the strings.
fn step_3_nonce(s: &Statement<'_>, payload: &Map<String, Json>) -> Result<(), Rejection> {
    let fail = |why: String| Rejection::new(CheckId::RegAttestationSafetynetNonce, why);
    let expected = STANDARD
        .encode(Sha256::new().chain_update(s.auth_data_raw).chain_update(s.client_data_hash).finalize());
    match payload.get("nonce") {
        None => Err(fail("the payload has no nonce".into())),
        Some(Json::String(n)) if *n == expected => Ok(()),
        Some(Json::String(n)) => Err(fail(format!(
            "the payload's nonce {n:?} is not Base64(SHA-256(authenticatorData || clientDataHash)) = {expected:?}"
        ))),
        Some(other) => Err(fail(format!("the payload's nonce is {other}, not a string"))),
    }
}

/// Step 4: "Verify that the SafetyNet response actually came from the SafetyNet service by following the
/// steps in the SafetyNet online documentation." The header's `x5c` holds the signer's certificate, issued to
/// attest.android.com, whose key verifies the JWS signature under `alg`. Returns x5c, the trust path.
fn step_4_came_from_safetynet(s: &Statement<'_>, jws: &Jws) -> Result<Vec<Vec<u8>>, Rejection> {
    let cert_fail = |why: String| Rejection::new(CheckId::RegAttestationSafetynetCertificate, why);
    let x5c = match &jws.header.x5c {
        None => return Err(cert_fail("the JWS header has no x5c".into())),
        Some(certs) if certs.is_empty() => return Err(cert_fail("the JWS header's x5c is empty".into())),
        Some(certs) => certs.clone(),
    };
    let leaf = Certificate::from_der(&x5c[0]).map_err(|e| cert_fail(format!("x5c[0]: {e}")))?;
    leaf_is_issued_to_hostname(&leaf).map_err(cert_fail)?;
    verify_jws_signature(s, jws, &leaf)?;
    Ok(x5c)
}

/// Is the certificate issued to [`SAFETYNET_HOSTNAME`] (subject CN or a SAN dNSName)?
fn leaf_is_issued_to_hostname(leaf: &Certificate) -> Result<(), String> {
    let is_host = |name: &str| name.eq_ignore_ascii_case(SAFETYNET_HOSTNAME);
    let cns: Vec<String> =
        leaf.subject_values(oid::COMMON_NAME).into_iter().filter_map(Result::ok).map(|v| v.text).collect();
    if cns.iter().any(|cn| is_host(cn)) {
        return Ok(());
    }
    let mut dns = Vec::new();
    if let Some(ext) = leaf.extension(SAN_OID) {
        use der::Decode;
        let san = SubjectAltName::from_der(ext.extn_value.as_bytes())
            .map_err(|e| format!("x5c[0]'s subjectAltName is not DER: {e}"))?;
        for name in san.0 {
            if let GeneralName::DnsName(d) = name {
                dns.push(d.to_string());
            }
        }
    }
    if dns.iter().any(|d| is_host(d)) {
        return Ok(());
    }
    Err(format!(
        "x5c[0] is not issued to {SAFETYNET_HOSTNAME}: subject CN {cns:?}, subjectAltName dNSName {dns:?}"
    ))
}

const SAN_OID: der::asn1::ObjectIdentifier = der::asn1::ObjectIdentifier::new_unwrap("2.5.29.17");

/// The JWS signature over its signing input with the leaf's key, under the header's `alg` mapped to a COSE
/// algorithm; ECDSA signatures are JWS's raw `R || S` (RFC 7518 §3.4), turned into DER for the verifier.
fn verify_jws_signature(s: &Statement<'_>, jws: &Jws, leaf: &Certificate) -> Result<(), Rejection> {
    let fail = |why: String| Rejection::new(CheckId::RegAttestationSafetynetSignature, why);
    let name = &jws.header.alg;
    let alg = jws::cose_alg(name)
        .ok_or_else(|| fail(format!("JWS alg {name:?} is not a signature algorithm this verifier checks")))?;
    let key = leaf.public_key().map_err(|e| fail(format!("x5c[0]'s key cannot be used: {e}")))?;
    if !alg_fits_key(alg, &key) {
        return Err(fail(format!("JWS alg {name:?} does not fit x5c[0]'s {} key", key.describe())));
    }
    let signature = match jws::ecdsa_coordinate_len(alg) {
        // The message leaves out the length found: a DER signature's varies with the message signed.
        Some(n) => jws::ecdsa_raw_to_der(&jws.signature, n).ok_or_else(|| {
            fail(format!("the {name} signature is not R || S of {} bytes (RFC 7518 §3.4)", 2 * n))
        })?,
        None => jws.signature.clone(),
    };
    let verifier = CredentialKey::from_cose_with(s.credential_key.provider(), &key.to_cose(alg))
        .map_err(|e| fail(format!("x5c[0]'s key under {name}: {e}")))?;
    verifier
        .verify(jws.signing_input(), &signature)
        .map_err(|e| fail(format!("the JWS signature does not verify with x5c[0]'s key: {e}")))
}

/// Policy: `ctsProfileMatch` is `true` where the RP requires a CTS-compatible device.
fn policy_cts_profile_match(s: &Statement<'_>, payload: &Map<String, Json>) -> Result<(), Rejection> {
    if !s.safetynet_require_cts_profile_match {
        return Ok(());
    }
    match payload.get("ctsProfileMatch") {
        Some(Json::Bool(true)) => Ok(()),
        other => Err(Rejection::new(
            CheckId::RegAttestationSafetynetCtsProfile,
            format!(
                "the payload's ctsProfileMatch is {}, and the policy requires true",
                other.map_or("absent".to_owned(), Json::to_string)
            ),
        )),
    }
}

/// Policy: `timestampMs` is not after `now` and, where the policy sets a window, not older than it.
fn policy_timestamp(s: &Statement<'_>, payload: &Map<String, Json>) -> Result<(), Rejection> {
    let fail = |why: String| Rejection::new(CheckId::RegAttestationSafetynetTimestamp, why);
    let ts = match payload.get("timestampMs") {
        Some(v) => v.as_u64().ok_or_else(|| fail(format!("the payload's timestampMs is {v}, not a time")))?,
        None => return Err(fail("the payload has no timestampMs".into())),
    };
    let now_ms = s.now.saturating_mul(1000);
    // The messages name no times: a report of a live RP must read the same whenever it is graded.
    if ts > now_ms.saturating_add(999) {
        return Err(fail("the payload's timestampMs is after the verification time".into()));
    }
    if let Some(max) = s.safetynet_max_age_ms {
        if now_ms.saturating_sub(ts) > max {
            return Err(fail(format!(
                "the payload's timestampMs is older than the policy's window of {max} ms before the verification time"
            )));
        }
    }
    Ok(())
}
