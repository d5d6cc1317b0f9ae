//! Light clients of other hechain chains.
//!
//! A client starts from the other chain's genesis (its suite, genesis hash, chain id and
//! validators: epoch 0) and accepts a header only with a quorum seal of the validator set in
//! force at its height. It follows the other chain's validator-set changes through their epoch
//! proofs (the boundary block sealed by the old set, the new set proven in its state: exactly
//! what the offline certificate verifier checks, `hechain_chain::seal`). A header that is
//! validly sealed but conflicts with one the client holds is proof that a quorum of the other
//! chain's validators signed two histories: the client records it and freezes.

use hechain_chain::{smt, verify_epoch_change, verify_in_epoch, ChainAnchor, EpochSet, Genesis};
use hechain_crypto::Suite;
use hechain_module::exec::{counter, read, CallContext, Host, Outcome, StateError, StateView};
use hechain_primitives::{Codec, H256};

use crate::calls::{CrosschainCall, CrosschainEvent};
use crate::{keys, Client, ConsensusState, EpochRecord, Misbehaviour, MAX_EPOCH_CHANGES};

/// A refusal (`Ok(Err(reason))`) or a state failure.
pub(crate) type Checked<T> = Result<Result<T, String>, StateError>;

macro_rules! refuse {
    ($($arg:tt)*) => { return Ok(Err(format!($($arg)*))) };
}
pub(crate) use refuse;

/// Unwraps a [`Checked`] step: a refusal returns from the enclosing function.
macro_rules! check {
    ($e:expr) => {
        match $e? {
            Ok(v) => v,
            Err(reason) => return Ok(Err(reason)),
        }
    };
}
pub(crate) use check;

/// A client by id.
pub fn client<S: StateView + ?Sized>(s: &S, id: u64) -> Result<Option<Client>, StateError> {
    read(s, &keys::client(id))
}

/// A header a client accepted.
pub fn consensus<S: StateView + ?Sized>(s: &S, client: u64, height: u64) -> Result<Option<ConsensusState>, StateError> {
    read(s, &keys::consensus(client, height))
}

/// A validator set a client knows.
pub fn epoch<S: StateView + ?Sized>(s: &S, client: u64, epoch: u64) -> Result<Option<EpochRecord>, StateError> {
    read(s, &keys::epoch(client, epoch))
}

fn suite_of(c: &Client) -> Result<Suite, StateError> {
    c.suite.parse().map_err(|_| StateError::Invariant(format!("client {} has an unknown suite {:?}", c.id, c.suite)))
}

fn anchor(c: &Client) -> Result<ChainAnchor, StateError> {
    Ok(ChainAnchor { suite: suite_of(c)?, genesis_hash: c.genesis_hash, chain_id: c.chain_id })
}

fn epoch_set(c: &Client, suite: Suite, r: &EpochRecord) -> Checked<EpochSet> {
    match hechain_chain::set_keys(suite, &r.validators, r.epoch) {
        Ok(keys) => Ok(Ok(EpochSet { epoch: r.epoch, start_height: r.start_height, keys })),
        Err(e) => Ok(Err(format!("client {}: {e}", c.id))),
    }
}

/// The epoch in force at `height` among those the client knows (the latest one starting at or
/// before it).
fn epoch_at<S: StateView + ?Sized>(s: &S, c: &Client, height: u64) -> Result<EpochRecord, StateError> {
    let mut e = c.epoch;
    loop {
        let r =
            epoch(s, c.id, e)?.ok_or_else(|| StateError::Invariant(format!("client {} lacks its epoch {e}", c.id)))?;
        if r.start_height <= height || e == 0 {
            return Ok(r);
        }
        e -= 1;
    }
}

