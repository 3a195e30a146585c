//! The client data (`CollectedClientData`, WebAuthn §5.8.1) and its JSON form, `clientDataJSON`.
//!
//! The client builds this dictionary, serializes it and hands the bytes to the relying party, which
//! checks them and hashes them (the hash is what the authenticator signed over). Three algorithms of the
//! spec live here:
//!
//! * **Parsing** ([`CollectedClientData::parse`]): a full, strict JSON parse. The input must be UTF-8
//!   without a byte order mark, at most [`MAX_CLIENT_DATA_LEN`] bytes, one JSON object, nested at most
//!   [`MAX_NESTING_DEPTH`] deep, and no object anywhere in it may repeat a member name (a generic JSON
//!   parser quietly keeps one of the two values; here that is [`ClientDataError::DuplicateMember`]).
//!   Unknown members are kept, in wire order: §5.8.1 tells parsers to tolerate unknown keys and any order.
//!   [`CollectedClientData::parse_lenient`] does what §7.1 step 5 / §7.2 step 8 literally ask for (the
//!   WHATWG "UTF-8 decode": strip one BOM, replace invalid sequences) and reports what it tolerated.
//! * **Serialization** ([`serialize`], §5.8.1.1): the byte-exact "JSON-compatible serialization" a
//!   browser produces, with `type`, `challenge`, `origin`, `crossOrigin` and `topOrigin` first, escaped
//!   by the spec's own `CCDToString`, and any further members after them as `JSON.stringify` writes them.
//! * **Limited verification** ([`limited_verification`], §5.8.1.2): the prefix comparison a verifier
//!   without a JSON parser may use instead of parsing.
//!
//! §5.8.1.3 is why the prefix check works at all: later versions of the spec promise never to remove those
//! five members, reorder them, or insert new members between them.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Largest `clientDataJSON` accepted. A browser's client data is a few hundred bytes; the bound only
/// stops hostile inputs from costing time and memory.
pub const MAX_CLIENT_DATA_LEN: usize = 64 * 1024;

/// Deepest nesting of JSON arrays and objects accepted (the top-level object is depth 1).
///
/// This is the bound serde_json enforces by default (its recursion budget of 128 admits 127 nested
/// containers). A pre-scan checks it first so that deep nesting fails with
/// [`ClientDataError::NestingTooDeep`] and a byte offset rather than as a generic syntax error.
pub const MAX_NESTING_DEPTH: usize = 127;

/// The five members §5.8.1.1 writes in fixed order before everything else.
pub const ORDERED_MEMBERS: [&str; 5] = ["type", "challenge", "origin", "crossOrigin", "topOrigin"];

/// Why bytes are not acceptable `clientDataJSON`, or why a member does not have the type §5.8.1 gives it.
///
/// Offsets are byte offsets into the input (for [`CollectedClientData::parse_lenient`], into the text after
/// UTF-8 decoding). For errors reported by the JSON parser they point at, or just after, the byte where it
/// stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientDataError {
    /// Longer than [`MAX_CLIENT_DATA_LEN`]; nothing else was looked at.
    #[error("clientDataJSON of {len} bytes exceeds the limit of {max} bytes")]
    TooLarge { len: usize, max: usize },
    /// `EF BB BF` at the start. §7.1 step 5's "UTF-8 decode" would strip it; the strict parser does not
    /// (see [`CollectedClientData::parse_lenient`]).
    #[error("clientDataJSON starts with a UTF-8 byte order mark")]
    ByteOrderMark,
    /// `offset` is where the first invalid sequence starts.
    #[error("clientDataJSON is not valid UTF-8 (first bad byte at {offset})")]
    InvalidUtf8 { offset: usize },
    /// `offset` is the `[` or `{` that opened one container too many.
    #[error("JSON nested deeper than {max} arrays/objects at byte {offset}")]
    NestingTooDeep { offset: usize, max: usize },
    /// The input ended inside the value (`offset` is the input length). Empty input is this too.
    #[error("clientDataJSON ends before the JSON value is complete (at byte {offset})")]
    UnexpectedEnd { offset: usize },
    /// Not JSON (RFC 8259): an unexpected character, a bad escape, a raw control character in a string,
    /// a number out of range. `message` is the JSON parser's description.
    #[error("invalid JSON at byte {offset} (line {line}, column {column}): {message}")]
    Syntax { offset: usize, line: usize, column: usize, message: String },
    /// A complete value followed by more than whitespace; `offset` is the first extra byte.
    #[error("non-whitespace data after the JSON value, at byte {offset}")]
    TrailingData { offset: usize },
    /// Valid JSON, but not an object (§5.8.1 client data is a map).
    #[error("clientDataJSON is a JSON {found}, not an object")]
    NotAnObject { found: &'static str },
    /// An object repeats a member name (compared after unescaping). `parent` is the JSON Pointer of that
    /// object (`""` for the client data itself); `offset` is just past the second occurrence of the name.
    #[error(
        "member name {name:?} appears twice in the object at JSON pointer {parent:?} (near byte {offset})"
    )]
    DuplicateMember { name: String, parent: String, offset: usize },
    /// A typed accessor found no member of this name.
    #[error("member {name:?} is missing")]
    MissingMember { name: &'static str },
    /// A typed accessor found the member with a JSON type other than §5.8.1 gives it.
    #[error("member {name:?} is a JSON {found}, expected a {expected}")]
    WrongMemberType { name: &'static str, expected: &'static str, found: &'static str },
}

/// A deviation from strict `clientDataJSON` that [`CollectedClientData::parse_lenient`] accepted, as the
/// WHATWG "UTF-8 decode" that §7.1 step 5 and §7.2 step 8 name does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tolerated {
    /// A leading byte order mark, stripped.
    ByteOrderMark,
    /// Byte sequences that are not UTF-8, each replaced by U+FFFD.
    InvalidUtf8,
}

/// The result of [`CollectedClientData::parse_lenient`].
#[derive(Debug, Clone, PartialEq)]
pub struct LenientClientData {
    pub data: CollectedClientData,
    /// Each tolerated deviation once, in a fixed order. Empty means [`CollectedClientData::parse`] would
    /// have accepted the input too.
    pub tolerated: Vec<Tolerated>,
}

/// The client data (§5.8.1): the context the client vouches for, which the signature covers through its hash.
///
/// §5.8.1 defines `type` (`"webauthn.create"` or `"webauthn.get"`, so a signature made for one ceremony
/// cannot pass as the other), `challenge` (the relying party's challenge, base64url-encoded), `origin` (the
/// caller's origin), the optional `crossOrigin` (true when the caller was not same-origin with its
/// ancestors) and the optional `topOrigin` (the top-level origin, present only in that cross-origin case).
/// `tokenBinding` is reserved from earlier levels, and extensions or future versions may add more.
/// All of them are kept here as raw JSON values in wire order; the typed accessors interpret the known ones.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectedClientData {
    /// Every member in wire order. After [`CollectedClientData::parse`] no name repeats; a hand-built value
    /// may repeat one, and the builders then write both.
    pub members: Vec<(String, Value)>,
}

