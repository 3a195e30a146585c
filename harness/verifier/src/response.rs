//! Responses as the verifier reads them: the members of `RegistrationResponseJSON` /
//! `AuthenticationResponseJSON` (§5.1) with their base64url already decoded.

use serde_json::Value;
use wire::base64url;
use wire::json::kind;

/// A registration response (`PublicKeyCredential` with an `AuthenticatorAttestationResponse`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationResponse {
    /// `credential.id` as sent (base64url text).
    pub id: String,
    pub raw_id: Vec<u8>,
    /// `credential.type`, "public-key" for WebAuthn.
    pub type_: String,
    pub client_data_json: Vec<u8>,
    pub attestation_object: Vec<u8>,
    /// `response.getTransports()`.
    pub transports: Vec<String>,
}

/// An authentication response (`PublicKeyCredential` with an `AuthenticatorAssertionResponse`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticationResponse {
    pub id: String,
    pub raw_id: Vec<u8>,
    pub type_: String,
    pub client_data_json: Vec<u8>,
    pub authenticator_data: Vec<u8>,
    pub signature: Vec<u8>,
    pub user_handle: Option<Vec<u8>>,
}

use crate::check::{CheckId, Rejection};

/// The largest response body the verifier reads (a registration with a certificate chain is a few KiB).
pub const MAX_RESPONSE_LEN: usize = 1 << 20;

/// Reads the members §7.1/§7.2 use from a response in the WebAuthn JSON serialization (§5.1
/// `RegistrationResponseJSON` / `AuthenticationResponseJSON`) or the FIDO conformance API's
/// `ServerPublicKeyCredential`, which has the same members. Only the members a verifier needs are required;
/// `rawId` may be absent (the conformance API does not require it) and then `id` stands for it.
struct ResponseReader<'a> {
    check: CheckId,
    root: &'a serde_json::Map<String, Value>,
}

impl<'a> ResponseReader<'a> {
    fn new(check: CheckId, v: &'a Value) -> Result<Self, Rejection> {
        let root = v.as_object().ok_or_else(|| Rejection::new(check, "the response is not a JSON object"))?;
        Ok(ResponseReader { check, root })
    }

    fn response(&self) -> Result<&'a serde_json::Map<String, Value>, Rejection> {
        match self.root.get("response") {
            Some(Value::Object(m)) => Ok(m),
            Some(_) => Err(Rejection::new(self.check, "member response is not an object")),
            None => Err(Rejection::new(self.check, "member response is missing")),
        }
    }

    fn string(
        &self,
        obj: &'a serde_json::Map<String, Value>,
        path: &str,
        name: &str,
    ) -> Result<Option<&'a str>, Rejection> {
        match obj.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(Rejection::new(
                self.check,
                format!("member {path}{name} is not a string but {}", kind(other)),
            )),
        }
    }

    fn required_string(
        &self,
        obj: &'a serde_json::Map<String, Value>,
        path: &str,
        name: &str,
    ) -> Result<&'a str, Rejection> {
        self.string(obj, path, name)?
            .ok_or_else(|| Rejection::new(self.check, format!("member {path}{name} is missing")))
    }

    fn bytes(
        &self,
        obj: &'a serde_json::Map<String, Value>,
        path: &str,
        name: &str,
    ) -> Result<Vec<u8>, Rejection> {
        let s = self.required_string(obj, path, name)?;
        base64url::decode(s)
            .map_err(|e| Rejection::new(self.check, format!("member {path}{name} is not base64url: {e}")))
    }

    /// `id`, `rawId` (decoded; `id` when absent) and `type`.
    fn credential(&self) -> Result<(String, Vec<u8>, String), Rejection> {
        let id = self.required_string(self.root, "", "id")?;
        let raw_id = match self.string(self.root, "", "rawId")? {
            Some(raw) => base64url::decode(raw)
                .map_err(|e| Rejection::new(self.check, format!("member rawId is not base64url: {e}")))?,
            None => base64url::decode(id)
                .map_err(|e| Rejection::new(self.check, format!("member id is not base64url: {e}")))?,
        };
        let type_ = self.required_string(self.root, "", "type")?;
        Ok((id.to_owned(), raw_id, type_.to_owned()))
    }
}

