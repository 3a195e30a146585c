//! The client-data steps both ceremonies share: §7.1 steps 5-11 and §7.2 steps 8-14.
//!
//! Each function takes the check ids of its ceremony, so a rejection names the step of the procedure that
//! ran it.

use wire::base64url;
use wire::client_data::{ClientDataError, CollectedClientData};

use crate::check::{CheckId, Rejection};
use crate::policy::{fail, Policy};

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
        .map_err(|e| fail(ids.utf8, format!("invalid UTF-8 at byte {}", e.valid_up_to())))?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text).as_bytes())
}

/// "Let C ... be the result of running an implementation-specific JSON parser on JSONtext."
pub(crate) fn parse(ids: &Ids, json_text: &[u8]) -> Result<CollectedClientData, Rejection> {
    CollectedClientData::parse(json_text).map_err(|e| fail(ids.json, e.to_string()))
}

fn member_error(check: CheckId, e: ClientDataError) -> Rejection {
    fail(check, e.to_string())
}

/// "Verify that the value of C.type is `webauthn.create`" (or `webauthn.get`).
pub(crate) fn type_is(ids: &Ids, c: &CollectedClientData, expected: &str) -> Result<(), Rejection> {
    let t = c.type_().map_err(|e| member_error(ids.type_, e))?;
    if t != expected {
        return Err(fail(ids.type_, format!("type is {t:?}, expected {expected:?}")));
    }
    Ok(())
}

/// "Verify that the value of C.challenge equals the base64url encoding of pkOptions.challenge."
/// The comparison is of strings, so a padded or standard-alphabet encoding of the right bytes fails.
pub(crate) fn challenge_is(ids: &Ids, c: &CollectedClientData, challenge: &[u8]) -> Result<(), Rejection> {
    let got = c.challenge().map_err(|e| member_error(ids.challenge, e))?;
    let expected = base64url::encode(challenge);
    if got != expected {
        return Err(fail(ids.challenge, format!("challenge is {got:?}, expected {expected:?}")));
    }
    Ok(())
}

/// "Verify that the value of C.origin is an origin expected by the Relying Party" (§13.4.9).
pub(crate) fn origin_expected(ids: &Ids, c: &CollectedClientData, policy: &Policy) -> Result<(), Rejection> {
    let origin = c.origin().map_err(|e| member_error(ids.origin, e))?;
    if !policy.origin_allowed(origin) {
        return Err(fail(ids.origin, format!("origin {origin:?} is not expected")));
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
        return Err(fail(ids.cross_origin, "crossOrigin is true but the RP does not expect to be framed"));
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
        return Err(fail(
            ids.top_origin,
            format!("topOrigin {top:?} present but the RP does not expect to be framed"),
        ));
    }
    if !policy.framing.allowed_top_origins.iter().any(|o| o == top) {
        return Err(fail(ids.top_origin, format!("topOrigin {top:?} is not an expected top-level origin")));
    }
    Ok(())
}

/// Steps 5-11 of §7.1 (8-14 of §7.2) in order.
pub(crate) fn verify(
    ids: &Ids,
    bytes: &[u8],
    expected_type: &str,
    challenge: &[u8],
    policy: &Policy,
) -> Result<CollectedClientData, Rejection> {
    let json_text = utf8_decode(ids, bytes)?;
    let c = parse(ids, json_text)?;
    policy.enforce(type_is(ids, &c, expected_type))?;
    policy.enforce(challenge_is(ids, &c, challenge))?;
    policy.enforce(origin_expected(ids, &c, policy))?;
    policy.enforce(cross_origin_expected(ids, &c, policy))?;
    policy.enforce(top_origin_expected(ids, &c, policy))?;
    Ok(c)
}
