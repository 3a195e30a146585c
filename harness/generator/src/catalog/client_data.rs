//! clientDataJSON: type, challenge, origin, crossOrigin, topOrigin, encoding (§5.8.1; §7.1 steps 5-11,
//! §7.2 steps 8-14; the FIDO server conformance tests Resp-2 of both ceremonies). Every case exists for both
//! ceremonies.

use serde_json::{json, Value};
use wire::base64url;

use super::{
    auth_pre, edit_client_data, reg_pre, remove_member, set_member, Case, CheckId, Expect, Flag, Level, Setup,
};

/// What a client-data mutation may need to know.
pub(super) struct Ctx<'a> {
    pub origin: &'a str,
    pub rp_id: &'a str,
    pub challenge: &'a [u8],
    /// The right type for the ceremony.
    pub type_: &'static str,
}

type Members = Vec<(String, Value)>;

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
fn type_missing(m: &mut Members, _: &Ctx) {
    remove_member(m, "type")
}
fn type_not_string(m: &mut Members, _: &Ctx) {
    set_member(m, "type", json!(1))
}
fn type_empty(m: &mut Members, _: &Ctx) {
    set_member(m, "type", json!(""))
}
fn type_other(m: &mut Members, _: &Ctx) {
    set_member(m, "type", json!("webauthn.other"))
}
fn type_swapped(m: &mut Members, c: &Ctx) {
    set_member(m, "type", json!(other_type(c.type_)))
}
fn challenge_missing(m: &mut Members, _: &Ctx) {
    remove_member(m, "challenge")
}
fn challenge_not_string(m: &mut Members, _: &Ctx) {
    set_member(m, "challenge", json!(["not", "a", "string"]))
}
fn challenge_empty(m: &mut Members, _: &Ctx) {
    set_member(m, "challenge", json!(""))
}
fn challenge_padded(m: &mut Members, c: &Ctx) {
    let mut s = base64url::encode(c.challenge);
    while s.len() % 4 != 0 {
        s.push('=');
    }
    set_member(m, "challenge", json!(s))
}
fn challenge_standard_base64(m: &mut Members, c: &Ctx) {
    set_member(m, "challenge", json!(super::structure::standard_base64_of(c.challenge)))
}
fn challenge_other(m: &mut Members, c: &Ctx) {
    let other: Vec<u8> = c.challenge.iter().map(|b| b ^ 0x5a).collect();
    set_member(m, "challenge", json!(base64url::encode(&other)))
}
fn challenge_truncated(m: &mut Members, c: &Ctx) {
    set_member(m, "challenge", json!(base64url::encode(&c.challenge[..c.challenge.len().saturating_sub(1)])))
}
fn challenge_of_hex(m: &mut Members, c: &Ctx) {
    let hex: String = c.challenge.iter().map(|b| format!("{b:02x}")).collect();
    set_member(m, "challenge", json!(hex))
}
fn origin_missing(m: &mut Members, _: &Ctx) {
    remove_member(m, "origin")
}
fn origin_not_string(m: &mut Members, _: &Ctx) {
    set_member(m, "origin", json!({"origin": "https://example.org"}))
}
fn origin_empty(m: &mut Members, _: &Ctx) {
    set_member(m, "origin", json!(""))
}
fn origin_other_site(m: &mut Members, _: &Ctx) {
    set_member(m, "origin", json!("https://evil.example.com"))
}
fn origin_other_scheme(m: &mut Members, c: &Ctx) {
    // http for an https RP, https for an http one: the same host and port under the other scheme.
    let other = if c.origin.starts_with("https://") { "http" } else { "https" };
    set_member(m, "origin", json!(format!("{other}://{}", host(c.origin))))
}
/// The scheme of the RP's origin (`https` or `http`), so that a mutation changes only what it names.
fn scheme(origin: &str) -> &str {
    origin.split_once("://").map(|(s, _)| s).unwrap_or("https")
}
fn origin_other_port(m: &mut Members, c: &Ctx) {
    // Another port than the origin's (whose absence means 443 or 80), under the same scheme.
    let h = host(c.origin);
    let (name, port) = match h.rsplit_once(':') {
        Some((name, port)) if !h.ends_with(']') => (name, port.parse::<u16>().ok()),
        _ => (h, None),
    };
    let other = if port == Some(8443) { 8444 } else { 8443 };
    set_member(m, "origin", json!(format!("{}://{name}:{other}", scheme(c.origin))))
}
fn origin_subdomain(m: &mut Members, c: &Ctx) {
    // A subdomain of the RP ID under the origin's scheme and port.
    let h = host(c.origin);
    let port =
        h.rsplit_once(':').filter(|_| !h.ends_with(']')).map(|(_, p)| format!(":{p}")).unwrap_or_default();
    set_member(m, "origin", json!(format!("{}://evil.{}{port}", scheme(c.origin), c.rp_id)))
}
fn origin_suffix_lookalike(m: &mut Members, c: &Ctx) {
    set_member(m, "origin", json!(format!("{}.evil.example", c.origin)))
}
fn origin_trailing_slash(m: &mut Members, c: &Ctx) {
    set_member(m, "origin", json!(format!("{}/", c.origin)))
}
fn origin_with_path(m: &mut Members, c: &Ctx) {
    set_member(m, "origin", json!(format!("{}/login", c.origin)))
}
fn origin_null(m: &mut Members, _: &Ctx) {
    set_member(m, "origin", json!("null"))
}
fn origin_uppercase(m: &mut Members, c: &Ctx) {
    set_member(m, "origin", json!(c.origin.to_uppercase()))
}
fn cross_origin_true(m: &mut Members, _: &Ctx) {
    set_member(m, "crossOrigin", json!(true))
}
fn cross_origin_not_bool(m: &mut Members, _: &Ctx) {
    set_member(m, "crossOrigin", json!("true"))
}
fn top_origin_present(m: &mut Members, _: &Ctx) {
    set_member(m, "topOrigin", json!("https://evil.example.com"))
}
fn top_origin_with_cross_origin(m: &mut Members, _: &Ctx) {
    set_member(m, "crossOrigin", json!(true));
    set_member(m, "topOrigin", json!("https://evil.example.com"))
}
fn extra_member(m: &mut Members, _: &Ctx) {
    set_member(m, "other_keys_can_be_added_here", json!("do not compare clientDataJSON against a template"))
}
fn cross_origin_absent(m: &mut Members, _: &Ctx) {
    remove_member(m, "crossOrigin")
}
fn conformance_tool_order(m: &mut Members, _: &Ctx) {
    // {origin, challenge, type}: the FIDO conformance tool's order, not the browser's.
    m.sort_by_key(|(n, _)| match n.as_str() {
        "origin" => 0,
        "challenge" => 1,
        "type" => 2,
        _ => 3,
    });
    remove_member(m, "crossOrigin");
}
fn token_binding_present(m: &mut Members, _: &Ctx) {
    set_member(m, "tokenBinding", json!({"status": "present", "id": "AAAA"}))
}

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