fn parse_json(check: CheckId, bytes: &[u8]) -> Result<Value, Rejection> {
    if bytes.len() > MAX_RESPONSE_LEN {
        return Err(Rejection::new(
            check,
            format!("response of {} bytes exceeds {MAX_RESPONSE_LEN}", bytes.len()),
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| Rejection::new(check, format!("the response is not JSON: {e}")))
}

impl RegistrationResponse {
    /// §7.1 step 3 on a JSON response: every member the procedure uses is present, typed and base64url.
    pub fn from_json(v: &Value) -> Result<RegistrationResponse, Rejection> {
        let m = ResponseReader::new(CheckId::RegResponseMalformed, v)?;
        let (id, raw_id, type_) = m.credential()?;
        let r = m.response()?;
        let transports = match r.get("transports") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                items.iter().map(|t| t.as_str().map(str::to_owned)).collect::<Option<Vec<_>>>().ok_or_else(
                    || Rejection::new(m.check, "member response.transports has a non-string item"),
                )?
            }
            Some(other) => {
                return Err(Rejection::new(m.check, format!("member response.transports is {}", kind(other))))
            }
        };
        Ok(RegistrationResponse {
            id,
            raw_id,
            type_,
            client_data_json: m.bytes(r, "response.", "clientDataJSON")?,
            attestation_object: m.bytes(r, "response.", "attestationObject")?,
            transports,
        })
    }

    pub fn from_json_bytes(bytes: &[u8]) -> Result<RegistrationResponse, Rejection> {
        RegistrationResponse::from_json(&parse_json(CheckId::RegResponseMalformed, bytes)?)
    }
}

impl AuthenticationResponse {
    /// §7.2 step 3 on a JSON response: every member the procedure uses is present, typed and base64url.
    /// An empty `userHandle` is read as absent (the conformance tool sends `""` for "none").
    pub fn from_json(v: &Value) -> Result<AuthenticationResponse, Rejection> {
        let m = ResponseReader::new(CheckId::AuthResponseMalformed, v)?;
        let (id, raw_id, type_) = m.credential()?;
        let r = m.response()?;
        let user_handle = match m.string(r, "response.", "userHandle")? {
            None | Some("") => None,
            Some(h) => Some(base64url::decode(h).map_err(|e| {
                Rejection::new(m.check, format!("member response.userHandle is not base64url: {e}"))
            })?),
        };
        Ok(AuthenticationResponse {
            id,
            raw_id,
            type_,
            client_data_json: m.bytes(r, "response.", "clientDataJSON")?,
            authenticator_data: m.bytes(r, "response.", "authenticatorData")?,
            signature: m.bytes(r, "response.", "signature")?,
            user_handle,
        })
    }

    /// [`AuthenticationResponse::from_json`] on the bytes an RP receives. Assertions are an RP's hot path, so a
    /// well-formed response is read straight into the members (the fast path,
    /// [`AuthenticationResponse::from_json_bytes_fast`]: no JSON tree); anything that path does not take (a
    /// missing or mistyped member, a duplicate, bad base64url) is read again the general way, which alone
    /// decides what is wrong. Both give the same result on every input (a test compares them).
    pub fn from_json_bytes(bytes: &[u8]) -> Result<AuthenticationResponse, Rejection> {
        match AuthenticationResponse::from_json_bytes_fast(bytes) {
            Some(r) => Ok(r),
            None => AuthenticationResponse::from_json_bytes_general(bytes),
        }
    }

    /// The fast path alone: `Some` only for input that is JSON and that [`AuthenticationResponse::from_json`]
    /// reads as this same response; `None` says nothing about the input (read it the general way). For a caller
    /// that must tell input that is not JSON at all from a malformed response, as the reference RP does.
    pub fn from_json_bytes_fast(bytes: &[u8]) -> Option<AuthenticationResponse> {
        if bytes.len() > MAX_RESPONSE_LEN {
            return None;
        }
        fast::authentication(bytes)
    }

    /// The general path alone (for the test that compares the two).
    #[doc(hidden)]
    pub fn from_json_bytes_general(bytes: &[u8]) -> Result<AuthenticationResponse, Rejection> {
        AuthenticationResponse::from_json(&parse_json(CheckId::AuthResponseMalformed, bytes)?)
    }
}

/// The direct reading of a well-formed assertion: `None` whenever the general path might say anything else.
mod fast {
    use wire::base64url;

    use super::AuthenticationResponse;

