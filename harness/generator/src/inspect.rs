//! What the options an RP issued say about it: pure functions from options (as JSON, as the RP sent them) to
//! a [`Finding`] — whether they meet one requirement of the options cases (`catalog/options.rs`) and, in one
//! line, what was found. The runner fetches the options; nothing here calls the RP.
//!
//! A finding names sizes, counts and members, never the RP's random values (challenges, handles), so a report
//! of the same RP reads the same from run to run.

use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use wire::base64url;

/// Whether options meet a requirement, and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub met: bool,
    pub text: String,
}

impl Finding {
    pub fn met(text: impl Into<String>) -> Finding {
        Finding { met: true, text: text.into() }
    }
    pub fn unmet(text: impl Into<String>) -> Finding {
        Finding { met: false, text: text.into() }
    }
}

/// The least number of bytes §13.5.3 recommends for a challenge.
pub const MIN_CHALLENGE_BYTES: usize = 16;

/// A challenge of at least [`MIN_CHALLENGE_BYTES`].
pub fn challenge_length(challenge: &[u8]) -> Finding {
    let n = challenge.len();
    if n >= MIN_CHALLENGE_BYTES {
        Finding::met(format!("the challenge is {n} bytes"))
    } else {
        Finding::unmet(format!("the challenge is {n} bytes, fewer than {MIN_CHALLENGE_BYTES}"))
    }
}

/// Challenges fetched one after another (`what` says how): all distinct, and no two alike in more than half
/// their bytes (random challenges of 16 bytes or more share a byte position by chance about once in 256; a
/// counter, a clock or a constant prefix shares most of them).
pub fn challenges_fresh(challenges: &[Vec<u8>], what: &str) -> Finding {
    let n = challenges.len();
    for (i, a) in challenges.iter().enumerate() {
        for (j, b) in challenges.iter().enumerate().skip(i + 1) {
            if a == b {
                return Finding::unmet(format!(
                    "of {n} challenges ({what}), the {} and the {} are equal",
                    nth(i),
                    nth(j)
                ));
            }
            let len = a.len().min(b.len());
            let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
            if len > 0 && a.len() == b.len() && same * 2 > len {
                return Finding::unmet(format!(
                    "of {n} challenges ({what}), the {} and the {} agree in {same} of their {len} bytes: a counter, \
                     a clock or a fixed part, not random",
                    nth(i),
                    nth(j)
                ));
            }
        }
    }
    Finding::met(format!("{n} challenges ({what}): distinct and unrelated"))
}

fn nth(i: usize) -> &'static str {
    ["first", "second", "third", "fourth", "fifth", "sixth"].get(i).copied().unwrap_or("next")
}

/// The largest user handle §5.4.3 allows.
pub const MAX_USER_HANDLE_BYTES: usize = 64;

/// A user handle of 1 to 64 bytes.
pub fn user_handle_size(handle: &[u8]) -> Finding {
    match handle.len() {
        0 => Finding::unmet("user.id is empty"),
        n if n > MAX_USER_HANDLE_BYTES => {
            Finding::unmet(format!("user.id is {n} bytes, more than {MAX_USER_HANDLE_BYTES}"))
        }
        n => Finding::met(format!("user.id is {n} bytes")),
    }
}

