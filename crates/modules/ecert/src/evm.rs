//! The e-certificate and data-sharing precompile at `0x…1004`
//! (`contracts/IHechainCertificates.sol`). Its log is `EcertOperation(sender, id, payload)`:
//! the id the write created or touched and the call's payload encoding, the format of its
//! writes, which must not change.

use alloy_sol_types::{sol, SolCall, SolEvent, SolInterface};
use hechain_module::evm::{
    from_evm, from_payload_bytes, payload_bytes, to_evm, LogData, LogFormat, PrecompileCall, PrecompileSpec,
};
use hechain_module::exec::{BlockInfo, StateError, StateView};
use hechain_primitives::{Address, H256};

use crate::{exec, EcertCall, EcertEvent, EcertModule, FieldCommitment, Subject};

// The generated constructors of the 7-argument `issue` call take one argument per field.
#[allow(clippy::too_many_arguments)]
mod abi {
    use super::sol;
    sol! {
        /// The e-certificate module as seen from Solidity (the same interface ships as
        /// `contracts/IHechainCertificates.sol`).
        interface IHechainCertificates {
            event EcertOperation(address indexed sender, uint64 indexed id, bytes payload);
            function issue(string certType, address holder, string[] fieldNames, bytes32[] fieldHashes, bytes encryptedRef, uint64 notBeforeMs, uint64 notAfterMs) external returns (uint64 id);
            function revoke(uint64 id, string reason) external returns (uint64 revokedId);
            function registerDataset(bytes32 contentHash, bytes encryptedRef, string description) external returns (uint64 id);
            function grant(bool dataset, uint64 subjectId, address grantee, string org, string purpose, uint64 expiresMs) external returns (uint64 grantId);
            function revokeGrant(uint64 grantId) external returns (uint64 revokedId);
            function access(uint64 grantId, string purpose, bytes32 requestHash) external returns (uint64 seq);
            function isValid(uint64 id, uint64 atMs) external view returns (bool);
            function isAuthorized(uint64 grantId, address grantee, uint64 atMs) external view returns (bool);
            function certificateOf(uint64 id) external view returns (address issuer, address holder, string certType, uint64 notBeforeMs, uint64 notAfterMs, bool revoked);
            function fieldHashOf(uint64 id, string name) external view returns (bytes32);
            function auditLength(bool dataset, uint64 id) external view returns (uint64);
        }
    }
}
pub use abi::IHechainCertificates;
use IHechainCertificates::IHechainCertificatesCalls as Calls;

/// The precompile's address.
pub const ADDRESS: [u8; 20] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x04];
/// Gas of a write, plus [`GAS_PER_BYTE`] per byte of its payload encoding.
pub const WRITE_GAS: u64 = 100_000;
/// Gas of a view.
pub const VIEW_GAS: u64 = 5_000;
/// Gas per byte of a write's payload encoding.
pub const GAS_PER_BYTE: u64 = 16;

/// The precompile.
pub fn spec() -> PrecompileSpec<EcertCall, EcertEvent> {
    PrecompileSpec {
        address: ADDRESS,
        decode,
        prepare: None,
        write_output,
        result_gas: None,
        view,
        log: LogFormat::Own { encode: encode_log, decode: decode_log },
    }
}

fn subject(dataset: bool, id: u64) -> Subject {
    if dataset {
        Subject::Dataset(id)
    } else {
        Subject::Certificate(id)
    }
}

fn decode(input: &[u8]) -> Result<PrecompileCall<EcertCall>, String> {
    let call = Calls::abi_decode(input).map_err(|e| format!("ecert precompile: invalid call: {e}"))?;
    let call = match call {
        Calls::issue(c) => {
            if c.fieldNames.len() != c.fieldHashes.len() {
                return Err(format!(
                    "ecert precompile: {} field names but {} field hashes",
                    c.fieldNames.len(),
                    c.fieldHashes.len()
                ));
            }
            EcertCall::Issue {
                cert_type: c.certType,
                holder: from_evm(c.holder),
                fields: c
                    .fieldNames
                    .into_iter()
                    .zip(&c.fieldHashes)
                    .map(|(name, hash)| FieldCommitment { name, hash: H256(hash.0) })
                    .collect(),
                encrypted_ref: c.encryptedRef.to_vec(),
                not_before_ms: c.notBeforeMs,
                not_after_ms: c.notAfterMs,
            }
        }
        Calls::revoke(c) => EcertCall::Revoke { cert_id: c.id, reason: c.reason },
        Calls::registerDataset(c) => EcertCall::DatasetRegister {
            content_hash: H256(c.contentHash.0),
            encrypted_ref: c.encryptedRef.to_vec(),
            description: c.description,
        },
        Calls::grant(c) => EcertCall::DataGrant {
            subject: subject(c.dataset, c.subjectId),
            grantee: from_evm(c.grantee),
            org: c.org,
            purpose: c.purpose,
            expires_ms: c.expiresMs,
        },
        Calls::revokeGrant(c) => EcertCall::DataGrantRevoke { grant_id: c.grantId },
        Calls::access(c) => {
            EcertCall::DataAccess { grant_id: c.grantId, purpose: c.purpose, request_hash: H256(c.requestHash.0) }
        }
        Calls::isValid(_)
        | Calls::isAuthorized(_)
        | Calls::certificateOf(_)
        | Calls::fieldHashOf(_)
        | Calls::auditLength(_) => return Ok(PrecompileCall::View { gas: VIEW_GAS }),
    };
    let gas = WRITE_GAS + GAS_PER_BYTE * payload_bytes::<EcertModule>(&call).len() as u64;
    Ok(PrecompileCall::Write { call, gas })
}

