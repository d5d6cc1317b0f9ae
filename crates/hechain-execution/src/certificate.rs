//! Offline-verifiable evidence certificates.
//!
//! A certificate bundles everything needed to prove, with nothing but the
//! chain's genesis file, that an evidence record was committed:
//!
//! 1. the genesis hash, chain id and suite (checked against the genesis file);
//! 2. the block header and its seal: validator signatures over
//!    `domain ‖ genesis hash ‖ block hash`, checked against the genesis
//!    validator set (a quorum of them);
//! 3. the transaction that stored the record, its sender's signature, and a
//!    Merkle proof of it under the header's `tx_root`;
//! 4. its receipt (success, with the `evidence_stored` event) and a Merkle
//!    proof under `receipts_root`;
//! 5. the record itself and a state-tree proof of it under the header's
//!    `state_root`.
//!
//! Any change to any of these makes [`EvidenceCertificate::verify`] fail with
//! the reason.

use hechain_crypto::{NodePublicKey, NodeSignature, Suite};
use hechain_storage::{smt, StoreReader};
use hechain_types::merkle::{self, MerkleProof};
use hechain_types::{
    BlockHeader, ChainTx, Codec, CopyrightLicense, CopyrightWork, DataGrant, Dataset, Ecert, Event, EvidenceRecord,
    Genesis, Payload, Receipt, Seal, TraceBatch, TraceEvent, TraceItem, TxStatus, Voucher, VoucherPart, H256,
};
use serde::{Deserialize, Serialize};

use crate::{keys, smt_hasher, ExecError};

/// Format tag of version 1 certificates.
pub const CERT_FORMAT: &str = "hechain-evidence-certificate/1";

/// A self-contained, offline-verifiable proof that an evidence record is on chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceCertificate {
    /// Always [`CERT_FORMAT`].
    pub format: String,
    /// Chain id.
    pub chain_id: u64,
    /// Cryptographic suite of the chain.
    pub suite: Suite,
    /// Hash of the chain's genesis.
    pub genesis_hash: H256,
    /// The evidence record.
    pub record: EvidenceRecord,
    /// The transaction that stored it.
    pub transaction: ChainTx,
    /// Its inclusion proof under `header.tx_root`.
    pub tx_proof: MerkleProof,
    /// Its receipt.
    pub receipt: Receipt,
    /// The receipt's inclusion proof under `header.receipts_root`.
    pub receipt_proof: MerkleProof,
    /// Header of the block that committed it.
    pub header: BlockHeader,
    /// Validator signatures over the header.
    pub seal: Seal,
    /// Proof of the record under `header.state_root`.
    pub state_proof: smt::Proof,
}

/// Why a certificate is not valid, or could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    /// A check failed; the message says which.
    #[error("certificate invalid: {0}")]
    Invalid(String),
    /// The record does not exist.
    #[error("evidence {0} not found")]
    NotFound(String),
    /// The block is stored but its seal does not have a quorum of validator signatures yet
    /// (they arrive within a round or two of the commit); retry shortly.
    #[error("block {height} has {signatures} of the {quorum} validator signatures a certificate needs; retry shortly")]
    NotYetCertified {
        /// Block height.
        height: u64,
        /// Signatures collected.
        signatures: usize,
        /// Signatures needed.
        quorum: usize,
    },
    /// Reading the chain failed.
    #[error(transparent)]
    Exec(#[from] ExecError),
}

fn invalid(msg: impl Into<String>) -> CertError {
    CertError::Invalid(msg.into())
}

/// Summary of a verified certificate.
#[derive(Clone, Debug, Serialize)]
pub struct VerifiedEvidence {
    /// Record id.
    pub id: u64,
    /// Content hash.
    pub content_hash: H256,
    /// Submitter.
    pub submitter: hechain_types::Address,
    /// Height.
    pub height: u64,
    /// Block hash.
    pub block_hash: H256,
    /// Block timestamp.
    pub timestamp_ms: u64,
    /// Names of the validators whose signatures were checked.
    pub signed_by: Vec<String>,
}

/// Smallest number of validator signatures that make a block final for a
/// set of `n` validators: `n - f` where `f = (n - 1) / 3` (all of them for
/// n ≤ 3; 2f+1 when n = 3f+1).
pub fn quorum(n: usize) -> usize {
    n - (n.saturating_sub(1)) / 3
}

