//! Consortium networks: `hechain init`, `hechain start --config`, `hechain net up|down|status`.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use hechain_crypto::Suite;
use hechain_node::bft::Role;
use hechain_node::config::NodeFile;
use hechain_node::consortium::{init_consortium, node_configs, InitSpec};
use hechain_node::Node;
use hechain_types::Address;
use serde_json::{json, Value};

use crate::cmd_dev::wait_for_signal_or_failure;
use crate::output::emit;
use crate::Cli;

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Number of validators.
    #[arg(long, default_value_t = 4)]
    pub nodes: usize,
    /// Number of member organisations (each gets a CA; validators are spread over them).
    #[arg(long)]
    pub orgs: Option<usize>,
    /// Number of observer (non-voting) nodes.
    #[arg(long, default_value_t = 0)]
    pub observers: usize,
    /// Cryptographic suite: standard or gm (国密).
    #[arg(long, default_value = "standard")]
    pub suite: Suite,
    /// Output directory (must be new or empty).
    #[arg(long)]
    pub out: PathBuf,
    /// Chain id.
    #[arg(long, default_value_t = 2024)]
    pub chain_id: u64,
    /// Address the nodes listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// First peer-to-peer port; node i uses PORT+i.
    #[arg(long, default_value_t = 30300)]
    pub p2p_port: u16,
    /// First API port; node i uses PORT+i.
    #[arg(long, default_value_t = 8545)]
    pub rpc_port: u16,
    /// Fund this many deterministic bench accounts (for `hechain bench transfer --rpc`).
    #[arg(long, default_value_t = 0)]
    pub bench_accounts: usize,
    /// Fund this address too (repeatable).
    #[arg(long)]
    pub fund: Vec<Address>,
    /// Shortest time between proposals, ms.
    #[arg(long, default_value_t = 200)]
    pub block_time: u64,
    /// Base consensus round timeout, ms (a chain parameter in the genesis; governance can change it).
    #[arg(long, default_value_t = 2000)]
    pub base_timeout: u64,
    /// Seal every private key (node, TLS and CA keys) with SM4 under the passphrase on this file's
    /// first line, and name the file in each node's configuration. Default: the file named by
    /// HECHAIN_KEY_PASSPHRASE_FILE, or HECHAIN_KEY_PASSPHRASE. Required for --suite gm.
    #[arg(long)]
    pub key_passphrase_file: Option<PathBuf>,
    /// Write the private keys in the clear even for --suite gm (test networks only).
    #[arg(long, conflicts_with = "key_passphrase_file")]
    pub plaintext_keys: bool,
}

#[derive(Subcommand, Debug)]
pub enum NetCmd {
    /// Start every node of an `init` directory as background processes (logs in DIR/logs).
    Up {
        /// The directory written by `hechain init`.
        dir: PathBuf,
    },
    /// Stop the nodes started by `net up` (SIGTERM, then SIGKILL after 15 s).
    Down {
        /// The directory written by `hechain init`.
        dir: PathBuf,
    },
    /// Height, round, leader and peers of every node.
    Status {
        /// The directory written by `hechain init`.
        dir: PathBuf,
    },
    /// Create a further organisation's CA in DIR/orgs/<name> (then propose `gov propose add-org`).
    AddOrg {
        /// The directory written by `hechain init`.
        dir: PathBuf,
        /// Organisation name.
        #[arg(long)]
        name: String,
    },
    /// Issue a node a fresh TLS certificate from its organisation's CA (same node key; node
    /// certificates are valid for 825 days). Restart the node to use it.
    RenewCert {
        /// The directory written by `hechain init`.
        dir: PathBuf,
        /// The node's name.
        name: String,
        /// Its organisation (its CA key must be in DIR/orgs/<org>/ca.key).
        #[arg(long)]
        org: String,
    },
    /// Create a further node of an organisation: key, TLS certificate from the organisation's
    /// CA, data directory and DIR/<name>.toml (then propose `gov propose add-validator` or
    /// `add-observer`, and start it).
    AddNode {
        /// The directory written by `hechain init`.
        dir: PathBuf,
        /// Organisation (its CA key must be in DIR/orgs/<org>/ca.key).
        #[arg(long)]
        org: String,
        /// Node name.
        #[arg(long)]
        name: String,
        /// An observer rather than a validator.
        #[arg(long)]
        observer: bool,
        /// Peer-to-peer port (default: one above the highest in DIR).
        #[arg(long)]
        p2p_port: Option<u16>,
        /// API port (default: one above the highest in DIR).
        #[arg(long)]
        rpc_port: Option<u16>,
    },
}

