//! The structure-aware ceremony targets: fuzz input is read with `arbitrary` as a description (an
//! authenticator seed and algorithm, an attestation format, what the relying party asked for, and a short
//! list of [`Mutation`]s); the generator builds the signed ceremony it describes, the mutations are applied,
//! and the reference verifier runs on the result. The oracle is the invariant the catalogue's self-check
//! (`rp/tests/self_check.rs`) holds the reference RP to: a valid ceremony is accepted, a broken one is rejected
//! by the check that names what is broken. Here it is stated as what must hold and nothing more:
//!
//! 1. **The verifier never panics**, and a rejection (or a warning) names a check of the ceremony that ran.
//! 2. **An unmutated ceremony gets exactly the expected verdict**: accepted, or rejected by the one check its
//!    description makes fail (user verification required but not performed, a credential ID over 1023 bytes,
//!    a credential outside `allowCredentials`, no user handle for an unidentified user, a counter that did
//!    not increase). "Unmutated" means the response text is byte for byte the baseline's, whatever mutations
//!    were listed, so an edit that changes nothing (or a re-signature of unchanged data) counts as none.
//! 3. **Whatever is accepted satisfies the spec's postconditions**, checked on the accepted bytes with the
//!    wire parsers, not by asking the verifier: the client data has the ceremony's type, the challenge and
//!    the origin and is not cross-origin; the authenticator data is canonical, carries SHA-256 of the RP ID,
//!    UP, UV where required, no BS without BE; `id` is `rawId`; a registration attests that credential ID
//!    (at most 1023 bytes) with an offered algorithm and the record holds exactly that key; an assertion is
//!    for the stored credential, of the right user, with a counter that increased and BE as registered.
//! 4. **Signatures bind what they sign**: unless the case re-signs after mutating, an accepted assertion has
//!    the baseline's authenticator data, client data and signature, and an accepted registration whose
//!    format is not `none` has the baseline's client data and authenticator data (for `fido-u2f`, the parts
//!    its signature covers: rpIdHash, credential ID and public key). A `none` registration has no signature,
//!    so a change it survives is no finding by itself; the postconditions of 3 still hold for it.
//!
//! With `resign` set, the (mutated) authenticator data and client data are signed again with the right key
//! after the mutations, as a real authenticator would sign whatever it was given; then only 1-3 apply, which
//! is how the checks after the signature are reached with semantic changes (a wrong origin, a lower counter).

mod mutation;
pub mod rsa_slots;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use arbitrary::{Arbitrary, Unstructured};
use generator::{AssertionDraft, AttestationKind, Credential, Generator, KeyPair, RegistrationDraft, Rp};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use verifier::{
    AuthenticationExpectations, AuthenticationResponse, Ceremony, CheckId, CredentialRecord, OneRecordStore,
    Policy, RegistrationExpectations, RegistrationResponse, Rejection,
};
use wire::attestation_object::AttestationObject;
use wire::authdata::{AuthenticatorData, Flags};
use wire::base64url;
use wire::cbor::Value;
use wire::client_data::CollectedClientData;
use wire::cose::CoseKey;

pub use mutation::*;

pub const RP_ID: &str = "example.org";
pub const ORIGIN: &str = "https://example.org";
/// The user handle of the account that holds the credential.
pub const USER: &[u8] = b"user-1";
/// 2025-06-01T00:00:00Z, inside the validity of the generator's attestation certificates.
pub const NOW: u64 = 1_748_736_000;
/// Mutations past this many are ignored: a ceremony with more says little about any one of them.
pub const MAX_MUTATIONS: usize = 4;
/// Credential ID lengths are drawn from `1..=MAX_CREDENTIAL_ID_LEN`, across the 1023-byte limit of §7.1 step 25.
pub const MAX_CREDENTIAL_ID_LEN: u16 = 1100;
/// Every algorithm the generator can make, offered in `pubKeyCredParams`.
const OFFERED: [i64; 4] = [-7, -35, -257, -8];

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alg {
    Es256,
    Es384,
    EdDsa,
    Rs256,
}

impl Alg {
    pub fn algorithm(self) -> generator::Algorithm {
        match self {
            Alg::Es256 => generator::Algorithm::Es256,
            Alg::Es384 => generator::Algorithm::Es384,
            Alg::EdDsa => generator::Algorithm::EdDsa,
            Alg::Rs256 => generator::Algorithm::Rs256,
        }
    }
}

#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Attestation {
    None,
    PackedSelf,
    PackedX5c,
    /// `fido-u2f` needs an ES256 credential: the algorithm is taken as ES256 whatever the description says.
    FidoU2f,
}

impl Attestation {
    pub fn kind(self) -> AttestationKind {
        match self {
            Attestation::None => AttestationKind::None,
            Attestation::PackedSelf => AttestationKind::PackedSelf,
            Attestation::PackedX5c => AttestationKind::PackedX5c,
            Attestation::FidoU2f => AttestationKind::FidoU2f,
        }
    }
}

/// The BE and BS flags (§6.1) the authenticator reports.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backup {
    NotEligible,
    Eligible,
    BackedUp,
}

