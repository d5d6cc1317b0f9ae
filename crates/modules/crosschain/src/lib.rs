//! Cross-chain (跨链) between hechain chains, after IBC: no party between the chains is
//! trusted; each chain runs a light client of the other and checks proofs.
//!
//! * **Light clients** ([`client`]): registered from the other chain's genesis, they accept a
//!   header only with a quorum seal of the validator set in force at its height, follow the
//!   other chain's validator-set changes through their epoch proofs, and freeze on proof that
//!   a quorum signed two conflicting headers.
//! * **Channels** ([`channel`]): a handshake between an application here and one there, each
//!   step proving the other end's state.
//! * **Packets** ([`packet`]): committed into the sending chain's state, received exactly once
//!   on proof of the commitment, acknowledged on proof of the acknowledgement, or rolled back
//!   on proof that they were not received before their timeout.
//! * **Applications**: cross-chain token transfers ([`transfer`], port `transfer`), and
//!   recognition of another chain's records ([`recognise`]: evidence, e-certificates,
//!   copyright works).
//!
//! * **Account ports** ([`ports`]): every account, a contract's included, owns the port named
//!   by its address; Solidity contracts open channels, send packets, consume received ones and
//!   read outcomes through the precompile at `0x…1008` ([`evm`], `contracts/IHechainCrosschain.sol`
//!   in this crate).
//!
//! Relayers (`hechain relay`) carry headers, packets and acknowledgements; they need no
//! permission and are not trusted. See `docs/services/crosschain.md` for the trust model.

#[cfg(feature = "api")]
mod api;
pub mod apps;
mod calls;
pub mod channel;
#[cfg(feature = "cli")]
mod cli;
pub mod client;
#[cfg(feature = "evm")]
pub mod evm;
pub mod keys;
pub mod notary;
pub mod packet;
pub mod ports;
pub mod recognise;
pub mod transfer;
mod types;
pub mod views;

pub use calls::{CrosschainCall, CrosschainEvent};
use hechain_module::exec::{CallContext, Host, ModuleExec, Outcome, StateError};
use hechain_module::record::ModuleRecord;
use hechain_module::{Module, ModuleCall, TypesError, ValidateContext, Wire};
use hechain_primitives::Codec;
pub use types::*;

/// The cross-chain module.
pub struct CrosschainModule;

impl Module for CrosschainModule {
    const NAME: &'static str = "crosschain";
    const WIRE: Wire = Wire::Indexed(30);
    const KEY_PREFIXES: &'static [&'static [u8]] = &[b"xc/"];
    type Call = CrosschainCall;
    type Event = CrosschainEvent;
    type Record = CrosschainRecord;
}

fn check_packet(p: &Packet) -> Result<(), TypesError> {
    validate_port(&p.source_port)?;
    validate_port(&p.destination_port)?;
    if p.data.len() > MAX_PACKET_DATA {
        return Err(TypesError::Invalid(format!("packet data is larger than {MAX_PACKET_DATA} bytes")));
    }
    Ok(())
}

