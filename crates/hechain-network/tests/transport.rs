//! Real mutual TLS over 127.0.0.1 between transports built from two member org CAs.

use hechain_crypto::{NodeKey, Suite};
use hechain_network::pki::{self, OrgCa};
use hechain_network::{AllowedPeer, Inbound, Limits, NetConfig, NetError, NodeCert, Transport};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc::Receiver;

const WAIT: Duration = Duration::from_secs(10);

struct Node {
    id: Vec<u8>,
    cert: NodeCert,
}

fn node(ca: &OrgCa, name: &str) -> Node {
    node_in(ca, name, Suite::Standard)
}

fn node_in(ca: &OrgCa, name: &str, suite: Suite) -> Node {
    let id = NodeKey::generate(suite).public_key().as_bytes().to_vec();
    let cert = ca.issue_node_cert(name, &id).unwrap();
    Node { id, cert }
}

/// Logs go to the test output (shown for failing tests, or with `--nocapture`); `RUST_LOG` filters.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("hechain_network=debug"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
}

fn config(n: &Node, cas: &[&OrgCa], allowed: &[&Node], limits: Limits) -> NetConfig {
    init_logs();
    NetConfig {
        listen_addr: "127.0.0.1:0".parse().unwrap(),
        cert_chain_pem: n.cert.cert_pem.clone(),
        key_pem: n.cert.key_pem.clone(),
        ca_certs_pem: cas.iter().map(|c| c.cert_pem().to_owned()).collect(),
        allowed_peers: allowed.iter().map(|n| n.id.clone().into()).collect(),
        limits,
    }
}

async fn start(n: &Node, cas: &[&OrgCa], allowed: &[&Node]) -> (Transport, Receiver<Inbound>) {
    Transport::bind(config(n, cas, allowed, Limits::default())).await.unwrap()
}

async fn recv(rx: &mut Receiver<Inbound>) -> Inbound {
    tokio::time::timeout(WAIT, rx.recv()).await.expect("timed out waiting for a message").expect("channel closed")
}