impl CollectedClientData {
    /// Parses `clientDataJSON` strictly (see the module documentation for what is rejected).
    pub fn parse(bytes: &[u8]) -> Result<CollectedClientData, ClientDataError> {
        check_len(bytes)?;
        if bytes.starts_with(UTF8_BOM) {
            return Err(ClientDataError::ByteOrderMark);
        }
        let text = std::str::from_utf8(bytes)
            .map_err(|e| ClientDataError::InvalidUtf8 { offset: e.valid_up_to() })?;
        parse_text(text)
    }

    /// Parses `clientDataJSON` the way §7.1 step 5 and §7.2 step 8 describe: "UTF-8 decode" first, which
    /// strips one leading byte order mark and replaces every invalid byte sequence with U+FFFD, then the
    /// same strict JSON parse as [`CollectedClientData::parse`]. What had to be tolerated is reported.
    pub fn parse_lenient(bytes: &[u8]) -> Result<LenientClientData, ClientDataError> {
        check_len(bytes)?;
        let mut tolerated = Vec::new();
        let body = match bytes.strip_prefix(UTF8_BOM) {
            Some(rest) => {
                tolerated.push(Tolerated::ByteOrderMark);
                rest
            }
            None => bytes,
        };
        let text = String::from_utf8_lossy(body);
        if matches!(text, std::borrow::Cow::Owned(_)) {
            tolerated.push(Tolerated::InvalidUtf8);
        }
        let data = parse_text(&text)?;
        Ok(LenientClientData { data, tolerated })
    }

    /// The value of the first member called `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.members.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// `type` (§5.8.1): `"webauthn.create"` or `"webauthn.get"` in a genuine ceremony. Required.
    pub fn type_(&self) -> Result<&str, ClientDataError> {
        self.required_string("type")
    }

    /// `challenge` (§5.8.1): the base64url string exactly as sent (decoding and comparing it is the
    /// verifier's job). Required.
    pub fn challenge(&self) -> Result<&str, ClientDataError> {
        self.required_string("challenge")
    }

    /// `origin` (§5.8.1): the caller's origin as the client saw it (RFC 6454 syntax). Required.
    pub fn origin(&self) -> Result<&str, ClientDataError> {
        self.required_string("origin")
    }

    /// `crossOrigin` (§5.8.1): `None` when absent, which §5.8.1.1 serializes like `false`.
    pub fn cross_origin(&self) -> Result<Option<bool>, ClientDataError> {
        match self.get("crossOrigin") {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(ClientDataError::WrongMemberType {
                name: "crossOrigin",
                expected: "boolean",
                found: json_kind(other),
            }),
        }
    }

    /// `topOrigin` (§5.8.1): the top-level origin, present only for cross-origin calls. `None` when absent.
    pub fn top_origin(&self) -> Result<Option<&str>, ClientDataError> {
        match self.get("topOrigin") {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(ClientDataError::WrongMemberType {
                name: "topOrigin",
                expected: "string",
                found: json_kind(other),
            }),
        }
    }

    /// Member names in wire order.
    pub fn member_names(&self) -> impl Iterator<Item = &str> {
        self.members.iter().map(|(k, _)| k.as_str())
    }

    /// Writes the members in the stored order as compact JSON (serde_json's escaping), verbatim: a
    /// repeated name is written twice, and nothing is reordered.
    ///
    /// This is the builder for arbitrary (also malformed) client data. For the browser's byte-exact form
    /// use [`CollectedClientData::to_spec_bytes`] or [`serialize`]; the two differ in member order and in
    /// how control characters are escaped (`\n` here, `\u000a` in §5.8.1.1).
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + 64 * self.members.len());
        out.push(b'{');
        for (i, (name, value)) in self.members.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // Serializing a string or a `Value` into a Vec cannot fail (`Value` has only string keys).
            let _ = serde_json::to_writer(&mut out, name);
            out.push(b':');
            let _ = serde_json::to_writer(&mut out, value);
        }
        out.push(b'}');
        out
    }

    /// Client data in the member order a browser uses (§5.8.1.1): `type`, `challenge`, `origin`,
    /// `crossOrigin`, then `topOrigin` if given.
    pub fn new(
        type_: &str,
        challenge: &str,
        origin: &str,
        cross_origin: bool,
        top_origin: Option<&str>,
    ) -> Self {
        let mut members = vec![
            ("type".to_owned(), Value::String(type_.to_owned())),
            ("challenge".to_owned(), Value::String(challenge.to_owned())),
            ("origin".to_owned(), Value::String(origin.to_owned())),
            ("crossOrigin".to_owned(), Value::Bool(cross_origin)),
        ];
        if let Some(top) = top_origin {
            members.push(("topOrigin".to_owned(), Value::String(top.to_owned())));
        }
        CollectedClientData { members }
    }

    /// Applies the §5.8.1.1 serialization to these members: the five ordered members (which must have
    /// their §5.8.1 types; `crossOrigin` and `topOrigin` may be absent) and then every other member in
    /// stored order, as [`serialize`] writes them.
    pub fn to_spec_bytes(&self) -> Result<Vec<u8>, ClientDataError> {
        let extra: Vec<(String, Value)> =
            self.members.iter().filter(|(k, _)| !ORDERED_MEMBERS.contains(&k.as_str())).cloned().collect();
        Ok(serialize(
            self.type_()?,
            self.challenge()?,
            self.origin()?,
            self.cross_origin()?.unwrap_or(false),
            self.top_origin()?,
            &extra,
        ))
    }

    fn required_string(&self, name: &'static str) -> Result<&str, ClientDataError> {
        match self.get(name) {
            None => Err(ClientDataError::MissingMember { name }),
            Some(Value::String(s)) => Ok(s),
            Some(other) => {
                Err(ClientDataError::WrongMemberType { name, expected: "string", found: json_kind(other) })
            }
        }
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn check_len(bytes: &[u8]) -> Result<(), ClientDataError> {
    if bytes.len() > MAX_CLIENT_DATA_LEN {
        return Err(ClientDataError::TooLarge { len: bytes.len(), max: MAX_CLIENT_DATA_LEN });
    }
    Ok(())
}

/// The JSON type name of a value, for error messages.
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn parse_text(text: &str) -> Result<CollectedClientData, ClientDataError> {
    let bytes = text.as_bytes();
    check_nesting(bytes)?;
    let ctx = Ctx::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let value = match (StrictValue { ctx: &ctx }).deserialize(&mut de) {
        Ok(v) => v,
        Err(e) => return Err(json_error(bytes, &e, ctx.problem.borrow_mut().take())),
    };
    if let Err(e) = de.end() {
        // `end` reports the position one past the first trailing byte.
        let offset = position_to_offset(bytes, e.line(), e.column()).saturating_sub(1);
        return Err(ClientDataError::TrailingData { offset });
    }
    match value {
        Value::Object(map) => Ok(CollectedClientData { members: map.into_iter().collect() }),
        other => Err(ClientDataError::NotAnObject { found: json_kind(&other) }),
    }
}

/// Rejects nesting deeper than [`MAX_NESTING_DEPTH`] before the recursive parser sees it. Counts `[` and
/// `{` outside strings; on valid JSON this is exactly the parser's own depth, and on invalid JSON the
/// parser would stop at the same place or earlier.
fn check_nesting(bytes: &[u8]) -> Result<(), ClientDataError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (offset, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING_DEPTH {
                    return Err(ClientDataError::NestingTooDeep { offset, max: MAX_NESTING_DEPTH });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// serde_json reports a 1-based line and the count of bytes consumed on that line.
fn position_to_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        bytes
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == b'\n')
            .nth(line - 2)
            .map(|(i, _)| i + 1)
            .unwrap_or(bytes.len())
    };
    line_start.saturating_add(column).min(bytes.len())
}

