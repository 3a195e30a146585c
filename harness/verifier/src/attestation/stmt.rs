//! Reading an attestation statement's members, shared by the formats.
//!
//! Every format's syntax is a CDDL map with fixed members (`packedStmtFormat`, `u2fStmtFormat`, ...): the
//! map is closed, so a member the syntax does not name makes the statement non-conforming ("Verify that
//! attStmt is valid CBOR conforming to the syntax defined above"). Every failure here is
//! [`CheckId::RegAttestationStatementMalformed`].

use wire::cbor::Value;

use super::x509::{Certificate, MAX_CHAIN_LEN};
use crate::check::{CheckId, Rejection};

fn malformed(fmt: &str, what: impl std::fmt::Display) -> Rejection {
    Rejection::new(CheckId::RegAttestationStatementMalformed, format!("attStmt of fmt {fmt:?}: {what}"))
}

/// An attStmt map whose members have all been checked to be text keys the format allows.
pub(super) struct StmtEntries<'a> {
    fmt: &'a str,
    entries: &'a [(Value, Value)],
}

impl<'a> StmtEntries<'a> {
    /// Checks that `att_stmt` is a map with text keys drawn from `allowed` only.
    pub(super) fn of(
        fmt: &'a str,
        att_stmt: &'a Value,
        allowed: &[&str],
    ) -> Result<StmtEntries<'a>, Rejection> {
        let entries =
            att_stmt.as_map().ok_or_else(|| malformed(fmt, format!("a {}, not a map", att_stmt.kind())))?;
        for (k, _) in entries {
            match k.as_text() {
                Some(name) if allowed.contains(&name) => {}
                Some(name) => return Err(malformed(fmt, format!("unexpected member {name:?}"))),
                None => return Err(malformed(fmt, format!("a member key is a {}, not text", k.kind()))),
            }
        }
        Ok(StmtEntries { fmt, entries })
    }

    /// The member `name`, if present.
    pub(super) fn get(&self, name: &str) -> Option<&'a Value> {
        self.entries.iter().find(|(k, _)| k.as_text() == Some(name)).map(|(_, v)| v)
    }

    fn require(&self, name: &str) -> Result<&'a Value, Rejection> {
        self.get(name).ok_or_else(|| malformed(self.fmt, format!("member {name:?} is missing")))
    }

    /// A required `COSEAlgorithmIdentifier` member (`alg`): an integer in i64 range.
    pub(super) fn alg(&self, name: &str) -> Result<i64, Rejection> {
        let v = self.require(name)?;
        v.as_integer().and_then(|i| i64::try_from(i).ok()).ok_or_else(|| {
            malformed(self.fmt, format!("{name:?} is a {}, not a COSEAlgorithmIdentifier", v.kind()))
        })
    }

    /// A required byte-string member (`sig`).
    pub(super) fn bytes(&self, name: &str) -> Result<&'a [u8], Rejection> {
        let v = self.require(name)?;
        v.as_bytes().ok_or_else(|| malformed(self.fmt, format!("{name:?} is a {}, not bytes", v.kind())))
    }

    /// The `x5c` member when present: a non-empty array of at most [`MAX_CHAIN_LEN`] byte strings, each a
    /// DER X.509 certificate. Returns the DER and the parsed certificates, leaf first.
    pub(super) fn x5c(&self) -> Result<Option<X5c>, Rejection> {
        let Some(v) = self.get("x5c") else { return Ok(None) };
        let items = v
            .as_array()
            .ok_or_else(|| malformed(self.fmt, format!("x5c is a {}, not an array", v.kind())))?;
        if items.is_empty() {
            return Err(malformed(
                self.fmt,
                "x5c is empty; it must hold at least the attestation certificate",
            ));
        }
        if items.len() > MAX_CHAIN_LEN {
            return Err(malformed(
                self.fmt,
                format!("x5c has {} certificates, more than the limit of {MAX_CHAIN_LEN}", items.len()),
            ));
        }
        let mut der = Vec::with_capacity(items.len());
        let mut certs = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let bytes = item
                .as_bytes()
                .ok_or_else(|| malformed(self.fmt, format!("x5c[{i}] is a {}, not bytes", item.kind())))?;
            let cert =
                Certificate::from_der(bytes).map_err(|e| malformed(self.fmt, format!("x5c[{i}]: {e}")))?;
            der.push(bytes.to_vec());
            certs.push(cert);
        }
        Ok(Some(X5c { der, certs }))
    }
}

/// A decoded `x5c`: never empty, leaf (the attestation certificate) first.
pub(super) struct X5c {
    pub der: Vec<Vec<u8>>,
    pub certs: Vec<Certificate>,
}

impl X5c {
    /// The attestation certificate.
    pub(super) fn leaf(&self) -> Option<&Certificate> {
        self.certs.first()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    fn check(r: Result<impl Sized, Rejection>) -> Option<CheckId> {
        r.err().map(|e| e.check)
    }

    const MALFORMED: Option<CheckId> = Some(CheckId::RegAttestationStatementMalformed);

    #[test]
    fn only_maps_with_allowed_text_keys_pass() {
        let ok = Value::Map(vec![(t("alg"), Value::integer(-7)), (t("sig"), Value::Bytes(vec![1]))]);
        assert!(StmtEntries::of("packed", &ok, &["alg", "sig", "x5c"]).is_ok());
        assert_eq!(check(StmtEntries::of("packed", &Value::Array(vec![]), &["alg"])), MALFORMED);
        assert_eq!(check(StmtEntries::of("packed", &ok, &["alg"])), MALFORMED, "sig not allowed");
        let int_key = Value::Map(vec![(Value::integer(3), Value::integer(-7))]);
        assert_eq!(check(StmtEntries::of("packed", &int_key, &["alg"])), MALFORMED);
    }

    #[test]
    fn member_types_are_checked() {
        let stmt = Value::Map(vec![
            (t("alg"), Value::integer(-7)),
            (t("big"), Value::Unsigned(u64::MAX)),
            (t("txt"), t("x")),
            (t("sig"), Value::Bytes(vec![1, 2])),
        ]);
        let m = StmtEntries::of("packed", &stmt, &["alg", "big", "txt", "sig"]).expect("members");
        assert_eq!(m.alg("alg").ok(), Some(-7));
        assert_eq!(check(m.alg("big")), MALFORMED);
        assert_eq!(check(m.alg("txt")), MALFORMED);
        assert_eq!(check(m.alg("missing")), MALFORMED);
        assert_eq!(m.bytes("sig").ok(), Some(&[1u8, 2][..]));
        assert_eq!(check(m.bytes("txt")), MALFORMED);
        assert_eq!(check(m.bytes("missing")), MALFORMED);
        assert!(matches!(m.x5c(), Ok(None)));
    }

    #[test]
    fn x5c_shape_is_checked() {
        let with = |x5c: Value| Value::Map(vec![(t("x5c"), x5c)]);
        let cases = [
            with(Value::Array(vec![])),
            with(Value::Bytes(vec![0x30, 0x00])),
            with(Value::Array(vec![t("MIIB")])),
            with(Value::Array(vec![Value::Bytes(vec![0x30, 0x00])])),
            with(Value::Array(vec![Value::Bytes(vec![]); MAX_CHAIN_LEN + 1])),
        ];
        for stmt in &cases {
            let m = StmtEntries::of("packed", stmt, &["x5c"]).expect("members");
            assert_eq!(check(m.x5c()), MALFORMED, "{stmt:?}");
        }
    }
}
