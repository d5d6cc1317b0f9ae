//! A real node-like context for tests: redb store in a temp dir, real mempool, real execution,
//! the real solo block producer, and the API served over TCP on 127.0.0.1. Used by the API tests
//! (`hechain-rpc/tests`) and by the service modules' end-to-end tests
//! (`crates/modules/<name>/tests`). [`exec`] executes and commits blocks directly, without
//! the API.

pub mod exec;

use hechain_types::GenesisExt;
use hechain_types::{EvidenceCall, TransferCall};
use std::sync::Arc;
use std::time::Duration;

use hechain_crypto::{AccountKey, AccountScheme, NodeKey, Suite};
use hechain_execution::genesis_commit;
use hechain_mempool::{Mempool, MempoolConfig};
use hechain_node::solo::{Solo, SoloConfig};
use hechain_rpc::{RpcConfig, RpcContext};
use hechain_storage::{StorageError, Store};
use hechain_types::{
    Address, ChainParams, CommittedBlock, EvidenceMeta, Genesis, GenesisAccount, Payload, SignedTransaction, SuiteTag,
    Transaction, ValidatorInfo, H256,
};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::sync::{broadcast, oneshot};
use tokio::task::JoinHandle;

/// Chain id of the test chain.
pub const CHAIN_ID: u64 = 7;
/// Every funded account's initial balance.
pub const INITIAL_BALANCE: u128 = 1_000_000_000;
/// Minimum fee of the test chain.
pub const MIN_FEE: u64 = 1;
/// Genesis timestamp.
pub const GENESIS_TS: u64 = 1_700_000_000_000;

/// A running test node.
pub struct TestNode {
    pub dir: tempfile::TempDir,
    pub genesis: Arc<Genesis>,
    pub store: Arc<Store>,
    pub mempool: Arc<Mempool>,
    pub blocks: broadcast::Sender<Arc<CommittedBlock>>,
    /// The real solo block producer (empty blocks on).
    pub solo: Solo,
    /// Funded accounts (secp256k1, fixed keys).
    pub accounts: Vec<AccountKey>,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    pub server: Option<JoinHandle<std::io::Result<()>>>,
}

/// Options of a test node.
pub struct Options {
    pub rpc: RpcConfig,
    pub mempool: MempoolConfig,
    pub broadcast_capacity: usize,
    /// A stand-in for a networked node's consensus status (`None`: a single-node chain).
    pub consensus_status: Option<tokio::sync::watch::Receiver<Value>>,
    /// The genesis governance section (`None`: no committee).
    pub governance: Option<hechain_types::GenesisGovernance>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            rpc: RpcConfig::default(),
            mempool: MempoolConfig::default(),
            broadcast_capacity: 64,
            consensus_status: None,
            governance: None,
        }
    }
}

pub fn account_key(i: u8) -> AccountKey {
    let mut secret = [0u8; 32];
    secret[31] = i + 1;
    secret[0] = 0x11;
    AccountKey::from_bytes(AccountScheme::Secp256k1, &secret).expect("fixed test key")
}

