//! A hechain node: opens the data directory, starts consensus and the API,
//! and shuts them down cleanly.
//!
//! Data directory layout:
//!
//! | file           | content                                              |
//! |----------------|------------------------------------------------------|
//! | `genesis.json` | the chain's genesis (share it with verifiers)        |
//! | `node.key`     | this node's signing key (JSON, mode 0600; refused if looser) |
//! | `chain.redb`   | blocks, transactions, receipts, state ([`hechain_storage`]) |

pub mod bft;
pub mod config;
pub mod consortium;
pub mod dev;
pub mod fatal;
pub mod produce;
pub mod secrets;
pub mod solo;
pub mod work;

use hechain_types::GenesisExt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use crate::fatal::Fatal;
use crate::solo::{Solo, SoloConfig};
use hechain_crypto::{NodeKey, Suite};
use hechain_mempool::{Mempool, MempoolConfig};
use hechain_rpc::{RpcConfig, RpcContext};
use hechain_storage::Store;
use hechain_types::{CommittedBlock, Genesis};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

// `eth_syncing` calls a node syncing at once from the gap at which the BFT driver starts block sync.
const _: () = assert!(bft::SYNC_LAG == hechain_rpc::eth::CATCH_UP_LAG);

/// File names inside a data directory.
pub const GENESIS_FILE: &str = "genesis.json";
/// Node key file.
pub const NODE_KEY_FILE: &str = "node.key";
/// Database file.
pub const DB_FILE: &str = "chain.redb";

/// Errors of node start-up and file handling.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// File I/O failed.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// A file has the wrong content.
    #[error("{path}: {reason}")]
    BadFile {
        /// File.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] hechain_storage::StorageError),
    /// Consensus could not start.
    #[error(transparent)]
    Consensus(#[from] crate::produce::ProduceError),
    /// The configuration is unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// The peer-to-peer network could not start.
    #[error("network: {0}")]
    Network(String),
    /// A file holding a secret key can be read (or written) by other users.
    #[error(
        "{path}: this private key file has mode {mode:04o}, readable by group or others; refusing to use it \
         (run `chmod 600 {path}`)",
        path = .path.display()
    )]
    InsecureKeyFile {
        /// File.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The API could not bind.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Address.
        addr: SocketAddr,
        /// Cause.
        source: std::io::Error,
    },
}

pub(crate) fn io_err(path: &Path) -> impl Fn(std::io::Error) -> NodeError + '_ {
    move |source| NodeError::Io { path: path.to_path_buf(), source }
}

/// Node settings.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// Data directory (must contain `genesis.json` and `node.key`).
    pub data_dir: PathBuf,
    /// API listen address (REST, event stream).
    pub rpc_addr: SocketAddr,
    /// Block interval.
    pub block_time: Duration,
    /// Produce empty blocks when idle.
    pub empty_blocks: bool,
    /// Solo: an empty block after this long without one (see `SoloConfig::idle_block`).
    pub idle_block: Option<Duration>,
    /// Most transactions per block.
    pub max_block_txs: usize,
    /// Pool limits.
    pub mempool: MempoolConfig,
    /// API limits.
    pub rpc: RpcConfig,
    /// Consortium network settings; `None` runs `solo` (a one-validator genesis).
    pub network: Option<bft::BftSettings>,
    /// Passphrase of sealed key files (`None`: the environment's, see [`secrets`]).
    pub key_passphrase: Option<secrets::Passphrase>,
}

impl NodeConfig {
    /// Defaults for a data directory: API on 127.0.0.1:8545, 500 ms blocks.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            rpc_addr: SocketAddr::from(([127, 0, 0, 1], 8545)),
            block_time: Duration::from_millis(500),
            empty_blocks: false,
            idle_block: None,
            max_block_txs: 50_000,
            mempool: MempoolConfig::default(),
            rpc: RpcConfig::default(),
            network: None,
            key_passphrase: None,
        }
    }
}

/// The node key file format.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeKeyFile {
    suite: Suite,
    secret: String,
}

/// Writes a node key file (mode 0600 on Unix), in plain text.
pub fn write_node_key(path: &Path, key: &NodeKey) -> Result<(), NodeError> {
    write_node_key_with(path, key, None)
}

/// Writes a node key file (mode 0600 on Unix), sealed with SM4 under `passphrase` if one is
/// given ([`secrets`]).
pub fn write_node_key_with(path: &Path, key: &NodeKey, passphrase: Option<&str>) -> Result<(), NodeError> {
    let body = NodeKeyFile { suite: key.suite(), secret: hechain_crypto::hexser::encode(&key.secret_bytes()[..]) };
    let json = zeroize::Zeroizing::new(
        serde_json::to_string_pretty(&body)
            .map_err(|e| NodeError::BadFile { path: path.to_path_buf(), reason: e.to_string() })?,
    );
    secrets::write_secret(path, &json, passphrase)
}

