//! Traceability (溯源, 一物一码 "one item, one code") records.
//!
//! A producer registers a product *batch* and the *items* in it, each identified by a code that
//! is unique chain-wide (a GS1 or QR code string). Every item has one current *custodian*
//! (initially the producer); participants in the chain of custody append lifecycle *events* to
//! the items they hold or are authorised for; custody moves only when the receiver accepts a
//! hand-over; the producer can recall a batch. The rules live in `hechain_execution::trace`;
//! this module holds the records and the stateless field checks shared by the pool and
//! execution.
//!
//! An item's events are stored one per key; the item record keeps their count and a rolling
//! hash over them ([`TraceItem::history`], see [`chain_history`]), so a certificate of the item
//! record commits to its whole history.

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_crypto::Suite;
use serde::{Deserialize, Serialize};

use hechain_primitives::Codec;
use hechain_primitives::Stamp;
use hechain_primitives::TypesError;
use hechain_primitives::{Address, H256};

/// Most item codes one transaction names.
pub const MAX_CODES_PER_TX: usize = 256;
/// Longest item code, in bytes.
pub const MAX_CODE_BYTES: usize = 200;
/// Longest product name or producer label, in bytes.
pub const MAX_NAME_BYTES: usize = 256;
/// Longest batch metadata, note or recall reason, in bytes.
pub const MAX_NOTE_BYTES: usize = 1_024;
/// Longest stage label, in bytes.
pub const MAX_STAGE_BYTES: usize = 64;
/// Longest location, in bytes.
pub const MAX_LOCATION_BYTES: usize = 256;
/// Most attachments of one event.
pub const MAX_ATTACHMENTS: usize = 16;
/// Most events of one item (its certificate carries all of them).
pub const MAX_EVENTS_PER_ITEM: u32 = 1_000;
/// How far (ms) an event's declared time may lie after the block time (clock skew).
pub const EVENT_TIME_SKEW_MS: u64 = 300_000;

/// A recall of a batch.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TraceRecall {
    /// Why the producer recalled it.
    pub reason: String,
    /// The recall.
    pub recalled: Stamp,
}

/// A product batch.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TraceBatch {
    /// Sequential id, starting at 1.
    pub id: u64,
    /// Account that registered the batch (the sender).
    pub producer: Address,
    /// Product name.
    pub product: String,
    /// Producer's name as declared (a label; the chain does not verify it).
    pub producer_label: String,
    /// Hash of the batch's attributes document (composition, origin, grade, …), kept off chain.
    pub attributes: H256,
    /// Optional free metadata (empty when none).
    pub metadata: String,
    /// Number of items registered in the batch.
    pub items: u64,
    /// The registration.
    pub created: Stamp,
    /// The recall, once recalled.
    pub recall: Option<TraceRecall>,
}

impl Codec for TraceBatch {}

/// A hand-over offered by the custodian and not yet answered.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PendingHandover {
    /// The receiver, who must accept.
    pub to: Address,
    /// The offer.
    pub offered: Stamp,
}

/// An item (一物一码): one code, one current custodian.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TraceItem {
    /// Sequential id across all batches, starting at 1.
    pub id: u64,
    /// The item's code, unique chain-wide.
    pub code: String,
    /// Its batch.
    pub batch_id: u64,
    /// Current custodian (the producer until the first accepted hand-over).
    pub custodian: Address,
    /// Number of accepted hand-overs so far: the custody epoch item authorisations are bound to.
    #[serde(default)]
    pub custody_changes: u32,
    /// The hand-over waiting for the receiver, if any.
    pub pending: Option<PendingHandover>,
    /// Number of events (their indexes are `0..events`).
    pub events: u32,
    /// Rolling hash over the events, [`chain_history`] from [`H256::ZERO`].
    pub history: H256,
    /// The registration.
    pub registered: Stamp,
    /// The last change of the record.
    pub updated: Stamp,
}

impl Codec for TraceItem {}

/// What an event says.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum TraceEventKind {
    /// A lifecycle event written by a participant (harvested, processed, shipped, inspected, …).
    Lifecycle {
        /// Stage label, e.g. `harvested`, `inspected`, `shipped`, `destroyed`.
        stage: String,
        /// Where it happened (may be empty).
        location: String,
        /// When it happened, as declared by the author (ms since the Unix epoch).
        event_time_ms: u64,
        /// Hashes of attached documents (reports, photos), kept off chain.
        attachments: Vec<H256>,
        /// Free note (may be empty).
        note: String,
    },
    /// Custody moved by an accepted hand-over (written by the receiver's acceptance).
    Custody {
        /// Previous custodian.
        from: Address,
        /// New custodian.
        to: Address,
    },
}

/// One event of an item's history.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TraceEvent {
    /// The item.
    pub item_id: u64,
    /// Position in the item's history, from 0.
    pub index: u32,
    /// Account that wrote it (signed the transaction).
    pub author: Address,
    /// Content.
    pub kind: TraceEventKind,
    /// The transaction, height and block time that recorded it.
    pub recorded: Stamp,
}

