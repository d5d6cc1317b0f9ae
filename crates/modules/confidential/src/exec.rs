//! The confidential-amounts rules. Every check comes before the first write, so a refused call
//! leaves nothing behind.

use hechain_module::exec::{counter, read, CallContext, Host, Origin, Outcome, StateError, StateView};
use hechain_module::Module;
use hechain_primitives::{Address, Codec, H256};

use crate::proof::{verify_balance, verify_range, BalanceContext};
use crate::seal::{check_view_key, SEALED_LEN};
use crate::{keys, Asset, ConfidentialEvent, ConfidentialModule, Flow, Note, NoteKind};

/// The governance setting (module `confidential`) holding the auditor's public view key.
pub const AUDITOR_SETTING: &str = "auditor";
/// Longest asset name.
pub const MAX_NAME: usize = 64;

macro_rules! refuse {
    ($($arg:tt)*) => { return Ok(Err(format!($($arg)*))) };
}

/// An asset by id.
pub fn asset<S: StateView + ?Sized>(s: &S, id: u64) -> Result<Option<Asset>, StateError> {
    read(s, &keys::asset(id))
}

/// A note by id.
pub fn note<S: StateView + ?Sized>(s: &S, id: u64) -> Result<Option<Note>, StateError> {
    read(s, &keys::note(id))
}

/// An account's registered public view key.
pub fn view_key<S: StateView + ?Sized>(s: &S, account: &Address) -> Result<Option<H256>, StateError> {
    match s.get(&keys::view_key(account))? {
        None => Ok(None),
        Some(v) => v.as_slice().try_into().map(|b| Some(H256(b))).map_err(|_| StateError::Corrupt {
            key: hechain_module::exec::hex_key(&keys::view_key(account)),
            reason: format!("a view key is 32 bytes, not {}", v.len()),
        }),
    }
}

/// The auditor's public view key, if governance appointed one.
pub fn auditor<S: StateView + ?Sized>(s: &S) -> Result<Option<H256>, StateError> {
    match hechain_governance::exec::module_setting(s, ConfidentialModule::NAME, AUDITOR_SETTING)? {
        None => Ok(None),
        Some(v) => v.as_slice().try_into().map(|b| Some(H256(b))).map_err(|_| StateError::Corrupt {
            key: format!("governance setting confidential/{AUDITOR_SETTING}"),
            reason: format!("an auditor view key is 32 bytes, not {}", v.len()),
        }),
    }
}

fn contract_refused(cx: &CallContext) -> Option<String> {
    (cx.origin != Origin::Transaction)
        .then(|| "confidential calls are sent by transactions, not by contracts (they carry proofs)".to_string())
}

/// `RegisterViewKey`.
pub(crate) fn register<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    key: &H256,
) -> Result<Outcome<ConfidentialEvent>, StateError> {
    if let Some(r) = contract_refused(cx) {
        return Ok(Err(r));
    }
    if let Err(e) = check_view_key(key) {
        refuse!("{e}");
    }
    host.put(keys::view_key(&cx.sender), key.0.to_vec());
    Ok(Ok(vec![ConfidentialEvent::ViewKeyRegistered { account: cx.sender, view_key: *key }]))
}

fn next_note<H: Host + ?Sized>(host: &mut H) -> Result<u64, StateError> {
    let id = counter(host, keys::NEXT_NOTE)?;
    host.put(keys::NEXT_NOTE.to_vec(), (id + 1).to_be_bytes().to_vec());
    Ok(id)
}

fn store_note<H: Host + ?Sized>(host: &mut H, n: &Note) {
    host.put(keys::note(n.id), n.encode());
    host.put(keys::asset_note(n.asset, n.id), Vec::new());
    match n.kind {
        NoteKind::Holding | NoteKind::Reserve => host.put(keys::owner_note(&n.owner, n.id), Vec::new()),
        NoteKind::Settled => {}
    }
}

