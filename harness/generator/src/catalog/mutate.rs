//! Mutation machinery shared by the `cose_key`, `cbor`, `signature`, `credential` and `attestation` areas:
//! raw CBOR assembly (for encodings a [`Value`] cannot express: duplicate keys in two encodings, non-minimal
//! heads, indefinite lengths), access to the parts of a draft, and the messages signatures cover.

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use sha2::{Digest, Sha256};
use wire::authdata::{AttestedCredentialData, Flags};
use wire::cbor::{self, Value};
use wire::cose::{kty, label};

use super::{AuthPost, RegPost, RegPre};
use crate::ceremony::{SignedAssertion, SignedRegistration};
use crate::keys::{Algorithm, KeyPair};

/// A map entry as encoded bytes: key, value.
pub(super) type RawEntry = (Vec<u8>, Vec<u8>);

/// The entries of a map value, each side in canonical encoding, in the map's order.
pub(super) fn raw_entries(v: &Value) -> Vec<RawEntry> {
    v.as_map()
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| (cbor::encode_canonical(k), cbor::encode_canonical(v)))
        .collect()
}

/// A definite-length map of the given entries, written as they are (order, duplicates and all).
pub(super) fn raw_map(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    push_head(&mut out, 5, entries.len() as u64);
    for (k, v) in entries {
        out.extend_from_slice(k);
        out.extend_from_slice(v);
    }
    out
}

/// An indefinite-length map (0xbf … 0xff) of the given entries.
pub(super) fn raw_map_indefinite(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = vec![0xbf];
    for (k, v) in entries {
        out.extend_from_slice(k);
        out.extend_from_slice(v);
    }
    out.push(0xff);
    out
}

/// A CBOR head of `major` type with argument `n`, minimal.
fn push_head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xff => out.extend_from_slice(&[m | 24, n as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(m | 26);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

/// The same data item with its first head one size wider than needed (e.g. `0x63` → `0x78 0x03`,
/// `0x58 0xa4` → `0x59 0x00 0xa4`): a non-minimal argument encoding, the value unchanged. Input that does
/// not start with a widenable head (8-byte arguments, indefinite lengths, floats) is returned as it is.
pub(super) fn widen_head(encoded: &[u8]) -> Vec<u8> {
    let Some((&first, rest)) = encoded.split_first() else { return encoded.to_vec() };
    let major = first >> 5;
    let info = first & 0x1f;
    let (n, width, body): (u64, usize, &[u8]) = match info {
        0..=23 => (u64::from(info), 0, rest),
        24..=26 => {
            let width = 1usize << (info - 24);
            let Some((arg, body)) = rest.split_at_checked(width) else { return encoded.to_vec() };
            (arg.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)), width, body)
        }
        _ => return encoded.to_vec(),
    };
    if major == 7 && info >= 24 {
        return encoded.to_vec();
    }
    let (new_info, new_width) = match width {
        0 => (24u8, 1usize),
        w => (24 + (w.trailing_zeros() as u8) + 1, w * 2),
    };
    let mut out = vec![(major << 5) | new_info];
    out.extend_from_slice(&n.to_be_bytes()[8 - new_width..]);
    out.extend_from_slice(body);
    out
}

/// The attested credential data of a registration draft (present in every baseline).
pub(super) fn attested<'a>(p: &'a mut RegPre<'_>) -> Option<&'a mut AttestedCredentialData> {
    p.draft.auth_data.attested_credential_data.as_mut()
}

/// Replaces the credential public key bytes in the draft's attested credential data.
pub(super) fn set_credential_key(p: &mut RegPre<'_>, bytes: Vec<u8>) {
    if let Some(a) = attested(p) {
        a.credential_public_key = bytes;
    }
}

/// The credential's COSE_Key as a map value, to edit.
pub(super) fn cose_value(p: &RegPre<'_>) -> Value {
    p.credential.key.cose_key().to_value()
}

/// Sets `label` in a map value (replacing it where it stands, or appending it).
pub(super) fn set_label(v: &mut Value, label: i64, value: Value) {
    if let Value::Map(entries) = v {
        match entries.iter_mut().find(|(k, _)| *k == Value::from(label)) {
            Some(e) => e.1 = value,
            None => entries.push((Value::from(label), value)),
        }
    }
}

