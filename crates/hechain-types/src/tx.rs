//! Native transactions: what an account asks the chain to do, and its signature.

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_crypto::{AccountScheme, AccountSignature, Suite};
use serde::{Deserialize, Serialize};

use crate::codec::Codec;
use crate::primitives::{u128_string, Address, H256};
use crate::TypesError;

/// Domain prefix of the message an account signs (keeps signatures from
/// being replayed as any other kind of hechain message).
pub const TX_SIGNING_DOMAIN: &[u8] = b"hechain/tx/v1";

/// Optional descriptive fields of an evidence (存证) record.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EvidenceMeta {
    /// Human title, e.g. a contract name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Kind of evidence, e.g. "contract", "invoice", "image".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Label of the owner (an organisation or person name, not verified by the chain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Reference into an external system (case number, archive id, URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<String>,
}

impl EvidenceMeta {
    /// Longest accepted metadata field, in bytes.
    pub const MAX_FIELD_BYTES: usize = 512;

    /// Checks the field length limits, naming the first field that is too long.
    pub fn validate(&self) -> Result<(), TypesError> {
        for (name, v) in
            [("title", &self.title), ("kind", &self.kind), ("owner", &self.owner), ("external_ref", &self.external_ref)]
        {
            if let Some(v) = v {
                if v.len() > Self::MAX_FIELD_BYTES {
                    return Err(TypesError::Invalid(format!(
                        "evidence {name} is {} bytes, the limit is {}",
                        v.len(),
                        Self::MAX_FIELD_BYTES
                    )));
                }
            }
        }
        Ok(())
    }
}

