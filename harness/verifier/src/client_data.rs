//! The client-data steps both ceremonies share: §7.1 steps 5-11 and §7.2 steps 8-14.
//!
//! Each function takes the check ids of its ceremony, so a rejection names the step of the procedure that
//! ran it.

use wire::base64url;
use wire::client_data::{ClientDataError, CollectedClientData};

use crate::check::{CheckId, Rejection};
use crate::policy::{Checks, Policy};

/// The check ids one ceremony uses for the shared client-data steps.
pub(crate) struct Ids {
    pub utf8: CheckId,
    pub json: CheckId,
    pub type_: CheckId,
    pub challenge: CheckId,
    pub origin: CheckId,
    pub cross_origin: CheckId,
    pub top_origin: CheckId,
}

pub(crate) const REGISTRATION: Ids = Ids {
    utf8: CheckId::RegClientDataNotUtf8,
    json: CheckId::RegClientDataNotJson,
    type_: CheckId::RegClientDataType,
    challenge: CheckId::RegChallenge,
    origin: CheckId::RegOrigin,
    cross_origin: CheckId::RegCrossOrigin,
    top_origin: CheckId::RegTopOrigin,
};

pub(crate) const AUTHENTICATION: Ids = Ids {
    utf8: CheckId::AuthClientDataNotUtf8,
    json: CheckId::AuthClientDataNotJson,
    type_: CheckId::AuthClientDataType,
    challenge: CheckId::AuthChallenge,
    origin: CheckId::AuthOrigin,
    cross_origin: CheckId::AuthCrossOrigin,
    top_origin: CheckId::AuthTopOrigin,
};

/// "Let JSONtext be the result of running UTF-8 decode on the value of response.clientDataJSON."
/// UTF-8 decode strips a leading byte order mark, so one is tolerated here.
pub(crate) fn utf8_decode<'a>(ids: &Ids, bytes: &'a [u8]) -> Result<&'a [u8], Rejection> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Rejection::new(ids.utf8, format!("invalid UTF-8 at byte {}", e.valid_up_to())))?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text).as_bytes())
}

/// "Let C ... be the result of running an implementation-specific JSON parser on JSONtext."
pub(crate) fn parse(ids: &Ids, json_text: &[u8]) -> Result<CollectedClientData, Rejection> {
    CollectedClientData::parse(json_text).map_err(|e| Rejection::new(ids.json, e.to_string()))
}

fn member_error(check: CheckId, e: ClientDataError) -> Rejection {
    Rejection::new(check, e.to_string())
}

/// "Verify that the value of C.type is `webauthn.create`" (or `webauthn.get`).
pub(crate) fn type_is(ids: &Ids, c: &CollectedClientData, expected: &str) -> Result<(), Rejection> {
    let t = c.type_().map_err(|e| member_error(ids.type_, e))?;
    if t != expected {
        return Err(Rejection::new(ids.type_, format!("type is {t:?}, expected {expected:?}")));
    }
    Ok(())
}

/// "Verify that the value of C.challenge equals the base64url encoding of pkOptions.challenge."
/// The comparison is of strings, so a padded or standard-alphabet encoding of the right bytes fails.
pub(crate) fn challenge_is(ids: &Ids, c: &CollectedClientData, challenge: &[u8]) -> Result<(), Rejection> {
    let got = c.challenge().map_err(|e| member_error(ids.challenge, e))?;
    let expected = base64url::encode(challenge);
    if got != expected {
        return Err(Rejection::new(ids.challenge, format!("challenge is {got:?}, expected {expected:?}")));
    }
    Ok(())
}

/// "Verify that the value of C.origin is an origin expected by the Relying Party" (§13.5.9).
pub(crate) fn origin_expected(ids: &Ids, c: &CollectedClientData, policy: &Policy) -> Result<(), Rejection> {
    let origin = c.origin().map_err(|e| member_error(ids.origin, e))?;
    if !policy.origin_allowed(origin) {
        return Err(Rejection::new(ids.origin, format!("origin {origin:?} is not expected")));
    }
    Ok(())
}

/// "If C.crossOrigin is present and set to true, verify that the Relying Party expects [use] within an
/// iframe that is not same-origin with its ancestors."
pub(crate) fn cross_origin_expected(
    ids: &Ids,
    c: &CollectedClientData,
    policy: &Policy,
) -> Result<(), Rejection> {
    let cross = c.cross_origin().map_err(|e| member_error(ids.cross_origin, e))?;
    if cross == Some(true) && !policy.framing.allow_cross_origin {
        return Err(Rejection::new(
            ids.cross_origin,
            "crossOrigin is true but the RP does not expect to be framed",
        ));
    }
    Ok(())
}

/// "If C.topOrigin is present: verify that the Relying Party expects [to be framed] ... [and] that the value
/// of C.topOrigin matches the origin of a page that the Relying Party expects to be sub-framed within."
pub(crate) fn top_origin_expected(
    ids: &Ids,
    c: &CollectedClientData,
    policy: &Policy,
) -> Result<(), Rejection> {
    let Some(top) = c.top_origin().map_err(|e| member_error(ids.top_origin, e))? else { return Ok(()) };
    if !policy.framing.allow_cross_origin {
        return Err(Rejection::new(
            ids.top_origin,
            format!("topOrigin {top:?} present but the RP does not expect to be framed"),
        ));
    }
    if !policy.framing.allowed_top_origins.iter().any(|o| o == top) {
        return Err(Rejection::new(
            ids.top_origin,
            format!("topOrigin {top:?} is not an expected top-level origin"),
        ));
    }
    Ok(())
}

