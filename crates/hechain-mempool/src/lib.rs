//! The transaction pool.
//!
//! Admission ([`Mempool::admit_batch`]) checks every transaction before it
//! may use memory or block space, and refuses it with a specific
//! [`AdmitError`]: bad signature, wrong chain id, fee too low, nonce too low,
//! nonce gap too large, insufficient balance, oversize, duplicate, a service module's refusal
//! (evidence already stored or pending, …), or pool full (back-pressure: the pool never grows past
//! its capacity; clients retry later).
//!
//! Signatures of a batch are verified in parallel on the rayon pool, outside
//! the pool lock. A transaction already pooled, or committed recently, is refused
//! as a duplicate before its signature is checked, so each node checks each
//! signature once however often gossip and proposals deliver it. Per sender,
//! transactions are kept in nonce order; a block takes only *ready* transactions
//! (contiguous from the sender's committed nonce), round-robin across senders.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

mod error;
mod queue;
mod state;

use hechain_crypto::Suite;
use hechain_types::{Account, Address, ChainParams, ChainTx, Codec, EthTransaction, Payload, H256};
use parking_lot::Mutex;
use rayon::prelude::*;

pub use error::AdmitError;
pub use state::StoreState;

use queue::{offer_of, pool_key_of, Entry, Inner, SenderQueue};

/// Committed state the pool checks against.
pub trait StateSource {
    /// The committed account (zero account if absent).
    fn account(&self, addr: &Address) -> Result<Account, String>;
    /// The owning module's refusal of a native payload against committed state (evidence whose
    /// hash is already stored, …), if any.
    fn module_refusal(&self, payload: &Payload) -> Result<Option<hechain_module::Refusal>, String>;
    /// If the rules in force refuse the transaction (frozen sender or recipient contract, a
    /// permission it lacks): the reason.
    fn policy_refusal(&self, tx: &ChainTx) -> Result<Option<String>, String>;
    /// The chain parameters in force (governance may change them).
    fn params(&self) -> Result<ChainParams, String>;
}

/// Pool limits (the `[pool]` section of a node's configuration file; defaults in
/// `docs/api.md`).
///
/// A *queued* transaction waits behind a nonce gap (its sender's earlier nonce has not arrived):
/// no block can take it, so queued ones are capped per sender and in all, and expire. When the
/// pool is full, a transaction offering a higher fee evicts the cheapest one (with the later
/// nonces of that sender, which depend on it); a transaction offering at least
/// `price_bump_percent` more than a pending one of the same sender and nonce replaces it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MempoolConfig {
    /// Most transactions held at once (default 200 000).
    pub capacity: usize,
    /// Most pending transactions per sender (default 10 000).
    pub max_per_sender: usize,
    /// How far ahead of the account nonce a transaction may be (default 10 000).
    pub max_nonce_gap: u64,
    /// Most queued transactions per sender (default 64).
    pub max_queued_per_sender: usize,
    /// Most queued transactions in all (default 4096).
    pub max_queued: usize,
    /// How long a transaction may stay queued, in milliseconds (default 120 000).
    pub queued_lifetime_ms: u64,
    /// How much more a replacement must offer than the transaction it replaces, in percent
    /// (default 10).
    pub price_bump_percent: u64,
}

impl Default for MempoolConfig {
    fn default() -> Self {
        Self {
            capacity: 200_000,
            max_per_sender: 10_000,
            max_nonce_gap: 10_000,
            max_queued_per_sender: 64,
            max_queued: 4096,
            queued_lifetime_ms: 120_000,
            price_bump_percent: 10,
        }
    }
}

/// An entry that passed the stateful checks, with the sender's account as the pool last read it.
struct Admitted {
    entry: Entry,
    next_nonce: u64,
    balance: u128,
}

/// A transaction that passed the stateless checks, with its hash.
pub struct Checked {
    hash: H256,
    tx: ChainTx,
}

impl Checked {
    /// The transaction hash and the transaction.
    pub fn into_parts(self) -> (H256, ChainTx) {
        (self.hash, self.tx)
    }
}

