//! The cross-chain relayer: carries headers, packets and acknowledgements between two hechain
//! chains that run light clients of each other (the `crosschain` module).
//!
//! A relayer is not trusted and needs no permission: every header it shows is checked against
//! the other chain's validator seals, every packet and acknowledgement against a state proof.
//! Several relayers may run at once; a packet is still received once (the second delivery is
//! refused by the chain, and the relayer treats that refusal as someone else's success). It
//! keeps no state of its own: every step starts from what the chains hold (pending packet
//! commitments, receipts), so a relayer killed at any point resumes where the chains are.
//!
//! The relayer reaches a chain through [`ChainIo`]: [`rest::RestChain`] over a node's REST API
//! (what `hechain relay` uses); tests implement it over in-process stores.

pub mod rest;
mod steps;

use hechain_chain::{smt::Proof, BlockHeader, Genesis, Seal};
use hechain_crosschain::views::{AckEntry, ChannelView, ClientView};
use hechain_crosschain::{CrosschainCall, CrosschainEvent, Packet};
use hechain_governance::Membership;

pub use steps::{
    create_client, finish_handshake, latest_sealed, open_channel, recognise, relay_once, update_client, wait_sealed,
    Link, Progress,
};

/// Why a relaying step failed.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// A chain could not be read or written.
    #[error("{chain}: {message}")]
    Chain {
        /// Which chain.
        chain: String,
        /// What failed.
        message: String,
    },
    /// A chain refused a call the relayer could not do without.
    #[error("{chain} refused {call}: {reason}")]
    Refused {
        /// Which chain.
        chain: String,
        /// The call's type.
        call: String,
        /// The chain's reason.
        reason: String,
    },
}

/// The outcome of one submitted call: its cross-chain events, or the chain's reason for refusing
/// it.
pub type Submitted = Result<Vec<CrosschainEvent>, String>;

/// What the relayer needs of a chain.
#[allow(async_fn_in_trait)]
pub trait ChainIo {
    /// A name for messages (the node's URL).
    fn name(&self) -> String;
    /// The chain's genesis.
    async fn genesis(&self) -> Result<Genesis, RelayError>;
    /// Height of the latest committed block.
    async fn head(&self) -> Result<u64, RelayError>;
    /// The header and seal of block `height`.
    async fn sealed(&self, height: u64) -> Result<(BlockHeader, Seal), RelayError>;
    /// Proof of state key `key` under block `height`'s state root.
    async fn proof(&self, key: &[u8], height: u64) -> Result<Proof, RelayError>;
    /// Proofs of many keys under block `height`'s state root, in order.
    async fn proofs(&self, keys: &[Vec<u8>], height: u64) -> Result<Vec<Proof>, RelayError>;
    /// The latest value of state key `key` (what a proof at a recent height is of, unless it
    /// changed since).
    async fn value(&self, key: &[u8]) -> Result<Option<Vec<u8>>, RelayError>;
    /// Every membership epoch, in order (epoch 0 = the genesis set).
    async fn memberships(&self) -> Result<Vec<Membership>, RelayError>;
    /// A light client on this chain.
    async fn client(&self, id: u64) -> Result<ClientView, RelayError>;
    /// A channel on this chain.
    async fn channel(&self, id: u64) -> Result<ChannelView, RelayError>;
    /// Packets sent on `channel` and still pending, by sequence.
    async fn pending(&self, channel: u64) -> Result<Vec<Packet>, RelayError>;
    /// The acknowledgements this chain wrote on `channel` for sequences after `after`, by
    /// sequence (a packet is received exactly when it is acknowledged).
    async fn acks(&self, channel: u64, after: u64) -> Result<Vec<AckEntry>, RelayError>;
    /// Signs and submits `calls` (in this order) and waits until they are committed.
    async fn submit(&self, calls: Vec<CrosschainCall>) -> Result<Vec<Submitted>, RelayError>;
}
