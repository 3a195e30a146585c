//! `webauthn-harness serve`: the reference RP on the conformance API until interrupted, with a page at `/` to
//! try it with a real browser; `--capture DIR` writes every ceremony it accepts as test vectors.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use generator::catalog::{Ceremony, Level};
use generator::vectors::{
    GroupCredential, Input, Notes, Outcome, StoredCredential, Test, TestGroup, VectorFile,
};
use rp::server::Exchange;
use serde_json::{json, Value as Json};
use wire::base64url;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// The origin the RP expects in client data (default: http://localhost:<port>).
    #[arg(long)]
    origin: Option<String>,
    /// The RP ID (default: localhost).
    #[arg(long, default_value = "localhost")]
    rp_id: String,
    /// The crypto provider that checks signatures (see `webauthn-harness bench`): rustcrypto, or aws-lc-rs
    /// when built with the aws-lc-rs feature (the default build has it)
    #[arg(long, default_value = "rustcrypto")]
    crypto: String,
    /// Write every ceremony the RP accepts, as test vectors in the vectors schema (vectors/schema.json), to
    /// DIR/registration.json and DIR/authentication.json: rewritten after each ceremony, replacing what DIR held
    /// (see vectors/captured/README.md)
    #[arg(long, value_name = "DIR")]
    capture: Option<PathBuf>,
    /// For testing the harness only: make the RP skip a check when an unrelated condition holds, the shape of
    /// bug `webauthn-harness fuzz` finds and no catalogue case names (repeatable): origin-when-backup-eligible,
    /// user-presence-when-unknown-client-data-member, rp-id-hash-when-large-counter,
    /// challenge-when-not-spec-serialized.
    #[arg(long = "blind-spot", value_enum, value_name = "NAME")]
    blind_spots: Vec<BlindSpotArg>,
}

/// `--blind-spot`: [`rp::BlindSpot`] by name.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlindSpotArg {
    OriginWhenBackupEligible,
    UserPresenceWhenUnknownClientDataMember,
    RpIdHashWhenLargeCounter,
    ChallengeWhenNotSpecSerialized,
}

impl From<BlindSpotArg> for rp::BlindSpot {
    fn from(b: BlindSpotArg) -> rp::BlindSpot {
        match b {
            BlindSpotArg::OriginWhenBackupEligible => rp::BlindSpot::OriginWhenBackupEligible,
            BlindSpotArg::UserPresenceWhenUnknownClientDataMember => {
                rp::BlindSpot::UserPresenceWhenUnknownClientDataMember
            }
            BlindSpotArg::RpIdHashWhenLargeCounter => rp::BlindSpot::RpIdHashWhenLargeCounter,
            BlindSpotArg::ChallengeWhenNotSpecSerialized => rp::BlindSpot::ChallengeWhenNotSpecSerialized,
        }
    }
}

pub fn run(args: Args) -> ExitCode {
    match run_inner(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(3)
        }
    }
}

fn run_inner(args: Args) -> Result<()> {
    let origin = args.origin.unwrap_or_else(|| format!("http://localhost:{}", args.listen.port()));
    let mut config = rp::Config::new(&args.rp_id, &origin);
    let Some(provider) = verifier::crypto::provider(&args.crypto) else {
        let names: Vec<&str> = verifier::crypto::providers().iter().map(|p| p.name()).collect();
        anyhow::bail!(
            "--crypto {:?}: no such provider in this build (there are: {})",
            args.crypto,
            names.join(", ")
        );
    };
    config.policy.crypto = verifier::crypto::Provider(provider);
    config.blind_spots = args.blind_spots.iter().map(|b| rp::BlindSpot::from(*b)).collect();
    if !config.blind_spots.is_empty() {
        eprintln!(
            "warning: blind spots on (a deliberately broken RP, for testing the harness): {:?}",
            config.blind_spots
        );
    }
    // Trust the harness's own attestation root, so its packed x5c and fido-u2f ceremonies verify.
    config.policy.attestation.trust_anchors = vec![generator::pki::root().der.clone()];
    config.policy.attestation.metadata = Some(crate::rp_target::harness_metadata());
    let observer: Option<rp::server::Observer> = match &args.capture {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            let capture = Capture::new(dir, &args.rp_id, &origin);
            Some(Arc::new(move |exchange: &Exchange<'_>| capture.observe(exchange)))
        }
        None => None,
    };
    let reference = Arc::new(rp::ReferenceRp::new(config));
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("binding {}", args.listen))?;
        eprintln!(
            "reference RP listening on http://{} (RP ID {}, origin {origin}, crypto {}); POST /attestation/options, /attestation/result, /assertion/options, /assertion/result; a page to try it with a browser at {origin}/; Ctrl-C stops it",
            listener.local_addr()?,
            args.rp_id,
            provider.name()
        );
        if let Some(dir) = &args.capture {
            eprintln!("capturing accepted ceremonies to {}", dir.display());
        }
        rp::server::serve_router(listener, rp::server::router_with(reference, observer), async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving")
    })
}