impl ModuleCall for CrosschainCall {
    fn validate(&self, _cx: &ValidateContext) -> Result<(), TypesError> {
        match self {
            CrosschainCall::CreateClient { .. }
            | CrosschainCall::ChannelOpenAck { .. }
            | CrosschainCall::ChannelOpenConfirm { .. }
            | CrosschainCall::ChannelClose { .. }
            | CrosschainCall::ChannelCloseConfirm { .. } => Ok(()),
            CrosschainCall::UpdateClient { epoch_changes, .. } => {
                if epoch_changes.len() > MAX_EPOCH_CHANGES {
                    return Err(TypesError::Invalid(format!("at most {MAX_EPOCH_CHANGES} epoch changes per update")));
                }
                Ok(())
            }
            CrosschainCall::ChannelOpenInit { port, counterparty_port, .. }
            | CrosschainCall::ChannelOpenTry { port, counterparty_port, .. } => {
                validate_port(port)?;
                validate_port(counterparty_port)
            }
            CrosschainCall::Transfer { denom, amount, timeout_height, timeout_ms, .. } => {
                validate_denom(denom)?;
                if *amount == 0 {
                    return Err(TypesError::Invalid("the amount must be positive".into()));
                }
                if *timeout_height == 0 && *timeout_ms == 0 {
                    return Err(TypesError::Invalid("a transfer needs a timeout height or time".into()));
                }
                Ok(())
            }
            CrosschainCall::RecvPacket { packet, .. }
            | CrosschainCall::AckPacket { packet, .. }
            | CrosschainCall::TimeoutPacket { packet, .. } => check_packet(packet),
            CrosschainCall::Recognise { record, .. } => {
                if record.len() > MAX_RECORD_BYTES {
                    return Err(TypesError::Invalid(format!("the record is larger than {MAX_RECORD_BYTES} bytes")));
                }
                Ok(())
            }
            CrosschainCall::NotaryAttest { network, event_id, payload, signatures } => {
                notary::validate_network(network)?;
                if event_id.is_empty() || event_id.len() > notary::MAX_EVENT_ID {
                    return Err(TypesError::Invalid(format!(
                        "the event id must be 1 to {} bytes",
                        notary::MAX_EVENT_ID
                    )));
                }
                if payload.len() > notary::MAX_ATTESTED_PAYLOAD {
                    return Err(TypesError::Invalid(format!(
                        "the payload is larger than {} bytes",
                        notary::MAX_ATTESTED_PAYLOAD
                    )));
                }
                if signatures.len() > notary::MAX_NOTARIES {
                    return Err(TypesError::Invalid(format!("at most {} signatures", notary::MAX_NOTARIES)));
                }
                Ok(())
            }
            CrosschainCall::PortOpen { counterparty_port, version, .. }
            | CrosschainCall::PortApprove { counterparty_port, version, .. } => {
                validate_port(counterparty_port)?;
                validate_version(version)
            }
            CrosschainCall::PortSend { data, timeout_height, timeout_ms, .. } => {
                if data.len() > MAX_PACKET_DATA {
                    return Err(TypesError::Invalid(format!("packet data is larger than {MAX_PACKET_DATA} bytes")));
                }
                if *timeout_height == 0 && *timeout_ms == 0 {
                    return Err(TypesError::Invalid("a packet needs a timeout height or time".into()));
                }
                Ok(())
            }
            CrosschainCall::PortConsume { .. } => Ok(()),
        }
    }

    fn spends(&self) -> u128 {
        match self {
            CrosschainCall::Transfer { denom, amount, .. } if denom == NATIVE_DENOM => *amount,
            CrosschainCall::Transfer { .. }
            | CrosschainCall::CreateClient { .. }
            | CrosschainCall::UpdateClient { .. }
            | CrosschainCall::ChannelOpenInit { .. }
            | CrosschainCall::ChannelOpenTry { .. }
            | CrosschainCall::ChannelOpenAck { .. }
            | CrosschainCall::ChannelOpenConfirm { .. }
            | CrosschainCall::ChannelClose { .. }
            | CrosschainCall::ChannelCloseConfirm { .. }
            | CrosschainCall::RecvPacket { .. }
            | CrosschainCall::AckPacket { .. }
            | CrosschainCall::TimeoutPacket { .. }
            | CrosschainCall::Recognise { .. }
            | CrosschainCall::NotaryAttest { .. }
            | CrosschainCall::PortOpen { .. }
            | CrosschainCall::PortApprove { .. }
            | CrosschainCall::PortSend { .. }
            | CrosschainCall::PortConsume { .. } => 0,
        }
    }
}

