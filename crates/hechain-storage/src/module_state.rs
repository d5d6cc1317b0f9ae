//! A committed snapshot as the service modules see state: [`StateView`] and [`StateScan`].

use hechain_module::exec::{StateError, StateScan, StateView};

use crate::StoreReader;

impl StateView for StoreReader {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        self.state_get(key).map_err(|e| StateError::Backend(e.to_string()))
    }
}

impl StateScan for StoreReader {
    fn scan(&self, prefix: &[u8], after: Option<&[u8]>, limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StateError> {
        self.state_scan(prefix, after, limit).map_err(|e| StateError::Backend(e.to_string()))
    }
}
