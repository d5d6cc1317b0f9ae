//! Persistent storage of a hechain node, on [redb](https://docs.rs/redb)
//! (embedded, pure Rust, ACID, copy-on-write B-trees).
//!
//! One database file holds:
//!
//! | table        | key                 | value                                  |
//! |--------------|---------------------|----------------------------------------|
//! | `meta`       | name                | genesis (canonical bytes), head height |
//! | `headers`    | height              | canonical [`BlockHeader`]              |
//! | `seals`      | height              | canonical [`Seal`]                     |
//! | `block_hash` | block hash          | height                                 |
//! | `block_txs`  | (height, chunk)     | up to 256 canonical [`ChainTx`]s |
//! | `receipts`   | (height, chunk)     | up to 256 canonical [`Receipt`]s       |
//! | `tx_index`   | tx hash             | (height, index)                        |
//! | `tx_hashes`  | height              | the block's tx hashes, concatenated    |
//! | `state`      | raw state key       | latest value                           |
//! | `smt_nodes`  | node hash           | state-tree node ([`smt`])              |
//!
//! A block and everything it changes are written by [`Store::commit_block`]
//! in one redb write transaction with immediate durability: after a crash
//! (even SIGKILL or power loss) the database holds exactly the blocks whose
//! commit returned, never half a block.
//!
//! Transactions and receipts are stored by position, in chunks of
//! [`CHUNK`] (each item length-prefixed), so a block's inserts are a few
//! appends at the end of their B-trees and a single lookup decodes at most
//! one chunk; only the small `tx_index` entries (and state-tree nodes) land
//! at random positions. This keeps the pages a commit dirties, and so its
//! cost, low.
//!
//! State-tree nodes are content-addressed and never deleted, so the state
//! root of every past header stays provable ([`Store::state_proof`]).
//!
//! Integrity: by default [`Store::open`] has redb verify the checksum of every page before the
//! database is used, so a file damaged on disk is refused with [`StorageError::Damaged`]
//! instead of being read (or written on); and the [`marker`] beside the file refuses a database
//! that is missing, emptied, or older than what this node had committed.

mod account_txs;
pub mod marker;
mod module_state;
pub mod smt;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use hechain_crypto::Suite;
use hechain_types::{Block, BlockHeader, ChainTx, Codec, Genesis, Receipt, Seal, TxLocation, H256};
use redb::{Database, ReadTransaction, ReadableDatabase, ReadableTable, TableDefinition};

pub use account_txs::AccountTxPage;

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const HEADERS: TableDefinition<u64, &[u8]> = TableDefinition::new("headers");
const SEALS: TableDefinition<u64, &[u8]> = TableDefinition::new("seals");
const BLOCK_HASH: TableDefinition<&[u8; 32], u64> = TableDefinition::new("block_hash");
const BLOCK_TXS: TableDefinition<(u64, u32), &[u8]> = TableDefinition::new("block_txs");
const RECEIPTS: TableDefinition<(u64, u32), &[u8]> = TableDefinition::new("receipts");
const TX_INDEX: TableDefinition<&[u8; 32], (u64, u32)> = TableDefinition::new("tx_index");
const TX_HASHES: TableDefinition<u64, &[u8]> = TableDefinition::new("tx_hashes");
const STATE: TableDefinition<&[u8], &[u8]> = TableDefinition::new("state");
const SMT_NODES: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("smt_nodes");

/// redb page cache (an upper bound, allocated as used). 1 GiB keeps the
/// hot index and state-tree pages in memory under sustained load; measured
/// +5–10 % transfer throughput over 256 MiB (`docs/performance.md`).
pub const CACHE_BYTES: usize = 1 << 30;

/// Transactions (and receipts) per stored chunk.
pub const CHUNK: usize = 256;

