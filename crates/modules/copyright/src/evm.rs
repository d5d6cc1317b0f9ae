//! The copyright precompile at `0x…1001` (`contracts/IHechainCopyright.sol`). Its logs are
//! its own events (`CopyrightRegistered`, `CopyrightTransferred`, `CopyrightLicensed`), which
//! contracts and indexers read: they are the format of its writes and must not change.

use alloy_sol_types::{sol, SolCall, SolEvent, SolInterface};
use hechain_module::evm::{from_evm, to_evm, LogData, LogFormat, PrecompileCall, PrecompileSpec};
use hechain_module::exec::{BlockInfo, StateError, StateView};
use hechain_primitives::{Address, H256};

use crate::{exec, CopyrightCall, CopyrightEvent, WORLDWIDE};

// The generated constructors of the 8-field license event take one argument per field.
#[allow(clippy::too_many_arguments)]
mod abi {
    use super::sol;
    sol! {
        /// The copyright module as seen from Solidity (the same interface ships as
        /// `contracts/IHechainCopyright.sol`).
        interface IHechainCopyright {
            event CopyrightRegistered(uint64 indexed id, bytes32 indexed contentHash, address indexed owner, string title, string workType, string author);
            event CopyrightTransferred(uint64 indexed id, address indexed from, address indexed to);
            event CopyrightLicensed(uint64 indexed id, address indexed licensor, address indexed licensee, uint32 index, bool exclusive, uint64 startMs, uint64 endMs, string territory);
            function register(bytes32 contentHash, string title, string workType, string author) external returns (uint64 id);
            function transfer(uint64 id, address to) external returns (address from);
            function grantLicense(uint64 id, address licensee, bool exclusive, uint64 startMs, uint64 endMs, string territory) external returns (uint32 index);
            function ownerOf(uint64 id) external view returns (address);
            function workOf(bytes32 contentHash) external view returns (uint64 id, address owner, address registrant, uint64 registeredAtMs);
            function licensed(uint64 id, address licensee, string territory) external view returns (bool);
        }
    }
}
use abi::IHechainCopyright::{self, CopyrightLicensed, CopyrightRegistered, CopyrightTransferred};
use IHechainCopyright::IHechainCopyrightCalls as Calls;

/// The precompile's address.
pub const ADDRESS: [u8; 20] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x01];
/// Gas of `register`: the four record writes plus [`GAS_PER_BYTE`] per byte of text.
pub const REGISTER_GAS: u64 = 100_000;
/// Gas of `transfer`.
pub const TRANSFER_GAS: u64 = 40_000;
/// Gas of `grantLicense` (plus 16 per territory byte and [`GAS_PER_LICENSE`] per existing
/// license checked).
pub const LICENSE_GAS: u64 = 60_000;
/// Gas of a view (plus [`GAS_PER_LICENSE`] per license scanned by `licensed`).
pub const VIEW_GAS: u64 = 5_000;
/// Gas per byte of stored text.
pub const GAS_PER_BYTE: u64 = 16;
/// Gas per license examined.
pub const GAS_PER_LICENSE: u64 = 1_000;

/// The precompile.
pub fn spec() -> PrecompileSpec<CopyrightCall, CopyrightEvent> {
    PrecompileSpec {
        address: ADDRESS,
        decode,
        prepare: Some(prepare),
        write_output,
        result_gas: None,
        view,
        log: LogFormat::Own { encode: encode_log, decode: decode_log },
    }
}

fn decode(input: &[u8]) -> Result<PrecompileCall<CopyrightCall>, String> {
    let call = Calls::abi_decode(input).map_err(|e| format!("copyright precompile: invalid call: {e}"))?;
    Ok(match call {
        Calls::register(c) => {
            let gas = REGISTER_GAS + GAS_PER_BYTE * (c.title.len() + c.workType.len() + c.author.len()) as u64;
            let call = CopyrightCall::Register {
                content_hash: H256(c.contentHash.0),
                title: c.title,
                work_type: c.workType,
                author: c.author,
            };
            PrecompileCall::Write { call, gas }
        }
        Calls::transfer(c) => PrecompileCall::Write {
            call: CopyrightCall::Transfer { work_id: c.id, to: from_evm(c.to) },
            gas: TRANSFER_GAS,
        },
        Calls::grantLicense(c) => PrecompileCall::Write {
            gas: LICENSE_GAS + GAS_PER_BYTE * c.territory.len() as u64,
            call: CopyrightCall::License {
                work_id: c.id,
                licensee: from_evm(c.licensee),
                exclusive: c.exclusive,
                start_ms: c.startMs,
                end_ms: c.endMs,
                territory: c.territory,
            },
        },
        Calls::ownerOf(_) | Calls::workOf(_) | Calls::licensed(_) => PrecompileCall::View { gas: VIEW_GAS },
    })
}

/// A grant is checked against every license of the work.
fn prepare(_input: &[u8], state: &dyn StateView, call: &mut CopyrightCall) -> Result<Result<u64, String>, StateError> {
    Ok(Ok(match call {
        CopyrightCall::License { work_id, .. } => {
            GAS_PER_LICENSE * exec::work(state, *work_id)?.map_or(0, |w| w.licenses as u64)
        }
        CopyrightCall::Register { .. } | CopyrightCall::Transfer { .. } => 0,
    }))
}