/// What a transaction does. New variants are appended at the end.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Payload {
    /// Move native balance to another account.
    Transfer {
        /// Recipient.
        to: Address,
        /// Amount in the smallest unit.
        #[serde(with = "u128_string")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
        amount: u128,
    },
    /// Store a content hash as evidence (存证).
    EvidencePut {
        /// Hash of the evidence content, computed off chain with the chain's suite hash.
        content_hash: H256,
        /// Optional descriptive fields.
        #[serde(default)]
        meta: EvidenceMeta,
    },
    /// Register a work's copyright (版权登记); the sender becomes its owner.
    CopyrightRegister {
        /// Hash of the work's content, computed off chain with the chain's suite hash.
        content_hash: H256,
        /// Title.
        title: String,
        /// Kind of work: text, music, image, video, software, …
        work_type: String,
        /// Author's name.
        author: String,
    },
    /// Transfer a work's copyright to another account (owner only).
    CopyrightTransfer {
        /// The work.
        work_id: u64,
        /// New owner.
        to: Address,
    },
    /// Grant a license on a work (owner only).
    CopyrightLicense {
        /// The work.
        work_id: u64,
        /// Account licensed.
        licensee: Address,
        /// Exclusive license: refused if any license overlaps it; a non-exclusive one is
        /// refused if an exclusive license overlaps it.
        exclusive: bool,
        /// Start of the term (ms since the Unix epoch, inclusive).
        start_ms: u64,
        /// End of the term (ms since the Unix epoch, exclusive).
        end_ms: u64,
        /// Territory label, e.g. `CN` or `worldwide`.
        territory: String,
    },
    /// Issue a receivable voucher (sender: the core enterprise that owes `amount`).
    VoucherIssue {
        /// The supplier that receives the first part.
        holder: Address,
        /// Face value in the smallest unit.
        #[serde(with = "u128_string")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9]+$"))]
        amount: u128,
        /// Due date (ms since the Unix epoch), after the block time.
        maturity_ms: u64,
        /// Hash of the underlying contract or invoice.
        reference: H256,
    },
    /// Split a part held by the sender into new parts (a transfer is a split with one output).
    VoucherSplit {
        /// The part.
        part_id: u64,
        /// The new parts; their amounts must sum to the part's.
        outputs: Vec<crate::voucher::SplitOutput>,
    },
    /// Pledge a part held by the sender to a bank for financing.
    VoucherPledge {
        /// The part.
        part_id: u64,
        /// The bank.
        bank: Address,
    },
    /// Release a pledged part back to its holder (sender: the bank).
    VoucherRelease {
        /// The part.
        part_id: u64,
    },
    /// Settle a voucher at or after maturity (sender: the issuer), paying every live part.
    VoucherSettle {
        /// The voucher.
        voucher_id: u64,
    },
    /// Issue an e-certificate (sender: the issuing agency). Fields are committed by hash only.
    EcertIssue {
        /// Kind of certificate: business_licence, diploma, id_card, …
        cert_type: String,
        /// The holder.
        holder: Address,
        /// Field commitments ([`crate::ecert::field_hash`]), names unique.
        fields: Vec<crate::ecert::FieldCommitment>,
        /// Encrypted reference to the off-chain document (opaque ciphertext).
        #[serde(with = "crate::primitives::hex_bytes")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
        encrypted_ref: Vec<u8>,
        /// Start of validity (ms since the Unix epoch, inclusive).
        not_before_ms: u64,
        /// End of validity (ms, exclusive), after the block time.
        not_after_ms: u64,
    },
    /// Revoke an e-certificate (sender: its issuer).
    EcertRevoke {
        /// The certificate.
        cert_id: u64,
        /// Why.
        reason: String,
    },
    /// Register a dataset for sharing; the sender becomes its holder.
    DatasetRegister {
        /// Hash of the dataset's content.
        content_hash: H256,
        /// Encrypted reference to where the data lives.
        #[serde(with = "crate::primitives::hex_bytes")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
        encrypted_ref: Vec<u8>,
        /// Description.
        description: String,
    },
    /// Grant an organisation time-limited access to a certificate or dataset (sender: its holder).
    DataGrant {
        /// The certificate or dataset.
        subject: crate::ecert::Subject,
        /// The organisation's account.
        grantee: Address,
        /// The organisation's name.
        org: String,
        /// What the access is for.
        purpose: String,
        /// End of the grant (ms since the Unix epoch, exclusive), after the block time.
        expires_ms: u64,
    },
    /// Revoke a grant before it expires (sender: the holder that granted it).
    DataGrantRevoke {
        /// The grant.
        grant_id: u64,
    },
    /// Log one use of the data under a live grant (sender: the grantee).
    DataAccess {
        /// The grant.
        grant_id: u64,
        /// What this use is for.
        purpose: String,
        /// Hash of the request (kept off chain by the grantee).
        request_hash: H256,
    },
    /// Register a product batch (sender: the producer, first custodian of its items), with
    /// up to 256 item codes.
    TraceBatch {
        /// Product name.
        product: String,
        /// Producer's name as declared.
        producer_label: String,
        /// Hash of the batch's attributes document.
        attributes: H256,
        /// Optional free metadata (may be empty).
        #[serde(default)]
        metadata: String,
        /// Item codes, unique chain-wide (may be empty; add more with `trace_add_items`).
        #[serde(default)]
        codes: Vec<String>,
    },
    /// Add item codes to a batch (sender: its producer).
    TraceAddItems {
        /// The batch.
        batch_id: u64,
        /// 1–256 new codes.
        codes: Vec<String>,
    },
    /// Append a lifecycle event to items the sender holds or is authorised for.
    TraceEvent {
        /// 1–256 item codes (the same event is appended to each).
        codes: Vec<String>,
        /// Stage label, e.g. `harvested`, `inspected`, `shipped`.
        stage: String,
        /// Where it happened.
        #[serde(default)]
        location: String,
        /// When it happened (ms since the Unix epoch), at most 5 minutes after the block time.
        event_time_ms: u64,
        /// Hashes of attached documents.
        #[serde(default)]
        attachments: Vec<H256>,
        /// Free note.
        #[serde(default)]
        note: String,
    },
    /// Authorise an account to append events to a batch's items (sender: the producer) or to
    /// one item (sender: its custodian).
    TraceAuthorize {
        /// Batch or item.
        target: crate::trace::TraceTarget,
        /// The account.
        account: Address,
    },
    /// Withdraw an authorisation (sender: the producer for a batch, the custodian for an item).
    TraceRevoke {
        /// Batch or item.
        target: crate::trace::TraceTarget,
        /// The account.
        account: Address,
    },
    /// Offer items the sender holds to a receiver, who must accept.
    TraceHandover {
        /// 1–256 item codes.
        codes: Vec<String>,
        /// The receiver.
        to: Address,
    },
    /// Accept items offered to the sender: custody moves to the sender.
    TraceAccept {
        /// 1–256 item codes.
        codes: Vec<String>,
    },
    /// Refuse items offered to the sender.
    TraceReject {
        /// 1–256 item codes.
        codes: Vec<String>,
    },
    /// Withdraw the sender's pending offers of items.
    TraceCancel {
        /// 1–256 item codes.
        codes: Vec<String>,
    },
    /// Recall a batch (sender: its producer): every item in it shows recalled and can no longer
    /// change hands.
    TraceRecall {
        /// The batch.
        batch_id: u64,
        /// Why.
        reason: String,
    },
    /// Propose a governance change (sender: a committee member).
    GovPropose {
        /// The change.
        action: crate::governance::Action,
        /// Why (free text, at most 1,024 bytes).
        #[serde(default)]
        description: String,
    },
    /// Vote on an open proposal (sender: a committee member, once per proposal).
    GovVote {
        /// The proposal.
        proposal: u64,
        /// Yes or no.
        approve: bool,
    },
}