/// The software authenticator and its credential.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq, Hash)]
pub struct Authenticator {
    /// Seeds the challenges and the credential ID. The key and the AAGUID come from one of [`KEY_SLOTS`]
    /// slots per algorithm chosen by the seed, each made once per process: generating a key, or the
    /// packed attestation certificate an AAGUID needs, would otherwise dominate each run.
    pub seed: u64,
    pub alg: Alg,
    /// Whether the authenticator performed user verification (UV).
    pub uv: bool,
    pub backup: Backup,
    /// Taken as `1 + n % MAX_CREDENTIAL_ID_LEN`.
    pub credential_id_len: u16,
}

/// Keys cached per algorithm.
pub const KEY_SLOTS: u64 = 8;

impl Authenticator {
    pub(crate) fn flags(&self) -> u8 {
        let uv = if self.uv { Flags::UV } else { 0 };
        uv | match self.backup {
            Backup::NotEligible => 0,
            Backup::Eligible => Flags::BE,
            Backup::BackedUp => Flags::BE | Flags::BS,
        }
    }

    pub(crate) fn id_len(&self) -> usize {
        1 + usize::from(self.credential_id_len % MAX_CREDENTIAL_ID_LEN)
    }

    /// The credential, the registration challenge and the assertion challenge.
    pub(crate) fn credential(&self, alg: Alg) -> (Credential, Vec<u8>, Vec<u8>) {
        let mut g = Generator::new(self.seed);
        let key = cached_key(alg, self.seed);
        let id = g.bytes(self.id_len());
        // Drawn and dropped, so the challenges stay what they were when the AAGUID came from the seed.
        let _ = g.bytes(16);
        let aaguid = slot_aaguid(self.seed);
        let registration_challenge = g.challenge();
        let assertion_challenge = g.challenge();
        (Credential { id, key, aaguid }, registration_challenge, assertion_challenge)
    }
}

/// The seed the cached keys are drawn from (XOR the slot).
const KEY_SEED: u64 = 0x6b65_7973;

fn cached_key(alg: Alg, seed: u64) -> KeyPair {
    static KEYS: OnceLock<Mutex<HashMap<(Alg, u64), KeyPair>>> = OnceLock::new();
    let slot = seed % KEY_SLOTS;
    let mut keys = KEYS.get_or_init(Default::default).lock().unwrap_or_else(PoisonError::into_inner);
    keys.entry((alg, slot))
        .or_insert_with(|| match alg {
            // Four primes: the same public key shape, signing about four times as fast (see rsa_slots).
            Alg::Rs256 => KeyPair::Rsa(generator::Algorithm::Rs256, Box::new(rsa_slots::key(slot))),
            _ => KeyPair::generate(alg.algorithm(), Generator::new(KEY_SEED ^ slot).rng()),
        })
        .clone()
}

/// The AAGUID of a key slot (see [`Authenticator::seed`]).
fn slot_aaguid(seed: u64) -> [u8; 16] {
    let mut aaguid = [0u8; 16];
    aaguid.copy_from_slice(&Generator::new(AAGUID_SEED ^ (seed % KEY_SLOTS)).bytes(16));
    aaguid
}

/// The seed the slot AAGUIDs are drawn from (XOR the slot).
const AAGUID_SEED: u64 = 0x6161_6775_6964;

/// A bounded memo (emptied when full), shared by the runs of a process (also used by `fuzz/peers`).
pub type Cache<K, V> = OnceLock<Mutex<HashMap<K, Arc<V>>>>;
/// Registration baselines already built, by the part of the description they depend on: the fuzzer keeps a
/// description and varies its mutations far more often than the reverse, and building signs.
static REGISTRATIONS: Cache<(Authenticator, Attestation, bool), BuiltRegistration> = OnceLock::new();
/// Assertion signatures already made, by signer (algorithm and key slot) and message. An assertion's
/// baseline is rebuilt on every run (cheap without the signature): the stored counter, the user handle,
/// `allowCredentials` and the UV requirement are not signed, so a description that differs only there
/// reuses the signature, and nothing a run builds outlives it (libFuzzer then has no reason to look for
/// a leak).
static ASSERTION_SIGNATURES: Cache<(Alg, u64, Vec<u8>), Vec<u8>> = OnceLock::new();
/// Entries a cache holds before it is emptied.
pub const CACHE_LIMIT: usize = 256;

/// The value `cache` holds for `key`, built (and kept, emptying the cache first when it is full) if absent.
pub fn cached<K: std::hash::Hash + Eq, V>(cache: &Cache<K, V>, key: K, build: impl FnOnce() -> V) -> Arc<V> {
    let lock = || cache.get_or_init(Default::default).lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(v) = lock().get(&key) {
        return Arc::clone(v);
    }
    let v = Arc::new(build());
    let mut map = lock();
    if map.len() >= CACHE_LIMIT {
        map.clear();
    }
    map.insert(key, Arc::clone(&v));
    v
}