pub fn init(cli: &Cli, a: &InitArgs) -> anyhow::Result<i32> {
    let mut spec = InitSpec::new(&a.out);
    spec.validators = a.nodes;
    spec.orgs = a.orgs.unwrap_or(a.nodes.min(4));
    spec.observers = a.observers;
    spec.suite = a.suite;
    spec.chain_id = a.chain_id;
    spec.host = a.host;
    spec.p2p_port = a.p2p_port;
    spec.rpc_port = a.rpc_port;
    spec.bench_accounts = a.bench_accounts;
    spec.fund = a.fund.clone();
    spec.block_time_ms = a.block_time;
    spec.base_timeout_ms = a.base_timeout;
    if !a.plaintext_keys {
        spec.key_passphrase = match &a.key_passphrase_file {
            Some(f) => Some(hechain_node::secrets::read_passphrase_file(f)?),
            None => hechain_node::secrets::env_passphrase()?,
        };
        spec.key_passphrase_file = match &a.key_passphrase_file {
            Some(f) => Some(std::path::absolute(f).with_context(|| format!("resolving {}", f.display()))?),
            None => None,
        };
    }
    if a.suite == Suite::Gm && spec.key_passphrase.is_none() && !a.plaintext_keys {
        bail!(
            "a gm (国密) consortium keeps its node, TLS and CA keys sealed with SM4: give the passphrase with \
             --key-passphrase-file FILE (or {} / {}), or pass --plaintext-keys for a test network",
            hechain_node::secrets::PASSPHRASE_FILE_ENV,
            hechain_node::secrets::PASSPHRASE_ENV
        );
    }
    let report = init_consortium(&spec)?;
    let accounts: Vec<Value> = (0..hechain_node::dev::DEV_ACCOUNTS)
        .map(|i| hechain_node::dev::dev_account_key(a.suite, i))
        .map(|k| json!({"address": Address(k.address()), "private_key": format!("0x{}", hex::encode(&k.secret_bytes()[..]))}))
        .collect();
    let nodes: Vec<Value> = report
        .nodes
        .iter()
        .map(|n| json!({"name": n.name, "role": n.role, "config": n.config, "rpc": format!("http://{}", n.rpc_addr), "p2p": n.p2p_addr}))
        .collect();
    emit(
        cli.json,
        &json!({"dir": a.out, "chain_id": report.genesis.chain_id, "suite": report.genesis.suite().to_string(),
                "genesis_hash": report.genesis.hash(), "orgs": spec.orgs, "nodes": nodes, "test_accounts": accounts}),
        || {
            let mut s = format!(
                "consortium written to {}\n  chain id {}  suite {}  {} orgs  genesis {}\n\n",
                a.out.display(),
                report.genesis.chain_id,
                report.genesis.suite(),
                spec.orgs,
                report.genesis.hash()
            );
            for n in &report.nodes {
                s.push_str(&format!("  {:<22} {:<9} rpc http://{}  p2p {}\n", n.name, n.role, n.rpc_addr, n.p2p_addr));
            }
            s.push_str("\nFunded test accounts (public keys, never use them for value):\n");
            for (i, acc) in accounts.iter().enumerate() {
                s.push_str(&format!(
                    "  ({i}) {} {}\n",
                    acc["address"].as_str().unwrap_or(""),
                    acc["private_key"].as_str().unwrap_or("")
                ));
            }
            s.push_str(&format!(
                "Governance committee: test accounts 0 to {} (one per organisation, weight 1; `hechain gov members`).\n",
                spec.orgs.saturating_sub(1)
            ));
            s.push_str(&format!(
                "\nStart all nodes:   hechain net up {0}\nStatus:            hechain net status {0}\nStop:              hechain net down {0}",
                a.out.display()
            ));
            s
        },
    );
    Ok(0)
}

