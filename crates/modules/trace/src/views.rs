//! The JSON answers of the traceability routes: served by `api`, read back by `cli` and clients.

use hechain_primitives::Address;
use serde::{Deserialize, Serialize};

use crate::{TraceBatch, TraceEvent, TraceItem};

/// An item's full history: the consumer-facing answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TraceItemView {
    /// Item code.
    pub code: String,
    /// The item.
    pub item: TraceItem,
    /// Its batch.
    pub batch: TraceBatch,
    /// Whether the batch is recalled.
    pub recalled: bool,
    /// Custodians from the producer on.
    pub custody_chain: Vec<Address>,
    /// Every event, in order.
    pub events: Vec<TraceEvent>,
    /// Always true: the events were checked against the item's hash chain.
    pub history_verified: bool,
}

/// A page of a batch's items.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TraceBatchItems {
    /// The batch.
    pub batch_id: u64,
    /// Whether it is recalled.
    pub recalled: bool,
    /// Items, in id order.
    pub items: Vec<TraceItem>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}

/// A page of product batches.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TraceBatchPage {
    /// The batches, by id.
    pub batches: Vec<TraceBatch>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}

/// A page of items.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TraceItemPage {
    /// The items, by id.
    pub items: Vec<TraceItem>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}
