//! Strict CBOR (RFC 8949) with the limits and canonical-form checks WebAuthn needs.
//!
//! Headers are read with `ciborium-ll`; this module adds what a relying party has to demand of bytes that
//! came from the network:
//!
//! * **Limits**: input length, nesting depth and a total item count are bounded, and every declared length
//!   or count is checked against the bytes that remain *before* anything is allocated, so a `2^32` length
//!   prefix fails at once with [`CborError::LengthExceedsInput`].
//! * **Strictness** (errors): trailing bytes ([`decode`] only), duplicate map keys (compared by value, so the
//!   same key in two encodings is a duplicate; [`Limits::duplicate_keys`] can make a lenient decoder of it
//!   to test the harness with), indefinite lengths, invalid UTF-8, malformed headers.
//! * **Canonical form** (reported, not rejected): CTAP2 canonical CBOR (WebAuthn §2.4 / CTAP2 §8) asks for
//!   the shortest argument encodings, the shortest float, map keys sorted length-first then bytewise, and
//!   no tags. Departures are listed in [`Decoded::non_canonical`] so a verifier can choose to reject them and
//!   a harness can report them as their own condition.
//!
//! Building: [`encode`] writes a value with minimal headers and map entries in the order given (so tests can
//! build deliberately unsorted maps); [`encode_canonical`] also sorts map keys into CTAP2 canonical order.

use std::collections::HashSet;

use ciborium_ll::{Decoder, Encoder, Header};

/// A decoded CBOR data item.
///
/// Integers keep CBOR's own split: major type 0 ([`Value::Unsigned`]) and major type 1 ([`Value::Negative`],
/// whose value is `-1 - n`), so the whole range `-2^64 ..= 2^64-1` is representable.
/// Maps keep their entries in wire order, duplicates impossible after a successful decode.
#[derive(Debug, Clone)]
pub enum Value {
    Unsigned(u64),
    /// The integer `-1 - n`.
    Negative(u64),
    Bytes(Vec<u8>),
    Text(String),
    Array(Vec<Value>),
    Map(Vec<(Value, Value)>),
    Tag(u64, Box<Value>),
    Bool(bool),
    Null,
    Undefined,
    /// A simple value other than false/true/null/undefined.
    Simple(u8),
    Float(f64),
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (Unsigned(a), Unsigned(b)) | (Negative(a), Negative(b)) | (Tag(a, _), Tag(b, _)) if a != b => {
                false
            }
            (Unsigned(_), Unsigned(_)) | (Negative(_), Negative(_)) => true,
            (Tag(_, a), Tag(_, b)) => a == b,
            (Bytes(a), Bytes(b)) => a == b,
            (Text(a), Text(b)) => a == b,
            (Array(a), Array(b)) => a == b,
            (Map(a), Map(b)) => a == b,
            (Bool(a), Bool(b)) => a == b,
            (Null, Null) | (Undefined, Undefined) => true,
            (Simple(a), Simple(b)) => a == b,
            // Bitwise, so NaN equals itself and a value always equals its own decode.
            (Float(a), Float(b)) => a.to_bits() == b.to_bits(),
            _ => false,
        }
    }
}
impl Eq for Value {}

impl Value {
    /// An integer value from any `i128` in CBOR's range. Out of range values saturate to the nearest end.
    pub fn integer(i: i128) -> Value {
        if i >= 0 {
            Value::Unsigned(u64::try_from(i).unwrap_or(u64::MAX))
        } else {
            Value::Negative(u64::try_from(-1 - i).unwrap_or(u64::MAX))
        }
    }

    /// The integer this value holds, if it is one.
    pub fn as_integer(&self) -> Option<i128> {
        match self {
            Value::Unsigned(n) => Some(i128::from(*n)),
            Value::Negative(n) => Some(-1 - i128::from(*n)),
            _ => None,
        }
    }

    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Value, Value)]> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Looks up `key` in a map value (first match; a decoded map has no duplicates).
    pub fn get(&self, key: &Value) -> Option<&Value> {
        self.as_map()?.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Looks up an integer key, as COSE maps use.
    pub fn get_int(&self, key: i128) -> Option<&Value> {
        self.get(&Value::integer(key))
    }

    /// Looks up a text key.
    pub fn get_text(&self, key: &str) -> Option<&Value> {
        self.as_map()?.iter().find(|(k, _)| k.as_text() == Some(key)).map(|(_, v)| v)
    }

    /// A short name of the value's kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Unsigned(_) | Value::Negative(_) => "integer",
            Value::Bytes(_) => "byte string",
            Value::Text(_) => "text string",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
            Value::Tag(..) => "tag",
            Value::Bool(_) => "boolean",
            Value::Null => "null",
            Value::Undefined => "undefined",
            Value::Simple(_) => "simple value",
            Value::Float(_) => "float",
        }
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::integer(i128::from(i))
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_owned())
    }
}
impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Self {
        Value::Bytes(b)
    }
}

