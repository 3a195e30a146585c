//! The HTTP exchanges of each case that ran, as data, and [`write_all`], which saves them one file per case
//! (`DIR/<case-id>.json`, what `grade --transcripts DIR` writes).
//!
//! A file reads `{"case": id, "seed": seed, "exchanges": [...]}`; each exchange is `{"session", "endpoint",
//! "request", "reply"}`, the reply `{"status", "body"}` or, for a call that got no HTTP answer, `{"error"}`.

use std::path::{Path, PathBuf};

use generator::runner::Exchange;
use serde::Serialize;
use serde_json::Value as Json;

/// One case's exchanges, in the order they were made.
#[derive(Debug, Clone)]
pub struct Transcript {
    pub case: &'static str,
    /// The seed of the run.
    pub seed: u64,
    pub exchanges: Vec<Exchange>,
}

#[derive(Serialize)]
struct TranscriptJson<'a> {
    case: &'a str,
    seed: u64,
    exchanges: Vec<ExchangeJson<'a>>,
}

#[derive(Serialize)]
struct ExchangeJson<'a> {
    session: u64,
    endpoint: &'static str,
    request: &'a Json,
    reply: ReplyJson<'a>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ReplyJson<'a> {
    Answered { status: u16, body: &'a Json },
    Failed { error: &'a str },
}

impl Serialize for Transcript {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        TranscriptJson {
            case: self.case,
            seed: self.seed,
            exchanges: self
                .exchanges
                .iter()
                .map(|e| ExchangeJson {
                    session: e.session.0,
                    endpoint: e.endpoint.path(),
                    request: &e.request,
                    reply: match &e.reply {
                        Ok(r) => ReplyJson::Answered { status: r.status, body: &r.body },
                        Err(err) => ReplyJson::Failed { error: &err.message },
                    },
                })
                .collect(),
        }
        .serialize(s)
    }
}

/// Why the transcripts could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    #[error("creating {}", path.display())]
    Create { path: PathBuf, source: std::io::Error },
    #[error("writing {}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// Saves each transcript as `dir/<case-id>.json` (pretty-printed JSON), creating `dir` if need be.
pub fn write_all(dir: &Path, transcripts: &[Transcript]) -> Result<(), TranscriptError> {
    std::fs::create_dir_all(dir)
        .map_err(|source| TranscriptError::Create { path: dir.to_owned(), source })?;
    for t in transcripts {
        let path = dir.join(format!("{}.json", t.case));
        let bytes = serde_json::to_vec_pretty(t)
            .map_err(|e| TranscriptError::Write { path: path.clone(), source: std::io::Error::other(e) })?;
        std::fs::write(&path, bytes).map_err(|source| TranscriptError::Write { path, source })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use generator::target::{Endpoint, Reply, SessionId, TransportError};
    use serde_json::json;

    #[test]
    fn a_transcript_is_written_as_the_documented_json() {
        let t = Transcript {
            case: "auth.x",
            seed: 7,
            exchanges: vec![
                Exchange {
                    session: SessionId(1),
                    endpoint: Endpoint::AssertionOptions,
                    request: json!({"username": "u"}),
                    reply: Ok(Reply::new(200, json!({"status": "ok"}))),
                },
                Exchange {
                    session: SessionId(2),
                    endpoint: Endpoint::AssertionResult,
                    request: json!({}),
                    reply: Err(TransportError {
                        endpoint: Endpoint::AssertionResult,
                        message: "timed out".into(),
                    }),
                },
            ],
        };
        let expected = json!({"case": "auth.x", "seed": 7, "exchanges": [
            {"session": 1, "endpoint": "/assertion/options", "request": {"username": "u"},
             "reply": {"status": 200, "body": {"status": "ok"}}},
            {"session": 2, "endpoint": "/assertion/result", "request": {}, "reply": {"error": "timed out"}},
        ]});
        // Byte for byte, key order included.
        assert_eq!(
            serde_json::to_string_pretty(&t).unwrap(),
            serde_json::to_string_pretty(&expected).unwrap()
        );

        let dir = std::env::temp_dir().join(format!("grader-transcripts-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        write_all(&dir, &[t]).unwrap();
        let back: Json = serde_json::from_slice(&std::fs::read(dir.join("auth.x.json")).unwrap()).unwrap();
        assert_eq!(back, expected);
        // A folder that cannot be created (its parent is a file) names the path.
        let e = write_all(&dir.join("auth.x.json").join("sub"), &[]).unwrap_err();
        assert!(matches!(e, TranscriptError::Create { .. }) && e.to_string().contains("auth.x.json"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
