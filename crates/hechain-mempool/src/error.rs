//! Why the pool refuses a transaction.

use hechain_types::H256;

/// Why a transaction was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdmitError {
    /// Signature missing, malformed, of the wrong scheme, or not by the sender.
    #[error("bad signature: {0}")]
    BadSignature(String),
    /// Transaction for another chain.
    #[error("wrong chain id: this chain is {expected}, the transaction says {got}")]
    WrongChainId {
        /// This chain.
        expected: u64,
        /// The transaction's.
        got: u64,
    },
    /// Fee below the chain minimum.
    #[error("fee too low: {got} offered, the minimum is {min}")]
    FeeTooLow {
        /// Minimum.
        min: u64,
        /// Offered.
        got: u64,
    },
    /// Nonce already used.
    #[error("nonce too low: the account's next nonce is {expected}, the transaction has {got}")]
    NonceTooLow {
        /// Next nonce.
        expected: u64,
        /// Offered.
        got: u64,
    },
    /// Nonce too far ahead of the account's next nonce.
    #[error("nonce gap too large: the account's next nonce is {expected}, the transaction has {got} (at most {max_gap} ahead is accepted)")]
    NonceGapTooLarge {
        /// Next nonce.
        expected: u64,
        /// Offered.
        got: u64,
        /// Allowed gap.
        max_gap: u64,
    },
    /// Another pending transaction of the sender has this nonce, and this one does not offer
    /// enough more to replace it.
    #[error("replacement transaction underpriced: nonce {nonce} of this sender is already pending; a replacement must offer a fee of at least {required} (offered {offered})")]
    ReplacementUnderpriced {
        /// The nonce.
        nonce: u64,
        /// Fee offered by this transaction.
        offered: u128,
        /// Fee a replacement must offer.
        required: u128,
    },
    /// The sender (or the whole pool) holds as many queued transactions — waiting behind a
    /// nonce gap — as allowed.
    #[error(
        "{queued} transactions already wait behind a nonce gap, the limit is {limit}: send nonce {ready_end} first"
    )]
    QueueFull {
        /// Queued now.
        queued: usize,
        /// The limit.
        limit: usize,
        /// The nonce that would close the sender's gap.
        ready_end: u64,
    },
    /// Balance cannot cover fee and amount of this and the sender's pending transactions.
    #[error("insufficient balance: {need} needed (including pending transactions), {have} available")]
    InsufficientBalance {
        /// Needed.
        need: u128,
        /// Available.
        have: u128,
    },
    /// Encoded transaction too large.
    #[error("transaction too large: {size} bytes, the limit is {max}")]
    Oversize {
        /// Size.
        size: usize,
        /// Limit.
        max: usize,
    },
    /// Same transaction already pending.
    #[error("duplicate: transaction {0} is already pending")]
    Duplicate(H256),
    /// Payload rule broken (e.g. evidence metadata too long).
    #[error("invalid payload: {0}")]
    InvalidPayload(String),
    /// A service module refuses the payload (evidence whose hash is already stored or
    /// pending, …); `code` is the module's.
    #[error("{message}")]
    Module {
        /// Machine-readable code (`evidence_exists`, …).
        code: &'static str,
        /// What is wrong, naming the record it conflicts with.
        message: String,
    },
    /// Gas limit out of bounds (below the intrinsic 21,000, above the per-transaction cap, or
    /// too small for the contract creation).
    #[error("{0}")]
    InvalidGas(String),
    /// Gas price below the chain's base fee, or a priority fee above the max fee.
    #[error("{0}")]
    Underpriced(String),
    /// The sender may not do this (e.g. deploy contracts under an allow-list).
    #[error("not permitted: {0}")]
    NotPermitted(String),
    /// The pool is at capacity.
    #[error("transaction pool is full ({capacity} transactions); retry later")]
    PoolFull {
        /// Capacity.
        capacity: usize,
    },
    /// The sender has too many pending transactions.
    #[error("sender has {0} pending transactions, the per-sender limit")]
    SenderFull(usize),
    /// Reading chain state failed.
    #[error("state unavailable: {0}")]
    State(String),
}

impl AdmitError {
    /// Stable machine-readable code (used by the REST API).
    pub fn code(&self) -> &'static str {
        match self {
            AdmitError::BadSignature(_) => "bad_signature",
            AdmitError::WrongChainId { .. } => "wrong_chain_id",
            AdmitError::FeeTooLow { .. } => "fee_too_low",
            AdmitError::NonceTooLow { .. } => "nonce_too_low",
            AdmitError::NonceGapTooLarge { .. } => "nonce_gap_too_large",
            AdmitError::ReplacementUnderpriced { .. } => "replacement_underpriced",
            AdmitError::QueueFull { .. } => "queue_full",
            AdmitError::InsufficientBalance { .. } => "insufficient_balance",
            AdmitError::Oversize { .. } => "oversize",
            AdmitError::Duplicate(_) => "duplicate",
            AdmitError::InvalidPayload(_) => "invalid_payload",
            AdmitError::Module { code, .. } => code,
            AdmitError::InvalidGas(_) => "invalid_gas",
            AdmitError::Underpriced(_) => "underpriced",
            AdmitError::NotPermitted(_) => "not_permitted",
            AdmitError::PoolFull { .. } => "pool_full",
            AdmitError::SenderFull(_) => "sender_full",
            AdmitError::State(_) => "state_unavailable",
        }
    }

    /// Whether retrying the same transaction later may succeed (back-pressure).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            AdmitError::PoolFull { .. }
                | AdmitError::SenderFull(_)
                | AdmitError::QueueFull { .. }
                | AdmitError::State(_)
        )
    }
}
