//! What the live fuzzer sends, described: the in-process targets' [`RegistrationCase`] and
//! [`AuthenticationCase`], read from bytes with `arbitrary` and written back with [`crate::corpus::Encode`], so a
//! finding's replay file holds the exact bytes that describe it.

use arbitrary::{Arbitrary, Unstructured};

use crate::ceremony::{
    Alg, Attestation, AuthDataEdit, AuthenticationCase, Backup, ClientDataMember, JsonLeaf, JsonValue,
    Mutation, RegistrationCase,
};
use crate::corpus::encode_case;

/// Which ceremony a description is of: the vocabulary's own.
pub use spec::Ceremony;

/// A described ceremony of either kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Description {
    Registration(RegistrationCase),
    Authentication(AuthenticationCase),
}

impl Description {
    /// Reads a description of `ceremony` from fuzz bytes (`None`: too short for one).
    pub fn from_bytes(ceremony: Ceremony, bytes: &[u8]) -> Option<Description> {
        let u = Unstructured::new(bytes);
        match ceremony {
            Ceremony::Registration => {
                RegistrationCase::arbitrary_take_rest(u).ok().map(Description::Registration)
            }
            Ceremony::Authentication => {
                AuthenticationCase::arbitrary_take_rest(u).ok().map(Description::Authentication)
            }
        }
    }

    /// The bytes that read back as this description.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Description::Registration(c) => encode_case(c),
            Description::Authentication(c) => encode_case(c),
        }
    }

    pub fn ceremony(&self) -> Ceremony {
        match self {
            Description::Registration(_) => Ceremony::Registration,
            Description::Authentication(_) => Ceremony::Authentication,
        }
    }

    /// The mutations that take effect (at most [`crate::ceremony::MAX_MUTATIONS`]).
    pub fn mutations(&self) -> &[Mutation] {
        let all = match self {
            Description::Registration(c) => &c.mutations,
            Description::Authentication(c) => &c.mutations,
        };
        all.get(..all.len().min(crate::ceremony::MAX_MUTATIONS)).unwrap_or_default()
    }

    pub fn resign(&self) -> bool {
        match self {
            Description::Registration(c) => c.resign,
            Description::Authentication(c) => c.resign,
        }
    }

    /// The same description with only the mutations `keep` selects.
    pub fn with_mutations(&self, keep: impl Fn(usize) -> bool) -> Description {
        let kept = self.mutations().iter().enumerate().filter(|(i, _)| keep(*i)).map(|(_, m)| m.clone());
        self.with_mutation_list(kept.collect())
    }

    /// The same description with these mutations.
    pub fn with_mutation_list(&self, mutations: Vec<Mutation>) -> Description {
        match self {
            Description::Registration(c) => {
                Description::Registration(RegistrationCase { mutations, ..c.clone() })
            }
            Description::Authentication(c) => {
                Description::Authentication(AuthenticationCase { mutations, ..c.clone() })
            }
        }
    }

    /// The same description, re-signed after its mutations or not.
    pub fn with_resign(&self, resign: bool) -> Description {
        match self {
            Description::Registration(c) => {
                Description::Registration(RegistrationCase { resign, ..c.clone() })
            }
            Description::Authentication(c) => {
                Description::Authentication(AuthenticationCase { resign, ..c.clone() })
            }
        }
    }

    /// This description with one field made simpler (`None` when it already is): what minimisation tries after
    /// dropping mutations, field by field in [`Simplify::ALL`]'s order.
    pub fn simplified(&self, field: Simplify) -> Option<Description> {
        let out = match self {
            Description::Registration(c) => {
                let mut v = c.clone();
                match field {
                    Simplify::Resign => v.resign = false,
                    Simplify::Alg => v.authenticator.alg = Alg::Es256,
                    Simplify::Backup => v.authenticator.backup = Backup::NotEligible,
                    Simplify::Uv => v.authenticator.uv = true,
                    Simplify::RequireUv => v.require_uv = false,
                    Simplify::Attestation => v.attestation = Attestation::None,
                    Simplify::IdLen => v.authenticator.credential_id_len = 15,
                    Simplify::UserHandle | Simplify::SignCount => return None,
                }
                Description::Registration(v)
            }
            Description::Authentication(c) => {
                let mut v = c.clone();
                match field {
                    Simplify::Resign => v.resign = false,
                    Simplify::Alg => v.authenticator.alg = Alg::Es256,
                    Simplify::Backup => v.authenticator.backup = Backup::NotEligible,
                    Simplify::Uv => v.authenticator.uv = true,
                    Simplify::RequireUv => v.require_uv = false,
                    Simplify::UserHandle => v.user_handle = true,
                    Simplify::SignCount => v.sign_count = 1,
                    Simplify::IdLen => v.authenticator.credential_id_len = 15,
                    Simplify::Attestation => return None,
                }
                Description::Authentication(v)
            }
        };
        (out != *self).then_some(out)
    }
}

