//! Authenticator data (WebAuthn §6.1) and the attested credential data inside it (§6.5.1).
//!
//! Layout (§6.1, table "authData"):
//!
//! | bytes | field | notes |
//! |---|---|---|
//! | 32 | `rpIdHash` | SHA-256 of the RP ID the credential is scoped to |
//! | 1 | `flags` | see [`Flags`] |
//! | 4 | `signCount` | signature counter, big-endian `u32` |
//! | variable | `attestedCredentialData` | present iff the AT flag is set (§6.5.1) |
//! | variable | `extensions` | a CBOR map, present iff the ED flag is set |
//!
//! Attested credential data (§6.5.1) is `aaguid` (16 bytes), `credentialIdLength` (big-endian `u16`),
//! `credentialId` (that many bytes) and `credentialPublicKey`, a COSE_Key whose length is only known by
//! decoding it as one CBOR item.
//!
//! Parsing is strict about structure and nothing else: the flags decide which sections are read, every
//! section must be complete, and bytes left after the last section are an error, never ignored and never
//! guessed to be extensions. Values are not judged here: the RFU bits, a credential ID over the §6.5.1 limit of
//! 1023 bytes, an AT flag on an assertion or a public key that is not a valid COSE_Key all parse, because those
//! are checks of the relying party (§7.1, §7.2) and of the COSE module. Non-canonical CBOR in the key and the
//! extensions is reported in [`ParsedAuthenticatorData::non_canonical`], not rejected.
//!
//! The builder ([`AuthenticatorData::to_bytes`]) writes the fields exactly as they are, consistent or not, so
//! malformed authenticator data can be made on purpose.

use crate::cbor::{self, CborError, Limits, NonCanonical, Value};

/// Length of the fixed part of authenticator data: `rpIdHash` (32), `flags` (1), `signCount` (4) (§6.1).
pub const HEADER_LEN: usize = 37;

/// Length of an AAGUID (§6.5.1).
pub const AAGUID_LEN: usize = 16;

/// The flags byte of authenticator data, every bit of it (§6.1; bit 0 is the least significant).
///
/// The raw byte is kept, so reserved bits and combinations the spec forbids (BS without BE, AT on an
/// assertion, ED without extensions) are representable and survive a round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(pub u8);

impl Flags {
    /// Bit 0, User Present: the authenticator performed a test of user presence.
    pub const UP: u8 = 0x01;
    /// Bit 1, reserved for future use; authenticators set it to zero.
    pub const RFU1: u8 = 0x02;
    /// Bit 2, User Verified: the authenticator performed user verification.
    pub const UV: u8 = 0x04;
    /// Bit 3, Backup Eligibility: the credential source may be backed up (a multi-device credential).
    pub const BE: u8 = 0x08;
    /// Bit 4, Backup State: the credential source is currently backed up.
    pub const BS: u8 = 0x10;
    /// Bit 5, reserved for future use; authenticators set it to zero.
    pub const RFU2: u8 = 0x20;
    /// Bit 6, Attested credential data included: the AT section follows the header.
    pub const AT: u8 = 0x40;
    /// Bit 7, Extension data included: an extensions CBOR map ends the authenticator data.
    pub const ED: u8 = 0x80;
    /// Both reserved bits.
    pub const RFU_MASK: u8 = Self::RFU1 | Self::RFU2;

    /// The raw flags byte.
    pub fn bits(self) -> u8 {
        self.0
    }

    /// Whether every bit of `mask` is set.
    pub fn contains(self, mask: u8) -> bool {
        self.0 & mask == mask
    }

    /// User Present (bit 0).
    pub fn up(self) -> bool {
        self.contains(Self::UP)
    }

    /// User Verified (bit 2).
    pub fn uv(self) -> bool {
        self.contains(Self::UV)
    }

    /// Backup Eligibility (bit 3).
    pub fn be(self) -> bool {
        self.contains(Self::BE)
    }

    /// Backup State (bit 4).
    pub fn bs(self) -> bool {
        self.contains(Self::BS)
    }

    /// Attested credential data included (bit 6).
    pub fn at(self) -> bool {
        self.contains(Self::AT)
    }

    /// Extension data included (bit 7).
    pub fn ed(self) -> bool {
        self.contains(Self::ED)
    }

    /// The reserved bits that are set (a subset of [`Flags::RFU_MASK`]; zero when none are).
    pub fn rfu_bits(self) -> u8 {
        self.0 & Self::RFU_MASK
    }

    /// A copy with every bit of `bit` (a mask, usually one of the constants) set or cleared.
    pub fn with(self, bit: u8, on: bool) -> Flags {
        if on {
            Flags(self.0 | bit)
        } else {
            Flags(self.0 & !bit)
        }
    }
}

impl From<u8> for Flags {
    fn from(bits: u8) -> Self {
        Flags(bits)
    }
}

impl From<Flags> for u8 {
    fn from(flags: Flags) -> Self {
        flags.0
    }
}

/// Attested credential data (§6.5.1): the new credential's identity and public key, present in authenticator
/// data when the AT flag is set (that is, in registrations).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestedCredentialData {
    /// The AAGUID: identifies the authenticator model (all zeros when the authenticator does not say).
    pub aaguid: [u8; 16],
    /// The credential ID. On the wire it is preceded by its length as a big-endian `u16`. The §6.5.1 limit of
    /// 1023 bytes is a relying-party check (§7.1) and is not applied here, so up to 65535 bytes parse.
    pub credential_id: Vec<u8>,
    /// The credential public key: the exact bytes of one CBOR data item, meant to be a COSE_Key in CTAP2
    /// canonical form. Its extent is found by decoding it; its content is not interpreted here.
    pub credential_public_key: Vec<u8>,
}

