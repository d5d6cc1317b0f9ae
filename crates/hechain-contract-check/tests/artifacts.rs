//! The checks against contracts compiled by solc (`contracts/test/checks/`, built into
//! `contracts/artifacts/` by `contracts/build.mjs`): each known-vulnerable contract shows its
//! hazard, the known-safe one and the project's other test contracts show none.

use hechain_contract_check::{check, Hazard};

fn runtime(name: &str) -> Vec<u8> {
    let path = format!("{}/../../contracts/artifacts/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    hex::decode(v["deployedBytecode"].as_str().unwrap().trim_start_matches("0x")).unwrap()
}

fn hazards(name: &str) -> Vec<Hazard> {
    let mut h: Vec<Hazard> = check(&runtime(name)).into_iter().map(|f| f.hazard).collect();
    h.sort();
    h.dedup();
    h
}

#[test]
fn known_vulnerable_contracts_show_their_hazard() {
    assert_eq!(hazards("ReentrantVault"), vec![Hazard::Reentrancy]);
    assert_eq!(hazards("UncheckedPayer"), vec![Hazard::UncheckedCall]);
    assert_eq!(hazards("OriginOwned"), vec![Hazard::TxOriginAuth]);
    assert_eq!(hazards("Destructible"), vec![Hazard::SelfDestruct]);
    assert_eq!(hazards("OpenDelegator"), vec![Hazard::CallerChosenDelegatecall]);
}

#[test]
fn known_safe_contracts_show_none() {
    for name in [
        "SafeVault",
        "HechainToken",
        "EvidenceNotary",
        "RightsAgency",
        "CoreEnterprise",
        "CertificateAgency",
        "ColdChainCarrier",
    ] {
        assert_eq!(check(&runtime(name)), vec![], "{name}");
    }
}
