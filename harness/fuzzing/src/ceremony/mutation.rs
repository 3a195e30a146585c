//! The mutation model of the ceremony targets, read from fuzz input with `arbitrary`.
//!
//! It mirrors `generator::strategies::Mutation` (byte edits, replacement and removal of one member of the
//! response) and adds edits that know the formats, so that the fuzzer reaches the checks after parsing:
//! a client data member set to a chosen value, a field of the authenticator data, an attestation statement
//! entry, the attestation format, and raw edits of the JSON text. Values are drawn partly from a list of
//! near misses of what the relying party expects (its origin with a trailing slash, the challenge with
//! padding, the other ceremony's type, ...), since those are what a verifier gets wrong.
//!
//! Positions are taken modulo the length of what they edit, so every mutation applies to every response.
//! A mutation whose target is absent or cannot be decoded leaves the response alone.
//!
//! Every piece has a fixed size on the wire (byte strings are a [`Piece`], lists have a fixed arity), so a
//! description is read from the input front to back, field by field; this is what lets [`crate::corpus`]
//! write the seed input for a description it names (see [`crate::corpus::Encode`]).

use arbitrary::Arbitrary;
use base64::Engine as _;
use serde_json::{Map, Value as Json};
use wire::attestation_object::AttestationObject;
use wire::authdata::AuthenticatorData;
use wire::base64url;
use wire::cbor::Value;
use wire::client_data::CollectedClientData;

use super::Context;

/// Bytes a [`Piece`] carries at most.
pub const PIECE_LEN: usize = 12;

/// A short byte string: the first `len % 13` bytes of `bytes`.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub bytes: [u8; PIECE_LEN],
    pub len: u8,
}

impl Piece {
    /// A piece holding (the first [`PIECE_LEN`] bytes of) `data`.
    pub fn new(data: &[u8]) -> Piece {
        let mut bytes = [0u8; PIECE_LEN];
        for (slot, b) in bytes.iter_mut().zip(data) {
            *slot = *b;
        }
        Piece { bytes, len: data.len().min(PIECE_LEN) as u8 }
    }

    pub fn bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len) % (PIECE_LEN + 1)).unwrap_or_default()
    }

    /// The bytes as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(self.bytes()).into_owned()
    }
}

/// One edit of a byte string.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// XOR the byte at `at` with `mask` (a zero mask is taken as 1).
    Flip {
        at: u16,
        mask: u8,
    },
    Set {
        at: u16,
        byte: u8,
    },
    /// Keep the first `to` bytes (modulo the length + 1).
    Truncate {
        to: u16,
    },
    /// Insert bytes at `at` (modulo the length + 1).
    Insert {
        at: u16,
        bytes: Piece,
    },
    /// Remove up to `len` bytes from `at`.
    Remove {
        at: u16,
        len: u8,
    },
}

impl Edit {
    pub fn apply(&self, b: &mut Vec<u8>) {
        let len = b.len();
        match self {
            Edit::Flip { at, mask } if len > 0 => {
                if let Some(x) = b.get_mut(usize::from(*at) % len) {
                    *x ^= if *mask == 0 { 1 } else { *mask };
                }
            }
            Edit::Set { at, byte } if len > 0 => {
                if let Some(x) = b.get_mut(usize::from(*at) % len) {
                    *x = *byte;
                }
            }
            Edit::Truncate { to } => b.truncate(usize::from(*to) % (len + 1)),
            Edit::Insert { at, bytes } => {
                let at = usize::from(*at) % (len + 1);
                b.splice(at..at, bytes.bytes().iter().copied());
            }
            Edit::Remove { at, len: n } if len > 0 => {
                let at = usize::from(*at) % len;
                let end = (at + usize::from(*n).max(1)).min(len);
                b.drain(at..end);
            }
            _ => {}
        }
    }
}

/// The members of a response a mutation names (read from fuzz input through the generator's `arbitrary`
/// feature; its variant order is part of the corpus's encoding).
pub use generator::Member;

/// Strings a relying party compares against, and near misses of them.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    Origin,
    OriginWithSlash,
    OriginHttp,
    OriginWithPort,
    OriginSubdomain,
    OriginUppercase,
    OtherOrigin,
    TypeCreate,
    TypeGet,
    PublicKey,
    Empty,
    Challenge,
    ChallengePadded,
    ChallengeStandardAlphabet,
    ChallengeTruncated,
    OtherChallenge,
    CredentialId,
    CredentialIdPadded,
    UserHandle,
    OtherUserHandle,
    Internal,
}

