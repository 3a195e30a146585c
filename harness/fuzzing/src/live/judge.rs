//! What a trial means: the RP's answer set against the reference verifier's verdict.

use serde::{Deserialize, Serialize};
use spec::BasisKind;
use verifier::{CheckId, Level};

use serde_json::Value as Json;

use super::trial::{Reference, Trial};

/// A disagreement worth a finding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "class")]
pub enum Disagreement {
    /// The RP accepted what the reference rejects at a MUST of the RP's own procedure.
    AcceptsInvalid { check: String },
    /// The RP refused (cleanly) what the reference accepts with no warning, where a valid ceremony of the same
    /// kind was accepted: no policy explains it.
    RejectsValid,
    /// The RP answered with a server error or a body that is not JSON (it crashed on the input); `check` is
    /// the reference's rejection, if it rejects.
    ServerError { status: u16, check: Option<String> },
}

impl Disagreement {
    pub fn class(&self) -> &'static str {
        match self {
            Disagreement::AcceptsInvalid { .. } => "accepts-invalid",
            Disagreement::RejectsValid => "rejects-valid",
            Disagreement::ServerError { .. } => "server-error",
        }
    }

    /// The reference's check, for the two classes that have one.
    pub fn check(&self) -> Option<CheckId> {
        match self {
            Disagreement::AcceptsInvalid { check } => CheckId::from_id(check),
            Disagreement::ServerError { check, .. } => check.as_deref().and_then(CheckId::from_id),
            Disagreement::RejectsValid => None,
        }
    }

    /// What the class means, in a sentence.
    pub fn meaning(&self) -> String {
        match self {
            Disagreement::AcceptsInvalid { check } => {
                format!("the RP accepted a ceremony that its own procedure must reject (reference: {check})")
            }
            Disagreement::RejectsValid => {
                "the RP refused a ceremony the reference accepts without a warning, \
                                           while it accepted a valid ceremony of the same kind"
                    .into()
            }
            Disagreement::ServerError { status, check } => format!(
                "the RP answered HTTP {status} without a usable refusal{}",
                check.as_ref().map(|c| format!(" (the reference rejects it: {c})")).unwrap_or_default()
            ),
        }
    }
}

/// The meaning of one trial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// The RP and the reference agree.
    Agree,
    /// The RP accepted what the reference rejects by a rule that is not a MUST of the RP's own procedure (data,
    /// conformance or hardening, or a SHOULD): worth counting, not a finding.
    Note(CheckId),
    /// The RP refused what the reference accepts only with warnings: a policy of the RP explains it.
    Policy,
    Finding(Disagreement),
}

/// Whether a check is a MUST of the RP's own procedure (what a FAIL rests on).
pub fn procedure_must(check: CheckId) -> bool {
    check.basis().kind == BasisKind::Procedure && check.level() == Level::Must
}

