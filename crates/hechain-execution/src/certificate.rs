//! Offline-verifiable certificates of evidence and module records.
//!
//! A certificate bundles everything needed to prove, with nothing but the
//! chain's genesis file, that a record was committed. Both kinds
//! ([`EvidenceCertificate`], [`RecordCertificate`]) are anchored the same way:
//!
//! 1. the genesis hash, chain id and suite (checked against the genesis file);
//! 2. the block header and its seal: validator signatures over
//!    `domain ‖ genesis hash ‖ block hash`, a quorum of the validator set that
//!    sealed the block;
//! 3. an [`EpochProof`] establishing that set from the genesis. Governance can
//!    change the validators; each change ends an *epoch* with a *boundary
//!    block*, whose state already holds the next epoch's membership
//!    (`gov/epoch/<n>`). For every change since the genesis the certificate
//!    carries the boundary block's header and seal and a state proof of the new
//!    membership under its `state_root`. The verifier starts from the genesis
//!    validators and takes the changes in order, each sealed by a quorum of
//!    the set before it; a proof under the certified block's `state_root`
//!    that the next epoch's record is absent there (or starts right after the
//!    block) shows the block belongs to the epoch reached, so a certificate
//!    cannot stop short of a later change. On a chain whose validators never
//!    changed, the list of changes is empty.
//!
//! An evidence certificate adds the transaction that stored the record (with
//! its sender's signature and a Merkle proof under `tx_root`), its receipt
//! (success, with the `evidence_stored` event, and a Merkle proof under
//! `receipts_root`), and the record with a state proof under `state_root`. A
//! record certificate adds the record and its state proof (plus related
//! records, see [`CertifiedRecord::related`]).
//!
//! Any change to any of these makes `verify` fail with the reason.
//!
//! **Trust.** A certificate is as trustworthy as the keys of every validator
//! set on its chain of epochs: a quorum of keys of a set retired long ago, if
//! leaked, could seal an alternative boundary block and from there an
//! alternative history. The verified summaries list the epoch changes walked
//! through ([`EpochStep`]: epoch, boundary height and block hash), so a
//! verifier that knows a later boundary block can pin it.

use hechain_crypto::{NodePublicKey, NodeSignature, Suite};
use hechain_storage::{smt, StoreReader};
use hechain_types::merkle::{self, MerkleProof};
use hechain_types::{
    BlockHeader, ChainTx, Codec, CopyrightLicense, CopyrightWork, DataGrant, Dataset, Ecert, Event, EvidenceRecord,
    Genesis, Membership, Payload, Receipt, Seal, TraceBatch, TraceEvent, TraceItem, TxStatus, ValidatorInfo, Voucher,
    VoucherPart, H256,
};
use serde::{Deserialize, Serialize};

use crate::{governance, keys, smt_hasher, ExecError};

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
    /// The block's epoch (0 until the validator set first changes).
    pub epoch: u64,
    /// Names of the validators (of that epoch's set) whose signatures were checked.
    pub signed_by: Vec<String>,
    /// The epoch changes from the genesis to the block, each checked against the set before it.
    pub epoch_changes: Vec<EpochStep>,
}

/// Smallest number of validator signatures that make a block final for a
/// set of `n` validators: `n - f` where `f = (n - 1) / 3` (all of them for
/// n ≤ 3; 2f+1 when n = 3f+1).
pub fn quorum(n: usize) -> usize {
    n - (n.saturating_sub(1)) / 3
}

/// Checks a block seal against a validator set (`validators`, in index order: the genesis set
/// or the set of the block's epoch): at least a quorum of distinct validators, every signature
/// valid. Returns the signers' indexes.
pub fn verify_seal(
    genesis: &Genesis,
    validators: &[NodePublicKey],
    header: &BlockHeader,
    seal: &Seal,
) -> Result<Vec<u32>, CertError> {
    if validators.is_empty() {
        return Err(invalid("the validator set is empty"));
    }
    let suite = genesis.suite();
    let msg = BlockHeader::signing_message(&genesis.hash(), &header.hash(suite));
    let mut signers = Vec::new();
    let mut sigs = Vec::new();
    for s in &seal.signatures {
        if signers.last().is_some_and(|&l| s.validator <= l) {
            return Err(invalid("seal signatures are not in strictly increasing validator order"));
        }
        let key = validators.get(s.validator as usize).ok_or_else(|| {
            invalid(format!("seal names validator {} but the set has {} validators", s.validator, validators.len()))
        })?;
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

/// One validator-set change on the way from the genesis to a certified block: the last block
/// of epoch `membership.epoch - 1` (the *boundary block*), sealed by that epoch's set, and the
/// membership epoch `membership.epoch` starts with, proven in the boundary block's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpochChange {
    /// Header of the boundary block.
    pub header: BlockHeader,
    /// Its seal: a quorum of the validators of the epoch it ends.
    pub seal: Seal,
    /// The membership of the next epoch (`start_height` = the boundary height + 1).
    pub membership: Membership,
    /// Proof of `membership` under `header.state_root`, at key `gov/epoch/<membership.epoch>`.
    pub membership_proof: smt::Proof,
}

/// The chain of validator sets from the genesis to the set that sealed a certified block.
///
/// The verifier starts from the genesis validators (epoch 0) and takes the `changes` in order,
/// each sealed by the set before it; the certified block must then belong to the epoch reached,
/// which `next_proof` shows: the record of the following epoch (`gov/epoch/<e + 1>`) is absent
/// from the certified block's state, or (when the certified block is itself a boundary block)
/// starts right after it. So a certificate can neither skip a change nor stop before one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpochProof {
    /// Every validator-set change since the genesis up to the certified block, in order (empty
    /// on a chain whose validators never changed).
    pub changes: Vec<EpochChange>,
    /// The membership of the epoch after the certified block's, when the certified block ends
    /// its epoch; `None` otherwise.
    pub next_membership: Option<Membership>,
    /// Proof under the certified block's `state_root` of `gov/epoch/<e + 1>` (`e`: the epoch the
    /// changes reach): its absence, or `next_membership`.
    pub next_proof: smt::Proof,
}

