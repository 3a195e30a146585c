//! The messages of the FIDO2 server conformance API ("FIDO2: Conformance testing server API", the REST
//! interface the FIDO conformance tools drive a relying party through).
//!
//! | endpoint (`POST`) | request body | success body |
//! |---|---|---|
//! | `/attestation/options` | [`ServerPublicKeyCredentialCreationOptionsRequest`] | [`ServerPublicKeyCredentialCreationOptionsResponse`] |
//! | `/attestation/result` | [`ServerAttestationCredential`] | [`ServerResponse`] |
//! | `/assertion/options` | [`ServerPublicKeyCredentialGetOptionsRequest`] | [`ServerPublicKeyCredentialGetOptionsResponse`] |
//! | `/assertion/result` | [`ServerAssertionCredential`] | [`ServerResponse`] |
//!
//! Failures answer with a [`ServerResponse`] whose `status` is `failed` and whose `errorMessage` says why.
//!
//! The API's dictionaries are close to the WebAuthn L3 JSON types of [`crate::json`]: the user entity,
//! credential descriptor and assertion response have the same members and are type aliases here; the
//! others convert (see [`split_registration`], [`ServerAttestationCredential::into_registration_response`]
//! and the `From`/`TryFrom` impls). The parsing choices of [`crate::json`] apply unchanged (unknown members
//! ignored, `null` for an optional member read as absent, [`crate::json::MAX_JSON_LEN`]); parse with
//! [`crate::json::parse`] or the two `parse_*` functions below, build with [`crate::json::to_vec`].
//!
//! Where the types hold more than the API's IDL, because real clients and servers send it:
//! * [`ServerPublicKeyCredential::raw_id`]: the conformance tool's virtual client sends `rawId`, which the
//!   IDL does not list.
//! * [`ServerPublicKeyCredential::client_extension_results`] beside `getClientExtensionResults`: the IDL
//!   names the member after the method; L3 clients and some servers use `clientExtensionResults`.
//! * `extensions` in [`ServerPublicKeyCredentialCreationOptionsRequest`]: server implementations read
//!   (and echo) it, though the IDL of the request lists none.
//! * `hints` and `attestationFormats` in the options responses: L3 members an L3 relying party may send,
//!   kept so that options convert to and from the L3 types without loss.

use serde::{Deserialize, Serialize};

use crate::json::{
    decode_member, AuthenticationExtensionsClientInputsJSON, AuthenticationExtensionsClientOutputsJSON,
    AuthenticationResponseJSON, AuthenticatorAssertionResponseJSON, AuthenticatorAttestationResponseJSON,
    AuthenticatorSelectionCriteria, JsonError, PublicKeyCredentialCreationOptionsJSON,
    PublicKeyCredentialDescriptorJSON, PublicKeyCredentialParameters, PublicKeyCredentialRequestOptionsJSON,
    PublicKeyCredentialRpEntity, PublicKeyCredentialUserEntityJSON, RegistrationResponseJSON,
};

/// Parses a `/attestation/result` request body.
pub fn parse_attestation_result(bytes: &[u8]) -> Result<ServerAttestationCredential, JsonError> {
    crate::json::parse(bytes)
}

/// Parses a `/assertion/result` request body.
pub fn parse_assertion_result(bytes: &[u8]) -> Result<ServerAssertionCredential, JsonError> {
    crate::json::parse(bytes)
}

/// `ServerPublicKeyCredentialUserEntity`: same members as the L3 `PublicKeyCredentialUserEntityJSON`
/// (`id` base64url, `name`, `displayName`).
pub type ServerPublicKeyCredentialUserEntity = PublicKeyCredentialUserEntityJSON;

/// `ServerPublicKeyCredentialDescriptor`: same members as the L3 `PublicKeyCredentialDescriptorJSON`.
pub type ServerPublicKeyCredentialDescriptor = PublicKeyCredentialDescriptorJSON;

/// `ServerAuthenticatorAssertionResponse`: same members as the L3 `AuthenticatorAssertionResponseJSON`
/// (`userHandle` has been optional in the API since 2025-05; it was required before).
pub type ServerAuthenticatorAssertionResponse = AuthenticatorAssertionResponseJSON;

/// A `/attestation/result` request body.
pub type ServerAttestationCredential = ServerPublicKeyCredential<ServerAuthenticatorAttestationResponse>;

/// A `/assertion/result` request body.
pub type ServerAssertionCredential = ServerPublicKeyCredential<ServerAuthenticatorAssertionResponse>;

/// `Status` values of [`ServerResponse`].
pub mod status {
    /// The request succeeded. The conformance tool counts a call as passed iff `status` is exactly this.
    pub const OK: &str = "ok";
    /// The request failed; `errorMessage` must then say why.
    pub const FAILED: &str = "failed";
    pub const ALL: &[&str] = &[OK, FAILED];
}

/// `ServerResponse`: the outcome every endpoint reports, alone (results, errors) or as the first members
/// of an options response. Both members are required, also on success (where `errorMessage` is `""`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerResponse {
    /// `ok` or `failed` ([`status`]).
    pub status: String,
    /// Why the request failed; empty on success, and must not be empty on failure.
    pub error_message: String,
}

impl ServerResponse {
    /// `{"status":"ok","errorMessage":""}`.
    pub fn ok() -> Self {
        ServerResponse { status: status::OK.to_owned(), error_message: String::new() }
    }

    /// `{"status":"failed","errorMessage":message}`.
    pub fn failed(message: impl Into<String>) -> Self {
        ServerResponse { status: status::FAILED.to_owned(), error_message: message.into() }
    }

