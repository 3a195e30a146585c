//! proptest strategies: valid ceremonies, and single mutations of them at each stage.
//!
//! A [`ValidRegistration`] / [`ValidAssertion`] is a description (seed, algorithm, attestation, flags,
//! counter); `build` turns it into the response JSON and what the RP must expect. A [`Mutation`] changes
//! exactly one thing in one encoded member; applying it to a valid response gives the inputs the fuzz oracle
//! and the no-panic properties use.

use proptest::prelude::*;
use serde_json::Value as Json;
use wire::authdata::Flags;
use wire::base64url;

use crate::ceremony::{AssertionDraft, AttestationKind, Credential, Generator, RegistrationDraft, Rp};
use crate::keys::Algorithm;
pub use crate::member::Member;

pub const RP_ID: &str = "example.org";
pub const ORIGIN: &str = "https://example.org";

pub fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Es256),
        Just(Algorithm::Es384),
        Just(Algorithm::EdDsa),
        Just(Algorithm::Rs256)
    ]
}

/// Algorithms without RSA, whose key generation is slow: for properties that build many ceremonies.
pub fn fast_algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![Just(Algorithm::Es256), Just(Algorithm::Es384), Just(Algorithm::EdDsa)]
}

pub fn attestation() -> impl Strategy<Value = AttestationKind> {
    prop_oneof![
        Just(AttestationKind::None),
        Just(AttestationKind::PackedSelf),
        Just(AttestationKind::PackedX5c)
    ]
}

/// Flags a valid ceremony may carry besides UP (and AT): UV, and BE with or without BS.
pub fn valid_extra_flags() -> impl Strategy<Value = u8> {
    (any::<bool>(), 0u8..3).prop_map(|(uv, backup)| {
        let uv = if uv { Flags::UV } else { 0 };
        uv | match backup {
            0 => 0,
            1 => Flags::BE,
            _ => Flags::BE | Flags::BS,
        }
    })
}

/// A valid registration, as a description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRegistration {
    pub seed: u64,
    pub alg: Algorithm,
    pub attestation: AttestationKind,
    pub extra_flags: u8,
    pub credential_id_len: usize,
}

/// What a built registration is: the response and what the RP issued.
#[derive(Debug, Clone)]
pub struct BuiltRegistration {
    pub json: Json,
    pub challenge: Vec<u8>,
    pub credential: Credential,
}

impl ValidRegistration {
    pub fn build(&self) -> BuiltRegistration {
        let mut g = Generator::new(self.seed);
        let credential = g.credential(self.alg, self.credential_id_len);
        let challenge = g.challenge();
        let draft =
            RegistrationDraft::new(&Rp::new(RP_ID, ORIGIN), &credential, &challenge, self.extra_flags);
        let json = draft.sign(&credential, self.attestation).to_json();
        BuiltRegistration { json, challenge, credential }
    }
}

pub fn valid_registration_with(
    alg: impl Strategy<Value = Algorithm>,
) -> impl Strategy<Value = ValidRegistration> {
    (any::<u64>(), alg, attestation(), valid_extra_flags(), 1usize..=1023).prop_map(
        |(seed, alg, attestation, extra_flags, credential_id_len)| ValidRegistration {
            seed,
            alg,
            attestation,
            extra_flags,
            credential_id_len,
        },
    )
}

pub fn valid_registration() -> impl Strategy<Value = ValidRegistration> {
    valid_registration_with(fast_algorithm())
}

/// A valid assertion for a credential made from the same seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAssertion {
    pub registration: ValidRegistration,
    pub sign_count: u32,
    pub with_user_handle: bool,
}

#[derive(Debug, Clone)]
pub struct BuiltAssertion {
    pub json: Json,
    pub challenge: Vec<u8>,
    pub credential: Credential,
}