impl Codec for TraceEvent {}

/// The next value of an item's rolling history hash: `hash(previous ‖ encode(event))`.
pub fn chain_history(suite: Suite, previous: &H256, event: &TraceEvent) -> H256 {
    let mut m = previous.0.to_vec();
    m.extend_from_slice(&event.encode());
    H256(suite.hash(&m))
}

/// Checks that `events` are exactly the history an item record commits to: indexes `0..n` of
/// this item, `n == item.events`, and the rolling hash equal to `item.history`.
pub fn verify_history(suite: Suite, item: &TraceItem, events: &[TraceEvent]) -> Result<(), TypesError> {
    if events.len() != item.events as usize {
        return Err(TypesError::Invalid(format!(
            "item {} has {} events but {} were given",
            item.id,
            item.events,
            events.len()
        )));
    }
    let mut h = H256::ZERO;
    for (i, e) in events.iter().enumerate() {
        if e.item_id != item.id || e.index as usize != i {
            return Err(TypesError::Invalid(format!(
                "event {i} is event {} of item {}, not event {i} of item {}",
                e.index, e.item_id, item.id
            )));
        }
        h = chain_history(suite, &h, e);
    }
    if h != item.history {
        return Err(TypesError::Invalid(format!(
            "the events hash to {h}, but item {} commits to {}",
            item.id, item.history
        )));
    }
    Ok(())
}

/// What an authorisation covers.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "scope", rename_all = "snake_case", deny_unknown_fields)]
pub enum TraceTarget {
    /// Every item of a batch (granted by the batch's producer).
    Batch {
        /// The batch.
        batch_id: u64,
    },
    /// One item (granted by its current custodian; lapses when custody moves).
    Item {
        /// The item's code.
        code: String,
    },
}

/// An account's permission to append events, granted by a producer or custodian.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TraceGrant {
    /// The authorised account.
    pub account: Address,
    /// Who granted it (the producer for a batch, the custodian at the time for an item).
    pub granted_by: Address,
    /// For an item: its `custody_changes` when granted; the grant counts only in that custody
    /// epoch, so it lapses for good when the item changes hands (even if it comes back).
    #[serde(default)]
    pub custody_epoch: u32,
    /// The grant.
    pub granted: Stamp,
}

impl Codec for TraceGrant {}

fn check_text(what: &str, v: &str, max: usize, may_be_empty: bool) -> Result<(), TypesError> {
    if !may_be_empty && v.trim().is_empty() {
        return Err(TypesError::Invalid(format!("trace {what} is empty")));
    }
    if v.len() > max {
        return Err(TypesError::Invalid(format!("trace {what} is {} bytes, the limit is {max}", v.len())));
    }
    Ok(())
}

/// Checks one item code: 1–[`MAX_CODE_BYTES`] bytes, no control characters, no surrounding
/// whitespace.
pub fn validate_code(code: &str) -> Result<(), TypesError> {
    if code.is_empty() {
        return Err(TypesError::Invalid("item code is empty".into()));
    }
    if code.len() > MAX_CODE_BYTES {
        return Err(TypesError::Invalid(format!(
            "item code {:?}… is {} bytes, the limit is {MAX_CODE_BYTES}",
            code.chars().take(16).collect::<String>(),
            code.len()
        )));
    }
    if code.chars().any(char::is_control) {
        return Err(TypesError::Invalid(format!("item code {code:?} contains a control character")));
    }
    if code.trim() != code {
        return Err(TypesError::Invalid(format!("item code {code:?} starts or ends with whitespace")));
    }
    Ok(())
}

/// Checks a list of codes: 1–[`MAX_CODES_PER_TX`] (0 allowed when `may_be_empty`), each valid,
/// none repeated.
pub fn validate_codes(codes: &[String], may_be_empty: bool) -> Result<(), TypesError> {
    if (codes.is_empty() && !may_be_empty) || codes.len() > MAX_CODES_PER_TX {
        return Err(TypesError::Invalid(format!(
            "a transaction names {} to {MAX_CODES_PER_TX} item codes, got {}",
            if may_be_empty { 0 } else { 1 },
            codes.len()
        )));
    }
    let mut seen = std::collections::BTreeMap::new();
    for (i, c) in codes.iter().enumerate() {
        validate_code(c)?;
        if let Some(first) = seen.insert(c.as_str(), i) {
            return Err(TypesError::Invalid(format!("item code {c:?} is listed twice (at {first} and {i})")));
        }
    }
    Ok(())
}

/// Stateless checks of a batch registration.
pub fn validate_batch(product: &str, producer_label: &str, metadata: &str, codes: &[String]) -> Result<(), TypesError> {
    check_text("product", product, MAX_NAME_BYTES, false)?;
    check_text("producer label", producer_label, MAX_NAME_BYTES, false)?;
    check_text("metadata", metadata, MAX_NOTE_BYTES, true)?;
    validate_codes(codes, true)
}

