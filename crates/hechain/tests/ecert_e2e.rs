//! End to end through the real binary: e-certificates and data sharing on `hechain dev` —
//! an agency issues a certificate (field values stay in the holder's disclosure file), the
//! holder grants a bank time-limited access, the bank logs a use, refusals (another
//! organisation, a non-issuer revoking, a revoked grant), REST verification, authorisation and
//! audit, selective disclosure, an exported certificate verified offline (and a tampered one
//! rejected), the records surviving a restart, and revocation.

mod common;

use common::{cli_env, json_ok, DevNode};

const HOLDER_KEY: &str = "0x1111111111111111111111111111111111111111111111111111111111111111";
const BANK_KEY: &str = "0x2222222222222222222222222222222222222222222222222222222222222222";
const OTHER_ORG: &str = "0x00000000000000000000000000000000000000cc";

fn get(url: &str, path: &str) -> (u16, serde_json::Value) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let r = reqwest::get(format!("{url}{path}")).await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    })
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn ecert_issue_grant_access_audit_disclose_export_restart_revoke() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let node = DevNode::start(&data, &["--block-time", "100"]);
    let with_key = |key: &'static str| {
        let url = node.url.clone();
        move |args: &[&str]| {
            let mut a = vec!["--key", key];
            a.extend_from_slice(args);
            cli_env(&url, &a, &[])
        }
    };
    let (as_holder, as_bank) = (with_key(HOLDER_KEY), with_key(BANK_KEY));
    let holder = json_ok(&as_holder(&["--json", "account"]))["address"].as_str().unwrap().to_string();
    let bank = json_ok(&as_bank(&["--json", "account"]))["address"].as_str().unwrap().to_string();
    let agency = json_ok(&node.cli(&["--json", "account"]))["address"].as_str().unwrap().to_string();
    json_ok(&node.cli(&["--json", "transfer", &holder, "1000000000"]));
    json_ok(&node.cli(&["--json", "transfer", &bank, "1000000000"]));

    // The agency issues a diploma; the values and salts go to the holder's disclosure file.
    let fields_file = dir.path().join("fields.json");
    let issued = json_ok(&node.cli(&[
        "--json",
        "ecert",
        "issue",
        &holder,
        "--type",
        "diploma",
        "--field",
        "name=张三",
        "--field",
        "degree=BSc Computer Science",
        "--field",
        "id_number=110101199001011234",
        "--encrypted-ref",
        "0xdeadbeefcafe",
        "--not-after",
        "2099-01-01",
        "--disclosure",
        fields_file.to_str().unwrap(),
    ]));
    assert_eq!(issued["events"][0]["type"], "ecert_issued");
    assert_eq!(issued["events"][0]["id"], 1);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&fields_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the disclosure file holds personal data: owner-only");
    let (s, c) = get(&node.url, "/api/v1/ecerts/1");
    assert_eq!((s, c["valid"].as_bool()), (200, Some(true)), "{c}");
    let on_chain = c.to_string();
    assert!(!on_chain.contains("张三") && !on_chain.contains("110101199001011234"), "values leaked: {on_chain}");
    let verify = node.cli(&["ecert", "verify", "1"]);
    assert_eq!(verify.status.code(), Some(0), "{}", stdout(&verify));
    assert!(stdout(&verify).contains("VALID"));

    // Only the issuer revokes; only the holder grants.
    let r = as_holder(&["ecert", "revoke", "1", "--reason", "mine"]);
    assert_eq!(r.status.code(), Some(1));
    assert!(stderr(&r).contains("only the issuer"), "{}", stderr(&r));
    let r = node.cli(&[
        "ecert",
        "grant",
        "--cert",
        "1",
        &bank,
        "--org",
        "Bank",
        "--purpose",
        "KYC",
        "--until",
        "2099-01-01",
    ]);
    assert!(stderr(&r).contains("only the holder"), "{}", stderr(&r));

    // The holder grants the bank access; the bank logs a use; another organisation cannot.
    let g = json_ok(&as_holder(&[
        "--json",
        "ecert",
        "grant",
        "--cert",
        "1",
        &bank,
        "--org",
        "Example Bank",
        "--purpose",
        "account opening",
        "--until",
        "2099-01-01",
    ]));
    assert_eq!(g["events"][0]["grant"], 1);
    let req = format!("0x{}", "ab".repeat(32));
    let used = json_ok(&as_bank(&["--json", "ecert", "access", "1", "--purpose", "KYC check", "--request", &req]));
    assert_eq!(used["events"][0]["type"], "data_accessed");
    assert_eq!(used["events"][0]["seq"], 2);
    let r = node.cli(&["ecert", "access", "1", "--purpose", "peek", "--request", &req]);
    assert!(stderr(&r).contains("access refused: grant 1 is to"), "{}", stderr(&r));
    let ok = node.cli(&["ecert", "authorized", "--cert", "1", &bank]);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    let no = node.cli(&["ecert", "authorized", "--cert", "1", OTHER_ORG]);
    assert_eq!(no.status.code(), Some(1));
    assert!(stdout(&no).contains("holds no grant on certificate 1"), "{}", stdout(&no));
    let (_, a) = get(&node.url, &format!("/api/v1/ecerts/1/authorization?grantee={bank}"));
    assert_eq!((a["authorized"].as_bool(), a["grant_id"].as_u64()), (Some(true), Some(1)));
    let (_, a) = get(&node.url, &format!("/api/v1/ecerts/1/authorization?grantee={bank}&at=4070908800000"));
    assert_eq!(a["authorized"].as_bool(), Some(false), "after the grant's expiry: {a}");

    // A dataset, a grant on it, revoked early: the bank's use is then refused.
    let ds = json_ok(&as_holder(&[
        "--json",
        "ecert",
        "dataset",
        "register",
        &format!("0x{}", "cd".repeat(32)),
        "--encrypted-ref",
        "0x0102",
        "--description",
        "statements 2025",
    ]));
    assert_eq!(ds["events"][0]["id"], 1);
    json_ok(&as_holder(&[
        "--json",
        "ecert",
        "grant",
        "--dataset",
        "1",
        &bank,
        "--org",
        "Example Bank",
        "--purpose",
        "credit",
        "--until",
        "2099-01-01",
    ]));
    json_ok(&as_holder(&["--json", "ecert", "revoke-grant", "2"]));
    let r = as_bank(&["ecert", "access", "2", "--purpose", "credit", "--request", &req]);
    assert!(stderr(&r).contains("grant 2 was revoked"), "{}", stderr(&r));

    // The audit logs, over REST (paged) and the CLI.
    let (_, log) = get(&node.url, "/api/v1/ecerts/1/audit?limit=2");
    assert_eq!(log["total"], 3);
    assert_eq!(log["entries"][0]["action"], "issued");
    assert_eq!(log["entries"][0]["actor"].as_str().unwrap().to_lowercase(), agency.to_lowercase());
    assert_eq!(log["next_after"], 1);
    let (_, log2) = get(&node.url, "/api/v1/ecerts/1/audit?after=1");
    assert_eq!(log2["entries"][0]["action"], "accessed");
    assert_eq!(log2["entries"][0]["request_hash"], req);
    assert!(log2["next_after"].is_null());
    let audit = json_ok(&node.cli(&["--json", "ecert", "audit", "--dataset", "1"]));
    let actions: Vec<&str> =
        audit["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["registered", "granted", "grant_revoked"]);
    let (s, e) = get(&node.url, "/api/v1/ecerts/99");
    assert_eq!((s, e["error"]["code"].as_str()), (404, Some("ecert_not_found")));
    let (s, e) = get(&node.url, "/api/v1/ecerts/1/authorization?grantee=0xzz");
    assert_eq!((s, e["error"]["code"].as_str()), (400, Some("invalid_address")));
    let (s, e) = get(&node.url, "/api/v1/ecerts/1/authorization");
    assert_eq!((s, e["error"]["code"].as_str()), (400, Some("invalid_query")), "{e}");
    let (s, e) = get(&node.url, "/api/v1/datasets/x/audit");
    assert_eq!((s, e["error"]["code"].as_str()), (400, Some("invalid_id")));
    let (_, v) = get(&node.url, "/api/v1/ecerts/1/verify?at=4070908800000");
    assert_eq!(v["valid"].as_bool(), Some(false), "expired on 2099-01-01: {v}");
    let (_, page) = get(&node.url, &format!("/api/v1/ecerts/by-holder/{holder}"));
    assert_eq!(page["certificates"][0]["id"], 1);
    let (_, page) = get(&node.url, &format!("/api/v1/data-grants/by-grantee/{bank}"));
    assert_eq!(page["grants"].as_array().unwrap().len(), 2);
    let (s, e) = get(&node.url, "/api/v1/data-grants/1/certificate");
    assert_eq!(s, 200, "{e}");

    // Selective disclosure: the holder shows only the degree; it matches; a forged value does not.
    let degree = dir.path().join("degree.json");
    json_ok(&node.cli(&[
        "--json",
        "ecert",
        "disclose",
        fields_file.to_str().unwrap(),
        "degree",
        "-o",
        degree.to_str().unwrap(),
    ]));
    let shown = std::fs::read_to_string(&degree).unwrap();
    assert!(shown.contains("BSc Computer Science") && !shown.contains("张三"));
    let ok = node.cli(&["ecert", "verify-fields", degree.to_str().unwrap()]);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    let forged = dir.path().join("forged.json");
    std::fs::write(&forged, shown.replace("BSc Computer Science", "PhD Computer Science")).unwrap();
    let bad = node.cli(&["ecert", "verify-fields", forged.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stdout(&bad).contains("NO MATCH  degree"), "{}", stdout(&bad));

    // Export the certificate record; verify it (and the disclosure) offline, with the node gone.
    let export = dir.path().join("ecert1.json");
    json_ok(&node.cli(&["--json", "ecert", "export", "--cert", "1", "-o", export.to_str().unwrap()]));
    let genesis = node.genesis.to_str().unwrap().to_string();
    drop(node);
    let off = |args: &[&str]| cli_env("http://127.0.0.1:9", args, &[]);
    let ok = off(&["ecert", "verify-export", export.to_str().unwrap(), "--genesis", &genesis]);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    assert!(stdout(&ok).contains("e-certificate 1 (diploma)") && stdout(&ok).contains("not revoked"));
    let fields_ok = off(&[
        "ecert",
        "verify-fields",
        degree.to_str().unwrap(),
        "--export",
        export.to_str().unwrap(),
        "--genesis",
        &genesis,
    ]);
    assert_eq!(fields_ok.status.code(), Some(0), "{}", stdout(&fields_ok));
    let mut tampered: serde_json::Value = serde_json::from_slice(&std::fs::read(&export).unwrap()).unwrap();
    tampered["record"]["not_after_ms"] = serde_json::json!(4_102_444_800_001u64);
    let t = dir.path().join("tampered.json");
    std::fs::write(&t, tampered.to_string()).unwrap();
    let bad = off(&["ecert", "verify-export", t.to_str().unwrap(), "--genesis", &genesis]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stdout(&bad).contains("INVALID"), "{}", stdout(&bad));

    // Restart on the same data: everything is still there; then the agency revokes.
    let node = DevNode::start(&data, &["--block-time", "100"]);
    let (_, log) = get(&node.url, "/api/v1/ecerts/1/audit");
    assert_eq!(log["total"], 3);
    let (_, g) = get(&node.url, "/api/v1/data-grants/2");
    assert!(g["grant"]["revoked"].is_object() && g["live"] == false);
    json_ok(&node.cli(&["--json", "ecert", "revoke", "1", "--reason", "degree withdrawn"]));
    let v = node.cli(&["ecert", "verify", "1"]);
    assert_eq!(v.status.code(), Some(1));
    assert!(stdout(&v).contains("revoked at height"), "{}", stdout(&v));
    let r =
        cli_env(&node.url, &["--key", BANK_KEY, "ecert", "access", "1", "--purpose", "again", "--request", &req], &[]);
    assert!(stderr(&r).contains("certificate 1 was revoked"), "{}", stderr(&r));
    let (_, log) = get(&node.url, "/api/v1/ecerts/1/audit");
    assert_eq!(log["total"], 4);
    assert_eq!(log["entries"][3]["action"], "revoked");
    assert_eq!(log["entries"][3]["reason"], "degree withdrawn");
}