/// The transaction pool.
pub struct Mempool {
    suite: Suite,
    chain_id: u64,
    params: parking_lot::RwLock<ChainParams>,
    config: MempoolConfig,
    inner: Mutex<Inner>,
    /// Why the pool admits nothing any more ([`Self::close`]).
    closed: parking_lot::RwLock<Option<String>>,
    /// Transactions refused so far, by [`AdmitError::code`] (for the node's metrics).
    refused: Mutex<std::collections::BTreeMap<&'static str, u64>>,
}

/// Most a transaction can take from its sender's balance.
fn cost_of(tx: &ChainTx) -> u128 {
    match tx {
        ChainTx::Native(t) => t.tx.payload.amount().saturating_add(t.tx.fee as u128),
        ChainTx::Ethereum(t) => t.max_cost(),
    }
}

/// Intrinsic gas of every Ethereum transaction.
pub const TX_BASE_GAS: u64 = 21_000;

impl Mempool {
    /// An empty pool for a chain.
    pub fn new(suite: Suite, chain_id: u64, params: ChainParams, config: MempoolConfig) -> Self {
        Self {
            suite,
            chain_id,
            params: parking_lot::RwLock::new(params),
            config,
            inner: Mutex::new(Inner::default()),
            closed: parking_lot::RwLock::new(None),
            refused: Mutex::new(std::collections::BTreeMap::new()),
        }
    }

    /// The chain parameters the pool admits by (those in force at the last committed block).
    pub fn params(&self) -> ChainParams {
        self.params.read().clone()
    }

    /// Refuses every transaction from now on with [`AdmitError::State`] and `why` (the node
    /// cannot commit blocks any more: acknowledging a transaction would promise what it cannot
    /// keep).
    /// Why the pool was closed ([`Self::close`]), if it was.
    pub fn closed_reason(&self) -> Option<String> {
        self.closed.read().clone()
    }

    pub fn close(&self, why: String) {
        *self.closed.write() = Some(why);
    }

    /// Number of pooled transactions.
    pub fn len(&self) -> usize {
        self.inner.lock().count
    }

    /// Checks that the pool's indexes (by hash, by offer, counts of pooled and queued
    /// transactions, each sender's ready run and pending cost) agree with its queues; the first
    /// disagreement found. O(pool size): for tests.
    pub fn audit(&self) -> Result<(), String> {
        self.inner.lock().audit()
    }

    /// Whether the pool is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether a transaction is pending.
    pub fn contains(&self, hash: &H256) -> bool {
        self.inner.lock().by_hash.contains_key(hash)
    }

    /// Whether a transaction with this hash was committed recently (see [`Self::on_committed`]).
    pub fn recently_committed(&self, hash: &H256) -> bool {
        self.inner.lock().recent.set.contains(hash)
    }

    /// Whether a transaction is pending or was committed recently.
    fn known(&self, hash: &H256) -> bool {
        let inner = self.inner.lock();
        inner.by_hash.contains_key(hash) || inner.recent.set.contains(hash)
    }

    /// A pending transaction by hash.
    pub fn get(&self, hash: &H256) -> Option<ChainTx> {
        let inner = self.inner.lock();
        let (sender, nonce) = inner.by_hash.get(hash)?;
        inner.senders.get(sender)?.txs.get(nonce).map(|e| e.tx.clone())
    }

    /// The next nonce a new transaction of `addr` should use, counting
    /// pending ones (`None` if the pool has nothing of that sender).
    pub fn pending_nonce(&self, addr: &Address) -> Option<u64> {
        let inner = self.inner.lock();
        let q = inner.senders.get(addr)?;
        let mut n = q.next_nonce;
        while q.txs.contains_key(&n) {
            n += 1;
        }
        Some(n)
    }

