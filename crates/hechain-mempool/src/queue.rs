//! What the pool holds: each sender's pending transactions in nonce order, split into *ready*
//! ones (contiguous from the committed nonce: a block can take them) and *queued* ones (after a
//! gap: they wait for the missing nonce), and the pool-wide indexes kept in step with them.
//!
//! Every removal goes through [`Inner::remove`], so the counts (all, queued), the offer index,
//! the hash index and the module keys cannot drift apart.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

use hechain_types::{Address, ChainTx, H256};

/// A pooled transaction.
pub(crate) struct Entry {
    pub(crate) hash: H256,
    pub(crate) tx: ChainTx,
    /// Most it can take from the sender's balance (value and fee).
    pub(crate) cost: u128,
    /// The fee it offers ([`offer_of`]): what replacement and eviction compare.
    pub(crate) offer: u128,
    /// When it was admitted (queued transactions expire).
    pub(crate) since: Instant,
}

/// The fee a transaction offers the chain: a native transaction's fee, an Ethereum
/// transaction's gas limit × max fee per gas.
pub(crate) fn offer_of(tx: &ChainTx) -> u128 {
    match tx {
        ChainTx::Native(t) => t.tx.fee as u128,
        ChainTx::Ethereum(t) => (t.gas_limit() as u128).saturating_mul(t.max_fee_per_gas()),
    }
}

/// One sender's pending transactions.
pub(crate) struct SenderQueue {
    /// Committed nonce when last read.
    pub(crate) next_nonce: u64,
    /// Committed balance when last read.
    pub(crate) balance: u128,
    /// Pending transactions by nonce (none below `next_nonce`).
    pub(crate) txs: BTreeMap<u64, Entry>,
    /// Sum of pending costs.
    pub(crate) pending_cost: u128,
    /// The first nonce from `next_nonce` on with no transaction: those below are ready, those
    /// above are queued.
    pub(crate) ready_end: u64,
}

impl SenderQueue {
    pub(crate) fn new(next_nonce: u64, balance: u128) -> Self {
        Self { next_nonce, balance, txs: BTreeMap::new(), pending_cost: 0, ready_end: next_nonce }
    }

    /// How many of its transactions wait behind a nonce gap.
    pub(crate) fn queued(&self) -> usize {
        self.txs.len().saturating_sub(self.ready_end.saturating_sub(self.next_nonce) as usize)
    }

    /// Moves `ready_end` past the transactions now contiguous with it.
    pub(crate) fn extend_ready(&mut self) {
        self.ready_end = self.ready_end.max(self.next_nonce);
        while self.txs.contains_key(&self.ready_end) {
            self.ready_end += 1;
        }
    }

    /// Recomputes `ready_end` from the committed nonce (after a removal below it).
    pub(crate) fn recount_ready(&mut self) {
        self.ready_end = self.next_nonce;
        self.extend_ready();
    }
}

/// Hashes of recently committed transactions. A copy that arrives late (gossip behind
/// consensus) is refused as a duplicate *before* its signature is checked again.
#[derive(Default)]
pub(crate) struct Recent {
    order: std::collections::VecDeque<H256>,
    pub(crate) set: HashSet<H256>,
}

impl Recent {
    const CAPACITY: usize = 1 << 18;

    pub(crate) fn insert(&mut self, h: H256) {
        if self.set.insert(h) {
            self.order.push_back(h);
            if self.order.len() > Self::CAPACITY {
                if let Some(old) = self.order.pop_front() {
                    self.set.remove(&old);
                }
            }
        }
    }
}

