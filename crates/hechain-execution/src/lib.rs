//! The hechain state machine.
//!
//! [`execute_block`] applies an ordered list of (already signature-checked)
//! transactions to the committed state and returns the receipts, the state
//! writes and the new authenticated state root. It is deterministic: the
//! only inputs are the state, the transactions, the block height and the
//! block timestamp; all intermediate collections are ordered.
//!
//! Service modules (evidence, copyright, vouchers, traceability, e-certificates, governance, …)
//! live in their own crates (`crates/modules/*`) and are listed once in `hechain-modules`;
//! `modules` dispatches each native payload to its module through the
//! `hechain_module::exec::ModuleExec` interface, over a [`state::ModuleHost`] that gives the
//! module its state and native balances. [`accounts`] keeps nonces, balances and fees.
//!
//! Every transaction is first checked against the rules in force ([`policy::Policy`]: frozen
//! accounts, who may send, deploy and use each module).
//!
//! Every module validates a transaction completely before writing, so a
//! failed transaction leaves only its nonce increment and fee behind.
//!
//! Ethereum transactions run on the EVM ([`evm`], revm) over the same state:
//! an Ethereum account *is* a native account (same nonce and balance), and
//! contracts reach native modules through precompiles ([`precompile`]).

pub mod accounts;
pub mod certificate;
mod deploy_check;
pub mod evm;
/// The state key layout (shared with the offline certificate verifier, `hechain-cert`).
pub use hechain_types::keys;
pub(crate) mod modules;
pub mod policy;
pub mod precompile;
pub mod state;

/// The service modules' state rules and queries (their crates' `exec` modules).
pub use hechain_types::{
    copyright::exec as copyright, ecert::exec as ecert, evidence::exec as evidence, trace::exec as trace,
    voucher::exec as voucher,
};

/// Governance: the module's state rules and queries, and the [`Policy`](policy::Policy) in force.
pub mod governance {
    pub use crate::policy::Policy;
    pub use hechain_types::governance::exec::*;
}

/// A key in hex, for error messages.
pub(crate) use hechain_module::exec::hex_key;
/// Reads and decodes a canonical value.
pub(crate) use hechain_module::exec::read;

use std::collections::BTreeMap;

use hechain_crypto::Suite;
use hechain_storage::{smt, StoreReader};
use hechain_types::{
    Account, Block, BlockHeader, ChainTx, Codec, Genesis, Receipt, Seal, SignedTransaction, TxStatus, H256,
};

pub use hechain_module::exec::StateError;
pub use state::{Overlay, StateRead};

/// Errors that stop execution of a whole block (never caused by a single bad
/// transaction, which only gets a failed receipt).
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] hechain_storage::StorageError),
    /// State tree failed.
    #[error(transparent)]
    Smt(#[from] smt::SmtError),
    /// Stored state did not decode.
    #[error("corrupt state value at {key}: {reason}")]
    Corrupt {
        /// Hex key.
        key: String,
        /// Why.
        reason: String,
    },
    /// A module's state read failed or met a broken invariant.
    #[error(transparent)]
    State(#[from] hechain_module::exec::StateError),
    /// Caller passed inconsistent arguments.
    #[error("{0}")]
    Invalid(String),
}

/// What one block's execution produced.
#[derive(Debug)]
pub struct ExecutionOutput {
    /// One receipt per transaction.
    pub receipts: Vec<Receipt>,
    /// State writes in key order (`None` = delete).
    pub state_writes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    /// State root after the block.
    pub state_root: H256,
    /// State-tree nodes created by the block.
    pub smt_nodes: Vec<(smt::Hash32, smt::Node)>,
}

/// Block context visible to transactions.
#[derive(Clone, Copy, Debug)]
pub struct BlockContext {
    /// Chain suite.
    pub suite: Suite,
    /// The chain's genesis hash (its identity; see `BlockInfo::genesis_hash`).
    pub genesis_hash: H256,
    /// Height of the block being executed.
    pub height: u64,
    /// Its timestamp.
    pub timestamp_ms: u64,
    /// Hash of the parent block (the EVM's `prevrandao`: deterministic, not a randomness source).
    pub parent_hash: H256,
}

impl BlockContext {
    /// A module call of `sender` in transaction `tx_hash` of this block, made by the
    /// transaction's payload.
    pub fn call(&self, sender: hechain_types::Address, tx_hash: H256) -> hechain_module::exec::CallContext {
        hechain_module::exec::CallContext {
            block: self.info(),
            sender,
            tx_hash,
            validate: hechain_types::VALIDATE_CONTEXT,
            origin: hechain_module::exec::Origin::Transaction,
            proofs_checked: false,
        }
    }

    /// A module call that contract (or account) `sender` made through the module's precompile
    /// in transaction `tx_hash` of this block.
    pub fn contract_call(&self, sender: hechain_types::Address, tx_hash: H256) -> hechain_module::exec::CallContext {
        hechain_module::exec::CallContext {
            origin: hechain_module::exec::Origin::Contract,
            ..self.call(sender, tx_hash)
        }
    }

    /// The block as the service modules see it.
    pub fn info(&self) -> hechain_module::exec::BlockInfo {
        hechain_module::exec::BlockInfo {
            suite: self.suite,
            genesis_hash: self.genesis_hash,
            height: self.height,
            timestamp_ms: self.timestamp_ms,
        }
    }

    /// Where and when a record is written by transaction `tx_hash` of this block.
    pub fn stamp(&self, tx_hash: H256) -> hechain_types::Stamp {
        hechain_types::Stamp { tx_hash, height: self.height, timestamp_ms: self.timestamp_ms }
    }
}

/// Whether the proofs a block's transactions carry
/// ([`Payload::verify_proofs`](hechain_types::Payload::verify_proofs)) still need checking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proofs {
    /// This node checked every transaction's proofs before the block was ordered: its pool on
    /// admission, or its check of the proposal (both run the same deterministic checks).
    Verified,
    /// Check them now, in one parallel pass before the serial execution (a block from sync, or a
    /// test harness).
    Verify,
}

