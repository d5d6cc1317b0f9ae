//! End to end through the real binary: `hechain dev`, transfers, queries,
//! keys, and the evidence flow up to offline certificate verification.

mod common;

use common::{cli_env, json_ok, DevNode};
use hechain_cert::EvidenceCertificate;
use hechain_types::Genesis;
use hechain_types::GenesisExt;

#[test]
fn transfer_query_and_keys() {
    let dir = tempfile::tempdir().unwrap();
    let node = DevNode::start(&dir.path().join("data"), &["--block-time", "100"]);

    let st = json_ok(&node.cli(&["--json", "status"]));
    assert_eq!(st["chain_id"], 1337);
    assert_eq!(st["suite"], "standard");

    let to = "0x00000000000000000000000000000000000000aa";
    let t = json_ok(&node.cli(&["--json", "transfer", to, "12345"]));
    let tx_hash = t["tx_hash"].as_str().unwrap().to_string();
    assert!(t["height"].as_u64().unwrap() >= 1);
    let acc = json_ok(&node.cli(&["--json", "account", to]));
    assert_eq!(acc["balance"], "12345");
    let tx = json_ok(&node.cli(&["--json", "tx", &tx_hash]));
    assert_eq!(tx["receipt"]["status"], "success");
    let block = json_ok(&node.cli(&["--json", "block", &t["height"].to_string()]));
    assert!(block["transactions"].as_array().unwrap().iter().any(|h| h == tx_hash.as_str()));
    // Human output works too.
    let human = node.cli(&["status"]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("chain id     1337"));

    // Bad input is a clear error, not a crash.
    let bad = node.cli(&["transfer", "0x1234", "5"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("address"), "{}", String::from_utf8_lossy(&bad.stderr));

    // Keystore: create, list, fund, sign with it, export.
    let ks = dir.path().join("keys");
    let ks = ks.to_str().unwrap();
    let env = [("HECHAIN_PASSWORD", "correct horse")];
    let created = json_ok(&cli_env(&node.url, &["--json", "--keystore", ks, "key", "new", "--light"], &env));
    let addr = created["address"].as_str().unwrap().to_string();
    let listed = json_ok(&cli_env(&node.url, &["--json", "--keystore", ks, "key", "list"], &env));
    assert_eq!(listed[0]["address"], addr.as_str());
    json_ok(&node.cli(&["--json", "transfer", &addr, "1000"]));
    let sent = json_ok(&cli_env(&node.url, &["--json", "--keystore", ks, "--key", &addr, "transfer", to, "10"], &env));
    assert_eq!(sent["from"], addr.as_str());
    let wrong =
        cli_env(&node.url, &["--keystore", ks, "--key", &addr, "transfer", to, "1"], &[("HECHAIN_PASSWORD", "nope")]);
    assert!(!wrong.status.success());
    let exported = json_ok(&cli_env(&node.url, &["--json", "--keystore", ks, "key", "export", &addr], &env));
    assert_eq!(exported["private_key"].as_str().unwrap().len(), 66);
    assert_eq!(json_ok(&node.cli(&["--json", "account", to]))["balance"], "12355");
}

fn evidence_flow(suite: &str) {
    let dir = tempfile::tempdir().unwrap();
    let node = DevNode::start(&dir.path().join("data"), &["--block-time", "100", "--suite", suite]);
    let file = dir.path().join("contract.txt");
    std::fs::write(&file, "买卖合同 第一条 …").unwrap();
    let f = file.to_str().unwrap();

    let put = json_ok(&node.cli(&["--json", "evidence", "put", f, "--title", "买卖合同", "--kind", "contract"]));
    assert_eq!(put["id"], 1);
    let ok = node.cli(&["evidence", "verify", f]);
    assert_eq!(ok.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("ON CHAIN"));

    let listed = json_ok(&node.cli(&["--json", "evidence", "list"]));
    assert_eq!(listed["records"][0]["id"], 1);
    assert_eq!(listed["records"][0]["meta"]["title"], "买卖合同");

    let other = dir.path().join("other.txt");
    std::fs::write(&other, "not stored").unwrap();
    let missing = node.cli(&["evidence", "verify", other.to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(1));

    // Re-submitting the same content points to the original record.
    let dup = node.cli(&["evidence", "put", f]);
    assert_eq!(dup.status.code(), Some(1));
    let err = String::from_utf8_lossy(&dup.stderr);
    assert!(err.contains("already exists: id 1"), "{err}");

    let cert_path = dir.path().join("cert.json");
    let c = cert_path.to_str().unwrap();
    json_ok(&node.cli(&["--json", "evidence", "cert", "1", "-o", c]));
    let genesis = node.genesis.to_str().unwrap().to_string();
    let valid = node.cli(&["evidence", "verify-cert", c, "--genesis", &genesis]);
    assert_eq!(valid.status.code(), Some(0), "{}", String::from_utf8_lossy(&valid.stdout));
    assert!(String::from_utf8_lossy(&valid.stdout).starts_with("VALID"));

    // Offline: stop the node; verification needs only the files.
    drop(node);
    let offline = cli_env("http://127.0.0.1:9", &["evidence", "verify-cert", c, "--genesis", &genesis], &[]);
    assert_eq!(offline.status.code(), Some(0));

    // Flipping any byte of the certificate makes it fail, with a reason.
    let text = std::fs::read(&cert_path).unwrap();
    let g = Genesis::from_json(&std::fs::read_to_string(&genesis).unwrap()).unwrap();
    for i in 0..text.len() {
        let mut t = text.clone();
        t[i] ^= 0x01;
        let accepted = std::str::from_utf8(&t)
            .ok()
            .and_then(|s| serde_json::from_str::<EvidenceCertificate>(s).ok())
            .map(|cert| cert.verify(&g).is_ok())
            .unwrap_or(false);
        assert!(!accepted, "flipping byte {i} ({:?}) was not detected", text[i] as char);
    }
    // A version 1 certificate (no epoch proof) is refused with a hint to export it again.
    let mut v1: serde_json::Value = serde_json::from_slice(&text).unwrap();
    v1["format"] = "hechain-evidence-certificate/1".into();
    v1.as_object_mut().unwrap().remove("epochs");
    let old_path = dir.path().join("cert-v1.json");
    std::fs::write(&old_path, v1.to_string()).unwrap();
    let old = cli_env(
        "http://127.0.0.1:9",
        &["evidence", "verify-cert", old_path.to_str().unwrap(), "--genesis", &genesis],
        &[],
    );
    assert_eq!(old.status.code(), Some(1));
    let out = String::from_utf8_lossy(&old.stdout);
    assert!(out.starts_with("INVALID: ") && out.contains("without the validator-set (epoch) proof"), "{out}");

    let mut t = text.clone();
    let pos = String::from_utf8_lossy(&text).find("\"height\": ").unwrap() + 10;
    t[pos] ^= 0x01;
    std::fs::write(&cert_path, &t).unwrap();
    let invalid = cli_env("http://127.0.0.1:9", &["evidence", "verify-cert", c, "--genesis", &genesis], &[]);
    assert_eq!(invalid.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&invalid.stdout).starts_with("INVALID: "));
}

#[test]
fn evidence_standard_suite() {
    evidence_flow("standard");
}

#[test]
fn evidence_gm_suite() {
    evidence_flow("gm");
}

/// `bench consensus` runs four in-process validators over mutual TLS and commits every offered
/// transaction (figures are printed, not asserted: timing belongs to benchmarks).
#[test]
fn bench_consensus_orders_every_transaction() {
    let out = common::cli_env(
        "http://127.0.0.1:9",
        &["--json", "bench", "consensus", "--duration", "1", "--rate", "2000", "--block-time", "20"],
        &[],
    );
    let v = common::json_ok(&out);
    // The generator offers up to rate × duration (fewer if the machine is busy); all must commit.
    let offered = v["offered"].as_u64().unwrap();
    assert!((1000..=2000).contains(&offered), "{v}");
    assert_eq!(v["committed"], v["offered"], "{v}");
}

#[test]
fn contract_deploy_call_send() {
    let dir = tempfile::tempdir().unwrap();
    let node = DevNode::start(&dir.path().join("data"), &["--block-time", "100"]);
    let artifact = concat!(env!("CARGO_MANIFEST_DIR"), "/../../contracts/artifacts/HechainToken.json");
    let d = json_ok(&node.cli(&["--json", "contract", "deploy", artifact, "Coin", "CN", "1000000"]));
    let token = d["address"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 42);
    let name = json_ok(&node.cli(&["--json", "contract", "call", &token, "name()(string)"]));
    assert_eq!(name["result"][0], "\"Coin\"");
    let to = "0x00000000000000000000000000000000000000bb";
    let sent = json_ok(&node.cli(&["--json", "contract", "send", &token, "transfer(address,uint256)", to, "250"]));
    assert_eq!(sent["status"], "0x1");
    assert_eq!(sent["logs"].as_array().unwrap().len(), 1);
    let bal = json_ok(&node.cli(&["--json", "contract", "call", &token, "balanceOf(address)(uint256)", to]));
    assert_eq!(bal["result"][0], "250");
    // A transaction that would revert is refused before sending, with the reason.
    let bad = node.cli(&[
        "contract",
        "send",
        &token,
        "transfer(address,uint256)",
        "0x0000000000000000000000000000000000000000",
        "1",
    ]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("ERC20: transfer to the zero address"), "{err}");
    // Wrong arguments are clear errors.
    let bad = node.cli(&["contract", "call", &token, "balanceOf(address)(uint256)", "nope"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("argument 1"), "{}", String::from_utf8_lossy(&bad.stderr));
}

/// Runs `hechain ARGS` without `--rpc` (and without `HECHAIN_RPC`), standard input closed.
fn cli_plain(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut c = std::process::Command::new(common::bin());
    c.args(args).env("HECHAIN_LOG", "warn").env_remove("HECHAIN_RPC").env_remove("HECHAIN_KEY");
    c.env_remove("HECHAIN_PASSWORD");
    for (k, v) in env {
        c.env(k, v);
    }
    c.stdin(std::process::Stdio::null()).output().expect("run hechain")
}

/// `--duration` is the length of the load and `--rate` caps the offered rate: a 2 s run at
/// 200 tx/s offers 400 transactions over about 2 s (behaviour, not speed: no throughput is
/// asserted), and a run too short for a rate prints none.
#[test]
fn bench_transfer_offers_rate_times_duration() {
    let started = std::time::Instant::now();
    let v = json_ok(&cli_plain(
        &["--json", "bench", "transfer", "--duration", "2", "--rate", "200", "--accounts", "50", "--block-time", "100"],
        &[],
    ));
    assert_eq!(v["planned"], 400, "{v}");
    assert_eq!(v["offered"], 400, "{v}");
    assert_eq!(v["accepted"], 400, "{v}");
    assert_eq!(v["committed"], 400, "{v}");
    let load = v["load_seconds"].as_f64().unwrap();
    assert!((1.9..3.0).contains(&load), "load window {load} s: {v}");
    assert!(started.elapsed().as_secs_f64() >= 2.0);
    assert!(v["tps"].is_number() && v["tps_withheld"].is_null(), "{v}");

    // Offered faster than the node takes it, the load still lasts --duration: what the node did
    // not take by then is reported as not offered, not sent after the window.
    let v = json_ok(&cli_plain(&["--json", "bench", "transfer", "--duration", "2", "--rate", "30000"], &[]));
    let load = v["load_seconds"].as_f64().unwrap();
    assert!((1.9..3.5).contains(&load), "load window {load} s: {v}");
    let parts = ["offered", "not_offered_node_behind", "not_offered_signing_behind"];
    assert_eq!(parts.iter().map(|k| v[k].as_u64().unwrap()).sum::<u64>(), 60_000, "{v}");
    assert_eq!(v["committed"], v["accepted"], "{v}");

    // `--max-tps` is an alias; one second is too short for a TPS.
    let v = json_ok(&cli_plain(&["--json", "bench", "transfer", "--duration", "1", "--max-tps", "100"], &[]));
    assert_eq!(v["offered"], 100, "{v}");
    assert!(v["tps"].is_null(), "{v}");
    assert!(v["tps_withheld"].as_str().unwrap().contains("shorter than 2 s"), "{v}");
    let human = cli_plain(&["bench", "transfer", "--duration", "1", "--rate", "50", "--accounts", "10"], &[]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("offered    50 transactions") && text.contains("committed TPS not reported"), "{text}");
    assert!(!text
        .lines()
        .any(|l| l.starts_with("committed TPS ") && l[14..].starts_with(|c: char| c.is_ascii_digit())));
}

#[test]
fn bench_erc20_offers_rate_times_duration() {
    let v = json_ok(&cli_plain(
        &["--json", "bench", "erc20", "--duration", "2", "--rate", "100", "--accounts", "20", "--block-time", "100"],
        &[],
    ));
    assert_eq!(v["offered"], 200, "{v}");
    assert_eq!(v["committed"], 200, "{v}");
    let load = v["load_seconds"].as_f64().unwrap();
    assert!((1.9..3.0).contains(&load), "load window {load} s: {v}");
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Keystores: no silent empty passphrase, 0600 files, and a missing passphrase source is not
/// reported as a wrong passphrase.
#[cfg(unix)]
#[test]
fn keystore_passphrases_and_modes() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let ks_path = dir.path().join("ks");
    let ks = ks_path.to_str().unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;

    let refused = cli_plain(&["--keystore", ks, "key", "new", "--light"], &[]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("HECHAIN_PASSWORD is not set"), "{}", stderr(&refused));
    assert!(!ks_path.exists() || std::fs::read_dir(&ks_path).unwrap().next().is_none());
    let empty = cli_plain(&["--keystore", ks, "key", "new", "--light"], &[("HECHAIN_PASSWORD", "")]);
    assert!(stderr(&empty).contains("refusing to encrypt the key with an empty passphrase"), "{}", stderr(&empty));

    let insecure =
        json_ok(&cli_plain(&["--json", "--keystore", ks, "key", "new", "--light", "--insecure-empty-passphrase"], &[]));
    let file = std::path::PathBuf::from(insecure["file"].as_str().unwrap());
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&ks_path), 0o700);
    let f = file.to_str().unwrap();
    json_ok(&cli_plain(&["--json", "key", "export", f], &[("HECHAIN_PASSWORD", "")]));

    let made =
        json_ok(&cli_plain(&["--json", "--keystore", ks, "key", "new", "--light"], &[("HECHAIN_PASSWORD", "pw")]));
    let file = std::path::PathBuf::from(made["file"].as_str().unwrap());
    assert_eq!(mode(&file), 0o600);
    let f = file.to_str().unwrap();
    let no_source = cli_plain(&["key", "export", f], &[]);
    assert_eq!(no_source.status.code(), Some(1));
    let e = stderr(&no_source);
    assert!(e.contains("needs a passphrase") && e.contains("HECHAIN_PASSWORD") && !e.contains("MAC"), "{e}");
    let wrong = cli_plain(&["key", "export", f], &[("HECHAIN_PASSWORD", "nope")]);
    assert!(
        stderr(&wrong).contains("wrong passphrase") && stderr(&wrong).contains("MAC mismatch"),
        "{}",
        stderr(&wrong)
    );

    // A keystore others can read still works, with an ssh-style warning.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let loose = cli_plain(&["--json", "key", "export", f], &[("HECHAIN_PASSWORD", "pw")]);
    assert!(loose.status.success());
    assert!(stderr(&loose).contains(&format!("chmod 600 {f}")), "{}", stderr(&loose));
    // Importing copies it as 0600.
    let other = dir.path().join("ks2");
    let imported = json_ok(&cli_plain(
        &["--json", "--keystore", other.to_str().unwrap(), "key", "import", f],
        &[("HECHAIN_PASSWORD", "pw")],
    ));
    assert_eq!(mode(std::path::Path::new(imported["file"].as_str().unwrap())), 0o600);
}

