//! What a traceability certificate proves (record kinds `trace_batch`, `trace_item`), and how
//! people read batches, items and events (the CLI and `hechain verify-cert`).

use hechain_module::record::ModuleRecord;
use hechain_primitives::display::format_ms;
use hechain_primitives::Codec;
use serde::{Deserialize, Serialize};

use crate::{keys, verify_history, TraceBatch, TraceEvent, TraceEventKind, TraceItem};

/// A traceability record a certificate can prove.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "record")]
pub enum TraceRecord {
    /// A product batch (recall status included).
    #[serde(rename = "trace_batch")]
    Batch(Box<TraceBatch>),
    /// An item with its whole history and its batch: the item record is proven, its events are
    /// checked against the rolling hash the record commits to, and the batch is proven in the
    /// same state.
    #[serde(rename = "trace_item")]
    Item(Box<TraceItemHistory>),
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

impl ModuleRecord for TraceRecord {
    const KINDS: &'static [&'static str] = &["trace_batch", "trace_item"];

    fn kind(&self) -> &'static str {
        match self {
            TraceRecord::Batch(_) => "trace_batch",
            TraceRecord::Item(_) => "trace_item",
        }
    }

    fn state_key(&self) -> Vec<u8> {
        match self {
            TraceRecord::Batch(b) => keys::trace_batch(b.id),
            TraceRecord::Item(h) => keys::trace_item(h.item.id),
        }
    }

    fn encoded(&self) -> Vec<u8> {
        match self {
            TraceRecord::Batch(b) => b.encode(),
            TraceRecord::Item(h) => h.item.encode(),
        }
    }

    fn related(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        match self {
            TraceRecord::Batch(_) => Vec::new(),
            TraceRecord::Item(h) => vec![(keys::trace_batch(h.batch.id), h.batch.encode())],
        }
    }

    fn check_contents(&self, suite: hechain_crypto::Suite) -> Result<(), String> {
        match self {
            TraceRecord::Batch(_) => Ok(()),
            TraceRecord::Item(h) => {
                if h.batch.id != h.item.batch_id {
                    return Err(format!(
                        "the certificate carries batch {} but item {} belongs to batch {}",
                        h.batch.id, h.item.id, h.item.batch_id
                    ));
                }
                verify_history(suite, &h.item, &h.events).map_err(|e| format!("item history: {e}"))
            }
        }
    }

    fn describe(&self) -> String {
        match self {
            TraceRecord::Batch(b) => batch_text(b),
            TraceRecord::Item(h) => history_text(h),
        }
    }
}

/// A batch in a few lines.
pub fn batch_text(b: &TraceBatch) -> String {
    let mut out = format!(
        "batch {}: {} by {} ({})\n  attributes    {}\n  items         {}\n  registered    {} (height {}, tx {})",
        b.id,
        b.product,
        b.producer_label,
        b.producer.to_checksum(),
        b.attributes,
        b.items,
        format_ms(b.created.timestamp_ms),
        b.created.height,
        b.created.tx_hash,
    );
    if !b.metadata.is_empty() {
        out.push_str(&format!("\n  metadata      {}", b.metadata));
    }
    match &b.recall {
        Some(r) => out.push_str(&format!(
            "\n  RECALLED      {} (height {}): {}",
            format_ms(r.recalled.timestamp_ms),
            r.recalled.height,
            r.reason
        )),
        None => out.push_str("\n  recall        none"),
    }
    out
}

/// An item in one line.
pub fn item_text(it: &TraceItem) -> String {
    format!(
        "item {} {:?} of batch {}: held by {}{}, {} event(s)",
        it.id,
        it.code,
        it.batch_id,
        it.custodian.to_checksum(),
        it.pending.as_ref().map(|p| format!(" (offered to {})", p.to.to_checksum())).unwrap_or_default(),
        it.events
    )
}

/// An event in a few lines.
pub fn event_text(e: &TraceEvent) -> String {
    let what = match &e.kind {
        TraceEventKind::Lifecycle { stage, location, event_time_ms, attachments, note } => {
            let mut s = format!("{stage} at {}", format_ms(*event_time_ms));
            if !location.is_empty() {
                s.push_str(&format!(" in {location}"));
            }
            for a in attachments {
                s.push_str(&format!("\n        attachment {a}"));
            }
            if !note.is_empty() {
                s.push_str(&format!("\n        note: {note}"));
            }
            s
        }
        TraceEventKind::Custody { from, to } => {
            format!("custody {} -> {}", from.to_checksum(), to.to_checksum())
        }
    };
    format!(
        "#{} {what}\n        by {} (height {}, {}, tx {})",
        e.index,
        e.author.to_checksum(),
        e.recorded.height,
        format_ms(e.recorded.timestamp_ms),
        e.recorded.tx_hash
    )
}

/// An item with its batch and history, as text.
pub fn history_text(h: &TraceItemHistory) -> String {
    let mut out = item_text(&h.item);
    out.push('\n');
    out.push_str(&batch_text(&h.batch));
    for e in &h.events {
        out.push_str("\n  ");
        out.push_str(&event_text(e));
    }
    out
}
