//! The e-certificate and data-sharing module (电子证照 / 数据共享) as a precompile at `0x…1004`
//! (`contracts/IHechainCertificates.sol`).
//!
//! Like the copyright precompile it never writes native state itself. An accepted operation is
//! the native payload it stands for (`ecert_issue`, `ecert_revoke`, `dataset_register`,
//! `data_grant`, `data_grant_revoke`, `data_access`) with the calling contract or account as its
//! sender; it is emitted as an `EcertOperation(sender, id, payload)` log whose `payload` is the
//! payload's canonical encoding, through the EVM journal (so a reverted frame drops it). After
//! the transaction succeeds [`apply_ecert_logs`] replays the surviving logs, in order, through
//! the native module (`hechain_execution::ecert::apply`, the same dispatch as native
//! transactions). To decide an operation, and to answer a view, the precompile replays the
//! transaction's operations so far onto a scratch overlay and runs the native rule on top of
//! it, with the block's millisecond time.

use alloy_sol_types::{sol, SolCall, SolEvent};
use hechain_types::EcertCall;
use hechain_types::{Address, Codec, Event, FieldCommitment, Payload, Subject, H256};
use revm::context::{ContextTr, JournalTr};
use revm::database_interface::WrapDatabaseRef;
use revm::interpreter::CallInputs;
use revm::precompile::PrecompileOutput;
use revm::primitives::{Bytes, Log, LogData};

use super::replay::{self, pending_ops, ModuleOp};
use super::{decode_call, evm_address, from_evm_address as ours, revert_msg, ECERT_ADDRESS};
use crate::ecert;
use crate::state::{Overlay, StateRead};
use crate::{BlockContext, ExecError};

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
use abi::IHechainCertificates;

/// Gas of a write operation, plus [`GAS_PER_BYTE`] per byte of its encoded payload.
pub const WRITE_GAS: u64 = 100_000;
/// Gas of a view.
pub const VIEW_GAS: u64 = 5_000;
/// Gas per byte of an operation's encoded payload.
pub const GAS_PER_BYTE: u64 = 16;

/// One operation of this transaction, as its log records it.
struct Op {
    sender: Address,
    id: u64,
    payload: Payload,
}

impl ModuleOp for Op {
    const MODULE: &'static str = "ecert";
    const ADDRESS: Address = ECERT_ADDRESS;

    fn from_log(data: &LogData) -> Option<Op> {
        let e = IHechainCertificates::EcertOperation::decode_log_data(data).ok()?;
        Some(Op { sender: ours(e.sender), id: e.id, payload: Payload::decode(&e.payload).ok()? })
    }

    fn apply<R: StateRead + ?Sized>(
        &self,
        o: &mut Overlay<'_, R>,
        ctx: BlockContext,
        tx_hash: H256,
    ) -> Result<Result<Vec<Event>, String>, ExecError> {
        crate::modules::apply_call(o, &ctx.call(self.sender, tx_hash), &self.payload)
    }

    fn check_replay(&self, events: &[Event]) -> Result<(), String> {
        match event_id(events) {
            Some(got) if got == self.id => Ok(()),
            got => Err(format!("promised id {} but the module gave {got:?}", self.id)),
        }
    }
}

/// The id the module's first e-certificate event names ([`ecert::event_id`]).
fn event_id(events: &[Event]) -> Option<u64> {
    let own: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Ecert(e) => Some(e.clone()),
            _ => None,
        })
        .collect();
    ecert::event_id(&own)
}

impl Op {
    fn log(&self) -> LogData {
        IHechainCertificates::EcertOperation {
            sender: evm_address(&self.sender),
            id: self.id,
            payload: self.payload.encode().into(),
        }
        .encode_log_data()
    }
}

fn subject(dataset: bool, id: u64) -> Subject {
    if dataset {
        Subject::Dataset(id)
    } else {
        Subject::Certificate(id)
    }
}

