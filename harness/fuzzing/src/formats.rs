//! Entry points for the wire formats: each parses arbitrary bytes, and where a value comes back, rebuilds it
//! with the format's builder and parses the result again, which must give the same value.
//!
//! What "the same" means is stated per format below. Where the input was already in canonical form, the
//! rebuilt bytes must also equal the input, with one stated exception: floating-point NaNs, whose payload
//! and quiet bit do not survive the trip through `f64` that the CBOR decoder makes (CBOR NaNs occur nowhere
//! in WebAuthn; the value still round-trips).

use serde_json::Value as Json;
use wire::attestation_object::AttestationObject;
use wire::authdata::{AuthenticatorData, ParsedAuthenticatorData};
use wire::cbor::{self, Limits, NonCanonicalKind, Value};
use wire::client_data::{self, CollectedClientData, MAX_CLIENT_DATA_LEN};
use wire::cose::CoseKey;

/// `cbor`: [`cbor::decode`] and [`cbor::decode_prefix`] agree with each other; a decoded value re-encodes
/// with [`cbor::encode`] and [`cbor::encode_canonical`] to bytes that decode to the same value (map entries
/// sorted, for the canonical form), with no departure from canonical form other than the ones the builder
/// is documented to keep (unsorted keys for `encode`, tags for both); canonical input is reproduced exactly.
pub fn cbor(data: &[u8]) {
    let limits = Limits::WEBAUTHN;
    let prefix = cbor::decode_prefix(data, &limits);
    let whole = cbor::decode(data, &limits);
    match (&prefix, &whole) {
        (Ok(p), Ok(w)) => {
            assert_eq!(p.consumed, data.len(), "decode accepted an item that does not fill the input");
            assert_eq!(p, w, "decode and decode_prefix disagree");
        }
        (Ok(p), Err(e)) => {
            assert!(p.consumed < data.len(), "decode rejected what decode_prefix read whole: {e}");
            assert_eq!(
                *e,
                cbor::CborError::TrailingBytes { offset: p.consumed, count: data.len() - p.consumed },
                "decode's only objection to a readable prefix is the trailing bytes"
            );
        }
        (Err(pe), Err(we)) => assert_eq!(pe, we, "decode and decode_prefix fail differently"),
        (Err(e), Ok(_)) => panic!("decode accepted what decode_prefix rejected: {e}"),
    }
    let Ok(p) = prefix else { return };
    assert!(p.consumed > 0, "an item of zero bytes");
    let Some(item) = data.get(..p.consumed) else {
        panic!("consumed {} of {} bytes", p.consumed, data.len())
    };
    cbor_round_trip(&p.value, p.is_canonical(), item);
}

/// The rebuild half of [`cbor`], for a value decoded from `input` (exactly its bytes).
fn cbor_round_trip(value: &Value, canonical_input: bool, input: &[u8]) {
    let limits = Limits::WEBAUTHN;
    let plain = cbor::encode(value);
    let again =
        cbor::decode(&plain, &limits).unwrap_or_else(|e| panic!("encode's output does not decode: {e}"));
    assert_eq!(again.value, *value, "encode then decode changed the value");
    assert!(
        again
            .non_canonical
            .iter()
            .all(|n| matches!(n.kind, NonCanonicalKind::UnsortedMapKeys | NonCanonicalKind::Tag)),
        "encode wrote a non-minimal header: {:?}",
        again.non_canonical
    );

    let canonical = cbor::encode_canonical(value);
    let again = cbor::decode(&canonical, &limits)
        .unwrap_or_else(|e| panic!("encode_canonical's output does not decode: {e}"));
    assert_eq!(again.value, sorted(value), "encode_canonical then decode is not the sorted value");
    assert!(
        again.non_canonical.iter().all(|n| n.kind == NonCanonicalKind::Tag),
        "encode_canonical wrote non-canonical CBOR: {:?}",
        again.non_canonical
    );
    assert_eq!(cbor::encode_canonical(&again.value), canonical, "encode_canonical is not idempotent");

    if canonical_input && !contains_nan(value) {
        assert_eq!(canonical, input, "canonical input is not reproduced by encode_canonical");
        assert_eq!(plain, input, "canonical input is not reproduced by encode");
    }
}

