//! Every §7.2 check, one module each, named after its [`CheckId`]: an assertion that is valid except for
//! exactly one thing is rejected by exactly that check. Changes the signature must cover are made before
//! signing (to the draft, or to raw authenticator data signed with `AuthCase::sign_raw`); changes meant to
//! break the signature are made after. For POLICY and SHOULD checks the relaxed policy is tested too.

mod checks_support;
mod common;

use checks_support::*;
use common::*;
use generator::Rp;
use serde_json::json;
use verifier::{Ceremony, CheckId};
use wire::authdata::{AuthenticatorData, Flags};
use wire::base64url;
use wire::cbor::{self, Value};
use wire::client_data::CollectedClientData;

/// The §7.2 checks this file tests; the meta-test below keeps it complete and honest.
const COVERED: &[CheckId] = &[
    CheckId::AuthResponseMalformed,
    CheckId::AuthCredentialNotAllowed,
    CheckId::AuthCredentialNotOwned,
    CheckId::AuthUserHandleMismatch,
    CheckId::AuthUserHandleMissing,
    CheckId::AuthClientDataNotUtf8,
    CheckId::AuthClientDataNotJson,
    CheckId::AuthClientDataType,
    CheckId::AuthChallenge,
    CheckId::AuthOrigin,
    CheckId::AuthCrossOrigin,
    CheckId::AuthTopOrigin,
    CheckId::AuthAuthDataMalformed,
    CheckId::AuthAttestedCredentialDataPresent,
    CheckId::AuthNonCanonicalCbor,
    CheckId::AuthRpIdHash,
    CheckId::AuthUserPresent,
    CheckId::AuthUserVerified,
    CheckId::AuthBackupStateWithoutEligibility,
    CheckId::AuthBackupEligibilityChanged,
    CheckId::AuthBackupStatePolicy,
    CheckId::AuthSignatureMalformed,
    CheckId::AuthSignature,
    CheckId::AuthSignCount,
];

#[test]
fn every_authentication_check_has_a_test_module() {
    assert_covered(include_str!("checks_authentication.rs"), Ceremony::Authentication, COVERED);
}

#[test]
fn baseline_is_accepted_for_every_algorithm() {
    for alg in Algorithm::ALL {
        let case = AuthCase::with(alg);
        let out = case.run().unwrap_or_else(|r| panic!("{alg:?}: {r}"));
        assert_accepted_with(&out.warnings, &[]);
        assert!(!out.clone_warning);
        assert_eq!(out.user_handle, USER);
        assert_eq!(out.record.sign_count, 1);
    }
}

/// Sets the whole flags byte of the draft (signed when the case runs).
fn with_flags(case: &mut AuthCase, flags: u8) {
    case.draft.auth_data.flags = Flags(flags);
}

/// Header bytes (rpIdHash, flags, signCount) of the draft with `flags`.
fn header(case: &AuthCase, flags: u8) -> Vec<u8> {
    AuthenticatorData::new(case.draft.auth_data.rp_id_hash, Flags(flags), case.draft.auth_data.sign_count)
        .to_bytes()
}

mod auth_response_malformed {
    use super::*;

    fn mutated(f: impl FnOnce(&mut serde_json::Value)) {
        let case = AuthCase::new();
        let mut json = case.json();
        f(&mut json);
        assert_rejected(case.verify(&json), CheckId::AuthResponseMalformed);
    }

    #[test]
    fn not_an_object() {
        let case = AuthCase::new();
        assert_rejected(case.verify(&json!("response")), CheckId::AuthResponseMalformed);
    }

    #[test]
    fn id_missing() {
        mutated(|j| {
            object_mut(j, "").remove("id");
        });
    }

    #[test]
    fn id_is_not_base64url_of_raw_id() {
        mutated(|j| j["id"] = json!(base64url::encode(b"someone else's credential")));
    }

    #[test]
    fn raw_id_not_base64url() {
        mutated(|j| j["rawId"] = json!("AAAA="));
    }

    #[test]
    fn type_foo() {
        mutated(|j| j["type"] = json!("foo"));
    }

    #[test]
    fn type_not_a_string() {
        mutated(|j| j["type"] = json!({"public-key": true}));
    }

    #[test]
    fn response_missing() {
        mutated(|j| {
            object_mut(j, "").remove("response");
        });
    }

