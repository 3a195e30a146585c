//! The Android key attestation extension (OID 1.3.6.1.4.1.11129.2.1.17) that §8.4's verification procedure
//! reads: a DER `KeyDescription` as Android's key attestation schema defines it.
//!
//! ```text
//! KeyDescription ::= SEQUENCE {
//!     attestationVersion         INTEGER,
//!     attestationSecurityLevel   SecurityLevel,      -- ENUMERATED
//!     keymasterVersion           INTEGER,
//!     keymasterSecurityLevel     SecurityLevel,      -- ENUMERATED
//!     attestationChallenge       OCTET STRING,
//!     uniqueId                   OCTET STRING,
//!     softwareEnforced           AuthorizationList,
//!     teeEnforced                AuthorizationList,
//! }
//! AuthorizationList ::= SEQUENCE {
//!     purpose          [1]   EXPLICIT SET OF INTEGER OPTIONAL,
//!     allApplications  [600] EXPLICIT NULL OPTIONAL,
//!     origin           [702] EXPLICIT INTEGER OPTIONAL,
//!     ...              -- every other tag: read as an element and skipped
//! }
//! ```
//!
//! Strict where §8.4 depends on it (the fixed fields, their types, DER lengths, no trailing bytes, each
//! authorization tag at most once); lenient where real devices differ (the order of authorization tags,
//! which some devices do not sort; the content of tags §8.4 does not read). Bounded: at most
//! [`MAX_AUTHORIZATIONS`] entries per list and [`MAX_PURPOSES`] purposes, no recursion.

use wire::der::{self as der_tlv, Class, DerError, Tlv};

/// The extension's OID.
pub const KEY_DESCRIPTION_OID: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.1.17");

/// `KM_ORIGIN_GENERATED`: the key was generated in the keystore.
pub const KM_ORIGIN_GENERATED: i64 = 0;
/// `KM_PURPOSE_SIGN`.
pub const KM_PURPOSE_SIGN: i64 = 2;

/// The most entries an authorization list may have (Android defines well under a hundred tags).
pub const MAX_AUTHORIZATIONS: usize = 128;
/// The most values `purpose` may have.
pub const MAX_PURPOSES: usize = 16;

const TAG_PURPOSE: u32 = 1;
const TAG_ALL_APPLICATIONS: u32 = 600;
const TAG_ORIGIN: u32 = 702;

/// The fields of an authorization list §8.4 reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationList {
    /// `purpose [1]`, when present: its values in order.
    pub purpose: Option<Vec<i64>>,
    /// `allApplications [600]` is present.
    pub all_applications: bool,
    /// `origin [702]`, when present.
    pub origin: Option<i64>,
    /// How many other tags were skipped.
    pub skipped: usize,
}

/// A parsed `KeyDescription`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDescription {
    pub attestation_version: i64,
    pub attestation_security_level: i64,
    pub keymaster_version: i64,
    pub keymaster_security_level: i64,
    pub attestation_challenge: Vec<u8>,
    pub unique_id: Vec<u8>,
    pub software_enforced: AuthorizationList,
    pub tee_enforced: AuthorizationList,
}

/// Why bytes are not a `KeyDescription`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyDescriptionError {
    /// Not DER at `at`.
    Der { at: &'static str, error: DerError },
    /// `at` has another type than the schema's (e.g. an INTEGER where a SecurityLevel ENUMERATED belongs).
    WrongType { at: &'static str, expected: &'static str, found: String },
    /// The KeyDescription SEQUENCE does not hold its eight fields.
    FieldCount { count: usize },
    /// An authorization list entry is not a context-specific EXPLICIT tag.
    NotTagged { list: &'static str, found: String },
    /// An authorization tag occurs twice in one list.
    DuplicateTag { list: &'static str, tag: u32 },
}

impl std::fmt::Display for KeyDescriptionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyDescriptionError::Der { at, error } => write!(f, "{at}: {error}"),
            KeyDescriptionError::WrongType { at, expected, found } => {
                write!(f, "{at} is a {found}, not a {expected}")
            }
            KeyDescriptionError::FieldCount { count } => {
                write!(f, "the KeyDescription SEQUENCE has {count} fields, not 8")
            }
            KeyDescriptionError::NotTagged { list, found } => {
                write!(f, "{list} has a {found} entry, not an [n] EXPLICIT authorization")
            }
            KeyDescriptionError::DuplicateTag { list, tag } => write!(f, "{list} has tag [{tag}] twice"),
        }
    }
}

fn der_at(at: &'static str) -> impl Fn(DerError) -> KeyDescriptionError {
    move |error| KeyDescriptionError::Der { at, error }
}

fn expect<'a>(
    tlv: &Tlv<'a>,
    number: u32,
    constructed: bool,
    at: &'static str,
    expected: &'static str,
) -> Result<&'a [u8], KeyDescriptionError> {
    if tlv.is_universal(number, constructed) {
        Ok(tlv.value)
    } else {
        Err(KeyDescriptionError::WrongType { at, expected, found: tlv.describe() })
    }
}