/// Applies `txs` (with their hashes) on top of the state whose root is
/// `parent_state_root`. Signatures must have been verified by the caller
/// (mempool admission or consensus validation); everything else is checked
/// here. The chain parameters and permissions are the ones in the parent state.
pub fn execute_block<R: StateRead + smt::NodeReader>(
    base: &R,
    parent_state_root: &H256,
    ctx: BlockContext,
    (chain_id, proofs): (u64, Proofs),
    txs: &[ChainTx],
    tx_hashes: &[H256],
) -> Result<ExecutionOutput, ExecError> {
    if txs.len() != tx_hashes.len() {
        return Err(ExecError::Invalid("one hash per transaction is required".into()));
    }
    let policy = governance::Policy::load(base)?;
    let mut overlay = Overlay::new(base);
    let mut receipts = Vec::with_capacity(txs.len());
    let mut evm = evm::BlockEvm::new(ctx, chain_id, &policy);
    let proofs = match proofs {
        Proofs::Verify => verify_proofs(txs),
        Proofs::Verified => vec![Ok(()); txs.len()],
    };
    for ((tx, hash), proofs) in txs.iter().zip(tx_hashes).zip(proofs) {
        let receipt = match tx {
            ChainTx::Native(t) => {
                evm.note_native();
                apply_tx(&mut overlay, (ctx, chain_id, &policy), t, *hash, proofs)?
            }
            ChainTx::Ethereum(t) => evm.apply(&mut overlay, t, *hash)?,
        };
        receipts.push(receipt);
    }
    modules::end_block(&mut overlay, &ctx.info())?;
    let writes = overlay.into_writes();
    let (state_root, smt_nodes) = state_root_after(base, ctx.suite, parent_state_root, &writes)?;
    Ok(ExecutionOutput { receipts, state_writes: writes.into_iter().collect(), state_root, smt_nodes })
}

/// Folds ordered state writes into the state tree.
fn state_root_after<R: smt::NodeReader>(
    nodes: &R,
    suite: Suite,
    parent: &H256,
    writes: &BTreeMap<Vec<u8>, Option<Vec<u8>>>,
) -> Result<(H256, Vec<(smt::Hash32, smt::Node)>), ExecError> {
    let batch: BTreeMap<smt::Hash32, Option<smt::Hash32>> =
        writes.iter().map(|(k, v)| (suite.hash(k), v.as_ref().map(|v| suite.hash(v)))).collect();
    let update = smt::apply(smt_hasher(suite), nodes, parent.0, &batch)?;
    Ok((H256(update.root), update.new_nodes))
}

/// The state-tree hash function of a suite.
pub fn smt_hasher(suite: Suite) -> smt::HashFn {
    hechain_types::smt::hasher(suite)
}

/// The block's parallel pass over the proofs its native transactions carry
/// ([`hechain_types::Payload::verify_proofs`]): stateless, so every transaction's are checked at
/// once on all cores, and the serial execution that follows does not repeat them.
fn verify_proofs(txs: &[ChainTx]) -> Vec<Result<(), String>> {
    use rayon::prelude::*;
    txs.par_iter()
        .with_min_len(64)
        .map(|t| match t {
            ChainTx::Native(t) => t.tx.payload.verify_proofs().map_err(|e| e.to_string()),
            ChainTx::Ethereum(_) => Ok(()),
        })
        .collect()
}