    /// Whether `status` is exactly `ok`, the test the conformance tool applies.
    pub fn is_ok(&self) -> bool {
        self.status == status::OK
    }
}

/// `ServerPublicKeyCredentialCreationOptionsRequest`: the `/attestation/options` request body, asking the
/// server to start a registration for a user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerPublicKeyCredentialCreationOptionsRequest {
    /// The account name (becomes `user.name`).
    pub username: String,
    /// The display name (becomes `user.displayName`).
    pub display_name: String,
    /// Authenticator requirements to put in the options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authenticator_selection: Option<AuthenticatorSelectionCriteria>,
    /// The attestation conveyance preference to put in the options; API default `none`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation: Option<String>,
    /// Client extension inputs to put in the options (not in the API's IDL; servers accept it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensions: Option<AuthenticationExtensionsClientInputsJSON>,
}

/// `ServerPublicKeyCredentialCreationOptionsResponse`: the `/attestation/options` success body, a
/// [`ServerResponse`] followed by the members of the creation options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerPublicKeyCredentialCreationOptionsResponse {
    /// `ok` or `failed` ([`status`]).
    pub status: String,
    /// Empty on success.
    pub error_message: String,
    /// The relying party.
    pub rp: PublicKeyCredentialRpEntity,
    /// The user account.
    pub user: ServerPublicKeyCredentialUserEntity,
    /// The challenge, base64url (the API asks for 16 to 64 bytes).
    pub challenge: String,
    /// Acceptable credential types and algorithms.
    pub pub_key_cred_params: Vec<PublicKeyCredentialParameters>,
    /// Milliseconds the server is willing to wait.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u32>,
    /// Credentials not to create again; API default `[]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude_credentials: Option<Vec<ServerPublicKeyCredentialDescriptor>>,
    /// Authenticator requirements.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authenticator_selection: Option<AuthenticatorSelectionCriteria>,
    /// The attestation conveyance preference; API default `none`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation: Option<String>,
    /// Client extension inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensions: Option<AuthenticationExtensionsClientInputsJSON>,
    /// WebAuthn L3 user-agent hints (not in the API's IDL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hints: Option<Vec<String>>,
    /// WebAuthn L3 preferred attestation formats (not in the API's IDL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation_formats: Option<Vec<String>>,
}

impl ServerPublicKeyCredentialCreationOptionsResponse {
    /// Puts a status in front of L3 creation options.
    pub fn from_parts(response: ServerResponse, options: PublicKeyCredentialCreationOptionsJSON) -> Self {
        let PublicKeyCredentialCreationOptionsJSON {
            rp,
            user,
            challenge,
            pub_key_cred_params,
            timeout,
            exclude_credentials,
            authenticator_selection,
            hints,
            attestation,
            attestation_formats,
            extensions,
        } = options;
        ServerPublicKeyCredentialCreationOptionsResponse {
            status: response.status,
            error_message: response.error_message,
            rp,
            user,
            challenge,
            pub_key_cred_params,
            timeout,
            exclude_credentials,
            authenticator_selection,
            attestation,
            extensions,
            hints,
            attestation_formats,
        }
    }

    /// Splits into the status and the L3 creation options, losing nothing.
    pub fn into_parts(self) -> (ServerResponse, PublicKeyCredentialCreationOptionsJSON) {
        let options = PublicKeyCredentialCreationOptionsJSON {
            rp: self.rp,
            user: self.user,
            challenge: self.challenge,
            pub_key_cred_params: self.pub_key_cred_params,
            timeout: self.timeout,
            exclude_credentials: self.exclude_credentials,
            authenticator_selection: self.authenticator_selection,
            hints: self.hints,
            attestation: self.attestation,
            attestation_formats: self.attestation_formats,
            extensions: self.extensions,
        };
        (ServerResponse { status: self.status, error_message: self.error_message }, options)
    }

    /// Decodes `challenge`.
    pub fn challenge_bytes(&self) -> Result<Vec<u8>, JsonError> {
        decode_member("challenge", &self.challenge)
    }
}

impl From<ServerPublicKeyCredentialCreationOptionsResponse> for PublicKeyCredentialCreationOptionsJSON {
    /// Drops `status` and `errorMessage`.
    fn from(response: ServerPublicKeyCredentialCreationOptionsResponse) -> Self {
        response.into_parts().1
    }
}

/// `ServerPublicKeyCredentialGetOptionsRequest`: the `/assertion/options` request body, asking the server
/// to start an authentication for a user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerPublicKeyCredentialGetOptionsRequest {
    /// The account name whose credentials to allow.
    pub username: String,
    /// The user verification requirement to put in the options; API default `preferred`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_verification: Option<String>,
    /// Client extension inputs to put in the options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensions: Option<AuthenticationExtensionsClientInputsJSON>,
}

/// `ServerPublicKeyCredentialGetOptionsResponse`: the `/assertion/options` success body, a
/// [`ServerResponse`] followed by the members of the request options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerPublicKeyCredentialGetOptionsResponse {
    /// `ok` or `failed` ([`status`]).
    pub status: String,
    /// Empty on success.
    pub error_message: String,
    /// The challenge, base64url.
    pub challenge: String,
    /// Milliseconds the server is willing to wait.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u32>,
    /// The RP ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rp_id: Option<String>,
    /// The user's credentials; API default `[]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_credentials: Option<Vec<ServerPublicKeyCredentialDescriptor>>,
    /// The user verification requirement; API default `preferred`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_verification: Option<String>,
    /// Client extension inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensions: Option<AuthenticationExtensionsClientInputsJSON>,
    /// WebAuthn L3 user-agent hints (not in the API's IDL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hints: Option<Vec<String>>,
}