pub async fn start(cli: &Cli, config: &Path) -> anyhow::Result<i32> {
    let file = NodeFile::read(config)?;
    let base = config.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    let cfg = file.to_node_config(&base)?;
    let node = Node::start(cfg).await?;
    emit(
        cli.json,
        &json!({"name": file.name, "role": file.role, "rpc_url": format!("http://{}", node.rpc_addr),
                "p2p_addr": node.p2p_addr, "chain_id": node.genesis.chain_id}),
        || {
            format!(
                "{} ({}) running\n  RPC URL  http://{}\n  p2p      {}\n  chain id {}\nPress Ctrl-C to stop.",
                file.name,
                file.role,
                node.rpc_addr,
                node.p2p_addr.map(|a| a.to_string()).unwrap_or_default(),
                node.genesis.chain_id
            )
        },
    );
    let failure = wait_for_signal_or_failure(&node).await;
    eprintln!("shutting down…");
    node.shutdown().await;
    match failure {
        Some(f) => anyhow::bail!("{} stopped: {f}", file.name),
        None => Ok(0),
    }
}

pub async fn run(cli: &Cli, cmd: &NetCmd) -> anyhow::Result<i32> {
    match cmd {
        NetCmd::Up { dir } => up(cli, dir).await,
        NetCmd::Down { dir } => down(cli, dir).await,
        NetCmd::Status { dir } => status(cli, dir).await,
        NetCmd::AddOrg { dir, name } => {
            let org = hechain_node::consortium::add_org(dir, name)?;
            let ca = dir.join("orgs").join(&org.name).join("ca.crt");
            emit(cli.json, &json!({"org": org.name, "ca_cert": ca}), || {
                format!(
                    "organisation {} created: CA certificate {}\nAdmit it:  hechain gov propose add-org {} --ca-cert {}",
                    org.name,
                    ca.display(),
                    org.name,
                    ca.display()
                )
            });
            Ok(0)
        }
        NetCmd::RenewCert { dir, name, org } => {
            let cert = hechain_node::consortium::renew_cert(dir, org, name)?;
            let days = hechain_network::pki::NODE_CERT_DAYS;
            emit(cli.json, &json!({"name": name, "org": org, "cert": cert, "valid_days": days}), || {
                format!(
                    "{name}: new TLS certificate from {org}'s CA, valid for {days} days: {}
Restart the node to use it.",
                    cert.display()
                )
            });
            Ok(0)
        }
        NetCmd::AddNode { dir, org, name, observer, p2p_port, rpc_port } => {
            let files: Vec<NodeFile> = entries(dir)?.into_iter().map(|e| e.file).collect();
            let host = files.first().map(|f| f.p2p_addr.ip()).unwrap_or(IpAddr::from([127, 0, 0, 1]));
            let next = |port: Option<u16>, used: &dyn Fn(&NodeFile) -> u16| -> anyhow::Result<u16> {
                match port {
                    Some(p) => Ok(p),
                    None => files
                        .iter()
                        .map(used)
                        .max()
                        .and_then(|p| p.checked_add(1))
                        .context("no free port above the directory's; give --p2p-port and --rpc-port"),
                }
            };
            let p2p = std::net::SocketAddr::new(host, next(*p2p_port, &|f| f.p2p_addr.port())?);
            let rpc = std::net::SocketAddr::new(host, next(*rpc_port, &|f| f.rpc_addr.port())?);
            let role = if *observer { Role::Observer } else { Role::Validator };
            let n = hechain_node::consortium::add_node(dir, org, name, role, p2p, rpc)?;
            let id = format!("0x{}", hex::encode(&n.info.public_key));
            let kind = if *observer { "add-observer" } else { "add-validator" };
            emit(
                cli.json,
                &json!({"name": n.node.name, "role": role, "org": org, "id": id, "config": n.node.config,
                        "rpc": format!("http://{}", rpc), "p2p": p2p}),
                || {
                    format!(
                        "node {name} ({role} of {org}) created: {}\n  id  {id}\n  rpc http://{rpc}  p2p {p2p}\n\
                         Admit it:  hechain gov propose {kind} {name} --id {id} --org {org}\n\
                         Start it:  hechain start --config {}",
                        n.node.config.display(),
                        n.node.config.display()
                    )
                },
            );
            Ok(0)
        }
    }
}

struct NodeEntry {
    config: PathBuf,
    file: NodeFile,
    pid_file: PathBuf,
    log_file: PathBuf,
}