/// `CreateAsset`.
pub(crate) fn create_asset<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    name: &str,
    cap: u64,
) -> Result<Outcome<ConfidentialEvent>, StateError> {
    if let Some(r) = contract_refused(cx) {
        return Ok(Err(r));
    }
    let id = counter(host, keys::NEXT_ASSET)?;
    host.put(keys::NEXT_ASSET.to_vec(), (id + 1).to_be_bytes().to_vec());
    let reserve = next_note(host)?;
    let zero = curve25519_dalek::scalar::Scalar::ZERO;
    let n = Note {
        id: reserve,
        asset: id,
        owner: cx.sender,
        kind: NoteKind::Reserve,
        commitment: crate::proof::commit(cap, &zero),
        sealed: Vec::new(),
        sealed_auditor: Vec::new(),
        created: cx.stamp(),
        spent: None,
    };
    store_note(host, &n);
    let a = Asset { id, name: name.to_string(), issuer: cx.sender, cap, reserve, created: cx.stamp() };
    host.put(keys::asset(id), a.encode());
    Ok(Ok(vec![ConfidentialEvent::AssetCreated { asset: id, issuer: cx.sender, cap, reserve }]))
}

/// Which of the three moves a [`Flow`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowKind {
    /// From the reserve to holders.
    Issue,
    /// Between holders.
    Transfer,
    /// From a holder to the issuer, retired.
    Settle,
}

impl FlowKind {
    /// The call's JSON type (bound into the balance proof).
    pub fn call_type(self) -> &'static str {
        match self {
            FlowKind::Issue => "conf_issue",
            FlowKind::Transfer => "conf_transfer",
            FlowKind::Settle => "conf_settle",
        }
    }

    /// The event's `kind`.
    pub fn name(self) -> &'static str {
        match self {
            FlowKind::Issue => "issue",
            FlowKind::Transfer => "transfer",
            FlowKind::Settle => "settle",
        }
    }
}

/// The inputs of a move: (note id, commitment), in the call's order.
type Inputs = Vec<(u64, H256)>;

/// Loads and checks the inputs: the sender's, unspent, of one asset, of the kind the move
/// spends. The asset and the inputs' (id, commitment) pairs.
fn inputs<S: StateView + ?Sized>(
    s: &S,
    cx: &CallContext,
    kind: FlowKind,
    ids: &[u64],
) -> Result<Result<(Asset, Inputs), String>, StateError> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(ids.len());
    let mut asset_id = None;
    for id in ids {
        if !seen.insert(*id) {
            refuse!("note {id} is spent twice in this call");
        }
        let Some(n) = note(s, *id)? else { refuse!("no note {id}") };
        if let Some(at) = &n.spent {
            refuse!("note {id} was spent at height {} (tx {})", at.height, at.tx_hash);
        }
        if n.owner != cx.sender {
            refuse!("note {id} belongs to {}, not to the sender {}", n.owner, cx.sender);
        }
        match (kind, n.kind) {
            (_, NoteKind::Settled) => refuse!("note {id} is settled and can never be spent"),
            (FlowKind::Issue, NoteKind::Holding) => refuse!("an issue spends the asset's reserve note, not note {id}"),
            (FlowKind::Transfer | FlowKind::Settle, NoteKind::Reserve) => {
                refuse!("note {id} is the asset's reserve: only an issue draws on it")
            }
            (FlowKind::Issue, NoteKind::Reserve) | (FlowKind::Transfer | FlowKind::Settle, NoteKind::Holding) => {}
        }
        match asset_id {
            None => asset_id = Some(n.asset),
            Some(a) if a != n.asset => refuse!("note {id} is of asset {}, the others of asset {a}", n.asset),
            Some(_) => {}
        }
        out.push((n.id, n.commitment));
    }
    let Some(a) = asset_id else { refuse!("a call spends at least one note") };
    let Some(asset) = asset(s, a)? else {
        return Err(StateError::Invariant(format!("note of asset {a}, which does not exist")));
    };
    Ok(Ok((asset, out)))
}

