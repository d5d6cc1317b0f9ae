//! The trace module's calls and events.
use borsh::{BorshDeserialize, BorshSerialize};
use hechain_module::ModuleEnum;
#[allow(unused_imports)]
use hechain_primitives::{u128_string, Address, H256};
use serde::{Deserialize, Serialize};

#[allow(unused_imports)]
use crate::types::*;
/// What a transaction asks the trace module to do.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum TraceCall {
    /// Register a product batch (sender: the producer, first custodian of its items), with
    /// up to 256 item codes.
    #[serde(rename = "trace_batch")]
    Batch {
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
    #[serde(rename = "trace_add_items")]
    AddItems {
        /// The batch.
        batch_id: u64,
        /// 1–256 new codes.
        codes: Vec<String>,
    },
    /// Append a lifecycle event to items the sender holds or is authorised for.
    #[serde(rename = "trace_event")]
    Event {
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
    #[serde(rename = "trace_authorize")]
    Authorize {
        /// Batch or item.
        target: crate::TraceTarget,
        /// The account.
        account: Address,
    },
    /// Withdraw an authorisation (sender: the producer for a batch, the custodian for an item).
    #[serde(rename = "trace_revoke")]
    Revoke {
        /// Batch or item.
        target: crate::TraceTarget,
        /// The account.
        account: Address,
    },
    /// Offer items the sender holds to a receiver, who must accept.
    #[serde(rename = "trace_handover")]
    Handover {
        /// 1–256 item codes.
        codes: Vec<String>,
        /// The receiver.
        to: Address,
    },
    /// Accept items offered to the sender: custody moves to the sender.
    #[serde(rename = "trace_accept")]
    Accept {
        /// 1–256 item codes.
        codes: Vec<String>,
    },
    /// Refuse items offered to the sender.
    #[serde(rename = "trace_reject")]
    Reject {
        /// 1–256 item codes.
        codes: Vec<String>,
    },
    /// Withdraw the sender's pending offers of items.
    #[serde(rename = "trace_cancel")]
    Cancel {
        /// 1–256 item codes.
        codes: Vec<String>,
    },
    /// Recall a batch (sender: its producer): every item in it shows recalled and can no longer
    /// change hands.
    #[serde(rename = "trace_recall")]
    Recall {
        /// The batch.
        batch_id: u64,
        /// Why.
        reason: String,
    },
}

impl ModuleEnum for TraceCall {
    const TYPES: &'static [&'static str] = &[
        "trace_batch",
        "trace_add_items",
        "trace_event",
        "trace_authorize",
        "trace_revoke",
        "trace_handover",
        "trace_accept",
        "trace_reject",
        "trace_cancel",
        "trace_recall",
    ];
}

/// What the trace module reports having done.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum TraceModuleEvent {
    /// A product batch was registered.
    #[serde(rename = "trace_batch_registered")]
    BatchRegistered {
        /// Batch id.
        batch: u64,
        /// The producer.
        producer: Address,
    },
    /// Items were registered in a batch (ids `first_item .. first_item + count`).
    #[serde(rename = "trace_items_registered")]
    ItemsRegistered {
        /// Batch id.
        batch: u64,
        /// Id of the first new item.
        first_item: u64,
        /// Number of new items.
        count: u32,
    },
    /// An event was appended to an item's history.
    #[serde(rename = "trace_event_appended")]
    EventAppended {
        /// Item id.
        item: u64,
        /// Event index.
        index: u32,
        /// Who wrote it.
        author: Address,
    },
    /// An account was authorised to append events (`item` absent: the whole batch).
    #[serde(rename = "trace_authorized")]
    Authorized {
        /// Batch id.
        batch: u64,
        /// Item id, for an item authorisation.
        item: Option<u64>,
        /// The account.
        account: Address,
    },
    /// An authorisation was withdrawn.
    #[serde(rename = "trace_revoked")]
    Revoked {
        /// Batch id.
        batch: u64,
        /// Item id, for an item authorisation.
        item: Option<u64>,
        /// The account.
        account: Address,
    },
    /// A custodian offered an item to a receiver.
    #[serde(rename = "trace_handover_offered")]
    HandoverOffered {
        /// Item id.
        item: u64,
        /// Custodian.
        from: Address,
        /// Receiver.
        to: Address,
    },
    /// A pending hand-over ended: `accepted` (custody moved), `rejected` or `cancelled`.
    #[serde(rename = "trace_handover_closed")]
    HandoverClosed {
        /// Item id.
        item: u64,
        /// Custodian that offered it.
        from: Address,
        /// Receiver it was offered to.
        to: Address,
        /// `accepted`, `rejected` or `cancelled`.
        outcome: String,
    },
    /// A batch was recalled.
    #[serde(rename = "trace_batch_recalled")]
    BatchRecalled {
        /// Batch id.
        batch: u64,
    },
}

impl ModuleEnum for TraceModuleEvent {
    const TYPES: &'static [&'static str] = &[
        "trace_batch_registered",
        "trace_items_registered",
        "trace_event_appended",
        "trace_authorized",
        "trace_revoked",
        "trace_handover_offered",
        "trace_handover_closed",
        "trace_batch_recalled",
    ];
}
