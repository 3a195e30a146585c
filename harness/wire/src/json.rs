//! The WebAuthn L3 JSON serialization: what `PublicKeyCredential.toJSON()` produces (§5.1) and what
//! `parseCreationOptionsFromJSON()` / `parseRequestOptionsFromJSON()` consume (§5.1.8, §5.1.9), plus the
//! plain dictionaries those use (§5.3, §5.4, §5.8.3).
//!
//! The FIDO2 server conformance API messages, which reuse most of these types, are in
//! [`crate::conformance`].
//!
//! # What the types hold
//!
//! * Member names are exactly the IDL's (`rawId`, `clientDataJSON`, `pubKeyCredParams`, `type`, ...).
//! * A `required` member is a plain field: a message without it does not parse, and the error names it.
//!   Every other member is an `Option`, written only when `Some`, so a builder can say "absent" and
//!   "present with the IDL default" apart (`excludeCredentials` missing vs `[]`, `attestation` missing vs
//!   `"none"`). The `effective_*` methods apply the IDL defaults for readers.
//! * `Base64URLString` members stay `String`. Decoding is the caller's job so it can report which member
//!   was bad and choose strictness: the `*_bytes` helpers decode with the strict [`base64url::decode`] and
//!   name the member in [`JsonError::Base64`]; callers who want leniency run
//!   [`base64url::decode_lenient`] on the string themselves.
//! * Enumeration-like `DOMString` members (`type`, `attestation`, `userVerification`, `residentKey`,
//!   `authenticatorAttachment`, `transports`, `hints`) stay `String`: the spec has clients ignore values
//!   they do not know, and a harness must be able to send any string. The known values are constants in
//!   the small modules at the end of this file ([`user_verification::REQUIRED`], ...).
//! * Extension inputs and outputs (§5.7) are open-ended: a JSON object kept as
//!   `serde_json::Map<String, Value>`, in wire order.
//!
//! # Parsing choices (deliberate, documented here because they differ from WebIDL in places)
//!
//! * **Unknown members are ignored**, as WebIDL's dictionary conversion ignores members a dictionary does
//!   not declare. A re-serialized value therefore lacks them. A harness that wants to flag unknown members
//!   looks at the message as a `serde_json::Value`.
//! * **A member given twice is an error** (`duplicate field`) for the declared members. Inside extension
//!   maps the last occurrence wins (serde_json's object semantics).
//! * **`null` for an optional member reads as absent.** WebIDL would convert `null` per type (to `"null"`
//!   for a `DOMString`, to 0 for a number); server-side parsers treat it as absent, and so does this
//!   module. `null` for a required member is an error.
//! * **Numbers must be JSON integers in the IDL type's range**: `COSEAlgorithmIdentifier` (`long`) is
//!   `i32`, `timeout` (`unsigned long`) is `u32`. `60000.0` or `-1` for `timeout` is an error, where
//!   WebIDL would coerce.
//! * **Limits**: the parse functions refuse inputs over [`MAX_JSON_LEN`] bytes before reading them
//!   ([`JsonError::TooLarge`]), and serde_json stops nesting at depth 128 (in extension values), so
//!   hostile input fails fast with a typed error. Trailing non-whitespace after the value is an error.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::base64url::{self, Base64Error};

/// The largest JSON message the parse functions read: 1 MiB. WebAuthn messages are a few KiB; even an
/// attestation with a long certificate chain stays far below this.
pub const MAX_JSON_LEN: usize = 1 << 20;

/// Why a JSON message could not be read or one of its members decoded.
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    /// The input is longer than the parse functions accept; nothing was read.
    #[error("JSON input of {len} bytes exceeds the limit of {limit} bytes")]
    TooLarge { len: usize, limit: usize },
    /// Not JSON, or JSON of the wrong shape: a required member missing, a wrong type, a duplicate member,
    /// nesting too deep, trailing data. `path` is where it went wrong (`.` for the top level,
    /// `response.attestationObject`, `pubKeyCredParams[0].alg`); serde_json's message adds the line and
    /// column.
    #[error("invalid JSON at `{path}`: {source}")]
    Json { path: String, source: serde_json::Error },
    /// A `Base64URLString` member is not strict unpadded base64url. `field` is its path in the message.
    #[error("member `{field}` is not strict base64url: {source}")]
    Base64 { field: &'static str, source: Base64Error },
    /// Two members that carry the same thing are both present with different values, so a conversion
    /// cannot pick one (e.g. `clientExtensionResults` and `getClientExtensionResults`).
    #[error("members `{first}` and `{second}` are both present with different values")]
    ConflictingMembers { first: &'static str, second: &'static str },
}

/// What kind of JSON value `v` is, for messages: `null`, `a string`, `an array`...
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses one JSON value of type `T` that fills the whole input (whitespace aside), at most
/// [`MAX_JSON_LEN`] bytes. Errors carry the path of the offending member.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, JsonError> {
    if bytes.len() > MAX_JSON_LEN {
        return Err(JsonError::TooLarge { len: bytes.len(), limit: MAX_JSON_LEN });
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| JsonError::Json { path: e.path().to_string(), source: e.into_inner() })?;
    de.end().map_err(|source| JsonError::Json { path: ".".to_owned(), source })?;
    Ok(value)
}

/// Serializes `value` as compact JSON, members in declaration order, absent members left out.
///
/// Fails only if `T`'s `Serialize` does; for the types of this module and [`crate::conformance`] it
/// cannot.
pub fn to_vec<T: Serialize>(value: &T) -> Result<Vec<u8>, JsonError> {
    serde_json::to_vec(value).map_err(|source| JsonError::Json { path: ".".to_owned(), source })
}

/// Parses the JSON a client sends after a registration ceremony (§5.1 `toJSON()`).
pub fn parse_registration_response(bytes: &[u8]) -> Result<RegistrationResponseJSON, JsonError> {
    parse(bytes)
}

/// Parses the JSON a client sends after an authentication ceremony (§5.1 `toJSON()`).
pub fn parse_authentication_response(bytes: &[u8]) -> Result<AuthenticationResponseJSON, JsonError> {
    parse(bytes)
}

