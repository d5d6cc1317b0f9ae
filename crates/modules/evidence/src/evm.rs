//! The evidence precompile at `0x…1000` (`contracts/IHechainEvidence.sol`). Its log is its own
//! `EvidenceStored` event, which contracts and indexers read: it is the format of its writes
//! and must not change. An empty text field stands for an absent metadata field.

use alloy_sol_types::{sol, SolCall, SolEvent, SolInterface};
use hechain_module::evm::{from_evm, to_evm, LogData, LogFormat, PrecompileCall, PrecompileSpec};
use hechain_module::exec::{BlockInfo, StateError, StateView};
use hechain_primitives::{Address, H256};

use crate::{exec, EvidenceCall, EvidenceEvent, EvidenceMeta};

sol! {
    /// The evidence (存证) module as seen from Solidity (the same interface ships as
    /// `contracts/IHechainEvidence.sol`).
    interface IHechainEvidence {
        /// A record was stored; `submitter` is the account or contract that called `store`.
        event EvidenceStored(uint64 indexed id, bytes32 indexed contentHash, address indexed submitter, string title, string kind, string owner, string externalRef);
        /// Stores `contentHash` with its metadata; reverts if the hash is already stored or a
        /// field is longer than 512 bytes. Returns the record id.
        function store(bytes32 contentHash, string title, string kind, string owner, string externalRef) external returns (uint64 id);
        /// Whether `contentHash` is stored.
        function exists(bytes32 contentHash) external view returns (bool);
        /// The record of `contentHash`; reverts if there is none.
        function get(bytes32 contentHash) external view returns (uint64 id, address submitter, uint64 height, uint64 timestampMs, string title, string kind, string owner, string externalRef);
    }
}
use IHechainEvidence::IHechainEvidenceCalls as Calls;

/// The precompile's address.
pub const ADDRESS: [u8; 20] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x00];
/// Gas of `store`: the base covers the four record writes (like four fresh SSTOREs), plus
/// [`STORE_GAS_PER_BYTE`] per metadata byte.
pub const STORE_GAS: u64 = 80_000;
/// Gas per byte of metadata stored.
pub const STORE_GAS_PER_BYTE: u64 = 16;
/// Gas of `exists`.
pub const EXISTS_GAS: u64 = 2_600;
/// Gas of `get`.
pub const GET_GAS: u64 = 5_000;

/// The precompile.
pub fn spec() -> PrecompileSpec<EvidenceCall, EvidenceEvent> {
    PrecompileSpec {
        address: ADDRESS,
        decode,
        prepare: None,
        write_output,
        result_gas: None,
        view,
        log: LogFormat::Own { encode: encode_log, decode: decode_log },
    }
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn text(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

fn decode(input: &[u8]) -> Result<PrecompileCall<EvidenceCall>, String> {
    let call = Calls::abi_decode(input).map_err(|e| format!("evidence precompile: invalid call: {e}"))?;
    Ok(match call {
        Calls::store(c) => {
            let meta = EvidenceMeta {
                title: non_empty(c.title),
                kind: non_empty(c.kind),
                owner: non_empty(c.owner),
                external_ref: non_empty(c.externalRef),
            };
            let bytes = [&meta.title, &meta.kind, &meta.owner, &meta.external_ref]
                .iter()
                .map(|f| f.as_ref().map_or(0, |s| s.len() as u64))
                .sum::<u64>();
            let call = EvidenceCall::Put { content_hash: H256(c.contentHash.0), meta };
            PrecompileCall::Write { call, gas: STORE_GAS + STORE_GAS_PER_BYTE * bytes }
        }
        Calls::exists(_) => PrecompileCall::View { gas: EXISTS_GAS },
        Calls::get(_) => PrecompileCall::View { gas: GET_GAS },
    })
}

fn write_output(_input: &[u8], events: &[EvidenceEvent]) -> Vec<u8> {
    let id = match events.first() {
        Some(EvidenceEvent::Stored { id, .. }) => *id,
        None => 0,
    };
    IHechainEvidence::storeCall::abi_encode_returns(&id)
}

fn encode_log(sender: &Address, call: &EvidenceCall, events: &[EvidenceEvent]) -> Option<LogData> {
    match (call, events.first()?) {
        (EvidenceCall::Put { content_hash, meta }, EvidenceEvent::Stored { id, .. }) => Some(
            IHechainEvidence::EvidenceStored {
                id: *id,
                contentHash: content_hash.0.into(),
                submitter: to_evm(sender),
                title: text(&meta.title),
                kind: text(&meta.kind),
                owner: text(&meta.owner),
                externalRef: text(&meta.external_ref),
            }
            .encode_log_data(),
        ),
    }
}

fn decode_log(data: &LogData) -> Option<(Address, EvidenceCall)> {
    let e = IHechainEvidence::EvidenceStored::decode_log_data(data).ok()?;
    let meta = EvidenceMeta {
        title: non_empty(e.title),
        kind: non_empty(e.kind),
        owner: non_empty(e.owner),
        external_ref: non_empty(e.externalRef),
    };
    Some((from_evm(e.submitter), EvidenceCall::Put { content_hash: H256(e.contentHash.0), meta }))
}

fn view(state: &dyn StateView, _block: &BlockInfo, input: &[u8]) -> Result<Result<(Vec<u8>, u64), String>, StateError> {
    let call = match Calls::abi_decode(input) {
        Ok(c) => c,
        Err(e) => return Ok(Err(format!("evidence precompile: invalid call: {e}"))),
    };
    Ok(Ok(match call {
        Calls::exists(c) => {
            let found = exec::id_by_hash(state, &H256(c.contentHash.0))?.is_some();
            (IHechainEvidence::existsCall::abi_encode_returns(&found), 0)
        }
        Calls::get(c) => {
            let content_hash = H256(c.contentHash.0);
            let Some(rec) = exec::existing(state, &content_hash)? else {
                return Ok(Err(format!("no evidence with content hash {content_hash}")));
            };
            let ret = IHechainEvidence::getReturn {
                id: rec.id,
                submitter: to_evm(&rec.submitter),
                height: rec.height,
                timestampMs: rec.timestamp_ms,
                title: text(&rec.meta.title),
                kind: text(&rec.meta.kind),
                owner: text(&rec.meta.owner),
                externalRef: text(&rec.meta.external_ref),
            };
            (IHechainEvidence::getCall::abi_encode_returns(&ret), 0)
        }
        Calls::store(_) => return Ok(Err("evidence precompile: not a view".into())),
    }))
}
