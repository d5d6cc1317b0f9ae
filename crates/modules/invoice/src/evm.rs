//! The invoice precompile at `0x…1005` (`contracts/IHechainInvoice.sol`).

use alloy_primitives::{Address as EvmAddress, U256};
use alloy_sol_types::{sol, SolCall, SolInterface};
use hechain_module::evm::{LogFormat, PrecompileCall, PrecompileSpec};
use hechain_module::exec::{BlockInfo, StateError, StateView};
use hechain_primitives::{Address, H256};

use crate::{exec, InvoiceCall, InvoiceEvent};

sol! {
    interface IHechainInvoice {
        function issue(string code, string number, address buyer, bytes32 buyerTaxIdHash, uint256 amount, uint256 tax, uint64 issuedOnMs, bytes32 itemsHash) external returns (uint64 id);
        function reimburse(uint64 invoiceId, string org, string claimRef) external returns (bool);
        function cancel(uint64 invoiceId, string reason) external returns (bool);
        function verify(string code, string number) external view returns (bool exists, bool valid, uint64 id, address issuer, address buyer, uint256 amount, uint256 tax, bool cancelled, bool reimbursed);
    }
}

use IHechainInvoice::IHechainInvoiceCalls as Calls;

/// The precompile's address.
pub const ADDRESS: [u8; 20] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x05];
/// Gas of a write (a few record and index writes, like as many fresh SSTOREs).
pub const WRITE_GAS: u64 = 100_000;
/// Gas per byte of text a write stores.
pub const GAS_PER_BYTE: u64 = 16;
/// Gas of `verify`.
pub const VIEW_GAS: u64 = 5_000;

/// The precompile.
pub fn spec() -> PrecompileSpec<InvoiceCall, InvoiceEvent> {
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

fn fen(what: &str, v: U256) -> Result<u128, String> {
    u128::try_from(v).map_err(|_| format!("invoice precompile: {what} does not fit in 128 bits"))
}

fn decode(input: &[u8]) -> Result<PrecompileCall<InvoiceCall>, String> {
    let call = Calls::abi_decode(input).map_err(|e| format!("invoice precompile: invalid call: {e}"))?;
    let write =
        |call: InvoiceCall, text: usize| PrecompileCall::Write { call, gas: WRITE_GAS + GAS_PER_BYTE * text as u64 };
    Ok(match call {
        Calls::issue(c) => {
            let text = c.code.len() + c.number.len();
            write(
                InvoiceCall::Issue {
                    code: c.code,
                    number: c.number,
                    buyer: Address(c.buyer.into_array()),
                    buyer_tax_id_hash: H256(c.buyerTaxIdHash.0),
                    amount: fen("amount", c.amount)?,
                    tax: fen("tax", c.tax)?,
                    issued_on_ms: c.issuedOnMs,
                    items_hash: H256(c.itemsHash.0),
                },
                text,
            )
        }
        Calls::reimburse(c) => {
            let text = c.org.len() + c.claimRef.len();
            write(InvoiceCall::Reimburse { invoice_id: c.invoiceId, org: c.org, claim_ref: c.claimRef }, text)
        }
        Calls::cancel(c) => {
            let text = c.reason.len();
            write(InvoiceCall::Cancel { invoice_id: c.invoiceId, reason: c.reason }, text)
        }
        Calls::verify(_) => PrecompileCall::View { gas: VIEW_GAS },
    })
}

fn write_output(input: &[u8], events: &[InvoiceEvent]) -> Vec<u8> {
    match Calls::abi_decode(input) {
        Ok(Calls::issue(_)) => {
            let id = events.iter().find_map(|e| match e {
                InvoiceEvent::Issued { id, .. } => Some(*id),
                InvoiceEvent::IssuerAuthorized { .. }
                | InvoiceEvent::IssuerRevoked { .. }
                | InvoiceEvent::Cancelled { .. }
                | InvoiceEvent::Reimbursed { .. } => None,
            });
            IHechainInvoice::issueCall::abi_encode_returns(&id.unwrap_or_default())
        }
        Ok(Calls::reimburse(_) | Calls::cancel(_) | Calls::verify(_)) | Err(_) => {
            IHechainInvoice::reimburseCall::abi_encode_returns(&true)
        }
    }
}

fn view(state: &dyn StateView, _block: &BlockInfo, input: &[u8]) -> Result<Result<(Vec<u8>, u64), String>, StateError> {
    let c = match Calls::abi_decode(input) {
        Ok(Calls::verify(c)) => c,
        Ok(Calls::issue(_) | Calls::reimburse(_) | Calls::cancel(_)) => {
            return Ok(Err("invoice precompile: not a view".into()))
        }
        Err(e) => return Ok(Err(format!("invoice precompile: invalid call: {e}"))),
    };
    let ret = match exec::by_code(state, &c.code, &c.number)? {
        Some(inv) => IHechainInvoice::verifyReturn {
            exists: true,
            valid: exec::validity(&inv).is_ok(),
            id: inv.id,
            issuer: EvmAddress::from(inv.issuer.0),
            buyer: EvmAddress::from(inv.buyer.0),
            amount: U256::from(inv.amount),
            tax: U256::from(inv.tax),
            cancelled: inv.cancelled.is_some(),
            reimbursed: inv.reimbursed.is_some(),
        },
        None => IHechainInvoice::verifyReturn {
            exists: false,
            valid: false,
            id: 0,
            issuer: EvmAddress::ZERO,
            buyer: EvmAddress::ZERO,
            amount: U256::ZERO,
            tax: U256::ZERO,
            cancelled: false,
            reimbursed: false,
        },
    };
    Ok(Ok((IHechainInvoice::verifyCall::abi_encode_returns(&ret), 0)))
}
