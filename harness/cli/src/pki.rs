//! `webauthn-harness pki export DIR`: the certificates and metadata an RP must trust for the cases whose
//! attestation chains to the harness's roots.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use generator::{metadata, pki};

#[derive(Subcommand)]
pub enum Action {
    /// Write the harness's attestation root and metadata (PEM, JSON, a signed MDS3 BLOB) to DIR.
    ///
    /// Files: attestation-root.pem (the root every synthetic attestation chains to: packed, fido-u2f, tpm,
    /// android-key, apple...), metadata-root.pem and metadata-blob.jwt (a FIDO MDS3 BLOB signed under that root,
    /// listing the software authenticator's models and three models whose status reports must be refused),
    /// statements/*.json (the same metadata statements one by one), README.md (what to configure). Configure
    /// your RP to trust them (a test instance only: the keys come from seeds in the harness's source, so anyone
    /// can sign with them), then grade it with --trusts-harness-pki (or `trusts_harness_pki = true` under
    /// [capabilities] in its RP profile). Existing files of these names are overwritten. Exit status: 0 written;
    /// 2 DIR cannot be created or written.
    Export(ExportArgs),
}

#[derive(Args)]
pub struct ExportArgs {
    /// The folder to write to (created if missing).
    #[arg(value_name = "DIR")]
    dir: PathBuf,
}

pub fn run(action: Action) -> ExitCode {
    match action {
        Action::Export(a) => match export(&a.dir) {
            Ok(files) => {
                for f in files {
                    outln!("{}", f.display());
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(2)
            }
        },
    }
}

/// Every file `export` writes, as (path relative to DIR, contents).
pub fn files() -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = vec![
        (PathBuf::from("attestation-root.pem"), metadata::pem("CERTIFICATE", &pki::root().der).into_bytes()),
        (
            PathBuf::from("metadata-root.pem"),
            metadata::pem("CERTIFICATE", &metadata::metadata_root().der).into_bytes(),
        ),
        (PathBuf::from("metadata-blob.jwt"), format!("{}\n", metadata::blob()).into_bytes()),
    ];
    for entry in metadata::entries() {
        let name = match (entry["aaguid"].as_str(), entry["attestationCertificateKeyIdentifiers"][0].as_str())
        {
            (Some(aaguid), _) => aaguid.to_owned(),
            (None, Some(key_id)) => format!("u2f-{key_id}"),
            (None, None) => continue,
        };
        let statement = serde_json::to_vec_pretty(&entry["metadataStatement"]).unwrap_or_default();
        out.push((PathBuf::from("statements").join(format!("{name}.json")), statement));
    }
    out.push((PathBuf::from("README.md"), readme().into_bytes()));
    out
}

fn readme() -> String {
    format!(
        "# webauthn-harness test PKI and metadata\n\n\
         Written by `webauthn-harness pki export`. TEST ONLY: every private key behind these certificates is \
         derived from a seed in the harness's source, so anyone can sign with them. Configure them in a test \
         instance of your relying party, never in production.\n\n\
         | file | what to do with it |\n|---|---|\n\
         | `attestation-root.pem` | trust it as an attestation root (every format: packed, fido-u2f, tpm, android-key, apple) |\n\
         | `metadata-root.pem` | if your RP reads FIDO MDS3 BLOBs: the root the BLOB's signing chain must lead to |\n\
         | `metadata-blob.jwt` | the MDS3 BLOB (no {no}, nextUpdate {next}); its entries list `attestation-root.pem` as attestationRootCertificates |\n\
         | `statements/*.json` | the same metadata statements one by one, for RPs that load statements instead of a BLOB |\n\n\
         The software authenticator's model has AAGUID `{harness}`; its U2F attestation certificate is listed by \
         key identifier. Three more models carry status reports an RP should refuse: `{revoked}` (REVOKED), \
         `{compromise}` (ATTESTATION_KEY_COMPROMISE), `{bypass}` (USER_VERIFICATION_BYPASS).\n\n\
         Then grade with `webauthn-harness grade --trusts-harness-pki ...`, or set `trusts_harness_pki = true` \
         under `[capabilities]` in the RP profile: without it, cases whose attestation chains to these roots are \
         UNSUPPORTED, since an RP that does not trust them rightly refuses them.\n",
        no = metadata::BLOB_NO,
        next = metadata::NEXT_UPDATE,
        harness = metadata::uuid(&metadata::HARNESS_AAGUID),
        revoked = metadata::uuid(&metadata::REVOKED_AAGUID),
        compromise = metadata::uuid(&metadata::KEY_COMPROMISE_AAGUID),
        bypass = metadata::uuid(&metadata::UV_BYPASS_AAGUID),
    )
}

/// Writes [`files`] under `dir`; returns the paths written.
pub fn export(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (rel, contents) in files() {
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, contents).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
