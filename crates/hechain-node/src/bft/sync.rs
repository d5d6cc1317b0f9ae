//! Catch-up sync: serving sealed blocks to peers, fetching them when behind, re-anchoring the
//! core after synced blocks.

use super::*;

impl Driver {
    /// After sync stored blocks past what the core committed, restart the core from there (its
    /// safety state is kept), so it does not chase blocks it no longer needs.
    pub(super) fn reanchor(&mut self, round: u64, id: BlockId) {
        let Some(core) = &self.core else { return };
        // Close behind, the core catches up by itself (fetching the few blocks it lacks); re-anchor
        // when it is far behind, where the blocks it would need may be pruned at its peers, or
        // when it already waits for blocks that nobody sent (e.g. dropped by restarted peers).
        let last = core.last_committed().0;
        let waiting = !core.missing_blocks().is_empty();
        if last >= round || (!waiting && last.saturating_add(REANCHOR_GAP) >= round) {
            return;
        }
        let Some(me) = self.epoch.me else { return };
        let cfg = CoreConfig { validators: self.epoch.vs.clone(), me, base_timeout_ms: self.timeout_ms };
        match Core::recover(cfg, self.key.clone(), core.safety(), (round, id), core.blocks_after(round)) {
            Ok((mut fresh, _)) => {
                let actions = fresh.start();
                self.core = Some(fresh);
                self.want = None;
                self.run_actions(actions);
                tracing::info!(round, "consensus re-anchored after synced blocks");
            }
            Err(e) => tracing::error!(error = %e, "cannot re-anchor consensus"),
        }
    }

    // ------------------------------------------------------------ seals

    pub(super) fn serve_sync(&mut self, to: Vec<u8>, start: u64, max: u32) {
        let store = self.store.clone();
        let transport = self.transport.clone();
        let max = max.clamp(1, SYNC_BATCH) as u64;
        self.pool.spawn("serving a sync request", move || {
            let read = || -> Result<Vec<Block>, hechain_storage::StorageError> {
                let r = store.reader()?;
                let mut out = Vec::new();
                let mut bytes = 0usize;
                for h in start.max(1)..start.max(1).saturating_add(max) {
                    let Some(b) = r.block(h)? else { break };
                    let sealers = match governance::membership_at(&r, h) {
                        Ok(m) => m.validators.len(),
                        Err(e) => {
                            tracing::error!(error = %e, height = h, "cannot read the membership of a block");
                            break;
                        }
                    };
                    if b.seal.signatures.len() < hechain_cert::quorum(sealers) {
                        break; // not yet certified: the requester retries later
                    }
                    bytes += b.transactions.len() * 200 + 1024;
                    out.push(b);
                    if bytes >= SYNC_BYTES {
                        break;
                    }
                }
                Ok(out)
            };
            match read() {
                Ok(blocks) => {
                    let frame = NetMsg::SyncResponse { blocks }.encode();
                    if let Err(e) = transport.send(&to, frame) {
                        tracing::debug!(error = %e, "sync response not sent");
                    }
                }
                Err(e) => tracing::error!(error = %e, "cannot read blocks for a sync request"),
            }
        });
    }

    pub(super) fn on_sync_response(&mut self, from: Vec<u8>, blocks: Vec<Block>) {
        if self.sync_inflight.as_ref().map(|(p, _)| p) != Some(&from) {
            return; // unsolicited or late
        }
        self.sync_inflight = None;
        if blocks.len() > SYNC_BATCH as usize {
            tracing::warn!(peer = %self.peer_name(&from), "oversized sync response refused");
            return;
        }
        let n = blocks.len();
        for b in blocks {
            self.pending_blocks.fetch_add(1, Ordering::Relaxed);
            if self.exec_tx.send(ExecJob::Synced(Box::new(b))).is_err() {
                return;
            }
        }
        if n > 0 {
            tracing::debug!(peer = %self.peer_name(&from), blocks = n, "synced blocks queued");
        }
    }

    pub(super) fn maybe_sync(&mut self) {
        if let Some((_, at)) = &self.sync_inflight {
            if at.elapsed() < SYNC_TIMEOUT {
                return;
            }
            self.sync_inflight = None;
        }
        let connected: HashSet<Vec<u8>> = self.transport.peers().into_iter().collect();
        let best = self
            .peers
            .iter()
            .filter(|(id, p)| p.validator.is_some() && connected.contains(*id))
            .max_by_key(|(_, p)| p.height)
            .map(|(id, p)| (id.clone(), p.height, p.epoch));
        let Some((peer, height, peer_epoch)) = best else { return };
        // Blocks queued for the executor (committed by consensus, or synced earlier) get stored
        // without help: a node that is only busy executing must not fetch them again (under load
        // that was a steady stream of multi-megabyte sync responses). A known gap syncs from the
        // stored head; a queued block that turns out not to extend the chain is refused by the
        // executor and the next request starts from the stored head again.
        let queued = if self.need_sync { 0 } else { self.pending_blocks.load(Ordering::Relaxed) };
        let expected = self.head_height + queued;
        let behind = height > expected;
        // A peer in a newer epoch executed the end of ours: our epoch's consensus will not commit
        // its last blocks any more (the others stopped it), so fetch them at once.
        // A node that makes no progress fetches even a single missing block.
        let want = behind
            && (self.need_sync
                || self.epoch.me.is_none()
                || peer_epoch > self.epoch.number()
                || height >= expected + SYNC_LAG
                || self.last_progress.elapsed() >= SYNC_ANY_GAP_AFTER);
        let (from, max) = if want {
            (expected + 1, SYNC_BATCH)
        } else {
            // Seal repair: a stored block whose seal is still short of a quorum a few blocks later
            // (its signatures were lost, e.g. across a restart) is fetched again with its seal.
            if self.last_repair.elapsed() < STATUS_EVERY {
                return;
            }
            match self
                .seals
                .iter()
                .find(|(h, c)| !c.done && c.ours.is_some() && **h + SEAL_REPAIR_LAG < self.head_height)
            {
                Some((h, _)) => {
                    self.last_repair = Instant::now();
                    (*h, 1)
                }
                None => return,
            }
        };
        let frame = NetMsg::SyncRequest { from, max }.encode();
        if self.transport.send(&peer, frame).is_ok() {
            self.sync_inflight = Some((peer, Instant::now()));
        }
    }

    // ------------------------------------------------------------ housekeeping
}