/// Every write returns a uint64: the id it created or touched.
fn write_output(_input: &[u8], events: &[EcertEvent]) -> Vec<u8> {
    IHechainCertificates::issueCall::abi_encode_returns(&exec::event_id(events).unwrap_or_default())
}

fn encode_log(sender: &Address, call: &EcertCall, events: &[EcertEvent]) -> Option<LogData> {
    let op = IHechainCertificates::EcertOperation {
        sender: to_evm(sender),
        id: exec::event_id(events)?,
        payload: payload_bytes::<EcertModule>(call).into(),
    };
    Some(op.encode_log_data())
}

fn decode_log(data: &LogData) -> Option<(Address, EcertCall)> {
    let e = IHechainCertificates::EcertOperation::decode_log_data(data).ok()?;
    Some((from_evm(e.sender), from_payload_bytes::<EcertModule>(&e.payload)?))
}

fn view(state: &dyn StateView, _block: &BlockInfo, input: &[u8]) -> Result<Result<(Vec<u8>, u64), String>, StateError> {
    let call = match Calls::abi_decode(input) {
        Ok(c) => c,
        Err(e) => return Ok(Err(format!("ecert precompile: invalid call: {e}"))),
    };
    let no_cert = |id: u64| Ok(Err(format!("no e-certificate has id {id}")));
    let out = match call {
        Calls::isValid(c) => match exec::certificate(state, c.id)? {
            Some(cert) => IHechainCertificates::isValidCall::abi_encode_returns(&cert.valid_at(c.atMs)),
            None => return no_cert(c.id),
        },
        Calls::isAuthorized(c) => match exec::grant(state, c.grantId)? {
            Some(g) => {
                let ok = exec::authorised(state, &g, &from_evm(c.grantee), c.atMs)?.is_ok();
                IHechainCertificates::isAuthorizedCall::abi_encode_returns(&ok)
            }
            None => return Ok(Err(format!("no grant has id {}", c.grantId))),
        },
        Calls::certificateOf(c) => match exec::certificate(state, c.id)? {
            Some(cert) => IHechainCertificates::certificateOfCall::abi_encode_returns(
                &IHechainCertificates::certificateOfReturn {
                    issuer: to_evm(&cert.issuer),
                    holder: to_evm(&cert.holder),
                    certType: cert.cert_type,
                    notBeforeMs: cert.not_before_ms,
                    notAfterMs: cert.not_after_ms,
                    revoked: cert.revoked.is_some(),
                },
            ),
            None => return no_cert(c.id),
        },
        Calls::fieldHashOf(c) => {
            let Some(cert) = exec::certificate(state, c.id)? else { return no_cert(c.id) };
            match cert.fields.iter().find(|f| f.name == c.name) {
                Some(f) => IHechainCertificates::fieldHashOfCall::abi_encode_returns(&f.hash.0.into()),
                None => return Ok(Err(format!("e-certificate {} has no field {:?}", c.id, c.name))),
            }
        }
        Calls::auditLength(c) => {
            let n = exec::audit_len(state, &subject(c.dataset, c.id))?;
            IHechainCertificates::auditLengthCall::abi_encode_returns(&n)
        }
        Calls::issue(_)
        | Calls::revoke(_)
        | Calls::registerDataset(_)
        | Calls::grant(_)
        | Calls::revokeGrant(_)
        | Calls::access(_) => return Ok(Err("ecert precompile: not a view".into())),
    };
    Ok(Ok((out, 0)))
}