/// Whether the reference's rejection rests, for this response, on a rule that is not a MUST of the RP's own
/// procedure although its check's basis is: a check whose failures are of two kinds. `crossOrigin` that is not
/// `true` (say `null`) breaks §5.8.1's type, a rule on what the client produces, not §7.1 step 10 / §7.2 step 13,
/// which ask only about `true`; `topOrigin` that is not a string likewise; a response whose members of
/// `response` are all there and decode, but whose envelope (`id`, `rawId`, `type`, `transports`,
/// `clientExtensionResults`) is not the JSON serialization's, is an instance of the response interface all the
/// same (its envelope is what the FIDO conformance tool checks, beyond the spec).
fn rests_on_data(check: CheckId, sent: &Json, origins: &[String]) -> bool {
    let client_data = || -> Option<Json> {
        let s = sent.get("response")?.get("clientDataJSON")?.as_str()?;
        serde_json::from_slice(&wire::base64url::decode(s).ok()?).ok()
    };
    match check {
        // An origin that is not the serialization of an origin (§5.8.1: "the fully qualified origin of the
        // requester ... serialized"), but names a declared one (upper case, a trailing slash or path, the default
        // port spelled out): the catalogue grades accepting it as a data rule, not §7.1 step 9 / §7.2 step 12.
        CheckId::RegOrigin | CheckId::AuthOrigin => client_data().is_some_and(|c| {
            c.get("origin")
                .and_then(Json::as_str)
                .is_some_and(|o| parsed_origin(o).is_some_and(|p| p != o && origins.contains(&p)))
        }),
        CheckId::RegCrossOrigin | CheckId::AuthCrossOrigin => {
            client_data().is_some_and(|c| c.get("crossOrigin").is_some_and(|v| *v != Json::Bool(true)))
        }
        CheckId::RegTopOrigin | CheckId::AuthTopOrigin => {
            client_data().is_some_and(|c| c.get("topOrigin").is_some_and(|v| !v.is_string()))
        }
        CheckId::RegResponseMalformed | CheckId::AuthResponseMalformed => {
            // The response's byte members are all there as strings: what is wrong is their text (not
            // base64url, which a lenient decoder reads all the same) or the envelope around them.
            let string =
                |name: &str| sent.get("response").and_then(|r| r.get(name)).is_some_and(Json::is_string);
            if check == CheckId::RegResponseMalformed {
                string("clientDataJSON") && string("attestationObject")
            } else {
                let handle_ok = matches!(
                    sent.get("response").and_then(|r| r.get("userHandle")),
                    None | Some(Json::Null | Json::String(_))
                );
                string("clientDataJSON") && string("authenticatorData") && string("signature") && handle_ok
            }
        }
        // §7.1 step 5 / §7.2 step 8 "UTF-8 decode" is the Encoding standard's, which replaces an invalid sequence
        // with U+FFFD rather than failing: an RP that decodes so and finds every compared value right follows the
        // procedure. (A wrong compared value shows up under its own near miss.)
        CheckId::RegClientDataNotUtf8 | CheckId::AuthClientDataNotUtf8 => true,
        // Step 6 runs "an implementation-specific JSON parser": one that takes a raw control character inside a
        // string (RFC 8259 wants it escaped) reads the same members.
        CheckId::RegClientDataNotJson | CheckId::AuthClientDataNotJson => client_data_bytes(sent)
            .is_some_and(|b| {
                let relaxed: Vec<u8> = b.iter().map(|&c| if c < 0x20 { b' ' } else { c }).collect();
                relaxed != b && serde_json::from_slice::<Json>(&relaxed).is_ok()
            }),
        CheckId::RegAuthDataMalformed | CheckId::AuthAuthDataMalformed => {
            authenticator_data(sent, check == CheckId::RegAuthDataMalformed).is_some_and(|bytes| {
                matches!(
                    wire::authdata::AuthenticatorData::parse(&bytes),
                    Err(wire::authdata::AuthDataError::TrailingBytes { .. }
                        | wire::authdata::AuthDataError::ExtensionsMissing { .. })
                )
            })
        }
        _ => false,
    }
}

/// The origin a URL-like text names, serialized: scheme and host in lower case, the default port dropped, any
/// path, query or fragment dropped; `None` when it has no `scheme://host`.
fn parsed_origin(text: &str) -> Option<String> {
    let (scheme, rest) = text.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if scheme.is_empty() || authority.is_empty() {
        return None;
    }
    let scheme = scheme.to_ascii_lowercase();
    let mut authority = authority.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => Some(":443"),
        "http" => Some(":80"),
        _ => None,
    };
    if let Some(stripped) = default_port.and_then(|p| authority.strip_suffix(p)) {
        authority = stripped.to_owned();
    }
    Some(format!("{scheme}://{authority}"))
}

/// The decoded `clientDataJSON` of a response.
fn client_data_bytes(sent: &Json) -> Option<Vec<u8>> {
    wire::base64url::decode(sent.get("response")?.get("clientDataJSON")?.as_str()?).ok()
}

/// The authenticator data a response carries: `authData` inside the attestation object of a registration, or
/// `authenticatorData` of an assertion.
fn authenticator_data(sent: &Json, registration: bool) -> Option<Vec<u8>> {
    let response = sent.get("response")?;
    if !registration {
        return wire::base64url::decode(response.get("authenticatorData")?.as_str()?).ok();
    }
    let object = wire::base64url::decode(response.get("attestationObject")?.as_str()?).ok()?;
    Some(wire::attestation_object::AttestationObject::parse(&object).ok()?.object.auth_data)
}