/// A field minimisation makes simpler: not re-signed, ES256, no backup flags, UV performed, UV not required, no
/// attestation statement, the user handle sent, a counter of 1, a short credential ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Simplify {
    Resign,
    Alg,
    Backup,
    Uv,
    RequireUv,
    Attestation,
    UserHandle,
    SignCount,
    IdLen,
}

impl Simplify {
    pub const ALL: [Simplify; 9] = [
        Simplify::Resign,
        Simplify::Alg,
        Simplify::Backup,
        Simplify::Uv,
        Simplify::RequireUv,
        Simplify::Attestation,
        Simplify::UserHandle,
        Simplify::SignCount,
        Simplify::IdLen,
    ];
}

/// The kind of a JSON value a mutation writes: a named near miss (`Known`) by its name, anything else by its JSON
/// type, so a padded challenge and a challenge that is an array are two findings, two random strings one.
fn shape(v: &JsonValue) -> String {
    match v {
        JsonValue::Leaf(JsonLeaf::Known(k)) => format!("{k:?}"),
        JsonValue::Leaf(JsonLeaf::Null) => "null".into(),
        JsonValue::Leaf(JsonLeaf::Bool(_)) => "a boolean".into(),
        JsonValue::Leaf(JsonLeaf::Int(_) | JsonLeaf::Float(_)) => "a number".into(),
        JsonValue::Leaf(JsonLeaf::Text(_) | JsonLeaf::Base64url(_)) => "a string".into(),
        JsonValue::EmptyArray | JsonValue::Array(_) => "an array".into(),
        JsonValue::EmptyObject | JsonValue::Object(..) => "an object".into(),
    }
}

/// A short name for what a mutation changes, for deduplicating findings: the member or field and the kind of
/// value written ([`shape`]), not the value itself.
pub fn mutation_kind(m: &Mutation) -> String {
    let member = |m: &generator::Member| {
        let (parent, name) = m.path();
        parent.map_or_else(|| name.to_owned(), |p| format!("{p}.{name}"))
    };
    match m {
        Mutation::Bytes { member: m, .. } => format!("bytes of {}", member(m)),
        Mutation::Replace { member: m, value } => format!("{} replaced by {}", member(m), shape(value)),
        Mutation::Remove { member: m } => format!("{} removed", member(m)),
        Mutation::ClientData { member, value, .. } => {
            let name = match member {
                ClientDataMember::Type => "type",
                ClientDataMember::Challenge => "challenge",
                ClientDataMember::Origin => "origin",
                ClientDataMember::CrossOrigin => "crossOrigin",
                ClientDataMember::TopOrigin => "topOrigin",
                ClientDataMember::TokenBinding => "tokenBinding",
                ClientDataMember::Other => "an unknown member",
            };
            match value {
                Some(v) => format!("client data {name} set to {}", shape(v)),
                None => format!("client data {name} removed"),
            }
        }
        Mutation::AuthData(edit) => match edit {
            AuthDataEdit::Flags { .. } => "authenticator data flags".into(),
            AuthDataEdit::SignCount(_) => "authenticator data signCount".into(),
            AuthDataEdit::RpIdHash(_) => "authenticator data rpIdHash".into(),
            AuthDataEdit::Extensions(_) => "authenticator data extensions".into(),
            AuthDataEdit::CredentialId(_) => "attested credential ID".into(),
            AuthDataEdit::CredentialPublicKey(_) => "attested credential public key".into(),
            AuthDataEdit::Raw(_) => "authenticator data bytes".into(),
        },
        Mutation::AttStmt { key, value } => {
            let k = format!("{key:?}").to_lowercase();
            match value {
                Some(_) => format!("attestation statement {k} set"),
                None => format!("attestation statement {k} removed"),
            }
        }
        Mutation::Fmt(_) => "attestation format".into(),
        Mutation::Text(_) => "JSON text".into(),
    }
}
