//! `AuthenticationResponse::from_json_bytes` reads a well-formed assertion by the fast path and leaves everything
//! else to the general reading: the two must give the same result, acceptance or the same rejection, on every
//! input; and whatever the fast path alone (`from_json_bytes_fast`) reads, the general reading of the same
//! bytes (JSON first) reads the same.

mod common;

use common::*;
use generator::{AssertionDraft, Generator};
use proptest::prelude::*;
use verifier::AuthenticationResponse;

fn valid() -> String {
    let mut gen = Generator::new(3);
    let cred = gen.credential(generator::Algorithm::Es256, 16);
    let challenge = gen.challenge();
    let json = AssertionDraft::new(&rp(), &cred, &challenge, 0, 1, Some(USER.to_vec())).sign(&cred).to_json();
    serde_json::to_string(&json).expect("JSON")
}

fn same(input: &str) {
    let read = AuthenticationResponse::from_json_bytes(input.as_bytes());
    let general = AuthenticationResponse::from_json_bytes_general(input.as_bytes());
    assert_eq!(read, general, "input: {input}");
    if let Some(fast) = AuthenticationResponse::from_json_bytes_fast(input.as_bytes()) {
        assert_eq!(Ok(fast), general, "input: {input}");
    }
}

#[test]
fn tricky_inputs_read_the_same_both_ways() {
    let v = valid();
    assert!(AuthenticationResponse::from_json_bytes(v.as_bytes()).is_ok());
    assert!(AuthenticationResponse::from_json_bytes_fast(v.as_bytes()).is_some(), "the fast path takes it");
    let member = |name: &str| format!("\"{name}\":");
    let mut inputs = vec![
        v.clone(),
        // A duplicate member: the general reading keeps the last one.
        v.replacen("{", "{\"type\":\"other\",", 1),
        v.replacen("{", "{\"type\":1,", 1),
        // Escapes in strings, null members, empty and absent userHandle, unknown members, odd whitespace.
        v.replace("\"public-key\"", "\"public\\u002dkey\""),
        v.replace(&member("rawId"), "\"rawId\":null,\"ignored\":"),
        v.replace(&member("userHandle"), "\"userHandle\":\"\",\"x\":"),
        v.replace(&member("userHandle"), "\"userHandle\":null,\"x\":"),
        v.replace(&member("userHandle"), "\"userHandle\":7,\"x\":"),
        v.replace(&member("signature"), "\"signature\":\"AA==\",\"x\":"),
        v.replace(&member("signature"), "\"signature\":[],\"x\":"),
        v.replace(&member("clientDataJSON"), "\"unknown\":{\"a\":[1,2,{\"b\":null}]},\"clientDataJSON\":"),
        v.replace(&member("authenticatorData"), "\"authenticatorData\":\"+/+/\",\"x\":"),
        v.replace(&member("id"), "\"id\":\"\\ud800\",\"x\":"),
        v.replace(':', " : "),
        format!("{v} "),
        format!("{v} x"),
        format!("[{v}]"),
        v.replace(&member("response"), "\"response\":\"no\",\"x\":"),
        v.replace(&member("response"), "\"x\":"),
        String::new(),
        "null".into(),
        "{}".into(),
    ];
    // Each member removed in turn.
    for name in ["id", "rawId", "type", "clientDataJSON", "authenticatorData", "signature", "userHandle"] {
        inputs.push(v.replace(&member(name), "\"removed\":"));
    }
    for input in &inputs {
        same(input);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Random edits of a valid assertion's text: byte flips, insertions and deletions.
    #[test]
    fn edited_assertions_read_the_same_both_ways(edits in prop::collection::vec((any::<u16>(), any::<u8>(), 0u8..3), 1..4)) {
        let mut bytes = valid().into_bytes();
        for (at, byte, op) in edits {
            let at = usize::from(at) % (bytes.len() + 1);
            match op {
                0 if at < bytes.len() => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ if at < bytes.len() => { bytes.remove(at); }
                _ => {}
            }
        }
        let read = AuthenticationResponse::from_json_bytes(&bytes);
        let general = AuthenticationResponse::from_json_bytes_general(&bytes);
        prop_assert_eq!(&read, &general);
        if let Some(fast) = AuthenticationResponse::from_json_bytes_fast(&bytes) {
            prop_assert_eq!(Ok(fast), general);
        }
    }
}