/// The value with every map's entries in CTAP2 canonical order of their encoded keys.
pub fn sorted(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        Value::Map(entries) => {
            let mut entries: Vec<(Vec<u8>, Value, Value)> =
                entries.iter().map(|(k, v)| (cbor::encode_canonical(k), sorted(k), sorted(v))).collect();
            entries.sort_by(|a, b| cbor::canonical_order(&a.0, &b.0));
            Value::Map(entries.into_iter().map(|(_, k, v)| (k, v)).collect())
        }
        Value::Tag(t, inner) => Value::Tag(*t, Box::new(sorted(inner))),
        other => other.clone(),
    }
}

fn contains_nan(value: &Value) -> bool {
    match value {
        Value::Float(f) => f.is_nan(),
        Value::Array(items) => items.iter().any(contains_nan),
        Value::Map(entries) => entries.iter().any(|(k, v)| contains_nan(k) || contains_nan(v)),
        Value::Tag(_, inner) => contains_nan(inner),
        _ => false,
    }
}

/// `authenticator_data`: a parse agrees with the flags (attested credential data iff AT, extensions iff
/// ED); [`AuthenticatorData::to_bytes`] of the parsed value parses back to the same value (the extensions'
/// map entries sorted, as the builder writes them canonically); canonical input is reproduced exactly. The credential public key inside is fed to [`cose_key`] as well.
pub fn authenticator_data(data: &[u8]) {
    let Ok(parsed) = AuthenticatorData::parse(data) else { return };
    check_authenticator_data(&parsed, data);
}

fn check_authenticator_data(parsed: &ParsedAuthenticatorData, input: &[u8]) {
    let d = &parsed.data;
    assert_eq!(d.flags.at(), d.attested_credential_data.is_some(), "AT flag and attested data disagree");
    assert_eq!(d.flags.ed(), d.extensions.is_some(), "ED flag and extensions disagree");
    assert!(
        d.extensions.as_ref().is_none_or(|e| matches!(e, Value::Map(_))),
        "extensions parsed as something other than a map"
    );
    let rebuilt = d.to_bytes();
    let again = AuthenticatorData::parse(&rebuilt)
        .unwrap_or_else(|e| panic!("rebuilt authenticator data does not parse: {e}"));
    // The builder writes the extensions in canonical form, so their map entries come back sorted.
    let mut expected = d.clone();
    expected.extensions = d.extensions.as_ref().map(sorted);
    assert_eq!(again.data, expected, "rebuilt authenticator data parses to another value");
    let nan = d.extensions.as_ref().is_some_and(contains_nan);
    if parsed.is_canonical() && !nan {
        assert_eq!(rebuilt, input, "canonical authenticator data is not reproduced");
    }
    if let Some(attested) = &d.attested_credential_data {
        let key = &attested.credential_public_key;
        assert!(
            cbor::decode(key, &Limits::WEBAUTHN).is_ok(),
            "the credential public key is not one CBOR item"
        );
        cose_key(key);
    }
}

