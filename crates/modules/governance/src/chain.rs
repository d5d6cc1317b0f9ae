//! The governed chain facts that genesis starts from and governance changes: validators and
//! member organisations, chain parameters, the contract deployment policy.

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_crypto::{NodePublicKey, Suite};
use hechain_primitives::{hex_bytes, Address, Codec, TypesError};
use serde::{Deserialize, Serialize};

/// Gas charged for a native transaction when it is counted against the EVM block gas limit
/// (the floor of [`ChainParams::max_tx_gas`]).
pub const NATIVE_TX_GAS: u64 = 21_000;

/// A consensus validator.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ValidatorInfo {
    /// Operator-chosen name (e.g. `org1-node0`).
    pub name: String,
    /// Node public key: Ed25519 (32 bytes) for `standard`, SM2 compressed (33 bytes) for `gm`.
    #[serde(with = "hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
    pub public_key: Vec<u8>,
    /// Member organisation operating the node (a name in [`Genesis::orgs`]; empty on a dev chain).
    #[serde(default)]
    pub org: String,
}

/// A member organisation: its name and the CA that issues its nodes' TLS certificates.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrgInfo {
    /// Organisation name (e.g. `org1`).
    pub name: String,
    /// Its CA certificate (PEM). Only certificates issued by a member CA may connect.
    pub ca_cert_pem: String,
}

/// Chain parameters fixed at genesis (changed later only by governance).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChainParams {
    /// Largest number of transactions in one block.
    pub max_block_txs: u32,
    /// Largest encoded transaction, in bytes.
    pub max_tx_bytes: u32,
    /// Smallest fee a native transaction must offer.
    pub min_fee: u64,
    /// Most gas the transactions of one block may declare (sum of gas limits; a native
    /// transaction counts as 21,000).
    #[serde(default = "default_block_gas_limit")]
    pub block_gas_limit: u64,
    /// Most gas one transaction may declare.
    #[serde(default = "default_max_tx_gas")]
    pub max_tx_gas: u64,
    /// EIP-1559 base fee per gas, constant (a consortium chain prices gas by policy, not by
    /// congestion); burned. Legacy gas prices and `maxFeePerGas` must reach it.
    #[serde(default = "default_base_fee")]
    pub base_fee_per_gas: u64,
    /// Receives priority fees (tips). The zero address by default, i.e. they are burned too.
    #[serde(default)]
    pub fee_recipient: Address,
    /// Largest deployed contract code (EIP-170: 24,576); init code may be twice as large.
    #[serde(default = "default_max_code_size")]
    pub max_code_size: u32,
    /// Who may deploy contracts.
    #[serde(default)]
    pub deploy: DeployPolicy,
    /// Base round timeout of consensus, ms (doubles with consecutive timeouts, up to 64x). Every
    /// validator applies a change after executing the block that made it.
    #[serde(default = "default_consensus_timeout")]
    pub consensus_timeout_ms: u64,
}

/// Allowed range of [`ChainParams::consensus_timeout_ms`].
pub const CONSENSUS_TIMEOUT_RANGE_MS: (u64, u64) = (50, 600_000);

fn default_consensus_timeout() -> u64 {
    2_000
}

/// Who may create contracts.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "policy", rename_all = "snake_case", deny_unknown_fields)]
pub enum DeployPolicy {
    /// Every account.
    #[default]
    Open,
    /// Only the listed accounts (contracts they deploy may deploy further contracts).
    AllowList {
        /// Accounts allowed to send contract-creation transactions.
        deployers: Vec<Address>,
    },
}

impl DeployPolicy {
    /// Whether `sender` may send a contract-creation transaction.
    pub fn allows(&self, sender: &Address) -> bool {
        match self {
            DeployPolicy::Open => true,
            DeployPolicy::AllowList { deployers } => deployers.contains(sender),
        }
    }
}

fn default_block_gas_limit() -> u64 {
    1_000_000_000
}
fn default_max_tx_gas() -> u64 {
    30_000_000
}
fn default_base_fee() -> u64 {
    1_000_000_000
}
fn default_max_code_size() -> u32 {
    24_576
}

impl Default for ChainParams {
    fn default() -> Self {
        Self {
            max_block_txs: 50_000,
            max_tx_bytes: 128 * 1024,
            min_fee: 0,
            block_gas_limit: default_block_gas_limit(),
            max_tx_gas: default_max_tx_gas(),
            base_fee_per_gas: default_base_fee(),
            fee_recipient: Address::ZERO,
            max_code_size: default_max_code_size(),
            deploy: DeployPolicy::Open,
            consensus_timeout_ms: default_consensus_timeout(),
        }
    }
}

impl Codec for ChainParams {}

/// The parsed public keys of `nodes`, in order; an error names the node (`role` says what it is).
pub fn parse_node_keys(suite: Suite, nodes: &[ValidatorInfo], role: &str) -> Result<Vec<NodePublicKey>, TypesError> {
    nodes
        .iter()
        .map(|v| {
            NodePublicKey::from_bytes(suite, &v.public_key)
                .map_err(|e| TypesError::Invalid(format!("{role} {}: {e}", v.name)))
        })
        .collect()
}

/// Smallest `max_tx_bytes` a chain may set: every governance transaction (a proposal carries up
/// to 1,024 bytes of description plus its change) must stay admissible.
pub const MIN_TX_BYTES: u32 = 8_192;

impl ChainParams {
    /// Sanity checks (at genesis and on every governance change).
    pub fn validate(&self) -> Result<(), TypesError> {
        if self.max_block_txs == 0 || self.max_tx_bytes < MIN_TX_BYTES {
            return Err(TypesError::Invalid(format!(
                "params.max_block_txs must be > 0 and params.max_tx_bytes >= {MIN_TX_BYTES} (room for any \
                 governance transaction, so that the committee can always change the parameters back)"
            )));
        }
        let (lo, hi) = CONSENSUS_TIMEOUT_RANGE_MS;
        if !(lo..=hi).contains(&self.consensus_timeout_ms) {
            return Err(TypesError::Invalid(format!(
                "params.consensus_timeout_ms {} must be between {lo} and {hi}",
                self.consensus_timeout_ms
            )));
        }
        if self.max_tx_gas < NATIVE_TX_GAS || self.block_gas_limit < NATIVE_TX_GAS {
            return Err(TypesError::Invalid(format!(
                "params.max_tx_gas and params.block_gas_limit must be at least {}",
                NATIVE_TX_GAS
            )));
        }
        Ok(())
    }
}
