//! The execution side of a module: a narrow view of state, the host services a module may use
//! (native balances), and [`ModuleExec`], which the node's state machine dispatches to.
//!
//! A module never sees the storage engine, the state tree or the EVM: it reads and writes keys
//! of its own key space ([`crate::Module::KEY_PREFIXES`]) through [`StateView`] and
//! [`StateWrite`], and asks the [`Host`] for anything outside it.

use std::any::Any;

use hechain_primitives::{Address, Codec, Stamp, H256};

use crate::Module;

/// A state read that failed: a backend error or a stored value that does not decode. It stops
/// the whole block (a bad transaction is refused with a reason instead, never with this).
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The storage backend failed.
    #[error("state backend: {0}")]
    Backend(String),
    /// A stored value does not decode.
    #[error("corrupt state value at {key}: {reason}")]
    Corrupt {
        /// Hex key.
        key: String,
        /// Why.
        reason: String,
    },
    /// An invariant the module relies on does not hold (a bug, reported instead of a panic).
    #[error("{0}")]
    Invariant(String),
}

/// Read access to the latest state.
pub trait StateView {
    /// The value of `key`, if any.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError>;
}

impl<T: StateView + ?Sized> StateView for &T {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        (**self).get(key)
    }
}

impl StateView for std::collections::BTreeMap<Vec<u8>, Vec<u8>> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        Ok(std::collections::BTreeMap::get(self, key).cloned())
    }
}

/// Ordered prefix scans of a committed snapshot (queries; execution never scans).
pub trait StateScan: StateView {
    /// Up to `limit` entries whose key starts with `prefix`, in key order, after key `after`.
    #[allow(clippy::type_complexity)]
    fn scan(&self, prefix: &[u8], after: Option<&[u8]>, limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StateError>;
}

/// Buffered writes over a [`StateView`] (the block's overlay).
pub trait StateWrite: StateView {
    /// Writes `value` under `key`.
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>);
    /// Deletes `key`.
    fn delete(&mut self, key: Vec<u8>);
}

/// Services of the node a module may use besides its own keys.
pub trait Host: StateWrite {
    /// Native balance of `who`.
    fn balance(&self, who: &Address) -> Result<u128, StateError>;
    /// Moves native balance (the transfer module's event is recorded); `Ok(Err(reason))` when
    /// the payer cannot pay.
    fn transfer(&mut self, from: &Address, to: &Address, amount: u128) -> Result<Result<(), String>, StateError>;
    /// Records the transfer event of a payment the EVM has already made in this transaction.
    fn note_transfer(&mut self, from: &Address, to: &Address, amount: u128);
}

/// The block a call runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockInfo {
    /// Chain suite (fixes the hash function).
    pub suite: hechain_crypto::Suite,
    /// The chain's genesis hash: its identity (cross-chain channels check that the other end
    /// names this chain).
    pub genesis_hash: H256,
    /// Height of the block being executed.
    pub height: u64,
    /// Its timestamp (ms since the Unix epoch): the only clock of consensus code.
    pub timestamp_ms: u64,
}

impl BlockInfo {
    /// Where and when a record written by transaction `tx_hash` of this block is stamped.
    pub fn stamp(&self, tx_hash: H256) -> Stamp {
        Stamp { tx_hash, height: self.height, timestamp_ms: self.timestamp_ms }
    }
}

/// One call: the block, the transaction and its sender.
#[derive(Clone, Copy, Debug)]
pub struct CallContext {
    /// The block.
    pub block: BlockInfo,
    /// The account (or contract) that sent the call.
    pub sender: Address,
    /// Hash of the transaction.
    pub tx_hash: H256,
    /// Chain-wide facts of the stateless checks (the listed modules).
    pub validate: crate::ValidateContext<'static>,
    /// How the call arrived.
    pub origin: Origin,
    /// Whether [`ModuleCall::verify_proofs`](crate::ModuleCall::verify_proofs) already passed for
    /// this call (the block's parallel pass); when false the module verifies them in `apply`.
    pub proofs_checked: bool,
}