/// Checks a block seal against the genesis validator set: at least a quorum
/// of distinct validators, every signature valid. Returns the signers' indexes.
pub fn verify_seal(
    genesis: &Genesis,
    validators: &[NodePublicKey],
    header: &BlockHeader,
    seal: &Seal,
) -> Result<Vec<u32>, CertError> {
    let suite = genesis.suite();
    let msg = BlockHeader::signing_message(&genesis.hash(), &header.hash(suite));
    let mut signers = Vec::new();
    let mut sigs = Vec::new();
    for s in &seal.signatures {
        if signers.last().is_some_and(|&l| s.validator <= l) {
            return Err(invalid("seal signatures are not in strictly increasing validator order"));
        }
        let key = validators
            .get(s.validator as usize)
            .ok_or_else(|| invalid(format!("seal names validator {} which genesis does not have", s.validator)))?;
        let sig: [u8; 64] = s
            .signature
            .as_slice()
            .try_into()
            .map_err(|_| invalid(format!("signature of validator {} is not 64 bytes", s.validator)))?;
        signers.push(s.validator);
        sigs.push((key, NodeSignature(sig)));
    }
    let need = quorum(validators.len());
    if signers.len() < need {
        return Err(invalid(format!("seal has {} signatures, a quorum is {need}", signers.len())));
    }
    let batch: Vec<_> = sigs.iter().map(|(key, sig)| (*key, msg.as_slice(), sig)).collect();
    hechain_crypto::verify_node_batch(suite, &batch)
        .map_err(|e| invalid(format!("validator signature over block {} does not verify: {e}", header.height)))?;
    Ok(signers)
}

/// The checks every certificate starts with: its format, that it names this genesis (suite,
/// hash, chain id, also in the header), and that the header's seal has a quorum of the genesis
/// validators. Returns the signers' indexes.
fn verify_anchor(
    genesis: &Genesis,
    (format, expected): (&str, &str),
    suite: Suite,
    genesis_hash: H256,
    chain_id: u64,
    header: &BlockHeader,
    seal: &Seal,
) -> Result<Vec<u32>, CertError> {
    if format != expected {
        return Err(invalid(format!("unknown format {format:?} (expected {expected})")));
    }
    if suite != genesis.suite() {
        return Err(invalid(format!("certificate suite {suite} but the genesis is {}", genesis.suite())));
    }
    if genesis_hash != genesis.hash() {
        return Err(invalid(format!(
            "certificate is for genesis {genesis_hash} but this genesis is {}",
            genesis.hash()
        )));
    }
    if chain_id != genesis.chain_id || header.chain_id != genesis.chain_id {
        return Err(invalid(format!("chain id does not match the genesis ({})", genesis.chain_id)));
    }
    let validators = genesis.validator_keys().map_err(|e| invalid(e.to_string()))?;
    verify_seal(genesis, &validators, header, seal)
}

