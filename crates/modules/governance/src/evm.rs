//! The governance precompile at `0x…1007` (`contracts/IHechainGovernance.sol` in this crate): committee
//! members vote with an Ethereum transaction, which browser wallets (EIP-1193) sign. The vote
//! counts for the transaction's caller, exactly as a native vote counts for its sender: the
//! caller must be on the proposal's electorate and the committee, once per proposal. (A contract
//! votes only if governance made the contract itself a committee member, a multi-signature
//! wallet say.) Proposals stay native: their actions do not fit an ABI. Writes are logged in
//! the interface's `ModuleCall` format.

use alloy_sol_types::{sol, SolCall, SolInterface};
use hechain_module::evm::{LogFormat, PrecompileCall, PrecompileSpec};
use hechain_module::exec::{BlockInfo, StateError, StateView};

use crate::{exec, GovernanceCall, GovernanceEvent};

sol! {
    /// Governance (联盟治理) as seen from Solidity and Ethereum wallets (the same interface
    /// ships as this crate's `contracts/IHechainGovernance.sol`).
    interface IHechainGovernance {
        /// Votes on open proposal `proposal` as the caller (a committee member, once).
        function vote(uint64 proposal, bool approve) external returns (bool);
        /// Where proposal `proposal` stands: `open`, `approved`, `applied`, `failed`, `rejected`
        /// or `expired`, and its weights; reverts if there is none.
        function proposalState(uint64 proposal) external view returns (string state, uint64 yesWeight, uint64 noWeight, uint64 totalWeight, uint32 thresholdBps, uint64 deadlineMs);
    }
}
use IHechainGovernance::IHechainGovernanceCalls as Calls;

/// The precompile's address.
pub const ADDRESS: [u8; 20] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x07];
/// Gas of `vote` (a vote record and the proposal's update, like two fresh SSTOREs and reads).
pub const VOTE_GAS: u64 = 60_000;
/// Gas of `proposalState`.
pub const VIEW_GAS: u64 = 5_000;

/// The precompile.
pub fn spec() -> PrecompileSpec<GovernanceCall, GovernanceEvent> {
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

fn decode(input: &[u8]) -> Result<PrecompileCall<GovernanceCall>, String> {
    let call = Calls::abi_decode(input).map_err(|e| format!("governance precompile: invalid call: {e}"))?;
    Ok(match call {
        Calls::vote(c) => PrecompileCall::Write {
            call: GovernanceCall::Vote { proposal: c.proposal, approve: c.approve },
            gas: VOTE_GAS,
        },
        Calls::proposalState(_) => PrecompileCall::View { gas: VIEW_GAS },
    })
}

fn write_output(_input: &[u8], _events: &[GovernanceEvent]) -> Vec<u8> {
    IHechainGovernance::voteCall::abi_encode_returns(&true)
}

fn view(state: &dyn StateView, _block: &BlockInfo, input: &[u8]) -> Result<Result<(Vec<u8>, u64), String>, StateError> {
    let c = match Calls::abi_decode(input) {
        Ok(Calls::proposalState(c)) => c,
        Ok(Calls::vote(_)) => return Ok(Err("governance precompile: not a view".into())),
        Err(e) => return Ok(Err(format!("governance precompile: invalid call: {e}"))),
    };
    let Some(p) = exec::proposal(state, c.proposal)? else {
        return Ok(Err(format!("no proposal has id {}", c.proposal)));
    };
    let ret = IHechainGovernance::proposalStateReturn {
        state: exec::status_word(&p.status).to_string(),
        yesWeight: p.yes_weight,
        noWeight: p.no_weight,
        totalWeight: p.total_weight,
        thresholdBps: p.threshold_bps,
        deadlineMs: p.deadline_ms,
    };
    Ok(Ok((IHechainGovernance::proposalStateCall::abi_encode_returns(&ret), 0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn votes_decode_to_the_native_call_and_views_are_views() {
        let input = IHechainGovernance::voteCall { proposal: 7, approve: false }.abi_encode();
        match decode(&input) {
            Ok(PrecompileCall::Write { call, gas }) => {
                assert_eq!(call, GovernanceCall::Vote { proposal: 7, approve: false });
                assert_eq!(gas, VOTE_GAS);
            }
            Ok(PrecompileCall::View { .. }) | Err(_) => panic!("a vote must decode to a write"),
        }
        let view_input = IHechainGovernance::proposalStateCall { proposal: 7 }.abi_encode();
        assert!(matches!(decode(&view_input), Ok(PrecompileCall::View { gas: VIEW_GAS })));
        assert!(decode(&[1, 2, 3]).unwrap_err().contains("invalid call"));
    }
}