async fn wait_until(mut cond: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !cond() {
        assert!(tokio::time::Instant::now() < deadline, "condition not reached in time");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

struct Consortium {
    org1: OrgCa,
    org2: OrgCa,
    a: Node,
    b: Node,
    c: Node,
}

fn consortium() -> Consortium {
    let org1 = OrgCa::generate("org1").unwrap();
    let org2 = OrgCa::generate("org2").unwrap();
    let a = node(&org1, "a");
    let b = node(&org2, "b");
    // c uses the GM suite: a 33-byte SM2 node id.
    let c = node_in(&org2, "c", Suite::Gm);
    Consortium { org1, org2, a, b, c }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_exchange_messages_both_ways() {
    let k = consortium();
    let cas = [&k.org1, &k.org2];
    let (ta, mut ra) = start(&k.a, &cas, &[&k.a, &k.b]).await;
    let (tb, mut rb) = start(&k.b, &cas, &[&k.a, &k.b]).await;

    let id = ta.connect(tb.local_addr()).await.unwrap();
    assert_eq!(id, k.b.id);
    wait_until(|| tb.peers() == vec![k.a.id.clone()]).await;
    assert_eq!(ta.peers(), vec![k.b.id.clone()]);

    ta.send(&k.b.id, b"hello b".to_vec()).unwrap();
    assert_eq!(recv(&mut rb).await, Inbound { peer_id: k.a.id.clone(), bytes: b"hello b".to_vec() });
    tb.send(&k.a.id, b"hello a".to_vec()).unwrap();
    assert_eq!(recv(&mut ra).await, Inbound { peer_id: k.b.id.clone(), bytes: b"hello a".to_vec() });

    // Empty frames and many frames in order.
    for i in 0..100u32 {
        ta.send(&k.b.id, i.to_be_bytes().to_vec()).unwrap();
    }
    ta.send(&k.b.id, Vec::new()).unwrap();
    for i in 0..100u32 {
        assert_eq!(recv(&mut rb).await.bytes, i.to_be_bytes().to_vec());
    }
    assert!(recv(&mut rb).await.bytes.is_empty());

    // A second connection to the same peer is refused.
    assert!(matches!(ta.connect(tb.local_addr()).await, Err(NetError::AlreadyConnected(_))));
    assert!(matches!(ta.send(&k.c.id, b"x".to_vec()), Err(NetError::UnknownPeer(_))));

    ta.shutdown();
    wait_until(|| tb.peers().is_empty()).await;
    assert!(matches!(ta.connect(tb.local_addr()).await, Err(NetError::Shutdown)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_from_two_orgs_broadcast() {
    let k = consortium();
    let cas = [&k.org1, &k.org2];
    let all = [&k.a, &k.b, &k.c];
    let (ta, mut ra) = start(&k.a, &cas, &all).await;
    let (tb, mut rb) = start(&k.b, &cas, &all).await;
    let (tc, mut rc) = start(&k.c, &cas, &all).await;

    ta.connect(tb.local_addr()).await.unwrap();
    ta.connect(tc.local_addr()).await.unwrap();
    tb.connect(tc.local_addr()).await.unwrap();
    wait_until(|| ta.peers().len() == 2 && tb.peers().len() == 2 && tc.peers().len() == 2).await;

    assert_eq!(ta.broadcast(b"from a".to_vec()).unwrap(), 2);
    assert_eq!(tb.broadcast(b"from b".to_vec()).unwrap(), 2);
    assert_eq!(tc.broadcast(b"from c".to_vec()).unwrap(), 2);

    let mut got_a = [recv(&mut ra).await, recv(&mut ra).await];
    got_a.sort_by(|x, y| x.bytes.cmp(&y.bytes));
    assert_eq!(got_a[0], Inbound { peer_id: k.b.id.clone(), bytes: b"from b".to_vec() });
    assert_eq!(got_a[1], Inbound { peer_id: k.c.id.clone(), bytes: b"from c".to_vec() });
    let mut got_b: Vec<_> = vec![recv(&mut rb).await, recv(&mut rb).await].into_iter().map(|m| m.bytes).collect();
    got_b.sort();
    assert_eq!(got_b, vec![b"from a".to_vec(), b"from c".to_vec()]);
    let mut got_c: Vec<_> = vec![recv(&mut rc).await, recv(&mut rc).await].into_iter().map(|m| m.bytes).collect();
    got_c.sort();
    assert_eq!(got_c, vec![b"from a".to_vec(), b"from b".to_vec()]);

    // Frames over the local limit are refused before queueing.
    let too_big = vec![0u8; Limits::default().max_frame_bytes + 1];
    assert!(matches!(ta.broadcast(too_big), Err(NetError::FrameTooLarge { .. })));

    drop(ta);
    drop(tb);
    drop(tc);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_from_non_member_ca_is_refused() {
    let k = consortium();
    let rogue_ca = OrgCa::generate("rogue").unwrap();
    // The rogue node even claims an allowed node id (b's) and trusts the member CAs.
    let rogue = Node { id: k.b.id.clone(), cert: rogue_ca.issue_node_cert("rogue", &k.b.id).unwrap() };
    let cas = [&k.org1, &k.org2];
    let (ta, _ra) = start(&k.a, &cas, &[&k.a, &k.b]).await;
    let (tr, _rr) = start(&rogue, &[&k.org1, &k.org2, &rogue_ca], &[&k.a, &k.b]).await;

    // Dialing the rogue node: its server certificate does not chain to a member CA.
    let err = ta.connect(tr.local_addr()).await.unwrap_err();
    assert!(matches!(err, NetError::Handshake { .. }), "{err}");
    assert!(ta.peers().is_empty());

    // The rogue node dialing us: we reject its client certificate. (With TLS 1.3 the dialer may
    // see a completed handshake, but the connection is closed at once.)
    let _ = tr.connect(ta.local_addr()).await;
    wait_until(|| tr.peers().is_empty()).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(ta.peers().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_cert_with_disallowed_node_id_is_refused() {
    let k = consortium();
    let cas = [&k.org1, &k.org2];
    // c has a valid org2 certificate but is not in a's allowed set.
    let (ta, _ra) = start(&k.a, &cas, &[&k.a, &k.b]).await;
    let (tc, _rc) = start(&k.c, &cas, &[&k.a, &k.b, &k.c]).await;

    let err = ta.connect(tc.local_addr()).await.unwrap_err();
    assert!(matches!(err, NetError::Handshake { .. }), "{err}");

    let _ = tc.connect(ta.local_addr()).await;
    wait_until(|| tc.peers().is_empty()).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(ta.peers().is_empty());

    // An allowed node still gets in afterwards.
    let (tb, _rb) = start(&k.b, &cas, &[&k.a, &k.b]).await;
    tb.connect(ta.local_addr()).await.unwrap();
    wait_until(|| ta.peers() == vec![k.b.id.clone()]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_frame_closes_connection_and_node_serves_others() {
    let k = consortium();
    let cas = [&k.org1, &k.org2];
    let all = [&k.a, &k.b, &k.c];
    let small = Limits { max_frame_bytes: 1024, ..Limits::default() };
    let (tb, mut rb) = Transport::bind(config(&k.b, &cas, &all, small)).await.unwrap();
    let (ta, _ra) = start(&k.a, &cas, &all).await;
    let (tc, _rc) = start(&k.c, &cas, &all).await;

    ta.connect(tb.local_addr()).await.unwrap();
    wait_until(|| tb.peers().len() == 1).await;
    ta.send(&k.b.id, vec![7u8; 1024]).unwrap();
    assert_eq!(recv(&mut rb).await.bytes.len(), 1024);
    // b's limit is 1024; a (limit 16 MiB) sends 1025 bytes: b closes the connection.
    ta.send(&k.b.id, vec![7u8; 1025]).unwrap();
    wait_until(|| tb.peers().is_empty() && ta.peers().is_empty()).await;

    // b still serves others, and a may reconnect.
    tc.connect(tb.local_addr()).await.unwrap();
    tc.send(&k.b.id, b"still alive".to_vec()).unwrap();
    assert_eq!(recv(&mut rb).await, Inbound { peer_id: k.c.id.clone(), bytes: b"still alive".to_vec() });
    ta.connect(tb.local_addr()).await.unwrap();
    ta.send(&k.b.id, b"back".to_vec()).unwrap();
    assert_eq!(recv(&mut rb).await.bytes, b"back".to_vec());
    // b refuses to send frames over its own limit.
    assert!(matches!(tb.send(&k.c.id, vec![0u8; 1025]), Err(NetError::FrameTooLarge { len: 1025, max: 1024 })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_outbound_queue_returns_queue_full() {
    let k = consortium();
    let cas = [&k.org1, &k.org2];
    let all = [&k.a, &k.b];
    let a_limits = Limits { outbound_queue: 4, ..Limits::default() };
    // b never reads its inbound channel (capacity 1), so TCP back-pressure stalls a's writer.
    let b_limits = Limits { inbound_queue: 1, ..Limits::default() };
    let (ta, _ra) = Transport::bind(config(&k.a, &cas, &all, a_limits)).await.unwrap();
    let (tb, _rb) = Transport::bind(config(&k.b, &cas, &all, b_limits)).await.unwrap();
    ta.connect(tb.local_addr()).await.unwrap();

    let msg: std::sync::Arc<[u8]> = vec![1u8; 1 << 20].into();
    let mut full = None;
    for i in 0..2000 {
        match ta.send(&k.b.id, msg.clone()) {
            Ok(()) => tokio::time::sleep(Duration::from_millis(1)).await,
            Err(e) => {
                full = Some((i, e));
                break;
            }
        }
    }
    let (sent, err) = full.expect("queue never filled up");
    assert!(matches!(err, NetError::QueueFull(_)), "{err}");
    assert!(sent >= 4, "at least the queue capacity was accepted, got {sent}");
    assert_eq!(ta.dropped_messages(), 1);
    assert!(matches!(ta.send(&k.b.id, msg.clone()), Err(NetError::QueueFull(_))));
    assert_eq!(ta.dropped_messages(), 2);
    // Broadcast drops (and counts) too, without error.
    assert_eq!(ta.broadcast(msg).unwrap(), 0);
    assert_eq!(ta.dropped_messages(), 3);
    ta.shutdown();
    tb.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_bytes_do_not_crash_the_listener() {
    let k = consortium();
    let cas = [&k.org1, &k.org2];
    let all = [&k.a, &k.b];
    let (ta, mut ra) = start(&k.a, &cas, &all).await;

    let garbage: [&[u8]; 4] = [
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        &[0xff; 4096],
        &[0x16, 0x03, 0x01, 0xff, 0xff, 0x01, 0x00],
        &[0x16, 0x03, 0x03, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00],
    ];
    for g in garbage {
        let mut s = tokio::net::TcpStream::connect(ta.local_addr()).await.unwrap();
        let _ = s.write_all(g).await;
        let _ = s.shutdown().await;
    }
    // A connection that sends nothing and closes at once.
    drop(tokio::net::TcpStream::connect(ta.local_addr()).await.unwrap());

    let (tb, _rb) = start(&k.b, &cas, &all).await;
    tb.connect(ta.local_addr()).await.unwrap();
    tb.send(&k.a.id, b"ok".to_vec()).unwrap();
    assert_eq!(recv(&mut ra).await, Inbound { peer_id: k.b.id.clone(), bytes: b"ok".to_vec() });
    assert!(ta.peers() == vec![k.b.id.clone()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pki_survives_a_pem_file_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let org = OrgCa::generate("org1").unwrap();
    pki::write_pem_file(dir.path().join("ca.pem"), org.cert_pem()).unwrap();
    pki::write_pem_file(dir.path().join("ca.key"), &org.key_pem()).unwrap();
    let ca_pem = pki::read_pem_file(dir.path().join("ca.pem")).unwrap();
    let restored = OrgCa::from_pem("org1", &ca_pem, &pki::read_pem_file(dir.path().join("ca.key")).unwrap()).unwrap();

    // Certificates issued by the restored CA are trusted under the original CA certificate.
    let a = node(&org, "a");
    let b = node(&restored, "b");
    let (ta, mut ra) = start(&a, &[&org], &[&a, &b]).await;
    let (tb, _rb) = start(&b, &[&restored], &[&a, &b]).await;
    tb.connect(ta.local_addr()).await.unwrap();
    tb.send(&a.id, b"restored".to_vec()).unwrap();
    assert_eq!(recv(&mut ra).await.bytes, b"restored".to_vec());

    assert!(matches!(pki::parse_certs_pem("not pem"), Err(NetError::Pem(_))));
    assert!(matches!(pki::parse_key_pem("not pem"), Err(NetError::Pem(_))));
    assert!(matches!(pki::read_pem_file(dir.path().join("missing.pem")), Err(NetError::Io { .. })));
    assert!(matches!(OrgCa::from_pem("x", &ca_pem, "garbage"), Err(NetError::Pem(_))));
}

// ---- Run-time membership changes (`Transport::set_members`) ----

fn pems(cas: &[&OrgCa]) -> Vec<String> {
    cas.iter().map(|c| c.cert_pem().to_owned()).collect()
}

fn ids(nodes: &[&Node]) -> Vec<AllowedPeer> {
    nodes.iter().map(|n| n.id.clone().into()).collect()
}

/// `dialer` dials `listener`, which must refuse it. With TLS 1.3 the dialer may see a completed
/// handshake; the listener then closes the connection at once, which the dialer must notice
/// (a listener that accepted would keep it open, and the wait would time out).
async fn assert_listener_refuses(dialer: &Transport, dialer_node: &Node, listener: &Transport, listener_node: &Node) {
    if dialer.connect(listener.local_addr()).await.is_ok() {
        wait_until(|| !dialer.peers().contains(&listener_node.id)).await;
    }
    assert!(!listener.peers().contains(&dialer_node.id), "listener registered a refused dialer");
}

/// `dialer` dials `listener` and must itself refuse the listener's certificate.
async fn assert_dialer_refuses(dialer: &Transport, listener: &Transport, listener_node: &Node) {
    let res = dialer.connect(listener.local_addr()).await;
    assert!(matches!(res, Err(NetError::Handshake { .. })), "{res:?}");
    assert!(!dialer.peers().contains(&listener_node.id));
}

/// `x` and `y` are connected to each other and a message gets through in each direction.
async fn assert_exchange(
    (tx, nx, rx): (&Transport, &Node, &mut Receiver<Inbound>),
    (ty, ny, ry): (&Transport, &Node, &mut Receiver<Inbound>),
    text: &str,
) {
    wait_until(|| tx.peers().contains(&ny.id) && ty.peers().contains(&nx.id)).await;
    tx.send(&ny.id, format!("{text} x->y").into_bytes()).unwrap();
    assert_eq!(recv(ry).await, Inbound { peer_id: nx.id.clone(), bytes: format!("{text} x->y").into_bytes() });
    ty.send(&nx.id, format!("{text} y->x").into_bytes()).unwrap();
    assert_eq!(recv(rx).await, Inbound { peer_id: ny.id.clone(), bytes: format!("{text} y->x").into_bytes() });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_members_admits_a_node_that_was_not_allowed() {
    let k = consortium();
    let cas = [&k.org1, &k.org2];
    // c has a valid org2 certificate but is not (yet) in a's allowed set.
    let (ta, mut ra) = start(&k.a, &cas, &[&k.a, &k.b]).await;
    let (tc, mut rc) = start(&k.c, &cas, &[&k.a, &k.b, &k.c]).await;
    assert_dialer_refuses(&ta, &tc, &k.c).await;
    assert_listener_refuses(&tc, &k.c, &ta, &k.a).await;

    ta.set_members(&pems(&cas), &ids(&[&k.a, &k.b, &k.c])).unwrap();

    // Inbound: a's accept loop uses the new configuration.
    assert_eq!(tc.connect(ta.local_addr()).await.unwrap(), k.a.id);
    assert_exchange((&ta, &k.a, &mut ra), (&tc, &k.c, &mut rc), "inbound").await;

    // Outbound: a's dialer uses the new configuration.
    ta.disconnect(&k.c.id);
    wait_until(|| tc.peers().is_empty()).await;
    assert_eq!(ta.connect(tc.local_addr()).await.unwrap(), k.c.id);
    assert_exchange((&ta, &k.a, &mut ra), (&tc, &k.c, &mut rc), "outbound").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_members_removal_closes_the_connection_and_refuses_new_ones() {
    let k = consortium();
    let cas = [&k.org1, &k.org2];
    let all = [&k.a, &k.b, &k.c];
    let (ta, mut ra) = start(&k.a, &cas, &all).await;
    let (tb, mut rb) = start(&k.b, &cas, &all).await;
    let (tc, _rc) = start(&k.c, &cas, &all).await;
    ta.connect(tb.local_addr()).await.unwrap();
    tc.connect(ta.local_addr()).await.unwrap();
    wait_until(|| ta.peers().len() == 2 && tb.peers() == vec![k.a.id.clone()] && tc.peers() == vec![k.a.id.clone()])
        .await;

    ta.set_members(&pems(&cas), &ids(&[&k.a, &k.b])).unwrap();

    // c's connection is closed on both sides; b's stays and still carries messages.
    wait_until(|| ta.peers() == vec![k.b.id.clone()] && tc.peers().is_empty()).await;
    assert!(matches!(ta.send(&k.c.id, b"x".to_vec()), Err(NetError::UnknownPeer(_))));
    assert_exchange((&ta, &k.a, &mut ra), (&tb, &k.b, &mut rb), "b stays").await;

    // New connections with c are refused in both directions.
    assert_listener_refuses(&tc, &k.c, &ta, &k.a).await;
    assert_dialer_refuses(&ta, &tc, &k.c).await;
    assert_eq!(ta.peers(), vec![k.b.id.clone()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_org_ca_is_trusted_only_while_it_is_a_member() {
    let k = consortium();
    let org3 = OrgCa::generate("org3").unwrap();
    let d = node(&org3, "d");
    let old_cas = [&k.org1, &k.org2];
    let new_cas = [&k.org1, &k.org2, &org3];
    let (ta, mut ra) = start(&k.a, &old_cas, &[&k.a, &k.b]).await;
    let (td, mut rd) = start(&d, &new_cas, &[&k.a, &k.b, &d]).await;

    // Neither d's CA nor its id is a member.
    assert_dialer_refuses(&ta, &td, &d).await;
    assert_listener_refuses(&td, &d, &ta, &k.a).await;
    // Its id alone is not enough: the chain does not end at a member CA.
    ta.set_members(&pems(&old_cas), &ids(&[&k.a, &k.b, &d])).unwrap();
    assert_dialer_refuses(&ta, &td, &d).await;
    assert_listener_refuses(&td, &d, &ta, &k.a).await;
    // Its CA alone is not enough either: d's id is not allowed.
    ta.set_members(&pems(&new_cas), &ids(&[&k.a, &k.b])).unwrap();
    assert_dialer_refuses(&ta, &td, &d).await;
    assert_listener_refuses(&td, &d, &ta, &k.a).await;

    // Both: d connects, in either direction.
    ta.set_members(&pems(&new_cas), &ids(&[&k.a, &k.b, &d])).unwrap();
    assert_eq!(ta.connect(td.local_addr()).await.unwrap(), d.id);
    assert_exchange((&ta, &k.a, &mut ra), (&td, &d, &mut rd), "outbound").await;
    ta.disconnect(&d.id);
    wait_until(|| td.peers().is_empty()).await;
    assert_eq!(td.connect(ta.local_addr()).await.unwrap(), k.a.id);
    assert_exchange((&ta, &k.a, &mut ra), (&td, &d, &mut rd), "inbound").await;

    // org3 leaves, with its node: d is disconnected and refused again.
    ta.set_members(&pems(&old_cas), &ids(&[&k.a, &k.b])).unwrap();
    wait_until(|| ta.peers().is_empty() && td.peers().is_empty()).await;
    assert_dialer_refuses(&ta, &td, &d).await;
    assert_listener_refuses(&td, &d, &ta, &k.a).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_set_members_keeps_the_old_members() {
    let k = consortium();
    let cas = [&k.org1, &k.org2];
    let all = [&k.a, &k.b, &k.c];
    let (ta, mut ra) = start(&k.a, &cas, &all).await;
    let (tb, mut rb) = start(&k.b, &cas, &all).await;
    let (tc, mut rc) = start(&k.c, &cas, &all).await;
    ta.connect(tb.local_addr()).await.unwrap();
    wait_until(|| tb.peers() == vec![k.a.id.clone()]).await;

    // Each attempt would drop b (and c) if it took effect.
    let only_a = ids(&[&k.a]);
    let not_pem = vec!["not a certificate".to_owned()];
    assert!(matches!(ta.set_members(&not_pem, &only_a), Err(NetError::Pem(_))));
    // Valid PEM framing around bytes that are no certificate, after a good CA: the whole set is refused.
    let bad_der =
        vec![k.org1.cert_pem().to_owned(), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".into()];
    let res = ta.set_members(&bad_der, &only_a);
    assert!(matches!(res, Err(NetError::TlsConfig(_) | NetError::Pem(_))), "{res:?}");
    // No trust roots at all.
    assert!(matches!(ta.set_members(&[], &only_a), Err(NetError::TlsConfig(_))));

    // The old configuration is still in force: b's connection is up and carries messages...
    assert_eq!(ta.peers(), vec![k.b.id.clone()]);
    assert_exchange((&ta, &k.a, &mut ra), (&tb, &k.b, &mut rb), "still connected").await;
    // ...c, allowed only by the old set, is accepted inbound...
    tc.connect(ta.local_addr()).await.unwrap();
    assert_exchange((&ta, &k.a, &mut ra), (&tc, &k.c, &mut rc), "inbound").await;
    // ...and a dials with the old set too.
    ta.disconnect(&k.b.id);
    wait_until(|| tb.peers().is_empty()).await;
    ta.connect(tb.local_addr()).await.unwrap();
    assert_exchange((&ta, &k.a, &mut ra), (&tb, &k.b, &mut rb), "outbound").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_members_runs_concurrently_with_traffic_and_handshakes() {
    let k = consortium();
    let cas = [&k.org1, &k.org2];
    let all = [&k.a, &k.b, &k.c];
    let (ta, _ra) = start(&k.a, &cas, &all).await;
    let (tb, mut rb) = start(&k.b, &cas, &all).await;
    let (tc, _rc) = start(&k.c, &cas, &all).await;
    ta.connect(tb.local_addr()).await.unwrap();
    wait_until(|| tb.peers() == vec![k.a.id.clone()]).await;

    // The same member set over and over, listed in different orders, from another thread.
    let ta = std::sync::Arc::new(ta);
    let churn = tokio::task::spawn_blocking({
        let ta = ta.clone();
        let (forward, backward) = ((pems(&cas), ids(&all)), (pems(&[&k.org2, &k.org1]), ids(&[&k.c, &k.b, &k.a])));
        move || {
            for i in 0..200 {
                let (c, p) = if i % 2 == 0 { &forward } else { &backward };
                ta.set_members(c, p).unwrap();
            }
        }
    });
    // Meanwhile a sends to b, and c connects to a.
    let connect_c = tc.connect(ta.local_addr());
    let send = async {
        for i in 0..200u32 {
            ta.send(&k.b.id, i.to_be_bytes().to_vec()).unwrap();
            tokio::task::yield_now().await;
        }
    };
    let (id, ()) = tokio::join!(connect_c, send);
    assert_eq!(id.unwrap(), k.a.id);
    tokio::time::timeout(WAIT, churn).await.expect("set_members calls timed out").unwrap();

    for i in 0..200u32 {
        assert_eq!(recv(&mut rb).await, Inbound { peer_id: k.a.id.clone(), bytes: i.to_be_bytes().to_vec() });
    }
    let mut b_and_c = vec![k.b.id.clone(), k.c.id.clone()];
    b_and_c.sort();
    wait_until(|| ta.peers() == b_and_c).await;
}

// ---- Identities bound to their organisation ----

/// Org2 issues a certificate carrying org1's node a's id. With a bound to org1's CA, the
/// impostor is refused both ways (dialing in and being dialed), and the real a still connects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_id_is_believed_only_from_its_own_organisation() {
    let k = consortium();
    let cas = [&k.org1, &k.org2];
    let impostor = Node { id: k.a.id.clone(), cert: k.org2.issue_node_cert("a", &k.a.id).unwrap() };
    let bound = |n: &Node, ca: &OrgCa| AllowedPeer { id: n.id.clone(), issuer_pem: Some(ca.cert_pem().to_owned()) };
    let b_config =
        NetConfig { allowed_peers: vec![bound(&k.a, &k.org1)], ..config(&k.b, &cas, &[], Limits::default()) };
    let (tb, _rb) = Transport::bind(b_config).await.unwrap();
    // b dials the impostor: refused.
    let (ti, _ri) = start(&impostor, &cas, &[&k.b]).await;
    let err = tb.connect(ti.local_addr()).await.unwrap_err();
    assert!(matches!(err, NetError::Handshake { .. }), "{err}");
    // The impostor dials b (in TLS 1.3 the dialer finishes first): b refuses it and stays free
    // for the real a.
    let _ = ti.connect(tb.local_addr()).await;
    wait_until(|| ti.peers().is_empty()).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(tb.peers().is_empty(), "the impostor was admitted as {:?}", tb.peers());
    // The real a, issued by org1, connects.
    let (ta, _ra) = start(&k.a, &cas, &[&k.b]).await;
    assert_eq!(ta.connect(tb.local_addr()).await.unwrap(), k.b.id);
    wait_until(|| tb.peers() == vec![k.a.id.clone()]).await;
}

/// Node certificates are valid for about two years from now, not 1975–4096.
#[test]
fn node_certificates_have_a_sane_validity() {
    let ca = OrgCa::generate("org1").unwrap();
    let cert = ca.issue_node_cert("a", &[1; 33]).unwrap();
    let der = pki::parse_certs_pem(&cert.cert_pem).unwrap().remove(0);
    let (_, parsed) = x509_parser::parse_x509_certificate(&der).unwrap();
    let days = (parsed.validity().not_after.timestamp() - parsed.validity().not_before.timestamp()) / 86_400;
    assert!((825..=826).contains(&days), "{days} days");
}

/// Only TLS 1.3 is spoken between nodes: a member offering only TLS 1.2 is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_1_2_is_refused() {
    let k = consortium();
    let cas = [&k.org1, &k.org2];
    let (tb, _rb) = start(&k.b, &cas, &[&k.a]).await;
    let mut roots = rustls::RootCertStore::empty();
    for ca in cas {
        roots.add(pki::parse_certs_pem(ca.cert_pem()).unwrap().remove(0)).unwrap();
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls12 = |versions: &[&'static rustls::SupportedProtocolVersion]| {
        rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(versions)
            .unwrap()
            .with_root_certificates(roots.clone())
            .with_client_auth_cert(
                pki::parse_certs_pem(&k.a.cert.cert_pem).unwrap(),
                pki::parse_key_pem(&k.a.cert.key_pem).unwrap(),
            )
            .unwrap()
    };
    let name = rustls_pki_types::ServerName::try_from(pki::node_dns_name(&k.b.id)).unwrap();
    let dial = |config: rustls::ClientConfig| {
        let name = name.clone();
        let addr = tb.local_addr();
        async move {
            let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
            tokio_rustls::TlsConnector::from(std::sync::Arc::new(config)).connect(name, tcp).await
        }
    };
    assert!(dial(tls12(&[&rustls::version::TLS12])).await.is_err(), "a TLS 1.2 handshake succeeded");
    // The same client with TLS 1.3 gets through the handshake.
    assert!(dial(tls12(&[&rustls::version::TLS13])).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_certificate_is_disconnected_at_once_and_refused_until_renewed() {
    let k = consortium();
    let cas = [&k.org1, &k.org2];
    let all = [&k.a, &k.b, &k.c];
    let (ta, mut ra) = start(&k.a, &cas, &all).await;
    let (tb, _rb) = start(&k.b, &cas, &all).await;
    let (tc, mut rc) = start(&k.c, &cas, &all).await;
    ta.connect(tb.local_addr()).await.unwrap();
    tc.connect(ta.local_addr()).await.unwrap();
    wait_until(|| ta.peers().len() == 2).await;

    let b_cert = hechain_network::revoked::pem_fingerprints(&k.b.cert.cert_pem).unwrap();
    assert_eq!(ta.set_revoked(&b_cert), 1);
    // b is gone on both sides; c stays and still carries messages.
    wait_until(|| ta.peers() == vec![k.c.id.clone()] && tb.peers().is_empty()).await;
    assert_exchange((&ta, &k.a, &mut ra), (&tc, &k.c, &mut rc), "c stays").await;
    // Neither direction gets through with the revoked certificate.
    assert_listener_refuses(&tb, &k.b, &ta, &k.a).await;
    // (a may resume its earlier TLS session with b, which skips certificate verification; the
    // revocation check at registration refuses it then.)
    let res = ta.connect(tb.local_addr()).await;
    assert!(matches!(res, Err(NetError::Handshake { .. } | NetError::PeerNotAllowed { .. })), "{res:?}");
    assert!(!ta.peers().contains(&k.b.id));

    // The same node with a new certificate from its organisation connects again.
    let renewed = Node { id: k.b.id.clone(), cert: k.org2.issue_node_cert("b", &k.b.id).unwrap() };
    let (tb2, mut rb2) = start(&renewed, &cas, &all).await;
    assert_eq!(tb2.connect(ta.local_addr()).await.unwrap(), k.a.id);
    assert_exchange((&ta, &k.a, &mut ra), (&tb2, &renewed, &mut rb2), "renewed").await;
    // Setting the same list again changes nothing and disconnects nobody.
    assert_eq!(ta.set_revoked(&b_cert), 0);
}