impl TestNode {
    pub async fn start() -> Self {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(opts: Options) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let node_key = NodeKey::generate(Suite::Standard);
        let accounts: Vec<AccountKey> = (0..4).map(account_key).collect();
        let genesis = Genesis {
            chain_id: CHAIN_ID,
            suite: SuiteTag(Suite::Standard),
            timestamp_ms: GENESIS_TS,
            validators: vec![ValidatorInfo {
                name: "test-node0".into(),
                public_key: node_key.public_key().as_bytes().to_vec(),
                org: String::new(),
            }],
            accounts: accounts
                .iter()
                .map(|k| GenesisAccount { address: Address(k.address()), balance: INITIAL_BALANCE })
                .collect(),
            // Base fee 1 wei: Ethereum transactions stay affordable with the small test balances.
            params: ChainParams { min_fee: MIN_FEE, base_fee_per_gas: 1, ..ChainParams::default() },
            orgs: vec![],
            observers: vec![],
            governance: opts.governance,
        };
        genesis.validate().expect("valid genesis");
        let store = Store::open(&dir.path().join("chain.redb"), &genesis, |s| {
            genesis_commit(&genesis, &s.reader()?).map_err(|e| StorageError::Db(e.to_string()))
        })
        .expect("open store");
        let mempool = Mempool::new(genesis.suite(), genesis.chain_id, genesis.params.clone(), opts.mempool);
        let (blocks, _) = broadcast::channel(opts.broadcast_capacity);
        let genesis = Arc::new(genesis);
        let store = Arc::new(store);
        let mempool = Arc::new(mempool);
        let ctx = Arc::new(RpcContext {
            store: store.clone(),
            mempool: mempool.clone(),
            genesis: genesis.clone(),
            blocks: blocks.clone(),
            config: opts.rpc,
            gossip: None,
            consensus_status: opts.consensus_status,
        });
        let solo = Solo::new(
            store.clone(),
            mempool.clone(),
            genesis.clone(),
            node_key,
            SoloConfig {
                block_time: Duration::from_secs(1),
                empty_blocks: true,
                idle_block: None,
                max_block_txs: genesis.params.max_block_txs as usize,
            },
            blocks.clone(),
        )
        .expect("solo producer");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(hechain_rpc::serve(listener, ctx, async move {
            let _ = rx.await;
        }));
        let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
        TestNode {
            dir,
            genesis,
            store,
            mempool,
            blocks,
            solo,
            accounts,
            base: format!("http://{addr}"),
            client,
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    pub fn suite(&self) -> Suite {
        self.genesis.suite()
    }

    pub fn address(&self, i: usize) -> Address {
        Address(self.accounts[i].address())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Signs a transaction of account `i`.
    pub fn sign(&self, i: usize, nonce: u64, fee: u64, chain_id: u64, payload: Payload) -> SignedTransaction {
        Transaction { chain_id, nonce, sender: self.address(i), fee, payload }.sign(&self.accounts[i]).expect("sign")
    }

    pub fn transfer(&self, from: usize, nonce: u64, to: Address, amount: u128) -> SignedTransaction {
        self.sign(from, nonce, MIN_FEE, CHAIN_ID, Payload::Transfer(TransferCall::Transfer { to, amount }))
    }

    pub fn evidence(&self, from: usize, nonce: u64, content: &[u8], title: &str) -> SignedTransaction {
        let content_hash = H256(self.suite().hash(content));
        let meta = EvidenceMeta { title: Some(title.into()), kind: Some("contract".into()), ..EvidenceMeta::default() };
        self.sign(from, nonce, MIN_FEE, CHAIN_ID, Payload::Evidence(EvidenceCall::Put { content_hash, meta }))
    }

    /// Produces, seals, commits and announces one block of the pool's ready
    /// transactions with the real solo block producer.
    pub fn produce_block(&self) -> Arc<CommittedBlock> {
        self.solo.produce().expect("produce a block").expect("empty blocks are enabled")
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let resp = self.client.get(self.url(path)).send().await.expect("GET");
        let status = resp.status();
        let body = resp.bytes().await.expect("body");
        (status, parse_json(status, &body))
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.post_bytes(path, serde_json::to_vec(body).expect("json")).await
    }

    pub async fn post_bytes(&self, path: &str, body: impl Into<reqwest::Body>) -> (StatusCode, Value) {
        let resp = self
            .client
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("POST");
        let status = resp.status();
        let body = resp.bytes().await.expect("body");
        (status, parse_json(status, &body))
    }

    /// Sends `head` + `body` over a plain TCP connection, ignoring write
    /// errors (the server may answer and close before reading a body it
    /// refuses), and parses the JSON response. Used for oversized bodies,
    /// where an HTTP client library would report the broken pipe instead of
    /// the response.
    pub async fn raw_http(&self, head: &str, body: &[u8]) -> (StatusCode, Value) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let addr = self.base.trim_start_matches("http://");
        let mut sock = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let mut request = head.as_bytes().to_vec();
        request.extend_from_slice(body);
        let _ = sock.write_all(&request).await;
        let mut response = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match tokio::time::timeout(Duration::from_secs(20), sock.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(n)) => response.extend_from_slice(&buf[..n]),
                Err(_) => panic!("no response within 20 s"),
            }
        }
        let text = String::from_utf8_lossy(&response).to_string();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no HTTP response: {text:?}"));
        let code: u16 = head
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("bad status line: {head}"));
        let status = StatusCode::from_u16(code).expect("status");
        (status, parse_json(status, body.as_bytes()))
    }

    /// Submits a transaction in raw form, expecting success; returns its hash.
    pub async fn submit(&self, tx: &SignedTransaction) -> H256 {
        let (status, v) = self.post_json("/api/v1/transactions", &raw_body(tx)).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let hash: H256 = v["hash"].as_str().expect("hash").parse().expect("hash hex");
        assert_eq!(hash, tx.hash(self.suite()));
        hash
    }

    /// Stops the server; returns once `serve` has returned.
    pub async fn shutdown(&mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.server.take() {
            Some(h) => tokio::time::timeout(Duration::from_secs(20), h)
                .await
                .expect("server stops within 20 s")
                .expect("server task"),
            None => Ok(()),
        }
    }
}