impl AttestedCredentialData {
    /// Encodes the attested credential data: `aaguid || credentialIdLength || credentialId ||
    /// credentialPublicKey`, the key bytes verbatim.
    ///
    /// A credential ID longer than 65535 bytes cannot be described by the 16-bit length field; the field is
    /// then written as 65535 (saturated) and all of the ID's bytes follow, which is malformed on purpose.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.write_to(&mut out);
        out
    }

    /// Bytes [`Self::to_bytes`] produces.
    pub fn encoded_len(&self) -> usize {
        AAGUID_LEN + 2 + self.credential_id.len() + self.credential_public_key.len()
    }

    fn write_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.aaguid);
        let len = u16::try_from(self.credential_id.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&self.credential_id);
        out.extend_from_slice(&self.credential_public_key);
    }
}

/// Authenticator data (§6.1): what the authenticator binds into an attestation or assertion signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatorData {
    /// SHA-256 of the RP ID the credential is scoped to.
    pub rp_id_hash: [u8; 32],
    /// The flags byte, verbatim.
    pub flags: Flags,
    /// The signature counter (big-endian on the wire); zero from authenticators without a counter.
    pub sign_count: u32,
    /// Attested credential data (§6.5.1). A parse fills it iff [`Flags::AT`] is set; the builder writes it iff
    /// it is `Some`, whatever the flags say.
    pub attested_credential_data: Option<AttestedCredentialData>,
    /// The extensions CBOR map: extension identifiers to authenticator extension outputs (§9). A parse fills
    /// it iff [`Flags::ED`] is set; the builder writes it iff it is `Some`, in CTAP2 canonical form.
    pub extensions: Option<Value>,
}

/// A section of authenticator data, to say where parsing had got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    /// The 37-byte fixed part (`rpIdHash`, `flags`, `signCount`).
    Header,
    /// The attested credential data (§6.5.1).
    AttestedCredentialData,
    /// The extensions map.
    Extensions,
}

impl std::fmt::Display for Section {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Section::Header => "the 37-byte header",
            Section::AttestedCredentialData => "the attested credential data",
            Section::Extensions => "the extensions",
        })
    }
}

/// A field of attested credential data (§6.5.1), to say which one was cut short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttestedPart {
    Aaguid,
    CredentialIdLength,
    CredentialId,
    CredentialPublicKey,
}

impl std::fmt::Display for AttestedPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AttestedPart::Aaguid => "aaguid",
            AttestedPart::CredentialIdLength => "credentialIdLength",
            AttestedPart::CredentialId => "credentialId",
            AttestedPart::CredentialPublicKey => "credentialPublicKey",
        })
    }
}

/// Why bytes are not well-formed authenticator data. Offsets count from the start of the authenticator data;
/// the offsets inside a wrapped [`CborError`] count from the start of that CBOR item (the variant's `offset`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthDataError {
    #[error("authenticator data of {len} bytes exceeds the limit of {max} bytes")]
    InputTooLarge { len: usize, max: usize },
    #[error(
        "authenticator data is {len} bytes, shorter than the 37-byte header (rpIdHash, flags, signCount)"
    )]
    TooShort { len: usize },
    #[error(
        "AT flag set but attested credential data is truncated: {part} at byte {offset} needs {needed} bytes, \
         {remaining} remain"
    )]
    AttestedDataTruncated { part: AttestedPart, offset: usize, needed: usize, remaining: usize },
    #[error("credential public key starting at byte {offset} is not a well-formed CBOR item: {source}")]
    CredentialPublicKey { offset: usize, source: CborError },
    #[error("ED flag set but no extensions follow (input ends at byte {offset})")]
    ExtensionsMissing { offset: usize },
    #[error("extensions starting at byte {offset} are not a well-formed CBOR item: {source}")]
    Extensions { offset: usize, source: CborError },
    #[error("extensions at byte {offset} are a CBOR {found}, not a map")]
    ExtensionsNotMap { offset: usize, found: &'static str },
    #[error("{count} bytes left over at byte {offset}, after {after}")]
    TrailingBytes { offset: usize, count: usize, after: Section },
}

/// The result of a successful parse.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedAuthenticatorData {
    pub data: AuthenticatorData,
    /// Every non-canonical CBOR encoding found in the credential public key and the extensions, in input
    /// order, with offsets relative to the start of the authenticator data.
    pub non_canonical: Vec<NonCanonical>,
}

impl ParsedAuthenticatorData {
    /// Whether the CBOR parts were all in CTAP2 canonical form (§6.5.1 asks it of the credential public key).
    pub fn is_canonical(&self) -> bool {
        self.non_canonical.is_empty()
    }
}

/// A read position over the input; every read checks what remains first.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    fn take(&mut self, n: usize, part: AttestedPart) -> Result<&'a [u8], AuthDataError> {
        let rest = self.rest();
        match rest.get(..n) {
            Some(taken) => {
                self.pos += n;
                Ok(taken)
            }
            None => Err(AuthDataError::AttestedDataTruncated {
                part,
                offset: self.pos,
                needed: n,
                remaining: rest.len(),
            }),
        }
    }

    fn take_array<const N: usize>(&mut self, part: AttestedPart) -> Result<[u8; N], AuthDataError> {
        let taken = self.take(N, part)?;
        taken.try_into().map_err(|_| AuthDataError::AttestedDataTruncated {
            part,
            offset: self.pos,
            needed: N,
            remaining: taken.len(),
        })
    }

    /// Decodes one CBOR item at the read position; its non-canonical findings are shifted to input offsets.
    fn cbor_item(
        &mut self,
        limits: &Limits,
        non_canonical: &mut Vec<NonCanonical>,
    ) -> Result<(cbor::Decoded, &'a [u8]), CborError> {
        let rest = self.rest();
        let decoded = cbor::decode_prefix(rest, limits)?;
        let raw = rest.get(..decoded.consumed).ok_or(CborError::Truncated { offset: rest.len() })?;
        let start = self.pos;
        non_canonical.extend(
            decoded.non_canonical.iter().map(|nc| NonCanonical { offset: start + nc.offset, kind: nc.kind }),
        );
        self.pos += decoded.consumed;
        Ok((decoded, raw))
    }
}