    /// Stateless checks (size, chain id, fee or gas rules, payload, signature) for one
    /// transaction. CPU-heavy: call from a blocking/rayon context.
    /// A transaction already pooled is refused as a duplicate before its signature is checked
    /// (gossip delivers the same transaction more than once).
    pub fn check_stateless(&self, tx: ChainTx) -> Result<Checked, AdmitError> {
        // Brief reads of the parameters: no lock is held across the signature check below.
        let max = self.params.read().max_tx_bytes as usize;
        let (size, hash) = match &tx {
            ChainTx::Native(t) => {
                let bytes = t.encode();
                (bytes.len(), H256(self.suite.hash(&bytes)))
            }
            ChainTx::Ethereum(t) => (t.raw().len(), t.hash()),
        };
        if size > max {
            return Err(AdmitError::Oversize { size, max });
        }
        if self.known(&hash) {
            return Err(AdmitError::Duplicate(hash));
        }
        let chain_id = tx.chain_id().unwrap_or(0);
        if chain_id != self.chain_id {
            return Err(AdmitError::WrongChainId { expected: self.chain_id, got: chain_id });
        }
        match &tx {
            ChainTx::Native(t) => {
                // Fee-exempt calls (`ModuleCall::fee_exempt`): governance, anonymous votes.
                let min_fee = self.params.read().min_fee;
                if t.tx.fee < min_fee && !t.tx.payload.fee_exempt() {
                    return Err(AdmitError::FeeTooLow { min: min_fee, got: t.tx.fee });
                }
                t.tx.payload.validate().map_err(|e| AdmitError::InvalidPayload(e.to_string()))?;
            }
            ChainTx::Ethereum(t) => check_eth_rules(&self.params.read(), t)?,
        }
        verify_signature(&tx, self.suite)?;
        // The costliest check last, once the sender has proven who it is.
        if let ChainTx::Native(t) = &tx {
            t.tx.payload.verify_proofs().map_err(|e| AdmitError::InvalidPayload(e.to_string()))?;
        }
        Ok(Checked { hash, tx })
    }

    /// Admits a batch: stateless checks in parallel, then the stateful ones
    /// under the pool lock. One result per input, in order.
    ///
    /// Transactions beyond the pool's free room that could not evict anything (they offer no
    /// more than the cheapest pooled transaction) are refused with [`AdmitError::PoolFull`]
    /// *before* their signatures are checked, so an overloaded node spends no CPU on work it
    /// cannot keep.
    pub fn admit_batch(&self, txs: Vec<ChainTx>, state: &dyn StateSource) -> Vec<Result<H256, AdmitError>> {
        let results = self.admit_batch_uncounted(txs, state);
        if results.iter().any(Result::is_err) {
            let mut refused = self.refused.lock();
            for e in results.iter().filter_map(|r| r.as_ref().err()) {
                *refused.entry(e.code()).or_default() += 1;
            }
        }
        results
    }

    /// Transactions refused so far by [`Self::admit_batch`], by reason ([`AdmitError::code`]).
    pub fn refusals(&self) -> Vec<(&'static str, u64)> {
        self.refused.lock().iter().map(|(k, v)| (*k, *v)).collect()
    }

    fn admit_batch_uncounted(&self, txs: Vec<ChainTx>, state: &dyn StateSource) -> Vec<Result<H256, AdmitError>> {
        if let Some(why) = self.closed.read().clone() {
            return txs.iter().map(|_| Err(AdmitError::State(why.clone()))).collect();
        }
        let (room, cheapest) = {
            let inner = self.inner.lock();
            (self.config.capacity.saturating_sub(inner.count), inner.by_offer.first().map(|(o, _, _)| *o))
        };
        let full = AdmitError::PoolFull { capacity: self.config.capacity };
        let mut left = room;
        let check = |t: ChainTx, left: &mut usize| -> Option<ChainTx> {
            if *left > 0 {
                *left -= 1;
                Some(t)
            } else {
                cheapest.is_some_and(|c| offer_of(&t) > c).then_some(t)
            }
        };
        let plan: Vec<Option<ChainTx>> = txs.into_iter().map(|t| check(t, &mut left)).collect();
        let run = |t: Option<ChainTx>| t.map(|t| self.check_stateless(t)).unwrap_or_else(|| Err(full.clone()));
        let checked: Vec<Result<Checked, AdmitError>> =
            if plan.len() > 16 { plan.into_par_iter().map(run).collect() } else { plan.into_iter().map(run).collect() };
        self.insert_checked(checked, state)
    }