/// Steps 5-11 of §7.1 (8-14 of §7.2) in order, each applied by `checks`.
pub(crate) fn verify(
    ids: &Ids,
    bytes: &[u8],
    expected_type: &str,
    challenge: &[u8],
    checks: &mut Checks<'_>,
) -> Result<(), Rejection> {
    if fast::passes(bytes, expected_type, challenge, checks.policy) {
        return Ok(());
    }
    verify_general(ids, bytes, expected_type, challenge, checks).map(|_| ())
}

/// The general path alone: every step on the parsed client data, each failure named by its check. UTF-8 and
/// JSON are required (there is nothing to check without them); the member checks are applied.
pub(crate) fn verify_general(
    ids: &Ids,
    bytes: &[u8],
    expected_type: &str,
    challenge: &[u8],
    checks: &mut Checks<'_>,
) -> Result<CollectedClientData, Rejection> {
    let json_text = checks.require(utf8_decode(ids, bytes))?;
    let c = checks.require(parse(ids, json_text))?;
    let policy = checks.policy;
    checks.apply(type_is(ids, &c, expected_type))?;
    checks.apply(challenge_is(ids, &c, challenge))?;
    checks.apply(origin_expected(ids, &c, policy))?;
    checks.apply(cross_origin_expected(ids, &c, policy))?;
    checks.apply(top_origin_expected(ids, &c, policy))?;
    Ok(c)
}

/// The fast path: the common case read directly, client data with exactly the members a browser sends (`type`,
/// `challenge`, `origin`, and `crossOrigin` / `topOrigin`), each of the right type, all of them passing. `true`
/// only where the general path accepts too; anything else (an unknown or duplicate member, a failing check) goes
/// to the general path, which alone says what is wrong. A test compares the two on edited client data.
mod fast {
    use std::borrow::Cow;

    use serde::{Deserialize, Deserializer};
    use wire::base64url;

    use crate::policy::Policy;

    /// A member that may be absent but, when present, must have type `T` (`null` is not absent here, as in the
    /// general path).
    #[derive(Default)]
    enum Field<T> {
        #[default]
        Absent,
        Present(T),
    }

    impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            T::deserialize(d).map(Field::Present)
        }
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Known<'a> {
        #[serde(borrow, rename = "type")]
        type_: Cow<'a, str>,
        #[serde(borrow)]
        challenge: Cow<'a, str>,
        #[serde(borrow)]
        origin: Cow<'a, str>,
        #[serde(default, rename = "crossOrigin")]
        cross_origin: Field<bool>,
        #[serde(borrow, default, rename = "topOrigin")]
        top_origin: Field<Cow<'a, str>>,
    }

    pub(super) fn passes(bytes: &[u8], expected_type: &str, challenge: &[u8], policy: &Policy) -> bool {
        // Strict UTF-8 and the BOM the general path strips are left to it.
        if bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
            return false;
        }
        let Ok(c) = serde_json::from_slice::<Known<'_>>(bytes) else { return false };
        c.type_ == expected_type
            && c.challenge == base64url::encode(challenge)
            && policy.origin_allowed(&c.origin)
            && !matches!(c.cross_origin, Field::Present(true))
            && matches!(c.top_origin, Field::Absent)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const ORIGIN: &str = "https://rp.example";
    const CHALLENGE: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn client_data() -> String {
        format!(
            r#"{{"type":"webauthn.get","challenge":"{}","origin":"{ORIGIN}","crossOrigin":false}}"#,
            base64url::encode(CHALLENGE)
        )
    }

    fn both(bytes: &[u8], policy: &Policy) -> (bool, Result<(), Rejection>) {
        let fast = fast::passes(bytes, "webauthn.get", CHALLENGE, policy);
        let general =
            verify_general(&AUTHENTICATION, bytes, "webauthn.get", CHALLENGE, &mut Checks::new(policy))
                .map(|_| ());
        (fast, general)
    }

    #[test]
    fn the_fast_path_takes_the_common_case_and_leaves_the_rest() {
        let p = Policy::new("rp.example", ORIGIN);
        let ok = client_data();
        assert_eq!(both(ok.as_bytes(), &p), (true, Ok(())));
        for (edit, fast_takes_it) in [
            (ok.replace(r#","crossOrigin":false"#, ""), true),
            (ok.replace("false", "null"), false),
            (ok.replace("false", "true"), false),
            (ok.replace("false}", r#"false,"topOrigin":"https://x.example"}"#), false),
            (ok.replace("false}", r#"false,"other_keys_can_be_added_here":"x"}"#), false),
            (ok.replace("{", r#"{"type":"webauthn.get","#), false),
            (format!("\u{feff}{ok}"), false),
            (ok.replace(ORIGIN, "https://other.example"), false),
            (ok.replace("webauthn.get", "webauthn.create"), false),
        ] {
            let (fast, general) = both(edit.as_bytes(), &p);
            assert_eq!(fast, fast_takes_it, "{edit}");
            assert!(!fast || general.is_ok(), "the fast path accepted what the general path refuses: {edit}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Whatever the fast path accepts, the general path accepts.
        #[test]
        fn fast_acceptance_implies_general_acceptance(edits in prop::collection::vec((any::<u8>(), any::<u8>(), 0u8..3), 1..4)) {
            let p = Policy::new("rp.example", ORIGIN);
            let mut bytes = client_data().into_bytes();
            for (at, byte, op) in edits {
                let at = usize::from(at) % (bytes.len() + 1);
                match op {
                    0 if at < bytes.len() => bytes[at] = byte,
                    1 => bytes.insert(at, byte),
                    _ if at < bytes.len() => { bytes.remove(at); }
                    _ => {}
                }
            }
            let (fast, general) = both(&bytes, &p);
            prop_assert!(!fast || general.is_ok(), "{:?}", String::from_utf8_lossy(&bytes));
        }
    }
}
