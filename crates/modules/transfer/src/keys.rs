//! The transfer module's state keys: every key starts with one of its [`Module::KEY_PREFIXES`](hechain_module::Module::KEY_PREFIXES).

use hechain_module::keys::join;
use hechain_primitives::Address;

/// `acct/` ‖ address → [`crate::Account`].
pub const ACCOUNT_PREFIX: &[u8] = b"acct/";

/// Key of an account.
pub fn account(addr: &Address) -> Vec<u8> {
    join(ACCOUNT_PREFIX, &[&addr.0])
}
