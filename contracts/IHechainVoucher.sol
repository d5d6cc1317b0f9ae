// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @dev Address of the hechain receivable-voucher (数字凭证) precompile.
address constant HECHAIN_VOUCHER_ADDRESS = 0x0000000000000000000000000000000000001002;

/// @title hechain receivable vouchers (供应链金融 · 数字凭证)
/// @notice hechain's supply-chain finance vouchers, callable at
/// 0x0000000000000000000000000000000000001002.
/// @dev A native precompile, not an EVM contract: it has no code, and DELEGATECALL / CALLCODE to it
/// revert. The acting account is msg.sender of the call: a contract that issues a voucher is its
/// issuer (and settles it from its own balance); a contract holding a part splits, transfers or
/// pledges it. Vouchers and parts written here are the module's ordinary records (REST
/// `/api/v1/vouchers/...`, record certificates) once the transaction commits; if an enclosing frame
/// reverts, the operation is undone with it. The rules are the native module's
/// (docs/services/vouchers.md): a split hands out exactly the part's amount, only an active part of
/// an unmatured voucher moves, only the bank releases a pledge, only the issuer settles, at or after
/// maturity. A refused operation reverts with the module's reason.
///
/// Amounts are in the chain's native unit, which is the EVM's wei. `settle` pays every live part
/// (to its holder, or to the bank of a pledged part) from the caller's balance as value transfers;
/// it reverts, paying nothing, if the balance does not cover the face value.
///
/// Gas: `issue` 100,000; `split`/`transfer` 40,000 + 30,000 per new part; `pledge`/`release` 30,000;
/// `settle` 40,000 + 20,000 per part paid; views 5,000 (`voucherOf` + 100 per live part).
interface IHechainVoucher {
    /// @notice A voucher was issued by `issuer` to `holder`; `part` is the holder's first part.
    event VoucherIssued(uint64 indexed id, address indexed issuer, address indexed holder, uint128 amount, uint64 maturityMs, bytes32 invoiceRef, uint64 part);
    /// @notice Part `part` of voucher `voucherId` was split by its holder into parts
    /// `firstChild`, `firstChild + 1`, … for `to[i]` with `amounts[i]`.
    event VoucherSplit(uint64 indexed voucherId, uint64 indexed part, address indexed holder, address[] to, uint128[] amounts, uint64 firstChild);
    /// @notice Part `part` was pledged by its holder to `bank`.
    event VoucherPledged(uint64 indexed part, address indexed holder, address indexed bank);
    /// @notice Part `part` was released by the bank it was pledged to.
    event VoucherReleased(uint64 indexed part, address indexed bank);
    /// @notice Voucher `id` was settled by its issuer: `paid` in total to `parts` parts.
    event VoucherSettled(uint64 indexed id, address indexed issuer, uint128 paid, uint32 parts);

    /// @notice Issues a voucher: the caller owes `amount` to `holder`, due at `maturityMs` (ms since
    /// the Unix epoch, after the block time); `invoiceRef` is the hash of the underlying invoice.
    /// @return id The voucher id.
    /// @return part The part created for `holder`.
    function issue(address holder, uint128 amount, uint64 maturityMs, bytes32 invoiceRef) external returns (uint64 id, uint64 part);

    /// @notice Splits part `partId`, held by the caller, into new parts for `to[i]` with
    /// `amounts[i]` (1 to 16 outputs, summing exactly to the part).
    /// @return firstChild The first new part's id; the others follow in order.
    function split(uint64 partId, address[] calldata to, uint128[] calldata amounts) external returns (uint64 firstChild);

    /// @notice Transfers the whole of part `partId` to `to` (a split with one output).
    /// @return newPart The part created for `to`.
    function transfer(uint64 partId, address to) external returns (uint64 newPart);

    /// @notice Pledges part `partId`, held by the caller, to `bank`.
    function pledge(uint64 partId, address bank) external returns (bool);

    /// @notice Releases pledged part `partId`; only the bank it is pledged to may.
    function release(uint64 partId) external returns (bool);

    /// @notice Settles voucher `id` at or after maturity; only the issuer may. Pays every live part
    /// from the caller's balance.
    /// @return paid The total paid (the face value).
    function settle(uint64 id) external returns (uint128 paid);

    /// @notice Voucher `id`; reverts if there is none.
    function voucherOf(uint64 id) external view returns (address issuer, uint128 amount, uint64 maturityMs, bytes32 invoiceRef, bool settled, uint64[] memory liveParts);

    /// @notice Part `partId`; reverts if there is none. `state`: 0 active, 1 pledged (`counterparty`
    /// is the bank), 2 spent by a split, 3 settled (`counterparty` is who was paid). `parent` is 0
    /// for the part created at issuance.
    function partOf(uint64 partId) external view returns (uint64 voucherId, address holder, uint128 amount, uint8 state, address counterparty, uint64 parent);
}

/// @notice The voucher precompile, ready to call: `HechainVoucher.precompile().issue(...)`.
library HechainVoucher {
    /// @dev Address of the voucher precompile.
    address internal constant ADDRESS = HECHAIN_VOUCHER_ADDRESS;

    /// @notice The precompile as an `IHechainVoucher`.
    function precompile() internal pure returns (IHechainVoucher) {
        return IHechainVoucher(ADDRESS);
    }
}
