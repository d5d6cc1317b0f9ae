//! Pins the layering of the workspace: the consensus core builds without the EVM, the mempool and
//! the database, and clients (the SDK, this crate) verify certificates without the EVM and the
//! database. Reads `cargo metadata` (no build, no network) and walks the normal (non-dev)
//! dependency graph.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The resolved workspace graph (for the host platform): package id → name, and package id → ids of its normal and build
/// dependencies (dev-dependencies left out).
struct Graph {
    names: BTreeMap<String, String>,
    deps: BTreeMap<String, Vec<String>>,
}

fn graph() -> Graph {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // Only this platform's packages: those of other platforms are not downloaded, and offline
    // `cargo metadata` would fail on them.
    let version = Command::new(&cargo).arg("-vV").output().expect("run cargo -vV");
    let version = String::from_utf8_lossy(&version.stdout);
    let host = version.lines().find_map(|l| l.strip_prefix("host: ")).expect("cargo -vV names the host");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    let out = Command::new(&cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline", "--filter-platform", host])
        .arg("--manifest-path")
        .arg(&manifest)
        .output()
        .expect("run cargo metadata");
    assert!(out.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    let names = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| (p["id"].as_str().expect("id").to_string(), p["name"].as_str().expect("name").to_string()))
        .collect();
    let mut deps = BTreeMap::new();
    for node in meta["resolve"]["nodes"].as_array().expect("resolve.nodes") {
        let normal = node["deps"]
            .as_array()
            .expect("deps")
            .iter()
            .filter(|d| d["dep_kinds"].as_array().expect("dep_kinds").iter().any(|k| k["kind"].as_str() != Some("dev")))
            .map(|d| d["pkg"].as_str().expect("pkg").to_string())
            .collect();
        deps.insert(node["id"].as_str().expect("node id").to_string(), normal);
    }
    Graph { names, deps }
}

impl Graph {
    /// Names of the packages `name` depends on, directly or not, through normal and build
    /// dependencies.
    fn closure(&self, name: &str) -> BTreeSet<String> {
        let root = self
            .names
            .iter()
            .find(|(_, n)| n.as_str() == name)
            .map(|(id, _)| id.clone())
            .unwrap_or_else(|| panic!("{name} is not in the workspace graph"));
        let mut seen = BTreeSet::new();
        let mut todo = vec![root];
        while let Some(id) = todo.pop() {
            for dep in self.deps.get(&id).into_iter().flatten() {
                if seen.insert(dep.clone()) {
                    todo.push(dep.clone());
                }
            }
        }
        seen.iter().map(|id| self.names[id].clone()).collect()
    }
}

/// The forbidden packages `name` depends on (`revm` stands for the whole `revm*` family).
fn offending(g: &Graph, name: &str, forbidden: &[&str]) -> Vec<String> {
    g.closure(name)
        .into_iter()
        .filter(|d| forbidden.contains(&d.as_str()) || (forbidden.contains(&"revm") && d.starts_with("revm-")))
        .collect()
}

#[test]
fn consensus_core_builds_without_evm_mempool_and_storage() {
    let g = graph();
    let bad = offending(
        &g,
        "hechain-consensus",
        &["revm", "hechain-execution", "hechain-mempool", "hechain-storage", "redb"],
    );
    assert!(bad.is_empty(), "hechain-consensus (the HotStuff core) must not depend on {bad:?}");
}

#[test]
fn certificate_verification_builds_without_evm_and_storage() {
    let g = graph();
    // hechain-verify-wasm is the same verifier compiled for the browser (console/verify.wasm);
    // the relayer is a client of two chains, and hechain-chain is what light clients verify with.
    for krate in ["hechain-cert", "hechain-sdk", "hechain-verify-wasm", "hechain-relayer", "hechain-chain"] {
        let bad = offending(&g, krate, &["revm", "hechain-execution", "hechain-storage", "redb"]);
        assert!(bad.is_empty(), "{krate} must not depend on {bad:?}");
    }
}

/// The walk does find what it looks for: the node's stack has all of it.
#[test]
fn the_check_sees_forbidden_dependencies() {
    let g = graph();
    let all = ["revm", "hechain-execution", "hechain-mempool", "hechain-storage", "redb"];
    let found = offending(&g, "hechain-node", &all);
    for name in all {
        assert!(found.iter().any(|f| f == name), "hechain-node's closure should contain {name}: {found:?}");
    }
    // Dev-dependencies are not followed: hechain-rpc's tests use hechain-node, its library does not.
    assert!(!g.closure("hechain-rpc").contains("hechain-node"));
}
