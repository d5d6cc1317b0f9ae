//! Membership epochs: the peers and CAs the transport admits, and the switch to a new
//! validator set (a fresh core per epoch).

use super::*;

/// One membership epoch as the driver and the executor use it: the membership, the consensus
/// validator set (with the epoch's chain tag) and this node's index in it.
#[derive(Clone, Debug)]
pub(crate) struct Epoch {
    pub membership: Membership,
    pub vs: ValidatorSet,
    pub me: Option<u32>,
}

impl Epoch {
    pub(crate) fn new(genesis: &Genesis, membership: Membership, my_key: &NodePublicKey) -> Result<Self, String> {
        let suite = genesis.suite();
        let keys = membership.validator_keys(suite).map_err(|e| e.to_string())?;
        let vs = ValidatorSet::for_epoch(suite, genesis.hash(), membership.epoch, keys);
        let me = vs.keys.iter().position(|k| k == my_key).map(|i| i as u32);
        Ok(Epoch { membership, vs, me })
    }

    pub(super) fn number(&self) -> u64 {
        self.membership.epoch
    }

    pub(super) fn role(&self) -> Role {
        if self.me.is_some() {
            Role::Validator
        } else {
            Role::Observer
        }
    }
}

/// The peers of a membership (every member node but this one), with their validator indexes.
pub(super) fn member_peers(m: &Membership, my_id: &[u8]) -> Vec<(Vec<u8>, String, Option<u32>)> {
    let validators = m.validators.iter().enumerate().map(|(i, v)| (v, Some(i as u32)));
    let observers = m.observers.iter().map(|o| (o, None));
    validators
        .chain(observers)
        .filter(|(n, _)| n.public_key != my_id)
        .map(|(n, i)| (n.public_key.clone(), n.name.clone(), i))
        .collect()
}

/// The member CAs of a membership that parse (a CA that does not is logged and left out, so
/// one bad certificate cannot stop the others from admitting their nodes).
pub(super) fn member_cas(m: &Membership) -> Vec<String> {
    m.orgs
        .iter()
        .filter(|o| match hechain_network::pki::parse_certs_pem(&o.ca_cert_pem) {
            Ok(c) if !c.is_empty() => true,
            Ok(_) | Err(_) => {
                tracing::error!(org = %o.name, "member CA certificate does not parse; its nodes cannot connect");
                false
            }
        })
        .map(|o| o.ca_cert_pem.clone())
        .collect()
}

/// How node `id` of membership `m` may prove itself: bound to its organisation's CA
/// (`Some(AllowedPeer { issuer_pem: Some(..) })`), by any member CA when it belongs to no
/// organisation, or not at all (`None`: its organisation is unknown or its CA does not parse —
/// then no certificate may pass for it).
pub(super) fn allowed_peer(m: &Membership, id: &[u8]) -> Option<AllowedPeer> {
    let node = m.validators.iter().chain(&m.observers).find(|n| n.public_key == id)?;
    if node.org.is_empty() {
        return Some(AllowedPeer::from(id.to_vec()));
    }
    let org = m
        .orgs
        .iter()
        .find(|o| o.name == node.org)
        .filter(|o| hechain_network::pki::parse_certs_pem(&o.ca_cert_pem).is_ok_and(|c| !c.is_empty()));
    match org {
        Some(o) => Some(AllowedPeer { id: id.to_vec(), issuer_pem: Some(o.ca_cert_pem.clone()) }),
        None => {
            tracing::error!(node = %node.name, org = %node.org, "the node's organisation has no usable CA; it cannot connect");
            None
        }
    }
}

/// The last block the core of `epoch` committed (round, consensus id), given the stored head:
/// the epoch's consensus genesis when the head is the previous epoch's last block.
pub(super) fn epoch_anchor(epoch: &Epoch, head_height: u64, head_round: u64, head_id: BlockId) -> (u64, BlockId) {
    if head_height + 1 == epoch.membership.start_height {
        (0, epoch.vs.genesis_id())
    } else {
        (head_round, head_id)
    }
}

/// The node ids of a validator set, in index order.
pub(super) fn node_ids(vs: &ValidatorSet) -> Vec<Vec<u8>> {
    vs.keys.iter().map(|k| k.as_bytes().to_vec()).collect()
}

impl Driver {
    /// The executed membership changed: follow it in the peer table and the transport, and
    /// switch to the new epoch when the validator set changed.
    pub(super) fn on_membership(&mut self, epoch: Epoch) {
        let mut peers = HashMap::new();
        for (id, name, validator) in member_peers(&epoch.membership, &self.my_id) {
            let (height, heard, round, epoch) =
                self.peers.get(&id).map(|p| (p.height, p.heard, p.round, p.epoch)).unwrap_or_default();
            peers.insert(id, PeerInfo { name, validator, height, heard, round, epoch });
        }
        self.peers = peers;
        if epoch.number() == self.epoch.number() {
            self.epoch = epoch;
        } else {
            // The old set's signatures on its last block may still be on their way (a removed
            // validator's may be needed for the quorum): its nodes stay admitted until that seal
            // is complete (a synced block came with its seal).
            let last = epoch.membership.start_height.saturating_sub(1);
            self.boundary_sealed = self.seals.get(&last).is_some_and(|c| c.done);
            self.switch_epoch(epoch);
        }
        self.apply_members();
    }