macro_rules! both {
    ($v:ident, $slug:literal, ($rs:literal, $as:literal), $check:tt, $level:ident, $expect:ident, [$($flag:ident),*],
     $fido:expr, $title:literal, $why:literal, members $f:path) => {
        let (rf, af): (Option<&'static str>, Option<&'static str>) = $fido;
        $v.push(Case {
            id: concat!("reg.client-data.", $slug), spec: concat!("§7.1 step ", $rs), level: Level::$level,
            expect: Expect::$expect, title: $title, rationale: $why, flags: &[$(Flag::$flag),*],
            check: both!(@check reg $check), fido: rf, setup: Setup::DEFAULT,
            plan: reg_pre(|p| {
                let rp_id = p.options.rp(p.cfg).id;
                let c = Ctx { origin: &p.cfg.origin, rp_id: &rp_id, challenge: &p.options.challenge, type_: "webauthn.create" };
                edit_client_data(&mut p.draft.client_data_json, |m| $f(m, &c));
            }),
        });
        $v.push(Case {
            id: concat!("auth.client-data.", $slug), spec: concat!("§7.2 step ", $as), level: Level::$level,
            expect: Expect::$expect, title: $title, rationale: $why, flags: &[$(Flag::$flag),*],
            check: both!(@check auth $check), fido: af, setup: Setup::DEFAULT,
            plan: auth_pre(|p| {
                let rp_id = p.options.rp(p.cfg).id;
                let c = Ctx { origin: &p.cfg.origin, rp_id: &rp_id, challenge: &p.options.challenge, type_: "webauthn.get" };
                edit_client_data(&mut p.draft.client_data_json, |m| $f(m, &c));
            }),
        });
    };
    ($v:ident, $slug:literal, ($rs:literal, $as:literal), $check:tt, $level:ident, $expect:ident, [$($flag:ident),*],
     $fido:expr, $title:literal, $why:literal, bytes $f:path) => {
        let (rf, af): (Option<&'static str>, Option<&'static str>) = $fido;
        $v.push(Case {
            id: concat!("reg.client-data.", $slug), spec: concat!("§7.1 step ", $rs), level: Level::$level,
            expect: Expect::$expect, title: $title, rationale: $why, flags: &[$(Flag::$flag),*],
            check: both!(@check reg $check), fido: rf, setup: Setup::DEFAULT,
            plan: reg_pre(|p| $f(&mut p.draft.client_data_json)),
        });
        $v.push(Case {
            id: concat!("auth.client-data.", $slug), spec: concat!("§7.2 step ", $as), level: Level::$level,
            expect: Expect::$expect, title: $title, rationale: $why, flags: &[$(Flag::$flag),*],
            check: both!(@check auth $check), fido: af, setup: Setup::DEFAULT,
            plan: auth_pre(|p| $f(&mut p.draft.client_data_json)),
        });
    };
    (@check $which:ident ()) => { None };
    (@check reg ($reg:ident, $auth:ident)) => { Some(CheckId::$reg) };
    (@check auth ($reg:ident, $auth:ident)) => { Some(CheckId::$auth) };
}