impl Known {
    pub fn text(self, ctx: &Context) -> String {
        let padded = |b: &[u8]| base64::engine::general_purpose::URL_SAFE.encode(b);
        match self {
            Known::Origin => ctx.origin.clone(),
            Known::OriginWithSlash => format!("{}/", ctx.origin),
            Known::OriginHttp => format!("http://{}", ctx.rp_id),
            Known::OriginWithPort => format!("{}:443", ctx.origin),
            Known::OriginSubdomain => format!("https://login.{}", ctx.rp_id),
            Known::OriginUppercase => ctx.origin.to_uppercase(),
            Known::OtherOrigin => "https://example.com".to_owned(),
            Known::TypeCreate => "webauthn.create".to_owned(),
            Known::TypeGet => "webauthn.get".to_owned(),
            Known::PublicKey => "public-key".to_owned(),
            Known::Empty => String::new(),
            Known::Challenge => base64url::encode(&ctx.challenge),
            Known::ChallengePadded => padded(&ctx.challenge),
            Known::ChallengeStandardAlphabet => {
                base64::engine::general_purpose::STANDARD.encode(&ctx.challenge)
            }
            Known::ChallengeTruncated => base64url::encode(
                ctx.challenge.get(..ctx.challenge.len().saturating_sub(1)).unwrap_or_default(),
            ),
            Known::OtherChallenge => base64url::encode(&ctx.other_challenge),
            Known::CredentialId => base64url::encode(&ctx.credential_id),
            Known::CredentialIdPadded => padded(&ctx.credential_id),
            Known::UserHandle => base64url::encode(&ctx.user_handle),
            Known::OtherUserHandle => base64url::encode(&ctx.other_user_handle),
            Known::Internal => "internal".to_owned(),
        }
    }
}

/// A JSON scalar.
#[derive(Arbitrary, Debug, Clone, PartialEq)]
pub enum JsonLeaf {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(Piece),
    Base64url(Piece),
    Known(Known),
}

impl JsonLeaf {
    fn to_json(&self, ctx: &Context) -> Json {
        match self {
            JsonLeaf::Null => Json::Null,
            JsonLeaf::Bool(b) => Json::Bool(*b),
            JsonLeaf::Int(i) => Json::from(*i),
            // serde_json maps a non-finite float to null.
            JsonLeaf::Float(f) => Json::from(*f),
            JsonLeaf::Text(s) => Json::String(s.text()),
            JsonLeaf::Base64url(b) => Json::String(base64url::encode(b.bytes())),
            JsonLeaf::Known(k) => Json::String(k.text(ctx)),
        }
    }
}

/// A JSON value: a scalar, an empty array or object, an array of two scalars, or an object of one member.
#[derive(Arbitrary, Debug, Clone, PartialEq)]
pub enum JsonValue {
    Leaf(JsonLeaf),
    EmptyArray,
    EmptyObject,
    Array([JsonLeaf; 2]),
    Object(Piece, JsonLeaf),
}

impl JsonValue {
    pub fn to_json(&self, ctx: &Context) -> Json {
        match self {
            JsonValue::Leaf(l) => l.to_json(ctx),
            JsonValue::EmptyArray => Json::Array(vec![]),
            JsonValue::EmptyObject => Json::Object(Map::new()),
            JsonValue::Array(items) => Json::Array(items.iter().map(|l| l.to_json(ctx)).collect()),
            JsonValue::Object(name, value) => {
                Json::Object(std::iter::once((name.text(), value.to_json(ctx))).collect())
            }
        }
    }
}

/// A member of the client data (§5.8.1).
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientDataMember {
    Type,
    Challenge,
    Origin,
    CrossOrigin,
    TopOrigin,
    TokenBinding,
    Other,
}

impl ClientDataMember {
    fn name(self) -> &'static str {
        match self {
            ClientDataMember::Type => "type",
            ClientDataMember::Challenge => "challenge",
            ClientDataMember::Origin => "origin",
            ClientDataMember::CrossOrigin => "crossOrigin",
            ClientDataMember::TopOrigin => "topOrigin",
            ClientDataMember::TokenBinding => "tokenBinding",
            ClientDataMember::Other => "extra",
        }
    }
}

