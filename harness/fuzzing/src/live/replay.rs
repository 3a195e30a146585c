//! Replay files: a finding written so it can be sent again. The description is kept as the bytes that read back
//! as it (hex), with what it was readable beside it; what was sent and answered is kept as evidence. Replaying
//! asks the RP for new options and builds the ceremony again, so the RP's random values never matter.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::judge::{judge, Disagreement, Judgement};
use super::trial::{Client, Controls, NoTrial, Trial};
use super::{Ceremony, Description, Found};

/// The format tag of a replay file.
pub const FORMAT: &str = "webauthn-harness-fuzz-finding/1";

/// A finding, as a file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingFile {
    pub format: String,
    pub id: String,
    pub ceremony: Ceremony,
    pub disagreement: Disagreement,
    pub meaning: String,
    pub mutations: Vec<String>,
    /// The description, readable (not read back).
    pub description: String,
    /// The description's bytes, hex: what replaying reads.
    pub input: String,
    /// What was sent and what the RP answered when it was found.
    pub sent: Json,
    pub reply_status: u16,
    pub reply_body: Json,
    pub reference: String,
    pub origin: String,
    pub rp_id: String,
    pub seed: u64,
}

impl FindingFile {
    pub fn of(f: &Found, origin: &str, rp_id: &str, seed: u64) -> FindingFile {
        FindingFile {
            format: FORMAT.into(),
            id: f.id.clone(),
            ceremony: f.description.ceremony(),
            disagreement: f.disagreement.clone(),
            meaning: f.disagreement.meaning(),
            mutations: f.mutation_kinds.clone(),
            description: format!("{:?}", f.description),
            input: hex::encode(f.description.to_bytes()),
            sent: f.trial.sent.clone(),
            reply_status: f.trial.reply.status,
            reply_body: f.trial.reply.body.clone(),
            reference: format!("{:?}", f.trial.reference),
            origin: origin.into(),
            rp_id: rp_id.into(),
            seed,
        }
    }

    /// Writes the file as `<dir>/<id>.json`; returns its path.
    pub fn write(&self, dir: &Path) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("{}.json", self.id));
        let mut text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        text.push('\n');
        std::fs::write(&path, text)?;
        Ok(path)
    }

    /// Reads a replay file; the error names the file and what is wrong with it.
    pub fn read(path: &Path) -> Result<FindingFile, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let file: FindingFile = serde_json::from_str(&text).map_err(|e| {
            format!("{}:{}:{}: not a fuzz finding file: {e}", path.display(), e.line(), e.column())
        })?;
        if file.format != FORMAT {
            return Err(format!("{}: format {:?}, expected {FORMAT:?}", path.display(), file.format));
        }
        file.description().map_err(|e| format!("{}: input: {e}", path.display()))?;
        Ok(file)
    }

    /// The description the file's input reads as.
    pub fn description(&self) -> Result<Description, String> {
        let bytes = hex::decode(&self.input).map_err(|e| format!("not hex: {e}"))?;
        Description::from_bytes(self.ceremony, &bytes).ok_or_else(|| "too short for a description".into())
    }
}

/// What replaying a finding showed.
#[derive(Debug, Clone)]
pub enum Replayed {
    /// The RP still disagrees the same way.
    Reproduced(Trial),
    /// It answered as the reference does (or disagreed otherwise): the finding is fixed.
    Fixed(Trial, Judgement),
    /// The ceremony could not be run (its kind is not offered, the RP is unreachable).
    NotRun(NoTrial),
}

/// Sends the file's description again (its control first).
pub fn replay(client: &mut Client<'_>, file: &FindingFile) -> Replayed {
    let Ok(description) = file.description() else {
        return Replayed::NotRun(NoTrial::Skipped("the file's input is not a description".into()));
    };
    let controls = Mutex::new(Controls::default());
    match client.trial(&description, &controls) {
        Err(e) => Replayed::NotRun(e),
        Ok(t) => {
            let j = judge(&t);
            let same = match (&j, &file.disagreement) {
                (
                    Judgement::Finding(Disagreement::ServerError { status, .. }),
                    Disagreement::ServerError { status: s, .. },
                ) => status == s,
                (Judgement::Finding(d), want) => d == want,
                _ => false,
            };
            if same {
                Replayed::Reproduced(t)
            } else {
                Replayed::Fixed(t, j)
            }
        }
    }
}