const META_GENESIS: &str = "genesis";
const META_HEAD: &str = "head";

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database engine failed (I/O, corruption detected by redb, lock held by another process).
    #[error("database: {0}")]
    Db(String),
    /// Stored bytes did not decode: the file is damaged or from an incompatible version.
    #[error("corrupt data in {table}: {reason}")]
    Corrupt {
        /// Table.
        table: &'static str,
        /// Decoder message.
        reason: String,
    },
    /// No block is stored at this height.
    #[error("no block at height {0}")]
    NoBlock(u64),
    /// A block does not extend the stored chain.
    #[error("block {got} does not follow head {head}")]
    NotNext {
        /// Stored head height.
        head: u64,
        /// Offered height.
        got: u64,
    },
    /// The database belongs to another chain.
    #[error("this data directory belongs to chain with genesis {stored}, not {offered}")]
    GenesisMismatch {
        /// Stored genesis hash.
        stored: H256,
        /// Offered genesis hash.
        offered: H256,
    },
    /// The database has not been initialised with a genesis.
    #[error("the database has no genesis; initialise it first")]
    NoGenesis,
    /// State-tree failure.
    #[error("state tree: {0}")]
    Smt(#[from] smt::SmtError),
    /// The database file failed redb's integrity check.
    #[error("the database {path} is damaged ({reason}). Its blocks cannot be trusted: stop this node, move the data directory aside, and restore it from a backup or start from an empty data directory to sync from the other nodes")]
    Damaged {
        /// The database file.
        path: PathBuf,
        /// redb's finding.
        reason: String,
    },
    /// The database file is missing or empty, but its marker says the directory held a chain.
    #[error("the database {path} is missing or empty, but this data directory held chain {genesis} up to at least block {floor}: those blocks are gone. Restore the data directory from a backup, or start from an empty data directory to sync from the other nodes; delete {marker} only to start this chain afresh on purpose", marker = marker::path_for(path).display())]
    Missing {
        /// The database file.
        path: PathBuf,
        /// The chain the marker names.
        genesis: H256,
        /// A height the directory had committed.
        floor: u64,
    },
    /// The database holds fewer blocks than this node had committed.
    #[error("the database {path} ends at block {head}, but this node had committed block {floor}: it was replaced by an older copy or lost blocks. Restore a current backup or sync from the other nodes; delete {marker} only if the older copy is meant", marker = marker::path_for(path).display())]
    Behind {
        /// The database file.
        path: PathBuf,
        /// Its head.
        head: u64,
        /// The height the marker records.
        floor: u64,
    },
    /// The chain marker cannot be read or written.
    #[error("chain marker {path}: {reason}")]
    Marker {
        /// The marker file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

impl From<redb::Error> for StorageError {
    fn from(e: redb::Error) -> Self {
        StorageError::Db(e.to_string())
    }
}

macro_rules! db_err {
    ($($t:ty),*) => {$(
        impl From<$t> for StorageError {
            fn from(e: $t) -> Self { StorageError::Db(e.to_string()) }
        }
    )*};
}
db_err!(redb::DatabaseError, redb::TransactionError, redb::TableError, redb::StorageError, redb::CommitError);

fn corrupt(table: &'static str) -> impl Fn(hechain_types::TypesError) -> StorageError {
    move |e| StorageError::Corrupt { table, reason: e.to_string() }
}

/// Concatenates items, each prefixed with its length (u32 LE).
fn pack(items: impl Iterator<Item = Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    for item in items {
        out.extend_from_slice(&(item.len() as u32).to_le_bytes());
        out.extend_from_slice(&item);
    }
    out
}

/// Splits a [`pack`]ed chunk.
fn unpack<'a>(table: &'static str, mut bytes: &'a [u8]) -> Result<Vec<&'a [u8]>, StorageError> {
    let bad = || StorageError::Corrupt { table, reason: "truncated chunk".into() };
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let len: [u8; 4] = bytes.get(..4).ok_or_else(bad)?.try_into().map_err(|_| bad())?;
        let len = u32::from_le_bytes(len) as usize;
        let item = bytes.get(4..4 + len).ok_or_else(bad)?;
        out.push(item);
        bytes = &bytes[4 + len..];
    }
    Ok(out)
}

fn borsh_bytes<T: borsh::BorshSerialize>(v: &T) -> Vec<u8> {
    // Writing into a Vec cannot fail.
    borsh::to_vec(v).unwrap_or_default()
}

/// Everything one block changes, written atomically by [`Store::commit_block`].
#[derive(Debug)]
pub struct BlockCommit {
    /// The sealed block.
    pub block: Block,
    /// Hashes of `block.transactions`, in order.
    pub tx_hashes: Vec<H256>,
    /// One receipt per transaction, in order.
    pub receipts: Vec<Receipt>,
    /// State writes (`None` deletes), applied to the `state` table.
    pub state_writes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    /// New state-tree nodes; their root is `block.header.state_root`.
    pub smt_nodes: Vec<(smt::Hash32, smt::Node)>,
}

/// How [`Store::open_with`] opens a database.
#[derive(Clone, Copy, Debug)]
pub struct OpenOptions {
    /// Verify every page's checksum before use (default `true`; reads the whole file once).
    pub check_integrity: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self { check_integrity: true }
    }
}

