//! Golden vectors of the wire format (issue 15): fixed sample values of every `Payload`,
//! governance `Action` and `Event` variant, Ethereum transactions, receipts, blocks and genesis
//! files, encoded now and compared byte for byte with the files in `tests/golden/`, which were
//! recorded from main before the native modules moved into the module framework.
//!
//! Each file line is `<name> <field> <value>`: hex for canonical encodings and hashes, the exact
//! `serde_json::to_string` text for JSON. The test also decodes every recorded encoding and
//! parses every recorded JSON back and compares it with the sample (and checks the recorded
//! signatures).
//!
//! A difference is a **wire-format change**: transactions, blocks, receipts, certificates and
//! genesis hashes of running chains would no longer match. Such a change needs a new encoding
//! version (`codec.rs`, a decoding branch for the old one) or a new JSON format, never just new
//! golden files. Adding an enum variant at the end is compatible: it fails to compile here
//! until the name functions below know it, and fails the test until a sample and its recorded
//! lines exist.
//!
//! To record the files (after adding a variant, or for a deliberate, versioned change), run
//! `HECHAIN_BLESS=1 cargo test -p hechain-types --test golden` and review the diff. Never set
//! `HECHAIN_BLESS` in CI: it rewrites the files instead of checking them.

use hechain_types::GenesisExt;
use hechain_types::GovernanceCall;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use alloy_consensus::{SignableTransaction, TxEip1559, TxEip2930, TxEnvelope, TxLegacy};
use alloy_eips::eip2930::{AccessList, AccessListItem};
use alloy_primitives::{Signature, TxKind, U256};
use borsh::BorshDeserialize;
use hechain_crypto::{AccountKey, AccountScheme, Suite};
use hechain_types::governance::GenesisRoles;
use hechain_types::*;

mod samples;
use samples::*;

// ---------------------------------------------------------------------------------------------
// Recording and comparing.

/// One golden file: its lines as the current code produces them.
struct Golden {
    file: &'static str,
    header: &'static str,
    lines: Vec<(String, String, String)>,
}

impl Golden {
    fn new(file: &'static str, header: &'static str) -> Self {
        Golden { file, header, lines: Vec::new() }
    }

    fn put(&mut self, name: &str, field: &str, value: impl Into<String>) {
        let value = value.into();
        assert!(!name.contains(' ') && !field.contains(' ') && !value.contains('\n'), "{name} {field}");
        self.lines.push((name.to_string(), field.to_string(), value));
    }

    /// Writes the file (`HECHAIN_BLESS=1`) or compares it with the lines; returns the file's
    /// values by `(name, field)`.
    fn check(self) -> BTreeMap<(String, String), String> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(self.file);
        let mut expected = BTreeMap::new();
        for (n, f, v) in &self.lines {
            assert!(expected.insert((n.clone(), f.clone()), v.clone()).is_none(), "{n} {f} produced twice");
        }
        if std::env::var("HECHAIN_BLESS").as_deref() == Ok("1") {
            let mut text = String::new();
            for l in self.header.lines() {
                text.push_str(&format!("# {l}\n").replace("# \n", "#\n"));
            }
            for (n, f, v) in &self.lines {
                text.push_str(&format!("{n} {f} {v}\n"));
            }
            std::fs::create_dir_all(path.parent().expect("dir")).expect("create golden dir");
            std::fs::write(&path, text).expect("write golden file");
            return expected;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("{}: {e}; record it with HECHAIN_BLESS=1 (see the header of this test)", path.display())
        });
        let mut recorded = BTreeMap::new();
        for line in text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
            let mut it = line.splitn(3, ' ');
            let (n, f, v) = (it.next().unwrap_or(""), it.next().unwrap_or(""), it.next().unwrap_or(""));
            assert!(
                recorded.insert((n.to_string(), f.to_string()), v.to_string()).is_none(),
                "{}: {n} {f} recorded twice",
                self.file
            );
        }
        let names = |m: &BTreeMap<(String, String), String>| m.keys().map(|k| k.0.clone()).collect::<BTreeSet<_>>();
        assert_eq!(
            names(&recorded),
            names(&expected),
            "{}: the recorded names differ from the samples' (a sample without golden lines, or lines \
             without a sample); record new samples with HECHAIN_BLESS=1",
            self.file
        );
        let mut diffs = Vec::new();
        for (k, v) in &expected {
            match recorded.get(k) {
                None => diffs.push(format!("{} {}: not recorded", k.0, k.1)),
                Some(r) if r != v => diffs.push(format!("{} {}:\n  recorded {r}\n  now      {v}", k.0, k.1)),
                Some(_) => {}
            }
        }
        diffs.extend(recorded.keys().filter(|k| !expected.contains_key(*k)).map(|k| format!("{} {}: gone", k.0, k.1)));
        assert!(
            diffs.is_empty(),
            "{}: WIRE FORMAT CHANGED ({} differences); this breaks existing chains unless versioned:\n{}",
            self.file,
            diffs.len(),
            diffs.join("\n")
        );
        recorded
    }
}