    /// A scanner for the JSON that well-formed assertions are made of: objects, strings without escapes,
    /// `true`/`false`/`null`, and arrays of such strings. Anything else (an escape, a number, deeper nesting,
    /// a duplicate member) makes it give up, and the general path reads the input instead; so whatever it
    /// accepts, `serde_json` reads as the same values.
    struct Scan<'a> {
        text: &'a str,
        at: usize,
    }

    impl<'a> Scan<'a> {
        fn peek(&self) -> Option<u8> {
            self.text.as_bytes().get(self.at).copied()
        }

        fn ws(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                self.at += 1;
            }
        }

        fn eat(&mut self, c: u8) -> Option<()> {
            self.ws();
            (self.peek()? == c).then(|| self.at += 1)
        }

        /// A string without escapes or control characters.
        fn string(&mut self) -> Option<&'a str> {
            self.eat(b'"')?;
            let rest = self.text.get(self.at..)?;
            let end = rest.bytes().position(|b| b == b'"' || b == b'\\' || b < 0x20)?;
            if rest.as_bytes()[end] != b'"' {
                return None;
            }
            self.at += end + 1;
            rest.get(..end)
        }

        fn literal(&mut self, word: &str) -> Option<()> {
            self.ws();
            let rest = self.text.get(self.at..)?;
            rest.starts_with(word).then(|| self.at += word.len())
        }

        /// A member value the verifier does not read: a string, a literal, `{}` or an array of strings.
        fn skip_value(&mut self) -> Option<()> {
            self.ws();
            match self.peek()? {
                b'"' => self.string().map(drop),
                b't' => self.literal("true"),
                b'f' => self.literal("false"),
                b'n' => self.literal("null"),
                b'{' => {
                    self.at += 1;
                    self.eat(b'}')
                }
                b'[' => {
                    self.at += 1;
                    self.ws();
                    if self.peek()? == b']' {
                        self.at += 1;
                        return Some(());
                    }
                    loop {
                        self.string()?;
                        self.ws();
                        match self.peek()? {
                            b',' => self.at += 1,
                            b']' => {
                                self.at += 1;
                                return Some(());
                            }
                            _ => return None,
                        }
                    }
                }
                _ => None,
            }
        }

        /// An object: `member` is called with each name and reads its value (returns `None` to give up).
        fn object(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
            self.eat(b'{')?;
            self.ws();
            if self.peek()? == b'}' {
                self.at += 1;
                return Some(());
            }
            loop {
                let name = self.string()?;
                self.eat(b':')?;
                member(self, name)?;
                self.ws();
                match self.peek()? {
                    b',' => self.at += 1,
                    b'}' => {
                        self.at += 1;
                        return Some(());
                    }
                    _ => return None,
                }
            }
        }
    }

    /// Sets `slot` once; a second occurrence of the member gives up.
    fn once<'a>(slot: &mut Option<&'a str>, scan: &mut Scan<'a>) -> Option<()> {
        if slot.is_some() {
            return None;
        }
        *slot = Some(scan.string()?);
        Some(())
    }

    pub(super) fn authentication(bytes: &[u8]) -> Option<AuthenticationResponse> {
        let text = std::str::from_utf8(bytes).ok()?;
        let mut scan = Scan { text, at: 0 };
        let (mut id, mut raw_id, mut type_) = (None, None, None);
        let (mut cdj, mut ad, mut sig, mut uh) = (None, None, None, None);
        let mut response = false;
        scan.object(|scan, name| match name {
            "id" => once(&mut id, scan),
            "rawId" => once(&mut raw_id, scan),
            "type" => once(&mut type_, scan),
            "response" if !response => {
                response = true;
                scan.object(|scan, name| match name {
                    "clientDataJSON" => once(&mut cdj, scan),
                    "authenticatorData" => once(&mut ad, scan),
                    "signature" => once(&mut sig, scan),
                    "userHandle" => once(&mut uh, scan),
                    _ => scan.skip_value(),
                })
            }
            "response" => None,
            _ => scan.skip_value(),
        })?;
        scan.ws();
        if scan.at != text.len() {
            return None;
        }
        let id = id?;
        let user_handle = match uh {
            None | Some("") => None,
            Some(h) => Some(base64url::decode_fast(h)?),
        };
        Some(AuthenticationResponse {
            raw_id: base64url::decode_fast(raw_id.unwrap_or(id))?,
            type_: type_?.to_owned(),
            client_data_json: base64url::decode_fast(cdj?)?,
            authenticator_data: base64url::decode_fast(ad?)?,
            signature: base64url::decode_fast(sig?)?,
            user_handle,
            id: id.to_owned(),
        })
    }
}
