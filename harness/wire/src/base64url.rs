//! base64url (RFC 4648 §5) as WebAuthn uses it: the URL-safe alphabet without padding.
//!
//! [`decode`] is strict: URL-safe alphabet only, no padding, no whitespace, and the unused low bits of the
//! last character must be zero, so every byte string has exactly one accepted encoding. [`decode_lenient`]
//! accepts the common deviations (padding, the standard `+/` alphabet, whitespace, non-zero trailing bits)
//! and reports each one it tolerated, so a harness can tell an RP that accepts them apart from one that does not.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

const STRICT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// Why a string is not strict base64url.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Base64Error {
    #[error("invalid base64url character {found:?} at offset {offset}")]
    InvalidCharacter { offset: usize, found: char },
    #[error("invalid base64url length {len} (a length of 4n+1 cannot be produced by any input)")]
    InvalidLength { len: usize },
    #[error("padding '=' at offset {offset} (base64url in WebAuthn is unpadded)")]
    Padding { offset: usize },
    #[error("the last character sets unused low bits (a non-canonical encoding)")]
    NonZeroTrailingBits,
}

/// A deviation from strict base64url that [`decode_lenient`] accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tolerated {
    /// `=` padding at the end.
    Padding,
    /// `+` or `/` from the standard alphabet.
    StandardAlphabet,
    /// Spaces, tabs or line breaks.
    Whitespace,
    /// The last character set bits that carry no data.
    NonZeroTrailingBits,
}

/// The bytes a lenient decode produced and what it had to tolerate to get them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lenient {
    pub bytes: Vec<u8>,
    /// Each tolerated deviation once, in a fixed order. Empty means the input was strict base64url.
    pub tolerated: Vec<Tolerated>,
}

/// Encodes bytes as unpadded base64url.
pub fn encode(bytes: &[u8]) -> String {
    STRICT.encode(bytes)
}

/// Decodes strict unpadded base64url.
pub fn decode(s: &str) -> Result<Vec<u8>, Base64Error> {
    // The table-driven decoder answers well-formed text (the common case, and the one a ceremony fuzz target
    // runs on every member); the checked decoder below explains the rest. The tests hold the two to the same
    // verdict and bytes on any input.
    match decode_fast(s) {
        Some(bytes) => Ok(bytes),
        None => decode_checked(s),
    }
}

/// [`decode`] by the character check and the general engine: the diagnosis of text that is not strict base64url.
fn decode_checked(s: &str) -> Result<Vec<u8>, Base64Error> {
    // Bytes, not chars: every byte before the first bad one is ASCII, so its index is a char boundary.
    if let Some(offset) = s.bytes().position(|b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_')) {
        return Err(match s[offset..].chars().next() {
            Some('=') => Base64Error::Padding { offset },
            Some(found) => Base64Error::InvalidCharacter { offset, found },
            None => Base64Error::InvalidLength { len: s.len() },
        });
    }
    if s.len() % 4 == 1 {
        return Err(Base64Error::InvalidLength { len: s.len() });
    }
    STRICT.decode(s).map_err(|e| match e {
        base64::DecodeError::InvalidLastSymbol(..) => Base64Error::NonZeroTrailingBits,
        base64::DecodeError::InvalidByte(offset, b) => {
            Base64Error::InvalidCharacter { offset, found: char::from(b) }
        }
        _ => Base64Error::InvalidLength { len: s.len() },
    })
}

