//! End to end, f = 1 of 4 Byzantine: validator 3's process is replaced by this test, which
//! holds that validator's real key and member TLS certificate and misbehaves against the three
//! honest `hechain start` processes and an observer:
//!
//! * as leader it signs two different proposals for its round and sends them to different
//!   validators (equivocation);
//! * every vote it sends is followed by a second, conflicting, correctly signed vote;
//! * it sends garbage frames, undecodable bodies, badly signed votes and frames larger than the
//!   honest nodes' limit.
//!
//! The honest nodes must keep committing, never disagree on a block at any height, and refuse
//! the bad messages with a log line rather than a panic.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use common::json_ok;
use common::net::Net;
use hechain_consensus::hotstuff::{Action, Config, Core, Input, Message, Proposal, Vote};
use hechain_network::{Limits, NetConfig, Transport};
use hechain_node::bft::wire::{BlockPayload, NetMsg};
use hechain_types::H256;
use tokio::time::Instant;

const BYZ: usize = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn byzantine_validator_cannot_fork_or_stop_the_network() {
    let mut net = tokio::task::spawn_blocking(|| Net::start(4, 1, &[])).await.unwrap();
    let net_ref = &net;
    let honest = [0usize, 1, 2, 4];
    tokio::task::block_in_place(|| net_ref.wait_height(&honest, 2, Duration::from_secs(60)));
    tokio::task::block_in_place(|| net.kill9(BYZ));

    let out = net.out();
    let node_dir = out.join(&net.names[BYZ]);
    let key = hechain_node::read_node_key(&node_dir.join("node.key")).unwrap();
    let genesis = hechain_node::read_genesis(&out.join("genesis.json")).unwrap();
    let vs = hechain_node::bft::validator_set(&genesis).unwrap();
    let suite = genesis.suite();
    let mut allowed: Vec<Vec<u8>> = genesis.validators.iter().map(|v| v.public_key.clone()).collect();
    allowed.extend(genesis.observers.iter().map(|v| v.public_key.clone()));
    let my_id = key.public_key().as_bytes().to_vec();
    allowed.retain(|k| *k != my_id);
    let limits = Limits { max_frame_bytes: 24 * 1024 * 1024, ..Limits::default() };
    let cfg = NetConfig {
        listen_addr: "127.0.0.1:0".parse().unwrap(),
        cert_chain_pem: std::fs::read_to_string(node_dir.join("tls/node.crt")).unwrap(),
        key_pem: std::fs::read_to_string(node_dir.join("tls/node.key")).unwrap(),
        ca_certs_pem: genesis.orgs.iter().map(|o| o.ca_cert_pem.clone()).collect(),
        allowed_peers: allowed.into_iter().map(Into::into).collect(),
        limits,
    };
    let (transport, mut inbound) = Transport::bind(cfg).await.unwrap();
    let transport = Arc::new(transport);
    let addrs: Vec<SocketAddr> =
        (0..3).map(|i| net.init["nodes"][i]["p2p"].as_str().unwrap().parse().unwrap()).collect();
    let ids: Vec<Vec<u8>> = (0..3).map(|i| genesis.validators[i].public_key.clone()).collect();
    let connect_all = |transport: Arc<Transport>| {
        let addrs = addrs.clone();
        async move {
            let have = transport.peers();
            for a in &addrs {
                if have.len() < 3 {
                    let _ = transport.connect(*a).await;
                }
            }
        }
    };
    connect_all(transport.clone()).await;

    let mut core =
        Core::new(Config { validators: vs.clone(), me: BYZ as u32, base_timeout_ms: 1000 }, key.clone(), None).unwrap();
    let start_height = tokio::task::block_in_place(|| net.height(0));
    let mut timer: Option<(u64, Instant)> = None;
    let mut pending = core.start();
    let mut equivocations = 0u32;
    let mut payload_ts = 0u64;
    let mut double_votes = 0u32;
    let deadline = Instant::now() + Duration::from_secs(25);
    let mut junk_tick = tokio::time::interval(Duration::from_millis(700));
    let mut junk_round = 0u32;
    let send = |t: &Transport, to: &[u8], m: &NetMsg| {
        let _ = t.send(to, m.encode());
    };
    while Instant::now() < deadline {
        // Execute the core's actions, misbehaving on the way.
        for a in std::mem::take(&mut pending) {
            match a {
                Action::RequestPayload { round } => {
                    let ts = now_ms();
                    let digest = BlockPayload::digest(suite, ts, &[]);
                    payload_ts = ts;
                    if let Ok(more) = core.handle(Input::Payload { round, digest }) {
                        pending.extend(more);
                    }
                }
                Action::Broadcast(Message::Proposal(p)) => {
                    let ts = payload_ts;
                    let honest_payload = BlockPayload { timestamp_ms: ts, txs: vec![] }.encode();
                    let other_ts = ts + 1;
                    let mut other = p.block.clone();
                    other.payload_digest = BlockPayload::digest(suite, other_ts, &[]);
                    let p2 = Proposal::new(&vs, other, p.tc.clone(), &key);
                    let other_payload = BlockPayload { timestamp_ms: other_ts, txs: vec![] }.encode();
                    let first = NetMsg::Proposal { proposal: (*p).clone(), payload: honest_payload };
                    let second = NetMsg::Proposal { proposal: p2, payload: other_payload };
                    send(&transport, &ids[0], &first);
                    send(&transport, &ids[1], &first);
                    send(&transport, &ids[2], &second);
                    send(&transport, &ids[0], &second); // node 0 sees both: equivocation
                    equivocations += 1;
                }
                Action::Broadcast(m) => {
                    if let Some(msg) = to_net(m) {
                        for id in &ids {
                            send(&transport, id, &msg);
                        }
                    }
                }
                Action::Send { to, msg: Message::Vote(v) } => {
                    if let Some(id) = ids.get(to as usize) {
                        send(&transport, id, &NetMsg::Vote(v.clone()));
                        let conflicting = Vote::new(&vs, H256([0xbb; 32]), v.round, BYZ as u32, &key);
                        send(&transport, id, &NetMsg::Vote(conflicting));
                        double_votes += 1;
                    }
                }
                Action::Send { to, msg } => {
                    if let (Some(id), Some(m)) = (ids.get(to as usize), to_net(msg)) {
                        send(&transport, id, &m);
                    }
                }
                Action::ScheduleTimeout { round, duration_ms } => {
                    timer = Some((round, Instant::now() + Duration::from_millis(duration_ms)));
                }
                Action::PersistBlock(_) | Action::PersistSafety(_) | Action::Commit(_) => {}
            }
        }
        let sleep_until = timer.map(|t| t.1).unwrap_or_else(|| Instant::now() + Duration::from_secs(1));
        tokio::select! {
            m = inbound.recv() => {
                let Some(m) = m else { break };
                let Some(from) = ids.iter().position(|i| *i == m.peer_id) else { continue };
                let input = match NetMsg::decode(&m.bytes) {
                    Ok(NetMsg::Proposal { proposal, .. }) => Some(Message::Proposal(Box::new(proposal))),
                    Ok(NetMsg::Vote(v)) => Some(Message::Vote(v)),
                    Ok(NetMsg::Timeout(t)) => Some(Message::Timeout(Box::new(t))),
                    Ok(NetMsg::BlockRequest(id)) => Some(Message::BlockRequest(id)),
                    Ok(NetMsg::BlockResponse { proposal, .. }) => Some(Message::BlockResponse(Box::new(proposal))),
                    _ => None,
                };
                if let Some(msg) = input {
                    if let Ok(more) = core.handle(Input::Message { from: from as u32, msg }) {
                        pending.extend(more);
                    }
                }
            }
            _ = tokio::time::sleep_until(sleep_until) => {
                if let Some((round, _)) = timer.take() {
                    if let Ok(more) = core.handle(Input::Timeout { round }) {
                        pending.extend(more);
                    }
                }
            }
            _ = junk_tick.tick() => {
                junk_round += 1;
                let target = &ids[(junk_round as usize) % 3];
                let _ = transport.send(target, vec![0xde, 0xad, 0xbe, 0xef]);
                let _ = transport.send(target, vec![1, 0xff, 0xff, 0xff, 0xff, 0x01]);
                let mut bad = Vote::new(&vs, H256([1; 32]), core.round(), BYZ as u32, &key);
                bad.signature.0[0] ^= 0xff;
                send(&transport, target, &NetMsg::Vote(bad));
                if junk_round % 10 == 5 {
                    // Larger than the honest nodes' 16 MiB frame limit: they drop the connection.
                    let _ = transport.send(target, vec![7u8; 17 * 1024 * 1024]);
                }
                connect_all(transport.clone()).await;
            }
        }
    }
    transport.shutdown();

    // Meanwhile and afterwards the honest nodes commit, and agree on every block.
    let key0 = net.test_key(0);
    let net_ref = &net;
    tokio::task::block_in_place(|| {
        json_ok(
            &net_ref.cli(1, &["--json", "--key", &key0, "transfer", "0x000000000000000000000000000000000000dEaD", "3"]),
        );
        let h = honest.iter().map(|&i| net_ref.height(i)).min().unwrap_or(0);
        assert!(h >= start_height + 5, "honest nodes stalled: {start_height} -> {h}");
        net_ref.wait_height(&honest, h, Duration::from_secs(30));
        net_ref.assert_same_chain(&honest, h);
        let logs: String = [0usize, 1, 2].iter().map(|&i| net_ref.log(i)).collect();
        assert!(!logs.contains("panicked"), "a node panicked");
        assert!(logs.contains("refused a frame"), "garbage frames were not logged as refused");
        assert!(logs.contains("bad signature") || logs.contains("refused"), "bad votes not refused");
        if equivocations > 0 {
            assert!(logs.contains("equivocation detected"), "double proposal not detected");
        }
        assert!(double_votes > 0, "the Byzantine validator never voted");
        for i in [0usize, 1, 2] {
            assert_eq!(net_ref.consensus(i)["safety_violations"], 0);
        }
    });
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

fn to_net(m: Message) -> Option<NetMsg> {
    Some(match m {
        Message::Vote(v) => NetMsg::Vote(v),
        Message::Timeout(t) => NetMsg::Timeout(*t),
        Message::BlockRequest(id) => NetMsg::BlockRequest(id),
        Message::BlockResponse(p) => NetMsg::BlockResponse { proposal: *p, payload: None },
        Message::Proposal(_) => return None,
    })
}