/// The node's database.
pub struct Store {
    db: Database,
    path: PathBuf,
    suite: Suite,
    /// The chain marker and the floor it records.
    marker: Option<(PathBuf, marker::Marker, AtomicU64)>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("suite", &self.suite).finish()
    }
}

impl Store {
    /// The database file's size on disk, in bytes (0 if it cannot be read).
    pub fn size_bytes(&self) -> u64 {
        std::fs::metadata(&self.path).map_or(0, |m| m.len())
    }

    /// Opens (or creates) the database at `path` for the chain described by
    /// `genesis`. A new database is initialised with the genesis block built
    /// by the caller (`genesis_commit`, height 0); an existing one must hold
    /// the same genesis.
    pub fn open(
        path: &Path,
        genesis: &Genesis,
        genesis_commit: impl FnOnce(&Store) -> Result<BlockCommit, StorageError>,
    ) -> Result<Self, StorageError> {
        Self::open_with(path, genesis, genesis_commit, OpenOptions::default())
    }

    /// [`Self::open`] with options. Refuses a database that fails its integrity check
    /// ([`StorageError::Damaged`]), and, when a [`marker`] says this path held a chain, a
    /// database file that is missing or empty ([`StorageError::Missing`]) or that ends below
    /// the recorded height ([`StorageError::Behind`]).
    pub fn open_with(
        path: &Path,
        genesis: &Genesis,
        genesis_commit: impl FnOnce(&Store) -> Result<BlockCommit, StorageError>,
        options: OpenOptions,
    ) -> Result<Self, StorageError> {
        let marker_path = marker::path_for(path);
        let known = marker::Marker::read(&marker_path)?;
        let empty = std::fs::metadata(path).map(|m| m.len() == 0).unwrap_or(true);
        if let (Some(m), true) = (known, empty) {
            return Err(StorageError::Missing { path: path.to_path_buf(), genesis: m.genesis, floor: m.height_floor });
        }
        let db = Database::builder()
            .set_cache_size(CACHE_BYTES)
            .set_check_integrity_on_open(options.check_integrity && !empty)
            .create(path)
            .map_err(|e| match e {
                redb::DatabaseError::Storage(redb::StorageError::Corrupted(reason)) => {
                    StorageError::Damaged { path: path.to_path_buf(), reason }
                }
                other => StorageError::Db(other.to_string()),
            })?;
        let mut store = Store { db, path: path.to_path_buf(), suite: genesis.suite(), marker: None };
        store.create_tables()?;
        match store.stored_genesis()? {
            Some(stored) => {
                if stored.hash() != genesis.hash() {
                    return Err(StorageError::GenesisMismatch { stored: stored.hash(), offered: genesis.hash() });
                }
            }
            None => {
                let commit = genesis_commit(&store)?;
                store.write(Some(genesis), &commit)?;
            }
        }
        // A database from before the account index: index what it holds, once.
        account_txs::backfill(&store.db)?;
        let head = store.reader()?.head_height()?;
        let m = match known {
            Some(m) if m.genesis != genesis.hash() => {
                return Err(StorageError::GenesisMismatch { stored: m.genesis, offered: genesis.hash() })
            }
            Some(m) if head < m.height_floor => {
                return Err(StorageError::Behind { path: path.to_path_buf(), head, floor: m.height_floor })
            }
            Some(m) => m,
            None => {
                // A new database, or one made before markers: guard it from now on.
                let m = marker::Marker { genesis: genesis.hash(), height_floor: head };
                m.write(&marker_path, true)?;
                m
            }
        };
        store.marker = Some((marker_path, m, AtomicU64::new(m.height_floor)));
        Ok(store)
    }

    /// Raises the marker's floor to `height` when it is [`marker::FLOOR_STEP`] above the last.
    /// Best effort: the block is already durable, and a floor left lower only guards less.
    fn raise_floor(&self, height: u64) {
        let Some((path, m, floor)) = &self.marker else { return };
        if height < floor.load(Ordering::Relaxed).saturating_add(marker::FLOOR_STEP) {
            return;
        }
        floor.store(height, Ordering::Relaxed);
        let raised = marker::Marker { height_floor: height, ..*m };
        if let Err(e) = raised.write(path, false) {
            // Reported by the next failing commit if the disk is the cause.
            tracing::warn!(error = %e, "could not raise the chain marker's height floor");
        }
    }