/// [`decode`]'s verdict without its diagnosis: `Some` exactly when [`decode`] succeeds, with the same bytes
/// (the strict engine alone refuses everything the diagnosis reports). For a fast path, one that explains failures
/// by calling [`decode`] again.
pub fn decode_fast(s: &str) -> Option<Vec<u8>> {
    // A table-driven decoder: the general engine's setup dominates on the short strings WebAuthn sends.
    let bytes = s.as_bytes();
    let value = |b: u8| -> Option<u32> {
        match DIGIT_VALUES[usize::from(b)] {
            INVALID => None,
            v => Some(u32::from(v)),
        }
    };
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3 + 2);
    let mut chunks = bytes.chunks_exact(4);
    for c in &mut chunks {
        let n = value(c[0])? << 18 | value(c[1])? << 12 | value(c[2])? << 6 | value(c[3])?;
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    match *chunks.remainder() {
        [] => {}
        [a, b] => {
            let n = value(a)? << 6 | value(b)?;
            // 12 bits carry one byte; the 4 left over must be zero (no other encoder writes them).
            if n & 0xf != 0 {
                return None;
            }
            out.push((n >> 4) as u8);
        }
        [a, b, c] => {
            let n = value(a)? << 12 | value(b)? << 6 | value(c)?;
            if n & 0x3 != 0 {
                return None;
            }
            out.extend_from_slice(&[(n >> 10) as u8, (n >> 2) as u8]);
        }
        _ => return None,
    }
    Some(out)
}

const INVALID: u8 = 0xff;

