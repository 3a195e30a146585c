//! JWS Compact Serialization (RFC 7515 §7.1): `BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(signature)`.
//!
//! The `android-safetynet` attestation statement (WebAuthn §8.5) carries one as its `response`, and a FIDO
//! metadata BLOB (MDS3) is one. This module reads the three segments strictly and bounded, and builds them:
//!
//! * **Segments**: exactly three, separated by `.`; each strict unpadded base64url ([`crate::base64url`]:
//!   RFC 7515 §2 defines Base64url Encoding "with all trailing '=' characters omitted"). A segment that is not
//!   says which one ([`Segment`]).
//! * **Protected header**: a JSON object (RFC 7515 §4), read through [`crate::json::parse`] (its size limit and
//!   serde_json's nesting limit), with a member given twice rejected (RFC 7515 §4 lets a parser reject
//!   duplicate Header Parameter names). `alg` must be a string; `x5c`, when present, an array of *standard*
//!   base64 (padded, RFC 4648 §4) DER certificates (RFC 7515 §4.1.6), at most [`Limits::max_x5c`] of them.
//!   A `crit` member is refused: this parser understands no extension (RFC 7515 §4.1.11). Every other member
//!   is kept in [`Header::members`].
//! * **Signing input**: `ASCII(BASE64URL(UTF8(header))) || '.' || BASE64URL(payload)` (RFC 7515 §5.2), the
//!   bytes as they were received (never re-encoded).
//! * **Limits**: the whole serialization is refused over [`Limits::max_len`] bytes before any segment is
//!   decoded.
//!
//! The algorithm names of RFC 7518 §3.1 map to COSE algorithm identifiers ([`cose_alg`]) so a verifier can use
//! its COSE signature verification; ECDSA signatures in a JWS are the raw `R || S` octets (RFC 7518 §3.4), not
//! DER: [`ecdsa_raw_to_der`] and [`ecdsa_der_to_raw`] convert.
//!
//! [`build`] and [`build_raw`] write a compact serialization from a header, a payload and a signing closure.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};
use thiserror::Error;

use crate::base64url::{self, Base64Error};
use crate::der;
use crate::json::{self, kind, JsonError};

/// How much a parse reads at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest compact serialization accepted, in bytes.
    pub max_len: usize,
    /// The most certificates `x5c` may hold.
    pub max_x5c: usize,
}

impl Limits {
    /// For an attestation statement (a SafetyNet response is a few KiB): 64 KiB, 8 certificates.
    pub const ATTESTATION: Limits = Limits { max_len: 64 * 1024, max_x5c: 8 };
    /// For a metadata BLOB (every authenticator's statement in one payload): 32 MiB, 8 certificates.
    pub const METADATA: Limits = Limits { max_len: 32 * 1024 * 1024, max_x5c: 8 };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::ATTESTATION
    }
}

/// One of the three parts of a compact serialization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    Header,
    Payload,
    Signature,
}

impl std::fmt::Display for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Segment::Header => "protected header",
            Segment::Payload => "payload",
            Segment::Signature => "signature",
        })
    }
}

