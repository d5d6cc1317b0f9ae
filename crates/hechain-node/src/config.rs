//! The node configuration file (`hechain start --config node0.toml`).
//!
//! ```toml
//! name = "org1-node0"
//! role = "validator"                 # or "observer"
//! data_dir = "node0"                 # genesis.json, node.key, chain.redb; relative to this file
//! rpc_addr = "127.0.0.1:8545"
//! p2p_addr = "127.0.0.1:30300"
//! tls_cert = "node0/tls/node.crt"    # issued by the node's organisation CA
//! tls_key = "node0/tls/node.key"    # mode 0600: refused if group or others may read it
//! block_time_ms = 200                # shortest time between proposals
//! idle_block_ms = 1000               # empty block interval when idle
//! max_block_txs = 50000
//!
//! [[peers]]
//! name = "org2-node1"
//! id = "0x…"                         # the peer's node public key
//! addr = "127.0.0.1:30301"
//!
//! # Optional: limits of the API and the transaction pool (defaults in docs/api.md).
//! [api.server]
//! max_connections_per_ip = 128
//! [api.eth]
//! call_timeout_ms = 5000
//! [api.tls]                          # TLS on the API port (mutual with client_cas)
//! cert = "node0/api/api.crt"
//! key = "node0/api/api.key"
//! client_cas = ["org1-ca.crt"]
//! [pool]
//! max_queued_per_sender = 64
//! ```
//!
//! Relative paths are resolved against the directory of the configuration file. The consensus
//! round timeout is a chain parameter (`consensus_timeout_ms` in the genesis, changed by
//! governance), the same on every node.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::bft::{parse_node_id, BftSettings, PeerEntry, Role};
use crate::{io_err, read_genesis, NodeConfig, NodeError, GENESIS_FILE};

/// A peer in the configuration file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerFile {
    /// Its name (for logs).
    pub name: String,
    /// Its node public key, hex.
    pub id: String,
    /// Its peer-to-peer address.
    pub addr: SocketAddr,
}

fn default_block_time() -> u64 {
    200
}
fn default_idle() -> u64 {
    1_000
}
fn default_max_block_txs() -> usize {
    50_000
}

/// The configuration file of one networked node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeFile {
    /// Node name (for logs and `net status`).
    pub name: String,
    /// Validator or observer.
    pub role: Role,
    /// Data directory.
    pub data_dir: PathBuf,
    /// REST API listen address.
    pub rpc_addr: SocketAddr,
    /// Peer-to-peer listen address.
    pub p2p_addr: SocketAddr,
    /// TLS certificate (PEM file).
    pub tls_cert: PathBuf,
    /// TLS private key (PEM file).
    pub tls_key: PathBuf,
    /// Shortest time between proposals, ms.
    #[serde(default = "default_block_time")]
    pub block_time_ms: u64,
    /// Empty-block interval when idle, ms.
    #[serde(default = "default_idle")]
    pub idle_block_ms: u64,
    /// Most transactions per block.
    #[serde(default = "default_max_block_txs")]
    pub max_block_txs: usize,
    /// Peers to connect to.
    #[serde(default)]
    pub peers: Vec<PeerFile>,
    /// Limits of the REST API and JSON-RPC (`[api]`, `[api.eth]`, `[api.server]`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub api: hechain_rpc::RpcConfig,
    /// Limits of the transaction pool (`[pool]`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub pool: hechain_mempool::MempoolConfig,
    /// A file holding the passphrase of this node's sealed key files (`crate::secrets`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_passphrase_file: Option<PathBuf>,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

impl NodeFile {
    /// Reads a configuration file.
    pub fn read(path: &Path) -> Result<NodeFile, NodeError> {
        let text = std::fs::read_to_string(path).map_err(io_err(path))?;
        toml::from_str(&text).map_err(|e| NodeError::BadFile { path: path.to_path_buf(), reason: e.to_string() })
    }