/// The native modules, as [`Payload::module`] names them (permission settings refer to them).
pub const MODULES: [&str; 7] = ["transfer", "evidence", "copyright", "voucher", "trace", "ecert", "governance"];

/// A payload alone is encoded where a contract's native-module operation is logged (the
/// e-certificate precompile).
impl Codec for Payload {}

impl Payload {
    /// Stateless field checks (lengths, empty fields, empty terms), run by the pool on
    /// admission and again at execution. The message names the field.
    pub fn validate(&self) -> Result<(), TypesError> {
        match self {
            Payload::Transfer { .. }
            | Payload::CopyrightTransfer { .. }
            | Payload::VoucherPledge { .. }
            | Payload::VoucherRelease { .. }
            | Payload::VoucherSettle { .. }
            | Payload::DataGrantRevoke { .. } => Ok(()),
            Payload::EcertIssue { cert_type, fields, encrypted_ref, not_before_ms, not_after_ms, .. } => {
                crate::ecert::validate_issue(cert_type, fields, encrypted_ref, *not_before_ms, *not_after_ms)
            }
            Payload::EcertRevoke { reason, .. } => crate::ecert::validate_revoke(reason),
            Payload::DatasetRegister { encrypted_ref, description, .. } => {
                crate::ecert::validate_dataset(encrypted_ref, description)
            }
            Payload::DataGrant { org, purpose, .. } => crate::ecert::validate_grant(org, purpose),
            Payload::DataAccess { purpose, .. } => crate::ecert::validate_access(purpose),
            Payload::VoucherIssue { amount, .. } => crate::voucher::validate_issue(*amount),
            Payload::VoucherSplit { outputs, .. } => crate::voucher::validate_split(outputs),
            Payload::EvidencePut { meta, .. } => meta.validate(),
            Payload::CopyrightRegister { title, work_type, author, .. } => {
                crate::copyright::validate_registration(title, work_type, author)
            }
            Payload::CopyrightLicense { start_ms, end_ms, territory, .. } => {
                crate::copyright::validate_license(*start_ms, *end_ms, territory)
            }
            Payload::TraceBatch { product, producer_label, metadata, codes, .. } => {
                crate::trace::validate_batch(product, producer_label, metadata, codes)
            }
            Payload::TraceAddItems { codes, .. }
            | Payload::TraceHandover { codes, .. }
            | Payload::TraceAccept { codes }
            | Payload::TraceReject { codes }
            | Payload::TraceCancel { codes } => crate::trace::validate_codes(codes, false),
            Payload::TraceEvent { codes, stage, location, attachments, note, .. } => {
                crate::trace::validate_event(codes, stage, location, attachments, note)
            }
            Payload::TraceAuthorize { target, .. } | Payload::TraceRevoke { target, .. } => {
                crate::trace::validate_target(target)
            }
            Payload::TraceRecall { reason, .. } => crate::trace::validate_recall(reason),
            Payload::GovPropose { action, description } => {
                crate::governance::validate_description(description)?;
                action.validate()
            }
            Payload::GovVote { .. } => Ok(()),
        }
    }

