//! CBOR: the attestation object's structure (§6.5.4; §7.1 step 13), strictness (one item, no duplicate keys,
//! definite lengths) and CTAP2 canonical form (§2.4), in the attestation object, the credential public key
//! and the authenticator extensions of both ceremonies.
//!
//! §2.4 makes canonical form a MUST for encoders and a SHOULD for decoders ("decoders SHOULD reject CBOR that
//! is not validly encoded in the CTAP2 canonical CBOR encoding form and SHOULD reject messages with duplicate
//! map keys"), so those cases are SHOULD, whichever check of the reference verifier refuses them. A duplicate
//! key inside a packed attestation statement is more: the packed procedure's first step verifies that attStmt
//! is valid CBOR, which a map with a duplicate key is not (RFC 8949 §3.1), so those cases are MUST. A structure
//! that step 13 cannot read at all fails the RP's own procedure (MUST); one it can read but that breaks the
//! syntax the authenticator MUST produce (an extra entry, extensions that are no map) is a `data` MUST.

use wire::cbor::{self, Value};
use wire::cose::label;

use super::mutate::{
    assertion_with_raw_extensions, cose_value, edit_att_stmt, object_entries, other_key, raw_entries,
    raw_map, raw_map_indefinite, registration_with_raw_extensions, send_object, set_credential_key, set_text,
    text_entry, widen_head, RawEntry,
};
use super::{
    auth_post, reg_post, reg_pre, Basis, Case, Ceremony, CheckId, Expect, Flag, Level, Reference, Setup,
};
use crate::ceremony::AttestationKind;
use crate::keys::Algorithm;

const NONE: Setup = Setup::DEFAULT;
const PACKED_SELF: Setup = Setup { attestation: AttestationKind::PackedSelf, ..Setup::DEFAULT };
const RS256: Setup = Setup { alg: Algorithm::Rs256, ..Setup::DEFAULT };

const OBJECT_MALFORMED: Option<CheckId> = Some(CheckId::RegAttestationObjectMalformed);
const REG_AUTH_DATA_MALFORMED: Option<CheckId> = Some(CheckId::RegAuthDataMalformed);
const AUTH_AUTH_DATA_MALFORMED: Option<CheckId> = Some(CheckId::AuthAuthDataMalformed);
const REG_NON_CANONICAL: Option<CheckId> = Some(CheckId::RegNonCanonicalCbor);
const AUTH_NON_CANONICAL: Option<CheckId> = Some(CheckId::AuthNonCanonicalCbor);

const STRUCTURE: &str = "a correct RP cannot obtain fmt, attStmt and authData (step 13) from this object";

/// §2.4: what the RP's CBOR decoder SHOULD refuse. The basis of every strictness case, also those the reference
/// verifier's decoder refuses before any canonical-form check (duplicate keys, indefinite lengths, tags).
const DECODERS_SHOULD_REJECT: Option<Basis> = Some(Basis::data(
    "§2.4",
    "All decoders of the above conformance classes SHOULD reject CBOR that is not validly encoded in the CTAP2 \
     canonical CBOR encoding form and SHOULD reject messages with duplicate map keys.",
));

/// A registration whose CBOR repeats a map key, which decoders SHOULD refuse (§2.4).
const REG_DUPLICATE_KEYS: Case = Case {
    ceremony: Ceremony::Registration,
    level: Level::Should,
    expect: Expect::Reject,
    flags: &[Flag::CborDuplicateKeys],
    basis: DECODERS_SHOULD_REJECT,
    setup: NONE,
    ..Case::DEFAULTS
};

/// §8.2's first step: the statement is valid CBOR of the format's syntax. A map with a duplicate key is
/// well-formed but not valid CBOR (RFC 8949 §3.1, major type 5; §5.6), so the packed procedure itself refuses
/// it, whatever §2.4 says of decoders in general.
const ATT_STMT_VALID_CBOR: Option<Basis> = Some(Basis::procedure(
    "§8.2 verification procedure",
    "Verify that attStmt is valid CBOR conforming to the syntax defined above and perform CBOR decoding on it to \
     extract the contained fields.",
));

/// A packed statement whose alg appears twice, which the packed procedure refuses (§8.2).
const ATT_STMT_DUPLICATE_KEY: Case = Case {
    spec: "§8.2, §7.1 step 22",
    flags: &[Flag::CborDuplicateKeys, Flag::AttestationUnchecked],
    check: OBJECT_MALFORMED,
    basis: ATT_STMT_VALID_CBOR,
    setup: PACKED_SELF,
    ..Case::must_reject(Ceremony::Registration)
};

