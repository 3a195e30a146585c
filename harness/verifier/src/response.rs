//! Responses as the verifier reads them: the members of `RegistrationResponseJSON` /
//! `AuthenticationResponseJSON` (§5.1) with their base64url already decoded.

use serde_json::Value;
use wire::base64url;

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
use crate::policy::fail;

/// The largest response body the verifier reads (a registration with a certificate chain is a few KiB).
pub const MAX_RESPONSE_LEN: usize = 1 << 20;

/// Reads the members §7.1/§7.2 use from a response in the WebAuthn JSON serialization (§5.1
/// `RegistrationResponseJSON` / `AuthenticationResponseJSON`) or the FIDO conformance API's
/// `ServerPublicKeyCredential`, which has the same members. Only the members a verifier needs are required;
/// `rawId` may be absent (the conformance API does not require it) and then `id` stands for it.
struct Members<'a> {
    check: CheckId,
    root: &'a serde_json::Map<String, Value>,
}

impl<'a> Members<'a> {
    fn new(check: CheckId, v: &'a Value) -> Result<Self, Rejection> {
        let root = v.as_object().ok_or_else(|| fail(check, "the response is not a JSON object"))?;
        Ok(Members { check, root })
    }

    fn response(&self) -> Result<&'a serde_json::Map<String, Value>, Rejection> {
        match self.root.get("response") {
            Some(Value::Object(m)) => Ok(m),
            Some(_) => Err(fail(self.check, "member response is not an object")),
            None => Err(fail(self.check, "member response is missing")),
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
            Some(other) => {
                Err(fail(self.check, format!("member {path}{name} is not a string but {}", kind(other))))
            }
        }
    }

    fn required_string(
        &self,
        obj: &'a serde_json::Map<String, Value>,
        path: &str,
        name: &str,
    ) -> Result<&'a str, Rejection> {
        self.string(obj, path, name)?
            .ok_or_else(|| fail(self.check, format!("member {path}{name} is missing")))
    }

    fn bytes(
        &self,
        obj: &'a serde_json::Map<String, Value>,
        path: &str,
        name: &str,
    ) -> Result<Vec<u8>, Rejection> {
        let s = self.required_string(obj, path, name)?;
        base64url::decode(s)
            .map_err(|e| fail(self.check, format!("member {path}{name} is not base64url: {e}")))
    }

    /// `id`, `rawId` (decoded; `id` when absent) and `type`.
    fn credential(&self) -> Result<(String, Vec<u8>, String), Rejection> {
        let id = self.required_string(self.root, "", "id")?;
        let raw_id = match self.string(self.root, "", "rawId")? {
            Some(raw) => base64url::decode(raw)
                .map_err(|e| fail(self.check, format!("member rawId is not base64url: {e}")))?,
            None => base64url::decode(id)
                .map_err(|e| fail(self.check, format!("member id is not base64url: {e}")))?,
        };
        let type_ = self.required_string(self.root, "", "type")?;
        Ok((id.to_owned(), raw_id, type_.to_owned()))
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn parse_json(check: CheckId, bytes: &[u8]) -> Result<Value, Rejection> {
    if bytes.len() > MAX_RESPONSE_LEN {
        return Err(fail(check, format!("response of {} bytes exceeds {MAX_RESPONSE_LEN}", bytes.len())));
    }
    serde_json::from_slice(bytes).map_err(|e| fail(check, format!("the response is not JSON: {e}")))
}

impl RegistrationResponse {
    /// §7.1 step 3 on a JSON response: every member the procedure uses is present, typed and base64url.
    pub fn from_json(v: &Value) -> Result<RegistrationResponse, Rejection> {
        let m = Members::new(CheckId::RegResponseMalformed, v)?;
        let (id, raw_id, type_) = m.credential()?;
        let r = m.response()?;
        let transports = match r.get("transports") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|t| t.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| fail(m.check, "member response.transports has a non-string item"))?,
            Some(other) => {
                return Err(fail(m.check, format!("member response.transports is {}", kind(other))))
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
        let m = Members::new(CheckId::AuthResponseMalformed, v)?;
        let (id, raw_id, type_) = m.credential()?;
        let r = m.response()?;
        let user_handle =
            match m.string(r, "response.", "userHandle")? {
                None | Some("") => None,
                Some(h) => Some(base64url::decode(h).map_err(|e| {
                    fail(m.check, format!("member response.userHandle is not base64url: {e}"))
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
    /// well-formed response is read straight into the members (no JSON tree); anything that path does not take
    /// (a missing or mistyped member, a duplicate, bad base64url) is read again the general way, which alone
    /// decides what is wrong. Both give the same result on every input (a test compares them).
    pub fn from_json_bytes(bytes: &[u8]) -> Result<AuthenticationResponse, Rejection> {
        if bytes.len() <= MAX_RESPONSE_LEN {
            if let Some(r) = fast::authentication(bytes) {
                return Ok(r);
            }
        }
        AuthenticationResponse::from_json(&parse_json(CheckId::AuthResponseMalformed, bytes)?)
    }

    /// The general path alone (for the test that compares the two).
    #[doc(hidden)]
    pub fn from_json_bytes_general(bytes: &[u8]) -> Result<AuthenticationResponse, Rejection> {
        AuthenticationResponse::from_json(&parse_json(CheckId::AuthResponseMalformed, bytes)?)
    }
}

/// The direct reading of a well-formed assertion: `None` whenever the general path might say anything else.
mod fast {
    use std::borrow::Cow;
    use std::fmt;

    use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
    use wire::base64url;

    use super::AuthenticationResponse;

    /// A string member: absent and `null` are both `None`, as in the general path; another type fails the read.
    type Text<'a> = Option<Cow<'a, str>>;

    /// The members read, as borrowed text where the JSON string has no escapes. Every other member is read
    /// as a `serde_json::Value` and dropped, so it is checked exactly as the general path checks it (skipping it
    /// would not check its escapes, UTF-8 or numbers); a duplicate member fails the read (the general path keeps
    /// the last one).
    #[derive(Default)]
    struct Root<'a> {
        id: Text<'a>,
        raw_id: Text<'a>,
        type_: Text<'a>,
        response: Option<Response<'a>>,
    }

    #[derive(Default)]
    struct Response<'a> {
        client_data_json: Text<'a>,
        authenticator_data: Text<'a>,
        signature: Text<'a>,
        user_handle: Text<'a>,
    }

    /// Reads a known member once; a second occurrence is an error.
    fn once<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
        map: &mut A,
        seen: &mut u8,
        bit: u8,
    ) -> Result<T, A::Error> {
        if *seen & bit != 0 {
            return Err(de::Error::custom("duplicate member"));
        }
        *seen |= bit;
        map.next_value()
    }

    /// A string member, borrowed where it has no escapes (serde's own `Cow` impl always copies).
    fn text<'de: 'a, 'a, A: MapAccess<'de>>(
        map: &mut A,
        seen: &mut u8,
        bit: u8,
    ) -> Result<Text<'a>, A::Error> {
        let v: Option<BorrowedStr<'a>> = once(map, seen, bit)?;
        Ok(v.map(|b| b.0))
    }

    /// A string that borrows from the input when it has no escapes.
    struct BorrowedStr<'a>(Cow<'a, str>);

    impl<'de: 'a, 'a> Deserialize<'de> for BorrowedStr<'a> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Cow<'de, str>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a string")
                }
                fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                    Ok(Cow::Borrowed(v))
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                    Ok(Cow::Owned(v.to_owned()))
                }
            }
            d.deserialize_str(V).map(BorrowedStr)
        }
    }

    impl<'de: 'a, 'a> Deserialize<'de> for Root<'a> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V<'a>(std::marker::PhantomData<&'a ()>);
            impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
                type Value = Root<'a>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Root<'a>, A::Error> {
                    let (mut r, mut seen) = (Root::default(), 0u8);
                    while let Some(key) = map.next_key::<BorrowedStr<'de>>()? {
                        match &*key.0 {
                            "id" => r.id = text(&mut map, &mut seen, 1)?,
                            "rawId" => r.raw_id = text(&mut map, &mut seen, 2)?,
                            "type" => r.type_ = text(&mut map, &mut seen, 4)?,
                            "response" => r.response = Some(once(&mut map, &mut seen, 8)?),
                            _ => drop(map.next_value::<serde_json::Value>()?),
                        }
                    }
                    Ok(r)
                }
            }
            d.deserialize_map(V(std::marker::PhantomData))
        }
    }

    impl<'de: 'a, 'a> Deserialize<'de> for Response<'a> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V<'a>(std::marker::PhantomData<&'a ()>);
            impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
                type Value = Response<'a>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Response<'a>, A::Error> {
                    let (mut r, mut seen) = (Response::default(), 0u8);
                    while let Some(key) = map.next_key::<BorrowedStr<'de>>()? {
                        match &*key.0 {
                            "clientDataJSON" => r.client_data_json = text(&mut map, &mut seen, 1)?,
                            "authenticatorData" => r.authenticator_data = text(&mut map, &mut seen, 2)?,
                            "signature" => r.signature = text(&mut map, &mut seen, 4)?,
                            "userHandle" => r.user_handle = text(&mut map, &mut seen, 8)?,
                            _ => drop(map.next_value::<serde_json::Value>()?),
                        }
                    }
                    Ok(r)
                }
            }
            d.deserialize_map(V(std::marker::PhantomData))
        }
    }

    pub(super) fn authentication(bytes: &[u8]) -> Option<AuthenticationResponse> {
        let root: Root<'_> = serde_json::from_slice(bytes).ok()?;
        let id = root.id?;
        let raw_id = match &root.raw_id {
            Some(raw) => base64url::decode_quick(raw)?,
            None => base64url::decode_quick(&id)?,
        };
        let r = root.response?;
        let user_handle = match r.user_handle.as_deref() {
            None | Some("") => None,
            Some(h) => Some(base64url::decode_quick(h)?),
        };
        Some(AuthenticationResponse {
            raw_id,
            type_: root.type_?.into_owned(),
            client_data_json: base64url::decode_quick(&r.client_data_json?)?,
            authenticator_data: base64url::decode_quick(&r.authenticator_data?)?,
            signature: base64url::decode_quick(&r.signature?)?,
            user_handle,
            id: id.into_owned(),
        })
    }
}