/// Bounds applied while decoding. Every bound fails with its own [`CborError`] variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest input accepted at all.
    pub max_input_len: usize,
    /// Deepest nesting: the top-level item is at depth 1 and each array, map or tag puts its contents one
    /// level deeper, so a scalar in a top-level array is at depth 2.
    pub max_depth: usize,
    /// Most data items in one decode, counting every item at every level (map entries count twice).
    pub max_items: usize,
    /// What to do with a map key seen before in the same map: [`DuplicateKeys::Reject`] (every limit set
    /// here), or keep one of the entries as a lenient decoder does (only to test the harness against one).
    pub duplicate_keys: DuplicateKeys,
}

/// What the decoder does with a map key that already appeared in the same map (RFC 8949 §5.6 lists the three
/// choices a generic decoder has; the reference verifier takes the first).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum DuplicateKeys {
    /// Fail with [`CborError::DuplicateMapKey`]: a map with duplicate keys is not valid CBOR (RFC 8949 §3.1).
    #[default]
    Reject,
    /// Keep the first entry of a key and drop the later ones, as some lenient decoders do. Only for testing
    /// the harness: a relying party built on it reads one of two values where another reader may take the
    /// other.
    KeepFirst,
    /// Keep the last entry of a key (in the place of the first), as decoders that fill a hash map do. Only for
    /// testing the harness.
    KeepLast,
}

impl Limits {
    /// Limits sized for WebAuthn: attestation objects with certificate chains are a few KiB, TPM ones a
    /// few more; nothing legitimate nests deeper than 8.
    pub const WEBAUTHN: Limits = Limits {
        max_input_len: 256 * 1024,
        max_depth: 16,
        max_items: 4096,
        duplicate_keys: DuplicateKeys::Reject,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::WEBAUTHN
    }
}

/// Why bytes are not acceptable CBOR. Offsets are byte offsets into the input given to the decoder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CborError {
    #[error("input of {len} bytes exceeds the limit of {max} bytes")]
    InputTooLarge { len: usize, max: usize },
    #[error("empty input: expected a CBOR data item")]
    Empty,
    #[error("input ends inside a data item (at byte {offset})")]
    Truncated { offset: usize },
    #[error("malformed item header at byte {offset}")]
    Malformed { offset: usize },
    #[error("indefinite-length item at byte {offset} (not allowed)")]
    IndefiniteLength { offset: usize },
    #[error("unexpected break byte at {offset}")]
    UnexpectedBreak { offset: usize },
    #[error("text string at byte {offset} is not valid UTF-8")]
    InvalidUtf8 { offset: usize },
    #[error("nesting deeper than {max} at byte {offset}")]
    DepthExceeded { offset: usize, max: usize },
    #[error("more than {max} data items (at byte {offset})")]
    TooManyItems { offset: usize, max: usize },
    #[error("item at byte {offset} declares {declared} {unit} but only {remaining} bytes remain")]
    LengthExceedsInput { offset: usize, declared: u64, unit: &'static str, remaining: usize },
    #[error("duplicate map key at byte {offset}")]
    DuplicateMapKey { offset: usize },
    #[error("{count} trailing bytes after the data item, at byte {offset}")]
    TrailingBytes { offset: usize, count: usize },
}

/// A departure from CTAP2 canonical CBOR (WebAuthn §2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NonCanonicalKind {
    /// An integer, length or tag number encoded in more bytes than needed.
    NonMinimalArgument,
    /// A float that a shorter float encoding represents exactly.
    NonShortestFloat,
    /// Map keys not in ascending (length-first, then bytewise) order of their encodings.
    UnsortedMapKeys,
    /// A tag (CTAP2 canonical form admits none).
    Tag,
}

