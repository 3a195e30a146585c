//! Every check the reference verifier can fail, with its stable id, spec step and requirement level.
//!
//! The table below is the single source of this vocabulary. The verifier rejects with a [`CheckId`]; the
//! catalogue names the check a case targets by its variant, so a wrong name does not compile; reports and
//! vectors carry [`CheckId::id`], which never changes once published (append only; a retired check keeps its
//! id reserved). Each row is `Variant => (id, ceremony, spec step, level, summary, kind, quote)`: the last two are
//! the check's [`Basis`], whose rule it enforces ([`BasisKind`]) and the requirement verbatim from the spec (markup
//! dropped; `tests::quotes_are_sentences_of_the_spec` checks each against the spec's sentence index).

use std::fmt;

use crate::{Basis, BasisKind, Ceremony, Level};

macro_rules! checks {
    ($( $(#[$doc:meta])* $variant:ident => ($id:literal, $cer:ident, $spec:literal, $level:ident, $summary:literal,
        $kind:ident, $quote:literal), )*) => {
        /// A check of the reference verifier. One variant per spec step that can fail, plus the structural
        /// checks that a step depends on (parsing the response, the authenticator data, the key).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum CheckId {
            $( $(#[$doc])* $variant, )*
        }

        impl CheckId {
            /// Every check, in procedure order (registration first).
            pub const ALL: &'static [CheckId] = &[ $( CheckId::$variant, )* ];

            /// The stable id, e.g. `reg.client-data.challenge`.
            pub fn id(self) -> &'static str {
                match self { $( CheckId::$variant => $id, )* }
            }

            /// The spec clause and step the check enforces, e.g. `§7.1 step 8`.
            pub fn spec(self) -> &'static str {
                match self { $( CheckId::$variant => $spec, )* }
            }

            pub fn level(self) -> Level {
                match self { $( CheckId::$variant => Level::$level, )* }
            }

            pub fn ceremony(self) -> Ceremony {
                match self { $( CheckId::$variant => Ceremony::$cer, )* }
            }

            /// One line: what the check requires.
            pub fn summary(self) -> &'static str {
                match self { $( CheckId::$variant => $summary, )* }
            }

            /// The requirement the check enforces: whose rule it is, where, and the sentence verbatim.
            pub fn basis(self) -> Basis {
                match self { $( CheckId::$variant => Basis { kind: BasisKind::$kind, section: $spec, quote: $quote }, )* }
            }

            /// Looks a check up by its stable id.
            pub fn from_id(id: &str) -> Option<CheckId> {
                match id { $( $id => Some(CheckId::$variant), )* _ => None }
            }
        }
    };
}

