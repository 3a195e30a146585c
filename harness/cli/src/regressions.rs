//! Replay files of `webauthn-harness fuzz` findings as regression cases of a grade (`grade --regressions DIR`),
//! and the listing of replay files both commands read.

use std::path::{Path, PathBuf};

use fuzzing::live::replay::{self, FindingFile, Replayed};
use fuzzing::live::{self, Client};
use generator::client::ClientConfig;
use generator::target::Target;

/// The replay files a path names: the file itself, or the `.json` files of a directory in name order.
pub fn replay_files(path: &Path) -> std::result::Result<Vec<PathBuf>, String> {
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        Ok(files)
    } else {
        Ok(vec![path.to_path_buf()])
    }
}

/// The replay files in `dir` run as regression cases of a grade (`grade --regressions DIR`): one result each, id
/// `fuzz.<finding id>`. PASS when the RP no longer disagrees; when it still does, FAIL for a ceremony it accepts
/// against a MUST of its own procedure, WARN for a valid ceremony it refuses, ERROR for a server error; a
/// finding whose ceremony cannot be run is UNSUPPORTED (kind not offered) or ERROR (the RP did not answer).
pub fn regression_results(
    dir: &Path,
    target: &mut dyn Target,
    client: &ClientConfig,
    origins: &[String],
    seed: u64,
) -> std::result::Result<Vec<grader::CaseResult>, String> {
    use fuzzing::live::Disagreement;
    use grader::Verdict;
    use spec::{Expect, Level};
    let mut files = Vec::new();
    for path in replay_files(dir)? {
        files.push(FindingFile::read(&path)?);
    }
    let policy = live::trial::oracle_policy(client, origins);
    let mut c = Client::new(target, client.clone(), policy, format!("regression-{seed:x}"), seed);
    let mut out = Vec::new();
    for file in files {
        let check = file.disagreement.check();
        let (expect, level) = match &file.disagreement {
            Disagreement::AcceptsInvalid { .. } => (Expect::Reject, check.map_or(Level::Must, |c| c.level())),
            Disagreement::RejectsValid => (Expect::Accept, Level::Should),
            Disagreement::ServerError { .. } => (Expect::Either, Level::Should),
        };
        let answered = |t: &live::Trial| {
            format!(
                "the RP answered HTTP {}{} ({})",
                t.reply.status,
                t.reply.error_message().map(|m| format!(": {m}")).unwrap_or_default(),
                if t.reply.accepted() { "accepted" } else { "refused" }
            )
        };
        let (verdict, detail) = match replay::replay(&mut c, &file) {
            Replayed::Fixed(t, _) => (Verdict::Pass, format!("no longer reproduces: {}", answered(&t))),
            Replayed::Reproduced(t) => {
                let v = match &file.disagreement {
                    Disagreement::AcceptsInvalid { .. } => Verdict::Fail,
                    Disagreement::RejectsValid => Verdict::Warn,
                    Disagreement::ServerError { .. } => Verdict::Error,
                };
                (v, format!("still reproduces: {}", answered(&t)))
            }
            Replayed::NotRun(live::NoTrial::Skipped(why)) => (Verdict::Unsupported, why),
            Replayed::NotRun(live::NoTrial::Failed(why)) => (Verdict::Error, why),
        };
        let ceremony = file.ceremony;
        out.push(grader::CaseResult {
            id: format!("fuzz.{}", file.id),
            ceremony,
            spec: check.map_or_else(
                || if ceremony == spec::Ceremony::Registration { "§7.1".into() } else { "§7.2".into() },
                |c| c.spec().to_owned(),
            ),
            level,
            expect,
            verdict,
            detail,
            title: format!("fuzz finding {}: {} ({})", file.id, file.meaning, file.mutations.join(", ")),
            flags: vec![],
            references: vec![],
            check,
            fido: None,
            fido_expect: None,
            basis: check.map(|c| c.basis().into()),
            origin_declared: false,
            observed: None,
            inspected: None,
            expected_because: None,
            expected_kind: None,
        });
    }
    Ok(out)
}
