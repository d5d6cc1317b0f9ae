//! A module's precompile: the fixed address at which Solidity contracts call the module, how
//! calldata maps to the module's calls, the views it answers, and the logs that record its
//! writes.
//!
//! The node runs every listed module's precompile the same way: a write is decided by applying
//! the call ([`Origin::Contract`](crate::exec::Origin::Contract)) to a scratch copy of state
//! (the block so far, plus this transaction's earlier calls of the module), is recorded as a
//! log through the EVM journal (so that a reverted frame drops it), and is applied for real,
//! through the module's own [`ModuleExec::apply`](crate::exec::ModuleExec::apply), once the
//! transaction succeeds; the events that final application produces must give the same log
//! again. Payments the module notes ([`Host::note_transfer`](crate::exec::Host::note_transfer))
//! are made from the caller's EVM balance.

pub use alloy_primitives::LogData;
use hechain_primitives::Address;

use crate::exec::{BlockInfo, StateError, StateView};
use crate::Module;

/// What a precompile call is.
#[derive(Debug)]
pub enum PrecompileCall<C> {
    /// A write: the module call it stands for, and its gas.
    Write {
        /// The call, made with the calling contract (or account) as sender.
        call: C,
        /// Gas charged (before [`PrecompileSpec::prepare`] and [`PrecompileSpec::result_gas`]).
        gas: u64,
    },
    /// A read answered by [`PrecompileSpec::view`], and its gas.
    View {
        /// Gas charged (before the view's own state-dependent part).
        gas: u64,
    },
}

/// A module's precompile.
pub struct PrecompileSpec<C, E> {
    /// The precompile's address.
    pub address: [u8; 20],
    /// Decodes ABI calldata; `Err(reason)` reverts with the reason.
    pub decode: fn(&[u8]) -> Result<PrecompileCall<C>, String>,
    /// Runs on the state a write is decided on, before it is: completes the call from state and
    /// returns the gas that state adds to it (`None`: nothing to do).
    pub prepare: Option<PrepareFn<C>>,
    /// The ABI-encoded return of a write, given its calldata and the events it produced.
    pub write_output: fn(&[u8], &[E]) -> Vec<u8>,
    /// Gas a write adds once decided, from its events (say, per payment made); `None`: none.
    pub result_gas: Option<fn(&[E]) -> u64>,
    /// Answers a view from state; `Ok(Err(reason))` reverts.
    pub view: ViewFn,
    /// How the precompile's logs record its writes.
    pub log: LogFormat<C, E>,
}

/// [`PrecompileSpec::prepare`]: calldata, the state the write is decided on, and the decoded
/// call to complete in; the extra gas out, or `Err(reason)` to revert.
pub type PrepareFn<C> = fn(&[u8], &dyn StateView, &mut C) -> Result<Result<u64, String>, StateError>;

/// A precompile's view: state, block and calldata in; the ABI-encoded answer and the gas the
/// state adds to the view's base gas out, or a revert reason.
pub type ViewFn = fn(&dyn StateView, &BlockInfo, &[u8]) -> Result<Result<(Vec<u8>, u64), String>, StateError>;

/// How a precompile's logs record its writes. The node reads the module's calls of a
/// transaction back from these logs, so the format is part of the chain's history: it is fixed
/// once blocks carry it.
pub enum LogFormat<C, E> {
    /// `ModuleCall(address indexed sender, bytes call)` with the call's canonical (borsh)
    /// encoding: the format of modules written on this interface.
    ModuleCall,
    /// The module's own log events, which contracts and indexers already read (the first
    /// modules' precompiles, written before this interface).
    Own {
        /// The log of a decided write: its sender, its call, and the module's events.
        /// `None` if the events are not what such a call produces (a bug, which fails the call).
        encode: fn(&Address, &C, &[E]) -> Option<LogData>,
        /// The write a log records: its sender and call; `None` for a log that is not one.
        decode: fn(&LogData) -> Option<(Address, C)>,
    },
}

/// An address as the EVM (and the ABI) has it.
pub fn to_evm(a: &Address) -> alloy_primitives::Address {
    alloy_primitives::Address::from(a.0)
}

/// An address of the EVM (or the ABI) as the chain has it.
pub fn from_evm(a: alloy_primitives::Address) -> Address {
    Address(a.into_array())
}

/// A module's EVM side.
pub trait ModulePrecompile: Module {
    /// The module's precompile, if it has one (`None` for modules not callable from Solidity).
    fn precompile() -> Option<PrecompileSpec<Self::Call, Self::Event>>;
}

/// A call in the canonical encoding of the payload it stands for (the encoding version byte,
/// the payload's tag byte, then the fields): how the first modules' precompile logs record
/// their calls.
pub fn payload_bytes<M: Module>(call: &M::Call) -> Vec<u8> {
    let mut out = vec![hechain_primitives::codec::ENCODING_VERSION];
    // Writing to a Vec cannot fail, and the listed modules' tags fit in a byte.
    let _ = crate::wire::write(M::WIRE, crate::wire::Kind::Call, call, &mut out);
    out
}

/// The call that [`payload_bytes`] encoded; `None` if `bytes` are not one of `M`'s calls.
pub fn from_payload_bytes<M: Module>(bytes: &[u8]) -> Option<M::Call> {
    use crate::ModuleEnum;
    let (&version, bytes) = bytes.split_first()?;
    if version != hechain_primitives::codec::ENCODING_VERSION {
        return None;
    }
    let (&tag, mut rest) = bytes.split_first()?;
    let owned = M::WIRE.owns(crate::wire::Kind::Call, tag, <M::Call as ModuleEnum>::TYPES.len())?;
    let call = crate::wire::read::<M::Call, _>(owned, &mut rest).ok()?;
    rest.is_empty().then_some(call)
}
