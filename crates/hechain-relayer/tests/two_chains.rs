//! Two chains of four validators each (one on the standard suite, one on gm), in process with
//! real stores, execution and seals, and the relayer between them: a round-trip transfer with
//! tokens conserved on both chains, replays, forged proofs, bad headers, equivocation (a
//! conflicting header, or a conflicting epoch boundary on a fork), a
//! timeout refund, a validator-set change followed across, and a recognised record.

mod common;

use common::{LocalChain, RELAYER};
use hechain_crosschain::{keys, Ack, CrosschainCall, Ordering, Packet, RecordKind, TransferData, NATIVE_DENOM};
use hechain_crypto::Suite;
use hechain_primitives::Codec;
use hechain_relayer::{
    create_client, latest_sealed, open_channel, recognise, relay_once, update_client, ChainIo, Link,
};
use hechain_types::{Address, EvidenceCall, Payload, H256};

const ALICE: usize = 1; // on A
const BOB: usize = 2; // on B

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

/// Chain A (standard), chain B (gm), clients of each other and an open `transfer` channel.
fn linked(ordering: Ordering) -> (LocalChain, LocalChain, Link) {
    let a = LocalChain::new("A", Suite::Standard, 101, 10);
    let b = LocalChain::new("B", Suite::Gm, 202, 40);
    a.advance(2);
    b.advance(2);
    let link = block_on(async {
        let client_on_a = create_client(&a, &b).await.unwrap();
        let client_on_b = create_client(&b, &a).await.unwrap();
        open_channel(&a, &b, client_on_a, client_on_b, ordering).await.unwrap()
    });
    (a, b, link)
}

fn send(from: &LocalChain, who: usize, channel: u64, denom: &str, amount: u128, to: Address, timeout_height: u64) {
    from.run(
        who,
        Payload::Crosschain(CrosschainCall::Transfer {
            channel,
            denom: denom.into(),
            amount,
            receiver: to,
            timeout_height,
            timeout_ms: 0,
        }),
    );
}

/// Relays until nothing is pending on either side.
fn relay_all(a: &LocalChain, b: &LocalChain, link: Link) {
    block_on(async {
        for _ in 0..6 {
            let p = relay_once(a, b, link).await.unwrap();
            if p.pending == 0 {
                return;
            }
        }
        panic!("packets still pending after six passes");
    })
}

#[test]
fn a_round_trip_transfer_conserves_tokens_on_both_chains() {
    let (a, b, link) = linked(Ordering::Unordered);
    let (alice, bob) = (a.address(ALICE), b.address(BOB));
    let voucher = format!("xc/{}/native", link.channel_b);
    let alice_before = a.balance(&alice);

    send(&a, ALICE, link.channel_a, NATIVE_DENOM, 300, bob, b.head_height() + 100);
    assert_eq!(a.escrow(link.channel_a), 300);
    relay_all(&a, &b, link);
    assert_eq!(b.voucher(&bob, &voucher), 300);
    assert_eq!(b.supply(&voucher), 300);
    assert_eq!(a.balance(&alice), alice_before - 300);

    // Back home: burned on B, released from A's escrow.
    send(&b, BOB, link.channel_b, &voucher, 120, alice, a.head_height() + 100);
    assert_eq!(b.supply(&voucher), 180);
    relay_all(&a, &b, link);
    assert_eq!(a.balance(&alice), alice_before - 180);
    // Conservation: A escrows exactly what B has minted and not burned.
    assert_eq!(a.escrow(link.channel_a), 180);
    assert_eq!(b.supply(&voucher), 180);
    assert_eq!(b.voucher(&bob, &voucher), 180);
    // Nothing left in flight; every packet acknowledged once.
    block_on(async {
        assert!(a.pending(link.channel_a).await.unwrap().is_empty());
        assert!(b.pending(link.channel_b).await.unwrap().is_empty());
    });
    // Sending more vouchers than held is refused before anything moves.
    let reason = b.refused(
        BOB,
        Payload::Crosschain(CrosschainCall::Transfer {
            channel: link.channel_b,
            denom: voucher.clone(),
            amount: 181,
            receiver: alice,
            timeout_height: a.head_height() + 100,
            timeout_ms: 0,
        }),
    );
    assert!(reason.contains("holds 180"), "{reason}");
}