    /// Whether this very transaction is pooled: same hash and, for an Ethereum transaction
    /// (whose hash does not cover the sender it claims), the same sender. A pooled transaction
    /// passed every admission check, its signature included.
    pub fn contains_tx(&self, hash: &H256, tx: &ChainTx) -> bool {
        let inner = self.inner.lock();
        inner.by_hash.get(hash).is_some_and(|(sender, _)| *sender == tx.sender())
    }

    /// Stateful admission of already-checked transactions.
    pub fn insert_checked(
        &self,
        checked: Vec<Result<Checked, AdmitError>>,
        state: &dyn StateSource,
    ) -> Vec<Result<H256, AdmitError>> {
        if let Some(why) = self.closed.read().clone() {
            return checked.iter().map(|_| Err(AdmitError::State(why.clone()))).collect();
        }
        let mut inner = self.inner.lock();
        let lifetime = Duration::from_millis(self.config.queued_lifetime_ms);
        let expired = inner.expire_queued(lifetime, Instant::now());
        if expired > 0 {
            tracing::debug!(expired, "pool: queued transactions expired");
        }
        checked.into_iter().map(|c| c.and_then(|c| self.insert_one(&mut inner, c, state))).collect()
    }

    fn insert_one(&self, inner: &mut Inner, c: Checked, state: &dyn StateSource) -> Result<H256, AdmitError> {
        if inner.by_hash.contains_key(&c.hash) {
            return Err(AdmitError::Duplicate(c.hash));
        }
        let sender = c.tx.sender();
        let nonce = c.tx.nonce();
        let offer = offer_of(&c.tx);
        let full = AdmitError::PoolFull { capacity: self.config.capacity };
        let replacing = inner.senders.get(&sender).is_some_and(|q| q.txs.contains_key(&nonce));
        if inner.count >= self.config.capacity && !replacing && inner.cheapest_below(offer, &sender).is_none() {
            return Err(full);
        }
        if let std::collections::btree_map::Entry::Vacant(slot) = inner.senders.entry(sender) {
            let acc = state.account(&sender).map_err(AdmitError::State)?;
            slot.insert(SenderQueue::new(acc.nonce, acc.balance));
        }
        let entry = match self.admit_to_queue(inner, c, offer, state) {
            Ok(e) => e,
            Err(e) => {
                // A queue made for a transaction that was then refused holds nothing.
                if inner.senders.get(&sender).is_some_and(|q| q.txs.is_empty()) {
                    inner.senders.remove(&sender);
                }
                return Err(e);
            }
        };
        let replaced = inner.senders.get(&sender).and_then(|q| q.txs.get(&nonce)).is_some();
        if replaced {
            inner.remove(sender, nonce);
            // A queue emptied by the removal is made again, from the cached account.
            inner.senders.entry(sender).or_insert_with(|| SenderQueue::new(entry.next_nonce, entry.balance));
        } else if inner.count >= self.config.capacity {
            let (s, n) = inner.cheapest_below(offer, &sender).ok_or(full)?;
            let evicted = inner.remove_from(s, n);
            tracing::debug!(sender = %s, nonce = n, evicted, "pool full: cheaper transactions evicted");
            inner.senders.entry(sender).or_insert_with(|| SenderQueue::new(entry.next_nonce, entry.balance));
        }
        let hash = entry.entry.hash;
        inner.insert(sender, nonce, entry.entry);
        Ok(hash)
    }