checks! {
    // ---- §7.1 Registering a New Credential ----
    /// The response is not a usable registration response: missing or wrong-typed members, bad base64url, or
    /// `id`/`rawId`/`type` inconsistent (§5.1: `id` is the base64url of `rawId`, `type` is "public-key").
    RegResponseMalformed => ("reg.response.malformed", Registration, "§7.1 step 3", Must,
        "the response is an AuthenticatorAttestationResponse with every required member well-formed",
        Procedure, "If response is not an instance of AuthenticatorAttestationResponse, abort the ceremony with a user-visible error."),
    RegClientDataNotUtf8 => ("reg.client-data.utf8", Registration, "§7.1 step 5", Must,
        "clientDataJSON is valid UTF-8",
        Procedure, "Let JSONtext be the result of running UTF-8 decode on the value of response.clientDataJSON."),
    RegClientDataNotJson => ("reg.client-data.json", Registration, "§7.1 step 6", Must,
        "clientDataJSON parses as a JSON object with unique member names",
        Procedure, "Let C, the client data claimed as collected during the credential creation, be the result of running an implementation-specific JSON parser on JSONtext."),
    RegClientDataType => ("reg.client-data.type", Registration, "§7.1 step 7", Must,
        "C.type is \"webauthn.create\"",
        Procedure, "Verify that the value of C.type is webauthn.create."),
    RegChallenge => ("reg.client-data.challenge", Registration, "§7.1 step 8", Must,
        "C.challenge equals the base64url encoding of the challenge the RP issued",
        Procedure, "Verify that the value of C.challenge equals the base64url encoding of pkOptions.challenge."),
    RegOrigin => ("reg.client-data.origin", Registration, "§7.1 step 9", Must,
        "C.origin is an origin the RP expects (§13.5.9)",
        Procedure, "Verify that the value of C.origin is an origin expected by the Relying Party."),
    RegCrossOrigin => ("reg.client-data.cross-origin", Registration, "§7.1 step 10", Must,
        "C.crossOrigin is true only where the RP expects creation in a cross-origin iframe",
        Procedure, "If C.crossOrigin is present and set to true, verify that the Relying Party expects that this credential would have been created within an iframe that is not same-origin with its ancestors."),
    RegTopOrigin => ("reg.client-data.top-origin", Registration, "§7.1 step 11", Must,
        "C.topOrigin is present only where the RP expects to be framed, and names an expected top origin",
        Procedure, "Verify that the value of C.topOrigin matches the origin of a page that the Relying Party expects to be sub-framed within."),
    RegAttestationObjectMalformed => ("reg.attestation-object.malformed", Registration, "§7.1 step 13", Must,
        "attestationObject is one well-formed CBOR map with fmt, attStmt and authData (§6.5.4)",
        Procedure, "Perform CBOR decoding on the attestationObject field of the AuthenticatorAttestationResponse structure to obtain the attestation statement format fmt, the authenticator data authData, and the attestation statement attStmt."),
    RegAuthDataMalformed => ("reg.auth-data.malformed", Registration, "§7.1 step 13", Must,
        "authData is well-formed: no truncation and no bytes after its last part (§6.1)",
        Procedure, "Perform CBOR decoding on the attestationObject field of the AuthenticatorAttestationResponse structure to obtain the attestation statement format fmt, the authenticator data authData, and the attestation statement attStmt."),
    RegNonCanonicalCbor => ("reg.cbor.non-canonical", Registration, "§2.4", Should,
        "the attestation object and credential public key are CTAP2 canonical CBOR",
        Data, "All decoders of the above conformance classes SHOULD reject CBOR that is not validly encoded in the CTAP2 canonical CBOR encoding form and SHOULD reject messages with duplicate map keys."),
    RegRpIdHash => ("reg.auth-data.rp-id-hash", Registration, "§7.1 step 14", Must,
        "rpIdHash is the SHA-256 of the RP ID",
        Procedure, "Verify that the rpIdHash in authData is the SHA-256 hash of the RP ID expected by the Relying Party."),
    RegUserPresent => ("reg.auth-data.user-present", Registration, "§7.1 step 15", Must,
        "the UP flag is set (unless mediation is conditional)",
        Procedure, "If options.mediation is not set to conditional, verify that the UP bit of the flags in authData is set."),
    RegUserVerified => ("reg.auth-data.user-verified", Registration, "§7.1 step 16", Must,
        "the UV flag is set when the RP requires user verification",
        Procedure, "If the Relying Party requires user verification for this registration, verify that the UV bit of the flags in authData is set."),
    RegBackupStateWithoutEligibility => ("reg.auth-data.bs-without-be", Registration, "§7.1 step 17", Must,
        "BS is not set unless BE is set",
        Procedure, "If the BE bit of the flags in authData is not set, verify that the BS bit is not set."),
    RegBackupEligibilityPolicy => ("reg.auth-data.be-policy", Registration, "§7.1 step 18", Policy,
        "BE is acceptable under the RP's policy",
        Procedure, "If the Relying Party uses the credential's backup eligibility to inform its user experience flows and/or policies, evaluate the BE bit of the flags in authData."),
    RegBackupStatePolicy => ("reg.auth-data.bs-policy", Registration, "§7.1 step 19", Policy,
        "BS is acceptable under the RP's policy",
        Procedure, "If the Relying Party uses the credential's backup state to inform its user experience flows and/or policies, evaluate the BS bit of the flags in authData."),
    RegAttestedCredentialDataMissing => ("reg.auth-data.attested-data-missing", Registration, "§6.1, §7.1 step 20", Must,
        "the AT flag is set and attested credential data is present",
        Procedure, "Verify that the \"alg\" parameter in the credential public key in authData matches the alg attribute of one of the items in pkOptions.pubKeyCredParams."),
    RegCredentialPublicKeyMalformed => ("reg.credential-key.malformed", Registration, "§6.5.1, §7.1 step 20", Must,
        "the credential public key is a well-formed COSE_Key with an alg parameter",
        Procedure, "Verify that the \"alg\" parameter in the credential public key in authData matches the alg attribute of one of the items in pkOptions.pubKeyCredParams."),
    RegCredentialPublicKeyInvalid => ("reg.credential-key.invalid", Registration, "§6.5.1, §7.1 step 20", Must,
        "the credential public key is usable: its type fits its alg, EC points are on the curve, RSA keys are sound",
        Data, "The encoded credential public key MUST also contain any additional REQUIRED parameters stipulated by the relevant key type specification, i.e., REQUIRED for the key type \"kty\" and algorithm \"alg\" (see Section 2 of )."),
    RegAlgorithmNotAllowed => ("reg.credential-key.alg-not-offered", Registration, "§7.1 step 20", Must,
        "the key's alg is one of pubKeyCredParams",
        Procedure, "Verify that the \"alg\" parameter in the credential public key in authData matches the alg attribute of one of the items in pkOptions.pubKeyCredParams."),
    RegAttestationFormatUnsupported => ("reg.attestation.format-unsupported", Registration, "§7.1 step 21", Must,
        "fmt is an attestation statement format the RP supports (case-sensitive)",
        Procedure, "Determine the attestation statement format by performing a USASCII case-sensitive match on fmt against the set of supported WebAuthn Attestation Statement Format Identifier values."),
    RegAttestationNoneNotEmpty => ("reg.attestation.none.not-empty", Registration, "§8.7, §7.1 step 22", Must,
        "a none attestation statement is an empty map",
        Data, "Return implementation-specific values representing attestation type None and an empty attestation trust path."),
    RegAttestationStatementMalformed => ("reg.attestation.statement-malformed", Registration, "§7.1 step 22", Must,
        "attStmt has the members and types its format defines",
        Procedure, "Verify that attStmt is valid CBOR conforming to the syntax defined above and perform CBOR decoding on it to extract the contained fields."),
    RegAttestationAlgMismatch => ("reg.attestation.alg-mismatch", Registration, "§8.2 verification, §7.1 step 22", Must,
        "the attStmt alg matches the key that signed (credential key for self attestation)",
        Procedure, "Validate that alg matches the algorithm of the credentialPublicKey in authenticatorData."),
    RegAttestationSignature => ("reg.attestation.signature", Registration, "§7.1 step 22", Must,
        "the attestation signature verifies over authData || clientDataHash",
        Procedure, "Verify that attStmt is a correct attestation statement, conveying a valid attestation signature, by using the attestation statement format fmt's verification procedure given attStmt, authData and hash."),
    RegAttestationCertificate => ("reg.attestation.certificate", Registration, "§8.2.1, §8.6, §7.1 step 22", Must,
        "the attestation certificate meets its format's requirements",
        Procedure, "Verify that attestnCert meets the requirements in ."),
    RegAttestationAaguidMismatch => ("reg.attestation.aaguid-mismatch", Registration, "§8.2 verification, §7.1 step 22", Must,
        "the certificate's id-fido-gen-ce-aaguid extension matches the AAGUID in authData",
        Procedure, "If attestnCert contains an extension with OID 1.3.6.1.4.1.45724.1.1.4 (id-fido-gen-ce-aaguid) verify that the value of this extension matches the aaguid in authenticatorData."),
    // ---- issue 18: the apple (§8.8) and android-key (§8.4) verification procedures ----
    /// Also when the extension is missing or its value is not the one-member SEQUENCE { [1] EXPLICIT OCTET
    /// STRING } holding a 32-byte nonce: the step cannot then find the value it compares.
    RegAttestationAppleNonce => ("reg.attestation.apple.nonce", Registration, "§8.8 verification procedure, §7.1 step 22", Must,
        "credCert's extension 1.2.840.113635.100.8.2 holds SHA-256(authenticatorData || clientDataHash)",
        Procedure, "Verify that nonce equals the value of the extension with OID 1.2.840.113635.100.8.2 in credCert."),
    RegAttestationAppleKeyMismatch => ("reg.attestation.apple.key-mismatch", Registration, "§8.8 verification procedure, §7.1 step 22", Must,
        "credCert's subject public key is the credential public key",
        Procedure, "Verify that the credential public key equals the Subject Public Key of credCert."),
    RegAttestationAndroidKeyMismatch => ("reg.attestation.android-key.key-mismatch", Registration, "§8.4 verification procedure, §7.1 step 22", Must,
        "the first x5c certificate's public key is the credential public key",
        Procedure, "Verify that the public key in the first certificate in x5c matches the credentialPublicKey in the attestedCredentialData in authenticatorData."),
    /// Also when the key attestation extension (1.3.6.1.4.1.11129.2.1.17) is missing or is no KeyDescription:
    /// the step cannot then find the field it compares.
    RegAttestationAndroidKeyChallenge => ("reg.attestation.android-key.challenge", Registration, "§8.4 verification procedure, §7.1 step 22", Must,
        "the KeyDescription's attestationChallenge is clientDataHash",
        Procedure, "Verify that the attestationChallenge field in the attestation certificate extension data is identical to clientDataHash."),
    RegAttestationAndroidKeyAllApplications => ("reg.attestation.android-key.all-applications", Registration, "§8.4 verification procedure, §7.1 step 22", Must,
        "neither authorization list has allApplications",
        Procedure, "The AuthorizationList.allApplications field is not present on either authorization list (softwareEnforced nor teeEnforced), since PublicKeyCredential MUST be scoped to the RP ID."),
    RegAttestationAndroidKeyOrigin => ("reg.attestation.android-key.origin", Registration, "§8.4 verification procedure, §7.1 step 22", Must,
        "the authorization list's origin is KM_ORIGIN_GENERATED (teeEnforced only, or the union, per policy)",
        Procedure, "The value in the AuthorizationList.origin field is equal to KM_ORIGIN_GENERATED."),
    RegAttestationAndroidKeyPurpose => ("reg.attestation.android-key.purpose", Registration, "§8.4 verification procedure, §7.1 step 22", Must,
        "the authorization list's purpose is KM_PURPOSE_SIGN (teeEnforced only, or the union, per policy)",
        Procedure, "The value in the AuthorizationList.purpose field is equal to KM_PURPOSE_SIGN."),
    // ---- §8.3 TPM attestation statement format (the certificate, AAGUID, signature and alg checks above apply too) ----
    RegAttestationTpmPubAreaKey => ("reg.attestation.tpm.pub-area-key", Registration, "§8.3 verification, §7.1 step 22", Must,
        "the key in the tpm pubArea (its parameters and unique fields) is the credential public key",
        Procedure, "Verify that the public key specified by the parameters and unique fields of pubArea is identical to the credentialPublicKey in the attestedCredentialData in authenticatorData."),
    RegAttestationTpmMagic => ("reg.attestation.tpm.magic", Registration, "§8.3 verification, §7.1 step 22", Must,
        "certInfo.magic is TPM_GENERATED_VALUE (0xff544347)",
        Procedure, "Verify that magic is set to TPM_GENERATED_VALUE."),
    RegAttestationTpmType => ("reg.attestation.tpm.type", Registration, "§8.3 verification, §7.1 step 22", Must,
        "certInfo.type is TPM_ST_ATTEST_CERTIFY (0x8017)",
        Procedure, "Verify that type is set to TPM_ST_ATTEST_CERTIFY."),
    RegAttestationTpmExtraData => ("reg.attestation.tpm.extra-data", Registration, "§8.3 verification, §7.1 step 22", Must,
        "certInfo.extraData is the hash of authenticatorData || clientDataHash with the hash of alg",
        Procedure, "Verify that extraData is set to the hash of attToBeSigned using the hash algorithm employed in \"alg\"."),
    RegAttestationTpmName => ("reg.attestation.tpm.name", Registration, "§8.3 verification, §7.1 step 22", Must,
        "certInfo.attested.name is the Name of pubArea: its nameAlg followed by the nameAlg hash of pubArea",
        Procedure, "Verify that attested contains a TPMS_CERTIFY_INFO structure as specified in section 10.12.3, whose name field contains a valid Name for pubArea, as computed using the procedure specified in section 16 using the nameAlg in the pubArea."),
    // ---- issue 18: §8.5 android-safetynet (the statement-malformed and untrusted checks above apply too) ----
    /// Also an empty `ver`: no version of the SafetyNet response is empty.
    RegAttestationSafetynetResponse => ("reg.attestation.android-safetynet.response", Registration, "§8.5 verification procedure, §7.1 step 22", Must,
        "response is a JWS in Compact Serialization (RFC 7515) with a JSON object payload, of a non-empty version ver",
        Procedure, "Verify that response is a valid SafetyNet response of version ver by following the steps indicated by the [SafetyNet online documentation](https://developer.android.com/training/safetynet/attestation.html#compat-check-response)."),
    /// Also when the payload has no `nonce` string: the step cannot then find the attribute it compares.
    RegAttestationSafetynetNonce => ("reg.attestation.android-safetynet.nonce", Registration, "§8.5 verification procedure, §7.1 step 22", Must,
        "the payload's nonce is Base64(SHA-256(authenticatorData || clientDataHash))",
        Procedure, "Verify that the nonce attribute in the payload of response is identical to the Base64 encoding of the SHA-256 hash of the concatenation of authenticatorData and clientDataHash."),
    /// The SafetyNet documentation's "verify the compatibility check response": the leaf certificate of the
    /// JWS header's `x5c` is issued to the hostname attest.android.com (subject CN or a SAN dNSName).
    RegAttestationSafetynetCertificate => ("reg.attestation.android-safetynet.certificate", Registration, "§8.5 verification procedure, §7.1 step 22", Must,
        "the JWS header's x5c is present and its first certificate is issued to attest.android.com",
        Procedure, "Verify that the SafetyNet response actually came from the SafetyNet service by following the steps in the [SafetyNet online documentation](https://developer.android.com/training/safetynet/attestation#compat-check-response)."),
    /// The JWS signature (RS256, ES256 with raw R || S, ...) by the key of x5c's first certificate; `alg` none
    /// or one this verifier does not know cannot show where the response came from.
    RegAttestationSafetynetSignature => ("reg.attestation.android-safetynet.signature", Registration, "§8.5 verification procedure, §7.1 step 22", Must,
        "the JWS signature verifies with the key of x5c's first certificate under the header's alg",
        Procedure, "Verify that the SafetyNet response actually came from the SafetyNet service by following the steps in the [SafetyNet online documentation](https://developer.android.com/training/safetynet/attestation#compat-check-response)."),
    /// POLICY: the SafetyNet documentation, not the spec, says to check `ctsProfileMatch`
    /// (`AttestationPolicy::safetynet_require_cts_profile_match`).
    RegAttestationSafetynetCtsProfile => ("reg.attestation.android-safetynet.cts-profile", Registration, "§8.5 verification procedure, §7.1 step 22", Policy,
        "the payload's ctsProfileMatch is true (where the RP's policy requires a CTS-compatible device)",
        Procedure, "Verify that response is a valid SafetyNet response of version ver by following the steps indicated by the [SafetyNet online documentation](https://developer.android.com/training/safetynet/attestation.html#compat-check-response)."),
    /// POLICY: the payload's `timestampMs` is not after the verification time and not older than the policy's
    /// window (`AttestationPolicy::safetynet_max_age_ms`).
    RegAttestationSafetynetTimestamp => ("reg.attestation.android-safetynet.timestamp", Registration, "§8.5 verification procedure, §7.1 step 22", Policy,
        "the payload's timestampMs is not in the future and within the RP's freshness window",
        Procedure, "Verify that response is a valid SafetyNet response of version ver by following the steps indicated by the [SafetyNet online documentation](https://developer.android.com/training/safetynet/attestation.html#compat-check-response)."),
    RegAttestationNotAcceptable => ("reg.attestation.type-not-acceptable", Registration, "§7.1 step 24", Policy,
        "none or self attestation is acceptable under the RP's policy",
        Procedure, "If no attestation was provided, verify that None attestation is acceptable under Relying Party policy."),
    RegAttestationUntrusted => ("reg.attestation.untrusted", Registration, "§7.1 step 24", Should,
        "the attestation trust path chains to an acceptable trust anchor",
        Procedure, "If the attestation statement is not deemed trustworthy, the Relying Party SHOULD fail the registration ceremony."),
    RegAttestationMetadataStatus => ("reg.attestation.metadata-status", Registration, "§7.1 step 23", Policy,
        "the authenticator's metadata entry carries no status report the RP's policy refuses (revoked, compromised, user verification bypass)",
        Procedure, "If validation is successful, obtain a list of acceptable trust anchors (i.e. attestation root certificates) for that attestation type and attestation statement format fmt, from a trusted source or from policy."),
    // ---- issue 18: certificate paths through intermediates (§7.1 step 24) and the compound format (§8.9) ----
    RegAttestationChainValidity => ("reg.attestation.chain.validity", Registration, "§7.1 step 24", Should,
        "every certificate of the attestation trust path, and the anchor it ends at, is within its validity period",
        Procedure, "Otherwise, use the X.509 certificates returned as the attestation trust path from the verification procedure to verify that the attestation public key either correctly chains up to an acceptable root certificate, or is itself an acceptable certificate (i.e., it and the root certificate obtained in [step 22](#reg-ceremony-attestation-trust-anchors) may be the same). If the attestation statement is not deemed trustworthy, the Relying Party SHOULD fail the registration ceremony."),
    RegAttestationChainIssuer => ("reg.attestation.chain.issuer", Registration, "§7.1 step 24", Should,
        "each certificate of the trust path is issued (issuer name and signature) by the certificate after it",
        Procedure, "Otherwise, use the X.509 certificates returned as the attestation trust path from the verification procedure to verify that the attestation public key either correctly chains up to an acceptable root certificate, or is itself an acceptable certificate (i.e., it and the root certificate obtained in [step 22](#reg-ceremony-attestation-trust-anchors) may be the same). If the attestation statement is not deemed trustworthy, the Relying Party SHOULD fail the registration ceremony."),
    RegAttestationChainCa => ("reg.attestation.chain.ca", Registration, "§7.1 step 24", Should,
        "every certificate that issues another in the trust path is a CA (basic constraints cA true) within its pathLenConstraint",
        Procedure, "Otherwise, use the X.509 certificates returned as the attestation trust path from the verification procedure to verify that the attestation public key either correctly chains up to an acceptable root certificate, or is itself an acceptable certificate (i.e., it and the root certificate obtained in [step 22](#reg-ceremony-attestation-trust-anchors) may be the same). If the attestation statement is not deemed trustworthy, the Relying Party SHOULD fail the registration ceremony."),
    RegAttestationCompoundSyntax => ("reg.attestation.compound.syntax", Registration, "§8.9, §7.1 step 22", Must,
        "a compound attStmt is an array of at least two maps, each with a text fmt and an attStmt",
        Procedure, "Verify that attStmt is a correct attestation statement, conveying a valid attestation signature, by using the attestation statement format fmt's verification procedure given attStmt, authData and hash."),
    RegAttestationCompoundNested => ("reg.attestation.compound.nested", Registration, "§8.9, §7.1 step 22", Must,
        "no sub-statement of a compound statement is itself compound",
        Procedure, "Verify that attStmt is a correct attestation statement, conveying a valid attestation signature, by using the attestation statement format fmt's verification procedure given attStmt, authData and hash."),
    RegAttestationCompoundSubFormat => ("reg.attestation.compound.sub-format", Registration, "§8.9 verification", Policy,
        "every sub-statement's fmt has a verification procedure here (the RP's policy decides what a failing sub-statement means)",
        Procedure, "For each subStmt of attStmt, evaluate the verification procedure corresponding to the attestation statement format identifier subStmt.fmt with verification procedure inputs subStmt, authenticatorData and clientDataHash. If validation fails for one or more subStmt, decide the appropriate result based on Relying Party policy."),
    RegCredentialIdTooLong => ("reg.credential-id.too-long", Registration, "§7.1 step 25", Should,
        "the credential ID is at most 1023 bytes",
        Procedure, "Verify that the credentialId is ≤ 1023 bytes. Credential IDs larger than this many bytes SHOULD cause the RP to fail this registration ceremony."),
    RegCredentialIdMismatch => ("reg.credential-id.mismatch", Registration, "§5.1, §7.1 step 27", Must,
        "the credential's rawId equals the credentialId in the attested credential data",
        Data, "This attribute returns the ArrayBuffer contained in the [[identifier internal slot."),
    RegCredentialIdAlreadyRegistered => ("reg.credential-id.already-registered", Registration, "§7.1 step 26", Should,
        "the credential ID is not yet registered for any user",
        Procedure, "Verify that the credentialId is not yet registered for any user. If the credentialId is already known then the Relying Party SHOULD fail this registration ceremony."),

    // ---- §7.2 Verifying an Authentication Assertion ----
    AuthResponseMalformed => ("auth.response.malformed", Authentication, "§7.2 step 3", Must,
        "the response is an AuthenticatorAssertionResponse with every required member well-formed",
        Procedure, "If response is not an instance of AuthenticatorAssertionResponse, abort the ceremony with a user-visible error."),
    AuthCredentialNotAllowed => ("auth.credential.not-allowed", Authentication, "§7.2 step 5", Must,
        "credential.id is one of allowCredentials when that list is not empty",
        Procedure, "If pkOptions.allowCredentials is not empty, verify that credential.id identifies one of the public key credentials listed in pkOptions.allowCredentials."),
    AuthCredentialNotOwned => ("auth.credential.not-owned", Authentication, "§7.2 step 6", Must,
        "the identified user account holds a credential record whose id is credential.rawId",
        Procedure, "verify that the identified user account contains a credential record whose id equals credential.rawId."),
    AuthUserHandleMismatch => ("auth.user-handle.mismatch", Authentication, "§7.2 step 6", Must,
        "userHandle, when present, is the user handle of the account the credential belongs to",
        Procedure, "If response.userHandle is present, verify that it equals the user handle of the user account."),
    AuthUserHandleMissing => ("auth.user-handle.missing", Authentication, "§7.2 step 6", Must,
        "userHandle is present when the user was not identified before the ceremony",
        Procedure, "verify that response.userHandle is present. Verify that the user account identified by response.userHandle contains a credential record whose id equals credential.rawId."),
    AuthClientDataNotUtf8 => ("auth.client-data.utf8", Authentication, "§7.2 step 8", Must,
        "clientDataJSON is valid UTF-8",
        Procedure, "Let JSONtext be the result of running UTF-8 decode on the value of cData."),
    AuthClientDataNotJson => ("auth.client-data.json", Authentication, "§7.2 step 9", Must,
        "clientDataJSON parses as a JSON object with unique member names",
        Procedure, "Let C, the client data claimed as used for the signature, be the result of running an implementation-specific JSON parser on JSONtext."),
    AuthClientDataType => ("auth.client-data.type", Authentication, "§7.2 step 10", Must,
        "C.type is \"webauthn.get\"",
        Procedure, "Verify that the value of C.type is the string webauthn.get."),
    AuthChallenge => ("auth.client-data.challenge", Authentication, "§7.2 step 11", Must,
        "C.challenge equals the base64url encoding of the challenge the RP issued",
        Procedure, "Verify that the value of C.challenge equals the base64url encoding of pkOptions.challenge."),
    AuthOrigin => ("auth.client-data.origin", Authentication, "§7.2 step 12", Must,
        "C.origin is an origin the RP expects (§13.5.9)",
        Procedure, "Verify that the value of C.origin is an origin expected by the Relying Party."),
    AuthCrossOrigin => ("auth.client-data.cross-origin", Authentication, "§7.2 step 13", Must,
        "C.crossOrigin is true only where the RP expects use in a cross-origin iframe",
        Procedure, "If C.crossOrigin is present and set to true, verify that the Relying Party expects this credential to be used within an iframe that is not same-origin with its ancestors."),
    AuthTopOrigin => ("auth.client-data.top-origin", Authentication, "§7.2 step 14", Must,
        "C.topOrigin is present only where the RP expects to be framed, and names an expected top origin",
        Procedure, "Verify that the value of C.topOrigin matches the origin of a page that the Relying Party expects to be sub-framed within."),
    AuthAuthDataMalformed => ("auth.auth-data.malformed", Authentication, "§6.1, §7.2 step 7", Must,
        "authenticatorData is well-formed: no truncation and no bytes after its last part",
        Procedure, "Verify that the rpIdHash in authData is the SHA-256 hash of the RP ID expected by the Relying Party."),
    AuthAttestedCredentialDataPresent => ("auth.auth-data.attested-data-present", Authentication, "§6.1", Must,
        "an assertion's authenticator data has the AT flag clear and no attested credential data",
        Data, "For assertion signatures, the AT flag MUST NOT be set and the attestedCredentialData MUST NOT be included."),
    AuthNonCanonicalCbor => ("auth.cbor.non-canonical", Authentication, "§2.4", Should,
        "the extensions in authenticatorData are CTAP2 canonical CBOR",
        Data, "All decoders of the above conformance classes SHOULD reject CBOR that is not validly encoded in the CTAP2 canonical CBOR encoding form and SHOULD reject messages with duplicate map keys."),
    AuthRpIdHash => ("auth.auth-data.rp-id-hash", Authentication, "§7.2 step 15", Must,
        "rpIdHash is the SHA-256 of the RP ID",
        Procedure, "Verify that the rpIdHash in authData is the SHA-256 hash of the RP ID expected by the Relying Party."),
    AuthUserPresent => ("auth.auth-data.user-present", Authentication, "§7.2 step 16", Must,
        "the UP flag is set",
        Procedure, "Verify that the UP bit of the flags in authData is set."),
    AuthUserVerified => ("auth.auth-data.user-verified", Authentication, "§7.2 step 17", Must,
        "the UV flag is set when user verification is required",
        Procedure, "If user verification was determined to be required, verify that the UV bit of the flags in authData is set."),
    AuthBackupStateWithoutEligibility => ("auth.auth-data.bs-without-be", Authentication, "§7.2 step 18", Must,
        "BS is not set unless BE is set",
        Procedure, "If the BE bit of the flags in authData is not set, verify that the BS bit is not set."),
    AuthBackupEligibilityChanged => ("auth.auth-data.be-changed", Authentication, "§7.2 step 19", Policy,
        "BE equals the credential record's backupEligible (where the RP uses backup state)",
        Procedure, "If credentialRecord.backupEligible is set, verify that currentBe is set."),
    AuthBackupStatePolicy => ("auth.auth-data.bs-policy", Authentication, "§7.2 step 19", Policy,
        "BS is acceptable under the RP's policy",
        Procedure, "Apply Relying Party policy, if any."),
    AuthSignatureMalformed => ("auth.signature.malformed", Authentication, "§7.2 step 21, §6.5.5", Must,
        "the signature is encoded as its algorithm requires (DER ECDSA, fixed-length RSA/EdDSA)",
        Data, "For COSEAlgorithmIdentifier -7 (ES256), and other ECDSA-based algorithms, the sig value MUST be encoded as an ASN.1 DER Ecdsa-Sig-Value, as defined in section 2.2.3."),
    AuthSignature => ("auth.signature.invalid", Authentication, "§7.2 step 21", Must,
        "the signature verifies over authenticatorData || SHA-256(clientDataJSON) with the stored public key",
        Procedure, "Using credentialRecord.publicKey, verify that sig is a valid signature over the binary concatenation of authData and hash."),
    AuthSignCount => ("auth.sign-count.not-increased", Authentication, "§7.2 step 22", Policy,
        "a nonzero signCount is greater than the stored one (otherwise a possible clone)",
        Procedure, "Whether the Relying Party updates credentialRecord.signCount below in this case, or not, or fails the authentication ceremony or not, is Relying Party-specific."),
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl serde::Serialize for CheckId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl<'de> serde::Deserialize<'de> for CheckId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CheckId::from_id(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown check id {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_well_formed_and_round_trip() {
        let mut seen = HashSet::new();
        for &c in CheckId::ALL {
            assert!(seen.insert(c.id()), "duplicate id {}", c.id());
            let prefix = c.ceremony().id_prefix();
            assert!(c.id().starts_with(prefix), "{} does not start with {prefix}", c.id());
            assert!(
                c.id()
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '.' || ch == '-'),
                "{} is not a lowercase slug",
                c.id()
            );
            assert_eq!(CheckId::from_id(c.id()), Some(c));
            assert!(c.spec().starts_with('§'), "{} cites no spec clause", c.id());
            assert!(!c.summary().is_empty());
        }
        assert_eq!(CheckId::from_id("reg.nope"), None);
    }

    #[test]
    fn quotes_are_sentences_of_the_spec() {
        for &c in CheckId::ALL {
            let b = c.basis();
            assert!(!b.quote.is_empty(), "{}: no quote", c.id());
            if let Err(missing) = crate::text::quoted(b.quote) {
                panic!("{}: {missing:?}", c.id());
            }
        }
    }

    #[test]
    fn serde_uses_the_stable_id() {
        let json = serde_json::to_string(&CheckId::AuthSignCount).unwrap();
        assert_eq!(json, "\"auth.sign-count.not-increased\"");
        let back: CheckId = serde_json::from_str(&json).unwrap();
        assert_eq!(back, CheckId::AuthSignCount);
        assert!(serde_json::from_str::<CheckId>("\"auth.unknown\"").is_err());
    }
}