/// The commitment proof of packet `seq` of `link.channel_a`, at a height B's client holds.
fn delivery(a: &LocalChain, b: &LocalChain, link: Link, seq: u64) -> (Packet, u64, hechain_chain::smt::Proof) {
    block_on(async {
        let packet = a.pending(link.channel_a).await.unwrap().into_iter().find(|p| p.sequence == seq).unwrap();
        let (h, _) = update_client(b, link.client_on_b, a, latest_sealed(a).await.unwrap()).await.unwrap();
        let proof = a.proof(&keys::commitment(link.channel_a, seq), h).await.unwrap();
        (packet, h, proof)
    })
}

#[test]
fn replays_and_forged_proofs_are_refused_with_reasons() {
    let (a, b, link) = linked(Ordering::Unordered);
    let bob = b.address(BOB);
    send(&a, ALICE, link.channel_a, NATIVE_DENOM, 50, bob, b.head_height() + 100);
    let (packet, h, proof) = delivery(&a, &b, link, 1);

    // A forged packet (more tokens) does not match the committed one.
    let mut forged = packet.clone();
    let mut data = TransferData::decode(&forged.data).unwrap();
    data.amount = 5_000;
    forged.data = data.encode();
    let reason = b.refused(
        RELAYER,
        Payload::Crosschain(CrosschainCall::RecvPacket { packet: forged, proof_height: h, proof: proof.clone() }),
    );
    assert!(reason.contains("the proof fails"), "{reason}");

    // A height the client does not hold.
    let reason = b.refused(
        RELAYER,
        Payload::Crosschain(CrosschainCall::RecvPacket {
            packet: packet.clone(),
            proof_height: h + 50,
            proof: proof.clone(),
        }),
    );
    assert!(reason.contains("holds no header at height"), "{reason}");

    // The genuine packet once; its replay is refused.
    let recv = CrosschainCall::RecvPacket { packet: packet.clone(), proof_height: h, proof };
    b.run(RELAYER, Payload::Crosschain(recv.clone()));
    let reason = b.refused(RELAYER, Payload::Crosschain(recv));
    assert!(reason.contains("already received"), "{reason}");
    assert_eq!(b.voucher(&bob, &format!("xc/{}/native", link.channel_b)), 50);

    // A forged acknowledgement (an error, to get a refund) fails its proof on A.
    let (ph, _) = block_on(update_client(&a, link.client_on_a, &b, block_on(latest_sealed(&b)).unwrap())).unwrap();
    let ack_proof = block_on(b.proof(&keys::ack(link.channel_b, 1), ph)).unwrap();
    let reason = a.refused(
        RELAYER,
        Payload::Crosschain(CrosschainCall::AckPacket {
            packet: packet.clone(),
            ack: Ack::Error { reason: "made up".into() },
            proof_height: ph,
            proof: ack_proof.clone(),
        }),
    );
    assert!(reason.contains("the proof fails"), "{reason}");
    // A timeout of a packet that was received cannot be proven either.
    let receipt_proof = block_on(b.proof(&keys::receipt(link.channel_b, 1), ph)).unwrap();
    let reason = a.refused(
        RELAYER,
        Payload::Crosschain(CrosschainCall::TimeoutPacket {
            packet: packet.clone(),
            proof_height: ph,
            proof: receipt_proof,
            next_recv: None,
            closed_proof: None,
        }),
    );
    assert!(reason.contains("has not timed out") || reason.contains("is not shown absent"), "{reason}");
    // The genuine acknowledgement settles it, once.
    let ack =
        CrosschainCall::AckPacket { packet, ack: Ack::Success { data: vec![1] }, proof_height: ph, proof: ack_proof };
    a.run(RELAYER, Payload::Crosschain(ack.clone()));
    let reason = a.refused(RELAYER, Payload::Crosschain(ack));
    assert!(reason.contains("is not pending"), "{reason}");
}

