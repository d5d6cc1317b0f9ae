//! The relaying steps, over any two [`ChainIo`]s.

use hechain_crosschain::apps::{TRANSFER_PORT, TRANSFER_VERSION};
use hechain_crosschain::{
    keys, Ack, ChannelState, CrosschainCall, CrosschainEvent, EpochChangeProof, Ordering, Packet, RecordKind,
};
use hechain_governance::keys::gov_epoch;

use crate::{ChainIo, RelayError, Submitted};

/// A channel between two chains and the clients each holds of the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    /// The channel on chain A.
    pub channel_a: u64,
    /// The channel on chain B.
    pub channel_b: u64,
    /// A's client of B.
    pub client_on_a: u64,
    /// B's client of A.
    pub client_on_b: u64,
}

impl Link {
    /// The same link seen from B.
    pub fn reversed(self) -> Link {
        Link {
            channel_a: self.channel_b,
            channel_b: self.channel_a,
            client_on_a: self.client_on_b,
            client_on_b: self.client_on_a,
        }
    }
}

/// What one pass of [`relay_once`] did, in both directions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Packets delivered.
    pub received: u64,
    /// Acknowledgements delivered back.
    pub acknowledged: u64,
    /// Packets rolled back after their timeout.
    pub timed_out: u64,
    /// Deliveries another relayer made first (refused as duplicates, which is fine).
    pub raced: u64,
    /// Client updates submitted.
    pub updates: u64,
    /// Packets still pending on A and on B after the pass.
    pub pending: u64,
}

impl std::ops::AddAssign for Progress {
    fn add_assign(&mut self, o: Progress) {
        self.received += o.received;
        self.acknowledged += o.acknowledged;
        self.timed_out += o.timed_out;
        self.raced += o.raced;
        self.updates += o.updates;
        self.pending = o.pending;
    }
}

fn chain_err(c: &impl ChainIo, message: impl Into<String>) -> RelayError {
    RelayError::Chain { chain: c.name(), message: message.into() }
}

/// Submits one call that must succeed; its events.
async fn must(c: &impl ChainIo, call: CrosschainCall) -> Result<Vec<CrosschainEvent>, RelayError> {
    let name = serde_json::to_value(&call).ok().and_then(|v| v["type"].as_str().map(String::from)).unwrap_or_default();
    let mut out = c.submit(vec![call]).await?;
    match out.pop() {
        Some(Ok(events)) => Ok(events),
        Some(Err(reason)) => Err(RelayError::Refused { chain: c.name(), call: name, reason }),
        None => Err(chain_err(c, "no outcome for a submitted call")),
    }
}

/// Registers on `dst` a light client of `src`; its id.
pub async fn create_client(dst: &impl ChainIo, src: &impl ChainIo) -> Result<u64, RelayError> {
    let genesis = src.genesis().await?;
    let events = must(dst, CrosschainCall::CreateClient { genesis }).await?;
    events
        .iter()
        .find_map(|e| match e {
            CrosschainEvent::ClientCreated { client, .. } => Some(*client),
            _ => None,
        })
        .ok_or_else(|| chain_err(dst, "the client was created without a client_created event"))
}

/// The highest block of `c` (at most a few below its head) whose seal holds a quorum of its
/// epoch's validators: the newest header a light client will accept.
pub async fn latest_sealed(c: &impl ChainIo) -> Result<u64, RelayError> {
    let head = c.head().await?;
    let memberships = c.memberships().await?;
    for h in (head.saturating_sub(4).max(1)..=head).rev() {
        let (_, seal) = c.sealed(h).await?;
        let set = memberships.iter().rev().find(|m| m.start_height <= h).map_or(0, |m| m.validators.len());
        if set > 0 && seal.signatures.len() >= hechain_chain::quorum(set) {
            return Ok(h);
        }
    }
    Err(chain_err(c, format!("no block near the head ({head}) has a quorum seal yet")))
}

/// The newest block of `c` with a quorum seal, once it is at least `height` (a block's seal
/// gathers its signatures just after the block commits on a network): headers shown to the
/// other chain's client must be at or above the state that was read.
pub async fn wait_sealed(c: &impl ChainIo, height: u64) -> Result<u64, RelayError> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        match latest_sealed(c).await {
            Ok(h) if h >= height => return Ok(h),
            Ok(_) | Err(RelayError::Chain { .. }) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await
            }
            Ok(h) => return Err(chain_err(c, format!("block {height} has no quorum seal after 60 s (sealed: {h})"))),
            Err(e) => return Err(e),
        }
    }
}

