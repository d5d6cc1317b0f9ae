//! Seals: every validator signs the header it executed; `2f+1` equal signatures complete a
//! block's seal.

use super::*;

pub(super) struct SealCollector {
    pub(super) ours: Option<H256>,
    pub(super) sigs: BTreeMap<u32, (H256, NodeSignature)>,
    pub(super) done: bool,
    pub(super) warned: bool,
}

impl SealCollector {
    pub(super) fn new() -> Self {
        SealCollector { ours: None, sigs: BTreeMap::new(), done: false, warned: false }
    }
}

impl Driver {
    pub(super) fn on_own_seal(&mut self, height: u64, hash: H256, sig: ValidatorSignature) {
        let Ok(signature) = NodeSignature::from_slice(&sig.signature) else { return };
        let c = self.seals.entry(height).or_insert_with(SealCollector::new);
        c.ours = Some(hash);
        c.sigs.insert(sig.validator, (hash, signature));
        let frame: Arc<[u8]> = NetMsg::SealSig { height, header_hash: hash, signature }.encode().into();
        for id in self.transport.peers() {
            let _ = self.transport.send(&id, frame.clone());
        }
        self.try_complete_seal(height);
    }

    pub(super) fn on_seal_sig(&mut self, from: &[u8], height: u64, hash: H256, signature: NodeSignature) {
        if height + 256 < self.head_height || height > self.head_height + 4096 {
            return;
        }
        // The signer's index in the set that seals this height (the previous epoch's for its
        // last blocks).
        let Some(vs) = self.seal_set(height) else { return };
        let Some((i, pk)) = vs.keys.iter().enumerate().find(|(_, k)| k.as_bytes() == from) else {
            tracing::debug!(peer = %self.peer_name(from), height, "seal signature from a non-validator of that height refused");
            return;
        };
        let i = i as u32;
        let msg = BlockHeader::signing_message(&self.genesis_hash, &hash);
        if pk.verify(self.suite, &msg, &signature).is_err() {
            tracing::warn!(peer = %self.peer_name(from), height, "bad seal signature refused");
            return;
        }
        let c = self.seals.entry(height).or_insert_with(SealCollector::new);
        c.sigs.insert(i, (hash, signature));
        self.try_complete_seal(height);
    }

    pub(super) fn try_complete_seal(&mut self, height: u64) {
        let Some(quorum) = self.seal_set(height).map(|vs| vs.quorum()) else { return };
        let Some(c) = self.seals.get_mut(&height) else { return };
        let Some(ours) = c.ours else { return };
        if !c.warned {
            if let Some((i, _)) = c.sigs.iter().find(|(_, (h, _))| *h != ours) {
                tracing::error!(height, validator = i, "a validator computed a different block header at this height");
                c.warned = true;
            }
        }
        if c.done {
            return;
        }
        let signatures: Vec<ValidatorSignature> = c
            .sigs
            .iter()
            .filter(|(_, (h, _))| *h == ours)
            .map(|(i, (_, s))| ValidatorSignature { validator: *i, signature: s.0.to_vec() })
            .collect();
        if signatures.len() >= quorum {
            c.done = true;
            let _ = self.exec_tx.send(ExecJob::Seal { height, seal: Seal { signatures } });
            if !self.boundary_sealed && height + 1 == self.epoch.membership.start_height {
                // The previous epoch's last block is sealed: its removed validators may go now.
                self.boundary_sealed = true;
                self.apply_members();
            }
        }
        let floor = self.head_height.saturating_sub(256);
        self.seals = self.seals.split_off(&floor);
    }

    // ------------------------------------------------------------ catch-up sync

    /// Sends this node's signatures of the blocks whose seal is short of a quorum again.
    pub(super) fn resend_own_seals(&self) {
        let mine = |height: u64| {
            let vs = self.seal_set(height)?;
            vs.keys.iter().position(|k| k.as_bytes() == self.my_id.as_slice()).map(|i| i as u32)
        };
        for (&height, c) in &self.seals {
            let (Some(ours), false) = (c.ours, c.done) else { continue };
            let Some((_, sig)) = mine(height).and_then(|i| c.sigs.get(&i)).filter(|(h, _)| *h == ours) else {
                continue;
            };
            let frame: Arc<[u8]> = NetMsg::SealSig { height, header_hash: ours, signature: *sig }.encode().into();
            for id in self.transport.peers() {
                let _ = self.transport.send(&id, frame.clone());
            }
        }
    }
}
