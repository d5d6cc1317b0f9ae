//! Proposals: payloads checked for the core, and this node's own proposals built from the pool.

use super::*;

impl Driver {
    pub(super) fn check_payload(&mut self, from: Vec<u8>, proposal: Proposal, payload: Vec<u8>, response: bool) {
        if self.core.is_none() || self.sender_index(&from, "proposal").is_none() {
            return;
        }
        let ctx = self.check.clone();
        let events = self.events.clone();
        self.pool.spawn("checking a proposal", move || match ctx.check(&proposal, &payload) {
            Ok(p) => {
                let _ = events.send(Event::Checked {
                    epoch: ctx.epoch,
                    from,
                    proposal: Box::new(proposal),
                    payload: Arc::new(p),
                    encoded: Arc::new(payload),
                    response,
                });
            }
            Err(reason) => tracing::warn!(
                peer = %hex::encode(&from),
                round = proposal.block.round,
                %reason,
                "refused a proposal"
            ),
        });
    }

    pub(super) fn on_checked(
        &mut self,
        from: Vec<u8>,
        proposal: Proposal,
        payload: Arc<CheckedPayload>,
        encoded: Arc<Vec<u8>>,
        response: bool,
    ) {
        let Some(i) = self.peers.get(&from).and_then(|p| p.validator) else { return };
        let id = self.epoch.vs.block_id(&proposal.block);
        let round = proposal.block.round;
        let hashes: Vec<H256> = payload.txs.iter().map(|(h, _)| *h).collect();
        let fresh = !self.payloads.contains_key(&id);
        // A waiting commit may have been missing exactly this payload (e.g. an earlier answer to
        // a block request came without one).
        for c in self.queue.values_mut() {
            if c.id == id && c.payload.is_none() {
                c.payload = Some(payload.clone());
            }
        }
        self.payloads.insert(id, (round, payload, Some(encoded)));
        let msg =
            if response { Message::BlockResponse(Box::new(proposal)) } else { Message::Proposal(Box::new(proposal)) };
        let accepted = self.core_input(Input::Message { from: i, msg });
        // Keep the payload whenever the core holds the block (also when this was a duplicate).
        let known = self.core.as_ref().is_some_and(|c| c.block(&id).is_some());
        if accepted && fresh {
            self.add_inflight(round, hashes);
        } else if fresh && !known {
            self.payloads.remove(&id);
        }
        self.drain_commits();
    }

    pub(super) fn add_inflight(&mut self, round: u64, hashes: Vec<H256>) {
        if round <= self.last_dispatched.0 {
            return;
        }
        self.inflight_set.extend(hashes.iter().copied());
        self.inflight.entry(round).or_default().extend(hashes);
    }

    pub(super) fn maybe_build(&mut self) {
        let Some(w) = &self.want else { return };
        if self.building {
            return;
        }
        let now = Instant::now();
        if now < w.earliest {
            return;
        }
        let round = w.round;
        let force = now >= w.idle_deadline || !self.inflight_set.is_empty();
        let has_txs = self.mempool.len() > self.inflight_set.len();
        if !force && !has_txs {
            return;
        }
        self.building = true;
        let mempool = self.mempool.clone();
        let exclude = self.branch_txs();
        let events = self.events.clone();
        let params = self.mempool.params();
        let max_txs = self.settings.max_block_txs.min(params.max_block_txs as usize).max(1);
        let max_gas = params.block_gas_limit;
        let max_bytes = self.settings.max_payload_bytes.saturating_sub(1024);
        let suite = self.suite;
        self.pool.spawn("building a proposal", move || {
            let mut txs = mempool.ready_excluding(max_txs, max_gas, &|h| exclude.contains(h));
            let sizes: Vec<usize> = txs.par_iter().map(|(_, t)| t.encode().len() + 8).collect();
            let mut total = 0usize;
            let keep = sizes.iter().take_while(|s| {
                total += **s;
                total <= max_bytes
            });
            let keep = keep.count();
            txs.truncate(keep);
            let timestamp_ms = now_ms();
            let hashes: Vec<H256> = txs.iter().map(|(h, _)| *h).collect();
            let digest = BlockPayload::digest(suite, timestamp_ms, &hashes);
            let body = BlockPayload { timestamp_ms, txs: txs.iter().map(|(_, t)| t.clone()).collect() };
            let encoded = Arc::new(body.encode());
            let payload = Arc::new(CheckedPayload { timestamp_ms, txs, digest });
            let _ = events.send(Event::Built { round, payload, encoded });
        });
    }

    /// The transactions of the blocks the next proposal extends and that are not yet handed to
    /// the executor: from the high QC's block back to the last dispatched one. A proposal leaves
    /// them out (they commit with its ancestors). Transactions of proposals off that branch (a
    /// block whose QC never formed, e.g. because the next leader is down) are proposed again at
    /// once; excluding every uncommitted proposal's transactions instead let a transaction that
    /// only a doomed leader ever proposed wait forever.
    pub(super) fn branch_txs(&self) -> HashSet<H256> {
        let mut out = HashSet::new();
        let Some(core) = &self.core else { return out };
        let mut id = core.high_qc().block;
        while let Some(b) = core.block(&id) {
            if b.round <= self.last_dispatched.0 {
                break;
            }
            if let Some((_, p, _)) = self.payloads.get(&id) {
                out.extend(p.txs.iter().map(|(h, _)| *h));
            }
            id = b.parent;
        }
        out
    }

    pub(super) fn on_built(&mut self, round: u64, payload: Arc<CheckedPayload>, encoded: Arc<Vec<u8>>) {
        self.building = false;
        if self.want.as_ref().map(|w| w.round) != Some(round) {
            return; // the round moved on while building
        }
        self.want = None;
        self.last_proposal_at = Instant::now();
        tracing::debug!(
            round,
            txs = payload.txs.len(),
            pooled = self.mempool.len(),
            in_proposals = self.inflight_set.len(),
            "payload built"
        );
        let digest = payload.digest;
        self.own_payload = Some((payload, encoded));
        self.core_input(Input::Payload { round, digest });
        self.own_payload = None;
    }

    // ------------------------------------------------------------ the core
}