impl ValidAssertion {
    pub fn build(&self) -> BuiltAssertion {
        let reg = &self.registration;
        let mut g = Generator::new(reg.seed);
        let credential = g.credential(reg.alg, reg.credential_id_len);
        let _registration_challenge = g.challenge();
        let challenge = g.challenge();
        // BE must match registration; the assertion keeps UV and the backup bits as registered.
        let user_handle = self.with_user_handle.then(|| b"user".to_vec());
        let draft = AssertionDraft::new(
            &Rp::new(RP_ID, ORIGIN),
            &credential,
            &challenge,
            reg.extra_flags,
            self.sign_count,
            user_handle,
        );
        BuiltAssertion { json: draft.sign(&credential).to_json(), challenge, credential }
    }
}

pub fn valid_assertion() -> impl Strategy<Value = ValidAssertion> {
    (valid_registration(), any::<u32>(), any::<bool>()).prop_map(
        |(registration, sign_count, with_user_handle)| ValidAssertion {
            registration,
            sign_count,
            with_user_handle,
        },
    )
}

/// One change to one member of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mutation {
    /// XOR the byte at `index` (modulo the length) of the decoded member with `mask` (non-zero).
    FlipByte { member: Member, index: usize, mask: u8 },
    /// Keep only the first `len` bytes (modulo the length).
    Truncate { member: Member, len: usize },
    /// Insert `bytes` at `index` (modulo the length + 1).
    Insert { member: Member, index: usize, bytes: Vec<u8> },
    /// Replace the member's JSON value.
    ReplaceJson { member: Member, value: Json },
    /// Remove the member.
    Remove { member: Member },
}

impl Mutation {
    /// Applies the mutation to a response JSON. A member the response lacks is left alone.
    pub fn apply(&self, json: &mut Json) {
        let member = match self {
            Mutation::FlipByte { member, .. }
            | Mutation::Truncate { member, .. }
            | Mutation::Insert { member, .. }
            | Mutation::ReplaceJson { member, .. }
            | Mutation::Remove { member } => *member,
        };
        let Some((obj, name)) = member.slot(json) else { return };
        match self {
            Mutation::Remove { .. } => {
                obj.remove(name);
            }
            Mutation::ReplaceJson { value, .. } => {
                obj.insert(name.to_owned(), value.clone());
            }
            bytes_mutation => {
                let Some(Ok(mut bytes)) = obj.get(name).and_then(Json::as_str).map(base64url::decode) else {
                    return;
                };
                match bytes_mutation {
                    Mutation::FlipByte { index, mask, .. } if !bytes.is_empty() => {
                        let i = index % bytes.len();
                        bytes[i] ^= mask;
                    }
                    Mutation::Truncate { len, .. } if !bytes.is_empty() => bytes.truncate(len % bytes.len()),
                    Mutation::Insert { index, bytes: extra, .. } => {
                        let i = index % (bytes.len() + 1);
                        bytes.splice(i..i, extra.iter().copied());
                    }
                    _ => {}
                }
                obj.insert(name.to_owned(), Json::String(base64url::encode(&bytes)));
            }
        }
    }
}

fn json_value() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        ".{0,12}".prop_map(Json::String),
        Just(Json::Array(vec![])),
        Just(Json::Object(Default::default())),
    ]
}

/// A single mutation of one of `members`.
pub fn mutation(members: &'static [Member]) -> impl Strategy<Value = Mutation> {
    let member = proptest::sample::select(members);
    prop_oneof![
        (member.clone(), any::<usize>(), 1u8..=255).prop_map(|(member, index, mask)| Mutation::FlipByte {
            member,
            index,
            mask
        }),
        (member.clone(), any::<usize>()).prop_map(|(member, len)| Mutation::Truncate { member, len }),
        (member.clone(), any::<usize>(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(member, index, bytes)| Mutation::Insert { member, index, bytes }),
        (member.clone(), json_value()).prop_map(|(member, value)| Mutation::ReplaceJson { member, value }),
        member.prop_map(|member| Mutation::Remove { member }),
    ]
}

pub const REGISTRATION_MEMBERS: &[Member] = &[Member::ClientDataJson, Member::AttestationObject, Member::Id];
pub const ASSERTION_MEMBERS: &[Member] =
    &[Member::ClientDataJson, Member::AuthenticatorData, Member::Signature, Member::UserHandle, Member::Id];