fn get<'a>(m: &'a BTreeMap<(String, String), String>, name: &str, field: &str) -> &'a str {
    m.get(&(name.to_string(), field.to_string())).map(String::as_str).unwrap_or_else(|| panic!("{name} {field}"))
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s.trim_start_matches("0x")).expect("hex")
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("json")
}

/// The borsh variant tags `T` accepts: every tag whose decoding does not fail on the tag itself.
fn variant_tags<T: BorshDeserialize>() -> BTreeSet<u8> {
    (0..=255u8)
        .filter(
            |t| !matches!(borsh::from_slice::<T>(&[*t]), Err(e) if e.to_string().contains("Unexpected variant tag")),
        )
        .collect()
}

/// Asserts that the samples' borsh tags are exactly the enum's variants: a variant without a
/// sample fails here.
fn assert_all_variants<T: BorshDeserialize + borsh::BorshSerialize>(what: &str, samples: &[&T]) {
    let tags: BTreeSet<u8> = samples.iter().map(|s| borsh::to_vec(s).expect("borsh")[0]).collect();
    assert_eq!(tags, variant_tags::<T>(), "{what}: the samples must cover every variant (borsh tags)");
}

/// The same for the payload and the event, over the tags of the modules laid out flat (the
/// original seven, pinned here); a module with its own tag (`Wire::Indexed`) pins its encoding
/// in its own crate's tests.
fn assert_all_flat_variants<T: BorshDeserialize + borsh::BorshSerialize>(what: &str, samples: &[&T]) {
    let indexed: BTreeSet<u8> = hechain_types::modules::MODULE_WIRES
        .iter()
        .filter_map(|(_, w)| match w {
            hechain_module::Wire::Indexed(t) => Some(*t),
            hechain_module::Wire::Flat { .. } => None,
        })
        .collect();
    let tags: BTreeSet<u8> = samples.iter().map(|s| borsh::to_vec(s).expect("borsh")[0]).collect();
    let flat: BTreeSet<u8> = variant_tags::<T>().difference(&indexed).copied().collect();
    assert_eq!(tags, flat, "{what}: the samples must cover every variant of the flat modules (borsh tags)");
}

// ---------------------------------------------------------------------------------------------
// Names: exhaustive matches, so that a new variant does not compile until it is named here (and
// then fails the test until it has a sample and recorded lines).

fn payload_name(p: &Payload) -> &'static str {
    p.type_name()
}

fn event_name(e: &Event) -> &'static str {
    e.type_name()
}

/// The golden name of a payload sample (a proposal is named by its action too).
fn sample_name(p: &Payload) -> String {
    match p {
        Payload::Governance(GovernanceCall::Propose { action, .. }) => format!("gov_propose/{}", action_name(action)),
        other => payload_name(other).to_string(),
    }
}

/// The account key that signs the native samples of `suite`.
fn account_key(suite: Suite) -> AccountKey {
    AccountKey::from_bytes(suite.account_scheme(), &[0x11; 32]).expect("key")
}