/// What `--capture` writes, from the exchanges it observes. A result is matched with the options last issued
/// in its session for its ceremony (the RP's challenge is single-use, so each result consumes them). The
/// credential record an assertion is verified against is the one the RP returned after the credential's
/// previous ceremony (its `credential` reply member).
struct Capture {
    dir: PathBuf,
    rp_id: String,
    origin: String,
    state: Mutex<CaptureState>,
}

#[derive(Default)]
struct CaptureState {
    /// The options last issued, by session and ceremony.
    options: HashMap<(String, Ceremony), Json>,
    /// By credential ID (base64url): the record as the RP stores it now.
    records: HashMap<String, Json>,
    /// By credential ID: the AAGUID and the algorithm seen at registration.
    registered: HashMap<String, (String, String)>,
    registration: File,
    authentication: File,
}

#[derive(Default)]
struct File {
    groups: Vec<TestGroup>,
    tests: usize,
}

/// `userVerification` as the schema spells it (the RP reads anything but "required" as not required).
fn user_verification(v: &Json) -> &'static str {
    match v.as_str() {
        Some("required") => "required",
        Some("discouraged") => "discouraged",
        _ => "preferred",
    }
}

/// The browser's product token from its User-Agent (`HeadlessChrome/156.0.0.0`), or the whole string.
fn browser(user_agent: &str) -> String {
    let tokens: Vec<&str> = user_agent.split_whitespace().collect();
    for product in ["HeadlessChrome/", "Edg/", "Firefox/", "Chrome/", "Safari/"] {
        if let Some(t) = tokens.iter().find(|t| t.starts_with(product)) {
            return (*t).to_owned();
        }
    }
    user_agent.to_owned()
}

/// The flags the RP saw (`flags` reply member) as `UP UV BE BS`, and whether UV was set.
fn flags(reply: &Json) -> (String, bool) {
    let f = &reply["flags"];
    let names: Vec<&str> = [("up", "UP"), ("uv", "UV"), ("be", "BE"), ("bs", "BS")]
        .iter()
        .filter(|(member, _)| f[*member].as_bool() == Some(true))
        .map(|(_, name)| *name)
        .collect();
    (names.join(" "), f["uv"].as_bool() == Some(true))
}

/// Transports as a case-id part: `internal`, `usb`, `hybrid-internal`; `none` when there are none.
fn transports_slug(transports: &Json) -> String {
    let list: Vec<String> = transports
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .map(|t| {
            t.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect::<String>().to_lowercase()
        })
        .filter(|t| !t.is_empty())
        .collect();
    if list.is_empty() {
        "none".into()
    } else {
        list.join("-")
    }
}

/// `fmt`, the AAGUID (base64url) and the algorithm name of a registration response, from its attestation
/// object and the stored public key.
fn registration_facts(response: &Json, record: &Json) -> Option<(String, String, String)> {
    let object = base64url::decode(response["response"]["attestationObject"].as_str()?).ok()?;
    let object = wire::attestation_object::AttestationObject::parse(&object).ok()?.object;
    let auth_data = wire::authdata::AuthenticatorData::parse(&object.auth_data).ok()?.data;
    let aaguid = auth_data.attested_credential_data?.aaguid;
    let key = base64url::decode(record["publicKey"].as_str()?).ok()?;
    let alg = wire::cose::CoseKey::parse(&key).ok()?.key.alg();
    let alg = wire::cose::alg_name(alg).map(str::to_owned).unwrap_or_else(|| alg.to_string());
    Some((object.fmt, base64url::encode(&aaguid), alg))
}

impl Capture {
    fn new(dir: &Path, rp_id: &str, origin: &str) -> Capture {
        Capture {
            dir: dir.to_owned(),
            rp_id: rp_id.to_owned(),
            origin: origin.to_owned(),
            state: Mutex::new(CaptureState::default()),
        }
    }

