// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// hechain trade-document registry (贸易单据登记) at the fixed precompile address
/// 0x0000000000000000000000000000000000001006. `docType`: 0 bill of lading, 1 warehouse receipt,
/// 2 invoice, 3 contract. Issuer and number are normalised (white space, `-`, `_`, `/`, `.`
/// removed, ASCII upper-cased) before they are compared.
interface IHechainTradeDocs {
    /// Registers a document the caller (a bank, or its contract) finances; returns the
    /// registration id. Reverts, naming the live registration, if the document or its content
    /// is already financed anywhere.
    function register(uint8 docType, string calldata issuer, string calldata number, bytes32 contentHash, uint256 amount) external returns (uint64 id);

    /// Releases a registration once its financing is repaid (caller: the registering bank).
    function release(uint64 id) external returns (bool);

    /// Whether the document is financed now, by which registration and bank.
    function isFinanced(uint8 docType, string calldata issuer, string calldata number) external view returns (bool financed, uint64 id, address bank);
}