/// How a call arrived, which decides how its native payments are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A signed transaction's payload: the module pays with [`Host::transfer`].
    Transaction,
    /// A contract (or an account) through the module's precompile. Balances are then the
    /// EVM's, which has its own journal of this transaction: the module must not move them with
    /// [`Host::transfer`] but record each payment with [`Host::note_transfer`]; the node makes
    /// the noted payments from the caller's EVM balance, and reverts the call if it cannot.
    Contract,
}

impl CallContext {
    /// Where and when a record written by this call is stamped.
    pub fn stamp(&self) -> Stamp {
        Stamp { tx_hash: self.tx_hash, height: self.block.height, timestamp_ms: self.block.timestamp_ms }
    }
}

/// What a call did: its events, or the reason it was refused (see [`ModuleExec::apply`]).
pub type Outcome<E> = Result<Vec<E>, String>;

/// A module's state rules.
pub trait ModuleExec: Module {
    /// Applies one call. `Ok(Err(reason))` refuses it: a module checks everything before its
    /// first write, so that a refused call leaves nothing behind (the sender still pays the fee).
    fn apply<H: Host + ?Sized>(
        host: &mut H,
        cx: &CallContext,
        call: &Self::Call,
    ) -> Result<Outcome<Self::Event>, StateError>;

    /// The module's initial records in a new chain's state (counters and the like). None by
    /// default (ids start at 1 when a counter is absent).
    fn genesis() -> Vec<(Vec<u8>, Vec<u8>)> {
        Vec::new()
    }

    /// Runs after every transaction of a block (e.g. governance applies approved proposals).
    /// Nothing by default.
    fn end_block<H: Host + ?Sized>(_host: &mut H, _block: &BlockInfo) -> Result<(), StateError> {
        Ok(())
    }

    /// The pool's check of a call against committed state before admitting it (e.g. evidence
    /// whose hash is already stored). Execution checks again; this only refuses early, with a
    /// code. Admits by default.
    fn admit(_view: &dyn StateView, _call: &Self::Call) -> Result<Result<(), crate::Refusal>, StateError> {
        Ok(Ok(()))
    }

    /// A rule this module imposes on *other* modules' calls (e.g. the trade-document registry
    /// refuses a voucher whose reference is already financed). `call` is the other module's
    /// call enum; downcast it to the types the rule is about. Runs before the call is applied.
    /// No rule by default.
    fn check_foreign_call(
        _view: &dyn StateView,
        _cx: &CallContext,
        _module: &'static str,
        _call: &dyn Any,
    ) -> Result<Result<(), String>, StateError> {
        Ok(Ok(()))
    }
}

/// Reads and decodes a canonical value.
pub fn read<T: Codec, S: StateView + ?Sized>(s: &S, key: &[u8]) -> Result<Option<T>, StateError> {
    match s.get(key)? {
        Some(bytes) => {
            T::decode(&bytes).map(Some).map_err(|e| StateError::Corrupt { key: hex_key(key), reason: e.to_string() })
        }
        None => Ok(None),
    }
}

/// Reads a big-endian `u64` (an id or a counter) stored under `key`.
pub fn read_u64<S: StateView + ?Sized>(s: &S, key: &[u8]) -> Result<Option<u64>, StateError> {
    match s.get(key)? {
        Some(b) => {
            let b: [u8; 8] = b.as_slice().try_into().map_err(|_| StateError::Corrupt {
                key: hex_key(key),
                reason: format!("value is {} bytes, not an 8-byte id or counter", b.len()),
            })?;
            Ok(Some(u64::from_be_bytes(b)))
        }
        None => Ok(None),
    }
}

/// Reads a big-endian `u64` counter (absent = 1: ids start at 1).
pub fn counter<S: StateView + ?Sized>(s: &S, key: &[u8]) -> Result<u64, StateError> {
    Ok(read_u64(s, key)?.unwrap_or(1))
}

/// A key in hex, for error messages.
pub fn hex_key(key: &[u8]) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}