    fn observe(&self, ex: &Exchange<'_>) {
        let accepted = ex.status == 200 && ex.reply["status"] == "ok";
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let session = ex.session.to_owned();
        let captured = match ex.path {
            "/attestation/options" | "/assertion/options" => {
                let ceremony = if ex.path == "/attestation/options" {
                    Ceremony::Registration
                } else {
                    Ceremony::Authentication
                };
                if accepted {
                    state.options.insert((session, ceremony), ex.reply.clone());
                }
                None
            }
            "/attestation/result" => {
                let options = state.options.remove(&(session, Ceremony::Registration));
                match options {
                    Some(o) if accepted => Some(self.registration(&mut state, &o, ex)),
                    _ => None,
                }
            }
            "/assertion/result" => {
                let options = state.options.remove(&(session, Ceremony::Authentication));
                match options {
                    Some(o) if accepted => Some(self.authentication(&mut state, &o, ex)),
                    _ => None,
                }
            }
            _ => None,
        };
        match captured {
            Some(Ok(ceremony)) => {
                if let Err(e) = self.write(&state, ceremony) {
                    eprintln!("capture: {e:#}");
                }
            }
            Some(Err(why)) => eprintln!("capture: an accepted {} was not captured: {why}", ex.path),
            None => {}
        }
    }

    fn registration(
        &self,
        state: &mut CaptureState,
        options: &Json,
        ex: &Exchange<'_>,
    ) -> Result<Ceremony, String> {
        let record = &ex.reply["credential"];
        let id = record["id"].as_str().ok_or("the reply has no credential.id")?.to_owned();
        let (fmt, aaguid, algorithm) =
            registration_facts(ex.request, record).ok_or("cannot read the attestation object or the key")?;
        let selection = &options["authenticatorSelection"];
        let (flag_names, uv) = flags(ex.reply);
        let transports = &ex.request["response"]["transports"];
        let file = &mut state.registration;
        file.tests += 1;
        let tc = file.tests;
        let who = ex.user_agent.map(browser).unwrap_or_else(|| "an unnamed client".into());
        let test = Test {
            tc_id: tc,
            case_id: format!("reg.captured.{}.{}.{tc}", transports_slug(transports), if uv { "uv" } else { "up" }),
            comment: format!(
                "{who}: registration (transports [{}]; flags {flag_names}; signCount {}; residentKey {}, userVerification {})",
                transports_list(transports),
                record["signCount"],
                selection["residentKey"].as_str().unwrap_or("unset"),
                selection["userVerification"].as_str().unwrap_or("unset"),
            ),
            flags: vec![],
            references: vec![],
            spec: "§7.1".into(),
            level: Level::Must,
            input: Input {
                challenge: string(&options["challenge"]),
                user_verification: user_verification(&selection["userVerification"]).into(),
                pub_key_cred_params: Some(
                    options["pubKeyCredParams"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|p| p["alg"].as_i64())
                        .collect(),
                ),
                allow_credentials: None,
                identified_user: None,
                stored_credential: None,
            },
            response: ex.request.clone(),
            result: Outcome::Valid,
            check: None,
        };
        let group = TestGroup {
            ceremony: Ceremony::Registration,
            source: Some(self.source(ex)),
            rp_id: self.rp_id.clone(),
            origin: self.origin.clone(),
            valid_at: ex.now,
            algorithm: algorithm.clone(),
            attestation: Some(fmt),
            attestation_roots: vec![],
            credential: GroupCredential {
                id: id.clone(),
                public_key: string(&record["publicKey"]),
                private_key: json!({}),
                aaguid: aaguid.clone(),
            },
            user_handle: string(&record["userHandle"]),
            tests: vec![test],
            allow_cross_origin: false,
            allowed_top_origins: vec![],
        };
        file.groups.push(group);
        state.registered.insert(id.clone(), (aaguid, algorithm));
        state.records.insert(id, record.clone());
        Ok(Ceremony::Registration)
    }