/// Registers a client from the other chain's genesis.
pub(crate) fn create<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    genesis: &Genesis,
) -> Result<Outcome<CrosschainEvent>, StateError> {
    let suite = genesis.suite();
    let genesis_hash = genesis.hash();
    if genesis_hash == cx.block.genesis_hash {
        refuse!("this is the chain's own genesis: a client follows another chain");
    }
    if let Err(e) = hechain_chain::set_keys(suite, &genesis.validators, 0) {
        refuse!("the genesis's validators: {e}");
    }
    let id = counter(host, keys::NEXT_CLIENT)?;
    let client = Client {
        id,
        chain_id: genesis.chain_id,
        suite: suite.name().to_string(),
        genesis_hash,
        epoch: 0,
        latest_height: 0,
        created_by: cx.sender,
        created: cx.stamp(),
        frozen: None,
    };
    let first = EpochRecord { epoch: 0, start_height: 1, validators: genesis.validators.clone() };
    host.put(keys::NEXT_CLIENT.to_vec(), (id + 1).to_be_bytes().to_vec());
    host.put(keys::epoch(id, 0), first.encode());
    host.put(keys::client(id), client.encode());
    Ok(Ok(vec![CrosschainEvent::ClientCreated { client: id, chain_id: genesis.chain_id, genesis_hash }]))
}

/// Verifies and stores a header (see [`CrosschainCall::UpdateClient`]).
pub(crate) fn update<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    call: &CrosschainCall,
) -> Result<Outcome<CrosschainEvent>, StateError> {
    let CrosschainCall::UpdateClient { client: id, header, seal, epoch_changes, next_membership, next_proof } = call
    else {
        return Err(StateError::Invariant("update called with another call".into()));
    };
    let Some(mut c) = client(host, *id)? else { refuse!("no client {id}") };
    if let Some(m) = &c.frozen {
        refuse!("client {id} is frozen: conflicting headers at height {} were shown", m.height);
    }
    if epoch_changes.len() > MAX_EPOCH_CHANGES {
        refuse!("at most {MAX_EPOCH_CHANGES} epoch changes per update");
    }
    let chain = anchor(&c)?;
    let suite = chain.suite;
    if header.chain_id != c.chain_id {
        refuse!("the header is of chain {}, client {id} follows chain {}", header.chain_id, c.chain_id);
    }
    if header.height == 0 {
        refuse!("the genesis block is not sealed; show a later header");
    }
    let hash = header.hash(suite);
    // A header at a height the client holds: the same one is refused as known, a different one
    // with a valid seal is misbehaviour.
    if let Some(held) = consensus(host, *id, header.height)? {
        if held.block_hash == hash {
            refuse!("client {id} already holds block {} ({hash})", header.height);
        }
        let set = check!(epoch_set(&c, suite, &epoch_at(host, &c, header.height)?));
        if let Err(e) = hechain_chain::verify_seal(&chain, &set.keys, header, seal) {
            refuse!("header {} conflicts with the one client {id} holds and its seal is invalid: {e}", header.height);
        }
        return freeze(host, cx, c, (header.height, held.block_hash, hash));
    }
    // Walk the epoch changes from the client's latest epoch.
    let latest = epoch(host, *id, c.epoch)?
        .ok_or_else(|| StateError::Invariant(format!("client {id} lacks its epoch {}", c.epoch)))?;
    let mut set = check!(epoch_set(&c, suite, &latest));
    let mut new_epochs = Vec::with_capacity(epoch_changes.len());
    for ch in epoch_changes {
        set = match verify_epoch_change(&chain, &set, &ch.header, &ch.seal, &ch.membership, &ch.proof) {
            Ok(next) => next,
            Err(e) => refuse!("client {id}: {e}"),
        };
        let boundary = ConsensusState {
            block_hash: ch.header.hash(suite),
            state_root: ch.header.state_root,
            timestamp_ms: ch.header.timestamp_ms,
        };
        let record = EpochRecord {
            epoch: set.epoch,
            start_height: set.start_height,
            validators: ch.membership.validators.clone(),
        };
        new_epochs.push((ch.header.height, boundary, record));
    }
    // The set in force at the header: a known older epoch, or the latest one reached.
    let in_latest = header.height >= set.start_height;
    let set = if in_latest {
        set
    } else if new_epochs.is_empty() {
        check!(epoch_set(&c, suite, &epoch_at(host, &c, header.height)?))
    } else {
        refuse!(
            "header {} is before epoch {} that the update's epoch changes reach (from height {})",
            header.height,
            set.epoch,
            set.start_height
        )
    };
    if let Err(e) = hechain_chain::verify_seal(&chain, &set.keys, header, seal) {
        refuse!("client {id}: header {}: {e}", header.height);
    }
    if in_latest {
        // Nothing may hide a later change: the next epoch is absent from the header's state, or
        // starts right after it.
        let Some(proof) = next_proof else {
            refuse!(
                "header {} is in the latest epoch client {id} knows ({}): the update must prove that epoch {} had not \
                 begun (next_proof)",
                header.height,
                set.epoch,
                set.epoch + 1
            )
        };
        if let Err(e) = verify_in_epoch(suite, set.epoch, header, next_membership.as_ref(), proof) {
            refuse!("client {id}: {e}");
        }
    }
    // A boundary block the client already holds under another hash: both are sealed by a quorum
    // of the same set, so the other chain's validators signed two histories.
    for (height, boundary, _) in &new_epochs {
        if let Some(held) = consensus(host, *id, *height)? {
            if held.block_hash != boundary.block_hash {
                return freeze(host, cx, c, (*height, held.block_hash, boundary.block_hash));
            }
        }
    }
    // Everything checked: write.
    for (height, boundary, record) in new_epochs {
        host.put(keys::consensus(*id, height), boundary.encode());
        c.epoch = record.epoch;
        host.put(keys::epoch(*id, record.epoch), record.encode());
    }
    let state = ConsensusState { block_hash: hash, state_root: header.state_root, timestamp_ms: header.timestamp_ms };
    host.put(keys::consensus(*id, header.height), state.encode());
    c.latest_height = c.latest_height.max(header.height);
    host.put(keys::client(*id), c.encode());
    Ok(Ok(vec![CrosschainEvent::ClientUpdated { client: *id, height: header.height, epoch: set.epoch }]))
}

