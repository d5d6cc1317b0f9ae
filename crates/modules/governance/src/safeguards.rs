//! Governed safeguards: the revoked node certificates (`gov/revoked`) every node's transport
//! refuses, and what the contract checks do with hazardous deployments (`gov/contract_checks`).

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_primitives::{Codec, Stamp, H256};
use serde::{Deserialize, Serialize};

/// What the pre-deploy contract checks (合约安全检测) do when a contract created on chain shows a
/// hazard (reentrancy, selfdestruct, caller-chosen delegatecall, unchecked call, tx.origin
/// authorisation; see `hechain_contract_check`). Kept at `gov/contract_checks`; `warn` when absent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContractChecks {
    /// No checks.
    Off,
    /// Deploy anyway; every node logs the findings.
    #[default]
    Warn,
    /// The creation fails (a deploying transaction reverts with the findings as its reason).
    Refuse,
}

impl Codec for ContractChecks {}

impl std::fmt::Display for ContractChecks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ContractChecks::Off => "off",
            ContractChecks::Warn => "warn",
            ContractChecks::Refuse => "refuse",
        })
    }
}

/// Most revoked certificates a chain keeps (each node checks handshakes against all of them).
pub const MAX_REVOKED_CERTS: usize = 4096;

/// A revoked node certificate.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RevokedCert {
    /// SHA-256 of the certificate's DER encoding.
    pub fingerprint: H256,
    /// The proposal that revoked it.
    pub proposal: u64,
    /// Its reason.
    pub reason: String,
    /// When it took effect.
    pub at: Stamp,
}

impl Codec for RevokedCert {}

/// The revoked node certificates, ordered by fingerprint (`gov/revoked`).
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RevokedCerts {
    /// The certificates.
    pub certs: Vec<RevokedCert>,
}

impl Codec for RevokedCerts {}

impl RevokedCerts {
    /// Whether the certificate with `fingerprint` is revoked.
    pub fn contains(&self, fingerprint: &H256) -> bool {
        self.certs.binary_search_by(|c| c.fingerprint.cmp(fingerprint)).is_ok()
    }

    /// The fingerprints, in order.
    pub fn fingerprints(&self) -> Vec<[u8; 32]> {
        self.certs.iter().map(|c| c.fingerprint.0).collect()
    }
}
