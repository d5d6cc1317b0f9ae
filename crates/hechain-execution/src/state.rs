//! Reading state during execution, and buffering a block's writes.

use std::collections::BTreeMap;

use hechain_storage::StoreReader;
use hechain_types::BlockHeader;

use crate::ExecError;

/// Read access to committed state.
pub trait StateRead {
    /// Latest value of `key`.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, ExecError>;

    /// Header of the committed block at `height` (for the EVM's `BLOCKHASH`).
    fn header(&self, _height: u64) -> Result<Option<BlockHeader>, ExecError> {
        Ok(None)
    }
}

impl StateRead for StoreReader {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, ExecError> {
        Ok(self.state_get(key)?)
    }

    fn header(&self, height: u64) -> Result<Option<BlockHeader>, ExecError> {
        Ok(StoreReader::header(self, height)?)
    }
}

impl StateRead for BTreeMap<Vec<u8>, Vec<u8>> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, ExecError> {
        Ok(BTreeMap::get(self, key).cloned())
    }
}

impl<T: StateRead + ?Sized> StateRead for &T {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, ExecError> {
        (**self).get(key)
    }

    fn header(&self, height: u64) -> Result<Option<BlockHeader>, ExecError> {
        (**self).header(height)
    }
}

/// Reads see the buffered writes first.
impl<R: StateRead + ?Sized> StateRead for Overlay<'_, R> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, ExecError> {
        Overlay::get(self, key)
    }

    fn header(&self, height: u64) -> Result<Option<BlockHeader>, ExecError> {
        self.base.header(height)
    }
}

/// Writes of a block buffered over committed state. Ordered (BTreeMap), so
/// everything derived from it is deterministic.
pub struct Overlay<'a, R: StateRead + ?Sized> {
    base: &'a R,
    writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

impl<'a, R: StateRead + ?Sized> Overlay<'a, R> {
    /// An empty overlay over `base`.
    pub fn new(base: &'a R) -> Self {
        Self { base, writes: BTreeMap::new() }
    }

    /// Reads through the overlay.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, ExecError> {
        match self.writes.get(key) {
            Some(v) => Ok(v.clone()),
            None => self.base.get(key),
        }
    }

    /// The committed state below the overlay.
    pub fn base(&self) -> &'a R {
        self.base
    }

    /// Buffers a write.
    pub fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.writes.insert(key, Some(value));
    }

    /// Buffers a deletion.
    pub fn delete(&mut self, key: Vec<u8>) {
        self.writes.insert(key, None);
    }

    /// The buffered writes, in key order.
    pub fn into_writes(self) -> BTreeMap<Vec<u8>, Option<Vec<u8>>> {
        self.writes
    }
}