/// Where the input departs from canonical form, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NonCanonical {
    pub offset: usize,
    pub kind: NonCanonicalKind,
}

/// The result of a successful decode.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub value: Value,
    /// Bytes the item occupied (for [`decode_prefix`], where the input may go on).
    pub consumed: usize,
    /// Every departure from canonical form, in input order. Empty for canonical input.
    pub non_canonical: Vec<NonCanonical>,
}

impl Decoded {
    pub fn is_canonical(&self) -> bool {
        self.non_canonical.is_empty()
    }
}

/// Decodes exactly one data item that fills the whole input.
pub fn decode(input: &[u8], limits: &Limits) -> Result<Decoded, CborError> {
    let decoded = decode_prefix(input, limits)?;
    if decoded.consumed < input.len() {
        return Err(CborError::TrailingBytes {
            offset: decoded.consumed,
            count: input.len() - decoded.consumed,
        });
    }
    Ok(decoded)
}

/// Decodes the one data item at the start of `input`; the rest is left alone and `consumed` says where the
/// item ended. This is how a COSE key's length inside authenticator data is found.
pub fn decode_prefix(input: &[u8], limits: &Limits) -> Result<Decoded, CborError> {
    if input.len() > limits.max_input_len {
        return Err(CborError::InputTooLarge { len: input.len(), max: limits.max_input_len });
    }
    if input.is_empty() {
        return Err(CborError::Empty);
    }
    let mut reader =
        Reader { dec: Decoder::from(input), len: input.len(), limits, items: 0, non_canonical: Vec::new() };
    let value = reader.item(1)?;
    let consumed = reader.dec.offset();
    Ok(Decoded { value, consumed, non_canonical: reader.non_canonical })
}

struct Reader<'a, 'l> {
    dec: Decoder<&'a [u8]>,
    len: usize,
    limits: &'l Limits,
    items: usize,
    non_canonical: Vec<NonCanonical>,
}

impl Reader<'_, '_> {
    fn remaining(&mut self) -> usize {
        self.len - self.dec.offset()
    }

    fn note(&mut self, offset: usize, kind: NonCanonicalKind) {
        self.non_canonical.push(NonCanonical { offset, kind });
    }

    /// Checks a declared length or count against what is left; `min_bytes_each` is the fewest bytes one
    /// unit can take on the wire.
    fn check_len(
        &mut self,
        offset: usize,
        declared: usize,
        unit: &'static str,
        min_bytes_each: usize,
    ) -> Result<(), CborError> {
        let remaining = self.remaining();
        if declared.checked_mul(min_bytes_each).is_none_or(|need| need > remaining) {
            return Err(CborError::LengthExceedsInput { offset, declared: declared as u64, unit, remaining });
        }
        Ok(())
    }

    fn take(&mut self, offset: usize, n: usize) -> Result<Vec<u8>, CborError> {
        self.check_len(offset, n, "bytes", 1)?;
        let mut buf = vec![0u8; n];
        ciborium_io::Read::read_exact(&mut self.dec, &mut buf)
            .map_err(|_| CborError::Truncated { offset })?;
        Ok(buf)
    }

    fn count_item(&mut self, offset: usize) -> Result<(), CborError> {
        self.items += 1;
        if self.items > self.limits.max_items {
            return Err(CborError::TooManyItems { offset, max: self.limits.max_items });
        }
        Ok(())
    }