impl ServerPublicKeyCredentialGetOptionsResponse {
    /// Puts a status in front of L3 request options.
    pub fn from_parts(response: ServerResponse, options: PublicKeyCredentialRequestOptionsJSON) -> Self {
        let PublicKeyCredentialRequestOptionsJSON {
            challenge,
            timeout,
            rp_id,
            allow_credentials,
            user_verification,
            hints,
            extensions,
        } = options;
        ServerPublicKeyCredentialGetOptionsResponse {
            status: response.status,
            error_message: response.error_message,
            challenge,
            timeout,
            rp_id,
            allow_credentials,
            user_verification,
            extensions,
            hints,
        }
    }

    /// Splits into the status and the L3 request options, losing nothing.
    pub fn into_parts(self) -> (ServerResponse, PublicKeyCredentialRequestOptionsJSON) {
        let options = PublicKeyCredentialRequestOptionsJSON {
            challenge: self.challenge,
            timeout: self.timeout,
            rp_id: self.rp_id,
            allow_credentials: self.allow_credentials,
            user_verification: self.user_verification,
            hints: self.hints,
            extensions: self.extensions,
        };
        (ServerResponse { status: self.status, error_message: self.error_message }, options)
    }

    /// Decodes `challenge`.
    pub fn challenge_bytes(&self) -> Result<Vec<u8>, JsonError> {
        decode_member("challenge", &self.challenge)
    }
}

impl From<ServerPublicKeyCredentialGetOptionsResponse> for PublicKeyCredentialRequestOptionsJSON {
    /// Drops `status` and `errorMessage`.
    fn from(response: ServerPublicKeyCredentialGetOptionsResponse) -> Self {
        response.into_parts().1
    }
}

/// `ServerAuthenticatorAttestationResponse`: the authenticator's registration answer as the API carries
/// it, only the two members everything else is derived from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerAuthenticatorAttestationResponse {
    /// The serialized client data, base64url.
    #[serde(rename = "clientDataJSON")]
    pub client_data_json: String,
    /// The attestation object (WebAuthn §6.5), base64url.
    pub attestation_object: String,
}

impl ServerAuthenticatorAttestationResponse {
    /// Decodes `clientDataJSON`.
    pub fn client_data_json_bytes(&self) -> Result<Vec<u8>, JsonError> {
        decode_member("response.clientDataJSON", &self.client_data_json)
    }

    /// Decodes `attestationObject`.
    pub fn attestation_object_bytes(&self) -> Result<Vec<u8>, JsonError> {
        decode_member("response.attestationObject", &self.attestation_object)
    }
}

impl From<AuthenticatorAttestationResponseJSON> for ServerAuthenticatorAttestationResponse {
    /// Keeps `clientDataJSON` and `attestationObject`, drops the derived members.
    fn from(r: AuthenticatorAttestationResponseJSON) -> Self {
        ServerAuthenticatorAttestationResponse {
            client_data_json: r.client_data_json,
            attestation_object: r.attestation_object,
        }
    }
}

/// `ServerPublicKeyCredential`: the `/attestation/result` and `/assertion/result` request body, with `R`
/// the attestation or the assertion response ([`ServerAttestationCredential`],
/// [`ServerAssertionCredential`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerPublicKeyCredential<R> {
    /// The credential ID, base64url.
    pub id: String,
    /// The credential ID again, base64url. Not in the API's IDL; the conformance tool sends it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_id: Option<String>,
    /// What the authenticator returned.
    pub response: R,
    /// The client extension outputs, under the name the API's IDL gives them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub get_client_extension_results: Option<AuthenticationExtensionsClientOutputsJSON>,
    /// The client extension outputs under their WebAuthn L3 name, which some clients use instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_extension_results: Option<AuthenticationExtensionsClientOutputsJSON>,
    /// The credential type, `public-key`.
    #[serde(rename = "type")]
    pub type_: String,
}

impl<R> ServerPublicKeyCredential<R> {
    /// Decodes `id`.
    pub fn id_bytes(&self) -> Result<Vec<u8>, JsonError> {
        decode_member("id", &self.id)
    }

    /// Decodes `rawId` if present.
    pub fn raw_id_bytes(&self) -> Result<Option<Vec<u8>>, JsonError> {
        self.raw_id.as_deref().map(|v| decode_member("rawId", v)).transpose()
    }

    /// The client extension outputs, from whichever of `clientExtensionResults` and
    /// `getClientExtensionResults` is present, or empty if neither is. Both present with different values
    /// is [`JsonError::ConflictingMembers`].
    pub fn resolved_client_extension_results(
        &self,
    ) -> Result<AuthenticationExtensionsClientOutputsJSON, JsonError> {
        resolve_extension_results(
            self.client_extension_results.clone(),
            self.get_client_extension_results.clone(),
        )
    }
}

fn resolve_extension_results(
    l3: Option<AuthenticationExtensionsClientOutputsJSON>,
    api: Option<AuthenticationExtensionsClientOutputsJSON>,
) -> Result<AuthenticationExtensionsClientOutputsJSON, JsonError> {
    match (l3, api) {
        (Some(a), Some(b)) if a != b => Err(JsonError::ConflictingMembers {
            first: "clientExtensionResults",
            second: "getClientExtensionResults",
        }),
        (Some(a), _) | (None, Some(a)) => Ok(a),
        (None, None) => Ok(Default::default()),
    }
}

