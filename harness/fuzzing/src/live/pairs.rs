//! The pairwise phase: before random descriptions, every near miss of a dictionary ([`atoms`]) is sent alone and
//! then with every other, in both orders, re-signed and not.
//!
//! A bug that needs two things at once (a check skipped only when some unrelated member or flag is present, or
//! an error path that forgets a check) is a pair of near misses. Random descriptions reach a given pair rarely:
//! a flags mutation is a random XOR that must clear exactly the bit wanted and keep the others sane, and a
//! client data member must be the one wanted among seven, each value among many. Enumerating the pairs of a
//! small dictionary reaches every two-way combination of its entries in a bounded number of ceremonies
//! ([`Schedule::len`]: about 5,400 per ceremony), the covering idea of combinatorial testing. Three-way
//! combinations and near misses outside the dictionary are left to the random phase that follows.

use crate::ceremony::{
    Alg, Allow, AttStmtKey, Attestation, AuthDataEdit, AuthenticationCase, Authenticator, Backup, CborLeaf,
    CborValue, ClientDataMember, Edit, Fmt, JsonLeaf, JsonValue, Known, KnownCbor, Mutation, Piece,
    RegistrationCase, RpId, Serialization,
};
use generator::Member;

use super::description::{Ceremony, Description};

/// The dictionary of near misses for `ceremony`: each one change a relying party's procedure is asked to notice,
/// or a harmless variation (a member order, an unknown member, a flag) that may switch an RP onto another path.
pub fn atoms(ceremony: Ceremony) -> Vec<Mutation> {
    use ClientDataMember as C;
    use Serialization::{Compact, Spec};
    let cd = |member, value: Option<JsonValue>, serialization| Mutation::ClientData {
        member,
        value,
        serialization,
    };
    let known = |k| Some(JsonValue::Leaf(JsonLeaf::Known(k)));
    let text = |t: &[u8]| JsonLeaf::Text(Piece::new(t));
    let mut v = vec![];
    // Client data (§7.1 steps 5-11, §7.2 steps 8-14).
    for k in [Known::TypeCreate, Known::TypeGet, Known::Empty] {
        v.push(cd(C::Type, known(k), Spec));
    }
    v.push(cd(C::Type, None, Spec));
    for k in [
        Known::OtherChallenge,
        Known::ChallengePadded,
        Known::ChallengeStandardAlphabet,
        Known::ChallengeTruncated,
    ] {
        v.push(cd(C::Challenge, known(k), Spec));
        v.push(cd(C::Challenge, known(k), Compact));
    }
    v.push(cd(C::Challenge, None, Spec));
    for k in [
        Known::OriginWithSlash,
        Known::OriginHttp,
        Known::OriginWithPort,
        Known::OriginSubdomain,
        Known::OriginUppercase,
        Known::OtherOrigin,
    ] {
        v.push(cd(C::Origin, known(k), Spec));
    }
    v.push(cd(C::Origin, None, Spec));
    v.push(cd(C::CrossOrigin, Some(JsonValue::Leaf(JsonLeaf::Bool(true))), Spec));
    // Without crossOrigin, in stored order: no longer the §5.8.1.1 serialization, which always writes it.
    v.push(cd(C::CrossOrigin, None, Compact));
    v.push(cd(C::TopOrigin, known(Known::Origin), Spec));
    v.push(cd(C::TopOrigin, known(Known::OtherOrigin), Spec));
    v.push(cd(C::TokenBinding, Some(JsonValue::Object(Piece::new(b"status"), text(b"supported"))), Spec));
    v.push(cd(C::Other, Some(JsonValue::Leaf(text(b"x"))), Spec));
    v.push(cd(C::Other, Some(JsonValue::Leaf(text(b"x"))), Compact));
    // A space after the opening brace: the same members, not the §5.8.1.1 serialization.
    v.push(Mutation::Bytes {
        member: Member::ClientDataJson,
        edit: Edit::Insert { at: 1, bytes: Piece::new(b" ") },
    });
    // Authenticator data (§7.1 steps 13-17, §7.2 steps 15-17, 21).
    for bit in 0..8 {
        v.push(Mutation::AuthData(AuthDataEdit::Flags { xor: 1 << bit }));
    }
    for n in [1, 1 << 24, u32::MAX] {
        v.push(Mutation::AuthData(AuthDataEdit::SignCount(n)));
    }
    for r in [RpId::Other, RpId::Parent, RpId::Subdomain, RpId::Uppercase, RpId::Origin] {
        v.push(Mutation::AuthData(AuthDataEdit::RpIdHash(r)));
    }
    v.push(Mutation::AuthData(AuthDataEdit::Extensions(Some(CborValue::EmptyMap))));
    // The envelope.
    v.push(Mutation::Replace {
        member: Member::Id,
        value: JsonValue::Leaf(JsonLeaf::Known(Known::CredentialIdPadded)),
    });
    v.push(Mutation::Remove { member: Member::ClientExtensionResults });
    match ceremony {
        Ceremony::Registration => {
            v.push(Mutation::AttStmt {
                key: AttStmtKey::Other,
                value: Some(CborValue::Leaf(CborLeaf::Null)),
            });
            v.push(Mutation::AttStmt {
                key: AttStmtKey::Alg,
                value: Some(CborValue::Leaf(CborLeaf::Known(KnownCbor::AlgRs256))),
            });
            v.push(Mutation::Fmt(Fmt::Packed));
            v.push(Mutation::Fmt(Fmt::FidoU2f));
            v.push(Mutation::Replace { member: Member::Transports, value: JsonValue::EmptyArray });
        }
        Ceremony::Authentication => {
            v.push(Mutation::Bytes { member: Member::Signature, edit: Edit::Flip { at: 8, mask: 1 } });
            v.push(Mutation::Replace {
                member: Member::UserHandle,
                value: JsonValue::Leaf(JsonLeaf::Known(Known::OtherUserHandle)),
            });
            v.push(Mutation::Remove { member: Member::UserHandle });
            v.push(Mutation::Replace { member: Member::UserHandle, value: JsonValue::Leaf(JsonLeaf::Null) });
        }
    }
    v
}

