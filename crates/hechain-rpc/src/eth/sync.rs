//! `net_peerCount` and `eth_syncing` from the node's live consensus status (the same `watch`
//! channel `GET /api/v1/status` shows under `consensus`). A single-node chain (`hechain dev`) has
//! no such status: no peers, never syncing.

use std::sync::Weak;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use serde_json::{json, Value};
use tokio::sync::watch;

use super::format::qty;
use super::EthState;

/// A node is catching up when a connected peer is this many blocks ahead of it (the gap at which
/// a validator's BFT driver starts block sync: the node's `bft::SYNC_LAG`, which hechain-node
/// checks at compile time to agree with this).
pub const CATCH_UP_LAG: u64 = 3;

/// A smaller gap counts once it has lasted this long. Nodes execute the same committed block a
/// few milliseconds apart, so a peer one block ahead for a moment is the normal spread, not a
/// catch-up; a gap that stays is one (peers report their height with every block and every
/// second).
pub(crate) const LAG_GRACE: Duration = Duration::from_secs(2);

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
}

#[derive(Default)]
struct Progress {
    /// The head when the current catch-up began.
    start: Option<u64>,
    /// Since when a peer has been ahead of the head.
    behind_since: Option<Instant>,
}

/// Decides whether the node is catching up and remembers where that began (`startingBlock`).
#[derive(Default)]
pub(crate) struct SyncTracker {
    progress: Mutex<Progress>,
}

impl SyncTracker {
    /// Records what the status says for a node whose head is at `head`, at `now`. While the node
    /// is catching up — it knows it lacks committed blocks, or a connected peer is
    /// [`CATCH_UP_LAG`] blocks ahead, or has been ahead for [`LAG_GRACE`] — returns the head the
    /// catch-up started from; otherwise `None`.
    pub(crate) fn observe(&self, view: &NetView, head: u64, now: Instant) -> Option<u64> {
        let mut p = self.progress.lock();
        let ahead = view.highest_peer_height.filter(|h| *h > head);
        let behind_since = match ahead {
            Some(_) => *p.behind_since.get_or_insert(now),
            None => {
                p.behind_since = None;
                now
            }
        };
        let syncing = view.sync_needed
            || ahead.is_some_and(|h| {
                h >= head.saturating_add(CATCH_UP_LAG) || now.saturating_duration_since(behind_since) >= LAG_GRACE
            });
        if syncing {
            Some((*p.start.get_or_insert(head)).min(head))
        } else {
            p.start = None;
            None
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
    let Some(start) = tracker.observe(&view, head, Instant::now()) else { return json!(false) };
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
            Some(eth) => eth.sync.observe(&view, view.executed_height, Instant::now()),
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
        assert_eq!(v.executed_height, 5);
        assert!(!v.sync_needed);
        assert!(NetView::from_status(&status(5, &[], true)).sync_needed);
        assert_eq!(NetView::from_status(&Value::Null), NetView::default());
    }

    #[test]
    fn catching_up_and_where_it_started() {
        let t = SyncTracker::default();
        let t0 = Instant::now();
        let ahead = |h| NetView::from_status(&status(0, &[(true, h)], false));
        // Level with the peers, or a known gap.
        assert_eq!(t.observe(&ahead(3), 3, t0), None);
        assert_eq!(t.observe(&NetView::from_status(&status(3, &[], true)), 3, t0), Some(3));
        assert_eq!(t.observe(&ahead(3), 3, t0), None);
        // One or two blocks behind: the normal spread, until it lasts LAG_GRACE.
        assert_eq!(t.observe(&ahead(5), 3, t0), None);
        assert_eq!(t.observe(&ahead(5), 4, t0 + LAG_GRACE / 2), None);
        assert_eq!(t.observe(&ahead(5), 4, t0 + LAG_GRACE), Some(4));
        assert_eq!(t.observe(&ahead(5), 5, t0 + LAG_GRACE), None, "caught up");
        // CATCH_UP_LAG blocks behind: at once; the start stays while it catches up.
        assert_eq!(t.observe(&ahead(40), 10, t0 + LAG_GRACE), Some(10));
        assert_eq!(t.observe(&ahead(40), 25, t0 + LAG_GRACE), Some(10));
        assert_eq!(t.observe(&ahead(40), 40, t0 + LAG_GRACE), None);
        assert_eq!(t.observe(&ahead(60), 50, t0 + LAG_GRACE), Some(50), "a new catch-up starts afresh");
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
