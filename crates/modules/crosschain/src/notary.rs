//! Notary mode (公证人机制), for chains without a light client here: an m-of-n committee of
//! notary accounts, chosen by governance, attests to an event of an external chain; this chain
//! accepts the attested event only with `m` valid signatures of distinct notaries, once.
//!
//! The committee of an external network is the governance module setting
//! `crosschain` / `notary/<network>` (an encoded [`NotaryCommittee`], set by a governance
//! proposal `set_module_setting`); this module checks such a proposal's value when it is
//! proposed. A changed committee takes effect when the proposal is applied: attestations are
//! checked against the committee in force at execution.

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_crypto::AccountSignature;
use hechain_governance::{Action, GovernanceCall};
use hechain_module::exec::{read, CallContext, Host, Outcome, StateError, StateView};
use hechain_primitives::{Address, Codec, Stamp, TypesError, H256};
use serde::{Deserialize, Serialize};

use crate::calls::CrosschainEvent;
use crate::client::refuse;
use crate::{keys, CrosschainModule};
use hechain_module::Module;

/// Domain of the statement a notary signs.
pub const NOTARY_DOMAIN: &[u8] = b"hechain/notary/v1";
/// Most notaries in a committee.
pub const MAX_NOTARIES: usize = 64;
/// Longest event id.
pub const MAX_EVENT_ID: usize = 128;
/// Largest attested payload.
pub const MAX_ATTESTED_PAYLOAD: usize = 16 * 1024;

/// The notaries of an external network and how many must sign.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotaryCommittee {
    /// Signatures needed (m).
    pub threshold: u32,
    /// The notary accounts (n).
    pub notaries: Vec<Address>,
}

impl Codec for NotaryCommittee {}

impl NotaryCommittee {
    /// At least one notary, none twice, at most [`MAX_NOTARIES`], 1 ≤ threshold ≤ n.
    pub fn validate(&self) -> Result<(), TypesError> {
        let n = self.notaries.len();
        if n == 0 || n > MAX_NOTARIES {
            return Err(TypesError::Invalid(format!("a notary committee has 1 to {MAX_NOTARIES} notaries, not {n}")));
        }
        let mut sorted = self.notaries.clone();
        sorted.sort();
        sorted.dedup();
        if sorted.len() != n {
            return Err(TypesError::Invalid("a notary is listed twice".into()));
        }
        if self.threshold == 0 || self.threshold as usize > n {
            return Err(TypesError::Invalid(format!("the threshold must be 1 to {n}, not {}", self.threshold)));
        }
        Ok(())
    }
}

/// An external event this chain accepted on its notaries' word.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    /// The external network.
    pub network: String,
    /// The event's id there (a transaction hash and log index, say).
    pub event_id: String,
    /// What the notaries attest the event says.
    #[serde(with = "hechain_primitives::hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
    pub payload: Vec<u8>,
    /// The notaries whose signatures were checked.
    pub signers: Vec<Address>,
    /// The threshold in force then.
    pub threshold: u32,
    /// Who submitted it.
    pub by: Address,
    /// When.
    pub stamp: Stamp,
}

impl Codec for Attestation {}

#[derive(BorshSerialize)]
struct Statement<'a> {
    destination: H256,
    network: &'a str,
    event_id: &'a str,
    payload_hash: [u8; 32],
}

/// The bytes a notary signs: the domain, then the destination chain's genesis hash, the network,
/// the event id and the SHA-256 of the payload, borsh-encoded.
pub fn statement(destination: &H256, network: &str, event_id: &str, payload: &[u8]) -> Vec<u8> {
    let s = Statement { destination: *destination, network, event_id, payload_hash: hechain_crypto::sha256(payload) };
    let mut out = NOTARY_DOMAIN.to_vec();
    out.extend(borsh::to_vec(&s).unwrap_or_default());
    out
}

/// The governance setting key of a network's committee.
pub fn setting_key(network: &str) -> String {
    format!("notary/{network}")
}