impl KeyDescription {
    /// Parses the extension's value (the contents of its extnValue OCTET STRING).
    pub fn parse(extn_value: &[u8]) -> Result<KeyDescription, KeyDescriptionError> {
        let outer = der_tlv::read_one(extn_value).map_err(der_at("KeyDescription"))?;
        let body = expect(&outer, der_tlv::SEQUENCE, true, "KeyDescription", "SEQUENCE")?;
        let fields = der_tlv::children(body, 8).map_err(|e| match e {
            DerError::TooLarge => KeyDescriptionError::FieldCount { count: 9 },
            e => KeyDescriptionError::Der { at: "KeyDescription", error: e },
        })?;
        let [av, asl, kv, ksl, challenge, unique, sw, tee] = fields.as_slice() else {
            return Err(KeyDescriptionError::FieldCount { count: fields.len() });
        };
        let int = |t: &Tlv<'_>, at: &'static str| -> Result<i64, KeyDescriptionError> {
            der_tlv::integer(expect(t, der_tlv::INTEGER, false, at, "INTEGER")?).map_err(der_at(at))
        };
        let level = |t: &Tlv<'_>, at: &'static str| -> Result<i64, KeyDescriptionError> {
            der_tlv::integer(expect(t, der_tlv::ENUMERATED, false, at, "ENUMERATED")?).map_err(der_at(at))
        };
        Ok(KeyDescription {
            attestation_version: int(av, "attestationVersion")?,
            attestation_security_level: level(asl, "attestationSecurityLevel")?,
            keymaster_version: int(kv, "keymasterVersion")?,
            keymaster_security_level: level(ksl, "keymasterSecurityLevel")?,
            attestation_challenge: expect(
                challenge,
                der_tlv::OCTET_STRING,
                false,
                "attestationChallenge",
                "OCTET STRING",
            )?
            .to_vec(),
            unique_id: expect(unique, der_tlv::OCTET_STRING, false, "uniqueId", "OCTET STRING")?.to_vec(),
            software_enforced: AuthorizationList::parse(sw, "softwareEnforced")?,
            tee_enforced: AuthorizationList::parse(tee, "teeEnforced")?,
        })
    }
}

impl AuthorizationList {
    fn parse(tlv: &Tlv<'_>, list: &'static str) -> Result<AuthorizationList, KeyDescriptionError> {
        let body = expect(tlv, der_tlv::SEQUENCE, true, list, "SEQUENCE")?;
        let entries = der_tlv::children(body, MAX_AUTHORIZATIONS).map_err(der_at(list))?;
        let mut out = AuthorizationList::default();
        let mut seen: Vec<u32> = Vec::with_capacity(entries.len());
        for entry in &entries {
            if !(entry.class == Class::Context && entry.constructed) {
                return Err(KeyDescriptionError::NotTagged { list, found: entry.describe() });
            }
            if seen.contains(&entry.number) {
                return Err(KeyDescriptionError::DuplicateTag { list, tag: entry.number });
            }
            seen.push(entry.number);
            // EXPLICIT: the tag holds exactly one element.
            let inner = der_tlv::read_one(entry.value).map_err(der_at(list))?;
            match entry.number {
                TAG_PURPOSE => {
                    let set = expect(&inner, der_tlv::SET, true, "purpose", "SET OF INTEGER")?;
                    let values = der_tlv::children(set, MAX_PURPOSES).map_err(der_at("purpose"))?;
                    let mut purposes = Vec::with_capacity(values.len());
                    for v in &values {
                        let content = expect(v, der_tlv::INTEGER, false, "purpose", "INTEGER")?;
                        purposes.push(der_tlv::integer(content).map_err(der_at("purpose"))?);
                    }
                    out.purpose = Some(purposes);
                }
                TAG_ALL_APPLICATIONS => {
                    expect(&inner, der_tlv::NULL, false, "allApplications", "NULL")?;
                    out.all_applications = true;
                }
                TAG_ORIGIN => {
                    let content = expect(&inner, der_tlv::INTEGER, false, "origin", "INTEGER")?;
                    out.origin = Some(der_tlv::integer(content).map_err(der_at("origin"))?);
                }
                _ => out.skipped += 1,
            }
        }
        Ok(out)
    }
}

/// DER builders for a `KeyDescription`, for the generator and the tests: the inverse of
/// [`KeyDescription::parse`] for the fields it reads.
pub mod build {
    use super::{AuthorizationList, KeyDescription};
    pub use wire::der::{context_tag, int_content, tlv};

    /// An authorization list with the fields §8.4 reads, in tag order.
    pub fn authorization_list(list: &AuthorizationList) -> Vec<u8> {
        let mut body = Vec::new();
        if let Some(purposes) = &list.purpose {
            let set: Vec<u8> = purposes.iter().flat_map(|&p| tlv(&[0x02], &int_content(p))).collect();
            body.extend(tlv(&context_tag(1), &tlv(&[0x31], &set)));
        }
        if list.all_applications {
            body.extend(tlv(&context_tag(600), &[0x05, 0x00]));
        }
        if let Some(origin) = list.origin {
            body.extend(tlv(&context_tag(702), &tlv(&[0x02], &int_content(origin))));
        }
        tlv(&[0x30], &body)
    }