impl EvidenceCertificate {
    /// Builds the certificate of record `id` from a database snapshot.
    pub fn build(reader: &StoreReader, genesis: &Genesis, id: u64) -> Result<Self, CertError> {
        let suite = genesis.suite();
        let rec_bytes = reader
            .state_get(&keys::evidence_record(id))
            .map_err(ExecError::from)?
            .ok_or_else(|| CertError::NotFound(format!("id {id}")))?;
        let record = EvidenceRecord::decode(&rec_bytes)
            .map_err(|e| ExecError::Corrupt { key: format!("evidence {id}"), reason: e.to_string() })?;
        let corrupt =
            |what: &str| ExecError::Corrupt { key: format!("evidence {id}"), reason: format!("{what} missing") };
        let block = reader.block(record.height).map_err(ExecError::from)?.ok_or_else(|| corrupt("block"))?;
        let need = quorum(genesis.validators.len());
        if block.seal.signatures.len() < need {
            return Err(CertError::NotYetCertified {
                height: record.height,
                signatures: block.seal.signatures.len(),
                quorum: need,
            });
        }
        let tx_hashes: Vec<H256> = block.transactions.iter().map(|t| t.hash(suite)).collect();
        let index = tx_hashes.iter().position(|h| *h == record.tx_hash).ok_or_else(|| corrupt("transaction"))?;
        let receipts = reader.block_receipts(record.height).map_err(ExecError::from)?;
        if receipts.len() != tx_hashes.len() {
            return Err(corrupt("receipt").into());
        }
        let receipt_hashes: Vec<H256> = receipts.iter().map(|r| r.hash(suite)).collect();
        let receipt = receipts[index].clone();
        let proof_err = |e: hechain_types::TypesError| CertError::Invalid(e.to_string());
        let tx_proof = merkle::prove(suite, &tx_hashes, index).map_err(proof_err)?;
        let receipt_proof = merkle::prove(suite, &receipt_hashes, index).map_err(proof_err)?;
        let state_proof =
            reader.state_proof(suite, &block.header.state_root, &keys::evidence_record(id)).map_err(ExecError::from)?;
        Ok(EvidenceCertificate {
            format: CERT_FORMAT.to_string(),
            chain_id: genesis.chain_id,
            suite,
            genesis_hash: genesis.hash(),
            record,
            transaction: block.transactions[index].clone(),
            tx_proof,
            receipt,
            receipt_proof,
            header: block.header,
            seal: block.seal,
            state_proof,
        })
    }

    /// Verifies the certificate against a genesis, offline.
    pub fn verify(&self, genesis: &Genesis) -> Result<VerifiedEvidence, CertError> {
        let signers = verify_anchor(
            genesis,
            (&self.format, CERT_FORMAT),
            self.suite,
            self.genesis_hash,
            self.chain_id,
            &self.header,
            &self.seal,
        )?;
        let suite = genesis.suite();

        let stx = &self.transaction;
        let tx_hash = stx.hash(suite);
        if self.tx_proof.count != self.header.tx_count {
            return Err(invalid("transaction proof is for a different number of transactions than the header"));
        }
        self.tx_proof
            .verify(suite, &self.header.tx_root, &tx_hash)
            .map_err(|e| invalid(format!("transaction is not in the block: {e}")))?;
        stx.verify(suite).map_err(|e| invalid(format!("transaction signature: {e}")))?;

        if self.receipt.tx_hash != tx_hash {
            return Err(invalid("receipt belongs to another transaction"));
        }
        if self.receipt_proof.index != self.tx_proof.index || self.receipt_proof.count != self.tx_proof.count {
            return Err(invalid("receipt proof position differs from the transaction's"));
        }
        self.receipt_proof
            .verify(suite, &self.header.receipts_root, &self.receipt.hash(suite))
            .map_err(|e| invalid(format!("receipt is not in the block: {e}")))?;
        if self.receipt.status != TxStatus::Success {
            return Err(invalid("the transaction did not succeed"));
        }

        let r = &self.record;
        // A native evidence transaction states the record itself; a contract stores it through
        // the evidence precompile, and then the receipt's event (checked below) is the link.
        if let ChainTx::Native(ntx) = stx {
            let Payload::EvidencePut { content_hash, meta } = &ntx.tx.payload else {
                return Err(invalid("the transaction is not an evidence submission"));
            };
            if r.content_hash != *content_hash || &r.meta != meta || r.submitter != ntx.tx.sender {
                return Err(invalid("the record does not match its transaction and block"));
            }
        }
        let expected_event = Event::EvidenceStored {
            id: r.id,
            content_hash: r.content_hash,
            submitter: r.submitter,
            meta: r.meta.clone(),
        };
        if !self.receipt.events.contains(&expected_event) {
            return Err(invalid("the receipt does not record this evidence"));
        }
        if r.tx_hash != tx_hash || r.height != self.header.height || r.timestamp_ms != self.header.timestamp_ms {
            return Err(invalid("the record does not match its transaction and block"));
        }
        let h = smt_hasher(suite);
        self.state_proof
            .verify(
                h,
                &self.header.state_root.0,
                &suite.hash(&keys::evidence_record(r.id)),
                Some(&suite.hash(&r.encode())),
            )
            .map_err(|e| invalid(format!("record is not in the block's state: {e}")))?;

        Ok(VerifiedEvidence {
            id: r.id,
            content_hash: r.content_hash,
            submitter: r.submitter,
            height: r.height,
            block_hash: self.header.hash(suite),
            timestamp_ms: r.timestamp_ms,
            signed_by: signers.iter().map(|&i| genesis.validators[i as usize].name.clone()).collect(),
        })
    }
}

