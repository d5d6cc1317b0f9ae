//! Contract checks at deployment (合约安全检测), as governance sets them
//! ([`ContractChecks`](hechain_types::governance::ContractChecks)).
//!
//! After an Ethereum transaction ran, the runtime code of every contract it created is checked
//! ([`hechain_contract_check::check`]; deterministic and bounded, so every node finds the same).
//! Under `warn` the findings are logged and the deployment stands. Under `refuse` the transaction
//! is run again on the same state with a [`DeployGate`]: the create frame whose code shows a
//! hazard reverts at its `RETURN`, so nothing it did is kept — a deploying transaction fails with
//! the findings as its reason, and a factory's `CREATE` returns the zero address. (Re-running
//! only when there is something to refuse keeps the inspector off the common path.)

use hechain_contract_check::{check, Finding};
use revm::bytecode::opcode;
use revm::interpreter::interpreter::EthInterpreter;
use revm::interpreter::interpreter_types::{InputsTr, Jumps, MemoryTr};
use revm::interpreter::{InstructionResult, Interpreter};
use revm::primitives::{Address as EvmAddress, U256};
use revm::state::EvmState;

/// The contracts a transaction created whose code shows hazards, in address order.
pub(crate) fn created_findings(state: &EvmState) -> Vec<(EvmAddress, Vec<Finding>)> {
    let mut out: Vec<(EvmAddress, Vec<Finding>)> = state
        .iter()
        .filter(|(_, acc)| acc.is_created())
        .filter_map(|(addr, acc)| {
            let code = acc.info.code.as_ref()?.original_byte_slice().to_vec();
            let findings = check(&code);
            (!findings.is_empty()).then_some((*addr, findings))
        })
        .collect();
    out.sort_by_key(|(a, _)| *a);
    out
}

/// The findings as one line: `reentrancy at 0x01a2, unchecked_call at 0x0310`.
pub(crate) fn summary(findings: &[Finding]) -> String {
    let words: Vec<String> = findings
        .iter()
        .map(|f| {
            let kind = serde_json::to_value(f.hazard).ok().and_then(|v| v.as_str().map(str::to_owned));
            format!("{} at 0x{:04x}", kind.unwrap_or_default(), f.offset)
        })
        .collect();
    words.join(", ")
}

/// Reverts every create frame that would deposit code with hazards; remembers what it refused.
#[derive(Default)]
pub(crate) struct DeployGate {
    pub refused: Vec<(EvmAddress, Vec<Finding>)>,
    max_code_size: usize,
}

impl DeployGate {
    pub(crate) fn new(max_code_size: usize) -> Self {
        Self { refused: Vec::new(), max_code_size }
    }
}

impl<CTX> revm::Inspector<CTX, EthInterpreter> for DeployGate {
    fn step(&mut self, interp: &mut Interpreter<EthInterpreter>, _: &mut CTX) {
        // A create frame (it runs init code and has no code address) about to return its code.
        if interp.input.bytecode_address().is_some() || interp.bytecode.opcode() != opcode::RETURN {
            return;
        }
        let (Ok(offset), Ok(len)) = (interp.stack.peek(0), interp.stack.peek(1)) else { return };
        // Code over the size limit fails its deposit anyway; a wild offset fails on memory gas.
        let limit = U256::from(self.max_code_size);
        if len > limit || offset > U256::from(u32::MAX) {
            return;
        }
        let (offset, len) = (offset.to::<usize>(), len.to::<usize>());
        // RETURN has not expanded memory yet: bytes past its end read as zeros.
        let mut code = vec![0u8; len];
        let have = interp.memory.size().saturating_sub(offset).min(len);
        if have > 0 {
            code[..have].copy_from_slice(&interp.memory.slice_len(offset, have));
        }
        let findings = check(&code);
        if !findings.is_empty() {
            self.refused.push((interp.input.target_address(), findings));
            interp.halt(InstructionResult::Revert);
        }
    }
}
