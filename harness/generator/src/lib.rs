//! A deterministic software authenticator and client, and (to come) the case catalogue.
//!
//! Every random value comes from one seeded ChaCha20 stream ([`Generator`]), so a seed reproduces a
//! ceremony byte for byte. The generator never consults the verifier.
#![forbid(unsafe_code)]

pub mod catalog;
pub mod ceremony;
pub mod client;
pub mod keys;
pub mod member;
pub mod pki;
pub mod runner;
#[cfg(feature = "proptest")]
pub mod strategies;
pub mod target;
pub mod vectors;

pub use ceremony::{
    AssertionDraft, AttestationKind, Credential, Generator, RegistrationDraft, Rp, SignedAssertion,
    SignedRegistration,
};
pub use keys::{Algorithm, KeyPair};
pub use member::Member;
