//! Real mutual TLS over 127.0.0.1 between transports built from two member org CAs.

use hechain_crypto::{NodeKey, Suite};
use hechain_network::pki::{self, OrgCa};
use hechain_network::{Inbound, Limits, NetConfig, NetError, NodeCert, Transport};
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
        allowed_peers: allowed.iter().map(|n| n.id.clone()).collect(),
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
