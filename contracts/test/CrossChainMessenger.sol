// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../modules/crosschain/IHechainCrosschain.sol";

/// @title A messenger between contracts on two hechain chains
/// @notice Over the cross-chain precompile, from this contract's own port: the owner opens a
/// channel to the messenger on the other chain (or consents to its opening), anyone sends a
/// message, anyone pulls received messages in (the chain keeps them in the port's inbox until
/// the contract consumes them), and a sender reads what became of its message.
contract CrossChainMessenger {
    IHechainCrosschain private constant XC = IHechainCrosschain(HECHAIN_CROSSCHAIN_ADDRESS);
    string public constant VERSION = "xc-messenger-1";

    address public immutable owner;
    uint64 public channel;
    /// Messages received, in the order they were pulled in.
    bytes[] public messages;
    /// Who sent each message of this side, by sequence.
    mapping(uint64 => address) public senderOf;

    event Sent(uint64 indexed sequence, address indexed from, bytes message);
    event Received(uint64 indexed sequence, address from, bytes message);

    error NotOwner();
    error NoChannel();
    error NotThisContractsChannel(uint64 channel);
    error Reverted();

    constructor() {
        owner = msg.sender;
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    /// @notice Starts opening a channel to `counterpartyPort` (the other messenger's port) over
    /// light client `client`.
    function open(uint64 client, string calldata counterpartyPort) external onlyOwner returns (uint64) {
        channel = XC.openChannel(client, counterpartyPort, false, VERSION);
        return channel;
    }

    /// @notice Consents to the other messenger opening a channel to this one.
    function accept(uint64 client, string calldata counterpartyPort) external onlyOwner {
        XC.approveChannel(client, counterpartyPort, VERSION);
    }

    /// @notice Uses channel `id`, which the handshake a relayer carried created for this port.
    function useChannel(uint64 id) external onlyOwner {
        (, string memory port,,,,) = XC.channelInfo(id);
        if (keccak256(bytes(port)) != keccak256(bytes(XC.portOf(address(this))))) revert NotThisContractsChannel(id);
        channel = id;
    }

    /// @notice Sends `message` to the other messenger; refused there from its time `timeoutMs` on.
    function send(bytes calldata message, uint64 timeoutMs) external returns (uint64 sequence) {
        if (channel == 0) revert NoChannel();
        sequence = XC.sendPacket(channel, abi.encode(msg.sender, message), 0, timeoutMs);
        senderOf[sequence] = msg.sender;
        emit Sent(sequence, msg.sender, message);
    }

    /// @notice Pulls received message `sequence` in (anyone may: it only moves it from the
    /// inbox to this contract).
    function pull(uint64 sequence) public {
        bytes memory data = XC.consumePacket(channel, sequence);
        (address from, bytes memory message) = abi.decode(data, (address, bytes));
        messages.push(message);
        emit Received(sequence, from, message);
    }

    /// @notice Pulls a message and then reverts: the message stays in the inbox.
    function pullAndRevert(uint64 sequence) external {
        pull(sequence);
        revert Reverted();
    }

    /// @notice How many messages were pulled in.
    function received() external view returns (uint256) {
        return messages.length;
    }

    /// @notice What became of message `sequence` this side sent (see `IHechainCrosschain.packetOutcome`).
    function outcome(uint64 sequence) external view returns (uint8 status, bytes memory ackData, string memory reason) {
        return XC.packetOutcome(channel, sequence);
    }

    /// @notice Closes the channel.
    function close() external onlyOwner {
        XC.closeChannel(channel);
    }
}
