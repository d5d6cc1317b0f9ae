//! The anonymous-signatures module's state keys, all under `anon/`.

use hechain_module::keys::join;
use hechain_primitives::{Address, H256};

/// `anon/k/` ‖ account → 32-byte public ring key.
pub const KEY_PREFIX: &[u8] = b"anon/k/";
/// `anon/r/` ‖ id → [`crate::Ring`].
pub const RING_PREFIX: &[u8] = b"anon/r/";
/// `anon/p/` ‖ id → [`crate::Poll`].
pub const POLL_PREFIX: &[u8] = b"anon/p/";
/// `anon/pt/` ‖ poll ‖ tag → empty: link tags that voted in a poll.
pub const POLL_TAG_PREFIX: &[u8] = b"anon/pt/";
/// `anon/rep/` ‖ id → [`crate::Report`].
pub const REPORT_PREFIX: &[u8] = b"anon/rep/";
/// `anon/rt/` ‖ ring ‖ SHA-256(topic) ‖ tag → report id: who (by tag) reported on a topic.
pub const REPORT_TAG_PREFIX: &[u8] = b"anon/rt/";
/// `anon/rr/` ‖ ring ‖ id → empty: the reports of a ring.
pub const RING_REPORTS_PREFIX: &[u8] = b"anon/rr/";
/// `anon/next/ring`, `anon/next/poll`, `anon/next/report` → next ids (absent = 1).
pub const NEXT_RING: &[u8] = b"anon/next/ring";
/// Next poll id.
pub const NEXT_POLL: &[u8] = b"anon/next/poll";
/// Next report id.
pub const NEXT_REPORT: &[u8] = b"anon/next/report";

/// Key of an account's ring key.
pub fn ring_key(account: &Address) -> Vec<u8> {
    join(KEY_PREFIX, &[&account.0])
}

/// Key of a ring.
pub fn ring(id: u64) -> Vec<u8> {
    join(RING_PREFIX, &[&id.to_be_bytes()])
}

/// Key of a poll.
pub fn poll(id: u64) -> Vec<u8> {
    join(POLL_PREFIX, &[&id.to_be_bytes()])
}

/// Key marking a tag as having voted in a poll.
pub fn poll_tag(poll: u64, tag: &H256) -> Vec<u8> {
    join(POLL_TAG_PREFIX, &[&poll.to_be_bytes(), &tag.0])
}

/// Key of a report.
pub fn report(id: u64) -> Vec<u8> {
    join(REPORT_PREFIX, &[&id.to_be_bytes()])
}

/// Key of a tag's report on a topic of a ring.
pub fn report_tag(ring: u64, topic: &str, tag: &H256) -> Vec<u8> {
    join(REPORT_TAG_PREFIX, &[&ring.to_be_bytes(), &hechain_crypto::sha256(topic.as_bytes()), &tag.0])
}

/// Prefix of a ring's reports.
pub fn ring_reports_prefix(ring: u64) -> Vec<u8> {
    join(RING_REPORTS_PREFIX, &[&ring.to_be_bytes()])
}

/// Index key of a report of a ring.
pub fn ring_report(ring: u64, id: u64) -> Vec<u8> {
    join(RING_REPORTS_PREFIX, &[&ring.to_be_bytes(), &id.to_be_bytes()])
}