/// How the changed client data is written back.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serialization {
    /// The §5.8.1.1 serialization when the members allow it, compact JSON otherwise.
    Spec,
    /// Compact JSON in stored order.
    Compact,
}

/// An RP ID whose hash replaces rpIdHash.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RpId {
    Other,
    Parent,
    Subdomain,
    Uppercase,
    Origin,
}

impl RpId {
    fn text(self, ctx: &Context) -> String {
        match self {
            RpId::Other => "example.com".to_owned(),
            RpId::Parent => ctx.rp_id.rsplit('.').next().unwrap_or_default().to_owned(),
            RpId::Subdomain => format!("login.{}", ctx.rp_id),
            RpId::Uppercase => ctx.rp_id.to_uppercase(),
            RpId::Origin => ctx.origin.clone(),
        }
    }
}

/// A change to the authenticator data (inside the attestation object for a registration).
#[derive(Arbitrary, Debug, Clone, PartialEq)]
pub enum AuthDataEdit {
    /// XOR the flags byte.
    Flags {
        xor: u8,
    },
    SignCount(u32),
    RpIdHash(RpId),
    /// Set (or, with `None`, remove) the extensions; the ED flag is left as it is.
    Extensions(Option<CborValue>),
    /// Edit the credential ID inside the attested credential data (its length field follows it).
    CredentialId(Edit),
    /// Edit the COSE_Key bytes inside the attested credential data.
    CredentialPublicKey(Edit),
    /// Edit the encoded bytes.
    Raw(Edit),
}

/// An attestation statement entry.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttStmtKey {
    Alg,
    Sig,
    X5c,
    EcdaaKeyId,
    Other,
}

impl AttStmtKey {
    fn name(self) -> &'static str {
        match self {
            AttStmtKey::Alg => "alg",
            AttStmtKey::Sig => "sig",
            AttStmtKey::X5c => "x5c",
            AttStmtKey::EcdaaKeyId => "ecdaaKeyId",
            AttStmtKey::Other => "ver",
        }
    }
}

/// CBOR values worth trying in an attestation statement.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownCbor {
    AlgEs256,
    AlgEs384,
    AlgRs256,
    AlgEdDsa,
    /// The baseline statement's own `sig`.
    BaselineSig,
    /// `[root]`: the trust anchor itself as the attestation certificate.
    RootChain,
    /// `[leaf, root]`.
    LeafAndRoot,
    /// `[u2f leaf]`.
    U2fChain,
    /// `[packed leaf for an all-zero AAGUID]`.
    ZeroAaguidChain,
}

/// A CBOR scalar.
#[derive(Arbitrary, Debug, Clone, PartialEq)]
pub enum CborLeaf {
    Unsigned(u64),
    Negative(u64),
    Bytes(Piece),
    Text(Piece),
    Bool(bool),
    Null,
    Float(f64),
    Known(KnownCbor),
}

/// A CBOR value: a scalar, an empty array or map, an array of two scalars, or a map of one entry.
#[derive(Arbitrary, Debug, Clone, PartialEq)]
pub enum CborValue {
    Leaf(CborLeaf),
    EmptyArray,
    EmptyMap,
    Array([CborLeaf; 2]),
    Map(CborLeaf, CborLeaf),
}

impl CborLeaf {
    fn to_value(&self, ctx: &Context) -> Value {
        match self {
            CborLeaf::Unsigned(n) => Value::Unsigned(*n),
            CborLeaf::Negative(n) => Value::Negative(*n),
            CborLeaf::Bytes(b) => Value::Bytes(b.bytes().to_vec()),
            CborLeaf::Text(t) => Value::Text(t.text()),
            CborLeaf::Bool(b) => Value::Bool(*b),
            CborLeaf::Null => Value::Null,
            CborLeaf::Float(f) => Value::Float(*f),
            CborLeaf::Known(k) => {
                let chain = |certs: Vec<Vec<u8>>| Value::Array(certs.into_iter().map(Value::Bytes).collect());
                match k {
                    KnownCbor::AlgEs256 => Value::from(wire::cose::alg::ES256),
                    KnownCbor::AlgEs384 => Value::from(wire::cose::alg::ES384),
                    KnownCbor::AlgRs256 => Value::from(wire::cose::alg::RS256),
                    KnownCbor::AlgEdDsa => Value::from(wire::cose::alg::EDDSA),
                    KnownCbor::BaselineSig => Value::Bytes(ctx.baseline_sig.clone()),
                    KnownCbor::RootChain => chain(vec![generator::pki::root().der.clone()]),
                    KnownCbor::LeafAndRoot => chain(vec![
                        generator::pki::packed_leaf(ctx.aaguid).der,
                        generator::pki::root().der.clone(),
                    ]),
                    KnownCbor::U2fChain => chain(vec![generator::pki::u2f_leaf().der]),
                    KnownCbor::ZeroAaguidChain => chain(vec![generator::pki::packed_leaf([0; 16]).der]),
                }
            }
        }
    }
}

