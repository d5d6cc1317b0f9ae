//! The pool's view of committed state over the node's database.

use hechain_types::{Account, Address, ChainParams, ChainTx, Payload};

use crate::StateSource;

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