/// `cose_key`: [`CoseKey::parse`] and [`CoseKey::parse_prefix`] agree; [`CoseKey::to_bytes`] of a parsed
/// key parses back to the same key, canonical, with no skipped labels and the same RSA leading-zero
/// findings; canonical input without skipped labels is reproduced exactly. A parsed key is also handed to
/// the verifier's key import, and an imported key to signature verification with arbitrary bytes, neither
/// of which may panic, and no arbitrary bytes may verify.
pub fn cose_key(data: &[u8]) {
    let whole = CoseKey::parse(data);
    let prefix = CoseKey::parse_prefix(data);
    if let Ok(p) = &whole {
        match &prefix {
            Ok((pp, consumed)) => {
                assert_eq!(*consumed, data.len(), "parse accepted a key that does not fill the input");
                assert_eq!(pp, p, "parse and parse_prefix disagree");
            }
            Err(e) => panic!("parse_prefix rejected a key parse accepted: {e}"),
        }
    }
    let Ok(parsed) = whole else { return };
    let decoded =
        cbor::decode(data, &Limits::WEBAUTHN).unwrap_or_else(|e| panic!("parsed key is not CBOR: {e}"));
    assert_eq!(
        CoseKey::from_value(&decoded.value).as_ref(),
        Ok(&parsed.key),
        "from_value disagrees with parse"
    );

    let rebuilt = parsed.key.to_bytes();
    let again = CoseKey::parse(&rebuilt).unwrap_or_else(|e| panic!("rebuilt COSE key does not parse: {e}"));
    assert_eq!(again.key, parsed.key, "rebuilt COSE key parses to another key");
    assert!(again.non_canonical.is_empty(), "to_bytes wrote non-canonical CBOR");
    assert!(again.ignored_labels.is_empty(), "to_bytes wrote labels the parser skips");
    assert_eq!(again.rsa_leading_zeros, parsed.rsa_leading_zeros, "to_bytes changed an RSA integer");
    if parsed.non_canonical.is_empty() && parsed.ignored_labels.is_empty() {
        assert_eq!(rebuilt, data, "a canonical COSE key without extra labels is not reproduced");
    }

    if let Ok(key) = verifier::crypto::CredentialKey::from_cose(&parsed.key) {
        assert_eq!(key.alg(), parsed.key.alg(), "the imported key has another alg");
        assert!(key.verify(b"fuzz", data).is_err(), "arbitrary bytes verified as a signature");
    }
}

/// `attestation_object`: a parsed object rebuilt with [`AttestationObject::to_bytes`] (canonical CBOR)
/// parses back to the same object with its maps sorted; canonical input is reproduced exactly. The
/// authenticator data inside goes through [`authenticator_data`].
pub fn attestation_object(data: &[u8]) {
    let Ok(parsed) = AttestationObject::parse(data) else { return };
    let object = &parsed.object;
    let rebuilt = object.to_bytes();
    let again = AttestationObject::parse(&rebuilt)
        .unwrap_or_else(|e| panic!("rebuilt attestation object does not parse: {e}"));
    let mut expected = object.clone();
    expected.att_stmt = sorted(&object.att_stmt);
    let mut extra: Vec<(Vec<u8>, Value, Value)> =
        object.extra.iter().map(|(k, v)| (cbor::encode_canonical(k), sorted(k), sorted(v))).collect();
    extra.sort_by(|a, b| cbor::canonical_order(&a.0, &b.0));
    expected.extra = extra.into_iter().map(|(_, k, v)| (k, v)).collect();
    assert_eq!(again.object, expected, "rebuilt attestation object parses to another object");
    assert!(
        again.non_canonical.iter().all(|n| n.kind == NonCanonicalKind::Tag),
        "to_bytes wrote non-canonical CBOR: {:?}",
        again.non_canonical
    );
    let value = object.to_value();
    if parsed.is_canonical() && !contains_nan(&value) {
        assert_eq!(rebuilt, data, "a canonical attestation object is not reproduced");
    }
    authenticator_data(&object.auth_data);
}

