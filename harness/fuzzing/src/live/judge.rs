//! What a trial means: the RP's answer set against the reference verifier's verdict.

use serde::{Deserialize, Serialize};
use spec::BasisKind;
use verifier::{CheckId, Level};

use super::trial::{Reference, Trial};

/// A disagreement worth a finding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "class")]
pub enum Disagreement {
    /// The RP accepted what the reference rejects at a MUST of the RP's own procedure.
    AcceptsInvalid { check: String },
    /// The RP refused (cleanly) what the reference accepts with no warning, where a valid ceremony of the same
    /// kind was accepted: no policy explains it.
    RejectsValid,
    /// The RP answered with a server error or a body that is not JSON (it crashed on the input); `check` is
    /// the reference's rejection, if it rejects.
    ServerError { status: u16, check: Option<String> },
}

impl Disagreement {
    pub fn class(&self) -> &'static str {
        match self {
            Disagreement::AcceptsInvalid { .. } => "accepts-invalid",
            Disagreement::RejectsValid => "rejects-valid",
            Disagreement::ServerError { .. } => "server-error",
        }
    }

    /// The reference's check, for the two classes that have one.
    pub fn check(&self) -> Option<CheckId> {
        match self {
            Disagreement::AcceptsInvalid { check } => CheckId::from_id(check),
            Disagreement::ServerError { check, .. } => check.as_deref().and_then(CheckId::from_id),
            Disagreement::RejectsValid => None,
        }
    }

    /// What the class means, in a sentence.
    pub fn meaning(&self) -> String {
        match self {
            Disagreement::AcceptsInvalid { check } => {
                format!("the RP accepted a ceremony that its own procedure must reject (reference: {check})")
            }
            Disagreement::RejectsValid => {
                "the RP refused a ceremony the reference accepts without a warning, \
                                           while it accepted a valid ceremony of the same kind"
                    .into()
            }
            Disagreement::ServerError { status, check } => format!(
                "the RP answered HTTP {status} without a usable refusal{}",
                check.as_ref().map(|c| format!(" (the reference rejects it: {c})")).unwrap_or_default()
            ),
        }
    }
}

/// The meaning of one trial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// The RP and the reference agree.
    Agree,
    /// The RP accepted what the reference rejects by a rule that is not a MUST of the RP's own procedure (data,
    /// conformance or hardening, or a SHOULD): worth counting, not a finding.
    Note(CheckId),
    /// The RP refused what the reference accepts only with warnings: a policy of the RP explains it.
    Policy,
    Finding(Disagreement),
}

/// Whether a check is a MUST of the RP's own procedure (what a FAIL rests on).
pub fn procedure_must(check: CheckId) -> bool {
    check.basis().kind == BasisKind::Procedure && check.level() == Level::Must
}

pub fn judge(t: &Trial) -> Judgement {
    let reference_check = match &t.reference {
        Reference::Rejected { check, .. } => Some(*check),
        Reference::Accepted { .. } => None,
    };
    if t.reply.unusable() {
        return Judgement::Finding(Disagreement::ServerError {
            status: t.reply.status,
            check: reference_check.map(|c| c.id().to_owned()),
        });
    }
    match (&t.reference, t.reply.accepted()) {
        (Reference::Rejected { check, .. }, true) if procedure_must(*check) => {
            Judgement::Finding(Disagreement::AcceptsInvalid { check: check.id().to_owned() })
        }
        (Reference::Rejected { check, .. }, true) => Judgement::Note(*check),
        (Reference::Accepted { warnings }, false) if warnings.is_empty() => {
            Judgement::Finding(Disagreement::RejectsValid)
        }
        (Reference::Accepted { .. }, false) => Judgement::Policy,
        _ => Judgement::Agree,
    }
}

/// The kind of answer a trial drew, for feedback: inputs that draw a new kind are kept and mutated further. The
/// status, whether it was accepted, the shape of the error message (digits and long tokens blanked, so the RP's
/// random values do not make every answer new) and the reference's verdict.
pub fn reply_kind(t: &Trial) -> String {
    let message = t
        .reply
        .error_message()
        .map(str::to_owned)
        .or_else(|| t.reply.body.get("error").map(|e| e.to_string()))
        .unwrap_or_default();
    let reference = match &t.reference {
        Reference::Accepted { warnings } => {
            format!("accepted{}", warnings.iter().map(|w| format!(" {}", w.id())).collect::<String>())
        }
        Reference::Rejected { check, .. } => check.id().to_owned(),
    };
    format!("{} {} {} | {}", t.reply.status, t.reply.accepted(), message_shape(&message), reference)
}

/// An error message with its variable parts blanked: runs of digits become `0`, tokens of 12 or more
/// base64url characters `~`, and it is cut to 120 characters.
pub fn message_shape(m: &str) -> String {
    let mut out = String::new();
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        if token.len() >= 12 {
            out.push('~');
        } else {
            let mut last_digit = false;
            for c in token.chars() {
                if c.is_ascii_digit() {
                    if !last_digit {
                        out.push('0');
                    }
                    last_digit = true;
                } else {
                    out.push(c);
                    last_digit = false;
                }
            }
        }
        token.clear();
    };
    for c in m.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use generator::target::Reply;
    use serde_json::json;

    fn trial(reference: Reference, status: u16, body: serde_json::Value) -> Trial {
        Trial { reference, sent: json!({}), reply: Reply::new(status, body) }
    }

    #[test]
    fn a_finding_needs_a_procedure_must_or_a_valid_ceremony_refused() {
        let ok = json!({"status": "ok"});
        let refused = json!({"status": "failed", "errorMessage": "no"});
        let rejected = |check| Reference::Rejected { check, detail: String::new() };
        let accepted = |warnings| Reference::Accepted { warnings };
        // §7.1 step 9 (origin) is a MUST of the procedure.
        assert_eq!(
            judge(&trial(rejected(CheckId::RegOrigin), 200, ok.clone())),
            Judgement::Finding(Disagreement::AcceptsInvalid { check: "reg.client-data.origin".into() })
        );
        // A rule on what the authenticator produces is a note.
        let data = CheckId::ALL.iter().copied().find(|c| c.basis().kind == BasisKind::Data).unwrap();
        assert_eq!(judge(&trial(rejected(data), 200, ok.clone())), Judgement::Note(data));
        assert_eq!(judge(&trial(rejected(CheckId::RegOrigin), 400, refused.clone())), Judgement::Agree);
        assert_eq!(
            judge(&trial(accepted(vec![]), 400, refused.clone())),
            Judgement::Finding(Disagreement::RejectsValid)
        );
        assert_eq!(judge(&trial(accepted(vec![CheckId::AuthSignCount]), 400, refused)), Judgement::Policy);
        assert_eq!(
            judge(&trial(rejected(CheckId::RegOrigin), 500, json!({"status": "failed"}))),
            Judgement::Finding(Disagreement::ServerError {
                status: 500,
                check: Some("reg.client-data.origin".into())
            })
        );
        assert_eq!(
            judge(&trial(accepted(vec![]), 200, serde_json::Value::Null)),
            Judgement::Finding(Disagreement::ServerError { status: 200, check: None })
        );
    }

    #[test]
    fn message_shapes_blank_the_variable_parts() {
        assert_eq!(message_shape("challenge 12345 expired"), "challenge 0 expired");
        assert_eq!(message_shape("bad id dGhpcyBpcyBhIGxvbmcgaWQ"), "bad id ~");
        assert_eq!(message_shape("v2 of 3"), "v0 of 0");
    }
}