/// The pairwise phase of one ceremony: plan `i` is a description, singles first, then ordered pairs of distinct
/// atoms; each re-signed and not.
pub struct Schedule {
    ceremony: Ceremony,
    atoms: Vec<Mutation>,
}

impl Schedule {
    pub fn new(ceremony: Ceremony) -> Schedule {
        Schedule { ceremony, atoms: atoms(ceremony) }
    }

    /// How many descriptions the phase sends: `2 (n + n (n - 1))` for `n` atoms.
    pub fn len(&self) -> u64 {
        let n = self.atoms.len() as u64;
        2 * (n + n * (n - 1))
    }

    pub fn is_empty(&self) -> bool {
        self.atoms.is_empty()
    }

    /// Plan `i` (`None` past the end). `seed` varies the authenticator's seed (its challenges and credential ID).
    pub fn plan(&self, i: u64, seed: u64) -> Option<Description> {
        if i >= self.len() {
            return None;
        }
        let n = self.atoms.len() as u64;
        let resign = i % 2 == 1;
        let k = i / 2;
        let mutations = if k < n {
            vec![self.atoms[k as usize].clone()]
        } else {
            let p = k - n;
            let a = p / (n - 1);
            let mut b = p % (n - 1);
            if b >= a {
                b += 1;
            }
            vec![self.atoms[a as usize].clone(), self.atoms[b as usize].clone()]
        };
        Some(base(self.ceremony, seed ^ i, (i + 1).min(u64::from(u32::MAX)) as u32, resign, mutations))
    }
}

/// The plain description the atoms are applied to: ES256, UV performed, no backup flags, no attestation
/// statement; an assertion with the user handle, a listed credential, the user identified and the counter
/// `count` (the plan's number plus one: it grows along the phase, so each assertion's counter is above the one
/// the RP stored from the plans before it).
fn base(ceremony: Ceremony, seed: u64, count: u32, resign: bool, mutations: Vec<Mutation>) -> Description {
    let authenticator =
        Authenticator { seed, alg: Alg::Es256, uv: true, backup: Backup::NotEligible, credential_id_len: 15 };
    match ceremony {
        Ceremony::Registration => Description::Registration(RegistrationCase {
            authenticator,
            attestation: Attestation::None,
            require_uv: false,
            resign,
            mutations,
        }),
        Ceremony::Authentication => Description::Authentication(AuthenticationCase {
            authenticator,
            stored_sign_count: 0,
            sign_count: count,
            user_handle: true,
            identified: true,
            allow: Allow::Listed,
            require_uv: false,
            resign,
            mutations,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_sends_every_single_and_ordered_pair_once_each_way() {
        for ceremony in [Ceremony::Registration, Ceremony::Authentication] {
            let s = Schedule::new(ceremony);
            let n = s.atoms.len();
            let mut seen = std::collections::HashSet::new();
            for i in 0..s.len() {
                let d = s.plan(i, 7).expect("in range");
                let key = format!("{:?} {}", d.mutations(), d.resign());
                assert!(seen.insert(key), "plan {i} repeats an earlier one");
                // Every plan reads back from its bytes as itself (replay files hold these bytes).
                assert_eq!(Description::from_bytes(ceremony, &d.to_bytes()).as_ref(), Some(&d));
            }
            assert_eq!(seen.len(), 2 * (n + n * (n - 1)));
            assert!(s.plan(s.len(), 7).is_none());
        }
    }
}
