//! The anonymous-signatures module's calls, events and records.

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_module::ModuleEnum;
use hechain_primitives::{hex_bytes, Address, Codec, Stamp, H256};
use serde::{Deserialize, Serialize};

/// What a transaction asks the anonymous-signatures module to do.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum AnonCall {
    /// Register (or replace) the sender's public ring key, so that rings can include it.
    #[serde(rename = "anon_register_key")]
    RegisterKey {
        /// The public ring key (a compressed Ristretto point).
        ring_key: H256,
    },
    /// Publish a ring: a named set of members (a committee, an organisation's staff) whose
    /// registered keys are fixed into it now.
    #[serde(rename = "anon_create_ring")]
    CreateRing {
        /// Name (1 to 128 bytes).
        name: String,
        /// The members, each with a registered ring key.
        members: Vec<Address>,
    },
    /// Open a poll among a ring's members: one anonymous vote per member, tally public.
    #[serde(rename = "anon_create_poll")]
    CreatePoll {
        /// The ring of voters.
        ring: u64,
        /// The question (1 to 256 bytes).
        title: String,
        /// The options (2 to 16, each 1 to 64 bytes).
        options: Vec<String>,
        /// Block time (ms) from which no vote is accepted.
        closes_at_ms: u64,
    },
    /// Vote in a poll, signed anonymously by a member of its ring (send it from any account:
    /// the sender is not the voter, and the call pays no fee).
    #[serde(rename = "anon_vote")]
    Vote {
        /// The poll.
        poll: u64,
        /// The option chosen (index).
        option: u32,
        /// The voter's link tag on this poll (the same for any second vote of the same member).
        tag: H256,
        /// The ring signature on the poll and the option.
        #[serde(with = "hex_bytes")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
        signature: Vec<u8>,
    },
    /// Record evidence anonymously as a member of a ring (whistle-blowing): one report per
    /// member per topic.
    #[serde(rename = "anon_report")]
    Report {
        /// The ring the reporter belongs to.
        ring: u64,
        /// What the report is about (1 to 128 bytes); a member reports once per topic.
        topic: String,
        /// Hash of the evidence (kept off chain).
        content_hash: H256,
        /// The reporter's link tag on this topic.
        tag: H256,
        /// The ring signature on the topic and the hash.
        #[serde(with = "hex_bytes")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
        signature: Vec<u8>,
    },
}

impl ModuleEnum for AnonCall {
    const TYPES: &'static [&'static str] =
        &["anon_register_key", "anon_create_ring", "anon_create_poll", "anon_vote", "anon_report"];
}

/// What the anonymous-signatures module reports having done (never who signed).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum AnonEvent {
    /// A ring key was registered.
    #[serde(rename = "anon_key_registered")]
    KeyRegistered {
        /// The account.
        account: Address,
        /// Its public ring key.
        ring_key: H256,
    },
    /// A ring was published.
    #[serde(rename = "anon_ring_created")]
    RingCreated {
        /// Ring id.
        ring: u64,
        /// Members.
        size: u32,
    },
    /// A poll was opened.
    #[serde(rename = "anon_poll_created")]
    PollCreated {
        /// Poll id.
        poll: u64,
        /// Its ring.
        ring: u64,
    },
    /// An anonymous vote was counted.
    #[serde(rename = "anon_voted")]
    Voted {
        /// Poll id.
        poll: u64,
        /// The option.
        option: u32,
        /// The voter's link tag on the poll.
        tag: H256,
    },
    /// An anonymous report was recorded.
    #[serde(rename = "anon_reported")]
    Reported {
        /// Report id.
        id: u64,
        /// The ring.
        ring: u64,
        /// The reporter's link tag on the topic.
        tag: H256,
    },
}

impl ModuleEnum for AnonEvent {
    const TYPES: &'static [&'static str] =
        &["anon_key_registered", "anon_ring_created", "anon_poll_created", "anon_voted", "anon_reported"];
}

/// A published ring.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Ring {
    /// Ring id.
    pub id: u64,
    /// Name.
    pub name: String,
    /// Who published it.
    pub creator: Address,
    /// The members, in order.
    pub members: Vec<Address>,
    /// Their ring keys when the ring was published, in the same order (what signatures are
    /// checked against).
    pub keys: Vec<H256>,
    /// The chain's genesis hash: reports' link topics are bound to it (no replay on another
    /// chain with the same ring).
    pub chain: H256,
    /// Where it was published.
    pub created: Stamp,
}

impl Codec for Ring {}

/// A poll.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Poll {
    /// Poll id.
    pub id: u64,
    /// Its ring.
    pub ring: u64,
    /// The question.
    pub title: String,
    /// The options.
    pub options: Vec<String>,
    /// Votes per option, in order.
    pub tally: Vec<u64>,
    /// The chain's genesis hash: votes' link topic is bound to it.
    pub chain: H256,
    /// No vote from this block time on.
    pub closes_at_ms: u64,
    /// Who opened it.
    pub creator: Address,
    /// Where it was opened.
    pub created: Stamp,
}

impl Codec for Poll {}

/// An anonymous report.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Report id.
    pub id: u64,
    /// The ring its author belongs to.
    pub ring: u64,
    /// Its topic.
    pub topic: String,
    /// Hash of the evidence.
    pub content_hash: H256,
    /// The author's link tag on the topic.
    pub tag: H256,
    /// The ring signature (anyone can check it again against the ring).
    #[serde(with = "hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
    pub signature: Vec<u8>,
    /// Where it was recorded.
    pub stamp: Stamp,
}

impl Codec for Report {}
