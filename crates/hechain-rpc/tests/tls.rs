//! TLS on the API port: plain HTTP is not answered, HTTPS is; with client CAs only clients
//! holding a certificate from one of them get in (mutual TLS, as FISCO BCOS SDKs connect).

use std::sync::Arc;

use hechain_network::pki::{self, OrgCa};
use hechain_rpc::tls::ApiTls;
use hechain_rpc::RpcConfig;
use hechain_testkit::{Options, TestNode};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Pki {
    dir: tempfile::TempDir,
    ca: OrgCa,
    server_name: ServerName<'static>,
}

fn pki() -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let ca = OrgCa::generate("org1").unwrap();
    let id = [7u8; 33];
    let server = ca.issue_node_cert("api", &id).unwrap();
    std::fs::write(dir.path().join("api.crt"), &server.cert_pem).unwrap();
    std::fs::write(dir.path().join("api.key"), &server.key_pem).unwrap();
    std::fs::write(dir.path().join("ca.crt"), ca.cert_pem()).unwrap();
    Pki { dir, ca, server_name: ServerName::try_from(pki::node_dns_name(&id)).unwrap() }
}

async fn node(p: &Pki, mutual: bool) -> TestNode {
    let d = p.dir.path();
    let tls = ApiTls {
        cert: d.join("api.crt"),
        key: d.join("api.key"),
        client_cas: if mutual { vec![d.join("ca.crt")] } else { vec![] },
    };
    TestNode::start_with(Options { rpc: RpcConfig { tls: Some(tls), ..RpcConfig::default() }, ..Options::default() })
        .await
}

/// `GET /api/v1/status` over TLS, with `client` as the client identity; the status line, or
/// the error.
async fn status_over_tls(n: &TestNode, p: &Pki, client: Option<&hechain_network::NodeCert>) -> Result<String, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki::parse_certs_pem(p.ca.cert_pem()).unwrap().remove(0)).unwrap();
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots);
    let config = match client {
        Some(c) => builder
            .with_client_auth_cert(pki::parse_certs_pem(&c.cert_pem).unwrap(), pki::parse_key_pem(&c.key_pem).unwrap())
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    let tcp = tokio::net::TcpStream::connect(n.base.trim_start_matches("http://")).await.unwrap();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let mut tls = connector.connect(p.server_name.clone(), tcp).await.map_err(|e| e.to_string())?;
    tls.write_all(b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    tls.read_to_end(&mut out).await.map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out).to_string();
    text.lines().next().map(str::to_string).filter(|l| !l.is_empty()).ok_or_else(|| "no answer".to_string())
}

#[tokio::test]
async fn https_only_and_mutual_tls() {
    let p = pki();
    let mut n = node(&p, false).await;
    assert_eq!(status_over_tls(&n, &p, None).await.unwrap(), "HTTP/1.1 200 OK");
    // Plain HTTP gets no answer from a TLS port.
    assert!(n.client.get(n.url("/api/v1/status")).send().await.is_err());
    n.shutdown().await.unwrap();

    let mut n = node(&p, true).await;
    let member = p.ca.issue_node_cert("sdk-user", &[1; 33]).unwrap();
    assert_eq!(status_over_tls(&n, &p, Some(&member)).await.unwrap(), "HTTP/1.1 200 OK");
    assert!(status_over_tls(&n, &p, None).await.is_err(), "no client certificate");
    let stranger = OrgCa::generate("elsewhere").unwrap().issue_node_cert("x", &[2; 33]).unwrap();
    assert!(status_over_tls(&n, &p, Some(&stranger)).await.is_err(), "a certificate from another CA");
    n.shutdown().await.unwrap();
}

#[test]
fn a_broken_configuration_is_refused_with_the_file_named() {
    let p = pki();
    let tls = ApiTls { cert: p.dir.path().join("missing.crt"), key: p.dir.path().join("api.key"), client_cas: vec![] };
    let e = tls.acceptor().err().unwrap().to_string();
    assert!(e.contains("missing.crt"), "{e}");
    let tls = ApiTls { cert: p.dir.path().join("api.key"), key: p.dir.path().join("api.key"), client_cas: vec![] };
    assert!(tls.acceptor().is_err());
}

/// With API tokens set, every request needs one (`Authorization: Bearer`); the configuration
/// holds only their SHA-256.
#[tokio::test]
async fn api_tokens() {
    use sha2::Digest;
    let hash = hex::encode(sha2::Sha256::digest(b"s3cret"));
    let rpc = RpcConfig { token_sha256: vec![hash], ..RpcConfig::default() };
    let mut n = TestNode::start_with(Options { rpc, ..Options::default() }).await;
    let get = |token: Option<&'static str>| {
        let mut r = n.client.get(n.url("/api/v1/status"));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    let r = get(None).await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers().get("www-authenticate").unwrap(), "Bearer");
    assert_eq!(get(Some("wrong")).await.unwrap().status(), 401);
    assert_eq!(get(Some("s3cret")).await.unwrap().status(), 200);
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []});
    let r = n.client.post(n.url("/")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["error"]["code"], -32001);
    let r = n.client.post(n.url("/")).bearer_auth("s3cret").json(&body).send().await.unwrap();
    assert_eq!(r.status(), 200);
    n.shutdown().await.unwrap();
    // A malformed hash is refused at start-up.
    let bad = RpcConfig { token_sha256: vec!["xyz".into()], ..RpcConfig::default() };
    assert!(hechain_rpc::check_config(&bad).err().unwrap().contains("xyz"));
}

/// Each API token has its own request quota (`api.server.rate_per_token`), whatever address it
/// comes from: one client organisation over its quota gets 429, another is still served.
#[tokio::test]
async fn each_token_has_its_own_rate() {
    use sha2::Digest;
    let hashes =
        vec![hex::encode(sha2::Sha256::digest(b"org1-token")), hex::encode(sha2::Sha256::digest(b"org2-token"))];
    let server = hechain_rpc::ServerLimits { rate_per_token: 1, rate_burst_per_token: 3, ..Default::default() };
    let rpc = RpcConfig { token_sha256: hashes, server, ..RpcConfig::default() };
    let mut n = TestNode::start_with(Options { rpc, ..Options::default() }).await;
    let status = |token: &'static str| n.client.get(n.url("/api/v1/status")).bearer_auth(token).send();
    for _ in 0..3 {
        assert_eq!(status("org1-token").await.unwrap().status(), 200);
    }
    let r = status("org1-token").await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers().get("retry-after").unwrap(), "1");
    assert_eq!(status("org2-token").await.unwrap().status(), 200);
    n.shutdown().await.unwrap();
}
