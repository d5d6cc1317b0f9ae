// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @dev Address of the hechain governance (联盟治理) precompile.
address constant HECHAIN_GOVERNANCE_ADDRESS = 0x0000000000000000000000000000000000001007;

/// @title hechain governance (联盟治理) votes
/// @notice Committee members vote on proposals with an Ethereum transaction (what browser
/// wallets sign), at 0x0000000000000000000000000000000000001007.
/// @dev A native precompile, not an EVM contract. The vote counts for msg.sender, exactly as a
/// native `gov_vote` counts for its sender: msg.sender must be on the proposal's electorate and
/// still on the committee, and votes once. Proposals are made natively (`hechain gov propose`).
/// Gas: `vote` 60,000, `proposalState` 5,000.
interface IHechainGovernance {
    /// @notice Votes on open proposal `proposal` as msg.sender.
    /// @dev Reverts with the module's reason (not a member, already voted, not open, …).
    function vote(uint64 proposal, bool approve) external returns (bool);

    /// @notice Where proposal `proposal` stands.
    /// @dev Reverts when there is no such proposal.
    /// @return state `open`, `approved`, `applied`, `failed`, `rejected` or `expired`.
    /// @return yesWeight Weight voted yes.
    /// @return noWeight Weight voted no.
    /// @return totalWeight The electorate's total weight.
    /// @return thresholdBps Threshold, basis points of totalWeight.
    /// @return deadlineMs Votes are accepted before this block time (ms since the Unix epoch).
    function proposalState(uint64 proposal) external view returns (string memory state, uint64 yesWeight, uint64 noWeight, uint64 totalWeight, uint32 thresholdBps, uint64 deadlineMs);
}

/// @notice The governance precompile, ready to call: `HechainGovernance.precompile().vote(...)`.
library HechainGovernance {
    /// @dev Address of the governance precompile.
    address internal constant ADDRESS = HECHAIN_GOVERNANCE_ADDRESS;

    /// @notice The precompile as an `IHechainGovernance`.
    function precompile() internal pure returns (IHechainGovernance) {
        return IHechainGovernance(ADDRESS);
    }
}
