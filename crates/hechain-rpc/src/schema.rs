//! Request and response types of the REST API that are not `hechain-types` types, with their
//! OpenAPI schemas (`utoipa::ToSchema`). The handlers serialise these types, so the document
//! ([`crate::openapi`]) describes what is sent. Field order is the JSON order.
//!
//! Certificates are built by `hechain-execution`, which does not depend on utoipa: their
//! schemas here ([`EvidenceCertificateDoc`], [`RecordCertificateDoc`]) list the documented
//! top-level fields, and nested parts are described as objects.

use hechain_types::{
    Address, BlockHeader, ChainTx, EthTransaction, EvidenceRecord, Receipt, Seal, SignedTransaction, SuiteTag,
    Transaction, TxSignature, H256,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// Body of every error response.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

impl ErrorBody {
    /// `{"error":{"code":..,"message":..}}`.
    pub fn new(code: &str, message: &str) -> Self {
        ErrorBody { error: ErrorDetail { code: code.to_string(), message: message.to_string() } }
    }
}

/// Code and message of an error.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code (`nonce_too_low`, `evidence_not_found`, …).
    #[schema(example = "nonce_too_low")]
    pub code: String,
    /// What went wrong, in a sentence.
    pub message: String,
}

/// `GET /api/v1/status`.
#[derive(Serialize, ToSchema)]
pub struct Status {
    /// Chain id.
    pub chain_id: u64,
    /// Cryptographic suite.
    pub suite: SuiteTag,
    /// Hash of the genesis.
    pub genesis_hash: H256,
    /// Height of the newest committed block.
    pub height: u64,
    /// Hash of the newest committed block.
    pub head_hash: H256,
    /// Its timestamp, ms since the Unix epoch.
    pub head_timestamp_ms: u64,
    /// Its state root.
    pub state_root: H256,
    /// Transactions waiting in this node's pool.
    pub pending_txs: u64,
    /// Smallest fee the pool accepts.
    pub min_fee: u64,
    /// Names of the validators in force.
    pub validators: Vec<String>,
    /// Current validator-set epoch.
    pub epoch: u64,
    /// Node version.
    pub version: String,
    /// Live consensus and network facts (round, leader, peers, role); null on a node without
    /// consensus status.
    #[schema(value_type = Option<Object>)]
    pub consensus: Option<Value>,
}

/// `POST /api/v1/transactions`: exactly one of `raw` and `transaction`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// The canonical encoding of the signed transaction, as 0x hex.
    #[serde(default)]
    #[schema(pattern = "^(0x)?([0-9a-fA-F]{2})*$")]
    pub raw: Option<String>,
    /// The signed transaction as JSON.
    #[serde(default)]
    pub transaction: Option<SignedTransaction>,
}

/// `POST /api/v1/transactions/batch` (JSON form).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// Canonical encodings of signed transactions, as 0x hex.
    #[schema(inline)]
    pub raw: Vec<RawHex>,
}

/// Bytes as hex, `0x`-prefixed.
#[derive(Deserialize, ToSchema)]
#[schema(value_type = String, pattern = "^(0x)?([0-9a-fA-F]{2})*$")]
pub struct RawHex(pub String);

/// An admitted transaction.
#[derive(Serialize, ToSchema)]
pub struct SubmitResponse {
    /// The transaction hash.
    pub hash: H256,
}

/// One entry of a batch result: the hash of an admitted transaction, or why it was refused.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum BatchResult {
    /// Admitted.
    Admitted(SubmitResponse),
    /// Refused (the pool's code) or undecodable (`invalid_hex`, `invalid_transaction`).
    Refused(ErrorBody),
}

/// `POST /api/v1/transactions/batch`.
#[derive(Serialize, ToSchema)]
pub struct BatchResponse {
    /// How many were admitted.
    pub accepted: u64,
    /// One result per input, in order.
    pub results: Vec<BatchResult>,
}

/// Where a transaction is.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TxState {
    /// In a block.
    Committed,
    /// In this node's pool.
    Pending,
}

/// `GET /api/v1/transactions/{hash}`: a committed transaction with its position, or
/// `{hash, status: "pending"}`.
#[derive(Serialize, ToSchema)]
pub struct TransactionLookup {
    /// Transaction hash.
    pub hash: H256,
    /// `committed` or `pending`.
    pub status: TxState,
    /// Block height (committed only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// Position in the block (committed only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// Block hash (committed only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_hash: Option<H256>,
    /// The transaction (committed only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction: Option<ChainTx>,
}

/// `GET /api/v1/receipts/{hash}`: the receipt and its block position (its schema: [`flattened`]).
#[derive(Serialize)]
pub struct ReceiptWithLocation {
    /// The receipt.
    #[serde(flatten)]
    pub receipt: Receipt,
    /// Block height.
    pub height: u64,
    /// Position in the block.
    pub index: u32,
    /// Block hash.
    pub block_hash: H256,
}

use hechain_module::api::flattened;

