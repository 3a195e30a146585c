//! clientDataJSON: type, challenge, origin, crossOrigin, topOrigin, encoding (§5.8.1; §7.1 steps 5-11,
//! §7.2 steps 8-14; the FIDO server conformance tests Resp-2 of both ceremonies). Every case exists for both
//! ceremonies.

use serde_json::json;
use wire::base64url;

use super::{
    remove_member, set_member, Basis, Both, ByCeremony, Case, CheckId, ClientDataMembers, Expect, Expected,
    Flag, Level, Reference, Setup,
};

fn other_type(t: &str) -> &'static str {
    if t == "webauthn.create" {
        "webauthn.get"
    } else {
        "webauthn.create"
    }
}

fn host(origin: &str) -> &str {
    origin.split_once("://").map(|(_, h)| h).unwrap_or(origin)
}

// The mutations, each changing one thing.
fn type_missing(m: &mut ClientDataMembers, _: &Expected) {
    remove_member(m, "type")
}
fn type_not_string(m: &mut ClientDataMembers, _: &Expected) {
    set_member(m, "type", json!(1))
}
fn type_empty(m: &mut ClientDataMembers, _: &Expected) {
    set_member(m, "type", json!(""))
}
fn type_other(m: &mut ClientDataMembers, _: &Expected) {
    set_member(m, "type", json!("webauthn.other"))
}
fn type_swapped(m: &mut ClientDataMembers, c: &Expected) {
    set_member(m, "type", json!(other_type(c.type_)))
}
fn challenge_missing(m: &mut ClientDataMembers, _: &Expected) {
    remove_member(m, "challenge")
}
fn challenge_not_string(m: &mut ClientDataMembers, _: &Expected) {
    set_member(m, "challenge", json!(["not", "a", "string"]))
}
fn challenge_empty(m: &mut ClientDataMembers, _: &Expected) {
    set_member(m, "challenge", json!(""))
}
fn challenge_padded(m: &mut ClientDataMembers, c: &Expected) {
    let mut s = base64url::encode(c.challenge);
    while s.len() % 4 != 0 {
        s.push('=');
    }
    set_member(m, "challenge", json!(s))
}
fn challenge_standard_base64(m: &mut ClientDataMembers, c: &Expected) {
    set_member(m, "challenge", json!(super::structure::standard_base64_of(c.challenge)))
}
fn challenge_other(m: &mut ClientDataMembers, c: &Expected) {
    let other: Vec<u8> = c.challenge.iter().map(|b| b ^ 0x5a).collect();
    set_member(m, "challenge", json!(base64url::encode(&other)))
}
fn challenge_truncated(m: &mut ClientDataMembers, c: &Expected) {
    set_member(m, "challenge", json!(base64url::encode(&c.challenge[..c.challenge.len().saturating_sub(1)])))
}
fn challenge_of_hex(m: &mut ClientDataMembers, c: &Expected) {
    let hex: String = c.challenge.iter().map(|b| format!("{b:02x}")).collect();
    set_member(m, "challenge", json!(hex))
}
fn origin_missing(m: &mut ClientDataMembers, _: &Expected) {
    remove_member(m, "origin")
}
fn origin_not_string(m: &mut ClientDataMembers, _: &Expected) {
    set_member(m, "origin", json!({"origin": "https://example.org"}))
}
fn origin_empty(m: &mut ClientDataMembers, _: &Expected) {
    set_member(m, "origin", json!(""))
}
fn origin_other_site(m: &mut ClientDataMembers, _: &Expected) {
    set_member(m, "origin", json!("https://evil.example.com"))
}
fn origin_other_scheme(m: &mut ClientDataMembers, c: &Expected) {
    // http for an https RP, https for an http one: the same host and port under the other scheme.
    let other = if c.origin.starts_with("https://") { "http" } else { "https" };
    set_member(m, "origin", json!(format!("{other}://{}", host(c.origin))))
}
/// The scheme of the RP's origin (`https` or `http`), so that a mutation changes only what it names.
fn scheme(origin: &str) -> &str {
    origin.split_once("://").map(|(s, _)| s).unwrap_or("https")
}
fn origin_other_port(m: &mut ClientDataMembers, c: &Expected) {
    // Another port than the origin's (whose absence means 443 or 80), under the same scheme.
    let h = host(c.origin);
    let (name, port) = match h.rsplit_once(':') {
        Some((name, port)) if !h.ends_with(']') => (name, port.parse::<u16>().ok()),
        _ => (h, None),
    };
    let other = if port == Some(8443) { 8444 } else { 8443 };
    set_member(m, "origin", json!(format!("{}://{name}:{other}", scheme(c.origin))))
}
fn origin_subdomain(m: &mut ClientDataMembers, c: &Expected) {
    // A subdomain of the RP ID under the origin's scheme and port.
    let h = host(c.origin);
    let port =
        h.rsplit_once(':').filter(|_| !h.ends_with(']')).map(|(_, p)| format!(":{p}")).unwrap_or_default();
    set_member(m, "origin", json!(format!("{}://evil.{}{port}", scheme(c.origin), c.rp_id)))
}
fn origin_suffix_lookalike(m: &mut ClientDataMembers, c: &Expected) {
    set_member(m, "origin", json!(format!("{}.evil.example", c.origin)))
}
fn origin_no_dot_lookalike(m: &mut ClientDataMembers, c: &Expected) {
    // "evil" glued to the RP ID, under the origin's scheme and port.
    let h = host(c.origin);
    let port =
        h.rsplit_once(':').filter(|_| !h.ends_with(']')).map(|(_, p)| format!(":{p}")).unwrap_or_default();
    set_member(m, "origin", json!(format!("{}://evil{}{port}", scheme(c.origin), c.rp_id)))
}
fn origin_trailing_slash(m: &mut ClientDataMembers, c: &Expected) {
    set_member(m, "origin", json!(format!("{}/", c.origin)))
}
fn origin_with_path(m: &mut ClientDataMembers, c: &Expected) {
    set_member(m, "origin", json!(format!("{}/login", c.origin)))
}
fn origin_null(m: &mut ClientDataMembers, _: &Expected) {
    set_member(m, "origin", json!("null"))
}
fn origin_uppercase(m: &mut ClientDataMembers, c: &Expected) {
    set_member(m, "origin", json!(c.origin.to_uppercase()))
}
fn cross_origin_true(m: &mut ClientDataMembers, _: &Expected) {
    set_member(m, "crossOrigin", json!(true))
}
fn cross_origin_not_bool(m: &mut ClientDataMembers, _: &Expected) {
    set_member(m, "crossOrigin", json!("true"))
}
fn top_origin_present(m: &mut ClientDataMembers, _: &Expected) {
    set_member(m, "topOrigin", json!("https://evil.example.com"))
}
fn top_origin_with_cross_origin(m: &mut ClientDataMembers, _: &Expected) {
    set_member(m, "crossOrigin", json!(true));
    set_member(m, "topOrigin", json!("https://evil.example.com"))
}
fn extra_member(m: &mut ClientDataMembers, _: &Expected) {
    set_member(m, "other_keys_can_be_added_here", json!("do not compare clientDataJSON against a template"))
}
fn cross_origin_absent(m: &mut ClientDataMembers, _: &Expected) {
    remove_member(m, "crossOrigin")
}
fn conformance_tool_order(m: &mut ClientDataMembers, _: &Expected) {
    // {origin, challenge, type}: the FIDO conformance tool's order, not the browser's.
    m.sort_by_key(|(n, _)| match n.as_str() {
        "origin" => 0,
        "challenge" => 1,
        "type" => 2,
        _ => 3,
    });
    remove_member(m, "crossOrigin");
}
fn token_binding_present(m: &mut ClientDataMembers, _: &Expected) {
    set_member(m, "tokenBinding", json!({"status": "present", "id": "AAAA"}))
}
fn token_binding_not_object(m: &mut ClientDataMembers, _: &Expected) {
    set_member(m, "tokenBinding", json!("present"))
}
fn token_binding_status_missing(m: &mut ClientDataMembers, _: &Expected) {
    set_member(m, "tokenBinding", json!({}))
}
fn token_binding_status_unknown(m: &mut ClientDataMembers, _: &Expected) {
    set_member(m, "tokenBinding", json!({"status": "bananas"}))
}