pub(super) fn remove_label(v: &mut Value, label: i64) {
    if let Value::Map(entries) = v {
        entries.retain(|(k, _)| *k != Value::from(label));
    }
}

/// Edits the credential's COSE_Key and writes it back in canonical form, so only the edit is off.
pub(super) fn edit_cose(p: &mut RegPre<'_>, f: impl FnOnce(&mut Value)) {
    let mut v = cose_value(p);
    f(&mut v);
    set_credential_key(p, cbor::encode_canonical(&v));
}

/// The attestation object as it would be sent, as raw entries (`fmt`, `attStmt`, `authData`).
pub(super) fn object_entries(p: &RegPost<'_>) -> Vec<RawEntry> {
    raw_entries(&p.signed.attestation_object.to_value())
}

/// Sends `bytes` as the attestation object.
pub(super) fn send_object(p: &mut RegPost<'_>, bytes: Vec<u8>) {
    p.attestation_object = Some(bytes);
}

/// Edits the entries of the attestation statement map.
pub(super) fn edit_att_stmt(p: &mut RegPost<'_>, f: impl FnOnce(&mut Vec<(Value, Value)>)) {
    if let Value::Map(entries) = &mut p.signed.attestation_object.att_stmt {
        f(entries);
    }
}

/// Sets a text-keyed member of a map's entries (replacing it where it stands, or appending it).
pub(super) fn set_text(entries: &mut Vec<(Value, Value)>, key: &str, value: Value) {
    match entries.iter_mut().find(|(k, _)| k.as_text() == Some(key)) {
        Some(e) => e.1 = value,
        None => entries.push((Value::from(key), value)),
    }
}

pub(super) fn remove_text(entries: &mut Vec<(Value, Value)>, key: &str) {
    entries.retain(|(k, _)| k.as_text() != Some(key));
}

/// Flips the lowest bit of the last byte of the byte string under `key`.
pub(super) fn flip_last_byte(entries: &mut [(Value, Value)], key: &str) {
    if let Some((_, Value::Bytes(b))) = entries.iter_mut().find(|(k, _)| k.as_text() == Some(key)) {
        if let Some(last) = b.last_mut() {
            *last ^= 0x01;
        }
    }
}

/// What an attestation signature (packed) covers: `authData || SHA-256(clientDataJSON)`.
pub(super) fn attestation_message(s: &SignedRegistration) -> Vec<u8> {
    let mut m = s.attestation_object.auth_data.clone();
    m.extend_from_slice(&Sha256::digest(&s.client_data_json));
    m
}

/// What an assertion signature covers: `authenticatorData || SHA-256(clientDataJSON)`.
pub(super) fn assertion_message(s: &SignedAssertion) -> Vec<u8> {
    let mut m = s.authenticator_data.clone();
    m.extend_from_slice(&Sha256::digest(&s.client_data_json));
    m
}

/// The AAGUID in a signed registration's authenticator data (zeros if it cannot be read).
pub(super) fn aaguid(s: &SignedRegistration) -> [u8; 16] {
    s.attestation_object.auth_data.get(37..53).and_then(|b| <[u8; 16]>::try_from(b).ok()).unwrap_or_default()
}

/// Sets ED in a signed assertion's authenticator data, appends `extensions` (raw CBOR) and signs again, so
/// only the encoding of the extensions is at issue.
pub(super) fn assertion_with_raw_extensions(p: &mut AuthPost<'_>, extensions: &[u8]) {
    if let Some(flags) = p.signed.authenticator_data.get_mut(32) {
        *flags |= Flags::ED;
    }
    p.signed.authenticator_data.extend_from_slice(extensions);
    p.signed.signature = p.credential.key.sign(&assertion_message(&p.signed));
}

/// Sets ED in a registration's authenticator data and appends `extensions` (raw CBOR). Only for `none`
/// attestation, where nothing signs the authenticator data.
pub(super) fn registration_with_raw_extensions(p: &mut RegPost<'_>, extensions: &[u8]) {
    let auth_data = &mut p.signed.attestation_object.auth_data;
    if let Some(flags) = auth_data.get_mut(32) {
        *flags |= Flags::ED;
    }
    auth_data.extend_from_slice(extensions);
}

