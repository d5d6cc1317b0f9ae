// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../IHechainVoucher.sol";

/// @title CoreEnterprise
/// @notice A core enterprise's payables contract: it issues receivable vouchers to its suppliers
/// through hechain's voucher precompile, holds funds, and settles at maturity from its own balance.
/// Used by the precompile tests.
contract CoreEnterprise {
    IHechainVoucher public constant VOUCHERS = IHechainVoucher(HECHAIN_VOUCHER_ADDRESS);
    address public immutable treasurer;

    error NotTreasurer(address caller);

    constructor() payable {
        treasurer = msg.sender;
    }

    receive() external payable {}

    modifier onlyTreasurer() {
        if (msg.sender != treasurer) revert NotTreasurer(msg.sender);
        _;
    }

    /// @notice Issues a voucher owed by this contract to `supplier`.
    function pay(address supplier, uint128 amount, uint64 maturityMs, bytes32 invoice)
        external
        onlyTreasurer
        returns (uint64 id, uint64 part)
    {
        (id, part) = VOUCHERS.issue(supplier, amount, maturityMs, invoice);
    }

    /// @notice Issues a voucher, then reverts with "rolled back": the issuance must be undone.
    function payAndRevert(address supplier, uint128 amount, uint64 maturityMs, bytes32 invoice) external {
        VOUCHERS.issue(supplier, amount, maturityMs, invoice);
        revert("rolled back");
    }

    /// @notice Settles voucher `id` from this contract's balance.
    function settle(uint64 id) external onlyTreasurer returns (uint128 paid) {
        paid = VOUCHERS.settle(id);
    }

    /// @notice Settles inside a call that reverts, catches the failure and reports it: nothing
    /// may be paid.
    function settleAndRevert(uint64 id) external {
        VOUCHERS.settle(id);
        revert("rolled back");
    }

    /// @notice Whether part `partId` is still unsettled value owed by this contract.
    function outstanding(uint64 partId) external view returns (uint128) {
        (, , uint128 amount, uint8 state, , ) = VOUCHERS.partOf(partId);
        return state == 0 || state == 1 ? amount : 0;
    }
}
