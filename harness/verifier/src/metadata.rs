//! FIDO Metadata Service (MDS3) metadata: the BLOB's payload, the entry of an authenticator, its attestation
//! roots and its status reports.
//!
//! §7.1 step 23 leaves where trust anchors come from to the RP: "If validation is successful, obtain a list of
//! acceptable trust anchors (i.e. attestation root certificates) for that attestation type and attestation
//! statement format fmt, from a trusted source or from policy. For example, the FIDO Metadata Service provides
//! one way to obtain such information, using the aaguid in the attestedCredentialData in authData." This module
//! is that source: [`Metadata::find`] looks an authenticator up by AAGUID, or (fido-u2f, whose AAGUID is zero)
//! by the key identifier of its attestation certificate; the entry's `attestationRootCertificates` become
//! anchors, and its `statusReports` may refuse it ([`StatusPolicy`]).
//!
//! Field names and meanings are those of the FIDO Metadata Service v3.0 specification (MetadataBLOBPayload,
//! MetadataBLOBPayloadEntry, StatusReport, MetadataStatement). The BLOB is a file the user provides: nothing is
//! fetched. Parsing is bounded ([`MAX_PAYLOAD`], [`MAX_ENTRIES`], [`MAX_ROOTS`], [`MAX_REPORTS`]) and every
//! failure is a [`MetadataError`] naming the entry and member.

use std::fmt;

use serde_json::{Map, Value};
use sha1::{Digest, Sha1};

use crate::attestation::hex;

/// The largest payload read (the public BLOB is a few MB).
pub const MAX_PAYLOAD: usize = 32 * 1024 * 1024;
/// The most entries a payload may list.
pub const MAX_ENTRIES: usize = 50_000;
/// The most attestation root certificates a statement may list.
pub const MAX_ROOTS: usize = 64;
/// The most status reports an entry may list.
pub const MAX_REPORTS: usize = 256;
/// The most key identifiers an entry may list.
pub const MAX_KEY_IDS: usize = 1024;

/// Why metadata could not be read or trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataError {
    /// The payload is larger than [`MAX_PAYLOAD`].
    TooLarge(usize),
    /// The payload is not a JSON object.
    NotJson(String),
    /// A member is missing or has the wrong type or value: `at` names it (`entries[3].aaguid`).
    Member { at: String, why: String },
    /// A limit on counts was exceeded.
    TooMany { at: String, limit: usize },
    /// The BLOB is not a JWS this reader takes (its segments, header or `x5c`).
    Malformed(String),
    /// The BLOB's certificate chain does not lead to a configured metadata root.
    Chain(String),
    /// The BLOB's signature does not verify with its signing certificate's key.
    Signature(String),
    /// The BLOB's `nextUpdate` is before the verification time.
    Stale { next_update: String },
}

impl fmt::Display for MetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetadataError::TooLarge(n) => write!(f, "the metadata payload is {n} bytes, more than {MAX_PAYLOAD}"),
            MetadataError::NotJson(why) => write!(f, "the metadata payload is not a JSON object: {why}"),
            MetadataError::Member { at, why } => write!(f, "metadata member {at}: {why}"),
            MetadataError::TooMany { at, limit } => write!(f, "metadata member {at} lists more than {limit} items"),
            MetadataError::Malformed(why) => write!(f, "the metadata BLOB is malformed: {why}"),
            MetadataError::Chain(why) => write!(f, "the metadata BLOB's certificate chain is not trusted: {why}"),
            MetadataError::Signature(why) => write!(f, "the metadata BLOB's signature does not verify: {why}"),
            MetadataError::Stale { next_update } => write!(
                f,
                "the metadata BLOB's nextUpdate {next_update} is before the verification time: it is out of date"
            ),
        }
    }
}

impl std::error::Error for MetadataError {}

/// One status report (MDS3 `StatusReport`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    /// `status`: an AuthenticatorStatus name such as `FIDO_CERTIFIED_L1` or `REVOKED`.
    pub status: String,
    /// `effectiveDate`, `YYYY-MM-DD`, when given.
    pub effective_date: Option<String>,
    /// `certificate`: the DER of the attestation certificate the report is about, when given.
    pub certificate: Option<Vec<u8>>,
}