/// Makes `dst`'s client `client` of `src` hold a header at or above `height`: shows it `src`'s
/// header at `height` with the epoch changes it has not seen. Returns the height to prove
/// against (the client's latest, if another relayer already went further) and whether an
/// update was submitted.
pub async fn update_client(
    dst: &impl ChainIo,
    client: u64,
    src: &impl ChainIo,
    height: u64,
) -> Result<(u64, bool), RelayError> {
    let view = dst.client(client).await?;
    if view.client.latest_height >= height {
        return Ok((view.client.latest_height, false));
    }
    let (header, seal) = src.sealed(height).await?;
    let memberships = src.memberships().await?;
    let at = memberships.iter().rev().find(|m| m.start_height <= height).map_or(0, |m| m.epoch);
    let mut epoch_changes = Vec::new();
    for m in memberships.iter().filter(|m| m.epoch > view.client.epoch && m.epoch <= at) {
        let boundary = m.start_height.saturating_sub(1);
        let (bh, bs) = src.sealed(boundary).await?;
        let proof = src.proof(&gov_epoch(m.epoch), boundary).await?;
        epoch_changes.push(EpochChangeProof { header: bh, seal: bs, membership: m.clone(), proof });
    }
    let next_membership = memberships.iter().find(|m| m.epoch == at + 1 && m.start_height == height + 1).cloned();
    let next_proof = Some(src.proof(&gov_epoch(at + 1), height).await?);
    let call = CrosschainCall::UpdateClient { client, header, seal, epoch_changes, next_membership, next_proof };
    match dst.submit(vec![call]).await?.pop() {
        Some(Ok(_)) => Ok((height, true)),
        // Another relayer showed the same header first.
        Some(Err(reason)) if reason.contains("already holds") => Ok((height, false)),
        Some(Err(reason)) => Err(RelayError::Refused { chain: dst.name(), call: "xc_update_client".into(), reason }),
        None => Err(chain_err(dst, "no outcome for a submitted call")),
    }
}

fn channel_of(events: &[CrosschainEvent]) -> Option<u64> {
    events.iter().find_map(|e| match e {
        CrosschainEvent::Channel { channel, .. } => Some(*channel),
        _ => None,
    })
}

/// Opens a `transfer` channel between `a` and `b` through the four handshake steps, given each
/// chain's client of the other. Returns the link.
pub async fn open_channel(
    a: &impl ChainIo,
    b: &impl ChainIo,
    client_on_a: u64,
    client_on_b: u64,
    ordering: Ordering,
) -> Result<Link, RelayError> {
    let init = CrosschainCall::ChannelOpenInit {
        port: TRANSFER_PORT.to_string(),
        client: client_on_a,
        counterparty_port: TRANSFER_PORT.to_string(),
        ordering,
        version: TRANSFER_VERSION.to_string(),
    };
    let channel_a = channel_of(&must(a, init).await?).ok_or_else(|| chain_err(a, "init without a channel event"))?;
    finish_handshake(a, b, channel_a, client_on_b).await
}