pub fn raw_hex(tx: &SignedTransaction) -> String {
    use hechain_types::Codec;
    format!("0x{}", hex::encode(tx.encode()))
}

pub fn raw_body(tx: &SignedTransaction) -> Value {
    serde_json::json!({ "raw": raw_hex(tx) })
}

/// Parses a JSON body, failing the test with the status and text otherwise.
pub fn parse_json(status: StatusCode, body: &[u8]) -> Value {
    match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => panic!("status {status}: body is not JSON ({e}): {}", String::from_utf8_lossy(body)),
    }
}

/// Asserts a JSON error response: status, code, and that the message contains `needle`.
#[track_caller]
pub fn assert_error(got: &(StatusCode, Value), status: StatusCode, code: &str, needle: &str) {
    let (s, v) = got;
    assert_eq!(*s, status, "unexpected status; body {v}");
    let err = &v["error"];
    assert_eq!(err["code"].as_str(), Some(code), "unexpected code; body {v}");
    let msg = err["message"].as_str().unwrap_or_default();
    assert!(!msg.is_empty(), "empty message; body {v}");
    assert!(msg.to_lowercase().contains(&needle.to_lowercase()), "message {msg:?} does not mention {needle:?}");
}

impl TestNode {
    /// An EIP-1559 transaction of account `from` (`to: None` creates a contract), signed.
    pub fn eip1559(
        &self,
        from: usize,
        nonce: u64,
        to: Option<Address>,
        input: Vec<u8>,
        gas: u64,
    ) -> hechain_types::EthTransaction {
        use alloy_primitives::{Address as EvmAddress, TxKind, U256};
        let tx = alloy_consensus::TxEip1559 {
            chain_id: CHAIN_ID,
            nonce,
            gas_limit: gas,
            max_fee_per_gas: 10,
            max_priority_fee_per_gas: 1,
            to: to.map_or(TxKind::Create, |a| TxKind::Call(EvmAddress::from(a.0))),
            value: U256::ZERO,
            access_list: Default::default(),
            input: input.into(),
        };
        hechain_types::EthTransaction::sign(tx, &self.accounts[from]).expect("sign an Ethereum transaction")
    }
}

/// The `eth_sendRawTransaction` parameter of an Ethereum transaction.
pub fn raw_eth(t: &hechain_types::EthTransaction) -> Value {
    serde_json::json!(format!("0x{}", hex::encode(t.raw())))
}
