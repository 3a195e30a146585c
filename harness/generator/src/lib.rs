//! A deterministic software authenticator and client, the case catalogue, and the runner that plays a case
//! against a relying party.
//!
//! | module | what it holds |
//! |---|---|
//! | [`ceremony`], [`keys`], [`pki`] | the software authenticator: drafts, signing, keys, attestation certificates |
//! | [`metadata`] | a signed test FIDO MDS3 BLOB for the software authenticator, its roots and statements |
//! | [`client`] | the client side of the conformance API: options in, drafts out |
//! | [`catalog`] | every case as data, one file per area |
//! | [`inspect`] | what the options an RP issued meet: the options cases' findings |
//! | [`runner`] | runs a case against a [`target::Target`] and records what came back |
//! | [`target`] | the relying party as the runner sees it (implemented by the grader, not here) |
//! | [`member`] | the members of a response a mutation names (shared with the fuzzing crate) |
//! | [`vectors`] | the stateless cases as JSON test vectors |
//! | `strategies` | proptest strategies (feature `proptest`) |
//!
//! Every random value comes from one seeded ChaCha20 stream ([`Generator`]), so a seed reproduces a
//! ceremony byte for byte. The generator never consults the verifier.
#![forbid(unsafe_code)]

pub mod catalog;
pub mod ceremony;
pub mod client;
pub mod device_pki;
pub mod inspect;
pub mod keys;
pub mod member;
pub mod metadata;
pub mod pki;
pub mod runner;
pub mod safetynet;
#[cfg(feature = "proptest")]
pub mod strategies;
pub mod target;
pub mod tpm;
pub mod vectors;
// issue 18: certificate paths through intermediate CAs.
pub mod chain_pki;
// issue 18: a packed attestation certificate with a P-521 key.
pub mod p521_pki;

pub use ceremony::{
    AssertionDraft, AttestationKind, Credential, Generator, RegistrationDraft, Rp, SignedAssertion,
    SignedRegistration,
};
pub use keys::{Algorithm, KeyPair};
pub use member::Member;
