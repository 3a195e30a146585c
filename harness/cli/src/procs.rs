//! Child servers: started in their own process group, waited for until they listen, stopped with the group.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// A free loopback port (free when asked; the server that gets it binds it moments later).
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free loopback port")?;
    Ok(listener.local_addr()?.port())
}

/// The last `lines` lines of a log file.
pub fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A started server; dropping it stops its whole process group (SIGTERM, then SIGKILL after 5 s).
pub struct Server {
    child: Child,
    log: std::path::PathBuf,
}

impl Server {
    /// Starts `cmd` with its output in `log`, in a process group of its own.
    pub fn spawn(mut cmd: Command, log: &Path) -> Result<Server> {
        let out = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .process_group(0)
            .spawn()
            .with_context(|| format!("starting {cmd:?}"))?;
        Ok(Server { child, log: log.to_owned() })
    }

    /// Waits until 127.0.0.1:`port` accepts a connection; fails, with the end of the log, if the server exits
    /// first or `timeout` passes.
    pub fn wait_listening(&mut self, port: u16, timeout: Duration) -> Result<()> {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let started = Instant::now();
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "the server exited ({status}) before listening; its log ({}) ends:\n{}",
                    self.log.display(),
                    tail(&self.log, 15)
                );
            }
            if started.elapsed() > timeout {
                bail!(
                    "the server did not listen on port {port} within {} s; its log ({}) ends:\n{}",
                    timeout.as_secs(),
                    self.log.display(),
                    tail(&self.log, 15)
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).stderr(Stdio::null()).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.child.wait();
    }
}
