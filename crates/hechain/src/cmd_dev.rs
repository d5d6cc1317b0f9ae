//! `hechain dev`: a single-node development chain.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use hechain_crypto::{AccountKey, Suite};
use hechain_node::{dev, Node, NodeConfig, GENESIS_FILE};
use hechain_types::{Address, Genesis};
use serde_json::json;

use crate::output::emit;
use crate::Cli;

#[derive(Args, Debug)]
pub struct DevArgs {
    /// Data directory (kept across restarts); a temporary one, deleted on exit, when omitted
    /// (its genesis is then copied to ~/.hechain/dev-genesis/ so that certificates from the
    /// chain can still be verified).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// API listen address.
    #[arg(long, default_value = "127.0.0.1:8545")]
    pub rpc_addr: SocketAddr,
    /// Cryptographic suite: standard or gm (国密 SM2/SM3/SM4).
    #[arg(long, default_value = "standard")]
    pub suite: Suite,
    /// Block interval in milliseconds.
    #[arg(long, default_value_t = 500)]
    pub block_time: u64,
    /// Produce blocks even when there are no transactions.
    #[arg(long)]
    pub empty_blocks: bool,
    /// When idle, an empty block after this many milliseconds without one (0: never). Keeps
    /// clients that wait for a later block (ethers' `tx.wait()`) from stalling.
    #[arg(long, default_value_t = 1000)]
    pub idle_block: u64,
    /// Most transactions per block (at most the genesis `max_block_txs`).
    #[arg(long, default_value_t = 50_000)]
    pub max_block_txs: usize,
}

pub async fn run(cli: &Cli, args: &DevArgs) -> anyhow::Result<i32> {
    let (_tmp, data_dir) = match &args.data_dir {
        Some(d) => (None, d.clone()),
        None => {
            let t =
                tempfile::Builder::new().prefix("hechain-dev-").tempdir().context("creating a temporary data dir")?;
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    };
    // With --key (a hex private key) that account is funded instead of the well-known ones.
    let custom: Option<AccountKey> = match &cli.key {
        Some(k) => Some(
            AccountKey::from_hex(args.suite.account_scheme(), k).context("--key for dev must be a hex private key")?,
        ),
        None => None,
    };
    let extra: Vec<Address> = custom.iter().map(|k| Address(k.address())).collect();
    let genesis = dev::prepare_dev_dir(&data_dir, args.suite, &extra)?;
    let mut cfg = NodeConfig::new(&data_dir);
    cfg.rpc_addr = args.rpc_addr;
    cfg.block_time = Duration::from_millis(args.block_time.max(1));
    cfg.empty_blocks = args.empty_blocks;
    cfg.idle_block = (args.idle_block > 0).then(|| Duration::from_millis(args.idle_block));
    cfg.max_block_txs = args.max_block_txs;
    // Pages of a dApp under development (served from this machine) may call the dev chain.
    cfg.rpc.cors_origins = vec!["http://localhost:*".into(), "http://127.0.0.1:*".into()];
    let node = Node::start(cfg).await?;

    let keys: Vec<AccountKey> = match custom {
        Some(k) => vec![k],
        None => (0..dev::DEV_ACCOUNTS).map(|i| dev::dev_account_key(genesis.suite(), i)).collect(),
    };
    let url = format!("http://{}", node.rpc_addr);
    // A temporary chain's genesis outlives it: certificates from it stay verifiable.
    let genesis_path = match &args.data_dir {
        Some(_) => data_dir.join(GENESIS_FILE),
        None => keep_genesis(&data_dir.join(GENESIS_FILE), &genesis)?,
    };
    let accounts: Vec<_> = keys
        .iter()
        .map(|k| json!({"address": Address(k.address()), "private_key": format!("0x{}", hex::encode(&k.secret_bytes()[..]))}))
        .collect();
    emit(
        cli.json,
        &json!({"rpc_url": url, "console_url": format!("{}/", url.trim_end_matches('/')), "genesis": genesis_path, "genesis_hash": genesis.hash(), "data_dir": data_dir,
                "temporary": args.data_dir.is_none(), "chain_id": genesis.chain_id,
                "suite": genesis.suite().to_string(), "accounts": accounts}),
        || {
            let mut s = format!(
                "hechain dev chain running\n  RPC URL    {url}\n  console    {}/ (open in a browser)\n  chain id   {}\n  suite      {}\n  genesis    {}{}\n  data dir   {}{}\n\nFunded accounts (address private-key) — public test keys, never use them for value:\n",
                url.trim_end_matches('/'),
                genesis.chain_id,
                genesis.suite(),
                genesis_path.display(),
                if args.data_dir.is_none() { " (kept after exit, for verify-cert --genesis)" } else { "" },
                data_dir.display(),
                if args.data_dir.is_none() { " (temporary, deleted on exit)" } else { "" },
            );
            for (i, k) in keys.iter().enumerate() {
                s.push_str(&format!(
                    "  ({i}) {} 0x{}\n",
                    Address(k.address()).to_checksum(),
                    hex::encode(&k.secret_bytes()[..])
                ));
            }
            s.push_str("\nPress Ctrl-C to stop.");
            s
        },
    );
    let failure = wait_for_signal_or_failure(&node).await;
    eprintln!("shutting down…");
    node.shutdown().await;
    if args.data_dir.is_none() {
        eprintln!("deleted the temporary data directory; the genesis stays at {}", genesis_path.display());
    }
    match failure {
        Some(f) => anyhow::bail!("the dev chain stopped: {f}"),
        None => Ok(0),
    }
}

/// Waits for Ctrl-C, SIGTERM, or a failure the node cannot go on from (`Some`, then the caller
/// exits non-zero).
pub async fn wait_for_signal_or_failure(node: &hechain_node::Node) -> Option<String> {
    tokio::select! {
        _ = wait_for_signal() => None,
        f = node.failed() => Some(f),
    }
}

/// Directory where `hechain dev` keeps the genesis of temporary chains:
/// `$HOME/.hechain/dev-genesis`.
pub fn dev_genesis_dir() -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    home.join(".hechain").join("dev-genesis")
}

/// Copies a temporary chain's genesis to [`dev_genesis_dir`]`/genesis-<first 16 hex digits of
/// the genesis hash>.json` (every dev chain has chain id 1337; the hash tells them apart).
fn keep_genesis(src: &Path, genesis: &Genesis) -> anyhow::Result<PathBuf> {
    let dir = dev_genesis_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let hash = hex::encode(genesis.hash().0);
    let dst = dir.join(format!("genesis-{}.json", &hash[..16]));
    std::fs::copy(src, &dst).with_context(|| format!("copying the genesis to {}", dst.display()))?;
    Ok(dst)
}

/// Waits for Ctrl-C or SIGTERM.
pub async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
