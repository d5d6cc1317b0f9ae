//! A real node-like context for the API tests: redb store in a temp dir,
//! real mempool, real execution, the API served over TCP on 127.0.0.1.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use hechain_crypto::{AccountKey, AccountScheme, NodeKey, Suite};
use hechain_execution::{execute_block, genesis_commit, BlockContext};
use hechain_mempool::{Mempool, MempoolConfig, StoreState};
use hechain_rpc::{RpcConfig, RpcContext};
use hechain_storage::{BlockCommit, StorageError, Store};
use hechain_types::merkle;
use hechain_types::{
    Address, Block, BlockHeader, ChainParams, CommittedBlock, EvidenceMeta, Genesis, GenesisAccount, Payload, Seal,
    SignedTransaction, SuiteTag, Transaction, ValidatorInfo, ValidatorSignature, H256,
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
    pub node_key: NodeKey,
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
}

impl Default for Options {
    fn default() -> Self {
        Self { rpc: RpcConfig::default(), mempool: MempoolConfig::default(), broadcast_capacity: 64 }
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
            }],
            accounts: accounts
                .iter()
                .map(|k| GenesisAccount { address: Address(k.address()), balance: INITIAL_BALANCE })
                .collect(),
            params: ChainParams { min_fee: MIN_FEE, ..ChainParams::default() },
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
        });
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
            node_key,
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
        self.sign(from, nonce, MIN_FEE, CHAIN_ID, Payload::Transfer { to, amount })
    }

    pub fn evidence(&self, from: usize, nonce: u64, content: &[u8], title: &str) -> SignedTransaction {
        let content_hash = H256(self.suite().hash(content));
        let meta = EvidenceMeta { title: Some(title.into()), kind: Some("contract".into()), ..EvidenceMeta::default() };
        self.sign(from, nonce, MIN_FEE, CHAIN_ID, Payload::EvidencePut { content_hash, meta })
    }

    /// Produces, seals, commits and announces one block of the pool's ready
    /// transactions (a minimal solo block producer).
    pub fn produce_block(&self) -> Arc<CommittedBlock> {
        let suite = self.suite();
        let ready = self.mempool.ready(self.genesis.params.max_block_txs as usize);
        let (tx_hashes, txs): (Vec<H256>, Vec<SignedTransaction>) = ready.into_iter().unzip();
        let reader = self.store.reader().expect("reader");
        let parent = reader.head().expect("head");
        let height = parent.height + 1;
        let timestamp_ms = parent.timestamp_ms + 1000;
        let out = execute_block(
            &reader,
            &parent.state_root,
            BlockContext { suite, height, timestamp_ms },
            self.genesis.chain_id,
            self.genesis.params.min_fee,
            &txs,
            &tx_hashes,
        )
        .expect("execute");
        let receipt_hashes: Vec<H256> = out.receipts.iter().map(|r| r.hash(suite)).collect();
        let header = BlockHeader {
            version: 1,
            chain_id: self.genesis.chain_id,
            height,
            parent_hash: parent.hash(suite),
            timestamp_ms,
            proposer: 0,
            tx_root: merkle::root(suite, &tx_hashes),
            receipts_root: merkle::root(suite, &receipt_hashes),
            state_root: out.state_root,
            tx_count: txs.len() as u32,
        };
        let hash = header.hash(suite);
        let sig = self.node_key.sign(&BlockHeader::signing_message(&self.genesis.hash(), &hash));
        let seal = Seal { signatures: vec![ValidatorSignature { validator: 0, signature: sig.0.to_vec() }] };
        let block = Block { header, seal, transactions: txs };
        drop(reader);
        self.store
            .commit_block(BlockCommit {
                block: block.clone(),
                tx_hashes: tx_hashes.clone(),
                receipts: out.receipts.clone(),
                state_writes: out.state_writes,
                smt_nodes: out.smt_nodes,
            })
            .expect("commit");
        let senders: Vec<Address> =
            block.transactions.iter().map(|t| t.tx.sender).collect::<BTreeSet<_>>().into_iter().collect();
        self.mempool.on_committed(&senders, &StoreState(&self.store.reader().expect("reader")));
        let committed = Arc::new(CommittedBlock { hash, block, tx_hashes, receipts: out.receipts });
        let _ = self.blocks.send(committed.clone());
        committed
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
