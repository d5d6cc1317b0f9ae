// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../IHechainCertificates.sol";

/// @title CertificateAgency
/// @notice An issuing agency contract that issues and revokes e-certificates through hechain's
/// certificate precompile, and checks validity and authorisation; used by the precompile tests.
contract CertificateAgency {
    IHechainCertificates public constant CERTS = IHechainCertificates(HECHAIN_CERTIFICATES_ADDRESS);

    /// @notice Issues a one-field certificate to `holder`, valid until `untilMs`.
    function issue(address holder, bytes32 nameHash, uint64 untilMs) public returns (uint64 id) {
        string[] memory names = new string[](1);
        names[0] = "name";
        bytes32[] memory hashes = new bytes32[](1);
        hashes[0] = nameHash;
        id = CERTS.issue("diploma", holder, names, hashes, hex"c1c2c3", 0, untilMs);
    }

    /// @notice Revokes a certificate this contract issued.
    function revoke(uint64 id) external returns (uint64) {
        return CERTS.revoke(id, "revoked by the agency contract");
    }

    /// @notice Issues, then reverts with "rolled back": the issuance must be undone.
    function issueAndRevert(address holder, bytes32 nameHash, uint64 untilMs) external {
        issue(holder, nameHash, untilMs);
        revert("rolled back");
    }

    /// @notice Issues inside a call that reverts, catches the failure, and issues again: only the
    /// second survives, and gets the first id.
    function issueOneOfTwo(address holder, bytes32 nameHash, uint64 untilMs) external returns (uint64 id) {
        try this.issueAndRevert(holder, nameHash, untilMs) {} catch {}
        id = issue(holder, nameHash, untilMs);
    }

    /// @notice Whether certificate `id` is valid at `atMs`.
    function valid(uint64 id, uint64 atMs) external view returns (bool) {
        return CERTS.isValid(id, atMs);
    }

    /// @notice Whether grant `grantId` lets `grantee` use its subject at `atMs`.
    function authorized(uint64 grantId, address grantee, uint64 atMs) external view returns (bool) {
        return CERTS.isAuthorized(grantId, grantee, atMs);
    }

    /// @notice The committed hash of a field.
    function fieldHash(uint64 id, string calldata name) external view returns (bytes32) {
        return CERTS.fieldHashOf(id, name);
    }
}
