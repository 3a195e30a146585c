//! Every §7.1 check, one module each, named after its [`CheckId`]: a registration that is valid except for
//! exactly one thing is rejected by exactly that check. For SHOULD and POLICY checks the relaxed policy is
//! tested too: the same ceremony is accepted, with the check as a warning where the policy has a warning mode.
//!
//! The attestation-format checks of `packed` and `fido-u2f` (`checks_support::SKIPPED`) are tested with
//! those formats. Registrations here use `none` attestation.

mod checks_support;
mod common;

use checks_support::*;
use common::*;
use serde_json::json;
use verifier::{Ceremony, CheckId};
use wire::authdata::Flags;
use wire::base64url;
use wire::cbor::{self, Value};
use wire::client_data::CollectedClientData;
use wire::cose::{alg, label, CoseKey, EcCurve, OkpCurve};

/// The §7.1 checks this file tests; the meta-test below keeps it complete and honest.
const COVERED: &[CheckId] = &[
    CheckId::RegResponseMalformed,
    CheckId::RegClientDataNotUtf8,
    CheckId::RegClientDataNotJson,
    CheckId::RegClientDataType,
    CheckId::RegChallenge,
    CheckId::RegOrigin,
    CheckId::RegCrossOrigin,
    CheckId::RegTopOrigin,
    CheckId::RegAttestationObjectMalformed,
    CheckId::RegAuthDataMalformed,
    CheckId::RegNonCanonicalCbor,
    CheckId::RegRpIdHash,
    CheckId::RegUserPresent,
    CheckId::RegUserVerified,
    CheckId::RegBackupStateWithoutEligibility,
    CheckId::RegBackupEligibilityPolicy,
    CheckId::RegBackupStatePolicy,
    CheckId::RegAttestedCredentialDataMissing,
    CheckId::RegCredentialPublicKeyMalformed,
    CheckId::RegCredentialPublicKeyInvalid,
    CheckId::RegAlgorithmNotAllowed,
    CheckId::RegAttestationFormatUnsupported,
    CheckId::RegAttestationNoneNotEmpty,
    CheckId::RegAttestationNotAcceptable,
    CheckId::RegCredentialIdTooLong,
    CheckId::RegCredentialIdMismatch,
    CheckId::RegCredentialIdAlreadyRegistered,
];

#[test]
fn every_registration_check_has_a_test_module() {
    assert_covered(include_str!("checks_registration.rs"), Ceremony::Registration, COVERED);
}

#[test]
fn baseline_is_accepted_for_every_algorithm() {
    for alg in Algorithm::ALL {
        let case = RegCase::with(alg, 32);
        let out = case.run().unwrap_or_else(|r| panic!("{alg:?}: {r}"));
        assert_accepted_with(&out.warnings, &[]);
        assert_eq!(out.fmt, "none");
        assert_eq!(out.record.id, case.cred.id);
    }
}

/// Runs `json` and asserts rejection by `check`.
#[track_caller]
fn rejects(case: &RegCase, json: &serde_json::Value, check: CheckId) {
    assert_rejected(case.verify(json), check);
}

/// Replaces the credential public key bytes in the attested credential data.
fn set_key_bytes(case: &mut RegCase, bytes: Vec<u8>) {
    case.draft.auth_data.attested_credential_data.as_mut().expect("attested data").credential_public_key =
        bytes;
}

/// The credential's EC2 coordinates.
fn ec2_xy(case: &RegCase) -> (Vec<u8>, Vec<u8>) {
    match case.cred.key.cose_key() {
        CoseKey::Ec2 { x, y, .. } => (x, y),
        other => panic!("not an EC2 key: {other:?}"),
    }
}

fn int(i: i64) -> Value {
    Value::from(i)
}

mod reg_response_malformed {
    use super::*;

    fn mutated(f: impl FnOnce(&mut serde_json::Value)) {
        let case = RegCase::new();
        let mut json = case.json();
        f(&mut json);
        rejects(&case, &json, CheckId::RegResponseMalformed);
    }

    #[test]
    fn not_an_object() {
        let case = RegCase::new();
        rejects(&case, &json!([case.json()]), CheckId::RegResponseMalformed);
    }

    #[test]
    fn id_missing() {
        mutated(|j| {
            object_mut(j, "").remove("id");
        });
    }

    #[test]
    fn id_not_a_string() {
        mutated(|j| j["id"] = json!(7));
    }

    #[test]
    fn id_is_not_base64url_of_raw_id() {
        mutated(|j| j["id"] = json!(base64url::encode(b"another credential")));
    }

    #[test]
    fn id_padded() {
        mutated(|j| j["id"] = json!(format!("{}=", j["id"].as_str().unwrap())));
    }

    #[test]
    fn raw_id_not_base64url() {
        mutated(|j| j["rawId"] = json!("not base64url!"));
    }

    #[test]
    fn type_foo() {
        mutated(|j| j["type"] = json!("foo"));
    }

    #[test]
    fn type_missing() {
        mutated(|j| {
            object_mut(j, "").remove("type");
        });
    }

    #[test]
    fn response_missing() {
        mutated(|j| {
            object_mut(j, "").remove("response");
        });
    }

    #[test]
    fn response_not_an_object() {
        mutated(|j| j["response"] = json!("response"));
    }

    #[test]
    fn client_data_json_not_base64url() {
        mutated(|j| {
            let standard =
                j["response"]["clientDataJSON"].as_str().unwrap().replace('-', "+").replace('_', "/");
            j["response"]["clientDataJSON"] = json!(format!("{standard}="));
        });
    }

    #[test]
    fn client_data_json_missing() {
        mutated(|j| {
            object_mut(j, "response").remove("clientDataJSON");
        });
    }

    #[test]
    fn attestation_object_not_a_string() {
        mutated(|j| j["response"]["attestationObject"] = json!([1, 2, 3]));
    }

    #[test]
    fn attestation_object_missing() {
        mutated(|j| {
            object_mut(j, "response").remove("attestationObject");
        });
    }

    #[test]
    fn transports_not_an_array() {
        mutated(|j| j["response"]["transports"] = json!("internal"));
    }

    #[test]
    fn transports_with_a_number() {
        mutated(|j| j["response"]["transports"] = json!(["internal", 1]));
    }

