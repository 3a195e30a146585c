//! The TPM 2.0 structures the `tpm` attestation statement format carries (WebAuthn §8.3): `certInfo`, a
//! TPMS_ATTEST (TPM 2.0 Library Part 2 §10.12.8), and `pubArea`, a TPMT_PUBLIC (Part 2 §12.2.4).
//!
//! TPM structures are big-endian with 16-bit length prefixes on every sized buffer (`TPM2B_*`). Parsing
//! checks every length against the input that remains, never allocates more than the input holds, and
//! rejects bytes after the structure. Only what §8.3 uses is modelled: TPMS_ATTEST with the attested union
//! read for TPM_ST_ATTEST_CERTIFY (TPMS_CERTIFY_INFO, Part 2 §10.12.3) and kept as bytes otherwise; TPMT_PUBLIC
//! of type RSA or ECC. Every parser has a builder (`to_bytes`) that writes the bytes it parses.

use thiserror::Error;

/// `TPM_GENERATED_VALUE` (Part 2 §6.2): the magic of every structure a TPM signs.
pub const TPM_GENERATED_VALUE: u32 = 0xff54_4347;
/// `TPM_ST_ATTEST_CERTIFY` (Part 2 §6.9): the tag of a TPM2_Certify result.
pub const TPM_ST_ATTEST_CERTIFY: u16 = 0x8017;

/// TPM_ALG_ID values (Part 2 §6.3) this module names.
pub mod alg {
    pub const RSA: u16 = 0x0001;
    pub const SHA1: u16 = 0x0004;
    pub const AES: u16 = 0x0006;
    pub const MGF1: u16 = 0x0007;
    pub const SHA256: u16 = 0x000b;
    pub const SHA384: u16 = 0x000c;
    pub const SHA512: u16 = 0x000d;
    pub const NULL: u16 = 0x0010;
    pub const RSASSA: u16 = 0x0014;
    pub const RSAES: u16 = 0x0015;
    pub const RSAPSS: u16 = 0x0016;
    pub const OAEP: u16 = 0x0017;
    pub const ECDSA: u16 = 0x0018;
    pub const ECDH: u16 = 0x0019;
    pub const ECDAA: u16 = 0x001a;
    pub const SM2: u16 = 0x001b;
    pub const ECSCHNORR: u16 = 0x001c;
    pub const ECMQV: u16 = 0x001d;
    pub const KDF1_SP800_56A: u16 = 0x0020;
    pub const KDF2: u16 = 0x0021;
    pub const KDF1_SP800_108: u16 = 0x0022;
    pub const ECC: u16 = 0x0023;
}

/// TPM_ECC_CURVE values (Part 2 §6.4) for the NIST curves.
pub mod curve {
    pub const NIST_P256: u16 = 0x0003;
    pub const NIST_P384: u16 = 0x0004;
    pub const NIST_P521: u16 = 0x0005;
}