    /// Admits the current member nodes under the current member CAs and, until the previous
    /// epoch's last block is sealed, that epoch's validators too.
    pub(super) fn apply_members(&self) {
        let current = &self.epoch.membership;
        let mut allowed: Vec<AllowedPeer> = self.peers.keys().filter_map(|id| allowed_peer(current, id)).collect();
        if !self.boundary_sealed {
            if let Some(prev) = &self.prev_epoch {
                for k in &prev.vs.keys {
                    let id = k.as_bytes();
                    if id != self.my_id && !allowed.iter().any(|p| p.id == id) {
                        allowed.extend(allowed_peer(&prev.membership, id));
                    }
                }
            }
        }
        if let Err(e) = self.transport.set_members(&member_cas(&self.epoch.membership), &allowed) {
            tracing::error!(error = %e, "cannot apply the membership to the network");
        }
    }

    /// Starts the new epoch's consensus after the last block of the old one was executed.
    pub(super) fn switch_epoch(&mut self, epoch: Epoch) {
        let was = self.epoch.role();
        tracing::info!(
            epoch = epoch.number(),
            validators = epoch.vs.n(),
            index = ?epoch.me,
            "new membership epoch: consensus restarts with the new validator set"
        );
        if let Ok(mut ids) = self.validator_ids.write() {
            *ids = node_ids(&epoch.vs);
        }
        self.check =
            Arc::new(CheckCtx::new(self.suite, &epoch, self.mempool.clone(), self.store.clone(), &self.settings));
        // What the old core ordered and did not get executed is void: the executor drops it.
        let anchor = (0, epoch.vs.genesis_id());
        self.payloads.clear();
        self.inflight.clear();
        self.inflight_set.clear();
        self.queue.clear();
        self.want = None;
        self.timer = None;
        self.own_payload = None;
        self.last_payload_request = None;
        self.need_sync = false;
        self.last_dispatched = anchor;
        self.safety = SafetyFile::for_epoch(&self.data_dir, epoch.number());
        // The old epoch's journal holds only blocks that are executed or void now.
        let old = std::mem::replace(&mut self.journal, BlockJournal::for_epoch(&self.data_dir, epoch.number()));
        self.pool.spawn("removing a journal", move || {
            if let Err(e) = old.remove() {
                tracing::warn!(error = %e, "cannot remove the ended epoch's consensus journal");
            }
        });
        self.journal_pruned = 0;
        self.executed_round = 0;
        self.core = None;
        self.prev_epoch = Some(std::mem::replace(&mut self.epoch, epoch));
        if let Some(index) = self.epoch.me {
            let restored = match self.safety.load() {
                Ok(s) => s.unwrap_or(SafetyState { last_voted_round: 0, high_qc: self.epoch.vs.genesis_qc() }),
                Err(e) => {
                    tracing::error!(error = %e, "cannot read the new epoch's safety state; not voting in it");
                    return;
                }
            };
            let blocks = match restore_journal(&self.journal, &self.epoch.vs, 0, &mut self.payloads) {
                Ok(b) => b,
                Err(e) => {
                    tracing::error!(error = %e, "cannot read the new epoch's consensus journal; not voting in it");
                    return;
                }
            };
            let journaled: Vec<(u64, Vec<H256>)> =
                self.payloads.values().map(|(r, p, _)| (*r, p.txs.iter().map(|(h, _)| *h).collect())).collect();
            for (round, hashes) in journaled {
                self.add_inflight(round, hashes);
            }
            let cfg = CoreConfig { validators: self.epoch.vs.clone(), me: index, base_timeout_ms: self.timeout_ms };
            match Core::recover(cfg, self.key.clone(), restored, anchor, blocks) {
                Ok((mut core, _)) => {
                    let actions = core.start();
                    self.core = Some(core);
                    self.run_actions(actions);
                }
                Err(e) => tracing::error!(error = %e, "cannot start consensus in the new epoch"),
            }
        }
        if was != self.epoch.role() {
            tracing::info!(role = %self.epoch.role(), "this node's role changed with the membership");
        }
    }

    /// The validator set that seals block `height` (the current or the previous epoch's).
    pub(super) fn seal_set(&self, height: u64) -> Option<&ValidatorSet> {
        if height >= self.epoch.membership.start_height {
            return Some(&self.epoch.vs);
        }
        self.prev_epoch.as_ref().filter(|e| height >= e.membership.start_height).map(|e| &e.vs)
    }
}