impl AuthenticatorData {
    /// Authenticator data with just the header: no attested credential data, no extensions.
    pub fn new(rp_id_hash: [u8; 32], flags: Flags, sign_count: u32) -> Self {
        AuthenticatorData { rp_id_hash, flags, sign_count, attested_credential_data: None, extensions: None }
    }

    /// Parses authenticator data with [`Limits::WEBAUTHN`].
    pub fn parse(bytes: &[u8]) -> Result<ParsedAuthenticatorData, AuthDataError> {
        Self::parse_with_limits(bytes, &Limits::WEBAUTHN)
    }

    /// Parses authenticator data (§6.1). `limits.max_input_len` bounds the whole input; the CBOR limits apply
    /// to the credential public key and to the extensions, each decoded on its own.
    ///
    /// The header is always read; attested credential data iff AT is set; extensions iff ED is set. Bytes
    /// after the last section read are [`AuthDataError::TrailingBytes`].
    pub fn parse_with_limits(
        bytes: &[u8],
        limits: &Limits,
    ) -> Result<ParsedAuthenticatorData, AuthDataError> {
        if bytes.len() > limits.max_input_len {
            return Err(AuthDataError::InputTooLarge { len: bytes.len(), max: limits.max_input_len });
        }
        let too_short = AuthDataError::TooShort { len: bytes.len() };
        let (rp_id_hash, rest) = bytes.split_first_chunk::<32>().ok_or_else(|| too_short.clone())?;
        let (&flags, rest) = rest.split_first().ok_or_else(|| too_short.clone())?;
        let (sign_count, _) = rest.split_first_chunk::<4>().ok_or(too_short)?;
        let flags = Flags(flags);
        let mut data = AuthenticatorData::new(*rp_id_hash, flags, u32::from_be_bytes(*sign_count));

        let mut cursor = Cursor { bytes, pos: HEADER_LEN };
        let mut non_canonical = Vec::new();
        let mut last = Section::Header;

        if flags.at() {
            data.attested_credential_data = Some(parse_attested(&mut cursor, limits, &mut non_canonical)?);
            last = Section::AttestedCredentialData;
        }

        if flags.ed() {
            let offset = cursor.pos;
            if cursor.rest().is_empty() {
                return Err(AuthDataError::ExtensionsMissing { offset });
            }
            let (decoded, _) = cursor
                .cbor_item(limits, &mut non_canonical)
                .map_err(|source| AuthDataError::Extensions { offset, source })?;
            if !matches!(decoded.value, Value::Map(_)) {
                return Err(AuthDataError::ExtensionsNotMap { offset, found: decoded.value.kind() });
            }
            data.extensions = Some(decoded.value);
            last = Section::Extensions;
        }

        let count = cursor.rest().len();
        if count > 0 {
            return Err(AuthDataError::TrailingBytes { offset: cursor.pos, count, after: last });
        }
        Ok(ParsedAuthenticatorData { data, non_canonical })
    }

    /// Encodes the authenticator data exactly as the struct says: the header with the flags byte verbatim,
    /// then the attested credential data iff it is `Some`, then the extensions iff they are `Some` (in CTAP2
    /// canonical form, whatever CBOR value they are). Nothing is made consistent with the flags.
    pub fn to_bytes(&self) -> Vec<u8> {
        let extensions = self.extensions.as_ref().map(cbor::encode_canonical);
        let capacity = HEADER_LEN
            + self.attested_credential_data.as_ref().map_or(0, AttestedCredentialData::encoded_len)
            + extensions.as_ref().map_or(0, Vec::len);
        let mut out = Vec::with_capacity(capacity);
        out.extend_from_slice(&self.rp_id_hash);
        out.push(self.flags.0);
        out.extend_from_slice(&self.sign_count.to_be_bytes());
        if let Some(attested) = &self.attested_credential_data {
            attested.write_to(&mut out);
        }
        if let Some(extensions) = extensions {
            out.extend_from_slice(&extensions);
        }
        out
    }
}