/// Writes `data` to `path` (created with mode 0600 on Unix; an existing file with looser
/// permissions is restricted to 0600 before the data is written) and fsyncs it.
pub(crate) fn write_private(path: &Path, data: &[u8]) -> Result<(), NodeError> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(io_err(path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = f.metadata().map_err(io_err(path))?.permissions().mode();
        if mode & 0o077 != 0 {
            f.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(io_err(path))?;
        }
    }
    f.write_all(data).map_err(io_err(path))?;
    f.sync_all().map_err(io_err(path))
}

/// Refuses a private key file that group or others may read or write (on Unix; like ssh does
/// for its keys): [`NodeError::InsecureKeyFile`] names the file and the `chmod 600` fix.
pub fn check_private_file(path: &Path) -> Result<(), NodeError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_err(io_err(path))?.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(NodeError::InsecureKeyFile { path: path.to_path_buf(), mode });
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Reads a private key file (PEM or JSON) after [`check_private_file`].
pub fn read_private(path: &Path) -> Result<String, NodeError> {
    check_private_file(path)?;
    std::fs::read_to_string(path).map_err(io_err(path))
}

/// Reads a node key file (refused if group or others may read it, see [`check_private_file`]);
/// a sealed one with the passphrase of the environment ([`secrets::env_passphrase`]).
pub fn read_node_key(path: &Path) -> Result<NodeKey, NodeError> {
    let pass = secrets::env_passphrase()?;
    read_node_key_with(path, pass.as_ref().map(|p| p.as_str()))
}

/// [`read_node_key`] with the passphrase of a sealed key given.
pub fn read_node_key_with(path: &Path, passphrase: Option<&str>) -> Result<NodeKey, NodeError> {
    let text = secrets::read_secret(path, passphrase)?;
    let bad = |reason: String| NodeError::BadFile { path: path.to_path_buf(), reason };
    let f: NodeKeyFile = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let secret = hechain_crypto::hexser::decode(&f.secret).map_err(|e| bad(e.to_string()))?;
    NodeKey::from_bytes(f.suite, &secret).map_err(|e| bad(e.to_string()))
}

/// Reads and validates a genesis file.
pub fn read_genesis(path: &Path) -> Result<Genesis, NodeError> {
    let text = std::fs::read_to_string(path).map_err(io_err(path))?;
    Genesis::from_json(&text).map_err(|e| NodeError::BadFile { path: path.to_path_buf(), reason: e.to_string() })
}

/// Writes a genesis file.
pub fn write_genesis(path: &Path, genesis: &Genesis) -> Result<(), NodeError> {
    std::fs::write(path, genesis.to_json()).map_err(io_err(path))
}

/// Opens (creating on first use) the database of a data directory.
pub fn open_store(data_dir: &Path, genesis: &Genesis) -> Result<Store, NodeError> {
    Ok(Store::open(&data_dir.join(DB_FILE), genesis, |s| {
        let reader = s.reader()?;
        hechain_execution::genesis_commit(genesis, &reader).map_err(|e| match e {
            hechain_execution::ExecError::Storage(s) => s,
            other => hechain_storage::StorageError::Db(other.to_string()),
        })
    })?)
}

/// A running node.
pub struct Node {
    /// Address the API listens on.
    pub rpc_addr: SocketAddr,
    /// Address the peer-to-peer transport listens on (networked nodes).
    pub p2p_addr: Option<SocketAddr>,
    /// The database.
    pub store: Arc<Store>,
    /// The genesis.
    pub genesis: Arc<Genesis>,
    /// The pool.
    pub mempool: Arc<Mempool>,
    /// Committed-block announcements.
    pub blocks: broadcast::Sender<Arc<CommittedBlock>>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    fatal: Fatal,
}

