//! `hechain contract check`: offline, exit status 2 and the hazard for a known-vulnerable
//! contract, 0 for a known-safe one, a clear error for an artifact without runtime code.

mod common;

use std::process::Command;

fn check(artifact: &str, json: bool) -> std::process::Output {
    let path = format!("{}/../../contracts/artifacts/{artifact}", env!("CARGO_MANIFEST_DIR"));
    let mut c = Command::new(common::bin());
    if json {
        c.arg("--json");
    }
    // No node runs: the check must not need one.
    c.args(["--rpc", "http://127.0.0.1:9", "contract", "check", &path]).output().unwrap()
}

#[test]
fn reports_hazards_offline_with_an_exit_status() {
    let out = check("ReentrantVault.json", true);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["hazard"], "reentrancy", "{v}");
    assert!(v["findings"][0]["advice"].as_str().unwrap().contains("checks-effects-interactions"));

    let out = check("SafeVault.json", false);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no hazard found"));

    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("bare.json");
    std::fs::write(&bare, r#"{"abi": [], "bytecode": "0x00"}"#).unwrap();
    let out = Command::new(common::bin()).args(["contract", "check"]).arg(&bare).output().unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no deployedBytecode"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
