// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../IHechainCopyright.sol";

/// @title RightsAgency
/// @notice A rights agency contract that registers, licenses and sells works through hechain's
/// copyright precompile; used by the precompile tests. The agency itself owns what it registers.
contract RightsAgency {
    IHechainCopyright public constant COPYRIGHT = IHechainCopyright(HECHAIN_COPYRIGHT_ADDRESS);

    /// @notice Registers a work owned by this contract.
    function register(bytes32 contentHash, string memory title) public returns (uint64 id) {
        id = COPYRIGHT.register(contentHash, title, "music", "agency artist");
    }

    /// @notice In one transaction: registers, grants an exclusive worldwide license to
    /// `licensee`, then sells the work to `buyer`.
    function registerLicenseAndSell(bytes32 contentHash, address licensee, address buyer, uint64 untilMs)
        external
        returns (uint64 id, uint32 index)
    {
        id = register(contentHash, "bundle");
        index = COPYRIGHT.grantLicense(id, licensee, true, 0, untilMs, "worldwide");
        COPYRIGHT.transfer(id, buyer);
    }

    /// @notice Registers, then reverts with "rolled back": the registration must be undone.
    function registerAndRevert(bytes32 contentHash) external {
        register(contentHash, "undone");
        revert("rolled back");
    }

    /// @notice Registers inside a call that reverts, catches the failure, and registers another
    /// work: only the second survives.
    function registerOneOfTwo(bytes32 undone, bytes32 kept) external returns (uint64 id) {
        try this.registerAndRevert(undone) {} catch {}
        id = register(kept, "kept");
    }

    /// @notice Grants a license on a work this contract owns.
    function license(uint64 id, address licensee, bool exclusive, uint64 startMs, uint64 endMs, string calldata territory)
        external
        returns (uint32)
    {
        return COPYRIGHT.grantLicense(id, licensee, exclusive, startMs, endMs, territory);
    }

    /// @notice Whether `licensee` may use work `id` in `territory` now.
    function mayUse(uint64 id, address licensee, string calldata territory) external view returns (bool) {
        return COPYRIGHT.licensed(id, licensee, territory);
    }
}
