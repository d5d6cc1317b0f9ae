// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// hechain e-invoices (电子发票) at the fixed precompile address 0x0000000000000000000000000000000000001005.
/// Writes run as the calling contract (or account): `issue` needs an authorised issuer, and every
/// write is refused in a static call. Amounts are in fen (0.01 CNY) and must fit in 128 bits.
interface IHechainInvoice {
    /// Issues an invoice; returns its id. Reverts if the caller is not an authorised issuer or
    /// the code and number are already recorded.
    function issue(string calldata code, string calldata number, address buyer, bytes32 buyerTaxIdHash, uint256 amount, uint256 tax, uint64 issuedOnMs, bytes32 itemsHash) external returns (uint64 id);

    /// Records the one reimbursement of an invoice; reverts naming the first if it was already
    /// reimbursed (by anyone), or if it was cancelled.
    function reimburse(uint64 invoiceId, string calldata org, string calldata claimRef) external returns (bool);

    /// Cancels an invoice red-letter (caller: its issuer).
    function cancel(uint64 invoiceId, string calldata reason) external returns (bool);

    /// Whether an invoice exists and is still valid (not cancelled, not reimbursed).
    function verify(string calldata code, string calldata number) external view returns (bool exists, bool valid, uint64 id, address issuer, address buyer, uint256 amount, uint256 tax, bool cancelled, bool reimbursed);
}