/// Carries the rest of the handshake of channel `channel_a` of `a`, which someone opened there
/// (`Init`: a contract through its port, say), to `b`, whose client of `a` is `client_on_b`: the
/// `Try` on `b` (answering with the port, order and version `a`'s end names), the `Ack` on `a`
/// and the `Confirm` on `b`. Returns the link.
pub async fn finish_handshake(
    a: &impl ChainIo,
    b: &impl ChainIo,
    channel_a: u64,
    client_on_b: u64,
) -> Result<Link, RelayError> {
    let end = a.channel(channel_a).await?.channel;
    if end.end.state != ChannelState::Init {
        return Err(chain_err(a, format!("channel {channel_a} is {:?}, not Init", end.end.state)));
    }
    let client_on_a = end.client;
    let (ph, _) = update_client(b, client_on_b, a, wait_sealed(a, a.head().await?).await?).await?;
    let proof = a.proof(&keys::end(channel_a), ph).await?;
    let try_open = CrosschainCall::ChannelOpenTry {
        port: end.end.counterparty.port.clone(),
        client: client_on_b,
        counterparty_port: end.end.port.clone(),
        counterparty_channel: channel_a,
        ordering: end.end.ordering,
        version: end.end.version.clone(),
        proof_height: ph,
        proof,
    };
    let channel_b = channel_of(&must(b, try_open).await?).ok_or_else(|| chain_err(b, "try without a channel event"))?;
    let (ph, _) = update_client(a, client_on_a, b, wait_sealed(b, b.head().await?).await?).await?;
    let proof = b.proof(&keys::end(channel_b), ph).await?;
    must(
        a,
        CrosschainCall::ChannelOpenAck { channel: channel_a, counterparty_channel: channel_b, proof_height: ph, proof },
    )
    .await?;
    let (ph, _) = update_client(b, client_on_b, a, wait_sealed(a, a.head().await?).await?).await?;
    let proof = a.proof(&keys::end(channel_a), ph).await?;
    must(b, CrosschainCall::ChannelOpenConfirm { channel: channel_b, proof_height: ph, proof }).await?;
    Ok(Link { channel_a, channel_b, client_on_a, client_on_b })
}

/// Counts outcomes: successes, and refusals that mean another relayer got there first.
fn tally(outcomes: &[Submitted], done: &mut u64, raced: &mut u64, chain: &str) -> Result<(), RelayError> {
    for o in outcomes {
        match o {
            Ok(_) => *done += 1,
            Err(r)
                if r.contains("already received")
                    || r.contains("is not pending")
                    || r.contains("expects packet")
                    || r.contains("expects the acknowledgement") =>
            {
                *raced += 1
            }
            Err(r) => {
                tracing::warn!(chain, reason = %r, "a relayed call was refused");
                *raced += 1
            }
        }
    }
    Ok(())
}

/// One direction: packets pending on `src` are delivered to `dst`, acknowledged back, or timed
/// out on `src`. A handful of requests per pass whatever the number of packets: the pending
/// packets, the acknowledgements after the oldest of them, and one batch of proofs per side.
async fn relay_direction(src: &impl ChainIo, dst: &impl ChainIo, link: Link) -> Result<Progress, RelayError> {
    let mut p = Progress::default();
    // The heads before reading: whatever is read is in the state of these blocks, so proofs under
    // them (once sealed) hold it.
    let src_read_at = src.head().await?;
    let pending = src.pending(link.channel_a).await?;
    let Some(first) = pending.first() else {
        return Ok(p);
    };
    let dst_read_at = dst.head().await?;
    let acked: std::collections::BTreeMap<u64, Ack> =
        dst.acks(link.channel_b, first.sequence - 1).await?.into_iter().map(|a| (a.sequence, a.ack)).collect();
    let dst_head = wait_sealed(dst, dst_read_at).await?;
    let (dst_header, _) = dst.sealed(dst_head).await?;
    let (mut deliver, mut acks, mut timeouts): (Vec<Packet>, Vec<(Packet, Ack)>, Vec<Packet>) = Default::default();
    for packet in pending {
        match acked.get(&packet.sequence) {
            Some(ack) => acks.push((packet, ack.clone())),
            None if packet.timed_out_at(dst_head, dst_header.timestamp_ms) => timeouts.push(packet),
            None => deliver.push(packet),
        }
    }
    // Deliveries to `dst` and acknowledgements (or timeouts) back to `src` are independent:
    // both go at once.
    let (delivered, settled) = tokio::join!(
        deliver_packets(src, dst, link, deliver, src_read_at),
        settle_packets(src, dst, link, (acks, timeouts), dst_head)
    );
    p += delivered?;
    p += settled?;
    p.pending = src.pending(link.channel_a).await?.len() as u64;
    Ok(p)
}

