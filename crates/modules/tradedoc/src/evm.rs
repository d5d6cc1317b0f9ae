//! The trade-document precompile at `0x…1006` (`contracts/IHechainTradeDocs.sol`).

use alloy_primitives::Address as EvmAddress;
use alloy_sol_types::{sol, SolCall, SolInterface};
use hechain_module::evm::{LogFormat, PrecompileCall, PrecompileSpec};
use hechain_module::exec::{BlockInfo, StateError, StateView};
use hechain_primitives::H256;

use crate::{exec, DocType, TradedocCall, TradedocEvent};

sol! {
    interface IHechainTradeDocs {
        function register(uint8 docType, string issuer, string number, bytes32 contentHash, uint256 amount) external returns (uint64 id);
        function release(uint64 id) external returns (bool);
        function isFinanced(uint8 docType, string issuer, string number) external view returns (bool financed, uint64 id, address bank);
    }
}

use IHechainTradeDocs::IHechainTradeDocsCalls as Calls;

/// The precompile's address.
pub const ADDRESS: [u8; 20] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x06];
/// Gas of a write.
pub const WRITE_GAS: u64 = 100_000;
/// Gas per byte of issuer and number.
pub const GAS_PER_BYTE: u64 = 16;
/// Gas of `isFinanced`.
pub const VIEW_GAS: u64 = 5_000;

/// The precompile.
pub fn spec() -> PrecompileSpec<TradedocCall, TradedocEvent> {
    PrecompileSpec {
        address: ADDRESS,
        decode,
        prepare: None,
        write_output,
        result_gas: None,
        view,
        log: LogFormat::ModuleCall,
    }
}

fn doc_type(tag: u8) -> Result<DocType, String> {
    DocType::from_tag(tag).ok_or_else(|| format!("tradedoc precompile: unknown document type {tag} (0 to 3)"))
}

fn decode(input: &[u8]) -> Result<PrecompileCall<TradedocCall>, String> {
    let call = Calls::abi_decode(input).map_err(|e| format!("tradedoc precompile: invalid call: {e}"))?;
    Ok(match call {
        Calls::register(c) => {
            let gas = WRITE_GAS + GAS_PER_BYTE * (c.issuer.len() + c.number.len()) as u64;
            let amount =
                u128::try_from(c.amount).map_err(|_| "tradedoc precompile: amount does not fit in 128 bits")?;
            let call = TradedocCall::Register {
                doc_type: doc_type(c.docType)?,
                issuer: c.issuer,
                number: c.number,
                content_hash: H256(c.contentHash.0),
                amount,
            };
            PrecompileCall::Write { call, gas }
        }
        Calls::release(c) => PrecompileCall::Write { call: TradedocCall::Release { doc_id: c.id }, gas: WRITE_GAS },
        Calls::isFinanced(_) => PrecompileCall::View { gas: VIEW_GAS },
    })
}

fn write_output(input: &[u8], events: &[TradedocEvent]) -> Vec<u8> {
    match Calls::abi_decode(input) {
        Ok(Calls::register(_)) => {
            let id = events.iter().find_map(|e| match e {
                TradedocEvent::Registered { id, .. } => Some(*id),
                TradedocEvent::Released { .. } => None,
            });
            IHechainTradeDocs::registerCall::abi_encode_returns(&id.unwrap_or_default())
        }
        Ok(Calls::release(_) | Calls::isFinanced(_)) | Err(_) => {
            IHechainTradeDocs::releaseCall::abi_encode_returns(&true)
        }
    }
}

fn view(state: &dyn StateView, _block: &BlockInfo, input: &[u8]) -> Result<Result<(Vec<u8>, u64), String>, StateError> {
    let c = match Calls::abi_decode(input) {
        Ok(Calls::isFinanced(c)) => c,
        Ok(Calls::register(_) | Calls::release(_)) => return Ok(Err("tradedoc precompile: not a view".into())),
        Err(e) => return Ok(Err(format!("tradedoc precompile: invalid call: {e}"))),
    };
    let t = match doc_type(c.docType) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e)),
    };
    let ret = match exec::live_by_key(state, t, &c.issuer, &c.number)? {
        Some(d) => IHechainTradeDocs::isFinancedReturn { financed: true, id: d.id, bank: EvmAddress::from(d.bank.0) },
        None => IHechainTradeDocs::isFinancedReturn { financed: false, id: 0, bank: EvmAddress::ZERO },
    };
    Ok(Ok((IHechainTradeDocs::isFinancedCall::abi_encode_returns(&ret), 0)))
}
