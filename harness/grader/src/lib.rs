//! Grades a relying party over HTTP: runs the case catalogue through the FIDO2 server conformance API,
//! turns what the RP answered into verdicts, and renders the report (DESIGN §4).
#![forbid(unsafe_code)]

pub mod expectations;
pub mod grade;
pub mod matrix;
pub mod render;
pub mod report;
pub mod transport;

pub use grade::{grade, GradeConfig, Graded};
pub use report::{CaseResult, Report, Verdict};