    #[test]
    fn response_is_an_array() {
        mutated(|j| j["response"] = json!([]));
    }

    #[test]
    fn client_data_json_not_base64url() {
        mutated(|j| j["response"]["clientDataJSON"] = json!("eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0="));
    }

    #[test]
    fn authenticator_data_missing() {
        mutated(|j| {
            object_mut(j, "response").remove("authenticatorData");
        });
    }

    #[test]
    fn signature_not_a_string() {
        mutated(|j| j["response"]["signature"] = json!(12345));
    }

    #[test]
    fn signature_missing() {
        mutated(|j| {
            object_mut(j, "response").remove("signature");
        });
    }

    #[test]
    fn user_handle_not_base64url() {
        mutated(|j| j["response"]["userHandle"] = json!("user 1"));
    }

    #[test]
    fn user_handle_not_a_string() {
        mutated(|j| j["response"]["userHandle"] = json!([1]));
    }

    /// The conformance API sends `""` for "no user handle"; with the user identified, that is fine.
    #[test]
    fn empty_user_handle_read_as_absent() {
        let case = AuthCase::new();
        let mut json = case.json();
        json["response"]["userHandle"] = json!("");
        assert!(case.verify(&json).is_ok());
    }
}

mod auth_credential_not_allowed {
    use super::*;

    #[test]
    fn not_in_allow_credentials() {
        let mut case = AuthCase::new();
        case.expectations.allow_credentials = vec![vec![0x01; 32], vec![0x02; 16]];
        assert_rejected(case.run(), CheckId::AuthCredentialNotAllowed);
    }

    #[test]
    fn prefix_of_an_allowed_id() {
        let mut case = AuthCase::new();
        let mut longer = case.cred.id.clone();
        longer.push(0);
        case.expectations.allow_credentials = vec![longer];
        assert_rejected(case.run(), CheckId::AuthCredentialNotAllowed);
    }

    #[test]
    fn in_allow_credentials_accepted() {
        let mut case = AuthCase::new();
        case.expectations.allow_credentials = vec![vec![0x01; 32], case.cred.id.clone()];
        assert!(case.run().is_ok());
    }
}

mod auth_credential_not_owned {
    use super::*;

    #[test]
    fn identified_account_does_not_hold_the_credential() {
        let mut case = AuthCase::new();
        case.owner = b"user-2".to_vec();
        case.draft.user_handle = None;
        assert_rejected(case.run(), CheckId::AuthCredentialNotOwned);
    }

    #[test]
    fn account_of_user_handle_does_not_hold_the_credential() {
        let mut case = AuthCase::new();
        case.expectations.identified_user = None;
        case.draft.user_handle = Some(b"user-2".to_vec());
        assert_rejected(case.run(), CheckId::AuthCredentialNotOwned);
    }

    #[test]
    fn unknown_credential_id() {
        let mut case = AuthCase::new();
        case.draft.raw_id = vec![0x33; 32];
        assert_rejected(case.run(), CheckId::AuthCredentialNotOwned);
    }
}

mod auth_user_handle_mismatch {
    use super::*;

    #[test]
    fn user_handle_of_another_account() {
        let mut case = AuthCase::new();
        case.draft.user_handle = Some(b"user-2".to_vec());
        assert_rejected(case.run(), CheckId::AuthUserHandleMismatch);
    }

    #[test]
    fn user_handle_absent_with_identified_user_accepted() {
        let mut case = AuthCase::new();
        case.draft.user_handle = None;
        assert_eq!(case.run().expect("accepted").user_handle, USER);
    }
}

mod auth_user_handle_missing {
    use super::*;

    #[test]
    fn absent_and_no_user_identified() {
        let mut case = AuthCase::new();
        case.expectations.identified_user = None;
        case.draft.user_handle = None;
        assert_rejected(case.run(), CheckId::AuthUserHandleMissing);
    }

    #[test]
    fn empty_string_and_no_user_identified() {
        let mut case = AuthCase::new();
        case.expectations.identified_user = None;
        let mut json = case.json();
        json["response"]["userHandle"] = json!("");
        assert_rejected(case.verify(&json), CheckId::AuthUserHandleMissing);
    }

    #[test]
    fn present_and_no_user_identified_accepted() {
        let mut case = AuthCase::new();
        case.expectations.identified_user = None;
        assert_eq!(case.run().expect("accepted").user_handle, USER);
    }
}

