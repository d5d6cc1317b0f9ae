//! `hechain bench …`: load generators.
//!
//! `bench transfer` signs native transfers from many accounts ahead of the load (so that the
//! measurement is the node's work, not the client's signing), offers them at `--rate` tx/s for
//! `--duration` seconds in batches over the REST API from several connections, follows committed
//! blocks, and reports what was offered, accepted and committed, committed transactions per
//! second over the load window and submit-to-commit latency (see [`crate::bench_load`]).
//! Without `--rpc` it starts its own dev node in this process, with the bench accounts funded at
//! genesis.

use hechain_types::TransferCall;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use hechain_crypto::{AccountKey, Suite};
use hechain_node::{dev, Node, NodeConfig};
use hechain_sdk::{BatchResult, Client};
use hechain_types::{Address, Codec, Payload, Transaction};
use serde_json::json;

use crate::bench_load::{run_load, LoadPlan, MakeTx, SubmitPath};
use crate::cmd_key::resolve_signer;
use crate::Cli;

#[derive(Subcommand, Debug)]
pub enum BenchCmd {
    /// Signed native transfers: committed TPS and submit-to-commit latency.
    Transfer(TransferArgs),
    /// ERC-20 transfers signed as Ethereum transactions, through the JSON-RPC, on the EVM.
    Erc20(crate::bench_erc20::Erc20Args),
    /// Cross-chain transfers between two chains in this process, relayed: packets committed end
    /// to end (sent on A → acknowledged on A) per second, and their latency.
    Xchain(crate::bench_xchain::XchainArgs),
    /// Confidential transfers (hidden amounts): proof verification per second on every core,
    /// and transfers committed per second on a node.
    Confidential(crate::bench_confidential::ConfidentialArgs),
    /// Consensus only: n in-process validators (real HotStuff core, mutual TLS, fsynced safety
    /// state) ordering opaque transactions, no execution.
    Consensus(crate::bench_consensus::ConsensusArgs),
}

#[derive(Args, Debug)]
pub struct TransferArgs {
    /// How long load is offered, in seconds (then the bench waits for accepted transactions to
    /// commit, at most --drain-timeout seconds, reported separately).
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Cap on the offered load in transactions per second: rate × duration transactions are
    /// offered, evenly over the load window (fewer only if signing falls behind).
    #[arg(long, visible_alias = "max-tps", default_value_t = 60_000)]
    pub rate: u64,
    /// Number of sending accounts.
    #[arg(long, default_value_t = 2000)]
    pub accounts: usize,
    /// Most transactions per HTTP request (binary batch form).
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// Concurrent HTTP connections (more, smaller requests keep admission evenly busy).
    #[arg(long, default_value_t = 8)]
    pub connections: usize,
    /// Seconds to wait after the load for accepted transactions to commit.
    #[arg(long, default_value_t = 60)]
    pub drain_timeout: u64,
    /// Own node only: block interval in milliseconds.
    #[arg(long, default_value_t = 200)]
    pub block_time: u64,
    /// Own node only: cryptographic suite.
    #[arg(long, default_value = "standard")]
    pub suite: Suite,
    /// Own node only: without metrics (`api.metrics = false`), to measure what they cost.
    #[arg(long)]
    pub no_metrics: bool,
}

pub async fn run(cli: &Cli, cmd: &BenchCmd) -> anyhow::Result<i32> {
    match cmd {
        BenchCmd::Transfer(a) => transfer(cli, a).await,
        BenchCmd::Erc20(a) => crate::bench_erc20::run(cli, a).await,
        BenchCmd::Consensus(a) => crate::bench_consensus::run(cli, a).await,
        BenchCmd::Xchain(a) => crate::bench_xchain::run(cli, a).await,
        BenchCmd::Confidential(a) => crate::bench_confidential::run(cli, a).await,
    }
}

fn sink_address(i: usize) -> Address {
    let mut a = [0u8; 20];
    a[0] = 0xbe;
    a[12..20].copy_from_slice(&(i as u64).to_be_bytes());
    Address(a)
}