/// One epoch change a verified certificate went through.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EpochStep {
    /// The epoch that starts.
    pub epoch: u64,
    /// Height of the boundary block (the last block of the previous epoch).
    pub height: u64,
    /// Its hash.
    pub block_hash: H256,
}

/// What verifying a certificate's anchor established.
struct Sealed {
    /// The certified block's epoch.
    epoch: u64,
    /// Names of the validators whose signatures over the certified block were checked.
    signed_by: Vec<String>,
    /// The epoch changes walked through.
    changes: Vec<EpochStep>,
}

/// A validator set's parsed keys: at least one, each valid for the suite, no key twice (a
/// duplicate would let one signer count twice towards a quorum).
fn set_keys(suite: Suite, set: &[ValidatorInfo], epoch: u64) -> Result<Vec<NodePublicKey>, CertError> {
    if set.is_empty() {
        return Err(invalid(format!("the validator set of epoch {epoch} is empty")));
    }
    let keys = hechain_types::genesis::parse_node_keys(suite, set, &format!("epoch {epoch} validator"))
        .map_err(|e| invalid(e.to_string()))?;
    if let Some((i, v)) = set.iter().enumerate().find(|(i, _)| keys[..*i].contains(&keys[*i])) {
        return Err(invalid(format!("the validator set of epoch {epoch} lists a key twice ({}, index {i})", v.name)));
    }
    Ok(keys)
}