    fn item(&mut self, depth: usize) -> Result<Value, CborError> {
        let offset = self.dec.offset();
        if offset >= self.len {
            return Err(CborError::Truncated { offset });
        }
        self.count_item(offset)?;
        let header = match self.dec.pull() {
            Ok(h) => h,
            Err(ciborium_ll::Error::Io(_)) => return Err(CborError::Truncated { offset }),
            Err(ciborium_ll::Error::Syntax(_)) => return Err(CborError::Malformed { offset }),
        };
        let header_len = self.dec.offset() - offset;
        // RFC 8949 §3.3: simple values below 32 must use the one-byte form.
        if let Header::Simple(v) = header {
            if v < 32 && header_len != 1 {
                return Err(CborError::Malformed { offset });
            }
        }
        if header_len > minimal_header_len(header) {
            let kind = if matches!(header, Header::Float(_)) {
                NonCanonicalKind::NonShortestFloat
            } else {
                NonCanonicalKind::NonMinimalArgument
            };
            self.note(offset, kind);
        }
        let nested = |depth: usize, limits: &Limits| {
            if depth >= limits.max_depth {
                Err(CborError::DepthExceeded { offset, max: limits.max_depth })
            } else {
                Ok(depth + 1)
            }
        };
        Ok(match header {
            Header::Positive(n) => Value::Unsigned(n),
            Header::Negative(n) => Value::Negative(n),
            Header::Float(f) => Value::Float(f),
            Header::Simple(20) => Value::Bool(false),
            Header::Simple(21) => Value::Bool(true),
            Header::Simple(22) => Value::Null,
            Header::Simple(23) => Value::Undefined,
            Header::Simple(v) => Value::Simple(v),
            Header::Break => return Err(CborError::UnexpectedBreak { offset }),
            Header::Bytes(None) | Header::Text(None) | Header::Array(None) | Header::Map(None) => {
                return Err(CborError::IndefiniteLength { offset })
            }
            Header::Bytes(Some(n)) => Value::Bytes(self.take(offset, n)?),
            Header::Text(Some(n)) => {
                let bytes = self.take(offset, n)?;
                Value::Text(String::from_utf8(bytes).map_err(|_| CborError::InvalidUtf8 { offset })?)
            }
            Header::Tag(t) => {
                self.note(offset, NonCanonicalKind::Tag);
                let depth = nested(depth, self.limits)?;
                Value::Tag(t, Box::new(self.item(depth)?))
            }
            Header::Array(Some(n)) => {
                let depth = nested(depth, self.limits)?;
                self.check_len(offset, n, "array elements", 1)?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.item(depth)?);
                }
                Value::Array(items)
            }
            Header::Map(Some(n)) => {
                let depth = nested(depth, self.limits)?;
                self.check_len(offset, n, "map entries", 2)?;
                self.map(n, depth)?
            }
        })
    }

    fn map(&mut self, n: usize, depth: usize) -> Result<Value, CborError> {
        let mut entries = Vec::with_capacity(n);
        let mut seen: HashSet<Vec<u8>> = HashSet::with_capacity(n);
        let mut previous: Option<Vec<u8>> = None;
        let mut sorted = true;
        let mut map_offset = None;
        for _ in 0..n {
            let key_offset = self.dec.offset();
            map_offset.get_or_insert(key_offset);
            let key = self.item(depth)?;
            // Keys are compared by their canonical encoding: the same key written in two encodings is a
            // duplicate, and order is judged as CTAP2 defines it.
            let canonical_key = encode_canonical(&key);
            if !seen.insert(canonical_key.clone()) {
                if self.limits.duplicate_keys == DuplicateKeys::Reject {
                    return Err(CborError::DuplicateMapKey { offset: key_offset });
                }
                // A lenient decoder keeps one entry; the duplicate takes no part in the order check, which
                // would otherwise report the map as unsorted.
                let value = self.item(depth)?;
                if self.limits.duplicate_keys == DuplicateKeys::KeepLast {
                    let earlier = entries.iter_mut().find(|(k, _)| encode_canonical(k) == canonical_key);
                    if let Some((_, v)) = earlier {
                        *v = value;
                    }
                }
                continue;
            }
            if let Some(prev) = &previous {
                if canonical_order(prev, &canonical_key) != std::cmp::Ordering::Less {
                    sorted = false;
                }
            }
            previous = Some(canonical_key);
            let value = self.item(depth)?;
            entries.push((key, value));
        }
        if !sorted {
            if let Some(at) = map_offset {
                self.note(at, NonCanonicalKind::UnsortedMapKeys);
            }
        }
        Ok(Value::Map(entries))
    }
}

/// Bytes the shortest encoding of this header takes.
fn minimal_header_len(header: Header) -> usize {
    let mut out = Vec::with_capacity(9);
    let mut enc = Encoder::from(&mut out);
    // Writing to a Vec cannot fail.
    let _ = enc.push(header);
    out.len()
}

/// CTAP2 canonical key order over encoded keys: shorter first, then bytewise.
pub fn canonical_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Encodes `value` with minimal headers, map entries in the order given.
pub fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out, value, false);
    out
}

/// Encodes `value` in CTAP2 canonical form: minimal headers and map keys sorted.
pub fn encode_canonical(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out, value, true);
    out
}