/// Format tag of version 1 record certificates.
pub const RECORD_CERT_FORMAT: &str = "hechain-record-certificate/1";

/// A module record a [`RecordCertificate`] can prove. New kinds are added as modules arrive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
pub enum CertifiedRecord {
    /// A registered work (copyright module).
    CopyrightWork(CopyrightWork),
    /// A license on a work (copyright module).
    CopyrightLicense(CopyrightLicense),
    /// A receivable voucher (voucher module).
    Voucher(Voucher),
    /// A part of a voucher's value (voucher module).
    VoucherPart(VoucherPart),
    /// An e-certificate (ecert module): its issuer, holder, field hashes and revocation state.
    Ecert(Ecert),
    /// A registered dataset (ecert module).
    Dataset(Dataset),
    /// An access grant (ecert module).
    DataGrant(DataGrant),
    /// A product batch (traceability module).
    TraceBatch(TraceBatch),
    /// An item with its whole history and its batch (traceability module): the item record is
    /// proven, its events are checked against the rolling hash the record commits to, and the
    /// batch (recall status included) is proven in the same state.
    TraceItem(Box<TraceItemHistory>),
}

/// What a traceability item certificate carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceItemHistory {
    /// The item record (its `events` count and `history` hash commit to the events).
    pub item: TraceItem,
    /// Every event of the item, in order.
    pub events: Vec<TraceEvent>,
    /// The item's batch.
    pub batch: TraceBatch,
}

impl CertifiedRecord {
    /// The state key the record lives under.
    pub fn state_key(&self) -> Vec<u8> {
        match self {
            CertifiedRecord::CopyrightWork(w) => keys::copyright_work(w.id),
            CertifiedRecord::CopyrightLicense(l) => keys::copyright_license(l.work_id, l.index),
            CertifiedRecord::Voucher(v) => keys::voucher(v.id),
            CertifiedRecord::VoucherPart(p) => keys::voucher_part(p.id),
            CertifiedRecord::Ecert(c) => keys::ecert(c.id),
            CertifiedRecord::Dataset(d) => keys::ecert_dataset(d.id),
            CertifiedRecord::DataGrant(g) => keys::ecert_grant(g.id),
            CertifiedRecord::TraceBatch(b) => keys::trace_batch(b.id),
            CertifiedRecord::TraceItem(h) => keys::trace_item(h.item.id),
        }
    }

    /// The record's canonical encoding (what the state stores).
    pub fn encoded(&self) -> Vec<u8> {
        match self {
            CertifiedRecord::CopyrightWork(w) => w.encode(),
            CertifiedRecord::CopyrightLicense(l) => l.encode(),
            CertifiedRecord::Voucher(v) => v.encode(),
            CertifiedRecord::VoucherPart(p) => p.encode(),
            CertifiedRecord::Ecert(c) => c.encode(),
            CertifiedRecord::Dataset(d) => d.encode(),
            CertifiedRecord::DataGrant(g) => g.encode(),
            CertifiedRecord::TraceBatch(b) => b.encode(),
            CertifiedRecord::TraceItem(h) => h.item.encode(),
        }
    }