/// Why bytes are not a TPM structure.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TpmError {
    #[error("{what} needs {needed} bytes at offset {offset}, only {remaining} remain")]
    Truncated { what: &'static str, offset: usize, needed: usize, remaining: usize },
    #[error("{count} bytes follow the end of the {structure}")]
    TrailingBytes { structure: &'static str, count: usize },
    #[error("TPMT_PUBLIC type 0x{0:04x} is neither TPM_ALG_RSA nor TPM_ALG_ECC")]
    UnsupportedPublicType(u16),
    #[error("{what} 0x{value:04x} is not an algorithm this structure allows")]
    UnknownScheme { what: &'static str, value: u16 },
}

/// A cursor over big-endian TPM bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], TpmError> {
        let remaining = self.bytes.len() - self.at;
        if n > remaining {
            return Err(TpmError::Truncated { what, offset: self.at, needed: n, remaining });
        }
        let out = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(out)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, TpmError> {
        Ok(self.take(1, what)?[0])
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, TpmError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, TpmError> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self, what: &'static str) -> Result<u64, TpmError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }

    /// A `TPM2B_*`: a 16-bit size, then that many bytes.
    fn sized(&mut self, what: &'static str) -> Result<Vec<u8>, TpmError> {
        let n = self.u16(what)?;
        Ok(self.take(usize::from(n), what)?.to_vec())
    }

    fn rest(&mut self) -> &'a [u8] {
        let out = &self.bytes[self.at..];
        self.at = self.bytes.len();
        out
    }

    fn finish(&self, structure: &'static str) -> Result<(), TpmError> {
        match self.bytes.len() - self.at {
            0 => Ok(()),
            count => Err(TpmError::TrailingBytes { structure, count }),
        }
    }
}

fn put_sized(out: &mut Vec<u8>, bytes: &[u8]) {
    // A TPM2B holds at most u16::MAX bytes; a longer buffer is written truncated (builders are fed by the
    // generator, which never exceeds it).
    let n = bytes.len().min(usize::from(u16::MAX));
    out.extend_from_slice(&(n as u16).to_be_bytes());
    out.extend_from_slice(&bytes[..n]);
}

/// TPMS_CLOCK_INFO (Part 2 §10.11.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClockInfo {
    pub clock: u64,
    pub reset_count: u32,
    pub restart_count: u32,
    pub safe: u8,
}

/// The `attested` union of a TPMS_ATTEST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attested {
    /// TPMS_CERTIFY_INFO (Part 2 §10.12.3), present when `type` is TPM_ST_ATTEST_CERTIFY.
    Certify { name: Vec<u8>, qualified_name: Vec<u8> },
    /// Any other type's attested data, unparsed.
    Other(Vec<u8>),
}

/// TPMS_ATTEST (Part 2 §10.12.8): `certInfo` of a tpm attestation statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attest {
    pub magic: u32,
    /// TPMI_ST_ATTEST.
    pub type_: u16,
    /// TPM2B_NAME.
    pub qualified_signer: Vec<u8>,
    /// TPM2B_DATA.
    pub extra_data: Vec<u8>,
    pub clock_info: ClockInfo,
    pub firmware_version: u64,
    pub attested: Attested,
}

impl Attest {
    /// Parses a whole TPMS_ATTEST; bytes after it are an error.
    pub fn parse(bytes: &[u8]) -> Result<Attest, TpmError> {
        let mut r = Reader::new(bytes);
        let magic = r.u32("TPMS_ATTEST.magic")?;
        let type_ = r.u16("TPMS_ATTEST.type")?;
        let qualified_signer = r.sized("TPMS_ATTEST.qualifiedSigner")?;
        let extra_data = r.sized("TPMS_ATTEST.extraData")?;
        let clock_info = ClockInfo {
            clock: r.u64("TPMS_CLOCK_INFO.clock")?,
            reset_count: r.u32("TPMS_CLOCK_INFO.resetCount")?,
            restart_count: r.u32("TPMS_CLOCK_INFO.restartCount")?,
            safe: r.u8("TPMS_CLOCK_INFO.safe")?,
        };
        let firmware_version = r.u64("TPMS_ATTEST.firmwareVersion")?;
        let attested = if type_ == TPM_ST_ATTEST_CERTIFY {
            Attested::Certify {
                name: r.sized("TPMS_CERTIFY_INFO.name")?,
                qualified_name: r.sized("TPMS_CERTIFY_INFO.qualifiedName")?,
            }
        } else {
            Attested::Other(r.rest().to_vec())
        };
        r.finish("TPMS_ATTEST")?;
        Ok(Attest { magic, type_, qualified_signer, extra_data, clock_info, firmware_version, attested })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&self.magic.to_be_bytes());
        out.extend_from_slice(&self.type_.to_be_bytes());
        put_sized(&mut out, &self.qualified_signer);
        put_sized(&mut out, &self.extra_data);
        out.extend_from_slice(&self.clock_info.clock.to_be_bytes());
        out.extend_from_slice(&self.clock_info.reset_count.to_be_bytes());
        out.extend_from_slice(&self.clock_info.restart_count.to_be_bytes());
        out.push(self.clock_info.safe);
        out.extend_from_slice(&self.firmware_version.to_be_bytes());
        match &self.attested {
            Attested::Certify { name, qualified_name } => {
                put_sized(&mut out, name);
                put_sized(&mut out, qualified_name);
            }
            Attested::Other(bytes) => out.extend_from_slice(bytes),
        }
        out
    }
}