/// Strictly decodes one base64url member, naming it in the error.
pub(crate) fn decode_member(field: &'static str, value: &str) -> Result<Vec<u8>, JsonError> {
    base64url::decode(value).map_err(|source| JsonError::Base64 { field, source })
}

fn decode_optional_member(field: &'static str, value: Option<&str>) -> Result<Option<Vec<u8>>, JsonError> {
    value.map(|v| decode_member(field, v)).transpose()
}

/// `AuthenticationExtensionsClientInputsJSON` (§5.1.8, §5.7.1): extension identifier → input, with any
/// binary values base64url-encoded. Open-ended, so kept as a JSON object.
pub type AuthenticationExtensionsClientInputsJSON = Map<String, Value>;

/// `AuthenticationExtensionsClientOutputsJSON` (§5.1, §5.7.2): extension identifier → client output, as
/// `getClientExtensionResults()` returned it with binary values base64url-encoded.
pub type AuthenticationExtensionsClientOutputsJSON = Map<String, Value>;

/// `RegistrationResponseJSON` (§5.1): the JSON form of the credential `navigator.credentials.create()`
/// returned, as a client submits it to the relying party.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationResponseJSON {
    /// The credential ID as base64url (the `id` attribute of the credential).
    pub id: String,
    /// The same credential ID, base64url-encoded from the raw bytes.
    pub raw_id: String,
    /// What the authenticator returned, and copies of parts of it.
    pub response: AuthenticatorAttestationResponseJSON,
    /// How the authenticator was attached for this ceremony (`platform`, `cross-platform`), if known
    /// ([`authenticator_attachment`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<String>,
    /// The client extension outputs (`getClientExtensionResults()`), required even when empty.
    pub client_extension_results: AuthenticationExtensionsClientOutputsJSON,
    /// The credential type, `public-key` ([`public_key_credential_type::PUBLIC_KEY`]).
    #[serde(rename = "type")]
    pub type_: String,
}

impl RegistrationResponseJSON {
    /// Decodes `id` (which should carry the same bytes as `rawId`).
    pub fn id_bytes(&self) -> Result<Vec<u8>, JsonError> {
        decode_member("id", &self.id)
    }

    /// Decodes `rawId`: the credential ID.
    pub fn raw_id_bytes(&self) -> Result<Vec<u8>, JsonError> {
        decode_member("rawId", &self.raw_id)
    }
}

/// `AuthenticatorAttestationResponseJSON` (§5.1, §5.2.1): the authenticator's answer to a registration.
///
/// `authenticatorData`, `transports`, `publicKey` and `publicKeyAlgorithm` are conveniences the client
/// derives (§5.2.1.1 "Easily accessing credential data"); `attestationObject` holds the authoritative data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticatorAttestationResponseJSON {
    /// The serialized client data (§5.8.1), base64url.
    #[serde(rename = "clientDataJSON")]
    pub client_data_json: String,
    /// The authenticator data inside `attestationObject`, base64url (`getAuthenticatorData()`).
    pub authenticator_data: String,
    /// The transports the authenticator is believed to support (`getTransports()`), possibly empty
    /// ([`authenticator_transport`]).
    pub transports: Vec<String>,
    /// The credential public key as a DER SubjectPublicKeyInfo, base64url (`getPublicKey()`). Absent when
    /// the client does not understand the key's algorithm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// The COSE algorithm identifier of the new credential (§5.8.5, `getPublicKeyAlgorithm()`).
    pub public_key_algorithm: i32,
    /// The attestation object (§6.5), base64url.
    pub attestation_object: String,
}

impl AuthenticatorAttestationResponseJSON {
    /// Decodes `clientDataJSON`.
    pub fn client_data_json_bytes(&self) -> Result<Vec<u8>, JsonError> {
        decode_member("response.clientDataJSON", &self.client_data_json)
    }

    /// Decodes `authenticatorData`.
    pub fn authenticator_data_bytes(&self) -> Result<Vec<u8>, JsonError> {
        decode_member("response.authenticatorData", &self.authenticator_data)
    }

    /// Decodes `publicKey` if present.
    pub fn public_key_bytes(&self) -> Result<Option<Vec<u8>>, JsonError> {
        decode_optional_member("response.publicKey", self.public_key.as_deref())
    }

    /// Decodes `attestationObject`.
    pub fn attestation_object_bytes(&self) -> Result<Vec<u8>, JsonError> {
        decode_member("response.attestationObject", &self.attestation_object)
    }
}

/// `AuthenticationResponseJSON` (§5.1): the JSON form of the credential `navigator.credentials.get()`
/// returned, as a client submits it to the relying party.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationResponseJSON {
    /// The credential ID as base64url.
    pub id: String,
    /// The same credential ID, base64url-encoded from the raw bytes.
    pub raw_id: String,
    /// The assertion.
    pub response: AuthenticatorAssertionResponseJSON,
    /// How the authenticator was attached for this ceremony, if known ([`authenticator_attachment`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<String>,
    /// The client extension outputs, required even when empty.
    pub client_extension_results: AuthenticationExtensionsClientOutputsJSON,
    /// The credential type, `public-key`.
    #[serde(rename = "type")]
    pub type_: String,
}

impl AuthenticationResponseJSON {
    /// Decodes `id` (which should carry the same bytes as `rawId`).
    pub fn id_bytes(&self) -> Result<Vec<u8>, JsonError> {
        decode_member("id", &self.id)
    }

    /// Decodes `rawId`: the credential ID.
    pub fn raw_id_bytes(&self) -> Result<Vec<u8>, JsonError> {
        decode_member("rawId", &self.raw_id)
    }
}

