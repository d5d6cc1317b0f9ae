//! Certificate revocation by governance (证书吊销): four validators revoke one node's TLS
//! certificate by proposal and votes. Every node drops that node's connection as soon as it
//! executes the block, the other three go on without it, and the revoked node is shut out until
//! its organisation issues it a new certificate (`hechain net renew-cert`); then it syncs and
//! takes part again.

mod common;

use std::time::{Duration, Instant};

use common::json_ok;
use common::net::Net;

#[test]
fn a_revoked_node_certificate_is_refused_until_renewed() {
    let mut net = Net::start(4, 0, &[]);
    net.wait_height(&[0, 1, 2, 3], 2, Duration::from_secs(60));
    let out = net.out();
    let name = net.names[3].clone();
    let cert = out.join(&name).join("tls/node.crt");

    // Proposed by member 0 and approved by members 1 and 2 (3 of 4), all through node 0.
    let key0 = net.test_key(0);
    let cert_arg = cert.display().to_string();
    let args =
        ["--json", "--key", &key0, "gov", "propose", "revoke-cert", "--cert", &cert_arg, "--reason", "key leaked"];
    let p = json_ok(&net.cli(0, &args));
    let id = p["events"][0]["id"].as_u64().expect("proposal id").to_string();
    json_ok(&net.cli(0, &["--json", "--key", &net.test_key(1), "gov", "vote", &id, "yes"]));
    let v = json_ok(&net.cli(0, &["--json", "--key", &net.test_key(2), "gov", "vote", &id, "yes"]));
    assert_eq!(v["events"][1]["type"], "gov_approved", "{v}");
    let revoked_at = v["height"].as_u64().expect("height");
    let g = json_ok(&net.cli(0, &["--json", "gov", "members"]));
    let list = g["revoked_certs"].as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 1, "{g}");
    assert_eq!(list[0]["reason"], "key leaked");

    // The revoked node falls behind while the other three commit on.
    std::thread::sleep(Duration::from_secs(2));
    let stuck = net.height(3);
    net.wait_height(&[0, 1, 2], stuck.max(revoked_at) + 10, Duration::from_secs(60));
    assert!(net.height(3) <= stuck + 1, "the revoked node still receives blocks: {} then {}", stuck, net.height(3));
    assert!(
        net.log(0).contains("its certificate is revoked") || net.log(0).contains("refusing inbound"),
        "{}",
        net.log(0)
    );

    // Restarting it with the same certificate changes nothing.
    net.stop(3);
    net.start_node(3);
    net.wait_api(3);
    std::thread::sleep(Duration::from_secs(3));
    assert!(net.height(3) <= stuck + 1, "a restarted node with the revoked certificate got blocks");

    // A new certificate from its organisation's CA lets it back in: it syncs and keeps up.
    net.stop(3);
    let org = name.split('-').next().expect("org of the node name").to_string();
    let dir = out.display().to_string();
    let r = json_ok(&common::cli_env(
        "http://127.0.0.1:9",
        &["--json", "net", "renew-cert", &dir, &name, "--org", &org],
        &[],
    ));
    assert!(r["cert"].is_string(), "{r}");
    net.start_node(3);
    net.wait_api(3);
    let target = net.height(0) + 2;
    let started = Instant::now();
    net.wait_height(&[3], target, Duration::from_secs(60));
    assert!(started.elapsed() < Duration::from_secs(60));
}