/// TPMT_SYM_DEF_OBJECT (Part 2 §11.1.7): `algorithm`, and key bits and mode unless it is TPM_ALG_NULL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SymDef {
    pub algorithm: u16,
    /// `(keyBits, mode)`; `None` exactly when `algorithm` is TPM_ALG_NULL.
    pub details: Option<(u16, u16)>,
}

impl SymDef {
    pub const NULL: SymDef = SymDef { algorithm: alg::NULL, details: None };

    fn parse(r: &mut Reader<'_>) -> Result<SymDef, TpmError> {
        let algorithm = r.u16("TPMT_SYM_DEF_OBJECT.algorithm")?;
        let details = if algorithm == alg::NULL {
            None
        } else {
            Some((r.u16("TPMT_SYM_DEF_OBJECT.keyBits")?, r.u16("TPMT_SYM_DEF_OBJECT.mode")?))
        };
        Ok(SymDef { algorithm, details })
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.algorithm.to_be_bytes());
        if let Some((bits, mode)) = self.details {
            out.extend_from_slice(&bits.to_be_bytes());
            out.extend_from_slice(&mode.to_be_bytes());
        }
    }
}

/// A scheme selector (TPMT_RSA_SCHEME, TPMT_ECC_SCHEME, TPMT_KDF_SCHEME): the scheme and its details, the
/// 16-bit words that follow it (a hash algorithm; ECDAA adds a count; RSAES and TPM_ALG_NULL have none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheme {
    pub scheme: u16,
    pub details: Vec<u16>,
}

impl Scheme {
    pub fn null() -> Scheme {
        Scheme { scheme: alg::NULL, details: vec![] }
    }

    /// `allowed` lists each scheme this selector may hold with how many 16-bit detail words follow it.
    fn parse(r: &mut Reader<'_>, what: &'static str, allowed: &[(u16, usize)]) -> Result<Scheme, TpmError> {
        let scheme = r.u16(what)?;
        let words = allowed
            .iter()
            .find(|(s, _)| *s == scheme)
            .map(|(_, n)| *n)
            .ok_or(TpmError::UnknownScheme { what, value: scheme })?;
        let details = (0..words).map(|_| r.u16(what)).collect::<Result<Vec<_>, _>>()?;
        Ok(Scheme { scheme, details })
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.scheme.to_be_bytes());
        for w in &self.details {
            out.extend_from_slice(&w.to_be_bytes());
        }
    }
}

const RSA_SCHEMES: &[(u16, usize)] =
    &[(alg::NULL, 0), (alg::RSASSA, 1), (alg::RSAPSS, 1), (alg::OAEP, 1), (alg::RSAES, 0)];
const ECC_SCHEMES: &[(u16, usize)] = &[
    (alg::NULL, 0),
    (alg::ECDSA, 1),
    (alg::ECDH, 1),
    (alg::ECDAA, 2),
    (alg::SM2, 1),
    (alg::ECSCHNORR, 1),
    (alg::ECMQV, 1),
];
const KDF_SCHEMES: &[(u16, usize)] =
    &[(alg::NULL, 0), (alg::MGF1, 1), (alg::KDF1_SP800_56A, 1), (alg::KDF2, 1), (alg::KDF1_SP800_108, 1)];

/// The `parameters` and `unique` of a TPMT_PUBLIC, by type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKeyArea {
    /// TPMS_RSA_PARMS and TPM2B_PUBLIC_KEY_RSA. `exponent` 0 means the default, 2^16 + 1.
    Rsa { symmetric: SymDef, scheme: Scheme, key_bits: u16, exponent: u32, modulus: Vec<u8> },
    /// TPMS_ECC_PARMS and TPMS_ECC_POINT.
    Ecc { symmetric: SymDef, scheme: Scheme, curve_id: u16, kdf: Scheme, x: Vec<u8>, y: Vec<u8> },
}