/// The pool's contents, under its lock.
#[derive(Default)]
pub(crate) struct Inner {
    pub(crate) senders: BTreeMap<Address, SenderQueue>,
    pub(crate) by_hash: HashMap<H256, (Address, u64)>,
    pub(crate) recent: Recent,
    /// The module keys of pending payloads ([`hechain_types::Payload::pool_key`]).
    pub(crate) module_keys: HashSet<(&'static str, Vec<u8>)>,
    /// Every pooled transaction by (offer, sender, nonce): the cheapest is evicted first.
    pub(crate) by_offer: BTreeSet<(u128, Address, u64)>,
    pub(crate) count: usize,
    /// How many pooled transactions are queued (behind a nonce gap).
    pub(crate) queued: usize,
    /// Round-robin start for the next block.
    pub(crate) cursor: Option<Address>,
    /// When queued transactions were last checked for expiry.
    pub(crate) last_sweep: Option<Instant>,
}

/// The module key a native transaction's payload holds while pending, if any.
pub(crate) fn pool_key_of(tx: &ChainTx) -> Option<(&'static str, hechain_module::PoolKey)> {
    match tx {
        ChainTx::Native(t) => t.tx.payload.pool_key(),
        ChainTx::Ethereum(_) => None,
    }
}

impl Inner {
    /// Adds `e` at `nonce` to `sender`'s queue (which must exist and have no entry there).
    pub(crate) fn insert(&mut self, sender: Address, nonce: u64, e: Entry) {
        let Some(q) = self.senders.get_mut(&sender) else { return };
        let before = q.queued();
        q.pending_cost = q.pending_cost.saturating_add(e.cost);
        self.by_hash.insert(e.hash, (sender, nonce));
        self.by_offer.insert((e.offer, sender, nonce));
        if let Some((module, k)) = pool_key_of(&e.tx) {
            self.module_keys.insert((module, k.key));
        }
        q.txs.insert(nonce, e);
        q.extend_ready();
        self.queued = self.queued + q.queued() - before;
        self.count += 1;
    }

    /// Removes `sender`'s transaction at `nonce`, if pooled, keeping every index in step; drops
    /// the sender's queue when it empties (the next admission reads its account afresh).
    pub(crate) fn remove(&mut self, sender: Address, nonce: u64) -> Option<Entry> {
        let q = self.senders.get_mut(&sender)?;
        let before = q.queued();
        let e = q.txs.remove(&nonce)?;
        if nonce + 1 == q.ready_end {
            // The last ready one (eviction goes highest first): O(1).
            q.ready_end = nonce;
        } else if nonce < q.ready_end {
            q.recount_ready();
        }
        q.pending_cost = q.pending_cost.saturating_sub(e.cost);
        let (after, empty) = (q.queued(), q.txs.is_empty());
        self.settle(sender, before, after, empty, [(nonce, &e)]);
        Some(e)
    }

    /// The pool-wide bookkeeping after entries left `sender`'s queue (whose queued count went
    /// from `before` to `after`): the indexes forget them, the counts follow, an empty queue goes.
    fn settle<'e>(
        &mut self,
        sender: Address,
        before: usize,
        after: usize,
        empty: bool,
        gone: impl IntoIterator<Item = (u64, &'e Entry)>,
    ) {
        self.queued = self.queued + after - before;
        for (nonce, e) in gone {
            self.by_hash.remove(&e.hash);
            self.by_offer.remove(&(e.offer, sender, nonce));
            if let Some((module, k)) = pool_key_of(&e.tx) {
                self.module_keys.remove(&(module, k.key));
            }
            self.count -= 1;
        }
        if empty {
            self.senders.remove(&sender);
        }
    }

    /// After a block: `sender`'s committed account is `acc`; drops its transactions whose nonce
    /// is used, and those of `included` (nonces the block carried) that failed without using
    /// their nonce — they would only fail again.
    pub(crate) fn committed(&mut self, sender: Address, acc: hechain_types::Account, included: &[u64]) {
        let Some(q) = self.senders.get_mut(&sender) else { return };
        let before = q.queued();
        // Used nonces go in one split; included-but-unused ones (rare) one by one.
        let keep = q.txs.split_off(&acc.nonce);
        let mut dropped: Vec<(u64, Entry)> = std::mem::replace(&mut q.txs, keep).into_iter().collect();
        let unused: Vec<(u64, Entry)> =
            included.iter().filter(|n| **n >= acc.nonce).filter_map(|n| q.txs.remove(n).map(|e| (*n, e))).collect();
        q.next_nonce = acc.nonce;
        q.balance = acc.balance;
        if unused.is_empty() {
            q.extend_ready();
        } else {
            q.recount_ready();
        }
        dropped.extend(unused);
        for (_, e) in &dropped {
            q.pending_cost = q.pending_cost.saturating_sub(e.cost);
        }
        let (after, empty) = (q.queued(), q.txs.is_empty());
        self.settle(sender, before, after, empty, dropped.iter().map(|(n, e)| (*n, e)));
    }