    /// The DER of a whole `KeyDescription` (the extension's value).
    pub fn key_description(kd: &KeyDescription) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend(tlv(&[0x02], &int_content(kd.attestation_version)));
        body.extend(tlv(&[0x0a], &int_content(kd.attestation_security_level)));
        body.extend(tlv(&[0x02], &int_content(kd.keymaster_version)));
        body.extend(tlv(&[0x0a], &int_content(kd.keymaster_security_level)));
        body.extend(tlv(&[0x04], &kd.attestation_challenge));
        body.extend(tlv(&[0x04], &kd.unique_id));
        body.extend(authorization_list(&kd.software_enforced));
        body.extend(authorization_list(&kd.tee_enforced));
        tlv(&[0x30], &body)
    }
}

#[cfg(test)]
mod tests {
    use super::build::*;
    use super::*;

    fn sample() -> KeyDescription {
        KeyDescription {
            attestation_version: 300,
            attestation_security_level: 1,
            keymaster_version: 300,
            keymaster_security_level: 1,
            attestation_challenge: vec![9; 32],
            unique_id: vec![],
            software_enforced: AuthorizationList::default(),
            tee_enforced: AuthorizationList {
                purpose: Some(vec![KM_PURPOSE_SIGN]),
                all_applications: false,
                origin: Some(KM_ORIGIN_GENERATED),
                skipped: 0,
            },
        }
    }

    #[test]
    fn round_trip() {
        let kd = sample();
        assert_eq!(KeyDescription::parse(&key_description(&kd)), Ok(kd));
    }

    /// The W3C §16 android-key example's extension value (its authorization lists are empty).
    #[test]
    fn the_w3c_example_parses() {
        let hex = "30350202012c0a01000201000a01000420b435028d7b6a8f83bb461d41c19b053a9d3cdb30351a4f374cd4cde8dbefb606040030003000";
        let bytes: Vec<u8> =
            (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
        let kd = KeyDescription::parse(&bytes).unwrap();
        assert_eq!((kd.attestation_version, kd.attestation_security_level), (300, 0));
        assert_eq!(kd.tee_enforced, AuthorizationList::default());
        assert_eq!(kd.software_enforced, AuthorizationList::default());
    }

    #[test]
    fn security_level_as_integer_is_refused() {
        // The error w3c/webauthn#2373 reported in an earlier version of the §16 example.
        let mut der = key_description(&sample());
        // attestationSecurityLevel is the second field: 30 len | 02 02 01 2c | 0a 01 01 ...
        let pos = der.iter().position(|&b| b == 0x0a).unwrap();
        der[pos] = 0x02;
        assert!(matches!(
            KeyDescription::parse(&der),
            Err(KeyDescriptionError::WrongType { at: "attestationSecurityLevel", .. })
        ));
    }

    #[test]
    fn unknown_tags_are_skipped_in_any_order_duplicates_refused() {
        let origin = tlv(&context_tag(702), &tlv(&[0x02], &[0]));
        let other = tlv(&context_tag(705), &tlv(&[0x02], &[5]));
        let purpose = tlv(&context_tag(1), &tlv(&[0x31], &tlv(&[0x02], &[2])));
        let list = |entries: &[&[u8]]| tlv(&[0x30], &entries.concat());
        let kd = |tee: Vec<u8>| {
            let mut body = Vec::new();
            for (t, v) in [(0x02, vec![3]), (0x0a, vec![1]), (0x02, vec![4]), (0x0a, vec![1])] {
                body.extend(tlv(&[t], &v));
            }
            body.extend(tlv(&[0x04], &[1; 32]));
            body.extend(tlv(&[0x04], &[]));
            body.extend(tlv(&[0x30], &[]));
            body.extend(tee);
            tlv(&[0x30], &body)
        };
        let parsed = KeyDescription::parse(&kd(list(&[&origin, &other, &purpose]))).unwrap();
        assert_eq!(parsed.tee_enforced.origin, Some(0));
        assert_eq!(parsed.tee_enforced.purpose, Some(vec![2]));
        assert_eq!(parsed.tee_enforced.skipped, 1);
        assert_eq!(
            KeyDescription::parse(&kd(list(&[&origin, &origin]))),
            Err(KeyDescriptionError::DuplicateTag { list: "teeEnforced", tag: 702 })
        );
        assert!(matches!(
            KeyDescription::parse(&kd(list(&[&tlv(&[0x02], &[1])]))),
            Err(KeyDescriptionError::NotTagged { .. })
        ));
    }

    #[test]
    fn field_count_and_truncation() {
        let der = key_description(&sample());
        for cut in 0..der.len() {
            assert!(KeyDescription::parse(&der[..cut]).is_err(), "{cut}");
        }
        let mut extra = der.clone();
        extra.push(0);
        assert!(KeyDescription::parse(&extra).is_err());
        assert!(matches!(
            KeyDescription::parse(&tlv(&[0x30], &tlv(&[0x02], &[1]))),
            Err(KeyDescriptionError::FieldCount { count: 1 })
        ));
    }
}