fn json_error(bytes: &[u8], e: &serde_json::Error, problem: Option<Problem>) -> ClientDataError {
    let offset = position_to_offset(bytes, e.line(), e.column());
    if let Some(Problem::Duplicate { name, parent }) = problem {
        return ClientDataError::DuplicateMember { name, parent, offset };
    }
    match e.classify() {
        serde_json::error::Category::Eof => ClientDataError::UnexpectedEnd { offset: bytes.len() },
        _ => {
            // serde_json's message ends with " at line L column C"; that is carried separately.
            let full = e.to_string();
            let message = match full.rfind(" at line ") {
                Some(at) => full.get(..at).unwrap_or(&full).to_owned(),
                None => full,
            };
            ClientDataError::Syntax { offset, line: e.line(), column: e.column(), message }
        }
    }
}

/// What the strict visitor found wrong, carried past serde's stringly errors.
enum Problem {
    Duplicate { name: String, parent: String },
}

#[derive(Default)]
struct Ctx {
    problem: RefCell<Option<Problem>>,
    /// Member names and array indices from the top-level value down to the value being read.
    path: RefCell<Vec<String>>,
}

impl Ctx {
    /// The current path as a JSON Pointer (RFC 6901).
    fn pointer(&self) -> String {
        self.path
            .borrow()
            .iter()
            .map(|seg| format!("/{}", seg.replace('~', "~0").replace('/', "~1")))
            .collect()
    }
}

/// Deserializes any JSON value into a `serde_json::Value`, failing on a repeated member name in any
/// object (serde_json's own `Value` would keep the last one silently).
struct StrictValue<'c> {
    ctx: &'c Ctx,
}

impl<'de> DeserializeSeed<'de> for StrictValue<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // serde_json never yields a non-finite float; `from` would map one to null.
        Ok(Value::from(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            self.ctx.path.borrow_mut().push(items.len().to_string());
            let item = seq.next_element_seed(StrictValue { ctx: self.ctx });
            self.ctx.path.borrow_mut().pop();
            match item? {
                Some(v) => items.push(v),
                None => break,
            }
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if out.contains_key(&name) {
                let parent = self.ctx.pointer();
                *self.ctx.problem.borrow_mut() = Some(Problem::Duplicate { name: name.clone(), parent });
                return Err(de::Error::custom(format_args!("duplicate member {name:?}")));
            }
            // The name goes onto the path while its value is read, and comes back off as the map's key.
            self.ctx.path.borrow_mut().push(name);
            let value = map.next_value_seed(StrictValue { ctx: self.ctx });
            let name = self.ctx.path.borrow_mut().pop().unwrap_or_default();
            out.insert(name, value?);
        }
        Ok(Value::Object(out))
    }
}

/// `CCDToString` (§5.8.1.1): a JSON string literal with the spec's own escaping. U+0020, U+0021,
/// U+0023–U+005B and U+005D–U+10FFFF are written as UTF-8; `"` and `\` get a backslash; every other code
/// point (the C0 controls) becomes `\u` and four lower-case hex digits, so a newline is `\u000a`, not `\n`.
pub fn ccd_to_string(value: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 2);
    write_ccd_string(&mut out, value);
    out
}

fn write_ccd_string(out: &mut Vec<u8>, value: &str) {
    out.push(b'"');
    for c in value.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            ' ' | '!' | '#'..='[' | ']'..='\u{10FFFF}' => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            other => write_unicode_escape(out, u32::from(other)),
        }
    }
    out.push(b'"');
}

/// `\u` followed by four lower-case hex digits.
fn write_unicode_escape(out: &mut Vec<u8>, code: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(b"\\u");
    for shift in [12u32, 8, 4, 0] {
        let nibble = ((code >> shift) & 0xf) as usize;
        out.push(HEX.get(nibble).copied().unwrap_or(b'0'));
    }
}