/// A user handle that holds neither `name` nor `display_name` (ignoring ASCII case), in its bytes or as the
/// text of its base64url, hex or standard base64, nor their unsalted SHA-256.
pub fn user_handle_without_pii(handle: &[u8], name: &str, display_name: &str) -> Finding {
    let lower = handle.to_ascii_lowercase();
    for (what, value) in [("username", name), ("display name", display_name)] {
        if value.is_empty() {
            continue;
        }
        let needle = value.as_bytes().to_ascii_lowercase();
        if contains(&lower, &needle) {
            return Finding::unmet(format!("user.id contains the {what}"));
        }
        let digest = Sha256::digest(value.as_bytes());
        if contains(handle, &digest) {
            return Finding::unmet(format!("user.id contains the unsalted SHA-256 of the {what}"));
        }
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        if contains(&lower, hex.as_bytes()) {
            return Finding::unmet(format!("user.id contains the unsalted SHA-256 of the {what}, in hex"));
        }
        for encoded in [base64url::encode(value.as_bytes()), base64url::encode(&digest)] {
            if encoded.len() >= 8 && contains(handle, encoded.as_bytes()) {
                return Finding::unmet(format!("user.id contains the {what} (or its SHA-256) in base64url"));
            }
        }
    }
    Finding::met(format!("user.id ({} bytes) holds neither the username nor the display name", handle.len()))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether `rp_id` is `host` or a registrable suffix of it (a suffix after a dot, itself holding a dot, so
/// never a bare top-level label; the public suffix list is not consulted).
pub fn rp_id_in_scope(rp_id: Option<&str>, origin: &str) -> Finding {
    let host = origin_host(origin);
    let Some(rp_id) = rp_id else {
        return Finding::met(format!("no RP ID: the client uses the origin's host, {host}"));
    };
    let rp_id_lower = rp_id.to_ascii_lowercase();
    if rp_id_lower == host {
        return Finding::met(format!("the RP ID {rp_id} is the origin's host"));
    }
    if host.ends_with(&format!(".{rp_id_lower}")) && rp_id_lower.contains('.') {
        return Finding::met(format!(
            "the RP ID {rp_id} is a registrable suffix of the origin's host {host}"
        ));
    }
    Finding::unmet(format!(
        "the RP ID {rp_id} is neither the origin's host {host} nor a registrable suffix of it"
    ))
}

/// The host of a serialized origin (`https://login.example.com:8443` → `login.example.com`), lowercased.
pub fn origin_host(origin: &str) -> String {
    let rest = origin.split_once("://").map_or(origin, |(_, r)| r);
    let host_port = rest.split('/').next().unwrap_or(rest);
    let host = if host_port.starts_with('[') {
        host_port.split_inclusive(']').next().unwrap_or(host_port)
    } else {
        host_port.rsplit_once(':').map_or(host_port, |(h, _)| h)
    };
    host.to_ascii_lowercase()
}

/// The registration and authentication options name the same RP ID (each defaulting to the origin's host).
pub fn rp_id_consistent(creation: Option<&str>, request: Option<&str>, origin: &str) -> Finding {
    let host = origin_host(origin);
    let c = creation.map_or_else(|| host.clone(), str::to_ascii_lowercase);
    let r = request.map_or_else(|| host.clone(), str::to_ascii_lowercase);
    if c == r {
        Finding::met(format!("both ceremonies use the RP ID {c}"))
    } else {
        Finding::unmet(format!("the registration options name the RP ID {c}, the assertion options {r}"))
    }
}

/// `pubKeyCredParams` algorithms as the options list them (items without a numeric `alg` are left out).
pub fn algorithms(options: &Json) -> Vec<i64> {
    options
        .get("pubKeyCredParams")
        .and_then(Json::as_array)
        .map(|ps| ps.iter().filter_map(|p| p.get("alg").and_then(Json::as_i64)).collect())
        .unwrap_or_default()
}

/// The three algorithms §5.4 recommends.
pub const RECOMMENDED_ALGORITHMS: [(i64, &str); 3] = [(-8, "EdDSA"), (-7, "ES256"), (-257, "RS256")];

/// `pubKeyCredParams` lists every recommended algorithm.
pub fn recommended_algorithms(algs: &[i64]) -> Finding {
    let missing: Vec<String> = RECOMMENDED_ALGORITHMS
        .iter()
        .filter(|(a, _)| !algs.contains(a))
        .map(|(a, n)| format!("{a} ({n})"))
        .collect();
    if missing.is_empty() {
        Finding::met("pubKeyCredParams lists -8, -7 and -257")
    } else {
        Finding::unmet(format!("pubKeyCredParams {algs:?} leaves out {}", missing.join(", ")))
    }
}

/// The fully-specified identifiers §5.4 does not recommend in `pubKeyCredParams`, with the ones to use.
pub const FULLY_SPECIFIED: [(i64, &str); 4] =
    [(-9, "ESP256, use -7"), (-51, "ESP384, use -35"), (-52, "ESP512, use -36"), (-19, "Ed25519, use -8")];

/// `pubKeyCredParams` lists none of [`FULLY_SPECIFIED`].
pub fn no_fully_specified(algs: &[i64]) -> Finding {
    let listed: Vec<String> =
        FULLY_SPECIFIED.iter().filter(|(a, _)| algs.contains(a)).map(|(a, n)| format!("{a} ({n})")).collect();
    if listed.is_empty() {
        Finding::met("pubKeyCredParams lists no fully-specified identifier")
    } else {
        Finding::unmet(format!("pubKeyCredParams lists {}", listed.join(", ")))
    }
}

/// COSE algorithm identifiers with a registered name that WebAuthn RPs meet (IANA COSE Algorithms).
const KNOWN_ALGORITHMS: &[i64] =
    &[-7, -8, -9, -19, -35, -36, -37, -38, -39, -47, -51, -52, -257, -258, -259, -65535];

/// What `pubKeyCredParams` holds besides the algorithms: duplicates, unknown identifiers, items of another
/// type or without a numeric `alg` (always met: recorded).
pub fn algorithm_list(options: &Json) -> Finding {
    let items = options.get("pubKeyCredParams").and_then(Json::as_array).cloned().unwrap_or_default();
    let algs = algorithms(options);
    let mut notes = Vec::new();
    let mut seen = Vec::new();
    for a in &algs {
        if seen.contains(a) {
            notes.push(format!("{a} listed more than once"));
        }
        seen.push(*a);
    }
    let unknown: Vec<String> =
        algs.iter().filter(|a| !KNOWN_ALGORITHMS.contains(a)).map(i64::to_string).collect();
    if !unknown.is_empty() {
        notes.push(format!("identifiers not in the common COSE set: {}", unknown.join(", ")));
    }
    let other_type =
        items.iter().filter(|p| p.get("type").and_then(Json::as_str) != Some("public-key")).count();
    if other_type > 0 {
        notes.push(format!("{other_type} item(s) whose type is not \"public-key\""));
    }
    let no_alg = items.len() - items.iter().filter(|p| p.get("alg").and_then(Json::as_i64).is_some()).count();
    if no_alg > 0 {
        notes.push(format!("{no_alg} item(s) without a numeric alg"));
    }
    if notes.is_empty() {
        Finding::met(format!("pubKeyCredParams {algs:?}: no duplicates, every identifier known"))
    } else {
        Finding::met(format!("pubKeyCredParams {algs:?}: {}", notes.join("; ")))
    }
}

/// The ids of a credential descriptor list (`excludeCredentials`, `allowCredentials`) that decode.
pub fn descriptor_ids(options: &Json, member: &str) -> Vec<Vec<u8>> {
    options
        .get(member)
        .and_then(Json::as_array)
        .map(|ds| {
            ds.iter()
                .filter_map(|d| d.get("id").and_then(Json::as_str))
                .filter_map(|s| {
                    base64url::decode(s).ok().or_else(|| base64url::decode_lenient(s).ok().map(|l| l.bytes))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `member` lists the credential `id`.
pub fn lists_credential(options: &Json, member: &str, id: &[u8]) -> Finding {
    let ids = descriptor_ids(options, member);
    if ids.iter().any(|i| i == id) {
        Finding::met(format!("{member} lists the account's credential ({} item(s))", ids.len()))
    } else if options.get(member).is_none_or(Json::is_null) {
        Finding::unmet(format!("no {member}"))
    } else {
        Finding::unmet(format!("{member} ({} item(s)) does not list the account's credential", ids.len()))
    }
}

/// The timeout range §15.1 recommends, in milliseconds.
pub const TIMEOUT_RANGE: std::ops::RangeInclusive<u64> = 300_000..=600_000;

/// `timeout` present and within [`TIMEOUT_RANGE`].
pub fn timeout(options: &Json) -> Finding {
    match options.get("timeout") {
        None | Some(Json::Null) => Finding::unmet("no timeout: the client's own default applies"),
        Some(t) => match t.as_u64() {
            Some(ms) if TIMEOUT_RANGE.contains(&ms) => Finding::met(format!("timeout {ms} ms")),
            Some(ms) => Finding::unmet(format!(
                "timeout {ms} ms, outside the recommended {} to {} ms",
                TIMEOUT_RANGE.start(),
                TIMEOUT_RANGE.end()
            )),
            None => Finding::unmet(format!("timeout {t} is not a whole number of milliseconds")),
        },
    }
}

/// The options' member at `pointer` (`/attestation`) is what was asked for: equal, or, for an object, holding
/// every member asked for with the value asked (members the RP adds of its own, such as `residentKey` beside
/// `requireResidentKey` or an extension it always asks for, are allowed and named).
pub fn echoed(options: &Json, pointer: &str, asked: &Json) -> Finding {
    let what = pointer.trim_start_matches('/').replace('/', ".");
    match (options.pointer(pointer), asked.as_object()) {
        (Some(v), _) if v == asked => Finding::met(format!("{what} is {asked}, as asked")),
        (Some(Json::Object(got)), Some(want)) if want.iter().all(|(k, x)| got.get(k) == Some(x)) => {
            let added: Vec<&str> =
                got.keys().filter(|k| !want.contains_key(*k)).map(String::as_str).collect();
            Finding::met(format!("{what} carries {asked} as asked, and adds {}", added.join(", ")))
        }
        (Some(v), _) => Finding::unmet(format!("{what} is {v}, where {asked} was asked for")),
        (None, _) => Finding::unmet(format!("no {what}, where {asked} was asked for")),
    }
}

/// Whether the options carry every extension input of `asked` (a JSON object) with the value asked.
pub fn extensions_carried(options: &Json, asked: &Json) -> bool {
    let Some(asked) = asked.as_object() else { return true };
    asked.iter().all(|(k, v)| options.get("extensions").and_then(|e| e.get(k)) == Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_challenges_are_named() {
        assert!(challenge_length(&[0; 16]).met);
        assert_eq!(challenge_length(&[0; 8]), Finding::unmet("the challenge is 8 bytes, fewer than 16"));
    }

    #[test]
    fn repeated_or_counter_challenges_are_not_fresh() {
        let random = |s: u8| {
            (0..32u8).map(|i| i.wrapping_mul(37).wrapping_add(s.wrapping_mul(101)) ^ s).collect::<Vec<u8>>()
        };
        let fresh = challenges_fresh(&[random(1), random(2), random(3)], "three calls");
        assert!(fresh.met, "{fresh:?}");
        let same = challenges_fresh(&[random(1), random(2), random(1)], "three calls");
        assert!(!same.met && same.text.contains("the first and the third are equal"), "{same:?}");
        let counter = |n: u64| {
            let mut c = vec![7u8; 24];
            c.extend(n.to_be_bytes());
            c
        };
        let counted = challenges_fresh(&[counter(1), counter(2)], "two calls");
        assert!(!counted.met && counted.text.contains("agree in 31 of their 32 bytes"), "{counted:?}");
    }

    #[test]
    fn a_user_handle_made_of_the_username_is_found_in_every_spelling() {
        let name = "alice@example.com";
        assert!(user_handle_without_pii(&[9; 32], name, "Alice").met);
        for handle in [
            name.as_bytes().to_vec(),
            format!("user:{}", name.to_uppercase()).into_bytes(),
            Sha256::digest(name.as_bytes()).to_vec(),
            Sha256::digest(name.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
                .into_bytes(),
            base64url::encode(name.as_bytes()).into_bytes(),
        ] {
            assert!(!user_handle_without_pii(&handle, name, "Alice").met, "{handle:?}");
        }
        assert_eq!(
            user_handle_without_pii(b"id-Alice-1", name, "Alice"),
            Finding::unmet("user.id contains the display name")
        );
        assert!(
            !user_handle_size(&[]).met && !user_handle_size(&[0; 65]).met && user_handle_size(&[0; 64]).met
        );
    }

    #[test]
    fn rp_ids_are_judged_against_the_origins_host() {
        let o = "https://login.example.com:8443";
        assert_eq!(origin_host(o), "login.example.com");
        assert!(rp_id_in_scope(None, o).met);
        assert!(rp_id_in_scope(Some("login.example.com"), o).met);
        assert!(rp_id_in_scope(Some("example.com"), o).met);
        assert!(!rp_id_in_scope(Some("com"), o).met);
        assert!(!rp_id_in_scope(Some("ample.com"), o).met);
        assert!(!rp_id_in_scope(Some("other.example"), o).met);
        assert!(rp_id_consistent(None, Some("login.example.com"), o).met);
        assert!(!rp_id_consistent(Some("example.com"), None, o).met);
        assert_eq!(origin_host("https://[::1]:8443"), "[::1]");
    }

    #[test]
    fn algorithm_lists() {
        let o = json!({"pubKeyCredParams": [{"type":"public-key","alg":-7},{"type":"public-key","alg":-7},
            {"type":"public-key","alg":-257},{"type":"other","alg":-1234},{"type":"public-key"}]});
        assert_eq!(algorithms(&o), vec![-7, -7, -257, -1234]);
        let r = recommended_algorithms(&algorithms(&o));
        assert_eq!(r, Finding::unmet("pubKeyCredParams [-7, -7, -257, -1234] leaves out -8 (EdDSA)"));
        let l = algorithm_list(&o);
        assert!(l.met);
        for note in
            ["-7 listed more than once", "-1234", "1 item(s) whose type", "1 item(s) without a numeric alg"]
        {
            assert!(l.text.contains(note), "{}", l.text);
        }
        assert!(!no_fully_specified(&[-7, -19]).met);
        assert!(no_fully_specified(&[-7, -8]).met);
    }

    #[test]
    fn credential_lists_timeouts_and_echoes() {
        let id = vec![1, 2, 3, 4];
        let o = json!({"excludeCredentials": [{"type":"public-key","id": base64url::encode(&id)}], "allowCredentials": [],
            "timeout": 60000, "attestation": "none", "extensions": {"example.extension": true}});
        assert!(lists_credential(&o, "excludeCredentials", &id).met);
        assert!(!lists_credential(&o, "allowCredentials", &id).met);
        assert_eq!(
            lists_credential(&json!({}), "allowCredentials", &id),
            Finding::unmet("no allowCredentials")
        );
        assert!(!timeout(&o).met);
        assert!(timeout(&json!({"timeout": 300000})).met);
        assert!(!timeout(&json!({})).met);
        assert!(!echoed(&o, "/attestation", &json!("direct")).met);
        assert!(echoed(&o, "/extensions", &json!({"example.extension": true})).met);
        let added =
            json!({"authenticatorSelection": {"requireResidentKey": false, "residentKey": "discouraged"}});
        let f = echoed(&added, "/authenticatorSelection", &json!({"requireResidentKey": false}));
        assert_eq!(f, Finding::met("authenticatorSelection carries {\"requireResidentKey\":false} as asked, and adds residentKey"));
        assert!(!echoed(&added, "/authenticatorSelection", &json!({"requireResidentKey": true})).met);
        assert!(extensions_carried(&o, &json!({"example.extension": true})));
        assert!(!extensions_carried(&o, &json!({"credProps": true})));
    }
}