/// What the mutations can draw on besides the response itself.
#[derive(Debug, Clone)]
pub struct Context {
    /// The challenge the RP issued for this ceremony, and the one it issued for the other.
    pub challenge: Vec<u8>,
    pub other_challenge: Vec<u8>,
    pub credential_id: Vec<u8>,
    pub aaguid: [u8; 16],
    /// The baseline's signature (the attestation statement's `sig`, or the assertion signature).
    pub baseline_sig: Vec<u8>,
    /// The origin the client reports and the RP ID the RP expects (the near misses of [`Known`] and [`RpId`]
    /// are made from them).
    pub origin: String,
    pub rp_id: String,
    /// The account's user handle, and another account's.
    pub user_handle: Vec<u8>,
    pub other_user_handle: Vec<u8>,
}

impl Context {
    /// The parts every in-process ceremony shares: [`ORIGIN`], [`RP_ID`], the user handle [`USER`] and
    /// `user-2` as another account's.
    fn in_process(
        challenge: Vec<u8>,
        other_challenge: Vec<u8>,
        credential: &Credential,
        sig: Vec<u8>,
    ) -> Context {
        Context {
            challenge,
            other_challenge,
            credential_id: credential.id.clone(),
            aaguid: credential.aaguid,
            baseline_sig: sig,
            origin: ORIGIN.to_owned(),
            rp_id: RP_ID.to_owned(),
            user_handle: USER.to_vec(),
            other_user_handle: b"user-2".to_vec(),
        }
    }
}

/// The verdict the oracle compares: accepted, or the check that rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    Rejected(CheckId),
}

fn verdict<T>(r: &Result<T, Rejection>) -> Verdict {
    match r {
        Ok(_) => Verdict::Accepted,
        Err(e) => Verdict::Rejected(e.check),
    }
}

fn well_formed(r: &Rejection, ceremony: Ceremony) {
    assert!(CheckId::ALL.contains(&r.check), "unknown check {:?}", r.check);
    assert_eq!(r.check.ceremony(), ceremony, "a {:?} check in the other ceremony: {r}", r.check);
    assert_eq!(CheckId::from_id(r.check.id()), Some(r.check), "check id does not round-trip");
}

/// The relying party's policy, built once (it holds a copy of the root certificate).
pub(crate) fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let mut p = Policy::new(RP_ID, ORIGIN);
        p.attestation.trust_anchors = vec![generator::pki::root().der.clone()];
        p
    })
}

/// Applies the listed mutations (at most [`MAX_MUTATIONS`]), the re-signature, then the text edits.
pub(crate) fn mutate(
    baseline: &Json,
    mutations: &[Mutation],
    ctx: &Context,
    resign: impl FnOnce(&mut Json),
    do_resign: bool,
) -> Vec<u8> {
    let mutations = mutations.get(..mutations.len().min(MAX_MUTATIONS)).unwrap_or_default();
    let mut json = baseline.clone();
    for m in mutations {
        m.apply(&mut json, ctx);
    }
    if do_resign {
        resign(&mut json);
    }
    let mut text = serde_json::to_vec(&json).unwrap_or_default();
    for m in mutations {
        m.apply_text(&mut text);
    }
    text
}

// ---- what an accepted response must satisfy ------------------------------------------------------------

/// The members of an accepted response as §5.1 defines them, read independently of the verifier.
struct ResponseMembers {
    raw_id: Vec<u8>,
    response: serde_json::Map<String, Json>,
}

fn members(text: &[u8]) -> ResponseMembers {
    let json: Json = serde_json::from_slice(text).expect("an accepted response is JSON");
    let root = json.as_object().expect("an accepted response is an object");
    let id = root.get("id").and_then(Json::as_str).expect("an accepted response has an id");
    let raw_id = match root.get("rawId") {
        None | Some(Json::Null) => base64url::decode(id).expect("id is base64url"),
        Some(Json::String(s)) => base64url::decode(s).expect("rawId is base64url"),
        Some(other) => panic!("accepted with rawId {other}"),
    };
    assert_eq!(
        root.get("type").and_then(Json::as_str),
        Some("public-key"),
        "accepted a type other than public-key"
    );
    assert_eq!(id, base64url::encode(&raw_id), "accepted an id that is not base64url(rawId)");
    let response =
        root.get("response").and_then(Json::as_object).expect("an accepted response has a response").clone();
    ResponseMembers { raw_id, response }
}

fn member_bytes(response: &serde_json::Map<String, Json>, name: &str) -> Vec<u8> {
    let s = response.get(name).and_then(Json::as_str).unwrap_or_else(|| panic!("accepted without {name}"));
    base64url::decode(s).unwrap_or_else(|e| panic!("accepted a {name} that is not base64url: {e}"))
}

/// §7.1 steps 5-11 / §7.2 steps 8-14 on accepted client data.
fn client_data_holds(cdj: &[u8], type_: &str, challenge: &[u8]) {
    let text = std::str::from_utf8(cdj).expect("accepted client data that is not UTF-8");
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let c = CollectedClientData::parse(body.as_bytes()).expect("accepted client data that is not JSON");
    assert_eq!(c.type_(), Ok(type_), "accepted the wrong client data type");
    assert_eq!(c.challenge(), Ok(base64url::encode(challenge).as_str()), "accepted the wrong challenge");
    assert_eq!(c.origin(), Ok(ORIGIN), "accepted an unexpected origin");
    assert!(matches!(c.cross_origin(), Ok(None | Some(false))), "accepted a cross-origin ceremony");
    assert_eq!(c.top_origin(), Ok(None), "accepted a topOrigin");
}

