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

use std::collections::{BTreeMap, HashMap, HashSet};

use hechain_crypto::Suite;
use hechain_types::{Account, Address, ChainParams, ChainTx, Codec, EthTransaction, Payload, H256};
use parking_lot::Mutex;
use rayon::prelude::*;

/// Why a transaction was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdmitError {
    /// Signature missing, malformed, of the wrong scheme, or not by the sender.
    #[error("bad signature: {0}")]
    BadSignature(String),
    /// Transaction for another chain.
    #[error("wrong chain id: this chain is {expected}, the transaction says {got}")]
    WrongChainId {
        /// This chain.
        expected: u64,
        /// The transaction's.
        got: u64,
    },
    /// Fee below the chain minimum.
    #[error("fee too low: {got} offered, the minimum is {min}")]
    FeeTooLow {
        /// Minimum.
        min: u64,
        /// Offered.
        got: u64,
    },
    /// Nonce already used.
    #[error("nonce too low: the account's next nonce is {expected}, the transaction has {got}")]
    NonceTooLow {
        /// Next nonce.
        expected: u64,
        /// Offered.
        got: u64,
    },
    /// Nonce too far ahead of the account's next nonce.
    #[error("nonce gap too large: the account's next nonce is {expected}, the transaction has {got} (at most {max_gap} ahead is accepted)")]
    NonceGapTooLarge {
        /// Next nonce.
        expected: u64,
        /// Offered.
        got: u64,
        /// Allowed gap.
        max_gap: u64,
    },
    /// Another pending transaction of the sender has this nonce.
    #[error("nonce {0} of this sender is already pending")]
    NonceAlreadyPending(u64),
    /// Balance cannot cover fee and amount of this and the sender's pending transactions.
    #[error("insufficient balance: {need} needed (including pending transactions), {have} available")]
    InsufficientBalance {
        /// Needed.
        need: u128,
        /// Available.
        have: u128,
    },
    /// Encoded transaction too large.
    #[error("transaction too large: {size} bytes, the limit is {max}")]
    Oversize {
        /// Size.
        size: usize,
        /// Limit.
        max: usize,
    },
    /// Same transaction already pending.
    #[error("duplicate: transaction {0} is already pending")]
    Duplicate(H256),
    /// Payload rule broken (e.g. evidence metadata too long).
    #[error("invalid payload: {0}")]
    InvalidPayload(String),
    /// A service module refuses the payload (evidence whose hash is already stored or
    /// pending, …); `code` is the module's.
    #[error("{message}")]
    Module {
        /// Machine-readable code (`evidence_exists`, …).
        code: &'static str,
        /// What is wrong, naming the record it conflicts with.
        message: String,
    },
    /// Gas limit out of bounds (below the intrinsic 21,000, above the per-transaction cap, or
    /// too small for the contract creation).
    #[error("{0}")]
    InvalidGas(String),
    /// Gas price below the chain's base fee, or a priority fee above the max fee.
    #[error("{0}")]
    Underpriced(String),
    /// The sender may not do this (e.g. deploy contracts under an allow-list).
    #[error("not permitted: {0}")]
    NotPermitted(String),
    /// The pool is at capacity.
    #[error("transaction pool is full ({capacity} transactions); retry later")]
    PoolFull {
        /// Capacity.
        capacity: usize,
    },
    /// The sender has too many pending transactions.
    #[error("sender has {0} pending transactions, the per-sender limit")]
    SenderFull(usize),
    /// Reading chain state failed.
    #[error("state unavailable: {0}")]
    State(String),
}