/// One authenticator's entry (MDS3 `MetadataBLOBPayloadEntry` with the parts of its statement used here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `aaguid` (FIDO2 authenticators).
    pub aaguid: Option<[u8; 16]>,
    /// `attestationCertificateKeyIdentifiers`: SHA-1 of an attestation certificate's subjectPublicKey
    /// (U2F authenticators, whose AAGUID is zero).
    pub key_identifiers: Vec<[u8; 20]>,
    /// `metadataStatement.description`.
    pub description: Option<String>,
    /// `metadataStatement.attestationTypes` (e.g. `basic_full`, `attca`).
    pub attestation_types: Vec<String>,
    /// `metadataStatement.attestationRootCertificates`, DER.
    pub attestation_roots: Vec<Vec<u8>>,
    /// `statusReports`.
    pub status_reports: Vec<StatusReport>,
    /// `timeOfLastStatusChange`.
    pub time_of_last_status_change: String,
}

/// A metadata BLOB's payload (MDS3 `MetadataBLOBPayload`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// `legalHeader`, when given.
    pub legal_header: Option<String>,
    /// `no`: the BLOB's serial number.
    pub no: u64,
    /// `nextUpdate`, `YYYY-MM-DD`.
    pub next_update: String,
    /// `nextUpdate` as seconds since the Unix epoch (the start of that day, UTC).
    pub next_update_unix: u64,
    pub entries: Vec<Entry>,
}

/// The AuthenticatorStatus values that mean an authenticator must not be trusted, by default: its
/// attestation key or a user key was compromised, user verification can be bypassed, or it was revoked.
pub const REFUSED_BY_DEFAULT: &[&str] = &[
    "REVOKED",
    "ATTESTATION_KEY_COMPROMISE",
    "USER_VERIFICATION_BYPASS",
    "USER_KEY_REMOTE_COMPROMISE",
    "USER_KEY_PHYSICAL_COMPROMISE",
];

/// Which status reports refuse an authenticator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusPolicy {
    /// Status names that refuse it (default [`REFUSED_BY_DEFAULT`]).
    pub refused: Vec<String>,
    /// Refuse an attested registration whose authenticator has no entry (default `false`: the configured
    /// trust anchors alone decide).
    pub require_entry: bool,
}

impl Default for StatusPolicy {
    fn default() -> Self {
        StatusPolicy {
            refused: REFUSED_BY_DEFAULT.iter().map(|s| s.to_string()).collect(),
            require_entry: false,
        }
    }
}

impl StatusPolicy {
    /// Why `entry`'s status reports refuse an authenticator whose attestation trust path is `trust_path`, if
    /// they do. A report names a refused status; one of `ATTESTATION_KEY_COMPROMISE` that carries a
    /// `certificate` refuses only the trust paths that contain that certificate (the other batches' keys were
    /// not compromised). Every report counts, not only the latest: a later certification does not undo a
    /// compromised key.
    pub fn refusal(&self, entry: &Entry, trust_path: &[Vec<u8>]) -> Option<String> {
        entry.status_reports.iter().find_map(|r| {
            if !self.refused.contains(&r.status) {
                return None;
            }
            if r.status == "ATTESTATION_KEY_COMPROMISE" {
                if let Some(cert) = &r.certificate {
                    if !trust_path.iter().any(|c| c == cert) {
                        return None;
                    }
                }
            }
            let when = r.effective_date.as_deref().map(|d| format!(" (effective {d})")).unwrap_or_default();
            Some(format!("{} has a status report {}{when}", entry.name(), r.status))
        })
    }
}

impl Entry {
    /// The authenticator as messages name it: its description, else its AAGUID or first key identifier.
    pub fn name(&self) -> String {
        if let Some(d) = &self.description {
            return format!("the authenticator {d:?}");
        }
        match (&self.aaguid, self.key_identifiers.first()) {
            (Some(a), _) => format!("the authenticator with AAGUID {}", uuid_text(a)),
            (None, Some(k)) => format!("the authenticator with attestation key identifier {}", hex(k)),
            (None, None) => "an authenticator".into(),
        }
    }
}

