// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @dev Address of the hechain cross-chain (跨链) precompile.
address constant HECHAIN_CROSSCHAIN_ADDRESS = 0x0000000000000000000000000000000000001008;

/// @title hechain cross-chain (跨链) packets of a contract's own port
/// @notice Every account, a contract included, owns the port named by its address: `0x` and its
/// 40 lowercase hex digits (`portOf`). Through this precompile a contract opens channels from its
/// port to a port on another hechain chain (another contract's, or an application's such as
/// `transfer`), sends packets on them, pulls the packets it received out of its inbox, and reads
/// what became of the packets it sent. Relayers (`hechain relay`) carry headers, packets and
/// acknowledgements; the chains check every one against a light client and a state proof.
/// @dev A native precompile, not an EVM contract: it cannot call back into the contract, so
/// received packets wait in the inbox until the contract consumes them, and outcomes wait until
/// it reads them. A packet delivered to a contract's port is acknowledged at once with empty
/// data. Gas: `openChannel` 100,000; `approveChannel`, `closeChannel` 40,000; `sendPacket`
/// 50,000 + 16 per byte; `consumePacket` 20,000; views 5,000 + 3 per byte returned.
interface IHechainCrosschain {
    /// @notice Starts opening a channel from msg.sender's port to `counterpartyPort` on the
    /// chain of light client `client` (the handshake's Init; a relayer carries the rest:
    /// `hechain relay connect --channel <id>`). The other port's owner must have consented
    /// (`approveChannel`) if it is an account's.
    /// @return channel The channel id on this chain.
    function openChannel(uint64 client, string calldata counterpartyPort, bool ordered, string calldata version) external returns (uint64 channel);

    /// @notice Consents, for msg.sender's port, to answer one opening from `counterpartyPort`
    /// on the chain of client `client` with `version`.
    function approveChannel(uint64 client, string calldata counterpartyPort, string calldata version) external returns (bool);

    /// @notice Sends `data` (at most 16 KiB) on one of msg.sender's open channels. The other
    /// chain refuses it from its height `timeoutHeight` or its time `timeoutMs` (ms since the
    /// Unix epoch) on; 0 = none, one of them is needed.
    /// @return sequence The packet's sequence on the channel.
    function sendPacket(uint64 channel, bytes calldata data, uint64 timeoutHeight, uint64 timeoutMs) external returns (uint64 sequence);

    /// @notice Takes received packet `sequence` out of the inbox of one of msg.sender's
    /// channels. Reverts if it is not waiting there (not received yet, or consumed).
    /// @return data Its payload.
    function consumePacket(uint64 channel, uint64 sequence) external returns (bytes memory data);

    /// @notice Closes one of msg.sender's channels; packets in flight then time out.
    function closeChannel(uint64 channel) external returns (bool);

    /// @notice The port account `account` owns.
    function portOf(address account) external view returns (string memory port);

    /// @notice A channel on this chain. Reverts when there is none.
    /// @return state `init`, `try_open`, `open` or `closed`.
    /// @return port The port on this end.
    /// @return counterpartyPort The port on the other chain.
    /// @return counterpartyChannel The other end's channel id (0 until known).
    /// @return ordered Whether packets are delivered in sequence order.
    /// @return version The version both ends agreed.
    function channelInfo(uint64 channel) external view returns (string memory state, string memory port, string memory counterpartyPort, uint64 counterpartyChannel, bool ordered, string memory version);

    /// @notice Whether received packet `sequence` waits in channel `channel`'s inbox.
    function inbox(uint64 channel, uint64 sequence) external view returns (bool waiting, bytes memory data);

    /// @notice What became of packet `sequence` sent on `channel`.
    /// @return status 0 unknown, 1 pending, 2 acknowledged, 3 refused by the other chain,
    /// 4 timed out (never received there).
    /// @return ackData The acknowledgement's data (status 2).
    /// @return reason The other chain's reason (status 3).
    function packetOutcome(uint64 channel, uint64 sequence) external view returns (uint8 status, bytes memory ackData, string memory reason);
}

/// @notice The cross-chain precompile, ready to call: `HechainCrosschain.precompile().sendPacket(...)`.
library HechainCrosschain {
    /// @dev Address of the cross-chain precompile.
    address internal constant ADDRESS = HECHAIN_CROSSCHAIN_ADDRESS;

    /// @dev Outcome codes of `packetOutcome`.
    uint8 internal constant UNKNOWN = 0;
    uint8 internal constant PENDING = 1;
    uint8 internal constant ACKNOWLEDGED = 2;
    uint8 internal constant REFUSED = 3;
    uint8 internal constant TIMED_OUT = 4;

    /// @notice The precompile as an `IHechainCrosschain`.
    function precompile() internal pure returns (IHechainCrosschain) {
        return IHechainCrosschain(ADDRESS);
    }
}