/// The flag and rpIdHash requirements both ceremonies share (§7.1 steps 14-17, §7.2 steps 15-18).
fn auth_data_holds(bytes: &[u8], require_uv: bool) -> AuthenticatorData {
    let parsed = AuthenticatorData::parse(bytes).expect("accepted authenticator data that does not parse");
    assert!(parsed.is_canonical(), "accepted non-canonical CBOR in authenticator data");
    let d = parsed.data;
    assert_eq!(d.rp_id_hash, sha256(RP_ID.as_bytes()), "accepted the wrong rpIdHash");
    assert!(d.flags.up(), "accepted without UP");
    assert!(!require_uv || d.flags.uv(), "accepted without UV where it was required");
    assert!(!d.flags.bs() || d.flags.be(), "accepted BS without BE");
    d
}

// ---- registration --------------------------------------------------------------------------------------

/// A registration ceremony, as the fuzzer describes it.
#[derive(Arbitrary, Debug, Clone, PartialEq)]
pub struct RegistrationCase {
    pub authenticator: Authenticator,
    pub attestation: Attestation,
    /// The RP requires user verification.
    pub require_uv: bool,
    /// Sign the mutated ceremony again (see the module documentation).
    pub resign: bool,
    pub mutations: Vec<Mutation>,
}

/// A built registration: what the client sent and what the RP must expect.
pub struct BuiltRegistration {
    pub credential: Credential,
    pub json: Json,
    pub text: Vec<u8>,
    pub client_data_json: Vec<u8>,
    pub attestation_object: AttestationObject,
    pub expectations: RegistrationExpectations,
    pub ctx: Context,
    pub expected: Verdict,
    /// What the baseline's statement signature covers (see [`signing_input`]), so that re-signing the same
    /// input reuses the baseline's signature instead of computing it again (all signatures here are
    /// deterministic, so it is the same value).
    pub signed: Option<SigningInput>,
}

impl RegistrationCase {
    pub(crate) fn alg(&self) -> Alg {
        if self.attestation == Attestation::FidoU2f {
            Alg::Es256
        } else {
            self.authenticator.alg
        }
    }

    /// The baseline: the valid ceremony before any mutation, and its expected verdict.
    pub fn build(&self) -> BuiltRegistration {
        let a = &self.authenticator;
        let (credential, challenge, other_challenge) = a.credential(self.alg());
        let draft = RegistrationDraft::new(&Rp::new(RP_ID, ORIGIN), &credential, &challenge, a.flags());
        let signed = draft.sign(&credential, self.attestation.kind());
        let json = signed.to_json();
        let expected = if self.require_uv && !a.uv {
            Verdict::Rejected(CheckId::RegUserVerified)
        } else if a.id_len() > 1023 {
            Verdict::Rejected(CheckId::RegCredentialIdTooLong)
        } else {
            Verdict::Accepted
        };
        let baseline_sig = signed
            .attestation_object
            .att_stmt
            .get_text("sig")
            .and_then(Value::as_bytes)
            .unwrap_or_default()
            .to_vec();
        let signing = signing_input(&signed.attestation_object, &sha256(&signed.client_data_json));
        BuiltRegistration {
            signed: signing,
            ctx: Context::in_process(challenge.clone(), other_challenge, &credential, baseline_sig),
            credential,
            text: serde_json::to_vec(&json).unwrap_or_default(),
            json,
            client_data_json: signed.client_data_json,
            attestation_object: signed.attestation_object,
            expectations: RegistrationExpectations {
                challenge,
                pub_key_cred_params: OFFERED.to_vec(),
                user_verification_required: self.require_uv,
                conditional_mediation: false,
            },
            expected,
        }
    }

    /// The response text after the mutations.
    pub fn mutated(&self, built: &BuiltRegistration) -> Vec<u8> {
        let baseline = built.signed.as_ref().map(|signed| (signed, built.ctx.baseline_sig.as_slice()));
        let resign = |json: &mut Json| resign_registration_reusing(json, &built.credential, baseline);
        mutate(&built.json, &self.mutations, &built.ctx, resign, self.resign)
    }

    /// Builds, mutates, verifies and checks the oracle; panics on a broken invariant.
    pub fn run(&self) -> Verdict {
        let key = (self.authenticator.clone(), self.attestation, self.require_uv);
        let built = cached(&REGISTRATIONS, key, || self.build());
        let text = self.mutated(&built);
        let result = RegistrationResponse::from_json_bytes(&text).and_then(|r| {
            verifier::verify_registration(&r, &built.expectations, policy(), &verifier::EmptyStore, NOW)
        });
        match &result {
            Err(r) => well_formed(r, Ceremony::Registration),
            Ok(out) => out.warnings.iter().for_each(|w| well_formed(w, Ceremony::Registration)),
        }
        let got = verdict(&result);
        if text == built.text {
            assert_eq!(got, built.expected, "unmutated registration {self:?}: {:?}", result.as_ref().err());
        }
        if let Ok(out) = &result {
            self.accepted_holds(&built, &text, out);
        }
        got
    }

