//! How a case that goes the other way is graded: the profile, and `strict`.
//!
//! | grading | a case that goes the other way FAILs when | otherwise |
//! |---|---|---|
//! | `webauthn-l3` (default) | its basis is the RP's own procedure (`procedure`) and its level is MUST | WARN, naming its basis (`data`, `conformance`, `hardening`, or a SHOULD or POLICY) |
//! | `fido-conformance` | it has a FIDO conformance test id, judged against what that tool expects (`fido_expect` where it differs from the spec); cases without one as under `webauthn-l3` | as under `webauthn-l3` |
//! | `+strict` (with either) | also: its level is MUST, whatever its basis | |
//!
//! A report names its grading in one string: the profile, then `+strict` when strict
//! (`webauthn-l3`, `webauthn-l3+strict`, `fido-conformance`, `fido-conformance+strict`).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Whose expectations a case is judged against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Profile {
    /// WebAuthn Level 3: only the RP's own MUST steps FAIL.
    #[default]
    WebauthnL3,
    /// The FIDO2 server conformance tool: its tests FAIL where the tool would.
    FidoConformance,
}

impl Profile {
    pub const ALL: [Profile; 2] = [Profile::WebauthnL3, Profile::FidoConformance];

    pub fn as_str(self) -> &'static str {
        match self {
            Profile::WebauthnL3 => "webauthn-l3",
            Profile::FidoConformance => "fido-conformance",
        }
    }

    /// What FAILs under the profile, in one line, for a report's header.
    pub fn describe(self) -> &'static str {
        match self {
            Profile::WebauthnL3 => {
                "a MUST of the relying party's own procedure that goes the other way FAILs; data, conformance and \
                 hardening cases and SHOULD or POLICY cases WARN"
            }
            Profile::FidoConformance => {
                "a case with a FIDO conformance test FAILs where that tool would; the others as under webauthn-l3"
            }
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Profile, String> {
        Profile::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| format!("unknown profile {s:?} (one of webauthn-l3, fido-conformance)"))
    }
}

/// How verdicts are decided: a profile, and whether every MUST that goes the other way FAILs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Grading {
    pub profile: Profile,
    /// Every MUST case that goes the other way FAILs, whatever its basis.
    pub strict: bool,
}

impl Grading {
    /// The gradings a published matrix compares: `webauthn-l3`, `fido-conformance`, `webauthn-l3+strict`.
    pub const COMPARED: [Grading; 3] = [
        Grading { profile: Profile::WebauthnL3, strict: false },
        Grading { profile: Profile::FidoConformance, strict: false },
        Grading { profile: Profile::WebauthnL3, strict: true },
    ];

    /// What FAILs under this grading, in one line.
    pub fn describe(self) -> String {
        match (self.profile, self.strict) {
            (profile, false) => profile.describe().to_owned(),
            (Profile::WebauthnL3, true) => {
                "every MUST case that goes the other way FAILs, whatever its basis; SHOULD and POLICY cases WARN"
                    .to_owned()
            }
            (Profile::FidoConformance, true) => "a case with a FIDO conformance test FAILs where that tool would; \
                 every other MUST case that goes the other way FAILs; SHOULD and POLICY cases WARN"
                .to_owned(),
        }
    }
}

impl fmt::Display for Grading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.profile.as_str())?;
        if self.strict {
            f.write_str("+strict")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Grading {
    type Err = String;

    fn from_str(s: &str) -> Result<Grading, String> {
        let (profile, strict) = match s.strip_suffix("+strict") {
            Some(p) => (p, true),
            None => (s, false),
        };
        Ok(Grading { profile: profile.parse()?, strict })
    }
}

impl Serialize for Grading {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Grading {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Grading, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grading_is_one_string() {
        for profile in Profile::ALL {
            for strict in [false, true] {
                let g = Grading { profile, strict };
                assert_eq!(g.to_string().parse::<Grading>(), Ok(g));
                let json = serde_json::to_string(&g).unwrap();
                assert_eq!(serde_json::from_str::<Grading>(&json).unwrap(), g);
            }
        }
        assert_eq!(Grading::default().to_string(), "webauthn-l3");
        assert_eq!(
            "fido-conformance+strict".parse::<Grading>(),
            Ok(Grading { profile: Profile::FidoConformance, strict: true })
        );
        assert!("webauthn-l2".parse::<Grading>().unwrap_err().contains("unknown profile"));
        assert!("webauthn-l3+lenient".parse::<Grading>().is_err());
        assert!(serde_json::from_str::<Grading>("\"strict\"").is_err());
    }
}