/// The value of each byte as a base64url digit, or [`INVALID`].
const DIGIT_VALUES: [u8; 256] = {
    let mut t = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Decodes base64url or base64, reporting every deviation from strict base64url it tolerated.
///
/// Still an error: characters outside both alphabets, `=` anywhere but at the end, more than two `=`, and
/// lengths no encoder produces.
pub fn decode_lenient(s: &str) -> Result<Lenient, Base64Error> {
    let mut tolerated = Vec::new();
    let mut note = |t: Tolerated| {
        if !tolerated.contains(&t) {
            tolerated.push(t);
        }
    };
    let mut cleaned = String::with_capacity(s.len());
    let mut padding = 0usize;
    for (offset, c) in s.char_indices() {
        match c {
            ' ' | '\t' | '\r' | '\n' => note(Tolerated::Whitespace),
            '=' => {
                padding += 1;
                if padding > 2 {
                    return Err(Base64Error::Padding { offset });
                }
            }
            _ if padding > 0 => {
                // Data after padding.
                return Err(Base64Error::Padding { offset });
            }
            '+' => {
                note(Tolerated::StandardAlphabet);
                cleaned.push('-');
            }
            '/' => {
                note(Tolerated::StandardAlphabet);
                cleaned.push('_');
            }
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '_' => cleaned.push(c),
            found => return Err(Base64Error::InvalidCharacter { offset, found }),
        }
    }
    if padding > 0 {
        // Padding is only tolerated where it would have been correct.
        if (cleaned.len() + padding) % 4 != 0 {
            return Err(Base64Error::Padding { offset: s.len() - 1 });
        }
        note(Tolerated::Padding);
    }
    let bytes = match decode(&cleaned) {
        Ok(b) => b,
        Err(Base64Error::NonZeroTrailingBits) => {
            note(Tolerated::NonZeroTrailingBits);
            let lax = GeneralPurpose::new(
                &alphabet::URL_SAFE,
                GeneralPurposeConfig::new()
                    .with_decode_padding_mode(DecodePaddingMode::RequireNone)
                    .with_decode_allow_trailing_bits(true),
            );
            lax.decode(&cleaned).map_err(|_| Base64Error::InvalidLength { len: s.len() })?
        }
        Err(e) => return Err(e),
    };
    tolerated.sort();
    Ok(Lenient { bytes, tolerated })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn strict_round_trip_known_values() {
        assert_eq!(encode(b""), "");
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(decode("-_8").unwrap(), vec![0xfb, 0xff]);
    }

    #[test]
    fn strict_rejects_padding() {
        assert_eq!(decode("AA=="), Err(Base64Error::Padding { offset: 2 }));
    }

    #[test]
    fn strict_rejects_standard_alphabet() {
        assert_eq!(decode("+_8"), Err(Base64Error::InvalidCharacter { offset: 0, found: '+' }));
        assert_eq!(decode("-/8"), Err(Base64Error::InvalidCharacter { offset: 1, found: '/' }));
    }

    #[test]
    fn strict_rejects_whitespace_and_other_characters() {
        assert_eq!(decode("AA A"), Err(Base64Error::InvalidCharacter { offset: 2, found: ' ' }));
        assert_eq!(decode("AAé"), Err(Base64Error::InvalidCharacter { offset: 2, found: 'é' }));
    }

    #[test]
    fn strict_rejects_impossible_length() {
        assert_eq!(decode("AAAAA"), Err(Base64Error::InvalidLength { len: 5 }));
    }

    #[test]
    fn strict_rejects_non_zero_trailing_bits() {
        // "AB" carries 12 bits of which the low 4 must be zero: 'B' = 000001 sets one of them.
        assert_eq!(decode("AB"), Err(Base64Error::NonZeroTrailingBits));
        assert_eq!(decode("AA").unwrap(), vec![0]);
    }

    #[test]
    fn lenient_reports_each_tolerance() {
        let l = decode_lenient("+/8=").unwrap();
        assert_eq!(l.bytes, vec![0xfb, 0xff]);
        assert_eq!(l.tolerated, vec![Tolerated::Padding, Tolerated::StandardAlphabet]);
        let l = decode_lenient("AA\nAA").unwrap();
        assert_eq!(l.tolerated, vec![Tolerated::Whitespace]);
        let l = decode_lenient("AB").unwrap();
        assert_eq!(l.bytes, vec![0]);
        assert_eq!(l.tolerated, vec![Tolerated::NonZeroTrailingBits]);
        assert!(decode_lenient("-_8").unwrap().tolerated.is_empty());
    }

    #[test]
    fn lenient_still_rejects_what_no_encoder_writes() {
        assert_eq!(decode_lenient("A==="), Err(Base64Error::Padding { offset: 3 }));
        assert_eq!(decode_lenient("AA=A"), Err(Base64Error::Padding { offset: 3 }));
        assert_eq!(decode_lenient("AAA=="), Err(Base64Error::Padding { offset: 4 }));
        assert_eq!(decode_lenient("AA*"), Err(Base64Error::InvalidCharacter { offset: 2, found: '*' }));
    }

    proptest! {
        #[test]
        fn round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let s = encode(&bytes);
            prop_assert_eq!(decode(&s).unwrap(), bytes.clone());
            let l = decode_lenient(&s).unwrap();
            prop_assert_eq!(l.bytes, bytes);
            prop_assert!(l.tolerated.is_empty());
        }

        #[test]
        fn arbitrary_strings_never_panic(s in ".{0,64}") {
            let _ = decode(&s);
            let _ = decode_lenient(&s);
        }

        #[test]
        fn strict_accepts_only_its_own_encoding(s in "[A-Za-z0-9_-]{0,40}") {
            if let Ok(bytes) = decode(&s) {
                prop_assert_eq!(encode(&bytes), s);
            }
        }
    }
}

#[cfg(test)]
mod fast_tests {
    use proptest::prelude::*;

    proptest! {
        /// `decode_fast` agrees with the checked decoder (`decode` without its fast path) on any text over the
        /// alphabets and padding.
        #[test]
        fn decode_fast_agrees_with_decode(s in "[A-Za-z0-9_+/=\\-. é]{0,40}") {
            prop_assert_eq!(super::decode_fast(&s), super::decode_checked(&s).ok());
        }

        #[test]
        fn decode_fast_agrees_on_base64url_text(s in "[A-Za-z0-9_-]{0,64}") {
            prop_assert_eq!(super::decode_fast(&s), super::decode_checked(&s).ok());
        }

        #[test]
        fn decode_fast_agrees_on_any_string(s in any::<String>()) {
            prop_assert_eq!(super::decode_fast(&s), super::decode_checked(&s).ok());
        }
    }
}