    #[test]
    fn raw_id_may_be_absent_then_id_stands_for_it() {
        let case = RegCase::new();
        let mut json = case.json();
        object_mut(&mut json, "").remove("rawId");
        assert_accepted_with(&case.verify(&json).expect("accepted").warnings, &[]);
    }
}

mod reg_client_data_not_utf8 {
    use super::*;

    /// The valid client data with one more member whose string value is `raw` (not escaped).
    fn with_raw_member(case: &mut RegCase, raw: &[u8]) {
        let cdj = &mut case.draft.client_data_json;
        assert_eq!(cdj.pop(), Some(b'}'));
        cdj.extend_from_slice(br#","note":""#);
        cdj.extend_from_slice(raw);
        cdj.extend_from_slice(br#""}"#);
    }

    #[test]
    fn invalid_byte() {
        let mut case = RegCase::new();
        with_raw_member(&mut case, &[b'a', 0xff, b'b']);
        assert_rejected(case.run(), CheckId::RegClientDataNotUtf8);
    }

    #[test]
    fn overlong_encoding() {
        let mut case = RegCase::new();
        with_raw_member(&mut case, &[0xc0, 0xaf]);
        assert_rejected(case.run(), CheckId::RegClientDataNotUtf8);
    }

    #[test]
    fn encoded_surrogate() {
        let mut case = RegCase::new();
        with_raw_member(&mut case, &[0xed, 0xa0, 0x80]);
        assert_rejected(case.run(), CheckId::RegClientDataNotUtf8);
    }

    #[test]
    fn truncated_sequence_at_the_end() {
        let mut case = RegCase::new();
        case.draft.client_data_json.extend_from_slice(&[0xe2, 0x82]);
        assert_rejected(case.run(), CheckId::RegClientDataNotUtf8);
    }

    #[test]
    fn valid_multibyte_text_is_accepted() {
        let mut case = RegCase::new();
        with_raw_member(&mut case, "é€😀".as_bytes());
        assert!(case.run().is_ok());
    }

    /// §7.1 step 5 runs "UTF-8 decode", which strips a leading byte order mark.
    #[test]
    fn byte_order_mark_is_accepted() {
        let mut case = RegCase::new();
        let mut cdj = vec![0xef, 0xbb, 0xbf];
        cdj.extend_from_slice(&case.draft.client_data_json);
        case.draft.client_data_json = cdj;
        let out = case.run().expect("a BOM-prefixed clientDataJSON is accepted");
        assert_accepted_with(&out.warnings, &[]);
    }
}

mod reg_client_data_not_json {
    use super::*;

    fn with_client_data(bytes: Vec<u8>) {
        let mut case = RegCase::new();
        case.draft.client_data_json = bytes;
        assert_rejected(case.run(), CheckId::RegClientDataNotJson);
    }

    #[test]
    fn truncated() {
        let mut cdj = RegCase::new().draft.client_data_json;
        cdj.pop();
        with_client_data(cdj);
    }

    #[test]
    fn trailing_data() {
        let mut cdj = RegCase::new().draft.client_data_json;
        cdj.extend_from_slice(b"{}");
        with_client_data(cdj);
    }

    #[test]
    fn duplicate_member_with_the_same_value() {
        let case = RegCase::new();
        let mut c = CollectedClientData::parse(&case.draft.client_data_json).unwrap();
        let origin = c.get("origin").unwrap().clone();
        c.members.push(("origin".to_owned(), origin));
        with_client_data(c.to_json_bytes());
    }

    #[test]
    fn duplicate_type_member() {
        let case = RegCase::new();
        let mut c = CollectedClientData::parse(&case.draft.client_data_json).unwrap();
        c.members.push(("type".to_owned(), json!("webauthn.get")));
        with_client_data(c.to_json_bytes());
    }

    #[test]
    fn duplicate_member_in_a_nested_object() {
        let mut cdj = RegCase::new().draft.client_data_json;
        cdj.pop();
        cdj.extend_from_slice(br#","ext":{"a":1,"a":2}}"#);
        with_client_data(cdj);
    }

    #[test]
    fn an_array() {
        with_client_data(br#"["webauthn.create"]"#.to_vec());
    }

    #[test]
    fn empty() {
        with_client_data(Vec::new());
    }

    #[test]
    fn single_quotes() {
        let cdj = String::from_utf8(RegCase::new().draft.client_data_json).unwrap().replace('"', "'");
        with_client_data(cdj.into_bytes());
    }

    /// UTF-8 decode strips one byte order mark; a second one is not JSON.
    #[test]
    fn two_byte_order_marks() {
        let mut cdj = vec![0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf];
        cdj.extend_from_slice(&RegCase::new().draft.client_data_json);
        with_client_data(cdj);
    }
}

mod reg_client_data_type {
    use super::*;

    #[test]
    fn get_instead_of_create() {
        let mut case = RegCase::new();
        case.draft.client_data_json = client_data("webauthn.get", &case.challenge_b64(), ORIGIN, false, None);
        assert_rejected(case.run(), CheckId::RegClientDataType);
    }

    #[test]
    fn different_case() {
        let mut case = RegCase::new();
        case.draft.client_data_json =
            client_data("Webauthn.Create", &case.challenge_b64(), ORIGIN, false, None);
        assert_rejected(case.run(), CheckId::RegClientDataType);
    }

    #[test]
    fn missing() {
        let mut case = RegCase::new();
        let mut c = CollectedClientData::parse(&case.draft.client_data_json).unwrap();
        c.members.retain(|(k, _)| k != "type");
        case.draft.client_data_json = c.to_json_bytes();
        assert_rejected(case.run(), CheckId::RegClientDataType);
    }

    #[test]
    fn not_a_string() {
        let mut case = RegCase::new();
        let mut c = CollectedClientData::parse(&case.draft.client_data_json).unwrap();
        c.members[0].1 = json!(["webauthn.create"]);
        case.draft.client_data_json = c.to_json_bytes();
        assert_rejected(case.run(), CheckId::RegClientDataType);
    }
}

mod reg_challenge {
    use super::*;

    fn with_challenge_text(case: &mut RegCase, text: &str) {
        case.draft.client_data_json = client_data("webauthn.create", text, ORIGIN, false, None);
    }

    #[test]
    fn another_challenge() {
        let mut case = RegCase::new();
        with_challenge_text(&mut case, &base64url::encode(&[7u8; 32]));
        assert_rejected(case.run(), CheckId::RegChallenge);
    }

    #[test]
    fn padded() {
        let mut case = RegCase::new();
        let padded = format!("{}=", case.challenge_b64());
        with_challenge_text(&mut case, &padded);
        assert_rejected(case.run(), CheckId::RegChallenge);
    }

    /// The same bytes in the standard base64 alphabet (`+` and `/`), padded as standard base64 is.
    #[test]
    fn standard_alphabet() {
        let mut case = RegCase::new();
        case.challenge = vec![0xfb; 32];
        case.expectations.challenge = case.challenge.clone();
        let url = case.challenge_b64();
        assert!(url.contains(['-', '_']));
        let standard = format!("{}=", url.replace('-', "+").replace('_', "/"));
        with_challenge_text(&mut case, &standard);
        assert_rejected(case.run(), CheckId::RegChallenge);
    }

    #[test]
    fn truncated() {
        let mut case = RegCase::new();
        let b64 = case.challenge_b64();
        with_challenge_text(&mut case, &b64[..b64.len() - 1]);
        assert_rejected(case.run(), CheckId::RegChallenge);
    }

    #[test]
    fn empty() {
        let mut case = RegCase::new();
        with_challenge_text(&mut case, "");
        assert_rejected(case.run(), CheckId::RegChallenge);
    }

    #[test]
    fn missing() {
        let mut case = RegCase::new();
        let mut c = CollectedClientData::parse(&case.draft.client_data_json).unwrap();
        c.members.retain(|(k, _)| k != "challenge");
        case.draft.client_data_json = c.to_json_bytes();
        assert_rejected(case.run(), CheckId::RegChallenge);
    }

    #[test]
    fn not_a_string() {
        let mut case = RegCase::new();
        let mut c = CollectedClientData::parse(&case.draft.client_data_json).unwrap();
        c.members[1].1 = json!(case.challenge);
        case.draft.client_data_json = c.to_json_bytes();
        assert_rejected(case.run(), CheckId::RegChallenge);
    }
}

mod reg_origin {
    use super::*;

    #[track_caller]
    fn origin_rejected(origin: &str) {
        let mut case = RegCase::new();
        case.set_origin(origin, false, None);
        assert_rejected(case.run(), CheckId::RegOrigin);
    }

    #[test]
    fn http_scheme() {
        origin_rejected("http://example.org");
    }

    #[test]
    fn explicit_default_port() {
        origin_rejected("https://example.org:443");
    }

    #[test]
    fn other_port() {
        origin_rejected("https://example.org:8443");
    }

    #[test]
    fn trailing_slash() {
        origin_rejected("https://example.org/");
    }

    #[test]
    fn uppercase_host() {
        origin_rejected("https://EXAMPLE.org");
    }

    #[test]
    fn subdomain_without_the_subdomain_rule() {
        origin_rejected("https://login.example.org");
    }

    #[test]
    fn suffix_lookalike() {
        origin_rejected("https://example.org.evil.example");
    }

    #[test]
    fn null_origin() {
        origin_rejected("null");
    }

    #[test]
    fn empty() {
        origin_rejected("");
    }

    #[test]
    fn missing() {
        let mut case = RegCase::new();
        let mut c = CollectedClientData::parse(&case.draft.client_data_json).unwrap();
        c.members.retain(|(k, _)| k != "origin");
        case.draft.client_data_json = c.to_json_bytes();
        assert_rejected(case.run(), CheckId::RegOrigin);
    }

    #[test]
    fn subdomain_accepted_under_the_subdomain_rule() {
        let mut case = RegCase::new();
        case.policy.origins.allow_rp_id_subdomains = true;
        case.set_origin("https://login.example.org", false, None);
        assert_accepted_with(&case.run().expect("accepted").warnings, &[]);
        case.set_origin("http://login.example.org", false, None);
        assert_rejected(case.run(), CheckId::RegOrigin);
    }

    /// The subdomain rule admits hosts that are the RP ID under one or more labels; an empty label (as the
    /// policy's own unit test refuses for `https://.example.org`) or a character no host has is not that.
    #[test]
    fn subdomain_rule_refuses_empty_labels_and_non_host_characters() {
        for origin in [
            "https://..example.org",
            "https://a..example.org",
            "https://.a.example.org",
            "https://a b.example.org",
            "https://a%2e.example.org",
        ] {
            let mut case = RegCase::new();
            case.policy.origins.allow_rp_id_subdomains = true;
            case.set_origin(origin, false, None);
            match case.run() {
                Err(r) => assert_eq!(r.check, CheckId::RegOrigin, "{origin:?}: {r}"),
                Ok(_) => panic!("origin {origin:?} accepted under the subdomain rule"),
            }
        }
    }

    #[test]
    fn second_listed_origin_accepted() {
        let mut case = RegCase::new();
        case.policy.origins.allowed.push("https://app.example.net".to_owned());
        case.set_origin("https://app.example.net", false, None);
        assert!(case.run().is_ok());
    }
}

mod reg_cross_origin {
    use super::*;

    #[test]
    fn true_when_not_expecting_to_be_framed() {
        let mut case = RegCase::new();
        case.set_origin(ORIGIN, true, None);
        assert_rejected(case.run(), CheckId::RegCrossOrigin);
    }

    #[test]
    fn true_accepted_when_framing_is_expected() {
        let mut case = RegCase::new();
        case.policy.framing.allow_cross_origin = true;
        case.set_origin(ORIGIN, true, None);
        assert_accepted_with(&case.run().expect("accepted").warnings, &[]);
    }

    #[test]
    fn not_a_boolean() {
        let mut case = RegCase::new();
        let mut c = CollectedClientData::parse(&case.draft.client_data_json).unwrap();
        c.members[3].1 = json!("false");
        case.draft.client_data_json = c.to_json_bytes();
        assert_rejected(case.run(), CheckId::RegCrossOrigin);
    }
}

mod reg_top_origin {
    use super::*;

    #[test]
    fn present_when_not_expecting_to_be_framed() {
        let mut case = RegCase::new();
        case.set_origin(ORIGIN, false, Some("https://top.example"));
        assert_rejected(case.run(), CheckId::RegTopOrigin);
    }

    #[test]
    fn not_an_expected_top_origin() {
        let mut case = RegCase::new();
        case.policy.framing.allow_cross_origin = true;
        case.policy.framing.allowed_top_origins = vec!["https://top.example".to_owned()];
        case.set_origin(ORIGIN, true, Some("https://evil.example"));
        assert_rejected(case.run(), CheckId::RegTopOrigin);
    }

    #[test]
    fn expected_top_origin_accepted() {
        let mut case = RegCase::new();
        case.policy.framing.allow_cross_origin = true;
        case.policy.framing.allowed_top_origins = vec!["https://top.example".to_owned()];
        case.set_origin(ORIGIN, true, Some("https://top.example"));
        assert_accepted_with(&case.run().expect("accepted").warnings, &[]);
    }

    #[test]
    fn not_a_string() {
        let mut case = RegCase::new();
        let mut c = CollectedClientData::parse(&case.draft.client_data_json).unwrap();
        c.members.push(("topOrigin".to_owned(), json!(null)));
        case.draft.client_data_json = c.to_json_bytes();
        assert_rejected(case.run(), CheckId::RegTopOrigin);
    }
}

mod reg_attestation_object_malformed {
    use super::*;

    fn with_bytes(f: impl FnOnce(&RegCase, Vec<u8>) -> Vec<u8>) {
        let case = RegCase::new();
        let signed = case.sign();
        let bytes = f(&case, signed.attestation_object.to_bytes());
        rejects(&case, &signed.to_json_with(&bytes), CheckId::RegAttestationObjectMalformed);
    }

    /// The attestation object as a map, changed by `f`, canonically encoded.
    fn with_map(f: impl FnOnce(&mut Vec<(Value, Value)>)) {
        with_bytes(|case, _| {
            let Value::Map(mut entries) = case.sign().attestation_object.to_value() else { unreachable!() };
            f(&mut entries);
            cbor::encode_canonical(&Value::Map(entries))
        });
    }

    #[test]
    fn trailing_bytes() {
        with_bytes(|_, mut b| {
            b.push(0x00);
            b
        });
    }

    #[test]
    fn truncated() {
        with_bytes(|_, b| b[..b.len() - 1].to_vec());
    }

    #[test]
    fn empty() {
        with_bytes(|_, _| Vec::new());
    }

    #[test]
    fn not_a_map() {
        with_bytes(|case, _| {
            cbor::encode(&Value::Array(vec![Value::Bytes(case.sign().attestation_object.auth_data)]))
        });
    }

    #[test]
    fn indefinite_length_map() {
        with_bytes(|_, b| {
            let mut out = vec![0xbf];
            out.extend_from_slice(&b[1..]);
            out.push(0xff);
            out
        });
    }

    #[test]
    fn extra_member() {
        let case = RegCase::new();
        let mut signed = case.sign();
        signed.attestation_object.extra.push((Value::from("ext"), Value::from(1)));
        rejects(&case, &signed.to_json(), CheckId::RegAttestationObjectMalformed);
    }

    #[test]
    fn duplicate_fmt() {
        let case = RegCase::new();
        let mut signed = case.sign();
        signed.attestation_object.extra.push((Value::from("fmt"), Value::from("none")));
        rejects(&case, &signed.to_json(), CheckId::RegAttestationObjectMalformed);
    }

    #[test]
    fn fmt_missing() {
        with_map(|m| m.retain(|(k, _)| k.as_text() != Some("fmt")));
    }

    #[test]
    fn att_stmt_missing() {
        with_map(|m| m.retain(|(k, _)| k.as_text() != Some("attStmt")));
    }

    #[test]
    fn auth_data_missing() {
        with_map(|m| m.retain(|(k, _)| k.as_text() != Some("authData")));
    }

    #[test]
    fn fmt_not_text() {
        with_map(|m| m[0].1 = Value::Bytes(b"none".to_vec()));
    }

    #[test]
    fn auth_data_not_bytes() {
        with_map(|m| m[2].1 = Value::Array(vec![]));
    }
}

mod reg_auth_data_malformed {
    use super::*;

    fn with_auth_data(f: impl FnOnce(&mut Vec<u8>)) {
        let case = RegCase::new();
        let mut signed = case.sign();
        f(&mut signed.attestation_object.auth_data);
        assert_rejected(case.verify_signed(&signed), CheckId::RegAuthDataMalformed);
    }

    #[test]
    fn leftover_byte() {
        with_auth_data(|a| a.push(0x00));
    }

    #[test]
    fn leftover_cbor_map_without_ed() {
        with_auth_data(|a| a.push(0xa0));
    }

    #[test]
    fn header_truncated() {
        with_auth_data(|a| a.truncate(36));
    }

    #[test]
    fn credential_id_truncated() {
        with_auth_data(|a| a.truncate(37 + 16 + 2 + 10));
    }

    #[test]
    fn credential_public_key_truncated() {
        with_auth_data(|a| {
            a.pop();
        });
    }

    #[test]
    fn credential_id_length_beyond_the_data() {
        with_auth_data(|a| {
            a[37 + 16] = 0xff;
            a[37 + 16 + 1] = 0xff;
        });
    }

    #[test]
    fn ed_set_without_extensions() {
        let mut case = RegCase::new();
        case.draft.auth_data.flags = Flags(case.draft.auth_data.flags.0 | Flags::ED);
        assert_rejected(case.run(), CheckId::RegAuthDataMalformed);
    }

    #[test]
    fn attested_data_without_at_flag() {
        let mut case = RegCase::new();
        case.draft.auth_data.flags = Flags(Flags::UP);
        assert_rejected(case.run(), CheckId::RegAuthDataMalformed);
    }

    #[test]
    fn extensions_not_a_map() {
        let mut case = RegCase::new();
        case.draft.auth_data.flags = Flags(case.draft.auth_data.flags.0 | Flags::ED);
        case.draft.auth_data.extensions = Some(Value::Array(vec![]));
        assert_rejected(case.run(), CheckId::RegAuthDataMalformed);
    }

    #[test]
    fn extensions_accepted() {
        let mut case = RegCase::new();
        case.draft.auth_data.flags = Flags(case.draft.auth_data.flags.0 | Flags::ED);
        case.draft.auth_data.extensions = Some(Value::Map(vec![(Value::from("credProtect"), int(2))]));
        assert_accepted_with(&case.run().expect("accepted").warnings, &[]);
    }
}

mod reg_non_canonical_cbor {
    use super::*;

    /// Checks `bytes` (the attestation object) with the reference policy (rejected) and with
    /// `enforce_should = false` (accepted with one warning).
    #[track_caller]
    fn rejected_then_warned(case: &mut RegCase, bytes: &[u8]) {
        let json = case.sign().to_json_with(bytes);
        rejects(case, &json, CheckId::RegNonCanonicalCbor);
        case.policy.enforce_should = false;
        let out = case.verify(&json).expect("accepted when SHOULD checks are relaxed");
        assert_accepted_with(&out.warnings, &[CheckId::RegNonCanonicalCbor]);
    }

    #[test]
    fn unsorted_attestation_object_keys() {
        let mut case = RegCase::new();
        let Value::Map(mut entries) = case.sign().attestation_object.to_value() else { unreachable!() };
        entries.rotate_left(2); // authData, fmt, attStmt
        let bytes = cbor::encode(&Value::Map(entries));
        rejected_then_warned(&mut case, &bytes);
    }

    #[test]
    fn non_minimal_map_header() {
        let mut case = RegCase::new();
        let canonical = case.sign().attestation_object.to_bytes();
        assert_eq!(canonical[0], 0xa3);
        let mut bytes = cbor_head(5, 3, 1);
        bytes.extend_from_slice(&canonical[1..]);
        rejected_then_warned(&mut case, &bytes);
    }

    #[test]
    fn non_minimal_auth_data_length() {
        let mut case = RegCase::new();
        let signed = case.sign();
        let mut bytes = vec![0xa3];
        bytes.extend(cbor::encode(&Value::from("fmt")));
        bytes.extend(cbor::encode(&Value::from("none")));
        bytes.extend(cbor::encode(&Value::from("attStmt")));
        bytes.push(0xa0);
        bytes.extend(cbor::encode(&Value::from("authData")));
        let auth_data = &signed.attestation_object.auth_data;
        bytes.extend(cbor_head(2, auth_data.len() as u64, 4));
        bytes.extend_from_slice(auth_data);
        rejected_then_warned(&mut case, &bytes);
    }

    #[test]
    fn non_minimal_integer_in_the_credential_public_key() {
        let mut case = RegCase::new();
        let key = case.cred.key.cose_key().to_bytes();
        // a5 01 02 ...: kty 2 written as 18 02.
        assert_eq!(&key[..3], &[0xa5, 0x01, 0x02]);
        let mut bytes = vec![0xa5, 0x01, 0x18, 0x02];
        bytes.extend_from_slice(&key[3..]);
        set_key_bytes(&mut case, bytes);
        let bytes = case.sign().attestation_object.to_bytes();
        rejected_then_warned(&mut case, &bytes);
    }

    #[test]
    fn unsorted_credential_public_key() {
        let mut case = RegCase::new();
        let Value::Map(mut entries) = case.cred.key.cose_key().to_value() else { unreachable!() };
        entries.reverse();
        set_key_bytes(&mut case, cbor::encode(&Value::Map(entries)));
        let bytes = case.sign().attestation_object.to_bytes();
        rejected_then_warned(&mut case, &bytes);
    }

    #[test]
    fn non_minimal_empty_att_stmt() {
        let mut case = RegCase::new();
        let signed = case.sign();
        let object = signed.attestation_object.clone();
        let mut bytes = vec![0xa3];
        bytes.extend(cbor::encode(&Value::from("fmt")));
        bytes.extend(cbor::encode(&Value::from("none")));
        bytes.extend(cbor::encode(&Value::from("attStmt")));
        bytes.push(0xa0);
        bytes.extend(cbor::encode(&Value::from("authData")));
        bytes.extend(cbor::encode(&Value::Bytes(object.auth_data)));
        // Canonical: accepted without warnings under the reference policy.
        assert_accepted_with(&case.verify(&signed.to_json_with(&bytes)).expect("canonical").warnings, &[]);
        // Now with a 1-byte-wide map header for the empty attStmt.
        let pos = bytes.iter().position(|&b| b == 0xa0).unwrap();
        bytes.splice(pos..=pos, cbor_head(5, 0, 1));
        rejected_then_warned(&mut case, &bytes);
    }
}

mod reg_rp_id_hash {
    use super::*;

    #[test]
    fn another_rp() {
        let mut case = RegCase::new();
        case.draft.auth_data.rp_id_hash =
            generator::Rp::new("evil.example", "https://evil.example").id_hash();
        assert_rejected(case.run(), CheckId::RegRpIdHash);
    }

    #[test]
    fn registrable_suffix_of_the_rp_id() {
        let mut case = RegCase::new();
        case.draft.auth_data.rp_id_hash = generator::Rp::new("org", "https://org").id_hash();
        assert_rejected(case.run(), CheckId::RegRpIdHash);
    }

    #[test]
    fn origin_instead_of_rp_id() {
        let mut case = RegCase::new();
        case.draft.auth_data.rp_id_hash = generator::Rp::new(ORIGIN, ORIGIN).id_hash();
        assert_rejected(case.run(), CheckId::RegRpIdHash);
    }
}

mod reg_user_present {
    use super::*;

    #[test]
    fn up_clear() {
        let mut case = RegCase::new();
        case.draft.auth_data.flags = Flags(Flags::AT);
        assert_rejected(case.run(), CheckId::RegUserPresent);
    }

    #[test]
    fn up_clear_with_uv_set() {
        let mut case = RegCase::new();
        case.draft.auth_data.flags = Flags(Flags::AT | Flags::UV);
        assert_rejected(case.run(), CheckId::RegUserPresent);
    }

    #[test]
    fn up_clear_accepted_under_conditional_mediation() {
        let mut case = RegCase::new();
        case.draft.auth_data.flags = Flags(Flags::AT);
        case.expectations.conditional_mediation = true;
        assert_accepted_with(&case.run().expect("accepted").warnings, &[]);
    }
}

mod reg_user_verified {
    use super::*;

    #[test]
    fn uv_clear_when_required() {
        let mut case = RegCase::new();
        case.expectations.user_verification_required = true;
        assert_rejected(case.run(), CheckId::RegUserVerified);
    }

    #[test]
    fn uv_set_when_required_accepted() {
        let mut case = RegCase::new();
        case.expectations.user_verification_required = true;
        case.draft.auth_data.flags = Flags(case.draft.auth_data.flags.0 | Flags::UV);
        let out = case.run().expect("accepted");
        assert!(out.record.uv_initialized);
    }

    #[test]
    fn uv_clear_when_not_required_accepted() {
        let out = RegCase::new().run().expect("accepted");
        assert!(!out.record.uv_initialized);
    }
}

mod reg_backup_state_without_eligibility {
    use super::*;

    #[test]
    fn bs_without_be() {
        let mut case = RegCase::new();
        case.draft.auth_data.flags = Flags(case.draft.auth_data.flags.0 | Flags::BS);
        assert_rejected(case.run(), CheckId::RegBackupStateWithoutEligibility);
    }

    #[test]
    fn bs_without_be_rejected_under_the_most_relaxed_policy() {
        let mut case = RegCase::new();
        case.policy.enforce_should = false;
        case.draft.auth_data.flags = Flags(case.draft.auth_data.flags.0 | Flags::BS);
        assert_rejected(case.run(), CheckId::RegBackupStateWithoutEligibility);
    }
}

mod reg_backup_eligibility_policy {
    use super::*;

    #[test]
    fn be_when_policy_refuses_backup_eligible() {
        let mut case = RegCase::new();
        case.policy.backup.allow_backup_eligible = false;
        case.draft.auth_data.flags = Flags(case.draft.auth_data.flags.0 | Flags::BE);
        assert_rejected(case.run(), CheckId::RegBackupEligibilityPolicy);
    }

    #[test]
    fn be_accepted_when_policy_allows() {
        let mut case = RegCase::new();
        case.draft.auth_data.flags = Flags(case.draft.auth_data.flags.0 | Flags::BE);
        let out = case.run().expect("accepted");
        assert_accepted_with(&out.warnings, &[]);
        assert!(out.record.backup_eligible);
        assert!(!out.record.backup_state);
    }
}

mod reg_backup_state_policy {
    use super::*;

    #[test]
    fn bs_when_policy_refuses_backed_up() {
        let mut case = RegCase::new();
        case.policy.backup.allow_backed_up = false;
        case.draft.auth_data.flags = Flags(case.draft.auth_data.flags.0 | Flags::BE | Flags::BS);
        assert_rejected(case.run(), CheckId::RegBackupStatePolicy);
    }

    #[test]
    fn bs_accepted_when_policy_allows() {
        let mut case = RegCase::new();
        case.draft.auth_data.flags = Flags(case.draft.auth_data.flags.0 | Flags::BE | Flags::BS);
        let out = case.run().expect("accepted");
        assert_accepted_with(&out.warnings, &[]);
        assert!(out.record.backup_state);
    }
}

mod reg_attested_credential_data_missing {
    use super::*;

    #[test]
    fn at_clear_and_no_attested_data() {
        let mut case = RegCase::new();
        case.draft.auth_data.flags = Flags(Flags::UP);
        case.draft.auth_data.attested_credential_data = None;
        assert_rejected(case.run(), CheckId::RegAttestedCredentialDataMissing);
    }

    #[test]
    fn at_clear_with_extensions_only() {
        let mut case = RegCase::new();
        case.draft.auth_data.flags = Flags(Flags::UP | Flags::ED);
        case.draft.auth_data.attested_credential_data = None;
        case.draft.auth_data.extensions = Some(Value::Map(vec![(Value::from("credProtect"), int(1))]));
        assert_rejected(case.run(), CheckId::RegAttestedCredentialDataMissing);
    }
}

mod reg_credential_public_key_malformed {
    use super::*;

    fn with_key(f: impl FnOnce(&RegCase) -> Value) {
        let mut case = RegCase::new();
        let key = f(&case);
        set_key_bytes(&mut case, cbor::encode_canonical(&key));
        assert_rejected(case.run(), CheckId::RegCredentialPublicKeyMalformed);
    }

    /// The credential's EC2 key as map entries, in canonical order.
    fn entries(case: &RegCase) -> Vec<(Value, Value)> {
        let Value::Map(entries) = case.cred.key.cose_key().to_value() else { unreachable!() };
        entries
    }

    #[test]
    fn without_alg() {
        with_key(|case| {
            let mut e = entries(case);
            e.retain(|(k, _)| k.as_integer() != Some(label::ALG.into()));
            Value::Map(e)
        });
    }

    #[test]
    fn without_kty() {
        with_key(|case| {
            let mut e = entries(case);
            e.retain(|(k, _)| k.as_integer() != Some(label::KTY.into()));
            Value::Map(e)
        });
    }

    #[test]
    fn not_a_map() {
        with_key(|case| Value::Bytes(case.cred.key.cose_key().to_bytes()));
    }

    #[test]
    fn alg_as_text() {
        with_key(|case| {
            let mut e = entries(case);
            e[1].1 = Value::from("ES256");
            Value::Map(e)
        });
    }

    #[test]
    fn short_y_coordinate() {
        with_key(|case| {
            let (x, mut y) = ec2_xy(case);
            y.pop();
            CoseKey::Ec2 { alg: alg::ES256, crv: EcCurve::P256, x, y }.to_value()
        });
    }

    #[test]
    fn compressed_point() {
        with_key(|case| {
            let mut e = entries(case);
            e[4].1 = Value::Bool(true);
            Value::Map(e)
        });
    }

    #[test]
    fn private_key_included() {
        with_key(|case| {
            let mut e = entries(case);
            e.push((int(label::D), Value::Bytes(vec![1; 32])));
            Value::Map(e)
        });
    }

    #[test]
    fn unknown_key_type() {
        with_key(|case| {
            let mut e = entries(case);
            e[0].1 = int(9);
            Value::Map(e)
        });
    }
}

mod reg_credential_public_key_invalid {
    use super::*;

    #[track_caller]
    fn with_key(key: CoseKey, offered: i64) {
        let mut case = RegCase::new();
        case.expectations.pub_key_cred_params = vec![offered];
        set_key_bytes(&mut case, key.to_bytes());
        assert_rejected(case.run(), CheckId::RegCredentialPublicKeyInvalid);
    }

    #[test]
    fn ec2_point_off_the_curve() {
        let case = RegCase::new();
        let (x, mut y) = ec2_xy(&case);
        y[31] ^= 0x01;
        with_key(CoseKey::Ec2 { alg: alg::ES256, crv: EcCurve::P256, x, y }, alg::ES256);
    }

    #[test]
    fn ec2_coordinate_not_a_field_element() {
        let case = RegCase::new();
        let (_, y) = ec2_xy(&case);
        with_key(CoseKey::Ec2 { alg: alg::ES256, crv: EcCurve::P256, x: vec![0xff; 32], y }, alg::ES256);
    }

    /// An EC2 key labelled RS256 (offered, so the alg check passes and the key/alg fit is what fails).
    #[test]
    fn ec2_key_with_alg_rs256() {
        let case = RegCase::new();
        let (x, y) = ec2_xy(&case);
        with_key(CoseKey::Ec2 { alg: alg::RS256, crv: EcCurve::P256, x, y }, alg::RS256);
    }

    #[test]
    fn p256_key_with_alg_es384() {
        let case = RegCase::new();
        let (x, y) = ec2_xy(&case);
        with_key(CoseKey::Ec2 { alg: alg::ES384, crv: EcCurve::P256, x, y }, alg::ES384);
    }

    #[test]
    fn okp_key_with_alg_es256() {
        let cred = credential(Algorithm::EdDsa, 5, 32);
        let CoseKey::Okp { crv, x, .. } = cred.key.cose_key() else { unreachable!() };
        with_key(CoseKey::Okp { alg: alg::ES256, crv, x }, alg::ES256);
    }

    #[test]
    fn ed25519_not_a_point() {
        let x = (0u8..=255)
            .map(|i| {
                let mut x = [0u8; 32];
                x[0] = i;
                x[1] = 0x5a;
                x
            })
            .find(|x| ed25519_dalek::VerifyingKey::from_bytes(x).is_err())
            .expect("some y has no x on the curve");
        with_key(
            CoseKey::Okp { alg: alg::EDDSA, crv: wire::cose::OkpCurve::Ed25519, x: x.to_vec() },
            alg::EDDSA,
        );
    }

    #[test]
    fn rsa_exponent_one() {
        with_key(CoseKey::Rsa { alg: alg::RS256, n: vec![0xc5; 256], e: vec![0x01] }, alg::RS256);
    }

    /// An odd 512-bit modulus with e = 65537: factorable for decades, not a sound RS256 key (§7.1 step 20's
    /// key check: "RSA keys are sound"; the §16 RS256 vector uses 3482 bits).
    #[test]
    fn rsa_modulus_of_512_bits() {
        let mut n = vec![0xc5; 64];
        n[63] |= 0x01;
        with_key(CoseKey::Rsa { alg: alg::RS256, n, e: vec![0x01, 0x00, 0x01] }, alg::RS256);
    }

    #[test]
    fn rsa_modulus_too_large() {
        with_key(
            CoseKey::Rsa { alg: alg::RS256, n: vec![0xc5; 1025], e: vec![0x01, 0x00, 0x01] },
            alg::RS256,
        );
    }

    /// Offered by the RP but not supported by this verifier (Ed448).
    #[test]
    fn unsupported_algorithm() {
        with_key(CoseKey::Okp { alg: alg::ED448, crv: OkpCurve::Ed448, x: vec![1; 57] }, alg::ED448);
    }

    /// A P-521 point off the curve, for ES512.
    #[test]
    fn p521_point_not_on_curve() {
        with_key(
            CoseKey::Ec2 { alg: alg::ES512, crv: EcCurve::P521, x: vec![1; 66], y: vec![2; 66] },
            alg::ES512,
        );
    }

    /// §5.8.5: ES512 keys are on P-521; a sound P-256 key labelled ES512 is refused, and a P-521 key labelled
    /// ES256.
    #[test]
    fn es512_on_another_curve() {
        let p256 = credential(Algorithm::Es256, 5, 32).key.cose_key();
        let CoseKey::Ec2 { x, y, .. } = p256 else { unreachable!() };
        with_key(CoseKey::Ec2 { alg: alg::ES512, crv: EcCurve::P256, x, y }, alg::ES512);
        let p521 = credential(Algorithm::Es512, 5, 32).key.cose_key();
        let CoseKey::Ec2 { x, y, .. } = p521 else { unreachable!() };
        with_key(CoseKey::Ec2 { alg: alg::ES256, crv: EcCurve::P521, x, y }, alg::ES256);
    }

    /// RSA algorithms need an RSA key, and an RSA key does not fit an ECDSA algorithm.
    #[test]
    fn rsa_algorithms_on_other_key_types() {
        for a in [alg::PS256, alg::PS384, alg::PS512, alg::RS384, alg::RS512, alg::RS1] {
            let p256 = credential(Algorithm::Es256, 5, 32).key.cose_key();
            let CoseKey::Ec2 { x, y, crv, .. } = p256 else { unreachable!() };
            with_key(CoseKey::Ec2 { alg: a, crv, x, y }, a);
        }
        let CoseKey::Rsa { n, e, .. } = credential(Algorithm::Ps256, 5, 32).key.cose_key() else {
            unreachable!()
        };
        with_key(CoseKey::Rsa { alg: alg::ES512, n, e }, alg::ES512);
    }
}

mod reg_algorithm_not_allowed {
    use super::*;

    #[test]
    fn es256_key_when_only_eddsa_and_rs256_offered() {
        let mut case = RegCase::new();
        case.expectations.pub_key_cred_params = vec![alg::EDDSA, alg::RS256];
        assert_rejected(case.run(), CheckId::RegAlgorithmNotAllowed);
    }

    #[test]
    fn eddsa_key_when_only_es256_offered() {
        let mut case = RegCase::with(Algorithm::EdDsa, 32);
        case.expectations.pub_key_cred_params = vec![alg::ES256];
        assert_rejected(case.run(), CheckId::RegAlgorithmNotAllowed);
    }

    /// Checked before the key's fit: an EC2 key labelled RS256 when RS256 is not offered.
    #[test]
    fn mislabelled_key_with_an_alg_not_offered() {
        let mut case = RegCase::new();
        let (x, y) = ec2_xy(&case);
        set_key_bytes(&mut case, CoseKey::Ec2 { alg: alg::RS256, crv: EcCurve::P256, x, y }.to_bytes());
        assert_rejected(case.run(), CheckId::RegAlgorithmNotAllowed);
    }

    #[test]
    fn offered_among_others_accepted() {
        let mut case = RegCase::new();
        case.expectations.pub_key_cred_params = vec![alg::EDDSA, alg::ES256, alg::RS256];
        assert!(case.run().is_ok());
    }
}

mod reg_attestation_format_unsupported {
    use super::*;

    #[track_caller]
    fn fmt_rejected(fmt: &str, detail: &str) {
        let case = RegCase::new();
        let mut signed = case.sign();
        signed.attestation_object.fmt = fmt.to_owned();
        match case.verify_signed(&signed) {
            Err(r) => {
                assert_eq!(r.check, CheckId::RegAttestationFormatUnsupported, "{fmt:?}: {r}");
                assert!(r.detail.contains(detail), "{fmt:?}: detail {:?} lacks {detail:?}", r.detail);
            }
            Ok(_) => panic!("fmt {fmt:?} accepted"),
        }
    }

    #[test]
    fn registered_formats_not_implemented() {
        let registered = ["tpm", "android-key", "apple", "android-safetynet", "compound"];
        for fmt in registered.into_iter().filter(|f| !verifier::attestation::IMPLEMENTED_FORMATS.contains(f))
        {
            fmt_rejected(fmt, "not implement");
        }
    }

    #[test]
    fn unknown_formats() {
        for fmt in ["unknown", "", "none ", "x-none"] {
            fmt_rejected(fmt, "not a registered");
        }
    }

    /// §7.1 step 21 matches case-sensitively.
    #[test]
    fn case_variants_of_none() {
        for fmt in ["NONE", "None", "nOne"] {
            fmt_rejected(fmt, "not a registered");
        }
    }

    #[test]
    fn none_not_accepted_by_policy() {
        let mut case = RegCase::new();
        case.policy.attestation.formats = vec!["packed".to_owned(), "fido-u2f".to_owned()];
        match case.run() {
            Err(r) => {
                assert_eq!(r.check, CheckId::RegAttestationFormatUnsupported, "{r}");
                assert!(r.detail.contains("policy"), "{}", r.detail);
            }
            Ok(_) => panic!("accepted"),
        }
    }
}

mod reg_attestation_none_not_empty {
    use super::*;

    #[track_caller]
    fn with_att_stmt(att_stmt: Value) {
        let case = RegCase::new();
        let mut signed = case.sign();
        signed.attestation_object.att_stmt = att_stmt;
        assert_rejected(case.verify_signed(&signed), CheckId::RegAttestationNoneNotEmpty);
    }

    #[test]
    fn one_member() {
        with_att_stmt(Value::Map(vec![(Value::from("alg"), int(alg::ES256))]));
    }

    #[test]
    fn packed_self_statement_under_fmt_none() {
        with_att_stmt(Value::Map(vec![
            (Value::from("alg"), int(alg::ES256)),
            (Value::from("sig"), Value::Bytes(vec![0x30; 70])),
        ]));
    }

    #[test]
    fn an_empty_array() {
        with_att_stmt(Value::Array(vec![]));
    }
}

mod reg_attestation_not_acceptable {
    use super::*;

    #[test]
    fn none_when_policy_refuses_none() {
        let mut case = RegCase::new();
        case.policy.attestation.accept_none = false;
        assert_rejected(case.run(), CheckId::RegAttestationNotAcceptable);
    }

    #[test]
    fn none_refused_even_with_should_checks_relaxed() {
        let mut case = RegCase::new();
        case.policy.attestation.accept_none = false;
        case.policy.enforce_should = false;
        assert_rejected(case.run(), CheckId::RegAttestationNotAcceptable);
    }

    #[test]
    fn none_accepted_when_policy_accepts_none() {
        let case = RegCase::new();
        assert!(case.policy.attestation.accept_none);
        let out = case.run().expect("accepted");
        assert_eq!(out.attestation, verifier::attestation::AttestationType::None);
        assert_accepted_with(&out.warnings, &[]);
    }
}

mod reg_credential_id_too_long {
    use super::*;

    #[test]
    fn id_of_1024_bytes() {
        assert_rejected(RegCase::with(Algorithm::Es256, 1024).run(), CheckId::RegCredentialIdTooLong);
    }

    #[test]
    fn id_of_1024_bytes_warned_when_should_checks_relaxed() {
        let mut case = RegCase::with(Algorithm::Es256, 1024);
        case.policy.enforce_should = false;
        let out = case.run().expect("accepted");
        assert_accepted_with(&out.warnings, &[CheckId::RegCredentialIdTooLong]);
        assert_eq!(out.record.id.len(), 1024);
    }

    #[test]
    fn id_of_1023_bytes_accepted() {
        let out = RegCase::with(Algorithm::Es256, 1023).run().expect("accepted");
        assert_accepted_with(&out.warnings, &[]);
    }

    #[test]
    fn id_of_65535_bytes() {
        assert_rejected(RegCase::with(Algorithm::Es256, 65535).run(), CheckId::RegCredentialIdTooLong);
    }
}

mod reg_credential_id_already_registered {
    use super::*;

    fn case_with_registered_id() -> RegCase {
        let mut case = RegCase::new();
        let record = case.run().expect("first registration").record;
        case.store = stored(b"another-user", record);
        case
    }

    #[test]
    fn id_registered_to_another_user() {
        assert_rejected(case_with_registered_id().run(), CheckId::RegCredentialIdAlreadyRegistered);
    }

    #[test]
    fn warned_when_should_checks_relaxed() {
        let mut case = case_with_registered_id();
        case.policy.enforce_should = false;
        let out = case.run().expect("accepted");
        assert_accepted_with(&out.warnings, &[CheckId::RegCredentialIdAlreadyRegistered]);
    }
}

mod reg_credential_id_mismatch {
    use super::*;

    #[test]
    fn raw_id_of_another_credential() {
        let mut case = RegCase::new();
        case.draft.raw_id = vec![0x42; 32];
        assert_rejected(case.run(), CheckId::RegCredentialIdMismatch);
    }

    #[test]
    fn raw_id_one_byte_longer() {
        let mut case = RegCase::new();
        case.draft.raw_id.push(0);
        assert_rejected(case.run(), CheckId::RegCredentialIdMismatch);
    }

    #[test]
    fn id_alone_of_another_credential() {
        let mut case = RegCase::new();
        case.draft.raw_id = vec![0x42; 32];
        let mut json = case.json();
        object_mut(&mut json, "").remove("rawId");
        rejects(&case, &json, CheckId::RegCredentialIdMismatch);
    }
}
