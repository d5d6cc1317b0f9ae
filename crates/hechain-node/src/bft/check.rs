//! Checking a proposal's payload (signatures, limits, digest) on a blocking thread before the
//! core sees the proposal.

use super::*;

/// Shared, read-only context for payload checks on blocking threads.
pub(super) struct CheckCtx {
    pub(super) suite: Suite,
    /// The epoch whose validator set `vs` is.
    pub(super) epoch: u64,
    pub(super) mempool: Arc<Mempool>,
    pub(super) store: Arc<Store>,
    pub(super) vs: ValidatorSet,
    /// The node's own limit (the chain parameter in force may be lower).
    pub(super) max_block_txs: usize,
    pub(super) max_payload_bytes: usize,
}

impl CheckCtx {
    pub(super) fn new(
        suite: Suite,
        epoch: &Epoch,
        mempool: Arc<Mempool>,
        store: Arc<Store>,
        settings: &BftSettings,
    ) -> Self {
        CheckCtx {
            suite,
            epoch: epoch.number(),
            mempool,
            store,
            vs: epoch.vs.clone(),
            max_block_txs: settings.max_block_txs,
            max_payload_bytes: settings.max_payload_bytes,
        }
    }

    pub(super) fn check(&self, proposal: &Proposal, bytes: &[u8]) -> Result<CheckedPayload, String> {
        let b = &proposal.block;
        let key = self.vs.key(b.proposer).ok_or("proposer index out of range")?;
        key.verify(self.suite, &self.vs.proposal_message(&self.vs.block_id(b)), &proposal.signature)
            .map_err(|_| "bad proposal signature".to_string())?;
        if bytes.len() > self.max_payload_bytes {
            return Err(format!("payload of {} bytes exceeds {}", bytes.len(), self.max_payload_bytes));
        }
        let p = BlockPayload::decode(bytes).map_err(|e| e.to_string())?;
        // The chain parameters in force at this node's last executed block (governance may have
        // changed them; a leader that has not executed the change yet may be refused once).
        let params = self.mempool.params();
        let max_txs = self.max_block_txs.min(params.max_block_txs as usize);
        if p.txs.len() > max_txs {
            return Err(format!("payload has {} transactions, the limit is {max_txs}", p.txs.len()));
        }
        if p.timestamp_ms > now_ms().saturating_add(MAX_CLOCK_DRIFT_MS) {
            return Err(format!("payload timestamp {} is too far in the future", p.timestamp_ms));
        }
        let declared_gas = p.txs.iter().fold(0u64, |g, t| g.saturating_add(t.gas_limit()));
        if declared_gas > params.block_gas_limit {
            return Err(format!(
                "payload declares {declared_gas} gas, the block gas limit is {}",
                params.block_gas_limit
            ));
        }
        let payload = CheckedPayload::hashed(self.suite, p);
        if payload.digest != b.payload_digest {
            return Err("payload does not match the proposal's digest".into());
        }
        let txs = &payload.txs;
        // Transactions already in the pool passed these checks on admission; the others are
        // checked now and then pooled, so that their gossiped copies are not verified again.
        // "Already in the pool" means the same sender too: an Ethereum transaction's hash does
        // not cover the sender it claims, and a leader must not swap it.
        let checked: Vec<Result<Option<hechain_mempool::Checked>, String>> = txs
            .par_iter()
            .map(|(h, t)| {
                if self.mempool.contains_tx(h, t) {
                    return Ok(None);
                }
                match self.mempool.check_stateless(t.clone()) {
                    Ok(c) => Ok(Some(c)),
                    // Committed already: execution skips it.
                    Err(hechain_mempool::AdmitError::Duplicate(_)) if self.mempool.recently_committed(h) => Ok(None),
                    // Pooled under another claimed sender: this copy must prove its own.
                    Err(hechain_mempool::AdmitError::Duplicate(_)) => {
                        t.verify(self.suite).map(|_| None).map_err(|e| format!("transaction {h}: {e}"))
                    }
                    Err(e) => Err(format!("transaction {h}: {e}")),
                }
            })
            .collect();
        let mut fresh = Vec::new();
        for c in checked {
            if let Some(c) = c? {
                fresh.push(Ok(c));
            }
        }
        if !fresh.is_empty() {
            let _ = self.mempool.insert_checked(fresh, &StoreState::new(&self.store));
        }
        Ok(payload)
    }
}
