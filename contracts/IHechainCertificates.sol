// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @dev Address of the hechain e-certificate (电子证照) and data-sharing precompile.
address constant HECHAIN_CERTIFICATES_ADDRESS = 0x0000000000000000000000000000000000001004;

/// @title hechain e-certificates and authorised data sharing (电子证照 / 数据共享)
/// @notice Callable at 0x0000000000000000000000000000000000001004.
/// @dev A native precompile, not an EVM contract: it has no code, and DELEGATECALL / CALLCODE to it
/// revert. The acting account is msg.sender of the call: a contract that issues a certificate is its
/// issuing agency; a contract that holds one grants access to it; a contract that was granted access
/// logs its uses. Records written here are the module's ordinary records (REST `/api/v1/ecerts/...`,
/// audit logs, record certificates) once the transaction commits; if an enclosing frame reverts,
/// the operation is undone with it. The rules are the native module's (docs/services/ecertificates.md);
/// a refused operation reverts with the module's reason.
///
/// Each write emits `EcertOperation(sender, id, payload)`: `payload` is the canonical encoding of the
/// native payload it stands for (the transaction's receipt also lists the native events).
/// Field hashes are H("hechain/ecert-field/v1" ‖ salt ‖ u32be(len(name)) ‖ name ‖ value) under the
/// chain's suite hash, computed off chain: field values never go on chain.
///
/// Gas: writes 100,000 + 16 per byte of the encoded payload; views 5,000.
interface IHechainCertificates {
    /// @notice An operation was applied; `id` is what `issue`/`registerDataset`/`grant` created,
    /// what `revoke`/`revokeGrant` revoked, or the audit position `access` logged.
    event EcertOperation(address indexed sender, uint64 indexed id, bytes payload);

    /// @notice Issues a certificate to `holder`; the caller is the issuing agency.
    /// @dev `fieldNames` and `fieldHashes` pair up (1 to 32 fields, names unique); `encryptedRef` is
    /// 1 to 1,024 bytes of ciphertext; validity is [notBeforeMs, notAfterMs), ending after the block time.
    function issue(string calldata certType, address holder, string[] calldata fieldNames, bytes32[] calldata fieldHashes, bytes calldata encryptedRef, uint64 notBeforeMs, uint64 notAfterMs) external returns (uint64 id);

    /// @notice Revokes certificate `id`; only its issuer may. Returns `id`.
    function revoke(uint64 id, string calldata reason) external returns (uint64 revokedId);

    /// @notice Registers a dataset held by the caller.
    function registerDataset(bytes32 contentHash, bytes calldata encryptedRef, string calldata description) external returns (uint64 id);

    /// @notice Grants `grantee` access to a certificate (`dataset` false) or dataset the caller holds,
    /// until `expiresMs` (exclusive).
    function grant(bool dataset, uint64 subjectId, address grantee, string calldata org, string calldata purpose, uint64 expiresMs) external returns (uint64 grantId);

    /// @notice Revokes a grant the caller made, before it expires. Returns `grantId`.
    function revokeGrant(uint64 grantId) external returns (uint64 revokedId);

    /// @notice Logs a use under grant `grantId`; only its grantee may, while the grant is live and
    /// its certificate valid. Returns the use's position in the subject's audit log.
    function access(uint64 grantId, string calldata purpose, bytes32 requestHash) external returns (uint64 seq);

    /// @notice Whether certificate `id` is valid (not revoked, within validity) at `atMs`; reverts if unknown.
    function isValid(uint64 id, uint64 atMs) external view returns (bool);

    /// @notice Whether grant `grantId` authorises `grantee` at `atMs` (its grantee, not revoked, not
    /// expired, its certificate valid then); reverts if the grant is unknown.
    function isAuthorized(uint64 grantId, address grantee, uint64 atMs) external view returns (bool);

    /// @notice The certificate's issuer, holder, type, validity and whether it is revoked.
    function certificateOf(uint64 id) external view returns (address issuer, address holder, string memory certType, uint64 notBeforeMs, uint64 notAfterMs, bool revoked);

    /// @notice The committed hash of field `name` of certificate `id`; reverts if there is none.
    function fieldHashOf(uint64 id, string calldata name) external view returns (bytes32);

    /// @notice Number of entries in the audit log of a certificate (`dataset` false) or dataset.
    function auditLength(bool dataset, uint64 id) external view returns (uint64);
}

/// @notice The precompile, ready to call: `HechainCertificates.precompile().isValid(...)`.
library HechainCertificates {
    /// @dev Address of the e-certificate precompile.
    address internal constant ADDRESS = HECHAIN_CERTIFICATES_ADDRESS;

    /// @notice The precompile as an `IHechainCertificates`.
    function precompile() internal pure returns (IHechainCertificates) {
        return IHechainCertificates(ADDRESS);
    }
}