/// Stateless checks of a lifecycle event.
pub fn validate_event(
    codes: &[String],
    stage: &str,
    location: &str,
    attachments: &[H256],
    note: &str,
) -> Result<(), TypesError> {
    validate_codes(codes, false)?;
    check_text("stage", stage, MAX_STAGE_BYTES, false)?;
    check_text("location", location, MAX_LOCATION_BYTES, true)?;
    check_text("note", note, MAX_NOTE_BYTES, true)?;
    if attachments.len() > MAX_ATTACHMENTS {
        return Err(TypesError::Invalid(format!(
            "an event has at most {MAX_ATTACHMENTS} attachments, got {}",
            attachments.len()
        )));
    }
    Ok(())
}

/// Stateless checks of an authorisation target.
pub fn validate_target(target: &TraceTarget) -> Result<(), TypesError> {
    match target {
        TraceTarget::Batch { .. } => Ok(()),
        TraceTarget::Item { code } => validate_code(code),
    }
}

/// Stateless checks of a recall.
pub fn validate_recall(reason: &str) -> Result<(), TypesError> {
    check_text("recall reason", reason, MAX_NOTE_BYTES, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp() -> Stamp {
        Stamp { tx_hash: H256([1; 32]), height: 3, timestamp_ms: 5 }
    }

    fn ev(item_id: u64, index: u32) -> TraceEvent {
        TraceEvent {
            item_id,
            index,
            author: Address([2; 20]),
            kind: TraceEventKind::Custody { from: Address([2; 20]), to: Address([3; 20]) },
            recorded: stamp(),
        }
    }

    #[test]
    fn code_checks_name_the_problem() {
        assert!(validate_code("01/09506000134352/21/ABC").is_ok());
        assert!(validate_code("").unwrap_err().to_string().contains("empty"));
        assert!(validate_code(" a").unwrap_err().to_string().contains("whitespace"));
        assert!(validate_code("a\nb").unwrap_err().to_string().contains("control"));
        assert!(validate_code(&"x".repeat(201)).unwrap_err().to_string().contains("201 bytes, the limit is 200"));
        let codes = vec!["a".to_string(), "b".to_string(), "a".to_string()];
        assert!(validate_codes(&codes, false).unwrap_err().to_string().contains("listed twice (at 0 and 2)"));
        assert!(validate_codes(&[], false).unwrap_err().to_string().contains("1 to 256"));
        assert!(validate_codes(&[], true).is_ok());
        let many: Vec<String> = (0..257).map(|i| i.to_string()).collect();
        assert!(validate_codes(&many, true).unwrap_err().to_string().contains("got 257"));
    }

    #[test]
    fn field_checks_name_the_field() {
        assert!(validate_batch("Apples", "Farm", "", &[]).is_ok());
        assert!(validate_batch(" ", "Farm", "", &[]).unwrap_err().to_string().contains("product is empty"));
        let e = validate_batch("A", "Farm", &"m".repeat(1025), &[]).unwrap_err().to_string();
        assert!(e.contains("metadata is 1025 bytes"), "{e}");
        let codes = vec!["c".to_string()];
        assert!(validate_event(&codes, "", "", &[], "").unwrap_err().to_string().contains("stage is empty"));
        let e = validate_event(&codes, "shipped", "", &[H256::ZERO; 17], "").unwrap_err().to_string();
        assert!(e.contains("at most 16 attachments"), "{e}");
        assert!(validate_recall("").unwrap_err().to_string().contains("recall reason is empty"));
    }

    #[test]
    fn history_commits_to_every_event() {
        let suite = Suite::Standard;
        let events = vec![ev(7, 0), ev(7, 1)];
        let mut h = H256::ZERO;
        for e in &events {
            h = chain_history(suite, &h, e);
        }
        let item = TraceItem {
            id: 7,
            code: "c".into(),
            batch_id: 1,
            custodian: Address([3; 20]),
            custody_changes: 0,
            pending: None,
            events: 2,
            history: h,
            registered: stamp(),
            updated: stamp(),
        };
        assert!(verify_history(suite, &item, &events).is_ok());
        assert!(verify_history(suite, &item, &events[..1]).unwrap_err().to_string().contains("has 2 events"));
        let mut forged = events.clone();
        forged[1].author = Address([9; 20]);
        assert!(verify_history(suite, &item, &forged).unwrap_err().to_string().contains("commits to"));
        let swapped = vec![events[1].clone(), events[0].clone()];
        assert!(verify_history(suite, &item, &swapped).unwrap_err().to_string().contains("not event 0"));
        assert!(verify_history(Suite::Gm, &item, &events).is_err(), "the suite's hash is part of the chain");
    }
}