/// `AuthenticatorAssertionResponseJSON` (§5.1, §5.2.2): the authenticator's signed answer to an
/// authentication ceremony. The conformance API's `ServerAuthenticatorAssertionResponse` has the same
/// members ([`crate::conformance`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticatorAssertionResponseJSON {
    /// The serialized client data (§5.8.1), base64url.
    #[serde(rename = "clientDataJSON")]
    pub client_data_json: String,
    /// The authenticator data (§6.1), base64url.
    pub authenticator_data: String,
    /// The assertion signature over `authenticatorData || SHA-256(clientDataJSON)`, base64url.
    pub signature: String,
    /// The user handle the authenticator returned, base64url; absent when it returned none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_handle: Option<String>,
}

impl AuthenticatorAssertionResponseJSON {
    /// Decodes `clientDataJSON`.
    pub fn client_data_json_bytes(&self) -> Result<Vec<u8>, JsonError> {
        decode_member("response.clientDataJSON", &self.client_data_json)
    }

    /// Decodes `authenticatorData`.
    pub fn authenticator_data_bytes(&self) -> Result<Vec<u8>, JsonError> {
        decode_member("response.authenticatorData", &self.authenticator_data)
    }

    /// Decodes `signature`.
    pub fn signature_bytes(&self) -> Result<Vec<u8>, JsonError> {
        decode_member("response.signature", &self.signature)
    }

    /// Decodes `userHandle` if present (an empty string decodes to an empty handle).
    pub fn user_handle_bytes(&self) -> Result<Option<Vec<u8>>, JsonError> {
        decode_optional_member("response.userHandle", self.user_handle.as_deref())
    }
}

/// `PublicKeyCredentialRpEntity` (§5.4.2): the relying party a new credential is scoped to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyCredentialRpEntity {
    /// A display name for the relying party (§5.4.1; deprecated but still required).
    pub name: String,
    /// The RP ID; when absent the client uses the caller origin's effective domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// `PublicKeyCredentialUserEntityJSON` (§5.1.8, §5.4.3): the user account a credential is created for.
/// The conformance API's `ServerPublicKeyCredentialUserEntity` has the same members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyCredentialUserEntityJSON {
    /// The user handle, base64url: opaque bytes, at most 64 of them.
    pub id: String,
    /// A name that identifies the account to the user (e.g. an e-mail address).
    pub name: String,
    /// A friendlier name for the account, for display.
    pub display_name: String,
}

impl PublicKeyCredentialUserEntityJSON {
    /// Decodes `id`: the user handle.
    pub fn id_bytes(&self) -> Result<Vec<u8>, JsonError> {
        decode_member("user.id", &self.id)
    }
}

/// `PublicKeyCredentialParameters` (§5.3): one acceptable credential type and algorithm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyCredentialParameters {
    /// The credential type, `public-key`; clients skip entries with types they do not know.
    #[serde(rename = "type")]
    pub type_: String,
    /// The COSE algorithm identifier (§5.8.5), e.g. -7 for ES256.
    pub alg: i32,
}

/// `PublicKeyCredentialDescriptorJSON` (§5.1.8, §5.8.3): names one existing credential, in
/// `excludeCredentials` or `allowCredentials`. The conformance API's `ServerPublicKeyCredentialDescriptor`
/// has the same members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyCredentialDescriptorJSON {
    /// The credential type, `public-key`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The credential ID, base64url.
    pub id: String,
    /// Hints how the client might reach the authenticator holding it ([`authenticator_transport`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transports: Option<Vec<String>>,
}

impl PublicKeyCredentialDescriptorJSON {
    /// Decodes `id`: the credential ID. The error names the member `id` (the caller knows which list the
    /// descriptor came from).
    pub fn id_bytes(&self) -> Result<Vec<u8>, JsonError> {
        decode_member("id", &self.id)
    }
}

/// `AuthenticatorSelectionCriteria` (§5.4.4): which authenticators the relying party will accept for a
/// new credential.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticatorSelectionCriteria {
    /// Restricts to `platform` or `cross-platform` authenticators; absent means either
    /// ([`authenticator_attachment`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<String>,
    /// How much the relying party wants a discoverable credential ([`resident_key`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resident_key: Option<String>,
    /// The Level 1 form of `residentKey`; IDL default `false`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_resident_key: Option<bool>,
    /// Whether user verification is wanted ([`user_verification`]); IDL default `preferred`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_verification: Option<String>,
}

impl AuthenticatorSelectionCriteria {
    /// `requireResidentKey` with its IDL default (`false`).
    pub fn effective_require_resident_key(&self) -> bool {
        self.require_resident_key.unwrap_or(false)
    }

    /// `userVerification` with its IDL default (`preferred`).
    pub fn effective_user_verification(&self) -> &str {
        self.user_verification.as_deref().unwrap_or(user_verification::PREFERRED)
    }

    /// The resident-key requirement a client acts on (§5.4.4): `residentKey` if it holds a known value,
    /// otherwise `required` if `requireResidentKey` is true and `discouraged` if not (an unknown value
    /// counts as absent).
    pub fn effective_resident_key(&self) -> &str {
        match self.resident_key.as_deref() {
            Some(known) if resident_key::ALL.contains(&known) => known,
            _ if self.effective_require_resident_key() => resident_key::REQUIRED,
            _ => resident_key::DISCOURAGED,
        }
    }
}

/// `PublicKeyCredentialCreationOptionsJSON` (§5.1.8, mirroring §5.4): the options a relying party sends
/// for a registration ceremony.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyCredentialCreationOptionsJSON {
    /// The relying party.
    pub rp: PublicKeyCredentialRpEntity,
    /// The user account.
    pub user: PublicKeyCredentialUserEntityJSON,
    /// The challenge, base64url (at least 16 random bytes, §13.5.3).
    pub challenge: String,
    /// Acceptable credential types and algorithms, most preferred first.
    pub pub_key_cred_params: Vec<PublicKeyCredentialParameters>,
    /// How long the relying party is willing to wait, in milliseconds (a hint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u32>,
    /// Credentials the user must not create again on the same authenticator; IDL default `[]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude_credentials: Option<Vec<PublicKeyCredentialDescriptorJSON>>,
    /// Requirements on the authenticator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authenticator_selection: Option<AuthenticatorSelectionCriteria>,
    /// User-agent hints, most preferred first ([`hints`]); IDL default `[]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hints: Option<Vec<String>>,
    /// The attestation conveyance preference ([`attestation_conveyance`]); IDL default `none`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation: Option<String>,
    /// Preferred attestation statement formats, most preferred first; IDL default `[]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation_formats: Option<Vec<String>>,
    /// Client extension inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensions: Option<AuthenticationExtensionsClientInputsJSON>,
}