impl PartialSchema for ReceiptWithLocation {
    fn schema() -> RefOr<Schema> {
        flattened::<Receipt>(vec![
            ("height", u64::schema()),
            ("index", u32::schema()),
            ("block_hash", RefOr::Ref(Ref::from_schema_name(H256::name()))),
        ])
    }
}

impl ToSchema for ReceiptWithLocation {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <Receipt as ToSchema>::schemas(schemas);
        schemas.push((H256::name().into_owned(), <H256 as PartialSchema>::schema()));
    }
}

/// A transaction of a block as listed with `full=true`: native or Ethereum.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum FullTx {
    /// A native transaction.
    Native {
        /// Transaction hash.
        hash: H256,
        /// The transaction.
        tx: Transaction,
        /// Its signature.
        signature: TxSignature,
    },
    /// An Ethereum transaction.
    Ethereum {
        /// Transaction hash.
        hash: H256,
        /// Raw envelope and sender.
        ethereum: EthTransaction,
    },
}

/// A block entry: its hash (default) or the full transaction (`full=true`).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum BlockTx {
    /// Transaction hash.
    Hash(H256),
    /// Full transaction.
    Full(Box<FullTx>),
}

/// `GET /api/v1/blocks/{id}` and `/blocks/latest`.
#[derive(Serialize, ToSchema)]
pub struct BlockResponse {
    /// Block hash.
    pub hash: H256,
    /// Header.
    pub header: BlockHeader,
    /// Validator signatures over the header.
    pub seal: Seal,
    /// Transaction hashes, or full transactions with `full=true`.
    pub transactions: Vec<BlockTx>,
}

/// `GET /api/v1/accounts/{address}` (zero for unknown addresses).
#[derive(Serialize, ToSchema)]
#[schema(as = Account)]
pub struct AccountView {
    /// The address.
    pub address: Address,
    /// Nonce of the next transaction to commit.
    pub nonce: u64,
    /// Balance, decimal string.
    #[schema(pattern = "^[0-9]+$")]
    pub balance: String,
    /// Nonce after this node's pending transactions of the account.
    pub pending_nonce: u64,
}

/// One of an account's transactions (`GET /api/v1/accounts/{address}/transactions`).
#[derive(Serialize, ToSchema)]
pub struct AccountTx {
    /// Transaction hash.
    pub hash: H256,
    /// Height of its block.
    pub height: u64,
    /// Its index in the block.
    pub index: u32,
}

/// A page of the transactions an account sent, newest first.
#[derive(Serialize, ToSchema)]
pub struct AccountTxList {
    /// The transactions, newest first.
    pub transactions: Vec<AccountTx>,
    /// Pass as `before` for the next (older) page (`HEIGHT:INDEX`); absent after the first.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[0-9]+:[0-9]+$")]
    pub next_before: Option<String>,
}

/// Proof that a state key is present (with its value hash) or absent under a state root.
#[derive(Serialize, ToSchema)]
pub struct SmtProof {
    /// Sibling hashes from the root downward.
    #[schema(value_type = Vec<H256>)]
    pub siblings: Vec<String>,
    /// `[key_hash, value_hash]` of the leaf the path ends at, or null (empty subtree).
    #[schema(value_type = Option<Vec<H256>>, min_items = 2, max_items = 2)]
    pub leaf: Option<Vec<String>>,
}

/// `GET /api/v1/state/proof`.
#[derive(Serialize, ToSchema)]
pub struct StateProof {
    /// The key, 0x hex.
    pub key: String,
    /// Hash of the key (its path in the state tree).
    pub key_hash: H256,
    /// Height whose state root the proof is under.
    pub height: u64,
    /// That state root.
    pub state_root: H256,
    /// The key's current value, 0x hex, or null when absent.
    pub value: Option<String>,
    /// The proof.
    #[schema(value_type = SmtProof)]
    pub proof: Value,
}

/// `POST /api/v1/receipts`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptsRequest {
    /// Transaction hashes.
    pub hashes: Vec<H256>,
}

/// Receipts of many transactions, in the order asked; `null` for one not committed (yet).
#[derive(Serialize, ToSchema)]
pub struct Receipts {
    /// One per hash asked.
    #[schema(value_type = Vec<Option<ReceiptWithLocation>>)]
    pub receipts: Vec<Option<ReceiptWithLocation>>,
}

/// `POST /api/v1/state/proofs`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StateProofsRequest {
    /// Raw state keys, hex (non-empty each).
    #[schema(inline)]
    pub keys: Vec<RawHex>,
    /// Height whose state root to prove under (default: head).
    #[serde(default)]
    pub height: Option<u64>,
}

/// Proofs of many keys under one state root, in the order asked.
#[derive(Serialize, ToSchema)]
pub struct StateProofs {
    /// Height whose state root the proofs are under.
    pub height: u64,
    /// That state root.
    pub state_root: H256,
    /// One per key asked.
    pub proofs: Vec<StateProof>,
}