/// Checks a network name: 1 to 32 lowercase letters, digits, `-` or `_`.
pub fn validate_network(network: &str) -> Result<(), TypesError> {
    if network.len() > 32 || crate::validate_port(network).is_err() {
        return Err(TypesError::Invalid(format!(
            "network {network:?} must be 1 to 32 lowercase letters, digits, '-' or '_'"
        )));
    }
    Ok(())
}

/// The committee of `network` in force, if governance set one.
pub fn committee<S: StateView + ?Sized>(s: &S, network: &str) -> Result<Option<NotaryCommittee>, StateError> {
    let key = setting_key(network);
    match hechain_governance::exec::module_setting(s, CrosschainModule::NAME, &key)? {
        None => Ok(None),
        Some(v) => NotaryCommittee::decode(&v).map(Some).map_err(|e| StateError::Corrupt {
            key: format!("governance setting crosschain/{key}"),
            reason: e.to_string(),
        }),
    }
}

/// An attestation by network and event id.
pub fn attestation<S: StateView + ?Sized>(
    s: &S,
    network: &str,
    event_id: &str,
) -> Result<Option<Attestation>, StateError> {
    read(s, &keys::attestation(network, event_id))
}

/// `NotaryAttest`.
pub(crate) fn attest<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    (network, event_id, payload): (&str, &str, &[u8]),
    signatures: &[AccountSignature],
) -> Result<Outcome<CrosschainEvent>, StateError> {
    if let Some(first) = attestation(host, network, event_id)? {
        refuse!("event {event_id:?} of {network} was already attested (at height {})", first.stamp.height);
    }
    let Some(c) = committee(host, network)? else {
        refuse!(
            "no notary committee for network {network:?}: governance sets it (module setting crosschain/{})",
            setting_key(network)
        )
    };
    let msg = statement(&cx.block.genesis_hash, network, event_id, payload);
    let mut signers: Vec<Address> = Vec::with_capacity(signatures.len());
    for (i, sig) in signatures.iter().enumerate() {
        let who = match hechain_crypto::recover_signer(&msg, sig) {
            Ok(a) => Address(a),
            Err(e) => refuse!("signature {i} does not verify: {e}"),
        };
        if !c.notaries.contains(&who) {
            refuse!("signature {i} is by {who}, not a notary of {network}");
        }
        if signers.contains(&who) {
            refuse!("notary {who} signed twice");
        }
        signers.push(who);
    }
    if signers.len() < c.threshold as usize {
        refuse!("{} notary signatures, {network} needs {} of {}", signers.len(), c.threshold, c.notaries.len());
    }
    let a = Attestation {
        network: network.to_string(),
        event_id: event_id.to_string(),
        payload: payload.to_vec(),
        signers,
        threshold: c.threshold,
        by: cx.sender,
        stamp: cx.stamp(),
    };
    host.put(keys::attestation(network, event_id), a.encode());
    Ok(Ok(vec![CrosschainEvent::NotaryAttested {
        network: network.to_string(),
        event_id: event_id.to_string(),
        signers: a.signers.len() as u32,
    }]))
}

/// The module's rule on governance proposals that set its settings: the key names a notary
/// committee of a valid network, and the value is empty (removes it) or a valid committee.
pub(crate) fn check_setting_proposal(call: &dyn std::any::Any) -> Result<(), String> {
    let Some(GovernanceCall::Propose { action: Action::SetModuleSetting { module, key, value }, .. }) =
        call.downcast_ref::<GovernanceCall>()
    else {
        return Ok(());
    };
    if module != CrosschainModule::NAME {
        return Ok(());
    }
    let Some(network) = key.strip_prefix("notary/") else {
        return Err(format!("the crosschain module has no setting {key:?} (it has notary/<network>)"));
    };
    validate_network(network).map_err(|e| e.to_string())?;
    if value.is_empty() {
        return Ok(());
    }
    let c = NotaryCommittee::decode(value).map_err(|e| format!("the value is not a notary committee: {e}"))?;
    c.validate().map_err(|e| e.to_string())
}
