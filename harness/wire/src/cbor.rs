//! Strict CBOR (RFC 8949) with the limits and canonical-form checks WebAuthn needs.
//!
//! Headers are read with `ciborium-ll`; this module adds what a relying party has to demand of bytes that
//! came from the network:
//!
//! * **Limits**: input length, nesting depth and a total item count are bounded, and every declared length
//!   or count is checked against the bytes that remain *before* anything is allocated, so a `2^32` length
//!   prefix fails at once with [`CborError::LengthExceedsInput`].
//! * **Strictness** (errors): trailing bytes ([`decode`] only), duplicate map keys (compared by value, so the
//!   same key in two encodings is a duplicate), indefinite lengths, invalid UTF-8, malformed headers.
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
    /// Deepest nesting of arrays, maps and tags (the top-level item is depth 1).
    pub max_depth: usize,
    /// Most data items in one decode, counting every item at every level (map entries count twice).
    pub max_items: usize,
}

impl Limits {
    /// Limits sized for WebAuthn: attestation objects with certificate chains are a few KiB, TPM ones a
    /// few more; nothing legitimate nests deeper than 8.
    pub const WEBAUTHN: Limits = Limits { max_input_len: 256 * 1024, max_depth: 16, max_items: 4096 };
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
                return Err(CborError::DuplicateMapKey { offset: key_offset });
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