/// Reads and verifies a metadata BLOB (MDS3: a JWS in compact serialization whose payload is the
/// MetadataBLOBPayload): the header's `x5c` chains to one of `roots` (DER) at `now` (seconds since the epoch),
/// the signature verifies with the key of `x5c[0]`, the payload reads, and `nextUpdate` is not past. The
/// error says which of these failed. Revocation lists are not fetched (no network): a revoked signing
/// certificate is not detected.
pub fn verify_blob(blob: &[u8], roots: &[Vec<u8>], now: u64) -> Result<Metadata, MetadataError> {
    let blob = blob.trim_ascii();
    let jws = wire::jws::parse_bytes_with(blob, wire::jws::Limits::METADATA)
        .map_err(|e| MetadataError::Malformed(e.to_string()))?;
    let x5c = jws.header.x5c.as_deref().filter(|c| !c.is_empty()).ok_or_else(|| {
        MetadataError::Malformed(
            "the JWS header carries no x5c certificates (an x5u URL would need a network fetch, which this \
             tool does not do)"
                .into(),
        )
    })?;
    if roots.is_empty() {
        return Err(MetadataError::Chain("no metadata root certificate is configured".into()));
    }
    crate::attestation::chains_to_anchor(x5c, roots, now).map_err(MetadataError::Chain)?;
    verify_jws_signature(&jws, &x5c[0]).map_err(MetadataError::Signature)?;
    let metadata = Metadata::from_payload(&jws.payload)?;
    metadata.check_fresh(now)?;
    Ok(metadata)
}

/// Verifies a JWS's signature with the public key of the certificate `signer` (DER), by the header's `alg`
/// (RFC 7518 §3.1; ECDSA signatures are `R || S`, RFC 7518 §3.4).
pub fn verify_jws_signature(jws: &wire::jws::Jws, signer: &[u8]) -> Result<(), String> {
    let alg = &jws.header.alg;
    let cose = wire::jws::cose_alg(alg)
        .ok_or_else(|| format!("the JWS alg {alg:?} is not a signature algorithm this verifier takes"))?;
    let cert = crate::attestation::x509::Certificate::from_der(signer)
        .map_err(|e| format!("the signing certificate does not parse: {e}"))?;
    let key = cert.public_key().map_err(|e| format!("the signing certificate's key: {e}"))?;
    let key = crate::crypto::CredentialKey::from_cose(&key.to_cose(cose))
        .map_err(|e| format!("the signing certificate's {} key cannot verify {alg}: {e}", key.describe()))?;
    let sig = match wire::jws::ecdsa_coordinate_len(cose) {
        Some(n) => wire::jws::ecdsa_raw_to_der(&jws.signature, n)
            .ok_or_else(|| format!("an {alg} signature is {} octets, not {}", jws.signature.len(), 2 * n))?,
        None => jws.signature.clone(),
    };
    key.verify(jws.signing_input(), &sig)
        .map_err(|e| format!("{alg} signature by the signing certificate's key: {e}"))
}

impl Metadata {
    /// Reads a BLOB payload (the JWS's payload bytes).
    pub fn from_payload(bytes: &[u8]) -> Result<Metadata, MetadataError> {
        if bytes.len() > MAX_PAYLOAD {
            return Err(MetadataError::TooLarge(bytes.len()));
        }
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| MetadataError::NotJson(e.to_string()))?;
        let Value::Object(top) = value else {
            return Err(MetadataError::NotJson("the top level is not an object".into()));
        };
        let legal_header = optional_string(&top, "legalHeader", "legalHeader")?;
        let no = match top.get("no") {
            Some(Value::Number(n)) => {
                n.as_u64().ok_or_else(|| member("no", "is not a non-negative integer"))?
            }
            Some(_) => return Err(member("no", "is not a number")),
            None => return Err(member("no", "is missing")),
        };
        let next_update = required_string(&top, "nextUpdate", "nextUpdate")?;
        let next_update_unix = date_to_unix(&next_update)
            .ok_or_else(|| member("nextUpdate", format!("{next_update:?} is not a date YYYY-MM-DD")))?;
        let list = match top.get("entries") {
            Some(Value::Array(a)) => a,
            Some(_) => return Err(member("entries", "is not an array")),
            None => return Err(member("entries", "is missing")),
        };
        if list.len() > MAX_ENTRIES {
            return Err(MetadataError::TooMany { at: "entries".into(), limit: MAX_ENTRIES });
        }
        let entries = list.iter().enumerate().map(|(i, e)| entry(i, e)).collect::<Result<Vec<_>, _>>()?;
        Ok(Metadata { legal_header, no, next_update, next_update_unix, entries })
    }

    /// Fails with [`MetadataError::Stale`] when `nextUpdate` is before the day of `now` (seconds since the
    /// epoch): the BLOB is out of date.
    pub fn check_fresh(&self, now: u64) -> Result<(), MetadataError> {
        // nextUpdate names a day: the BLOB is current through the end of it.
        if now >= self.next_update_unix.saturating_add(86_400) {
            return Err(MetadataError::Stale { next_update: self.next_update.clone() });
        }
        Ok(())
    }

    /// The entry of the authenticator with this AAGUID (when it is not zero), else the entry listing the key
    /// identifier of the attestation certificate `leaf` (DER) when one is given.
    pub fn find(&self, aaguid: Option<[u8; 16]>, leaf: Option<&[u8]>) -> Option<&Entry> {
        if let Some(a) = aaguid.filter(|a| *a != [0; 16]) {
            if let Some(e) = self.entries.iter().find(|e| e.aaguid == Some(a)) {
                return Some(e);
            }
        }
        let id = leaf.and_then(key_identifier)?;
        self.entries.iter().find(|e| e.key_identifiers.contains(&id))
    }
}