impl AdmitError {
    /// Stable machine-readable code (used by the REST API).
    pub fn code(&self) -> &'static str {
        match self {
            AdmitError::BadSignature(_) => "bad_signature",
            AdmitError::WrongChainId { .. } => "wrong_chain_id",
            AdmitError::FeeTooLow { .. } => "fee_too_low",
            AdmitError::NonceTooLow { .. } => "nonce_too_low",
            AdmitError::NonceGapTooLarge { .. } => "nonce_gap_too_large",
            AdmitError::NonceAlreadyPending(_) => "nonce_already_pending",
            AdmitError::InsufficientBalance { .. } => "insufficient_balance",
            AdmitError::Oversize { .. } => "oversize",
            AdmitError::Duplicate(_) => "duplicate",
            AdmitError::InvalidPayload(_) => "invalid_payload",
            AdmitError::Module { code, .. } => code,
            AdmitError::InvalidGas(_) => "invalid_gas",
            AdmitError::Underpriced(_) => "underpriced",
            AdmitError::NotPermitted(_) => "not_permitted",
            AdmitError::PoolFull { .. } => "pool_full",
            AdmitError::SenderFull(_) => "sender_full",
            AdmitError::State(_) => "state_unavailable",
        }
    }

    /// Whether retrying the same transaction later may succeed (back-pressure).
    pub fn is_retryable(&self) -> bool {
        matches!(self, AdmitError::PoolFull { .. } | AdmitError::SenderFull(_) | AdmitError::State(_))
    }
}

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

/// Pool limits.
#[derive(Clone, Debug)]
pub struct MempoolConfig {
    /// Most transactions held at once.
    pub capacity: usize,
    /// Most pending transactions per sender.
    pub max_per_sender: usize,
    /// How far ahead of the account nonce a transaction may be.
    pub max_nonce_gap: u64,
}

impl Default for MempoolConfig {
    fn default() -> Self {
        Self { capacity: 200_000, max_per_sender: 10_000, max_nonce_gap: 10_000 }
    }
}

struct Entry {
    hash: H256,
    tx: ChainTx,
    cost: u128,
}

#[derive(Default)]
struct SenderQueue {
    /// Committed nonce when last read.
    next_nonce: u64,
    /// Committed balance when last read.
    balance: u128,
    /// Pending transactions by nonce.
    txs: BTreeMap<u64, Entry>,
    /// Sum of pending costs.
    pending_cost: u128,
}

/// Hashes of recently committed transactions. A copy that arrives late (gossip behind
/// consensus) is refused as a duplicate *before* its signature is checked again.
#[derive(Default)]
struct Recent {
    order: std::collections::VecDeque<H256>,
    set: HashSet<H256>,
}

impl Recent {
    const CAPACITY: usize = 1 << 18;

