// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../IHechainTrace.sol";

/// @title ColdChainCarrier
/// @notice A logistics contract that takes custody of items through hechain's traceability
/// precompile, logs a temperature check, and hands them on; used by the precompile tests.
contract ColdChainCarrier {
    IHechainTrace public constant TRACE = IHechainTrace(HECHAIN_TRACE_ADDRESS);

    function one(string memory code) internal pure returns (string[] memory codes) {
        codes = new string[](1);
        codes[0] = code;
    }

    /// @notice In one call: accepts `code` (offered to this contract), records a "cold-chain
    /// check" event, and offers the item to `next`.
    function receiveCheckAndForward(string calldata code, address next, uint64 timeMs) external returns (uint32 events) {
        TRACE.accept(one(code));
        TRACE.appendEvent(one(code), "cold-chain check", "truck 7", timeMs, new bytes32[](0), "2-8 C");
        TRACE.handover(one(code), next);
        (, , , , events, ) = TRACE.itemOf(code);
    }

    /// @notice Accepts `code`, then reverts with "rolled back": custody must not move.
    function acceptAndRevert(string calldata code) external {
        TRACE.accept(one(code));
        revert("rolled back");
    }

    /// @notice Registers a batch of one item produced by this contract.
    function produce(string calldata code) external returns (uint64 batchId) {
        batchId = TRACE.registerBatch("Vaccine", "Carrier Labs", bytes32(uint256(7)), "", one(code));
    }

    /// @notice Whether `account` may write events for `code`.
    function canWrite(string calldata code, address account) external view returns (bool) {
        return TRACE.mayAppend(code, account);
    }
}