/// The members of an L3 [`RegistrationResponseJSON`] that the conformance API's attestation result does
/// not carry. All but `authenticator_attachment` are derived from `attestationObject` (WebAuthn §5.2.1.1);
/// a caller that has parsed it supplies them to
/// [`ServerAttestationCredential::into_registration_response`].
#[derive(Debug, Clone, PartialEq)]
pub struct RegistrationExtras {
    /// The authenticator data inside the attestation object, base64url.
    pub authenticator_data: String,
    /// The transports to report (the API carries none; empty is what a client reports when it does not
    /// know).
    pub transports: Vec<String>,
    /// The public key as a DER SubjectPublicKeyInfo, base64url, if known.
    pub public_key: Option<String>,
    /// The COSE algorithm of the credential public key.
    pub public_key_algorithm: i32,
    /// The authenticator attachment, if known.
    pub authenticator_attachment: Option<String>,
}

/// Splits an L3 registration response into the conformance API's attestation result and the members it
/// has no room for. [`ServerAttestationCredential::into_registration_response`] puts them back together.
///
/// The result carries `rawId` and puts the extension outputs under `getClientExtensionResults`, the name
/// in the API's IDL.
pub fn split_registration(r: RegistrationResponseJSON) -> (ServerAttestationCredential, RegistrationExtras) {
    let extras = RegistrationExtras {
        authenticator_data: r.response.authenticator_data.clone(),
        transports: r.response.transports.clone(),
        public_key: r.response.public_key.clone(),
        public_key_algorithm: r.response.public_key_algorithm,
        authenticator_attachment: r.authenticator_attachment,
    };
    let credential = ServerPublicKeyCredential {
        id: r.id,
        raw_id: Some(r.raw_id),
        response: r.response.into(),
        get_client_extension_results: Some(r.client_extension_results),
        client_extension_results: None,
        type_: r.type_,
    };
    (credential, extras)
}

impl From<RegistrationResponseJSON> for ServerAttestationCredential {
    /// [`split_registration`] without the extras.
    fn from(r: RegistrationResponseJSON) -> Self {
        split_registration(r).0
    }
}

impl ServerAttestationCredential {
    /// Completes this attestation result into an L3 [`RegistrationResponseJSON`] with the members the API
    /// does not carry.
    ///
    /// `rawId` is taken from `id` when absent (in L3 `id` is by definition the base64url of the raw ID);
    /// the extension outputs come from [`Self::resolved_client_extension_results`]. Nothing else is
    /// changed or checked: a `rawId` that differs from `id` stays as it is.
    pub fn into_registration_response(
        self,
        extras: RegistrationExtras,
    ) -> Result<RegistrationResponseJSON, JsonError> {
        let client_extension_results =
            resolve_extension_results(self.client_extension_results, self.get_client_extension_results)?;
        Ok(RegistrationResponseJSON {
            raw_id: self.raw_id.unwrap_or_else(|| self.id.clone()),
            id: self.id,
            response: AuthenticatorAttestationResponseJSON {
                client_data_json: self.response.client_data_json,
                authenticator_data: extras.authenticator_data,
                transports: extras.transports,
                public_key: extras.public_key,
                public_key_algorithm: extras.public_key_algorithm,
                attestation_object: self.response.attestation_object,
            },
            authenticator_attachment: extras.authenticator_attachment,
            client_extension_results,
            type_: self.type_,
        })
    }
}

impl From<AuthenticationResponseJSON> for ServerAssertionCredential {
    /// Keeps everything but `authenticatorAttachment`, which the API has no member for; the extension
    /// outputs go under `getClientExtensionResults`.
    fn from(a: AuthenticationResponseJSON) -> Self {
        ServerPublicKeyCredential {
            id: a.id,
            raw_id: Some(a.raw_id),
            response: a.response,
            get_client_extension_results: Some(a.client_extension_results),
            client_extension_results: None,
            type_: a.type_,
        }
    }
}

impl TryFrom<ServerAssertionCredential> for AuthenticationResponseJSON {
    type Error = JsonError;

    /// `rawId` is taken from `id` when absent; the extension outputs come from
    /// [`ServerPublicKeyCredential::resolved_client_extension_results`] (the one error);
    /// `authenticatorAttachment` is left absent.
    fn try_from(c: ServerAssertionCredential) -> Result<Self, JsonError> {
        let client_extension_results =
            resolve_extension_results(c.client_extension_results, c.get_client_extension_results)?;
        Ok(AuthenticationResponseJSON {
            raw_id: c.raw_id.unwrap_or_else(|| c.id.clone()),
            id: c.id,
            response: c.response,
            authenticator_attachment: None,
            client_extension_results,
            type_: c.type_,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base64url::Base64Error;
    use crate::json::tests::*;
    use crate::json::{
        attestation_conveyance, authenticator_attachment, hints, parse, public_key_credential_type, to_vec,
        user_verification, MAX_JSON_LEN,
    };
    use proptest::prelude::*;
    use serde_json::Value;

    // The example messages of the conformance API document (§1.4 of the project's notes), verbatim.

    const ATTESTATION_OPTIONS_REQUEST: &str = r#"{"username":"johndoe@example.com","displayName":"John Doe",
 "authenticatorSelection":{"requireResidentKey":false,"authenticatorAttachment":"cross-platform","userVerification":"preferred"},
 "attestation":"direct"}"#;

    const ATTESTATION_OPTIONS_RESPONSE: &str = r#"{"status":"ok","errorMessage":"",
 "rp":{"name":"Example Corporation"},
 "user":{"id":"S3932ee31vKEC0JtJMIQ","name":"johndoe@example.com","displayName":"John Doe"},
 "challenge":"uhUjPNlZfvn7onwuhNdsLPkkE5Fv-lUN",
 "pubKeyCredParams":[{"type":"public-key","alg":-7}],
 "timeout":10000,
 "excludeCredentials":[{"type":"public-key","id":"opQf1WmYAa5aupUKJIQp"}],
 "authenticatorSelection":{"requireResidentKey":false,"authenticatorAttachment":"cross-platform","userVerification":"preferred"},
 "attestation":"direct"}"#;

    const ATTESTATION_RESULT_REQUEST: &str = r#"{"id":"LFdoCFJTyB82…","response":{"clientDataJSON":"eyJjaGFs…","attestationObject":"o2NmbXRo…"},
 "getClientExtensionResults":{},"type":"public-key"}"#;