#[test]
fn headers_without_a_quorum_from_another_set_or_conflicting_are_refused_and_equivocation_freezes() {
    let (a, b, link) = linked(Ordering::Unordered);
    a.advance(1);
    let h = a.head_height();
    let (header, _) = block_on(a.sealed(h)).unwrap();
    let set = block_on(a.memberships()).unwrap()[0].validators.clone();
    let msg = |hd: &hechain_chain::BlockHeader| {
        hechain_chain::BlockHeader::signing_message(&a.e.genesis.hash(), &hd.hash(a.suite()))
    };
    let next_proof = Some(block_on(a.proof(&hechain_governance::keys::gov_epoch(1), h)).unwrap());
    let update = |seal| {
        Payload::Crosschain(CrosschainCall::UpdateClient {
            client: link.client_on_b,
            header: header.clone(),
            seal,
            epoch_changes: vec![],
            next_membership: None,
            next_proof: next_proof.clone(),
        })
    };
    // Two of four signatures are not a quorum.
    let reason = b.refused(RELAYER, update(a.seal(&set, &[0, 1], &msg(&header))));
    assert!(reason.contains("a quorum is 3"), "{reason}");
    // Three signatures by keys that are not A's validators (a forked set) do not verify.
    let outsiders = LocalChain::new("X", Suite::Standard, 101, 90);
    let reason = b.refused(RELAYER, update(outsiders.seal(&set, &[0, 1, 2], &msg(&header))));
    assert!(reason.contains("does not verify"), "{reason}");
    // Without the proof that no later epoch began, a header in the latest epoch is refused.
    let reason = b.refused(
        RELAYER,
        Payload::Crosschain(CrosschainCall::UpdateClient {
            client: link.client_on_b,
            header: header.clone(),
            seal: a.seal(&set, &[0, 1, 2], &msg(&header)),
            epoch_changes: vec![],
            next_membership: None,
            next_proof: None,
        }),
    );
    assert!(reason.contains("next_proof"), "{reason}");
    // The genuine header is accepted.
    b.run(RELAYER, update(a.seal(&set, &[1, 2, 3], &msg(&header))));

    // Equivocation: a quorum of A's validators seals a different block at the same height.
    let mut other = header.clone();
    other.timestamp_ms += 1;
    let events = b.run(
        RELAYER,
        Payload::Crosschain(CrosschainCall::UpdateClient {
            client: link.client_on_b,
            header: other.clone(),
            seal: a.seal(&set, &[0, 1, 3], &msg(&other)),
            epoch_changes: vec![],
            next_membership: None,
            next_proof: next_proof.clone(),
        }),
    );
    assert!(format!("{events:?}").contains("ClientFrozen"), "{events:?}");
    let view = block_on(b.client(link.client_on_b)).unwrap();
    let m = view.client.frozen.expect("frozen");
    assert_eq!((m.height, m.conflicting), (h, other.hash(a.suite())));
    // A frozen client verifies nothing: packets stop.
    send(&a, ALICE, link.channel_a, NATIVE_DENOM, 5, b.address(BOB), b.head_height() + 100);
    let err = block_on(relay_once(&a, &b, link)).unwrap_err().to_string();
    assert!(err.contains("frozen"), "{err}");
}

