//! Record certificates: a module record proven in the state of a sealed block.

use hechain_crypto::Suite;
use hechain_types::smt::Proof;
use hechain_types::{keys, smt, BlockHeader, Codec, DataGrant, Dataset, Ecert, Genesis, Seal, H256};
use serde::{Deserialize, Serialize};

use crate::epoch::verify_anchor;
use crate::{invalid, EpochProof, EpochStep, VerifyError};

/// Format tag of record certificates (version 2: with the [`EpochProof`]; version 1 checked
/// the seal against the genesis validators only).
pub const RECORD_CERT_FORMAT: &str = "hechain-record-certificate/2";

/// A module record a [`RecordCertificate`] can prove: `{"kind": "…", "record": {…}}`. The first
/// kinds are listed here; modules built on the module interface bring their own
/// ([`CertifiedRecord::Module`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
pub enum CertifiedRecord {
    /// An e-certificate (ecert module): its issuer, holder, field hashes and revocation state.
    Ecert(Ecert),
    /// A registered dataset (ecert module).
    Dataset(Dataset),
    /// An access grant (ecert module).
    DataGrant(DataGrant),
    /// A record of a service module that certifies through the module interface
    /// (`hechain_module::record::ModuleRecord`), with the module's own `kind` tags.
    #[serde(skip)]
    Module(Box<hechain_types::modules::ModuleRecords>),
}

impl Serialize for CertifiedRecord {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            CertifiedRecord::Module(r) => r.serialize(s),
            other => CertifiedRecord::serialize(other, s),
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
        let module_kind = hechain_types::modules::ModuleRecords::kinds().contains(&raw.kind.as_str());
        let v = serde_json::json!({"kind": raw.kind, "record": raw.record});
        if module_kind {
            return serde_json::from_value(v).map(|r| CertifiedRecord::Module(Box::new(r))).map_err(D::Error::custom);
        }
        CertifiedRecord::deserialize(v).map_err(D::Error::custom)
    }
}

impl CertifiedRecord {
    /// The state key the record lives under.
    pub fn state_key(&self) -> Vec<u8> {
        match self {
            CertifiedRecord::Ecert(c) => keys::ecert(c.id),
            CertifiedRecord::Dataset(d) => keys::ecert_dataset(d.id),
            CertifiedRecord::DataGrant(g) => keys::ecert_grant(g.id),
            CertifiedRecord::Module(r) => r.state_key(),
        }
    }

    /// The record's canonical encoding (what the state stores).
    pub fn encoded(&self) -> Vec<u8> {
        match self {
            CertifiedRecord::Ecert(c) => c.encode(),
            CertifiedRecord::Dataset(d) => d.encode(),
            CertifiedRecord::DataGrant(g) => g.encode(),
            CertifiedRecord::Module(r) => r.encoded(),
        }
    }

    /// Short name of the kind (`copyright_work`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            CertifiedRecord::Ecert(_) => "ecert",
            CertifiedRecord::Dataset(_) => "dataset",
            CertifiedRecord::DataGrant(_) => "data_grant",
            CertifiedRecord::Module(r) => r.kind(),
        }
    }

    /// Further records (state key, canonical encoding) that must hold in the same state as the
    /// record (an item certificate's batch).
    pub fn related(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        match self {
            CertifiedRecord::Module(r) => r.related(),
            CertifiedRecord::Ecert(_) | CertifiedRecord::Dataset(_) | CertifiedRecord::DataGrant(_) => vec![],
        }
    }

    /// Checks that what the certificate carries besides the proven records agrees with them
    /// (the module's rule: an item's events are the history its record commits to, …).
    pub fn check_contents(&self, suite: Suite) -> Result<(), VerifyError> {
        match self {
            CertifiedRecord::Module(r) => r.check_contents(suite).map_err(invalid),
            CertifiedRecord::Ecert(_) | CertifiedRecord::Dataset(_) | CertifiedRecord::DataGrant(_) => Ok(()),
        }
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
