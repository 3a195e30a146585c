//! The reference WebAuthn relying party: registration (§7.1) and authentication (§7.2) as ordered lists of
//! named checks.
//!
//! No I/O: the time, the challenge and the credential store are passed in. A rejection names the
//! [`CheckId`] that failed, with its spec step and requirement level, so a harness can tell *why* a ceremony
//! failed, not just that it did.
//!
//! | module | what |
//! |---|---|
//! | [`check`] | what a failed check answers ([`Rejection`]); the check vocabulary (stable ids, spec steps, levels) is the `spec` crate's, re-exported |
//! | [`policy`] | what the RP expects: origins, framing, counters, backup, attestation, per-ceremony expectations; and what a failed check does under it ([`policy::Policy::consequence`]: reject, warn or waive), the one rule every check is applied by |
//! | [`response`] | reading a response from its JSON (§5.1): a fast path for a well-formed assertion, the general path that explains every rejection |
//! | `client_data` | the client-data steps both ceremonies share (§7.1 steps 5-11, §7.2 steps 8-14), with their fast path |
//! | [`registration`] | §7.1, one function per step |
//! | [`authentication`] | §7.2, one function per step |
//! | [`attestation`] | §8 statement formats and the trust assessment |
//! | [`crypto`] | credential keys (ES256, ES384, RS256, EdDSA) and signatures |
//! | [`record`] | the credential record |
#![forbid(unsafe_code)]

pub mod attestation;
pub mod authentication;
pub mod check;
mod client_data;
pub mod crypto;
pub mod policy;
pub mod record;
pub mod registration;
pub mod response;

pub use authentication::{verify_authentication, AuthenticationOutcome};
pub use check::{Ceremony, CheckId, Level, Rejection, Warning};
pub use policy::{AuthenticationExpectations, Policy, RegistrationExpectations};
pub use record::CredentialRecord;
pub use registration::{verify_registration, RegistrationOutcome};
pub use response::{AuthenticationResponse, RegistrationResponse};

/// The RP's credential store, as the procedures consult it.
pub trait CredentialStore {
    /// §7.1 step 26: is this credential ID registered for any user?
    fn is_registered(&self, credential_id: &[u8]) -> bool;
    /// §7.2 step 6: the record with this id in the account with this user handle, if that account holds it.
    fn find(&self, user_handle: &[u8], credential_id: &[u8]) -> Option<CredentialRecord>;
}

/// A store with nothing in it: every credential is new, no account holds anything.
pub struct EmptyStore;

impl CredentialStore for EmptyStore {
    fn is_registered(&self, _: &[u8]) -> bool {
        false
    }
    fn find(&self, _: &[u8], _: &[u8]) -> Option<CredentialRecord> {
        None
    }
}