    /// Removes `sender`'s transactions from `nonce` on (those that depend on it); how many.
    pub(crate) fn remove_from(&mut self, sender: Address, nonce: u64) -> usize {
        let nonces: Vec<u64> =
            self.senders.get(&sender).map(|q| q.txs.range(nonce..).map(|(n, _)| *n).collect()).unwrap_or_default();
        // Highest first, so no removal turns the ones after it into queued ones.
        nonces.iter().rev().filter(|n| self.remove(sender, **n).is_some()).count()
    }

    /// The cheapest pooled transaction offering less than `offer`, not of `sender`: what a
    /// full pool evicts to make room for a better-paying transaction.
    pub(crate) fn cheapest_below(&self, offer: u128, sender: &Address) -> Option<(Address, u64)> {
        self.by_offer.iter().take_while(|(o, _, _)| *o < offer).find(|(_, s, _)| s != sender).map(|(_, s, n)| (*s, *n))
    }

    /// Removes queued transactions older than `lifetime` (at most once a second); how many.
    pub(crate) fn expire_queued(&mut self, lifetime: Duration, now: Instant) -> usize {
        if self.queued == 0 || self.last_sweep.is_some_and(|t| now.duration_since(t) < Duration::from_secs(1)) {
            return 0;
        }
        self.last_sweep = Some(now);
        let stale: Vec<(Address, u64)> = self
            .senders
            .iter()
            .filter(|(_, q)| q.queued() > 0)
            .flat_map(|(s, q)| {
                q.txs
                    .range(q.ready_end..)
                    .filter(|(_, e)| now.duration_since(e.since) >= lifetime)
                    .map(|(n, _)| (*s, *n))
            })
            .collect();
        stale.into_iter().rev().filter(|(s, n)| self.remove(*s, *n).is_some()).count()
    }

    /// Whether every index agrees with the sender queues (for tests: O(pool size)).
    pub(crate) fn audit(&self) -> Result<(), String> {
        let mut count = 0;
        let mut queued = 0;
        for (s, q) in &self.senders {
            if q.txs.is_empty() {
                return Err(format!("{s}: empty queue kept"));
            }
            if q.txs.range(..q.next_nonce).next().is_some() {
                return Err(format!("{s}: a used nonce is still pooled"));
            }
            let mut end = q.next_nonce;
            while q.txs.contains_key(&end) {
                end += 1;
            }
            if end != q.ready_end {
                return Err(format!("{s}: ready_end {} but the first gap is at {end}", q.ready_end));
            }
            let cost: u128 = q.txs.values().map(|e| e.cost).sum();
            if cost != q.pending_cost {
                return Err(format!("{s}: pending cost {} but the entries cost {cost}", q.pending_cost));
            }
            for (n, e) in &q.txs {
                if self.by_hash.get(&e.hash) != Some(&(*s, *n)) || !self.by_offer.contains(&(e.offer, *s, *n)) {
                    return Err(format!("{s}: nonce {n} is missing from an index"));
                }
            }
            count += q.txs.len();
            queued += q.queued();
        }
        if (count, queued) != (self.count, self.queued) || self.by_hash.len() != count || self.by_offer.len() != count {
            return Err(format!(
                "counts: {count} pooled, {queued} queued; kept {} / {} (hashes {}, offers {})",
                self.count,
                self.queued,
                self.by_hash.len(),
                self.by_offer.len()
            ));
        }
        Ok(())
    }
}
