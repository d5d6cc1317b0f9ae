//! Genesis: the configuration every node of a chain starts from.
//!
//! The genesis file is JSON; its identity (the *genesis hash*) is the suite
//! hash of the canonical encoding of the parsed value, so whitespace or key
//! order in the file do not matter but every value does.

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_crypto::{NodePublicKey, Suite};
use serde::{Deserialize, Serialize};

use crate::codec::Codec;
use crate::primitives::{hex_bytes, u128_string, Address, H256};
use crate::TypesError;

/// Domain prefix of the genesis hash.
pub const GENESIS_DOMAIN: &[u8] = b"hechain/genesis/v1";

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

/// A pre-funded account.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GenesisAccount {
    /// Account address.
    pub address: Address,
    /// Initial balance.
    #[serde(with = "u128_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
    pub balance: u128,
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

/// The genesis configuration.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// Chain id, part of every transaction and header.
    pub chain_id: u64,
    /// Cryptographic suite of the chain.
    pub suite: SuiteTag,
    /// Genesis block timestamp (ms since the Unix epoch).
    pub timestamp_ms: u64,
    /// Validator set, in index order.
    pub validators: Vec<ValidatorInfo>,
    /// Funded accounts.
    pub accounts: Vec<GenesisAccount>,
    /// Chain parameters.
    #[serde(default)]
    pub params: ChainParams,
    /// Member organisations (empty on a single-node dev chain).
    #[serde(default)]
    pub orgs: Vec<OrgInfo>,
    /// Observer nodes: admitted to the network, receive and verify every block, never vote.
    #[serde(default)]
    pub observers: Vec<ValidatorInfo>,
    /// The governance committee, roles and permissions. Without it the chain has no committee
    /// and its rules can never change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub governance: Option<crate::governance::GenesisGovernance>,
}

/// [`Suite`] with a canonical encoding (0 = standard, 1 = gm).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SuiteTag(pub Suite);

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for SuiteTag {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .enum_values(Some(["standard", "gm"]))
            .description(Some("Cryptographic suite: `standard` (SHA-256, secp256k1) or `gm` (SM3, SM2)."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for SuiteTag {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Suite")
    }
}

impl BorshSerialize for SuiteTag {
    fn serialize<W: std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        let tag: u8 = match self.0 {
            Suite::Standard => 0,
            Suite::Gm => 1,
        };
        BorshSerialize::serialize(&tag, w)
    }
}

impl BorshDeserialize for SuiteTag {
    fn deserialize_reader<R: std::io::Read>(r: &mut R) -> std::io::Result<Self> {
        match u8::deserialize_reader(r)? {
            0 => Ok(SuiteTag(Suite::Standard)),
            1 => Ok(SuiteTag(Suite::Gm)),
            t => Err(std::io::Error::new(std::io::ErrorKind::InvalidData, format!("unknown suite tag {t}"))),
        }
    }
}

impl Codec for Genesis {}

impl Codec for ChainParams {}

impl Genesis {
    /// The suite.
    pub fn suite(&self) -> Suite {
        self.suite.0
    }

    /// The genesis hash: suite hash of domain + canonical encoding.
    pub fn hash(&self) -> H256 {
        H256(self.suite().hash_parts(&[GENESIS_DOMAIN, &self.encode()]))
    }

    /// Parses and validates a genesis JSON document.
    pub fn from_json(json: &str) -> Result<Self, TypesError> {
        let g: Genesis = serde_json::from_str(json).map_err(|e| TypesError::Invalid(format!("genesis: {e}")))?;
        g.validate()?;
        Ok(g)
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The validators' parsed public keys, in index order.
    pub fn validator_keys(&self) -> Result<Vec<NodePublicKey>, TypesError> {
        self.parse_keys(&self.validators, "validator")
    }

    /// The observers' parsed public keys.
    pub fn observer_keys(&self) -> Result<Vec<NodePublicKey>, TypesError> {
        self.parse_keys(&self.observers, "observer")
    }

    fn parse_keys(&self, nodes: &[ValidatorInfo], role: &str) -> Result<Vec<NodePublicKey>, TypesError> {
        parse_node_keys(self.suite(), nodes, role)
    }
}

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

impl Genesis {
    /// Structural checks: at least one validator, valid keys, no duplicate
    /// validators or accounts, sane parameters.
    pub fn validate(&self) -> Result<(), TypesError> {
        if self.validators.is_empty() {
            return Err(TypesError::Invalid("genesis: at least one validator is required".into()));
        }
        let mut keys = self.validator_keys()?;
        keys.extend(self.observer_keys()?);
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        if sorted.len() != keys.len() {
            return Err(TypesError::Invalid("genesis: duplicate node public key".into()));
        }
        for v in self.validators.iter().chain(&self.observers) {
            if !self.orgs.is_empty() && !self.orgs.iter().any(|o| o.name == v.org) {
                return Err(TypesError::Invalid(format!("genesis: node {} names unknown org {:?}", v.name, v.org)));
            }
        }
        let mut addrs: Vec<_> = self.accounts.iter().map(|a| a.address).collect();
        addrs.sort();
        if addrs.windows(2).any(|w| w[0] == w[1]) {
            return Err(TypesError::Invalid("genesis: an account is listed twice".into()));
        }
        self.params.validate().map_err(|e| TypesError::Invalid(format!("genesis: {e}")))?;
        if let Some(g) = &self.governance {
            g.validate().map_err(|e| TypesError::Invalid(format!("genesis: {e}")))?;
        }
        Ok(())
    }
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
        if self.max_tx_gas < crate::eth::NATIVE_TX_GAS || self.block_gas_limit < crate::eth::NATIVE_TX_GAS {
            return Err(TypesError::Invalid(format!(
                "params.max_tx_gas and params.block_gas_limit must be at least {}",
                crate::eth::NATIVE_TX_GAS
            )));
        }
        Ok(())
    }
}