    /// Creates every table (a no-op when they exist), so readers can open them.
    fn create_tables(&self) -> Result<(), StorageError> {
        let w = self.db.begin_write()?;
        w.open_table(META)?;
        w.open_table(HEADERS)?;
        w.open_table(SEALS)?;
        w.open_table(BLOCK_HASH)?;
        w.open_table(BLOCK_TXS)?;
        w.open_table(RECEIPTS)?;
        w.open_table(TX_INDEX)?;
        w.open_table(TX_HASHES)?;
        w.open_table(STATE)?;
        w.open_table(SMT_NODES)?;
        w.open_table(account_txs::ACCOUNT_TXS)?;
        w.commit()?;
        Ok(())
    }

    /// The chain's suite.
    pub fn suite(&self) -> Suite {
        self.suite
    }

    fn stored_genesis(&self) -> Result<Option<Genesis>, StorageError> {
        let r = self.db.begin_read()?;
        let t = match r.open_table(META) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        match t.get(META_GENESIS)? {
            Some(v) => Ok(Some(Genesis::decode(v.value()).map_err(corrupt("meta"))?)),
            None => Ok(None),
        }
    }

    /// The genesis the database was created with.
    pub fn genesis(&self) -> Result<Genesis, StorageError> {
        self.stored_genesis()?.ok_or(StorageError::NoGenesis)
    }

    /// A consistent read-only snapshot (concurrent with block commits).
    pub fn reader(&self) -> Result<StoreReader, StorageError> {
        let txn = self.db.begin_read()?;
        let state = txn.open_table(STATE)?;
        let nodes = txn.open_table(SMT_NODES)?;
        Ok(StoreReader { txn, state, nodes })
    }

    /// Writes one block and all its effects atomically. The block must be
    /// the next height after the current head.
    pub fn commit_block(&self, commit: &BlockCommit) -> Result<(), StorageError> {
        let head = self.reader()?.head_height()?;
        if commit.block.header.height != head + 1 {
            return Err(StorageError::NotNext { head, got: commit.block.header.height });
        }
        self.write(None, commit)?;
        self.raise_floor(commit.block.header.height);
        Ok(())
    }

    /// Replaces the seal of a stored block (a BFT block is stored with this node's signature
    /// first and gains the other validators' signatures as they arrive). The caller checks
    /// the signatures.
    pub fn update_seal(&self, height: u64, seal: &Seal) -> Result<(), StorageError> {
        let w = self.db.begin_write()?;
        {
            if w.open_table(HEADERS)?.get(height)?.is_none() {
                return Err(StorageError::NoBlock(height));
            }
            w.open_table(SEALS)?.insert(height, borsh_bytes(seal).as_slice())?;
        }
        w.commit()?;
        Ok(())
    }

    fn write(&self, genesis: Option<&Genesis>, c: &BlockCommit) -> Result<(), StorageError> {
        let w = self.db.begin_write()?;
        {
            let height = c.block.header.height;
            let block_hash = c.block.header.hash(self.suite);
            let mut meta = w.open_table(META)?;
            if let Some(g) = genesis {
                meta.insert(META_GENESIS, g.encode().as_slice())?;
            }
            meta.insert(META_HEAD, height.to_le_bytes().as_slice())?;
            w.open_table(HEADERS)?.insert(height, c.block.header.encode().as_slice())?;
            w.open_table(BLOCK_HASH)?.insert(&block_hash.0, height)?;
            {
                let mut txs = w.open_table(BLOCK_TXS)?;
                for (chunk, items) in c.block.transactions.chunks(CHUNK).enumerate() {
                    txs.insert((height, chunk as u32), pack(items.iter().map(|t| t.encode())).as_slice())?;
                }
                let mut index = w.open_table(TX_INDEX)?;
                let mut all = Vec::with_capacity(32 * c.tx_hashes.len());
                for (i, h) in c.tx_hashes.iter().enumerate() {
                    index.insert(&h.0, (height, i as u32))?;
                    all.extend_from_slice(&h.0);
                }
                w.open_table(TX_HASHES)?.insert(height, all.as_slice())?;
                account_txs::index_block(&w, height, &c.block.transactions)?;
            }
            {
                let mut receipts = w.open_table(RECEIPTS)?;
                for (chunk, items) in c.receipts.chunks(CHUNK).enumerate() {
                    receipts.insert((height, chunk as u32), pack(items.iter().map(|r| r.encode())).as_slice())?;
                }
            }
            {
                let mut state = w.open_table(STATE)?;
                for (k, v) in &c.state_writes {
                    match v {
                        Some(v) => state.insert(k.as_slice(), v.as_slice())?,
                        None => state.remove(k.as_slice())?,
                    };
                }
            }
            {
                let mut nodes = w.open_table(SMT_NODES)?;
                for (h, n) in &c.smt_nodes {
                    nodes.insert(h, n.encode().as_slice())?;
                }
            }
            w.open_table(SEALS)?.insert(height, borsh_bytes(&c.block.seal).as_slice())?;
        }
        w.commit()?;
        Ok(())
    }
}

