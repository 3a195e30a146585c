//! The reference WebAuthn relying party: registration (§7.1) and authentication (§7.2) as ordered lists of
//! named checks.
//!
//! No I/O: the time, the challenge and the credential store are passed in. A rejection names the
//! [`CheckId`] that failed, with its spec step and requirement level, so a harness can tell *why* a ceremony
//! failed, not just that it did.
//!
//! Every check is applied the same way: its step returns the failure, and [`Policy::consequence`] (from the
//! check's level, the policy field of a POLICY check, and `disabled_checks`) makes it a rejection, a warning in
//! the outcome, or nothing. [`policy::ALWAYS_ENFORCED`] lists the checks that cannot be switched off.
//!
//! | module | what |
//! |---|---|
//! | [`check`] | a failed check's answer ([`Rejection`]); the `spec` crate's check vocabulary, re-exported |
//! | [`policy`] | what the RP expects, and what a failed check does under it ([`Policy::consequence`]) |
//! | [`response`] | a response read from its JSON (§5.1), by a fast path or the general one |
//! | `client_data` | the client-data steps both ceremonies share (§7.1 steps 5-11, §7.2 steps 8-14) |
//! | [`registration`] | §7.1, one function per step |
//! | [`authentication`] | §7.2, one function per step |
//! | [`attestation`] | §8 statement formats and the trust assessment |
//! | [`metadata`] | FIDO MDS3 metadata: entries by AAGUID or key identifier, attestation roots, status reports |
//! | [`crypto`] | credential keys (ES256, ES384, RS256, EdDSA) and signatures |
//! | [`record`] | the credential record |
#![forbid(unsafe_code)]

pub mod attestation;
pub mod authentication;
pub mod check;
mod client_data;
pub mod crypto;
pub mod metadata;
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

/// A store holding one credential record: in the account with one user handle, or ([`Self::any_account`]) in
/// whichever account asks. For callers that verify a single ceremony against a record they were given (the
/// CLI's `verify authentication`, vector checks, tests).
#[derive(Debug, Clone)]
pub struct OneRecordStore {
    record: CredentialRecord,
    account: Option<Vec<u8>>,
}

impl OneRecordStore {
    /// The record, in the account with user handle `account`.
    pub fn new(account: &[u8], record: CredentialRecord) -> OneRecordStore {
        OneRecordStore { record, account: Some(account.to_vec()) }
    }

    /// The record, in any account: [`CredentialStore::find`] does not check the user handle.
    pub fn any_account(record: CredentialRecord) -> OneRecordStore {
        OneRecordStore { record, account: None }
    }

    pub fn record(&self) -> &CredentialRecord {
        &self.record
    }
}

impl CredentialStore for OneRecordStore {
    fn is_registered(&self, credential_id: &[u8]) -> bool {
        self.record.id == credential_id
    }
    fn find(&self, user_handle: &[u8], credential_id: &[u8]) -> Option<CredentialRecord> {
        let owner_ok = self.account.as_deref().is_none_or(|a| a == user_handle);
        (owner_ok && self.record.id == credential_id).then(|| self.record.clone())
    }
}

/// No store at all holds nothing, like [`EmptyStore`].
impl<S: CredentialStore> CredentialStore for Option<S> {
    fn is_registered(&self, credential_id: &[u8]) -> bool {
        self.as_ref().is_some_and(|s| s.is_registered(credential_id))
    }
    fn find(&self, user_handle: &[u8], credential_id: &[u8]) -> Option<CredentialRecord> {
        self.as_ref().and_then(|s| s.find(user_handle, credential_id))
    }
}
