// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @dev Address of the hechain traceability (溯源) precompile.
address constant HECHAIN_TRACE_ADDRESS = 0x0000000000000000000000000000000000001003;

/// @title hechain traceability (溯源, 一物一码) module
/// @notice Product batches, item codes, lifecycle events, custody hand-overs and recalls, callable at
/// 0x0000000000000000000000000000000000001003.
/// @dev A native precompile, not an EVM contract: it has no code, and DELEGATECALL / CALLCODE to it
/// revert. The acting account is msg.sender of the call: a contract that registers a batch is its
/// producer and first custodian of its items. Records written here are the module's ordinary records
/// (REST `/api/v1/trace/...`, record certificates) once the transaction commits; if an enclosing
/// frame reverts, the operation is undone with it. The rules are the native module's
/// (docs/services/traceability.md): item codes are unique chain-wide; events only by the custodian
/// or an authorised account; custody moves only when the receiver accepts; recalled items cannot
/// change hands. A refused operation reverts with the module's reason. Every function returns a
/// value: Solidity checks that a call target has code unless the call expects return data, and a
/// precompile has no code.
///
/// Gas: each write 40,000 + 30,000 per item code + 16 per byte of the operation's encoding (an event also
/// 16 per byte of its text and attachments per code it names); views 5,000; every call also 2,000 per
/// earlier trace operation of the transaction.
interface IHechainTrace {
    /// @notice An operation was accepted; `payload` is the canonical encoding of the native
    /// traceability payload it stands for (replayed through the native module after the
    /// transaction succeeds; the receipt then carries the module's events).
    event TraceOperation(address indexed sender, bytes payload);

    /// @notice Registers a batch produced by the caller, with up to 256 item codes.
    /// @return batchId The new batch's id.
    function registerBatch(string calldata product, string calldata producerLabel, bytes32 attributes, string calldata metadata, string[] calldata codes) external returns (uint64 batchId);

    /// @notice Adds up to 256 item codes to a batch the caller produced (not once recalled).
    /// @return firstItem Id of the first new item (the others follow in order).
    function addItems(uint64 batchId, string[] calldata codes) external returns (uint64 firstItem);

    /// @notice Appends the same lifecycle event to each item (the caller holds them or is authorised).
    /// @return count Number of events appended.
    function appendEvent(string[] calldata codes, string calldata stage, string calldata location, uint64 eventTimeMs, bytes32[] calldata attachments, string calldata note) external returns (uint32 count);

    /// @notice Authorises `account` to append events to every item of a batch the caller produced.
    function authorizeBatch(uint64 batchId, address account) external returns (bool);

    /// @notice Withdraws a batch authorisation.
    function revokeBatch(uint64 batchId, address account) external returns (bool);

    /// @notice Authorises `account` to append events to an item the caller holds (lapses when custody moves).
    function authorizeItem(string calldata code, address account) external returns (bool);

    /// @notice Withdraws an item authorisation (the item's custodian).
    function revokeItem(string calldata code, address account) external returns (bool);

    /// @notice Offers items the caller holds to `to`; custody moves when `to` accepts.
    /// @return count Number of items offered.
    function handover(string[] calldata codes, address to) external returns (uint32 count);

    /// @notice Accepts items offered to the caller: the caller becomes their custodian.
    function accept(string[] calldata codes) external returns (uint32 count);

    /// @notice Refuses items offered to the caller.
    function reject(string[] calldata codes) external returns (uint32 count);

    /// @notice Withdraws the caller's pending offers.
    function cancel(string[] calldata codes) external returns (uint32 count);

    /// @notice Recalls a batch the caller produced.
    function recall(uint64 batchId, string calldata reason) external returns (bool);

    /// @notice An item by its code; reverts if there is none. `pendingTo` is zero when no hand-over is pending.
    function itemOf(string calldata code) external view returns (uint64 itemId, uint64 batchId, address custodian, address pendingTo, uint32 events, bool recalled);

    /// @notice Whether `account` may append events to the item now.
    function mayAppend(string calldata code, address account) external view returns (bool);
}

/// @notice The traceability precompile, ready to call: `HechainTrace.precompile().handover(...)`.
library HechainTrace {
    /// @dev Address of the traceability precompile.
    address internal constant ADDRESS = HECHAIN_TRACE_ADDRESS;

    /// @notice The precompile as an `IHechainTrace`.
    function precompile() internal pure returns (IHechainTrace) {
        return IHechainTrace(ADDRESS);
    }
}
