//! End to end through the real binary: the copyright (版权) service on `hechain dev` — CLI and
//! REST, refusals, certificates verified offline, and the records surviving a restart.

mod common;

use common::{cli_env, json_ok, DevNode};

const BUYER: &str = "0x00000000000000000000000000000000000000bb";
const OTHER: &str = "0x00000000000000000000000000000000000000cc";

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn get(url: &str, path: &str) -> (u16, serde_json::Value) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let r = reqwest::get(format!("{url}{path}")).await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    })
}

#[test]
fn copyright_register_license_transfer_certify_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let node = DevNode::start(&data, &["--block-time", "100"]);
    let work = dir.path().join("song.mp3");
    std::fs::write(&work, b"\x49\x44\x33 not really an mp3").unwrap();
    let f = work.to_str().unwrap();

    let reg = json_ok(&node.cli(&[
        "--json",
        "copyright",
        "register",
        f,
        "--title",
        "茉莉花",
        "--type",
        "music",
        "--author",
        "佚名",
    ]));
    assert_eq!(reg["id"], 1);
    let owner = reg["owner"].as_str().unwrap().to_string();
    let content_hash = reg["content_hash"].as_str().unwrap().to_string();

    // A second registration of the same content is refused and points to the first.
    let dup = node.cli(&["copyright", "register", f, "--title", "x", "--type", "music", "--author", "y"]);
    assert_eq!(dup.status.code(), Some(1));
    assert!(stderr(&dup).contains("is already registered: work 1 \"茉莉花\""), "{}", stderr(&dup));
    // Empty fields never reach the chain: the pool refuses them with the field's name.
    let empty = node.cli(&["copyright", "register", f, "--title", " ", "--type", "music", "--author", "y"]);
    assert!(stderr(&empty).contains("copyright title is empty"), "{}", stderr(&empty));

    assert_eq!(node.cli(&["copyright", "find", f]).status.code(), Some(0));
    let other = dir.path().join("other.txt");
    std::fs::write(&other, "unregistered").unwrap();
    assert_eq!(node.cli(&["copyright", "find", other.to_str().unwrap()]).status.code(), Some(1));

    // Licenses: an exclusive one in CN, then a worldwide one that overlaps it is refused.
    let lic = json_ok(&node.cli(&[
        "--json",
        "copyright",
        "license",
        "1",
        BUYER,
        "--exclusive",
        "--until",
        "2999-01-01",
        "--territory",
        "CN",
    ]));
    assert_eq!(lic["index"], 0);
    let clash = node.cli(&["copyright", "license", "1", OTHER, "--until", "2999-01-01T00:00:00Z"]);
    assert_eq!(clash.status.code(), Some(1));
    assert!(stderr(&clash).contains("conflicts with exclusive license 0 of work 1"), "{}", stderr(&clash));
    let bad_date = node.cli(&["copyright", "license", "1", OTHER, "--until", "next year"]);
    assert!(stderr(&bad_date).contains("is not a time"), "{}", stderr(&bad_date));
    json_ok(&node.cli(&["--json", "copyright", "license", "1", OTHER, "--until", "2999-01-01", "--territory", "US"]));

    let shown = json_ok(&node.cli(&["--json", "copyright", "show", "1"]));
    assert_eq!(shown["work"]["owner"], owner.as_str());
    assert_eq!(shown["licenses"].as_array().unwrap().len(), 2);
    assert_eq!(shown["licenses"][0]["in_force"], true);
    assert_eq!(shown["licenses"][0]["exclusive"], true);

    // REST: the same records, and clear errors.
    let (s, w) = get(&node.url, "/api/v1/copyright/works/1");
    assert_eq!((s, w["title"].as_str()), (200, Some("茉莉花")));
    let (s, w) = get(&node.url, &format!("/api/v1/copyright/works/by-hash/{content_hash}"));
    assert_eq!((s, w["id"].as_u64()), (200, Some(1)));
    let (s, page) = get(&node.url, &format!("/api/v1/copyright/by-owner/{owner}?limit=1"));
    assert_eq!((s, page["works"][0]["id"].as_u64(), page["next_after"].is_null()), (200, Some(1), true));
    let (s, l) = get(&node.url, "/api/v1/copyright/works/1/licenses");
    assert_eq!((s, l["licenses"][1]["territory"].as_str()), (200, Some("US")));
    let (s, e) = get(&node.url, "/api/v1/copyright/works/99");
    assert_eq!((s, e["error"]["code"].as_str()), (404, Some("work_not_found")));
    let (s, e) = get(&node.url, "/api/v1/copyright/works/abc");
    assert_eq!((s, e["error"]["code"].as_str()), (400, Some("invalid_id")));
    let (s, e) = get(&node.url, "/api/v1/copyright/works/1/licenses/5/certificate");
    assert_eq!((s, e["error"]["code"].as_str()), (404, Some("license_not_found")));
    let (_, doc) = get(&node.url, "/api/v1/openapi.json");
    assert!(doc["paths"]["/api/v1/copyright/works/{id}/certificate"]["get"].is_object());

    // Certificates of the work and of a license, verified with only the genesis file.
    let genesis = node.genesis.to_str().unwrap().to_string();
    let cert = dir.path().join("work-cert.json");
    let c = cert.to_str().unwrap();
    json_ok(&node.cli(&["--json", "copyright", "cert", "1", "-o", c]));
    let lcert = dir.path().join("license-cert.json");
    let lc = lcert.to_str().unwrap();
    json_ok(&node.cli(&["--json", "copyright", "cert", "1", "--license", "0", "-o", lc]));

    // Transfer: the new owner holds it, licenses stay, the old owner can no longer license.
    let t = json_ok(&node.cli(&["--json", "copyright", "transfer", "1", BUYER]));
    assert_eq!(t["owner"], BUYER);
    let denied = node.cli(&["copyright", "license", "1", OTHER, "--until", "2999-01-01", "--territory", "JP"]);
    assert!(stderr(&denied).contains("only the owner"), "{}", stderr(&denied));
    let (_, page) = get(&node.url, &format!("/api/v1/copyright/by-owner/{BUYER}"));
    assert_eq!(page["works"][0]["transfers"], 1);

    // Restart on the same data: everything is still there.
    drop(node);
    let node = DevNode::start(&data, &["--block-time", "100"]);
    let shown = json_ok(&node.cli(&["--json", "copyright", "show", "1"]));
    assert_eq!(shown["work"]["owner"], BUYER);
    assert_eq!(shown["work"]["registrant"], owner.as_str());
    assert_eq!(shown["licenses"].as_array().unwrap().len(), 2);
    drop(node);

    // Offline verification (no node running); the work certificate still proves the record as
    // of its block, before the transfer.
    let offline =
        |path: &str| cli_env("http://127.0.0.1:9", &["copyright", "verify-cert", path, "--genesis", &genesis], &[]);
    let ok = offline(c);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stdout));
    let text = String::from_utf8_lossy(&ok.stdout).into_owned();
    assert!(text.starts_with("VALID: as of block") && text.contains("茉莉花"), "{text}");
    let ok = offline(lc);
    assert_eq!(ok.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("exclusive to"));

    // A forged owner in the certificate is detected.
    let forged = std::fs::read_to_string(&cert).unwrap().replace(&owner, OTHER);
    assert_ne!(forged, std::fs::read_to_string(&cert).unwrap());
    std::fs::write(&cert, forged).unwrap();
    let bad = offline(c);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stdout).starts_with("INVALID: "));
}
