//! `net_peerCount` and `eth_syncing` from the node's live consensus status (the same `watch`
//! channel `GET /api/v1/status` shows under `consensus`). A single-node chain (`hechain dev`) has
//! no such status: no peers, never syncing.

use std::sync::Weak;

use parking_lot::Mutex;
use serde_json::{json, Value};
use tokio::sync::watch;

use super::format::qty;
use super::EthState;

/// What the consensus status says about the network.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct NetView {
    /// Peers with a live connection.
    pub(crate) connected_peers: u64,
    /// The highest block height a connected peer reported.
    pub(crate) highest_peer_height: Option<u64>,
    /// The node knows it lacks committed blocks and fetches them.
    pub(crate) sync_needed: bool,
    /// The node's executed height when the status was published.
    pub(crate) executed_height: u64,
}

impl NetView {
    /// Reads a published status (`Null` before the first one: no peers, not syncing). Missing or
    /// malformed fields count as absent rather than failing the request.
    pub(crate) fn from_status(s: &Value) -> Self {
        let peers = s["peers"].as_array().map(Vec::as_slice).unwrap_or_default();
        let connected = || peers.iter().filter(|p| p["connected"].as_bool() == Some(true));
        NetView {
            connected_peers: s["connected_peers"].as_u64().unwrap_or_else(|| connected().count() as u64),
            highest_peer_height: connected().filter_map(|p| p["height"].as_u64()).max(),
            sync_needed: s["syncing"].as_bool().unwrap_or(false),
            executed_height: s["executed_height"].as_u64().unwrap_or(0),
        }
    }

    /// Whether a node whose head is at `head` is catching up: a peer has a higher block, or the
    /// node knows it lacks committed blocks.
    pub(crate) fn syncing(&self, head: u64) -> bool {
        self.sync_needed || self.highest_peer_height.is_some_and(|h| h > head)
    }
}

/// Remembers where the current catch-up started (`startingBlock`).
#[derive(Default)]
pub(crate) struct SyncTracker {
    start: Mutex<Option<u64>>,
}

impl SyncTracker {
    /// Records an observation; returns the height the current catch-up started from (`head` when
    /// it starts now).
    pub(crate) fn observe(&self, syncing: bool, head: u64) -> u64 {
        let mut start = self.start.lock();
        if syncing {
            (*start.get_or_insert(head)).min(head)
        } else {
            *start = None;
            head
        }
    }
}

/// `net_peerCount`.
pub(crate) fn peer_count(status: Option<&watch::Receiver<Value>>) -> Value {
    let view = status.map(|s| NetView::from_status(&s.borrow())).unwrap_or_default();
    json!(qty(view.connected_peers))
}

/// `eth_syncing`: `false`, or `{startingBlock, currentBlock, highestBlock}` while the node at
/// `head` catches up.
pub(crate) fn syncing(status: Option<&watch::Receiver<Value>>, tracker: &SyncTracker, head: u64) -> Value {
    let Some(status) = status else { return json!(false) };
    let view = NetView::from_status(&status.borrow());
    let syncing = view.syncing(head);
    let start = tracker.observe(syncing, head);
    if !syncing {
        return json!(false);
    }
    json!({
        "startingBlock": qty(start),
        "currentBlock": qty(head),
        "highestBlock": qty(view.highest_peer_height.unwrap_or(head).max(head)),
    })
}

/// Follows the status channel so that `startingBlock` is where a catch-up began, not where the
/// first `eth_syncing` call happened to see it. Ends with the channel or the server.
pub(crate) async fn follow(mut status: watch::Receiver<Value>, eth: Weak<EthState>) {
    loop {
        let view = NetView::from_status(&status.borrow_and_update());
        match eth.upgrade() {
            Some(eth) => eth.sync.observe(view.syncing(view.executed_height), view.executed_height),
            None => return,
        };
        if status.changed().await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(executed: u64, peers: &[(bool, u64)], syncing: bool) -> Value {
        json!({
            "executed_height": executed,
            "connected_peers": peers.iter().filter(|p| p.0).count(),
            "syncing": syncing,
            "peers": peers.iter().map(|(c, h)| json!({"name": "n", "connected": c, "height": h})).collect::<Vec<_>>(),
        })
    }

    #[test]
    fn reads_peers_and_heights() {
        let v = NetView::from_status(&status(5, &[(true, 5), (true, 9), (false, 20), (true, 4)], false));
        assert_eq!(v.connected_peers, 3);
        assert_eq!(v.highest_peer_height, Some(9), "a disconnected peer's height does not count");
        assert!(v.syncing(5));
        assert!(!v.syncing(9));
        assert_eq!(NetView::from_status(&Value::Null), NetView::default());
        assert!(NetView::from_status(&status(5, &[], true)).syncing(5), "a known gap is syncing");
    }

    #[test]
    fn starting_block_is_kept_until_caught_up() {
        let t = SyncTracker::default();
        assert_eq!(t.observe(false, 3), 3);
        assert_eq!(t.observe(true, 4), 4);
        assert_eq!(t.observe(true, 7), 4);
        assert_eq!(t.observe(false, 9), 9);
        assert_eq!(t.observe(true, 12), 12);
    }

    #[test]
    fn answers() {
        let (tx, rx) = watch::channel(Value::Null);
        let t = SyncTracker::default();
        assert_eq!(syncing(None, &t, 0), json!(false));
        assert_eq!(peer_count(None), json!("0x0"));
        assert_eq!(syncing(Some(&rx), &t, 0), json!(false));
        tx.send_replace(status(2, &[(true, 2), (true, 30), (true, 2)], false));
        assert_eq!(peer_count(Some(&rx)), json!("0x3"));
        assert_eq!(
            syncing(Some(&rx), &t, 2),
            json!({"startingBlock": "0x2", "currentBlock": "0x2", "highestBlock": "0x1e"})
        );
        assert_eq!(
            syncing(Some(&rx), &t, 16),
            json!({"startingBlock": "0x2", "currentBlock": "0x10", "highestBlock": "0x1e"})
        );
        assert_eq!(syncing(Some(&rx), &t, 30), json!(false));
    }
}