/// Signs account `i`'s native transfer with `nonce` as a binary batch frame.
fn transfer_maker(chain_id: u64, fee: u64, keys: Vec<AccountKey>) -> MakeTx {
    Arc::new(move |i, nonce| {
        let key = &keys[i];
        let tx = Transaction {
            chain_id,
            nonce,
            sender: Address(key.address()),
            fee,
            payload: Payload::Transfer(TransferCall::Transfer { to: sink_address(i), amount: 1 }),
        }
        .sign(key)
        .map_err(|e| e.to_string())?;
        let mut bytes = Vec::with_capacity(200);
        hechain_sdk::frame(&mut bytes, &tx);
        Ok(bytes)
    })
}

/// Starts a dev node in this process (temporary data directory) with `funded` accounts funded
/// at genesis; returns it, its directory and its URL.
pub(crate) async fn start_own_node(
    suite: Suite,
    funded: &[Address],
    block_time_ms: u64,
    metrics: bool,
) -> anyhow::Result<(Node, tempfile::TempDir, String)> {
    let dir = tempfile::Builder::new().prefix("hechain-bench-").tempdir()?;
    dev::prepare_dev_dir(dir.path(), suite, funded)?;
    let mut cfg = NodeConfig::new(dir.path());
    cfg.rpc_addr = "127.0.0.1:0".parse()?;
    cfg.block_time = Duration::from_millis(block_time_ms.max(1));
    cfg.rpc.metrics = metrics;
    let node = Node::start(cfg).await?;
    let url = format!("http://{}", node.rpc_addr);
    eprintln!("started a dev node at {url} (block time {block_time_ms} ms)");
    Ok((node, dir, url))
}

/// A consortium of `validators` nodes in this process: written by `hechain init`'s code into a
/// temporary directory (one organisation per validator up to four, mutual TLS, plaintext keys),
/// on free 127.0.0.1 ports, with the first `bench_accounts` bench accounts funded at genesis.
/// Returns the nodes (validators in order), the directory and the first node's URL.
pub(crate) async fn start_own_consortium(
    suite: Suite,
    (validators, chain_id): (usize, u64),
    bench_accounts: usize,
    block_time_ms: u64,
) -> anyhow::Result<(Vec<Node>, tempfile::TempDir, String)> {
    use hechain_node::consortium::{init_consortium, InitSpec};
    let dir = tempfile::Builder::new().prefix("hechain-bench-net-").tempdir()?;
    let n = u16::try_from(validators).context("too many validators")?;
    let p2p = free_port_range(n, &[])?;
    let rpc = free_port_range(n, &[(p2p, n)])?;
    let mut spec = InitSpec::new(dir.path().join("net"));
    spec.validators = validators;
    spec.orgs = validators.min(4);
    spec.suite = suite;
    spec.chain_id = chain_id;
    spec.p2p_port = p2p;
    spec.rpc_port = rpc;
    spec.bench_accounts = bench_accounts;
    spec.block_time_ms = block_time_ms;
    let report = init_consortium(&spec)?;
    let mut nodes = Vec::with_capacity(report.nodes.len());
    for n in &report.nodes {
        let file = hechain_node::config::NodeFile::read(&n.config)?;
        let cfg = file.to_node_config(&spec.out)?;
        nodes.push(Node::start(cfg).await.with_context(|| format!("starting {}", n.name))?);
    }
    let url = format!("http://{}", nodes.first().context("no nodes")?.rpc_addr);
    eprintln!(
        "started a consortium of {validators} validators at {url} (chain {chain_id}, block time {block_time_ms} ms)"
    );
    Ok((nodes, dir, url))
}

/// `n` consecutive free ports on 127.0.0.1 (each checked by binding it), outside the ranges
/// `avoid` (first port, length) already taken.
fn free_port_range(n: u16, avoid: &[(u16, u16)]) -> anyhow::Result<u16> {
    let clashes = |base: u16| avoid.iter().any(|&(b, len)| base < b.saturating_add(len) && b < base.saturating_add(n));
    for attempt in 0..500u32 {
        let base = 20_000u16
            + ((std::process::id().wrapping_mul(2_654_435_761).wrapping_add(attempt * 7_919)) % 30_000) as u16;
        if !clashes(base) && (0..n).all(|i| std::net::TcpListener::bind(("127.0.0.1", base + i)).is_ok()) {
            return Ok(base);
        }
    }
    bail!("no {n} consecutive free ports on 127.0.0.1")
}

