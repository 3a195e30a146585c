//! COSE_Key: the encoding of a credential public key (WebAuthn §6.5.1, RFC 9052 §7).
//!
//! A credential public key travels inside attested credential data as a CBOR map whose integer labels name
//! its parameters. WebAuthn §6.5.1 requires the `alg` parameter, CTAP2 canonical CBOR (§2.4), and no
//! OPTIONAL parameters beyond `alg`. Three key types occur in practice:
//!
//! | kty | type | parameters | spec |
//! |---|---|---|---|
//! | 2 | EC2 | `crv` (-1), `x` (-2), `y` (-3) | RFC 9053 §7.1 |
//! | 1 | OKP | `crv` (-1), `x` (-2) | RFC 9053 §7.2 |
//! | 3 | RSA | `n` (-1), `e` (-2) | RFC 8230 §4 |
//!
//! Parsing ([`CoseKey::parse`], [`CoseKey::parse_prefix`], [`CoseKey::from_value`]) checks the *format*:
//! the map shape, that `kty` and `alg` are present integers, that the parameters the key type needs are
//! present with the right CBOR type and length, that EC2 points are given uncompressed, and that no private
//! key parameter is present. It deliberately does **not** check:
//!
//! * that `alg` suits the key type or curve (ES256 on an RSA key parses; §5.8.5's pairing rules are the
//!   verifier's job);
//! * that an EC2 point lies on its curve, or that an OKP key is a valid encoding (the verifier's job, see the
//!   note in §5.8.5);
//! * that `alg` is an algorithm the relying party accepts (policy).
//!
//! Parameters the parser does not interpret (`kid` (2), `key_ops` (4), `Base IV` (5), text labels, any
//! unassigned label) are skipped, and listed in [`ParsedCoseKey::ignored_labels`] so a verifier can enforce
//! §6.5.1's "MUST NOT contain any other OPTIONAL parameters" if it wants to. Departures from canonical CBOR
//! are likewise reported ([`ParsedCoseKey::non_canonical`]), not rejected.
//!
//! Building ([`CoseKey::to_value`], [`CoseKey::to_bytes`]) writes exactly the fields of the [`CoseKey`]
//! without validating them, so malformed keys (a 31-byte coordinate, an empty modulus) can be built on
//! purpose.

use std::collections::HashSet;

use crate::cbor::{self, CborError, Limits, NonCanonical, Value};

/// COSE algorithm identifiers the harness knows by name (IANA COSE Algorithms registry; WebAuthn §5.8.5).
///
/// A [`CoseKey`] carries any `i64` as its `alg`, so identifiers missing here are still representable.
pub mod alg {
    /// ECDSA with SHA-256 (RFC 9053 §2.1); WebAuthn requires curve P-256 with it.
    pub const ES256: i64 = -7;
    /// EdDSA (RFC 9053 §2.2), polymorphic over the curve; WebAuthn requires Ed25519 with it.
    pub const EDDSA: i64 = -8;
    /// ECDSA using P-256 and SHA-256, fully specified (RFC 9864).
    pub const ESP256: i64 = -9;
    /// Ed25519, fully specified (RFC 9864).
    pub const ED25519: i64 = -19;
    /// ECDSA with SHA-384 (RFC 9053 §2.1); WebAuthn requires curve P-384 with it.
    pub const ES384: i64 = -35;
    /// ECDSA with SHA-512 (RFC 9053 §2.1); WebAuthn requires curve P-521 with it.
    pub const ES512: i64 = -36;
    /// RSASSA-PSS with SHA-256 (RFC 8230 §2).
    pub const PS256: i64 = -37;
    /// RSASSA-PSS with SHA-384 (RFC 8230 §2).
    pub const PS384: i64 = -38;
    /// RSASSA-PSS with SHA-512 (RFC 8230 §2).
    pub const PS512: i64 = -39;
    /// ECDSA with SHA-256 on secp256k1 (RFC 8812).
    pub const ES256K: i64 = -47;
    /// ECDSA using P-384 and SHA-384, fully specified (RFC 9864).
    pub const ESP384: i64 = -51;
    /// ECDSA using P-521 and SHA-512, fully specified (RFC 9864).
    pub const ESP512: i64 = -52;
    /// Ed448, fully specified (RFC 9864).
    pub const ED448: i64 = -53;
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8812).
    pub const RS256: i64 = -257;
    /// RSASSA-PKCS1-v1_5 with SHA-384 (RFC 8812).
    pub const RS384: i64 = -258;
    /// RSASSA-PKCS1-v1_5 with SHA-512 (RFC 8812).
    pub const RS512: i64 = -259;
    /// RSASSA-PKCS1-v1_5 with SHA-1 (RFC 8812; deprecated, seen on old TPMs).
    pub const RS1: i64 = -65535;
}

/// The registry name of a COSE algorithm identifier from [`alg`], or `None` for one the harness does not
/// know.
pub fn alg_name(alg: i64) -> Option<&'static str> {
    Some(match alg {
        alg::ES256 => "ES256",
        alg::EDDSA => "EdDSA",
        alg::ESP256 => "ESP256",
        alg::ED25519 => "Ed25519",
        alg::ES384 => "ES384",
        alg::ES512 => "ES512",
        alg::PS256 => "PS256",
        alg::PS384 => "PS384",
        alg::PS512 => "PS512",
        alg::ES256K => "ES256K",
        alg::ESP384 => "ESP384",
        alg::ESP512 => "ESP512",
        alg::ED448 => "Ed448",
        alg::RS256 => "RS256",
        alg::RS384 => "RS384",
        alg::RS512 => "RS512",
        alg::RS1 => "RS1",
        _ => return None,
    })
}

/// COSE key type values (`kty`, label 1; RFC 9052 §7, IANA COSE Key Types).
pub mod kty {
    /// Octet Key Pair: Edwards and Montgomery curves (RFC 9053 §7.2).
    pub const OKP: i64 = 1;
    /// Elliptic curve key with x and y coordinates (RFC 9053 §7.1).
    pub const EC2: i64 = 2;
    /// RSA (RFC 8230 §4).
    pub const RSA: i64 = 3;
    /// Symmetric key (RFC 9053 §7.3): never a credential public key, so parsing it fails with
    /// [`UnknownKeyType`](super::CoseKeyError::UnknownKeyType).
    pub const SYMMETRIC: i64 = 4;
}

/// COSE_Key map labels (RFC 9052 §7.1, RFC 9053 §7.1–7.2, RFC 8230 §4). The negative labels mean different
/// things per key type.
pub mod label {
    /// Key type (common).
    pub const KTY: i64 = 1;
    /// Key identifier (common, optional; ignored by the parser).
    pub const KID: i64 = 2;
    /// Algorithm the key is to be used with (common; WebAuthn §6.5.1 makes it mandatory).
    pub const ALG: i64 = 3;
    /// Permitted key operations (common, optional; ignored by the parser).
    pub const KEY_OPS: i64 = 4;
    /// Base IV (common, optional; ignored by the parser).
    pub const BASE_IV: i64 = 5;
    /// EC2 / OKP: curve identifier.
    pub const CRV: i64 = -1;
    /// EC2: x-coordinate; OKP: the public key.
    pub const X: i64 = -2;
    /// EC2: y-coordinate (a byte string, or a boolean sign bit for a compressed point).
    pub const Y: i64 = -3;
    /// EC2 / OKP: private key.
    pub const D: i64 = -4;
    /// RSA: modulus.
    pub const N: i64 = -1;
    /// RSA: public exponent.
    pub const E: i64 = -2;
}