/// Delivers `packets` of `src` to `dst` under a header of `src` that `dst`'s client holds.
async fn deliver_packets(
    src: &impl ChainIo,
    dst: &impl ChainIo,
    link: Link,
    packets: Vec<Packet>,
    read_at: u64,
) -> Result<Progress, RelayError> {
    let mut p = Progress::default();
    if packets.is_empty() {
        return Ok(p);
    }
    let (ph, updated) = update_client(dst, link.client_on_b, src, wait_sealed(src, read_at).await?).await?;
    p.updates += u64::from(updated);
    let keys: Vec<Vec<u8>> = packets.iter().map(|d| keys::commitment(link.channel_a, d.sequence)).collect();
    let proofs = src.proofs(&keys, ph).await?;
    let calls = packets
        .into_iter()
        .zip(proofs)
        .map(|(packet, proof)| CrosschainCall::RecvPacket { packet, proof_height: ph, proof })
        .collect();
    tally(&dst.submit(calls).await?, &mut p.received, &mut p.raced, &dst.name())?;
    Ok(p)
}

/// Brings `dst`'s acknowledgements of `src`'s packets back to `src`, and times out on `src` the
/// packets `dst` can no longer receive, under `dst`'s header at `dst_head`.
async fn settle_packets(
    src: &impl ChainIo,
    dst: &impl ChainIo,
    link: Link,
    (acks, timeouts): (Vec<(Packet, Ack)>, Vec<Packet>),
    dst_head: u64,
) -> Result<Progress, RelayError> {
    let mut p = Progress::default();
    if acks.is_empty() && timeouts.is_empty() {
        return Ok(p);
    }
    let (ph, updated) = update_client(src, link.client_on_a, dst, dst_head).await?;
    p.updates += u64::from(updated);
    let ordered = src.channel(link.channel_a).await?.channel.end.ordering == Ordering::Ordered;
    let mut keys: Vec<Vec<u8>> = acks.iter().map(|(a, _)| keys::ack(link.channel_b, a.sequence)).collect();
    keys.extend(timeouts.iter().map(|t| {
        if ordered {
            keys::recv_seq(link.channel_b)
        } else {
            keys::receipt(link.channel_b, t.sequence)
        }
    }));
    let mut proofs = dst.proofs(&keys, ph).await?.into_iter();
    let next_recv =
        if ordered && !timeouts.is_empty() { Some(dst.channel(link.channel_b).await?.next_recv) } else { None };
    let mut calls = Vec::with_capacity(acks.len() + timeouts.len());
    for ((packet, ack), proof) in acks.into_iter().zip(proofs.by_ref()) {
        calls.push(CrosschainCall::AckPacket { packet, ack, proof_height: ph, proof });
    }
    let ack_count = calls.len();
    for (packet, proof) in timeouts.into_iter().zip(proofs) {
        calls.push(CrosschainCall::TimeoutPacket { packet, proof_height: ph, proof, next_recv, closed_proof: None });
    }
    let outcomes = src.submit(calls).await?;
    let (a, t) = outcomes.split_at(ack_count.min(outcomes.len()));
    tally(a, &mut p.acknowledged, &mut p.raced, &src.name())?;
    tally(t, &mut p.timed_out, &mut p.raced, &src.name())?;
    Ok(p)
}

/// One relaying pass over a link, both directions.
pub async fn relay_once(a: &impl ChainIo, b: &impl ChainIo, link: Link) -> Result<Progress, RelayError> {
    let mut total = relay_direction(a, b, link).await?;
    let back = relay_direction(b, a, link.reversed()).await?;
    let pending = total.pending + back.pending;
    total += back;
    total.pending = pending;
    Ok(total)
}

/// Has `dst` recognise record `record_id` of kind `kind` of `src` (whose client on `dst` is
/// `client`): updates the client, proves the record and submits it. The recognition's id.
pub async fn recognise(
    dst: &impl ChainIo,
    client: u64,
    src: &impl ChainIo,
    kind: RecordKind,
    record_id: u64,
) -> Result<u64, RelayError> {
    let key = hechain_crosschain::recognise::record_key(kind, record_id);
    let Some(record) = src.value(&key).await? else {
        return Err(chain_err(src, format!("it holds no {kind:?} {record_id}")));
    };
    let (ph, _) = update_client(dst, client, src, wait_sealed(src, src.head().await?).await?).await?;
    let proof = src.proof(&key, ph).await?;
    let call = CrosschainCall::Recognise { client, kind, record_id, record, proof_height: ph, proof };
    must(dst, call)
        .await?
        .iter()
        .find_map(|e| match e {
            CrosschainEvent::Recognised { id, .. } => Some(*id),
            _ => None,
        })
        .ok_or_else(|| chain_err(dst, "recognised without an xc_recognised event"))
}