fn apply_tx<R: StateRead + ?Sized>(
    o: &mut Overlay<'_, R>,
    (ctx, chain_id, policy): (BlockContext, u64, &governance::Policy),
    stx: &SignedTransaction,
    tx_hash: H256,
    proofs: Result<(), String>,
) -> Result<Receipt, ExecError> {
    let tx = &stx.tx;
    let failed = |reason: String| Receipt {
        tx_hash,
        status: TxStatus::Failed { reason },
        fee_charged: 0,
        events: vec![],
        evm: None,
    };
    // Checks that make a transaction invalid as a whole: nothing is charged.
    if tx.chain_id != chain_id {
        return Ok(failed(format!("wrong chain id {} (this chain is {chain_id})", tx.chain_id)));
    }
    if let Err(reason) = policy.check_native(o, &tx.sender, &tx.payload)? {
        return Ok(failed(reason));
    }
    // Fee-exempt calls (governance, anonymous votes: `ModuleCall::fee_exempt`) may pay less than
    // the minimum fee.
    let min_fee = if tx.payload.fee_exempt() { 0 } else { policy.params.min_fee };
    let mut sender = accounts::load(o, &tx.sender)?;
    if tx.nonce != sender.nonce {
        return Ok(failed(format!("nonce {} does not match the account nonce {}", tx.nonce, sender.nonce)));
    }
    if tx.fee < min_fee {
        return Ok(failed(format!("fee {} is below the minimum {min_fee}", tx.fee)));
    }
    if sender.balance < tx.fee as u128 {
        return Ok(failed(format!("balance {} cannot pay the fee {}", sender.balance, tx.fee)));
    }
    // The nonce is consumed and the fee charged whether or not the payload succeeds.
    sender.nonce += 1;
    sender.balance -= tx.fee as u128;
    accounts::store(o, &tx.sender, &sender);
    // A proof that failed the block's pass refuses the call like the module would (fee charged).
    let outcome = match proofs {
        Err(reason) => Err(reason),
        Ok(()) => {
            let cx = hechain_module::exec::CallContext { proofs_checked: true, ..ctx.call(tx.sender, tx_hash) };
            modules::apply_call(o, &cx, &tx.payload)?
        }
    };
    Ok(match outcome {
        Ok(events) => Receipt { tx_hash, status: TxStatus::Success, fee_charged: tx.fee, events, evm: None },
        Err(reason) => {
            Receipt { tx_hash, status: TxStatus::Failed { reason }, fee_charged: tx.fee, events: vec![], evm: None }
        }
    })
}

/// Builds the genesis block (height 0) and its state: funded accounts and
/// module initial values. The returned commit is what a fresh database is
/// initialised with.
pub fn genesis_commit<R: smt::NodeReader>(
    genesis: &Genesis,
    nodes: &R,
) -> Result<hechain_storage::BlockCommit, ExecError> {
    let suite = genesis.suite();
    let mut writes: BTreeMap<Vec<u8>, Option<Vec<u8>>> = BTreeMap::new();
    for a in &genesis.accounts {
        writes.insert(keys::account(&a.address), Some(Account { nonce: 0, balance: a.balance }.encode()));
    }
    for (k, v) in modules::genesis_writes() {
        writes.insert(k, Some(v));
    }
    let membership = genesis.membership();
    for (k, v) in governance::genesis_writes(&genesis.params, &membership, genesis.governance.as_ref()) {
        writes.insert(k, Some(v));
    }
    let (state_root, smt_nodes) = state_root_after(nodes, suite, &H256::ZERO, &writes)?;
    let header = BlockHeader {
        version: 1,
        chain_id: genesis.chain_id,
        height: 0,
        parent_hash: genesis.hash(),
        timestamp_ms: genesis.timestamp_ms,
        proposer: 0,
        tx_root: H256::ZERO,
        receipts_root: H256::ZERO,
        state_root,
        tx_count: 0,
        round: 0,
        consensus_id: H256::ZERO,
    };
    Ok(hechain_storage::BlockCommit {
        block: Block { header, seal: Seal::default(), transactions: vec![] },
        tx_hashes: vec![],
        receipts: vec![],
        state_writes: writes.into_iter().collect(),
        smt_nodes,
    })
}

/// Reads an account from a snapshot (zero account when absent).
pub fn account_of(reader: &StoreReader, addr: &hechain_types::Address) -> Result<Account, ExecError> {
    match reader.state_get(&keys::account(addr))? {
        Some(b) => Account::decode(&b).map_err(|e| ExecError::Corrupt { key: addr.to_hex(), reason: e.to_string() }),
        None => Ok(Account::default()),
    }
}
