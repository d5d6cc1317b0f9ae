//! Status: reports to peers, the status the API serves, and why the node makes no progress.

use super::*;

impl Driver {
    /// Reports, at WARN and in the status, why the node stores no block when it has not for a
    /// while; and when it makes progress again.
    pub(super) fn check_stall(&mut self, now: Instant) {
        let after = STALL_AFTER.max(Duration::from_millis(self.timeout_ms.saturating_mul(4)));
        let idle = now.duration_since(self.last_progress);
        let reason = (idle >= after).then(|| self.stall_reason());
        match &reason {
            Some(r) => {
                let repeat = self.stall_logged.is_none_or(|t| now.duration_since(t) >= Duration::from_secs(30));
                if self.stall.as_ref() != Some(r) || repeat {
                    tracing::warn!(height = self.head_height, idle_s = idle.as_secs(), reason = %r, "no progress");
                    self.stall_logged = Some(now);
                }
            }
            None if self.stall.is_some() => {
                tracing::info!(height = self.head_height, "progress again");
                self.stall_logged = None;
            }
            None => {}
        }
        self.stall = reason;
    }

    /// Why no block gets stored, as far as this node can tell: too few validators reachable
    /// first (the root cause of everything else), then the executor's side, catch-up, consensus.
    pub(super) fn stall_reason(&self) -> String {
        let connected: HashSet<Vec<u8>> = self.transport.peers().into_iter().collect();
        // Heights of connected peers only: a peer that went away keeps its last report.
        let best =
            self.peers.iter().filter(|(id, _)| connected.contains(*id)).map(|(_, p)| p.height).max().unwrap_or(0);
        let Some(core) = &self.core else {
            return format!(
                "observer waiting for blocks: stored height {}, highest peer height {best}, {} peers connected",
                self.head_height,
                connected.len()
            );
        };
        // Too few validators reachable is the root cause whatever else is pending.
        let validators = self.other_validators().filter(|v| connected.contains(*v)).count() + 1;
        let quorum = self.epoch.vs.quorum();
        if validators < quorum {
            return format!(
                "no quorum: connected to {} of {} other validators, {quorum} of {} needed",
                validators - 1,
                self.epoch.vs.n() - 1,
                self.epoch.vs.n()
            );
        }
        if let Some((round, c)) = self.queue.first_key_value() {
            return match c.payload {
                None => format!(
                    "executor waiting for the transactions of the block committed in round {round}; asking peers"
                ),
                Some(_) => format!(
                    "executor waiting for block {} (the block committed in round {round} does not extend height {}); syncing",
                    self.head_height + 1,
                    self.head_height
                ),
            };
        }
        if best > self.head_height {
            return format!("catching up: stored height {}, a peer is at height {best}", self.head_height);
        }
        if let Some(id) = core.missing_blocks().first() {
            return format!("waiting for block {id} from peers to commit (the peers that voted for it are down?)");
        }
        format!(
            "no quorum for round {} (highest QC round {}, {} round timeouts in a row)",
            core.round(),
            core.high_qc().round,
            core.consecutive_timeouts()
        )
    }

    pub(super) fn broadcast_status(&mut self) {
        self.last_status = Instant::now();
        let round = self.core.as_ref().map(|c| c.round()).unwrap_or(0);
        let frame: Arc<[u8]> =
            NetMsg::Status { height: self.head_height, round, epoch: self.epoch.number() }.encode().into();
        for id in self.transport.peers() {
            let _ = self.transport.send(&id, frame.clone());
        }
    }

    pub(super) fn publish_status(&self) {
        let connected: HashSet<Vec<u8>> = self.transport.peers().into_iter().collect();
        let mut peers: Vec<serde_json::Value> = self
            .peers
            .iter()
            .map(|(id, p)| {
                json!({
                    "name": p.name,
                    "role": if p.validator.is_some() { "validator" } else { "observer" },
                    "connected": connected.contains(id),
                    // Unknown until the peer's first status message (readiness waits for it).
                    "height": if p.heard { Some(p.height) } else { None },
                    "round": p.round,
                })
            })
            .collect();
        peers.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        let (round, high_qc, committed) = match &self.core {
            Some(c) => (c.round(), c.high_qc().round, c.last_committed().0),
            None => (0, 0, self.last_dispatched.0),
        };
        let leader = if self.core.is_some() { Some(self.epoch.vs.leader(round)) } else { None };
        let v = json!({
            "role": self.epoch.role(),
            "index": self.epoch.me,
            "epoch": self.epoch.number(),
            "round": round,
            "leader": leader.and_then(|l| self.epoch.membership.validators.get(l as usize)).map(|v| v.name.clone()),
            "high_qc_round": high_qc,
            "timeout_ms": self.timeout_ms,
            "committed_round": committed,
            "executed_height": self.head_height,
            "syncing": self.need_sync,
            "validators": self.epoch.vs.n(),
            "quorum": self.epoch.vs.quorum(),
            "connected_peers": connected.len(),
            "peers": peers,
            "dropped_messages": self.transport.dropped_messages(),
            "safety_violations": self.core.as_ref().map(|c| c.safety_violations()).unwrap_or(0),
            "stalled": self.stall,
        });
        self.status_tx.send_replace(v);
    }
}