/// Curves of EC2 keys that WebAuthn uses (RFC 9053 §7.1, IANA COSE Elliptic Curves).
///
/// Other EC2 curves (e.g. secp256k1, 8) are reported as [`CoseKeyError::UnknownCurve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EcCurve {
    /// NIST P-256 (`crv` 1), for ES256.
    P256,
    /// NIST P-384 (`crv` 2), for ES384.
    P384,
    /// NIST P-521 (`crv` 3), for ES512.
    P521,
}

impl EcCurve {
    /// The curve's COSE `crv` value.
    pub fn crv(self) -> i64 {
        match self {
            EcCurve::P256 => 1,
            EcCurve::P384 => 2,
            EcCurve::P521 => 3,
        }
    }

    /// The EC2 curve with this `crv` value, if it is one of the three.
    pub fn from_crv(crv: i128) -> Option<EcCurve> {
        match crv {
            1 => Some(EcCurve::P256),
            2 => Some(EcCurve::P384),
            3 => Some(EcCurve::P521),
            _ => None,
        }
    }

    /// Bytes of each coordinate: RFC 9053 §7.1.1 fixes the length to the field size and keeps leading
    /// zero bytes.
    pub fn coordinate_len(self) -> usize {
        match self {
            EcCurve::P256 => 32,
            EcCurve::P384 => 48,
            EcCurve::P521 => 66,
        }
    }

    /// The registry name ("P-256", ...).
    pub fn name(self) -> &'static str {
        match self {
            EcCurve::P256 => "P-256",
            EcCurve::P384 => "P-384",
            EcCurve::P521 => "P-521",
        }
    }
}

/// Curves of OKP keys that can sign (RFC 9053 §7.2, RFC 8032).
///
/// The key-agreement curves X25519 (4) and X448 (5) are OKP curves too but cannot sign, so a credential
/// public key on them fails with [`CoseKeyError::KeyAgreementCurve`]; other values with
/// [`CoseKeyError::UnknownCurve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OkpCurve {
    /// Ed25519 (`crv` 6), for EdDSA / Ed25519.
    Ed25519,
    /// Ed448 (`crv` 7), for EdDSA / Ed448.
    Ed448,
}

impl OkpCurve {
    /// The curve's COSE `crv` value.
    pub fn crv(self) -> i64 {
        match self {
            OkpCurve::Ed25519 => 6,
            OkpCurve::Ed448 => 7,
        }
    }

    /// The signature OKP curve with this `crv` value, if it is one of the two.
    pub fn from_crv(crv: i128) -> Option<OkpCurve> {
        match crv {
            6 => Some(OkpCurve::Ed25519),
            7 => Some(OkpCurve::Ed448),
            _ => None,
        }
    }

    /// Bytes of the encoded public key (RFC 8032 §5.1.5, §5.2.5).
    pub fn key_len(self) -> usize {
        match self {
            OkpCurve::Ed25519 => 32,
            OkpCurve::Ed448 => 57,
        }
    }

    /// The registry name ("Ed25519", "Ed448").
    pub fn name(self) -> &'static str {
        match self {
            OkpCurve::Ed25519 => "Ed25519",
            OkpCurve::Ed448 => "Ed448",
        }
    }
}

/// A credential public key in COSE_Key form (WebAuthn §6.5.1).
///
/// `alg` is any COSE algorithm identifier; the parser does not check that it matches the key type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoseKey {
    /// An elliptic-curve point in uncompressed form (`kty` 2, RFC 9053 §7.1.1): `x` and `y` are the
    /// big-endian coordinates, each exactly [`EcCurve::coordinate_len`] bytes after parsing. Whether the
    /// point lies on the curve is not checked.
    Ec2 { alg: i64, crv: EcCurve, x: Vec<u8>, y: Vec<u8> },
    /// An Edwards-curve public key (`kty` 1, RFC 9053 §7.2): `x` is the RFC 8032 encoding, exactly
    /// [`OkpCurve::key_len`] bytes after parsing.
    Okp { alg: i64, crv: OkpCurve, x: Vec<u8> },
    /// An RSA public key (`kty` 3, RFC 8230 §4): modulus `n` and public exponent `e`, unsigned big-endian,
    /// neither empty after parsing.
    Rsa { alg: i64, n: Vec<u8>, e: Vec<u8> },
}

/// A parsed key together with what the parser noticed but did not reject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedCoseKey {
    pub key: CoseKey,
    /// Departures from CTAP2 canonical CBOR (WebAuthn §2.4 asks for canonical form), in input order.
    pub non_canonical: Vec<NonCanonical>,
    /// Map labels the parser skipped (e.g. `kid`, `key_ops`, text labels), in input order. WebAuthn §6.5.1
    /// says the key MUST NOT carry OPTIONAL parameters other than `alg`; a non-empty list is a departure.
    pub ignored_labels: Vec<Value>,
    /// RSA labels (`n` = -1, `e` = -2) whose byte string starts with a zero byte. RFC 8230 §4 requires the
    /// minimum number of octets, so a leading zero (as copied from a DER INTEGER) is a departure.
    pub rsa_leading_zeros: Vec<i64>,
}