fn entries(dir: &Path) -> anyhow::Result<Vec<NodeEntry>> {
    let configs = node_configs(dir)?;
    if configs.is_empty() {
        bail!("{} holds no node configuration (*.toml); create one with `hechain init --out {0}`", dir.display());
    }
    configs
        .into_iter()
        .map(|config| {
            let file = NodeFile::read(&config)?;
            Ok(NodeEntry {
                pid_file: dir.join("run").join(format!("{}.pid", file.name)),
                log_file: dir.join("logs").join(format!("{}.log", file.name)),
                config,
                file,
            })
        })
        .collect()
}

/// The PID recorded for a node, if that process still runs this node.
fn running_pid(e: &NodeEntry) -> Option<i32> {
    let pid: i32 = std::fs::read_to_string(&e.pid_file).ok()?.trim().parse().ok()?;
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let cmdline = String::from_utf8_lossy(&cmdline);
    let name = e.config.file_name()?.to_string_lossy().to_string();
    cmdline.contains(&name).then_some(pid)
}

fn signal(pid: i32, sig: i32) -> bool {
    // SAFETY: kill(2) with a PID read from our own pid file; it has no memory effects.
    unsafe { libc::kill(pid, sig) == 0 }
}

async fn up(cli: &Cli, dir: &Path) -> anyhow::Result<i32> {
    let exe = std::env::current_exe().context("locating the hechain binary")?;
    std::fs::create_dir_all(dir.join("run")).context("creating run/")?;
    std::fs::create_dir_all(dir.join("logs")).context("creating logs/")?;
    let mut started = Vec::new();
    for e in entries(dir)? {
        if let Some(pid) = running_pid(&e) {
            eprintln!("{} already running (pid {pid})", e.file.name);
            continue;
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&e.log_file)
            .with_context(|| format!("opening {}", e.log_file.display()))?;
        let mut cmd = std::process::Command::new(&exe);
        cmd.arg("start").arg("--config").arg(&e.config);
        cmd.stdin(std::process::Stdio::null()).stdout(log.try_clone()?).stderr(log);
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0); // not killed by the terminal's Ctrl-C
        }
        let child = cmd.spawn().with_context(|| format!("starting {}", e.file.name))?;
        std::fs::write(&e.pid_file, child.id().to_string())
            .with_context(|| format!("writing {}", e.pid_file.display()))?;
        started.push((e.file.name.clone(), child.id(), e.file.rpc_addr));
    }
    // Wait for the APIs to answer.
    let deadline = Instant::now() + Duration::from_secs(30);
    for (name, _, addr) in &started {
        let client = hechain_sdk::Client::new(&format!("http://{addr}"))?;
        loop {
            if client.status().await.is_ok() {
                break;
            }
            if Instant::now() > deadline {
                bail!("{name} did not answer on http://{addr} within 30 s; see {}/logs/{name}.log", dir.display());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let not_ready = wait_ready(dir).await?;
    let v: Vec<Value> =
        started.iter().map(|(n, pid, a)| json!({"name": n, "pid": pid, "rpc": format!("http://{a}")})).collect();
    let nr: Vec<Value> = not_ready.iter().map(|(n, why)| json!({"name": n, "reason": why})).collect();
    emit(cli.json, &json!({"started": v, "ready": not_ready.is_empty(), "not_ready": nr}), || {
        let mut s = String::new();
        for (n, pid, a) in &started {
            s.push_str(&format!("started {n:<22} pid {pid:<8} http://{a}\n"));
        }
        if not_ready.is_empty() {
            s.push_str("all nodes connected and storing blocks\n");
        } else {
            s.push_str(&format!("not ready after {} s:\n", READY_TIMEOUT.as_secs()));
            for (n, why) in &not_ready {
                s.push_str(&format!("  {n:<22} {why}\n"));
            }
        }
        s.push_str(&format!("logs in {}/logs", dir.display()));
        s
    });
    Ok(if not_ready.is_empty() { 0 } else { 1 })
}

/// How long `net up` waits for the network to be ready.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// Waits until every node of the network is connected to all its peers and has stored a block
/// after this call began (so consensus runs and a command sent next commits); returns the nodes
/// that are not ready by [`READY_TIMEOUT`], each with the reason it gives.
async fn wait_ready(dir: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let entries = entries(dir)?;
    let mut clients = Vec::new();
    for e in &entries {
        clients.push((e.file.name.clone(), hechain_sdk::Client::new(&format!("http://{}", e.file.rpc_addr))?));
    }
    let mut first_height: std::collections::HashMap<String, u64> = Default::default();
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        let mut not_ready = Vec::new();
        for (name, client) in &clients {
            let why = match tokio::time::timeout(Duration::from_secs(3), client.status()).await {
                Ok(Ok(s)) => {
                    let c = s.consensus.unwrap_or(Value::Null);
                    let peers = c["peers"].as_array().map(|p| p.len()).unwrap_or(0);
                    let connected = c["connected_peers"].as_u64().unwrap_or(0) as usize;
                    let base = *first_height.entry(name.clone()).or_insert(s.height);
                    if connected < peers {
                        Some(format!("connected to {connected} of {peers} peers"))
                    } else if s.height <= base {
                        Some(match c["stalled"].as_str() {
                            Some(reason) => reason.to_string(),
                            None => format!("no new block yet (height {})", s.height),
                        })
                    } else {
                        None
                    }
                }
                Ok(Err(e)) => Some(format!("API error: {e}")),
                Err(_) => Some("API does not answer".to_string()),
            };
            if let Some(why) = why {
                not_ready.push((name.clone(), why));
            }
        }
        if not_ready.is_empty() || Instant::now() > deadline {
            return Ok(not_ready);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn down(cli: &Cli, dir: &Path) -> anyhow::Result<i32> {
    let mut stopped = Vec::new();
    for e in entries(dir)? {
        let Some(pid) = running_pid(&e) else {
            let _ = std::fs::remove_file(&e.pid_file);
            continue;
        };
        signal(pid, libc::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(15);
        while signal(pid, 0) && running_pid(&e).is_some() {
            if Instant::now() > deadline {
                signal(pid, libc::SIGKILL);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = std::fs::remove_file(&e.pid_file);
        stopped.push(json!({"name": e.file.name, "pid": pid}));
    }
    emit(cli.json, &json!({"stopped": stopped}), || {
        if stopped.is_empty() {
            "no node was running".to_string()
        } else {
            stopped.iter().map(|v| format!("stopped {} (pid {})", v["name"], v["pid"])).collect::<Vec<_>>().join("\n")
        }
    });
    Ok(0)
}

async fn status(cli: &Cli, dir: &Path) -> anyhow::Result<i32> {
    let mut rows = Vec::new();
    for e in entries(dir)? {
        let client = hechain_sdk::Client::new(&format!("http://{}", e.file.rpc_addr))?;
        let st = tokio::time::timeout(Duration::from_secs(3), client.status()).await;
        let row = match st {
            Ok(Ok(s)) => {
                let c = s.consensus.unwrap_or(Value::Null);
                let peers = c["peers"].as_array().map(|p| p.len()).unwrap_or(0);
                json!({"name": e.file.name, "role": e.file.role, "up": true, "height": s.height,
                       "round": c["round"], "leader": c["leader"], "connected_peers": c["connected_peers"],
                       "peers": peers, "pending_txs": s.pending_txs, "head_hash": s.head_hash,
                       "stalled": c["stalled"]})
            }
            _ => json!({"name": e.file.name, "role": e.file.role, "up": false}),
        };
        rows.push(row);
    }
    emit(cli.json, &json!({"nodes": rows}), || {
        let mut s =
            format!("{:<22} {:<9} {:>8} {:>8} {:<22} {:>6}\n", "NODE", "ROLE", "HEIGHT", "ROUND", "LEADER", "PEERS");
        for r in &rows {
            if r["up"] == json!(true) {
                s.push_str(&format!(
                    "{:<22} {:<9} {:>8} {:>8} {:<22} {:>6}\n",
                    r["name"].as_str().unwrap_or(""),
                    r["role"].as_str().unwrap_or(""),
                    r["height"].to_string(),
                    r["round"].to_string(),
                    r["leader"].as_str().unwrap_or("-"),
                    format!("{}/{}", r["connected_peers"], r["peers"]),
                ));
            } else {
                s.push_str(&format!(
                    "{:<22} {:<9} down\n",
                    r["name"].as_str().unwrap_or(""),
                    r["role"].as_str().unwrap_or("")
                ));
            }
        }
        for r in &rows {
            if let Some(reason) = r["stalled"].as_str() {
                s.push_str(&format!("{} is not making progress: {reason}\n", r["name"].as_str().unwrap_or("")));
            }
        }
        s.trim_end().to_string()
    });
    Ok(0)
}
