//! Requests an attacker would send, each of which once cost the node without bound: every one
//! must now get a clear refusal or a bounded answer, and leave the node serving others.
//! (`eth_feeHistory` with huge percentile lists, endless `eth_call`s, filters guessed or
//! hoarded, idle and half-sent connections.)

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use hechain_rpc::eth::EthLimits;
use hechain_rpc::{RpcConfig, ServerLimits};
use hechain_testkit::{Options, TestNode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

fn with_eth(eth: EthLimits) -> Options {
    Options { rpc: RpcConfig { eth, ..RpcConfig::default() }, ..Options::default() }
}

/// A client whose connections come from `ip` (any 127.0.0.0/8 address is this host).
fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::from(ip)).build().unwrap()
}

async fn rpc_from(n: &TestNode, c: &reqwest::Client, method: &str, params: Value) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    let r = c.post(n.url("/")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn rpc(n: &TestNode, method: &str, params: Value) -> Value {
    rpc_from(n, &n.client, method, params).await
}

fn error_code(v: &Value) -> i64 {
    v["error"]["code"].as_i64().unwrap_or_else(|| panic!("expected an error: {v}"))
}

#[tokio::test]
async fn fee_history_is_bounded() {
    let mut n = TestNode::start().await;
    for _ in 0..3 {
        n.produce_block();
    }
    // 100,000 percentiles (a 300 KB request) once took 2.7 GB.
    let many: Vec<u32> = (0..100_000).map(|i| i % 100).collect();
    let v = rpc(&n, "eth_feeHistory", json!(["0x400", "latest", many])).await;
    assert_eq!(error_code(&v), -32005, "{}", v["error"]);
    // Percentiles must be numbers from 0 to 100, ascending.
    for bad in [json!([50, 10]), json!([101]), json!(["x"]), json!(7)] {
        let v = rpc(&n, "eth_feeHistory", json!(["0x4", "latest", bad])).await;
        assert_eq!(error_code(&v), -32602, "{bad}: {}", v["error"]);
    }
    // The most a client may ask for is answered, in size proportional to the chain.
    let v = rpc(&n, "eth_feeHistory", json!(["0x100000", "latest", (0..100).collect::<Vec<u32>>()])).await;
    let r = &v["result"];
    assert_eq!(r["reward"].as_array().unwrap().len(), 4, "{r}");
    assert_eq!(r["reward"][0].as_array().unwrap().len(), 100);
    n.shutdown().await.unwrap();
}

const ENDLESS: &str = "0x5b600056"; // JUMPDEST PUSH1 0 JUMP

#[tokio::test]
async fn endless_calls_are_capped_and_timed_out() {
    // Default limits: a gas of 2^64-1 is lowered to the cap, so the loop runs out of gas.
    let mut n = TestNode::start().await;
    let v = rpc(&n, "eth_call", json!([{"data": ENDLESS, "gas": "0xffffffffffffffff"}, "latest"])).await;
    assert!(v["error"]["message"].as_str().unwrap().contains("out of gas"), "{v}");
    let v = rpc(&n, "eth_estimateGas", json!([{"data": ENDLESS, "gas": "0xffffffffffffffff"}])).await;
    assert!(v["error"].is_object(), "{v}");
    n.shutdown().await.unwrap();

    // With a cap too high to matter, the time limit stops the call.
    let eth = EthLimits { call_gas_cap: u64::MAX / 2, call_timeout_ms: 300, ..EthLimits::default() };
    let mut n = TestNode::start_with(with_eth(eth)).await;
    let v = rpc(&n, "eth_call", json!([{"data": ENDLESS}, "latest"])).await;
    assert_eq!(error_code(&v), -32005, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("timed out"), "{v}");
    let v = rpc(&n, "eth_estimateGas", json!([{"data": ENDLESS}])).await;
    assert!(v["error"]["message"].as_str().unwrap().contains("timed out"), "{v}");
    n.shutdown().await.unwrap();
}

/// A call whose client went away is stopped: with one turn for expensive calls and a minute of
/// budget, an abandoned endless call would hold the turn for the whole minute.
#[tokio::test]
async fn abandoned_calls_stop_and_others_keep_being_served() {
    let eth = EthLimits {
        call_gas_cap: u64::MAX / 2,
        call_timeout_ms: 60_000,
        max_concurrent_calls: 1,
        ..EthLimits::default()
    };
    let mut n = TestNode::start_with(with_eth(eth)).await;
    let impatient = reqwest::Client::builder().timeout(Duration::from_millis(300)).build().unwrap();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": [{"data": ENDLESS}, "latest"]});
    assert!(impatient.post(n.url("/")).json(&body).send().await.is_err(), "the client gives up");
    // Cheap requests never wait for expensive ones.
    let (status, _) = n.get("/api/v1/status").await;
    assert_eq!(status, 200);
    // The only turn is free again well before the abandoned call's minute is up.
    let started = Instant::now();
    let v = rpc(&n, "eth_call", json!([{"data": "0x00"}, "latest"])).await;
    assert_eq!(v["result"], json!("0x"), "{v}");
    assert!(started.elapsed() < Duration::from_secs(20), "waited {:?} for a turn", started.elapsed());
    n.shutdown().await.unwrap();
}

#[tokio::test]
async fn filters_have_unguessable_ids_owned_by_their_client() {
    let eth = EthLimits { max_filters_per_client: 3, ..EthLimits::default() };
    let mut n = TestNode::start_with(with_eth(eth)).await;
    let mine = rpc(&n, "eth_newBlockFilter", json!([])).await["result"].as_str().unwrap().to_string();
    let bits = u128::from_str_radix(mine.trim_start_matches("0x"), 16).unwrap();
    assert!(bits > 1 << 96, "128 random bits, not a counter: {mine}");
    assert_ne!(rpc(&n, "eth_newBlockFilter", json!([])).await["result"].as_str().unwrap(), mine);
    // Another client can neither read nor remove it.
    let other = client_from([127, 0, 0, 2]);
    let v = rpc_from(&n, &other, "eth_getFilterChanges", json!([mine])).await;
    assert_eq!(v["error"]["message"], "filter not found", "{v}");
    assert_eq!(rpc_from(&n, &other, "eth_uninstallFilter", json!([mine])).await["result"], json!(false));
    assert!(rpc(&n, "eth_getFilterChanges", json!([mine])).await["result"].is_array());
    // One client's hoarding stops at its own limit; others still install filters.
    assert!(rpc(&n, "eth_newBlockFilter", json!([])).await["result"].is_string());
    let v = rpc(&n, "eth_newBlockFilter", json!([])).await;
    assert_eq!(error_code(&v), -32005, "{v}");
    assert!(rpc_from(&n, &other, "eth_newBlockFilter", json!([])).await["result"].is_string());
    assert_eq!(rpc(&n, "eth_uninstallFilter", json!([mine])).await["result"], json!(true));
    n.shutdown().await.unwrap();
}

async fn connect_from(n: &TestNode, ip: [u8; 4]) -> tokio::net::TcpStream {
    let addr: SocketAddr = n.base.trim_start_matches("http://").parse().unwrap();
    let s = TcpSocket::new_v4().unwrap();
    s.bind(SocketAddr::new(IpAddr::V4(Ipv4Addr::from(ip)), 0)).unwrap();
    s.connect(addr).await.unwrap()
}

/// What the server sends before it closes the connection (`None` if it keeps it open for
/// `wait`).
async fn read_until_closed(sock: &mut tokio::net::TcpStream, wait: Duration) -> Option<String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, sock.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(String::from_utf8_lossy(&got).into_owned()),
            Ok(Ok(k)) => got.extend_from_slice(&buf[..k]),
            Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn idle_and_half_sent_connections_are_closed_and_counted() {
    let server = ServerLimits {
        max_connections_per_ip: 4,
        header_timeout_ms: 1500,
        body_timeout_ms: 1000,
        ..ServerLimits::default()
    };
    let mut n =
        TestNode::start_with(Options { rpc: RpcConfig { server, ..RpcConfig::default() }, ..Options::default() }).await;
    let wait = Duration::from_secs(10);
    // Idle, and a request line without the rest of its headers: closed after the header timeout.
    let mut idle = connect_from(&n, [127, 0, 0, 1]).await;
    let mut partial = connect_from(&n, [127, 0, 0, 1]).await;
    partial.write_all(b"POST / HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    assert!(read_until_closed(&mut idle, wait).await.is_some(), "idle connection kept open");
    assert!(read_until_closed(&mut partial, wait).await.is_some(), "half-sent headers kept open");
    // Headers without the body they announce: an error after the body timeout.
    let mut body = connect_from(&n, [127, 0, 0, 1]).await;
    body.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        .await
        .unwrap();
    let answer = read_until_closed(&mut body, wait).await.expect("half-sent body kept open");
    assert!(answer.starts_with("HTTP/1.1 400") && answer.contains("designated timeout"), "{answer}");
    // One address holds at most 4 connections; a fifth is closed at once, others still served.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(connect_from(&n, [127, 0, 0, 3]).await);
    }
    let mut fifth = connect_from(&n, [127, 0, 0, 3]).await;
    assert_eq!(read_until_closed(&mut fifth, wait).await.as_deref(), Some(""));
    // The first of the four, opened before the fifth, is still open: the limit closed the fifth.
    held[0].write_all(b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut head = [0u8; 12];
    held[0].read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    let v = rpc_from(&n, &client_from([127, 0, 0, 4]), "eth_chainId", json!([])).await;
    assert!(v["result"].is_string(), "{v}");
    drop(held);
    n.shutdown().await.unwrap();
}

/// A web page cannot use the node through a visitor's browser: the "simple" POSTs a page may
/// send without a preflight are refused, and no CORS header admits another origin unless the
/// operator lists it.
#[tokio::test]
async fn browser_pages_of_other_sites_are_kept_out() {
    let mut n = TestNode::start().await;
    let call = r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}"#;
    for ty in
        [Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("multipart/form-data; boundary=x"), None]
    {
        for path in ["/", "/api/v1/transactions"] {
            let mut req = n.client.post(n.url(path)).body(call);
            if let Some(ty) = ty {
                req = req.header("content-type", ty);
            }
            let r = req.send().await.unwrap();
            assert_eq!(r.status(), 415, "{path} with {ty:?}");
            let v: Value = r.json().await.unwrap();
            let msg = &v["error"]["message"];
            assert!(msg.as_str().unwrap().contains("application/json"), "{v}");
        }
    }
    // A preflight from another site gets no permission.
    let pre = n
        .client
        .request(reqwest::Method::OPTIONS, n.url("/"))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(pre.headers().get("access-control-allow-origin").is_none());
    n.shutdown().await.unwrap();

    // Listed origins are let in, others still not.
    let rpc = RpcConfig { cors_origins: vec!["http://localhost:*".into()], ..RpcConfig::default() };
    let mut n = TestNode::start_with(Options { rpc, ..Options::default() }).await;
    let ask = |origin: &'static str| {
        n.client
            .request(reqwest::Method::OPTIONS, n.url("/"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let ok = ask("http://localhost:5173").await.unwrap();
    assert_eq!(ok.headers().get("access-control-allow-origin").unwrap(), "http://localhost:5173");
    let no = ask("https://evil.example").await.unwrap();
    assert!(no.headers().get("access-control-allow-origin").is_none());
    n.shutdown().await.unwrap();
}

/// One address over its request rate gets 429 with Retry-After; other addresses are served.
#[tokio::test]
async fn a_client_over_its_rate_is_slowed_down_alone() {
    let server =
        ServerLimits { rate_per_ip: 5, rate_burst_per_ip: 5, rate_limit_loopback: true, ..ServerLimits::default() };
    let mut n =
        TestNode::start_with(Options { rpc: RpcConfig { server, ..RpcConfig::default() }, ..Options::default() }).await;
    let mut limited = None;
    for _ in 0..20 {
        let r = n.client.get(n.url("/api/v1/status")).send().await.unwrap();
        if r.status() == 429 {
            limited = Some(r);
            break;
        }
    }
    let r = limited.expect("20 requests at once exceed 5 per second");
    assert_eq!(r.headers().get("retry-after").unwrap(), "1");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "rate_limited", "{v}");
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []});
    let r = n.client.post(n.url("/")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], -32005);
    // Another address is not held back by this one.
    let v = rpc_from(&n, &client_from([127, 0, 0, 5]), "eth_chainId", json!([])).await;
    assert!(v["result"].is_string(), "{v}");
    n.shutdown().await.unwrap();
}
