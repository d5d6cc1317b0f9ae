//! A local consortium of real `hechain start` processes for end-to-end tests: written by
//! `hechain init` into a temporary directory, on free 127.0.0.1 ports, every process killed by
//! PID when the [`Net`] is dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{bin, cli_env, json_ok};

/// A free range of `n` consecutive ports on 127.0.0.1 (checked by binding each).
pub fn free_port_range(n: u16) -> u16 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let salt = CALLS.fetch_add(1, Ordering::Relaxed) * 104_729;
    for attempt in 0..200u64 {
        let seed = (std::process::id() as u64).wrapping_mul(2654435761).wrapping_add(attempt * 7919 + salt);
        let base = 20_000 + (seed % 30_000) as u16;
        let ok = (0..n).all(|i| TcpListener::bind(("127.0.0.1", base + i)).is_ok());
        if ok {
            return base;
        }
    }
    panic!("no free port range");
}

pub struct Net {
    pub dir: tempfile::TempDir,
    pub names: Vec<String>,
    pub urls: Vec<String>,
    children: Vec<Option<Child>>,
    pub init: Value,
}

impl Net {
    /// `hechain init` with `validators` + `observers` nodes, then start them all.
    pub fn start(validators: usize, observers: usize, extra_init: &[&str]) -> Net {
        let dir = tempfile::tempdir().expect("tempdir");
        let total = (validators + observers) as u16;
        let p2p = free_port_range(total);
        let mut rpc = free_port_range(total);
        while rpc < p2p + total && p2p < rpc + total {
            rpc = free_port_range(total);
        }
        let out = dir.path().join("net");
        let mut args: Vec<String> = vec![
            "--json".into(),
            "init".into(),
            "--nodes".into(),
            validators.to_string(),
            "--observers".into(),
            observers.to_string(),
            "--out".into(),
            out.display().to_string(),
            "--p2p-port".into(),
            p2p.to_string(),
            "--rpc-port".into(),
            rpc.to_string(),
            "--block-time".into(),
            "100".into(),
            "--base-timeout".into(),
            "1000".into(),
        ];
        args.extend(extra_init.iter().map(|s| s.to_string()));
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let init = json_ok(&cli_env("http://127.0.0.1:9", &a, &[]));
        let nodes = init["nodes"].as_array().expect("nodes").clone();
        std::fs::create_dir_all(out.join("logs")).expect("logs dir");
        let mut net = Net {
            dir,
            names: nodes.iter().map(|n| n["name"].as_str().expect("name").to_string()).collect(),
            urls: nodes.iter().map(|n| n["rpc"].as_str().expect("rpc").to_string()).collect(),
            children: (0..nodes.len()).map(|_| None).collect(),
            init,
        };
        for i in 0..nodes.len() {
            net.start_node(i);
        }
        for i in 0..nodes.len() {
            net.wait_api(i);
        }
        net
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("net")
    }

    pub fn genesis(&self) -> PathBuf {
        self.out().join("genesis.json")
    }

    pub fn log(&self, i: usize) -> String {
        std::fs::read_to_string(self.out().join("logs").join(format!("{}.log", self.names[i]))).unwrap_or_default()
    }

