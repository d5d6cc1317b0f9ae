//! Reading state during execution, and buffering a block's writes.
//!
//! The service modules see state through the narrow traits of `hechain_module::exec`
//! ([`StateView`], [`StateWrite`], [`Host`]); the EVM additionally reads committed headers
//! ([`StateRead::header`]).

use std::collections::BTreeMap;

use hechain_module::exec::{Host, StateError, StateView, StateWrite};
use hechain_storage::StoreReader;
use hechain_types::{Address, BlockHeader, Event, TransferEvent};

use crate::ExecError;

/// Read access to committed state, plus the headers the EVM's `BLOCKHASH` needs.
pub trait StateRead: StateView {
    /// Header of the committed block at `height` (for the EVM's `BLOCKHASH`).
    fn header(&self, _height: u64) -> Result<Option<BlockHeader>, ExecError> {
        Ok(None)
    }
}

impl StateRead for StoreReader {
    fn header(&self, height: u64) -> Result<Option<BlockHeader>, ExecError> {
        Ok(StoreReader::header(self, height)?)
    }
}

impl StateRead for BTreeMap<Vec<u8>, Vec<u8>> {}

impl<T: StateRead + ?Sized> StateRead for &T {
    fn header(&self, height: u64) -> Result<Option<BlockHeader>, ExecError> {
        (**self).header(height)
    }
}

/// Reads see the buffered writes first.
impl<R: StateRead + ?Sized> StateView for Overlay<'_, R> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        match self.writes.get(key) {
            Some(v) => Ok(v.clone()),
            None => self.base.get(key),
        }
    }
}

impl<R: StateRead + ?Sized> StateRead for Overlay<'_, R> {
    fn header(&self, height: u64) -> Result<Option<BlockHeader>, ExecError> {
        self.base.header(height)
    }
}

impl<R: StateRead + ?Sized> StateWrite for Overlay<'_, R> {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        Overlay::put(self, key, value)
    }

    fn delete(&mut self, key: Vec<u8>) {
        Overlay::delete(self, key)
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
        Ok(StateView::get(self, key)?)
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

/// The node's side of a module call: the block overlay, native balances, and the transfer
/// events the call causes (they precede the module's own events in the receipt).
pub struct ModuleHost<'o, 'a, R: StateRead + ?Sized> {
    overlay: &'o mut Overlay<'a, R>,
    events: Vec<Event>,
}

impl<'o, 'a, R: StateRead + ?Sized> ModuleHost<'o, 'a, R> {
    /// A host over the block's overlay.
    pub fn new(overlay: &'o mut Overlay<'a, R>) -> Self {
        Self { overlay, events: Vec::new() }
    }

    /// The events the host recorded (native transfers), in order.
    pub fn into_events(self) -> Vec<Event> {
        self.events
    }
}

impl<R: StateRead + ?Sized> StateView for ModuleHost<'_, '_, R> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        StateView::get(&*self.overlay, key)
    }
}

impl<R: StateRead + ?Sized> StateWrite for ModuleHost<'_, '_, R> {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.overlay.put(key, value)
    }

    fn delete(&mut self, key: Vec<u8>) {
        self.overlay.delete(key)
    }
}

impl<R: StateRead + ?Sized> Host for ModuleHost<'_, '_, R> {
    fn balance(&self, who: &Address) -> Result<u128, StateError> {
        Ok(crate::accounts::load(&*self.overlay, who)?.balance)
    }

    fn transfer(&mut self, from: &Address, to: &Address, amount: u128) -> Result<Result<(), String>, StateError> {
        let mut events = match crate::accounts::transfer(self.overlay, from, to, amount)? {
            Ok(events) => events,
            Err(reason) => return Ok(Err(reason)),
        };
        self.events.append(&mut events);
        Ok(Ok(()))
    }

    fn note_transfer(&mut self, from: &Address, to: &Address, amount: u128) {
        self.events.push(Event::Transfer(TransferEvent::Transfer { from: *from, to: *to, amount }));
    }
}

/// Runs one module operation on a host over `o` and returns the receipt events: the host's
/// (native transfers) first, then the module's own, wrapped into the chain's [`Event`] by `wrap`.
/// `Ok(Err(reason))` when the module refuses.
pub(crate) fn run_on_host<'a, R, E, W, F>(
    o: &mut Overlay<'a, R>,
    wrap: W,
    f: F,
) -> Result<Result<Vec<Event>, String>, ExecError>
where
    R: StateRead + ?Sized,
    W: Fn(E) -> Event,
    F: FnOnce(&mut ModuleHost<'_, 'a, R>) -> Result<hechain_module::exec::Outcome<E>, StateError>,
{
    let mut host = ModuleHost::new(o);
    let outcome = f(&mut host)?;
    Ok(outcome.map(|own| {
        let mut events = host.into_events();
        events.extend(own.into_iter().map(wrap));
        events
    }))
}