    /// Writes it.
    pub fn write(&self, path: &Path) -> Result<(), NodeError> {
        let text = toml::to_string_pretty(self)
            .map_err(|e| NodeError::BadFile { path: path.to_path_buf(), reason: e.to_string() })?;
        std::fs::write(path, text).map_err(io_err(path))
    }

    /// The passphrase of this node's sealed keys: its `key_passphrase_file` (relative to `base`),
    /// else the environment's ([`crate::secrets`]).
    pub fn passphrase(&self, base: &Path) -> Result<Option<crate::secrets::Passphrase>, NodeError> {
        match &self.key_passphrase_file {
            Some(f) => {
                let path = if f.is_absolute() { f.clone() } else { base.join(f) };
                crate::secrets::read_passphrase_file(&path).map(Some)
            }
            None => crate::secrets::env_passphrase(),
        }
    }

    /// The node configuration it describes, with paths resolved against `base` (the directory of
    /// the file) and PEM files and peer ids loaded and checked.
    pub fn to_node_config(&self, base: &Path) -> Result<NodeConfig, NodeError> {
        let abs = |p: &Path| if p.is_absolute() { p.to_path_buf() } else { base.join(p) };
        let data_dir = abs(&self.data_dir);
        let genesis = read_genesis(&data_dir.join(GENESIS_FILE))?;
        let read = |p: &Path| {
            let p = abs(p);
            std::fs::read_to_string(&p).map_err(io_err(&p))
        };
        let pass = self.passphrase(base)?;
        let tls_key = crate::secrets::read_secret(&abs(&self.tls_key), pass.as_ref().map(|p| p.as_str()))?;
        let mut settings = BftSettings::new(self.role, self.p2p_addr, read(&self.tls_cert)?, tls_key.to_string());
        settings.block_interval = Duration::from_millis(self.block_time_ms);
        settings.idle_block_interval = Duration::from_millis(self.idle_block_ms.max(self.block_time_ms));
        settings.max_block_txs = self.max_block_txs.max(1);
        for p in &self.peers {
            settings.peers.push(PeerEntry {
                name: p.name.clone(),
                id: parse_node_id(genesis.suite(), &p.id)?,
                addr: p.addr,
            });
        }
        let mut cfg = NodeConfig::new(data_dir);
        cfg.rpc_addr = self.rpc_addr;
        cfg.max_block_txs = self.max_block_txs;
        cfg.rpc = self.api.clone();
        cfg.rpc.tls = self.api.tls.as_ref().map(|t| t.relative_to(base));
        cfg.mempool = self.pool.clone();
        cfg.network = Some(settings);
        cfg.key_passphrase = pass;
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
name = "n0"
role = "validator"
data_dir = "n0"
rpc_addr = "127.0.0.1:8545"
p2p_addr = "127.0.0.1:30300"
tls_cert = "c"
tls_key = "k"
"#;

    #[test]
    fn api_and_pool_limits_are_optional_and_checked() {
        let plain: NodeFile = toml::from_str(BASE).unwrap();
        assert_eq!(plain.api, hechain_rpc::RpcConfig::default());
        assert!(!toml::to_string(&plain).unwrap().contains("[api"), "defaults are not written out");
        let text = format!(
            "{BASE}\n[api.eth]\ncall_timeout_ms = 100\n[api.server]\nmax_connections = 9\n[pool]\nmax_queued = 5\n"
        );
        let f: NodeFile = toml::from_str(&text).unwrap();
        assert_eq!((f.api.eth.call_timeout_ms, f.api.eth.max_batch), (100, 1000));
        assert_eq!(f.api.server.max_connections, 9);
        assert_eq!((f.pool.max_queued, f.pool.capacity), (5, 200_000));
        let typo = format!("{BASE}\n[pool]\nmax_queue = 5\n");
        let e = toml::from_str::<NodeFile>(&typo).unwrap_err().to_string();
        assert!(e.contains("max_queue"), "{e}");
    }
}