/// Why a COSE_Key is not an acceptable credential public key. Labels are COSE map labels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoseKeyError {
    #[error("COSE_Key is not valid CBOR: {0}")]
    Cbor(#[from] CborError),
    #[error("COSE_Key must be a CBOR map (RFC 9052 §7), found a {found}")]
    NotAMap { found: &'static str },
    #[error("COSE_Key map label is a {found}; labels are integers or text strings (RFC 9052 §7)")]
    WrongLabelType { found: &'static str },
    #[error("COSE_Key map label {label:?} appears twice")]
    DuplicateLabel { label: Value },
    #[error("COSE_Key has no kty (label 1), which RFC 9052 §7.1 requires")]
    MissingKty,
    #[error("COSE_Key has no alg (label 3), which WebAuthn §6.5.1 requires of a credential public key")]
    MissingAlg,
    #[error("COSE_Key kty {kty} is not a public-key type this parser knows (1 OKP, 2 EC2, 3 RSA)")]
    UnknownKeyType { kty: i128 },
    #[error("COSE_Key alg {alg} is outside the 64-bit range of algorithm identifiers")]
    AlgOutOfRange { alg: i128 },
    #[error("COSE_Key lacks the required parameter {name} (label {label})")]
    MissingParameter { label: i64, name: &'static str },
    #[error("COSE_Key label {label} must be a {expected}, found a {found}")]
    WrongParameterType { label: i64, expected: &'static str, found: &'static str },
    #[error("COSE_Key crv {crv} is not a known signature curve for kty {kty}")]
    UnknownCurve { kty: i64, crv: i128 },
    #[error("COSE_Key OKP crv {crv} is a key-agreement curve (X25519/X448), which cannot sign")]
    KeyAgreementCurve { crv: i128 },
    #[error("COSE_Key label {label} is {found} bytes long, the curve needs exactly {expected}")]
    WrongCoordinateLength { label: i64, expected: usize, found: usize },
    #[error("COSE_Key EC2 y (label -3) is a sign bit: compressed points are not allowed (WebAuthn §5.8.5)")]
    CompressedPoint { sign_bit: bool },
    #[error("COSE_Key RSA {name} (label {label}) is an empty byte string")]
    EmptyRsaParameter { label: i64, name: &'static str },
    #[error("COSE_Key carries private key material: {name} (label {label})")]
    PrivateKeyMaterial { label: i64, name: &'static str },
}

/// Private-key labels per key type (RFC 9053 §7.1–7.2, RFC 8230 §4).
const EC_PRIVATE: &[(i64, &str)] = &[(label::D, "d")];
const RSA_PRIVATE: &[(i64, &str)] = &[
    (-3, "d"),
    (-4, "p"),
    (-5, "q"),
    (-6, "dP"),
    (-7, "dQ"),
    (-8, "qInv"),
    (-9, "other"),
    (-10, "r_i"),
    (-11, "d_i"),
    (-12, "t_i"),
];

/// What the interpretation of a map found besides the key.
struct Interpreted {
    key: CoseKey,
    ignored_labels: Vec<Value>,
    rsa_leading_zeros: Vec<i64>,
}

impl CoseKey {
    /// The COSE algorithm identifier (`alg`, label 3).
    pub fn alg(&self) -> i64 {
        match self {
            CoseKey::Ec2 { alg, .. } | CoseKey::Okp { alg, .. } | CoseKey::Rsa { alg, .. } => *alg,
        }
    }

    /// The COSE key type (`kty`, label 1): 1 OKP, 2 EC2, 3 RSA.
    pub fn kty(&self) -> i64 {
        match self {
            CoseKey::Ec2 { .. } => kty::EC2,
            CoseKey::Okp { .. } => kty::OKP,
            CoseKey::Rsa { .. } => kty::RSA,
        }
    }

    /// Interprets an already decoded CBOR value as a credential public key. Skipped labels and RSA leading
    /// zeros are not reported here; [`CoseKey::parse`] reports them.
    pub fn from_value(v: &Value) -> Result<CoseKey, CoseKeyError> {
        interpret(v).map(|i| i.key)
    }

    /// Decodes `bytes` as exactly one CBOR item ([`Limits::WEBAUTHN`], no trailing bytes) and interprets it.
    pub fn parse(bytes: &[u8]) -> Result<ParsedCoseKey, CoseKeyError> {
        Self::parse_with_limits(bytes, &Limits::WEBAUTHN)
    }

    /// [`CoseKey::parse`] under the given CBOR limits.
    pub fn parse_with_limits(bytes: &[u8], limits: &Limits) -> Result<ParsedCoseKey, CoseKeyError> {
        let decoded = cbor::decode(bytes, limits)?;
        parsed(&decoded.value, decoded.non_canonical)
    }

    /// Decodes the one CBOR item at the start of `bytes` and interprets it, returning also the number of
    /// bytes it occupied. This is how the key is read out of attested credential data (§6.5.1), where
    /// extensions may follow it.
    pub fn parse_prefix(bytes: &[u8]) -> Result<(ParsedCoseKey, usize), CoseKeyError> {
        let decoded = cbor::decode_prefix(bytes, &Limits::WEBAUTHN)?;
        Ok((parsed(&decoded.value, decoded.non_canonical)?, decoded.consumed))
    }

    /// The key as a CBOR map, labels in the order 1 (kty), 3 (alg), -1, -2, -3 (which is canonical order).
    /// Fields are written as they are, without validation.
    pub fn to_value(&self) -> Value {
        let entry = |label: i64, v: Value| (Value::from(label), v);
        let mut entries =
            vec![entry(label::KTY, Value::from(self.kty())), entry(label::ALG, Value::from(self.alg()))];
        match self {
            CoseKey::Ec2 { crv, x, y, .. } => {
                entries.push(entry(label::CRV, Value::from(crv.crv())));
                entries.push(entry(label::X, Value::Bytes(x.clone())));
                entries.push(entry(label::Y, Value::Bytes(y.clone())));
            }
            CoseKey::Okp { crv, x, .. } => {
                entries.push(entry(label::CRV, Value::from(crv.crv())));
                entries.push(entry(label::X, Value::Bytes(x.clone())));
            }
            CoseKey::Rsa { n, e, .. } => {
                entries.push(entry(label::N, Value::Bytes(n.clone())));
                entries.push(entry(label::E, Value::Bytes(e.clone())));
            }
        }
        Value::Map(entries)
    }

    /// The key in CTAP2 canonical CBOR (WebAuthn §2.4), as it appears in attested credential data.
    pub fn to_bytes(&self) -> Vec<u8> {
        cbor::encode_canonical(&self.to_value())
    }
}

fn parsed(value: &Value, non_canonical: Vec<NonCanonical>) -> Result<ParsedCoseKey, CoseKeyError> {
    let Interpreted { key, ignored_labels, rsa_leading_zeros } = interpret(value)?;
    Ok(ParsedCoseKey { key, non_canonical, ignored_labels, rsa_leading_zeros })
}

/// The integer in `label`, which must be present (`missing` otherwise).
fn int_param(map: &Value, label: i64, missing: CoseKeyError) -> Result<i128, CoseKeyError> {
    let v = map.get_int(i128::from(label)).ok_or(missing)?;
    v.as_integer().ok_or(CoseKeyError::WrongParameterType { label, expected: "integer", found: v.kind() })
}

/// The byte string in `label`, which must be present.
fn bytes_param<'a>(map: &'a Value, label: i64, name: &'static str) -> Result<&'a [u8], CoseKeyError> {
    let v = map.get_int(i128::from(label)).ok_or(CoseKeyError::MissingParameter { label, name })?;
    v.as_bytes().ok_or(CoseKeyError::WrongParameterType { label, expected: "byte string", found: v.kind() })
}

/// A byte string of exactly `expected` bytes.
fn fixed_len(bytes: &[u8], label: i64, expected: usize) -> Result<Vec<u8>, CoseKeyError> {
    if bytes.len() != expected {
        return Err(CoseKeyError::WrongCoordinateLength { label, expected, found: bytes.len() });
    }
    Ok(bytes.to_vec())
}

/// An RSA integer: present, a byte string, not empty; notes a leading zero byte.
fn rsa_param(
    map: &Value,
    label: i64,
    name: &'static str,
    leading_zeros: &mut Vec<i64>,
) -> Result<Vec<u8>, CoseKeyError> {
    let bytes = bytes_param(map, label, name)?;
    match bytes.first() {
        None => Err(CoseKeyError::EmptyRsaParameter { label, name }),
        Some(first) => {
            if *first == 0 {
                leading_zeros.push(label);
            }
            Ok(bytes.to_vec())
        }
    }
}

fn interpret(v: &Value) -> Result<Interpreted, CoseKeyError> {
    let entries = v.as_map().ok_or(CoseKeyError::NotAMap { found: v.kind() })?;

    // RFC 9052 §7: labels are int / tstr, each at most once. A decoded map never has duplicates, but a
    // hand-built value may.
    let mut seen = HashSet::with_capacity(entries.len());
    for (k, _) in entries {
        if !matches!(k, Value::Unsigned(_) | Value::Negative(_) | Value::Text(_)) {
            return Err(CoseKeyError::WrongLabelType { found: k.kind() });
        }
        if !seen.insert(cbor::encode_canonical(k)) {
            return Err(CoseKeyError::DuplicateLabel { label: k.clone() });
        }
    }

    let kty = int_param(v, label::KTY, CoseKeyError::MissingKty)?;
    let kty = match i64::try_from(kty) {
        Ok(k @ (kty::OKP | kty::EC2 | kty::RSA)) => k,
        _ => return Err(CoseKeyError::UnknownKeyType { kty }),
    };
    let alg = int_param(v, label::ALG, CoseKeyError::MissingAlg)?;
    let alg = i64::try_from(alg).map_err(|_| CoseKeyError::AlgOutOfRange { alg })?;

    let (private, interpreted): (&[(i64, &'static str)], &[i64]) = match kty {
        kty::EC2 => (EC_PRIVATE, &[label::KTY, label::ALG, label::CRV, label::X, label::Y]),
        kty::OKP => (EC_PRIVATE, &[label::KTY, label::ALG, label::CRV, label::X]),
        _ => (RSA_PRIVATE, &[label::KTY, label::ALG, label::N, label::E]),
    };
    let mut ignored_labels = Vec::new();
    for (k, _) in entries {
        let as_label = k.as_integer().and_then(|i| i64::try_from(i).ok());
        if let Some(l) = as_label {
            if let Some((label, name)) = private.iter().find(|(p, _)| *p == l) {
                return Err(CoseKeyError::PrivateKeyMaterial { label: *label, name });
            }
        }
        if !as_label.is_some_and(|l| interpreted.contains(&l)) {
            ignored_labels.push(k.clone());
        }
    }

    let mut rsa_leading_zeros = Vec::new();
    let key = match kty {
        kty::EC2 => {
            let crv_value = int_param(v, label::CRV, missing_crv())?;
            let crv = EcCurve::from_crv(crv_value)
                .ok_or(CoseKeyError::UnknownCurve { kty: kty::EC2, crv: crv_value })?;
            let len = crv.coordinate_len();
            let x = fixed_len(bytes_param(v, label::X, "x")?, label::X, len)?;
            let y = match v.get_int(i128::from(label::Y)) {
                None => return Err(CoseKeyError::MissingParameter { label: label::Y, name: "y" }),
                Some(Value::Bool(sign_bit)) => {
                    return Err(CoseKeyError::CompressedPoint { sign_bit: *sign_bit })
                }
                Some(Value::Bytes(b)) => fixed_len(b, label::Y, len)?,
                Some(other) => {
                    return Err(CoseKeyError::WrongParameterType {
                        label: label::Y,
                        expected: "byte string",
                        found: other.kind(),
                    })
                }
            };
            CoseKey::Ec2 { alg, crv, x, y }
        }
        kty::OKP => {
            let crv_value = int_param(v, label::CRV, missing_crv())?;
            let crv = match OkpCurve::from_crv(crv_value) {
                Some(c) => c,
                None if crv_value == 4 || crv_value == 5 => {
                    return Err(CoseKeyError::KeyAgreementCurve { crv: crv_value })
                }
                None => return Err(CoseKeyError::UnknownCurve { kty: kty::OKP, crv: crv_value }),
            };
            let x = fixed_len(bytes_param(v, label::X, "x")?, label::X, crv.key_len())?;
            CoseKey::Okp { alg, crv, x }
        }
        _ => {
            let n = rsa_param(v, label::N, "n", &mut rsa_leading_zeros)?;
            let e = rsa_param(v, label::E, "e", &mut rsa_leading_zeros)?;
            CoseKey::Rsa { alg, n, e }
        }
    };
    Ok(Interpreted { key, ignored_labels, rsa_leading_zeros })
}

fn missing_crv() -> CoseKeyError {
    CoseKeyError::MissingParameter { label: label::CRV, name: "crv" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cbor::NonCanonicalKind;
    use proptest::prelude::*;

    const SPEC_X: &str = "65eda5a12577c2bae829437fe338701a10aaa375e1bb5b5de108de439c08551d";
    const SPEC_Y: &str = "1e52ed75701163f7f9e40ddf9f341b3dc9ba860af7e0ca7ca7e9eecd0084d19c";

    fn int(i: i64) -> Value {
        Value::from(i)
    }

    fn map(entries: Vec<(Value, Value)>) -> Value {
        Value::Map(entries)
    }

    fn es256() -> CoseKey {
        CoseKey::Ec2 { alg: alg::ES256, crv: EcCurve::P256, x: vec![1; 32], y: vec![2; 32] }
    }

    /// `key`'s value with `label` replaced by `v` (or appended), or removed if `None`.
    fn with(key: &CoseKey, label: Value, v: Option<Value>) -> Value {
        with_value(key.to_value(), label, v)
    }

    fn with_value(value: Value, label: Value, v: Option<Value>) -> Value {
        let Value::Map(mut entries) = value else { unreachable!() };
        let at = entries.iter().position(|(k, _)| *k == label);
        match (at, v) {
            (Some(i), Some(v)) => entries[i].1 = v,
            (Some(i), None) => {
                entries.remove(i);
            }
            (None, Some(v)) => entries.push((label, v)),
            (None, None) => {}
        }
        Value::Map(entries)
    }

    fn err_of(v: &Value) -> CoseKeyError {
        let by_value = CoseKey::from_value(v).unwrap_err();
        // Going through the bytes gives the same error (where the value is encodable without duplicates).
        if let Err(by_bytes) = CoseKey::parse(&cbor::encode(v)) {
            if !matches!(by_bytes, CoseKeyError::Cbor(_)) {
                assert_eq!(by_bytes, by_value);
            }
        }
        by_value
    }

    // ---- §16 test vectors and the §6.5.1.1 example ----

    /// (anchor, COSE key bytes) for every §16 example: the key is read out of the attested credential data
    /// of the registration's authenticator data.
    fn vector_keys() -> Vec<(String, Vec<u8>)> {
        let json: serde_json::Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../vectors/w3c/webauthn-l3-section16.json"
        )))
        .unwrap();
        let mut out = Vec::new();
        for ex in json["examples"].as_array().unwrap() {
            let anchor = ex["anchor"].as_str().unwrap().to_owned();
            let att = hex::decode(ex["registration"]["attestationObject"].as_str().unwrap()).unwrap();
            let att = cbor::decode(&att, &Limits::WEBAUTHN).unwrap().value;
            let auth = att.get_text("authData").unwrap().as_bytes().unwrap();
            let cred_id_len = usize::from(u16::from_be_bytes([auth[53], auth[54]]));
            let start = 37 + 16 + 2 + cred_id_len;
            let consumed = cbor::decode_prefix(&auth[start..], &Limits::WEBAUTHN).unwrap().consumed;
            out.push((anchor, auth[start..start + consumed].to_vec()));
        }
        out
    }

    #[test]
    fn section16_vectors_parse_and_rebuild_exactly() {
        let keys = vector_keys();
        assert_eq!(keys.len(), 15);
        for (anchor, bytes) in keys {
            let parsed = CoseKey::parse(&bytes).unwrap_or_else(|e| panic!("{anchor}: {e}"));
            assert!(parsed.non_canonical.is_empty(), "{anchor}");
            assert!(parsed.ignored_labels.is_empty(), "{anchor}");
            assert!(parsed.rsa_leading_zeros.is_empty(), "{anchor}");
            let key = &parsed.key;
            let suffix = anchor.rsplit('-').next().unwrap();
            let suffix = if anchor.ends_with("-crossOrigin")
                || anchor.ends_with("-topOrigin")
                || anchor.ends_with("-long-credential-id")
            {
                "es256"
            } else {
                suffix
            };
            match suffix {
                "es256" => {
                    assert!(
                        matches!(key, CoseKey::Ec2 { alg: alg::ES256, crv: EcCurve::P256, .. }),
                        "{anchor}"
                    )
                }
                "es384" => {
                    assert!(
                        matches!(key, CoseKey::Ec2 { alg: alg::ES384, crv: EcCurve::P384, .. }),
                        "{anchor}"
                    )
                }
                "es512" => {
                    assert!(
                        matches!(key, CoseKey::Ec2 { alg: alg::ES512, crv: EcCurve::P521, .. }),
                        "{anchor}"
                    )
                }
                "rs256" => {
                    let CoseKey::Rsa { alg: alg::RS256, n, e } = key else { panic!("{anchor}: {key:?}") };
                    // (2^1279 - 1)(2^2203 - 1) has 3482 bits.
                    assert_eq!(n.len(), 436, "{anchor}");
                    assert_eq!(e, &[1, 0, 1]);
                }
                "eddsa" => {
                    assert!(
                        matches!(key, CoseKey::Okp { alg: alg::EDDSA, crv: OkpCurve::Ed25519, .. }),
                        "{anchor}"
                    )
                }
                "ed448" => {
                    assert!(
                        matches!(key, CoseKey::Okp { alg: alg::ED448, crv: OkpCurve::Ed448, .. }),
                        "{anchor}"
                    )
                }
                other => panic!("unexpected example {anchor} ({other})"),
            }
            assert_eq!(key.to_bytes(), bytes, "{anchor}");
            let (prefix, consumed) = CoseKey::parse_prefix(&bytes).unwrap();
            assert_eq!((&prefix.key, consumed), (key, bytes.len()));
        }
    }

    #[test]
    fn spec_example_es256_key_6_5_1_1() {
        let hex_key = format!("a5010203262001215820{SPEC_X}225820{SPEC_Y}");
        let bytes = hex::decode(hex_key).unwrap();
        let parsed = CoseKey::parse(&bytes).unwrap();
        let expected = CoseKey::Ec2 {
            alg: alg::ES256,
            crv: EcCurve::P256,
            x: hex::decode(SPEC_X).unwrap(),
            y: hex::decode(SPEC_Y).unwrap(),
        };
        assert_eq!(parsed.key, expected);
        assert!(parsed.non_canonical.is_empty());
        assert_eq!(expected.to_bytes(), bytes);
        assert_eq!(expected.kty(), 2);
        assert_eq!(expected.alg(), -7);
    }

    #[test]
    fn spec_example_rsa_keys_6_5_1_1() {
        // The example's modulus is elided in the spec; the shape (256-byte n, e = 010001, PS256 / RS256) is
        // what is checked.
        let mut n = vec![0xab; 256];
        n[0] = 0xdb;
        for a in [alg::PS256, alg::RS256] {
            let key = CoseKey::Rsa { alg: a, n: n.clone(), e: vec![1, 0, 1] };
            let bytes = key.to_bytes();
            // A4 01 03 03 <alg> 20 59 0100 <n> 21 43 010001
            assert_eq!(bytes[..4], [0xa4, 0x01, 0x03, 0x03]);
            assert_eq!(bytes[bytes.len() - 5..], [0x21, 0x43, 1, 0, 1]);
            assert_eq!(CoseKey::parse(&bytes).unwrap().key, key);
        }
    }

    #[test]
    fn names() {
        assert_eq!(alg_name(alg::ES256), Some("ES256"));
        assert_eq!(alg_name(alg::EDDSA), Some("EdDSA"));
        assert_eq!(alg_name(alg::ED25519), Some("Ed25519"));
        assert_eq!(alg_name(alg::RS1), Some("RS1"));
        assert_eq!(alg_name(alg::PS256), Some("PS256"));
        assert_eq!(alg_name(0), None);
        assert_eq!(alg_name(-6), None);
        for c in [EcCurve::P256, EcCurve::P384, EcCurve::P521] {
            assert_eq!(EcCurve::from_crv(i128::from(c.crv())), Some(c));
        }
        assert_eq!([EcCurve::P256, EcCurve::P384, EcCurve::P521].map(EcCurve::coordinate_len), [32, 48, 66]);
        for c in [OkpCurve::Ed25519, OkpCurve::Ed448] {
            assert_eq!(OkpCurve::from_crv(i128::from(c.crv())), Some(c));
        }
        assert_eq!([OkpCurve::Ed25519, OkpCurve::Ed448].map(OkpCurve::key_len), [32, 57]);
        assert_eq!(EcCurve::P521.name(), "P-521");
        assert_eq!(OkpCurve::Ed448.name(), "Ed448");
    }

    // ---- one test per error variant ----

    #[test]
    fn error_cbor() {
        assert_eq!(CoseKey::parse(&[]), Err(CoseKeyError::Cbor(CborError::Empty)));
        let mut bytes = es256().to_bytes();
        bytes.push(0);
        assert!(matches!(CoseKey::parse(&bytes), Err(CoseKeyError::Cbor(CborError::TrailingBytes { .. }))));
        // Duplicate label on the wire: caught by the CBOR decoder.
        let dup = [0xa3, 0x01, 0x02, 0x03, 0x26, 0x01, 0x02];
        assert!(matches!(CoseKey::parse(&dup), Err(CoseKeyError::Cbor(CborError::DuplicateMapKey { .. }))));
    }

    #[test]
    fn error_not_a_map() {
        assert_eq!(CoseKey::parse(&[0x80]), Err(CoseKeyError::NotAMap { found: "array" }));
        assert_eq!(err_of(&Value::Bytes(es256().to_bytes())), CoseKeyError::NotAMap { found: "byte string" });
    }

    #[test]
    fn error_wrong_label_type() {
        let v = with(&es256(), Value::Bytes(vec![1]), Some(int(0)));
        assert_eq!(err_of(&v), CoseKeyError::WrongLabelType { found: "byte string" });
        let v = with(&es256(), Value::Bool(true), Some(int(0)));
        assert_eq!(err_of(&v), CoseKeyError::WrongLabelType { found: "boolean" });
    }

    #[test]
    fn error_duplicate_label() {
        let v = with(&es256(), int(1), None);
        let Value::Map(mut entries) = v else { unreachable!() };
        entries.push((int(1), int(2)));
        entries.push((int(1), int(3)));
        assert_eq!(CoseKey::from_value(&map(entries)), Err(CoseKeyError::DuplicateLabel { label: int(1) }));
    }

    #[test]
    fn error_missing_kty() {
        assert_eq!(err_of(&with(&es256(), int(1), None)), CoseKeyError::MissingKty);
        assert_eq!(CoseKey::parse(&[0xa0]), Err(CoseKeyError::MissingKty));
        // A text label "kty" is not label 1.
        let v = map(vec![(Value::from("kty"), int(2)), (int(3), int(-7))]);
        assert_eq!(err_of(&v), CoseKeyError::MissingKty);
    }

    #[test]
    fn error_missing_alg() {
        assert_eq!(err_of(&with(&es256(), int(3), None)), CoseKeyError::MissingAlg);
        let okp = CoseKey::Okp { alg: alg::EDDSA, crv: OkpCurve::Ed25519, x: vec![0; 32] };
        assert_eq!(err_of(&with(&okp, int(3), None)), CoseKeyError::MissingAlg);
    }

    #[test]
    fn error_unknown_key_type() {
        for k in [0, 4, 5, 99, -1] {
            assert_eq!(
                err_of(&with(&es256(), int(1), Some(int(k)))),
                CoseKeyError::UnknownKeyType { kty: i128::from(k) }
            );
        }
        let v = with(&es256(), int(1), Some(Value::Negative(u64::MAX)));
        assert_eq!(err_of(&v), CoseKeyError::UnknownKeyType { kty: -1 - i128::from(u64::MAX) });
    }

    #[test]
    fn error_alg_out_of_range() {
        let v = with(&es256(), int(3), Some(Value::Negative(u64::MAX)));
        assert_eq!(err_of(&v), CoseKeyError::AlgOutOfRange { alg: -1 - i128::from(u64::MAX) });
        let v = with(&es256(), int(3), Some(Value::Unsigned(u64::MAX)));
        assert_eq!(err_of(&v), CoseKeyError::AlgOutOfRange { alg: i128::from(u64::MAX) });
        // The ends of the i64 range are fine.
        let v = with(&es256(), int(3), Some(int(i64::MIN)));
        assert_eq!(CoseKey::from_value(&v).unwrap().alg(), i64::MIN);
    }

    #[test]
    fn error_missing_parameter() {
        let missing = |label: i64, name: &'static str| CoseKeyError::MissingParameter { label, name };
        assert_eq!(err_of(&with(&es256(), int(-1), None)), missing(-1, "crv"));
        assert_eq!(err_of(&with(&es256(), int(-2), None)), missing(-2, "x"));
        assert_eq!(err_of(&with(&es256(), int(-3), None)), missing(-3, "y"));
        let okp = CoseKey::Okp { alg: alg::EDDSA, crv: OkpCurve::Ed25519, x: vec![0; 32] };
        assert_eq!(err_of(&with(&okp, int(-1), None)), missing(-1, "crv"));
        assert_eq!(err_of(&with(&okp, int(-2), None)), missing(-2, "x"));
        let rsa = CoseKey::Rsa { alg: alg::RS256, n: vec![0xc5; 256], e: vec![1, 0, 1] };
        assert_eq!(err_of(&with(&rsa, int(-1), None)), missing(-1, "n"));
        assert_eq!(err_of(&with(&rsa, int(-2), None)), missing(-2, "e"));
    }

    #[test]
    fn error_wrong_parameter_type() {
        let wrong = |label: i64, expected: &'static str, found: &'static str| {
            CoseKeyError::WrongParameterType { label, expected, found }
        };
        // COSE allows text for kty and alg; WebAuthn credential keys use integers.
        assert_eq!(
            err_of(&with(&es256(), int(1), Some(Value::from("EC2")))),
            wrong(1, "integer", "text string")
        );
        assert_eq!(
            err_of(&with(&es256(), int(3), Some(Value::from("ES256")))),
            wrong(3, "integer", "text string")
        );
        assert_eq!(
            err_of(&with(&es256(), int(-1), Some(Value::from("P-256")))),
            wrong(-1, "integer", "text string")
        );
        assert_eq!(
            err_of(&with(&es256(), int(-2), Some(Value::from("x")))),
            wrong(-2, "byte string", "text string")
        );
        assert_eq!(err_of(&with(&es256(), int(-3), Some(int(0)))), wrong(-3, "byte string", "integer"));
        assert_eq!(err_of(&with(&es256(), int(-3), Some(Value::Null))), wrong(-3, "byte string", "null"));
        let rsa = CoseKey::Rsa { alg: alg::RS256, n: vec![0xc5; 256], e: vec![1, 0, 1] };
        assert_eq!(err_of(&with(&rsa, int(-2), Some(int(65537)))), wrong(-2, "byte string", "integer"));
        assert_eq!(
            err_of(&with(&rsa, int(-1), Some(Value::Array(vec![])))),
            wrong(-1, "byte string", "array")
        );
    }

    #[test]
    fn error_unknown_curve() {
        for crv in [0, 4, 6, 8, -1] {
            assert_eq!(
                err_of(&with(&es256(), int(-1), Some(int(crv)))),
                CoseKeyError::UnknownCurve { kty: 2, crv: i128::from(crv) }
            );
        }
        let okp = CoseKey::Okp { alg: alg::EDDSA, crv: OkpCurve::Ed25519, x: vec![0; 32] };
        for crv in [1, 2, 3, 8] {
            assert_eq!(
                err_of(&with(&okp, int(-1), Some(int(crv)))),
                CoseKeyError::UnknownCurve { kty: 1, crv: i128::from(crv) }
            );
        }
    }

    #[test]
    fn error_key_agreement_curve() {
        let okp = CoseKey::Okp { alg: alg::EDDSA, crv: OkpCurve::Ed25519, x: vec![0; 32] };
        assert_eq!(err_of(&with(&okp, int(-1), Some(int(4)))), CoseKeyError::KeyAgreementCurve { crv: 4 });
        assert_eq!(err_of(&with(&okp, int(-1), Some(int(5)))), CoseKeyError::KeyAgreementCurve { crv: 5 });
    }

    #[test]
    fn error_wrong_coordinate_length() {
        let wrong = |label: i64, expected: usize, found: usize| CoseKeyError::WrongCoordinateLength {
            label,
            expected,
            found,
        };
        assert_eq!(err_of(&with(&es256(), int(-2), Some(Value::Bytes(vec![1; 31])))), wrong(-2, 32, 31));
        assert_eq!(err_of(&with(&es256(), int(-3), Some(Value::Bytes(vec![1; 33])))), wrong(-3, 32, 33));
        // An ES384 key claiming P-256 coordinates: the curve decides the length.
        let p384 = CoseKey::Ec2 { alg: alg::ES384, crv: EcCurve::P384, x: vec![1; 32], y: vec![1; 32] };
        assert_eq!(err_of(&p384.to_value()), wrong(-2, 48, 32));
        // P-521 coordinates are 66 bytes, not 65.
        let p521 = CoseKey::Ec2 { alg: alg::ES512, crv: EcCurve::P521, x: vec![1; 65], y: vec![1; 66] };
        assert_eq!(err_of(&p521.to_value()), wrong(-2, 66, 65));
        let ed448_short = CoseKey::Okp { alg: alg::ED448, crv: OkpCurve::Ed448, x: vec![0; 56] };
        assert_eq!(err_of(&ed448_short.to_value()), wrong(-2, 57, 56));
        let ed25519_long = CoseKey::Okp { alg: alg::EDDSA, crv: OkpCurve::Ed25519, x: vec![0; 57] };
        assert_eq!(err_of(&ed25519_long.to_value()), wrong(-2, 32, 57));
        // The builder wrote the bad length as told.
        let bytes = ed25519_long.to_bytes();
        assert_eq!(CoseKey::parse(&bytes), Err(wrong(-2, 32, 57)));
    }

    /// The keys of ES512 (EC2 on P-521, 66-byte coordinates: RFC 9053 §7.1.1, WebAuthn §5.8.5) and of the RSA
    /// algorithms PS256/384/512 (RFC 8230 §4), RS256/384/512 and RS1 (RFC 8812 §2) parse with their alg, and
    /// round-trip canonically; P-521 points must be uncompressed like every EC2 point.
    #[test]
    fn es512_and_rsa_algorithm_keys() {
        let p521 = CoseKey::Ec2 { alg: alg::ES512, crv: EcCurve::P521, x: vec![1; 66], y: vec![2; 66] };
        let parsed = CoseKey::parse(&p521.to_bytes()).expect("a P-521 key");
        assert_eq!(parsed.key, p521);
        assert!(parsed.non_canonical.is_empty() && parsed.ignored_labels.is_empty());
        let compressed = with(&p521, int(-3), Some(Value::Bool(true)));
        assert_eq!(err_of(&compressed), CoseKeyError::CompressedPoint { sign_bit: true });
        for a in [alg::PS256, alg::PS384, alg::PS512, alg::RS256, alg::RS384, alg::RS512, alg::RS1] {
            let rsa = CoseKey::Rsa { alg: a, n: vec![0xc5; 256], e: vec![1, 0, 1] };
            let parsed = CoseKey::parse(&rsa.to_bytes()).expect("an RSA key");
            assert_eq!((parsed.key.alg(), parsed.key.kty()), (a, kty::RSA));
            assert_eq!(parsed.key, rsa);
            assert!(alg_name(a).is_some(), "{a} has a name");
        }
    }

    #[test]
    fn error_compressed_point() {
        for sign_bit in [false, true] {
            assert_eq!(
                err_of(&with(&es256(), int(-3), Some(Value::Bool(sign_bit)))),
                CoseKeyError::CompressedPoint { sign_bit }
            );
        }
    }

    #[test]
    fn error_empty_rsa_parameter() {
        let rsa = CoseKey::Rsa { alg: alg::RS256, n: vec![], e: vec![1, 0, 1] };
        assert_eq!(
            CoseKey::parse(&rsa.to_bytes()),
            Err(CoseKeyError::EmptyRsaParameter { label: -1, name: "n" })
        );
        let rsa = CoseKey::Rsa { alg: alg::RS256, n: vec![0xc5; 256], e: vec![] };
        assert_eq!(err_of(&rsa.to_value()), CoseKeyError::EmptyRsaParameter { label: -2, name: "e" });
    }

    #[test]
    fn error_private_key_material() {
        let d = Some(Value::Bytes(vec![7; 32]));
        assert_eq!(
            err_of(&with(&es256(), int(-4), d.clone())),
            CoseKeyError::PrivateKeyMaterial { label: -4, name: "d" }
        );
        let okp = CoseKey::Okp { alg: alg::EDDSA, crv: OkpCurve::Ed25519, x: vec![0; 32] };
        assert_eq!(
            err_of(&with(&okp, int(-4), d.clone())),
            CoseKeyError::PrivateKeyMaterial { label: -4, name: "d" }
        );
        let rsa = CoseKey::Rsa { alg: alg::RS256, n: vec![0xc5; 256], e: vec![1, 0, 1] };
        for (label, name) in RSA_PRIVATE {
            assert_eq!(
                err_of(&with(&rsa, int(*label), d.clone())),
                CoseKeyError::PrivateKeyMaterial { label: *label, name }
            );
        }
        // Reported even when the public parameters are wrong too.
        let v = with_value(with(&rsa, int(-1), None), int(-5), d);
        assert_eq!(err_of(&v), CoseKeyError::PrivateKeyMaterial { label: -5, name: "q" });
    }

    // ---- what is deliberately accepted, and what is reported ----

    #[test]
    fn inconsistent_alg_and_off_curve_points_are_accepted() {
        // ES256 on an RSA key, RS256 on an EC2 key, EdDSA on Ed448: the verifier's checks, not the format's.
        let rsa_es256 = CoseKey::Rsa { alg: alg::ES256, n: vec![0xc5; 256], e: vec![3] };
        assert_eq!(CoseKey::parse(&rsa_es256.to_bytes()).unwrap().key, rsa_es256);
        let ec_rs256 = CoseKey::Ec2 { alg: alg::RS256, crv: EcCurve::P384, x: vec![0; 48], y: vec![0; 48] };
        assert_eq!(CoseKey::parse(&ec_rs256.to_bytes()).unwrap().key, ec_rs256);
        let unknown_alg = CoseKey::Okp { alg: 12345, crv: OkpCurve::Ed448, x: vec![0xff; 57] };
        assert_eq!(CoseKey::parse(&unknown_alg.to_bytes()).unwrap().key, unknown_alg);
    }

    #[test]
    fn optional_parameters_are_ignored_and_reported() {
        let Value::Map(mut entries) = es256().to_value() else { unreachable!() };
        entries.push((int(label::KID), Value::Bytes(vec![1, 2])));
        entries.push((int(label::KEY_OPS), Value::Array(vec![int(2)])));
        entries.push((Value::Unsigned(u64::MAX), Value::Null));
        entries.push((Value::from("comment"), Value::from("hi")));
        let bytes = cbor::encode_canonical(&map(entries));
        let parsed = CoseKey::parse(&bytes).unwrap();
        assert_eq!(parsed.key, es256());
        assert!(parsed.non_canonical.is_empty());
        // In wire (canonical) order: "comment" (8 bytes encoded) sorts before 2^64-1 (9 bytes).
        assert_eq!(
            parsed.ignored_labels,
            vec![int(2), int(4), Value::from("comment"), Value::Unsigned(u64::MAX)]
        );
        // For OKP, -3 is no parameter and is skipped; for RSA so is -13.
        let okp = CoseKey::Okp { alg: alg::EDDSA, crv: OkpCurve::Ed25519, x: vec![0; 32] };
        let parsed =
            CoseKey::parse(&cbor::encode(&with(&okp, int(-3), Some(Value::Bytes(vec![0; 32]))))).unwrap();
        assert_eq!((parsed.key, parsed.ignored_labels), (okp, vec![int(-3)]));
        let rsa = CoseKey::Rsa { alg: alg::RS256, n: vec![0xc5; 8], e: vec![3] };
        let parsed = CoseKey::parse(&cbor::encode(&with(&rsa, int(-13), Some(int(0))))).unwrap();
        assert_eq!((parsed.key, parsed.ignored_labels), (rsa, vec![int(-13)]));
    }

    #[test]
    fn rsa_leading_zeros_are_reported() {
        let key = CoseKey::Rsa { alg: alg::PS256, n: vec![0, 0xc5, 1], e: vec![0, 1, 0, 1] };
        let parsed = CoseKey::parse(&key.to_bytes()).unwrap();
        assert_eq!(parsed.key, key);
        assert_eq!(parsed.rsa_leading_zeros, vec![-1, -2]);
        let key = CoseKey::Rsa { alg: alg::PS256, n: vec![0xc5, 0], e: vec![0] };
        assert_eq!(CoseKey::parse(&key.to_bytes()).unwrap().rsa_leading_zeros, vec![-2]);
    }

    #[test]
    fn non_canonical_encodings_are_reported() {
        // Labels out of order: {3: -7, 1: 2, -1: 1, -2: x, -3: y}.
        let Value::Map(mut entries) = es256().to_value() else { unreachable!() };
        entries.swap(0, 1);
        let parsed = CoseKey::parse(&cbor::encode(&map(entries))).unwrap();
        assert_eq!(parsed.key, es256());
        assert_eq!(
            parsed.non_canonical,
            vec![NonCanonical { offset: 1, kind: NonCanonicalKind::UnsortedMapKeys }]
        );
        // kty written in two bytes (18 02).
        let mut bytes = es256().to_bytes();
        bytes.splice(2..3, [0x18, 0x02]);
        let parsed = CoseKey::parse(&bytes).unwrap();
        assert_eq!(parsed.key, es256());
        assert_eq!(
            parsed.non_canonical,
            vec![NonCanonical { offset: 2, kind: NonCanonicalKind::NonMinimalArgument }]
        );
    }

    #[test]
    fn parse_prefix_stops_after_the_key() {
        let mut bytes = es256().to_bytes();
        let len = bytes.len();
        bytes.extend_from_slice(&[0xa1, 0x6b, b'c']); // the start of an extensions map
        let (parsed, consumed) = CoseKey::parse_prefix(&bytes).unwrap();
        assert_eq!((parsed.key, consumed), (es256(), len));
        assert!(matches!(CoseKey::parse(&bytes), Err(CoseKeyError::Cbor(CborError::TrailingBytes { .. }))));
    }

    #[test]
    fn to_value_writes_labels_in_canonical_order() {
        let ec = es256().to_value();
        let labels: Vec<_> = ec.as_map().unwrap().iter().map(|(k, _)| k.as_integer().unwrap()).collect();
        assert_eq!(labels, vec![1, 3, -1, -2, -3]);
        assert_eq!(cbor::encode(&ec), es256().to_bytes());
    }

    // ---- hostile input ----

    #[test]
    fn hostile_ten_megabytes() {
        let big = vec![0xa5; 10 * 1024 * 1024];
        assert!(matches!(CoseKey::parse(&big), Err(CoseKeyError::Cbor(CborError::InputTooLarge { .. }))));
        assert!(matches!(
            CoseKey::parse_prefix(&big),
            Err(CoseKeyError::Cbor(CborError::InputTooLarge { .. }))
        ));
    }

    #[test]
    fn hostile_huge_declared_lengths() {
        // {-2: bytes of length 2^64-1}
        let bytes = [0xa1, 0x21, 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert!(matches!(
            CoseKey::parse(&bytes),
            Err(CoseKeyError::Cbor(CborError::LengthExceedsInput { .. }))
        ));
        // A map declaring 2^32 entries.
        let bytes = [0xba, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert!(matches!(
            CoseKey::parse(&bytes),
            Err(CoseKeyError::Cbor(CborError::LengthExceedsInput { .. }))
        ));
    }

    #[test]
    fn hostile_deep_nesting() {
        // {1: [[[[...]]]]} nested far beyond the limit.
        let mut bytes = vec![0xa1, 0x02];
        bytes.extend(std::iter::repeat_n(0x81, 100_000));
        bytes.push(0x00);
        assert!(matches!(CoseKey::parse(&bytes), Err(CoseKeyError::Cbor(CborError::DepthExceeded { .. }))));
        assert!(matches!(
            CoseKey::parse_prefix(&bytes),
            Err(CoseKeyError::Cbor(CborError::DepthExceeded { .. }))
        ));
    }

    // ---- properties ----

    fn arb_key() -> impl Strategy<Value = CoseKey> {
        let ec = (
            any::<i64>(),
            prop_oneof![Just(EcCurve::P256), Just(EcCurve::P384), Just(EcCurve::P521)],
            any::<[u8; 66]>(),
            any::<[u8; 66]>(),
        )
            .prop_map(|(alg, crv, x, y)| {
                let len = crv.coordinate_len();
                CoseKey::Ec2 { alg, crv, x: x[..len].to_vec(), y: y[..len].to_vec() }
            });
        let okp =
            (any::<i64>(), prop_oneof![Just(OkpCurve::Ed25519), Just(OkpCurve::Ed448)], any::<[u8; 57]>())
                .prop_map(|(alg, crv, x)| CoseKey::Okp { alg, crv, x: x[..crv.key_len()].to_vec() });
        let rsa = (
            any::<i64>(),
            proptest::collection::vec(any::<u8>(), 1..600),
            proptest::collection::vec(any::<u8>(), 1..8),
        )
            .prop_map(|(alg, n, e)| CoseKey::Rsa { alg, n, e });
        prop_oneof![ec, okp, rsa]
    }

    /// Small maps over the labels the parser looks at, with values of every relevant kind.
    fn arb_cose_like_value() -> impl Strategy<Value = Value> {
        let label = prop_oneof![
            (-14i64..6).prop_map(Value::from),
            Just(Value::from("kty")),
            Just(Value::Bytes(vec![1])),
            Just(Value::Negative(u64::MAX)),
        ];
        let value = prop_oneof![
            (-8i64..9).prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            Just(Value::Negative(u64::MAX)),
            proptest::collection::vec(any::<u8>(), 0..70).prop_map(Value::Bytes),
            any::<bool>().prop_map(Value::Bool),
            Just(Value::from("P-256")),
            Just(Value::Null),
        ];
        prop_oneof![
            proptest::collection::vec((label, value), 0..9).prop_map(Value::Map),
            Just(Value::Array(vec![])),
            Just(Value::Null),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn round_trip(key in arb_key()) {
            let bytes = key.to_bytes();
            let parsed = CoseKey::parse(&bytes).unwrap();
            prop_assert_eq!(&parsed.key, &key);
            prop_assert!(parsed.non_canonical.is_empty());
            prop_assert!(parsed.ignored_labels.is_empty());
            if let CoseKey::Rsa { n, e, .. } = &key {
                let mut expected = Vec::new();
                if n[0] == 0 { expected.push(-1); }
                if e[0] == 0 { expected.push(-2); }
                prop_assert_eq!(parsed.rsa_leading_zeros, expected);
            }
            prop_assert_eq!(CoseKey::from_value(&key.to_value()).unwrap(), key.clone());
            // to_value is already in canonical order.
            prop_assert_eq!(cbor::encode(&key.to_value()), bytes);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = CoseKey::parse(&bytes);
            let _ = CoseKey::parse_prefix(&bytes);
        }

        #[test]
        fn arbitrary_cose_like_values_never_panic(v in arb_cose_like_value()) {
            let by_value = CoseKey::from_value(&v);
            if let Ok(key) = &by_value {
                // Whatever is accepted rebuilds into something that parses to the same key.
                prop_assert_eq!(&CoseKey::parse(&key.to_bytes()).unwrap().key, key);
            }
            let _ = CoseKey::parse(&cbor::encode(&v));
        }

        #[test]
        fn one_flipped_byte_never_panics(key in arb_key(), at in any::<prop::sample::Index>(), xor in 1u8..) {
            let mut bytes = key.to_bytes();
            let i = at.index(bytes.len());
            bytes[i] ^= xor;
            let _ = CoseKey::parse(&bytes);
            let _ = CoseKey::parse_prefix(&bytes);
        }

        #[test]
        fn truncated_never_panics_and_fails(key in arb_key(), at in any::<prop::sample::Index>()) {
            let bytes = key.to_bytes();
            let cut = at.index(bytes.len());
            prop_assert!(CoseKey::parse(&bytes[..cut]).is_err());
            prop_assert!(CoseKey::parse_prefix(&bytes[..cut]).is_err());
        }
    }
}
