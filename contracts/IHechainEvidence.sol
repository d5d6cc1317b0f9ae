// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @dev Address of the hechain evidence (存证) precompile.
address constant HECHAIN_EVIDENCE_ADDRESS = 0x0000000000000000000000000000000000001000;

/// @title hechain evidence (存证) module
/// @notice hechain evidence (存证) module, callable at 0x0000000000000000000000000000000000001000.
/// @dev A native precompile, not an EVM contract: it has no code, and DELEGATECALL / CALLCODE to it
/// revert. Records written by `store` become visible to the chain's native evidence API
/// (`/api/v1/evidence/...`) once the transaction commits; if any enclosing frame reverts, the
/// store is undone with it.
///
/// Gas: `store` costs 80,000 + 16 per metadata byte (title + kind + owner + externalRef),
/// `exists` costs 2,600, `get` costs 5,000.
interface IHechainEvidence {
    /// @notice A record was stored.
    /// @param id Sequential record id (starting at 1).
    /// @param contentHash Hash of the evidenced content.
    /// @param submitter msg.sender of the `store` call (the calling contract when called from one).
    event EvidenceStored(uint64 indexed id, bytes32 indexed contentHash, address indexed submitter, string title, string kind, string owner, string externalRef);

    /// @notice Stores `contentHash` with its metadata; the submitter is msg.sender of this call,
    /// i.e. the calling contract when a contract calls it.
    /// @dev Reverts with an error message when `contentHash` is already stored, when a field is
    /// longer than 512 bytes, or when called in a static context.
    /// Gas: 80,000 + 16 per metadata byte.
    /// @return id The id of the new record.
    function store(bytes32 contentHash, string calldata title, string calldata kind, string calldata owner, string calldata externalRef) external returns (uint64 id);

    /// @notice Whether `contentHash` is stored. Gas: 2,600.
    function exists(bytes32 contentHash) external view returns (bool);

    /// @notice The record of `contentHash`.
    /// @dev Reverts with an error message when no record has that hash. Gas: 5,000.
    /// @return id Record id.
    /// @return submitter msg.sender of the `store` call.
    /// @return height Block height the record was committed in.
    /// @return timestampMs Block timestamp, milliseconds since the Unix epoch.
    /// @return title Title (empty if none).
    /// @return kind Kind (empty if none).
    /// @return owner Owner (empty if none).
    /// @return externalRef External reference (empty if none).
    function get(bytes32 contentHash) external view returns (uint64 id, address submitter, uint64 height, uint64 timestampMs, string memory title, string memory kind, string memory owner, string memory externalRef);
}

/// @notice The evidence precompile, ready to call: `HechainEvidence.precompile().store(...)`.
library HechainEvidence {
    /// @dev Address of the evidence precompile.
    address internal constant ADDRESS = HECHAIN_EVIDENCE_ADDRESS;

    /// @notice The precompile as an `IHechainEvidence`.
    function precompile() internal pure returns (IHechainEvidence) {
        return IHechainEvidence(ADDRESS);
    }
}