    /// Short name of the kind (`copyright_work`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            CertifiedRecord::CopyrightWork(_) => "copyright_work",
            CertifiedRecord::CopyrightLicense(_) => "copyright_license",
            CertifiedRecord::Voucher(_) => "voucher",
            CertifiedRecord::VoucherPart(_) => "voucher_part",
            CertifiedRecord::Ecert(_) => "ecert",
            CertifiedRecord::Dataset(_) => "dataset",
            CertifiedRecord::DataGrant(_) => "data_grant",
            CertifiedRecord::TraceBatch(_) => "trace_batch",
            CertifiedRecord::TraceItem(_) => "trace_item",
        }
    }

    /// Further records (state key, canonical encoding) that must hold in the same state as the
    /// record: an item certificate's batch.
    pub fn related(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        match self {
            CertifiedRecord::TraceItem(h) => vec![(keys::trace_batch(h.batch.id), h.batch.encode())],
            _ => vec![],
        }
    }

    /// Checks that carried for the record agrees with it: an item's events are exactly
    /// the history its record commits to, and its batch is the item's.
    pub fn check_contents(&self, suite: Suite) -> Result<(), CertError> {
        if let CertifiedRecord::TraceItem(h) = self {
            if h.batch.id != h.item.batch_id {
                return Err(invalid(format!(
                    "the certificate carries batch {} but item {} belongs to batch {}",
                    h.batch.id, h.item.id, h.item.batch_id
                )));
            }
            hechain_types::trace::verify_history(suite, &h.item, &h.events)
                .map_err(|e| invalid(format!("item history: {e}")))?;
        }
        Ok(())
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
    /// Proof of the record under `header.state_root`.
    pub state_proof: smt::Proof,
    /// Proofs of the [`CertifiedRecord::related`] records under the same root, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_proofs: Vec<smt::Proof>,
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
    /// Names of the validators whose signatures were checked.
    pub signed_by: Vec<String>,
}

/// Blocks below the head searched for one whose seal already has a quorum.
const CERTIFIED_SEARCH: u64 = 8;

impl RecordCertificate {
    /// Proves `record` (read from the state by the caller) in the state of the newest block
    /// whose seal has a quorum.
    pub fn build(reader: &StoreReader, genesis: &Genesis, record: CertifiedRecord) -> Result<Self, CertError> {
        let suite = genesis.suite();
        let need = quorum(genesis.validators.len());
        let head = reader.head_height().map_err(ExecError::from)?;
        let mut last_short = None;
        for height in (head.saturating_sub(CERTIFIED_SEARCH)..=head).rev() {
            let seal = reader.seal(height).map_err(ExecError::from)?;
            if seal.signatures.len() < need {
                last_short.get_or_insert((height, seal.signatures.len()));
                continue;
            }
            let header = reader
                .header(height)
                .map_err(ExecError::from)?
                .ok_or_else(|| ExecError::Corrupt { key: format!("header {height}"), reason: "missing".into() })?;
            let key = record.state_key();
            let held = smt::get(reader, header.state_root.0, &suite.hash(&key)).map_err(ExecError::from)?;
            if held != Some(suite.hash(&record.encoded())) {
                // The record is newer than that block (or changed since): an older block
                // cannot prove it either.
                break;
            }
            let mut related_proofs = Vec::new();
            for (key, value) in record.related() {
                let held = smt::get(reader, header.state_root.0, &suite.hash(&key)).map_err(ExecError::from)?;
                if held != Some(suite.hash(&value)) {
                    break;
                }
                related_proofs.push(reader.state_proof(suite, &header.state_root, &key).map_err(ExecError::from)?);
            }
            if related_proofs.len() != record.related().len() {
                break;
            }
            let state_proof = reader.state_proof(suite, &header.state_root, &key).map_err(ExecError::from)?;
            return Ok(RecordCertificate {
                format: RECORD_CERT_FORMAT.to_string(),
                chain_id: genesis.chain_id,
                suite,
                genesis_hash: genesis.hash(),
                record,
                header,
                seal,
                state_proof,
                related_proofs,
            });
        }
        let (height, signatures) = last_short.unwrap_or((head, 0));
        Err(CertError::NotYetCertified { height, signatures, quorum: need })
    }

    /// Verifies the certificate against a genesis, offline.
    pub fn verify(&self, genesis: &Genesis) -> Result<VerifiedRecord, CertError> {
        let signers = verify_anchor(
            genesis,
            (&self.format, RECORD_CERT_FORMAT),
            self.suite,
            self.genesis_hash,
            self.chain_id,
            &self.header,
            &self.seal,
        )?;
        let suite = genesis.suite();
        let h = smt_hasher(suite);
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
            signed_by: signers.iter().map(|&i| genesis.validators[i as usize].name.clone()).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::quorum;

    #[test]
    fn quorum_sizes() {
        assert_eq!(quorum(1), 1);
        assert_eq!(quorum(2), 2);
        assert_eq!(quorum(3), 3);
        assert_eq!(quorum(4), 3);
        assert_eq!(quorum(7), 5);
        assert_eq!(quorum(10), 7);
    }
}