/// The FIDO conformance test "F-n" of the client-data groups of both ceremonies.
macro_rules! fido {
    ($n:literal) => {
        (
            Some(concat!("Server-ServerAuthenticatorAttestationResponse-Resp-2 ", $n)),
            Some(concat!("Server-ServerAuthenticatorAssertionResponse-Resp-2 ", $n)),
        )
    };
}

pub(super) fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    both!(v, "type.missing", ("7", "10"), (RegClientDataType, AuthClientDataType), Must, Reject, [ClientDataTypeUnchecked], fido!("F-1"),
        "clientData has no type member", "C.type must equal the ceremony's type; a missing type does not", members type_missing);
    both!(v, "type.not-string", ("7", "10"), (RegClientDataType, AuthClientDataType), Must, Reject, [ClientDataTypeUnchecked], fido!("F-2"),
        "clientData.type is a number", "C.type must equal the ceremony's type string", members type_not_string);
    both!(v, "type.empty", ("7", "10"), (RegClientDataType, AuthClientDataType), Must, Reject, [ClientDataTypeUnchecked], fido!("F-3"),
        "clientData.type is the empty string", "C.type must equal the ceremony's type string", members type_empty);
    both!(v, "type.other", ("7", "10"), (RegClientDataType, AuthClientDataType), Must, Reject, [ClientDataTypeUnchecked], fido!("F-4"),
        "clientData.type is \"webauthn.other\"", "C.type must equal the ceremony's type string", members type_other);
    both!(v, "type.swapped", ("7", "10"), (RegClientDataType, AuthClientDataType), Must, Reject, [ClientDataTypeUnchecked], fido!("F-5"),
        "clientData.type is the other ceremony's type", "a signature made for one ceremony must not pass as the other", members type_swapped);
    both!(v, "challenge.missing", ("8", "11"), (RegChallenge, AuthChallenge), Must, Reject, [ChallengeNotBound], fido!("F-6"),
        "clientData has no challenge member", "C.challenge must equal the issued challenge", members challenge_missing);
    both!(v, "challenge.not-string", ("8", "11"), (RegChallenge, AuthChallenge), Must, Reject, [ChallengeNotBound], fido!("F-7"),
        "clientData.challenge is an array", "C.challenge must equal the base64url string of the issued challenge", members challenge_not_string);
    both!(v, "challenge.empty", ("8", "11"), (RegChallenge, AuthChallenge), Must, Reject, [ChallengeNotBound], fido!("F-8"),
        "clientData.challenge is the empty string", "C.challenge must equal the issued challenge", members challenge_empty);
    both!(v, "challenge.padded", ("8", "11"), (RegChallenge, AuthChallenge), Must, Reject, [ChallengeNotBound], fido!("F-9"),
        "clientData.challenge is the issued challenge with '=' padding", "C.challenge must equal the base64url encoding, which has no padding", members challenge_padded);
    both!(v, "challenge.standard-base64", ("8", "11"), (RegChallenge, AuthChallenge), Must, Reject, [ChallengeNotBound], (None, None),
        "clientData.challenge is the issued challenge in standard base64", "C.challenge must equal the base64url encoding of the challenge", members challenge_standard_base64);
    both!(v, "challenge.other", ("8", "11"), (RegChallenge, AuthChallenge), Must, Reject, [ChallengeNotBound], fido!("F-10"),
        "clientData.challenge is another challenge", "only the challenge the RP issued binds the response to this ceremony", members challenge_other);
    both!(v, "challenge.truncated", ("8", "11"), (RegChallenge, AuthChallenge), Must, Reject, [ChallengeNotBound], (None, None),
        "clientData.challenge is the issued challenge less its last byte", "a prefix comparison is not an equality check", members challenge_truncated);
    both!(v, "challenge.hex", ("8", "11"), (RegChallenge, AuthChallenge), Must, Reject, [ChallengeNotBound], (None, None),
        "clientData.challenge is the issued challenge in hex", "C.challenge must equal the base64url encoding of the challenge", members challenge_of_hex);
    both!(v, "origin.missing", ("9", "12"), (RegOrigin, AuthOrigin), Must, Reject, [OriginUnchecked], fido!("F-11"),
        "clientData has no origin member", "C.origin must be an origin the RP expects", members origin_missing);
    both!(v, "origin.not-string", ("9", "12"), (RegOrigin, AuthOrigin), Must, Reject, [OriginUnchecked], fido!("F-12"),
        "clientData.origin is an object", "C.origin must be an origin the RP expects", members origin_not_string);
    both!(v, "origin.empty", ("9", "12"), (RegOrigin, AuthOrigin), Must, Reject, [OriginUnchecked], fido!("F-13"),
        "clientData.origin is the empty string", "C.origin must be an origin the RP expects", members origin_empty);
    both!(v, "origin.other-site", ("9", "12"), (RegOrigin, AuthOrigin), Must, Reject, [OriginUnchecked], fido!("F-14"),
        "clientData.origin is another site", "the RP must not accept unexpected origins (§13.4.9)", members origin_other_site);
    both!(v, "origin.other-scheme", ("9", "12"), (RegOrigin, AuthOrigin), Must, Reject, [OriginUnchecked], (None, None),
        "clientData.origin has the other scheme (http for https, https for http)", "an origin is scheme, host and port; the same host under another scheme is another origin", members origin_other_scheme);
    both!(v, "origin.other-port", ("9", "12"), (RegOrigin, AuthOrigin), Must, Reject, [OriginUnchecked], (None, None),
        "clientData.origin names another port", "an origin is scheme, host and port; another port is another origin", members origin_other_port);
    both!(v, "origin.subdomain", ("9", "12"), (RegOrigin, AuthOrigin), Must, Reject, [OriginUnchecked], (None, None),
        "clientData.origin is a subdomain of the RP ID", "a subdomain is not the expected origin unless the RP chose to allow subdomains (§13.4.9)", members origin_subdomain);
    both!(v, "origin.suffix-lookalike", ("9", "12"), (RegOrigin, AuthOrigin), Must, Reject, [OriginUnchecked], (None, None),
        "clientData.origin starts with the expected origin but is another host", "a prefix match is not an origin match", members origin_suffix_lookalike);
    both!(v, "origin.trailing-slash", ("9", "12"), (RegOrigin, AuthOrigin), Must, Reject, [OriginUnchecked], (None, None),
        "clientData.origin has a trailing slash", "an origin serializes without a path; the string differs from every expected origin", members origin_trailing_slash);
    both!(v, "origin.with-path", ("9", "12"), (RegOrigin, AuthOrigin), Must, Reject, [OriginUnchecked], (None, None),
        "clientData.origin has a path", "an origin has no path; the string differs from every expected origin", members origin_with_path);
    both!(v, "origin.null", ("9", "12"), (RegOrigin, AuthOrigin), Must, Reject, [OriginUnchecked], (None, None),
        "clientData.origin is \"null\" (an opaque origin)", "an opaque origin is never an expected origin", members origin_null);
    both!(v, "origin.uppercase", ("9", "12"), (RegOrigin, AuthOrigin), Must, Reject, [OriginUnchecked], (None, None),
        "clientData.origin is the expected origin in upper case", "browsers serialize origins in lower case; the exact string must match", members origin_uppercase);
    both!(v, "cross-origin.true", ("10", "13"), (RegCrossOrigin, AuthCrossOrigin), Must, Reject, [FramingUnchecked], (None, None),
        "clientData.crossOrigin is true", "the RP does not expect to run in a cross-origin iframe", members cross_origin_true);
    both!(v, "cross-origin.not-boolean", ("10", "13"), (RegCrossOrigin, AuthCrossOrigin), Must, Reject, [FramingUnchecked], (None, None),
        "clientData.crossOrigin is the string \"true\"", "crossOrigin is a boolean; a string is not one the RP can trust as false", members cross_origin_not_bool);
    both!(v, "top-origin.present", ("11", "14"), (RegTopOrigin, AuthTopOrigin), Must, Reject, [FramingUnchecked], (None, None),
        "clientData.topOrigin names another site", "a topOrigin means the RP was framed, which it does not expect", members top_origin_present);
    both!(v, "top-origin.with-cross-origin", ("10", "13"), (RegCrossOrigin, AuthCrossOrigin), Must, Reject, [FramingUnchecked], (None, None),
        "clientData has crossOrigin true and a topOrigin of another site", "the RP does not expect to be framed by that site", members top_origin_with_cross_origin);
    both!(v, "extra-member", ("6", "9"), (), Must, Accept, [Baseline], (None, None),
        "clientData has an additional member", "§5.8.1.3: clients may add members; RPs must not compare clientDataJSON to a template", members extra_member);
    both!(v, "cross-origin.absent", ("10", "13"), (), Must, Accept, [Baseline], (None, None),
        "clientData has no crossOrigin member", "crossOrigin is optional; the step applies only when it is present and true", members cross_origin_absent);
    both!(v, "member-order.conformance-tool", ("6", "9"), (), Policy, Either, [], (None, None),
        "clientData members in the order {origin, challenge, type}, without crossOrigin", "a JSON parser accepts any order; an RP using the §5.8.1.2 limited verification rejects it", members conformance_tool_order);
    both!(v, "token-binding.present", ("6", "9"), (), Policy, Either, [], fido!("F-15"),
        "clientData has a tokenBinding member", "tokenBinding is reserved in Level 3; an RP may ignore it", members token_binding_present);
    both!(v, "encoding.not-utf8", ("5", "8"), (RegClientDataNotUtf8, AuthClientDataNotUtf8), Must, Reject, [ResponseStructureUnchecked], (None, None),
        "clientDataJSON has a byte that is not UTF-8", "JSONtext is the UTF-8 decode of clientDataJSON; invalid UTF-8 is not client data", bytes not_utf8);
    both!(v, "encoding.not-json", ("6", "9"), (RegClientDataNotJson, AuthClientDataNotJson), Must, Reject, [ResponseStructureUnchecked], (None, None),
        "clientDataJSON is truncated JSON", "client data that does not parse cannot be verified", bytes not_json);
    both!(v, "encoding.duplicate-challenge", ("6", "9"), (RegClientDataNotJson, AuthClientDataNotJson), Should, Reject, [ChallengeNotBound], (None, None),
        "clientDataJSON has a second challenge member", "with duplicate members, which value a parser checks is parser-defined; the reference parser rejects duplicates", bytes duplicate_challenge);
    both!(v, "encoding.byte-order-mark", ("5", "8"), (), Should, Accept, [Baseline], (None, None),
        "clientDataJSON starts with a UTF-8 byte order mark", "UTF-8 decode strips a leading BOM (the note under the step)", bytes byte_order_mark);
    // Standard base64 of a challenge differs from the padded case only by a '+' or '/': see the Setup field.
    for c in v.iter_mut().filter(|c| c.id.ends_with(".challenge.standard-base64")) {
        c.setup.std_alphabet_challenge = true;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin_after(f: fn(&mut Members, &Ctx), origin: &str, rp_id: &str) -> String {
        let mut m: Members = vec![("origin".into(), json!(origin))];
        f(&mut m, &Ctx { origin, rp_id, challenge: b"c", type_: "webauthn.get" });
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
    }
}