    fn accepted_holds(&self, built: &BuiltRegistration, text: &[u8], out: &verifier::RegistrationOutcome) {
        let m = members(text);
        let cdj = member_bytes(&m.response, "clientDataJSON");
        client_data_holds(&cdj, "webauthn.create", &built.expectations.challenge);
        let parsed = AttestationObject::parse(&member_bytes(&m.response, "attestationObject"))
            .expect("accepted an attestation object that does not parse");
        assert!(parsed.is_canonical(), "accepted a non-canonical attestation object");
        let object = parsed.object;
        assert!(object.extra.is_empty(), "accepted extra attestation object members");
        assert_eq!(object.fmt, out.fmt, "the outcome names another format");
        let d = auth_data_holds(&object.auth_data, self.require_uv);
        let attested =
            d.attested_credential_data.as_ref().expect("accepted without attested credential data");
        assert!(d.flags.at(), "accepted without AT");
        assert_eq!(
            attested.credential_id, m.raw_id,
            "accepted a rawId that is not the attested credential ID"
        );
        assert!(attested.credential_id.len() <= 1023, "accepted a credential ID over 1023 bytes");
        let key =
            CoseKey::parse(&attested.credential_public_key).expect("accepted a malformed credential key");
        assert!(OFFERED.contains(&key.key.alg()), "accepted an algorithm that was not offered");
        let r = &out.record;
        assert_eq!(r.id, attested.credential_id, "the record has another credential ID");
        assert_eq!(r.public_key, attested.credential_public_key, "the record has another key");
        assert_eq!(r.sign_count, d.sign_count, "the record has another counter");
        assert_eq!((r.backup_eligible, r.backup_state), (d.flags.be(), d.flags.bs()), "record backup flags");
        assert_eq!(r.uv_initialized, d.flags.uv(), "record uvInitialized");

        if self.resign || object.fmt == "none" {
            return;
        }
        assert_eq!(cdj, built.client_data_json, "an attestation signature accepted over other client data");
        if object.fmt == "fido-u2f" {
            let base = AuthenticatorData::parse(&built.attestation_object.auth_data)
                .expect("baseline authData")
                .data;
            let base_attested = base.attested_credential_data.as_ref().expect("baseline attested data");
            assert_eq!(d.rp_id_hash, base.rp_id_hash, "fido-u2f accepted over another rpIdHash");
            assert_eq!(
                attested.credential_id, base_attested.credential_id,
                "fido-u2f accepted another credential ID"
            );
            let point = |k: &CoseKey| match k {
                CoseKey::Ec2 { x, y, .. } => Some((x.clone(), y.clone())),
                _ => None,
            };
            let base_key = CoseKey::parse(&base_attested.credential_public_key).expect("baseline key").key;
            assert_eq!(point(&key.key), point(&base_key), "fido-u2f accepted another public key");
        } else {
            assert_eq!(
                object.auth_data, built.attestation_object.auth_data,
                "an attestation signature accepted over other authenticator data"
            );
        }
    }
}

/// The signer and the message of an attestation signature: the first `x5c` certificate (`None`: the
/// credential key) and what the statement's format signs (`authData || clientDataHash`, or for `fido-u2f` its
/// verification data). `None` where the statement has no `sig` or a part does not decode.
pub type SigningInput = (Option<Vec<u8>>, Vec<u8>);

fn signing_input(o: &AttestationObject, client_data_hash: &[u8; 32]) -> Option<SigningInput> {
    o.att_stmt.get_text("sig")?;
    let mut message = o.auth_data.clone();
    message.extend_from_slice(client_data_hash);
    if o.fmt == "fido-u2f" {
        let parsed = AuthenticatorData::parse(&o.auth_data).ok()?;
        message = generator::ceremony::u2f_registration_data(&parsed.data, client_data_hash);
    }
    let leaf = match o.att_stmt.get_text("x5c").and_then(Value::as_array).and_then(|a| a.first()) {
        None => None,
        Some(cert) => Some(cert.as_bytes()?.to_vec()),
    };
    Some((leaf, message))
}

/// Signs the (mutated) attestation object's authenticator data and client data again as its statement
/// says, replacing `sig`: a statement with `x5c` is signed by the key of its first certificate when that
/// is one of the generator's (the packed leaf for the credential's AAGUID or for an all-zero one, the U2F
/// leaf, the root), over the `fido-u2f` verification data if that is the format; one without `x5c` by the
/// credential key. Leaves the response alone where a part does not decode or the signer is unknown.
pub(crate) fn resign_registration(json: &mut Json, credential: &Credential) {
    resign_registration_reusing(json, credential, None);
}