impl ModuleExec for CrosschainModule {
    fn apply<H: Host + ?Sized>(
        host: &mut H,
        cx: &CallContext,
        call: &CrosschainCall,
    ) -> Result<Outcome<CrosschainEvent>, StateError> {
        if let Err(e) = call.validate(&cx.validate) {
            return Ok(Err(e.to_string()));
        }
        match call {
            CrosschainCall::CreateClient { genesis } => client::create(host, cx, genesis),
            CrosschainCall::UpdateClient { .. } => client::update(host, cx, call),
            CrosschainCall::ChannelOpenInit { port, client, counterparty_port, ordering, version } => {
                channel::open_init(host, cx, (port, *client, counterparty_port, *ordering, version))
            }
            CrosschainCall::ChannelOpenTry {
                port,
                client,
                counterparty_port,
                counterparty_channel,
                ordering,
                version,
                proof_height,
                proof,
            } => channel::open_try(
                host,
                cx,
                (port, *client, counterparty_port, *counterparty_channel, *ordering, version),
                *proof_height,
                proof,
            ),
            CrosschainCall::ChannelOpenAck { channel, counterparty_channel, proof_height, proof } => {
                channel::open_ack(host, cx, (*channel, *counterparty_channel, *proof_height), proof)
            }
            CrosschainCall::ChannelOpenConfirm { channel, proof_height, proof } => {
                channel::open_confirm(host, cx, (*channel, *proof_height), proof)
            }
            CrosschainCall::ChannelClose { channel } => channel::close(host, cx, *channel),
            CrosschainCall::ChannelCloseConfirm { channel, proof_height, proof } => {
                channel::close_confirm(host, cx, (*channel, *proof_height), proof)
            }
            CrosschainCall::Transfer { channel, denom, amount, receiver, timeout_height, timeout_ms } => {
                transfer::send(host, cx, (*channel, denom, *amount, *receiver), (*timeout_height, *timeout_ms))
            }
            CrosschainCall::RecvPacket { packet, proof_height, proof } => {
                packet::recv(host, cx, packet, *proof_height, proof)
            }
            CrosschainCall::AckPacket { packet, ack, proof_height, proof } => {
                packet::acknowledge(host, cx, (packet, ack), *proof_height, proof)
            }
            CrosschainCall::TimeoutPacket { packet, proof_height, proof, next_recv, closed_proof } => {
                let t = packet::TimeoutProof {
                    height: *proof_height,
                    proof,
                    next_recv: *next_recv,
                    closed: closed_proof.as_ref(),
                };
                packet::timeout(host, cx, packet, t)
            }
            CrosschainCall::Recognise { client, kind, record_id, record, proof_height, proof } => {
                recognise::recognise(host, cx, (*client, *kind, *record_id, record), *proof_height, proof)
            }
            CrosschainCall::NotaryAttest { network, event_id, payload, signatures } => {
                notary::attest(host, cx, (network, event_id, payload), signatures)
            }
            CrosschainCall::PortOpen { client, counterparty_port, ordering, version } => {
                ports::open(host, cx, (*client, counterparty_port, *ordering, version))
            }
            CrosschainCall::PortApprove { client, counterparty_port, version } => {
                ports::approve(host, cx, (*client, counterparty_port, version))
            }
            CrosschainCall::PortSend { channel, data, timeout_height, timeout_ms } => {
                ports::send(host, cx, (*channel, data), (*timeout_height, *timeout_ms))
            }
            CrosschainCall::PortConsume { channel, sequence } => ports::consume(host, cx, (*channel, *sequence)),
        }
    }

    /// Governance proposals of the module's settings (notary committees) are checked when
    /// proposed.
    fn check_foreign_call(
        _view: &dyn hechain_module::exec::StateView,
        _cx: &CallContext,
        module: &'static str,
        call: &dyn std::any::Any,
    ) -> Result<Result<(), String>, StateError> {
        if module != hechain_governance::GovernanceModule::NAME {
            return Ok(Ok(()));
        }
        Ok(notary::check_setting_proposal(call))
    }
}

/// What a cross-chain certificate proves.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
pub enum CrosschainRecord {
    /// This chain's recognition of another chain's record.
    XcRecognition(Recognition),
}

impl ModuleRecord for CrosschainRecord {
    const KINDS: &'static [&'static str] = &["xc_recognition"];

    fn kind(&self) -> &'static str {
        match self {
            CrosschainRecord::XcRecognition(_) => "xc_recognition",
        }
    }

    fn state_key(&self) -> Vec<u8> {
        match self {
            CrosschainRecord::XcRecognition(r) => keys::recognition(r.id),
        }
    }

    fn encoded(&self) -> Vec<u8> {
        match self {
            CrosschainRecord::XcRecognition(r) => r.encode(),
        }
    }

    fn related(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        match self {
            CrosschainRecord::XcRecognition(_) => Vec::new(),
        }
    }

    fn check_contents(&self, _suite: hechain_crypto::Suite) -> Result<(), String> {
        match self {
            CrosschainRecord::XcRecognition(r) => recognise::summarise(r.kind, r.record_id, &r.record).and_then(|s| {
                if s == r.summary {
                    Ok(())
                } else {
                    Err("the summary does not match the record".into())
                }
            }),
        }
    }

    fn describe(&self) -> String {
        match self {
            CrosschainRecord::XcRecognition(r) => format!(
                "  recognition   {} of {:?} {} from chain {} (client {}, proven at its height {})\n  record        {}\n  recognised    by {} at height {}",
                r.id, r.kind, r.record_id, r.source_genesis, r.client, r.proven_at, r.summary, r.by, r.stamp.height
            ),
        }
    }
}

#[cfg(feature = "api")]
impl hechain_module::api::ModuleApi for CrosschainModule {
    fn routes() -> Vec<hechain_module::api::Route<Self>> {
        api::routes()
    }
}

#[cfg(feature = "evm")]
impl hechain_module::evm::ModulePrecompile for CrosschainModule {
    fn precompile() -> Option<hechain_module::evm::PrecompileSpec<CrosschainCall, CrosschainEvent>> {
        Some(evm::spec())
    }
}

#[cfg(feature = "cli")]
impl hechain_module::cli::ModuleCli for CrosschainModule {
    fn cli() -> Option<hechain_module::cli::CliSpec<Self>> {
        Some(cli::spec())
    }
}

#[cfg(test)]
mod tests;