mod auth_client_data_not_utf8 {
    use super::*;

    #[test]
    fn invalid_byte() {
        let mut case = AuthCase::new();
        let cdj = &mut case.draft.client_data_json;
        cdj.pop();
        cdj.extend_from_slice(b",\"note\":\"\xfe\"}");
        assert_rejected(case.run(), CheckId::AuthClientDataNotUtf8);
    }

    #[test]
    fn latin1_origin() {
        let mut case = AuthCase::new();
        let text = String::from_utf8(case.draft.client_data_json.clone()).unwrap();
        let mut bytes = text.replace("example.org", "exampl\u{e9}.org").into_bytes();
        // é as ISO-8859-1 (one byte 0xe9) instead of UTF-8 (c3 a9).
        let pos = bytes.windows(2).position(|w| w == [0xc3, 0xa9]).unwrap();
        bytes.splice(pos..pos + 2, [0xe9]);
        case.draft.client_data_json = bytes;
        assert_rejected(case.run(), CheckId::AuthClientDataNotUtf8);
    }

    /// §7.2 step 8 runs "UTF-8 decode", which strips a leading byte order mark.
    #[test]
    fn byte_order_mark_is_accepted() {
        let mut case = AuthCase::new();
        let mut cdj = vec![0xef, 0xbb, 0xbf];
        cdj.extend_from_slice(&case.draft.client_data_json);
        case.draft.client_data_json = cdj;
        let out = case.run().expect("a BOM-prefixed clientDataJSON is accepted");
        assert_accepted_with(&out.warnings, &[]);
    }
}

mod auth_client_data_not_json {
    use super::*;

    fn with_client_data(f: impl FnOnce(&mut Vec<u8>)) {
        let mut case = AuthCase::new();
        f(&mut case.draft.client_data_json);
        assert_rejected(case.run(), CheckId::AuthClientDataNotJson);
    }

    #[test]
    fn duplicate_challenge_member() {
        with_client_data(|cdj| {
            let mut c = CollectedClientData::parse(cdj).unwrap();
            let challenge = c.get("challenge").unwrap().clone();
            c.members.push(("challenge".to_owned(), challenge));
            *cdj = c.to_json_bytes();
        });
    }

