// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title Hash time-locked contracts for the native coin of any EVM chain
/// @notice The Solidity counterpart of hechain's `htlc` module, for atomic swaps (哈希锁定) between
/// a hechain chain and an EVM chain: the same hash lock (SHA-256 of a 32-byte secret) opens both
/// sides. The receiver claims with the secret before the deadline, which publishes the secret in
/// the `Claimed` event; from the deadline on, the sender may take the coins back.
contract HashedTimelock {
    struct Lock {
        address sender;
        address receiver;
        uint256 amount;
        bytes32 hashLock;
        /// Unix time (seconds) from which only a refund is possible.
        uint256 deadline;
        bool claimed;
        bool refunded;
        bytes32 preimage;
    }

    mapping(bytes32 => Lock) public locks;

    event Locked(
        bytes32 indexed id,
        address indexed sender,
        address indexed receiver,
        uint256 amount,
        bytes32 hashLock,
        uint256 deadline
    );
    event Claimed(bytes32 indexed id, bytes32 preimage);
    event Refunded(bytes32 indexed id);

    error NothingLocked();
    error DeadlineNotInFuture(uint256 deadline, uint256 now_);
    error LockExists(bytes32 id);
    error NoSuchLock(bytes32 id);
    error AlreadySettled(bytes32 id);
    error WrongSecret(bytes32 id);
    error Expired(bytes32 id, uint256 deadline);
    error NotExpired(bytes32 id, uint256 deadline);
    error NotSender(bytes32 id, address sender);
    error PaymentFailed(address to);

    /// Locks the coins sent for `receiver` under `hashLock` until `deadline`; returns the lock id.
    function lock(address receiver, bytes32 hashLock, uint256 deadline) external payable returns (bytes32 id) {
        if (msg.value == 0) revert NothingLocked();
        if (deadline <= block.timestamp) revert DeadlineNotInFuture(deadline, block.timestamp);
        id = keccak256(abi.encode(msg.sender, receiver, msg.value, hashLock, deadline));
        if (locks[id].sender != address(0)) revert LockExists(id);
        locks[id] = Lock(msg.sender, receiver, msg.value, hashLock, deadline, false, false, bytes32(0));
        emit Locked(id, msg.sender, receiver, msg.value, hashLock, deadline);
    }

    /// Pays the lock to its receiver, given the secret, before the deadline (anyone may call).
    function claim(bytes32 id, bytes32 preimage) external {
        Lock storage l = open(id);
        if (block.timestamp >= l.deadline) revert Expired(id, l.deadline);
        if (sha256(abi.encodePacked(preimage)) != l.hashLock) revert WrongSecret(id);
        l.claimed = true;
        l.preimage = preimage;
        emit Claimed(id, preimage);
        pay(l.receiver, l.amount);
    }

    /// Gives the coins back to the sender from the deadline on (the sender only).
    function refund(bytes32 id) external {
        Lock storage l = open(id);
        if (msg.sender != l.sender) revert NotSender(id, l.sender);
        if (block.timestamp < l.deadline) revert NotExpired(id, l.deadline);
        l.refunded = true;
        emit Refunded(id);
        pay(l.sender, l.amount);
    }

    function open(bytes32 id) private view returns (Lock storage l) {
        l = locks[id];
        if (l.sender == address(0)) revert NoSuchLock(id);
        if (l.claimed || l.refunded) revert AlreadySettled(id);
    }

    function pay(address to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert PaymentFailed(to);
    }
}