/// Why bytes are not a JWS compact serialization.
#[derive(Debug, Error)]
pub enum JwsError {
    /// Longer than [`Limits::max_len`]; nothing was decoded.
    #[error("JWS of {len} bytes exceeds the limit of {limit} bytes")]
    TooLarge { len: usize, limit: usize },
    /// The bytes are not UTF-8 (a compact serialization is ASCII).
    #[error("JWS is not UTF-8 (invalid byte at offset {valid_up_to})")]
    NotUtf8 { valid_up_to: usize },
    /// Not three `.`-separated segments.
    #[error("JWS compact serialization has {found} segment(s), not 3 (header.payload.signature)")]
    Segments { found: usize },
    /// A segment is not strict unpadded base64url.
    #[error("JWS {segment} is not strict base64url: {source}")]
    Base64 { segment: Segment, source: Base64Error },
    /// The protected header is not a JSON object (or is too deep, or has a member twice).
    #[error("JWS protected header is not a JSON object: {source}")]
    HeaderJson { source: JsonError },
    /// A header member is missing or of the wrong type.
    #[error("JWS protected header member `{member}`: {problem}")]
    HeaderMember { member: &'static str, problem: String },
    /// An `x5c` entry is not standard base64 (RFC 7515 §4.1.6).
    #[error("JWS header `x5c[{index}]` is not standard base64: {problem}")]
    X5cBase64 { index: usize, problem: String },
    /// More certificates than [`Limits::max_x5c`].
    #[error("JWS header `x5c` holds {count} certificates, more than the limit of {limit}")]
    TooManyCertificates { count: usize, limit: usize },
    /// The header names critical extensions (`crit`), none of which this parser understands.
    #[error("JWS header lists critical extensions (`crit`), which this parser does not understand")]
    CriticalExtensions,
    /// The payload is not a JSON object (only from [`Jws::payload_json`]).
    #[error("JWS payload is not a JSON object: {source}")]
    PayloadJson { source: JsonError },
}

/// The protected header.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// `alg` (RFC 7515 §4.1.1).
    pub alg: String,
    /// `x5c` (RFC 7515 §4.1.6) decoded: DER certificates, the signer's first. `None` when absent.
    pub x5c: Option<Vec<Vec<u8>>>,
    /// Every member, `alg` and `x5c` included, as received.
    pub members: Map<String, Value>,
}

/// A parsed compact serialization.
#[derive(Debug, Clone, PartialEq)]
pub struct Jws {
    pub header: Header,
    /// The decoded header bytes (UTF-8 JSON).
    pub header_bytes: Vec<u8>,
    pub payload: Vec<u8>,
    pub signature: Vec<u8>,
    signing_input: Vec<u8>,
}

impl Jws {
    /// `ASCII(BASE64URL(header)) || '.' || BASE64URL(payload)` as received (RFC 7515 §5.2).
    pub fn signing_input(&self) -> &[u8] {
        &self.signing_input
    }

    /// The payload read as a JSON object (through [`crate::json::parse`], members given twice refused).
    pub fn payload_json(&self) -> Result<Map<String, Value>, JwsError> {
        json::parse::<StrictObject>(&self.payload)
            .map(|o| o.0)
            .map_err(|source| JwsError::PayloadJson { source })
    }
}

/// Parses a compact serialization from bytes (which must be UTF-8) with the [`Limits::ATTESTATION`] limits.
pub fn parse_bytes(bytes: &[u8]) -> Result<Jws, JwsError> {
    parse_bytes_with(bytes, Limits::ATTESTATION)
}

/// Parses a compact serialization from bytes with the given limits.
pub fn parse_bytes_with(bytes: &[u8], limits: Limits) -> Result<Jws, JwsError> {
    if bytes.len() > limits.max_len {
        return Err(JwsError::TooLarge { len: bytes.len(), limit: limits.max_len });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| JwsError::NotUtf8 { valid_up_to: e.valid_up_to() })?;
    parse_with(text, limits)
}

/// Parses a compact serialization with the [`Limits::ATTESTATION`] limits.
pub fn parse(text: &str) -> Result<Jws, JwsError> {
    parse_with(text, Limits::ATTESTATION)
}

/// Parses a compact serialization with the given limits.
pub fn parse_with(text: &str, limits: Limits) -> Result<Jws, JwsError> {
    if text.len() > limits.max_len {
        return Err(JwsError::TooLarge { len: text.len(), limit: limits.max_len });
    }
    let parts: Vec<&str> = text.splitn(4, '.').collect();
    let [h, p, s] = parts[..] else {
        return Err(JwsError::Segments { found: text.split('.').count() });
    };
    let decode =
        |segment, s: &str| base64url::decode(s).map_err(|source| JwsError::Base64 { segment, source });
    let header_bytes = decode(Segment::Header, h)?;
    let payload = decode(Segment::Payload, p)?;
    let signature = decode(Segment::Signature, s)?;
    let header = parse_header(&header_bytes, limits)?;
    let signing_input = text.as_bytes()[..h.len() + 1 + p.len()].to_vec();
    Ok(Jws { header, header_bytes, payload, signature, signing_input })
}

