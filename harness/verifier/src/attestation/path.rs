//! The certificate path of §7.1 step 24: "verify that the attestation public key either correctly chains up
//! to an acceptable root certificate, or is itself an acceptable certificate".
//!
//! The trust path is taken in the order the statement gives it: the attestation certificate first (every
//! format that carries `x5c` says so: "The attestation certificate attestnCert MUST be the first element in
//! the array", §8.2), then "its certificate chain (if any)", read as the chain in issuing order, each
//! certificate issued by the one after it (RFC 5280 §6.1's x1 ... xn, reversed). An `x5c` whose intermediates
//! come in another order is refused at [`PathFailure::Issuer`]; the spec fixes only the first element, so
//! an RP that re-orders them is within its rights too (the catalogue's row for it is POLICY).
//!
//! Each failure is typed ([`PathFailure`]) so the registration names the check that failed: a certificate
//! outside its validity period ([`CheckId::RegAttestationChainValidity`]), a certificate not issued by the
//! next one ([`CheckId::RegAttestationChainIssuer`]), an issuing certificate that is no CA or whose
//! pathLenConstraint is exceeded ([`CheckId::RegAttestationChainCa`]), and a path that ends at no
//! configured anchor ([`CheckId::RegAttestationUntrusted`]). Work is bounded: at most
//! [`MAX_CHAIN_LEN`] certificates, each checked once, and one signature per candidate anchor.

use std::fmt;

use der::Decode;
use x509_cert::ext::pkix::BasicConstraints;

use super::x509::{oid, Certificate, MAX_CHAIN_LEN};
use crate::check::CheckId;

/// Which requirement of the path failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathFailure {
    /// A certificate of the path, or the anchor that issued its last one, is outside its validity period.
    Validity,
    /// A certificate is not issued (issuer name and signature) by the next certificate of the path.
    Issuer,
    /// A certificate that issues another is no CA (basic constraints cA not true), or more intermediates
    /// follow it than its pathLenConstraint allows.
    NotCa,
    /// The path is empty, too long, does not parse, or its last certificate is issued by no configured
    /// anchor (including: none is configured).
    Untrusted,
}

impl PathFailure {
    /// The check a registration fails at.
    pub fn check(self) -> CheckId {
        match self {
            PathFailure::Validity => CheckId::RegAttestationChainValidity,
            PathFailure::Issuer => CheckId::RegAttestationChainIssuer,
            PathFailure::NotCa => CheckId::RegAttestationChainCa,
            PathFailure::Untrusted => CheckId::RegAttestationUntrusted,
        }
    }
}

/// A failed path: what failed, and which certificate and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    pub failure: PathFailure,
    pub detail: String,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

fn fail(failure: PathFailure, detail: impl Into<String>) -> PathError {
    PathError { failure, detail: detail.into() }
}

/// How a certificate is named in path errors: its position and subject.
struct Which<'a> {
    index: usize,
    cert: &'a Certificate,
}

impl fmt::Display for Which<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let role = if self.index == 0 { "leaf certificate" } else { "certificate" };
        write!(f, "x5c[{}] ({role} \"{}\")", self.index, self.cert.subject())
    }
}

/// The pathLenConstraint of a certificate's basic constraints, if it has one.
fn path_len_constraint(cert: &Certificate) -> Result<Option<u8>, String> {
    let Some(ext) = cert.extension(oid::BASIC_CONSTRAINTS) else { return Ok(None) };
    BasicConstraints::from_der(ext.extn_value.as_bytes())
        .map(|bc| bc.path_len_constraint)
        .map_err(|e| format!("malformed basic constraints: {e}"))
}

