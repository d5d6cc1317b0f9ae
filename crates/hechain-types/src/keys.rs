//! Layout of the state key space. Every module owns the prefixes it declares
//! (`hechain_module::Module::KEY_PREFIXES`) and its key functions live in its crate
//! (`crates/modules/<name>/src/keys.rs`); they are re-exported here for the node, the RPC and
//! the certificate verifier. The EVM's keys are the core's own.

use hechain_module::keys::join;
pub use hechain_module::keys::trailing_id;

use crate::Address;

pub use hechain_modules::copyright::keys::*;
pub use hechain_modules::ecert::keys::*;
pub use hechain_modules::evidence::keys::*;
pub use hechain_modules::governance::keys::*;
pub use hechain_modules::trace::keys::*;
pub use hechain_modules::transfer::keys::*;
pub use hechain_modules::voucher::keys::*;

/// Key prefixes of the core (the EVM's code and storage), outside every module's key space.
pub const CORE_KEY_PREFIXES: &[&[u8]] = &[b"evm/"];

/// `evm/code/` ‖ address → keccak256(code) ‖ code: a contract's runtime code.
pub const EVM_CODE_PREFIX: &[u8] = b"evm/code/";

/// `evm/slot/` ‖ address ‖ slot (32 bytes) → value (32 bytes, big-endian; absent = zero).
pub const EVM_SLOT_PREFIX: &[u8] = b"evm/slot/";

/// Key of a contract's code.
pub fn evm_code(addr: &Address) -> Vec<u8> {
    join(EVM_CODE_PREFIX, &[&addr.0])
}

/// Key of a contract storage slot.
pub fn evm_slot(addr: &Address, slot: &[u8; 32]) -> Vec<u8> {
    join(EVM_SLOT_PREFIX, &[&addr.0, slot])
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_modules_and_the_core_own_disjoint_key_spaces() {
        let mut spaces = crate::modules::MODULE_KEY_SPACES.to_vec();
        spaces.push(("core", super::CORE_KEY_PREFIXES));
        hechain_module::testing::check_key_spaces(&spaces).unwrap();
    }
}