    const ASSERTION_OPTIONS_REQUEST: &str =
        r#"{"username":"johndoe@example.com","userVerification":"required"}"#;

    const ASSERTION_OPTIONS_RESPONSE: &str = r#"{"status":"ok","errorMessage":"","challenge":"6283u0svT-YIF3pSolzkQHStwkJCaLKx","timeout":20000,
 "rpId":"example.com","allowCredentials":[{"id":"m7xl_TkTcCe0WcXI2M-4ro9vJAuwcj4m","type":"public-key"}],
 "userVerification":"required"}"#;

    const ASSERTION_RESULT_REQUEST: &str = r#"{"id":"LFdoCFJTyB82…","response":{"authenticatorData":"SZYN5YgO…","signature":"MEYCIQCv…","userHandle":"",
 "clientDataJSON":"eyJjaGFs…"},"getClientExtensionResults":{},"type":"public-key"}"#;

    const ERROR_RESPONSES: [&str; 3] = [
        r#"{"status":"failed","errorMessage":"Missing challenge field!"}"#,
        r#"{"status":"failed","errorMessage":"Can not validate response signature!"}"#,
        r#"{"status":"failed","errorMessage":"User does not exists!"}"#,
    ];

    #[test]
    fn example_attestation_options_request() {
        let r: ServerPublicKeyCredentialCreationOptionsRequest =
            parse(ATTESTATION_OPTIONS_REQUEST.as_bytes()).unwrap();
        assert_eq!(r.username, "johndoe@example.com");
        assert_eq!(r.display_name, "John Doe");
        assert_eq!(r.attestation.as_deref(), Some(attestation_conveyance::DIRECT));
        let s = r.authenticator_selection.unwrap();
        assert_eq!(s.require_resident_key, Some(false));
        assert_eq!(s.authenticator_attachment.as_deref(), Some(authenticator_attachment::CROSS_PLATFORM));
        assert_eq!(s.user_verification.as_deref(), Some(user_verification::PREFERRED));
        assert_eq!(s.resident_key, None);
        assert_eq!(r.extensions, None);
    }

    #[test]
    fn example_attestation_options_response() {
        let r: ServerPublicKeyCredentialCreationOptionsResponse =
            parse(ATTESTATION_OPTIONS_RESPONSE.as_bytes()).unwrap();
        assert_eq!(r.status, status::OK);
        assert_eq!(r.error_message, "");
        assert_eq!(r.rp, PublicKeyCredentialRpEntity { name: "Example Corporation".into(), id: None });
        assert_eq!(r.user.id_bytes().unwrap().len(), 15);
        assert_eq!(r.user.name, "johndoe@example.com");
        assert_eq!(r.challenge_bytes().unwrap().len(), 24);
        assert_eq!(
            r.pub_key_cred_params,
            vec![PublicKeyCredentialParameters {
                type_: public_key_credential_type::PUBLIC_KEY.into(),
                alg: -7
            }]
        );
        assert_eq!(r.timeout, Some(10000));
        let excluded = r.exclude_credentials.as_deref().unwrap();
        assert_eq!(excluded.len(), 1);
        assert_eq!(excluded[0].id_bytes().unwrap().len(), 15);
        assert_eq!(r.attestation.as_deref(), Some("direct"));

        let (response, options) = r.clone().into_parts();
        assert!(response.is_ok());
        assert_eq!(options.effective_attestation(), "direct");
        assert_eq!(ServerPublicKeyCredentialCreationOptionsResponse::from_parts(response, options), r);
    }

    #[test]
    fn example_attestation_result_request() {
        let c = parse_attestation_result(ATTESTATION_RESULT_REQUEST.as_bytes()).unwrap();
        assert_eq!(c.id, "LFdoCFJTyB82…");
        assert_eq!(c.raw_id, None);
        assert_eq!(c.type_, "public-key");
        assert_eq!(c.response.client_data_json, "eyJjaGFs…");
        assert_eq!(c.response.attestation_object, "o2NmbXRo…");
        assert_eq!(c.get_client_extension_results, Some(Default::default()));
        assert_eq!(c.client_extension_results, None);
        // The document elides the values with "…", which is not base64url.
        assert!(matches!(
            c.id_bytes(),
            Err(JsonError::Base64 {
                field: "id",
                source: Base64Error::InvalidCharacter { offset: 12, found: '…' }
            })
        ));
        assert!(matches!(
            c.response.attestation_object_bytes(),
            Err(JsonError::Base64 { field: "response.attestationObject", .. })
        ));
        assert!(matches!(
            c.response.client_data_json_bytes(),
            Err(JsonError::Base64 { field: "response.clientDataJSON", .. })
        ));
        // Not an L3 RegistrationResponseJSON: that needs response.authenticatorData, rawId, ...
        let (path, msg) = json_error::<RegistrationResponseJSON>(ATTESTATION_RESULT_REQUEST.as_bytes());
        assert_eq!(path, "response");
        assert!(msg.contains("missing field `authenticatorData`"), "{msg}");
    }

    #[test]
    fn example_assertion_options_request() {
        let r: ServerPublicKeyCredentialGetOptionsRequest =
            parse(ASSERTION_OPTIONS_REQUEST.as_bytes()).unwrap();
        assert_eq!(r.username, "johndoe@example.com");
        assert_eq!(r.user_verification.as_deref(), Some(user_verification::REQUIRED));
        assert_eq!(r.extensions, None);
        assert_eq!(to_vec(&r).unwrap(), ASSERTION_OPTIONS_REQUEST.as_bytes());
    }

    #[test]
    fn example_assertion_options_response() {
        let r: ServerPublicKeyCredentialGetOptionsResponse =
            parse(ASSERTION_OPTIONS_RESPONSE.as_bytes()).unwrap();
        assert_eq!(r.status, status::OK);
        assert_eq!(r.challenge_bytes().unwrap().len(), 24);
        assert_eq!(r.timeout, Some(20000));
        assert_eq!(r.rp_id.as_deref(), Some("example.com"));
        assert_eq!(r.allow_credentials.as_deref().unwrap()[0].id_bytes().unwrap().len(), 24);
        assert_eq!(r.user_verification.as_deref(), Some("required"));

        let options = PublicKeyCredentialRequestOptionsJSON::from(r.clone());
        assert_eq!(options.effective_user_verification(), "required");
        let (response, options) = r.clone().into_parts();
        assert_eq!(ServerPublicKeyCredentialGetOptionsResponse::from_parts(response, options), r);
    }

    #[test]
    fn example_assertion_result_request() {
        let c = parse_assertion_result(ASSERTION_RESULT_REQUEST.as_bytes()).unwrap();
        assert_eq!(c.response.user_handle.as_deref(), Some(""));
        assert_eq!(c.response.user_handle_bytes().unwrap(), Some(Vec::new()));
        assert_eq!(c.response.authenticator_data, "SZYN5YgO…");
        assert_eq!(c.response.signature, "MEYCIQCv…");
        assert!(matches!(
            c.response.signature_bytes(),
            Err(JsonError::Base64 { field: "response.signature", .. })
        ));

        let a = AuthenticationResponseJSON::try_from(c.clone()).unwrap();
        assert_eq!(a.raw_id, c.id, "rawId defaults to id");
        assert!(a.client_extension_results.is_empty());
        assert_eq!(a.response, c.response);
    }

    #[test]
    fn example_error_responses() {
        for body in ERROR_RESPONSES {
            let r: ServerResponse = parse(body.as_bytes()).unwrap();
            assert!(!r.is_ok());
            assert_eq!(r.status, status::FAILED);
            assert!(!r.error_message.is_empty());
        }
        assert_eq!(
            to_vec(&ServerResponse::failed("Missing challenge field!")).unwrap(),
            ERROR_RESPONSES[0].as_bytes()
        );
        assert_eq!(to_vec(&ServerResponse::ok()).unwrap(), br#"{"status":"ok","errorMessage":""}"#);
    }

    #[test]
    fn server_response_requires_both_members() {
        // SimpleWebAuthn's error shape: no status.
        let (_, msg) = json_error::<ServerResponse>(br#"{"errorMessage":"nope"}"#);
        assert!(msg.contains("missing field `status`"), "{msg}");
        let (_, msg) = json_error::<ServerResponse>(br#"{"status":"ok"}"#);
        assert!(msg.contains("missing field `errorMessage`"), "{msg}");
        let (_, msg) = json_error::<ServerPublicKeyCredentialCreationOptionsRequest>(br#"{"username":"a"}"#);
        assert!(msg.contains("missing field `displayName`"), "{msg}");
    }

    #[test]
    fn what_the_tool_actually_sends() {
        // The virtual client sends rawId and (in some versions) no extension results.
        let body = br#"{"id":"AAEC","rawId":"AAEC","response":{"attestationObject":"o2Nm","clientDataJSON":"e30"},"type":"public-key"}"#;
        let c = parse_attestation_result(body).unwrap();
        assert_eq!(c.raw_id_bytes().unwrap(), Some(vec![0, 1, 2]));
        assert_eq!(c.id_bytes().unwrap(), vec![0, 1, 2]);
        assert_eq!(c.response.client_data_json_bytes().unwrap(), b"{}");
        assert_eq!(c.get_client_extension_results, None);
        let extras = RegistrationExtras {
            authenticator_data: "SZYN".into(),
            transports: vec![],
            public_key: None,
            public_key_algorithm: -7,
            authenticator_attachment: None,
        };
        let r = c.into_registration_response(extras).unwrap();
        assert!(r.client_extension_results.is_empty());
        assert_eq!(r.response.attestation_object, "o2Nm");
        assert_eq!(r.response.authenticator_data, "SZYN");
        assert_eq!(r.response.public_key_algorithm, -7);
    }

    #[test]
    fn l3_name_for_extension_results_is_accepted() {
        let body = br#"{"id":"AA","response":{"authenticatorData":"","signature":"","clientDataJSON":""},"clientExtensionResults":{"appid":true},"type":"public-key"}"#;
        let c = parse_assertion_result(body).unwrap();
        assert_eq!(c.resolved_client_extension_results().unwrap()["appid"], Value::Bool(true));
        assert_eq!(c.response.user_handle, None);
        let a = AuthenticationResponseJSON::try_from(c).unwrap();
        assert_eq!(a.client_extension_results["appid"], Value::Bool(true));
    }

    #[test]
    fn error_conflicting_extension_results() {
        let body = br#"{"id":"AA","response":{"authenticatorData":"","signature":"","clientDataJSON":""},
            "getClientExtensionResults":{},"clientExtensionResults":{"appid":true},"type":"public-key"}"#;
        let c = parse_assertion_result(body).unwrap();
        let conflict = JsonError::ConflictingMembers {
            first: "clientExtensionResults",
            second: "getClientExtensionResults",
        };
        let err = c.resolved_client_extension_results().unwrap_err();
        assert_eq!(err.to_string(), conflict.to_string());
        let err = AuthenticationResponseJSON::try_from(c).unwrap_err();
        assert!(matches!(
            err,
            JsonError::ConflictingMembers {
                first: "clientExtensionResults",
                second: "getClientExtensionResults"
            }
        ));

        // The same map under both names is no conflict.
        let body = br#"{"id":"AA","response":{"clientDataJSON":"","attestationObject":""},
            "getClientExtensionResults":{"a":1},"clientExtensionResults":{"a":1},"type":"public-key"}"#;
        let c = parse_attestation_result(body).unwrap();
        assert_eq!(c.resolved_client_extension_results().unwrap()["a"], Value::from(1));

        let c = ServerAttestationCredential { get_client_extension_results: Some(Default::default()), ..c };
        let extras = RegistrationExtras {
            authenticator_data: String::new(),
            transports: vec![],
            public_key: None,
            public_key_algorithm: -7,
            authenticator_attachment: None,
        };
        assert!(matches!(c.into_registration_response(extras), Err(JsonError::ConflictingMembers { .. })));
    }

    #[test]
    fn error_json_in_a_result_names_the_path() {
        let (path, msg) = json_error::<ServerAttestationCredential>(
            br#"{"id":"AA","response":{"clientDataJSON":""},"type":"public-key"}"#,
        );
        assert_eq!(path, "response");
        assert!(msg.contains("missing field `attestationObject`"), "{msg}");
        let (path, _) = json_error::<ServerAssertionCredential>(
            br#"{"id":"AA","response":{"clientDataJSON":"","authenticatorData":"","signature":7},"type":"public-key"}"#,
        );
        assert_eq!(path, "response.signature");
    }

    #[test]
    fn error_too_large_result() {
        let big = vec![b'{'; MAX_JSON_LEN * 10];
        assert!(matches!(parse_attestation_result(&big), Err(JsonError::TooLarge { .. })));
        assert!(matches!(parse_assertion_result(&big), Err(JsonError::TooLarge { .. })));
    }

    // ---- strategies ----

    fn arb_server_response() -> impl Strategy<Value = ServerResponse> {
        (arb_enum(status::ALL), arb_text())
            .prop_map(|(status, error_message)| ServerResponse { status, error_message })
    }

    fn arb_creation_request() -> impl Strategy<Value = ServerPublicKeyCredentialCreationOptionsRequest> {
        (
            arb_text(),
            arb_text(),
            proptest::option::of(arb_selection()),
            proptest::option::of(arb_enum(attestation_conveyance::ALL)),
            proptest::option::of(arb_extensions()),
        )
            .prop_map(
                |(username, display_name, authenticator_selection, attestation, extensions)| {
                    ServerPublicKeyCredentialCreationOptionsRequest {
                        username,
                        display_name,
                        authenticator_selection,
                        attestation,
                        extensions,
                    }
                },
            )
    }

    fn arb_creation_response() -> impl Strategy<Value = ServerPublicKeyCredentialCreationOptionsResponse> {
        (
            (
                arb_server_response(),
                arb_rp(),
                arb_user(),
                arb_b64(),
                arb_params(),
                proptest::option::of(any::<u32>()),
            ),
            (
                arb_descriptors(),
                proptest::option::of(arb_selection()),
                proptest::option::of(arb_enum(attestation_conveyance::ALL)),
                proptest::option::of(arb_extensions()),
                proptest::option::of(arb_strings(hints::ALL)),
                proptest::option::of(arb_strings(&["packed", "none"])),
            ),
        )
            .prop_map(
                |(
                    (response, rp, user, challenge, pub_key_cred_params, timeout),
                    (
                        exclude_credentials,
                        authenticator_selection,
                        attestation,
                        extensions,
                        hints,
                        attestation_formats,
                    ),
                )| ServerPublicKeyCredentialCreationOptionsResponse {
                    status: response.status,
                    error_message: response.error_message,
                    rp,
                    user,
                    challenge,
                    pub_key_cred_params,
                    timeout,
                    exclude_credentials,
                    authenticator_selection,
                    attestation,
                    extensions,
                    hints,
                    attestation_formats,
                },
            )
    }

    fn arb_get_request() -> impl Strategy<Value = ServerPublicKeyCredentialGetOptionsRequest> {
        (
            arb_text(),
            proptest::option::of(arb_enum(user_verification::ALL)),
            proptest::option::of(arb_extensions()),
        )
            .prop_map(|(username, user_verification, extensions)| {
                ServerPublicKeyCredentialGetOptionsRequest { username, user_verification, extensions }
            })
    }

    fn arb_get_response() -> impl Strategy<Value = ServerPublicKeyCredentialGetOptionsResponse> {
        (
            arb_server_response(),
            arb_b64(),
            proptest::option::of(any::<u32>()),
            proptest::option::of(arb_text()),
            arb_descriptors(),
            proptest::option::of(arb_enum(user_verification::ALL)),
            proptest::option::of(arb_extensions()),
            proptest::option::of(arb_strings(hints::ALL)),
        )
            .prop_map(
                |(
                    response,
                    challenge,
                    timeout,
                    rp_id,
                    allow_credentials,
                    user_verification,
                    extensions,
                    hints,
                )| {
                    ServerPublicKeyCredentialGetOptionsResponse {
                        status: response.status,
                        error_message: response.error_message,
                        challenge,
                        timeout,
                        rp_id,
                        allow_credentials,
                        user_verification,
                        extensions,
                        hints,
                    }
                },
            )
    }

    fn arb_credential<R: std::fmt::Debug>(
        response: impl Strategy<Value = R>,
    ) -> impl Strategy<Value = ServerPublicKeyCredential<R>> {
        (
            arb_b64(),
            proptest::option::of(arb_b64()),
            response,
            proptest::option::of(arb_extensions()),
            proptest::option::of(arb_extensions()),
            arb_enum(public_key_credential_type::ALL),
        )
            .prop_map(
                |(id, raw_id, response, get_client_extension_results, client_extension_results, type_)| {
                    ServerPublicKeyCredential {
                        id,
                        raw_id,
                        response,
                        get_client_extension_results,
                        client_extension_results,
                        type_,
                    }
                },
            )
    }

    fn arb_server_attestation_response() -> impl Strategy<Value = ServerAuthenticatorAttestationResponse> {
        (arb_b64(), arb_b64()).prop_map(|(client_data_json, attestation_object)| {
            ServerAuthenticatorAttestationResponse { client_data_json, attestation_object }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn server_response_round_trip(r in arb_server_response()) {
            round_trips(&r)?;
        }

        #[test]
        fn creation_request_round_trip(r in arb_creation_request()) {
            round_trips(&r)?;
        }

        #[test]
        fn creation_response_round_trip(r in arb_creation_response()) {
            round_trips(&r)?;
            let (status, options) = r.clone().into_parts();
            prop_assert_eq!(ServerPublicKeyCredentialCreationOptionsResponse::from_parts(status, options), r);
        }

        #[test]
        fn get_request_round_trip(r in arb_get_request()) {
            round_trips(&r)?;
        }

        #[test]
        fn get_response_round_trip(r in arb_get_response()) {
            round_trips(&r)?;
            let (status, options) = r.clone().into_parts();
            prop_assert_eq!(ServerPublicKeyCredentialGetOptionsResponse::from_parts(status, options), r);
        }

        #[test]
        fn attestation_result_round_trip(c in arb_credential(arb_server_attestation_response())) {
            round_trips(&c)?;
        }

        #[test]
        fn assertion_result_round_trip(c in arb_credential(arb_assertion_response())) {
            round_trips(&c)?;
        }

        #[test]
        fn registration_converts_without_loss(r in arb_registration()) {
            let (credential, extras) = split_registration(r.clone());
            prop_assert_eq!(ServerAttestationCredential::from(r.clone()), credential.clone());
            prop_assert_eq!(credential.into_registration_response(extras).unwrap(), r);
        }

        #[test]
        fn authentication_converts_without_loss(a in arb_authentication()) {
            let a = AuthenticationResponseJSON { authenticator_attachment: None, ..a };
            let c = ServerAssertionCredential::from(a.clone());
            prop_assert_eq!(AuthenticationResponseJSON::try_from(c.clone()).unwrap(), a);
            // And back: the API shape that From produces survives the trip too.
            let back = AuthenticationResponseJSON::try_from(c.clone()).unwrap();
            prop_assert_eq!(ServerAssertionCredential::from(back), c);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_attestation_result(&bytes);
            let _ = parse_assertion_result(&bytes);
            let _ = parse::<ServerResponse>(&bytes);
            let _ = parse::<ServerPublicKeyCredentialCreationOptionsRequest>(&bytes);
            let _ = parse::<ServerPublicKeyCredentialCreationOptionsResponse>(&bytes);
            let _ = parse::<ServerPublicKeyCredentialGetOptionsRequest>(&bytes);
            let _ = parse::<ServerPublicKeyCredentialGetOptionsResponse>(&bytes);
        }

        #[test]
        fn flipped_or_truncated_results_never_panic(
            c in arb_credential(arb_assertion_response()), at in any::<prop::sample::Index>(), bit in 0u8..8,
        ) {
            let bytes = to_vec(&c).unwrap();
            let i = at.index(bytes.len());
            let mut flipped = bytes.clone();
            if let Some(b) = flipped.get_mut(i) {
                *b ^= 1 << bit;
            }
            if let Ok(parsed) = parse_assertion_result(&flipped) {
                let _ = parsed.raw_id_bytes();
                let _ = AuthenticationResponseJSON::try_from(parsed);
            }
            let truncated = bytes.get(..i).unwrap_or_default();
            prop_assert!(parse_assertion_result(truncated).is_err());
            prop_assert!(parse_attestation_result(truncated).is_err());
        }
    }
}
