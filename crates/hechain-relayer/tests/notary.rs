//! Notary mode on a real chain (store, execution, governance): a 2-of-3 committee of notaries
//! of an external network, set by a governance proposal (a malformed committee refused when
//! proposed), attests to external events; too few, foreign, repeated or mismatched signatures
//! are refused, each event is accepted once, and a committee changed by governance takes effect.

mod common;

use common::LocalChain;
use hechain_crosschain::notary::{statement, NotaryCommittee};
use hechain_crosschain::CrosschainCall;
use hechain_crypto::{AccountKey, AccountScheme, Suite};
use hechain_governance::Action;
use hechain_primitives::Codec;
use hechain_types::{Address, Payload};

fn key(seed: u8) -> AccountKey {
    AccountKey::from_bytes(AccountScheme::Secp256k1, &[seed; 32]).unwrap()
}

fn committee(threshold: u32, keys: &[&AccountKey]) -> Action {
    let c = NotaryCommittee { threshold, notaries: keys.iter().map(|k| Address(k.address())).collect() };
    Action::SetModuleSetting { module: "crosschain".into(), key: "notary/eth".into(), value: c.encode() }
}

#[test]
fn an_m_of_n_notary_committee_chosen_by_governance_attests_external_events() {
    let c = LocalChain::new("court", Suite::Standard, 55, 20);
    let (n1, n2, n3, outsider) = (key(0x51), key(0x52), key(0x53), key(0x54));
    let genesis = c.e.genesis.hash();
    let attest = |event: &str, payload: &[u8], signers: &[&AccountKey]| {
        let msg = statement(&genesis, "eth", event, payload);
        Payload::Crosschain(CrosschainCall::NotaryAttest {
            network: "eth".into(),
            event_id: event.into(),
            payload: payload.to_vec(),
            signatures: signers.iter().map(|k| k.sign(&msg)).collect(),
        })
    };
    // No committee yet.
    let r = c.refused(1, attest("0xaa:0", b"deposit 5", &[&n1, &n2]));
    assert!(r.contains("no notary committee"), "{r}");
    // A malformed committee is refused when proposed, by the crosschain module's rule.
    let r = c.govern(committee(4, &[&n1, &n2, &n3])).unwrap_err();
    assert!(r.contains("threshold must be 1 to 3"), "{r}");
    let r = c
        .govern(Action::SetModuleSetting { module: "crosschain".into(), key: "fees".into(), value: vec![1] })
        .unwrap_err();
    assert!(r.contains("has no setting"), "{r}");
    c.govern(committee(2, &[&n1, &n2, &n3])).unwrap();

    // Two of three sign: accepted, once.
    c.run(1, attest("0xaa:0", b"deposit 5", &[&n1, &n3]));
    let a = hechain_crosschain::notary::attestation(&c.reader(), "eth", "0xaa:0").unwrap().unwrap();
    assert_eq!((a.payload.as_slice(), a.threshold, a.signers.len()), (&b"deposit 5"[..], 2, 2));
    let r = c.refused(1, attest("0xaa:0", b"deposit 5", &[&n1, &n2]));
    assert!(r.contains("already attested"), "{r}");
    // Too few, an outsider, the same notary twice, a payload other than the one signed.
    let r = c.refused(1, attest("0xaa:1", b"x", &[&n2]));
    assert!(r.contains("1 notary signatures, eth needs 2 of 3"), "{r}");
    let r = c.refused(1, attest("0xaa:1", b"x", &[&n1, &outsider]));
    assert!(r.contains("not a notary of eth"), "{r}");
    let r = c.refused(1, attest("0xaa:1", b"x", &[&n1, &n1]));
    assert!(r.contains("signed twice"), "{r}");
    let msg = statement(&genesis, "eth", "0xaa:1", b"deposit 1");
    let forged = Payload::Crosschain(CrosschainCall::NotaryAttest {
        network: "eth".into(),
        event_id: "0xaa:1".into(),
        payload: b"deposit 1000".to_vec(),
        signatures: vec![n1.sign(&msg), n2.sign(&msg)],
    });
    let r = c.refused(1, forged);
    assert!(r.contains("not a notary of eth"), "{r}");

    // Governance replaces the committee: the old notaries no longer count, the new one does.
    c.govern(committee(1, &[&outsider])).unwrap();
    let r = c.refused(1, attest("0xaa:2", b"y", &[&n1, &n2]));
    assert!(r.contains("not a notary of eth"), "{r}");
    c.run(1, attest("0xaa:2", b"y", &[&outsider]));
}