const ALG_TWICE: &str =
    "a map with a duplicate key is not valid CBOR (RFC 8949 §3.1), so the statement fails \
                         the procedure's first step; a reader that keeps one alg and a reader that keeps the \
                         other see different algorithms";

/// A decoder that keeps one of two equal keys (the first or the last), as these libraries shipped.
const PY_WEBAUTHN_COSE_KEY_COLLISION: &[Reference] = &[Reference {
    id: "duo-labs/py_webauthn#265",
    summary:
        "py_webauthn: its CBOR decoder (cbor2) merged duplicate map keys keeping the last value (there a \
              boolean true, which Python takes for the label 1), so a COSE key written as EC2 was loaded as \
              RSA; fixed by rejecting duplicate keys (#285)",
}];

const ASPNETCORE_AUTH_DATA_TWICE: &[Reference] = &[Reference {
    id: "dotnet/aspnetcore#69343",
    summary: "ASP.NET Core Identity (passkeys): its CBOR reader compares map keys by their encoded bytes, so \
              authData written in two encodings is no duplicate to it, and attestation parsing keeps the last \
              authData while the statement's verification may read the first",
}];

const LIBFIDO2_ALG_OVERWRITTEN: &[Reference] = &[Reference {
    id: "Yubico/libfido2#782",
    summary: "libfido2 (fido_cred_verify, which checks a credential's attestation for a relying party): its \
              attStmt decoder overwrote a repeated alg with the later value instead of refusing the \
              statement, as its maintainers noted when it began to take whole attestation objects",
}];

/// The authenticator data of the signed registration with another credential public key (same credential ID).
fn with_other_credential_key(auth_data: &[u8]) -> Vec<u8> {
    let Ok(mut parsed) = wire::authdata::AuthenticatorData::parse(auth_data) else {
        return auth_data.to_vec();
    };
    if let Some(attested) = parsed.data.attested_credential_data.as_mut() {
        attested.credential_public_key = other_key(Algorithm::Es256, 0x0d0b_1e00).cose_key().to_bytes();
    }
    parsed.data.to_bytes()
}

/// An extensions map whose `example` output is a map with the key `"x"` twice (1, then 2), each side
/// encoded as written (a canonical encoder would drop the second).
fn output_with_duplicate_key() -> Vec<u8> {
    let x = cbor::encode(&Value::from("x"));
    let output = raw_map(&[(x.clone(), int(1)), (x, int(2))]);
    ext(&[(cbor::encode(&Value::from("example")), output)])
}

/// A registration whose CBOR a strict decoder refuses (a SHOULD of §2.4 and §6.5.4).
const REG_LENIENT: Case = Case {
    ceremony: Ceremony::Registration,
    level: Level::Should,
    expect: Expect::Reject,
    flags: &[Flag::CborLeniency],
    basis: DECODERS_SHOULD_REJECT,
    setup: NONE,
    ..Case::DEFAULTS
};

/// The attestation object's entries with the one named `key` changed by `f` (removed if it returns None).
fn with_entry(p: &mut super::RegPost<'_>, key: &str, f: impl FnOnce(Vec<u8>) -> Option<Vec<u8>>) {
    let name = cbor::encode(&Value::from(key));
    let mut entries = object_entries(p);
    if let Some(i) = entries.iter().position(|(k, _)| *k == name) {
        let (k, v) = entries.remove(i);
        if let Some(v) = f(v) {
            entries.insert(i, (k, v));
        }
    }
    send_object(p, raw_map(&entries));
}

/// The attestation object's entries plus one more.
fn with_extra(p: &mut super::RegPost<'_>, extra: RawEntry) {
    let mut entries = object_entries(p);
    entries.push(extra);
    send_object(p, raw_map(&entries));
}

/// The credential public key's entries, edited, written back raw.
fn raw_cose(p: &mut super::RegPre<'_>, f: impl FnOnce(&mut Vec<RawEntry>)) {
    let mut entries = raw_entries(&cose_value(p));
    f(&mut entries);
    set_credential_key(p, raw_map(&entries));
}

fn int(i: i64) -> Vec<u8> {
    cbor::encode(&Value::from(i))
}

/// An extensions map of the given entries, each side encoded as given.
fn ext(entries: &[RawEntry]) -> Vec<u8> {
    raw_map(entries)
}

fn cred_protect(v: i64) -> RawEntry {
    text_entry("credProtect", &Value::from(v))
}