    /// The checks against the sender's queue and the module and policy rules; the entry to
    /// insert (the caller replaces or evicts to make room for it).
    fn admit_to_queue(
        &self,
        inner: &Inner,
        c: Checked,
        offer: u128,
        state: &dyn StateSource,
    ) -> Result<Admitted, AdmitError> {
        let sender = c.tx.sender();
        let nonce = c.tx.nonce();
        if let Some(reason) = state.policy_refusal(&c.tx).map_err(AdmitError::State)? {
            let reason = reason.strip_prefix("not permitted: ").map_or(reason.clone(), str::to_string);
            return Err(AdmitError::NotPermitted(reason));
        }
        let q = inner.senders.get(&sender).ok_or_else(|| AdmitError::State("sender queue vanished".into()))?;
        let replacing = q.txs.get(&nonce);
        let pool_key = pool_key_of(&c.tx);
        if let Some((module, k)) = &pool_key {
            // The transaction it replaces may hold the same key.
            let own = replacing.and_then(|e| pool_key_of(&e.tx)).is_some_and(|(m, o)| m == *module && o.key == k.key);
            if !own && inner.module_keys.contains(&(*module, k.key.clone())) {
                let message = format!("{} is already pending in another transaction", k.what);
                return Err(AdmitError::Module { code: k.code, message });
            }
        }
        if let ChainTx::Native(t) = &c.tx {
            if let Some(r) = state.module_refusal(&t.tx.payload).map_err(AdmitError::State)? {
                return Err(AdmitError::Module { code: r.code, message: r.message });
            }
        }
        if nonce < q.next_nonce {
            return Err(AdmitError::NonceTooLow { expected: q.next_nonce, got: nonce });
        }
        if nonce - q.next_nonce > self.config.max_nonce_gap {
            return Err(AdmitError::NonceGapTooLarge {
                expected: q.next_nonce,
                got: nonce,
                max_gap: self.config.max_nonce_gap,
            });
        }
        match replacing {
            Some(old) => {
                let bump = old.offer.saturating_mul(self.config.price_bump_percent as u128) / 100;
                let required = old.offer.saturating_add(bump.max(1));
                if offer < required {
                    return Err(AdmitError::ReplacementUnderpriced { nonce, offered: offer, required });
                }
            }
            None => {
                if q.txs.len() >= self.config.max_per_sender {
                    return Err(AdmitError::SenderFull(q.txs.len()));
                }
                if nonce > q.ready_end {
                    let limit = self.config.max_queued_per_sender;
                    if q.queued() >= limit {
                        return Err(AdmitError::QueueFull { queued: q.queued(), limit, ready_end: q.ready_end });
                    }
                    if inner.queued >= self.config.max_queued {
                        return Err(AdmitError::QueueFull {
                            queued: inner.queued,
                            limit: self.config.max_queued,
                            ready_end: q.ready_end,
                        });
                    }
                }
            }
        }
        let cost = cost_of(&c.tx);
        let need = q.pending_cost.saturating_sub(replacing.map_or(0, |e| e.cost)).saturating_add(cost);
        if need > q.balance {
            return Err(AdmitError::InsufficientBalance { need, have: q.balance });
        }
        let entry = Entry { hash: c.hash, tx: c.tx, cost, offer, since: Instant::now() };
        Ok(Admitted { entry, next_nonce: q.next_nonce, balance: q.balance })
    }

    /// Up to `max` ready transactions (contiguous nonces from each sender's
    /// committed nonce), taken round-robin — one per sender per round — so a
    /// sender with a long queue cannot starve the others. Rounds start after
    /// the sender where the previous call stopped. The transactions stay
    /// pooled until [`Self::on_committed`] removes them.
    pub fn ready(&self, max: usize) -> Vec<(H256, ChainTx)> {
        self.ready_excluding(max, u64::MAX, &|_| false)
    }

    /// [`Self::ready`], passing over transactions for which `exclude` is true (e.g. those already
    /// in proposed but not yet committed blocks) as if they were taken: the sender's next
    /// nonces follow them. The declared gas of the result stays within `max_gas` (the block gas
    /// limit): a sender whose next transaction does not fit is passed over for this block.
    pub fn ready_excluding(&self, max: usize, max_gas: u64, exclude: &dyn Fn(&H256) -> bool) -> Vec<(H256, ChainTx)> {
        use std::ops::Bound::{Excluded, Unbounded};
        let mut inner = self.inner.lock();
        let (first, second) = match inner.cursor {
            Some(c) => (inner.senders.range((Excluded(c), Unbounded)), inner.senders.range(..=c)),
            None => (inner.senders.range(..), inner.senders.range(..Address::ZERO)),
        };
        // (sender, its queue, next nonce to take)
        let mut active: Vec<(Address, &SenderQueue, u64)> =
            first.chain(second).map(|(a, q)| (*a, q, q.next_nonce)).collect();
        let mut out = Vec::new();
        let mut gas_left = max_gas;
        let mut last = None;
        while out.len() < max && !active.is_empty() {
            active.retain_mut(|(addr, q, n)| {
                if out.len() >= max {
                    return true;
                }
                while q.txs.get(n).is_some_and(|e| exclude(&e.hash)) {
                    *n += 1;
                }
                match q.txs.get(n) {
                    Some(e) if e.tx.gas_limit() <= gas_left => {
                        gas_left -= e.tx.gas_limit();
                        out.push((e.hash, e.tx.clone()));
                        *n += 1;
                        last = Some(*addr);
                        true
                    }
                    _ => false,
                }
            });
        }
        if last.is_some() {
            inner.cursor = last;
        }
        out
    }