/// [`resign_registration`], except that when signer and message are `baseline`'s (what a signature covers,
/// and that signature), the result is `baseline`'s signature and nothing is signed: every signer here is
/// deterministic, so signing again would give the same bytes.
fn resign_registration_reusing(
    json: &mut Json,
    credential: &Credential,
    baseline: Option<(&SigningInput, &[u8])>,
) {
    let Some(cdj) = json
        .get("response")
        .and_then(|r| r.get("clientDataJSON"))
        .and_then(Json::as_str)
        .and_then(|s| base64url::decode(s).ok())
    else {
        return;
    };
    let hash = sha256(&cdj);
    mutation::edit_attestation_object(json, |o| {
        let Some(input) = signing_input(o, &hash) else { return };
        let sig = if let Some((_, sig)) = baseline.filter(|(signed, _)| **signed == input) {
            sig.to_vec()
        } else {
            let (leaf, message) = input;
            match leaf {
                None => credential.key.sign(&message),
                Some(der) => {
                    let Some(key) = certificate_key(&der, credential.aaguid) else { return };
                    generator::ceremony::sign_p256(&key, &message)
                }
            }
        };
        if let Value::Map(entries) = &mut o.att_stmt {
            for (k, v) in entries.iter_mut() {
                if k.as_text() == Some("sig") {
                    *v = Value::Bytes(sig.clone());
                }
            }
        }
    });
}

/// The private key of one of the generator's certificates, found by its DER.
fn certificate_key(der: &[u8], aaguid: [u8; 16]) -> Option<p256::ecdsa::SigningKey> {
    let root = || generator::pki::root().clone();
    let candidates: [&dyn Fn() -> generator::pki::Issued; 4] = [
        &|| generator::pki::packed_leaf(aaguid),
        &|| generator::pki::packed_leaf([0; 16]),
        &generator::pki::u2f_leaf,
        &root,
    ];
    candidates.iter().map(|issue| issue()).find(|c| c.der == der).map(|c| c.key)
}

// ---- authentication ------------------------------------------------------------------------------------

/// What `allowCredentials` lists (§7.2 step 5).
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Allow {
    /// Empty: a discoverable-credential ceremony.
    Empty,
    /// The credential.
    Listed,
    /// Another credential only.
    Other,
}

/// An authentication ceremony with a registered credential, as the fuzzer describes it.
#[derive(Arbitrary, Debug, Clone, PartialEq)]
pub struct AuthenticationCase {
    pub authenticator: Authenticator,
    /// The counter in the credential record, and the one the authenticator reports.
    pub stored_sign_count: u32,
    pub sign_count: u32,
    /// The response carries `userHandle`.
    pub user_handle: bool,
    /// The user was identified before the ceremony (§7.2 step 6).
    pub identified: bool,
    pub allow: Allow,
    pub require_uv: bool,
    pub resign: bool,
    pub mutations: Vec<Mutation>,
}

pub struct BuiltAuthentication {
    pub credential: Credential,
    pub record: CredentialRecord,
    pub json: Json,
    pub text: Vec<u8>,
    pub client_data_json: Vec<u8>,
    pub authenticator_data: Vec<u8>,
    pub signature: Vec<u8>,
    pub expectations: AuthenticationExpectations,
    pub ctx: Context,
    pub expected: Verdict,
}

impl AuthenticationCase {
    fn counter_ok(stored: u32, new: u32) -> bool {
        new > stored || (new == 0 && stored == 0)
    }

    pub fn build(&self) -> BuiltAuthentication {
        let a = &self.authenticator;
        let (credential, other_challenge, challenge) = a.credential(a.alg);
        let flags = a.flags();
        let record = CredentialRecord::new(
            credential.id.clone(),
            credential.key.cose_key().to_bytes(),
            self.stored_sign_count,
            a.uv,
            vec!["internal".to_owned()],
            flags & Flags::BE != 0,
            flags & Flags::BS != 0,
            Some(USER.to_vec()),
        )
        .expect("the generator's key makes a record");
        let user_handle = self.user_handle.then(|| USER.to_vec());
        let signed = AssertionDraft::new(
            &Rp::new(RP_ID, ORIGIN),
            &credential,
            &challenge,
            flags,
            self.sign_count,
            user_handle,
        )
        .sign_with(|message| {
            let signer = (a.alg, a.seed % KEY_SLOTS, message.to_vec());
            cached(&ASSERTION_SIGNATURES, signer, || credential.key.sign(message)).to_vec()
        });
        let json = signed.to_json();
        let allow_credentials = match self.allow {
            Allow::Empty => vec![],
            Allow::Listed => vec![credential.id.clone()],
            Allow::Other => vec![b"another credential".to_vec()],
        };
        // The first check the description makes fail, in procedure order.
        let expected = if self.allow == Allow::Other {
            Verdict::Rejected(CheckId::AuthCredentialNotAllowed)
        } else if !self.identified && !self.user_handle {
            Verdict::Rejected(CheckId::AuthUserHandleMissing)
        } else if self.require_uv && !a.uv {
            Verdict::Rejected(CheckId::AuthUserVerified)
        } else if !Self::counter_ok(self.stored_sign_count, self.sign_count) {
            Verdict::Rejected(CheckId::AuthSignCount)
        } else {
            Verdict::Accepted
        };
        BuiltAuthentication {
            ctx: Context::in_process(
                challenge.clone(),
                other_challenge,
                &credential,
                signed.signature.clone(),
            ),
            credential,
            record,
            text: serde_json::to_vec(&json).unwrap_or_default(),
            json,
            client_data_json: signed.client_data_json,
            authenticator_data: signed.authenticator_data,
            signature: signed.signature,
            expectations: AuthenticationExpectations {
                challenge,
                allow_credentials,
                user_verification_required: self.require_uv,
                identified_user: self.identified.then(|| USER.to_vec()),
            },
            expected,
        }
    }