impl EpochProof {
    /// Assembles the proof for the block `header` from a database snapshot: the changes are read
    /// from the per-epoch history `gov/epoch/<n>` (which never changes once written) and the
    /// boundary blocks' headers and seals.
    ///
    /// Fails with [`CertError::NotYetCertified`] while a boundary block's seal lacks a quorum of
    /// the set that sealed it.
    pub fn build(reader: &StoreReader, genesis: &Genesis, header: &BlockHeader) -> Result<Self, CertError> {
        let suite = genesis.suite();
        let epoch = governance::membership_at(reader, header.height)?.epoch;
        let missing = |n: u64| ExecError::Corrupt {
            key: crate::hex_key(&keys::gov_epoch(n)),
            reason: format!("the membership of epoch {n} is missing"),
        };
        let mut prev = governance::epoch_membership(reader, 0)?.ok_or_else(|| missing(0))?;
        let mut changes = Vec::new();
        for n in 1..=epoch {
            let m = governance::epoch_membership(reader, n)?.ok_or_else(|| missing(n))?;
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
        let next_membership = governance::epoch_membership(reader, epoch + 1)?
            .filter(|m| m.start_height == header.height.saturating_add(1));
        let next_proof =
            proven(reader, suite, header, &next_key, next_membership.as_ref().map(|m| m.encode()).as_deref())?;
        Ok(EpochProof { changes, next_membership, next_proof })
    }

    /// Walks from the genesis validators to the set that sealed `header` and checks `seal`
    /// against it.
    fn verify(&self, genesis: &Genesis, header: &BlockHeader, seal: &Seal) -> Result<Sealed, CertError> {
        let suite = genesis.suite();
        let h = smt_hasher(suite);
        let mut epoch = 0u64;
        let mut start = 1u64;
        let mut set = genesis.validators.clone();
        let mut keys = set_keys(suite, &set, 0)?;
        let mut steps = Vec::with_capacity(self.changes.len());
        for c in &self.changes {
            let n = epoch + 1;
            let at = c.header.height;
            let fail = |msg: String| invalid(format!("epoch change {n} (block {at}): {msg}"));
            if c.header.chain_id != genesis.chain_id {
                return Err(fail(format!("chain id {} is not the genesis's {}", c.header.chain_id, genesis.chain_id)));
            }
            if at < start {
                return Err(fail(format!("the block is before the start of epoch {epoch} at height {start}")));
            }
            verify_seal(genesis, &keys, &c.header, &c.seal).map_err(|e| match e {
                CertError::Invalid(m) => fail(m),
                other => other,
            })?;
            let m = &c.membership;
            if m.epoch != n {
                return Err(fail(format!("the membership is of epoch {}", m.epoch)));
            }
            if Some(m.start_height) != at.checked_add(1) {
                return Err(fail(format!("the membership starts at height {}, not after the block", m.start_height)));
            }
            c.membership_proof
                .verify(h, &c.header.state_root.0, &suite.hash(&keys::gov_epoch(n)), Some(&suite.hash(&m.encode())))
                .map_err(|e| fail(format!("the membership is not in the block's state: {e}")))?;
            keys = set_keys(suite, &m.validators, n)?;
            set = m.validators.clone();
            epoch = n;
            start = m.start_height;
            steps.push(EpochStep { epoch: n, height: at, block_hash: c.header.hash(suite) });
        }
        if header.height < start {
            return Err(invalid(format!(
                "block {} is before epoch {epoch}, which the certificate's epoch changes reach (it starts at height {start})",
                header.height
            )));
        }
        // The seal authenticates the header, and so the state root the last check reads.
        let signers = verify_seal(genesis, &keys, header, seal)?;
        let next = epoch + 1;
        let next_key = suite.hash(&keys::gov_epoch(next));
        match &self.next_membership {
            None => self.next_proof.verify(h, &header.state_root.0, &next_key, None).map_err(|e| {
                invalid(format!(
                    "block {} is not shown to be in epoch {epoch}: epoch {next} must be absent from its state ({e}); \
                     an epoch change is missing",
                    header.height
                ))
            })?,
            Some(m) => {
                if m.epoch != next || Some(m.start_height) != header.height.checked_add(1) {
                    return Err(invalid(format!(
                        "the next membership (epoch {}, from height {}) does not start epoch {next} right after block {}",
                        m.epoch, m.start_height, header.height
                    )));
                }
                self.next_proof.verify(h, &header.state_root.0, &next_key, Some(&suite.hash(&m.encode()))).map_err(
                    |e| invalid(format!("the next membership is not in block {}'s state: {e}", header.height)),
                )?
            }
        }
        let signed_by = signers.iter().filter_map(|&i| set.get(i as usize)).map(|v| v.name.clone()).collect();
        Ok(Sealed { epoch, signed_by, changes: steps })
    }
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

/// The checks every certificate starts with: its format, that it names this genesis (suite,
/// hash, chain id, also in the header), that its epoch proof leads from the genesis validators
/// to the block's, and that the header's seal has a quorum of those.
#[allow(clippy::too_many_arguments)]
fn verify_anchor(
    genesis: &Genesis,
    (format, expected): (&str, &str),
    suite: Suite,
    genesis_hash: H256,
    chain_id: u64,
    header: &BlockHeader,
    seal: &Seal,
    epochs: &EpochProof,
) -> Result<Sealed, CertError> {
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
    epochs.verify(genesis, header, seal)
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
        let need = quorum(governance::membership_at(reader, record.height)?.validators.len());
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
        let epochs = EpochProof::build(reader, genesis, &block.header)?;
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

    /// Verifies the certificate against a genesis, offline.
    pub fn verify(&self, genesis: &Genesis) -> Result<VerifiedEvidence, CertError> {
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
            epoch: sealed.epoch,
            signed_by: sealed.signed_by,
            epoch_changes: sealed.changes,
        })
    }
}

/// Format tag of record certificates (version 2: with the [`EpochProof`]; version 1 checked
/// the seal against the genesis validators only).
pub const RECORD_CERT_FORMAT: &str = "hechain-record-certificate/2";

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
    /// The validator sets from the genesis to the one that sealed the block.
    pub epochs: EpochProof,
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
    /// The block's epoch (0 until the validator set first changes).
    pub epoch: u64,
    /// Names of the validators (of that epoch's set) whose signatures were checked.
    pub signed_by: Vec<String>,
    /// The epoch changes from the genesis to the block, each checked against the set before it.
    pub epoch_changes: Vec<EpochStep>,
}

/// Blocks below the head searched for one whose seal already has a quorum.
const CERTIFIED_SEARCH: u64 = 8;

impl RecordCertificate {
    /// Proves `record` (read from the state by the caller) in the state of the newest block
    /// whose seal has a quorum.
    pub fn build(reader: &StoreReader, genesis: &Genesis, record: CertifiedRecord) -> Result<Self, CertError> {
        let suite = genesis.suite();
        let head = reader.head_height().map_err(ExecError::from)?;
        let mut last_short = None;
        for height in (head.saturating_sub(CERTIFIED_SEARCH)..=head).rev() {
            let seal = reader.seal(height).map_err(ExecError::from)?;
            // The quorum of the set that sealed this block (the set changes between epochs).
            let need = quorum(governance::membership_at(reader, height)?.validators.len());
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
            let epochs = EpochProof::build(reader, genesis, &header)?;
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
            None => (head, 0, quorum(governance::membership_at(reader, head)?.validators.len())),
        };
        Err(CertError::NotYetCertified { height, signatures, quorum: need })
    }

    /// Verifies the certificate against a genesis, offline.
    pub fn verify(&self, genesis: &Genesis) -> Result<VerifiedRecord, CertError> {
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
            epoch: sealed.epoch,
            signed_by: sealed.signed_by,
            epoch_changes: sealed.changes,
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