/// Level 3 keeps `tokenBinding` only as a reserved name (§5.8.1), and no step of §7.1 or §7.2 reads it.
const TOKEN_BINDING_RESERVED: Basis = Basis::data(
    "§5.8.1",
    "Note: While Token Binding was present in Level 1 and Level 2 of WebAuthn, its use is not expected in Level 3. The tokenBinding field is reserved so that it will not be reused for a different purpose.",
);

/// A tokenBinding of a shape the FIDO tool's Resp-2 F-15..F-17 expect to be rejected; Level 3 lets the RP
/// ignore the member, so the answer is recorded.
const TOKEN_BINDING_MALFORMED: Both = Both {
    spec: ByCeremony { reg: "§7.1 step 6", auth: "§7.2 step 9" },
    level: Level::Policy,
    expect: Expect::Either,
    rationale: "tokenBinding is reserved in Level 3 and no step reads it; an RP may ignore it (the FIDO tool expects a rejection)",
    fido_expect: Some(Expect::Reject),
    basis: ByCeremony::same(Some(Basis::conformance(
        "§5.8.1",
        "The tokenBinding field is reserved so that it will not be reused for a different purpose.",
    ))),
    ..Both::DEFAULTS
};

/// An origin that is not an origin's serialization (a trailing slash, a path, upper case): a client never sends
/// one, since C.origin is "the serialization of callerOrigin" (§5.1.3, §5.1.4.1), and an RP that compares parsed
/// origins rather than strings accepts only the origin it expects: the origin section leaves the method to the
/// RP. A MUST on the client's data, not a step of the RP's procedure.
const ORIGIN_NOT_SERIALIZED: Basis = Basis::data(
    "§5.1.3, §5.1.4.1, §13.5.9",
    "The serialization of callerOrigin. Validation MAY be performed by exact string matching or any other method \
     as needed by the Relying Party.",
);