/// The secp256k1 key that signs the Ethereum samples.
fn eth_key() -> AccountKey {
    AccountKey::from_bytes(AccountScheme::Secp256k1, &[0x12; 32]).expect("key")
}

const CHAIN_ID: u64 = 0x4845_0001;

fn signed(suite: Suite, payload: Payload) -> SignedTransaction {
    let key = account_key(suite);
    Transaction { chain_id: CHAIN_ID, nonce: 7, sender: Address(key.address()), fee: 21_000, payload }
        .sign(&key)
        .expect("sign")
}

fn eth_sign<T: SignableTransaction<Signature>>(tx: T) -> ChainTx
where
    TxEnvelope: From<alloy_consensus::Signed<T>>,
{
    ChainTx::Ethereum(EthTransaction::sign(tx, &eth_key()).expect("eth sign"))
}

fn eth_txs() -> Vec<(&'static str, ChainTx)> {
    let to = TxKind::Call(a(0x71).0.into());
    let access_list =
        AccessList(vec![AccessListItem { address: a(0x72).0.into(), storage_keys: vec![h(0x73).0.into()] }]);
    vec![
        (
            "eth_legacy",
            eth_sign(TxLegacy {
                chain_id: Some(CHAIN_ID),
                nonce: 3,
                gas_price: 2_000_000_000,
                gas_limit: 21_000,
                to,
                value: U256::from(1_000_000_000_000_000_000u128),
                input: vec![0xca, 0xfe].into(),
            }),
        ),
        (
            "eth_eip2930",
            eth_sign(TxEip2930 {
                chain_id: CHAIN_ID,
                nonce: 4,
                gas_price: 3_000_000_000,
                gas_limit: 50_000,
                to,
                value: U256::from(5u64),
                access_list: access_list.clone(),
                input: vec![0xbe, 0xef].into(),
            }),
        ),
        (
            "eth_eip1559",
            eth_sign(TxEip1559 {
                chain_id: CHAIN_ID,
                nonce: 5,
                gas_limit: 100_000,
                max_fee_per_gas: 9_000_000_000,
                max_priority_fee_per_gas: 2_000_000_000,
                to: TxKind::Create,
                value: U256::from(6u64),
                access_list,
                input: vec![0x60, 0x00, 0x60, 0x00, 0xf3].into(),
            }),
        ),
    ]
}

fn receipts() -> Vec<(&'static str, Receipt)> {
    let ev = events();
    vec![
        (
            "receipt_success",
            Receipt {
                tx_hash: h(0x81),
                status: TxStatus::Success,
                fee_charged: 21_000,
                events: vec![ev[0].clone(), ev[5].clone(), ev[19].clone()],
                evm: None,
            },
        ),
        (
            "receipt_failed",
            Receipt {
                tx_hash: h(0x82),
                status: TxStatus::Failed { reason: "insufficient balance: 3 available, 5 needed".into() },
                fee_charged: 17,
                events: vec![],
                evm: None,
            },
        ),
        (
            "receipt_evm",
            Receipt {
                tx_hash: h(0x83),
                status: TxStatus::Success,
                fee_charged: 0,
                events: vec![ev[1].clone()],
                evm: Some(EvmOutcome {
                    gas_used: 53_124,
                    effective_gas_price: 9_000_000_000,
                    contract_address: Some(a(0x84)),
                    logs: vec![Log { address: a(0x84), topics: vec![h(0x85), h(0x86)], data: vec![0, 1, 2, 3] }],
                    output: vec![0x60, 0x80],
                }),
            },
        ),
    ]
}

