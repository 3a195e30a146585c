//! §8.7 None Attestation Statement Format.

use super::{AttestationType, Statement};
use crate::check::{CheckId, Rejection};

/// "Verification procedure: Return implementation-specific values representing attestation type None and
/// an empty attestation trust path." The syntax is `attStmtType = ( fmt: "none", attStmt: emptyMap )`, so a
/// non-empty (or non-map) attStmt is rejected.
pub(super) fn verify(s: &Statement<'_>) -> Result<AttestationType, Rejection> {
    match s.att_stmt.as_map() {
        Some([]) => Ok(AttestationType::None),
        Some(entries) => Err(Rejection::new(
            CheckId::RegAttestationNoneNotEmpty,
            format!("attStmt of fmt \"none\" has {} members; it must be empty", entries.len()),
        )),
        None => Err(Rejection::new(
            CheckId::RegAttestationNoneNotEmpty,
            format!("attStmt of fmt \"none\" is a {}, not an empty map", s.att_stmt.kind()),
        )),
    }
}
