//! Commits: ordered blocks handed to the executor in order, executor events, and the journal of
//! voted blocks restored at start-up and pruned behind the executed head.

use super::*;

/// Reads the journaled blocks above `after_round` for a core of `vs`: their proposals, for
/// [`Core::recover`], and their payloads, into `payloads` (decoded and hashed; their
/// transactions were checked before the block was journaled). An entry whose payload does not
/// match its proposal is left out with a warning (the block is fetched from a peer if needed).
pub(super) fn restore_journal(
    journal: &BlockJournal,
    vs: &ValidatorSet,
    after_round: u64,
    payloads: &mut BTreeMap<BlockId, KnownPayload>,
) -> Result<Vec<Proposal>, NodeError> {
    let (entries, unreadable) = journal.load_after(after_round)?;
    for u in unreadable {
        tracing::warn!(file = %u.path.display(), reason = %u.reason, "unreadable consensus journal file left out");
    }
    let mut blocks = Vec::with_capacity(entries.len());
    for (proposal, bytes) in entries {
        let payload = match BlockPayload::decode(&bytes) {
            Ok(p) => CheckedPayload::hashed(vs.suite, p),
            Err(e) => {
                tracing::warn!(round = proposal.block.round, error = %e, "journaled payload does not decode; left out");
                continue;
            }
        };
        if payload.digest != proposal.block.payload_digest {
            tracing::warn!(round = proposal.block.round, "journaled payload does not match its block; left out");
            continue;
        }
        let id = vs.block_id(&proposal.block);
        payloads.insert(id, (proposal.block.round, Arc::new(payload), Some(Arc::new(bytes))));
        blocks.push(proposal);
    }
    if !blocks.is_empty() {
        tracing::info!(
            blocks = blocks.len(),
            from_round = blocks.first().map(|p| p.block.round),
            "restored the consensus blocks voted for above the stored head"
        );
    }
    Ok(blocks)
}

impl Driver {
    pub(super) fn on_commit(&mut self, ids: Vec<BlockId>) {
        for id in ids {
            let Some(b) = self.core.as_ref().and_then(|c| c.block(&id)) else {
                self.need_sync = true;
                tracing::debug!("sync needed: committed block unknown to the core");
                continue;
            };
            let (round, parent, proposer) = (b.round, b.parent, b.proposer);
            if round <= self.last_dispatched.0 {
                continue;
            }
            let payload = self.payloads.get(&id).map(|p| p.1.clone());
            self.queue.insert(round, Committed { id, parent, proposer, payload });
        }
        self.drain_commits();
    }

    pub(super) fn drain_commits(&mut self) {
        while let Some(entry) = self.queue.first_entry() {
            let round = *entry.key();
            if round <= self.last_dispatched.0 {
                entry.remove();
                continue;
            }
            let c = entry.get();
            match &c.payload {
                Some(p) if c.parent == self.last_dispatched.1 => {
                    let job = ExecJob::Ordered {
                        epoch: self.epoch.number(),
                        id: c.id,
                        round,
                        parent: c.parent,
                        proposer: c.proposer,
                        payload: p.clone(),
                    };
                    self.last_dispatched = (round, c.id);
                    entry.remove();
                    self.pending_blocks.fetch_add(1, Ordering::Relaxed);
                    if self.exec_tx.send(job).is_err() {
                        tracing::error!("executor thread is gone");
                        return;
                    }
                }
                Some(_) => {
                    // Blocks between are missing: fetch committed blocks from peers.
                    self.need_sync = true;
                    tracing::debug!("sync needed: committed block does not extend the dispatched one");
                    break;
                }
                None => {
                    // The block came without its payload: ask the validators again (answers with a
                    // payload fill it in), and fall back to block sync.
                    let id = c.id;
                    self.need_sync = true;
                    tracing::debug!("sync needed: committed block without its payload");
                    if self.last_payload_request.is_none_or(|(r, at)| r != id || at.elapsed() > SYNC_TIMEOUT) {
                        self.last_payload_request = Some((id, Instant::now()));
                        let frame: Arc<[u8]> = NetMsg::BlockRequest(id).encode().into();
                        for v in self.other_validators() {
                            let _ = self.transport.send(v, frame.clone());
                        }
                    }
                    break;
                }
            }
        }
        if self.queue.is_empty() {
            self.need_sync = false;
        }
        // Bound memory when far behind: sync brings those blocks anyway.
        while self.queue.len() > 4096 {
            self.queue.pop_last();
        }
        let done = self.last_dispatched.0;
        // Recently committed payloads stay a while to answer peers that lack them.
        self.payloads.retain(|_, p| p.0 + PAYLOAD_KEEP_ROUNDS > done);
        let keep = self.inflight.split_off(&(done + 1));
        for (_, hashes) in std::mem::replace(&mut self.inflight, keep) {
            for h in hashes {
                self.inflight_set.remove(&h);
            }
        }
    }

    pub(super) fn on_exec(&mut self, e: ExecEvent) {
        match e {
            ExecEvent::Executed { height, header_hash, round, consensus_id, own_sig, synced } => {
                self.head_height = self.head_height.max(height);
                self.executed_round = self.executed_round.max(round);
                self.last_progress = Instant::now();
                self.follow_params();
                if synced {
                    self.seals.entry(height).or_insert_with(SealCollector::new).done = true;
                    if round > self.last_dispatched.0 {
                        self.last_dispatched = (round, consensus_id);
                    }
                    self.reanchor(round, consensus_id);
                    self.drain_commits();
                } else if let Some(sig) = own_sig {
                    self.on_own_seal(height, header_hash, sig);
                }
                // Observers and lagging peers learn about new blocks at once.
                self.broadcast_status();
            }
            ExecEvent::Gap { round } => {
                tracing::info!(round, "committed block does not extend the stored chain yet; syncing");
                self.need_sync = true;
            }
            ExecEvent::SealRepaired { height } => {
                tracing::info!(height, "block seal completed from a peer");
                self.seals.entry(height).or_insert_with(SealCollector::new).done = true;
                if !self.boundary_sealed && height + 1 == self.epoch.membership.start_height {
                    self.boundary_sealed = true;
                    self.apply_members();
                }
            }
            ExecEvent::SyncRefused { height, reason } => {
                tracing::warn!(height, %reason, "refused a synced block");
                self.sync_inflight = None;
            }
            ExecEvent::Membership(epoch) => self.on_membership(*epoch),
            ExecEvent::Revoked(fingerprints) => {
                let dropped = self.transport.set_revoked(&fingerprints);
                tracing::info!(revoked = fingerprints.len(), dropped, "revoked certificates applied to the network");
            }
        }
        self.publish_status();
    }

    /// Drops journaled blocks well below the executed head (kept a while, like their payloads in
    /// memory, to answer peers that lack them).
    pub(super) fn prune_journal(&mut self) {
        let through = self.executed_round.saturating_sub(PAYLOAD_KEEP_ROUNDS);
        if through <= self.journal_pruned || self.core.is_none() {
            return;
        }
        self.journal_pruned = through;
        let journal = self.journal.clone();
        self.pool.spawn("pruning the journal", move || {
            if let Err(e) = journal.prune_through(through) {
                tracing::warn!(error = %e, "cannot prune the consensus journal");
            }
        });
    }
}
