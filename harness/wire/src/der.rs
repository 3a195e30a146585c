//! A small DER reader and writer for the certificate extensions the apple (§8.8) and android-key (§8.4) formats
//! carry. Reading: one tag-length-value at a time, definite minimal lengths only (X.690 §10.1), tag numbers of
//! any size up to `u32`, no recursion; every failure is a [`DerError`]; work is linear in the input. Writing:
//! [`tlv`], [`int_content`], [`uint`] and [`context_tag`], the inverse of the reader, which the generator and
//! the verifier's KeyDescription builder share.

use std::fmt;

/// ASN.1 tag classes (X.690 §8.1.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Universal,
    Application,
    Context,
    Private,
}

/// One element: its tag and its contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub class: Class,
    pub constructed: bool,
    pub number: u32,
    pub value: &'a [u8],
}

impl Tlv<'_> {
    /// A universal tag of this number and form.
    pub fn is_universal(&self, number: u32, constructed: bool) -> bool {
        self.class == Class::Universal && self.number == number && self.constructed == constructed
    }

    /// A short description of the tag, for messages: `SEQUENCE`, `INTEGER`, `[702]`.
    pub fn describe(&self) -> String {
        match (self.class, self.number) {
            (Class::Universal, 1) => "BOOLEAN".into(),
            (Class::Universal, 2) => "INTEGER".into(),
            (Class::Universal, 4) => "OCTET STRING".into(),
            (Class::Universal, 5) => "NULL".into(),
            (Class::Universal, 10) => "ENUMERATED".into(),
            (Class::Universal, 16) => "SEQUENCE".into(),
            (Class::Universal, 17) => "SET".into(),
            (Class::Universal, n) => format!("universal tag {n}"),
            (Class::Context, n) => format!("[{n}]"),
            (Class::Application, n) => format!("[APPLICATION {n}]"),
            (Class::Private, n) => format!("[PRIVATE {n}]"),
        }
    }
}

pub const INTEGER: u32 = 2;
pub const OCTET_STRING: u32 = 4;
pub const NULL: u32 = 5;
pub const ENUMERATED: u32 = 10;
pub const SEQUENCE: u32 = 16;
pub const SET: u32 = 17;

/// Why bytes are not the DER expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DerError {
    /// The input ended inside an element.
    Truncated,
    /// The indefinite length form (0x80), which DER forbids.
    IndefiniteLength,
    /// A length or tag number not in its shortest form, as DER requires.
    NonMinimal,
    /// A length or tag number too large for this reader.
    TooLarge,
    /// An INTEGER or ENUMERATED with no content octets, or with a redundant leading octet.
    BadInteger,
    /// Bytes after the element that should have been the last.
    Trailing { len: usize },
}

impl fmt::Display for DerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DerError::Truncated => write!(f, "the DER ends inside an element"),
            DerError::IndefiniteLength => write!(f, "indefinite length, which DER forbids"),
            DerError::NonMinimal => write!(f, "a length or tag number not in its shortest form"),
            DerError::TooLarge => write!(f, "a length or tag number too large"),
            DerError::BadInteger => write!(f, "an INTEGER/ENUMERATED with no or redundant content octets"),
            DerError::Trailing { len } => write!(f, "{len} byte(s) after the last element"),
        }
    }
}

/// Reads one element from the front of `input`; returns it and the rest.
pub fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), DerError> {
    let (&first, mut rest) = input.split_first().ok_or(DerError::Truncated)?;
    let class = match first >> 6 {
        0 => Class::Universal,
        1 => Class::Application,
        2 => Class::Context,
        _ => Class::Private,
    };
    let constructed = first & 0x20 != 0;
    let mut number = u32::from(first & 0x1f);
    if number == 0x1f {
        // High tag number form (X.690 §8.1.2.4): base-128 digits, the last without bit 8.
        number = 0;
        let mut digits = 0;
        loop {
            let (&b, r) = rest.split_first().ok_or(DerError::Truncated)?;
            rest = r;
            if digits == 0 && b == 0x80 {
                return Err(DerError::NonMinimal);
            }
            digits += 1;
            if digits > 4 {
                return Err(DerError::TooLarge);
            }
            number = (number << 7) | u32::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
        if number < 0x1f {
            return Err(DerError::NonMinimal);
        }
    }
    let (&len_byte, r) = rest.split_first().ok_or(DerError::Truncated)?;
    rest = r;
    let len = if len_byte < 0x80 {
        usize::from(len_byte)
    } else if len_byte == 0x80 {
        return Err(DerError::IndefiniteLength);
    } else {
        let n = usize::from(len_byte & 0x7f);
        if n > 4 {
            return Err(DerError::TooLarge);
        }
        let bytes = rest.get(..n).ok_or(DerError::Truncated)?;
        rest = &rest[n..];
        if bytes.first() == Some(&0) {
            return Err(DerError::NonMinimal);
        }
        let len = bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        if len < 0x80 {
            return Err(DerError::NonMinimal);
        }
        len
    };
    let value = rest.get(..len).ok_or(DerError::Truncated)?;
    Ok((Tlv { class, constructed, number, value }, &rest[len..]))
}

/// Reads exactly one element: `input` must hold nothing after it.
pub fn read_one(input: &[u8]) -> Result<Tlv<'_>, DerError> {
    let (tlv, rest) = read(input)?;
    if !rest.is_empty() {
        return Err(DerError::Trailing { len: rest.len() });
    }
    Ok(tlv)
}