fn genesis(suite: Suite) -> Genesis {
    Genesis {
        chain_id: CHAIN_ID,
        suite: SuiteTag(suite),
        timestamp_ms: 1_700_000_000_000,
        validators: vec![node_info(suite, 0x91, "org1-node0", "org1"), node_info(suite, 0x92, "org2-node0", "org2")],
        accounts: vec![
            GenesisAccount { address: Address(account_key(suite).address()), balance: 1_000_000_000_000_000_000_000 },
            GenesisAccount { address: a(0x93), balance: 42 },
        ],
        params: ChainParams { deploy: DeployPolicy::Open, ..params() },
        orgs: vec![
            OrgInfo { name: "org1".into(), ca_cert_pem: PEM.into() },
            OrgInfo { name: "org2".into(), ca_cert_pem: PEM.replace("GoldenVectorCA", "GoldenVectorCB") },
        ],
        observers: vec![node_info(suite, 0x94, "org1-observer", "org1")],
        governance: Some(GenesisGovernance {
            committee: vec![
                CommitteeMember { address: Address(account_key(suite).address()), weight: 2, org: "org1".into() },
                CommitteeMember { address: a(0x95), weight: 1, org: "org2".into() },
            ],
            config: GovConfig { threshold_bps: 7_000, voting_period_ms: 2 * 24 * 3_600_000 },
            roles: vec![GenesisRoles {
                address: a(0x96),
                roles: Roles::default().with(Role::Operator).with(Role::User),
            }],
            permissions: permissions(),
        }),
    }
}

fn block(suite: Suite) -> Block {
    let g = genesis(suite);
    let header = BlockHeader {
        version: 1,
        chain_id: CHAIN_ID,
        height: 12,
        parent_hash: h(0xa1),
        timestamp_ms: 1_700_000_012_345,
        proposer: 1,
        tx_root: h(0xa2),
        receipts_root: h(0xa3),
        state_root: h(0xa4),
        tx_count: 2,
        round: 14,
        consensus_id: h(0xa5),
    };
    let msg = BlockHeader::signing_message(&g.hash(), &header.hash(suite));
    let signatures = [0x91u8, 0x92]
        .iter()
        .enumerate()
        .map(|(i, seed)| ValidatorSignature {
            validator: i as u32,
            signature: node(suite, *seed).sign(&msg).0.to_vec(),
        })
        .collect();
    let transfer = payloads().remove(0);
    let (_, eth) = eth_txs().remove(2);
    Block { header, seal: Seal { signatures }, transactions: vec![ChainTx::Native(signed(suite, transfer)), eth] }
}

const SUITES: [(Suite, &str); 2] = [(Suite::Standard, "standard"), (Suite::Gm, "gm")];

// ---------------------------------------------------------------------------------------------
// Tests.

#[test]
fn payloads_and_signed_transactions() {
    let samples = payloads();
    assert_all_flat_variants::<Payload>("Payload", &samples.iter().collect::<Vec<_>>());
    let actions: Vec<&Action> = samples
        .iter()
        .filter_map(|p| match p {
            Payload::Governance(GovernanceCall::Propose { action, .. }) => Some(action),
            _ => None,
        })
        .collect();
    assert_all_variants::<Action>("governance Action", &actions);
    for p in &samples {
        p.validate().unwrap_or_else(|e| panic!("{}: {e}", sample_name(p)));
    }

    let mut g = Golden::new(
        "payloads.txt",
        "Golden vectors: one sample of every Payload variant (a proposal per governance Action).\n\
         Fields: payload = Codec encoding of the payload; json = serde JSON of the payload;\n\
         <suite>.tx = Codec encoding of the SignedTransaction (chain id 0x48450001, nonce 7, fee 21000,\n\
         key 0x11…11 of the suite's scheme); <suite>.hash = its transaction hash.\n\
         Recorded by crates/hechain-types/tests/golden.rs (HECHAIN_BLESS=1); a change is a wire-format change.",
    );
    for p in &samples {
        let name = sample_name(p);
        g.put(&name, "payload", hex::encode(p.encode()));
        g.put(&name, "json", json(p));
        for (suite, s) in SUITES {
            let t = signed(suite, p.clone());
            g.put(&name, &format!("{s}.tx"), hex::encode(t.encode()));
            g.put(&name, &format!("{s}.hash"), t.hash(suite).to_hex());
        }
    }
    let rec = g.check();

    // Round trips from the recorded values.
    for p in &samples {
        let name = sample_name(p);
        assert_eq!(&Payload::decode(&unhex(get(&rec, &name, "payload"))).expect("decode"), p, "{name}");
        let parsed: Payload = serde_json::from_str(get(&rec, &name, "json")).expect("json");
        assert_eq!(&parsed, p, "{name} json");
        for (suite, s) in SUITES {
            let t = SignedTransaction::decode(&unhex(get(&rec, &name, &format!("{s}.tx")))).expect("decode tx");
            assert_eq!(t.tx.payload, *p, "{name} {s}");
            assert_eq!(t.tx.sender, Address(account_key(suite).address()));
            t.verify(suite).unwrap_or_else(|e| panic!("{name} {s}: {e}"));
            assert_eq!(t.hash(suite).to_hex(), get(&rec, &name, &format!("{s}.hash")));
        }
    }
    // A signed transaction's JSON envelope (what the REST API takes), both suites.
    let mut g = Golden::new(
        "signed_tx_json.txt",
        "Golden vectors: JSON of a signed native transaction (the transfer sample of payloads.txt) per suite.\n\
         Recorded by crates/hechain-types/tests/golden.rs (HECHAIN_BLESS=1); a change is a wire-format change.",
    );
    for (suite, s) in SUITES {
        g.put(s, "json", json(&signed(suite, samples[0].clone())));
    }
    let rec = g.check();
    for (suite, s) in SUITES {
        let t: SignedTransaction = serde_json::from_str(get(&rec, s, "json")).expect("json");
        assert_eq!(t, signed(suite, samples[0].clone()));
        t.verify(suite).expect("verify");
    }
}