/// Raw-byte mutations of the whole clientDataJSON.
fn not_utf8(b: &mut Vec<u8>) {
    b.insert(b.len().saturating_sub(2), 0xff);
}
fn not_json(b: &mut Vec<u8>) {
    b.truncate(b.len().saturating_sub(1));
}
fn duplicate_challenge(b: &mut Vec<u8>) {
    // A second "challenge" member after the first; a parser that keeps the last one compares the wrong value.
    if b.last() == Some(&b'}') {
        b.pop();
        b.extend_from_slice(br#","challenge":"AAAA"}"#);
    }
}
fn byte_order_mark(b: &mut Vec<u8>) {
    b.splice(0..0, [0xef, 0xbb, 0xbf]);
}

/// Standard base64 of a challenge differs from the padded case only by a '+' or '/': the runner asks for a
/// challenge that spells one (see [`Setup::std_alphabet_challenge`]).
const STD_ALPHABET_CHALLENGE: Setup = Setup { std_alphabet_challenge: true, ..Setup::DEFAULT };

/// A response whose client data type the RP must refuse.
const TYPE_REJECTED: Both = Both {
    spec: ByCeremony { reg: "§7.1 step 7", auth: "§7.2 step 10" },
    flags: &[Flag::ClientDataTypeUnchecked],
    check: ByCeremony { reg: Some(CheckId::RegClientDataType), auth: Some(CheckId::AuthClientDataType) },
    ..Both::MUST_REJECT
};

/// A response whose challenge the RP must refuse.
const CHALLENGE_REJECTED: Both = Both {
    spec: ByCeremony { reg: "§7.1 step 8", auth: "§7.2 step 11" },
    flags: &[Flag::ChallengeNotBound],
    check: ByCeremony { reg: Some(CheckId::RegChallenge), auth: Some(CheckId::AuthChallenge) },
    ..Both::MUST_REJECT
};

/// The origin section's rule, which steps 9 (§7.1) and 12 (§7.2) refer to for guidance.
const UNEXPECTED_ORIGIN: Basis = Basis::procedure(
    "§13.5.9",
    "The Relying Party MUST NOT accept unexpected values of origin, as doing so could allow a malicious website to obtain valid credentials.",
);

/// An expected origin, and the hash of the RP ID (whatever the origin's host): the two steps a ceremony from a
/// subdomain of the RP ID passes.
const ORIGIN_AND_RP_ID_HASH: &str =
    "Verify that the value of C.origin is an origin expected by the Relying Party. \
     Verify that the rpIdHash in authData is the SHA-256 hash of the RP ID expected by the Relying Party.";

/// A response whose origin the RP must refuse.
const ORIGIN_REJECTED: Both = Both {
    spec: ByCeremony { reg: "§7.1 step 9, §13.5.9", auth: "§7.2 step 12, §13.5.9" },
    flags: &[Flag::OriginUnchecked],
    check: ByCeremony { reg: Some(CheckId::RegOrigin), auth: Some(CheckId::AuthOrigin) },
    basis: ByCeremony::same(Some(UNEXPECTED_ORIGIN)),
    ..Both::MUST_REJECT
};

/// Parsing clientDataJSON: a JSON parser is recommended, and it must tolerate unknown and reordered members;
/// the §5.8.1.2 limited verification, allowed where a full parser is too large, compares a fixed prefix.
const JSON_PARSING: &str = "Note: The CollectedClientData may be extended in the future. Therefore it's critical when parsing to be tolerant of unknown keys and of any reordering of the keys. While verifiers are recommended to perform standard JSON parsing, they may use the [more limited algorithm](#clientdatajson-verification) below in contexts where a full JSON parser is too large.";

pub(super) fn cases() -> Vec<Case> {
    [
        Both {
            id: ByCeremony { reg: "reg.client-data.type.missing", auth: "auth.client-data.type.missing" },
            title: "clientData has no type member",
            rationale: "C.type must equal the ceremony's type; a missing type does not",
            fido: ByCeremony {
                reg: Some("Server-ServerAuthenticatorAttestationResponse-Resp-2 F-1"),
                auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-2 F-1"),
            },
            mutation: |c| c.edit_members(type_missing),
            ..TYPE_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.type.not-string", auth: "auth.client-data.type.not-string" },
            title: "clientData.type is a number",
            rationale: "C.type must equal the ceremony's type string",
            fido: ByCeremony {
                reg: Some("Server-ServerAuthenticatorAttestationResponse-Resp-2 F-2"),
                auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-2 F-2"),
            },
            mutation: |c| c.edit_members(type_not_string),
            ..TYPE_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.type.empty", auth: "auth.client-data.type.empty" },
            title: "clientData.type is the empty string",
            rationale: "C.type must equal the ceremony's type string",
            fido: ByCeremony {
                reg: Some("Server-ServerAuthenticatorAttestationResponse-Resp-2 F-3"),
                auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-2 F-3"),
            },
            mutation: |c| c.edit_members(type_empty),
            ..TYPE_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.type.other", auth: "auth.client-data.type.other" },
            title: "clientData.type is \"webauthn.other\"",
            rationale: "C.type must equal the ceremony's type string",
            fido: ByCeremony {
                reg: Some("Server-ServerAuthenticatorAttestationResponse-Resp-2 F-4"),
                auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-2 F-4"),
            },
            mutation: |c| c.edit_members(type_other),
            ..TYPE_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.type.swapped", auth: "auth.client-data.type.swapped" },
            title: "clientData.type is the other ceremony's type",
            rationale: "a signature made for one ceremony must not pass as the other",
            fido: ByCeremony {
                reg: Some("Server-ServerAuthenticatorAttestationResponse-Resp-2 F-5"),
                auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-2 F-5"),
            },
            mutation: |c| c.edit_members(type_swapped),
            ..TYPE_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.challenge.missing", auth: "auth.client-data.challenge.missing" },
            title: "clientData has no challenge member",
            rationale: "C.challenge must equal the issued challenge",
            fido: ByCeremony {
                reg: Some("Server-ServerAuthenticatorAttestationResponse-Resp-2 F-6"),
                auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-2 F-6"),
            },
            mutation: |c| c.edit_members(challenge_missing),
            ..CHALLENGE_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.challenge.not-string", auth: "auth.client-data.challenge.not-string" },
            title: "clientData.challenge is an array",
            rationale: "C.challenge must equal the base64url string of the issued challenge",
            fido: ByCeremony {
                reg: Some("Server-ServerAuthenticatorAttestationResponse-Resp-2 F-7"),
                auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-2 F-7"),
            },
            mutation: |c| c.edit_members(challenge_not_string),
            ..CHALLENGE_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.challenge.empty", auth: "auth.client-data.challenge.empty" },
            title: "clientData.challenge is the empty string",
            rationale: "C.challenge must equal the issued challenge",
            fido: ByCeremony {
                reg: Some("Server-ServerAuthenticatorAttestationResponse-Resp-2 F-8"),
                auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-2 F-8"),
            },
            mutation: |c| c.edit_members(challenge_empty),
            ..CHALLENGE_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.challenge.padded", auth: "auth.client-data.challenge.padded" },
            title: "clientData.challenge is the issued challenge with '=' padding",
            rationale: "C.challenge must equal the base64url encoding, which has no padding",
            fido: ByCeremony {
                reg: Some("Server-ServerAuthenticatorAttestationResponse-Resp-2 F-9"),
                auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-2 F-9"),
            },
            mutation: |c| c.edit_members(challenge_padded),
            ..CHALLENGE_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.challenge.standard-base64", auth: "auth.client-data.challenge.standard-base64" },
            title: "clientData.challenge is the issued challenge in standard base64",
            rationale: "C.challenge must equal the base64url encoding of the challenge",
            setup: ByCeremony::same(STD_ALPHABET_CHALLENGE),
            mutation: |c| c.edit_members(challenge_standard_base64),
            ..CHALLENGE_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.challenge.other", auth: "auth.client-data.challenge.other" },
            title: "clientData.challenge is another challenge",
            rationale: "only the challenge the RP issued binds the response to this ceremony",
            fido: ByCeremony {
                reg: Some("Server-ServerAuthenticatorAttestationResponse-Resp-2 F-10"),
                auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-2 F-10"),
            },
            mutation: |c| c.edit_members(challenge_other),
            ..CHALLENGE_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.challenge.truncated", auth: "auth.client-data.challenge.truncated" },
            title: "clientData.challenge is the issued challenge less its last byte",
            rationale: "a prefix comparison is not an equality check",
            mutation: |c| c.edit_members(challenge_truncated),
            ..CHALLENGE_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.challenge.hex", auth: "auth.client-data.challenge.hex" },
            title: "clientData.challenge is the issued challenge in hex",
            rationale: "C.challenge must equal the base64url encoding of the challenge",
            mutation: |c| c.edit_members(challenge_of_hex),
            ..CHALLENGE_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.origin.missing", auth: "auth.client-data.origin.missing" },
            title: "clientData has no origin member",
            rationale: "C.origin must be an origin the RP expects",
            fido: ByCeremony {
                reg: Some("Server-ServerAuthenticatorAttestationResponse-Resp-2 F-11"),
                auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-2 F-11"),
            },
            mutation: |c| c.edit_members(origin_missing),
            ..ORIGIN_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.origin.not-string", auth: "auth.client-data.origin.not-string" },
            title: "clientData.origin is an object",
            rationale: "C.origin must be an origin the RP expects",
            fido: ByCeremony {
                reg: Some("Server-ServerAuthenticatorAttestationResponse-Resp-2 F-12"),
                auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-2 F-12"),
            },
            mutation: |c| c.edit_members(origin_not_string),
            ..ORIGIN_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.origin.empty", auth: "auth.client-data.origin.empty" },
            title: "clientData.origin is the empty string",
            rationale: "C.origin must be an origin the RP expects",
            fido: ByCeremony {
                reg: Some("Server-ServerAuthenticatorAttestationResponse-Resp-2 F-13"),
                auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-2 F-13"),
            },
            mutation: |c| c.edit_members(origin_empty),
            ..ORIGIN_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.origin.other-site", auth: "auth.client-data.origin.other-site" },
            title: "clientData.origin is another site",
            rationale: "the RP must not accept unexpected origins (§13.5.9)",
            fido: ByCeremony {
                reg: Some("Server-ServerAuthenticatorAttestationResponse-Resp-2 F-14"),
                auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-2 F-14"),
            },
            mutation: |c| c.edit_members(origin_other_site),
            ..ORIGIN_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.origin.other-scheme", auth: "auth.client-data.origin.other-scheme" },
            title: "clientData.origin has the other scheme (http for https, https for http)",
            rationale: "an origin is scheme, host and port; the same host under another scheme is another origin",
            references: &[Reference {
                id: "CVE-2026-30964",
                summary: "web-auth/webauthn-lib before 5.2.4 reduced the allowed origins and the client data origin to their hosts before comparing, so another scheme or port of an allowed host passed",
            }],
            mutation: |c| c.edit_members(origin_other_scheme),
            ..ORIGIN_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.origin.other-port", auth: "auth.client-data.origin.other-port" },
            title: "clientData.origin names another port",
            rationale: "an origin is scheme, host and port; another port is another origin",
            references: &[Reference {
                id: "CVE-2026-30964",
                summary: "web-auth/webauthn-lib before 5.2.4 reduced the allowed origins and the client data origin to their hosts before comparing, so another scheme or port of an allowed host passed",
            }],
            mutation: |c| c.edit_members(origin_other_port),
            ..ORIGIN_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.origin.subdomain", auth: "auth.client-data.origin.subdomain" },
            title: "clientData.origin is a subdomain of the RP ID",
            rationale: "a subdomain is not the expected origin unless the RP chose to allow subdomains (§13.5.9)",
            mutation: |c| c.edit_members(origin_subdomain),
            ..ORIGIN_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.origin.suffix-lookalike", auth: "auth.client-data.origin.suffix-lookalike" },
            title: "clientData.origin starts with the expected origin but is another host",
            rationale: "a prefix match is not an origin match",
            mutation: |c| c.edit_members(origin_suffix_lookalike),
            ..ORIGIN_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.origin.trailing-slash", auth: "auth.client-data.origin.trailing-slash" },
            title: "clientData.origin has a trailing slash",
            rationale: "an origin serializes without a path, so no client sends this; it differs from every expected origin as a string, though not as a parsed origin",
            mutation: |c| c.edit_members(origin_trailing_slash),
            basis: ByCeremony::same(Some(ORIGIN_NOT_SERIALIZED)),
            ..ORIGIN_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.origin.with-path", auth: "auth.client-data.origin.with-path" },
            title: "clientData.origin has a path",
            rationale: "an origin has no path, so no client sends this; it differs from every expected origin as a string, though not as a parsed origin",
            mutation: |c| c.edit_members(origin_with_path),
            basis: ByCeremony::same(Some(ORIGIN_NOT_SERIALIZED)),
            ..ORIGIN_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.origin.null", auth: "auth.client-data.origin.null" },
            title: "clientData.origin is \"null\" (an opaque origin)",
            rationale: "an opaque origin is never an expected origin",
            mutation: |c| c.edit_members(origin_null),
            ..ORIGIN_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.origin.uppercase", auth: "auth.client-data.origin.uppercase" },
            title: "clientData.origin is the expected origin in upper case",
            rationale: "clients serialize origins in lower case; it differs from every expected origin as a string, though not as a parsed origin",
            mutation: |c| c.edit_members(origin_uppercase),
            basis: ByCeremony::same(Some(ORIGIN_NOT_SERIALIZED)),
            ..ORIGIN_REJECTED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.cross-origin.true", auth: "auth.client-data.cross-origin.true" },
            spec: ByCeremony { reg: "§7.1 step 10", auth: "§7.2 step 13" },
            level: Level::Must,
            expect: Expect::Reject,
            title: "clientData.crossOrigin is true",
            rationale: "the RP does not expect to run in a cross-origin iframe",
            flags: &[Flag::FramingUnchecked],
            check: ByCeremony { reg: Some(CheckId::RegCrossOrigin), auth: Some(CheckId::AuthCrossOrigin) },
            mutation: |c| c.edit_members(cross_origin_true),
            ..Both::DEFAULTS
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.cross-origin.not-boolean", auth: "auth.client-data.cross-origin.not-boolean" },
            spec: ByCeremony { reg: "§5.8.1, §7.1 step 10", auth: "§5.8.1, §7.2 step 13" },
            level: Level::Must,
            expect: Expect::Reject,
            title: "clientData.crossOrigin is the string \"true\"",
            rationale: "crossOrigin is a boolean (§5.8.1), so no client sends a string; steps 10 and 13 apply to the boolean true only, and an RP that reads the string as not true takes a possibly framed ceremony for an unframed one",
            flags: &[Flag::FramingUnchecked],
            check: ByCeremony { reg: Some(CheckId::RegCrossOrigin), auth: Some(CheckId::AuthCrossOrigin) },
            basis: ByCeremony::same(Some(Basis::data(
                "§5.8.1",
                "This OPTIONAL member contains the inverse of the sameOriginWithAncestors argument value that was passed into the internal method.",
            ))),
            mutation: |c| c.edit_members(cross_origin_not_bool),
            ..Both::DEFAULTS
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.top-origin.present", auth: "auth.client-data.top-origin.present" },
            spec: ByCeremony { reg: "§7.1 step 11", auth: "§7.2 step 14" },
            level: Level::Must,
            expect: Expect::Reject,
            title: "clientData.topOrigin names another site",
            rationale: "a topOrigin means the RP was framed, which it does not expect",
            flags: &[Flag::FramingUnchecked],
            check: ByCeremony { reg: Some(CheckId::RegTopOrigin), auth: Some(CheckId::AuthTopOrigin) },
            mutation: |c| c.edit_members(top_origin_present),
            ..Both::DEFAULTS
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.top-origin.with-cross-origin", auth: "auth.client-data.top-origin.with-cross-origin" },
            spec: ByCeremony { reg: "§7.1 step 10", auth: "§7.2 step 13" },
            level: Level::Must,
            expect: Expect::Reject,
            title: "clientData has crossOrigin true and a topOrigin of another site",
            rationale: "the RP does not expect to be framed by that site",
            flags: &[Flag::FramingUnchecked],
            check: ByCeremony { reg: Some(CheckId::RegCrossOrigin), auth: Some(CheckId::AuthCrossOrigin) },
            mutation: |c| c.edit_members(top_origin_with_cross_origin),
            ..Both::DEFAULTS
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.extra-member", auth: "auth.client-data.extra-member" },
            spec: ByCeremony { reg: "§7.1 step 6", auth: "§7.2 step 9" },
            level: Level::Must,
            expect: Expect::Accept,
            title: "clientData has an additional member",
            rationale: "§5.8.1: clients may add members and parsers must tolerate unknown keys; RPs must not compare clientDataJSON to a template",
            flags: &[Flag::Baseline],
            basis: ByCeremony {
                reg: Some(Basis::procedure(
                    "§5.8.1, §7.1 step 29",
                    "Note: The CollectedClientData may be extended in the future. Therefore it's critical when parsing to be tolerant of unknown keys and of any reordering of the keys. If all the above steps are successful, store credentialRecord in the user account that was denoted in pkOptions.user and continue the registration ceremony as appropriate.",
                )),
                auth: Some(Basis::procedure(
                    "§5.8.1, §7.2 step 25",
                    "Note: The CollectedClientData may be extended in the future. Therefore it's critical when parsing to be tolerant of unknown keys and of any reordering of the keys. If all the above steps are successful, continue the authentication ceremony as appropriate.",
                )),
            },
            mutation: |c| c.edit_members(extra_member),
            ..Both::DEFAULTS
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.cross-origin.absent", auth: "auth.client-data.cross-origin.absent" },
            spec: ByCeremony { reg: "§7.1 step 10", auth: "§7.2 step 13" },
            level: Level::Must,
            expect: Expect::Accept,
            title: "clientData has no crossOrigin member",
            rationale: "crossOrigin is optional; the step applies only when it is present and true",
            flags: &[Flag::Baseline],
            basis: ByCeremony {
                reg: Some(Basis::procedure(
                    "§7.1 step 10",
                    "If C.crossOrigin is present and set to true, verify that the Relying Party expects that this credential would have been created within an iframe that is not same-origin with its ancestors.",
                )),
                auth: Some(Basis::procedure(
                    "§7.2 step 13",
                    "If C.crossOrigin is present and set to true, verify that the Relying Party expects this credential to be used within an iframe that is not same-origin with its ancestors.",
                )),
            },
            mutation: |c| c.edit_members(cross_origin_absent),
            ..Both::DEFAULTS
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.member-order.conformance-tool", auth: "auth.client-data.member-order.conformance-tool" },
            spec: ByCeremony { reg: "§5.8.1, §7.1 step 6", auth: "§5.8.1, §7.2 step 9" },
            level: Level::Should,
            expect: Expect::Accept,
            title: "clientData members in the order {origin, challenge, type}, without crossOrigin",
            rationale: "the recommended JSON parsing accepts any order (what the FIDO conformance tool sends); only the §5.8.1.2 limited verification, for where a full JSON parser is too large, rejects it",
            flags: &[Flag::Baseline],
            basis: ByCeremony::same(Some(Basis::procedure("§5.8.1", JSON_PARSING))),
            mutation: |c| c.edit_members(conformance_tool_order),
            ..Both::DEFAULTS
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.token-binding.present", auth: "auth.client-data.token-binding.present" },
            spec: ByCeremony { reg: "§7.1 step 6", auth: "§7.2 step 9" },
            level: Level::Policy,
            expect: Expect::Either,
            title: "clientData has a well-formed tokenBinding member with status \"present\"",
            rationale: "tokenBinding is reserved in Level 3 and no step verifies it; an RP may ignore it (no FIDO test sends it)",
            flags: &[],
            basis: ByCeremony::same(Some(TOKEN_BINDING_RESERVED)),
            mutation: |c| c.edit_members(token_binding_present),
            ..Both::DEFAULTS
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.token-binding.not-object", auth: "auth.client-data.token-binding.not-object" },
            title: "clientData's tokenBinding is a string, not an object",
            fido: ByCeremony {
                reg: Some("Server-ServerAuthenticatorAttestationResponse-Resp-2 F-15"),
                auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-2 F-15"),
            },
            mutation: |c| c.edit_members(token_binding_not_object),
            ..TOKEN_BINDING_MALFORMED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.token-binding.status-missing", auth: "auth.client-data.token-binding.status-missing" },
            title: "clientData's tokenBinding is an object without status",
            fido: ByCeremony {
                reg: Some("Server-ServerAuthenticatorAttestationResponse-Resp-2 F-16"),
                auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-2 F-16"),
            },
            mutation: |c| c.edit_members(token_binding_status_missing),
            ..TOKEN_BINDING_MALFORMED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.token-binding.status-unknown", auth: "auth.client-data.token-binding.status-unknown" },
            title: "clientData's tokenBinding.status is \"bananas\", not present/supported/not-supported",
            rationale: "tokenBinding is reserved in Level 3, and clients treat an unknown status as no tokenBinding; an RP may ignore it (the FIDO tool expects a rejection)",
            fido: ByCeremony {
                reg: Some("Server-ServerAuthenticatorAttestationResponse-Resp-2 F-17"),
                auth: Some("Server-ServerAuthenticatorAssertionResponse-Resp-2 F-17"),
            },
            basis: ByCeremony::same(Some(Basis::conformance(
                "§5.8.1",
                "The tokenBinding field is reserved so that it will not be reused for a different purpose. This member SHOULD be a member of TokenBindingStatus but client platforms MUST ignore unknown values, treating an unknown value as if the tokenBinding member does not exist.",
            ))),
            mutation: |c| c.edit_members(token_binding_status_unknown),
            ..TOKEN_BINDING_MALFORMED
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.encoding.not-utf8", auth: "auth.client-data.encoding.not-utf8" },
            spec: ByCeremony { reg: "§7.1 step 5", auth: "§7.2 step 8" },
            level: Level::Must,
            expect: Expect::Reject,
            title: "clientDataJSON has a byte that is not UTF-8",
            rationale: "JSONtext is the UTF-8 decode of clientDataJSON; invalid UTF-8 is not client data",
            flags: &[Flag::ResponseStructureUnchecked],
            check: ByCeremony { reg: Some(CheckId::RegClientDataNotUtf8), auth: Some(CheckId::AuthClientDataNotUtf8) },
            mutation: |c| not_utf8(c.client_data_json),
            ..Both::DEFAULTS
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.encoding.not-json", auth: "auth.client-data.encoding.not-json" },
            spec: ByCeremony { reg: "§7.1 step 6", auth: "§7.2 step 9" },
            level: Level::Must,
            expect: Expect::Reject,
            title: "clientDataJSON is truncated JSON",
            rationale: "client data that does not parse cannot be verified",
            flags: &[Flag::ResponseStructureUnchecked],
            check: ByCeremony { reg: Some(CheckId::RegClientDataNotJson), auth: Some(CheckId::AuthClientDataNotJson) },
            mutation: |c| not_json(c.client_data_json),
            ..Both::DEFAULTS
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.encoding.duplicate-challenge", auth: "auth.client-data.encoding.duplicate-challenge" },
            spec: ByCeremony { reg: "§5.8.1, §7.1 step 6", auth: "§5.8.1, §7.2 step 9" },
            level: Level::Should,
            expect: Expect::Reject,
            title: "clientDataJSON has a second challenge member",
            rationale: "client data is a mapping (§5.8.1), so no client sends a member twice; which value a parser checks is parser-defined, so two readers of the same bytes can disagree (the §5.8.1.2 limited verification passes it)",
            flags: &[Flag::ChallengeNotBound],
            basis: ByCeremony::same(Some(Basis::hardening(
                "§5.8.1",
                "The client data represents the contextual bindings of both the WebAuthn Relying Party and the client. It is a key-value mapping whose keys are strings.",
            ))),
            check: ByCeremony { reg: Some(CheckId::RegClientDataNotJson), auth: Some(CheckId::AuthClientDataNotJson) },
            mutation: |c| duplicate_challenge(c.client_data_json),
            ..Both::DEFAULTS
        },
        Both {
            id: ByCeremony { reg: "reg.client-data.encoding.byte-order-mark", auth: "auth.client-data.encoding.byte-order-mark" },
            spec: ByCeremony { reg: "§7.1 step 5, §5.8.1", auth: "§7.2 step 8, §5.8.1" },
            level: Level::Should,
            expect: Expect::Accept,
            title: "clientDataJSON starts with a UTF-8 byte order mark",
            rationale: "UTF-8 decode strips a leading BOM (the note under the step), so the recommended JSON parsing accepts it; the §5.8.1.2 limited verification compares bytes and does not",
            flags: &[Flag::Baseline],
            basis: ByCeremony {
                reg: Some(Basis::procedure(
                    "§7.1 step 5, §5.8.1",
                    "Let JSONtext be the result of running UTF-8 decode on the value of response.clientDataJSON. Note: Using any implementation of UTF-8 decode is acceptable as long as it yields the same result as that yielded by the UTF-8 decode algorithm. In particular, any leading byte order mark (BOM) must be stripped. While verifiers are recommended to perform standard JSON parsing, they may use the [more limited algorithm](#clientdatajson-verification) below in contexts where a full JSON parser is too large.",
                )),
                auth: Some(Basis::procedure(
                    "§7.2 step 8, §5.8.1",
                    "Let JSONtext be the result of running UTF-8 decode on the value of cData. Note: Using any implementation of UTF-8 decode is acceptable as long as it yields the same result as that yielded by the UTF-8 decode algorithm. In particular, any leading byte order mark (BOM) must be stripped. While verifiers are recommended to perform standard JSON parsing, they may use the [more limited algorithm](#clientdatajson-verification) below in contexts where a full JSON parser is too large.",
                )),
            },
            mutation: |c| byte_order_mark(c.client_data_json),
            ..Both::DEFAULTS
        },
        // issue 20 class 7: a host that ends with the RP ID without a dot boundary.
        Both {
            id: ByCeremony { reg: "reg.client-data.origin.no-dot-lookalike", auth: "auth.client-data.origin.no-dot-lookalike" },
            title: "clientData.origin's host is \"evil\" + the RP ID (e.g. https://evilrp.example for RP ID rp.example)",
            rationale: "a host that merely ends with the RP ID's characters is another site, not the RP ID or a subdomain of it; only suffix matching without a dot boundary accepts it",
            references: &[
                Reference {
                    id: "lbuchs/WebAuthn#122",
                    summary: "lbuchs/WebAuthn's origin check accepts any host ending in the RP ID's characters (a regex anchored only at the end), so evilexample.com passes for example.com",
                },
                Reference {
                    id: "web-auth/webauthn-framework#143",
                    summary: "web-auth/webauthn-framework compared only the last characters of the origin's host with the RP ID, so evilexample.com passed for example.com",
                },
            ],
            mutation: |c| c.edit_members(origin_no_dot_lookalike),
            ..ORIGIN_REJECTED
        },
        // issue 20 class 7: the declared origin on a subdomain of the RP ID, rpIdHash that of the RP ID.
        Both {
            id: ByCeremony { reg: "reg.client-data.origin.declared-subdomain", auth: "auth.client-data.origin.declared-subdomain" },
            spec: ByCeremony { reg: "§7.1 steps 9 and 14", auth: "§7.2 steps 12 and 15" },
            level: Level::Must,
            expect: Expect::Accept,
            title: "a valid ceremony from the declared origin on a subdomain of the RP ID (e.g. https://login.rp.example for RP ID rp.example), rpIdHash the SHA-256 of the RP ID",
            rationale: "the origin is one the RP is declared to expect and rpIdHash is the hash of its RP ID, not of the origin's host: every step holds, so the RP must accept; an RP that hashes the origin's host refuses it",
            flags: &[Flag::Baseline, Flag::RpIdHashFromOrigin],
            references: &[
                Reference {
                    id: "webauthn-open-source/fido2-lib#21",
                    summary: "fido2-lib compared rpIdHash with the hash of the client data origin's host instead of the configured RP ID, so a credential of RP ID example.com failed with an rpIdHash mismatch when used from a subdomain",
                },
                Reference {
                    id: "FIDO-Tools/fido2-library#13",
                    summary: "FIDO-Tools/fido2-library, a fork of fido2-lib, kept the rpIdHash check against the origin rather than the rpId, refusing ceremonies from subdomains",
                },
            ],
            basis: ByCeremony {
                reg: Some(Basis::procedure("§7.1 steps 9 and 14", ORIGIN_AND_RP_ID_HASH)),
                auth: Some(Basis::procedure("§7.2 steps 12 and 15", ORIGIN_AND_RP_ID_HASH)),
            },
            setup: ByCeremony::same(Setup { subdomain_origin: true, ..Setup::DEFAULT }),
            ..Both::DEFAULTS
        },
    ]
    .iter()
    .flat_map(Both::cases)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin_after(f: fn(&mut ClientDataMembers, &Expected), origin: &str, rp_id: &str) -> String {
        let mut m: ClientDataMembers = vec![("origin".into(), json!(origin))];
        f(&mut m, &Expected { origin, rp_id, challenge: b"c", type_: "webauthn.get" });
        m.iter()
            .find(|(k, _)| k == "origin")
            .and_then(|(_, v)| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    #[test]
    fn port_and_subdomain_mutations_change_only_the_port_or_the_host() {
        let port = |o: &str| origin_after(origin_other_port, o, "rp.example");
        assert_eq!(port("https://rp.example"), "https://rp.example:8443");
        assert_eq!(port("https://rp.example:8443"), "https://rp.example:8444");
        assert_eq!(port("http://localhost:8101"), "http://localhost:8443");
        assert_eq!(port("http://[::1]"), "http://[::1]:8443");
        let sub = |o: &str, rp: &str| origin_after(origin_subdomain, o, rp);
        assert_eq!(sub("https://rp.example", "rp.example"), "https://evil.rp.example");
        assert_eq!(sub("http://localhost:8101", "localhost"), "http://evil.localhost:8101");
        let lookalike = |o: &str, rp: &str| origin_after(origin_no_dot_lookalike, o, rp);
        assert_eq!(lookalike("https://rp.example", "rp.example"), "https://evilrp.example");
        assert_eq!(lookalike("http://localhost:8101", "localhost"), "http://evillocalhost:8101");
    }
}