impl PublicKeyCredentialCreationOptionsJSON {
    /// Decodes `challenge`.
    pub fn challenge_bytes(&self) -> Result<Vec<u8>, JsonError> {
        decode_member("challenge", &self.challenge)
    }

    /// `excludeCredentials` with its IDL default (empty).
    pub fn effective_exclude_credentials(&self) -> &[PublicKeyCredentialDescriptorJSON] {
        self.exclude_credentials.as_deref().unwrap_or_default()
    }

    /// `hints` with its IDL default (empty).
    pub fn effective_hints(&self) -> &[String] {
        self.hints.as_deref().unwrap_or_default()
    }

    /// `attestation` with its IDL default (`none`).
    pub fn effective_attestation(&self) -> &str {
        self.attestation.as_deref().unwrap_or(attestation_conveyance::NONE)
    }

    /// `attestationFormats` with its IDL default (empty).
    pub fn effective_attestation_formats(&self) -> &[String] {
        self.attestation_formats.as_deref().unwrap_or_default()
    }
}

/// `PublicKeyCredentialRequestOptionsJSON` (§5.1.9, mirroring §5.5): the options a relying party sends
/// for an authentication ceremony.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyCredentialRequestOptionsJSON {
    /// The challenge, base64url.
    pub challenge: String,
    /// How long the relying party is willing to wait, in milliseconds (a hint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u32>,
    /// The RP ID; when absent the client uses the caller origin's effective domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rp_id: Option<String>,
    /// Credentials acceptable for this ceremony, most preferred first; IDL default `[]` (any discoverable
    /// credential).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_credentials: Option<Vec<PublicKeyCredentialDescriptorJSON>>,
    /// Whether user verification is wanted ([`user_verification`]); IDL default `preferred`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_verification: Option<String>,
    /// User-agent hints ([`hints`]); IDL default `[]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hints: Option<Vec<String>>,
    /// Client extension inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensions: Option<AuthenticationExtensionsClientInputsJSON>,
}

impl PublicKeyCredentialRequestOptionsJSON {
    /// Decodes `challenge`.
    pub fn challenge_bytes(&self) -> Result<Vec<u8>, JsonError> {
        decode_member("challenge", &self.challenge)
    }

    /// `allowCredentials` with its IDL default (empty).
    pub fn effective_allow_credentials(&self) -> &[PublicKeyCredentialDescriptorJSON] {
        self.allow_credentials.as_deref().unwrap_or_default()
    }

    /// `userVerification` with its IDL default (`preferred`).
    pub fn effective_user_verification(&self) -> &str {
        self.user_verification.as_deref().unwrap_or(user_verification::PREFERRED)
    }

    /// `hints` with its IDL default (empty).
    pub fn effective_hints(&self) -> &[String] {
        self.hints.as_deref().unwrap_or_default()
    }
}

/// `PublicKeyCredentialType` values (§5.8.2).
pub mod public_key_credential_type {
    /// The only credential type WebAuthn defines.
    pub const PUBLIC_KEY: &str = "public-key";
    pub const ALL: &[&str] = &[PUBLIC_KEY];
}

/// `AuthenticatorAttachment` values (§5.4.5).
pub mod authenticator_attachment {
    /// Built into the client device.
    pub const PLATFORM: &str = "platform";
    /// Removable, reached over a transport such as USB, NFC, BLE or hybrid.
    pub const CROSS_PLATFORM: &str = "cross-platform";
    pub const ALL: &[&str] = &[PLATFORM, CROSS_PLATFORM];
}

/// `ResidentKeyRequirement` values (§5.4.6).
pub mod resident_key {
    /// A server-side (non-discoverable) credential is preferred.
    pub const DISCOURAGED: &str = "discouraged";
    /// A discoverable credential is wanted but not demanded.
    pub const PREFERRED: &str = "preferred";
    /// Only a discoverable credential will do.
    pub const REQUIRED: &str = "required";
    pub const ALL: &[&str] = &[DISCOURAGED, PREFERRED, REQUIRED];
}

/// `AttestationConveyancePreference` values (§5.4.7).
pub mod attestation_conveyance {
    /// No attestation wanted.
    pub const NONE: &str = "none";
    /// Attestation wanted, the client may anonymize it.
    pub const INDIRECT: &str = "indirect";
    /// The authenticator's own attestation wanted.
    pub const DIRECT: &str = "direct";
    /// Attestation that may identify the authenticator uniquely (managed deployments).
    pub const ENTERPRISE: &str = "enterprise";
    pub const ALL: &[&str] = &[NONE, INDIRECT, DIRECT, ENTERPRISE];
}

/// `AuthenticatorTransport` values (§5.8.4).
pub mod authenticator_transport {
    pub const USB: &str = "usb";
    pub const NFC: &str = "nfc";
    pub const BLE: &str = "ble";
    pub const SMART_CARD: &str = "smart-card";
    /// Data transport plus proximity, e.g. a phone reached from a desktop.
    pub const HYBRID: &str = "hybrid";
    /// A platform authenticator reached inside the device.
    pub const INTERNAL: &str = "internal";
    pub const ALL: &[&str] = &[USB, NFC, BLE, SMART_CARD, HYBRID, INTERNAL];
}

/// `UserVerificationRequirement` values (§5.8.6).
pub mod user_verification {
    /// Fail the ceremony unless the user is verified.
    pub const REQUIRED: &str = "required";
    /// Verify the user if possible.
    pub const PREFERRED: &str = "preferred";
    /// Do not verify the user unless unavoidable.
    pub const DISCOURAGED: &str = "discouraged";
    pub const ALL: &[&str] = &[REQUIRED, PREFERRED, DISCOURAGED];
}

