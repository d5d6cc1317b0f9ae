//! A module's precompile: the fixed address at which Solidity contracts call the module, how
//! calldata maps to the module's calls, and the views it answers.
//!
//! The node runs every listed module's precompile the same way: a write is decided by applying
//! the call to a scratch copy of state (the block so far, plus this transaction's earlier
//! calls of the module), is logged through the EVM journal (so that a reverted frame drops it)
//! as `ModuleCall(address sender, bytes call)`, and is applied for real, through the module's
//! own [`ModuleExec::apply`](crate::exec::ModuleExec::apply), once the transaction succeeds.

use crate::exec::{BlockInfo, StateError, StateView};
use crate::Module;

/// What a precompile call is.
#[derive(Debug)]
pub enum PrecompileCall<C> {
    /// A write: the module call it stands for, and its gas.
    Write {
        /// The call, made with the calling contract (or account) as sender.
        call: C,
        /// Gas charged.
        gas: u64,
    },
    /// A read answered by [`PrecompileSpec::view`], and its gas.
    View {
        /// Gas charged.
        gas: u64,
    },
}

/// A module's precompile.
pub struct PrecompileSpec<C, E> {
    /// The precompile's address.
    pub address: [u8; 20],
    /// Decodes ABI calldata; `Err(reason)` reverts with the reason.
    pub decode: fn(&[u8]) -> Result<PrecompileCall<C>, String>,
    /// The ABI-encoded return of a write, given its calldata and the events it produced.
    pub write_output: fn(&[u8], &[E]) -> Vec<u8>,
    /// Answers a view from state; `Ok(Err(reason))` reverts.
    pub view: ViewFn,
}

/// A precompile's view: state, block and calldata in, ABI-encoded answer (or a revert reason) out.
pub type ViewFn = fn(&dyn StateView, &BlockInfo, &[u8]) -> Result<Result<Vec<u8>, String>, StateError>;

/// A module's EVM side.
pub trait ModulePrecompile: Module {
    /// The module's precompile, if it has one through this interface (`None` for modules not
    /// callable from Solidity, and while a module's precompile is still the node's own code;
    /// see `docs/architecture.md`).
    fn precompile() -> Option<PrecompileSpec<Self::Call, Self::Event>>;
}
