//! Building offline-verifiable certificates from a database snapshot.
//!
//! The certificate formats and their offline verification live in `hechain-cert` (re-exported
//! here), which clients use without the node's database and EVM; this module only reads the
//! chain to assemble them ([`BuildCertificate`], [`epoch_proof`]).

use hechain_crypto::Suite;
use hechain_storage::{smt, StoreReader};
use hechain_types::merkle;
use hechain_types::{BlockHeader, Codec, EvidenceRecord, Genesis, H256};

pub use hechain_cert::{
    quorum, verify_seal, CertifiedRecord, EpochChange, EpochProof, EpochStep, EvidenceCertificate, RecordCertificate,
    VerifiedEvidence, VerifiedRecord, VerifyError, CERT_FORMAT, RECORD_CERT_FORMAT,
};

use crate::{governance, keys, ExecError};

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

impl From<VerifyError> for CertError {
    fn from(e: VerifyError) -> Self {
        match e {
            VerifyError::Invalid(m) => CertError::Invalid(m),
        }
    }
}

/// A certificate assembled from a database snapshot.
pub trait BuildCertificate: Sized {
    /// What the certificate is about: an evidence id, a module record.
    type Subject;

    /// Builds the certificate of `subject` from `reader`.
    fn build(reader: &StoreReader, genesis: &Genesis, subject: Self::Subject) -> Result<Self, CertError>;
}

/// Assembles the [`EpochProof`] for the block `header` from a database snapshot: the changes are read
/// from the per-epoch history `gov/epoch/<n>` (which never changes once written) and the
/// boundary blocks' headers and seals.
///
/// Fails with [`CertError::NotYetCertified`] while a boundary block's seal lacks a quorum of
/// the set that sealed it.
pub fn epoch_proof(reader: &StoreReader, genesis: &Genesis, header: &BlockHeader) -> Result<EpochProof, CertError> {
    let suite = genesis.suite();
    let epoch = governance::membership_at(reader, header.height).map_err(ExecError::from)?.epoch;
    let missing = |n: u64| ExecError::Corrupt {
        key: crate::hex_key(&keys::gov_epoch(n)),
        reason: format!("the membership of epoch {n} is missing"),
    };
    let mut prev = governance::epoch_membership(reader, 0).map_err(ExecError::from)?.ok_or_else(|| missing(0))?;
    let mut changes = Vec::new();
    for n in 1..=epoch {
        let m = governance::epoch_membership(reader, n).map_err(ExecError::from)?.ok_or_else(|| missing(n))?;
        let height = m.start_height.checked_sub(1).filter(|h| *h > 0).ok_or_else(|| ExecError::Corrupt {
            key: crate::hex_key(&keys::gov_epoch(n)),
            reason: format!("epoch {n} starts at height {}", m.start_height),
        })?;
        let boundary = reader
            .header(height)
            .map_err(ExecError::from)?
            .ok_or_else(|| ExecError::Corrupt { key: format!("header {height}"), reason: "missing".into() })?;
        let seal = reader.seal(height).map_err(ExecError::from)?;
        let need = quorum(prev.validators.len());
        if seal.signatures.len() < need {
            return Err(CertError::NotYetCertified { height, signatures: seal.signatures.len(), quorum: need });
        }
        let key = keys::gov_epoch(n);
        let membership_proof = proven(reader, suite, &boundary, &key, Some(&m.encode()))?;
        changes.push(EpochChange { header: boundary, seal, membership: m.clone(), membership_proof });
        prev = m;
    }
    // The next epoch's record, if it exists yet, is in the certified block's state only when
    // that block is its boundary.
    let next_key = keys::gov_epoch(epoch + 1);
    let next_membership = governance::epoch_membership(reader, epoch + 1)
        .map_err(ExecError::from)?
        .filter(|m| m.start_height == header.height.saturating_add(1));
    let next_proof = proven(reader, suite, header, &next_key, next_membership.as_ref().map(|m| m.encode()).as_deref())?;
    Ok(EpochProof { changes, next_membership, next_proof })
}

/// Proof of `key` under `header.state_root`, after checking that the state there holds exactly
/// `value` (`None`: absent), so that a store that disagrees with itself fails the build rather
/// than producing a certificate that does not verify.
fn proven(
    reader: &StoreReader,
    suite: Suite,
    header: &BlockHeader,
    key: &[u8],
    value: Option<&[u8]>,
) -> Result<smt::Proof, CertError> {
    let held = smt::get(reader, header.state_root.0, &suite.hash(key)).map_err(ExecError::from)?;
    if held != value.map(|v| suite.hash(v)) {
        return Err(ExecError::Corrupt {
            key: crate::hex_key(key),
            reason: format!("the value under the state root of block {} is not the one expected", header.height),
        }
        .into());
    }
    Ok(reader.state_proof(suite, &header.state_root, key).map_err(ExecError::from)?)
}

impl BuildCertificate for EvidenceCertificate {
    type Subject = u64;

    /// Builds the certificate of record `id` from a database snapshot.
    fn build(reader: &StoreReader, genesis: &Genesis, id: u64) -> Result<Self, CertError> {
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
        let need = quorum(governance::membership_at(reader, record.height).map_err(ExecError::from)?.validators.len());
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
        let epochs = epoch_proof(reader, genesis, &block.header)?;
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
            epochs,
            state_proof,
        })
    }
}

/// Blocks below the head searched for one whose seal already has a quorum.
const CERTIFIED_SEARCH: u64 = 8;

impl BuildCertificate for RecordCertificate {
    type Subject = CertifiedRecord;

    /// Proves `record` (read from the state by the caller) in the state of the newest block
    /// whose seal has a quorum.
    fn build(reader: &StoreReader, genesis: &Genesis, record: CertifiedRecord) -> Result<Self, CertError> {
        let suite = genesis.suite();
        let head = reader.head_height().map_err(ExecError::from)?;
        let mut last_short = None;
        for height in (head.saturating_sub(CERTIFIED_SEARCH)..=head).rev() {
            let seal = reader.seal(height).map_err(ExecError::from)?;
            // The quorum of the set that sealed this block (the set changes between epochs).
            let need = quorum(governance::membership_at(reader, height).map_err(ExecError::from)?.validators.len());
            if seal.signatures.len() < need {
                last_short.get_or_insert((height, seal.signatures.len(), need));
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
            let epochs = epoch_proof(reader, genesis, &header)?;
            return Ok(RecordCertificate {
                format: RECORD_CERT_FORMAT.to_string(),
                chain_id: genesis.chain_id,
                suite,
                genesis_hash: genesis.hash(),
                record,
                header,
                seal,
                epochs,
                state_proof,
                related_proofs,
            });
        }
        let (height, signatures, need) = match last_short {
            Some(short) => short,
            None => {
                (head, 0, quorum(governance::membership_at(reader, head).map_err(ExecError::from)?.validators.len()))
            }
        };
        Err(CertError::NotYetCertified { height, signatures, quorum: need })
    }
}