fn example(v: bool) -> RawEntry {
    text_entry("example", &Value::Bool(v))
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        // ---- the attestation object's structure (§6.5.4, step 13) ----
        Case {
            id: "reg.cbor.attestation-object.not-a-map",
            ceremony: Ceremony::Registration,
            spec: "§6.5.4, §7.1 step 13",
            level: Level::Must,
            expect: Expect::Reject,
            title: "the attestation object is a CBOR array of fmt, attStmt and authData",
            rationale: "the attestation object is a CBOR map; without its keys nothing says which value is which",
            flags: &[Flag::CborLeniency],
            check: OBJECT_MALFORMED,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 F-1"),
            setup: NONE,
            plan: reg_post(|p| {
                let o = &p.signed.attestation_object;
                let array = Value::Array(vec![
                    Value::from(o.fmt.as_str()),
                    o.att_stmt.clone(),
                    Value::Bytes(o.auth_data.clone()),
                ]);
                send_object(p, cbor::encode(&array))
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.cbor.fmt.missing",
            ceremony: Ceremony::Registration,
            spec: "§6.5.4, §7.1 step 13",
            level: Level::Must,
            expect: Expect::Reject,
            title: "the attestation object has no fmt",
            rationale: STRUCTURE,
            flags: &[Flag::CborLeniency],
            check: OBJECT_MALFORMED,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 F-2"),
            setup: NONE,
            plan: reg_post(|p| with_entry(p, "fmt", |_| None)),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.cbor.fmt.not-text",
            ceremony: Ceremony::Registration,
            spec: "§6.5.4, §7.1 step 13",
            level: Level::Must,
            expect: Expect::Reject,
            title: "fmt is the byte string \"none\", not a text string",
            rationale: "fmt is text; a byte string is not a format identifier, whatever its bytes",
            flags: &[Flag::CborLeniency],
            check: OBJECT_MALFORMED,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 F-3"),
            setup: NONE,
            plan: reg_post(|p| with_entry(p, "fmt", |_| Some(cbor::encode(&Value::Bytes(b"none".to_vec()))))),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.cbor.att-stmt.missing",
            ceremony: Ceremony::Registration,
            spec: "§6.5.4, §7.1 step 13",
            level: Level::Must,
            expect: Expect::Reject,
            title: "the attestation object has no attStmt",
            rationale: STRUCTURE,
            flags: &[Flag::CborLeniency],
            check: OBJECT_MALFORMED,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 F-4"),
            setup: NONE,
            plan: reg_post(|p| with_entry(p, "attStmt", |_| None)),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.cbor.att-stmt.not-a-map",
            ceremony: Ceremony::Registration,
            spec: "§6.5.4, §7.1 step 13",
            level: Level::Must,
            expect: Expect::Reject,
            title: "attStmt is a text string",
            rationale: "attStmt is a map (or, for compound, an array); a string is no attestation statement",
            flags: &[Flag::CborLeniency],
            check: OBJECT_MALFORMED,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 F-5"),
            setup: NONE,
            plan: reg_post(|p| with_entry(p, "attStmt", |_| Some(cbor::encode(&Value::from("attStmt"))))),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.cbor.auth-data.missing",
            ceremony: Ceremony::Registration,
            spec: "§6.5.4, §7.1 step 13",
            level: Level::Must,
            expect: Expect::Reject,
            title: "the attestation object has no authData",
            rationale: STRUCTURE,
            flags: &[Flag::CborLeniency],
            check: OBJECT_MALFORMED,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 F-6"),
            setup: NONE,
            plan: reg_post(|p| with_entry(p, "authData", |_| None)),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.cbor.auth-data.not-bytes",
            ceremony: Ceremony::Registration,
            spec: "§6.5.4, §7.1 step 13",
            level: Level::Must,
            expect: Expect::Reject,
            title: "authData is an array of the authenticator data's byte values",
            rationale: "authData is a byte string; an array of numbers is not authenticator data",
            flags: &[Flag::CborLeniency],
            check: OBJECT_MALFORMED,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 F-7"),
            setup: NONE,
            plan: reg_post(|p| {
                let bytes = p.signed.attestation_object.auth_data.clone();
                let array = Value::Array(bytes.into_iter().map(|b| Value::from(i64::from(b))).collect());
                with_entry(p, "authData", |_| Some(cbor::encode(&array)))
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.cbor.auth-data.empty",
            ceremony: Ceremony::Registration,
            spec: "§6.1, §7.1 step 13",
            level: Level::Must,
            expect: Expect::Reject,
            title: "authData is an empty byte string",
            rationale: "authenticator data is at least 37 bytes, and a registration's carries attested credential data",
            flags: &[Flag::AuthDataLeniency],
            check: REG_AUTH_DATA_MALFORMED,
            fido: Some("Server-ServerAuthenticatorAttestationResponse-Resp-3 F-8"),
            setup: NONE,
            plan: reg_post(|p| p.signed.attestation_object.auth_data.clear()),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.cbor.trailing-bytes",
            ceremony: Ceremony::Registration,
            spec: "§6.5.4, §7.1 step 13",
            level: Level::Must,
            expect: Expect::Reject,
            title: "the attestation object is followed by a second copy of itself",
            rationale: "the attestation object is one CBOR map; bytes after it are not part of any attestation object",
            flags: &[Flag::CborLeniency],
            check: OBJECT_MALFORMED,
            setup: NONE,
            plan: reg_post(|p| {
                let mut bytes = p.signed.attestation_object.to_bytes();
                bytes.extend_from_slice(&p.signed.attestation_object.to_bytes());
                send_object(p, bytes)
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "reg.cbor.extra-member",
            ceremony: Ceremony::Registration,
            spec: "§6.5.4",
            level: Level::Must,
            expect: Expect::Either,
            title: "the attestation object has a fourth entry \"epAtt\": true",
            rationale: "the §6.5.4 syntax has no other entries, but step 13 only needs fmt, attStmt and authData",
            flags: &[Flag::CborLeniency],
            check: OBJECT_MALFORMED,
            // The authenticator MUST return exactly the §6.5.4 syntax; no step of §7.1 rejects another entry.
            basis: Some(Basis::data(
                "§6.5.4",
                "Return the attestation object as a CBOR map with the following syntax, filled in with variables \
                 initialized by this algorithm:",
            )),
            setup: NONE,
            plan: reg_post(|p| with_extra(p, text_entry("epAtt", &Value::Bool(true)))),
            ..Case::DEFAULTS
        },
        // ---- duplicate keys (§2.4 SHOULD) ----
        Case {
            id: "reg.cbor.duplicate-key.fmt",
            spec: "§2.4, §7.1 step 13",
            title: "the attestation object has fmt twice: \"none\", then \"packed\"",
            rationale: "decoders SHOULD reject duplicate map keys: two readers may take different ones",
            check: OBJECT_MALFORMED,
            plan: reg_post(|p| with_extra(p, text_entry("fmt", &Value::from("packed")))),
            ..REG_DUPLICATE_KEYS
        },
        Case {
            id: "reg.cbor.duplicate-key.auth-data",
            spec: "§2.4, §7.1 step 13",
            title: "the attestation object has authData twice, the second with the UV flag set",
            rationale: "decoders SHOULD reject duplicate map keys: a signature check and a flag check may read different authData",
            check: OBJECT_MALFORMED,
            plan: reg_post(|p| {
                let mut other = p.signed.attestation_object.auth_data.clone();
                if let Some(flags) = other.get_mut(32) {
                    *flags |= wire::authdata::Flags::UV;
                }
                with_extra(p, text_entry("authData", &Value::Bytes(other)))
            }),
            ..REG_DUPLICATE_KEYS
        },
        Case {
            id: "reg.cbor.duplicate-key.two-encodings",
            spec: "§2.4, §7.1 step 13",
            title: "fmt appears twice, once as 0x63 \"fmt\" and once with a non-minimal length (0x78 0x03 \"fmt\")",
            rationale: "the same key in two encodings is still a duplicate; comparing encoded bytes misses it",
            check: OBJECT_MALFORMED,
            plan: reg_post(|p| {
                let key = widen_head(&cbor::encode(&Value::from("fmt")));
                with_extra(p, (key, cbor::encode(&Value::from("packed"))))
            }),
            ..REG_DUPLICATE_KEYS
        },
        Case {
            id: "reg.cbor.duplicate-key.auth-data-two-encodings",
            spec: "§2.4, §7.1 step 13",
            title: "authData twice, the second key with a non-minimal length (0x78 0x08) and another credential public key",
            rationale: "the same key in two encodings is still a duplicate; a reader that compares encoded keys keeps both, and one component may verify the first authData while another stores the second's key",
            references: ASPNETCORE_AUTH_DATA_TWICE,
            check: OBJECT_MALFORMED,
            plan: reg_post(|p| {
                let key = widen_head(&cbor::encode(&Value::from("authData")));
                let other = with_other_credential_key(&p.signed.attestation_object.auth_data);
                with_extra(p, (key, cbor::encode(&Value::Bytes(other))))
            }),
            ..REG_DUPLICATE_KEYS
        },
        // ---- duplicate keys inside the attestation statement (§8.2: valid CBOR) ----
        Case {
            id: "reg.cbor.att-stmt.duplicate-alg",
            title: "a packed self attStmt with alg twice: -7 (ES256, the credential's) first, then -257 (RS256)",
            rationale: ALG_TWICE,
            plan: reg_post(|p| {
                edit_att_stmt(p, |m| m.push((Value::from("alg"), Value::from(wire::cose::alg::RS256))));
                let bytes = cbor::encode(&p.signed.attestation_object.to_value());
                send_object(p, bytes)
            }),
            ..ATT_STMT_DUPLICATE_KEY
        },
        Case {
            id: "reg.cbor.att-stmt.duplicate-alg-valid-last",
            title: "a packed self attStmt with alg twice: -257 (RS256) first, then -7 (ES256, the credential's)",
            rationale: ALG_TWICE,
            references: LIBFIDO2_ALG_OVERWRITTEN,
            plan: reg_post(|p| {
                edit_att_stmt(p, |m| {
                    set_text(m, "alg", Value::from(wire::cose::alg::RS256));
                    m.push((Value::from("alg"), Value::from(wire::cose::alg::ES256)));
                });
                let bytes = cbor::encode(&p.signed.attestation_object.to_value());
                send_object(p, bytes)
            }),
            ..ATT_STMT_DUPLICATE_KEY
        },
        // ---- CTAP2 canonical form (§2.4 SHOULD) ----
        Case {
            id: "reg.cbor.unsorted-keys",
            spec: "§2.4, §7.1 step 13",
            title: "the attestation object's keys in the order authData, attStmt, fmt",
            rationale: "canonical CBOR sorts keys length-first (fmt, attStmt, authData); decoders SHOULD reject other orders",
            check: REG_NON_CANONICAL,
            plan: reg_post(|p| {
                let mut entries = object_entries(p);
                entries.reverse();
                send_object(p, raw_map(&entries))
            }),
            ..REG_LENIENT
        },
        Case {
            id: "reg.cbor.non-minimal.key-length",
            spec: "§2.4, §7.1 step 13",
            title: "the key fmt written with a one-byte length argument (0x78 0x03) where the head alone suffices",
            rationale: "canonical CBOR uses the shortest argument encoding; decoders SHOULD reject longer ones",
            check: REG_NON_CANONICAL,
            plan: reg_post(|p| {
                let entries: Vec<RawEntry> = object_entries(p)
                    .into_iter()
                    .enumerate()
                    .map(|(i, (k, v))| if i == 0 { (widen_head(&k), v) } else { (k, v) })
                    .collect();
                send_object(p, raw_map(&entries))
            }),
            ..REG_LENIENT
        },
        Case {
            id: "reg.cbor.non-minimal.auth-data-length",
            spec: "§2.4, §7.1 step 13",
            title: "authData's length written one size wider than needed",
            rationale: "canonical CBOR uses the shortest argument encoding; decoders SHOULD reject longer ones",
            check: REG_NON_CANONICAL,
            plan: reg_post(|p| with_entry(p, "authData", |v| Some(widen_head(&v)))),
            ..REG_LENIENT
        },
        Case {
            id: "reg.cbor.non-minimal.map-count",
            spec: "§2.4, §7.1 step 13",
            title: "the attestation object's entry count written as 0xb8 0x03 instead of 0xa3",
            rationale: "canonical CBOR uses the shortest argument encoding; decoders SHOULD reject longer ones",
            check: REG_NON_CANONICAL,
            plan: reg_post(|p| {
                let bytes = widen_head(&p.signed.attestation_object.to_bytes());
                send_object(p, bytes)
            }),
            ..REG_LENIENT
        },
        Case {
            id: "reg.cbor.indefinite-length-map",
            spec: "§2.4, §7.1 step 13",
            title: "the attestation object is an indefinite-length map (0xbf … 0xff)",
            rationale: "canonical CBOR has definite lengths only; decoders SHOULD reject indefinite ones",
            check: OBJECT_MALFORMED,
            plan: reg_post(|p| {
                let entries = object_entries(p);
                send_object(p, raw_map_indefinite(&entries))
            }),
            ..REG_LENIENT
        },
        Case {
            id: "reg.cbor.indefinite-length-bytes",
            spec: "§2.4, §7.1 step 13",
            title: "authData is an indefinite-length byte string of two chunks",
            rationale: "canonical CBOR has definite lengths only; decoders SHOULD reject indefinite ones",
            check: OBJECT_MALFORMED,
            plan: reg_post(|p| {
                let data = p.signed.attestation_object.auth_data.clone();
                let (a, b) = data.split_at(data.len() / 2);
                let mut chunked = vec![0x5f];
                chunked.extend_from_slice(&cbor::encode(&Value::Bytes(a.to_vec())));
                chunked.extend_from_slice(&cbor::encode(&Value::Bytes(b.to_vec())));
                chunked.push(0xff);
                with_entry(p, "authData", |_| Some(chunked))
            }),
            ..REG_LENIENT
        },
        Case {
            id: "reg.cbor.tagged",
            spec: "§2.4, §7.1 step 13",
            title: "the attestation object wrapped in the self-describe tag 55799",
            rationale: "CTAP2 canonical CBOR admits no tags; decoders SHOULD reject them",
            check: OBJECT_MALFORMED,
            plan: reg_post(|p| {
                let mut bytes = vec![0xd9, 0xd9, 0xf7];
                bytes.extend_from_slice(&p.signed.attestation_object.to_bytes());
                send_object(p, bytes)
            }),
            ..REG_LENIENT
        },
        Case {
            id: "reg.cbor.att-stmt.unsorted-keys",
            spec: "§2.4, §7.1 step 13",
            title: "a packed attStmt with sig before alg",
            rationale: "canonical CBOR sorts alg before sig; decoders SHOULD reject other orders",
            check: REG_NON_CANONICAL,
            setup: PACKED_SELF,
            plan: reg_post(|p| {
                edit_att_stmt(p, |m| m.reverse());
                let bytes = cbor::encode(&p.signed.attestation_object.to_value());
                send_object(p, bytes)
            }),
            ..REG_LENIENT
        },
        // ---- the credential public key (§6.5.1: a COSE_Key in canonical form) ----
        Case {
            id: "reg.cbor.cose-key.unsorted-labels",
            spec: "§2.4, §6.5.1",
            title: "the credential public key with crv, x, y before kty and alg",
            rationale: "the key MUST be in canonical form (labels 1, 3, -1, -2, -3); decoders SHOULD reject other orders",
            check: REG_NON_CANONICAL,
            plan: reg_pre(|p| raw_cose(p, |e| e.rotate_left(2))),
            ..REG_LENIENT
        },
        Case {
            id: "reg.cbor.cose-key.non-minimal-alg",
            spec: "§2.4, §6.5.1",
            title: "the credential public key's alg -7 written as 0x38 0x06 instead of 0x26",
            rationale: "canonical CBOR uses the shortest integer encoding; decoders SHOULD reject longer ones",
            check: REG_NON_CANONICAL,
            plan: reg_pre(|p| {
                raw_cose(p, |e| {
                    for (k, v) in e.iter_mut() {
                        if *k == int(label::ALG) {
                            *v = widen_head(v);
                        }
                    }
                })
            }),
            ..REG_LENIENT
        },
        Case {
            id: "reg.cbor.cose-key.duplicate-label",
            spec: "§2.4, §6.5.1",
            title: "the credential public key has kty twice: 2 (EC2), then 3 (RSA)",
            rationale: "decoders SHOULD reject duplicate map keys: two readers may see different key types",
            check: REG_AUTH_DATA_MALFORMED,
            plan: reg_pre(|p| raw_cose(p, |e| e.push((int(label::KTY), int(3))))),
            ..REG_DUPLICATE_KEYS
        },
        Case {
            id: "reg.cbor.cose-key.duplicate-label-two-encodings",
            spec: "§2.4, §6.5.1",
            title: "the credential public key has alg twice: 3 => -7, and 0x18 0x03 => -257",
            rationale: "the same label in two encodings is still a duplicate; comparing encoded bytes misses it",
            check: REG_AUTH_DATA_MALFORMED,
            plan: reg_pre(|p| raw_cose(p, |e| e.push((widen_head(&int(label::ALG)), int(-257))))),
            ..REG_DUPLICATE_KEYS
        },
        Case {
            id: "reg.cbor.cose-key.duplicate-kty-ec2-then-rsa",
            spec: "§2.4, §6.5.1",
            title: "an RS256 credential public key with kty twice: 2 (EC2) first, then 3 (RSA)",
            rationale: "decoders SHOULD reject duplicate map keys: a reader that keeps the last kty loads an RSA key from what a reader that keeps the first takes for an EC2 key",
            references: PY_WEBAUTHN_COSE_KEY_COLLISION,
            check: REG_AUTH_DATA_MALFORMED,
            setup: RS256,
            plan: reg_pre(|p| raw_cose(p, |e| e.insert(0, (int(label::KTY), int(2))))),
            ..REG_DUPLICATE_KEYS
        },
        Case {
            id: "reg.cbor.cose-key.indefinite-length-map",
            spec: "§2.4, §6.5.1",
            title: "the credential public key is an indefinite-length map",
            rationale: "canonical CBOR has definite lengths only; decoders SHOULD reject indefinite ones",
            check: REG_AUTH_DATA_MALFORMED,
            plan: reg_pre(|p| {
                let entries = raw_entries(&cose_value(p));
                set_credential_key(p, raw_map_indefinite(&entries))
            }),
            ..REG_LENIENT
        },
        // ---- authenticator extensions (§6.1: a CBOR map after the attested credential data) ----
        Case {
            id: "reg.cbor.extensions.unsorted-keys",
            spec: "§2.4, §6.1",
            title: "authData extensions {\"credProtect\": 1, \"example\": true}, not sorted",
            rationale: "canonical CBOR sorts keys length-first (example before credProtect); decoders SHOULD reject other orders",
            check: REG_NON_CANONICAL,
            plan: reg_post(|p| registration_with_raw_extensions(p, &ext(&[cred_protect(1), example(true)]))),
            ..REG_LENIENT
        },
        Case {
            id: "reg.cbor.extensions.duplicate-key",
            spec: "§2.4, §6.1",
            title: "authData extensions with credProtect twice (1, then 3)",
            rationale: "decoders SHOULD reject duplicate map keys: two readers may see different extension outputs",
            check: REG_AUTH_DATA_MALFORMED,
            plan: reg_post(|p| registration_with_raw_extensions(p, &ext(&[cred_protect(1), cred_protect(3)]))),
            ..REG_DUPLICATE_KEYS
        },
        Case {
            id: "reg.cbor.extensions.output-duplicate-key",
            spec: "§2.4, §6.1",
            title: "authData extensions {\"example\": {\"x\": 1, \"x\": 2}}: a duplicate key inside an extension output",
            rationale: "decoders SHOULD reject duplicate map keys at any depth: two readers may see different values of the output",
            check: REG_AUTH_DATA_MALFORMED,
            plan: reg_post(|p| registration_with_raw_extensions(p, &output_with_duplicate_key())),
            ..REG_DUPLICATE_KEYS
        },
        Case {
            id: "auth.cbor.extensions.unsorted-keys",
            ceremony: Ceremony::Authentication,
            spec: "§2.4, §6.1, §7.2 step 7",
            level: Level::Should,
            expect: Expect::Reject,
            title: "authenticatorData extensions {\"credProtect\": 1, \"example\": true}, not sorted, signed",
            rationale: "canonical CBOR sorts keys length-first; decoders SHOULD reject other orders",
            flags: &[Flag::CborLeniency],
            check: AUTH_NON_CANONICAL,
            setup: NONE,
            plan: auth_post(|p| assertion_with_raw_extensions(p, &ext(&[cred_protect(1), example(true)]))),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.cbor.extensions.non-minimal-integer",
            ceremony: Ceremony::Authentication,
            spec: "§2.4, §6.1, §7.2 step 7",
            level: Level::Should,
            expect: Expect::Reject,
            title: "authenticatorData extensions with credProtect's 1 written as 0x18 0x01, signed",
            rationale: "canonical CBOR uses the shortest integer encoding; decoders SHOULD reject longer ones",
            flags: &[Flag::CborLeniency],
            check: AUTH_NON_CANONICAL,
            setup: NONE,
            plan: auth_post(|p| {
                let (k, v) = cred_protect(1);
                assertion_with_raw_extensions(p, &ext(&[(k, widen_head(&v))]))
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.cbor.extensions.tag",
            ceremony: Ceremony::Authentication,
            spec: "§2.4, §6.1, §7.2 step 7",
            level: Level::Should,
            expect: Expect::Reject,
            title: "authenticatorData extensions whose value is tagged (tag 1, epoch time), signed",
            rationale: "CTAP2 canonical CBOR admits no tags; decoders SHOULD reject them",
            flags: &[Flag::CborLeniency],
            check: AUTH_NON_CANONICAL,
            setup: NONE,
            plan: auth_post(|p| {
                let tagged = Value::Tag(1, Box::new(Value::from(0)));
                assertion_with_raw_extensions(p, &ext(&[text_entry("example", &tagged)]))
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.cbor.extensions.duplicate-key",
            ceremony: Ceremony::Authentication,
            spec: "§2.4, §6.1, §7.2 step 7",
            level: Level::Should,
            expect: Expect::Reject,
            title: "authenticatorData extensions with credProtect twice (1, then 3), signed",
            rationale: "decoders SHOULD reject duplicate map keys: two readers may see different extension outputs",
            flags: &[Flag::CborDuplicateKeys],
            check: AUTH_AUTH_DATA_MALFORMED,
            basis: DECODERS_SHOULD_REJECT,
            setup: NONE,
            plan: auth_post(|p| assertion_with_raw_extensions(p, &ext(&[cred_protect(1), cred_protect(3)]))),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.cbor.extensions.duplicate-key-two-encodings",
            ceremony: Ceremony::Authentication,
            spec: "§2.4, §6.1, §7.2 step 7",
            level: Level::Should,
            expect: Expect::Reject,
            title: "authenticatorData extensions with credProtect twice, the second key with a non-minimal length, signed",
            rationale: "the same key in two encodings is still a duplicate; comparing encoded bytes misses it",
            flags: &[Flag::CborDuplicateKeys],
            check: AUTH_AUTH_DATA_MALFORMED,
            basis: DECODERS_SHOULD_REJECT,
            setup: NONE,
            plan: auth_post(|p| {
                let (k, v) = cred_protect(3);
                assertion_with_raw_extensions(p, &ext(&[cred_protect(1), (widen_head(&k), v)]))
            }),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.cbor.extensions.output-duplicate-key",
            ceremony: Ceremony::Authentication,
            spec: "§2.4, §6.1, §7.2 step 7",
            level: Level::Should,
            expect: Expect::Reject,
            title: "authenticatorData extensions {\"example\": {\"x\": 1, \"x\": 2}}, signed: a duplicate key inside an extension output",
            rationale: "decoders SHOULD reject duplicate map keys at any depth: two readers may see different values of the output",
            flags: &[Flag::CborDuplicateKeys],
            check: AUTH_AUTH_DATA_MALFORMED,
            basis: DECODERS_SHOULD_REJECT,
            setup: NONE,
            plan: auth_post(|p| assertion_with_raw_extensions(p, &output_with_duplicate_key())),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.cbor.extensions.indefinite-length-map",
            ceremony: Ceremony::Authentication,
            spec: "§2.4, §6.1, §7.2 step 7",
            level: Level::Should,
            expect: Expect::Reject,
            title: "authenticatorData extensions as an indefinite-length map, signed",
            rationale: "canonical CBOR has definite lengths only; decoders SHOULD reject indefinite ones",
            flags: &[Flag::CborLeniency],
            check: AUTH_AUTH_DATA_MALFORMED,
            basis: DECODERS_SHOULD_REJECT,
            setup: NONE,
            plan: auth_post(|p| assertion_with_raw_extensions(p, &raw_map_indefinite(&[example(true)]))),
            ..Case::DEFAULTS
        },
        Case {
            id: "auth.cbor.extensions.not-a-map",
            ceremony: Ceremony::Authentication,
            spec: "§6.1",
            level: Level::Must,
            expect: Expect::Reject,
            title: "ED set and an array follows the header instead of an extensions map, signed",
            rationale: "the extensions are a CBOR map of extension identifiers to outputs; an array is malformed authenticator data",
            flags: &[Flag::AuthDataLeniency],
            check: AUTH_AUTH_DATA_MALFORMED,
            // The array is one CBOR item, so the authenticator data still parses and the signature over it
            // verifies; only an RP that reads the extensions (§7.2 step 23, which may ignore them) meets it.
            basis: Some(Basis::data(
                "§6.1",
                "Extension-defined authenticator data. This is a CBOR map with extension identifiers as keys, and \
                 authenticator extension outputs as values.",
            )),
            setup: NONE,
            plan: auth_post(|p| {
                assertion_with_raw_extensions(p, &cbor::encode(&Value::Array(vec![Value::from("example")])))
            }),
            ..Case::DEFAULTS
        },
    ]
}
