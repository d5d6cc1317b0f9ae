// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @dev Address of the hechain copyright (版权) precompile.
address constant HECHAIN_COPYRIGHT_ADDRESS = 0x0000000000000000000000000000000000001001;

/// @title hechain copyright (版权) module
/// @notice hechain copyright registration, callable at 0x0000000000000000000000000000000000001001.
/// @dev A native precompile, not an EVM contract: it has no code, and DELEGATECALL / CALLCODE to it
/// revert. The acting account is msg.sender of the call: a contract that registers a work owns it.
/// Works and licenses written here are the module's ordinary records (REST `/api/v1/copyright/...`,
/// record certificates) once the transaction commits; if an enclosing frame reverts, the operation
/// is undone with it. The rules are the native module's (docs/services/copyright.md): one
/// registration per content hash, only the owner transfers or licenses, and no license may overlap
/// an exclusive one in time and territory. A refused operation reverts with the module's reason.
///
/// Gas: `register` 100,000 + 16 per text byte; `transfer` 40,000; `grantLicense` 60,000 + 16 per
/// territory byte + 1,000 per existing license of the work; views 5,000 (`licensed` + 1,000 per
/// license of the work).
interface IHechainCopyright {
    /// @notice A work was registered; `owner` is the registrant.
    event CopyrightRegistered(uint64 indexed id, bytes32 indexed contentHash, address indexed owner, string title, string workType, string author);
    /// @notice A work changed owner.
    event CopyrightTransferred(uint64 indexed id, address indexed from, address indexed to);
    /// @notice A license was granted by the owner `licensor`.
    event CopyrightLicensed(uint64 indexed id, address indexed licensor, address indexed licensee, uint32 index, bool exclusive, uint64 startMs, uint64 endMs, string territory);

    /// @notice Registers a work; the caller becomes its owner.
    /// @dev Reverts if `contentHash` is already registered (naming the first registration) or a
    /// field is empty or too long (title and author ≤ 256 bytes, workType ≤ 64).
    /// @return id The new work's id.
    function register(bytes32 contentHash, string calldata title, string calldata workType, string calldata author) external returns (uint64 id);

    /// @notice Transfers work `id` to `to`; only the owner may.
    /// @return from The previous owner (the caller). Every function of this interface returns a
    /// value: Solidity checks that a call target has code unless the call expects return data,
    /// and a precompile has no code.
    function transfer(uint64 id, address to) external returns (address from);

    /// @notice Grants a license on work `id` for [startMs, endMs) (ms since the Unix epoch) in
    /// `territory` (e.g. "CN", or "worldwide"); only the owner may.
    /// @return index The license's index among the work's licenses.
    function grantLicense(uint64 id, address licensee, bool exclusive, uint64 startMs, uint64 endMs, string calldata territory) external returns (uint32 index);

    /// @notice The owner of work `id`; reverts if there is none.
    function ownerOf(uint64 id) external view returns (address);

    /// @notice The work registered for `contentHash`; reverts if there is none.
    function workOf(bytes32 contentHash) external view returns (uint64 id, address owner, address registrant, uint64 registeredAtMs);

    /// @notice Whether `licensee` holds a license of work `id`, in force at the block time, whose
    /// territory is `territory` or worldwide.
    function licensed(uint64 id, address licensee, string calldata territory) external view returns (bool);
}

/// @notice The copyright precompile, ready to call: `HechainCopyright.precompile().register(...)`.
library HechainCopyright {
    /// @dev Address of the copyright precompile.
    address internal constant ADDRESS = HECHAIN_COPYRIGHT_ADDRESS;

    /// @notice The precompile as an `IHechainCopyright`.
    function precompile() internal pure returns (IHechainCopyright) {
        return IHechainCopyright(ADDRESS);
    }
}