/// A node refuses a node key others can read (like ssh), naming the file and the fix.
#[cfg(unix)]
#[test]
fn node_refuses_a_loose_node_key() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let node = DevNode::start(&data, &[]);
    let key = data.join("node.key");
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    node.kill9();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = cli_plain(&["dev", "--rpc-addr", "127.0.0.1:0", "--data-dir", data.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(1));
    let e = stderr(&out);
    assert!(e.contains("mode 0640") && e.contains(&format!("chmod 600 {}", key.display())), "{e}");
}

/// `hechain dev --rpc URL` is refused with a hint to use `--rpc-addr` (the flag is a client option);
/// `init` with `--rpc` warns.
#[test]
fn dev_refuses_the_client_rpc_flag() {
    let out = cli_plain(&["dev", "--rpc", "http://127.0.0.1:8546"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("hechain dev --rpc-addr 127.0.0.1:8546"), "{}", stderr(&out));
    // For commands whose addresses come from elsewhere, a warning (scripts pass --rpc everywhere).
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("net");
    let out =
        cli_plain(&["--rpc", "http://127.0.0.1:8546", "init", "--nodes", "1", "--out", out_dir.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning: --rpc is the client option") && stderr(&out).contains("--rpc-port"));
}

/// A temporary dev chain keeps its genesis where it says, serves it at `GET /api/v1/genesis`,
/// and `verify-cert` exits 0 valid, 1 invalid, 2 could not verify.
#[cfg(unix)]
#[test]
fn dev_genesis_outlives_the_chain_and_verify_exit_codes() {
    let home = tempfile::tempdir().unwrap();
    let node = DevNode::start_temporary(home.path(), &["--block-time", "100"]);
    assert!(node.genesis.starts_with(home.path().join(".hechain/dev-genesis")), "{}", node.genesis.display());
    let file = home.path().join("doc.txt");
    std::fs::write(&file, "合同").unwrap();
    json_ok(&node.cli(&["--json", "evidence", "put", file.to_str().unwrap()]));
    let cert = home.path().join("cert.json");
    let c = cert.to_str().unwrap();
    json_ok(&node.cli(&["--json", "evidence", "cert", "1", "-o", c]));
    json_ok(&node.cli(&[
        "--json",
        "copyright",
        "register",
        file.to_str().unwrap(),
        "--title",
        "t",
        "--type",
        "text",
        "--author",
        "a",
    ]));
    let work = home.path().join("work.json");
    let w = work.to_str().unwrap();
    json_ok(&node.cli(&["--json", "copyright", "cert", "1", "-o", w]));

    // Served genesis = kept genesis; verify-cert fetches it once with --rpc.
    let kept = Genesis::from_json(&std::fs::read_to_string(&node.genesis).unwrap()).unwrap();
    let status = json_ok(&node.cli(&["--json", "status"]));
    assert_eq!(status["genesis_hash"], serde_json::json!(kept.hash()));
    let online = node.cli(&["evidence", "verify-cert", c]);
    assert_eq!(online.status.code(), Some(0), "{}", stderr(&online));
    assert!(stderr(&online).contains("checking against the genesis served by"), "{}", stderr(&online));
    assert_eq!(node.cli(&["copyright", "verify-cert", w]).status.code(), Some(0));

    let data_dir = node.data_dir.clone();
    let genesis = node.genesis.clone();
    node.terminate();
    assert!(!data_dir.exists(), "the temporary data directory is deleted");
    let g = genesis.to_str().unwrap();
    let dead = "http://127.0.0.1:9";
    assert_eq!(cli_env(dead, &["evidence", "verify-cert", c, "--genesis", g], &[]).status.code(), Some(0));
    assert_eq!(cli_env(dead, &["copyright", "verify-cert", w, "--genesis", g], &[]).status.code(), Some(0));

    // Could not verify: 2 (missing genesis, no genesis at all, node unreachable, missing cert).
    let missing = home.path().join("missing.json");
    let m = missing.to_str().unwrap();
    for (args, rpc) in [
        (vec!["evidence", "verify-cert", c, "--genesis", m], Some(dead)),
        (vec!["copyright", "verify-cert", w, "--genesis", m], Some(dead)),
        (vec!["evidence", "verify-cert", c], None),
        (vec!["evidence", "verify-cert", c], Some(dead)),
        (vec!["copyright", "verify-cert", m, "--genesis", g], Some(dead)),
        (vec!["ecert", "verify-export", w], Some(dead)),
    ] {
        let out = match rpc {
            Some(u) => cli_env(u, &args, &[]),
            None => cli_plain(&args, &[]),
        };
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("could not verify"), "{args:?}: {}", stderr(&out));
    }
    let json = cli_plain(&["--json", "evidence", "verify-cert", c], &[]);
    assert_eq!(json.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(v["valid"].is_null() && v["error"].as_str().unwrap().contains("--genesis"), "{v}");

    // Invalid: 1 (a tampered certificate, and a file that is not a certificate).
    let text = std::fs::read_to_string(&cert).unwrap().replacen("\"height\": ", "\"height\": 9", 1);
    std::fs::write(&cert, text).unwrap();
    let bad = cli_env(dead, &["evidence", "verify-cert", c, "--genesis", g], &[]);
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    std::fs::write(&work, "{}").unwrap();
    assert_eq!(cli_env(dead, &["copyright", "verify-cert", w, "--genesis", g], &[]).status.code(), Some(1));
}

/// `hechain init --suite gm` seals the keys: it asks for a passphrase rather than write them in
/// the clear, seals them when given one, and writes them plain only when told to.
#[test]
fn gm_init_requires_sealed_keys_or_an_explicit_opt_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name).display().to_string();
    let base = ["--json", "init", "--suite", "gm", "--nodes", "1"];
    let args = |o: &str, extra: &[&'static str]| {
        let mut v: Vec<String> = base.iter().map(|s| s.to_string()).collect();
        v.extend(["--out".to_string(), o.to_string()]);
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let run = |a: Vec<String>, env: &[(&str, &str)]| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        cli_env("http://127.0.0.1:9", &a, env)
    };
    let refused = run(args(&out("a"), &[]), &[]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--key-passphrase-file"), "{refused:?}");

    json_ok(&run(args(&out("b"), &[]), &[("HECHAIN_KEY_PASSPHRASE", "pass phrase")]));
    let key = std::fs::read_to_string(dir.path().join("b/org1-node0/tls/node.key")).unwrap();
    assert!(key.contains("hechain_sealed") && !key.contains("PRIVATE KEY"), "{key}");

    json_ok(&run(args(&out("c"), &["--plaintext-keys"]), &[]));
    let key = std::fs::read_to_string(dir.path().join("c/org1-node0/tls/node.key")).unwrap();
    assert!(key.contains("PRIVATE KEY"), "{key}");
}