/// Handles a call to the e-certificate precompile.
pub(super) fn run<CTX, D>(
    ctx: &mut CTX,
    inputs: &CallInputs,
    block: BlockContext,
) -> Result<PrecompileOutput, ExecError>
where
    CTX: ContextTr<Db = WrapDatabaseRef<D>>,
    D: revm::DatabaseRef<Error = ExecError> + StateRead,
{
    use IHechainCertificates::IHechainCertificatesCalls as Call;
    let r = inputs.reservoir;
    let call = match decode_call::<Call, _>(ctx, inputs, "ecert") {
        Ok(c) => c,
        Err(refused) => return Ok(refused),
    };
    let payload = match &call {
        Call::issue(c) => {
            if c.fieldNames.len() != c.fieldHashes.len() {
                let msg = format!(
                    "ecert precompile: {} field names but {} field hashes",
                    c.fieldNames.len(),
                    c.fieldHashes.len()
                );
                return Ok(revert_msg(0, &msg, r));
            }
            Payload::Ecert(EcertCall::Issue {
                cert_type: c.certType.clone(),
                holder: ours(c.holder),
                fields: c
                    .fieldNames
                    .iter()
                    .zip(&c.fieldHashes)
                    .map(|(name, hash)| FieldCommitment { name: name.clone(), hash: H256(hash.0) })
                    .collect(),
                encrypted_ref: c.encryptedRef.to_vec(),
                not_before_ms: c.notBeforeMs,
                not_after_ms: c.notAfterMs,
            })
        }
        Call::revoke(c) => Payload::Ecert(EcertCall::Revoke { cert_id: c.id, reason: c.reason.clone() }),
        Call::registerDataset(c) => Payload::Ecert(EcertCall::DatasetRegister {
            content_hash: H256(c.contentHash.0),
            encrypted_ref: c.encryptedRef.to_vec(),
            description: c.description.clone(),
        }),
        Call::grant(c) => Payload::Ecert(EcertCall::DataGrant {
            subject: subject(c.dataset, c.subjectId),
            grantee: ours(c.grantee),
            org: c.org.clone(),
            purpose: c.purpose.clone(),
            expires_ms: c.expiresMs,
        }),
        Call::revokeGrant(c) => Payload::Ecert(EcertCall::DataGrantRevoke { grant_id: c.grantId }),
        Call::access(c) => Payload::Ecert(EcertCall::DataAccess {
            grant_id: c.grantId,
            purpose: c.purpose.clone(),
            request_hash: H256(c.requestHash.0),
        }),
        Call::isValid(_)
        | Call::isAuthorized(_)
        | Call::certificateOf(_)
        | Call::fieldHashOf(_)
        | Call::auditLength(_) => return view(ctx, inputs, &call, block),
    };
    let gas = WRITE_GAS + GAS_PER_BYTE * payload.encode().len() as u64;
    let ops: Vec<Op> = pending_ops(ctx);
    let db = &ctx.db_ref().0;
    let (mut o, gas) = match replay::write_scratch(db, &ops, block, inputs, gas)? {
        Ok(x) => x,
        Err(refused) => return Ok(refused),
    };
    let mut op = Op { sender: ours(inputs.caller), id: 0, payload };
    let events = match op.apply(&mut o, block, H256::ZERO)? {
        Ok(ev) => ev,
        Err(reason) => return Ok(revert_msg(gas, &reason, r)),
    };
    op.id = event_id(&events).ok_or_else(|| ExecError::Invalid("ecert precompile: unexpected event".into()))?;
    // Every function returns a uint64 (the id the operation created or touched).
    let out = IHechainCertificates::issueCall::abi_encode_returns(&op.id);
    ctx.journal_mut().log(Log { address: evm_address(&ECERT_ADDRESS), data: op.log() });
    Ok(PrecompileOutput::new(gas, Bytes::from(out), r))
}

fn view<CTX, D>(
    ctx: &mut CTX,
    inputs: &CallInputs,
    call: &IHechainCertificates::IHechainCertificatesCalls,
    block: BlockContext,
) -> Result<PrecompileOutput, ExecError>
where
    CTX: ContextTr<Db = WrapDatabaseRef<D>>,
    D: revm::DatabaseRef<Error = ExecError> + StateRead,
{
    use IHechainCertificates::IHechainCertificatesCalls as Call;
    let r = inputs.reservoir;
    let ops: Vec<Op> = pending_ops(ctx);
    let db = &ctx.db_ref().0;
    let (o, vg) = match replay::view_scratch(db, &ops, block, inputs, VIEW_GAS)? {
        Ok(x) => x,
        Err(refused) => return Ok(refused),
    };
    let out = match call {
        Call::isValid(c) => match ecert::certificate(&o, c.id)? {
            Some(cert) => IHechainCertificates::isValidCall::abi_encode_returns(&cert.valid_at(c.atMs)),
            None => return Ok(revert_msg(vg, &format!("no e-certificate has id {}", c.id), r)),
        },
        Call::isAuthorized(c) => match ecert::grant(&o, c.grantId)? {
            Some(g) => {
                let ok = ecert::authorised(&o, &g, &ours(c.grantee), c.atMs)?.is_ok();
                IHechainCertificates::isAuthorizedCall::abi_encode_returns(&ok)
            }
            None => return Ok(revert_msg(vg, &format!("no grant has id {}", c.grantId), r)),
        },
        Call::certificateOf(c) => match ecert::certificate(&o, c.id)? {
            Some(cert) => IHechainCertificates::certificateOfCall::abi_encode_returns(
                &IHechainCertificates::certificateOfReturn {
                    issuer: evm_address(&cert.issuer),
                    holder: evm_address(&cert.holder),
                    certType: cert.cert_type,
                    notBeforeMs: cert.not_before_ms,
                    notAfterMs: cert.not_after_ms,
                    revoked: cert.revoked.is_some(),
                },
            ),
            None => return Ok(revert_msg(vg, &format!("no e-certificate has id {}", c.id), r)),
        },
        Call::fieldHashOf(c) => {
            let Some(cert) = ecert::certificate(&o, c.id)? else {
                return Ok(revert_msg(vg, &format!("no e-certificate has id {}", c.id), r));
            };
            match cert.fields.iter().find(|f| f.name == c.name) {
                Some(f) => IHechainCertificates::fieldHashOfCall::abi_encode_returns(&f.hash.0.into()),
                None => {
                    let msg = format!("e-certificate {} has no field {:?}", c.id, c.name);
                    return Ok(revert_msg(vg, &msg, r));
                }
            }
        }
        Call::auditLength(c) => {
            let n = ecert::audit_len(&o, &subject(c.dataset, c.id))?;
            IHechainCertificates::auditLengthCall::abi_encode_returns(&n)
        }
        _ => return Ok(revert_msg(0, "ecert precompile: not a view", r)),
    };
    Ok(PrecompileOutput::new(vg, Bytes::from(out), r))
}

/// Applies the e-certificate operations a successful transaction made through the precompile
/// (its surviving logs, in order) through the native module, and returns their events.
pub fn apply_ecert_logs<R: StateRead + ?Sized>(
    o: &mut Overlay<'_, R>,
    ctx: BlockContext,
    logs: &[Log],
    tx_hash: H256,
) -> Result<Vec<Event>, ExecError> {
    replay::apply_logs::<Op, R>(o, ctx, logs, tx_hash)
}