/// TPMT_PUBLIC (Part 2 §12.2.4): `pubArea` of a tpm attestation statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Public {
    /// TPMI_ALG_HASH used to compute the object's Name.
    pub name_alg: u16,
    /// TPMA_OBJECT bits.
    pub object_attributes: u32,
    /// TPM2B_DIGEST.
    pub auth_policy: Vec<u8>,
    pub key: PublicKeyArea,
}

impl Public {
    /// Parses a whole TPMT_PUBLIC of type RSA or ECC; bytes after it are an error.
    pub fn parse(bytes: &[u8]) -> Result<Public, TpmError> {
        let mut r = Reader::new(bytes);
        let type_ = r.u16("TPMT_PUBLIC.type")?;
        if type_ != alg::RSA && type_ != alg::ECC {
            return Err(TpmError::UnsupportedPublicType(type_));
        }
        let name_alg = r.u16("TPMT_PUBLIC.nameAlg")?;
        let object_attributes = r.u32("TPMT_PUBLIC.objectAttributes")?;
        let auth_policy = r.sized("TPMT_PUBLIC.authPolicy")?;
        let key = if type_ == alg::RSA {
            let symmetric = SymDef::parse(&mut r)?;
            let scheme = Scheme::parse(&mut r, "TPMT_RSA_SCHEME.scheme", RSA_SCHEMES)?;
            let key_bits = r.u16("TPMS_RSA_PARMS.keyBits")?;
            let exponent = r.u32("TPMS_RSA_PARMS.exponent")?;
            let modulus = r.sized("TPM2B_PUBLIC_KEY_RSA")?;
            PublicKeyArea::Rsa { symmetric, scheme, key_bits, exponent, modulus }
        } else {
            let symmetric = SymDef::parse(&mut r)?;
            let scheme = Scheme::parse(&mut r, "TPMT_ECC_SCHEME.scheme", ECC_SCHEMES)?;
            let curve_id = r.u16("TPMS_ECC_PARMS.curveID")?;
            let kdf = Scheme::parse(&mut r, "TPMT_KDF_SCHEME.scheme", KDF_SCHEMES)?;
            let x = r.sized("TPMS_ECC_POINT.x")?;
            let y = r.sized("TPMS_ECC_POINT.y")?;
            PublicKeyArea::Ecc { symmetric, scheme, curve_id, kdf, x, y }
        };
        r.finish("TPMT_PUBLIC")?;
        Ok(Public { name_alg, object_attributes, auth_policy, key })
    }

