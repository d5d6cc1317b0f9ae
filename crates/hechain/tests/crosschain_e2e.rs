//! End to end: two consortium networks of four validators each (chain A on the standard suite,
//! chain B on gm), real `hechain start` processes on 127.0.0.1, connected by `hechain relay
//! connect`; two relayers (`hechain relay start`) race over the channel while one of them is
//! SIGKILLed and restarted; every transfer arrives exactly once, tokens are conserved on both
//! chains, and a voucher goes home. Then chain A removes a validator by governance (a new epoch),
//! a transfer that times out on B is refunded on A, and transfers keep flowing across the epoch
//! change (B's client of A follows it). In between, calls made by hand on the live networks — a
//! forged packet, a replayed one, a header sealed by a non-quorum and one sealed by keys of no
//! validator (a forked set) — are refused with their reasons.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::net::{free_port_range, Net};
use common::{bin, cli_env, http_get, json_ok};
use serde_json::Value;

/// A `hechain relay start` process, killed by PID on drop.
struct Relayer {
    child: Option<Child>,
    metrics: String,
}

impl Relayer {
    fn start(a: &str, b: &str, channel: u64, (key_a, key_b): (&str, &str), log: &std::path::Path) -> Relayer {
        let port = free_port_range(1);
        let log = std::fs::OpenOptions::new().create(true).append(true).open(log).expect("relayer log");
        let child = Command::new(bin())
            .args(["relay", "start", "--a", a, "--b", b, "--channel", &channel.to_string()])
            .args(["--key-a", key_a, "--key-b", key_b, "--interval-ms", "200"])
            .args(["--metrics-addr", &format!("127.0.0.1:{port}")])
            .env("HECHAIN_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("spawn hechain relay");
        Relayer { child: Some(child), metrics: format!("http://127.0.0.1:{port}/metrics") }
    }

    fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            // SAFETY: kill(2) on our own child's PID.
            unsafe {
                libc::kill(c.id() as i32, libc::SIGKILL);
            }
            let _ = c.wait();
        }
    }
}

impl Drop for Relayer {
    fn drop(&mut self) {
        self.kill9();
    }
}

fn get(url: &str, path: &str) -> Value {
    let (code, body) = http_get(&format!("{url}{path}")).unwrap_or_else(|| panic!("{url}{path} does not answer"));
    assert_eq!(code, 200, "{path}: {body}");
    serde_json::from_str(&body).expect("JSON")
}

fn amount(v: &Value) -> u128 {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("not an amount: {v}"))
}

fn balance(url: &str, addr: &str) -> u128 {
    amount(&get(url, &format!("/api/v1/accounts/{addr}"))["balance"])
}

fn voucher(url: &str, addr: &str, denom: &str) -> (u128, u128) {
    let v = get(url, &format!("/api/v1/xchain/vouchers/{addr}?denom={}", denom.replace('/', "%2F")));
    (amount(&v["balance"]), amount(&v["supply"]))
}

/// `hechain xchain transfer` through node `url`, signed by `key`, with extra arguments.
fn xfer(url: &str, key: &str, channel: u64, to: &str, amount: &str, extra: &[&str]) {
    let channel = channel.to_string();
    let mut args =
        vec!["--json", "--key", key, "xchain", "transfer", "--channel", &channel, "--to", to, "--amount", amount];
    args.extend_from_slice(extra);
    json_ok(&cli_env(url, &args, &[]));
}