    /// The native module the payload belongs to (one of [`MODULES`]).
    pub fn module(&self) -> &'static str {
        match self {
            Payload::Transfer { .. } => "transfer",
            Payload::EvidencePut { .. } => "evidence",
            Payload::CopyrightRegister { .. }
            | Payload::CopyrightTransfer { .. }
            | Payload::CopyrightLicense { .. } => "copyright",
            Payload::VoucherIssue { .. }
            | Payload::VoucherSplit { .. }
            | Payload::VoucherPledge { .. }
            | Payload::VoucherRelease { .. }
            | Payload::VoucherSettle { .. } => "voucher",
            Payload::EcertIssue { .. }
            | Payload::EcertRevoke { .. }
            | Payload::DatasetRegister { .. }
            | Payload::DataGrant { .. }
            | Payload::DataGrantRevoke { .. }
            | Payload::DataAccess { .. } => "ecert",
            Payload::TraceBatch { .. }
            | Payload::TraceAddItems { .. }
            | Payload::TraceEvent { .. }
            | Payload::TraceAuthorize { .. }
            | Payload::TraceRevoke { .. }
            | Payload::TraceHandover { .. }
            | Payload::TraceAccept { .. }
            | Payload::TraceReject { .. }
            | Payload::TraceCancel { .. }
            | Payload::TraceRecall { .. } => "trace",
            Payload::GovPropose { .. } | Payload::GovVote { .. } => "governance",
        }
    }

    /// Native balance the payload itself moves out of the sender (besides the fee).
    pub fn amount(&self) -> u128 {
        match self {
            Payload::Transfer { amount, .. } => *amount,
            _ => 0,
        }
    }
}

/// The unsigned body of a native transaction.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Transaction {
    /// Chain id from genesis; a transaction for another chain is refused.
    pub chain_id: u64,
    /// The sender's sequence number, starting at 0.
    pub nonce: u64,
    /// The account that signs and pays.
    pub sender: Address,
    /// Fee the sender pays (must be at least the chain's `min_fee`); it is burned.
    pub fee: u64,
    /// The operation.
    pub payload: Payload,
}

impl Codec for Transaction {}

impl Transaction {
    /// The exact bytes the sender signs: domain prefix + canonical encoding.
    pub fn signing_message(&self) -> Vec<u8> {
        let mut m = TX_SIGNING_DOMAIN.to_vec();
        m.extend_from_slice(&self.encode());
        m
    }

    /// Signs with an account key. The key's address must be `self.sender`.
    pub fn sign(self, key: &hechain_crypto::AccountKey) -> Result<SignedTransaction, TypesError> {
        if Address(key.address()) != self.sender {
            return Err(TypesError::Invalid(format!(
                "key of {} cannot sign for sender {}",
                Address(key.address()),
                self.sender
            )));
        }
        let signature = TxSignature::from(key.sign(&self.signing_message()));
        Ok(SignedTransaction { tx: self, signature })
    }
}