    /// After a block commits: `included` lists the block's transactions as
    /// (sender, nonce). Re-reads those senders' committed accounts, drops
    /// their transactions whose nonce is now used, and also drops included
    /// transactions that failed without using their nonce (they would only
    /// fail again); such a sender must resubmit that nonce. `committed` are the block's
    /// transaction hashes, remembered so that late copies are refused cheaply.
    pub fn on_committed(&self, included: &[(Address, u64)], committed: &[H256], state: &dyn StateSource) {
        let mut by_sender: BTreeMap<Address, Vec<u64>> = BTreeMap::new();
        for (a, n) in included {
            by_sender.entry(*a).or_default().push(*n);
        }
        if let Ok(p) = state.params() {
            *self.params.write() = p;
        }
        let mut inner = self.inner.lock();
        for h in committed {
            inner.recent.insert(*h);
        }
        for (s, nonces) in by_sender {
            if !inner.senders.contains_key(&s) {
                continue;
            }
            let Ok(acc) = state.account(&s) else { continue };
            inner.committed(s, acc, &nonces);
        }
        let lifetime = Duration::from_millis(self.config.queued_lifetime_ms);
        inner.expire_queued(lifetime, Instant::now());
    }
}

fn verify_signature(tx: &ChainTx, suite: Suite) -> Result<(), AdmitError> {
    tx.verify(suite).map_err(|e| match e {
        hechain_types::TypesError::BadSignature(m) => AdmitError::BadSignature(m),
        other => AdmitError::BadSignature(other.to_string()),
    })
}

/// The Ethereum rules a transaction must meet before it may wait in the pool (what Ethereum
/// nodes check at admission, with their messages).
pub fn check_eth_rules(params: &ChainParams, t: &EthTransaction) -> Result<(), AdmitError> {
    let gas = t.gas_limit();
    if gas > params.max_tx_gas || gas > params.block_gas_limit {
        return Err(AdmitError::InvalidGas(format!(
            "exceeds block gas limit: gas {gas}, the per-transaction limit is {}",
            params.max_tx_gas.min(params.block_gas_limit)
        )));
    }
    if gas < TX_BASE_GAS {
        return Err(AdmitError::InvalidGas(format!("intrinsic gas too low: have {gas}, want {TX_BASE_GAS}")));
    }
    let max_fee = t.max_fee_per_gas();
    if max_fee < params.base_fee_per_gas as u128 {
        return Err(AdmitError::Underpriced(format!(
            "max fee per gas less than block base fee: maxFeePerGas: {max_fee}, baseFee: {}",
            params.base_fee_per_gas
        )));
    }
    if let Some(tip) = t.max_priority_fee_per_gas() {
        if tip > max_fee {
            return Err(AdmitError::Underpriced(format!(
                "max priority fee per gas higher than max fee per gas: maxPriorityFeePerGas: {tip}, maxFeePerGas: {max_fee}"
            )));
        }
    }
    if t.to().is_none() {
        if !params.deploy.allows(&t.sender()) {
            return Err(AdmitError::NotPermitted(format!(
                "{} may not deploy contracts (the chain's deploy policy is an allow-list)",
                t.sender()
            )));
        }
        let max_init = 2 * params.max_code_size as usize;
        if t.input().len() > max_init {
            return Err(AdmitError::InvalidPayload(format!(
                "max initcode size exceeded: code size {}, limit {max_init}",
                t.input().len()
            )));
        }
    }
    Ok(())
}