/// Checks the outputs' owners, sealed openings and the rules of the move.
fn outputs<S: StateView + ?Sized>(
    s: &S,
    kind: FlowKind,
    asset: &Asset,
    flow: &Flow,
) -> Result<Result<(), String>, StateError> {
    if flow.outputs.is_empty() || flow.outputs.len() > crate::proof::MAX_OUTPUTS {
        refuse!("a call has 1 to {} outputs, not {}", crate::proof::MAX_OUTPUTS, flow.outputs.len());
    }
    match kind {
        FlowKind::Issue if flow.outputs[0].owner != asset.issuer => {
            refuse!("an issue's first output is the issuer's new reserve, so it belongs to {}", asset.issuer)
        }
        FlowKind::Settle if flow.outputs.len() != 1 || flow.outputs[0].owner != asset.issuer => {
            refuse!("a settlement has one output, the issuer's ({})", asset.issuer)
        }
        FlowKind::Issue | FlowKind::Transfer | FlowKind::Settle => {}
    }
    let auditor = auditor(s)?;
    for (i, o) in flow.outputs.iter().enumerate() {
        if view_key(s, &o.owner)?.is_none() {
            refuse!(
                "output {i}'s owner {} has no view key: it registers one first (hechain confidential register)",
                o.owner
            );
        }
        if o.sealed.len() != SEALED_LEN {
            refuse!("output {i}'s sealed opening is {} bytes, not {SEALED_LEN}", o.sealed.len());
        }
        match (&auditor, o.sealed_auditor.len()) {
            (Some(_), SEALED_LEN) | (None, 0) => {}
            (Some(_), n) => refuse!(
                "output {i}'s opening for the auditor is {n} bytes, not {SEALED_LEN}: governance appointed an \
                 auditor, every output is sealed to its view key too"
            ),
            (None, n) => refuse!("output {i} carries {n} bytes for an auditor, but there is none"),
        }
    }
    Ok(Ok(()))
}

/// `Issue`, `Transfer` and `Settle`.
pub(crate) fn flow<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    kind: FlowKind,
    flow: &Flow,
) -> Result<Outcome<ConfidentialEvent>, StateError> {
    if let Some(r) = contract_refused(cx) {
        return Ok(Err(r));
    }
    if flow.inputs.len() > crate::proof::MAX_INPUTS {
        refuse!("a call spends at most {} notes, not {}", crate::proof::MAX_INPUTS, flow.inputs.len());
    }
    let (mut asset, ins) = match inputs(host, cx, kind, &flow.inputs)? {
        Ok(v) => v,
        Err(r) => return Ok(Err(r)),
    };
    if kind == FlowKind::Issue && (cx.sender != asset.issuer || ins[0].0 != asset.reserve) {
        refuse!("only the issuer {} issues asset {}, from its reserve note {}", asset.issuer, asset.id, asset.reserve);
    }
    if let Err(r) = outputs(host, kind, &asset, flow)? {
        return Ok(Err(r));
    }
    if !cx.proofs_checked {
        let commitments: Vec<H256> = flow.outputs.iter().map(|o| o.commitment).collect();
        if let Err(r) = verify_range(&commitments, &flow.range_proof) {
            return Ok(Err(r));
        }
    }
    let bcx = BalanceContext {
        chain: cx.block.genesis_hash,
        sender: cx.sender,
        kind: kind.call_type(),
        inputs: &ins,
        outputs: &flow.outputs,
        range_proof: &flow.range_proof,
    };
    if let Err(r) = verify_balance(&bcx, &flow.balance_proof) {
        return Ok(Err(r));
    }
    // Checked: spend the inputs, create the outputs.
    for (id, _) in &ins {
        let Some(mut n) = note(host, *id)? else {
            return Err(StateError::Invariant(format!("note {id} vanished")));
        };
        n.spent = Some(cx.stamp());
        host.put(keys::note(*id), n.encode());
        host.delete(keys::owner_note(&n.owner, *id));
    }
    let mut created = Vec::with_capacity(flow.outputs.len());
    for (i, o) in flow.outputs.iter().enumerate() {
        let id = next_note(host)?;
        let note_kind = match kind {
            FlowKind::Issue if i == 0 => NoteKind::Reserve,
            FlowKind::Settle => NoteKind::Settled,
            FlowKind::Issue | FlowKind::Transfer => NoteKind::Holding,
        };
        let n = Note {
            id,
            asset: asset.id,
            owner: o.owner,
            kind: note_kind,
            commitment: o.commitment,
            sealed: o.sealed.clone(),
            sealed_auditor: o.sealed_auditor.clone(),
            created: cx.stamp(),
            spent: None,
        };
        store_note(host, &n);
        created.push(id);
    }
    if kind == FlowKind::Issue {
        asset.reserve = created[0];
        host.put(keys::asset(asset.id), asset.encode());
    }
    let spent = ins.iter().map(|(id, _)| *id).collect();
    Ok(Ok(vec![ConfidentialEvent::Moved { asset: asset.id, kind: kind.name().into(), spent, created }]))
}