/// `client_data_json`: the strict and the lenient parse agree (the lenient one tolerating exactly what the
/// strict one refused, and failing the same way on input with nothing to tolerate); a parsed value written
/// with [`CollectedClientData::to_json_bytes`] parses back to the same value; where the §5.8.1.1
/// serialization applies ([`CollectedClientData::to_spec_bytes`]), it parses, keeps the five ordered
/// members' values and every other member (numbers compared as doubles, since it writes them as
/// `JSON.stringify` does), and passes the §5.8.1.2 limited verification for those same values.
pub fn client_data_json(data: &[u8]) {
    let strict = CollectedClientData::parse(data);
    let lenient = CollectedClientData::parse_lenient(data);
    let nothing_to_tolerate = !data.starts_with(b"\xEF\xBB\xBF") && std::str::from_utf8(data).is_ok();
    match (&strict, &lenient) {
        (Ok(s), Ok(l)) => {
            assert_eq!(*s, l.data, "strict and lenient parses disagree");
            assert!(
                l.tolerated.is_empty(),
                "lenient parse tolerated something in strict input: {:?}",
                l.tolerated
            );
        }
        (Ok(_), Err(e)) => panic!("lenient parse rejected what the strict one accepted: {e}"),
        (Err(e), Ok(l)) => {
            assert!(
                !l.tolerated.is_empty(),
                "lenient parse accepted, tolerating nothing, what strict refused: {e}"
            )
        }
        (Err(a), Err(b)) => {
            if nothing_to_tolerate {
                assert_eq!(a, b, "strict and lenient parses fail differently on the same text");
            }
        }
    }
    let Ok(c) = strict else { return };

    let bytes = c.to_json_bytes();
    if bytes.len() <= MAX_CLIENT_DATA_LEN {
        let again = CollectedClientData::parse(&bytes)
            .unwrap_or_else(|e| panic!("to_json_bytes output does not parse: {e}"));
        assert_eq!(again, c, "to_json_bytes then parse changed the client data");
    }

    let Ok(spec) = c.to_spec_bytes() else { return };
    if spec.len() > MAX_CLIENT_DATA_LEN {
        return;
    }
    let s = CollectedClientData::parse(&spec)
        .unwrap_or_else(|e| panic!("the §5.8.1.1 serialization does not parse: {e}"));
    assert_eq!(s.type_(), c.type_(), "serialization changed type");
    assert_eq!(s.challenge(), c.challenge(), "serialization changed challenge");
    assert_eq!(s.origin(), c.origin(), "serialization changed origin");
    assert_eq!(s.top_origin(), c.top_origin(), "serialization changed topOrigin");
    assert_eq!(s.cross_origin(), Ok(Some(c.cross_origin().ok().flatten().unwrap_or(false))));
    let others = |d: &CollectedClientData| -> Vec<(String, Json)> {
        d.members
            .iter()
            .filter(|(k, _)| !client_data::ORDERED_MEMBERS.contains(&k.as_str()))
            .cloned()
            .collect()
    };
    let (before, after) = (others(&c), others(&s));
    assert_eq!(before.len(), after.len(), "serialization changed the other members");
    for ((kb, vb), (ka, va)) in before.iter().zip(&after) {
        assert_eq!(kb, ka, "serialization renamed or reordered a member");
        assert!(json_eq_as_doubles(vb, va), "serialization changed member {kb:?}: {vb} became {va}");
    }

    // §5.8.1.2: the serialization of these values starts with the prefix the limited verification expects.
    let (Ok(type_), Ok(challenge), Ok(origin), Ok(top)) =
        (c.type_(), c.challenge(), c.origin(), c.top_origin())
    else {
        return;
    };
    let Ok(challenge_bytes) = wire::base64url::decode(challenge) else { return };
    if wire::base64url::encode(&challenge_bytes) != challenge {
        return;
    }
    let cross = c.cross_origin().ok().flatten().unwrap_or(false);
    let (top_origin, require_top) =
        if cross { (Some(top.unwrap_or_default()), top.is_some()) } else { (None, false) };
    if let Err(e) =
        client_data::limited_verification(&spec, type_, &challenge_bytes, origin, top_origin, require_top)
    {
        panic!("the §5.8.1.1 serialization fails the §5.8.1.2 limited verification of its own values: {e}");
    }
}

/// JSON equality with numbers compared as doubles (`JSON.stringify` prints every number as the nearest
/// double, so a large integer may come back as a float of the same value).
fn json_eq_as_doubles(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq_as_doubles(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter().zip(y).all(|((ka, va), (kb, vb))| ka == kb && json_eq_as_doubles(va, vb))
        }
        _ => a == b,
    }
}
