//! Genesis: the configuration every node of a chain starts from.
//!
//! The genesis file is JSON; its identity (the *genesis hash*) is the suite
//! hash of the canonical encoding of the parsed value, so whitespace or key
//! order in the file do not matter but every value does.

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_crypto::{NodePublicKey, Suite};
use serde::{Deserialize, Serialize};

use hechain_module::ValidateContext;
use hechain_primitives::codec::Codec;
use hechain_primitives::primitives::{u128_string, Address, H256};
use hechain_primitives::TypesError;

pub use hechain_governance::{
    parse_node_keys, ChainParams, DeployPolicy, OrgInfo, ValidatorInfo, CONSENSUS_TIMEOUT_RANGE_MS, MIN_TX_BYTES,
};

/// Domain prefix of the genesis hash.
pub const GENESIS_DOMAIN: &[u8] = b"hechain/genesis/v1";

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
    pub governance: Option<hechain_governance::GenesisGovernance>,
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

impl Genesis {
    /// Epoch 0 of the membership: the genesis organisations and nodes.
    pub fn membership(&self) -> hechain_governance::Membership {
        hechain_governance::Membership::initial(self.orgs.clone(), self.validators.clone(), self.observers.clone())
    }
}

impl Genesis {
    /// The suite.
    pub fn suite(&self) -> Suite {
        self.suite.0
    }

    /// The genesis hash: suite hash of domain + canonical encoding.
    pub fn hash(&self) -> H256 {
        H256(self.suite().hash_parts(&[GENESIS_DOMAIN, &self.encode()]))
    }

    /// Parses and validates a genesis JSON document; `cx` names the chain's modules
    /// (`hechain_types::GenesisExt::from_json` passes the module list's).
    pub fn from_json_in(json: &str, cx: &ValidateContext) -> Result<Self, TypesError> {
        let g: Genesis = serde_json::from_str(json).map_err(|e| TypesError::Invalid(format!("genesis: {e}")))?;
        g.validate_in(cx)?;
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

impl Genesis {
    /// Structural checks: at least one validator, valid keys, no duplicate
    /// validators or accounts, sane parameters; `cx` names the chain's modules (the governance
    /// permissions must name listed ones).
    pub fn validate_in(&self, cx: &ValidateContext) -> Result<(), TypesError> {
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
            g.validate(cx).map_err(|e| TypesError::Invalid(format!("genesis: {e}")))?;
        }
        Ok(())
    }
}