    pub fn start_node(&mut self, i: usize) {
        assert!(self.children[i].is_none(), "node {i} is running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.out().join("logs").join(format!("{}.log", self.names[i])))
            .expect("log file");
        let child = Command::new(bin())
            .arg("start")
            .arg("--config")
            .arg(self.out().join(format!("{}.toml", self.names[i])))
            .env("HECHAIN_LOG", std::env::var("HECHAIN_TEST_LOG").unwrap_or_else(|_| "info".into()))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("spawn hechain start");
        self.children[i] = Some(child);
    }

    pub fn wait_api(&self, i: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.status(i).is_none() {
            assert!(Instant::now() < deadline, "node {} API did not come up:\n{}", self.names[i], self.log(i));
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn pid(&self, i: usize) -> Option<u32> {
        self.children[i].as_ref().map(|c| c.id())
    }

    /// SIGKILL node `i`.
    pub fn kill9(&mut self, i: usize) {
        if let Some(mut c) = self.children[i].take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Stops node `i` cleanly (SIGTERM, as `hechain net down` does) and waits for it to exit;
    /// SIGKILL after 15 s.
    pub fn stop(&mut self, i: usize) {
        let Some(mut c) = self.children[i].take() else { return };
        // SAFETY: kill(2) on our own child's PID.
        unsafe {
            libc::kill(c.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(15);
        while matches!(c.try_wait(), Ok(None)) {
            if Instant::now() > deadline {
                let _ = c.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = c.wait();
    }

    pub fn signal(&self, i: usize, sig: i32) {
        let pid = self.pid(i).expect("running") as i32;
        // SAFETY: kill(2) on our own child's PID.
        assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
    }

    pub fn cli(&self, i: usize, args: &[&str]) -> std::process::Output {
        cli_env(&self.urls[i], args, &[])
    }

    /// `GET /status` of node `i`, `None` if it does not answer.
    pub fn status(&self, i: usize) -> Option<Value> {
        let out = self.cli(i, &["--json", "status"]);
        if !out.status.success() {
            return None;
        }
        serde_json::from_slice(&out.stdout).ok()
    }

    pub fn height(&self, i: usize) -> u64 {
        self.status(i).and_then(|s| s["height"].as_u64()).unwrap_or(0)
    }

    /// The consensus section of node `i`'s status (null when it does not answer).
    pub fn consensus(&self, i: usize) -> Value {
        self.status(i).map(|v| v["consensus"].clone()).unwrap_or(Value::Null)
    }

    /// Waits until every listed node reaches `height`.
    pub fn wait_height(&self, nodes: &[usize], height: u64, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let hs: Vec<u64> = nodes.iter().map(|&i| self.height(i)).collect();
            if hs.iter().all(|h| *h >= height) {
                return;
            }
            if Instant::now() > deadline {
                let logs: String = nodes.iter().map(|&i| tail(&self.log(i), 15)).collect::<Vec<_>>().join("\n----\n");
                panic!("nodes {nodes:?} did not reach height {height} within {within:?} (heights {hs:?})\n{logs}");
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Hash of the block at `height` on node `i`.
    pub fn block_hash(&self, i: usize, height: u64) -> Option<String> {
        let out = self.cli(i, &["--json", "block", &height.to_string()]);
        if !out.status.success() {
            return None;
        }
        let v: Value = serde_json::from_slice(&out.stdout).ok()?;
        v["hash"].as_str().map(str::to_string)
    }

    /// Number of validator signatures in the stored seal of block `height` on node `i`.
    pub fn seal_len(&self, i: usize, height: u64) -> usize {
        let out = self.cli(i, &["--json", "block", &height.to_string()]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        v["seal"]["signatures"].as_array().map(|a| a.len()).unwrap_or(0)
    }

    /// Asserts every listed node has the same block at every height up to `upto`.
    pub fn assert_same_chain(&self, nodes: &[usize], upto: u64) {
        for h in 1..=upto {
            let hashes: Vec<Option<String>> = nodes.iter().map(|&i| self.block_hash(i, h)).collect();
            assert!(hashes[0].is_some(), "height {h} missing on node {}", nodes[0]);
            assert!(hashes.iter().all(|x| *x == hashes[0]), "fork at height {h}: {hashes:?}");
        }
    }

    /// `hechain net add-node` in the network's directory (free ports), registered here but not
    /// started; returns its index and the command's JSON output (with the node `id`).
    pub fn add_node(&mut self, org: &str, name: &str, observer: bool) -> (usize, Value) {
        let ports = free_port_range(2);
        let out = self.out().display().to_string();
        let (p2p, rpc) = (ports.to_string(), (ports + 1).to_string());
        let mut args = vec![
            "--json",
            "net",
            "add-node",
            &out,
            "--org",
            org,
            "--name",
            name,
            "--p2p-port",
            &p2p,
            "--rpc-port",
            &rpc,
        ];
        if observer {
            args.push("--observer");
        }
        let v = json_ok(&cli_env("http://127.0.0.1:9", &args, &[]));
        self.names.push(name.to_string());
        self.urls.push(v["rpc"].as_str().expect("rpc").to_string());
        self.children.push(None);
        (self.names.len() - 1, v)
    }

    /// Well-known funded test account `i` (printed by `init`).
    pub fn test_key(&self, i: usize) -> String {
        self.init["test_accounts"][i]["private_key"].as_str().expect("test account").to_string()
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // Keep the node logs of a failed test for diagnosis.
            let keep = std::env::temp_dir().join(format!("hechain-failed-net-{}", std::process::id()));
            let _ = std::fs::create_dir_all(&keep);
            for n in &self.names {
                let _ = std::fs::copy(self.out().join("logs").join(format!("{n}.log")), keep.join(format!("{n}.log")));
            }
            eprintln!("node logs kept in {}", keep.display());
        }
        for c in self.children.iter_mut() {
            if let Some(mut c) = c.take() {
                // A stopped (SIGSTOP) process must be continued to die cleanly.
                // SAFETY: kill(2) on our own child's PID.
                unsafe {
                    libc::kill(c.id() as i32, libc::SIGCONT);
                }
                let _ = c.kill();
                let _ = c.wait();
            }
        }
    }
}

pub fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

pub fn write_file(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).expect("write file");
    p
}
