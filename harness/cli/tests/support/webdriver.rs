//! Child processes and a W3C WebDriver session with headless Chromium (JSON over HTTP), for the browser
//! tests (tests/browser.rs) and the HAR recorder (tests/har_fixtures.rs).
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value as Json};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

pub fn wait_for_port(port: u16, what: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not listen on port {port} within 30 s; its log:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A child process that is killed (by its own id) when dropped.
pub struct Process {
    child: Child,
    pub log: PathBuf,
}

impl Process {
    pub fn start(program: &str, args: &[String], log: PathBuf) -> Process {
        let out = std::fs::File::create(&log).expect("a log file");
        let err = out.try_clone().expect("a log file");
        let child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {program}: {e}"));
        Process { child, log }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A WebDriver session; dropping it deletes the session (which closes the browser) before chromedriver is
/// stopped.
pub struct Session {
    pub base: String,
    pub id: String,
    pub agent: ureq::Agent,
    profile: PathBuf,
    // Dropped after the session is deleted (fields drop in declaration order, after `drop` below).
    _driver: Process,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .build()
        .into()
}

/// One WebDriver command: the reply's `value`, or the WebDriver error.
pub fn webdriver(agent: &ureq::Agent, method: &str, url: &str, body: Option<&Json>) -> Result<Json, String> {
    let response = match (method, body) {
        ("GET", _) => agent.get(url).call(),
        ("DELETE", _) => agent.delete(url).call(),
        (_, body) => {
            let bytes = serde_json::to_vec(body.unwrap_or(&json!({}))).unwrap_or_default();
            agent.post(url).header("Content-Type", "application/json").send(&bytes[..])
        }
    };
    let mut response = response.map_err(|e| format!("{method} {url}: {e}"))?;
    let status = response.status().as_u16();
    let bytes = response.body_mut().read_to_vec().map_err(|e| format!("{method} {url}: {e}"))?;
    let reply: Json =
        serde_json::from_slice(&bytes).map_err(|e| format!("{method} {url}: the reply is not JSON: {e}"))?;
    if status != 200 {
        return Err(format!(
            "{method} {url}: HTTP {status}: {} {}",
            reply["value"]["error"].as_str().unwrap_or_default(),
            reply["value"]["message"].as_str().unwrap_or_default()
        ));
    }
    Ok(reply["value"].clone())
}

impl Session {
    /// Starts chromedriver on a free port and a headless Chromium session with virtual authenticators enabled.
    pub fn start(scratch: &Path) -> Session {
        Session::start_logging(scratch, json!({"browser": "ALL"}))
    }

    /// Like [`Session::start`], with these `goog:loggingPrefs` (`{"performance": "ALL"}` records the DevTools
    /// Network events, for the HAR recorder).
    pub fn start_logging(scratch: &Path, logging: Json) -> Session {
        let chromedriver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        for program in [&chromedriver, &chromium] {
            assert!(
                Path::new(program).exists(),
                "{program} is missing: install Debian's chromium and chromium-driver (.ci/run does)"
            );
        }
        let port = free_port();
        let driver = Process::start(
            &chromedriver,
            &[format!("--port={port}"), "--allowed-ips=127.0.0.1".into()],
            scratch.join("chromedriver.log"),
        );
        wait_for_port(port, "chromedriver", &driver.log);
        let base = format!("http://127.0.0.1:{port}");
        let agent = agent();
        let profile = scratch.join("profile");
        std::fs::create_dir_all(&profile).expect("a profile folder");
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "webauthn:virtualAuthenticators": true,
            // The page's console, for `console_errors`; the performance log for the HAR recorder.
            "goog:loggingPrefs": logging,
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        }}});
        let created = webdriver(&agent, "POST", &format!("{base}/session"), Some(&capabilities))
            .unwrap_or_else(|e| {
                panic!(
                    "new WebDriver session: {e}\nchromedriver's log:\n{}",
                    std::fs::read_to_string(&driver.log).unwrap_or_default()
                )
            });
        let id = created["sessionId"].as_str().expect("a session id").to_owned();
        eprintln!(
            "WebDriver session with {} {}",
            created["capabilities"]["browserName"].as_str().unwrap_or("?"),
            created["capabilities"]["browserVersion"].as_str().unwrap_or("?")
        );
        Session { base, id, agent, profile, _driver: driver }
    }

    pub fn call(&self, method: &str, path: &str, body: Option<&Json>) -> Json {
        let url = format!("{}/session/{}{path}", self.base, self.id);
        webdriver(&self.agent, method, &url, body).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn script(&self, script: &str, args: Json) -> Json {
        self.call("POST", "/execute/sync", Some(&json!({"script": script, "args": args})))
    }

    /// The WebDriver id of the first element matching a CSS selector.
    pub fn element(&self, css: &str) -> String {
        let element = self.call("POST", "/element", Some(&json!({"using": "css selector", "value": css})));
        element
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Json::as_str)
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_owned()
    }

    pub fn click(&self, css: &str) {
        let element = self.element(css);
        self.call("POST", &format!("/element/{element}/click"), Some(&json!({})));
    }

    /// An element's rendered text, as WebDriver reads it (what a reader sees).
    pub fn text(&self, css: &str) -> String {
        let element = self.element(css);
        self.call("GET", &format!("/element/{element}/text"), None).as_str().unwrap_or_default().to_owned()
    }

    /// What the page wrote to the console at level SEVERE (errors), through chromedriver's log endpoint.
    pub fn console_errors(&self) -> Vec<String> {
        let log = self.call("POST", "/se/log", Some(&json!({"type": "browser"})));
        log.as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// The DevTools events chromedriver logged since the last call (with `{"performance": "ALL"}`): each the
    /// `message` object of one entry (`{"method": ..., "params": ...}`).
    pub fn performance_log(&self) -> Vec<Json> {
        let log = self.call("POST", "/se/log", Some(&json!({"type": "performance"})));
        log.as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| serde_json::from_str::<Json>(e["message"].as_str()?).ok())
            .map(|m| m["message"].clone())
            .collect()
    }

    /// One Chrome DevTools Protocol command through chromedriver (`Network.getResponseBody`...): its result.
    pub fn cdp(&self, cmd: &str, params: Json) -> Result<Json, String> {
        let url = format!("{}/session/{}/goog/cdp/execute", self.base, self.id);
        webdriver(&self.agent, "POST", &url, Some(&json!({"cmd": cmd, "params": params})))
    }

    pub fn add_authenticator(&self, config: &Json) -> String {
        self.call("POST", "/webauthn/authenticator", Some(config))
            .as_str()
            .expect("an authenticator id")
            .to_owned()
    }

    pub fn remove_authenticator(&self, id: &str) {
        self.call("DELETE", &format!("/webauthn/authenticator/{id}"), None);
    }

    /// The credentials of a virtual authenticator, by credential ID (base64url, as WebDriver gives it).
    pub fn credentials(&self, authenticator: &str) -> HashMap<String, Json> {
        let list = self.call("GET", &format!("/webauthn/authenticator/{authenticator}/credentials"), None);
        list.as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| Some((c["credentialId"].as_str()?.to_owned(), c.clone())))
            .collect()
    }

    /// Fills the page's inputs, clicks `button` (`register` or `signin`) and waits for the page's answer.
    /// Returns `data-status` and the shown text.
    pub fn ceremony(
        &self,
        button: &str,
        username: &str,
        user_verification: &str,
        resident_key: &str,
    ) -> (String, String) {
        let seq = self.script(
            "const [u, uv, rk] = arguments;\
             document.getElementById('username').value = u;\
             document.getElementById('userVerification').value = uv;\
             document.getElementById('residentKey').value = rk;\
             return Number(document.getElementById('result').dataset.seq);",
            json!([username, user_verification, resident_key]),
        );
        let seq = seq.as_u64().expect("data-seq");
        self.click(&format!("#{button}"));
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let state = self.script(
                "const o = document.getElementById('result');\
                 return [Number(o.dataset.seq), o.dataset.status, o.textContent];",
                json!([]),
            );
            if state[0].as_u64() == Some(seq + 1) && state[1] != "pending" {
                return (
                    state[1].as_str().unwrap_or_default().to_owned(),
                    state[2].as_str().unwrap_or_default().to_owned(),
                );
            }
            assert!(Instant::now() < deadline, "no answer on the page within 30 s after clicking #{button}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let url = format!("{}/session/{}", self.base, self.id);
        let _ = webdriver(&self.agent, "DELETE", &url, None);
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