/// Why an RP may refuse a response the reference accepts, where the response itself explains it: its client data
/// carries a `tokenBinding` member. §5.8.1 keeps the member reserved ("its use is not expected in Level 3"), an
/// RP of Level 2 verified it against its TLS connection, and a malformed one breaks the `TokenBinding` dictionary's
/// own rules (`status` required, `id` present with `status` "present"): refusing it is no error of the RP's
/// Level 3 procedure, and accepting it is not either.
///
/// Also authenticator data with an RFU flag bit set (§6.1 has the authenticator keep them zero), and an empty
/// `userHandle`: the reference reads `""` as absent (the FIDO conformance tool sends it for "none"),
/// an RP may read it as a present handle that is not the user's (§7.2 step 6) and refuse.
pub fn refusal_explained(sent: &Json) -> Option<&'static str> {
    let response = sent.get("response")?;
    if response.get("userHandle").and_then(Json::as_str) == Some("") {
        return Some("userHandle is empty");
    }
    let registration = response.get("attestationObject").is_some();
    if authenticator_data(sent, registration)
        .and_then(|a| a.get(32).copied())
        .is_some_and(|f| f & wire::authdata::Flags::RFU_MASK != 0)
    {
        // §6.1: "The RFU bits SHALL be set to zero": a rule on the authenticator, which an RP may enforce.
        return Some("an RFU flag bit is set");
    }
    let s = response.get("clientDataJSON")?.as_str()?;
    let client_data: Json = serde_json::from_slice(&wire::base64url::decode(s).ok()?).ok()?;
    client_data.get("tokenBinding").map(|_| "client data carries tokenBinding")
}

/// Whether `sent` has every member the JSON serialization of a response always has (§5.1's `toJSON`: `id`,
/// `rawId`, `type`, `response` with its byte members, `clientExtensionResults`), each of its type: an RP may
/// refuse one that lacks any.
pub fn envelope_complete(sent: &Json) -> bool {
    let string = |v: Option<&Json>| v.is_some_and(Json::is_string);
    let response = sent.get("response");
    let member = |name: &str| string(response.and_then(|r| r.get(name)));
    string(sent.get("id"))
        && string(sent.get("rawId"))
        && string(sent.get("type"))
        && sent.get("clientExtensionResults").is_some_and(Json::is_object)
        && member("clientDataJSON")
        && (member("attestationObject") || (member("authenticatorData") && member("signature")))
}

pub fn judge(t: &Trial) -> Judgement {
    let reference_check = match &t.reference {
        Reference::Rejected { check, .. } => Some(*check),
        Reference::Accepted { .. } => None,
    };
    if t.reply.unusable() {
        return Judgement::Finding(Disagreement::ServerError {
            status: t.reply.status,
            check: reference_check.map(|c| c.id().to_owned()),
        });
    }
    match (&t.reference, t.reply.accepted()) {
        (Reference::Rejected { check, .. }, true)
            if procedure_must(*check) && !rests_on_data(*check, &t.sent, &t.origins) =>
        {
            Judgement::Finding(Disagreement::AcceptsInvalid { check: check.id().to_owned() })
        }
        (Reference::Rejected { check, .. }, true) => Judgement::Note(*check),
        (Reference::Accepted { warnings }, false)
            if warnings.is_empty() && envelope_complete(&t.sent) && refusal_explained(&t.sent).is_none() =>
        {
            Judgement::Finding(Disagreement::RejectsValid)
        }
        (Reference::Accepted { .. }, false) => Judgement::Policy,
        _ => Judgement::Agree,
    }
}

/// The kind of answer a trial drew, for feedback: inputs that draw a new kind are kept and mutated further. The
/// status, whether it was accepted, the shape of the error message (digits and long tokens blanked, so the RP's
/// random values do not make every answer new) and the reference's verdict.
pub fn reply_kind(t: &Trial) -> String {
    let message = t
        .reply
        .error_message()
        .map(str::to_owned)
        .or_else(|| t.reply.body.get("error").map(|e| e.to_string()))
        .unwrap_or_default();
    let reference = match &t.reference {
        Reference::Accepted { warnings } => {
            format!("accepted{}", warnings.iter().map(|w| format!(" {}", w.id())).collect::<String>())
        }
        Reference::Rejected { check, .. } => check.id().to_owned(),
    };
    format!("{} {} {} | {}", t.reply.status, t.reply.accepted(), message_shape(&message), reference)
}