#[test]
fn events_of_every_kind() {
    let samples = events();
    assert_all_flat_variants::<Event>("Event", &samples.iter().collect::<Vec<_>>());
    let mut g = Golden::new(
        "events.txt",
        "Golden vectors: one sample of every Event variant.\n\
         Fields: borsh = borsh encoding (as inside a Receipt, no version byte); json = serde JSON.\n\
         Recorded by crates/hechain-types/tests/golden.rs (HECHAIN_BLESS=1); a change is a wire-format change.",
    );
    for e in &samples {
        g.put(event_name(e), "borsh", hex::encode(borsh::to_vec(e).expect("borsh")));
        g.put(event_name(e), "json", json(e));
    }
    let rec = g.check();
    for e in &samples {
        let n = event_name(e);
        assert_eq!(&borsh::from_slice::<Event>(&unhex(get(&rec, n, "borsh"))).expect("decode"), e, "{n}");
        assert_eq!(&serde_json::from_str::<Event>(get(&rec, n, "json")).expect("json"), e, "{n} json");
    }
}

#[test]
fn ethereum_transactions() {
    let samples = eth_txs();
    let mut g = Golden::new(
        "eth_txs.txt",
        "Golden vectors: Ethereum transactions as blocks carry them (ChainTx::Ethereum), key 0x12…12.\n\
         Fields: chaintx = Codec encoding of the ChainTx; hash = its hash (keccak of the EIP-2718 bytes); json.\n\
         Recorded by crates/hechain-types/tests/golden.rs (HECHAIN_BLESS=1); a change is a wire-format change.",
    );
    for (n, t) in &samples {
        g.put(n, "chaintx", hex::encode(t.encode()));
        g.put(n, "hash", t.hash(Suite::Standard).to_hex());
        g.put(n, "json", json(t));
    }
    let rec = g.check();
    for (n, t) in &samples {
        let back = ChainTx::decode(&unhex(get(&rec, n, "chaintx"))).expect("decode");
        assert_eq!(&back, t, "{n}");
        let ChainTx::Ethereum(e) = &back else { panic!("{n}: not an Ethereum transaction") };
        e.verify().unwrap_or_else(|err| panic!("{n}: {err}"));
        assert_eq!(e.sender(), Address(eth_key().address()));
        assert_eq!(back.hash(Suite::Gm).to_hex(), get(&rec, n, "hash"), "{n}: suite-independent hash");
        assert_eq!(&serde_json::from_str::<ChainTx>(get(&rec, n, "json")).expect("json"), t, "{n} json");
    }
}