/// A transaction signature in canonical form (mirrors [`AccountSignature`]).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum TxSignature {
    /// secp256k1 ECDSA `r || s || v` (v ∈ {0,1}) over keccak256 of the signing message.
    Secp256k1([u8; 65]),
    /// SM2 with the signer's compressed public key and `r || s`.
    Sm2 {
        /// SEC1 compressed public key.
        public_key: [u8; 33],
        /// `r || s`.
        sig: [u8; 64],
    },
}

impl TxSignature {
    /// The scheme.
    pub fn scheme(&self) -> AccountScheme {
        match self {
            TxSignature::Secp256k1(_) => AccountScheme::Secp256k1,
            TxSignature::Sm2 { .. } => AccountScheme::Sm2,
        }
    }
}

impl From<AccountSignature> for TxSignature {
    fn from(s: AccountSignature) -> Self {
        match s {
            AccountSignature::Secp256k1 { sig } => TxSignature::Secp256k1(sig),
            AccountSignature::Sm2 { public_key, sig } => TxSignature::Sm2 { public_key, sig },
        }
    }
}

impl From<&TxSignature> for AccountSignature {
    fn from(s: &TxSignature) -> Self {
        match s {
            TxSignature::Secp256k1(sig) => AccountSignature::Secp256k1 { sig: *sig },
            TxSignature::Sm2 { public_key, sig } => AccountSignature::Sm2 { public_key: *public_key, sig: *sig },
        }
    }
}

impl Serialize for TxSignature {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Serialize::serialize(&AccountSignature::from(self), s)
    }
}

/// Schema of [`TxSignature`]'s JSON form (that of `AccountSignature`, defined in hechain-crypto).
#[cfg(feature = "openapi")]
#[derive(Serialize, utoipa::ToSchema)]
#[serde(tag = "scheme", rename_all = "lowercase")]
#[allow(dead_code)]
enum TxSignatureJson {
    /// `r || s || v` (65 bytes).
    Secp256k1 {
        #[schema(value_type = String, pattern = "^0x[0-9a-fA-F]{130}$")]
        sig: String,
    },
    /// SEC1 compressed public key (33 bytes) and `r || s` (64 bytes).
    Sm2 {
        #[schema(value_type = String, pattern = "^0x[0-9a-fA-F]{66}$")]
        public_key: String,
        #[schema(value_type = String, pattern = "^0x[0-9a-fA-F]{128}$")]
        sig: String,
    },
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for TxSignature {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <TxSignatureJson as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for TxSignature {}

impl<'de> Deserialize<'de> for TxSignature {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <AccountSignature as Deserialize>::deserialize(d).map(TxSignature::from)
    }
}

/// A transaction with its signature: the unit clients submit and blocks carry.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignedTransaction {
    /// The signed body.
    pub tx: Transaction,
    /// The sender's signature over [`Transaction::signing_message`].
    pub signature: TxSignature,
}

impl Codec for SignedTransaction {}

impl SignedTransaction {
    /// Transaction hash: the suite hash of the canonical encoding (signature included).
    pub fn hash(&self, suite: Suite) -> H256 {
        H256(suite.hash(&self.encode()))
    }

    /// Verifies the signature, that its scheme is the one the chain's suite
    /// uses, and that it was made by `tx.sender`.
    pub fn verify(&self, suite: Suite) -> Result<(), TypesError> {
        if self.signature.scheme() != suite.account_scheme() {
            return Err(TypesError::BadSignature(format!(
                "{} signature on a {} chain (expected {})",
                self.signature.scheme(),
                suite,
                suite.account_scheme()
            )));
        }
        let signer =
            hechain_crypto::recover_signer(&self.tx.signing_message(), &AccountSignature::from(&self.signature))
                .map_err(|e| TypesError::BadSignature(e.to_string()))?;
        if Address(signer) != self.tx.sender {
            return Err(TypesError::BadSignature(format!(
                "signed by {} but sender is {}",
                Address(signer),
                self.tx.sender
            )));
        }
        Ok(())
    }
}