/// The JSON-compatible serialization of client data (§5.8.1.1), byte for byte as a conforming browser
/// writes it.
///
/// `{"type":…,"challenge":…,"origin":…,"crossOrigin":…` with each string through [`ccd_to_string`];
/// `crossOrigin` is `true` or `false` (an absent `crossOrigin` serializes as `false`); then
/// `,"topOrigin":…` only if `top_origin` is given; then the remaining members, which the spec serializes
/// with "serialize JSON to bytes" (`JSON.stringify`) and splices in after a comma, and the closing `}`.
///
/// `extra` is written in the order given and verbatim: names are not checked against the five above, so
/// passing `"type"` again produces a duplicate member (which is how malformed inputs are built). Its values
/// are written as `JSON.stringify` would write them: strings with JSON's short escapes (`\n`, `\"`, …) and
/// `\u00xx` for other controls, numbers as ECMAScript's `Number::toString` prints the nearest double.
/// (`JSON.stringify` lists integer-like keys of one object before the others; that reordering is left to
/// the caller, who chooses the order of `extra`.)
pub fn serialize(
    type_: &str,
    challenge: &str,
    origin: &str,
    cross_origin: bool,
    top_origin: Option<&str>,
    extra: &[(String, Value)],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 + type_.len() + challenge.len() + origin.len());
    out.extend_from_slice(br#"{"type":"#);
    write_ccd_string(&mut out, type_);
    out.extend_from_slice(br#","challenge":"#);
    write_ccd_string(&mut out, challenge);
    out.extend_from_slice(br#","origin":"#);
    write_ccd_string(&mut out, origin);
    out.extend_from_slice(br#","crossOrigin":"#);
    out.extend_from_slice(if cross_origin { b"true" } else { b"false" });
    if let Some(top) = top_origin {
        out.extend_from_slice(br#","topOrigin":"#);
        write_ccd_string(&mut out, top);
    }
    // "Serialize JSON to bytes" on the remaining members gives `{…}`; the spec drops its `{` and appends
    // `,` and the rest. With no remaining members, just `}`.
    for (name, value) in extra {
        out.push(b',');
        write_js_string(&mut out, name);
        out.push(b':');
        write_js_value(&mut out, value);
    }
    out.push(b'}');
    out
}

/// `JSON.stringify` of a string (ECMAScript QuoteJSONString).
fn write_js_string(out: &mut Vec<u8>, value: &str) {
    out.push(b'"');
    for c in value.chars() {
        match c {
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\r' => out.extend_from_slice(b"\\r"),
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            c if u32::from(c) < 0x20 => write_unicode_escape(out, u32::from(c)),
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// `JSON.stringify` of a value without indentation.
fn write_js_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.is_finite() => out.extend_from_slice(js_number_to_string(f).as_bytes()),
            _ => out.extend_from_slice(b"null"),
        },
        Value::String(s) => write_js_string(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_js_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            out.push(b'{');
            for (i, (name, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_js_string(out, name);
                out.push(b':');
                write_js_value(out, item);
            }
            out.push(b'}');
        }
    }
}

/// ECMAScript `Number::toString(x)` for a finite double: the shortest digits that round-trip, in plain
/// notation for decimal exponents from -6 to 20 and in `d.ddde±n` notation otherwise.
fn js_number_to_string(x: f64) -> String {
    if x == 0.0 {
        return "0".to_owned(); // also -0
    }
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x < 0.0 {
        return format!("-{}", js_number_to_string(-x));
    }
    if x.is_infinite() {
        return "Infinity".to_owned();
    }
    let (digits, n) = shortest_digits(x);
    let k = digits.len() as i64;
    let zeros = |count: i64| "0".repeat(usize::try_from(count).unwrap_or(0));
    if k <= n && n <= 21 {
        format!("{digits}{}", zeros(n - k))
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(usize::try_from(n).unwrap_or(0).min(digits.len()));
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", zeros(-n))
    } else {
        let sign = if n - 1 < 0 { '-' } else { '+' };
        let e = (n - 1).abs();
        match digits.split_at_checked(1) {
            Some((first, rest)) if !rest.is_empty() => format!("{first}.{rest}e{sign}{e}"),
            _ => format!("{digits}e{sign}{e}"),
        }
    }
}

/// Splits Rust's `{:e}` rendering into its significant digits and exponent.
fn sci_parts(sci: &str) -> (String, i64) {
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    (mantissa.chars().filter(|c| c.is_ascii_digit()).collect(), exp.parse().unwrap_or(0))
}

/// The `s` and `n` of ECMAScript `Number::toString` for a finite positive `x`: the fewest digits `s` (k of
/// them) with `s × 10^(n−k)` rounding to `x`; among equally short ones the closest to `x`, and on a tie
/// the even one.
fn shortest_digits(x: f64) -> (String, i64) {
    // Rust prints the shortest round-tripping digits, closest to x, but breaks an exact tie differently.
    let (digits, exp) = sci_parts(&format!("{x:e}"));
    let k = digits.len();
    // A tie needs x to be exactly halfway between two k-digit decimals: its exact expansion (at most 767
    // significant digits for a double) is then k digits and a final 5.
    let (exact, exact_exp) = sci_parts(&format!("{x:.800e}"));
    let exact = exact.trim_end_matches('0');
    if exact_exp == exp && exact.len() == k + 1 && exact.ends_with('5') {
        let lo = exact.get(..k).unwrap_or_default().to_owned();
        let hi = increment_decimal(&lo);
        if hi.len() == k && (digits == lo || digits == hi) {
            let even = if lo.ends_with(['0', '2', '4', '6', '8']) { lo } else { hi };
            let round_trips = format!("{}e{}", even, exp + 1 - k as i64).parse::<f64>().is_ok_and(|y| y == x);
            if round_trips {
                return (even, exp + 1);
            }
        }
    }
    (digits, exp + 1)
}

/// A decimal digit string plus one (may grow by a digit).
fn increment_decimal(digits: &str) -> String {
    let mut out: Vec<u8> = digits.bytes().collect();
    for d in out.iter_mut().rev() {
        if *d == b'9' {
            *d = b'0';
        } else {
            *d += 1;
            return String::from_utf8(out).unwrap_or_default();
        }
    }
    out.insert(0, b'1');
    String::from_utf8(out).unwrap_or_default()
}

/// Where and why `clientDataJSON` failed the limited verification algorithm (§5.8.1.2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitedVerificationError {
    /// The input differs from the expected prefix at `offset`, inside the part written for `member`
    /// (its `,"name":` key or its value).
    #[error("clientDataJSON differs from the expected prefix in {member:?} at byte {offset}: expected {expected:#04x}, found {found:#04x}")]
    Diverged { member: &'static str, offset: usize, expected: u8, found: u8 },
    /// The input ends at `offset`, inside the part of the expected prefix written for `member`.
    #[error("clientDataJSON ends at byte {offset}, inside the expected {member:?} member")]
    EndOfInput { member: &'static str, offset: usize },
    /// The whole prefix matched but nothing follows it (the spec requires one more byte).
    #[error("clientDataJSON ends right after the expected prefix (byte {offset}); '}}' or ',' must follow")]
    NoTerminator { offset: usize },
    /// The byte after the prefix is neither `}` nor `,`: the last expected value continues (a longer
    /// origin, say).
    #[error("byte {offset} after the expected prefix is {found:#04x}, not '}}' or ','")]
    BadTerminator { offset: usize, found: u8 },
}

impl LimitedVerificationError {
    /// The member in which the input diverged, when the failure is inside the prefix.
    pub fn member(&self) -> Option<&'static str> {
        match self {
            LimitedVerificationError::Diverged { member, .. }
            | LimitedVerificationError::EndOfInput { member, .. } => Some(member),
            _ => None,
        }
    }
}

/// The expected prefix, with the member each byte belongs to.
struct Prefix {
    bytes: Vec<u8>,
    /// `(end, member)`: bytes before `end` (and after the previous end) belong to `member`.
    parts: Vec<(usize, &'static str)>,
}

impl Prefix {
    fn push(&mut self, member: &'static str, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
        match self.parts.last_mut() {
            Some((end, m)) if *m == member => *end = self.bytes.len(),
            _ => self.parts.push((self.bytes.len(), member)),
        }
    }

    fn member_at(&self, offset: usize) -> &'static str {
        self.parts.iter().find(|(end, _)| offset < *end).map(|(_, m)| *m).unwrap_or("topOrigin")
    }
}

/// The limited verification algorithm (§5.8.1.2): checks `client_data_json` against the expected values
/// by building the prefix a §5.8.1.1 serialization of them must start with, without parsing JSON.
///
/// Inputs as the spec lists them: the expected `type_`, the challenge *bytes* (base64url-encoded here, as
/// step 5 says), the expected `origin`, the expected `top_origin` if the call may be cross-origin, and
/// `require_top_origin`. With `top_origin` given, `crossOrigin` must be `true`, and the `topOrigin` member
/// is compared if `require_top_origin` is set or the input has one at that place (so Level 2 client data
/// without `topOrigin` passes unless it is required). Without `top_origin`, `crossOrigin` must be `false`.
/// Finally the byte after the prefix must be `}` or `,`.
pub fn limited_verification(
    client_data_json: &[u8],
    type_: &str,
    challenge: &[u8],
    origin: &str,
    top_origin: Option<&str>,
    require_top_origin: bool,
) -> Result<(), LimitedVerificationError> {
    const TOP_ORIGIN_KEY: &[u8] = br#","topOrigin":"#;
    let mut prefix = Prefix { bytes: Vec::with_capacity(128), parts: Vec::with_capacity(5) };
    prefix.push("type", br#"{"type":"#);
    prefix.push("type", &ccd_to_string(type_));
    prefix.push("challenge", br#","challenge":"#);
    prefix.push("challenge", &ccd_to_string(&crate::base64url::encode(challenge)));
    prefix.push("origin", br#","origin":"#);
    prefix.push("origin", &ccd_to_string(origin));
    prefix.push("crossOrigin", br#","crossOrigin":"#);
    match top_origin {
        Some(top) => {
            prefix.push("crossOrigin", b"true");
            let rest = client_data_json.get(prefix.bytes.len()..).unwrap_or_default();
            if require_top_origin || rest.starts_with(TOP_ORIGIN_KEY) {
                prefix.push("topOrigin", TOP_ORIGIN_KEY);
                prefix.push("topOrigin", &ccd_to_string(top));
            }
        }
        None => prefix.push("crossOrigin", b"false"),
    }
    for (offset, &expected) in prefix.bytes.iter().enumerate() {
        let member = prefix.member_at(offset);
        match client_data_json.get(offset) {
            None => return Err(LimitedVerificationError::EndOfInput { member, offset }),
            Some(&found) if found != expected => {
                return Err(LimitedVerificationError::Diverged { member, offset, expected, found })
            }
            Some(_) => {}
        }
    }
    let offset = prefix.bytes.len();
    match client_data_json.get(offset) {
        None => Err(LimitedVerificationError::NoTerminator { offset }),
        Some(b'}') | Some(b',') => Ok(()),
        Some(&found) => Err(LimitedVerificationError::BadTerminator { offset, found }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    // ---- §16 test vectors ----

    struct Vector {
        name: String,
        client_data_json: Vec<u8>,
        challenge: Vec<u8>,
    }

    fn vectors() -> Vec<Vector> {
        let text = include_str!("../../../vectors/w3c/webauthn-l3-section16.json");
        let doc: Value = serde_json::from_str(text).expect("vector file is JSON");
        let mut out = Vec::new();
        for example in doc["examples"].as_array().expect("examples") {
            for ceremony in ["registration", "authentication"] {
                let c = &example[ceremony];
                out.push(Vector {
                    name: format!("{} {ceremony}", example["anchor"].as_str().expect("anchor")),
                    client_data_json: hex::decode(c["clientDataJSON"].as_str().expect("cdj")).expect("hex"),
                    challenge: hex::decode(c["challenge"].as_str().expect("challenge")).expect("hex"),
                });
            }
        }
        assert_eq!(out.len(), 30);
        out
    }

    fn extras(data: &CollectedClientData) -> Vec<(String, Value)> {
        data.members.iter().filter(|(k, _)| !ORDERED_MEMBERS.contains(&k.as_str())).cloned().collect()
    }

    #[test]
    fn section16_vectors_parse_and_reserialize_exactly() {
        for v in vectors() {
            let data = CollectedClientData::parse(&v.client_data_json).expect(&v.name);
            let type_ = data.type_().unwrap();
            assert!(type_ == "webauthn.create" || type_ == "webauthn.get", "{}", v.name);
            assert_eq!(data.challenge().unwrap(), crate::base64url::encode(&v.challenge), "{}", v.name);
            assert_eq!(data.origin().unwrap(), "https://example.org");
            let bytes = serialize(
                type_,
                data.challenge().unwrap(),
                data.origin().unwrap(),
                data.cross_origin().unwrap().unwrap_or(false),
                data.top_origin().unwrap(),
                &extras(&data),
            );
            assert_eq!(bytes, v.client_data_json, "{}", v.name);
            assert_eq!(data.to_spec_bytes().unwrap(), v.client_data_json, "{}", v.name);
            // The vectors contain no control characters, so serde_json's writing is identical too.
            assert_eq!(data.to_json_bytes(), v.client_data_json, "{}", v.name);
        }
    }

    #[test]
    fn section16_vectors_include_extra_members_and_top_origin() {
        let all: Vec<CollectedClientData> =
            vectors().iter().map(|v| CollectedClientData::parse(&v.client_data_json).unwrap()).collect();
        assert!(all.iter().any(|d| d.get("extraData").is_some()));
        assert!(all.iter().any(|d| d.top_origin().unwrap() == Some("https://example.com")));
        assert!(all.iter().any(|d| d.cross_origin().unwrap() == Some(true) && d.get("topOrigin").is_none()));
    }

    /// The expected values for a vector, as an RP that issued it would hold them.
    fn expected_top_origin(data: &CollectedClientData) -> Option<&'static str> {
        (data.cross_origin().unwrap() == Some(true)).then_some("https://example.com")
    }

    #[test]
    fn section16_vectors_pass_limited_verification() {
        for v in vectors() {
            let data = CollectedClientData::parse(&v.client_data_json).unwrap();
            let top = expected_top_origin(&data);
            let type_ = data.type_().unwrap();
            let origin = "https://example.org";
            let ok = limited_verification(&v.client_data_json, type_, &v.challenge, origin, top, false);
            assert_eq!(ok, Ok(()), "{}", v.name);
            // requireTopOrigin: only the vectors that carry topOrigin still pass.
            let strict = limited_verification(&v.client_data_json, type_, &v.challenge, origin, top, true);
            if top.is_some() && data.top_origin().unwrap().is_none() {
                assert!(
                    matches!(strict, Err(LimitedVerificationError::Diverged { member: "topOrigin", .. })),
                    "{}: {strict:?}",
                    v.name
                );
            } else {
                assert_eq!(strict, Ok(()), "{}", v.name);
            }
        }
    }

    #[test]
    fn section16_vectors_fail_limited_verification_on_changed_values() {
        for v in vectors() {
            let data = CollectedClientData::parse(&v.client_data_json).unwrap();
            let top = expected_top_origin(&data);
            let type_ = data.type_().unwrap();
            let other_type = if type_ == "webauthn.get" { "webauthn.create" } else { "webauthn.get" };
            let cdj = &v.client_data_json;
            let origin = "https://example.org";

            let err = limited_verification(cdj, other_type, &v.challenge, origin, top, false).unwrap_err();
            assert_eq!(err.member(), Some("type"), "{}", v.name);

            let mut challenge = v.challenge.clone();
            challenge[0] ^= 0x80;
            let err = limited_verification(cdj, type_, &challenge, origin, top, false).unwrap_err();
            // The first character of the challenge's value: after `{"type":`, the type, `,"challenge":"`.
            let first = 8 + ccd_to_string(type_).len() + 14;
            assert!(
                matches!(err, LimitedVerificationError::Diverged { member: "challenge", offset, .. } if offset == first),
                "{}: {err:?}",
                v.name
            );
            let err = limited_verification(cdj, type_, &v.challenge[1..], origin, top, false).unwrap_err();
            assert_eq!(err.member(), Some("challenge"), "{}", v.name);

            let err = limited_verification(cdj, type_, &v.challenge, "https://example.net", top, false)
                .unwrap_err();
            assert_eq!(err.member(), Some("origin"), "{}", v.name);
            // A longer origin that shares the expected one as a prefix is caught by the terminator check.
            let err =
                limited_verification(cdj, type_, &v.challenge, "https://example.or", top, false).unwrap_err();
            assert!(
                matches!(err, LimitedVerificationError::Diverged { member: "origin", found: b'g', .. }),
                "{}: {err:?}",
                v.name
            );

            // Flipping the cross-origin expectation.
            let flipped = if top.is_some() { None } else { Some("https://example.com") };
            let err = limited_verification(cdj, type_, &v.challenge, origin, flipped, false).unwrap_err();
            assert_eq!(err.member(), Some("crossOrigin"), "{}", v.name);

            if data.top_origin().unwrap().is_some() {
                let err = limited_verification(
                    cdj,
                    type_,
                    &v.challenge,
                    origin,
                    Some("https://evil.example"),
                    false,
                )
                .unwrap_err();
                assert_eq!(err.member(), Some("topOrigin"), "{}", v.name);
            }
        }
    }

    // ---- §5.8.1.1 serialization details ----

    #[test]
    fn ccd_to_string_escapes_as_the_spec_says() {
        assert_eq!(ccd_to_string("a b!#[]~"), br#""a b!#[]~""#.to_vec());
        assert_eq!(ccd_to_string("\"\\"), br#""\"\\""#.to_vec());
        // Controls use \u and lower-case hex, never the short forms.
        assert_eq!(
            ccd_to_string("\n\t\r\u{8}\u{c}\u{0}\u{1f}"),
            br#""\u000a\u0009\u000d\u0008\u000c\u0000\u001f""#.to_vec()
        );
        // DEL and everything from U+0080 up, including astral planes, are written as UTF-8.
        assert_eq!(ccd_to_string("\u{7f}é😀"), "\"\u{7f}é😀\"".as_bytes().to_vec());
        assert_eq!(ccd_to_string("/"), br#""/""#.to_vec());
    }

    #[test]
    fn serialize_places_top_origin_and_extras() {
        let out = serialize("webauthn.get", "AA", "https://a", false, None, &[]);
        assert_eq!(
            out,
            br#"{"type":"webauthn.get","challenge":"AA","origin":"https://a","crossOrigin":false}"#
        );
        let extra = vec![
            ("x\n".to_owned(), json!("line\nbreak\u{1}")),
            ("n".to_owned(), json!([1, -2, 1.5, 1e21, 1e-7, 0.000001, null, true, {"k": {}}])),
        ];
        let out = serialize("t", "c", "o", true, Some("https://top"), &extra);
        let expected = concat!(
            r#"{"type":"t","challenge":"c","origin":"o","crossOrigin":true,"topOrigin":"https://top","#,
            r#""x\n":"line\nbreak\u0001","n":[1,-2,1.5,1e+21,1e-7,0.000001,null,true,{"k":{}}]}"#
        );
        assert_eq!(String::from_utf8(out).unwrap(), expected);
        // Extras are verbatim: a repeated reserved name is written, giving a duplicate member.
        let dup = serialize("t", "c", "o", false, None, &[("type".to_owned(), json!("x"))]);
        assert!(matches!(
            CollectedClientData::parse(&dup),
            Err(ClientDataError::DuplicateMember { ref name, .. }) if name == "type"
        ));
    }

    #[test]
    fn js_number_formatting() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-1.0, "-1"),
            (100.0, "100"),
            (123.456, "123.456"),
            (0.1, "0.1"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.5e21, "1.5e+21"),
            (1e-6, "0.000001"),
            (1.25e-6, "0.00000125"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (9007199254740993.0, "9007199254740992"),
            // Exactly halfway between two shortest candidates: ECMAScript takes the even one.
            (3_232_205_397_625_525.0 / 4.0, "808051349406381.2"),
            (1_920_347_595_866_529.0 / 8.0, "240043449483316.12"),
            (3_595_042_718_098_573.0 / 4.0, "898760679524643.2"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (x, s) in cases {
            assert_eq!(js_number_to_string(*x), *s, "{x}");
        }
        // Integers go through the nearest double, as in JavaScript.
        let out = serialize("t", "c", "o", false, None, &[("n".to_owned(), json!(u64::MAX))]);
        assert!(out.ends_with(br#""n":18446744073709552000}"#));
    }

    #[test]
    fn new_and_accessors() {
        let d =
            CollectedClientData::new("webauthn.create", "Y2hh", "https://a.example", true, Some("https://b"));
        assert_eq!(d.member_names().collect::<Vec<_>>(), ORDERED_MEMBERS.to_vec());
        assert_eq!(d.type_(), Ok("webauthn.create"));
        assert_eq!(d.challenge(), Ok("Y2hh"));
        assert_eq!(d.origin(), Ok("https://a.example"));
        assert_eq!(d.cross_origin(), Ok(Some(true)));
        assert_eq!(d.top_origin(), Ok(Some("https://b")));
        assert_eq!(d.to_json_bytes(), d.to_spec_bytes().unwrap());
        let d = CollectedClientData::new("webauthn.get", "", "o", false, None);
        assert_eq!(d.top_origin(), Ok(None));
        assert_eq!(d.member_names().count(), 4);
        let empty = CollectedClientData::parse(b"{}").unwrap();
        assert_eq!(empty.cross_origin(), Ok(None));
        assert_eq!(empty.top_origin(), Ok(None));
    }

    #[test]
    fn to_json_bytes_is_verbatim() {
        let d = CollectedClientData {
            members: vec![("b".into(), json!(1)), ("a".into(), json!("\n")), ("b".into(), json!(null))],
        };
        assert_eq!(d.to_json_bytes(), br#"{"b":1,"a":"\n","b":null}"#.to_vec());
        assert_eq!(CollectedClientData { members: vec![] }.to_json_bytes(), b"{}".to_vec());
    }

    #[test]
    fn parse_keeps_wire_order_and_unknown_members() {
        let d = CollectedClientData::parse(br#" {"origin":"o","zz":[1,{"a":2}],"type":"t"} "#).unwrap();
        assert_eq!(d.member_names().collect::<Vec<_>>(), ["origin", "zz", "type"]);
        assert_eq!(d.get("zz"), Some(&json!([1, {"a": 2}])));
        assert_eq!(d.get("nope"), None);
    }

    // ---- one test per error variant ----

    #[test]
    fn err_too_large() {
        let big = vec![b' '; MAX_CLIENT_DATA_LEN + 1];
        assert_eq!(
            CollectedClientData::parse(&big),
            Err(ClientDataError::TooLarge { len: MAX_CLIENT_DATA_LEN + 1, max: MAX_CLIENT_DATA_LEN })
        );
        assert!(matches!(CollectedClientData::parse_lenient(&big), Err(ClientDataError::TooLarge { .. })));
    }

    #[test]
    fn err_byte_order_mark() {
        assert_eq!(CollectedClientData::parse(b"\xEF\xBB\xBF{}"), Err(ClientDataError::ByteOrderMark));
    }

    #[test]
    fn err_invalid_utf8() {
        assert_eq!(
            CollectedClientData::parse(b"{\"a\":\"\xff\"}"),
            Err(ClientDataError::InvalidUtf8 { offset: 6 })
        );
    }

    #[test]
    fn err_nesting_too_deep() {
        let nested = |depth: usize| {
            let mut s = String::from("{\"a\":");
            s.push_str(&"[".repeat(depth - 1));
            s.push_str(&"]".repeat(depth - 1));
            s.push('}');
            s
        };
        assert!(CollectedClientData::parse(nested(MAX_NESTING_DEPTH).as_bytes()).is_ok());
        assert_eq!(
            CollectedClientData::parse(nested(MAX_NESTING_DEPTH + 1).as_bytes()),
            Err(ClientDataError::NestingTooDeep {
                offset: 5 + MAX_NESTING_DEPTH - 1,
                max: MAX_NESTING_DEPTH
            })
        );
        // Brackets inside strings do not count.
        let in_string = format!("{{\"a\":\"{}\\\"{}\"}}", "[".repeat(500), "{".repeat(500));
        assert!(CollectedClientData::parse(in_string.as_bytes()).is_ok());
        // Just under the size limit, all brackets: fails at the first excess bracket.
        let deep = vec![b'['; MAX_CLIENT_DATA_LEN];
        assert!(matches!(
            CollectedClientData::parse(&deep),
            Err(ClientDataError::NestingTooDeep { offset: MAX_NESTING_DEPTH, .. })
        ));
    }

    #[test]
    fn err_unexpected_end() {
        assert_eq!(CollectedClientData::parse(b""), Err(ClientDataError::UnexpectedEnd { offset: 0 }));
        assert_eq!(
            CollectedClientData::parse(br#"{"type":"web"#),
            Err(ClientDataError::UnexpectedEnd { offset: 12 })
        );
    }

    #[test]
    fn err_syntax() {
        let err = CollectedClientData::parse(b"{\"a\":tru}").unwrap_err();
        assert!(matches!(err, ClientDataError::Syntax { line: 1, .. }), "{err:?}");
        let err = CollectedClientData::parse(b"{\n\"a\":\n x}").unwrap_err();
        assert!(matches!(err, ClientDataError::Syntax { line: 3, offset: 9, .. }), "{err:?}");
        // Raw control characters inside strings are invalid JSON.
        let err = CollectedClientData::parse(b"{\"a\":\"\x01\"}").unwrap_err();
        assert!(matches!(err, ClientDataError::Syntax { .. }), "{err:?}");
    }

    #[test]
    fn err_trailing_data() {
        assert_eq!(CollectedClientData::parse(b"{} {}"), Err(ClientDataError::TrailingData { offset: 3 }));
        assert_eq!(CollectedClientData::parse(b"{}\n\nx"), Err(ClientDataError::TrailingData { offset: 4 }));
    }

    #[test]
    fn err_not_an_object() {
        for (input, found) in [
            (&b"[]"[..], "array"),
            (b"\"s\"", "string"),
            (b"1", "number"),
            (b"null", "null"),
            (b"true", "boolean"),
        ] {
            assert_eq!(CollectedClientData::parse(input), Err(ClientDataError::NotAnObject { found }));
        }
    }

    #[test]
    fn err_duplicate_member() {
        let err = CollectedClientData::parse(br#"{"type":"a","type":"b"}"#).unwrap_err();
        assert_eq!(
            err,
            ClientDataError::DuplicateMember { name: "type".into(), parent: String::new(), offset: 18 }
        );
        // Also nested, and named by JSON pointer. Names compare after unescaping.
        let err = CollectedClientData::parse(br#"{"x":[0,{"a/b":{"k":1,"\u006b":2}}]}"#).unwrap_err();
        assert!(
            matches!(err, ClientDataError::DuplicateMember { ref name, ref parent, .. }
                if name == "k" && parent == "/x/1/a~1b"),
            "{err:?}"
        );
    }

    #[test]
    fn err_missing_member() {
        let d = CollectedClientData::parse(br#"{"type":"t"}"#).unwrap();
        assert_eq!(d.challenge(), Err(ClientDataError::MissingMember { name: "challenge" }));
        assert_eq!(d.origin(), Err(ClientDataError::MissingMember { name: "origin" }));
        assert_eq!(
            CollectedClientData { members: vec![] }.type_(),
            Err(ClientDataError::MissingMember { name: "type" })
        );
        assert_eq!(d.to_spec_bytes(), Err(ClientDataError::MissingMember { name: "challenge" }));
    }

    #[test]
    fn err_wrong_member_type() {
        let d = CollectedClientData::parse(
            br#"{"type":1,"challenge":null,"origin":[],"crossOrigin":"true","topOrigin":false}"#,
        )
        .unwrap();
        let wrong = |name, expected, found| ClientDataError::WrongMemberType { name, expected, found };
        assert_eq!(d.type_(), Err(wrong("type", "string", "number")));
        assert_eq!(d.challenge(), Err(wrong("challenge", "string", "null")));
        assert_eq!(d.origin(), Err(wrong("origin", "string", "array")));
        assert_eq!(d.cross_origin(), Err(wrong("crossOrigin", "boolean", "string")));
        assert_eq!(d.top_origin(), Err(wrong("topOrigin", "string", "boolean")));
        let d = CollectedClientData::parse(br#"{"crossOrigin":null}"#).unwrap();
        assert_eq!(d.cross_origin(), Err(wrong("crossOrigin", "boolean", "null")));
    }

    #[test]
    fn lenient_parse_reports_what_it_tolerated() {
        let r = CollectedClientData::parse_lenient(b"\xEF\xBB\xBF{\"a\":\"\xff\"}").unwrap();
        assert_eq!(r.tolerated, vec![Tolerated::ByteOrderMark, Tolerated::InvalidUtf8]);
        assert_eq!(r.data.get("a"), Some(&json!("\u{fffd}")));
        let r = CollectedClientData::parse_lenient(b"{}").unwrap();
        assert!(r.tolerated.is_empty());
        // Only one BOM is stripped.
        assert!(matches!(
            CollectedClientData::parse_lenient(b"\xEF\xBB\xBF\xEF\xBB\xBF{}"),
            Err(ClientDataError::Syntax { .. })
        ));
        // Strictness beyond decoding stays.
        assert!(matches!(
            CollectedClientData::parse_lenient(br#"{"a":1,"a":2}"#),
            Err(ClientDataError::DuplicateMember { .. })
        ));
    }

    // ---- limited verification, one test per variant ----

    fn sample() -> Vec<u8> {
        serialize("webauthn.get", &crate::base64url::encode(b"chal"), "https://o", false, None, &[])
    }

    #[test]
    fn lv_diverged() {
        let err = limited_verification(&sample(), "webauthn.create", b"chal", "https://o", None, false);
        assert_eq!(
            err,
            Err(LimitedVerificationError::Diverged {
                member: "type",
                offset: 18,
                expected: b'c',
                found: b'g'
            })
        );
    }

    #[test]
    fn lv_end_of_input() {
        let s = sample();
        let err = limited_verification(&s[..30], "webauthn.get", b"chal", "https://o", None, false);
        assert_eq!(err, Err(LimitedVerificationError::EndOfInput { member: "challenge", offset: 30 }));
        let err = limited_verification(b"", "webauthn.get", b"chal", "https://o", None, false);
        assert_eq!(err, Err(LimitedVerificationError::EndOfInput { member: "type", offset: 0 }));
    }

    #[test]
    fn lv_no_terminator() {
        let s = sample();
        let cut = &s[..s.len() - 1];
        let err = limited_verification(cut, "webauthn.get", b"chal", "https://o", None, false);
        assert_eq!(err, Err(LimitedVerificationError::NoTerminator { offset: cut.len() }));
    }

    #[test]
    fn lv_bad_terminator() {
        let s = br#"{"type":"webauthn.get","challenge":"Y2hhbA","origin":"https://o","crossOrigin":falsey}"#;
        let err = limited_verification(s, "webauthn.get", b"chal", "https://o", None, false);
        assert_eq!(err, Err(LimitedVerificationError::BadTerminator { offset: s.len() - 2, found: b'y' }));
    }

    #[test]
    fn lv_accepts_continuation_and_escaped_values() {
        let extra = [("other".to_owned(), json!(1))];
        let s = serialize("t\"\n", "Y2hhbA", "o\\", false, None, &extra);
        assert_eq!(limited_verification(&s, "t\"\n", b"chal", "o\\", None, false), Ok(()));
    }

    // ---- property tests ----

    fn arb_json(depth: u32) -> BoxedStrategy<Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            // Floats that serde_json writes and reads back exactly.
            (any::<i32>(), 1u32..8).prop_map(|(m, e)| Value::from(f64::from(m) / f64::from(1u32 << e))),
            ".{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(depth, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((".{0,6}", inner), 0..4)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
        .boxed()
    }

    fn arb_client_data() -> impl Strategy<Value = CollectedClientData> {
        prop::collection::vec((".{0,10}", arb_json(3)), 0..8).prop_map(|entries| {
            let mut members: Vec<(String, Value)> = Vec::new();
            for (k, v) in entries {
                if !members.iter().any(|(n, _)| *n == k) {
                    members.push((k, v));
                }
            }
            CollectedClientData { members }
        })
    }

    /// Extras without floats (JSON.stringify prints 2.0 as `2`, which reads back as an integer) and
    /// without the five ordered names.
    fn arb_extras() -> impl Strategy<Value = Vec<(String, Value)>> {
        let value = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-(1i64 << 53)..(1i64 << 53)).prop_map(Value::from),
            ".{0,12}".prop_map(Value::String),
            prop::collection::vec(".{0,4}".prop_map(Value::String), 0..3).prop_map(Value::Array),
        ];
        prop::collection::vec(("[a-zA-Z\u{0}-\u{1f}\"\\\\é]{0,8}", value), 0..4).prop_map(|entries| {
            let mut out: Vec<(String, Value)> = Vec::new();
            for (k, v) in entries {
                if !ORDERED_MEMBERS.contains(&k.as_str()) && !out.iter().any(|(n, _)| *n == k) {
                    out.push((k, v));
                }
            }
            out
        })
    }

    /// Strings heavy in characters that need escaping.
    fn arb_text() -> impl Strategy<Value = String> {
        prop_oneof!["[\u{0}-\u{7f}]{0,16}", ".{0,16}", "[\"\\\\\n\u{1f}a]{0,8}"]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn prop_build_then_parse_round_trips(data in arb_client_data()) {
            let bytes = data.to_json_bytes();
            prop_assert_eq!(CollectedClientData::parse(&bytes).unwrap(), data);
        }

        #[test]
        fn prop_serialize_parses_back_and_passes_limited_verification(
            type_ in arb_text(),
            challenge in prop::collection::vec(any::<u8>(), 0..40),
            origin in arb_text(),
            top in prop::option::of(arb_text()),
            cross in any::<bool>(),
            extra in arb_extras(),
        ) {
            let challenge_b64 = crate::base64url::encode(&challenge);
            let cross = cross || top.is_some();
            let bytes = serialize(&type_, &challenge_b64, &origin, cross, top.as_deref(), &extra);
            let data = CollectedClientData::parse(&bytes).unwrap();
            prop_assert_eq!(data.type_().unwrap(), type_.as_str());
            prop_assert_eq!(data.challenge().unwrap(), challenge_b64.as_str());
            prop_assert_eq!(data.origin().unwrap(), origin.as_str());
            prop_assert_eq!(data.cross_origin().unwrap(), Some(cross));
            prop_assert_eq!(data.top_origin().unwrap(), top.as_deref());
            prop_assert_eq!(extras(&data), extra);
            prop_assert_eq!(data.to_spec_bytes().unwrap(), bytes.clone());
            let expected_top = if cross { Some(top.as_deref().unwrap_or("https://t")) } else { None };
            prop_assert_eq!(
                limited_verification(&bytes, &type_, &challenge, &origin, expected_top, top.is_some()),
                Ok(())
            );
        }

        #[test]
        fn prop_flipped_prefix_byte_names_its_member(
            challenge in prop::collection::vec(any::<u8>(), 1..40),
            top in prop::option::of("[a-z:/.]{1,20}"),
            pick in any::<prop::sample::Index>(),
            flip in 1u8..=255,
        ) {
            let bytes = serialize("webauthn.get", &crate::base64url::encode(&challenge), "https://o.example",
                top.is_some(), top.as_deref(), &[]);
            let prefix_len = bytes.len() - 1;
            let at = pick.index(prefix_len);
            let mut changed = bytes.clone();
            changed[at] ^= flip;
            let err = limited_verification(&changed, "webauthn.get", &challenge, "https://o.example",
                top.as_deref(), top.is_some()).unwrap_err();
            let member = ORDERED_MEMBERS.iter().rev().zip([
                bytes.windows(13).position(|w| w == br#","topOrigin":"#).unwrap_or(usize::MAX),
                bytes.windows(15).position(|w| w == br#","crossOrigin":"#).unwrap(),
                bytes.windows(10).position(|w| w == br#","origin":"#).unwrap(),
                bytes.windows(13).position(|w| w == br#","challenge":"#).unwrap(),
                0,
            ]).find(|(_, start)| at >= *start).map(|(m, _)| *m).unwrap();
            match err {
                LimitedVerificationError::Diverged { member: m, offset, .. } => {
                    prop_assert_eq!(offset, at);
                    prop_assert_eq!(m, member);
                }
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }

        #[test]
        fn prop_truncated_never_verifies(cut in any::<prop::sample::Index>()) {
            let bytes = sample();
            let n = cut.index(bytes.len());
            prop_assert!(limited_verification(&bytes[..n], "webauthn.get", b"chal", "https://o", None, false).is_err());
            let _ = CollectedClientData::parse(&bytes[..n]);
        }

        #[test]
        fn prop_arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
            let _ = CollectedClientData::parse(&bytes);
            let _ = CollectedClientData::parse_lenient(&bytes);
            let _ = limited_verification(&bytes, "webauthn.get", b"c", "https://o", Some("https://t"), false);
        }

        #[test]
        fn prop_json_like_bytes_never_panic(s in "[\\[\\]{}\",:\\\\ a0-9.eE+\\-tfnul]{0,64}") {
            let _ = CollectedClientData::parse(s.as_bytes());
        }

        #[test]
        fn prop_vector_with_flipped_or_cut_byte_never_panics(
            which in any::<prop::sample::Index>(),
            pick in any::<prop::sample::Index>(),
            flip in 1u8..=255,
        ) {
            let all = vectors();
            let v = &all[which.index(all.len())];
            let at = pick.index(v.client_data_json.len());
            let mut changed = v.client_data_json.clone();
            changed[at] ^= flip;
            let _ = CollectedClientData::parse(&changed);
            let _ = CollectedClientData::parse_lenient(&changed);
            let _ = limited_verification(&changed, "webauthn.get", &v.challenge, "https://example.org", None, false);
            let cut = &v.client_data_json[..at];
            prop_assert!(CollectedClientData::parse(cut).is_err());
            let _ = limited_verification(cut, "webauthn.get", &v.challenge, "https://example.org", None, false);
        }
    }

    #[test]
    fn hostile_ten_megabytes_fails_fast() {
        let start = std::time::Instant::now();
        let big = vec![b'['; 10 * 1024 * 1024];
        assert!(matches!(CollectedClientData::parse(&big), Err(ClientDataError::TooLarge { .. })));
        let mut obj = b"{\"a\":\"".to_vec();
        obj.resize(10 * 1024 * 1024, b'x');
        assert!(matches!(CollectedClientData::parse_lenient(&obj), Err(ClientDataError::TooLarge { .. })));
        // Limited verification only reads the prefix, whatever the length.
        assert!(limited_verification(&big, "t", b"", "o", None, false).is_err());
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
    }
}