#[test]
fn receipts_blocks_and_genesis() {
    let mut g = Golden::new(
        "receipts.txt",
        "Golden vectors: receipts (success with events, failed, with an EVM outcome).\n\
         Fields: encoding = Codec encoding; json; <suite>.hash = receipt hash (receipts-root leaf).\n\
         Recorded by crates/hechain-types/tests/golden.rs (HECHAIN_BLESS=1); a change is a wire-format change.",
    );
    let receipts = receipts();
    for (n, r) in &receipts {
        g.put(n, "encoding", hex::encode(r.encode()));
        g.put(n, "json", json(r));
        for (suite, s) in SUITES {
            g.put(n, &format!("{s}.hash"), r.hash(suite).to_hex());
        }
    }
    let rec = g.check();
    for (n, r) in &receipts {
        assert_eq!(&Receipt::decode(&unhex(get(&rec, n, "encoding"))).expect("decode"), r, "{n}");
        assert_eq!(&serde_json::from_str::<Receipt>(get(&rec, n, "json")).expect("json"), r, "{n} json");
    }

    let mut g = Golden::new(
        "blocks.txt",
        "Golden vectors: a block per suite (a native transfer and an EIP-1559 transaction, sealed by the two\n\
         validators of genesis.txt). Fields: header = Codec encoding of the header; header_hash = block hash;\n\
         block = Codec encoding of the block; json = serde JSON of the block.\n\
         Recorded by crates/hechain-types/tests/golden.rs (HECHAIN_BLESS=1); a change is a wire-format change.",
    );
    for (suite, s) in SUITES {
        let b = block(suite);
        g.put(s, "header", hex::encode(b.header.encode()));
        g.put(s, "header_hash", b.header.hash(suite).to_hex());
        g.put(s, "block", hex::encode(b.encode()));
        g.put(s, "json", json(&b));
    }
    let rec = g.check();
    for (suite, s) in SUITES {
        let b = block(suite);
        let back = Block::decode(&unhex(get(&rec, s, "block"))).expect("decode block");
        assert_eq!(back, b, "{s}");
        assert_eq!(BlockHeader::decode(&unhex(get(&rec, s, "header"))).expect("decode header"), b.header);
        assert_eq!(serde_json::from_str::<Block>(get(&rec, s, "json")).expect("json"), b, "{s} json");
        // The recorded seal verifies against the recorded genesis's validators.
        let gen = genesis(suite);
        let msg = BlockHeader::signing_message(&gen.hash(), &back.header.hash(suite));
        for (sig, key) in back.seal.signatures.iter().zip(gen.validator_keys().expect("keys")) {
            let sig = hechain_crypto::NodeSignature::from_slice(&sig.signature).expect("sig");
            key.verify(suite, &msg, &sig).unwrap_or_else(|e| panic!("{s} seal: {e}"));
        }
    }

    let mut g = Golden::new(
        "genesis.txt",
        "Golden vectors: a genesis per suite (orgs, validators, observers, accounts, parameters, governance).\n\
         Fields: encoding = Codec encoding; hash = genesis hash; json = serde JSON (the genesis file format).\n\
         Recorded by crates/hechain-types/tests/golden.rs (HECHAIN_BLESS=1); a change is a wire-format change.",
    );
    for (suite, s) in SUITES {
        let gen = genesis(suite);
        gen.validate().expect("valid genesis");
        g.put(s, "encoding", hex::encode(gen.encode()));
        g.put(s, "hash", gen.hash().to_hex());
        g.put(s, "json", json(&gen));
    }
    let rec = g.check();
    for (suite, s) in SUITES {
        let gen = genesis(suite);
        assert_eq!(Genesis::decode(&unhex(get(&rec, s, "encoding"))).expect("decode"), gen, "{s}");
        let parsed = Genesis::from_json(get(&rec, s, "json")).expect("genesis json");
        assert_eq!(parsed, gen, "{s} json");
        assert_eq!(parsed.hash().to_hex(), get(&rec, s, "hash"), "{s}: genesis hash of the recorded file");
    }
}
