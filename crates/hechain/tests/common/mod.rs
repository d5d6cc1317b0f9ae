//! Helpers for end-to-end tests: run the real `hechain` binary as child
//! processes on 127.0.0.1 with OS-chosen ports, and always stop them (by PID,
//! on drop) so no test leaves a node behind.

#![allow(dead_code)]

pub mod net;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_hechain")
}

/// A `hechain dev` process.
pub struct DevNode {
    child: Child,
    pub url: String,
    pub data_dir: PathBuf,
    pub genesis: PathBuf,
}

impl DevNode {
    /// Starts `hechain dev --json --rpc-addr 127.0.0.1:0` on `data_dir` and
    /// reads the URL it prints.
    pub fn start(data_dir: &Path, extra: &[&str]) -> DevNode {
        let mut c = Command::new(bin());
        c.args(["dev", "--json", "--rpc-addr", "127.0.0.1:0", "--data-dir"]).arg(data_dir).args(extra);
        Self::spawn(c)
    }

    /// Starts `hechain dev --json --rpc-addr 127.0.0.1:0` on a temporary data directory, with
    /// `HOME` set to `home` (where it keeps the genesis).
    pub fn start_temporary(home: &Path, extra: &[&str]) -> DevNode {
        let mut c = Command::new(bin());
        c.args(["dev", "--json", "--rpc-addr", "127.0.0.1:0"]).args(extra).env("HOME", home);
        Self::spawn(c)
    }

    /// [`Self::start`] with the node's standard error (its log) written to `log`.
    pub fn start_logged(data_dir: &Path, extra: &[&str], log: &Path) -> DevNode {
        let mut c = Command::new(bin());
        c.args(["dev", "--json", "--rpc-addr", "127.0.0.1:0", "--data-dir"]).arg(data_dir).args(extra);
        c.stderr(std::fs::File::create(log).expect("log file"));
        Self::spawn(c)
    }

    /// Waits up to `within` for the process to exit by itself; its exit status.
    pub fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    fn spawn(mut c: Command) -> DevNode {
        let mut child = c
            .env("HECHAIN_LOG", "warn")
            .env_remove("HECHAIN_RPC")
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn hechain dev");
        let stdout = child.stdout.take().expect("stdout");
        let mut reader = BufReader::new(stdout);
        let mut text = String::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        let info: serde_json::Value = loop {
            let mut line = String::new();
            let n = reader.read_line(&mut line).expect("read stdout");
            if n == 0 || Instant::now() > deadline {
                let _ = child.kill();
                panic!("hechain dev exited or timed out before printing its JSON: {text}");
            }
            text.push_str(&line);
            if let Ok(v) = serde_json::from_str(&text) {
                break v;
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in reader.lines() {});
        DevNode {
            child,
            url: info["rpc_url"].as_str().expect("rpc_url").to_string(),
            data_dir: PathBuf::from(info["data_dir"].as_str().expect("data_dir")),
            genesis: PathBuf::from(info["genesis"].as_str().expect("genesis")),
        }
    }

    /// SIGTERM (a clean shutdown), then waits for the exit (SIGKILL after 30 s).
    #[cfg(unix)]
    pub fn terminate(mut self) {
        // SAFETY: kill(2) on our own child's PID.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, no chance to clean up.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Runs the CLI against this node.
    pub fn cli(&self, args: &[&str]) -> Output {
        cli_env(&self.url, args, &[])
    }
}

impl Drop for DevNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `hechain --rpc URL ARGS` with extra environment variables.
pub fn cli_env(url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(bin());
    c.arg("--rpc").arg(url).args(args).env("HECHAIN_LOG", "warn").env_remove("HECHAIN_KEY");
    for (k, v) in env {
        c.env(k, v);
    }
    c.stdin(Stdio::null()).output().expect("run hechain")
}

/// Parses a successful `--json` command's standard output.
pub fn json_ok(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "command failed ({:?}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// `GET url` (plain `http://host:port/path`) over a fresh connection: the status code and the
/// body, or `None` when the node does not answer.
pub fn http_get(url: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let addr: std::net::SocketAddr = host.parse().ok()?;
    let mut s = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let code = head.split_whitespace().nth(1)?.parse().ok()?;
    // Bodies of this API are small; a chunked one is unwrapped from its single chunk.
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body.split_once("\r\n").map_or("", |(_, b)| b).rsplit_once("\r\n0\r\n").map_or(body, |(b, _)| b).to_string()
    } else {
        body.to_string()
    };
    Some((code, body))
}
