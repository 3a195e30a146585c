//! The credential record an RP stores at registration and consults at authentication (§4 "credential record",
//! §7.1 step 27, §7.2 step 24).

use serde::{Deserialize, Serialize};
use wire::base64url;
use wire::cose::CoseKey;

use crate::crypto::{CredentialKey, CryptoProvider, KeyError};

/// A stored credential. The public key is kept both as the COSE bytes registered and as a ready
/// [`CredentialKey`], parsed once when the record is made or loaded.
#[derive(Debug, Clone)]
pub struct CredentialRecord {
    pub id: Vec<u8>,
    /// The credential public key, as the COSE_Key bytes from the attested credential data.
    pub public_key: Vec<u8>,
    pub sign_count: u32,
    pub uv_initialized: bool,
    pub transports: Vec<String>,
    pub backup_eligible: bool,
    pub backup_state: bool,
    /// The user handle of the account the credential belongs to, where the RP keeps it with the record.
    pub user_handle: Option<Vec<u8>>,
    key: CredentialKey,
}

/// Why a stored record cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("credential record JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("credential record member {member}: {source}")]
    Base64 { member: &'static str, source: base64url::Base64Error },
    #[error("credential record publicKey is not a usable COSE key: {0}")]
    CoseKey(#[from] wire::cose::CoseKeyError),
    #[error("credential record publicKey cannot verify signatures: {0}")]
    Key(#[from] KeyError),
}

impl CredentialRecord {
    /// Makes a record from the COSE key bytes, parsing and checking the key once.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: Vec<u8>,
        public_key: Vec<u8>,
        sign_count: u32,
        uv_initialized: bool,
        transports: Vec<String>,
        backup_eligible: bool,
        backup_state: bool,
        user_handle: Option<Vec<u8>>,
    ) -> Result<CredentialRecord, RecordError> {
        let key = CredentialKey::from_cose(&CoseKey::parse(&public_key)?.key)?;
        let mut record = CredentialRecord::from_parts(
            id,
            public_key,
            sign_count,
            uv_initialized,
            transports,
            backup_eligible,
            backup_state,
            key,
        );
        record.user_handle = user_handle;
        Ok(record)
    }

    /// Made by the verifier from a key it has already checked (§7.1 step 27).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_parts(
        id: Vec<u8>,
        public_key: Vec<u8>,
        sign_count: u32,
        uv_initialized: bool,
        transports: Vec<String>,
        backup_eligible: bool,
        backup_state: bool,
        key: CredentialKey,
    ) -> Self {
        CredentialRecord {
            id,
            public_key,
            sign_count,
            uv_initialized,
            transports,
            backup_eligible,
            backup_state,
            user_handle: None,
            key,
        }
    }

    /// The ready verifying key.
    pub fn key(&self) -> &CredentialKey {
        &self.key
    }

    /// The same record with its key made ready by `provider` (records are loaded with the default one).
    pub fn with_provider(
        mut self,
        provider: &'static dyn CryptoProvider,
    ) -> Result<CredentialRecord, RecordError> {
        self.key = CredentialKey::from_cose_with(provider, &CoseKey::parse(&self.public_key)?.key)?;
        Ok(self)
    }

    /// The JSON form (what `verify authentication --credential` reads, and the `credential` the reference RP
    /// answers with): `id`, `publicKey` (COSE_Key), `userHandle` base64url; `signCount`,
    /// `uvInitialized`, `backupEligible`, `backupState`, `transports`.
    pub fn to_json(&self) -> CredentialRecordJson {
        CredentialRecordJson {
            id: base64url::encode(&self.id),
            public_key: base64url::encode(&self.public_key),
            sign_count: self.sign_count,
            uv_initialized: self.uv_initialized,
            transports: self.transports.clone(),
            backup_eligible: self.backup_eligible,
            backup_state: self.backup_state,
            user_handle: self.user_handle.as_deref().map(base64url::encode),
        }
    }

    pub fn from_json(json: &CredentialRecordJson) -> Result<CredentialRecord, RecordError> {
        let b64 = |member: &'static str, s: &str| {
            base64url::decode(s).map_err(|source| RecordError::Base64 { member, source })
        };
        CredentialRecord::new(
            b64("id", &json.id)?,
            b64("publicKey", &json.public_key)?,
            json.sign_count,
            json.uv_initialized,
            json.transports.clone(),
            json.backup_eligible,
            json.backup_state,
            json.user_handle.as_deref().map(|h| b64("userHandle", h)).transpose()?,
        )
    }

    pub fn from_json_bytes(bytes: &[u8]) -> Result<CredentialRecord, RecordError> {
        CredentialRecord::from_json(&serde_json::from_slice(bytes)?)
    }
}

/// [`CredentialRecord`] as JSON, the form `verify authentication --credential` reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CredentialRecordJson {
    pub id: String,
    pub public_key: String,
    #[serde(default)]
    pub sign_count: u32,
    #[serde(default)]
    pub uv_initialized: bool,
    #[serde(default)]
    pub transports: Vec<String>,
    #[serde(default)]
    pub backup_eligible: bool,
    #[serde(default)]
    pub backup_state: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_handle: Option<String>,
}