    fn authentication(
        &self,
        state: &mut CaptureState,
        options: &Json,
        ex: &Exchange<'_>,
    ) -> Result<Ceremony, String> {
        let after = &ex.reply["credential"];
        let id = after["id"].as_str().ok_or("the reply has no credential.id")?.to_owned();
        let before =
            state.records.get(&id).cloned().ok_or("the credential was not registered in this capture")?;
        let (aaguid, algorithm) = state.registered.get(&id).cloned().unwrap_or_default();
        let (flag_names, uv) = flags(ex.reply);
        let who = ex.user_agent.map(browser).unwrap_or_else(|| "an unnamed client".into());
        let file = &mut state.authentication;
        file.tests += 1;
        let tc = file.tests;
        let stored: StoredCredential = serde_json::from_value(before.clone())
            .map_err(|e| format!("the stored credential record is not in the expected form: {e}"))?;
        let index = match file.groups.iter().position(|g| g.credential.id == id) {
            Some(i) => i,
            None => {
                file.groups.push(TestGroup {
                    ceremony: Ceremony::Authentication,
                    source: Some(self.source(ex)),
                    rp_id: self.rp_id.clone(),
                    origin: self.origin.clone(),
                    valid_at: ex.now,
                    algorithm,
                    attestation: None,
                    attestation_roots: vec![],
                    credential: GroupCredential {
                        id: id.clone(),
                        public_key: stored.public_key.clone(),
                        private_key: json!({}),
                        aaguid,
                    },
                    user_handle: stored.user_handle.clone().unwrap_or_default(),
                    tests: vec![],
                    allow_cross_origin: false,
                    allowed_top_origins: vec![],
                });
                file.groups.len() - 1
            }
        };
        let test = Test {
            tc_id: tc,
            case_id: format!("auth.captured.{}.{}.{tc}", transports_slug(&before["transports"]), if uv { "uv" } else { "up" }),
            comment: format!(
                "{who}: authentication (transports [{}]; flags {flag_names}; signCount {} after {}; userVerification {})",
                transports_list(&before["transports"]),
                after["signCount"],
                before["signCount"],
                options["userVerification"].as_str().unwrap_or("unset"),
            ),
            flags: vec![],
            references: vec![],
            spec: "§7.2".into(),
            level: Level::Must,
            input: Input {
                challenge: string(&options["challenge"]),
                user_verification: user_verification(&options["userVerification"]).into(),
                pub_key_cred_params: None,
                allow_credentials: Some(
                    options["allowCredentials"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|c| string(&c["id"]))
                        .collect(),
                ),
                identified_user: stored.user_handle.clone(),
                stored_credential: Some(stored),
            },
            response: ex.request.clone(),
            result: Outcome::Valid,
            check: None,
        };
        if let Some(group) = file.groups.get_mut(index) {
            group.tests.push(test);
        }
        state.records.insert(id, after.clone());
        Ok(Ceremony::Authentication)
    }

    fn source(&self, ex: &Exchange<'_>) -> String {
        format!(
            "captured by `webauthn-harness serve --capture` from {}",
            ex.user_agent.unwrap_or("a client that sent no User-Agent")
        )
    }

    /// Rewrites the file of `ceremony` (through a temporary file, so a reader never sees half of it).
    fn write(&self, state: &CaptureState, ceremony: Ceremony) -> Result<()> {
        let file = match ceremony {
            Ceremony::Registration => &state.registration,
            Ceremony::Authentication => &state.authentication,
        };
        let doc = VectorFile {
            schema: generator::vectors::SCHEMA.into(),
            generator_version: env!("CARGO_PKG_VERSION").into(),
            ceremony,
            number_of_tests: file.tests,
            header: vec![
                "Captured from a real browser by `webauthn-harness serve --capture` (see vectors/captured/README.md); not regenerated: `vectors check` verifies them as they are.".into(),
                "Each test is one ceremony the reference RP accepted: its inputs (challenge, requested user verification, offered algorithms or allowed credentials, the stored credential record), the response as the page posted it, and the result.".into(),
                "credential.privateKey is empty as the RP writes it (an RP never sees the authenticator's key); the browser test fills in the virtual authenticator's key as a JWK.".into(),
            ],
            notes: Notes::default(),
            references: Notes::default(),
            test_groups: file.groups.clone(),
        };
        let path = self.dir.join(format!("{}.json", ceremony.as_str()));
        let partial = self.dir.join(format!(".{}.json.partial", ceremony.as_str()));
        std::fs::write(&partial, generator::vectors::to_text(&doc))
            .with_context(|| format!("writing {}", partial.display()))?;
        std::fs::rename(&partial, &path).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }
}

/// A string member's text ("" when it is not a string).
fn string(v: &Json) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn transports_list(transports: &Json) -> String {
    transports.as_array().into_iter().flatten().filter_map(Json::as_str).collect::<Vec<_>>().join(", ")
}
