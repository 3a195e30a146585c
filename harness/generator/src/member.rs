//! The members of a response a mutation can name: `RegistrationResponseJSON` / `AuthenticationResponseJSON`
//! (§5.1), at the top level or inside `response`. Shared by the proptest strategies
//! (`strategies::Mutation`, with the `proptest` feature) and the fuzzing crate's mutation model (which
//! reads it from fuzz input with `arbitrary`, the `arbitrary` feature).
//!
//! The variant order is part of the fuzz corpus's encoding (`arbitrary` picks a variant by its index): append
//! new variants at the end, never reorder or remove one.

use serde_json::{Map, Value as Json};

/// A member of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Member {
    ClientDataJson,
    AttestationObject,
    AuthenticatorData,
    Signature,
    UserHandle,
    Transports,
    Id,
    RawId,
    Type,
    Response,
    ClientExtensionResults,
}

impl Member {
    /// The member's parent (`None` for the top level) and its name.
    pub fn path(self) -> (Option<&'static str>, &'static str) {
        match self {
            Member::ClientDataJson => (Some("response"), "clientDataJSON"),
            Member::AttestationObject => (Some("response"), "attestationObject"),
            Member::AuthenticatorData => (Some("response"), "authenticatorData"),
            Member::Signature => (Some("response"), "signature"),
            Member::UserHandle => (Some("response"), "userHandle"),
            Member::Transports => (Some("response"), "transports"),
            Member::Id => (None, "id"),
            Member::RawId => (None, "rawId"),
            Member::Type => (None, "type"),
            Member::Response => (None, "response"),
            Member::ClientExtensionResults => (None, "clientExtensionResults"),
        }
    }

    /// The object that holds the member in `json`, and the member's name; `None` when the parent is absent or
    /// not an object.
    pub fn slot(self, json: &mut Json) -> Option<(&mut Map<String, Json>, &'static str)> {
        let (parent, name) = self.path();
        let holder = match parent {
            Some(p) => json.get_mut(p)?,
            None => json,
        };
        holder.as_object_mut().map(|o| (o, name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_the_parent_object_and_the_name() {
        let mut json = serde_json::json!({ "id": "a", "response": { "signature": "b" } });
        let (obj, name) = Member::Signature.slot(&mut json).expect("response is an object");
        assert_eq!((name, obj.get(name)), ("signature", Some(&Json::from("b"))));
        let (obj, name) = Member::Id.slot(&mut json).expect("the top level is an object");
        assert_eq!((name, obj.get(name)), ("id", Some(&Json::from("a"))));
        assert!(Member::Signature.slot(&mut serde_json::json!({ "response": [] })).is_none());
    }
}
