//! The attestation object (WebAuthn §6.5, built as §6.5.4 "Generating an Attestation Object" describes).
//!
//! A CBOR map of three entries: `fmt`, the attestation statement format identifier (text, e.g. `"none"`,
//! `"packed"`); `attStmt`, the statement itself, whose structure `fmt` decides (a map for every single
//! format; an array of sub-statements for the `"compound"` format, §8.9); and `authData`, the authenticator
//! data as a byte string. The authenticator data is kept as raw bytes here, since those exact bytes are
//! what the attestation signature covers; the authdata module parses them.
//!
//! Parsing is strict CBOR ([`crate::cbor::decode`]: one item, no trailing bytes, no duplicate keys, bounded
//! by [`Limits::WEBAUTHN`]). Departures from CTAP2 canonical form are reported, not rejected, and entries
//! other than the three are kept in [`AttestationObject::extra`] so a verifier can decide what to do.

use crate::cbor::{self, CborError, Limits, NonCanonical, Value};

/// Why bytes are not an attestation object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttestationObjectError {
    /// The bytes are not one strict CBOR item within the limits (the source says where and why).
    #[error("attestation object is not acceptable CBOR: {source}")]
    Cbor {
        #[from]
        source: CborError,
    },
    /// The top-level item is not a map.
    #[error("attestation object is a CBOR {found}, not a map")]
    NotAMap { found: &'static str },
    /// One of `fmt`, `attStmt`, `authData` is absent (keys are text strings; checked in that order).
    #[error("attestation object has no {name:?} entry")]
    MissingField { name: &'static str },
    /// `fmt` is not a text string, `attStmt` not a map or array, or `authData` not a byte string.
    #[error("attestation object entry {name:?} is a CBOR {found}, expected a {expected}")]
    WrongFieldType { name: &'static str, expected: &'static str, found: &'static str },
}

/// An attestation object (§6.5.4).
#[derive(Debug, Clone, PartialEq)]
pub struct AttestationObject {
    /// `fmt`: the attestation statement format identifier (§8), which says how to read `att_stmt`.
    pub fmt: String,
    /// `attStmt`: the attestation statement. A map (`{ * tstr => any }`) for every single format, or an
    /// array (`[ * any ]`) as the §6.5.4 template allows and the `"compound"` format uses.
    pub att_stmt: Value,
    /// `authData`: the authenticator data (§6.1), raw: these bytes are signed, so they are not re-encoded.
    pub auth_data: Vec<u8>,
    /// Map entries other than `fmt`, `attStmt` and `authData`, in wire order. The §6.5.4 syntax has no
    /// room for them; a strict relying party rejects them.
    pub extra: Vec<(Value, Value)>,
}

/// The result of [`AttestationObject::parse`].
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedAttestationObject {
    pub object: AttestationObject,
    /// Where the bytes depart from CTAP2 canonical CBOR (§2.4 asks authenticators for it), in input order.
    /// Empty for canonical input.
    pub non_canonical: Vec<NonCanonical>,
}

impl ParsedAttestationObject {
    pub fn is_canonical(&self) -> bool {
        self.non_canonical.is_empty()
    }
}

impl AttestationObject {
    /// An attestation object with the three §6.5.4 entries and nothing else.
    pub fn new(fmt: &str, att_stmt: Value, auth_data: Vec<u8>) -> Self {
        AttestationObject { fmt: fmt.to_owned(), att_stmt, auth_data, extra: Vec::new() }
    }

    /// Parses an attestation object under [`Limits::WEBAUTHN`].
    pub fn parse(bytes: &[u8]) -> Result<ParsedAttestationObject, AttestationObjectError> {
        Self::parse_with_limits(bytes, &Limits::WEBAUTHN)
    }

    /// Parses an attestation object under the given CBOR limits.
    pub fn parse_with_limits(
        bytes: &[u8],
        limits: &Limits,
    ) -> Result<ParsedAttestationObject, AttestationObjectError> {
        let decoded = cbor::decode(bytes, limits)?;
        let entries = match decoded.value {
            Value::Map(entries) => entries,
            other => return Err(AttestationObjectError::NotAMap { found: other.kind() }),
        };
        let mut fmt = None;
        let mut att_stmt = None;
        let mut auth_data = None;
        let mut extra = Vec::new();
        // The CBOR decoder has already rejected (or, leniently, merged) duplicate keys, so each slot is filled
        // at most once.
        for (key, value) in entries {
            match key.as_text() {
                Some("fmt") => fmt = Some(value),
                Some("attStmt") => att_stmt = Some(value),
                Some("authData") => auth_data = Some(value),
                _ => extra.push((key, value)),
            }
        }
        let wrong = |name, expected, found: &Value| AttestationObjectError::WrongFieldType {
            name,
            expected,
            found: found.kind(),
        };
        let fmt = match fmt.ok_or(AttestationObjectError::MissingField { name: "fmt" })? {
            Value::Text(t) => t,
            other => return Err(wrong("fmt", "text string", &other)),
        };
        let att_stmt = match att_stmt.ok_or(AttestationObjectError::MissingField { name: "attStmt" })? {
            v @ (Value::Map(_) | Value::Array(_)) => v,
            other => return Err(wrong("attStmt", "map or array", &other)),
        };
        let auth_data = match auth_data.ok_or(AttestationObjectError::MissingField { name: "authData" })? {
            Value::Bytes(b) => b,
            other => return Err(wrong("authData", "byte string", &other)),
        };
        Ok(ParsedAttestationObject {
            object: AttestationObject { fmt, att_stmt, auth_data, extra },
            non_canonical: decoded.non_canonical,
        })
    }

    /// The CBOR map as written: `fmt`, `attStmt`, `authData`, then `extra` in order. Encode it with
    /// [`cbor::encode`] to keep that order (an unsorted map), or change it first to build odd inputs.
    pub fn to_value(&self) -> Value {
        let mut entries = Vec::with_capacity(3 + self.extra.len());
        entries.push((Value::from("fmt"), Value::Text(self.fmt.clone())));
        entries.push((Value::from("attStmt"), self.att_stmt.clone()));
        entries.push((Value::from("authData"), Value::Bytes(self.auth_data.clone())));
        entries.extend(self.extra.iter().cloned());
        Value::Map(entries)
    }

    /// The attestation object in CTAP2 canonical CBOR, as an authenticator emits it: keys sorted (so `fmt`,
    /// `attStmt`, `authData`), also inside `attStmt`. The struct is written as it is: an `extra` key equal
    /// to one of the three gives a map with a duplicate key.
    pub fn to_bytes(&self) -> Vec<u8> {
        cbor::encode_canonical(&self.to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    struct Vector {
        name: String,
        attestation_object: Vec<u8>,
        /// The assertion's authenticator data from the same example; it starts with the same rpIdHash.
        assertion_auth_data: Vec<u8>,
    }

    fn vectors() -> Vec<Vector> {
        let text = include_str!("../../../vectors/w3c/webauthn-l3-section16.json");
        let doc: serde_json::Value = serde_json::from_str(text).expect("vector file is JSON");
        let hex_of = |v: &serde_json::Value| hex::decode(v.as_str().expect("hex string")).expect("hex");
        let out: Vec<Vector> = doc["examples"]
            .as_array()
            .expect("examples")
            .iter()
            .map(|e| Vector {
                name: e["anchor"].as_str().expect("anchor").to_owned(),
                attestation_object: hex_of(&e["registration"]["attestationObject"]),
                assertion_auth_data: hex_of(&e["authentication"]["authenticatorData"]),
            })
            .collect();
        assert_eq!(out.len(), 15);
        out
    }

    #[test]
    fn section16_vectors_parse_and_reencode_exactly() {
        let mut formats = Vec::new();
        for v in vectors() {
            let parsed = AttestationObject::parse(&v.attestation_object).expect(&v.name);
            assert!(parsed.is_canonical(), "{}: {:?}", v.name, parsed.non_canonical);
            let obj = &parsed.object;
            assert!(obj.extra.is_empty(), "{}", v.name);
            assert!(matches!(obj.att_stmt, Value::Map(_)), "{}", v.name);
            assert!(obj.auth_data.len() >= 37, "{}", v.name);
            assert_eq!(obj.auth_data.get(..32), v.assertion_auth_data.get(..32), "{}", v.name);
            assert_eq!(obj.to_bytes(), v.attestation_object, "{}", v.name);
            // In canonical order already, so the as-written encoding matches too.
            assert_eq!(cbor::encode(&obj.to_value()), v.attestation_object, "{}", v.name);
            formats.push(obj.fmt.clone());
        }
        formats.sort();
        formats.dedup();
        assert_eq!(formats, ["android-key", "apple", "fido-u2f", "none", "packed", "tpm"]);
    }

    #[test]
    fn keeps_extra_entries_and_reports_non_canonical_order() {
        let obj = AttestationObject {
            fmt: "none".into(),
            att_stmt: Value::Map(vec![]),
            auth_data: vec![1, 2, 3],
            extra: vec![(Value::from(7i64), Value::Null), (Value::from("zzz"), Value::Bool(true))],
        };
        // As written (fmt, attStmt, authData, 7, "zzz") is not canonical order.
        let parsed = AttestationObject::parse(&cbor::encode(&obj.to_value())).unwrap();
        assert_eq!(parsed.object, obj);
        assert!(!parsed.is_canonical());
        assert_eq!(parsed.non_canonical[0].kind, cbor::NonCanonicalKind::UnsortedMapKeys);
        // Canonical: 7 sorts first.
        let bytes = obj.to_bytes();
        assert_eq!(bytes.get(..2), Some(&[0xa5, 0x07][..]));
        let parsed = AttestationObject::parse(&bytes).unwrap();
        assert!(parsed.is_canonical());
        assert_eq!(parsed.object, obj);
    }

    #[test]
    fn compound_att_stmt_array_is_accepted() {
        let sub = Value::Map(vec![
            (Value::from("fmt"), Value::from("none")),
            (Value::from("attStmt"), Value::Map(vec![])),
        ]);
        let obj = AttestationObject::new("compound", Value::Array(vec![sub.clone(), sub]), vec![0; 37]);
        assert_eq!(AttestationObject::parse(&obj.to_bytes()).unwrap().object, obj);
    }

    #[test]
    fn to_bytes_writes_duplicates_it_is_given() {
        let mut obj = AttestationObject::new("none", Value::Map(vec![]), vec![]);
        obj.extra.push((Value::from("fmt"), Value::from("packed")));
        let err = AttestationObject::parse(&obj.to_bytes()).unwrap_err();
        assert!(matches!(err, AttestationObjectError::Cbor { source: CborError::DuplicateMapKey { .. } }));
    }

    // ---- one test per error variant ----

    #[test]
    fn err_cbor() {
        let mut bytes = AttestationObject::new("none", Value::Map(vec![]), vec![]).to_bytes();
        bytes.push(0x00);
        let err = AttestationObject::parse(&bytes).unwrap_err();
        assert_eq!(
            err,
            AttestationObjectError::Cbor {
                source: CborError::TrailingBytes { offset: bytes.len() - 1, count: 1 }
            }
        );
        assert_eq!(
            AttestationObject::parse(&[]),
            Err(AttestationObjectError::Cbor { source: CborError::Empty })
        );
    }

    #[test]
    fn err_not_a_map() {
        assert_eq!(
            AttestationObject::parse(&[0x80]),
            Err(AttestationObjectError::NotAMap { found: "array" })
        );
        assert_eq!(
            AttestationObject::parse(&[0x40]),
            Err(AttestationObjectError::NotAMap { found: "byte string" })
        );
    }

    #[test]
    fn err_missing_field() {
        let full = AttestationObject::new("none", Value::Map(vec![]), vec![]).to_value();
        for name in ["fmt", "attStmt", "authData"] {
            let Value::Map(entries) = full.clone() else { unreachable!() };
            let without =
                Value::Map(entries.into_iter().filter(|(k, _)| k.as_text() != Some(name)).collect());
            assert_eq!(
                AttestationObject::parse(&cbor::encode(&without)),
                Err(AttestationObjectError::MissingField { name }),
            );
        }
        // Keys are text: an integer key 1 is not "fmt".
        let ints = Value::Map(vec![(Value::from(1i64), Value::from("none"))]);
        assert_eq!(
            AttestationObject::parse(&cbor::encode(&ints)),
            Err(AttestationObjectError::MissingField { name: "fmt" })
        );
    }

    #[test]
    fn err_wrong_field_type() {
        let good = AttestationObject::new("none", Value::Map(vec![]), vec![]);
        let cases = [
            ("fmt", Value::Bytes(b"none".to_vec()), "text string", "byte string"),
            ("attStmt", Value::Null, "map or array", "null"),
            ("attStmt", Value::Text("x".into()), "map or array", "text string"),
            ("authData", Value::Text("x".into()), "byte string", "text string"),
            ("authData", Value::Array(vec![]), "byte string", "array"),
        ];
        for (name, replacement, expected, found) in cases {
            let Value::Map(entries) = good.to_value() else { unreachable!() };
            let changed = Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| if k.as_text() == Some(name) { (k, replacement.clone()) } else { (k, v) })
                    .collect(),
            );
            assert_eq!(
                AttestationObject::parse(&cbor::encode_canonical(&changed)),
                Err(AttestationObjectError::WrongFieldType { name, expected, found })
            );
        }
    }

    // ---- hostile input ----

    #[test]
    fn hostile_inputs_fail_fast_with_typed_errors() {
        let start = std::time::Instant::now();
        // authData declaring 2^32 bytes.
        let mut bytes = vec![0xa3, 0x63, b'f', b'm', b't', 0x64, b'n', b'o', b'n', b'e'];
        bytes.extend_from_slice(&[0x67, b'a', b't', b't', b'S', b't', b'm', b't', 0xa0]);
        bytes.extend_from_slice(&[0x68, b'a', b'u', b't', b'h', b'D', b'a', b't', b'a']);
        bytes.extend_from_slice(&[0x5b, 0, 0, 0, 1, 0, 0, 0, 0]);
        assert!(matches!(
            AttestationObject::parse(&bytes),
            Err(AttestationObjectError::Cbor { source: CborError::LengthExceedsInput { .. } })
        ));
        // A map declaring 2^64-1 entries.
        let huge_map = [0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert!(matches!(
            AttestationObject::parse(&huge_map),
            Err(AttestationObjectError::Cbor { source: CborError::LengthExceedsInput { .. } })
        ));
        // 10 MB.
        let big = vec![0x80; 10 * 1024 * 1024];
        assert!(matches!(
            AttestationObject::parse(&big),
            Err(AttestationObjectError::Cbor { source: CborError::InputTooLarge { .. } })
        ));
        // Deeply nested attStmt.
        let mut deep = vec![0xa3, 0x63, b'f', b'm', b't', 0x64, b'n', b'o', b'n', b'e'];
        deep.extend_from_slice(&[0x67, b'a', b't', b't', b'S', b't', b'm', b't']);
        deep.extend(std::iter::repeat_n(0x81, 1000));
        deep.push(0x00);
        assert!(matches!(
            AttestationObject::parse(&deep),
            Err(AttestationObjectError::Cbor { source: CborError::DepthExceeded { .. } })
        ));
        // Caller-chosen limits apply.
        let small = Limits { max_input_len: 8, ..Limits::WEBAUTHN };
        let v = &vectors()[0];
        assert!(matches!(
            AttestationObject::parse_with_limits(&v.attestation_object, &small),
            Err(AttestationObjectError::Cbor { source: CborError::InputTooLarge { max: 8, .. } })
        ));
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
    }

    // ---- property tests ----

    fn arb_cbor(depth: u32) -> BoxedStrategy<Value> {
        let leaf = prop_oneof![
            any::<u64>().prop_map(Value::Unsigned),
            any::<u64>().prop_map(Value::Negative),
            prop::collection::vec(any::<u8>(), 0..16).prop_map(Value::Bytes),
            ".{0,8}".prop_map(Value::Text),
            any::<bool>().prop_map(Value::Bool),
            Just(Value::Null),
            Just(Value::Undefined),
            prop_oneof![0u8..20, 32u8..=255].prop_map(Value::Simple),
            // Finite floats: NaN payloads need not survive the shortest-float encoding.
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::Float),
        ];
        leaf.prop_recursive(depth, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((inner.clone(), inner.clone()), 0..4).prop_map(canonical_map),
                (0u64..100_000, inner).prop_map(|(t, v)| Value::Tag(t, Box::new(v))),
            ]
        })
        .boxed()
    }

    /// Entries without duplicate keys, in canonical key order (so a canonical encode keeps them in place).
    fn canonical_entries(entries: Vec<(Value, Value)>) -> Vec<(Value, Value)> {
        let mut keyed: Vec<(Vec<u8>, (Value, Value))> =
            entries.into_iter().map(|(k, v)| (cbor::encode_canonical(&k), (k, v))).collect();
        keyed.sort_by(|a, b| cbor::canonical_order(&a.0, &b.0));
        keyed.dedup_by(|a, b| a.0 == b.0);
        keyed.into_iter().map(|(_, e)| e).collect()
    }

    fn canonical_map(entries: Vec<(Value, Value)>) -> Value {
        Value::Map(canonical_entries(entries))
    }

    fn arb_attestation_object() -> impl Strategy<Value = AttestationObject> {
        let att_stmt = prop_oneof![
            prop::collection::vec((".{0,6}".prop_map(Value::Text), arb_cbor(2)), 0..5)
                .prop_map(canonical_map),
            prop::collection::vec(arb_cbor(2), 0..3).prop_map(Value::Array),
        ];
        let extra = prop::collection::vec((arb_cbor(1), arb_cbor(1)), 0..3).prop_map(|entries| {
            let reserved = ["fmt", "attStmt", "authData"];
            canonical_entries(
                entries
                    .into_iter()
                    .filter(|(k, _)| !k.as_text().is_some_and(|t| reserved.contains(&t)))
                    .collect(),
            )
        });
        (".{0,12}", att_stmt, prop::collection::vec(any::<u8>(), 0..300), extra).prop_map(
            |(fmt, att_stmt, auth_data, extra)| AttestationObject { fmt, att_stmt, auth_data, extra },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn prop_build_then_parse_round_trips(obj in arb_attestation_object()) {
            let bytes = obj.to_bytes();
            let parsed = AttestationObject::parse(&bytes).unwrap();
            prop_assert_eq!(&parsed.object, &obj);
            prop_assert_eq!(parsed.object.to_bytes(), bytes);
        }

        #[test]
        fn prop_arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = AttestationObject::parse(&bytes);
        }

        #[test]
        fn prop_cbor_shaped_bytes_never_panic(mut bytes in prop::collection::vec(any::<u8>(), 0..128)) {
            // Start like an attestation object so decoding gets further.
            let mut input = vec![0xa3, 0x63, b'f', b'm', b't'];
            input.append(&mut bytes);
            let _ = AttestationObject::parse(&input);
        }

        #[test]
        fn prop_vector_with_flipped_or_cut_byte_never_panics(
            which in any::<prop::sample::Index>(),
            pick in any::<prop::sample::Index>(),
            flip in 1u8..=255,
        ) {
            let all = vectors();
            let v = &all[which.index(all.len())];
            let at = pick.index(v.attestation_object.len());
            let mut changed = v.attestation_object.clone();
            changed[at] ^= flip;
            if let Ok(parsed) = AttestationObject::parse(&changed) {
                // Whatever parses re-encodes canonically, and that encoding is a fixed point.
                let once = parsed.object.to_bytes();
                let again = AttestationObject::parse(&once).unwrap();
                // (Tags stay: canonical form admits none, so the decoder reports each one.)
                prop_assert!(again.non_canonical.iter().all(|n| n.kind == cbor::NonCanonicalKind::Tag));
                prop_assert_eq!(again.object.to_bytes(), once);
            }
            prop_assert!(AttestationObject::parse(&v.attestation_object[..at]).is_err());
        }
    }
}