fn parse_header(bytes: &[u8], limits: Limits) -> Result<Header, JwsError> {
    let members = json::parse::<StrictObject>(bytes).map_err(|source| JwsError::HeaderJson { source })?.0;
    if members.contains_key("crit") {
        return Err(JwsError::CriticalExtensions);
    }
    let alg = match members.get("alg") {
        Some(Value::String(a)) => a.clone(),
        Some(other) => {
            return Err(JwsError::HeaderMember {
                member: "alg",
                problem: format!("not a string: {}", kind(other)),
            })
        }
        None => return Err(JwsError::HeaderMember { member: "alg", problem: "missing".to_owned() }),
    };
    let x5c = match members.get("x5c") {
        None => None,
        Some(Value::Array(items)) => {
            if items.len() > limits.max_x5c {
                return Err(JwsError::TooManyCertificates { count: items.len(), limit: limits.max_x5c });
            }
            let mut certs = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                let Value::String(s) = item else {
                    return Err(JwsError::X5cBase64 {
                        index,
                        problem: format!("not a string: {}", kind(item)),
                    });
                };
                certs.push(
                    STANDARD.decode(s).map_err(|e| JwsError::X5cBase64 { index, problem: e.to_string() })?,
                );
            }
            Some(certs)
        }
        Some(other) => {
            return Err(JwsError::HeaderMember {
                member: "x5c",
                problem: format!("not an array: {}", kind(other)),
            })
        }
    };
    Ok(Header { alg, x5c, members })
}

/// A JSON object whose members are unique (a duplicate is a deserialization error).
struct StrictObject(Map<String, Value>);