/// An attestation certificate's key identifier as MDS3 lists it: SHA-1 of the subjectPublicKey BIT STRING's
/// bytes (RFC 5280 §4.2.1.2 method 1). `None` when `der` is not a certificate.
pub fn key_identifier(der: &[u8]) -> Option<[u8; 20]> {
    use der::Decode;
    let cert = x509_cert::Certificate::from_der(der).ok()?;
    let bits = cert.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes();
    Some(Sha1::digest(bits).into())
}

fn member(at: impl Into<String>, why: impl Into<String>) -> MetadataError {
    MetadataError::Member { at: at.into(), why: why.into() }
}

fn required_string(obj: &Map<String, Value>, key: &str, at: &str) -> Result<String, MetadataError> {
    optional_string(obj, key, at)?.ok_or_else(|| member(at, "is missing"))
}

fn optional_string(obj: &Map<String, Value>, key: &str, at: &str) -> Result<Option<String>, MetadataError> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(member(at, "is not a string")),
    }
}

fn string_list(
    obj: &Map<String, Value>,
    key: &str,
    at: &str,
    limit: usize,
) -> Result<Vec<String>, MetadataError> {
    match obj.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => {
            if items.len() > limit {
                return Err(MetadataError::TooMany { at: at.into(), limit });
            }
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| member(format!("{at}[{i}]"), "is not a string"))
                })
                .collect()
        }
        Some(_) => Err(member(at, "is not an array")),
    }
}

