// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../IHechainEvidence.sol";

/// @title EvidenceNotary
/// @notice Stores evidence through hechain's evidence precompile; used by the Ethereum-compatibility tests.
contract EvidenceNotary {
    IHechainEvidence public constant EVIDENCE = IHechainEvidence(HECHAIN_EVIDENCE_ADDRESS);

    event Notarized(bytes32 indexed contentHash, uint64 id);

    /// @notice Stores `contentHash` (kind "contract", owner "notary"); the record's submitter is this contract.
    function notarize(bytes32 contentHash, string calldata title) public returns (uint64 id) {
        id = EVIDENCE.store(contentHash, title, "contract", "notary", "");
        emit Notarized(contentHash, id);
    }

    /// @notice Whether `contentHash` is stored.
    function isNotarized(bytes32 contentHash) external view returns (bool) {
        return EVIDENCE.exists(contentHash);
    }

    /// @notice Stores, then reverts with "rolled back": the store must be undone.
    function notarizeAndRevert(bytes32 contentHash, string calldata title) external {
        notarize(contentHash, title);
        revert("rolled back");
    }
}
