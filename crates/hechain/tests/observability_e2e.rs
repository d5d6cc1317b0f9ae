//! Readiness and metrics on a real 4-validator network: `/readyz` turns not-ready (with the
//! reason) on a validator that loses its quorum and ready again when enough validators return;
//! a validator that was cut off is ready again once it has caught up; `/metrics` shows the
//! network's facts.

mod common;

use std::time::{Duration, Instant};

use common::net::Net;
use serde_json::Value;

fn readyz(net: &Net, i: usize) -> Option<(u16, Value)> {
    let (code, body) = common::http_get(&format!("{}/readyz", net.urls[i]))?;
    Some((code, serde_json::from_str(&body).ok()?))
}

fn metrics(net: &Net, i: usize) -> String {
    common::http_get(&format!("{}/metrics", net.urls[i])).map(|(_, b)| b).unwrap_or_default()
}

fn wait_ready(net: &Net, i: usize, want: bool, within: Duration) -> Value {
    let until = Instant::now() + within;
    loop {
        if let Some((code, body)) = readyz(net, i) {
            if (code == 200) == want {
                return body;
            }
        }
        assert!(
            Instant::now() < until,
            "node {i} not {} within {within:?}: {:?}",
            if want { "ready" } else { "unready" },
            readyz(net, i)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn readiness_follows_quorum_and_catch_up() {
    let mut net = Net::start(4, 0, &[]);
    net.wait_height(&[0, 1, 2, 3], 2, Duration::from_secs(60));
    for i in 0..4 {
        wait_ready(&net, i, true, Duration::from_secs(20));
    }

    // Two of four validators gone: the others cannot reach a quorum of three.
    net.stop(3);
    net.stop(2);
    let body = wait_ready(&net, 0, false, Duration::from_secs(20));
    assert!(body["reason"].as_str().unwrap_or_default().contains("no quorum"), "{body}");

    // One back: a quorum again, and blocks.
    net.start_node(2);
    net.wait_api(2);
    wait_ready(&net, 0, true, Duration::from_secs(30));
    let h = net.height(0);
    net.wait_height(&[0, 1, 2], h + 10, Duration::from_secs(60));

    // The one that was cut off catches up and is ready again.
    net.start_node(3);
    net.wait_api(3);
    wait_ready(&net, 3, true, Duration::from_secs(60));
    assert!(net.height(3) + 5 >= net.height(0), "ready while far behind: {} vs {}", net.height(3), net.height(0));

    // Metrics show the network.
    let value = |text: &str, name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(' ')).and_then(|v| v.parse::<f64>().ok()))
    };
    let until = Instant::now() + Duration::from_secs(20);
    let mut text = metrics(&net, 0);
    while value(&text, "hechain_peers_connected") != Some(3.0) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(200));
        text = metrics(&net, 0);
    }
    let value = |name: &str| value(&text, name);
    assert_eq!(value("hechain_peers_connected"), Some(3.0), "{text}");
    assert!(value("hechain_consensus_round").unwrap_or(0.0) > 0.0, "{text}");
    assert_eq!(value("hechain_safety_violations"), Some(0.0), "{text}");
}