fn write_output(_input: &[u8], events: &[CopyrightEvent]) -> Vec<u8> {
    match events.first() {
        Some(CopyrightEvent::Registered { id, .. }) => IHechainCopyright::registerCall::abi_encode_returns(id),
        Some(CopyrightEvent::Licensed { index, .. }) => IHechainCopyright::grantLicenseCall::abi_encode_returns(index),
        Some(CopyrightEvent::Transferred { from, .. }) => {
            IHechainCopyright::transferCall::abi_encode_returns(&to_evm(from))
        }
        None => Vec::new(),
    }
}

fn encode_log(sender: &Address, call: &CopyrightCall, events: &[CopyrightEvent]) -> Option<LogData> {
    Some(match (call, events.first()?) {
        (CopyrightCall::Register { content_hash, title, work_type, author }, CopyrightEvent::Registered { id, .. }) => {
            CopyrightRegistered {
                id: *id,
                contentHash: content_hash.0.into(),
                owner: to_evm(sender),
                title: title.clone(),
                workType: work_type.clone(),
                author: author.clone(),
            }
            .encode_log_data()
        }
        (CopyrightCall::Transfer { work_id, to }, CopyrightEvent::Transferred { .. }) => {
            CopyrightTransferred { id: *work_id, from: to_evm(sender), to: to_evm(to) }.encode_log_data()
        }
        (
            CopyrightCall::License { work_id, licensee, exclusive, start_ms, end_ms, territory },
            CopyrightEvent::Licensed { index, .. },
        ) => CopyrightLicensed {
            id: *work_id,
            licensor: to_evm(sender),
            licensee: to_evm(licensee),
            index: *index,
            exclusive: *exclusive,
            startMs: *start_ms,
            endMs: *end_ms,
            territory: territory.clone(),
        }
        .encode_log_data(),
        (CopyrightCall::Register { .. } | CopyrightCall::Transfer { .. } | CopyrightCall::License { .. }, _) => {
            return None
        }
    })
}

fn decode_log(data: &LogData) -> Option<(Address, CopyrightCall)> {
    if let Ok(e) = CopyrightRegistered::decode_log_data(data) {
        let call = CopyrightCall::Register {
            content_hash: H256(e.contentHash.0),
            title: e.title,
            work_type: e.workType,
            author: e.author,
        };
        return Some((from_evm(e.owner), call));
    }
    if let Ok(e) = CopyrightTransferred::decode_log_data(data) {
        return Some((from_evm(e.from), CopyrightCall::Transfer { work_id: e.id, to: from_evm(e.to) }));
    }
    if let Ok(e) = CopyrightLicensed::decode_log_data(data) {
        let call = CopyrightCall::License {
            work_id: e.id,
            licensee: from_evm(e.licensee),
            exclusive: e.exclusive,
            start_ms: e.startMs,
            end_ms: e.endMs,
            territory: e.territory,
        };
        return Some((from_evm(e.licensor), call));
    }
    None
}

fn view(state: &dyn StateView, block: &BlockInfo, input: &[u8]) -> Result<Result<(Vec<u8>, u64), String>, StateError> {
    let call = match Calls::abi_decode(input) {
        Ok(c) => c,
        Err(e) => return Ok(Err(format!("copyright precompile: invalid call: {e}"))),
    };
    let no_work = |id: u64| Ok(Err(format!("no registered work has id {id}")));
    Ok(Ok(match call {
        Calls::ownerOf(c) => match exec::work(state, c.id)? {
            Some(w) => (IHechainCopyright::ownerOfCall::abi_encode_returns(&to_evm(&w.owner)), 0),
            None => return no_work(c.id),
        },
        Calls::workOf(c) => match exec::work_by_hash(state, &H256(c.contentHash.0))? {
            Some(w) => {
                let ret = IHechainCopyright::workOfReturn {
                    id: w.id,
                    owner: to_evm(&w.owner),
                    registrant: to_evm(&w.registrant),
                    registeredAtMs: w.registered.timestamp_ms,
                };
                (IHechainCopyright::workOfCall::abi_encode_returns(&ret), 0)
            }
            None => {
                return Ok(Err(format!("no work is registered with content hash {}", H256(c.contentHash.0))));
            }
        },
        Calls::licensed(c) => match exec::work(state, c.id)? {
            Some(w) => {
                let licensee = from_evm(c.licensee);
                let held = exec::licenses(state, &w)?.iter().any(|l| {
                    l.licensee == licensee
                        && l.in_force(block.timestamp_ms)
                        && (l.territory.eq_ignore_ascii_case(&c.territory)
                            || l.territory.eq_ignore_ascii_case(WORLDWIDE))
                });
                (IHechainCopyright::licensedCall::abi_encode_returns(&held), GAS_PER_LICENSE * w.licenses as u64)
            }
            None => return no_work(c.id),
        },
        Calls::register(_) | Calls::transfer(_) | Calls::grantLicense(_) => {
            return Ok(Err("copyright precompile: not a view".into()))
        }
    }))
}
