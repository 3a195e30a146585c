//! The `metadata` fuzz target: FIDO MDS3 metadata as [`verifier::metadata`] reads it. The first input byte
//! chooses what the rest is: even, a whole BLOB (JWS compact serialization), verified against the harness's
//! metadata root at a fixed time; odd, a BLOB payload (MetadataBLOBPayload JSON). Neither may panic; a payload
//! that reads keeps the limits on its counts, and looking an authenticator up in it is total.

use verifier::metadata::{verify_blob, Metadata, MAX_ENTRIES, MAX_KEY_IDS, MAX_REPORTS, MAX_ROOTS};

/// The verification time: inside the harness certificates' validity.
const AT: u64 = generator::pki::NOT_BEFORE + 86_400;

pub fn metadata(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else { return };
    if selector % 2 == 0 {
        let roots = [generator::metadata::metadata_root().der.clone()];
        if let Ok(m) = verify_blob(rest, &roots, AT) {
            check(&m);
        }
    } else if let Ok(m) = Metadata::from_payload(rest) {
        check(&m);
    }
}

fn check(m: &Metadata) {
    assert!(m.entries.len() <= MAX_ENTRIES);
    for e in &m.entries {
        assert!(e.attestation_roots.len() <= MAX_ROOTS);
        assert!(e.status_reports.len() <= MAX_REPORTS);
        assert!(e.key_identifiers.len() <= MAX_KEY_IDS);
        // A zero AAGUID names no FIDO2 model (U2F authenticators send it), so it finds nothing by design.
        if let Some(a) = e.aaguid.filter(|a| *a != [0; 16]) {
            assert!(m.find(Some(a), None).is_some(), "an entry's own AAGUID finds an entry");
        }
    }
    let _ = m.find(Some([0; 16]), Some(&[0x30, 0x00]));
    let _ = m.check_fresh(AT);
}

/// Seeds: the harness's BLOB and its payload, and near misses of each (another signer, no x5c, an entry
/// without its required members, counts at their limits' scale).
pub fn seeds() -> Vec<(String, Vec<u8>)> {
    use generator::metadata as md;
    let with = |selector: u8, bytes: &[u8]| {
        let mut v = vec![selector];
        v.extend_from_slice(bytes);
        v
    };
    let signer = md::metadata_signer();
    let payload = md::payload(md::BLOB_NO, md::NEXT_UPDATE, md::entries());
    let payload_bytes = serde_json::to_vec(&payload).unwrap_or_default();
    let mut out = vec![
        ("blob-harness".to_owned(), with(0, md::blob().as_bytes())),
        ("payload-harness".to_owned(), with(1, &payload_bytes)),
        ("blob-no-x5c".to_owned(), with(0, md::sign_blob(&payload, signer, &[]).as_bytes())),
        (
            "blob-other-signer".to_owned(),
            with(
                0,
                md::sign_blob(
                    &payload,
                    &generator::pki::packed_leaf([7; 16]),
                    std::slice::from_ref(&signer.der),
                )
                .as_bytes(),
            ),
        ),
    ];
    let mut broken = md::entries();
    if let Some(e) = broken.first_mut().and_then(|e| e.as_object_mut()) {
        e.remove("statusReports");
    }
    let broken = md::payload(2, "2049-12-01", broken);
    out.push((
        "payload-entry-without-reports".to_owned(),
        with(1, &serde_json::to_vec(&broken).unwrap_or_default()),
    ));
    let many: Vec<serde_json::Value> = (0..200u32)
        .map(|i| {
            serde_json::json!({
                "aaguid": format!("{i:08x}-0000-0000-0000-000000000000"),
                "statusReports": [{"status": "FIDO_CERTIFIED"}],
                "timeOfLastStatusChange": "2024-01-01",
            })
        })
        .collect();
    out.push((
        "payload-many-entries".to_owned(),
        with(1, &serde_json::to_vec(&md::payload(3, "2049-12-01", many)).unwrap_or_default()),
    ));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_seeds_read_as_intended() {
        let seeds = super::seeds();
        let roots = [generator::metadata::metadata_root().der.clone()];
        let blob = &seeds.iter().find(|(n, _)| n == "blob-harness").unwrap().1;
        assert!(verifier::metadata::verify_blob(&blob[1..], &roots, super::AT).is_ok());
        let other = &seeds.iter().find(|(n, _)| n == "blob-other-signer").unwrap().1;
        assert!(matches!(
            verifier::metadata::verify_blob(&other[1..], &roots, super::AT),
            Err(verifier::metadata::MetadataError::Signature(_))
        ));
        for (name, bytes) in &seeds {
            super::metadata(bytes);
            assert!(!name.is_empty());
        }
    }
}
