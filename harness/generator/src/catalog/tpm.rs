//! The `tpm` attestation statement format (§8.3) and its AIK certificate requirements (§8.3.1): the FIDO
//! conformance tool's `Resp-9` tests and the verification steps beyond them. Registration only.
//!
//! Each case rebuilds the statement after its one change and signs certInfo again with an AIK issued under
//! the harness attestation root ([`crate::tpm`]), so exactly one requirement breaks. The valid baselines
//! (`reg.valid.es256.tpm`, `reg.valid.rs256.tpm`) are in `valid.rs`.

use wire::cbor::Value;
use wire::cose::{alg, CoseKey};
use wire::tpm::{self as tpm_wire, Attested, PublicKeyArea};

use super::mutate::{aaguid, attestation_message, edit_att_stmt, flip_last_byte, set_text};
use super::{reg_post, Basis, Case, Ceremony, CheckId, Expect, Flag, Level, RegPost, Setup};
use crate::ceremony::AttestationKind;
use crate::keys::Algorithm;
use crate::pki;
use crate::tpm::{default_aik, issue_aik, name, AikKey, AikSpec, TpmDraft, ID_KP_SERVER_AUTH};

const TPM: Setup = Setup { attestation: AttestationKind::Tpm, ..Setup::DEFAULT };
const TPM_RSA: Setup = Setup { alg: Algorithm::Rs256, attestation: AttestationKind::Tpm, ..Setup::DEFAULT };

const STATEMENT: Option<CheckId> = Some(CheckId::RegAttestationStatementMalformed);
const CERTIFICATE: Option<CheckId> = Some(CheckId::RegAttestationCertificate);

/// A tpm statement the RP must refuse (§8.3).
const TPM_REJECTED: Case = Case {
    spec: "§8.3, §7.1 step 22",
    flags: &[Flag::AttestationUnchecked],
    setup: TPM,
    ..Case::must_reject(Ceremony::Registration)
};

/// A tpm statement whose AIK certificate breaks §8.3.1.
const AIK_REJECTED: Case = Case {
    spec: "§8.3.1, §7.1 step 22",
    flags: &[Flag::AttestationCertificateUnchecked],
    check: CERTIFICATE,
    ..TPM_REJECTED
};

/// A tpm statement the RP must accept.
const TPM_ACCEPTED: Case = Case {
    spec: "§8.3, §7.1 step 22",
    level: Level::Must,
    expect: Expect::Accept,
    flags: &[Flag::Baseline],
    setup: TPM,
    ..Case::DEFAULTS
};

/// §8.3 step "Verify the sig ...".
const SIG: Option<Basis> = Some(Basis::procedure(
    "§8.3 verification procedure",
    "Verify the sig is a valid signature over certInfo using the attestation public key in aikCert with the \
     algorithm specified in alg.",
));

/// §8.3 step "Verify that aikCert meets the requirements in §8.3.1", with the requirement `requirement`.
const fn aik_basis(requirement: &'static str) -> Option<Basis> {
    Some(Basis::procedure("§8.3 verification procedure, §8.3.1", requirement))
}

/// The credential public key the signed registration's authenticator data attests.
fn credential_key(p: &RegPost<'_>) -> Option<CoseKey> {
    let parsed = wire::authdata::AuthenticatorData::parse(&p.signed.attestation_object.auth_data).ok()?;
    let attested = parsed.data.attested_credential_data?;
    CoseKey::parse(&attested.credential_public_key).ok().map(|k| k.key)
}

/// Rebuilds the tpm statement over the signed registration: signed with `a` by the P-256 AIK (or the RSA
/// one, `rsa`), pubArea Named with `name_alg`, after `edit` changed the draft or the AIK certificate's spec.
fn remake(
    p: &mut RegPost<'_>,
    a: i64,
    name_alg: u16,
    rsa: bool,
    edit: impl FnOnce(&mut TpmDraft, &mut AikSpec),
) {
    let Some(key) = credential_key(p) else { return };
    let mut draft = TpmDraft::new(&key, &attestation_message(&p.signed), a, name_alg);
    let mut spec = AikSpec::default();
    edit(&mut draft, &mut spec);
    let aik = if spec == AikSpec::default() {
        default_aik(rsa)
    } else {
        issue_aik(&spec, if rsa { AikKey::rsa() } else { AikKey::p256() })
    };
    p.signed.attestation_object.att_stmt = draft.sign(&aik.key, vec![aik.der]);
}