fn write(out: &mut Vec<u8>, value: &Value, sort: bool) {
    let push = |out: &mut Vec<u8>, h: Header| {
        // Writing to a Vec cannot fail.
        let _ = Encoder::from(out).push(h);
    };
    match value {
        Value::Unsigned(n) => push(out, Header::Positive(*n)),
        Value::Negative(n) => push(out, Header::Negative(*n)),
        Value::Bytes(b) => {
            push(out, Header::Bytes(Some(b.len())));
            out.extend_from_slice(b);
        }
        Value::Text(t) => {
            push(out, Header::Text(Some(t.len())));
            out.extend_from_slice(t.as_bytes());
        }
        Value::Array(items) => {
            push(out, Header::Array(Some(items.len())));
            for item in items {
                write(out, item, sort);
            }
        }
        Value::Map(entries) => {
            push(out, Header::Map(Some(entries.len())));
            if sort {
                let mut encoded: Vec<(Vec<u8>, &Value)> =
                    entries.iter().map(|(k, v)| (encode_canonical(k), v)).collect();
                encoded.sort_by(|a, b| canonical_order(&a.0, &b.0));
                for (k, v) in encoded {
                    out.extend_from_slice(&k);
                    write(out, v, sort);
                }
            } else {
                for (k, v) in entries {
                    write(out, k, sort);
                    write(out, v, sort);
                }
            }
        }
        Value::Tag(t, inner) => {
            push(out, Header::Tag(*t));
            write(out, inner, sort);
        }
        Value::Bool(false) => push(out, Header::Simple(20)),
        Value::Bool(true) => push(out, Header::Simple(21)),
        Value::Null => push(out, Header::Simple(22)),
        Value::Undefined => push(out, Header::Simple(23)),
        Value::Simple(v) => push(out, Header::Simple(*v)),
        Value::Float(f) => push(out, Header::Float(*f)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).unwrap()
    }

    fn dec(s: &str) -> Result<Decoded, CborError> {
        decode(&hex(s), &Limits::WEBAUTHN)
    }

    #[test]
    fn decodes_rfc8949_appendix_a_examples() {
        let cases: &[(&str, Value)] = &[
            ("00", Value::Unsigned(0)),
            ("17", Value::Unsigned(23)),
            ("1818", Value::Unsigned(24)),
            ("1b ffffffffffffffff", Value::Unsigned(u64::MAX)),
            ("20", Value::integer(-1)),
            ("3863", Value::integer(-100)),
            ("3b ffffffffffffffff", Value::integer(-18446744073709551616)),
            ("f4", Value::Bool(false)),
            ("f5", Value::Bool(true)),
            ("f6", Value::Null),
            ("f7", Value::Undefined),
            ("f0", Value::Simple(16)),
            ("f8ff", Value::Simple(255)),
            ("f93c00", Value::Float(1.0)),
            ("fb3ff199999999999a", Value::Float(1.1)),
            ("40", Value::Bytes(vec![])),
            ("4401020304", Value::Bytes(vec![1, 2, 3, 4])),
            ("6449455446", Value::from("IETF")),
            ("62c3bc", Value::from("\u{fc}")),
            ("83010203", Value::Array(vec![1.into(), 2.into(), 3.into()])),
            ("a201020304", Value::Map(vec![(1.into(), 2.into()), (3.into(), 4.into())])),
            ("c11a514b67b0", Value::Tag(1, Box::new(Value::Unsigned(1363896240)))),
        ];
        for (input, expected) in cases {
            let d = dec(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(&d.value, expected, "{input}");
            assert_eq!(d.consumed, hex(input).len());
        }
    }

    #[test]
    fn canonical_input_has_no_notes_and_re_encodes_identically() {
        // A COSE key from the W3C §16 none-es256 vector: canonical by construction.
        let key = hex("a5010203262001215820afefa16f97ca9b2d23eb86ccb64098d20db90856062eb249c33a9b672f26df61225820930a56b87a2fca66334b03458abf879717c12cc68ed73290af2e2664796b9220");
        let d = decode(&key, &Limits::WEBAUTHN).unwrap();
        assert!(d.is_canonical());
        assert_eq!(encode(&d.value), key);
        assert_eq!(encode_canonical(&d.value), key);
    }

    #[test]
    fn error_input_too_large() {
        let input = vec![0u8; 10 * 1024 * 1024];
        assert_eq!(
            decode(&input, &Limits::WEBAUTHN),
            Err(CborError::InputTooLarge { len: 10 * 1024 * 1024, max: Limits::WEBAUTHN.max_input_len })
        );
    }

    #[test]
    fn error_empty() {
        assert_eq!(dec(""), Err(CborError::Empty));
    }

    #[test]
    fn error_truncated() {
        assert_eq!(dec("19 01"), Err(CborError::Truncated { offset: 0 }));
        assert_eq!(dec("82 81 01"), Err(CborError::Truncated { offset: 3 }));
        assert_eq!(dec("a1 81 01"), Err(CborError::Truncated { offset: 3 }));
    }

    #[test]
    fn error_malformed_reserved_additional_info() {
        for b in ["1c", "3d", "5e", "7c", "9d", "be", "dc", "fc"] {
            assert_eq!(dec(b), Err(CborError::Malformed { offset: 0 }), "{b}");
        }
        // A two-byte simple value below 32 is not well-formed (RFC 8949 §3.3).
        assert_eq!(dec("f8 14"), Err(CborError::Malformed { offset: 0 }));
        assert_eq!(dec("82 01 f8 1f"), Err(CborError::Malformed { offset: 2 }));
    }

    #[test]
    fn error_indefinite_length() {
        for b in ["5f 41 00 ff", "7f 61 61 ff", "9f 01 ff", "bf 01 02 ff"] {
            assert_eq!(dec(b), Err(CborError::IndefiniteLength { offset: 0 }), "{b}");
        }
        assert_eq!(dec("81 9f ff"), Err(CborError::IndefiniteLength { offset: 1 }));
    }

    #[test]
    fn error_unexpected_break() {
        assert_eq!(dec("ff"), Err(CborError::UnexpectedBreak { offset: 0 }));
        assert_eq!(dec("82 01 ff"), Err(CborError::UnexpectedBreak { offset: 2 }));
    }

    #[test]
    fn error_invalid_utf8() {
        assert_eq!(dec("62 c3 28"), Err(CborError::InvalidUtf8 { offset: 0 }));
    }

    #[test]
    fn error_depth_exceeded() {
        // Depth counts every level, leaves included: 16 nested arrays put their leaf at depth 17, so the
        // 16th array (at byte 15) is one container too many.
        let mut input = vec![0x81u8; 17];
        input.push(0x00);
        assert_eq!(decode(&input, &Limits::WEBAUTHN), Err(CborError::DepthExceeded { offset: 15, max: 16 }));
        input.drain(..2);
        assert!(decode(&input, &Limits::WEBAUTHN).is_ok());
        // Deep nesting through tags counts too.
        let mut tags = vec![0xc1u8; 40];
        tags.push(0x00);
        assert!(matches!(decode(&tags, &Limits::WEBAUTHN), Err(CborError::DepthExceeded { .. })));
    }

    #[test]
    fn deep_nesting_of_a_large_input_fails_fast() {
        let mut input = vec![0x81u8; 200_000];
        input.push(0);
        let start = std::time::Instant::now();
        let limits = Limits { max_input_len: 1 << 20, ..Limits::WEBAUTHN };
        assert!(matches!(decode(&input, &limits), Err(CborError::DepthExceeded { max: 16, .. })));
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn error_too_many_items() {
        let limits = Limits { max_items: 4, ..Limits::WEBAUTHN };
        assert_eq!(
            decode(&hex("84 01 02 03 04"), &limits),
            Err(CborError::TooManyItems { offset: 4, max: 4 })
        );
        assert!(decode(&hex("83 01 02 03"), &limits).is_ok());
    }

    #[test]
    fn error_length_exceeds_input_before_allocating() {
        // A byte string claiming 2^32 bytes, and one claiming u64::MAX.
        assert_eq!(
            dec("5b 0000000100000000 00"),
            Err(CborError::LengthExceedsInput { offset: 0, declared: 1 << 32, unit: "bytes", remaining: 1 })
        );
        assert!(matches!(dec("7b ffffffffffffffff"), Err(CborError::LengthExceedsInput { offset: 0, .. })));
        // Arrays and maps: counts are checked against the fewest bytes their items could take.
        assert_eq!(
            dec("9a ffffffff 00"),
            Err(CborError::LengthExceedsInput {
                offset: 0,
                declared: 0xffff_ffff,
                unit: "array elements",
                remaining: 1
            })
        );
        assert_eq!(
            dec("a2 01 02 03"),
            Err(CborError::LengthExceedsInput { offset: 0, declared: 2, unit: "map entries", remaining: 3 })
        );
    }

    #[test]
    fn error_duplicate_map_key() {
        assert_eq!(dec("a2 01 02 01 03"), Err(CborError::DuplicateMapKey { offset: 3 }));
        assert_eq!(dec("a2 61 61 00 61 61 01"), Err(CborError::DuplicateMapKey { offset: 4 }));
    }

    #[test]
    fn a_lenient_decoder_keeps_the_first_or_the_last_of_duplicate_keys() {
        let decode_with = |hex: &str, duplicate_keys| {
            let bytes: Vec<u8> = hex.split_whitespace().map(|b| u8::from_str_radix(b, 16).unwrap()).collect();
            decode(&bytes, &Limits { duplicate_keys, ..Limits::WEBAUTHN })
        };
        // {1: 2, 3: 4, 1: 5}: the duplicate is not reported as unsorted either.
        let input = "a3 01 02 03 04 01 05";
        let first = decode_with(input, DuplicateKeys::KeepFirst).unwrap();
        assert_eq!(first.value.get_int(1).and_then(Value::as_integer), Some(2));
        assert!(first.is_canonical(), "{:?}", first.non_canonical);
        let last = decode_with(input, DuplicateKeys::KeepLast).unwrap();
        assert_eq!(last.value.get_int(1).and_then(Value::as_integer), Some(5));
        assert_eq!(last.value.as_map().map(<[_]>::len), Some(2));
        assert!(last.is_canonical(), "{:?}", last.non_canonical);
        assert_eq!(
            decode_with(input, DuplicateKeys::Reject).map(|d| d.value),
            Err(CborError::DuplicateMapKey { offset: 5 })
        );
        // Nested maps too.
        let nested = decode_with("a1 01 a2 02 03 02 04", DuplicateKeys::KeepLast).unwrap();
        assert_eq!(nested.value.get_int(1).and_then(|m| m.get_int(2)).and_then(Value::as_integer), Some(4));
    }

    #[test]
    fn duplicate_key_in_another_encoding_is_still_a_duplicate() {
        // 1 as 0x01 and as 0x18 0x01; -1 as 0x20 and as 0x38 0x00.
        assert_eq!(dec("a2 01 02 18 01 03"), Err(CborError::DuplicateMapKey { offset: 3 }));
        assert_eq!(dec("a2 20 02 38 00 03"), Err(CborError::DuplicateMapKey { offset: 3 }));
    }

    #[test]
    fn error_trailing_bytes() {
        assert_eq!(dec("01 02 03"), Err(CborError::TrailingBytes { offset: 1, count: 2 }));
        let d = decode_prefix(&hex("01 02 03"), &Limits::WEBAUTHN).unwrap();
        assert_eq!((d.value, d.consumed), (Value::Unsigned(1), 1));
    }

    #[test]
    fn reports_non_minimal_arguments() {
        let d = dec("18 01").unwrap();
        assert_eq!(d.value, Value::Unsigned(1));
        assert_eq!(
            d.non_canonical,
            vec![NonCanonical { offset: 0, kind: NonCanonicalKind::NonMinimalArgument }]
        );
        // Length of a byte string in two bytes, array count in four.
        let d = dec("82 59 0001 00 01").unwrap();
        assert_eq!(
            d.non_canonical,
            vec![NonCanonical { offset: 1, kind: NonCanonicalKind::NonMinimalArgument }]
        );
        let d = dec("9a 00000001 00").unwrap();
        assert_eq!(
            d.non_canonical,
            vec![NonCanonical { offset: 0, kind: NonCanonicalKind::NonMinimalArgument }]
        );
        let d = dec("39 0000").unwrap();
        assert_eq!(d.value, Value::integer(-1));
        assert!(!d.is_canonical());
    }

    #[test]
    fn reports_non_shortest_float() {
        let d = dec("fa 3f800000").unwrap();
        assert_eq!(d.value, Value::Float(1.0));
        assert_eq!(
            d.non_canonical,
            vec![NonCanonical { offset: 0, kind: NonCanonicalKind::NonShortestFloat }]
        );
        assert!(dec("fa 3dcccccd").unwrap().is_canonical()); // 0.1f32 needs 4 bytes
    }

    #[test]
    fn reports_unsorted_map_keys() {
        // COSE order is 1, 3, -1: -1 before 3 is out of order.
        let d = dec("a3 01 02 20 01 03 26").unwrap();
        assert_eq!(
            d.non_canonical,
            vec![NonCanonical { offset: 1, kind: NonCanonicalKind::UnsortedMapKeys }]
        );
        // Length-first: "fmt" (4 encoded bytes) before "attStmt" (8).
        assert!(dec("a2 63 666d74 00 67 61747453746d74 00").unwrap().is_canonical());
        assert!(!dec("a2 67 61747453746d74 00 63 666d74 00").unwrap().is_canonical());
    }

    #[test]
    fn reports_tags() {
        let d = dec("c1 01").unwrap();
        assert_eq!(d.non_canonical, vec![NonCanonical { offset: 0, kind: NonCanonicalKind::Tag }]);
    }

    #[test]
    fn encode_keeps_order_and_encode_canonical_sorts() {
        let v = Value::Map(vec![((-1).into(), 1.into()), (3.into(), (-7).into()), (1.into(), 2.into())]);
        assert_eq!(encode(&v), hex("a3 20 01 03 26 01 02"));
        assert_eq!(encode_canonical(&v), hex("a3 01 02 03 26 20 01"));
    }

    fn value_strategy() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            any::<u64>().prop_map(Value::Unsigned),
            any::<u64>().prop_map(Value::Negative),
            proptest::collection::vec(any::<u8>(), 0..40).prop_map(Value::Bytes),
            ".{0,20}".prop_map(Value::Text),
            any::<bool>().prop_map(Value::Bool),
            Just(Value::Null),
            Just(Value::Undefined),
            (0u8..20).prop_map(Value::Simple),
            (32u8..=255).prop_map(Value::Simple),
            any::<f64>().prop_map(Value::Float),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                proptest::collection::vec((inner.clone(), inner.clone()), 0..6).prop_map(|entries| {
                    // Keep the first of equal keys: a map with duplicate keys cannot be decoded back.
                    let mut seen = HashSet::new();
                    Value::Map(
                        entries.into_iter().filter(|(k, _)| seen.insert(encode_canonical(k))).collect(),
                    )
                }),
                (0u64..1000, inner).prop_map(|(t, v)| Value::Tag(t, Box::new(v))),
            ]
        })
    }

    fn contains_tag(v: &Value) -> bool {
        match v {
            Value::Tag(..) => true,
            Value::Array(a) => a.iter().any(contains_tag),
            Value::Map(m) => m.iter().any(|(k, v)| contains_tag(k) || contains_tag(v)),
            _ => false,
        }
    }

    proptest! {
        #[test]
        fn round_trip(v in value_strategy()) {
            let bytes = encode(&v);
            let d = decode(&bytes, &Limits::WEBAUTHN).unwrap();
            prop_assert_eq!(&d.value, &v);
            prop_assert_eq!(d.consumed, bytes.len());
            // Canonical encoding decodes to the same value (maps compared after sorting) with no notes
            // except for tags, which CTAP2 canonical form does not admit at all.
            let canon = encode_canonical(&v);
            let dc = decode(&canon, &Limits::WEBAUTHN).unwrap();
            prop_assert_eq!(encode_canonical(&dc.value), canon);
            prop_assert_eq!(dc.is_canonical(), !contains_tag(&v));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = decode(&bytes, &Limits::WEBAUTHN);
            if let Ok(d) = decode_prefix(&bytes, &Limits::WEBAUTHN) {
                prop_assert!(d.consumed <= bytes.len() && d.consumed > 0);
            }
        }

        #[test]
        fn mutated_valid_encodings_never_panic(v in value_strategy(), at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
            let mut bytes = encode(&v);
            let i = at.index(bytes.len());
            bytes[i] = byte;
            let _ = decode(&bytes, &Limits::WEBAUTHN);
            let n = cut.index(bytes.len());
            let _ = decode(&bytes[..n], &Limits::WEBAUTHN);
        }
    }
}