/// An error message with its variable parts blanked: runs of digits become `0`, tokens of 12 or more
/// base64url characters `~`, and it is cut to 120 characters.
pub fn message_shape(m: &str) -> String {
    let mut out = String::new();
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        if token.len() >= 12 {
            out.push('~');
        } else {
            let mut last_digit = false;
            for c in token.chars() {
                if c.is_ascii_digit() {
                    if !last_digit {
                        out.push('0');
                    }
                    last_digit = true;
                } else {
                    out.push(c);
                    last_digit = false;
                }
            }
        }
        token.clear();
    };
    for c in m.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use generator::target::Reply;
    use serde_json::json;

    fn trial(reference: Reference, status: u16, body: serde_json::Value) -> Trial {
        let sent = json!({"id": "AA", "rawId": "AA", "type": "public-key", "clientExtensionResults": {},
            "response": {"clientDataJSON": "e30", "attestationObject": "oA"}});
        Trial { reference, sent, reply: Reply::new(status, body), origins: vec![] }
    }

    #[test]
    fn a_finding_needs_a_procedure_must_or_a_valid_ceremony_refused() {
        let ok = json!({"status": "ok"});
        let refused = json!({"status": "failed", "errorMessage": "no"});
        let rejected = |check| Reference::Rejected { check, detail: String::new() };
        let accepted = |warnings| Reference::Accepted { warnings };
        // §7.1 step 9 (origin) is a MUST of the procedure.
        assert_eq!(
            judge(&trial(rejected(CheckId::RegOrigin), 200, ok.clone())),
            Judgement::Finding(Disagreement::AcceptsInvalid { check: "reg.client-data.origin".into() })
        );
        // A rule on what the authenticator produces is a note.
        let data = CheckId::ALL.iter().copied().find(|c| c.basis().kind == BasisKind::Data).unwrap();
        assert_eq!(judge(&trial(rejected(data), 200, ok.clone())), Judgement::Note(data));
        assert_eq!(judge(&trial(rejected(CheckId::RegOrigin), 400, refused.clone())), Judgement::Agree);
        assert_eq!(
            judge(&trial(accepted(vec![]), 400, refused.clone())),
            Judgement::Finding(Disagreement::RejectsValid)
        );
        assert_eq!(judge(&trial(accepted(vec![CheckId::AuthSignCount]), 400, refused)), Judgement::Policy);
        assert_eq!(
            judge(&trial(rejected(CheckId::RegOrigin), 500, json!({"status": "failed"}))),
            Judgement::Finding(Disagreement::ServerError {
                status: 500,
                check: Some("reg.client-data.origin".into())
            })
        );
        assert_eq!(
            judge(&trial(accepted(vec![]), 200, serde_json::Value::Null)),
            Judgement::Finding(Disagreement::ServerError { status: 200, check: None })
        );
    }

    /// A rejection whose check is of the procedure but whose failure, for this response, breaks a rule on data is
    /// a note; a refusal of a response missing a member of the JSON serialization is the RP's choice.
    #[test]
    fn data_failures_of_procedure_checks_and_incomplete_envelopes_are_no_findings() {
        let b64 = |v: serde_json::Value| wire::base64url::encode(v.to_string().as_bytes());
        let with_client_data = |cd: serde_json::Value| {
            json!({"id": "AA", "rawId": "AA", "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64(cd), "attestationObject": "oA"}})
        };
        let accepted = |sent| Trial {
            reference: Reference::Rejected { check: CheckId::RegCrossOrigin, detail: String::new() },
            sent,
            reply: Reply::new(200, json!({"status": "ok"})),
            origins: vec![],
        };
        let null = with_client_data(json!({"type": "webauthn.create", "crossOrigin": null}));
        assert_eq!(judge(&accepted(null)), Judgement::Note(CheckId::RegCrossOrigin));
        let cross = with_client_data(json!({"type": "webauthn.create", "crossOrigin": true}));
        assert!(matches!(judge(&accepted(cross)), Judgement::Finding(_)));
        // An origin that only is not serialized (a declared one in upper case, with a trailing slash or path, or
        // its default port spelled out) is a data rule; another origin so spelled is not.
        let origin = |o: &str| Trial {
            reference: Reference::Rejected { check: CheckId::RegOrigin, detail: String::new() },
            sent: with_client_data(json!({"type": "webauthn.create", "origin": o})),
            reply: Reply::new(200, json!({"status": "ok"})),
            origins: vec!["https://rp.example".into(), "https://login.rp.example".into()],
        };
        for o in [
            "HTTPS://RP.EXAMPLE",
            "https://rp.example/",
            "https://login.rp.example/path",
            "https://rp.example:443",
        ] {
            assert_eq!(judge(&origin(o)), Judgement::Note(CheckId::RegOrigin), "{o}");
        }
        for o in [
            "https://evil.example/",
            "https://rp.example:8443",
            "https://user@rp.example",
            "http://rp.example",
        ] {
            assert!(matches!(judge(&origin(o)), Judgement::Finding(_)), "{o}");
        }

        let mut no_raw_id = with_client_data(json!({}));
        no_raw_id.as_object_mut().unwrap().remove("rawId");
        let refused = Trial {
            reference: Reference::Accepted { warnings: vec![] },
            sent: no_raw_id,
            reply: Reply::new(400, json!({"status": "failed"})),
            origins: vec![],
        };
        assert_eq!(judge(&refused), Judgement::Policy);

        // A refused client data with a tokenBinding member (reserved in L3, verified by L2 RPs) is explained.
        let refused = |sent| Trial {
            reference: Reference::Accepted { warnings: vec![] },
            sent,
            reply: Reply::new(400, json!({"status": "failed"})),
            origins: vec![],
        };
        let tb = with_client_data(json!({"type": "webauthn.create", "tokenBinding": {}}));
        assert_eq!(refusal_explained(&tb), Some("client data carries tokenBinding"));
        assert_eq!(judge(&refused(tb)), Judgement::Policy);
        let rfu = wire::authdata::AuthenticatorData::new([1; 32], wire::authdata::Flags(0x03), 1).to_bytes();
        let assertion = json!({"id": "AA", "rawId": "AA", "type": "public-key", "clientExtensionResults": {},
            "response": {"clientDataJSON": "e30", "authenticatorData": wire::base64url::encode(&rfu), "signature": "AA"}});
        assert_eq!(refusal_explained(&assertion), Some("an RFU flag bit is set"));
        let mut empty_handle = with_client_data(json!({"type": "webauthn.get"}));
        empty_handle["response"]["userHandle"] = json!("");
        assert_eq!(judge(&refused(empty_handle)), Judgement::Policy);
        let plain = with_client_data(json!({"type": "webauthn.create"}));
        assert_eq!(judge(&refused(plain)), Judgement::Finding(Disagreement::RejectsValid));
    }

    /// Bytes left over after the authenticator data, or ED set with no extensions, break §6.1's rule on the
    /// authenticator (the catalogue grades them as data); other malformations stay procedure failures.
    #[test]
    fn leftover_authenticator_data_is_a_data_rule() {
        use wire::authdata::{AuthenticatorData, Flags};
        let header = AuthenticatorData::new([7; 32], Flags(Flags::UP), 1).to_bytes();
        let assertion = |auth_data: &[u8]| {
            json!({"id": "AA", "rawId": "AA", "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": "e30", "authenticatorData": wire::base64url::encode(auth_data),
                    "signature": "AA"}})
        };
        let accepted = |sent| Trial {
            reference: Reference::Rejected { check: CheckId::AuthAuthDataMalformed, detail: String::new() },
            sent,
            reply: Reply::new(200, json!({"status": "ok"})),
            origins: vec![],
        };
        let mut leftover = header.clone();
        leftover.extend_from_slice(&[0, 1]);
        assert_eq!(judge(&accepted(assertion(&leftover))), Judgement::Note(CheckId::AuthAuthDataMalformed));
        let mut ed_without_map = header.clone();
        ed_without_map[32] |= Flags::ED;
        assert_eq!(
            judge(&accepted(assertion(&ed_without_map))),
            Judgement::Note(CheckId::AuthAuthDataMalformed)
        );
        let short = &header[..20];
        assert_eq!(
            judge(&accepted(assertion(short))),
            Judgement::Finding(Disagreement::AcceptsInvalid { check: "auth.auth-data.malformed".into() })
        );
        // In a registration the authenticator data is read from the attestation object.
        let object = wire::attestation_object::AttestationObject::new(
            "none",
            wire::cbor::Value::Map(vec![]),
            leftover,
        );
        let registration = json!({"id": "AA", "rawId": "AA", "type": "public-key", "clientExtensionResults": {},
            "response": {"clientDataJSON": "e30",
                "attestationObject": wire::base64url::encode(&object.to_bytes())}});
        let t = Trial {
            reference: Reference::Rejected { check: CheckId::RegAuthDataMalformed, detail: String::new() },
            sent: registration,
            reply: Reply::new(200, json!({"status": "ok"})),
            origins: vec![],
        };
        assert_eq!(judge(&t), Judgement::Note(CheckId::RegAuthDataMalformed));
        // A registration is judged by its attestation object's authData, whatever else `response` holds.
        let mut with_member = t.sent.clone();
        with_member["response"]["authenticatorData"] = json!("AAAA");
        assert_eq!(judge(&Trial { sent: with_member, ..t }), Judgement::Note(CheckId::RegAuthDataMalformed));
    }

    /// Members whose text is not base64url (a lenient decoder reads them) and client data that is not UTF-8 (the
    /// Encoding standard's UTF-8 decode replaces, it does not fail) are notes; a missing member is a finding.
    #[test]
    fn lenient_decoding_is_a_note() {
        let accepted = |check, sent| Trial {
            reference: Reference::Rejected { check, detail: String::new() },
            sent,
            reply: Reply::new(200, json!({"status": "ok"})),
            origins: vec![],
        };
        let registration = |attestation_object: Json| {
            json!({"id": "AA", "rawId": "AA", "type": "public-key",
            "clientExtensionResults": {}, "response": {"clientDataJSON": "e30", "attestationObject": attestation_object}})
        };
        let star = registration(json!("oA*"));
        assert_eq!(
            judge(&accepted(CheckId::RegResponseMalformed, star)),
            Judgement::Note(CheckId::RegResponseMalformed)
        );
        let missing = registration(json!(7));
        assert!(matches!(judge(&accepted(CheckId::RegResponseMalformed, missing)), Judgement::Finding(_)));
        let control = json!({"id": "AA", "rawId": "AA", "type": "public-key", "clientExtensionResults": {},
            "response": {"clientDataJSON": wire::base64url::encode(b"{\"type\":\"a\x01\"}"), "attestationObject": "oA"}});
        assert_eq!(
            judge(&accepted(CheckId::RegClientDataNotJson, control)),
            Judgement::Note(CheckId::RegClientDataNotJson)
        );
        let truncated = json!({"id": "AA", "rawId": "AA", "type": "public-key", "clientExtensionResults": {},
            "response": {"clientDataJSON": wire::base64url::encode(b"{\"type\":\"a\""), "attestationObject": "oA"}});
        assert!(matches!(judge(&accepted(CheckId::RegClientDataNotJson, truncated)), Judgement::Finding(_)));
        let utf8 = registration(json!("oA"));
        assert_eq!(
            judge(&accepted(CheckId::RegClientDataNotUtf8, utf8)),
            Judgement::Note(CheckId::RegClientDataNotUtf8)
        );
    }

    #[test]
    fn message_shapes_blank_the_variable_parts() {
        assert_eq!(message_shape("challenge 12345 expired"), "challenge 0 expired");
        assert_eq!(message_shape("bad id dGhpcyBpcyBhIGxvbmcgaWQ"), "bad id ~");
        assert_eq!(message_shape("v2 of 3"), "v0 of 0");
    }
}
