//! The RSA keys of the ceremony targets: one per key slot, each the product of four 512-bit primes.
//!
//! Signing is what an RSA description costs a run (the authentication target signs each new assertion): with
//! the two 1024-bit primes of the generator's pool it was about 40% of the authentication target's time. An
//! RSA private operation through the Chinese remainder theorem costs about the cube of the prime's size per
//! prime, so four primes of 512 bits sign about four times as fast as two of 1024 (RFC 8017 §3.2 defines
//! multi-prime keys; the `rsa` crate computes the CRT values for any number of primes). What a verifier sees
//! does not change: the public key is a 2048-bit modulus and e = 65537, and PKCS #1 v1.5 signatures are
//! unique, so a signature is the same bytes whichever factorisation made it.
//!
//! The primes are fixed in `rsa_slots.txt` so that no run generates primes (seconds in a debug build); the
//! test `the_slot_primes_are_reproducible` regenerates them.

use std::sync::OnceLock;

use rsa::BigUint;

use super::KEY_SLOTS;

/// The seed of the keys whose primes the file holds (ASCII "rsa_512" and a zero byte).
pub const RSA_SLOT_SEED: u64 = 0x7273_615f_3531_3200;

/// The public exponent.
const E: u32 = 65_537;

fn primes() -> &'static [BigUint] {
    static PRIMES: OnceLock<Vec<BigUint>> = OnceLock::new();
    // The file is part of the source, and the tests below check it.
    PRIMES.get_or_init(|| generator::keys::rsa_pool::read_primes(include_str!("rsa_slots.txt")))
}

/// The RSA-2048 key of slot `slot % KEY_SLOTS`: primes `4 * slot` to `4 * slot + 3`.
pub fn key(slot: u64) -> rsa::RsaPrivateKey {
    let start = (slot % KEY_SLOTS) as usize * 4;
    let four = primes().get(start..start + 4).expect("four primes per slot in rsa_slots.txt").to_vec();
    // Distinct primes coprime to e - 1 whose product has 2048 bits (all tested) make a valid key.
    rsa::RsaPrivateKey::from_primes(four, BigUint::from(E)).expect("a key from four slot primes")
}

#[cfg(test)]
mod tests {
    use rsa::traits::{PrivateKeyParts, PublicKeyParts};

    use super::*;

    #[test]
    fn every_slot_key_is_a_valid_2048_bit_key_of_four_primes() {
        assert_eq!(primes().len() as u64, 4 * KEY_SLOTS);
        for slot in 0..KEY_SLOTS {
            let k = key(slot);
            k.validate().expect("a consistent key");
            assert_eq!(k.n().bits(), 2048, "slot {slot}");
            assert_eq!(k.primes().len(), 4, "slot {slot}");
            assert_eq!(k.e(), &BigUint::from(E));
        }
        assert_eq!(key(3).n(), key(3 + KEY_SLOTS).n(), "slots wrap around");
    }

    /// A signature by a four-prime key is the one PKCS #1 v1.5 signature of its message under the modulus:
    /// the textbook operation (EM^d mod n, no CRT) gives the same value, and the verifier accepts it.
    #[test]
    fn four_prime_signatures_are_ordinary_signatures() {
        let private = key(5);
        let pair = generator::KeyPair::Rsa(generator::Algorithm::Rs256, Box::new(private.clone()));
        let sig = pair.sign(b"message");
        assert_eq!(sig.len(), 256);
        let encoded = BigUint::from_bytes_be(&sig).modpow(private.e(), private.n());
        assert_eq!(encoded.to_bytes_be()[..2], [0x01, 0xff], "EMSA-PKCS1-v1_5 encoding");
        let textbook = encoded.modpow(private.d(), private.n());
        assert_eq!(
            textbook,
            BigUint::from_bytes_be(&sig),
            "the CRT over four primes gives the one signature"
        );
        let credential =
            verifier::crypto::CredentialKey::from_cose(&pair.cose_key()).expect("the verifier loads the key");
        credential.verify(b"message", &sig).expect("the verifier accepts the signature");
        assert!(credential.verify(b"another message", &sig).is_err());
    }

    /// About a second in the test profile (16 RSA-1024 key generations).
    #[test]
    fn the_slot_primes_are_reproducible() {
        assert_eq!(primes(), generator::keys::rsa_pool::primes_of_keys(RSA_SLOT_SEED, 16, 1024).as_slice());
    }
}