    /// TPM_ALG_RSA or TPM_ALG_ECC.
    pub fn type_(&self) -> u16 {
        match self.key {
            PublicKeyArea::Rsa { .. } => alg::RSA,
            PublicKeyArea::Ecc { .. } => alg::ECC,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&self.type_().to_be_bytes());
        out.extend_from_slice(&self.name_alg.to_be_bytes());
        out.extend_from_slice(&self.object_attributes.to_be_bytes());
        put_sized(&mut out, &self.auth_policy);
        match &self.key {
            PublicKeyArea::Rsa { symmetric, scheme, key_bits, exponent, modulus } => {
                symmetric.write(&mut out);
                scheme.write(&mut out);
                out.extend_from_slice(&key_bits.to_be_bytes());
                out.extend_from_slice(&exponent.to_be_bytes());
                put_sized(&mut out, modulus);
            }
            PublicKeyArea::Ecc { symmetric, scheme, curve_id, kdf, x, y } => {
                symmetric.write(&mut out);
                scheme.write(&mut out);
                out.extend_from_slice(&curve_id.to_be_bytes());
                kdf.write(&mut out);
                put_sized(&mut out, x);
                put_sized(&mut out, y);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ecc() -> Public {
        Public {
            name_alg: alg::SHA256,
            object_attributes: 0x0006_0472,
            auth_policy: vec![],
            key: PublicKeyArea::Ecc {
                symmetric: SymDef::NULL,
                scheme: Scheme { scheme: alg::ECDAA, details: vec![alg::SHA256, 1] },
                curve_id: curve::NIST_P256,
                kdf: Scheme::null(),
                x: vec![1; 32],
                y: vec![2; 32],
            },
        }
    }

    fn rsa() -> Public {
        Public {
            name_alg: alg::SHA1,
            object_attributes: 0x0006_0472,
            auth_policy: vec![9; 32],
            key: PublicKeyArea::Rsa {
                symmetric: SymDef { algorithm: alg::AES, details: Some((128, 0x0043)) },
                scheme: Scheme { scheme: alg::RSAES, details: vec![] },
                key_bits: 2048,
                exponent: 0,
                modulus: vec![0xc5; 256],
            },
        }
    }

    fn certify() -> Attest {
        Attest {
            magic: TPM_GENERATED_VALUE,
            type_: TPM_ST_ATTEST_CERTIFY,
            qualified_signer: vec![0, 0x0b, 7, 7],
            extra_data: vec![3; 32],
            clock_info: ClockInfo { clock: 1, reset_count: 2, restart_count: 3, safe: 1 },
            firmware_version: 0x1234,
            attested: Attested::Certify { name: vec![0, 0x0b, 5, 5], qualified_name: vec![] },
        }
    }

    #[test]
    fn structures_round_trip() {
        for p in [ecc(), rsa()] {
            assert_eq!(Public::parse(&p.to_bytes()), Ok(p));
        }
        let a = certify();
        assert_eq!(Attest::parse(&a.to_bytes()), Ok(a));
        let other = Attest { type_: 0x8018, attested: Attested::Other(vec![1, 2, 3]), ..certify() };
        assert_eq!(Attest::parse(&other.to_bytes()), Ok(other));
    }

    #[test]
    fn every_truncation_is_an_error() {
        for bytes in [ecc().to_bytes(), rsa().to_bytes()] {
            for n in 0..bytes.len() {
                assert!(matches!(Public::parse(&bytes[..n]), Err(TpmError::Truncated { .. })), "{n}");
            }
        }
        let bytes = certify().to_bytes();
        for n in 0..bytes.len() {
            assert!(matches!(Attest::parse(&bytes[..n]), Err(TpmError::Truncated { .. })), "{n}");
        }
    }

    #[test]
    fn trailing_bytes_and_unknown_values_are_errors() {
        let mut b = certify().to_bytes();
        b.push(0);
        assert_eq!(Attest::parse(&b), Err(TpmError::TrailingBytes { structure: "TPMS_ATTEST", count: 1 }));
        let mut b = ecc().to_bytes();
        b.extend_from_slice(&[0, 0]);
        assert_eq!(Public::parse(&b), Err(TpmError::TrailingBytes { structure: "TPMT_PUBLIC", count: 2 }));
        let mut b = ecc().to_bytes();
        b[0..2].copy_from_slice(&0x0008u16.to_be_bytes());
        assert_eq!(Public::parse(&b), Err(TpmError::UnsupportedPublicType(8)));
        let mut b = rsa().to_bytes();
        // type, nameAlg, attributes, authPolicy (2 + 32), symmetric (6): then the scheme.
        let at = 2 + 2 + 4 + 34 + 6;
        b[at..at + 2].copy_from_slice(&alg::ECDSA.to_be_bytes());
        assert_eq!(
            Public::parse(&b),
            Err(TpmError::UnknownScheme { what: "TPMT_RSA_SCHEME.scheme", value: alg::ECDSA })
        );
    }

    #[test]
    fn a_size_larger_than_the_input_is_truncation() {
        let mut b = certify().to_bytes();
        // qualifiedSigner's size.
        b[6..8].copy_from_slice(&u16::MAX.to_be_bytes());
        assert!(matches!(
            Attest::parse(&b),
            Err(TpmError::Truncated { what: "TPMS_ATTEST.qualifiedSigner", needed: 65535, .. })
        ));
    }
}
