//! Record certificates: a module record proven in the state of a sealed block.

use hechain_crypto::Suite;
use hechain_types::modules::ModuleRecords;
use hechain_types::smt::Proof;
use hechain_types::{smt, BlockHeader, Genesis, Seal, H256};
use serde::{Deserialize, Serialize};

use crate::epoch::verify_anchor;
use crate::{invalid, EpochProof, EpochStep, VerifyError};

/// Format tag of record certificates (version 2: with the [`EpochProof`]; version 1 checked
/// the seal against the genesis validators only).
pub const RECORD_CERT_FORMAT: &str = "hechain-record-certificate/2";

/// A module record a [`RecordCertificate`] can prove: `{"kind": "…", "record": {…}}`, the kinds
/// and their rules being each service module's (`hechain_module::record::ModuleRecord`,
/// gathered into [`ModuleRecords`] from the module list).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertifiedRecord {
    /// A record of a service module, with the module's own `kind` tags.
    Module(Box<ModuleRecords>),
}

impl From<ModuleRecords> for CertifiedRecord {
    fn from(r: ModuleRecords) -> Self {
        CertifiedRecord::Module(Box::new(r))
    }
}

impl Serialize for CertifiedRecord {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            CertifiedRecord::Module(r) => r.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for CertifiedRecord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        /// The two fields, read as a struct so that a flattening container knows they are used.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            kind: String,
            record: serde_json::Value,
        }
        let raw = Raw::deserialize(d)?;
        let v = serde_json::json!({"kind": raw.kind, "record": raw.record});
        serde_json::from_value::<ModuleRecords>(v).map(CertifiedRecord::from).map_err(D::Error::custom)
    }
}

impl CertifiedRecord {
    /// The module record.
    pub fn module(&self) -> &ModuleRecords {
        match self {
            CertifiedRecord::Module(r) => r,
        }
    }

    /// The state key the record lives under.
    pub fn state_key(&self) -> Vec<u8> {
        self.module().state_key()
    }

    /// The record's canonical encoding (what the state stores).
    pub fn encoded(&self) -> Vec<u8> {
        self.module().encoded()
    }

    /// Short name of the kind (`copyright_work`, …).
    pub fn kind(&self) -> &'static str {
        self.module().kind()
    }

    /// Further records (state key, canonical encoding) that must hold in the same state as the
    /// record (an item certificate's batch).
    pub fn related(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.module().related()
    }

    /// Checks that what the certificate carries besides the proven records agrees with them
    /// (the module's rule: an item's events are the history its record commits to, …).
    pub fn check_contents(&self, suite: Suite) -> Result<(), VerifyError> {
        self.module().check_contents(suite).map_err(invalid)
    }

    /// A few human lines about the record.
    pub fn describe(&self) -> String {
        self.module().describe()
    }
}

/// A self-contained, offline-verifiable proof that a module record had exactly this value in
/// the state of a certified block: the record, a state-tree proof of it under the block's
/// `state_root`, and the block header with a quorum of validator signatures. Who wrote the
/// record and when is part of the record itself (its stamps), so the quorum attests it too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordCertificate {
    /// Always [`RECORD_CERT_FORMAT`].
    pub format: String,
    /// Chain id.
    pub chain_id: u64,
    /// Cryptographic suite of the chain.
    pub suite: Suite,
    /// Hash of the chain's genesis.
    pub genesis_hash: H256,
    /// The record (with its kind).
    #[serde(flatten)]
    pub record: CertifiedRecord,
    /// Header of the block whose state holds the record.
    pub header: BlockHeader,
    /// Validator signatures over the header.
    pub seal: Seal,
    /// The validator sets from the genesis to the one that sealed the block.
    pub epochs: EpochProof,
    /// Proof of the record under `header.state_root`.
    pub state_proof: Proof,
    /// Proofs of the [`CertifiedRecord::related`] records under the same root, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_proofs: Vec<Proof>,
}

/// Summary of a verified record certificate.
#[derive(Clone, Debug, Serialize)]
pub struct VerifiedRecord {
    /// Kind of record.
    pub kind: &'static str,
    /// Height of the block whose state holds it.
    pub height: u64,
    /// That block's hash.
    pub block_hash: H256,
    /// That block's timestamp.
    pub timestamp_ms: u64,
    /// The block's epoch (0 until the validator set first changes).
    pub epoch: u64,
    /// Names of the validators (of that epoch's set) whose signatures were checked.
    pub signed_by: Vec<String>,
    /// The epoch changes from the genesis to the block, each checked against the set before it.
    pub epoch_changes: Vec<EpochStep>,
}

impl RecordCertificate {
    pub fn verify(&self, genesis: &Genesis) -> Result<VerifiedRecord, VerifyError> {
        let sealed = verify_anchor(
            genesis,
            (&self.format, RECORD_CERT_FORMAT),
            self.suite,
            self.genesis_hash,
            self.chain_id,
            &self.header,
            &self.seal,
            &self.epochs,
        )?;
        let suite = genesis.suite();
        let h = smt::hasher(suite);
        self.state_proof
            .verify(
                h,
                &self.header.state_root.0,
                &suite.hash(&self.record.state_key()),
                Some(&suite.hash(&self.record.encoded())),
            )
            .map_err(|e| invalid(format!("record is not in the block's state: {e}")))?;
        let related = self.record.related();
        if related.len() != self.related_proofs.len() {
            return Err(invalid(format!(
                "a {} certificate carries {} related proofs, {} expected",
                self.record.kind(),
                self.related_proofs.len(),
                related.len()
            )));
        }
        for ((key, value), proof) in related.iter().zip(&self.related_proofs) {
            proof
                .verify(h, &self.header.state_root.0, &suite.hash(key), Some(&suite.hash(value)))
                .map_err(|e| invalid(format!("related record is not in the block's state: {e}")))?;
        }
        self.record.check_contents(suite)?;
        Ok(VerifiedRecord {
            kind: self.record.kind(),
            height: self.header.height,
            block_hash: self.header.hash(suite),
            timestamp_ms: self.header.timestamp_ms,
            epoch: sealed.epoch,
            signed_by: sealed.signed_by,
            epoch_changes: sealed.changes,
        })
    }
}
