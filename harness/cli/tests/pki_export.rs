//! `targets/_shared/harness-pki/` is exactly what `webauthn-harness pki export` writes: the peer adapters read the
//! harness's attestation root from there, so a change to the harness PKI or metadata must be exported again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const REFRESH: &str = "cargo run -q -p webauthn-harness -- pki export targets/_shared/harness-pki";

/// Every file under `dir`, by path relative to it.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|e| e.expect("directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("under root").to_path_buf();
                out.insert(rel, std::fs::read(&path).expect("read file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn committed_harness_pki_is_a_fresh_export() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../targets/_shared/harness-pki");
    let fresh = std::env::temp_dir().join(format!("webauthn-harness-cli-pki-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&fresh);
    let out = Command::new(env!("CARGO_BIN_EXE_webauthn-harness"))
        .args(["pki", "export"])
        .arg(&fresh)
        .output()
        .expect("run the binary");
    assert!(out.status.success(), "pki export failed: {}", String::from_utf8_lossy(&out.stderr));

    let want = tree(&fresh);
    let have = tree(&committed);
    let _ = std::fs::remove_dir_all(&fresh);
    assert!(want.contains_key(Path::new("attestation-root.pem")), "the export writes attestation-root.pem");

    let mut problems = Vec::new();
    for (rel, bytes) in &want {
        match have.get(rel) {
            None => problems.push(format!("missing: {}", rel.display())),
            Some(b) if b != bytes => problems.push(format!("differs: {}", rel.display())),
            Some(_) => {}
        }
    }
    for rel in have.keys().filter(|rel| !want.contains_key(*rel)) {
        problems.push(format!("not written by pki export: {}", rel.display()));
    }
    assert!(
        problems.is_empty(),
        "targets/_shared/harness-pki/ is not what `pki export` writes ({}); refresh it from the repository root \
         with `rm -r targets/_shared/harness-pki && {REFRESH}` and commit it",
        problems.join(", ")
    );
}