/// A fork of A's history in which a quorum of A's validators sealed, at a height B's client
/// already holds, a different block that ends an epoch: shown as an epoch change on the way to a
/// later header, it is still two sealed histories, and the client freezes.
#[test]
fn a_sealed_epoch_boundary_that_conflicts_with_a_held_header_freezes_the_client() {
    // A and its fork A' share genesis, validators and block 1; at height 2, A has an empty
    // block and A' the block that adds a validator (the end of epoch 0).
    let a = LocalChain::new("A", Suite::Standard, 101, 10);
    let fork = LocalChain::new("A'", Suite::Standard, 101, 10);
    let b = LocalChain::new("B", Suite::Gm, 202, 40);
    a.advance(1);
    fork.advance(1);
    assert_eq!(block_on(a.sealed(1)).unwrap().0, block_on(fork.sealed(1)).unwrap().0);
    a.advance(1);
    fork.add_v4();
    fork.advance(1);
    let client = block_on(create_client(&b, &a)).unwrap();
    block_on(update_client(&b, client, &a, 2)).unwrap();
    // The fork's header 3, reached through its epoch change at height 2: every seal verifies.
    let (h, _) = block_on(update_client(&b, client, &fork, 3)).unwrap();
    assert_eq!(h, 3);
    let view = block_on(b.client(client)).unwrap();
    let m = view.client.frozen.expect("the client froze");
    let held = block_on(a.sealed(2)).unwrap().0.hash(a.suite());
    let boundary = block_on(fork.sealed(2)).unwrap().0.hash(a.suite());
    assert_eq!((m.height, m.held, m.conflicting), (2, held, boundary));
    assert_eq!((view.client.epoch, view.client.latest_height), (0, 2), "nothing of the fork was kept");
    // A frozen client takes no more headers, of either history.
    a.advance(2);
    let err = block_on(update_client(&b, client, &a, a.head_height())).unwrap_err().to_string();
    assert!(err.contains("frozen"), "{err}");
}

#[test]
fn a_packet_that_times_out_is_refunded_on_the_sender() {
    let (a, b, link) = linked(Ordering::Unordered);
    let (alice, bob) = (a.address(ALICE), b.address(BOB));
    let before = a.balance(&alice);
    send(&a, ALICE, link.channel_a, NATIVE_DENOM, 70, bob, b.head_height() + 2);
    b.advance(3);
    let p = block_on(relay_once(&a, &b, link)).unwrap();
    assert_eq!((p.received, p.timed_out, p.pending), (0, 1, 0), "{p:?}");
    assert_eq!(a.balance(&alice), before);
    assert_eq!(a.escrow(link.channel_a), 0);
    assert_eq!(b.supply(&format!("xc/{}/native", link.channel_b)), 0);
}

#[test]
fn the_light_client_follows_a_validator_set_change_and_packets_keep_flowing() {
    let (a, b, link) = linked(Ordering::Ordered);
    let bob = b.address(BOB);
    let voucher = format!("xc/{}/native", link.channel_b);
    send(&a, ALICE, link.channel_a, NATIVE_DENOM, 10, bob, b.head_height() + 100);
    relay_all(&a, &b, link);
    // A adds a fifth validator (epoch 1), then removes v0 (epoch 2): headers after that are
    // sealed by sets B's client has never seen, reached through A's epoch proofs.
    a.add_v4();
    a.advance(1);
    a.change_validators(hechain_governance::Action::RemoveValidator { name: "v0".into() });
    a.advance(1);
    assert_eq!(block_on(a.memberships()).unwrap().len(), 3);
    send(&a, ALICE, link.channel_a, NATIVE_DENOM, 20, bob, b.head_height() + 100);
    relay_all(&a, &b, link);
    assert_eq!(b.voucher(&bob, &voucher), 30);
    let view = block_on(b.client(link.client_on_b)).unwrap();
    assert_eq!(view.client.epoch, 2);
    assert_eq!(view.epoch.validators.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["v1", "v2", "v3", "v4"]);
    assert_eq!(a.escrow(link.channel_a), 30);
}