impl CborValue {
    pub fn to_value(&self, ctx: &Context) -> Value {
        match self {
            CborValue::Leaf(l) => l.to_value(ctx),
            CborValue::EmptyArray => Value::Array(vec![]),
            CborValue::EmptyMap => Value::Map(vec![]),
            CborValue::Array(items) => Value::Array(items.iter().map(|l| l.to_value(ctx)).collect()),
            CborValue::Map(k, v) => Value::Map(vec![(k.to_value(ctx), v.to_value(ctx))]),
        }
    }
}

/// An attestation statement format identifier.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum Fmt {
    None,
    Packed,
    FidoU2f,
    Tpm,
    AndroidKey,
    Apple,
    Compound,
    Other(Piece),
}

impl Fmt {
    fn text(&self) -> String {
        match self {
            Fmt::None => "none",
            Fmt::Packed => "packed",
            Fmt::FidoU2f => "fido-u2f",
            Fmt::Tpm => "tpm",
            Fmt::AndroidKey => "android-key",
            Fmt::Apple => "apple",
            Fmt::Compound => "compound",
            Fmt::Other(s) => return s.text(),
        }
        .to_owned()
    }
}

/// One change to a response.
#[derive(Arbitrary, Debug, Clone, PartialEq)]
pub enum Mutation {
    /// Edit the decoded bytes of a base64url member (the UTF-8 text of any other string member).
    Bytes { member: Member, edit: Edit },
    /// Replace a member's JSON value.
    Replace { member: Member, value: JsonValue },
    /// Delete a member.
    Remove { member: Member },
    /// Set a client data member (`None`: delete it), re-serializing the client data.
    ClientData { member: ClientDataMember, value: Option<JsonValue>, serialization: Serialization },
    /// Change the authenticator data.
    AuthData(AuthDataEdit),
    /// Set (or delete) an attestation statement entry (registration).
    AttStmt { key: AttStmtKey, value: Option<CborValue> },
    /// Change the attestation format identifier (registration).
    Fmt(Fmt),
    /// Edit the JSON text of the response, after every other mutation (and after re-signing).
    Text(Edit),
}

impl Mutation {
    /// Applies the mutation to the response JSON. [`Mutation::Text`] is applied by [`Mutation::apply_text`].
    pub fn apply(&self, json: &mut Json, ctx: &Context) {
        match self {
            Mutation::Bytes { member, edit } => edit_member_bytes(json, *member, edit),
            Mutation::Replace { member, value } => {
                if let Some((obj, name)) = member.slot(json) {
                    obj.insert(name.to_owned(), value.to_json(ctx));
                }
            }
            Mutation::Remove { member } => {
                if let Some((obj, name)) = member.slot(json) {
                    obj.remove(name);
                }
            }
            Mutation::ClientData { member, value, serialization } => {
                edit_decoded(json, Member::ClientDataJson, |bytes| {
                    let Ok(mut c) = CollectedClientData::parse(bytes) else { return };
                    let name = member.name();
                    match value {
                        Some(v) => match c.members.iter_mut().find(|(k, _)| k == name) {
                            Some((_, slot)) => *slot = v.to_json(ctx),
                            None => c.members.push((name.to_owned(), v.to_json(ctx))),
                        },
                        None => c.members.retain(|(k, _)| k != name),
                    }
                    *bytes = match serialization {
                        Serialization::Spec => c.to_spec_bytes().unwrap_or_else(|_| c.to_json_bytes()),
                        Serialization::Compact => c.to_json_bytes(),
                    };
                })
            }
            Mutation::AuthData(edit) => {
                if json.get("response").and_then(|r| r.get("attestationObject")).is_some() {
                    edit_attestation_object(json, |o| edit_auth_data(&mut o.auth_data, edit, ctx));
                } else {
                    edit_decoded(json, Member::AuthenticatorData, |b| edit_auth_data(b, edit, ctx));
                }
            }
            Mutation::AttStmt { key, value } => edit_attestation_object(json, |o| {
                let name = Value::from(key.name());
                if let Value::Map(entries) = &mut o.att_stmt {
                    match value {
                        Some(v) => match entries.iter_mut().find(|(k, _)| *k == name) {
                            Some((_, slot)) => *slot = v.to_value(ctx),
                            None => entries.push((name, v.to_value(ctx))),
                        },
                        None => entries.retain(|(k, _)| *k != name),
                    }
                }
            }),
            Mutation::Fmt(fmt) => edit_attestation_object(json, |o| o.fmt = fmt.text()),
            Mutation::Text(_) => {}
        }
    }