fn entry(i: usize, v: &Value) -> Result<Entry, MetadataError> {
    let at = |m: &str| format!("entries[{i}].{m}");
    let Value::Object(e) = v else { return Err(member(format!("entries[{i}]"), "is not an object")) };
    let aaguid = optional_string(e, "aaguid", &at("aaguid"))?
        .map(|s| parse_uuid(&s).ok_or_else(|| member(at("aaguid"), format!("{s:?} is not a UUID"))))
        .transpose()?;
    let key_identifiers = string_list(
        e,
        "attestationCertificateKeyIdentifiers",
        &at("attestationCertificateKeyIdentifiers"),
        MAX_KEY_IDS,
    )?
    .iter()
    .enumerate()
    .map(|(k, s)| {
        parse_hex20(s).ok_or_else(|| {
            member(
                format!("{}[{k}]", at("attestationCertificateKeyIdentifiers")),
                format!("{s:?} is not 20 bytes of hex"),
            )
        })
    })
    .collect::<Result<Vec<_>, _>>()?;
    let (description, attestation_types, attestation_roots) = match e.get("metadataStatement") {
        None => (None, Vec::new(), Vec::new()),
        Some(Value::Object(s)) => {
            let sat = |m: &str| format!("entries[{i}].metadataStatement.{m}");
            let description = optional_string(s, "description", &sat("description"))?;
            let types = string_list(s, "attestationTypes", &sat("attestationTypes"), 16)?;
            let roots = string_list(
                s,
                "attestationRootCertificates",
                &sat("attestationRootCertificates"),
                MAX_ROOTS,
            )?
            .iter()
            .enumerate()
            .map(|(k, b)| {
                std_base64(b).ok_or_else(|| {
                    member(format!("{}[{k}]", sat("attestationRootCertificates")), "is not standard base64")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
            (description, types, roots)
        }
        Some(_) => return Err(member(at("metadataStatement"), "is not an object")),
    };
    let reports = match e.get("statusReports") {
        Some(Value::Array(r)) => r,
        Some(_) => return Err(member(at("statusReports"), "is not an array")),
        None => return Err(member(at("statusReports"), "is missing")),
    };
    if reports.len() > MAX_REPORTS {
        return Err(MetadataError::TooMany { at: at("statusReports"), limit: MAX_REPORTS });
    }
    let status_reports = reports
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let rat = |m: &str| format!("entries[{i}].statusReports[{k}].{m}");
            let Value::Object(r) = r else {
                return Err(member(format!("entries[{i}].statusReports[{k}]"), "is not an object"));
            };
            let certificate = optional_string(r, "certificate", &rat("certificate"))?
                .map(|b| std_base64(&b).ok_or_else(|| member(rat("certificate"), "is not standard base64")))
                .transpose()?;
            Ok(StatusReport {
                status: required_string(r, "status", &rat("status"))?,
                effective_date: optional_string(r, "effectiveDate", &rat("effectiveDate"))?,
                certificate,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let time_of_last_status_change =
        required_string(e, "timeOfLastStatusChange", &at("timeOfLastStatusChange"))?;
    if aaguid.is_none() && key_identifiers.is_empty() && !e.contains_key("aaid") {
        return Err(member(
            format!("entries[{i}]"),
            "names no authenticator (no aaguid, aaid or attestationCertificateKeyIdentifiers)",
        ));
    }
    Ok(Entry {
        aaguid,
        key_identifiers,
        description,
        attestation_types,
        attestation_roots,
        status_reports,
        time_of_last_status_change,
    })
}

/// A UUID in its 8-4-4-4-12 hex form.
pub fn parse_uuid(s: &str) -> Option<[u8; 16]> {
    let b = s.as_bytes();
    if b.len() != 36 || [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
        return None;
    }
    let digits: String = s.chars().filter(|&c| c != '-').collect();
    let bytes = unhex(&digits)?;
    bytes.try_into().ok()
}

/// A UUID's 8-4-4-4-12 text.
pub fn uuid_text(a: &[u8; 16]) -> String {
    let h = hex(a);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

fn parse_hex20(s: &str) -> Option<[u8; 20]> {
    unhex(s)?.try_into().ok()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 || !s.is_ascii() {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect()
}

/// Standard base64 with padding (RFC 4648 §4), as MDS3 encodes certificates: canonical, no whitespace.
fn std_base64(s: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}

/// `YYYY-MM-DD` as seconds since the epoch at 00:00 UTC that day.
pub fn date_to_unix(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !s.is_ascii() {
        return None;
    }
    let y: u16 = s[0..4].parse().ok()?;
    let m: u8 = s[5..7].parse().ok()?;
    let d: u8 = s[8..10].parse().ok()?;
    der::DateTime::new(y, m, d, 0, 0, 0).ok().map(|t| t.unix_duration().as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn payload(entries: Value) -> Vec<u8> {
        serde_json::to_vec(
            &json!({"legalHeader": "test", "no": 7, "nextUpdate": "2026-12-31", "entries": entries}),
        )
        .unwrap()
    }

    fn good_entry() -> Value {
        json!({
            "aaguid": "01020304-0506-0708-090a-0b0c0d0e0f10",
            "metadataStatement": {"description": "a key", "attestationTypes": ["basic_full"],
                                  "attestationRootCertificates": ["AQID"]},
            "statusReports": [{"status": "FIDO_CERTIFIED_L1", "effectiveDate": "2024-01-01"}],
            "timeOfLastStatusChange": "2024-01-01"
        })
    }

    #[test]
    fn reads_a_payload_and_finds_by_aaguid() {
        let m = Metadata::from_payload(&payload(json!([good_entry()]))).unwrap();
        assert_eq!(m.no, 7);
        assert_eq!(m.next_update_unix, date_to_unix("2026-12-31").unwrap());
        let a: [u8; 16] = core::array::from_fn(|i| i as u8 + 1);
        let e = m.find(Some(a), None).unwrap();
        assert_eq!(e.attestation_roots, vec![vec![1, 2, 3]]);
        assert!(m.find(Some([9; 16]), None).is_none());
        assert!(m.find(Some([0; 16]), None).is_none());
    }

    #[test]
    fn errors_name_the_member() {
        let mut e = good_entry();
        e["statusReports"][0].as_object_mut().unwrap().remove("status");
        let err = Metadata::from_payload(&payload(json!([good_entry(), e]))).unwrap_err();
        assert_eq!(err, member("entries[1].statusReports[0].status", "is missing"));
        let mut e = good_entry();
        e["aaguid"] = json!("0102");
        assert!(matches!(Metadata::from_payload(&payload(json!([e]))),
            Err(MetadataError::Member { at, .. }) if at == "entries[0].aaguid"));
        let mut e = good_entry();
        e["metadataStatement"]["attestationRootCertificates"] = json!(["AQ-D"]);
        assert!(matches!(Metadata::from_payload(&payload(json!([e]))),
            Err(MetadataError::Member { at, .. }) if at == "entries[0].metadataStatement.attestationRootCertificates[0]"));
        assert!(matches!(Metadata::from_payload(b"[1]"), Err(MetadataError::NotJson(_))));
        let no_date = serde_json::to_vec(&json!({"no": 1, "nextUpdate": "soon", "entries": []})).unwrap();
        assert!(
            matches!(Metadata::from_payload(&no_date), Err(MetadataError::Member { at, .. }) if at == "nextUpdate")
        );
    }

    #[test]
    fn freshness_is_the_end_of_next_update_day() {
        let m = Metadata::from_payload(&payload(json!([]))).unwrap();
        let day = date_to_unix("2026-12-31").unwrap();
        assert!(m.check_fresh(day + 86_399).is_ok());
        assert_eq!(
            m.check_fresh(day + 86_400),
            Err(MetadataError::Stale { next_update: "2026-12-31".into() })
        );
    }

    #[test]
    fn status_reports_refuse_by_policy() {
        let mut e = Metadata::from_payload(&payload(json!([good_entry()]))).unwrap().entries.remove(0);
        let p = StatusPolicy::default();
        assert_eq!(p.refusal(&e, &[]), None);
        e.status_reports.push(StatusReport {
            status: "ATTESTATION_KEY_COMPROMISE".into(),
            effective_date: None,
            certificate: Some(vec![7, 7]),
        });
        assert_eq!(p.refusal(&e, &[vec![1]]), None, "another batch's certificate was compromised");
        assert!(p.refusal(&e, &[vec![7, 7]]).unwrap().contains("ATTESTATION_KEY_COMPROMISE"));
        e.status_reports.push(StatusReport {
            status: "REVOKED".into(),
            effective_date: None,
            certificate: None,
        });
        assert!(p.refusal(&e, &[]).unwrap().contains("REVOKED"));
        assert_eq!(StatusPolicy { refused: vec![], require_entry: false }.refusal(&e, &[vec![7, 7]]), None);
    }

    #[test]
    fn dates_and_base64() {
        assert_eq!(date_to_unix("1970-01-01"), Some(0));
        assert_eq!(date_to_unix("2024-03-01"), Some(1_709_251_200));
        assert_eq!(date_to_unix("2024-13-01"), None);
        assert_eq!(std_base64("AQID"), Some(vec![1, 2, 3]));
        assert_eq!(std_base64("AQI="), Some(vec![1, 2]));
        assert_eq!(std_base64("AQ=="), Some(vec![1]));
        assert_eq!(std_base64("AQ="), None);
        assert_eq!(std_base64("A-=="), None);
        assert_eq!(parse_uuid("01020304-0506-0708-090a-0b0c0d0e0f10").map(|u| u[15]), Some(16));
        assert_eq!(uuid_text(&core::array::from_fn(|i| i as u8 + 1)), "01020304-0506-0708-090a-0b0c0d0e0f10");
    }
}
