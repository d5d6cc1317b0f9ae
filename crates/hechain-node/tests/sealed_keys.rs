//! A gm (国密) consortium with its keys sealed at rest: `init` seals every node key, TLS key and
//! CA key with SM4 under the passphrase, a node without the passphrase (or with a wrong one)
//! refuses to start with a clear error, with it the node starts and commits blocks, and a
//! renewed certificate's key is sealed too.

use std::path::Path;
use std::time::{Duration, Instant};

use hechain_crypto::sealed::is_sealed;
use hechain_crypto::Suite;
use hechain_node::config::NodeFile;
use hechain_node::consortium::{init_consortium, renew_cert, InitSpec};
use hechain_node::secrets::Passphrase;
use hechain_node::Node;

fn write_pass(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn assert_sealed(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(is_sealed(&text), "{} is not sealed", path.display());
    assert!(!text.contains("PRIVATE KEY") && !text.contains("secret"), "{} shows its key", path.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gm_consortium_seals_its_keys_and_starts_only_with_the_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let pass_file = dir.path().join("pass");
    write_pass(&pass_file, "湖畔 correct horse\n");
    let out = dir.path().join("net");
    let mut spec = InitSpec::new(&out);
    spec.validators = 1;
    spec.orgs = 1;
    spec.suite = Suite::Gm;
    spec.p2p_port = free_port();
    spec.rpc_port = free_port();
    spec.block_time_ms = 100;
    spec.key_passphrase = Some(Passphrase::new("湖畔 correct horse"));
    spec.key_passphrase_file = Some(pass_file.clone());
    let report = init_consortium(&spec).unwrap();
    let node = &report.nodes[0];
    assert_sealed(&out.join(&node.name).join("node.key"));
    assert_sealed(&out.join(&node.name).join("tls/node.key"));
    assert_sealed(&out.join("orgs/org1/ca.key"));

    // Without the passphrase, and with a wrong one: a clear refusal.
    let mut file = NodeFile::read(&node.config).unwrap();
    assert_eq!(file.key_passphrase_file.as_deref(), Some(pass_file.as_path()));
    file.key_passphrase_file = None;
    let err = file.to_node_config(&out).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("sealed with SM4"), "{err}");
    let wrong = dir.path().join("wrong");
    write_pass(&wrong, "not it");
    file.key_passphrase_file = Some(wrong);
    let err = file.to_node_config(&out).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("wrong key passphrase"), "{err}");

    // With it: the node starts and commits.
    let config = NodeFile::read(&node.config).unwrap().to_node_config(&out).unwrap();
    let n = Node::start(config).await.unwrap();
    let until = Instant::now() + Duration::from_secs(30);
    while n.store.reader().and_then(|r| r.head_height()).unwrap_or(0) < 2 {
        assert!(Instant::now() < until, "no blocks");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    n.shutdown().await;

    // A renewed certificate: issued with the sealed CA key, its own key sealed again.
    let cert = renew_cert(&out, "org1", &node.name).unwrap();
    assert!(std::fs::read_to_string(cert).unwrap().contains("BEGIN CERTIFICATE"));
    assert_sealed(&out.join(&node.name).join("tls/node.key"));
}