    pub fn mutated(&self, built: &BuiltAuthentication) -> Vec<u8> {
        let baseline = Some((
            built.authenticator_data.as_slice(),
            built.client_data_json.as_slice(),
            built.signature.as_slice(),
        ));
        let resign = |json: &mut Json| resign_assertion_reusing(json, &built.credential, baseline);
        mutate(&built.json, &self.mutations, &built.ctx, resign, self.resign)
    }

    pub fn run(&self) -> Verdict {
        let built = self.build();
        let text = self.mutated(&built);
        let result = AuthenticationResponse::from_json_bytes(&text).and_then(|r| {
            verifier::verify_authentication(
                &r,
                &built.expectations,
                policy(),
                &OneRecordStore::new(USER, built.record.clone()),
            )
        });
        match &result {
            Err(r) => well_formed(r, Ceremony::Authentication),
            Ok(out) => out.warnings.iter().for_each(|w| well_formed(w, Ceremony::Authentication)),
        }
        let got = verdict(&result);
        if text == built.text {
            assert_eq!(got, built.expected, "unmutated authentication {self:?}: {:?}", result.as_ref().err());
        }
        if let Ok(out) = &result {
            self.accepted_holds(&built, &text, out);
        }
        got
    }

    fn accepted_holds(
        &self,
        built: &BuiltAuthentication,
        text: &[u8],
        out: &verifier::AuthenticationOutcome,
    ) {
        let m = members(text);
        assert_eq!(m.raw_id, built.record.id, "accepted an assertion for another credential");
        let allow = &built.expectations.allow_credentials;
        assert!(
            allow.is_empty() || allow.contains(&m.raw_id),
            "accepted a credential outside allowCredentials"
        );
        let handle = match m.response.get("userHandle") {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) if s.is_empty() => None,
            Some(Json::String(s)) => {
                Some(base64url::decode(s).expect("accepted a userHandle that is not base64url"))
            }
            Some(other) => panic!("accepted userHandle {other}"),
        };
        if self.identified {
            assert!(handle.as_deref().is_none_or(|h| h == USER), "accepted another user's handle");
        } else {
            assert_eq!(handle.as_deref(), Some(USER), "accepted without the account's user handle");
        }
        assert_eq!(out.user_handle, USER, "authenticated another account");

        let cdj = member_bytes(&m.response, "clientDataJSON");
        client_data_holds(&cdj, "webauthn.get", &built.expectations.challenge);
        let auth_data = member_bytes(&m.response, "authenticatorData");
        let d = auth_data_holds(&auth_data, self.require_uv);
        assert!(
            !d.flags.at() && d.attested_credential_data.is_none(),
            "accepted attested data in an assertion"
        );
        assert_eq!(d.flags.be(), built.record.backup_eligible, "accepted a change of backup eligibility");
        assert!(
            Self::counter_ok(self.stored_sign_count, d.sign_count),
            "accepted a counter that did not increase"
        );
        let r = &out.record;
        assert_eq!(r.sign_count, d.sign_count, "the record keeps another counter");
        assert_eq!(r.backup_state, d.flags.bs(), "the record keeps another backup state");
        assert_eq!(r.uv_initialized, built.record.uv_initialized || d.flags.uv(), "record uvInitialized");

        if self.resign {
            return;
        }
        assert_eq!(auth_data, built.authenticator_data, "a signature accepted over other authenticator data");
        assert_eq!(cdj, built.client_data_json, "a signature accepted over other client data");
        assert_eq!(member_bytes(&m.response, "signature"), built.signature, "accepted another signature");
    }
}

/// Signs the (mutated) authenticator data and client data again with the credential key.
pub(crate) fn resign_assertion(json: &mut Json, credential: &Credential) {
    resign_assertion_reusing(json, credential, None);
}

/// [`resign_assertion`], except that when the authenticator data and client data are `baseline`'s (with
/// its signature), the result is `baseline`'s signature and nothing is signed (the signers are
/// deterministic).
fn resign_assertion_reusing(
    json: &mut Json,
    credential: &Credential,
    baseline: Option<(&[u8], &[u8], &[u8])>,
) {
    let decoded = |name: &str| {
        json.get("response")
            .and_then(|r| r.get(name))
            .and_then(Json::as_str)
            .and_then(|s| base64url::decode(s).ok())
    };
    let (Some(auth_data), Some(cdj)) = (decoded("authenticatorData"), decoded("clientDataJSON")) else {
        return;
    };
    let reused = baseline.filter(|(a, c, _)| *a == auth_data.as_slice() && *c == cdj.as_slice());
    let sig = if let Some((_, _, sig)) = reused {
        sig.to_vec()
    } else {
        let mut signed = auth_data;
        signed.extend_from_slice(&sha256(&cdj));
        credential.key.sign(&signed)
    };
    if let Some(r) = json.get_mut("response").and_then(Json::as_object_mut) {
        r.insert("signature".to_owned(), Json::String(base64url::encode(&sig)));
    }
}

// ---- entry points --------------------------------------------------------------------------------------

/// `registration`: reads a [`RegistrationCase`] from `data` and checks the oracle. Input too short for a
/// description is ignored.
pub fn registration(data: &[u8]) {
    if let Ok(case) = RegistrationCase::arbitrary_take_rest(Unstructured::new(data)) {
        case.run();
    }
}