impl Node {
    /// Opens the data directory and starts consensus and the API.
    pub async fn start(config: NodeConfig) -> Result<Node, NodeError> {
        // A broken API configuration (TLS files, token hashes) stops the start, not the API later.
        hechain_rpc::check_config(&config.rpc).map_err(NodeError::Config)?;
        let genesis = Arc::new(read_genesis(&config.data_dir.join(GENESIS_FILE))?);
        let pass = match &config.key_passphrase {
            Some(p) => Some(p.clone()),
            None => secrets::env_passphrase()?,
        };
        let key = read_node_key_with(&config.data_dir.join(NODE_KEY_FILE), pass.as_ref().map(|p| p.as_str()))?;
        if key.suite() != genesis.suite() {
            return Err(NodeError::BadFile {
                path: config.data_dir.join(NODE_KEY_FILE),
                reason: format!("key is for suite {}, the chain uses {}", key.suite(), genesis.suite()),
            });
        }
        let store = {
            let dir = config.data_dir.clone();
            let g = genesis.clone();
            tokio::task::spawn_blocking(move || open_store(&dir, &g))
                .await
                .map_err(|e| NodeError::BadFile { path: config.data_dir.join(DB_FILE), reason: e.to_string() })??
        };
        let store = Arc::new(store);
        // The chain parameters in force at the stored head (governance may have changed them
        // since genesis); the pool follows later changes at each commit.
        let params = store.reader().map_err(NodeError::from).and_then(|r| {
            hechain_execution::governance::params(&r).map_err(|e| {
                NodeError::Consensus(crate::produce::ProduceError::from(hechain_execution::ExecError::from(e)))
            })
        })?;
        let mempool = Arc::new(Mempool::new(genesis.suite(), genesis.chain_id, params, config.mempool.clone()));
        let (blocks, _) = broadcast::channel(1024);
        let (shutdown, shutdown_rx) = watch::channel(false);
        let fatal = Fatal::default();

        let mut tasks = Vec::new();
        // After a failure the node cannot go on from, no transaction is acknowledged any more.
        tasks.push(tokio::spawn({
            let (fatal, mempool, mut stop) = (fatal.clone(), mempool.clone(), shutdown_rx.clone());
            async move {
                tokio::select! {
                    failure = fatal.wait() => mempool.close(failure),
                    _ = stop.wait_for(|v| *v) => {}
                }
            }
        }));
        let mut gossip = None;
        let mut consensus_status = None;
        let mut p2p_addr = None;
        match config.network.clone() {
            None => {
                let solo = Arc::new(Solo::new(
                    store.clone(),
                    mempool.clone(),
                    genesis.clone(),
                    key,
                    SoloConfig {
                        block_time: config.block_time,
                        empty_blocks: config.empty_blocks,
                        idle_block: config.idle_block,
                        max_block_txs: config.max_block_txs,
                    },
                    blocks.clone(),
                )?);
                tasks.push(tokio::spawn(solo.run(shutdown_rx.clone(), fatal.clone())));
            }
            Some(settings) => {
                let h = bft::start(
                    settings,
                    &config.data_dir,
                    store.clone(),
                    mempool.clone(),
                    genesis.clone(),
                    key,
                    blocks.clone(),
                    shutdown_rx.clone(),
                    fatal.clone(),
                )
                .await?;
                p2p_addr = Some(h.p2p_addr);
                gossip = Some(h.gossip);
                consensus_status = Some(h.status);
                tasks.extend(h.tasks);
            }
        }

        let listener = tokio::net::TcpListener::bind(config.rpc_addr)
            .await
            .map_err(|source| NodeError::Bind { addr: config.rpc_addr, source })?;
        let rpc_addr = listener.local_addr().map_err(|source| NodeError::Bind { addr: config.rpc_addr, source })?;
        let ctx = Arc::new(RpcContext {
            store: store.clone(),
            mempool: mempool.clone(),
            genesis: genesis.clone(),
            blocks: blocks.clone(),
            config: config.rpc.clone(),
            gossip,
            consensus_status,
        });
        let mut rpc_shutdown = shutdown_rx.clone();
        tasks.push(tokio::spawn(async move {
            let stop = async move {
                let _ = rpc_shutdown.wait_for(|v| *v).await;
            };
            if let Err(e) = hechain_rpc::serve(listener, ctx, stop).await {
                tracing::error!(error = %e, "API server stopped");
            }
        }));
        tracing::info!(%rpc_addr, chain_id = genesis.chain_id, suite = %genesis.suite(), "node started");
        Ok(Node { rpc_addr, p2p_addr, store, genesis, mempool, blocks, shutdown, tasks, fatal })
    }

    /// Waits until the node meets a failure it cannot go on from (its database refused a write:
    /// disk full, an I/O error) and returns what happened and what to do. The node then already
    /// refuses new transactions; its owner should [`Self::shutdown`] it and exit non-zero (see
    /// [`fatal`]).
    pub async fn failed(&self) -> String {
        self.fatal.wait().await
    }

    /// Stops consensus and the API and waits for them (an in-flight block
    /// commit completes first).
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}