/// Reads attested credential data (§6.5.1) at the cursor.
fn parse_attested(
    cursor: &mut Cursor<'_>,
    limits: &Limits,
    non_canonical: &mut Vec<NonCanonical>,
) -> Result<AttestedCredentialData, AuthDataError> {
    let aaguid = cursor.take_array::<AAGUID_LEN>(AttestedPart::Aaguid)?;
    let id_len = u16::from_be_bytes(cursor.take_array::<2>(AttestedPart::CredentialIdLength)?);
    let credential_id = cursor.take(usize::from(id_len), AttestedPart::CredentialId)?.to_vec();
    let offset = cursor.pos;
    if cursor.rest().is_empty() {
        return Err(AuthDataError::AttestedDataTruncated {
            part: AttestedPart::CredentialPublicKey,
            offset,
            needed: 1,
            remaining: 0,
        });
    }
    let (_, raw) = cursor
        .cbor_item(limits, non_canonical)
        .map_err(|source| AuthDataError::CredentialPublicKey { offset, source })?;
    Ok(AttestedCredentialData { aaguid, credential_id, credential_public_key: raw.to_vec() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cbor::NonCanonicalKind;
    use proptest::prelude::*;

    // ---- fixtures -------------------------------------------------------------------------------------

    /// The §6.5.1 example EC2 P-256 key, in CTAP2 canonical form.
    fn es256_key() -> Vec<u8> {
        let mut key = hex::decode("a5010203262001215820").unwrap();
        key.extend(hex::decode("65eda5a12577c2bae829437fe338701a10aaa375e1bb5b5de108de439c08551d").unwrap());
        key.extend(hex::decode("225820").unwrap());
        key.extend(hex::decode("1e52ed75701163f7f9e40ddf9f341b3dc9ba860af7e0ca7ca7e9eecd0084d19c").unwrap());
        key
    }

    fn attested() -> AttestedCredentialData {
        AttestedCredentialData {
            aaguid: [0xaa; 16],
            credential_id: vec![0x11; 32],
            credential_public_key: es256_key(),
        }
    }

    fn extensions() -> Value {
        Value::Map(vec![(Value::from("credProtect"), Value::from(2))])
    }

    fn header_only(flags: u8) -> AuthenticatorData {
        AuthenticatorData::new([0x42; 32], Flags(flags), 7)
    }

    fn registration(flags: u8) -> AuthenticatorData {
        AuthenticatorData { attested_credential_data: Some(attested()), ..header_only(flags | Flags::AT) }
    }

    fn full() -> AuthenticatorData {
        AuthenticatorData {
            extensions: Some(extensions()),
            ..registration(Flags::UP | Flags::UV | Flags::AT | Flags::ED)
        }
    }

    fn err(bytes: &[u8]) -> AuthDataError {
        AuthenticatorData::parse(bytes).expect_err("parse should fail")
    }

    // ---- flags -----------------------------------------------------------------------------------------

    #[test]
    fn flag_accessors_read_each_bit() {
        let all = Flags(0xff);
        assert!(all.up() && all.uv() && all.be() && all.bs() && all.at() && all.ed());
        assert_eq!(all.rfu_bits(), 0x22);
        let none = Flags::default();
        assert!(!(none.up() || none.uv() || none.be() || none.bs() || none.at() || none.ed()));
        assert_eq!(none.rfu_bits(), 0);
        assert_eq!(Flags(0x45), Flags(0).with(Flags::UP, true).with(Flags::UV, true).with(Flags::AT, true));
        assert_eq!(Flags(0xff).with(Flags::RFU1, false).with(Flags::ED, false), Flags(0x7d));
        assert_eq!(Flags(Flags::RFU2).rfu_bits(), Flags::RFU2);
        let bits =
            [Flags::UP, Flags::RFU1, Flags::UV, Flags::BE, Flags::BS, Flags::RFU2, Flags::AT, Flags::ED];
        for (i, bit) in bits.into_iter().enumerate() {
            assert_eq!(bit, 1 << i);
        }
    }

    #[test]
    fn flags_byte_is_kept_verbatim_including_rfu_bits() {
        // RFU bits set, BS without BE: inconsistent, but the wire byte survives parse and build.
        let data = header_only(Flags::RFU1 | Flags::RFU2 | Flags::BS | Flags::UP);
        let bytes = data.to_bytes();
        let parsed = AuthenticatorData::parse(&bytes).unwrap();
        assert_eq!(parsed.data.flags, Flags(0x33));
        assert_eq!(parsed.data.flags.rfu_bits(), 0x22);
        assert_eq!(parsed.data.to_bytes(), bytes);
    }

    // ---- layout ----------------------------------------------------------------------------------------

    #[test]
    fn header_layout_is_big_endian() {
        let data = AuthenticatorData::new([9; 32], Flags(0x05), 0x0102_0304);
        let bytes = data.to_bytes();
        assert_eq!(bytes.len(), HEADER_LEN);
        assert_eq!(bytes[32], 0x05);
        assert_eq!(&bytes[33..], &[1, 2, 3, 4]);
        let parsed = AuthenticatorData::parse(&bytes).unwrap();
        assert_eq!(parsed.data, data);
        assert!(parsed.is_canonical());
    }

    #[test]
    fn full_layout_round_trips() {
        let data = full();
        let bytes = data.to_bytes();
        assert_eq!(&bytes[37..53], &[0xaa; 16]);
        assert_eq!(&bytes[53..55], &[0, 32]);
        assert_eq!(&bytes[55..87], &[0x11; 32]);
        assert_eq!(&bytes[87..87 + 77], es256_key().as_slice());
        let parsed = AuthenticatorData::parse(&bytes).unwrap();
        assert_eq!(parsed.data, data);
        assert!(parsed.is_canonical());
    }

    #[test]
    fn extensions_without_attested_data() {
        let data = AuthenticatorData { extensions: Some(extensions()), ..header_only(Flags::UP | Flags::ED) };
        let parsed = AuthenticatorData::parse(&data.to_bytes()).unwrap();
        assert_eq!(parsed.data, data);
    }

    #[test]
    fn empty_extensions_map_is_accepted() {
        let data = AuthenticatorData { extensions: Some(Value::Map(vec![])), ..header_only(Flags::ED) };
        let bytes = data.to_bytes();
        assert_eq!(bytes.len(), HEADER_LEN + 1);
        assert_eq!(AuthenticatorData::parse(&bytes).unwrap().data, data);
    }

    #[test]
    fn credential_id_limit_is_not_applied_here() {
        let mut data = registration(0);
        data.attested_credential_data.as_mut().unwrap().credential_id = vec![7; 65535];
        let bytes = data.to_bytes();
        assert_eq!(&bytes[53..55], &[0xff, 0xff]);
        assert_eq!(AuthenticatorData::parse(&bytes).unwrap().data, data);
        // And an empty credential ID parses too.
        data.attested_credential_data.as_mut().unwrap().credential_id = vec![];
        assert_eq!(AuthenticatorData::parse(&data.to_bytes()).unwrap().data, data);
    }

    #[test]
    fn oversized_credential_id_builds_saturated_length() {
        let mut data = registration(0);
        data.attested_credential_data.as_mut().unwrap().credential_id = vec![7; 65536];
        let bytes = data.to_bytes();
        assert_eq!(&bytes[53..55], &[0xff, 0xff]);
        assert_eq!(bytes.len(), 55 + 65536 + 77);
        // The last ID byte is then read as the start of the key, which is not what was built.
        assert!(AuthenticatorData::parse(&bytes).is_err());
    }

    #[test]
    fn key_is_not_interpreted_as_cose() {
        // Any single CBOR item is accepted as the key bytes; COSE checks live elsewhere.
        let mut data = registration(0);
        data.attested_credential_data.as_mut().unwrap().credential_public_key = vec![0x01];
        assert_eq!(AuthenticatorData::parse(&data.to_bytes()).unwrap().data, data);
    }

    #[test]
    fn builder_ignores_flags() {
        // AT clear but attested data present, ED set but no extensions: written as the struct says.
        let data = AuthenticatorData {
            attested_credential_data: Some(attested()),
            ..header_only(Flags::UP | Flags::ED)
        };
        let bytes = data.to_bytes();
        assert_eq!(bytes.len(), HEADER_LEN + attested().encoded_len());
        assert_eq!(&bytes[HEADER_LEN..], attested().to_bytes().as_slice());
    }

    #[test]
    fn non_canonical_offsets_are_relative_to_auth_data() {
        // Key {1: 2} with 1 written as 0x18 0x01; extensions {"b": 1, "a": 1} unsorted.
        let mut data = registration(Flags::ED);
        data.attested_credential_data.as_mut().unwrap().credential_public_key = vec![0xa1, 0x18, 0x01, 0x02];
        let mut bytes = data.to_bytes();
        let key_at = HEADER_LEN + 16 + 2 + 32;
        let ext_at = bytes.len();
        bytes.extend([0xa2, 0x61, b'b', 0x01, 0x61, b'a', 0x01]);
        let parsed = AuthenticatorData::parse(&bytes).unwrap();
        assert_eq!(
            parsed.non_canonical,
            vec![
                NonCanonical { offset: key_at + 1, kind: NonCanonicalKind::NonMinimalArgument },
                NonCanonical { offset: ext_at + 1, kind: NonCanonicalKind::UnsortedMapKeys },
            ]
        );
        assert!(!parsed.is_canonical());
        // The key bytes are kept verbatim; the extensions keep wire order.
        let acd = parsed.data.attested_credential_data.as_ref().unwrap();
        assert_eq!(acd.credential_public_key, vec![0xa1, 0x18, 0x01, 0x02]);
        let ext = parsed.data.extensions.as_ref().unwrap().as_map().unwrap();
        assert_eq!(ext[0].0, Value::from("b"));
    }

    // ---- one test per error variant --------------------------------------------------------------------

    #[test]
    fn error_input_too_large() {
        let limits = Limits { max_input_len: 40, ..Limits::WEBAUTHN };
        let bytes = registration(0).to_bytes();
        let e = AuthenticatorData::parse_with_limits(&bytes, &limits).unwrap_err();
        assert_eq!(e, AuthDataError::InputTooLarge { len: bytes.len(), max: 40 });
    }

    #[test]
    fn error_too_short() {
        for len in [0, 1, 32, 33, 36] {
            assert_eq!(err(&vec![0; len]), AuthDataError::TooShort { len });
        }
    }

    #[test]
    fn error_attested_data_truncated_each_part() {
        let bytes = registration(0).to_bytes();
        let cases = [
            (HEADER_LEN, AttestedPart::Aaguid, HEADER_LEN, 16, 0),
            (HEADER_LEN + 15, AttestedPart::Aaguid, HEADER_LEN, 16, 15),
            (HEADER_LEN + 16, AttestedPart::CredentialIdLength, HEADER_LEN + 16, 2, 0),
            (HEADER_LEN + 17, AttestedPart::CredentialIdLength, HEADER_LEN + 16, 2, 1),
            (HEADER_LEN + 18, AttestedPart::CredentialId, HEADER_LEN + 18, 32, 0),
            (HEADER_LEN + 49, AttestedPart::CredentialId, HEADER_LEN + 18, 32, 31),
            (HEADER_LEN + 50, AttestedPart::CredentialPublicKey, HEADER_LEN + 50, 1, 0),
        ];
        for (len, part, offset, needed, remaining) in cases {
            assert_eq!(
                err(&bytes[..len]),
                AuthDataError::AttestedDataTruncated { part, offset, needed, remaining },
                "truncated to {len}"
            );
        }
    }

    #[test]
    fn error_credential_public_key() {
        let key_at = HEADER_LEN + 50;
        let bytes = registration(0).to_bytes();
        // Key cut short inside its last byte string, then inside a header.
        assert_eq!(
            err(&bytes[..bytes.len() - 1]),
            AuthDataError::CredentialPublicKey {
                offset: key_at,
                source: CborError::LengthExceedsInput {
                    offset: 43,
                    declared: 32,
                    unit: "bytes",
                    remaining: 31
                }
            }
        );
        // Key cut short inside a header: a two-byte argument with one byte present.
        let mut data = registration(0);
        data.attested_credential_data.as_mut().unwrap().credential_public_key = vec![0x19, 0x01];
        assert_eq!(
            err(&data.to_bytes()),
            AuthDataError::CredentialPublicKey { offset: key_at, source: CborError::Truncated { offset: 0 } }
        );
        // Indefinite-length map.
        data.attested_credential_data.as_mut().unwrap().credential_public_key = vec![0xbf, 0x01, 0x02, 0xff];
        assert_eq!(
            err(&data.to_bytes()),
            AuthDataError::CredentialPublicKey {
                offset: key_at,
                source: CborError::IndefiniteLength { offset: 0 }
            }
        );
        // Duplicate map key.
        data.attested_credential_data.as_mut().unwrap().credential_public_key =
            vec![0xa2, 0x01, 0x02, 0x01, 0x03];
        assert!(matches!(
            err(&data.to_bytes()),
            AuthDataError::CredentialPublicKey { source: CborError::DuplicateMapKey { offset: 3 }, .. }
        ));
    }

    #[test]
    fn error_extensions_missing() {
        let bytes = header_only(Flags::ED).to_bytes();
        assert_eq!(err(&bytes), AuthDataError::ExtensionsMissing { offset: HEADER_LEN });
        let bytes = registration(Flags::ED).to_bytes();
        assert_eq!(err(&bytes), AuthDataError::ExtensionsMissing { offset: bytes.len() });
    }

    #[test]
    fn error_extensions_malformed() {
        let mut bytes = header_only(Flags::ED).to_bytes();
        bytes.extend([0xa2, 0x61, b'a', 0x01, 0x61, b'a', 0x02]);
        assert_eq!(
            err(&bytes),
            AuthDataError::Extensions {
                offset: HEADER_LEN,
                source: CborError::DuplicateMapKey { offset: 4 }
            }
        );
        let mut bytes = header_only(Flags::ED).to_bytes();
        bytes.push(0xff);
        assert_eq!(
            err(&bytes),
            AuthDataError::Extensions {
                offset: HEADER_LEN,
                source: CborError::UnexpectedBreak { offset: 0 }
            }
        );
    }

    #[test]
    fn error_extensions_not_map() {
        for (item, found) in [(vec![0x80], "array"), (vec![0x01], "integer"), (vec![0x40], "byte string")] {
            let mut bytes = registration(Flags::ED).to_bytes();
            let offset = bytes.len();
            bytes.extend(item);
            assert_eq!(err(&bytes), AuthDataError::ExtensionsNotMap { offset, found });
        }
    }

    #[test]
    fn error_trailing_bytes_after_each_section() {
        let mut bytes = header_only(Flags::UP).to_bytes();
        bytes.push(0);
        assert_eq!(
            err(&bytes),
            AuthDataError::TrailingBytes { offset: HEADER_LEN, count: 1, after: Section::Header }
        );

        let mut bytes = registration(0).to_bytes();
        let end = bytes.len();
        bytes.extend([1, 2, 3]);
        assert_eq!(
            err(&bytes),
            AuthDataError::TrailingBytes { offset: end, count: 3, after: Section::AttestedCredentialData }
        );

        let mut bytes = full().to_bytes();
        let end = bytes.len();
        bytes.push(0xa0);
        assert_eq!(
            err(&bytes),
            AuthDataError::TrailingBytes { offset: end, count: 1, after: Section::Extensions }
        );
    }

    #[test]
    fn ed_clear_map_appended_is_trailing_not_extensions() {
        let map = cbor::encode_canonical(&extensions());

        let mut bytes = header_only(Flags::UP).to_bytes();
        bytes.extend(&map);
        assert_eq!(
            err(&bytes),
            AuthDataError::TrailingBytes { offset: HEADER_LEN, count: map.len(), after: Section::Header }
        );

        let mut bytes = registration(Flags::UP).to_bytes();
        let end = bytes.len();
        bytes.extend(&map);
        assert_eq!(
            err(&bytes),
            AuthDataError::TrailingBytes {
                offset: end,
                count: map.len(),
                after: Section::AttestedCredentialData
            }
        );
    }

    #[test]
    fn at_clear_attested_bytes_are_trailing() {
        // AT clear: attested credential data after the header is not read as such.
        let data = AuthenticatorData { attested_credential_data: Some(attested()), ..header_only(Flags::UP) };
        assert!(matches!(
            err(&data.to_bytes()),
            AuthDataError::TrailingBytes { offset: HEADER_LEN, after: Section::Header, .. }
        ));
    }

    #[test]
    fn errors_display_their_context() {
        let e = AuthDataError::AttestedDataTruncated {
            part: AttestedPart::CredentialId,
            offset: 55,
            needed: 32,
            remaining: 3,
        };
        assert_eq!(
            e.to_string(),
            "AT flag set but attested credential data is truncated: credentialId at byte 55 needs 32 bytes, \
             3 remain"
        );
        let e = AuthDataError::TrailingBytes { offset: 37, count: 2, after: Section::Header };
        assert_eq!(e.to_string(), "2 bytes left over at byte 37, after the 37-byte header");
        let e = AuthDataError::CredentialPublicKey { offset: 87, source: CborError::Empty };
        assert!(std::error::Error::source(&e).is_some());
    }

    // ---- hostile input ---------------------------------------------------------------------------------

    #[test]
    fn hostile_ten_megabytes_rejected_before_work() {
        let bytes = vec![0xff; 10 * 1024 * 1024];
        let start = std::time::Instant::now();
        assert_eq!(
            err(&bytes),
            AuthDataError::InputTooLarge { len: bytes.len(), max: Limits::WEBAUTHN.max_input_len }
        );
        assert!(start.elapsed() < std::time::Duration::from_millis(100));
    }

    #[test]
    fn hostile_ten_megabytes_under_generous_limits_fail_fast() {
        let limits = Limits { max_input_len: 16 * 1024 * 1024, ..Limits::WEBAUTHN };
        // AT set, a short ID, then an array of 10 million nested arrays as the key.
        let mut bytes = registration(0).to_bytes();
        bytes.truncate(HEADER_LEN + 50);
        bytes.resize(10 * 1024 * 1024, 0x81);
        let start = std::time::Instant::now();
        let e = AuthenticatorData::parse_with_limits(&bytes, &limits).unwrap_err();
        assert!(matches!(
            e,
            AuthDataError::CredentialPublicKey { source: CborError::DepthExceeded { .. }, .. }
        ));
        // Header only, then 10 MB of padding: one trailing-bytes error, no scanning.
        let mut bytes = header_only(0).to_bytes();
        bytes.resize(10 * 1024 * 1024, 0);
        let e = AuthenticatorData::parse_with_limits(&bytes, &limits).unwrap_err();
        assert!(matches!(e, AuthDataError::TrailingBytes { count, .. } if count == 10 * 1024 * 1024 - 37));
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn hostile_declared_lengths() {
        // credentialIdLength 65535 with 4 bytes behind it.
        let mut bytes = header_only(Flags::AT).to_bytes();
        bytes.extend([0; 16]);
        bytes.extend([0xff, 0xff, 1, 2, 3, 4]);
        assert_eq!(
            err(&bytes),
            AuthDataError::AttestedDataTruncated {
                part: AttestedPart::CredentialId,
                offset: HEADER_LEN + 18,
                needed: 65535,
                remaining: 4,
            }
        );
        // Key declaring a 2^64-1 byte string.
        let mut data = registration(0);
        data.attested_credential_data.as_mut().unwrap().credential_public_key =
            vec![0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00];
        assert!(matches!(
            err(&data.to_bytes()),
            AuthDataError::CredentialPublicKey { source: CborError::LengthExceedsInput { .. }, .. }
        ));
        // Extensions declaring a map of 2^32 entries.
        let mut bytes = header_only(Flags::ED).to_bytes();
        bytes.extend([0xba, 0xff, 0xff, 0xff, 0xff, 0x00]);
        assert!(matches!(
            err(&bytes),
            AuthDataError::Extensions { source: CborError::LengthExceedsInput { .. }, .. }
        ));
    }

    #[test]
    fn hostile_deep_nesting_in_extensions() {
        let mut bytes = header_only(Flags::ED).to_bytes();
        bytes.push(0xa1);
        bytes.push(0x61);
        bytes.push(b'x');
        bytes.extend(std::iter::repeat_n(0x81, 100_000));
        bytes.push(0x00);
        assert!(matches!(
            err(&bytes),
            AuthDataError::Extensions { offset: HEADER_LEN, source: CborError::DepthExceeded { .. } }
        ));
    }

    // ---- §16 test vectors ------------------------------------------------------------------------------

    const VECTORS: &str = include_str!("../../../vectors/w3c/webauthn-l3-section16.json");

    fn hex_field(obj: &serde_json::Value, name: &str) -> Vec<u8> {
        hex::decode(obj[name].as_str().unwrap_or_else(|| panic!("missing {name}"))).unwrap()
    }

    fn examples() -> Vec<serde_json::Value> {
        let doc: serde_json::Value = serde_json::from_str(VECTORS).unwrap();
        doc["examples"].as_array().unwrap().clone()
    }

    fn rp_id_hash() -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(b"example.org").into()
    }

    #[test]
    fn section16_authentication_auth_data() {
        let examples = examples();
        assert_eq!(examples.len(), 15);
        for example in &examples {
            let anchor = example["anchor"].as_str().unwrap();
            let bytes = hex_field(&example["authentication"], "authenticatorData");
            let parsed = AuthenticatorData::parse(&bytes).unwrap_or_else(|e| panic!("{anchor}: {e}"));
            let data = &parsed.data;
            assert_eq!(data.rp_id_hash, rp_id_hash(), "{anchor}");
            assert!(!data.flags.at() && !data.flags.ed(), "{anchor}");
            assert!(data.attested_credential_data.is_none() && data.extensions.is_none(), "{anchor}");
            assert_eq!(data.to_bytes(), bytes, "{anchor}");
        }
    }

    #[test]
    fn section16_registration_auth_data() {
        let mut long_id_seen = false;
        for example in &examples() {
            let anchor = example["anchor"].as_str().unwrap();
            let registration = &example["registration"];
            let object = hex_field(registration, "attestationObject");
            let decoded = cbor::decode(&object, &Limits::WEBAUTHN).unwrap();
            let bytes = decoded.value.get_text("authData").and_then(Value::as_bytes).unwrap().to_vec();
            let parsed = AuthenticatorData::parse(&bytes).unwrap_or_else(|e| panic!("{anchor}: {e}"));
            assert!(parsed.is_canonical(), "{anchor}: {:?}", parsed.non_canonical);
            let data = &parsed.data;
            assert_eq!(data.rp_id_hash, rp_id_hash(), "{anchor}");
            assert!(data.flags.at(), "{anchor}");
            let acd = data.attested_credential_data.as_ref().unwrap();
            assert_eq!(acd.credential_id, hex_field(registration, "credential_id"), "{anchor}");
            let aaguid = hex_field(registration, "aaguid");
            // FIDO U2F authenticators have no AAGUID to report (§8.6): zeros in authData.
            if anchor.ends_with("fido-u2f-es256") {
                assert!(acd.aaguid == [0; 16] || acd.aaguid.as_slice() == aaguid, "{anchor}");
            } else {
                assert_eq!(acd.aaguid.as_slice(), aaguid, "{anchor}");
            }
            // The key is one whole CBOR map (its COSE meaning is checked elsewhere).
            let key = cbor::decode(&acd.credential_public_key, &Limits::WEBAUTHN).unwrap();
            assert!(key.value.as_map().is_some(), "{anchor}");
            assert_eq!(data.to_bytes(), bytes, "{anchor}");
            long_id_seen |= acd.credential_id.len() == 1023;
        }
        assert!(long_id_seen, "the 1023-byte credential ID vector must be among those parsed");
    }

    // ---- property tests --------------------------------------------------------------------------------

    /// CBOR values without floats (whose encodings are the CBOR module's business), maps with distinct keys.
    fn cbor_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::Unsigned),
            any::<u64>().prop_map(Value::Negative),
            proptest::collection::vec(any::<u8>(), 0..40).prop_map(Value::Bytes),
            "[a-z]{0,12}".prop_map(Value::Text),
            any::<bool>().prop_map(Value::Bool),
            Just(Value::Null),
        ];
        leaf.prop_recursive(3, 24, 5, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                proptest::collection::btree_map(any::<i16>(), inner.clone(), 0..5).prop_map(|m| Value::Map(
                    m.into_iter().map(|(k, v)| (Value::from(i64::from(k)), v)).collect()
                )),
                proptest::collection::btree_map("[a-z]{1,6}", inner, 0..5)
                    .prop_map(|m| Value::Map(m.into_iter().map(|(k, v)| (Value::Text(k), v)).collect())),
            ]
        })
    }

    /// A value as a parse gives it back from its canonical encoding (map entries in canonical order).
    fn canonical_form(value: &Value) -> Value {
        cbor::decode(&cbor::encode_canonical(value), &Limits::WEBAUTHN).unwrap().value
    }

    fn extensions_strategy() -> impl Strategy<Value = Value> {
        proptest::collection::btree_map("[a-zA-Z]{1,12}", cbor_value(), 0..4).prop_map(|m| {
            canonical_form(&Value::Map(m.into_iter().map(|(k, v)| (Value::Text(k), v)).collect()))
        })
    }

    fn attested_strategy() -> impl Strategy<Value = AttestedCredentialData> {
        (
            any::<[u8; 16]>(),
            prop_oneof![
                4 => proptest::collection::vec(any::<u8>(), 0..80),
                1 => proptest::collection::vec(any::<u8>(), 1000..1100),
            ],
            cbor_value(),
            any::<bool>(),
        )
            .prop_map(|(aaguid, credential_id, key, canonical)| AttestedCredentialData {
                aaguid,
                credential_id,
                // Keys built both ways: canonical, and in generation order (possibly unsorted).
                credential_public_key: if canonical {
                    cbor::encode_canonical(&key)
                } else {
                    cbor::encode(&key)
                },
            })
    }

    /// Consistent authenticator data: attested data iff AT, extensions iff ED, any other bits.
    fn auth_data_strategy() -> impl Strategy<Value = AuthenticatorData> {
        (any::<[u8; 32]>(), any::<u8>(), any::<u32>(), attested_strategy(), extensions_strategy()).prop_map(
            |(rp_id_hash, flags, sign_count, attested, extensions)| {
                let flags = Flags(flags);
                AuthenticatorData {
                    rp_id_hash,
                    flags,
                    sign_count,
                    attested_credential_data: flags.at().then_some(attested),
                    extensions: flags.ed().then_some(extensions),
                }
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn prop_build_then_parse_round_trips(data in auth_data_strategy()) {
            let bytes = data.to_bytes();
            let parsed = AuthenticatorData::parse(&bytes).unwrap();
            prop_assert_eq!(&parsed.data, &data);
            prop_assert_eq!(parsed.data.to_bytes(), bytes);
            // Every reported offset lies inside a CBOR section.
            for nc in &parsed.non_canonical {
                prop_assert!(nc.offset >= HEADER_LEN && nc.offset < data.to_bytes().len());
            }
        }

        #[test]
        fn prop_canonical_key_reports_nothing(data in auth_data_strategy()) {
            let mut data = data;
            if let Some(acd) = data.attested_credential_data.as_mut() {
                let key = cbor::decode(&acd.credential_public_key, &Limits::WEBAUTHN).unwrap().value;
                acd.credential_public_key = cbor::encode_canonical(&key);
            }
            prop_assert!(AuthenticatorData::parse(&data.to_bytes()).unwrap().is_canonical());
        }

        #[test]
        fn prop_arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = AuthenticatorData::parse(&bytes);
        }

        #[test]
        fn prop_arbitrary_tail_with_at_ed_never_panics(
            flags in any::<u8>(),
            tail in proptest::collection::vec(any::<u8>(), 0..256),
        ) {
            // Force the variable sections to be attempted on arbitrary bytes.
            let mut bytes = header_only(flags | Flags::AT).to_bytes();
            bytes.extend(&tail);
            let _ = AuthenticatorData::parse(&bytes);
            bytes[32] = flags | Flags::ED;
            let _ = AuthenticatorData::parse(&bytes);
        }

        #[test]
        fn prop_one_byte_flipped_never_panics(
            data in auth_data_strategy(),
            index in any::<prop::sample::Index>(),
            xor in 1u8..,
        ) {
            let mut bytes = data.to_bytes();
            let i = index.index(bytes.len());
            bytes[i] ^= xor;
            if let Ok(parsed) = AuthenticatorData::parse(&bytes) {
                // Whatever parses must rebuild into bytes that parse and rebuild identically (extension maps
                // may come back in canonical order rather than the flipped input's wire order).
                let rebuilt = parsed.data.to_bytes();
                let again = AuthenticatorData::parse(&rebuilt).unwrap();
                prop_assert_eq!(again.data.to_bytes(), rebuilt);
            }
        }

        #[test]
        fn prop_truncated_always_fails(data in auth_data_strategy(), index in any::<prop::sample::Index>()) {
            let bytes = data.to_bytes();
            let cut = index.index(bytes.len());
            // CBOR items are prefix-free, so any strict prefix is missing part of its last section.
            prop_assert!(AuthenticatorData::parse(&bytes[..cut]).is_err());
        }
    }
}
