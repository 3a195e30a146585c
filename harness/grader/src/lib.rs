//! Grades a relying party over HTTP: runs the case catalogue through the FIDO2 server conformance API,
//! turns what the RP answered into verdicts, and renders the report.
//!
//! | module | what |
//! |---|---|
//! | [`grade`] | discovery, the runs, one verdict per case, the expectations applied: the finished [`Report`]; a report judged again under another grading |
//! | [`grading`] | the grading profiles (`webauthn-l3`, `fido-conformance`) and `strict` |
//! | [`origins`] | the declared origins and the origin policy (`exact`, `subdomains`) |
//! | [`report`] | the result model (the JSON schema `webauthn-harness/report/v1`) |
//! | [`draft`] | an RP profile drafted from a browser's HAR recording of a registration and a sign-in |
//! | [`expectations`] | an RP's known results, with reasons, read from a TOML file |
//! | [`transcript`] | each case's HTTP exchanges, and writing them to a folder |
//! | [`render`] | the report as text, JSON, Markdown, JUnit XML or a self-contained HTML page |
//! | [`matrix`] | several reports side by side, as Markdown and HTML |
//! | [`profile`] | RP profiles: an RP's own API described in TOML (requests, templates, accept predicates, sessions, fixed policy); the built-in conformance API profile |
//! | [`profile_target`] | an RP reached through its profile, as a `Target` the runner speaks the conformance API to |
//! | [`probe`] | one registration and sign-in through an RP profile, every exchange shown, the first wrong step diagnosed |
//! | [`transport`] | the conformance API over HTTP, or in-process |
#![forbid(unsafe_code)]

pub mod draft;
pub mod expectations;
pub mod grade;
pub mod grading;
pub mod matrix;
pub mod origins;
pub mod probe;
pub mod profile;
pub mod profile_target;
pub mod render;
pub mod report;
pub mod transcript;
pub mod transport;

pub use grade::{grade, grade_concurrently, regrade, GradeConfig, Graded, NewTarget};
pub use grading::{Grading, Profile};
pub use origins::{OriginPolicy, Origins};
pub use report::{CaseReference, CaseResult, Report, Verdict};
