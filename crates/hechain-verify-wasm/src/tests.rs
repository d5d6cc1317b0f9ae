//! The verifier and hash the console runs, checked on the host against certificates built by a
//! real store (the same code compiled to WebAssembly runs in the browser tests, tests/console).

use super::*;
use hechain_execution::certificate::{BuildCertificate, EvidenceCertificate};
use hechain_testkit::exec::{commit, env, tx};
use hechain_types::{EvidenceCall, EvidenceMeta, Payload, H256};

fn evidence_certificate(suite: Suite) -> (String, String) {
    let e = env(suite, 0);
    let h = H256(suite.hash(b"contract.pdf"));
    let meta = EvidenceMeta { title: Some("合同".into()), ..Default::default() };
    commit(&e, vec![tx(&e, 0, 0, 0, Payload::Evidence(EvidenceCall::Put { content_hash: h, meta }))]);
    let cert = EvidenceCertificate::build(&e.store.reader().unwrap(), &e.genesis, 1).unwrap();
    (serde_json::to_string_pretty(&cert).unwrap(), serde_json::to_string(&e.genesis).unwrap())
}

fn through_abi(cert: &str, genesis: &str) -> Value {
    unsafe {
        let p = hc_verify(cert.as_ptr(), cert.len(), genesis.as_ptr(), genesis.len());
        let len = u32::from_le_bytes(std::slice::from_raw_parts(p, 4).try_into().unwrap()) as usize;
        let v = serde_json::from_slice(std::slice::from_raw_parts(p.add(4), len)).unwrap();
        hc_free(p, 4 + len);
        v
    }
}

#[test]
fn certificates_verify_and_a_changed_byte_says_why_not() {
    for suite in Suite::ALL {
        let (cert, genesis) = evidence_certificate(suite);
        let v = through_abi(&cert, &genesis);
        assert_eq!(v["valid"], true, "{suite}: {v}");
        assert_eq!(
            (v["kind"].as_str(), v["id"].as_u64(), v["suite"].as_str()),
            (Some("evidence"), Some(1), Some(suite.name()))
        );
        assert_eq!(v["record"]["meta"]["title"], "合同");
        // A forged title: refused, with the reason.
        let forged = cert.replace("合同", "合约");
        let v = through_abi(&forged, &genesis);
        assert_eq!(v["valid"], false);
        assert!(v["reason"].as_str().unwrap().contains("does not match"), "{v}");
        // Another chain's genesis.
        let mut g: Value = serde_json::from_str(&genesis).unwrap();
        g["chain_id"] = json!(99);
        let v = verify_json(cert.as_bytes(), g.to_string().as_bytes());
        assert_eq!(v["valid"], false, "{v}");
    }
}

#[test]
fn inputs_that_are_not_certificates_get_reasons() {
    let (cert, genesis) = evidence_certificate(Suite::Standard);
    let cases: [(&[u8], &[u8], &str); 4] = [
        (b"not json", genesis.as_bytes(), "not JSON"),
        (br#"{"format":"x/1"}"#, genesis.as_bytes(), "unknown certificate format"),
        (br#"{"format":"hechain-evidence-certificate/2"}"#, genesis.as_bytes(), "does not parse"),
        (cert.as_bytes(), b"{}", "genesis file does not parse"),
    ];
    for (c, g, needle) in cases {
        let v = verify_json(c, g);
        assert_eq!(v["valid"], false);
        assert!(v["reason"].as_str().unwrap().contains(needle), "{needle}: {v}");
    }
}

#[test]
fn streaming_hash_matches_the_suite_hash() {
    let data = vec![7u8; 100_000];
    for (code, suite) in [(0, Suite::Standard), (1, Suite::Gm)] {
        assert_eq!(hash(code, &data), Some(suite.hash(&data)));
        let h = hc_hasher_new(code);
        let mut out = [0u8; 32];
        unsafe {
            for c in data.chunks(4096) {
                hc_hasher_update(h, c.as_ptr(), c.len());
            }
            hc_hasher_finish(h, out.as_mut_ptr());
        }
        assert_eq!(out, suite.hash(&data));
    }
    assert_eq!(hash(2, b""), None);
    assert_eq!(hc_hasher_new(2), 0);
    // The SM3 test vector of GB/T 32905-2016 ("abc").
    assert_eq!(
        hash(1, b"abc").map(hex_of),
        Some("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0".to_string())
    );
}

fn hex_of(b: [u8; 32]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