/// Raw state entries `(key, value)` in key order.
pub type StateEntries = Vec<(Vec<u8>, Vec<u8>)>;

/// A read snapshot of the database.
pub struct StoreReader {
    txn: ReadTransaction,
    // Opened once: execution and the state tree read them thousands of times per block.
    state: redb::ReadOnlyTable<&'static [u8], &'static [u8]>,
    nodes: redb::ReadOnlyTable<&'static [u8; 32], &'static [u8]>,
}

impl StoreReader {
    /// Height of the newest committed block (0 = only genesis).
    pub fn head_height(&self) -> Result<u64, StorageError> {
        let t = self.txn.open_table(META)?;
        let v = t.get(META_HEAD)?.ok_or(StorageError::NoGenesis)?;
        let b: [u8; 8] = v
            .value()
            .try_into()
            .map_err(|_| StorageError::Corrupt { table: "meta", reason: "head is not 8 bytes".into() })?;
        Ok(u64::from_le_bytes(b))
    }

    /// Header at `height`.
    pub fn header(&self, height: u64) -> Result<Option<BlockHeader>, StorageError> {
        let t = self.txn.open_table(HEADERS)?;
        t.get(height)?.map(|v| BlockHeader::decode(v.value()).map_err(corrupt("headers"))).transpose()
    }

    /// The newest header.
    pub fn head(&self) -> Result<BlockHeader, StorageError> {
        let h = self.head_height()?;
        self.header(h)?.ok_or(StorageError::Corrupt { table: "headers", reason: format!("head {h} missing") })
    }

    /// The validators' seal of the block at `height` (empty for genesis).
    pub fn seal(&self, height: u64) -> Result<Seal, StorageError> {
        Ok(match self.txn.open_table(SEALS)?.get(height)? {
            Some(v) => borsh::from_slice::<Seal>(v.value())
                .map_err(|e| StorageError::Corrupt { table: "seals", reason: e.to_string() })?,
            None => Seal::default(),
        })
    }

    /// Hashes of the transactions of the block at `height`, in order
    /// (without decoding the transactions).
    pub fn tx_hashes(&self, height: u64) -> Result<Option<Vec<H256>>, StorageError> {
        let t = self.txn.open_table(TX_HASHES)?;
        let Some(v) = t.get(height)? else { return Ok(None) };
        let bytes = v.value();
        if bytes.len() % 32 != 0 {
            return Err(StorageError::Corrupt { table: "tx_hashes", reason: "length is not a multiple of 32".into() });
        }
        Ok(Some(bytes.chunks_exact(32).map(|c| H256::from_slice(c).unwrap_or_default()).collect()))
    }

    /// Full block at `height`.
    pub fn block(&self, height: u64) -> Result<Option<Block>, StorageError> {
        let Some(header) = self.header(height)? else { return Ok(None) };
        let seal = self.seal(height)?;
        let t = self.txn.open_table(BLOCK_TXS)?;
        let mut transactions = Vec::with_capacity(header.tx_count as usize);
        for item in t.range((height, 0)..=(height, u32::MAX))? {
            let (_, v) = item?;
            for tx in unpack("block_txs", v.value())? {
                transactions.push(ChainTx::decode(tx).map_err(corrupt("block_txs"))?);
            }
        }
        Ok(Some(Block { header, seal, transactions }))
    }

    /// Height of the block with this hash.
    pub fn height_of(&self, block_hash: &H256) -> Result<Option<u64>, StorageError> {
        let t = self.txn.open_table(BLOCK_HASH)?;
        Ok(t.get(&block_hash.0)?.map(|v| v.value()))
    }