#[test]
fn a_notary_chains_evidence_is_recognised_on_a_court_chain_once() {
    let (a, b, link) = linked(Ordering::Unordered);
    let content = H256([7; 32]);
    a.run(ALICE, Payload::Evidence(EvidenceCall::Put { content_hash: content, meta: Default::default() }));
    let id = 1;
    // A tampered record fails its proof.
    let record = hechain_evidence::exec::record(&a.reader(), id).unwrap().expect("stored").encode();
    let (h, _) = block_on(update_client(&b, link.client_on_b, &a, block_on(latest_sealed(&a)).unwrap())).unwrap();
    let proof = block_on(a.proof(&hechain_evidence::keys::evidence_record(id), h)).unwrap();
    let mut tampered = hechain_evidence::EvidenceRecord::decode(&record).unwrap();
    tampered.submitter = Address([9; 20]);
    let reason = b.refused(
        BOB,
        Payload::Crosschain(CrosschainCall::Recognise {
            client: link.client_on_b,
            kind: RecordKind::Evidence,
            record_id: id,
            record: tampered.encode(),
            proof_height: h,
            proof,
        }),
    );
    assert!(reason.contains("the proof fails"), "{reason}");
    // Through the relayer: proven and recognised, once.
    let rid = block_on(recognise(&b, link.client_on_b, &a, RecordKind::Evidence, id)).unwrap();
    let r = hechain_crosschain::recognise::recognition(&b.reader(), rid).unwrap().unwrap();
    assert_eq!((r.kind, r.record_id, r.source_genesis), (RecordKind::Evidence, id, a.e.genesis.hash()));
    assert_eq!(r.record, record);
    assert!(r.summary.contains(&content.to_string()), "{}", r.summary);
    let err = block_on(recognise(&b, link.client_on_b, &a, RecordKind::Evidence, id)).unwrap_err().to_string();
    assert!(err.contains("already recognised"), "{err}");
}

#[test]
fn a_closed_channel_closes_on_both_sides_and_packets_in_flight_time_out_on_close() {
    let (a, b, link) = linked(Ordering::Unordered);
    let alice = a.address(ALICE);
    let before = a.balance(&alice);
    send(&a, ALICE, link.channel_a, NATIVE_DENOM, 40, b.address(BOB), b.head_height() + 1_000);
    let packet = block_on(a.pending(link.channel_a)).unwrap().remove(0);
    // Only the owner (who opened it: the relayer account) may close it.
    let r = a.refused(ALICE, Payload::Crosschain(CrosschainCall::ChannelClose { channel: link.channel_a }));
    assert!(r.contains("owner"), "{r}");
    a.run(RELAYER, Payload::Crosschain(CrosschainCall::ChannelClose { channel: link.channel_a }));
    let r = a.refused(
        ALICE,
        Payload::Crosschain(CrosschainCall::Transfer {
            channel: link.channel_a,
            denom: NATIVE_DENOM.into(),
            amount: 1,
            receiver: b.address(BOB),
            timeout_height: b.head_height() + 1_000,
            timeout_ms: 0,
        }),
    );
    assert!(r.contains("not Open"), "{r}");
    // B learns it and closes its end, on proof.
    let (h, _) = block_on(update_client(&b, link.client_on_b, &a, block_on(latest_sealed(&a)).unwrap())).unwrap();
    let end_a = block_on(a.proof(&keys::end(link.channel_a), h)).unwrap();
    b.run(
        RELAYER,
        Payload::Crosschain(CrosschainCall::ChannelCloseConfirm {
            channel: link.channel_b,
            proof_height: h,
            proof: end_a,
        }),
    );
    // The packet in flight can no longer be received…
    let commit = block_on(a.proof(&keys::commitment(link.channel_a, 1), h)).unwrap();
    let r = b.refused(
        RELAYER,
        Payload::Crosschain(CrosschainCall::RecvPacket { packet: packet.clone(), proof_height: h, proof: commit }),
    );
    assert!(r.contains("Closed"), "{r}");
    // …and times out on close: B's end proven closed and the receipt absent, before its timeout height.
    let (ph, _) = block_on(update_client(&a, link.client_on_a, &b, block_on(latest_sealed(&b)).unwrap())).unwrap();
    let absent = block_on(b.proof(&keys::receipt(link.channel_b, 1), ph)).unwrap();
    let end_b = block_on(b.proof(&keys::end(link.channel_b), ph)).unwrap();
    let timeout = |closed_proof| {
        Payload::Crosschain(CrosschainCall::TimeoutPacket {
            packet: packet.clone(),
            proof_height: ph,
            proof: absent.clone(),
            next_recv: None,
            closed_proof,
        })
    };
    let r = a.refused(RELAYER, timeout(None));
    assert!(r.contains("has not timed out"), "{r}");
    a.run(RELAYER, timeout(Some(end_b)));
    assert_eq!(a.balance(&alice), before);
    assert_eq!(a.escrow(link.channel_a), 0);
}