/// Freezes client `c` on proof of two validly sealed headers at one height (`held`, the one it
/// held, and `conflicting`).
fn freeze<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    mut c: Client,
    (height, held, conflicting): (u64, H256, H256),
) -> Result<Outcome<CrosschainEvent>, StateError> {
    c.frozen = Some(Misbehaviour { height, held, conflicting, reported_by: cx.sender, stamp: cx.stamp() });
    let client = c.id;
    host.put(keys::client(client), c.encode());
    Ok(Ok(vec![CrosschainEvent::ClientFrozen { client, height, held, conflicting }]))
}

/// Checks that under the header of height `height` that client `id` accepted, state key `key`
/// holds `value` (`Some`) or is absent (`None`). Refuses on a frozen client or an unknown
/// height. Returns the header's consensus state.
pub(crate) fn verify_key<S: StateView + ?Sized>(
    s: &S,
    id: u64,
    height: u64,
    key: &[u8],
    value: Option<&[u8]>,
    proof: &smt::Proof,
) -> Checked<ConsensusState> {
    let Some(c) = client(s, id)? else { refuse!("no client {id}") };
    if let Some(m) = &c.frozen {
        refuse!("client {id} is frozen: conflicting headers at height {} were shown", m.height);
    }
    let Some(state) = consensus(s, id, height)? else {
        refuse!("client {id} holds no header at height {height}: update it first (its latest is {})", c.latest_height)
    };
    let suite = suite_of(&c)?;
    let value_hash = value.map(|v| suite.hash(v));
    if let Err(e) = proof.verify(smt::hasher(suite), &state.state_root.0, &suite.hash(key), value_hash.as_ref()) {
        let what = if value.is_some() { "is not" } else { "is not shown absent" };
        refuse!("the proof fails: key {} {what} in the state of block {height} of client {id}'s chain ({e})", hex(key));
    }
    Ok(Ok(state))
}

/// The genesis hash of a client's chain.
pub(crate) fn genesis_of<S: StateView + ?Sized>(s: &S, id: u64) -> Checked<H256> {
    match client(s, id)? {
        Some(c) => Ok(Ok(c.genesis_hash)),
        None => Ok(Err(format!("no client {id}"))),
    }
}

fn hex(key: &[u8]) -> String {
    // Keys are an ASCII prefix then binary ids: show the prefix as text.
    let split = key.iter().position(|b| !b.is_ascii_graphic()).unwrap_or(key.len());
    let (text, rest) = key.split_at(split);
    let tail = if rest.is_empty() { String::new() } else { format!("0x{}", hex::encode(rest)) };
    format!("{}{tail}", String::from_utf8_lossy(text))
}