/// A text-keyed entry, canonically encoded.
pub(super) fn text_entry(key: &str, value: &Value) -> RawEntry {
    (cbor::encode(&Value::from(key)), cbor::encode_canonical(value))
}

/// A key pair of `alg` drawn from a fixed seed: a second, unrelated key for "signed by another key" cases.
pub(super) fn other_key(alg: Algorithm, seed: u64) -> KeyPair {
    KeyPair::generate(alg, &mut ChaCha20Rng::seed_from_u64(seed))
}

/// Deterministic bytes from a seed.
pub(super) fn fixed_bytes(seed: u64, n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    ChaCha20Rng::seed_from_u64(seed).fill_bytes(&mut b);
    b
}

/// A well-formed 2048-bit RSA public key COSE map with `alg`: an odd modulus with its top bit set and
/// e = 65537. Not a product of two primes, which no public-key check can tell.
pub(super) fn rsa_cose(alg: i64) -> Value {
    rsa_cose_of_size(alg, 256)
}

/// As [`rsa_cose`], with a modulus of `len` bytes.
pub(super) fn rsa_cose_of_size(alg: i64, len: usize) -> Value {
    let mut n = fixed_bytes(0x0052_5341, len);
    if let Some(first) = n.first_mut() {
        *first |= 0x80;
    }
    if let Some(last) = n.last_mut() {
        *last |= 0x01;
    }
    Value::Map(vec![
        (Value::from(label::KTY), Value::from(kty::RSA)),
        (Value::from(label::ALG), Value::from(alg)),
        (Value::from(label::N), Value::Bytes(n)),
        (Value::from(label::E), Value::Bytes(vec![0x01, 0x00, 0x01])),
    ])
}

/// An EC2 COSE map on P-521 (`crv` 3) with `alg`: coordinates of the right size (66 bytes), not a point.
pub(super) fn p521_cose(alg: i64) -> Value {
    let coordinate = |seed| {
        let mut c = fixed_bytes(seed, 66);
        if let Some(first) = c.first_mut() {
            *first &= 0x01;
        }
        Value::Bytes(c)
    };
    Value::Map(vec![
        (Value::from(label::KTY), Value::from(kty::EC2)),
        (Value::from(label::ALG), Value::from(alg)),
        (Value::from(label::CRV), Value::from(3)),
        (Value::from(label::X), coordinate(0x0521_0001)),
        (Value::from(label::Y), coordinate(0x0521_0002)),
    ])
}

/// The first of `candidates` the RP did not offer in `pubKeyCredParams`, or the last one if it offered all.
pub(super) fn first_not_offered(offered: &[i64], candidates: &[i64]) -> i64 {
    candidates.iter().copied().find(|a| !offered.contains(a)).or(candidates.last().copied()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widen_head_keeps_the_value_and_is_not_canonical() {
        for v in [
            Value::from("fmt"),
            Value::from(-7),
            Value::from(23),
            Value::from(24),
            Value::Bytes(vec![7; 164]),
            Value::Bytes(vec![7; 300]),
        ] {
            let wide = widen_head(&cbor::encode(&v));
            let d = cbor::decode(&wide, &cbor::Limits::WEBAUTHN).unwrap();
            assert_eq!(d.value, v);
            assert!(!d.is_canonical(), "{v:?}");
        }
        assert_eq!(widen_head(&[0x63, b'f', b'm', b't']), vec![0x78, 0x03, b'f', b'm', b't']);
        assert_eq!(widen_head(&[0x26]), vec![0x38, 0x06]);
    }

    #[test]
    fn raw_maps_decode_as_written() {
        let entries = vec![text_entry("b", &Value::from(1)), text_entry("a", &Value::from(2))];
        let d = cbor::decode(&raw_map(&entries), &cbor::Limits::WEBAUTHN).unwrap();
        assert_eq!(d.value.as_map().unwrap().len(), 2);
        assert!(!d.is_canonical());
        assert!(cbor::decode(&raw_map_indefinite(&entries), &cbor::Limits::WEBAUTHN).is_err());
        let dup = vec![text_entry("a", &Value::from(1)), text_entry("a", &Value::from(2))];
        assert!(cbor::decode(&raw_map(&dup), &cbor::Limits::WEBAUTHN).is_err());
    }
}