/// [`remake`] with the default algorithms (ES256 by the P-256 AIK, SHA-256 Name).
fn remake_es256(p: &mut RegPost<'_>, edit: impl FnOnce(&mut TpmDraft, &mut AikSpec)) {
    remake(p, alg::ES256, tpm_wire::alg::SHA256, false, edit)
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        // ---- accepted: what the FIDO tool sends as valid, and the spec's freedoms ----
        Case {
            id: "reg.attestation.tpm.rs1-sha1",
            level: Level::Policy,
            expect: Expect::Either,
            title: "tpm attestation signed RS1 (RSASSA-PKCS1-v1_5 with SHA-1) by an RSA AIK, extraData and the Name with SHA-1",
            rationale: "the statement verifies with alg RS1; the spec obliges no RP to implement a given algorithm, and SHA-1 signatures are deprecated, so refusing RS1 is the RP's choice (the FIDO tool expects acceptance)",
            check: None,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-9 P-2"),
            fido_expect: Some(Expect::Accept),
            basis: SIG,
            setup: TPM_RSA,
            plan: reg_post(|p| remake(p, alg::RS1, tpm_wire::alg::SHA1, true, |_, _| {})),
            ..TPM_ACCEPTED
        },
        Case {
            id: "reg.attestation.tpm.name-alg-sha1",
            title: "tpm attestation (ES256) whose pubArea.nameAlg is SHA-1 and attested.name its SHA-1 Name",
            rationale: "the Name is computed with the nameAlg in pubArea, whichever hash that is; a verifier that assumes SHA-256 refuses a valid statement",
            check: None,
            basis: Some(Basis::procedure(
                "§8.3 verification procedure",
                "Verify that attested contains a TPMS_CERTIFY_INFO structure as specified in section 10.12.3, whose \
                 name field contains a valid Name for pubArea, as computed using the procedure specified in section \
                 16 using the nameAlg in the pubArea.",
            )),
            plan: reg_post(|p| remake(p, alg::ES256, tpm_wire::alg::SHA1, false, |_, _| {})),
            ..TPM_ACCEPTED
        },
        Case {
            id: "reg.attestation.tpm.aaguid-extension",
            title: "tpm attestation whose AIK certificate carries the AAGUID extension with authData's AAGUID",
            rationale: "the extension is present and matches, so the step that checks it holds",
            check: None,
            basis: Some(Basis::procedure(
                "§8.3 verification procedure",
                "If aikCert contains an extension with OID 1.3.6.1.4.1.45724.1.1.4 (id-fido-gen-ce-aaguid) verify \
                 that the value of this extension matches the aaguid in authenticatorData.",
            )),
            plan: reg_post(|p| {
                let id = aaguid(&p.signed);
                remake_es256(p, |_, spec| spec.aaguid = Some((id, false)))
            }),
            ..TPM_ACCEPTED
        },
        Case {
            id: "reg.attestation.tpm.rsa-exponent-explicit",
            title: "tpm attestation of an RSA credential whose pubArea states the exponent 65537 instead of 0",
            rationale: "0 and 65537 denote the same exponent, so the key pubArea specifies is the credential key",
            check: None,
            basis: Some(Basis::procedure(
                "§8.3 verification procedure",
                "Verify that the public key specified by the parameters and unique fields of pubArea is identical \
                 to the credentialPublicKey in the attestedCredentialData in authenticatorData.",
            )),
            setup: TPM_RSA,
            plan: reg_post(|p| {
                remake_es256(p, |d, _| {
                    if let PublicKeyArea::Rsa { exponent, .. } = &mut d.pub_area.key {
                        *exponent = 65_537;
                    }
                    d.rename();
                })
            }),
            ..TPM_ACCEPTED
        },
        // ---- the FIDO tool's failures (Resp-9 F-1..F-4) and its P-3, which the spec refuses ----
        Case {
            id: "reg.attestation.tpm.name-other-alg",
            title: "tpm attestation whose pubArea.nameAlg is SHA-1 but attested.name is pubArea's SHA-256 Name",
            rationale: "the Name must be computed with the nameAlg in pubArea (and a TPM returns it so); the FIDO tool's Resp-9 P-3 expects the RP to accept a Name made with another hash",
            check: Some(CheckId::RegAttestationTpmName),
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-9 P-3"),
            fido_expect: Some(Expect::Accept),
            plan: reg_post(|p| {
                remake_es256(p, |d, _| {
                    d.pub_area.name_alg = tpm_wire::alg::SHA1;
                    let n = name(tpm_wire::alg::SHA256, &d.pub_area.to_bytes());
                    if let Attested::Certify { name, .. } = &mut d.cert_info.attested {
                        *name = n;
                    }
                })
            }),
            ..TPM_REJECTED
        },
        Case {
            id: "reg.attestation.tpm.x5c-root-first",
            title: "tpm attestation whose x5c is [root, AIK certificate]",
            rationale: "aikCert is x5c's first element; here it is the root, which is no §8.3.1 AIK certificate (its subject is not empty)",
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-9 F-1"),
            basis: aik_basis("Verify that aikCert meets the requirements in . Subject field MUST be set to empty."),
            plan: reg_post(|p| {
                let aik = default_aik(false);
                edit_att_stmt(p, |m| {
                    let chain = vec![Value::Bytes(pki::root().der.clone()), Value::Bytes(aik.der)];
                    set_text(m, "x5c", Value::Array(chain))
                })
            }),
            ..AIK_REJECTED
        },
        Case {
            id: "reg.attestation.tpm.extra-data",
            title: "tpm attestation whose certInfo.extraData is the hash of other data (validly signed)",
            rationale: "extraData must be the hash of authenticatorData || clientDataHash: it is what binds the statement to this ceremony",
            check: Some(CheckId::RegAttestationTpmExtraData),
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-9 F-2"),
            plan: reg_post(|p| remake_es256(p, |d, _| d.cert_info.extra_data = crate::tpm::digest(tpm_wire::alg::SHA256, b"other"))),
            ..TPM_REJECTED
        },
        Case {
            id: "reg.attestation.tpm.magic",
            title: "tpm attestation whose certInfo.magic is not TPM_GENERATED_VALUE (validly signed)",
            rationale: "TPM_GENERATED_VALUE marks data the TPM generated; other data signed by the AIK is no attestation",
            check: Some(CheckId::RegAttestationTpmMagic),
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-9 F-3"),
            plan: reg_post(|p| remake_es256(p, |d, _| d.cert_info.magic = 0xff54_4348)),
            ..TPM_REJECTED
        },
        Case {
            id: "reg.attestation.tpm.pub-area-unique",
            title: "tpm attestation whose pubArea.unique is another EC point than the credential key (Name and signature consistent)",
            rationale: "pubArea must specify the credential public key; otherwise the TPM attested some other key",
            check: Some(CheckId::RegAttestationTpmPubAreaKey),
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-9 F-4"),
            plan: reg_post(|p| {
                remake_es256(p, |d, _| {
                    let other = super::mutate::other_key(Algorithm::Es256, 0x7e57_0f4f).cose_key();
                    d.pub_area = crate::tpm::pub_area_for(&other, tpm_wire::alg::SHA256);
                    d.rename();
                })
            }),
            ..TPM_REJECTED
        },
        // ---- the rest of §8.3's procedure ----
        Case {
            id: "reg.attestation.tpm.rsa-exponent",
            title: "tpm attestation of an RSA credential whose pubArea states exponent 3 (Name and signature consistent)",
            rationale: "the key pubArea specifies (modulus and exponent) must be the credential key; another exponent is another key",
            check: Some(CheckId::RegAttestationTpmPubAreaKey),
            setup: TPM_RSA,
            plan: reg_post(|p| {
                remake_es256(p, |d, _| {
                    if let PublicKeyArea::Rsa { exponent, .. } = &mut d.pub_area.key {
                        *exponent = 3;
                    }
                    d.rename();
                })
            }),
            ..TPM_REJECTED
        },
        Case {
            id: "reg.attestation.tpm.type-quote",
            title: "tpm attestation whose certInfo.type is TPM_ST_ATTEST_QUOTE (validly signed)",
            rationale: "only a TPM2_Certify result (TPM_ST_ATTEST_CERTIFY) attests that the TPM holds the key pubArea names",
            check: Some(CheckId::RegAttestationTpmType),
            plan: reg_post(|p| {
                remake_es256(p, |d, _| {
                    d.cert_info.type_ = 0x8018;
                    d.cert_info.attested = Attested::Other(vec![0, 0, 0, 0, 0, 0]);
                })
            }),
            ..TPM_REJECTED
        },
        Case {
            id: "reg.attestation.tpm.name-other-object",
            title: "tpm attestation whose attested.name is the Name of another object (validly signed)",
            rationale: "the Name binds certInfo to pubArea; a Name of another object certifies another key",
            check: Some(CheckId::RegAttestationTpmName),
            plan: reg_post(|p| {
                remake_es256(p, |d, _| {
                    if let Attested::Certify { name: n, .. } = &mut d.cert_info.attested {
                        *n = name(tpm_wire::alg::SHA256, b"another object");
                    }
                })
            }),
            ..TPM_REJECTED
        },
        Case {
            id: "reg.attestation.tpm.sig",
            title: "tpm attestation whose sig does not verify (last byte changed)",
            rationale: "the AIK's signature over certInfo is the attestation",
            check: Some(CheckId::RegAttestationSignature),
            basis: SIG,
            plan: reg_post(|p| edit_att_stmt(p, |m| flip_last_byte(m, "sig"))),
            ..TPM_REJECTED
        },
        Case {
            id: "reg.attestation.tpm.alg-rs256-ec-aik",
            title: "tpm attestation with alg RS256 whose AIK is a P-256 key (signed ES256)",
            rationale: "sig is verified with the algorithm specified in alg, which cannot be used with the AIK's key",
            check: Some(CheckId::RegAttestationAlgMismatch),
            basis: SIG,
            plan: reg_post(|p| edit_att_stmt(p, |m| set_text(m, "alg", Value::from(alg::RS256)))),
            ..TPM_REJECTED
        },
        Case {
            id: "reg.attestation.tpm.ver",
            title: "tpm attestation with ver \"1.0\"",
            rationale: "the syntax fixes ver to \"2.0\", the TPM specification version the signature conforms to",
            check: STATEMENT,
            plan: reg_post(|p| edit_att_stmt(p, |m| set_text(m, "ver", Value::from("1.0")))),
            ..TPM_REJECTED
        },
        Case {
            id: "reg.attestation.tpm.x5c-missing",
            title: "tpm attestation without x5c",
            rationale: "the AIK certificate is needed to verify sig; the procedure checks that x5c is present",
            check: STATEMENT,
            basis: Some(Basis::procedure("§8.3 verification procedure", "Verify that x5c is present.")),
            plan: reg_post(|p| edit_att_stmt(p, |m| super::mutate::remove_text(m, "x5c"))),
            ..TPM_REJECTED
        },
        // ---- §8.3.1 AIK certificate requirements ----
        Case {
            id: "reg.attestation.tpm.aik-subject",
            title: "tpm attestation whose AIK certificate has a subject",
            rationale: "an AIK certificate's subject is empty; its identity is in the TCG Subject Alternative Name",
            basis: aik_basis("Subject field MUST be set to empty."),
            plan: reg_post(|p| {
                remake_es256(p, |_, s| s.subject = "CN=webauthn-harness AIK,O=webauthn-harness,C=US".into())
            }),
            ..AIK_REJECTED
        },
        Case {
            id: "reg.attestation.tpm.aik-eku-missing",
            title: "tpm attestation whose AIK certificate has no Extended Key Usage extension",
            rationale: "the EKU tcg-kp-AIKCertificate marks the key as an AIK",
            basis: aik_basis(
                "The Extended Key Usage extension MUST contain the OID 2.23.133.8.3 (\"joint-iso-itu-t(2) \
                 internationalorganizations(23) 133 tcg-kp(8) tcg-kp-AIKCertificate(3)\").",
            ),
            plan: reg_post(|p| remake_es256(p, |_, s| s.eku = None)),
            ..AIK_REJECTED
        },
        Case {
            id: "reg.attestation.tpm.aik-eku-other",
            title: "tpm attestation whose AIK certificate's Extended Key Usage is id-kp-serverAuth only",
            rationale: "the EKU must contain tcg-kp-AIKCertificate; a TLS server key is no AIK",
            basis: aik_basis(
                "The Extended Key Usage extension MUST contain the OID 2.23.133.8.3 (\"joint-iso-itu-t(2) \
                 internationalorganizations(23) 133 tcg-kp(8) tcg-kp-AIKCertificate(3)\").",
            ),
            plan: reg_post(|p| remake_es256(p, |_, s| s.eku = Some(vec![ID_KP_SERVER_AUTH]))),
            ..AIK_REJECTED
        },
        Case {
            id: "reg.attestation.tpm.aik-ca",
            title: "tpm attestation whose AIK certificate says cA TRUE",
            rationale: "an AIK certificate is an end-entity certificate",
            basis: aik_basis("The Basic Constraints extension MUST have the CA component set to false."),
            plan: reg_post(|p| remake_es256(p, |_, s| s.ca = Some(true))),
            ..AIK_REJECTED
        },
        Case {
            id: "reg.attestation.tpm.aik-san-missing",
            title: "tpm attestation whose AIK certificate has no Subject Alternative Name",
            rationale: "with an empty subject, the TCG Subject Alternative Name (TPM manufacturer, model, version) is the certificate's only identity",
            basis: aik_basis("The Subject Alternative Name extension MUST be set as defined in section 3.2.9."),
            plan: reg_post(|p| remake_es256(p, |_, s| s.san = false)),
            ..AIK_REJECTED
        },
        Case {
            id: "reg.attestation.tpm.aaguid-mismatch",
            title: "tpm attestation whose AIK certificate's AAGUID extension differs from authData's AAGUID",
            rationale: "the certificate attests another authenticator model than authData claims",
            flags: &[Flag::AttestationCertificateUnchecked],
            check: Some(CheckId::RegAttestationAaguidMismatch),
            plan: reg_post(|p| {
                let mut other = aaguid(&p.signed);
                other[0] ^= 0xff;
                remake_es256(p, |_, s| s.aaguid = Some((other, false)))
            }),
            ..TPM_REJECTED
        },
    ]
}