/// §7.1 step 24: does the trust path (leaf first, DER) chain to one of `anchors` (DER), or is one of its
/// certificates itself an anchor?
///
/// Walking up from the leaf: a certificate equal (byte for byte) to an anchor ends the walk with success;
/// otherwise it must have been issued by the next certificate in the path (issuer name and signature; the
/// issuing certificate a CA by its basic constraints, and no more intermediates below it than its
/// pathLenConstraint, RFC 5280 §4.2.1.9), and the last one by an anchor whose subject is its issuer. Every
/// certificate walked, and the anchor that issued the last one, must be within its validity period at `now`
/// (seconds since the Unix epoch). At most [`MAX_CHAIN_LEN`] certificates.
pub fn verify(trust_path: &[Vec<u8>], anchors: &[Vec<u8>], now: u64) -> Result<(), PathError> {
    use PathFailure::*;
    if trust_path.is_empty() {
        return Err(fail(Untrusted, "empty trust path"));
    }
    if trust_path.len() > MAX_CHAIN_LEN {
        return Err(fail(
            Untrusted,
            format!("trust path of {} certificates exceeds the limit of {MAX_CHAIN_LEN}", trust_path.len()),
        ));
    }
    let path = trust_path
        .iter()
        .enumerate()
        .map(|(i, der)| {
            Certificate::from_der(der).map_err(|e| fail(Untrusted, format!("x5c[{i}] does not parse: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if anchors.is_empty() {
        return Err(fail(Untrusted, "no trust anchors are configured"));
    }
    let mut unparseable_anchors = 0usize;
    let parsed_anchors: Vec<Certificate> = anchors
        .iter()
        .filter_map(|a| {
            let parsed = Certificate::from_der(a).ok();
            unparseable_anchors += usize::from(parsed.is_none());
            parsed
        })
        .collect();

    for (index, cert) in path.iter().enumerate() {
        let which = Which { index, cert };
        cert.check_validity(now).map_err(|e| fail(Validity, format!("{which}: {e}")))?;
        if anchors.iter().any(|a| a.as_slice() == cert.der()) {
            return Ok(());
        }
        match path.get(index + 1) {
            Some(issuer) => {
                cert.verify_issued_by(issuer)
                    .map_err(|e| fail(Issuer, format!("{which} is not issued by x5c[{}]: {e}", index + 1)))?;
                let named = Which { index: index + 1, cert: issuer };
                match issuer.basic_constraints_ca() {
                    Ok(Some(true)) => {}
                    Ok(_) => {
                        return Err(fail(
                            NotCa,
                            format!(
                                "{named} issued {which} but is not a CA (basic constraints cA is not true)"
                            ),
                        ))
                    }
                    Err(e) => return Err(fail(NotCa, format!("{named}: {e}"))),
                }
                // The intermediates below the issuer: x5c[1] ..= x5c[index] (the leaf is no intermediate).
                let below = index;
                match path_len_constraint(issuer) {
                    Ok(Some(limit)) if below > usize::from(limit) => {
                        return Err(fail(
                            NotCa,
                            format!(
                                "{named} has pathLenConstraint {limit} but {below} intermediate certificate(s) follow it"
                            ),
                        ))
                    }
                    Ok(_) => {}
                    Err(e) => return Err(fail(NotCa, format!("{named}: {e}"))),
                }
            }
            None => return issued_by_anchor(&which, &parsed_anchors, unparseable_anchors, now),
        }
    }
    // Unreachable: the loop returns at the last certificate.
    Err(fail(Untrusted, "the trust path does not end at a trust anchor"))
}

/// The last certificate of a path must have been issued by an anchor that is valid at `now`.
fn issued_by_anchor(
    last: &Which<'_>,
    anchors: &[Certificate],
    unparseable: usize,
    now: u64,
) -> Result<(), PathError> {
    let mut reasons = Vec::new();
    let mut expired_anchor = false;
    for anchor in anchors.iter().filter(|a| a.subject() == last.cert.issuer()) {
        match last.cert.verify_issued_by(anchor) {
            Err(e) => reasons.push(format!("anchor \"{}\": {e}", anchor.subject())),
            Ok(()) => match anchor.check_validity(now) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    expired_anchor = true;
                    reasons.push(format!("trust anchor \"{}\": {e}", anchor.subject()))
                }
            },
        }
    }
    let mut msg = if reasons.is_empty() {
        format!(
            "{last}: its issuer \"{}\" is not among the {} trust anchor(s)",
            last.cert.issuer(),
            anchors.len()
        )
    } else {
        format!("{last} does not chain to a trust anchor: {}", reasons.join("; "))
    };
    if unparseable > 0 {
        msg.push_str(&format!(" ({unparseable} configured anchor(s) could not be parsed)"));
    }
    let failure = if expired_anchor { PathFailure::Validity } else { PathFailure::Untrusted };
    Err(fail(failure, msg))
}
