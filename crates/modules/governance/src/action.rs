//! What a governance proposal changes ([`Action`]) and its stateless checks.

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_module::ValidateContext;
use hechain_primitives::{Address, TypesError, H256};
use serde::{Deserialize, Serialize};

use crate::chain::{ChainParams, OrgInfo, ValidatorInfo};
use crate::safeguards::ContractChecks;
use crate::types::{GovConfig, Permissions, Role, MAX_CA_PEM_BYTES, MAX_LABEL_BYTES, MAX_TEXT_BYTES};

/// What a proposal changes.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Grant `role` to `account`.
    GrantRole {
        /// The account.
        account: Address,
        /// The role.
        role: Role,
    },
    /// Revoke `role` from `account`.
    RevokeRole {
        /// The account.
        account: Address,
        /// The role.
        role: Role,
    },
    /// Add a committee member, change its weight, or (weight 0) remove it.
    SetCommitteeMember {
        /// The member's account.
        account: Address,
        /// New weight; 0 removes the member.
        weight: u32,
        /// Organisation it represents.
        #[serde(default)]
        org: String,
    },
    /// Freeze an account or contract: it can no longer send transactions or be called.
    Freeze {
        /// The account or contract.
        account: Address,
        /// Why (recorded).
        reason: String,
    },
    /// Unfreeze a frozen account or contract.
    Unfreeze {
        /// The account or contract.
        account: Address,
    },
    /// Replace the chain parameters (block gas limit, block size, deploy policy, fees, …).
    SetParams {
        /// The new parameters, complete.
        params: ChainParams,
    },
    /// Replace the permission settings.
    SetPermissions {
        /// The new settings, complete.
        permissions: Permissions,
    },
    /// Change the approval threshold and voting period.
    SetConfig {
        /// The new settings.
        config: GovConfig,
    },
    /// Admit an organisation: nodes whose TLS certificates its CA issued may then join.
    AddOrg {
        /// Its name and CA certificate.
        org: OrgInfo,
    },
    /// Remove an organisation (it must run no validator or observer any more).
    RemoveOrg {
        /// Its name.
        name: String,
    },
    /// Add a validator (last in index order). Ends the epoch: the next block is ordered and
    /// sealed by the new set.
    AddValidator {
        /// Name, node public key and organisation.
        node: ValidatorInfo,
    },
    /// Remove a validator (at least one must remain). Ends the epoch.
    RemoveValidator {
        /// Its name.
        name: String,
    },
    /// Admit an observer node (the permission to run one).
    AddObserver {
        /// Name, node public key and organisation.
        node: ValidatorInfo,
    },
    /// Remove an observer.
    RemoveObserver {
        /// Its name.
        name: String,
    },
    /// Revoke a node's TLS certificate: every node refuses it from the block that executes this
    /// on, and drops a connection that uses it. The node needs a new certificate from its
    /// organisation's CA (`hechain net renew-cert`). Revocation is permanent.
    RevokeCert {
        /// SHA-256 of the certificate's DER encoding (`openssl x509 -noout -fingerprint -sha256`).
        fingerprint: H256,
        /// Why (recorded).
        reason: String,
    },
    /// Set what the contract checks do with a deployment whose code shows hazards.
    SetContractChecks {
        /// Off, warn or refuse.
        mode: ContractChecks,
    },
    /// Set (or, with an empty value, remove) a setting of a service module that governance
    /// decides, e.g. the cross-chain module's notary committee of an external chain. The module
    /// reads it with `hechain_governance::exec::module_setting`, defines what the key and value
    /// mean, and checks a proposal's value when it is proposed (its rule on governance calls).
    SetModuleSetting {
        /// The module (a listed module's name).
        module: String,
        /// The setting's key within the module (printable ASCII).
        key: String,
        /// Its value (the module's encoding); empty removes the setting.
        #[serde(with = "hechain_primitives::hex_bytes")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
        value: Vec<u8>,
    },
}

/// Longest key of a module setting.
pub const MAX_SETTING_KEY_BYTES: usize = 128;
/// Largest value of a module setting.
pub const MAX_SETTING_VALUE_BYTES: usize = 16 * 1024;

