//! Evidence certificates: an evidence record, the transaction that stored it and its receipt,
//! proven in a sealed block.

use hechain_crypto::Suite;
use hechain_types::merkle::MerkleProof;
use hechain_types::smt::Proof;
use hechain_types::{
    keys, smt, BlockHeader, ChainTx, Codec, Event, EvidenceRecord, Genesis, Payload, Receipt, Seal, TxStatus, H256,
};
use hechain_types::{EvidenceCall, EvidenceEvent};
use serde::{Deserialize, Serialize};

use crate::epoch::verify_anchor;
use crate::{invalid, EpochProof, EpochStep, VerifyError};

/// Format tag of evidence certificates (version 2: with the [`EpochProof`]; version 1 checked
/// the seal against the genesis validators only).
pub const CERT_FORMAT: &str = "hechain-evidence-certificate/2";

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
    /// The validator sets from the genesis to the one that sealed the block.
    pub epochs: EpochProof,
    /// Proof of the record under `header.state_root`.
    pub state_proof: Proof,
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
    /// The block's epoch (0 until the validator set first changes).
    pub epoch: u64,
    /// Names of the validators (of that epoch's set) whose signatures were checked.
    pub signed_by: Vec<String>,
    /// The epoch changes from the genesis to the block, each checked against the set before it.
    pub epoch_changes: Vec<EpochStep>,
}

impl EvidenceCertificate {
    pub fn verify(&self, genesis: &Genesis) -> Result<VerifiedEvidence, VerifyError> {
        let sealed = verify_anchor(
            genesis,
            (&self.format, CERT_FORMAT),
            self.suite,
            self.genesis_hash,
            self.chain_id,
            &self.header,
            &self.seal,
            &self.epochs,
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
            let Payload::Evidence(EvidenceCall::Put { content_hash, meta }) = &ntx.tx.payload else {
                return Err(invalid("the transaction is not an evidence submission"));
            };
            if r.content_hash != *content_hash || &r.meta != meta || r.submitter != ntx.tx.sender {
                return Err(invalid("the record does not match its transaction and block"));
            }
        }
        let expected_event = Event::Evidence(EvidenceEvent::Stored {
            id: r.id,
            content_hash: r.content_hash,
            submitter: r.submitter,
            meta: r.meta.clone(),
        });
        if !self.receipt.events.contains(&expected_event) {
            return Err(invalid("the receipt does not record this evidence"));
        }
        if r.tx_hash != tx_hash || r.height != self.header.height || r.timestamp_ms != self.header.timestamp_ms {
            return Err(invalid("the record does not match its transaction and block"));
        }
        let h = smt::hasher(suite);
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
            epoch: sealed.epoch,
            signed_by: sealed.signed_by,
            epoch_changes: sealed.changes,
        })
    }
}