    /// Where a committed transaction is.
    pub fn tx_location(&self, tx_hash: &H256) -> Result<Option<TxLocation>, StorageError> {
        let t = self.txn.open_table(TX_INDEX)?;
        Ok(t.get(&tx_hash.0)?.map(|v| {
            let (height, index) = v.value();
            TxLocation { height, index }
        }))
    }

    /// A committed transaction and where it is.
    pub fn transaction(&self, tx_hash: &H256) -> Result<Option<(ChainTx, TxLocation)>, StorageError> {
        let Some(loc) = self.tx_location(tx_hash)? else { return Ok(None) };
        let bytes = self.chunk_item(BLOCK_TXS, "block_txs", loc)?.ok_or_else(|| StorageError::Corrupt {
            table: "block_txs",
            reason: format!("indexed transaction {tx_hash} missing"),
        })?;
        Ok(Some((ChainTx::decode(&bytes).map_err(corrupt("block_txs"))?, loc)))
    }

    /// The item at `loc` of a chunked table.
    fn chunk_item(
        &self,
        def: TableDefinition<(u64, u32), &[u8]>,
        table: &'static str,
        loc: TxLocation,
    ) -> Result<Option<Vec<u8>>, StorageError> {
        let t = self.txn.open_table(def)?;
        let key = (loc.height, loc.index / CHUNK as u32);
        let Some(v) = t.get(key)? else { return Ok(None) };
        Ok(unpack(table, v.value())?.get(loc.index as usize % CHUNK).map(|b| b.to_vec()))
    }

    /// Whether a transaction is committed.
    pub fn has_transaction(&self, tx_hash: &H256) -> Result<bool, StorageError> {
        Ok(self.tx_location(tx_hash)?.is_some())
    }

    /// Receipt of a committed transaction.
    pub fn receipt(&self, tx_hash: &H256) -> Result<Option<Receipt>, StorageError> {
        let Some(loc) = self.tx_location(tx_hash)? else { return Ok(None) };
        self.receipt_at(loc)
    }

    /// Receipt at a position.
    pub fn receipt_at(&self, loc: TxLocation) -> Result<Option<Receipt>, StorageError> {
        self.chunk_item(RECEIPTS, "receipts", loc)?
            .map(|b| Receipt::decode(&b).map_err(corrupt("receipts")))
            .transpose()
    }

    /// All receipts of a block, in order.
    pub fn block_receipts(&self, height: u64) -> Result<Vec<Receipt>, StorageError> {
        let t = self.txn.open_table(RECEIPTS)?;
        let mut out = Vec::new();
        for item in t.range((height, 0)..=(height, u32::MAX))? {
            let (_, v) = item?;
            for r in unpack("receipts", v.value())? {
                out.push(Receipt::decode(r).map_err(corrupt("receipts"))?);
            }
        }
        Ok(out)
    }

    /// Latest value of a state key.
    pub fn state_get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.state.get(key)?.map(|v| v.value().to_vec()))
    }

    /// Up to `limit` state entries whose key starts with `prefix`, in key order,
    /// starting after `after` (exclusive) when given.
    pub fn state_scan(&self, prefix: &[u8], after: Option<&[u8]>, limit: usize) -> Result<StateEntries, StorageError> {
        let t = &self.state;
        let start: &[u8] = after.unwrap_or(prefix);
        let mut out = Vec::new();
        for item in t.range::<&[u8]>(start..)? {
            let (k, v) = item?;
            let k = k.value();
            if !k.starts_with(prefix) {
                break;
            }
            if after == Some(k) {
                continue;
            }
            out.push((k.to_vec(), v.value().to_vec()));
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// Proof of `key`'s presence (with its current value's hash) or absence
    /// under the state root `root` (any committed header's root).
    pub fn state_proof(&self, suite: Suite, root: &H256, key: &[u8]) -> Result<smt::Proof, StorageError> {
        Ok(smt::prove(self, root.0, &suite.hash(key))?)
    }
}

impl smt::NodeReader for StoreReader {
    fn get_node(&self, hash: &smt::Hash32) -> Result<Option<smt::Node>, smt::SmtError> {
        match self.nodes.get(hash).map_err(|e| smt::SmtError::Store(e.to_string()))? {
            Some(v) => Ok(Some(smt::Node::decode(v.value())?)),
            None => Ok(None),
        }
    }
}