impl Action {
    /// Stateless checks of the action's fields.
    pub fn validate(&self, cx: &ValidateContext) -> Result<(), TypesError> {
        match self {
            Action::GrantRole { .. } | Action::RevokeRole { .. } | Action::Unfreeze { .. } => Ok(()),
            Action::SetCommitteeMember { org, .. } => check_len("org", org, MAX_LABEL_BYTES),
            Action::Freeze { reason, .. } => check_len("reason", reason, MAX_TEXT_BYTES),
            Action::SetParams { params } => params.validate(),
            Action::SetPermissions { permissions } => permissions.validate(cx),
            Action::SetConfig { config } => config.validate(),
            Action::AddOrg { org } => {
                check_label("organisation name", &org.name)?;
                check_len("ca_cert_pem", &org.ca_cert_pem, MAX_CA_PEM_BYTES)?;
                if org.ca_cert_pem.matches("-----BEGIN CERTIFICATE-----").count() != 1 {
                    return Err(TypesError::Invalid("ca_cert_pem must hold exactly one PEM certificate".into()));
                }
                Ok(())
            }
            Action::AddValidator { node } | Action::AddObserver { node } => {
                check_label("node name", &node.name)?;
                check_label("organisation name", &node.org)
            }
            Action::RemoveOrg { name } | Action::RemoveValidator { name } | Action::RemoveObserver { name } => {
                check_label("name", name)
            }
            Action::RevokeCert { reason, .. } => check_len("reason", reason, MAX_TEXT_BYTES),
            Action::SetContractChecks { .. } => Ok(()),
            Action::SetModuleSetting { module, key, value } => {
                if !cx.modules.contains(&module.as_str()) {
                    return Err(TypesError::Invalid(format!(
                        "no module {module:?} on this chain (modules: {})",
                        cx.modules.join(", ")
                    )));
                }
                if key.is_empty() || key.len() > MAX_SETTING_KEY_BYTES || !key.bytes().all(|b| b.is_ascii_graphic()) {
                    return Err(TypesError::Invalid(format!(
                        "setting key {key:?} must be 1 to {MAX_SETTING_KEY_BYTES} printable ASCII characters"
                    )));
                }
                if value.len() > MAX_SETTING_VALUE_BYTES {
                    return Err(TypesError::Invalid(format!(
                        "setting value is {} bytes, the limit is {MAX_SETTING_VALUE_BYTES}",
                        value.len()
                    )));
                }
                Ok(())
            }
        }
    }

    /// A short label of the kind of change.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::GrantRole { .. } => "grant_role",
            Action::RevokeRole { .. } => "revoke_role",
            Action::SetCommitteeMember { .. } => "set_committee_member",
            Action::Freeze { .. } => "freeze",
            Action::Unfreeze { .. } => "unfreeze",
            Action::SetParams { .. } => "set_params",
            Action::SetPermissions { .. } => "set_permissions",
            Action::SetConfig { .. } => "set_config",
            Action::AddOrg { .. } => "add_org",
            Action::RemoveOrg { .. } => "remove_org",
            Action::AddValidator { .. } => "add_validator",
            Action::RemoveValidator { .. } => "remove_validator",
            Action::AddObserver { .. } => "add_observer",
            Action::RemoveObserver { .. } => "remove_observer",
            Action::RevokeCert { .. } => "revoke_cert",
            Action::SetContractChecks { .. } => "set_contract_checks",
            Action::SetModuleSetting { .. } => "set_module_setting",
        }
    }
}

pub(crate) fn check_len(field: &str, v: &str, max: usize) -> Result<(), TypesError> {
    if v.len() > max {
        return Err(TypesError::Invalid(format!("{field} is {} bytes, the limit is {max}", v.len())));
    }
    Ok(())
}

/// A name: 1 to [`MAX_LABEL_BYTES`] bytes.
fn check_label(field: &str, v: &str) -> Result<(), TypesError> {
    if v.is_empty() {
        return Err(TypesError::Invalid(format!("{field} is empty")));
    }
    check_len(field, v, MAX_LABEL_BYTES)
}