    #[test]
    fn duplicate_member_name_written_with_an_escape() {
        with_client_data(|cdj| {
            cdj.pop();
            cdj.extend_from_slice(br#","\u0074ype":"webauthn.get"}"#);
        });
    }

    #[test]
    fn truncated() {
        with_client_data(|cdj| cdj.truncate(cdj.len() / 2));
    }

    #[test]
    fn trailing_comma() {
        with_client_data(|cdj| {
            cdj.pop();
            cdj.extend_from_slice(b",}");
        });
    }

    #[test]
    fn a_string() {
        with_client_data(|cdj| *cdj = br#""webauthn.get""#.to_vec());
    }
}

mod auth_client_data_type {
    use super::*;

    #[test]
    fn create_instead_of_get() {
        let mut case = AuthCase::new();
        case.draft.client_data_json =
            client_data("webauthn.create", &case.challenge_b64(), ORIGIN, false, None);
        assert_rejected(case.run(), CheckId::AuthClientDataType);
    }

    #[test]
    fn payment_get() {
        let mut case = AuthCase::new();
        case.draft.client_data_json = client_data("payment.get", &case.challenge_b64(), ORIGIN, false, None);
        assert_rejected(case.run(), CheckId::AuthClientDataType);
    }

    #[test]
    fn missing() {
        let mut case = AuthCase::new();
        let mut c = CollectedClientData::parse(&case.draft.client_data_json).unwrap();
        c.members.retain(|(k, _)| k != "type");
        case.draft.client_data_json = c.to_json_bytes();
        assert_rejected(case.run(), CheckId::AuthClientDataType);
    }
}

mod auth_challenge {
    use super::*;

    fn with_challenge_text(case: &mut AuthCase, text: &str) {
        case.draft.client_data_json = client_data("webauthn.get", text, ORIGIN, false, None);
    }

    #[test]
    fn another_challenge() {
        let mut case = AuthCase::new();
        with_challenge_text(&mut case, &base64url::encode(&[9u8; 32]));
        assert_rejected(case.run(), CheckId::AuthChallenge);
    }

    #[test]
    fn padded() {
        let mut case = AuthCase::new();
        let padded = format!("{}=", case.challenge_b64());
        with_challenge_text(&mut case, &padded);
        assert_rejected(case.run(), CheckId::AuthChallenge);
    }

    #[test]
    fn standard_alphabet() {
        let mut case = AuthCase::new();
        case.challenge = vec![0xfe; 32];
        case.expectations.challenge = case.challenge.clone();
        let url = case.challenge_b64();
        assert!(url.contains(['-', '_']));
        let standard = format!("{}=", url.replace('-', "+").replace('_', "/"));
        with_challenge_text(&mut case, &standard);
        assert_rejected(case.run(), CheckId::AuthChallenge);
    }

    #[test]
    fn missing() {
        let mut case = AuthCase::new();
        let mut c = CollectedClientData::parse(&case.draft.client_data_json).unwrap();
        c.members.retain(|(k, _)| k != "challenge");
        case.draft.client_data_json = c.to_json_bytes();
        assert_rejected(case.run(), CheckId::AuthChallenge);
    }
}

mod auth_origin {
    use super::*;

    #[test]
    fn variants() {
        for origin in [
            "http://example.org",
            "https://example.org:443",
            "https://example.org/",
            "https://Example.org",
            "https://login.example.org",
            "https://example.org.evil.example",
            "null",
            "",
        ] {
            let mut case = AuthCase::new();
            case.set_origin(origin, false, None);
            match case.run() {
                Err(r) => assert_eq!(r.check, CheckId::AuthOrigin, "{origin:?}: {r}"),
                Ok(_) => panic!("origin {origin:?} accepted"),
            }
        }
    }

    #[test]
    fn subdomain_accepted_under_the_subdomain_rule() {
        let mut case = AuthCase::new();
        case.policy.origins.allow_rp_id_subdomains = true;
        case.set_origin("https://a.b.example.org", false, None);
        assert!(case.run().is_ok());
        case.set_origin("https://a.b.example.org:444", false, None);
        assert_rejected(case.run(), CheckId::AuthOrigin);
    }
}

mod auth_cross_origin {
    use super::*;

    #[test]
    fn true_when_not_expecting_to_be_framed() {
        let mut case = AuthCase::new();
        case.set_origin(ORIGIN, true, None);
        assert_rejected(case.run(), CheckId::AuthCrossOrigin);
    }

    #[test]
    fn true_accepted_when_framing_is_expected() {
        let mut case = AuthCase::new();
        case.policy.framing.allow_cross_origin = true;
        case.set_origin(ORIGIN, true, None);
        assert!(case.run().is_ok());
    }

    #[test]
    fn a_number() {
        let mut case = AuthCase::new();
        let mut c = CollectedClientData::parse(&case.draft.client_data_json).unwrap();
        c.members[3].1 = json!(1);
        case.draft.client_data_json = c.to_json_bytes();
        assert_rejected(case.run(), CheckId::AuthCrossOrigin);
    }
}

mod auth_top_origin {
    use super::*;

    #[test]
    fn present_when_not_expecting_to_be_framed() {
        let mut case = AuthCase::new();
        case.set_origin(ORIGIN, false, Some("https://top.example"));
        assert_rejected(case.run(), CheckId::AuthTopOrigin);
    }

    #[test]
    fn not_an_expected_top_origin() {
        let mut case = AuthCase::new();
        case.policy.framing.allow_cross_origin = true;
        case.policy.framing.allowed_top_origins = vec!["https://top.example".to_owned()];
        case.set_origin(ORIGIN, true, Some("https://top.example.evil"));
        assert_rejected(case.run(), CheckId::AuthTopOrigin);
    }

    #[test]
    fn expected_top_origin_accepted() {
        let mut case = AuthCase::new();
        case.policy.framing.allow_cross_origin = true;
        case.policy.framing.allowed_top_origins = vec!["https://top.example".to_owned()];
        case.set_origin(ORIGIN, true, Some("https://top.example"));
        assert_accepted_with(&case.run().expect("accepted").warnings, &[]);
    }
}

mod auth_auth_data_malformed {
    use super::*;

    /// Signs the given authenticator data bytes, so the signature is not what fails.
    fn with_bytes(f: impl FnOnce(&AuthCase) -> Vec<u8>) {
        let case = AuthCase::new();
        let bytes = f(&case);
        assert_rejected(case.verify_signed(&case.sign_raw(bytes)), CheckId::AuthAuthDataMalformed);
    }

    #[test]
    fn header_truncated() {
        with_bytes(|c| c.draft.auth_data.to_bytes()[..36].to_vec());
    }

    #[test]
    fn empty() {
        with_bytes(|_| Vec::new());
    }

    #[test]
    fn trailing_byte() {
        with_bytes(|c| {
            let mut b = c.draft.auth_data.to_bytes();
            b.push(0x00);
            b
        });
    }

    #[test]
    fn trailing_map_without_ed() {
        with_bytes(|c| {
            let mut b = c.draft.auth_data.to_bytes();
            b.push(0xa0);
            b
        });
    }

    #[test]
    fn ed_without_extensions() {
        with_bytes(|c| header(c, Flags::UP | Flags::ED));
    }

    #[test]
    fn extensions_not_a_map() {
        with_bytes(|c| {
            let mut b = header(c, Flags::UP | Flags::ED);
            b.extend(cbor::encode(&Value::from("credProtect")));
            b
        });
    }

    #[test]
    fn extensions_truncated() {
        with_bytes(|c| {
            let mut b = header(c, Flags::UP | Flags::ED);
            b.extend_from_slice(&[0xa1, 0x61]);
            b
        });
    }

    #[test]
    fn extensions_with_a_duplicate_key() {
        with_bytes(|c| {
            let mut b = header(c, Flags::UP | Flags::ED);
            b.extend(cbor::encode(&Value::Map(vec![
                (Value::from("a"), Value::from(1)),
                (Value::from("a"), Value::from(1)),
            ])));
            b
        });
    }

    #[test]
    fn at_set_without_attested_data() {
        with_bytes(|c| header(c, Flags::UP | Flags::AT));
    }

    #[test]
    fn canonical_extensions_accepted() {
        let mut case = AuthCase::new();
        case.draft.auth_data.flags = Flags(Flags::UP | Flags::ED);
        case.draft.auth_data.extensions =
            Some(Value::Map(vec![(Value::from("credProtect"), Value::from(2))]));
        assert_accepted_with(&case.run().expect("accepted").warnings, &[]);
    }
}

mod auth_attested_credential_data_present {
    use super::*;

    #[test]
    fn at_set_with_attested_data() {
        let mut case = AuthCase::new();
        case.draft.auth_data.flags = Flags(Flags::UP | Flags::AT);
        case.draft.auth_data.attested_credential_data = Some(case.cred.attested_data());
        assert_rejected(case.run(), CheckId::AuthAttestedCredentialDataPresent);
    }

    #[test]
    fn at_set_with_attested_data_even_when_should_checks_relaxed() {
        let mut case = AuthCase::new();
        case.policy.enforce_should = false;
        case.draft.auth_data.flags = Flags(Flags::UP | Flags::AT);
        case.draft.auth_data.attested_credential_data = Some(case.cred.attested_data());
        assert_rejected(case.run(), CheckId::AuthAttestedCredentialDataPresent);
    }
}

mod auth_non_canonical_cbor {
    use super::*;

    /// ED set and `extensions` appended as given, signed: rejected under the reference policy, accepted
    /// with one warning when SHOULD checks are relaxed.
    #[track_caller]
    fn rejected_then_warned(extensions: &[u8]) {
        let mut case = AuthCase::new();
        let mut bytes = header(&case, Flags::UP | Flags::ED);
        bytes.extend_from_slice(extensions);
        let signed = case.sign_raw(bytes);
        assert_rejected(case.verify_signed(&signed), CheckId::AuthNonCanonicalCbor);
        case.policy.enforce_should = false;
        let out = case.verify_signed(&signed).expect("accepted when SHOULD checks are relaxed");
        assert_accepted_with(&out.warnings, &[CheckId::AuthNonCanonicalCbor]);
        assert!(!out.clone_warning);
    }

    #[test]
    fn unsorted_extension_keys() {
        rejected_then_warned(&cbor::encode(&Value::Map(vec![
            (Value::from("largeBlobKey"), Value::Bytes(vec![1; 4])),
            (Value::from("credProtect"), Value::from(2)),
        ])));
    }

    #[test]
    fn shorter_key_after_longer_key() {
        rejected_then_warned(&cbor::encode(&Value::Map(vec![
            (Value::from("bb"), Value::from(1)),
            (Value::from("a"), Value::from(1)),
        ])));
    }

    #[test]
    fn non_minimal_integer() {
        // {"a": 1} with 1 written as 18 01.
        rejected_then_warned(&[0xa1, 0x61, b'a', 0x18, 0x01]);
    }

    #[test]
    fn non_minimal_map_header() {
        let mut ext = cbor_head(5, 1, 2);
        ext.extend_from_slice(&[0x61, b'a', 0x01]);
        rejected_then_warned(&ext);
    }
}

mod auth_rp_id_hash {
    use super::*;

    #[test]
    fn another_rp() {
        let mut case = AuthCase::new();
        case.draft.auth_data.rp_id_hash = Rp::new("evil.example", "https://evil.example").id_hash();
        assert_rejected(case.run(), CheckId::AuthRpIdHash);
    }

    #[test]
    fn subdomain_of_the_rp_id() {
        let mut case = AuthCase::new();
        case.draft.auth_data.rp_id_hash = Rp::new("login.example.org", "https://login.example.org").id_hash();
        assert_rejected(case.run(), CheckId::AuthRpIdHash);
    }
}

mod auth_user_present {
    use super::*;

    #[test]
    fn up_clear() {
        let mut case = AuthCase::new();
        with_flags(&mut case, 0);
        assert_rejected(case.run(), CheckId::AuthUserPresent);
    }

    #[test]
    fn up_clear_with_uv_set() {
        let mut case = AuthCase::new();
        with_flags(&mut case, Flags::UV);
        assert_rejected(case.run(), CheckId::AuthUserPresent);
    }
}

mod auth_user_verified {
    use super::*;

    #[test]
    fn uv_clear_when_required() {
        let mut case = AuthCase::new();
        case.expectations.user_verification_required = true;
        assert_rejected(case.run(), CheckId::AuthUserVerified);
    }

    #[test]
    fn uv_set_when_required_accepted() {
        let mut case = AuthCase::new();
        case.expectations.user_verification_required = true;
        with_flags(&mut case, Flags::UP | Flags::UV);
        let out = case.run().expect("accepted");
        assert!(out.record.uv_initialized);
    }

    #[test]
    fn uv_clear_when_not_required_accepted() {
        let out = AuthCase::new().run().expect("accepted");
        assert!(!out.record.uv_initialized);
    }
}

mod auth_backup_state_without_eligibility {
    use super::*;

    #[test]
    fn bs_without_be() {
        let mut case = AuthCase::new();
        with_flags(&mut case, Flags::UP | Flags::BS);
        assert_rejected(case.run(), CheckId::AuthBackupStateWithoutEligibility);
    }

    #[test]
    fn bs_without_be_rejected_under_the_most_relaxed_policy() {
        let mut case = AuthCase::new();
        case.policy.enforce_should = false;
        case.policy.backup.require_stable_backup_eligibility = false;
        with_flags(&mut case, Flags::UP | Flags::BS);
        assert_rejected(case.run(), CheckId::AuthBackupStateWithoutEligibility);
    }
}

mod auth_backup_eligibility_changed {
    use super::*;

    fn be_set_on_an_ineligible_record() -> AuthCase {
        let mut case = AuthCase::new();
        assert!(!case.record.backup_eligible);
        with_flags(&mut case, Flags::UP | Flags::BE);
        case
    }

    fn be_clear_on_an_eligible_record() -> AuthCase {
        let mut case = AuthCase::new();
        case.record.backup_eligible = true;
        case
    }

    #[test]
    fn be_set_record_not_eligible() {
        assert_rejected(be_set_on_an_ineligible_record().run(), CheckId::AuthBackupEligibilityChanged);
    }

    #[test]
    fn be_clear_record_eligible() {
        assert_rejected(be_clear_on_an_eligible_record().run(), CheckId::AuthBackupEligibilityChanged);
    }

    #[test]
    fn warned_when_policy_does_not_require_stable_be() {
        for mut case in [be_set_on_an_ineligible_record(), be_clear_on_an_eligible_record()] {
            case.policy.backup.require_stable_backup_eligibility = false;
            let out = case.run().expect("accepted");
            assert_accepted_with(&out.warnings, &[CheckId::AuthBackupEligibilityChanged]);
        }
    }

    #[test]
    fn be_unchanged_accepted() {
        let mut case = be_clear_on_an_eligible_record();
        with_flags(&mut case, Flags::UP | Flags::BE);
        assert_accepted_with(&case.run().expect("accepted").warnings, &[]);
    }
}

mod auth_backup_state_policy {
    use super::*;

    fn backed_up() -> AuthCase {
        let mut case = AuthCase::new();
        case.record.backup_eligible = true;
        with_flags(&mut case, Flags::UP | Flags::BE | Flags::BS);
        case
    }

    #[test]
    fn bs_when_policy_refuses_backed_up() {
        let mut case = backed_up();
        case.policy.backup.allow_backed_up = false;
        assert_rejected(case.run(), CheckId::AuthBackupStatePolicy);
    }

    #[test]
    fn bs_accepted_when_policy_allows() {
        let out = backed_up().run().expect("accepted");
        assert_accepted_with(&out.warnings, &[]);
        assert!(out.record.backup_state);
    }
}

mod auth_signature_malformed {
    use super::*;

    /// Signs the valid draft with `alg`, replaces the signature by `f(signature)`.
    #[track_caller]
    fn with_signature(alg: Algorithm, f: impl FnOnce(Vec<u8>) -> Vec<u8>) {
        let case = AuthCase::with(alg);
        let mut signed = case.sign();
        signed.signature = f(signed.signature);
        assert_rejected(case.verify_signed(&signed), CheckId::AuthSignatureMalformed);
    }

    /// (r, s) of a DER ECDSA signature `30 len 02 rlen r 02 slen s` (short lengths).
    fn der_parts(sig: &[u8]) -> (Vec<u8>, Vec<u8>) {
        assert_eq!(sig[0], 0x30);
        assert_eq!(sig[2], 0x02);
        let rlen = sig[3] as usize;
        let r = sig[4..4 + rlen].to_vec();
        assert_eq!(sig[4 + rlen], 0x02);
        let slen = sig[5 + rlen] as usize;
        let s = sig[6 + rlen..6 + rlen + slen].to_vec();
        (r, s)
    }

    fn der(r: &[u8], s: &[u8]) -> Vec<u8> {
        let mut out = vec![0x30, (4 + r.len() + s.len()) as u8, 0x02, r.len() as u8];
        out.extend_from_slice(r);
        out.extend_from_slice(&[0x02, s.len() as u8]);
        out.extend_from_slice(s);
        out
    }

    #[test]
    fn es256_truncated_der() {
        with_signature(Algorithm::Es256, |mut s| {
            s.pop();
            s
        });
    }

    #[test]
    fn es256_trailing_byte_after_der() {
        with_signature(Algorithm::Es256, |mut s| {
            s.push(0);
            s
        });
    }

    #[test]
    fn es256_ber_long_form_length() {
        with_signature(Algorithm::Es256, |s| {
            let mut out = vec![0x30, 0x81];
            out.extend_from_slice(&s[1..]);
            out
        });
    }

    #[test]
    fn es256_r_zero() {
        with_signature(Algorithm::Es256, |s| {
            let (_, s_) = der_parts(&s);
            der(&[0x00], &s_)
        });
    }

    #[test]
    fn es256_r_with_a_superfluous_leading_zero() {
        with_signature(Algorithm::Es256, |s| {
            let (r, s_) = der_parts(&s);
            let mut padded = vec![0x00];
            padded.extend_from_slice(&r);
            if r[0] & 0x80 != 0 {
                padded.insert(0, 0x00);
            }
            der(&padded, &s_)
        });
    }

    #[test]
    fn es256_raw_r_and_s_instead_of_der() {
        with_signature(Algorithm::Es256, |s| {
            let (r, s_) = der_parts(&s);
            let fixed = |v: &[u8]| {
                let v = v.strip_prefix(&[0u8]).unwrap_or(v);
                let mut out = vec![0u8; 32 - v.len()];
                out.extend_from_slice(v);
                out
            };
            [fixed(&r), fixed(&s_)].concat()
        });
    }

    #[test]
    fn es256_empty() {
        with_signature(Algorithm::Es256, |_| Vec::new());
    }

    #[test]
    fn es384_truncated_der() {
        with_signature(Algorithm::Es384, |s| s[..s.len() - 2].to_vec());
    }

    #[test]
    fn ed25519_63_bytes() {
        with_signature(Algorithm::EdDsa, |s| s[..63].to_vec());
    }

    #[test]
    fn ed25519_65_bytes() {
        with_signature(Algorithm::EdDsa, |mut s| {
            s.push(0);
            s
        });
    }

    #[test]
    fn rsa_one_byte_short() {
        with_signature(Algorithm::Rs256, |s| s[1..].to_vec());
    }

    #[test]
    fn rsa_one_byte_long() {
        with_signature(Algorithm::Rs256, |s| [vec![0], s].concat());
    }
}

mod auth_signature {
    use super::*;

    #[track_caller]
    fn broken_after_signing(alg: Algorithm, f: impl FnOnce(&mut generator::SignedAssertion)) {
        let case = AuthCase::with(alg);
        let mut signed = case.sign();
        f(&mut signed);
        assert_rejected(case.verify_signed(&signed), CheckId::AuthSignature);
    }

    #[test]
    fn by_another_key() {
        for alg in Algorithm::ALL.into_iter().filter(|&a| a != Algorithm::Rs256) {
            broken_after_signing(alg, |s| {
                let other = credential(alg, 99, 32);
                let mut message = s.authenticator_data.clone();
                message.extend_from_slice(&verifier::crypto::sha256(&s.client_data_json));
                s.signature = other.key.sign(&message);
            });
        }
    }

    #[test]
    fn flipped_bit() {
        for alg in Algorithm::ALL {
            broken_after_signing(alg, |s| {
                let last = s.signature.len() - 1;
                s.signature[last] ^= 0x01;
            });
        }
    }

    #[test]
    fn eddsa_flipped_bit_in_r() {
        broken_after_signing(Algorithm::EdDsa, |s| s.signature[0] ^= 0x80);
    }

    #[test]
    fn uv_flipped_after_signing() {
        for alg in Algorithm::ALL {
            broken_after_signing(alg, |s| s.authenticator_data[32] |= Flags::UV);
        }
    }

    #[test]
    fn sign_count_raised_after_signing() {
        broken_after_signing(Algorithm::Es256, |s| s.authenticator_data[36] = 9);
    }

    #[test]
    fn client_data_changed_after_signing() {
        broken_after_signing(Algorithm::Es256, |s| {
            s.client_data_json.pop();
            s.client_data_json.extend_from_slice(br#","other_keys_can_be_added_here":"x"}"#);
        });
    }

    #[test]
    fn signature_over_authenticator_data_only() {
        broken_after_signing(Algorithm::Es256, |s| {
            let case = AuthCase::new();
            s.signature = case.cred.key.sign(&s.authenticator_data);
        });
    }
}

mod auth_sign_count {
    use super::*;

    /// A record at `stored` and an assertion with `count`.
    fn counts(stored: u32, count: u32) -> AuthCase {
        let mut case = AuthCase::new();
        case.record.sign_count = stored;
        case.draft.auth_data.sign_count = count;
        case
    }

    #[test]
    fn lower() {
        assert_rejected(counts(5, 4).run(), CheckId::AuthSignCount);
    }

    #[test]
    fn equal() {
        assert_rejected(counts(5, 5).run(), CheckId::AuthSignCount);
    }

    #[test]
    fn zero_after_nonzero() {
        assert_rejected(counts(5, 0).run(), CheckId::AuthSignCount);
    }

    #[test]
    fn lower_accepted_with_a_clone_warning_under_warn_policy() {
        for (stored, count) in [(5, 4), (5, 5), (5, 0)] {
            let mut case = counts(stored, count);
            case.policy.counter = verifier::policy::CounterPolicy::Warn;
            let out = case.run().expect("accepted");
            assert!(out.clone_warning, "{stored}/{count}");
            assert_accepted_with(&out.warnings, &[CheckId::AuthSignCount]);
            assert_eq!(out.record.sign_count, count);
        }
    }

    #[test]
    fn zero_and_zero_accepted_without_a_clone_warning() {
        let out = counts(0, 0).run().expect("accepted");
        assert!(!out.clone_warning);
        assert_accepted_with(&out.warnings, &[]);
    }

    #[test]
    fn higher_accepted_and_stored() {
        let out = counts(5, u32::MAX).run().expect("accepted");
        assert!(!out.clone_warning);
        assert_eq!(out.record.sign_count, u32::MAX);
    }
}