/// `PublicKeyCredentialHint` values (§5.8.8).
pub mod hints {
    pub const SECURITY_KEY: &str = "security-key";
    pub const CLIENT_DEVICE: &str = "client-device";
    pub const HYBRID: &str = "hybrid";
    pub const ALL: &[&str] = &[SECURITY_KEY, CLIENT_DEVICE, HYBRID];
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    // ---- strategies (shared with the conformance tests) ----

    /// Any short string, including control characters and non-ASCII.
    pub(crate) fn arb_text() -> impl Strategy<Value = String> {
        prop_oneof![".{0,12}", "[a-z-]{0,12}", Just(String::new())]
    }

    /// Mostly real base64url, sometimes any string (builders must carry bad encodings too).
    pub(crate) fn arb_b64() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => proptest::collection::vec(any::<u8>(), 0..48).prop_map(|b| base64url::encode(&b)),
            1 => arb_text(),
        ]
    }

    /// An enumeration-like member: a known value or any string.
    pub(crate) fn arb_enum(known: &'static [&'static str]) -> impl Strategy<Value = String> {
        prop_oneof![3 => proptest::sample::select(known).prop_map(str::to_owned), 1 => arb_text()]
    }

    /// JSON values that survive a serde_json round trip exactly (no floats: serde_json's default float
    /// parsing is not guaranteed to round-trip every f64).
    pub(crate) fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            arb_text().prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::vec((arb_text(), inner), 0..4)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    pub(crate) fn arb_extensions() -> impl Strategy<Value = Map<String, Value>> {
        proptest::collection::vec((arb_text(), arb_value()), 0..4)
            .prop_map(|entries| entries.into_iter().collect())
    }

    pub(crate) fn arb_strings(known: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec(arb_enum(known), 0..4)
    }

    pub(crate) fn arb_descriptor() -> impl Strategy<Value = PublicKeyCredentialDescriptorJSON> {
        (
            arb_enum(public_key_credential_type::ALL),
            arb_b64(),
            proptest::option::of(arb_strings(authenticator_transport::ALL)),
        )
            .prop_map(|(type_, id, transports)| PublicKeyCredentialDescriptorJSON {
                type_,
                id,
                transports,
            })
    }

    pub(crate) fn arb_descriptors() -> impl Strategy<Value = Option<Vec<PublicKeyCredentialDescriptorJSON>>> {
        proptest::option::of(proptest::collection::vec(arb_descriptor(), 0..3))
    }

    pub(crate) fn arb_selection() -> impl Strategy<Value = AuthenticatorSelectionCriteria> {
        (
            proptest::option::of(arb_enum(authenticator_attachment::ALL)),
            proptest::option::of(arb_enum(resident_key::ALL)),
            proptest::option::of(any::<bool>()),
            proptest::option::of(arb_enum(user_verification::ALL)),
        )
            .prop_map(
                |(authenticator_attachment, resident_key, require_resident_key, user_verification)| {
                    AuthenticatorSelectionCriteria {
                        authenticator_attachment,
                        resident_key,
                        require_resident_key,
                        user_verification,
                    }
                },
            )
    }

    pub(crate) fn arb_rp() -> impl Strategy<Value = PublicKeyCredentialRpEntity> {
        (arb_text(), proptest::option::of(arb_text()))
            .prop_map(|(name, id)| PublicKeyCredentialRpEntity { name, id })
    }

    pub(crate) fn arb_user() -> impl Strategy<Value = PublicKeyCredentialUserEntityJSON> {
        (arb_b64(), arb_text(), arb_text())
            .prop_map(|(id, name, display_name)| PublicKeyCredentialUserEntityJSON { id, name, display_name })
    }

    pub(crate) fn arb_params() -> impl Strategy<Value = Vec<PublicKeyCredentialParameters>> {
        proptest::collection::vec(
            (arb_enum(public_key_credential_type::ALL), any::<i32>())
                .prop_map(|(type_, alg)| PublicKeyCredentialParameters { type_, alg }),
            0..4,
        )
    }

    pub(crate) fn arb_attestation_response() -> impl Strategy<Value = AuthenticatorAttestationResponseJSON> {
        (
            arb_b64(),
            arb_b64(),
            arb_strings(authenticator_transport::ALL),
            proptest::option::of(arb_b64()),
            any::<i32>(),
            arb_b64(),
        )
            .prop_map(
                |(
                    client_data_json,
                    authenticator_data,
                    transports,
                    public_key,
                    public_key_algorithm,
                    attestation_object,
                )| AuthenticatorAttestationResponseJSON {
                    client_data_json,
                    authenticator_data,
                    transports,
                    public_key,
                    public_key_algorithm,
                    attestation_object,
                },
            )
    }

    pub(crate) fn arb_assertion_response() -> impl Strategy<Value = AuthenticatorAssertionResponseJSON> {
        (arb_b64(), arb_b64(), arb_b64(), proptest::option::of(arb_b64())).prop_map(
            |(client_data_json, authenticator_data, signature, user_handle)| {
                AuthenticatorAssertionResponseJSON {
                    client_data_json,
                    authenticator_data,
                    signature,
                    user_handle,
                }
            },
        )
    }

    pub(crate) fn arb_registration() -> impl Strategy<Value = RegistrationResponseJSON> {
        (
            arb_b64(),
            arb_b64(),
            arb_attestation_response(),
            proptest::option::of(arb_enum(authenticator_attachment::ALL)),
            arb_extensions(),
            arb_enum(public_key_credential_type::ALL),
        )
            .prop_map(
                |(id, raw_id, response, authenticator_attachment, client_extension_results, type_)| {
                    RegistrationResponseJSON {
                        id,
                        raw_id,
                        response,
                        authenticator_attachment,
                        client_extension_results,
                        type_,
                    }
                },
            )
    }

    pub(crate) fn arb_authentication() -> impl Strategy<Value = AuthenticationResponseJSON> {
        (
            arb_b64(),
            arb_b64(),
            arb_assertion_response(),
            proptest::option::of(arb_enum(authenticator_attachment::ALL)),
            arb_extensions(),
            arb_enum(public_key_credential_type::ALL),
        )
            .prop_map(
                |(id, raw_id, response, authenticator_attachment, client_extension_results, type_)| {
                    AuthenticationResponseJSON {
                        id,
                        raw_id,
                        response,
                        authenticator_attachment,
                        client_extension_results,
                        type_,
                    }
                },
            )
    }

    fn arb_creation_options() -> impl Strategy<Value = PublicKeyCredentialCreationOptionsJSON> {
        (
            (arb_rp(), arb_user(), arb_b64(), arb_params(), proptest::option::of(any::<u32>())),
            (
                arb_descriptors(),
                proptest::option::of(arb_selection()),
                proptest::option::of(arb_strings(hints::ALL)),
                proptest::option::of(arb_enum(attestation_conveyance::ALL)),
                proptest::option::of(arb_strings(&["packed", "tpm", "none"])),
                proptest::option::of(arb_extensions()),
            ),
        )
            .prop_map(
                |(
                    (rp, user, challenge, pub_key_cred_params, timeout),
                    (
                        exclude_credentials,
                        authenticator_selection,
                        hints,
                        attestation,
                        attestation_formats,
                        extensions,
                    ),
                )| PublicKeyCredentialCreationOptionsJSON {
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
                },
            )
    }

    fn arb_request_options() -> impl Strategy<Value = PublicKeyCredentialRequestOptionsJSON> {
        (
            arb_b64(),
            proptest::option::of(any::<u32>()),
            proptest::option::of(arb_text()),
            arb_descriptors(),
            proptest::option::of(arb_enum(user_verification::ALL)),
            proptest::option::of(arb_strings(hints::ALL)),
            proptest::option::of(arb_extensions()),
        )
            .prop_map(
                |(challenge, timeout, rp_id, allow_credentials, user_verification, hints, extensions)| {
                    PublicKeyCredentialRequestOptionsJSON {
                        challenge,
                        timeout,
                        rp_id,
                        allow_credentials,
                        user_verification,
                        hints,
                        extensions,
                    }
                },
            )
    }

    /// Build then parse gives back an equal value.
    pub(crate) fn round_trips<T>(value: &T) -> Result<(), TestCaseError>
    where
        T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let bytes = to_vec(value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: T = parse(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&back, value);
        Ok(())
    }

    /// Parses `bytes` and expects a `Json` error; returns its path and message.
    pub(crate) fn json_error<T: DeserializeOwned + std::fmt::Debug>(bytes: &[u8]) -> (String, String) {
        match parse::<T>(bytes) {
            Err(JsonError::Json { path, source }) => (path, source.to_string()),
            other => panic!("expected JsonError::Json, got {other:?}"),
        }
    }

    // ---- fixtures ----

    const REGISTRATION: &str = r#"{
        "id": "AAEC",
        "rawId": "AAEC",
        "response": {
            "clientDataJSON": "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0",
            "authenticatorData": "SZYN5YgO",
            "transports": ["usb", "nfc"],
            "publicKey": "MFkw",
            "publicKeyAlgorithm": -7,
            "attestationObject": "o2NmbXRk"
        },
        "authenticatorAttachment": "cross-platform",
        "clientExtensionResults": {"credProps": {"rk": false}},
        "type": "public-key"
    }"#;

    const AUTHENTICATION: &str = r#"{
        "id": "AAEC",
        "rawId": "AAEC",
        "response": {
            "clientDataJSON": "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0",
            "authenticatorData": "SZYN5YgO",
            "signature": "MEYCIQCv",
            "userHandle": "dXNlcg"
        },
        "clientExtensionResults": {},
        "type": "public-key"
    }"#;

    #[test]
    fn parses_a_registration_response() {
        let r = parse_registration_response(REGISTRATION.as_bytes()).unwrap();
        assert_eq!(r.raw_id_bytes().unwrap(), vec![0, 1, 2]);
        assert_eq!(r.id_bytes().unwrap(), vec![0, 1, 2]);
        assert_eq!(r.response.public_key_algorithm, -7);
        assert_eq!(r.response.transports, vec!["usb", "nfc"]);
        assert_eq!(r.response.client_data_json_bytes().unwrap(), br#"{"type":"webauthn.create"}"#);
        assert_eq!(r.response.authenticator_data_bytes().unwrap().len(), 6);
        assert!(r.response.public_key_bytes().unwrap().is_some());
        assert!(!r.response.attestation_object_bytes().unwrap().is_empty());
        assert_eq!(r.authenticator_attachment.as_deref(), Some(authenticator_attachment::CROSS_PLATFORM));
        assert_eq!(r.client_extension_results["credProps"]["rk"], Value::Bool(false));
        assert_eq!(r.type_, public_key_credential_type::PUBLIC_KEY);
    }

    #[test]
    fn parses_an_authentication_response() {
        let a = parse_authentication_response(AUTHENTICATION.as_bytes()).unwrap();
        assert_eq!(a.response.user_handle_bytes().unwrap(), Some(b"user".to_vec()));
        assert_eq!(a.response.signature_bytes().unwrap().len(), 6);
        assert_eq!(a.response.client_data_json_bytes().unwrap(), br#"{"type":"webauthn.get"}"#);
        assert_eq!(a.response.authenticator_data_bytes().unwrap().len(), 6);
        assert_eq!(a.raw_id_bytes().unwrap(), a.id_bytes().unwrap());
        assert_eq!(a.authenticator_attachment, None);
        assert!(a.client_extension_results.is_empty());
    }

    #[test]
    fn serializes_exact_member_names_and_omits_absent_members() {
        let a = parse_authentication_response(AUTHENTICATION.as_bytes()).unwrap();
        let json: Value = serde_json::from_slice(&to_vec(&a).unwrap()).unwrap();
        let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["id", "rawId", "response", "clientExtensionResults", "type"]);
        let keys: Vec<&str> = json["response"].as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["clientDataJSON", "authenticatorData", "signature", "userHandle"]);
    }

    #[test]
    fn options_keep_absent_apart_from_default() {
        let absent: PublicKeyCredentialRequestOptionsJSON = parse(br#"{"challenge":"AAAA"}"#).unwrap();
        let empty: PublicKeyCredentialRequestOptionsJSON =
            parse(br#"{"challenge":"AAAA","allowCredentials":[],"userVerification":"preferred"}"#).unwrap();
        assert_ne!(absent, empty);
        assert_eq!(absent.effective_allow_credentials(), empty.effective_allow_credentials());
        assert_eq!(absent.effective_user_verification(), user_verification::PREFERRED);
        assert_eq!(absent.effective_hints(), &[] as &[String]);
        assert_eq!(absent.challenge_bytes().unwrap(), vec![0, 0, 0]);
        assert_eq!(to_vec(&absent).unwrap(), br#"{"challenge":"AAAA"}"#);
    }

    #[test]
    fn creation_options_defaults() {
        let o: PublicKeyCredentialCreationOptionsJSON = parse(
            br#"{"rp":{"name":"Example"},"user":{"id":"dXNlcg","name":"a","displayName":"A"},
                "challenge":"AAAA","pubKeyCredParams":[{"type":"public-key","alg":-7}]}"#,
        )
        .unwrap();
        assert_eq!(o.effective_attestation(), attestation_conveyance::NONE);
        assert!(o.effective_exclude_credentials().is_empty());
        assert!(o.effective_hints().is_empty());
        assert!(o.effective_attestation_formats().is_empty());
        assert_eq!(o.user.id_bytes().unwrap(), b"user");
        assert_eq!(o.challenge_bytes().unwrap(), vec![0, 0, 0]);
        assert_eq!(o.rp.id, None);
    }

    #[test]
    fn effective_resident_key_follows_5_4_4() {
        let mut s = AuthenticatorSelectionCriteria::default();
        assert_eq!(s.effective_resident_key(), resident_key::DISCOURAGED);
        assert_eq!(s.effective_user_verification(), user_verification::PREFERRED);
        s.require_resident_key = Some(true);
        assert_eq!(s.effective_resident_key(), resident_key::REQUIRED);
        s.resident_key = Some("sometimes".into());
        assert_eq!(s.effective_resident_key(), resident_key::REQUIRED, "unknown value counts as absent");
        s.resident_key = Some(resident_key::PREFERRED.into());
        assert_eq!(s.effective_resident_key(), resident_key::PREFERRED);
    }

    #[test]
    fn descriptor_id_bytes() {
        let d: PublicKeyCredentialDescriptorJSON = parse(br#"{"type":"public-key","id":"AAEC"}"#).unwrap();
        assert_eq!(d.id_bytes().unwrap(), vec![0, 1, 2]);
        assert_eq!(d.transports, None);
    }

    // ---- errors: one test per variant, plus the shapes of `Json` ----

    #[test]
    fn error_too_large() {
        let big = vec![b' '; MAX_JSON_LEN + 1];
        let err = parse_registration_response(&big).unwrap_err();
        assert!(matches!(err, JsonError::TooLarge { len, limit: MAX_JSON_LEN } if len == MAX_JSON_LEN + 1));
    }

    #[test]
    fn error_too_large_for_10_mb() {
        let big = vec![b'['; 10 * 1024 * 1024];
        let start = std::time::Instant::now();
        assert!(matches!(parse_authentication_response(&big), Err(JsonError::TooLarge { .. })));
        assert!(start.elapsed() < std::time::Duration::from_millis(100));
    }

    #[test]
    fn error_json_not_json() {
        let (path, msg) = json_error::<RegistrationResponseJSON>(b"not json");
        assert_eq!(path, ".");
        assert!(msg.contains("expected"), "{msg}");
    }

    #[test]
    fn error_json_missing_required_member_is_named() {
        let without = REGISTRATION.replace(r#""rawId": "AAEC","#, "");
        let (path, msg) = json_error::<RegistrationResponseJSON>(without.as_bytes());
        assert_eq!(path, ".");
        assert!(msg.contains("missing field `rawId`"), "{msg}");

        let without = REGISTRATION.replace(r#""attestationObject": "o2NmbXRk""#, r#""x": 1"#);
        let (path, msg) = json_error::<RegistrationResponseJSON>(without.as_bytes());
        assert_eq!(path, "response");
        assert!(msg.contains("missing field `attestationObject`"), "{msg}");

        let without = AUTHENTICATION.replace(r#""clientExtensionResults": {},"#, "");
        let (_, msg) = json_error::<AuthenticationResponseJSON>(without.as_bytes());
        assert!(msg.contains("missing field `clientExtensionResults`"), "{msg}");
    }

    #[test]
    fn error_json_names_the_path_of_a_wrong_type() {
        let wrong = REGISTRATION.replace("-7", r#""-7""#);
        let (path, msg) = json_error::<RegistrationResponseJSON>(wrong.as_bytes());
        assert_eq!(path, "response.publicKeyAlgorithm");
        assert!(msg.contains("expected i32"), "{msg}");

        let (path, _) = json_error::<PublicKeyCredentialCreationOptionsJSON>(
            br#"{"rp":{"name":"x"},"user":{"id":"","name":"","displayName":""},"challenge":"",
                "pubKeyCredParams":[{"type":"public-key","alg":-7},{"type":"public-key","alg":2147483648}]}"#,
        );
        assert_eq!(path, "pubKeyCredParams[1].alg");

        let (path, _) =
            json_error::<PublicKeyCredentialRequestOptionsJSON>(br#"{"challenge":"","timeout":60000.0}"#);
        assert_eq!(path, "timeout");
        let (path, _) = json_error::<PublicKeyCredentialRequestOptionsJSON>(br#"{"challenge":null}"#);
        assert_eq!(path, "challenge");
    }

    #[test]
    fn error_json_duplicate_member() {
        let (_, msg) =
            json_error::<PublicKeyCredentialRequestOptionsJSON>(br#"{"challenge":"","challenge":""}"#);
        assert!(msg.contains("duplicate field `challenge`"), "{msg}");
    }

    #[test]
    fn error_json_trailing_data() {
        let (path, msg) = json_error::<PublicKeyCredentialRequestOptionsJSON>(br#"{"challenge":""} {}"#);
        assert_eq!(path, ".");
        assert!(msg.contains("trailing"), "{msg}");
        // Trailing whitespace is fine.
        assert!(parse::<PublicKeyCredentialRequestOptionsJSON>(b"{\"challenge\":\"\"}\n ").is_ok());
    }

    #[test]
    fn error_json_invalid_utf8() {
        let (_, msg) = json_error::<PublicKeyCredentialRequestOptionsJSON>(b"{\"challenge\":\"\xff\"}");
        assert!(msg.contains("invalid unicode"), "{msg}");
    }

    #[test]
    fn error_json_deep_nesting_fails_fast() {
        let depth = 100_000;
        let mut s = String::from(r#"{"challenge":"","extensions":{"x":"#);
        s.push_str(&"[".repeat(depth));
        s.push_str(&"]".repeat(depth));
        s.push_str("}}");
        let (path, msg) = json_error::<PublicKeyCredentialRequestOptionsJSON>(s.as_bytes());
        assert!(msg.contains("recursion limit"), "{msg}");
        assert!(path.starts_with("extensions"), "{path}");
    }

    #[test]
    fn nesting_below_the_limit_parses() {
        // Depth 2 (options, extensions) + 120 arrays stays under serde_json's limit of 128.
        let depth = 120;
        let s =
            format!(r#"{{"challenge":"","extensions":{{"x":{}{}}}}}"#, "[".repeat(depth), "]".repeat(depth));
        let o: PublicKeyCredentialRequestOptionsJSON = parse(s.as_bytes()).unwrap();
        assert_eq!(to_vec(&o).unwrap(), s.as_bytes());
    }

    #[test]
    fn null_for_optional_member_is_absent() {
        let o: PublicKeyCredentialRequestOptionsJSON =
            parse(br#"{"challenge":"","rpId":null,"allowCredentials":null}"#).unwrap();
        assert_eq!(o.rp_id, None);
        assert_eq!(o.allow_credentials, None);
    }

    #[test]
    fn unknown_members_are_ignored() {
        let o: PublicKeyCredentialRequestOptionsJSON =
            parse(br#"{"challenge":"","future":{"a":[1,2]},"rp":{"name":"x"}}"#).unwrap();
        assert_eq!(to_vec(&o).unwrap(), br#"{"challenge":""}"#);
    }

    #[test]
    fn error_base64_names_the_member() {
        let bad = REGISTRATION.replace(r#""rawId": "AAEC""#, r#""rawId": "AAEC==""#);
        let r = parse_registration_response(bad.as_bytes()).unwrap();
        let err = r.raw_id_bytes().unwrap_err();
        assert!(
            matches!(err, JsonError::Base64 { field: "rawId", source: Base64Error::Padding { offset: 4 } }),
            "{err:?}"
        );
        assert!(err.to_string().contains("rawId"));

        let a = AuthenticationResponseJSON {
            response: AuthenticatorAssertionResponseJSON {
                user_handle: Some("a+b".into()),
                ..parse_authentication_response(AUTHENTICATION.as_bytes()).unwrap().response
            },
            ..parse_authentication_response(AUTHENTICATION.as_bytes()).unwrap()
        };
        assert!(matches!(
            a.response.user_handle_bytes(),
            Err(JsonError::Base64 {
                field: "response.userHandle",
                source: Base64Error::InvalidCharacter { .. }
            })
        ));
    }

    #[test]
    fn error_conflicting_members_displays_both_names() {
        let err = JsonError::ConflictingMembers { first: "a", second: "b" };
        assert_eq!(err.to_string(), "members `a` and `b` are both present with different values");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn registration_round_trip(r in arb_registration()) {
            round_trips(&r)?;
        }

        #[test]
        fn authentication_round_trip(a in arb_authentication()) {
            round_trips(&a)?;
        }

        #[test]
        fn creation_options_round_trip(o in arb_creation_options()) {
            round_trips(&o)?;
        }

        #[test]
        fn request_options_round_trip(o in arb_request_options()) {
            round_trips(&o)?;
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_registration_response(&bytes);
            let _ = parse_authentication_response(&bytes);
            let _ = parse::<PublicKeyCredentialCreationOptionsJSON>(&bytes);
            let _ = parse::<PublicKeyCredentialRequestOptionsJSON>(&bytes);
        }

        #[test]
        fn flipped_or_truncated_registration_never_panics(
            r in arb_registration(), at in any::<prop::sample::Index>(), bit in 0u8..8,
        ) {
            let bytes = to_vec(&r).unwrap();
            let i = at.index(bytes.len());
            let mut flipped = bytes.clone();
            if let Some(b) = flipped.get_mut(i) {
                *b ^= 1 << bit;
            }
            if let Ok(parsed) = parse_registration_response(&flipped) {
                let _ = parsed.raw_id_bytes();
                let _ = parsed.response.attestation_object_bytes();
            }
            let truncated = bytes.get(..i).unwrap_or_default();
            prop_assert!(parse_registration_response(truncated).is_err());
        }

        #[test]
        fn flipped_or_truncated_authentication_never_panics(
            a in arb_authentication(), at in any::<prop::sample::Index>(), bit in 0u8..8,
        ) {
            let bytes = to_vec(&a).unwrap();
            let i = at.index(bytes.len());
            let mut flipped = bytes.clone();
            if let Some(b) = flipped.get_mut(i) {
                *b ^= 1 << bit;
            }
            if let Ok(parsed) = parse_authentication_response(&flipped) {
                let _ = parsed.response.user_handle_bytes();
                let _ = parsed.response.signature_bytes();
            }
            let truncated = bytes.get(..i).unwrap_or_default();
            prop_assert!(parse_authentication_response(truncated).is_err());
        }
    }
}
