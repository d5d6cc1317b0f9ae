//! The index of each account's transactions (`StoreReader::account_transactions`): written with
//! every block, read newest first in pages that never skip or repeat, failed transactions
//! included, and rebuilt once from the blocks of a database written before the index existed.

use hechain_crypto::Suite;
use hechain_testkit::exec::{commit, env, reopen, reopen_after, tx, Env};
use hechain_types::{Address, Payload, TransferCall, TxLocation, H256};

fn transfer(e: &Env, from: usize, nonce: u64, amount: u128) -> hechain_types::SignedTransaction {
    tx(e, from, nonce, 0, Payload::Transfer(TransferCall::Transfer { to: Address([9; 20]), amount }))
}

fn sender(e: &Env, i: usize) -> Address {
    Address(e.keys[i].address())
}

/// Every transaction of `who`, newest first, read `page` at a time.
fn all_pages(e: &Env, who: &Address, page: usize) -> Vec<(TxLocation, H256)> {
    let r = e.store.reader().unwrap();
    let (mut out, mut before) = (Vec::new(), None);
    loop {
        let p = r.account_transactions(who, before, page).unwrap();
        assert!(p.transactions.len() <= page);
        out.extend(p.transactions);
        match p.next_before {
            Some(b) => before = Some(b),
            None => return out,
        }
    }
}

/// Blocks 1..=3: account 0 sends 3, 2 and 1 transfers (the last too large: it fails, and is
/// still the account's transaction); account 1 one in block 2.
fn chain() -> (Env, Vec<H256>) {
    let e = env(Suite::Standard, 0);
    let mut mine = Vec::new();
    for (block, n) in [(0u64, 3u64), (1, 2), (2, 1)] {
        let start = [0, 3, 5][block as usize];
        let mut txs: Vec<_> =
            (0..n).map(|i| transfer(&e, 0, start + i, if block == 2 { 1 << 60 } else { 1 })).collect();
        if block == 1 {
            txs.insert(1, transfer(&e, 1, 0, 1));
        }
        mine.extend(txs.iter().filter(|t| t.tx.sender == sender(&e, 0)).map(|t| t.hash(Suite::Standard)));
        commit(&e, txs);
    }
    mine.reverse(); // newest first
    (e, mine)
}

#[test]
fn pages_list_an_accounts_transactions_newest_first() {
    let (e, mine) = chain();
    for page in [1, 2, 4, 100] {
        let got = all_pages(&e, &sender(&e, 0), page);
        assert_eq!(got.iter().map(|(_, h)| *h).collect::<Vec<_>>(), mine, "pages of {page}");
        // Positions are the transactions' real places.
        for (loc, hash) in &got {
            assert_eq!(e.store.reader().unwrap().tx_location(hash).unwrap(), Some(*loc));
        }
    }
    let theirs = all_pages(&e, &sender(&e, 1), 10);
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].0, TxLocation { height: 2, index: 1 });
    assert!(all_pages(&e, &Address([7; 20]), 10).is_empty());
    // `before` a whole block (index 0): only older blocks.
    let r = e.store.reader().unwrap();
    let older = r.account_transactions(&sender(&e, 0), Some(TxLocation { height: 2, index: 0 }), 10).unwrap();
    assert_eq!(older.transactions.len(), 3);
    assert!(older.transactions.iter().all(|(l, _)| l.height == 1));
}

#[test]
fn a_database_from_before_the_index_is_indexed_when_opened() {
    let (e, mine) = chain();
    let e = reopen_after(e, |path| {
        // What an older hechain wrote: no index table and no completion mark.
        let db = redb::Database::open(path).unwrap();
        let w = db.begin_write().unwrap();
        assert!(w.delete_table(redb::TableDefinition::<(&[u8; 20], u64, u32), ()>::new("account_txs")).unwrap());
        w.open_table(redb::TableDefinition::<&str, &[u8]>::new("meta"))
            .unwrap()
            .remove("account_txs_complete")
            .unwrap();
        w.commit().unwrap();
    });
    // Opening again finds the index complete and leaves it as it is.
    let e = reopen(e);
    assert_eq!(all_pages(&e, &sender(&e, 0), 2).into_iter().map(|(_, h)| h).collect::<Vec<_>>(), mine);
    // And blocks committed after it are indexed as they come.
    commit(&e, vec![transfer(&e, 0, 6, 1)]);
    assert_eq!(all_pages(&e, &sender(&e, 0), 3).len(), mine.len() + 1);
}