/// `authentication`: reads an [`AuthenticationCase`] from `data` and checks the oracle.
pub fn authentication(data: &[u8]) {
    if let Ok(case) = AuthenticationCase::arbitrary_take_rest(Unstructured::new(data)) {
        case.run();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authenticator(alg: Alg, backup: Backup, uv: bool, credential_id_len: u16) -> Authenticator {
        Authenticator { seed: 7, alg, uv, backup, credential_id_len }
    }

    const BACKUPS: [Backup; 3] = [Backup::NotEligible, Backup::Eligible, Backup::BackedUp];
    const ALGS: [Alg; 4] = [Alg::Es256, Alg::Es384, Alg::EdDsa, Alg::Rs256];

    const UV: [(bool, bool); 4] = [(false, false), (true, false), (false, true), (true, true)];

    /// Every unmutated registration gets the verdict its description predicts (`run` asserts it, re-signing
    /// included, which must change nothing), over each algorithm and format crossed with the flags and the
    /// UV requirement, and with credential ID lengths around the limit.
    #[test]
    fn every_registration_baseline_gets_its_expected_verdict() {
        let attestations =
            [Attestation::None, Attestation::PackedSelf, Attestation::PackedX5c, Attestation::FidoU2f];
        for alg in ALGS {
            for attestation in attestations {
                let case = |authenticator, require_uv| RegistrationCase {
                    authenticator,
                    attestation,
                    require_uv,
                    resign: true,
                    mutations: vec![],
                };
                let mut cases = Vec::new();
                for backup in BACKUPS {
                    for (uv, require_uv) in UV {
                        cases.push(case(authenticator(alg, backup, uv, 31), require_uv));
                    }
                }
                for id_len in [0, 255, 1022, 1023] {
                    cases.push(case(authenticator(alg, Backup::NotEligible, false, id_len), false));
                }
                for case in cases {
                    assert_eq!(case.run(), case.build().expected, "{case:?}");
                }
            }
        }
    }

    /// Re-signing reuses the baseline's signature when signer and message are unchanged; that is sound only
    /// because signing again gives the same bytes. Checked for every algorithm and signed format, and for
    /// an assertion.
    #[test]
    fn signing_the_baseline_again_gives_the_baseline_signature() {
        for alg in ALGS {
            for attestation in [Attestation::PackedSelf, Attestation::PackedX5c, Attestation::FidoU2f] {
                let case = RegistrationCase {
                    authenticator: authenticator(alg, Backup::Eligible, true, 40),
                    attestation,
                    require_uv: false,
                    resign: true,
                    mutations: vec![],
                };
                let built = case.build();
                let (leaf, message) = built.signed.clone().expect("a signed statement");
                let again = match leaf {
                    None => built.credential.key.sign(&message),
                    Some(der) => {
                        let key =
                            certificate_key(&der, built.credential.aaguid).expect("a known certificate");
                        generator::ceremony::sign_p256(&key, &message)
                    }
                };
                assert_eq!(again, built.ctx.baseline_sig, "{alg:?} {attestation:?}");
            }
            let case = AuthenticationCase {
                authenticator: authenticator(alg, Backup::Eligible, true, 40),
                stored_sign_count: 0,
                sign_count: 1,
                user_handle: true,
                identified: true,
                allow: Allow::Empty,
                require_uv: false,
                resign: true,
                mutations: vec![],
            };
            let built = case.build();
            let mut message = built.authenticator_data.clone();
            message.extend_from_slice(&sha256(&built.client_data_json));
            assert_eq!(built.credential.key.sign(&message), built.signature, "{alg:?} assertion");
        }
    }

    /// The same for assertions: each algorithm crossed with the flags and the UV requirement, and with the
    /// counters, `allowCredentials` and the user handle cases.
    #[test]
    fn every_authentication_baseline_gets_its_expected_verdict() {
        let base = |alg, backup, uv| AuthenticationCase {
            authenticator: authenticator(alg, backup, uv, 15),
            stored_sign_count: 0,
            sign_count: 1,
            user_handle: true,
            identified: true,
            allow: Allow::Empty,
            require_uv: false,
            resign: true,
            mutations: vec![],
        };
        for alg in ALGS {
            let mut cases = Vec::new();
            for backup in BACKUPS {
                for (uv, require_uv) in UV {
                    cases.push(AuthenticationCase { require_uv, ..base(alg, backup, uv) });
                }
            }
            for (stored_sign_count, sign_count) in [(0, 0), (0, 1), (5, 5), (5, 4), (u32::MAX, 0)] {
                for allow in [Allow::Empty, Allow::Listed, Allow::Other] {
                    for (identified, user_handle) in
                        [(true, true), (true, false), (false, true), (false, false)]
                    {
                        cases.push(AuthenticationCase {
                            stored_sign_count,
                            sign_count,
                            allow,
                            identified,
                            user_handle,
                            ..base(alg, Backup::Eligible, false)
                        });
                    }
                }
            }
            for case in cases {
                assert_eq!(case.run(), case.build().expected, "{case:?}");
            }
        }
    }
}
