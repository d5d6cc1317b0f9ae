//! The index of every account's transactions: `(sender, height, index)` for each committed
//! transaction, written in the block's own commit, read newest first a page at a time
//! (`GET /api/v1/accounts/{address}/transactions`, the console's account page).
//!
//! A database made before the index existed is indexed once when it is opened ([`backfill`]):
//! every stored block is read and its transactions indexed in one write, and a meta key records
//! that the index is complete, so later opens skip the scan.

use hechain_types::{Address, ChainTx, Codec, TxLocation, H256};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};

use crate::{corrupt, unpack, StorageError, StoreReader, BLOCK_TXS, META, META_HEAD, TX_HASHES};

/// `(sender, height, index) → ()`: key order is per account, then oldest first.
pub(crate) const ACCOUNT_TXS: TableDefinition<(&[u8; 20], u64, u32), ()> = TableDefinition::new("account_txs");

/// Set once every stored block is in the index.
const META_INDEXED: &str = "account_txs_complete";

/// Indexes the transactions of the block at `height` (inside its commit).
pub(crate) fn index_block(w: &WriteTransaction, height: u64, txs: &[ChainTx]) -> Result<(), StorageError> {
    let mut t = w.open_table(ACCOUNT_TXS)?;
    for (i, tx) in txs.iter().enumerate() {
        t.insert((&tx.sender().0, height, i as u32), ())?;
    }
    Ok(())
}

/// Indexes every stored block, once per database (a no-op when the index is complete).
pub(crate) fn backfill(db: &Database) -> Result<(), StorageError> {
    if db.begin_read()?.open_table(META)?.get(META_INDEXED)?.is_some() {
        return Ok(());
    }
    let w = db.begin_write()?;
    {
        let mut meta = w.open_table(META)?;
        let head = match meta.get(META_HEAD)? {
            Some(v) => {
                let b: [u8; 8] = v
                    .value()
                    .try_into()
                    .map_err(|_| StorageError::Corrupt { table: "meta", reason: "head is not 8 bytes".into() })?;
                Some(u64::from_le_bytes(b))
            }
            None => None,
        };
        if let Some(head) = head {
            let blocks = w.open_table(BLOCK_TXS)?;
            let mut index = w.open_table(ACCOUNT_TXS)?;
            for item in blocks.range((0, 0)..=(head, u32::MAX))? {
                let (key, chunk) = item?;
                let (height, chunk_no) = key.value();
                for (i, bytes) in unpack("block_txs", chunk.value())?.into_iter().enumerate() {
                    let tx = ChainTx::decode(bytes).map_err(corrupt("block_txs"))?;
                    index.insert((&tx.sender().0, height, chunk_no * crate::CHUNK as u32 + i as u32), ())?;
                }
            }
        }
        meta.insert(META_INDEXED, [1u8].as_slice())?;
    }
    w.commit()?;
    Ok(())
}

/// A page of an account's transactions ([`StoreReader::account_transactions`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountTxPage {
    /// Newest first: where each transaction is and its hash.
    pub transactions: Vec<(TxLocation, H256)>,
    /// Pass as `before` for the next (older) page; `None` after the account's first transaction.
    pub next_before: Option<TxLocation>,
}

impl StoreReader {
    /// Up to `limit` transactions sent by `account`, newest first, strictly before the position
    /// `before` (from the newest when `None`).
    pub fn account_transactions(
        &self,
        account: &Address,
        before: Option<TxLocation>,
        limit: usize,
    ) -> Result<AccountTxPage, StorageError> {
        let t = self.txn.open_table(ACCOUNT_TXS)?;
        let hashes = self.txn.open_table(TX_HASHES)?;
        let start = (&account.0, 0u64, 0u32);
        let mut out = Vec::new();
        let mut more = false;
        let range = match before {
            Some(b) => t.range(start..(&account.0, b.height, b.index))?,
            None => t.range(start..=(&account.0, u64::MAX, u32::MAX))?,
        };
        for item in range.rev() {
            let (key, _) = item?;
            let (_, height, index) = key.value();
            if out.len() == limit {
                more = true;
                break;
            }
            let all = hashes.get(height)?.ok_or_else(|| StorageError::Corrupt {
                table: "tx_hashes",
                reason: format!("no hashes for indexed block {height}"),
            })?;
            let at = index as usize * 32;
            let hash: [u8; 32] =
                all.value().get(at..at + 32).and_then(|h| h.try_into().ok()).ok_or_else(|| StorageError::Corrupt {
                    table: "tx_hashes",
                    reason: format!("block {height} has no transaction {index}"),
                })?;
            out.push((TxLocation { height, index }, H256(hash)));
        }
        let next_before = if more { out.last().map(|(loc, _)| *loc) } else { None };
        Ok(AccountTxPage { transactions: out, next_before })
    }
}