fn wait_for(what: &str, within: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn two_networks_transfer_across_with_racing_and_crashing_relayers() {
    let mut a = Net::start(4, 0, &["--chain-id", "3101"]);
    let b = Net::start(4, 0, &["--chain-id", "3202", "--suite", "gm", "--plaintext-keys"]);
    a.wait_height(&[0, 1, 2, 3], 2, Duration::from_secs(60));
    b.wait_height(&[0, 1, 2, 3], 2, Duration::from_secs(60));
    let (url_a, url_b) = (a.urls[0].clone(), b.urls[1].clone());
    let (alice_key, bob_key) = (a.test_key(0), b.test_key(0));
    let alice = a.init["test_accounts"][0]["address"].as_str().unwrap().to_string();
    let bob = b.init["test_accounts"][0]["address"].as_str().unwrap().to_string();

    // Light clients and a channel, through the four handshake steps.
    let link = json_ok(&cli_env(
        &url_a,
        &[
            "--json",
            "relay",
            "connect",
            "--a",
            &url_a,
            "--b",
            &url_b,
            "--key-a",
            &a.test_key(1),
            "--key-b",
            &b.test_key(1),
        ],
        &[],
    ));
    let (chan_a, chan_b) = (link["channel_a"].as_u64().unwrap(), link["channel_b"].as_u64().unwrap());
    let voucher_denom = format!("xc/{chan_b}/native");
    let alice_start = balance(&url_a, &alice);

    // Two relayers with their own keys; ten transfers while they run; one relayer is
    // SIGKILLed mid-stream and restarted.
    let logs = a.dir.path().to_path_buf();
    let mut r1 = Relayer::start(&url_a, &url_b, chan_a, (&a.test_key(2), &b.test_key(2)), &logs.join("relayer1.log"));
    let _r2 = Relayer::start(&url_a, &url_b, chan_a, (&a.test_key(3), &b.test_key(3)), &logs.join("relayer2.log"));
    let mut sent = 0u128;
    for i in 1..=10u64 {
        let amount = 100 + u128::from(i);
        xfer(&a.urls[(i % 4) as usize], &alice_key, chan_a, &bob, &amount.to_string(), &[]);
        sent += amount;
        if i == 4 {
            r1.kill9();
            r1 = Relayer::start(&url_a, &url_b, chan_a, (&a.test_key(2), &b.test_key(2)), &logs.join("relayer1.log"));
        }
    }
    // Every transfer arrives exactly once and is acknowledged back.
    wait_for("the vouchers on B", Duration::from_secs(120), || voucher(&url_b, &bob, &voucher_denom).0 == sent);
    wait_for("the acknowledgements on A", Duration::from_secs(60), || {
        get(&url_a, &format!("/api/v1/xchain/channels/{chan_a}/packets"))["packets"]
            .as_array()
            .is_some_and(|p| p.is_empty())
    });
    for seq in 1..=10 {
        let r = get(&url_b, &format!("/api/v1/xchain/channels/{chan_b}/receipts/{seq}"));
        assert_eq!((r["received"].as_bool(), r["ack"]["result"].as_str()), (Some(true), Some("success")), "{r}");
    }
    let escrow = get(&url_a, &format!("/api/v1/xchain/channels/{chan_a}"))["escrow"].as_str().unwrap().to_string();
    assert_eq!(balance(&url_a, &escrow), sent);
    assert_eq!(voucher(&url_b, &bob, &voucher_denom), (sent, sent));
    // Alice paid exactly what was sent (fees are zero on this network) and nothing twice.
    assert_eq!(balance(&url_a, &alice), alice_start - sent);

    // A voucher goes home: burned on B, released from A's escrow.
    xfer(&url_b, &bob_key, chan_b, &alice, "400", &["--denom", &voucher_denom]);
    wait_for("the voucher's return to A", Duration::from_secs(120), || {
        balance(&url_a, &alice) == alice_start - sent + 400
    });
    wait_for("the acknowledgement on B", Duration::from_secs(60), || {
        get(&url_b, &format!("/api/v1/xchain/channels/{chan_b}/packets"))["packets"]
            .as_array()
            .is_some_and(|p| p.is_empty())
    });
    assert_eq!(balance(&url_a, &escrow), sent - 400);
    assert_eq!(voucher(&url_b, &bob, &voucher_denom), (sent - 400, sent - 400));

    // The relayers export what they did; between them every packet was delivered once.
    let metric = |url: &str, name: &str| -> u64 {
        let (_, text) = http_get(url).expect("metrics");
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().last())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let received = metric(&r1.metrics, "hechain_relayer_packets_received_total")
        + metric(&_r2.metrics, "hechain_relayer_packets_received_total");
    assert!(received >= 1, "the running relayers delivered nothing");
    let clients = get(&url_b, &format!("/api/v1/xchain/clients/{}", link["client_on_b"]));
    assert!(clients["client"]["frozen"].is_null(), "{clients}");

    // With no relayer running, calls made by hand on the live networks: a forged packet, a
    // replayed one, a header sealed by two of the four validators and one sealed by keys of no
    // validator of A are refused with their reasons; the genuine packet is received once.
    r1.kill9();
    drop(_r2);
    let carol = b.init["test_accounts"][5]["address"].as_str().unwrap().to_string();
    xfer(&url_a, &alice_key, chan_a, &carol, "5", &[]);
    let extra = 5u128;
    refusals_by_hand((&a, &url_a), (&b, &url_b), (chan_a, link["client_on_b"].as_u64().unwrap()));

    // Chain A changes its validator set (org4's node leaves by governance: epoch 1, three
    // validators) while no relayer runs.
    let key0 = a.test_key(0);
    let name3 = a.names[3].clone();
    let p = json_ok(&a.cli(0, &["--json", "--key", &key0, "gov", "propose", "remove-validator", &name3]));
    let id = p["events"][0]["id"].as_u64().expect("proposal id").to_string();
    json_ok(&a.cli(1, &["--json", "--key", &a.test_key(1), "gov", "vote", &id, "yes"]));
    let v = json_ok(&a.cli(2, &["--json", "--key", &a.test_key(2), "gov", "vote", &id, "yes"]));
    assert_eq!(v["events"][1]["type"], "gov_approved", "{v}");
    a.wait_height(&[0, 1, 2], v["height"].as_u64().unwrap() + 2, Duration::from_secs(60));
    a.stop(3);

    // A transfer that times out on B while nobody relays is refunded on A.
    let before = balance(&url_a, &alice);
    let escrowed = balance(&url_a, &escrow);
    let deadline = b.height(1) + 3;
    xfer(&url_a, &alice_key, chan_a, &bob, "77", &["--timeout-height", &deadline.to_string()]);
    assert_eq!(balance(&url_a, &alice), before - 77);
    b.wait_height(&[1], deadline + 1, Duration::from_secs(60));
    let _r3 = Relayer::start(&url_a, &url_b, chan_a, (&a.test_key(2), &b.test_key(2)), &logs.join("relayer3.log"));
    wait_for("the timeout's refund on A", Duration::from_secs(120), || balance(&url_a, &alice) == before);
    assert_eq!(balance(&url_a, &escrow), escrowed);
    // Bob's vouchers are untouched; the supply also counts carol's, delivered by hand.
    assert_eq!(voucher(&url_b, &bob, &voucher_denom), (sent - 400, sent - 400 + extra));

    // Packets keep flowing across A's epoch change: B's client of A follows it.
    for _ in 0..3 {
        xfer(&url_a, &alice_key, chan_a, &bob, "10", &[]);
    }
    wait_for("transfers after the epoch change", Duration::from_secs(120), || {
        voucher(&url_b, &bob, &voucher_denom).0 == sent - 400 + 30
    });
    let client = get(&url_b, &format!("/api/v1/xchain/clients/{}", link["client_on_b"]));
    assert_eq!(client["client"]["epoch"], 1, "{client}");
    assert_eq!(client["epoch"]["validators"].as_array().map(Vec::len), Some(3), "{client}");
    assert_eq!(balance(&url_a, &escrow), sent - 400 + extra + 30);
}

/// A relayer's calls made by hand against the live networks (test account 4 signs on each):
/// the pending packet of `channel_a` forged, delivered, replayed; then A's next header with a
/// seal of two signatures, and with one by three keys that are no validators of A.
fn refusals_by_hand((a, url_a): (&Net, &str), (b, url_b): (&Net, &str), (channel_a, client_on_b): (u64, u64)) {
    use hechain_crosschain::{keys, CrosschainCall, TransferData};
    use hechain_crypto::{AccountKey, NodeKey, Suite};
    use hechain_relayer::rest::RestChain;
    use hechain_relayer::{update_client, wait_sealed, ChainIo};
    use hechain_types::{Codec, ValidatorSignature};

    let key = |net: &Net, suite: Suite| {
        let hex_key = net.test_key(4);
        let bytes = hex::decode(hex_key.trim_start_matches("0x")).unwrap();
        AccountKey::from_bytes(suite.account_scheme(), &bytes).unwrap()
    };
    let ra = RestChain::new(url_a, key(a, Suite::Standard)).unwrap();
    let rb = RestChain::new(url_b, key(b, Suite::Gm)).unwrap();
    let one = |outcomes: Vec<hechain_relayer::Submitted>| outcomes.into_iter().next().expect("one outcome");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let (ph, _) = update_client(&rb, client_on_b, &ra, wait_sealed(&ra, ra.head().await.unwrap()).await.unwrap())
            .await
            .unwrap();
        let packet = ra.pending(channel_a).await.unwrap().pop().expect("the transfer to carol is pending");
        let proof = ra.proof(&keys::commitment(channel_a, packet.sequence), ph).await.unwrap();
        // Forged: a larger amount under the genuine packet's proof.
        let mut forged = packet.clone();
        let mut data = TransferData::decode(&forged.data).unwrap();
        data.amount *= 1000;
        forged.data = data.encode();
        let recv = |p: hechain_crosschain::Packet| CrosschainCall::RecvPacket {
            packet: p,
            proof_height: ph,
            proof: proof.clone(),
        };
        let r = one(rb.submit(vec![recv(forged)]).await.unwrap());
        assert!(matches!(&r, Err(reason) if reason.contains("the proof fails")), "{r:?}");
        // Genuine, once; the replay is refused.
        assert!(one(rb.submit(vec![recv(packet.clone())]).await.unwrap()).is_ok());
        let r = one(rb.submit(vec![recv(packet)]).await.unwrap());
        assert!(matches!(&r, Err(reason) if reason.contains("already received")), "{r:?}");

        // A's next header, badly sealed.
        let h = wait_sealed(&ra, ph + 1).await.unwrap();
        let (header, seal) = ra.sealed(h).await.unwrap();
        let next_proof = Some(ra.proof(&hechain_types::governance::keys::gov_epoch(1), h).await.unwrap());
        let update = |seal| CrosschainCall::UpdateClient {
            client: client_on_b,
            header: header.clone(),
            seal,
            epoch_changes: vec![],
            next_membership: None,
            next_proof: next_proof.clone(),
        };
        let mut two = seal.clone();
        two.signatures.truncate(2);
        let r = one(rb.submit(vec![update(two)]).await.unwrap());
        assert!(matches!(&r, Err(reason) if reason.contains("a quorum is 3")), "{r:?}");
        let genesis = ra.genesis().await.unwrap().hash();
        let msg = hechain_types::BlockHeader::signing_message(&genesis, &header.hash(Suite::Standard));
        let mut forked = seal;
        forked.signatures = (0..3u32)
            .map(|i| {
                let outsider = NodeKey::from_bytes(Suite::Standard, &[90 + i as u8; 32]).unwrap();
                ValidatorSignature { validator: i, signature: outsider.sign(&msg).0.to_vec() }
            })
            .collect();
        let r = one(rb.submit(vec![update(forked)]).await.unwrap());
        assert!(matches!(&r, Err(reason) if reason.contains("does not verify")), "{r:?}");
    });
}