/// Funds bench accounts on an external node from the signer's account.
pub(crate) async fn fund(
    cli: &Cli,
    client: &Client,
    suite: Suite,
    chain_id: u64,
    fee: u64,
    addrs: &[Address],
    each: u128,
) -> anyhow::Result<()> {
    let funder = resolve_signer(cli, suite, chain_id)?;
    let from = Address(funder.address());
    let mut nonce = client.account(&from).await?.pending_nonce;
    let mut last = None;
    for chunk in addrs.chunks(1000) {
        let mut raw = Vec::new();
        for to in chunk {
            let tx = Transaction {
                chain_id,
                nonce,
                sender: from,
                fee,
                payload: Payload::Transfer(TransferCall::Transfer { to: *to, amount: each }),
            }
            .sign(&funder)?;
            nonce += 1;
            last = Some(tx.hash(suite));
            raw.push(format!("0x{}", hex::encode(tx.encode())));
        }
        for r in client.submit_raw_batch(&raw).await? {
            if let BatchResult::Err { error } = r {
                bail!("funding bench accounts failed: {} ({})", error.message, error.code);
            }
        }
    }
    if let Some(h) = last {
        client.wait_receipt(&h, Duration::from_secs(120)).await.context("waiting for the funding transfers")?;
    }
    Ok(())
}

async fn transfer(cli: &Cli, a: &TransferArgs) -> anyhow::Result<i32> {
    if a.accounts == 0 {
        bail!("--accounts must be positive");
    }
    let plan = LoadPlan::new(a.duration, a.rate, a.batch, a.connections, a.drain_timeout)?;
    let accounts = plan.used_accounts(a.accounts);
    // Either an external node (--rpc / HECHAIN_RPC) or our own.
    let mut own: Option<(Node, tempfile::TempDir)> = None;
    let suite_hint = a.suite;
    let keys: Vec<AccountKey> = (0..accounts).map(|i| dev::bench_account_key(suite_hint, i)).collect();
    let url = match &cli.rpc {
        Some(u) => u.clone(),
        None => {
            let addrs: Vec<Address> = keys.iter().map(|k| Address(k.address())).collect();
            let (node, dir, u) = start_own_node(a.suite, &addrs, a.block_time, !a.no_metrics).await?;
            own = Some((node, dir));
            u
        }
    };
    let result = transfer_on(cli, a, &plan, &url, keys, own.is_none()).await;
    if let Some((node, _dir)) = own.take() {
        node.shutdown().await;
    }
    result
}

async fn transfer_on(
    cli: &Cli,
    a: &TransferArgs,
    plan: &LoadPlan,
    url: &str,
    keys: Vec<AccountKey>,
    external: bool,
) -> anyhow::Result<i32> {
    let client = Client::new(url)?;
    let status = client.status().await?;
    let suite = status.suite;
    let keys: Vec<AccountKey> =
        if suite == a.suite { keys } else { (0..keys.len()).map(|i| dev::bench_account_key(suite, i)).collect() };
    let addrs: Vec<Address> = keys.iter().map(|k| Address(k.address())).collect();
    if external {
        let need = u128::from(plan.per_account(keys.len())) * (1 + status.min_fee as u128);
        let bal = client.account(&addrs[0]).await?.balance;
        if bal < need {
            eprintln!("funding {} bench accounts from the signer…", addrs.len());
            fund(cli, &client, suite, status.chain_id, status.min_fee, &addrs, need * 2).await?;
        }
    }
    let mut start_nonces = Vec::with_capacity(addrs.len());
    for ad in &addrs {
        start_nonces.push(client.account(ad).await?.pending_nonce);
    }
    let height = client.status().await?.height;
    let make = transfer_maker(status.chain_id, status.min_fee, keys);
    let path = SubmitPath::NativeBatch(client.clone());
    let report = run_load(&client, &path, plan, start_nonces, make, height).await?;
    report.print(cli, json!({ "accounts": addrs.len(), "suite": suite.to_string(), "workload": "native transfers" }))
}