/// The elements of a constructed value, in order (at most `max` of them).
pub fn children(mut value: &[u8], max: usize) -> Result<Vec<Tlv<'_>>, DerError> {
    let mut out = Vec::new();
    while !value.is_empty() {
        if out.len() >= max {
            return Err(DerError::TooLarge);
        }
        let (tlv, rest) = read(value)?;
        out.push(tlv);
        value = rest;
    }
    Ok(out)
}

/// The value of a DER INTEGER or ENUMERATED's contents, if it fits an `i64`.
pub fn integer(content: &[u8]) -> Result<i64, DerError> {
    let (&first, rest) = content.split_first().ok_or(DerError::BadInteger)?;
    if let Some(&second) = rest.first() {
        // X.690 §8.3.2: the first nine bits are not all ones or all zeros.
        if (first == 0 && second & 0x80 == 0) || (first == 0xff && second & 0x80 != 0) {
            return Err(DerError::BadInteger);
        }
    }
    if content.len() > 8 {
        return Err(DerError::TooLarge);
    }
    let mut v: i64 = if first & 0x80 != 0 { -1 } else { 0 };
    for &b in content {
        v = (v << 8) | i64::from(b);
    }
    Ok(v)
}

/// One DER element: the tag bytes, the definite minimal length, the value.
pub fn tlv(tag: &[u8], value: &[u8]) -> Vec<u8> {
    let mut out = tag.to_vec();
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|&b| b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(value);
    out
}

/// The minimal DER content octets of a signed integer (X.690 §8.3.2).
pub fn int_content(v: i64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let mut start = 0;
    while start < 7 {
        let (a, b) = (bytes[start], bytes[start + 1]);
        if (a == 0 && b & 0x80 == 0) || (a == 0xff && b & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    bytes[start..].to_vec()
}

/// A whole DER INTEGER of a non-negative big-endian magnitude (leading zeros dropped, one added before a set
/// high bit).
pub fn uint(magnitude: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = magnitude.iter().copied().skip_while(|&b| b == 0).collect();
    let mut content = if trimmed.is_empty() { vec![0] } else { trimmed };
    if content[0] & 0x80 != 0 {
        content.insert(0, 0);
    }
    tlv(&[0x02], &content)
}

/// A context-specific constructed tag `[n]` (high-tag-number form from 31, X.690 §8.1.2.4).
pub fn context_tag(n: u32) -> Vec<u8> {
    if n < 31 {
        return vec![0xa0 | n as u8];
    }
    let mut digits = vec![(n & 0x7f) as u8];
    let mut rest = n >> 7;
    while rest > 0 {
        digits.push(0x80 | (rest & 0x7f) as u8);
        rest >>= 7;
    }
    digits.reverse();
    let mut out = vec![0xbf];
    out.extend(digits);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_lengths_and_high_tags() {
        let (t, rest) = read(&[0x04, 0x02, 1, 2, 9]).unwrap();
        assert!(t.is_universal(OCTET_STRING, false) && t.value == [1, 2] && rest == [9]);
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([7u8; 128]);
        assert_eq!(read_one(&long).unwrap().value.len(), 128);
        // [702] EXPLICIT: 0xbf 0x85 0x3e.
        let t = read_one(&[0xbf, 0x85, 0x3e, 0x03, 0x02, 0x01, 0x00]).unwrap();
        assert_eq!((t.class, t.constructed, t.number), (Class::Context, true, 702));
    }

    #[test]
    fn non_der_forms_are_errors() {
        assert_eq!(read(&[0x04, 0x81, 0x05, 0, 0, 0, 0, 0]), Err(DerError::NonMinimal));
        assert_eq!(read(&[0x04, 0x82, 0x00, 0x80]), Err(DerError::NonMinimal));
        assert_eq!(read(&[0x30, 0x80, 0, 0]), Err(DerError::IndefiniteLength));
        assert_eq!(read(&[0xbf, 0x80, 0x01, 0x00]), Err(DerError::NonMinimal));
        assert_eq!(read(&[0xbf, 0x1e, 0x00]), Err(DerError::NonMinimal));
        assert_eq!(read(&[0xbf, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00]), Err(DerError::TooLarge));
        assert_eq!(read(&[0x04, 0x85, 1, 1, 1, 1, 1]), Err(DerError::TooLarge));
        assert_eq!(read(&[0x04, 0x03, 1]), Err(DerError::Truncated));
        assert_eq!(read(&[]), Err(DerError::Truncated));
        assert_eq!(read_one(&[0x05, 0x00, 0x00]), Err(DerError::Trailing { len: 1 }));
    }

    #[test]
    fn integers() {
        assert_eq!(integer(&[0x01, 0x2c]), Ok(300));
        assert_eq!(integer(&[0xff]), Ok(-1));
        assert_eq!(integer(&[0x00, 0x80]), Ok(128));
        assert_eq!(integer(&[]), Err(DerError::BadInteger));
        assert_eq!(integer(&[0x00, 0x01]), Err(DerError::BadInteger));
        assert_eq!(integer(&[0xff, 0x80]), Err(DerError::BadInteger));
        assert_eq!(integer(&[0x7f; 9]), Err(DerError::TooLarge));
        assert_eq!(integer(&[0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), Ok(i64::MAX));
    }
}
