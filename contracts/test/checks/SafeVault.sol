// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// Known-safe counterpart of ReentrantVault: checks, effects, then the interaction; the call's
/// success is checked; authorisation by msg.sender; no selfdestruct or delegatecall.
contract SafeVault {
    mapping(address => uint256) public balances;
    address public owner;

    constructor() {
        owner = msg.sender;
    }

    function deposit() external payable {
        balances[msg.sender] += msg.value;
    }

    function withdraw() external {
        uint256 amount = balances[msg.sender];
        require(amount > 0, "nothing to withdraw");
        balances[msg.sender] = 0;
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "send failed");
    }

    function setOwner(address next) external {
        require(msg.sender == owner, "not the owner");
        owner = next;
    }
}