    /// Applies a [`Mutation::Text`] to the serialized response.
    pub fn apply_text(&self, text: &mut Vec<u8>) {
        if let Mutation::Text(edit) = self {
            edit.apply(text);
        }
    }
}

/// Edits a string member: its base64url-decoded bytes if it decodes, else its UTF-8 text.
fn edit_member_bytes(json: &mut Json, member: Member, edit: &Edit) {
    let Some((obj, name)) = member.slot(json) else { return };
    let Some(Json::String(s)) = obj.get_mut(name) else { return };
    match base64url::decode(s) {
        Ok(mut bytes) => {
            edit.apply(&mut bytes);
            *s = base64url::encode(&bytes);
        }
        Err(_) => {
            let mut bytes = s.clone().into_bytes();
            edit.apply(&mut bytes);
            *s = String::from_utf8_lossy(&bytes).into_owned();
        }
    }
}

/// Applies `f` to the decoded bytes of a base64url member, if present and decodable.
pub fn edit_decoded(json: &mut Json, member: Member, f: impl FnOnce(&mut Vec<u8>)) {
    let Some((obj, name)) = member.slot(json) else { return };
    let Some(Json::String(s)) = obj.get_mut(name) else { return };
    let Ok(mut bytes) = base64url::decode(s) else { return };
    f(&mut bytes);
    *s = base64url::encode(&bytes);
}

/// Applies `f` to the parsed attestation object, writing it back in canonical CBOR.
pub fn edit_attestation_object(json: &mut Json, f: impl FnOnce(&mut AttestationObject)) {
    edit_decoded(json, Member::AttestationObject, |bytes| {
        let Ok(parsed) = AttestationObject::parse(bytes) else { return };
        let mut object = parsed.object;
        f(&mut object);
        *bytes = object.to_bytes();
    });
}

/// Applies one edit to encoded authenticator data. Field edits need it to parse (and re-encode it).
fn edit_auth_data(bytes: &mut Vec<u8>, edit: &AuthDataEdit, ctx: &Context) {
    if let AuthDataEdit::Raw(e) = edit {
        e.apply(bytes);
        return;
    }
    // The flags byte, signCount and rpIdHash sit at fixed offsets; editing them in place keeps the rest
    // (including non-canonical CBOR) as it was.
    match edit {
        AuthDataEdit::Flags { xor } => {
            if let Some(f) = bytes.get_mut(32) {
                *f ^= xor;
            }
            return;
        }
        AuthDataEdit::SignCount(n) => {
            if let Some(slot) = bytes.get_mut(33..37) {
                slot.copy_from_slice(&n.to_be_bytes());
            }
            return;
        }
        AuthDataEdit::RpIdHash(rp) => {
            if let Some(slot) = bytes.get_mut(..32) {
                slot.copy_from_slice(&super::sha256(rp.text(ctx).as_bytes()));
            }
            return;
        }
        _ => {}
    }
    let Ok(parsed) = AuthenticatorData::parse(bytes) else { return };
    let mut data = parsed.data;
    match edit {
        AuthDataEdit::Extensions(v) => data.extensions = v.as_ref().map(|v| v.to_value(ctx)),
        AuthDataEdit::CredentialId(e) => {
            if let Some(a) = &mut data.attested_credential_data {
                e.apply(&mut a.credential_id);
            }
        }
        AuthDataEdit::CredentialPublicKey(e) => {
            if let Some(a) = &mut data.attested_credential_data {
                e.apply(&mut a.credential_public_key);
            }
        }
        _ => {}
    }
    *bytes = data.to_bytes();
}