impl<'de> Deserialize<'de> for StrictObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrictObject;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StrictObject, A::Error> {
                let mut out = Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    if out.contains_key(&key) {
                        return Err(serde::de::Error::custom(format!("member `{key}` given twice")));
                    }
                    let value: Value = map.next_value()?;
                    out.insert(key, value);
                }
                Ok(StrictObject(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Writes a compact serialization: the header serialized as compact JSON, then [`build_raw`].
pub fn build(header: &Map<String, Value>, payload: &[u8], sign: impl FnOnce(&[u8]) -> Vec<u8>) -> String {
    // A Map of Values always serializes.
    let header_bytes = serde_json::to_vec(header).unwrap_or_default();
    build_raw(&header_bytes, payload, sign)
}

/// Writes a compact serialization from header bytes as given (so a test can write a malformed header):
/// `sign` receives the signing input and returns the signature octets.
pub fn build_raw(header: &[u8], payload: &[u8], sign: impl FnOnce(&[u8]) -> Vec<u8>) -> String {
    let mut out = base64url::encode(header);
    out.push('.');
    out.push_str(&base64url::encode(payload));
    let signature = sign(out.as_bytes());
    out.push('.');
    out.push_str(&base64url::encode(&signature));
    out
}

/// The `x5c` header value for DER certificates: standard padded base64 strings (RFC 7515 §4.1.6).
pub fn x5c_value(certs: &[Vec<u8>]) -> Value {
    Value::Array(certs.iter().map(|c| Value::String(STANDARD.encode(c))).collect())
}

/// The COSE algorithm identifier (IANA COSE Algorithms) of a JWS `alg` name (RFC 7518 §3.1, RFC 8037 §3.1),
/// for the signature algorithms WebAuthn uses; `None` for `none`, the MACs and anything else.
pub fn cose_alg(alg: &str) -> Option<i64> {
    Some(match alg {
        "ES256" => -7,
        "ES384" => -35,
        "ES512" => -36,
        "EdDSA" => -8,
        "RS256" => -257,
        "RS384" => -258,
        "RS512" => -259,
        "PS256" => -37,
        "PS384" => -38,
        "PS512" => -39,
        _ => return None,
    })
}

/// The octet length of each of R and S in a JWS ECDSA signature (RFC 7518 §3.4) for a COSE ECDSA algorithm.
pub fn ecdsa_coordinate_len(cose_alg: i64) -> Option<usize> {
    match cose_alg {
        -7 => Some(32),
        -35 => Some(48),
        -36 => Some(66),
        _ => None,
    }
}

/// An ECDSA signature in JWS form (`R || S`, each `n` octets, RFC 7518 §3.4) as a DER `Ecdsa-Sig-Value`;
/// `None` when the length is not `2n`.
pub fn ecdsa_raw_to_der(raw: &[u8], n: usize) -> Option<Vec<u8>> {
    if n == 0 || raw.len() != 2 * n {
        return None;
    }
    let (r, s) = raw.split_at(n);
    let mut seq = der::uint(r);
    seq.extend(der::uint(s));
    Some(der::tlv(&[0x30], &seq))
}

/// A DER `Ecdsa-Sig-Value` as the JWS form `R || S`, each left-padded to `n` octets; `None` when it is not
/// a SEQUENCE of two non-negative INTEGERs that fit.
pub fn ecdsa_der_to_raw(sig: &[u8], n: usize) -> Option<Vec<u8>> {
    let seq = der::read_one(sig).ok()?;
    if !seq.is_universal(der::SEQUENCE, true) {
        return None;
    }
    let ints = der::children(seq.value, 2).ok()?;
    let [r, s] = &ints[..] else { return None };
    let mut out = Vec::with_capacity(2 * n);
    for int in [r, s] {
        if !int.is_universal(der::INTEGER, false) {
            return None;
        }
        let mag: Vec<u8> = int.value.iter().copied().skip_while(|&b| b == 0).collect();
        if mag.len() > n || int.value.first().is_some_and(|b| b & 0x80 != 0) {
            return None;
        }
        out.extend(std::iter::repeat_n(0, n - mag.len()));
        out.extend(mag);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn header(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn round_trip_with_x5c() {
        let certs = vec![vec![0x30, 0x03, 0x02, 0x01, 0x01], vec![0x30, 0x00]];
        let h = header(json!({"alg": "RS256", "x5c": x5c_value(&certs), "kid": "k"}));
        let mut seen = Vec::new();
        let s = build(&h, b"{\"nonce\":\"x\"}", |input| {
            seen = input.to_vec();
            vec![1, 2, 3]
        });
        let jws = parse(&s).unwrap();
        assert_eq!(jws.header.alg, "RS256");
        assert_eq!(jws.header.x5c.as_deref(), Some(&certs[..]));
        assert_eq!(jws.header.members["kid"], "k");
        assert_eq!(jws.payload, b"{\"nonce\":\"x\"}");
        assert_eq!(jws.signature, [1, 2, 3]);
        assert_eq!(jws.signing_input(), &seen[..]);
        assert_eq!(jws.signing_input(), s.rsplit_once('.').unwrap().0.as_bytes());
        assert_eq!(jws.payload_json().unwrap()["nonce"], "x");
    }

    #[test]
    fn rfc7515_appendix_a2_example_parses() {
        // RFC 7515 Appendix A.2: the RS256 example's header and payload segments (signature shortened).
        let s = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.AAEC";
        let jws = parse(s).unwrap();
        assert_eq!(jws.header.alg, "RS256");
        assert!(jws.header.x5c.is_none());
        assert_eq!(jws.payload_json().unwrap()["iss"], "joe");
        assert_eq!(jws.signature, [0, 1, 2]);
    }

    #[test]
    fn segment_count() {
        assert!(matches!(parse("a.b"), Err(JwsError::Segments { found: 2 })));
        assert!(matches!(parse("a.b.c.d"), Err(JwsError::Segments { found: 4 })));
        assert!(matches!(parse(""), Err(JwsError::Segments { found: 1 })));
    }

    #[test]
    fn each_segment_is_strict_base64url() {
        let good = build(&header(json!({"alg": "ES256"})), b"{}", |_| vec![9; 4]);
        let parts: Vec<&str> = good.split('.').collect();
        let padded = format!("{}.{}.{}=", parts[0], parts[1], parts[2]);
        assert!(matches!(
            parse(&padded),
            Err(JwsError::Base64 { segment: Segment::Signature, source: Base64Error::Padding { .. } })
        ));
        let plus = format!("{}.a+b.{}", parts[0], parts[2]);
        assert!(matches!(parse(&plus), Err(JwsError::Base64 { segment: Segment::Payload, .. })));
        let bad_header = format!("e/.{}.{}", parts[1], parts[2]);
        assert!(matches!(parse(&bad_header), Err(JwsError::Base64 { segment: Segment::Header, .. })));
    }

    #[test]
    fn header_members() {
        let s = |h: &[u8]| build_raw(h, b"{}", |_| vec![]);
        assert!(matches!(parse(&s(b"[]")), Err(JwsError::HeaderJson { .. })));
        assert!(matches!(parse(&s(b"{")), Err(JwsError::HeaderJson { .. })));
        assert!(matches!(parse(&s(br#"{"alg":"a","alg":"b"}"#)), Err(JwsError::HeaderJson { .. })));
        assert!(matches!(parse(&s(b"{}")), Err(JwsError::HeaderMember { member: "alg", .. })));
        assert!(matches!(parse(&s(br#"{"alg":1}"#)), Err(JwsError::HeaderMember { member: "alg", .. })));
        assert!(matches!(
            parse(&s(br#"{"alg":"RS256","x5c":"MA=="}"#)),
            Err(JwsError::HeaderMember { member: "x5c", .. })
        ));
        assert!(matches!(
            parse(&s(br#"{"alg":"RS256","x5c":["MA"]}"#)),
            Err(JwsError::X5cBase64 { index: 0, .. })
        ));
        assert!(matches!(
            parse(&s(br#"{"alg":"RS256","x5c":["MA==",1]}"#)),
            Err(JwsError::X5cBase64 { index: 1, .. })
        ));
        assert!(matches!(parse(&s(br#"{"alg":"RS256","crit":["b64"]}"#)), Err(JwsError::CriticalExtensions)));
        let many = format!(r#"{{"alg":"RS256","x5c":[{}]}}"#, ["\"MA==\""; 9].join(","));
        assert!(matches!(
            parse(&s(many.as_bytes())),
            Err(JwsError::TooManyCertificates { count: 9, limit: 8 })
        ));
        let deep = format!(r#"{{"alg":"RS256","x":{}{}}}"#, "[".repeat(200), "]".repeat(200));
        assert!(matches!(parse(&s(deep.as_bytes())), Err(JwsError::HeaderJson { .. })));
    }

    #[test]
    fn limits_and_utf8() {
        let long = "a".repeat(Limits::ATTESTATION.max_len + 1);
        assert!(matches!(parse(&long), Err(JwsError::TooLarge { .. })));
        assert!(parse_with(&format!("{long}.."), Limits::METADATA).is_err());
        assert!(matches!(parse_bytes(b"ab\xff.c.d"), Err(JwsError::NotUtf8 { valid_up_to: 2 })));
        let not_json = build(&header(json!({"alg": "ES256"})), b"not json", |_| vec![]);
        assert!(matches!(parse(&not_json).unwrap().payload_json(), Err(JwsError::PayloadJson { .. })));
    }

    #[test]
    fn ecdsa_forms_convert_both_ways() {
        let mut raw = vec![0u8; 64];
        raw[0] = 0x80; // R with the high bit set: DER needs a leading zero
        raw[63] = 1; // S = 1
        let der_sig = ecdsa_raw_to_der(&raw, 32).unwrap();
        assert_eq!(der_sig[..5], [0x30, 0x26, 0x02, 0x21, 0x00]);
        assert_eq!(ecdsa_der_to_raw(&der_sig, 32).unwrap(), raw);
        assert!(ecdsa_raw_to_der(&raw[..63], 32).is_none());
        assert!(ecdsa_der_to_raw(&der_sig, 16).is_none());
        assert_eq!(cose_alg("RS256"), Some(-257));
        assert_eq!(cose_alg("none"), None);
        assert_eq!(ecdsa_coordinate_len(-7), Some(32));
    }
}