    fn insert(&mut self, h: H256) {
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

#[derive(Default)]
struct Inner {
    senders: BTreeMap<Address, SenderQueue>,
    by_hash: HashMap<H256, (Address, u64)>,
    recent: Recent,
    /// The module keys of pending payloads ([`hechain_types::Payload::pool_key`]).
    module_keys: HashSet<(&'static str, Vec<u8>)>,
    count: usize,
    /// Round-robin start for the next block.
    cursor: Option<Address>,
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
}

/// Most a transaction can take from its sender's balance.
fn cost_of(tx: &ChainTx) -> u128 {
    match tx {
        ChainTx::Native(t) => t.tx.payload.amount().saturating_add(t.tx.fee as u128),
        ChainTx::Ethereum(t) => t.max_cost(),
    }
}

/// The module key a native transaction's payload holds while pending, if any.
fn pool_key_of(tx: &ChainTx) -> Option<(&'static str, hechain_module::PoolKey)> {
    match tx {
        ChainTx::Native(t) => t.tx.payload.pool_key(),
        ChainTx::Ethereum(_) => None,
    }
}

/// Intrinsic gas of every Ethereum transaction.
pub const TX_BASE_GAS: u64 = 21_000;

impl Mempool {
    /// An empty pool for a chain.
    pub fn new(suite: Suite, chain_id: u64, params: ChainParams, config: MempoolConfig) -> Self {
        Self { suite, chain_id, params: parking_lot::RwLock::new(params), config, inner: Mutex::new(Inner::default()) }
    }

    /// The chain parameters the pool admits by (those in force at the last committed block).
    pub fn params(&self) -> ChainParams {
        self.params.read().clone()
    }

    /// Number of pooled transactions.
    pub fn len(&self) -> usize {
        self.inner.lock().count
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
                // Governance transactions are exempt: the committee can always lower the fee again.
                let min_fee = self.params.read().min_fee;
                if t.tx.fee < min_fee && t.tx.payload.module() != "governance" {
                    return Err(AdmitError::FeeTooLow { min: min_fee, got: t.tx.fee });
                }
                t.tx.payload.validate().map_err(|e| AdmitError::InvalidPayload(e.to_string()))?;
            }
            ChainTx::Ethereum(t) => check_eth_rules(&self.params.read(), t)?,
        }
        verify_signature(&tx, self.suite)?;
        Ok(Checked { hash, tx })
    }

    /// Admits a batch: stateless checks in parallel, then the stateful ones
    /// under the pool lock. One result per input, in order.
    ///
    /// Transactions beyond the pool's free room are refused with
    /// [`AdmitError::PoolFull`] *before* their signatures are checked, so an
    /// overloaded node spends no CPU on work it cannot keep.
    pub fn admit_batch(&self, txs: Vec<ChainTx>, state: &dyn StateSource) -> Vec<Result<H256, AdmitError>> {
        let room = self.config.capacity.saturating_sub(self.len());
        let mut txs = txs;
        let overflow = txs.len().saturating_sub(room);
        let kept = txs.len() - overflow;
        txs.truncate(kept);
        let mut checked: Vec<Result<Checked, AdmitError>> = if txs.len() > 16 {
            txs.into_par_iter().map(|t| self.check_stateless(t)).collect()
        } else {
            txs.into_iter().map(|t| self.check_stateless(t)).collect()
        };
        checked.extend((0..overflow).map(|_| Err(AdmitError::PoolFull { capacity: self.config.capacity })));
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
        let mut inner = self.inner.lock();
        checked.into_iter().map(|c| c.and_then(|c| self.insert_one(&mut inner, c, state))).collect()
    }

    fn insert_one(&self, inner: &mut Inner, c: Checked, state: &dyn StateSource) -> Result<H256, AdmitError> {
        if inner.by_hash.contains_key(&c.hash) {
            return Err(AdmitError::Duplicate(c.hash));
        }
        if inner.count >= self.config.capacity {
            return Err(AdmitError::PoolFull { capacity: self.config.capacity });
        }
        let sender = c.tx.sender();
        let nonce = c.tx.nonce();
        if let std::collections::btree_map::Entry::Vacant(slot) = inner.senders.entry(sender) {
            let acc = state.account(&sender).map_err(AdmitError::State)?;
            slot.insert(SenderQueue { next_nonce: acc.nonce, balance: acc.balance, ..SenderQueue::default() });
        }
        if let Some(reason) = state.policy_refusal(&c.tx).map_err(AdmitError::State)? {
            let reason = reason.strip_prefix("not permitted: ").map_or(reason.clone(), str::to_string);
            return Err(AdmitError::NotPermitted(reason));
        }
        let pool_key = pool_key_of(&c.tx);
        if let Some((module, k)) = &pool_key {
            if inner.module_keys.contains(&(*module, k.key.clone())) {
                let message = format!("{} is already pending in another transaction", k.what);
                return Err(AdmitError::Module { code: k.code, message });
            }
        }
        if let ChainTx::Native(t) = &c.tx {
            if let Some(r) = state.module_refusal(&t.tx.payload).map_err(AdmitError::State)? {
                return Err(AdmitError::Module { code: r.code, message: r.message });
            }
        }
        let q = inner.senders.get_mut(&sender).ok_or_else(|| AdmitError::State("sender queue vanished".into()))?;
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
        if q.txs.contains_key(&nonce) {
            return Err(AdmitError::NonceAlreadyPending(nonce));
        }
        if q.txs.len() >= self.config.max_per_sender {
            return Err(AdmitError::SenderFull(q.txs.len()));
        }
        let cost = cost_of(&c.tx);
        let need = q.pending_cost.saturating_add(cost);
        if need > q.balance {
            return Err(AdmitError::InsufficientBalance { need, have: q.balance });
        }
        q.pending_cost = need;
        q.txs.insert(nonce, Entry { hash: c.hash, tx: c.tx, cost });
        inner.by_hash.insert(c.hash, (sender, nonce));
        if let Some((module, k)) = pool_key {
            inner.module_keys.insert((module, k.key));
        }
        inner.count += 1;
        Ok(c.hash)
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
        let Inner { senders: queues, by_hash, module_keys, count, recent, .. } = &mut *inner;
        for h in committed {
            recent.insert(*h);
        }
        for (s, nonces) in by_sender {
            let Some(q) = queues.get_mut(&s) else { continue };
            let Ok(acc) = state.account(&s) else { continue };
            q.next_nonce = acc.nonce;
            q.balance = acc.balance;
            // Used nonces go in one split; included-but-unused ones (rare) one by one.
            let keep = q.txs.split_off(&acc.nonce);
            let mut dropped: Vec<Entry> = std::mem::replace(&mut q.txs, keep).into_values().collect();
            dropped.extend(nonces.into_iter().filter(|n| *n >= acc.nonce).filter_map(|n| q.txs.remove(&n)));
            for e in dropped {
                by_hash.remove(&e.hash);
                if let Some((module, k)) = pool_key_of(&e.tx) {
                    module_keys.remove(&(module, k.key));
                }
                q.pending_cost = q.pending_cost.saturating_sub(e.cost);
                *count -= 1;
            }
            if q.txs.is_empty() {
                queues.remove(&s);
            }
        }
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

/// [`StateSource`] over the node's database.
///
/// The read snapshot is taken lazily, at the first lookup — which the pool
/// makes while holding its lock. A snapshot taken before the lock could
/// predate a block whose commit the pool has already processed, and would
/// then hand a new sender queue an old nonce.
pub struct StoreState<'a> {
    store: &'a hechain_storage::Store,
    reader: std::sync::OnceLock<hechain_storage::StoreReader>,
    policy: std::sync::OnceLock<hechain_execution::governance::Policy>,
}

impl<'a> StoreState<'a> {
    /// A state source reading `store`.
    pub fn new(store: &'a hechain_storage::Store) -> Self {
        Self { store, reader: std::sync::OnceLock::new(), policy: std::sync::OnceLock::new() }
    }

    fn reader(&self) -> Result<&hechain_storage::StoreReader, String> {
        if let Some(r) = self.reader.get() {
            return Ok(r);
        }
        let r = self.store.reader().map_err(|e| e.to_string())?;
        Ok(self.reader.get_or_init(|| r))
    }
}

impl StateSource for StoreState<'_> {
    fn account(&self, addr: &Address) -> Result<Account, String> {
        hechain_execution::account_of(self.reader()?, addr).map_err(|e| e.to_string())
    }

    fn module_refusal(&self, payload: &Payload) -> Result<Option<hechain_module::Refusal>, String> {
        payload.admit(self.reader()?).map(Result::err).map_err(|e| e.to_string())
    }

    fn policy_refusal(&self, tx: &ChainTx) -> Result<Option<String>, String> {
        use hechain_execution::governance::Policy;
        let reader = self.reader()?;
        let policy = match self.policy.get() {
            Some(p) => p,
            None => {
                let p = Policy::load(reader).map_err(|e| e.to_string())?;
                self.policy.get_or_init(|| p)
            }
        };
        let verdict = match tx {
            ChainTx::Native(t) => policy.check_native(reader, &t.tx.sender, &t.tx.payload),
            ChainTx::Ethereum(t) => policy.check_eth(reader, &t.sender(), t.to().as_ref(), t.value()),
        };
        verdict.map(Result::err).map_err(|e| e.to_string())
    }

    fn params(&self) -> Result<ChainParams, String> {
        hechain_execution::governance::params(self.reader()?).map_err(|e| e.to_string())
    }
}