/// The common fields of certificates: format, chain and the proofs (validated offline by
/// `hechain … verify-cert`).
#[derive(Serialize, ToSchema)]
#[schema(as = EvidenceCertificate)]
pub struct EvidenceCertificateDoc {
    /// `hechain-evidence-certificate/…`.
    pub format: String,
    /// Chain id.
    pub chain_id: u64,
    /// Cryptographic suite.
    pub suite: SuiteTag,
    /// Hash of the genesis.
    pub genesis_hash: H256,
    /// The evidence record.
    pub record: EvidenceRecord,
    /// The transaction that stored it.
    pub transaction: ChainTx,
    /// Its inclusion proof under `header.tx_root`.
    #[schema(value_type = Object)]
    pub tx_proof: Value,
    /// Its receipt.
    pub receipt: Receipt,
    /// The receipt's inclusion proof under `header.receipts_root`.
    #[schema(value_type = Object)]
    pub receipt_proof: Value,
    /// Header of the block that committed it.
    pub header: BlockHeader,
    /// Validator signatures over the header.
    pub seal: Seal,
    /// The validator sets from the genesis to the one that sealed the block.
    #[schema(value_type = Object)]
    pub epochs: Value,
    /// Proof of the record under `header.state_root`.
    pub state_proof: SmtProof,
}

/// Kind of record a record certificate proves: the first modules' kinds, and the kinds of every
/// module built on the module interface (`hechain_module::record::ModuleRecord::KINDS`).
#[derive(Serialize)]
pub struct CertifiedKind(pub String);

/// The record kinds of the first modules (their certificates are built by this crate's handlers).
const FIRST_KINDS: [&str; 9] = [
    "copyright_work",
    "copyright_license",
    "voucher",
    "voucher_part",
    "ecert",
    "dataset",
    "data_grant",
    "trace_batch",
    "trace_item",
];

impl utoipa::PartialSchema for CertifiedKind {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let mut kinds: Vec<&str> = FIRST_KINDS.to_vec();
        kinds.extend(hechain_types::modules::ModuleRecords::kinds());
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .enum_values(Some(kinds))
            .description(Some("Kind of record a record certificate proves."))
            .into()
    }
}

impl ToSchema for CertifiedKind {}

/// An offline-verifiable certificate of a module record (format
/// `hechain-record-certificate/2`).
#[derive(Serialize, ToSchema)]
#[schema(as = RecordCertificate)]
pub struct RecordCertificateDoc {
    /// `hechain-record-certificate/2`.
    pub format: String,
    /// Chain id.
    pub chain_id: u64,
    /// Cryptographic suite.
    pub suite: SuiteTag,
    /// Hash of the genesis.
    pub genesis_hash: H256,
    /// What `record` is.
    pub kind: CertifiedKind,
    /// The record, as the kind's route returns it.
    #[schema(value_type = Object)]
    pub record: Value,
    /// Header of the block whose state holds the record.
    pub header: BlockHeader,
    /// Validator signatures over the header.
    pub seal: Seal,
    /// The validator sets from the genesis to the one that sealed the block.
    #[schema(value_type = Object)]
    pub epochs: Value,
    /// Proof of the record under `header.state_root`.
    pub state_proof: SmtProof,
    /// Proofs of related records under the same root (absent when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_proofs: Vec<SmtProof>,
}

/// One block in a list of blocks (`GET /api/v1/blocks`): its header's summary.
#[derive(Serialize, ToSchema)]
pub struct BlockSummary {
    /// Height.
    pub height: u64,
    /// Block hash.
    pub hash: H256,
    /// Transactions in the block.
    pub tx_count: u32,
    /// Timestamp, ms since the Unix epoch.
    pub timestamp_ms: u64,
    /// Index of the proposing validator (in its epoch's set).
    pub proposer: u32,
    /// Consensus round of the block.
    pub round: u64,
}

/// A page of blocks, newest first.
#[derive(Serialize, ToSchema)]
pub struct BlockList {
    /// The blocks, newest first.
    pub blocks: Vec<BlockSummary>,
    /// Pass as `before` for the next (older) page; absent after the genesis block.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_before: Option<u64>,
}

/// Data of a `block` server-sent event (`lagged` events carry `{missed, message}`).
#[derive(Serialize, ToSchema)]
pub struct BlockEvent {
    /// Height.
    pub height: u64,
    /// Block hash.
    pub hash: H256,
    /// Transactions in the block.
    pub tx_count: u32,
    /// Timestamp, ms since the Unix epoch.
    pub timestamp_ms: u64,
    /// State root.
    pub state_root: H256,
}

/// The OpenAPI document (this one).
#[derive(Serialize, ToSchema)]
pub struct OpenApiDocument {
    /// OpenAPI version.
    pub openapi: String,
    /// Title and version.
    #[schema(value_type = Object)]
    pub info: Value,
    /// Operations by path.
    #[schema(value_type = Object)]
    pub paths: Value,
    /// Schemas.
    #[schema(value_type = Object)]
    pub components: Value,
}
