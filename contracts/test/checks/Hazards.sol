// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

// Known-vulnerable contracts: each has one classic hazard that the pre-deploy check
// (`hechain contract check`) must report. Never deploy them anywhere but a test chain.

/// Reentrancy: the balance is cleared only after the external call that sends it.
contract ReentrantVault {
    mapping(address => uint256) public balances;

    function deposit() external payable {
        balances[msg.sender] += msg.value;
    }

    function withdraw() external {
        uint256 amount = balances[msg.sender];
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "send failed");
        balances[msg.sender] = 0;
    }
}

/// The success of a low-level call is ignored.
contract UncheckedPayer {
    function pay(address to, uint256 amount) external {
        // solhint-disable-next-line
        payable(to).call{value: amount}("");
    }

    receive() external payable {}
}

/// Authorisation by tx.origin: any contract the owner calls can act as the owner.
contract OriginOwned {
    address public owner;

    constructor() {
        owner = msg.sender;
    }

    function setOwner(address next) external {
        require(tx.origin == owner, "not the owner");
        owner = next;
    }
}

/// The contract can be destroyed.
contract Destructible {
    function destroy() external {
        selfdestruct(payable(msg.sender));
    }
}

/// Delegates to whatever address the caller names: anyone can run any code in its storage.
contract OpenDelegator {
    function exec(address target, bytes calldata data) external returns (bytes memory) {
        (bool ok, bytes memory out) = target.delegatecall(data);
        require(ok, "delegatecall failed");
        return out;
    }
}
