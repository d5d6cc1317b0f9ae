//! Golden vectors of execution (issue 15): a fixed chain, on each suite, executes one block
//! with a transaction of every native payload kind (and an EVM contract creation), then a
//! block that settles the voucher; the test pins, in `tests/golden/<suite>/chain.txt`, the
//! genesis hash, each block's (the genesis block's too) header (encoding and hash), state root, receipts (encodings) and
//! every state write (key in hex, suite hash of the value, readable key prefix), so every
//! module's state key space is pinned byte for byte. It also pins an evidence certificate and a
//! record certificate of every `CertifiedRecord` kind as their exact JSON text
//! (`cert_<kind>.json`), and checks that the recorded certificates still verify against the
//! genesis.
//!
//! Everything is deterministic: fixed keys, genesis time and block times (the harness in
//! `tests/common`), deterministic signatures (RFC 6979 secp256k1, deterministic-nonce SM2,
//! Ed25519).
//!
//! A difference is a **wire-format change** (state keys, stored values, receipts, headers or
//! certificates of running chains would no longer match, and certificates already handed out
//! could stop verifying). Such a change needs a versioned format, never just new golden files.
//!
//! To record the files (for a new module kind, or a deliberate, versioned change), run
//! `HECHAIN_BLESS=1 cargo test -p hechain-execution --test golden` and review the diff. Never
//! set `HECHAIN_BLESS` in CI: it rewrites the files instead of checking them.

use hechain_types::{CopyrightCall, EcertCall, EvidenceCall, GovernanceCall, TraceCall, TransferCall, VoucherCall};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use alloy_consensus::TxLegacy;
use alloy_primitives::{TxKind, U256};
use hechain_crypto::{AccountKey, AccountScheme, Suite};
use hechain_execution::certificate::{BuildCertificate, CertifiedRecord, EvidenceCertificate, RecordCertificate};
use hechain_execution::{copyright, ecert, trace, voucher, ExecutionOutput};
use hechain_types::trace::TraceTarget;
use hechain_types::*;

mod common;
use common::{commit_block_after, Env};

fn blessing() -> bool {
    std::env::var("HECHAIN_BLESS").as_deref() == Ok("1")
}

/// Writes `text` to `path` (blessing) or asserts that the file holds exactly `text`, listing
/// the lines that differ.
fn check_text(path: &Path, text: &str) {
    if blessing() {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("create golden dir");
        std::fs::write(path, text).expect("write golden file");
        return;
    }
    let recorded = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!("{}: {e}; record it with HECHAIN_BLESS=1 (see the header of this test)", path.display())
    });
    if recorded == text {
        return;
    }
    let (old, new): (BTreeSet<&str>, BTreeSet<&str>) = (recorded.lines().collect(), text.lines().collect());
    let mut diff: Vec<String> = old.difference(&new).map(|l| format!("- {l}")).collect();
    diff.extend(new.difference(&old).map(|l| format!("+ {l}")));
    panic!(
        "{}: WIRE FORMAT CHANGED; this breaks existing chains and certificates unless versioned \
         (- recorded, + now):\n{}",
        path.display(),
        diff.join("\n")
    );
}

/// The readable part of a state key: its leading ASCII up to the last `/` (or all of it).
fn key_label(key: &[u8]) -> String {
    let run = key.iter().take_while(|b| b.is_ascii_graphic()).count();
    let end = if run == key.len() { run } else { key[..run].iter().rposition(|b| *b == b'/').map_or(0, |i| i + 1) };
    String::from_utf8_lossy(&key[..end]).into_owned()
}

/// The record kinds of the modules this chain exercises, each pinned by a recorded certificate
/// (the invoice and trade-document kinds are pinned by their own crates' tests).
const RECORD_KINDS: [&str; 9] = [
    "copyright_work",
    "copyright_license",
    "voucher",
    "voucher_part",
    "ecert",
    "dataset",
    "data_grant",
    "trace_batch",
    "trace_item",
];

/// The secp256k1 key of the Ethereum transaction (funded at genesis on both suites).
fn eth_key() -> AccountKey {
    AccountKey::from_bytes(AccountScheme::Secp256k1, &[9; 32]).expect("key")
}

/// Keys 0..3 of the harness (funded), keys 0 and 1 the committee (weight 1 each, 6,666 bps).
fn chain(suite: Suite) -> Env {
    let e = common::env(suite, 1);
    let committee =
        (0..2).map(|i| CommitteeMember { address: addr(&e, i), weight: 1, org: format!("org{i}") }).collect();
    common::with_genesis(e, |g| {
        g.governance = Some(GenesisGovernance {
            committee,
            config: GovConfig { threshold_bps: 6_666, voting_period_ms: 24 * 3_600_000 },
            roles: vec![],
            permissions: Permissions::default(),
        });
        g.accounts.push(GenesisAccount { address: Address(eth_key().address()), balance: 0 });
        for a in &mut g.accounts {
            a.balance = 1_000_000_000_000_000_000_000;
        }
    })
}

fn addr(e: &Env, i: usize) -> Address {
    Address(e.keys[i].address())
}

/// Signs native transactions with consecutive nonces per key.
struct Signer<'a> {
    e: &'a Env,
    nonces: [u64; 4],
}

impl Signer<'_> {
    fn tx(&mut self, from: usize, payload: Payload) -> ChainTx {
        let nonce = self.nonces[from];
        self.nonces[from] += 1;
        common::tx(self.e, from, nonce, 2, payload).into()
    }
}

fn codes(list: &[&str]) -> Vec<String> {
    list.iter().map(|c| c.to_string()).collect()
}

/// Stores 0x2a at slot 0 and deploys the one-byte runtime `STOP`.
const INIT_CODE: [u8; 18] = [
    0x60, 0x2a, 0x60, 0x00, 0x55, // SSTORE(0, 0x2a)
    0x60, 0x01, 0x60, 0x11, 0x60, 0x00, 0x39, // CODECOPY(0, 17, 1)
    0x60, 0x01, 0x60, 0x00, 0xf3, // RETURN(0, 1)
    0x00, // runtime: STOP
];

/// Block 1: every native payload kind (each succeeds), then an EVM contract creation.
fn block1(s: &mut Signer) -> Vec<ChainTx> {
    let e = s.e;
    let suite = e.genesis.suite();
    let a = |i| addr(e, i);
    let hash = |s: &str| H256(suite.hash(s.as_bytes()));
    let mut txs = vec![
        s.tx(0, Payload::Transfer(TransferCall::Transfer { to: Address([0x99; 20]), amount: 250 })),
        s.tx(
            0,
            Payload::Evidence(EvidenceCall::Put {
                content_hash: hash("contract.pdf"),
                meta: EvidenceMeta {
                    title: Some("采购合同".into()),
                    kind: Some("contract".into()),
                    owner: Some("Org One".into()),
                    external_ref: Some("ARCH-1".into()),
                },
            }),
        ),
        // Copyright: work 1 by key 0, licensed to key 2, then transferred to key 1.
        s.tx(
            0,
            Payload::Copyright(CopyrightCall::Register {
                content_hash: hash("song.flac"),
                title: "春江花月夜".into(),
                work_type: "music".into(),
                author: "张若虚".into(),
            }),
        ),
        s.tx(
            0,
            Payload::Copyright(CopyrightCall::License {
                work_id: 1,
                licensee: a(2),
                exclusive: false,
                start_ms: 1_000,
                end_ms: 9_000_000,
                territory: "CN".into(),
            }),
        ),
        s.tx(0, Payload::Copyright(CopyrightCall::Transfer { work_id: 1, to: a(1) })),
        // Vouchers: voucher 1 (part 1) to key 1, split into parts 2 (key 2) and 3 (key 1); part 2
        // pledged to key 3 and released, part 3 pledged to key 3 (block 2 settles).
        s.tx(
            0,
            Payload::Voucher(VoucherCall::Issue {
                holder: a(1),
                amount: 600,
                maturity_ms: 2_000,
                reference: hash("invoice"),
            }),
        ),
        s.tx(
            1,
            Payload::Voucher(VoucherCall::Split {
                part_id: 1,
                outputs: vec![SplitOutput { to: a(2), amount: 400 }, SplitOutput { to: a(1), amount: 200 }],
            }),
        ),
        s.tx(2, Payload::Voucher(VoucherCall::Pledge { part_id: 2, bank: a(3) })),
        s.tx(3, Payload::Voucher(VoucherCall::Release { part_id: 2 })),
        s.tx(1, Payload::Voucher(VoucherCall::Pledge { part_id: 3, bank: a(3) })),
        // E-certificates: certificate 1 to key 1, certificate 2 to key 2 (revoked), dataset 1 of
        // key 2; grant 1 (certificate 1 to key 3, used once), grant 2 (dataset 1, revoked).
        s.tx(
            0,
            Payload::Ecert(EcertCall::Issue {
                cert_type: "diploma".into(),
                holder: a(1),
                fields: vec![
                    FieldCommitment { name: "name".into(), hash: hash("name=张三") },
                    FieldCommitment { name: "degree".into(), hash: hash("degree=BSc") },
                ],
                encrypted_ref: vec![0xab; 16],
                not_before_ms: 0,
                not_after_ms: 9_000_000,
            }),
        ),
        s.tx(
            0,
            Payload::Ecert(EcertCall::Issue {
                cert_type: "licence".into(),
                holder: a(2),
                fields: vec![FieldCommitment { name: "no".into(), hash: hash("no=42") }],
                encrypted_ref: vec![0xcd; 8],
                not_before_ms: 500,
                not_after_ms: 8_000_000,
            }),
        ),
        s.tx(0, Payload::Ecert(EcertCall::Revoke { cert_id: 2, reason: "issued in error".into() })),
        s.tx(
            2,
            Payload::Ecert(EcertCall::DatasetRegister {
                content_hash: hash("yields.csv"),
                encrypted_ref: vec![0xef; 12],
                description: "2023 crop yields".into(),
            }),
        ),
        s.tx(
            1,
            Payload::Ecert(EcertCall::DataGrant {
                subject: Subject::Certificate(1),
                grantee: a(3),
                org: "Bank of Example".into(),
                purpose: "KYC".into(),
                expires_ms: 9_000_000,
            }),
        ),
        s.tx(
            2,
            Payload::Ecert(EcertCall::DataGrant {
                subject: Subject::Dataset(1),
                grantee: a(3),
                org: "Bank of Example".into(),
                purpose: "credit".into(),
                expires_ms: 9_000_000,
            }),
        ),
        s.tx(
            3,
            Payload::Ecert(EcertCall::DataAccess {
                grant_id: 1,
                purpose: "KYC check".into(),
                request_hash: hash("request"),
            }),
        ),
        s.tx(2, Payload::Ecert(EcertCall::DataGrantRevoke { grant_id: 2 })),
        // Traceability: batch 1 (items A1..A3, then A4) by key 0; an event on A1 and A2; batch
        // authorisation to key 2, an item authorisation to key 3 withdrawn; A1..A3 offered to key
        // 1 (A1 accepted, A2 rejected, A3 withdrawn); batch 2 (B1) recalled.
        s.tx(
            0,
            Payload::Trace(TraceCall::Batch {
                product: "Rice".into(),
                producer_label: "Green Farm".into(),
                attributes: hash("attributes"),
                metadata: "grade A".into(),
                codes: codes(&["A1", "A2", "A3"]),
            }),
        ),
        s.tx(0, Payload::Trace(TraceCall::AddItems { batch_id: 1, codes: codes(&["A4"]) })),
        s.tx(
            0,
            Payload::Trace(TraceCall::Event {
                codes: codes(&["A1", "A2"]),
                stage: "harvested".into(),
                location: "Shouguang".into(),
                event_time_ms: 1_005,
                attachments: vec![hash("photo")],
                note: "dry".into(),
            }),
        ),
        s.tx(0, Payload::Trace(TraceCall::Authorize { target: TraceTarget::Batch { batch_id: 1 }, account: a(2) })),
        s.tx(
            0,
            Payload::Trace(TraceCall::Authorize { target: TraceTarget::Item { code: "A1".into() }, account: a(3) }),
        ),
        s.tx(0, Payload::Trace(TraceCall::Revoke { target: TraceTarget::Item { code: "A1".into() }, account: a(3) })),
        s.tx(0, Payload::Trace(TraceCall::Handover { codes: codes(&["A1", "A2", "A3"]), to: a(1) })),
        s.tx(1, Payload::Trace(TraceCall::Accept { codes: codes(&["A1"]) })),
        s.tx(1, Payload::Trace(TraceCall::Reject { codes: codes(&["A2"]) })),
        s.tx(0, Payload::Trace(TraceCall::Cancel { codes: codes(&["A3"]) })),
        s.tx(
            0,
            Payload::Trace(TraceCall::Batch {
                product: "Tea".into(),
                producer_label: "Hill Farm".into(),
                attributes: hash("tea"),
                metadata: String::new(),
                codes: codes(&["B1"]),
            }),
        ),
        s.tx(0, Payload::Trace(TraceCall::Recall { batch_id: 2, reason: "contamination".into() })),
        // Governance: proposal 1 (grant a role) approved and applied at the block end, proposal 2
        // (freeze) rejected.
        s.tx(
            0,
            Payload::Governance(GovernanceCall::Propose {
                action: Action::GrantRole { account: a(3), role: Role::User },
                description: "admit key 3".into(),
            }),
        ),
        s.tx(1, Payload::Governance(GovernanceCall::Vote { proposal: 1, approve: true })),
        s.tx(
            1,
            Payload::Governance(GovernanceCall::Propose {
                action: Action::Freeze { account: Address([0x66; 20]), reason: "suspicious".into() },
                description: "freeze 0x66".into(),
            }),
        ),
        s.tx(0, Payload::Governance(GovernanceCall::Vote { proposal: 2, approve: false })),
    ];
    let create = TxLegacy {
        chain_id: Some(e.genesis.chain_id),
        nonce: 0,
        gas_price: e.genesis.params.base_fee_per_gas as u128,
        gas_limit: 100_000,
        to: TxKind::Create,
        value: U256::ZERO,
        input: INIT_CODE.to_vec().into(),
    };
    txs.push(ChainTx::Ethereum(EthTransaction::sign(create, &eth_key()).expect("eth sign")));
    txs
}

/// What a block wrote: its receipts and state writes (key order, `None` = delete).
struct BlockOutput<'a> {
    receipts: &'a [Receipt],
    state_writes: &'a [(Vec<u8>, Option<Vec<u8>>)],
}

impl<'a> From<&'a ExecutionOutput> for BlockOutput<'a> {
    fn from(o: &'a ExecutionOutput) -> Self {
        BlockOutput { receipts: &o.receipts, state_writes: &o.state_writes }
    }
}

/// Appends a block's pinned lines: header, state root, receipts, state writes.
fn pin_block(out: &mut String, name: &str, suite: Suite, header: &BlockHeader, o: &BlockOutput) {
    for (i, r) in o.receipts.iter().enumerate() {
        assert_eq!(r.status, TxStatus::Success, "{name} transaction {i}: {r:?}");
    }
    out.push_str(&format!("{name} header_hash {}\n", header.hash(suite)));
    out.push_str(&format!("{name} header {}\n", hex::encode(header.encode())));
    out.push_str(&format!("{name} state_root {}\n", header.state_root));
    for (i, r) in o.receipts.iter().enumerate() {
        out.push_str(&format!("{name} receipt.{i:02} {}\n", hex::encode(r.encode())));
    }
    let keys: Vec<&Vec<u8>> = o.state_writes.iter().map(|(k, _)| k).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "state writes are sorted by key");
    for (k, v) in o.state_writes {
        let value = v.as_ref().map_or("deleted".to_string(), |v| H256(suite.hash(v)).to_hex());
        out.push_str(&format!("{name} write {} {value} {}\n", hex::encode(k), key_label(k)));
    }
}

fn record_certificates(e: &Env) -> Vec<RecordCertificate> {
    let r = e.store.reader().expect("reader");
    let item = trace::item_by_code(&r, "A1").expect("read").expect("item A1");
    let events = trace::events(&r, &item).expect("events");
    let batch = trace::batch(&r, item.batch_id).expect("read").expect("batch");
    let records = vec![
        CertifiedRecord::Module(Box::new(hechain_types::modules::ModuleRecords::Copyright(
            hechain_types::copyright::CopyrightRecord::Work(copyright::work(&r, 1).expect("read").expect("work")),
        ))),
        CertifiedRecord::Module(Box::new(hechain_types::modules::ModuleRecords::Copyright(
            hechain_types::copyright::CopyrightRecord::License(
                copyright::license(&r, 1, 0).expect("read").expect("license"),
            ),
        ))),
        CertifiedRecord::Module(Box::new(hechain_types::modules::ModuleRecords::Voucher(
            hechain_types::voucher::VoucherRecord::Voucher(voucher::voucher(&r, 1).expect("read").expect("voucher")),
        ))),
        CertifiedRecord::Module(Box::new(hechain_types::modules::ModuleRecords::Voucher(
            hechain_types::voucher::VoucherRecord::Part(voucher::part(&r, 3).expect("read").expect("part")),
        ))),
        CertifiedRecord::from(hechain_types::modules::ModuleRecords::Ecert(hechain_types::ecert::EcertRecord::Ecert(
            ecert::certificate(&r, 2).expect("read").expect("ecert"),
        ))),
        CertifiedRecord::from(hechain_types::modules::ModuleRecords::Ecert(
            hechain_types::ecert::EcertRecord::Dataset(ecert::dataset(&r, 1).expect("read").expect("dataset")),
        )),
        CertifiedRecord::from(hechain_types::modules::ModuleRecords::Ecert(
            hechain_types::ecert::EcertRecord::DataGrant(ecert::grant(&r, 1).expect("read").expect("grant")),
        )),
        CertifiedRecord::Module(Box::new(hechain_types::modules::ModuleRecords::Trace(
            hechain_types::trace::TraceRecord::Batch(Box::new(trace::batch(&r, 2).expect("read").expect("batch"))),
        ))),
        CertifiedRecord::Module(Box::new(hechain_types::modules::ModuleRecords::Trace(
            hechain_types::trace::TraceRecord::Item(Box::new(hechain_types::trace::TraceItemHistory {
                item,
                events,
                batch,
            })),
        ))),
    ];
    records.into_iter().map(|rec| RecordCertificate::build(&r, &e.genesis, rec).expect("record certificate")).collect()
}

fn pretty<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).expect("json") + "\n"
}

fn run(suite: Suite) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(suite.name());
    let e = chain(suite);
    let mut text = format!(
        "# Golden vectors: execution on a fixed {suite} chain (crates/hechain-execution/tests/golden.rs).\n\
         # Block 0: the genesis state. Block 1: one transaction of every native payload kind and an EVM\n\
         # contract creation. Block 2: the voucher settlement. Lines: <block> header_hash | header (Codec) | state_root |\n\
         # receipt.<i> (Codec) | write <key hex> <suite hash of the value, or deleted> <key prefix>.\n\
         # Recorded with HECHAIN_BLESS=1; a change is a wire-format change.\n\
         genesis hash {}\n",
        e.genesis.hash()
    );
    // The genesis block's state (funded accounts, module initial values, governance).
    let g = hechain_execution::genesis_commit(&e.genesis, &e.store.reader().expect("reader")).expect("genesis");
    let genesis_out = BlockOutput { receipts: &g.receipts, state_writes: &g.state_writes };
    pin_block(&mut text, "block0", suite, &g.block.header, &genesis_out);
    let mut signer = Signer { e: &e, nonces: [0; 4] };
    let (o, header) = commit_block_after(&e.store, &e.genesis, &e.node, block1(&mut signer), 10);
    assert_eq!(header.parent_hash, g.block.header.hash(suite));
    pin_block(&mut text, "block1", suite, &header, &(&o).into());
    // Block 2 after the voucher's maturity (2,000 ms): key 0 settles it.
    let settle = signer.tx(0, Payload::Voucher(VoucherCall::Settle { voucher_id: 1 }));
    let (o, header) = commit_block_after(&e.store, &e.genesis, &e.node, vec![settle], 1_000);
    pin_block(&mut text, "block2", suite, &header, &(&o).into());
    check_text(&dir.join("chain.txt"), &text);

    // Certificates: built now, compared as exact JSON text, and the recorded files verified.
    let evidence =
        EvidenceCertificate::build(&e.store.reader().expect("reader"), &e.genesis, 1).expect("evidence certificate");
    evidence.verify(&e.genesis).expect("evidence certificate verifies");
    let path = dir.join("cert_evidence.json");
    check_text(&path, &pretty(&evidence));
    let recorded: EvidenceCertificate =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("parse evidence certificate");
    recorded.verify(&e.genesis).expect("the recorded evidence certificate verifies");
    assert_eq!(recorded, evidence);

    let records = record_certificates(&e);
    let kinds: BTreeSet<&str> = records.iter().map(|c| c.record.kind()).collect();
    assert_eq!(kinds, RECORD_KINDS.into_iter().collect(), "a record certificate of every kind");
    let known = hechain_types::modules::ModuleRecords::kinds();
    assert!(RECORD_KINDS.iter().all(|k| known.contains(k)), "every pinned kind is a module's");
    for cert in &records {
        let kind = cert.record.kind();
        assert_eq!(cert.verify(&e.genesis).expect("record certificate verifies").kind, kind);
        let path = dir.join(format!("cert_{kind}.json"));
        check_text(&path, &pretty(cert));
        let recorded: RecordCertificate =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("parse record certificate");
        recorded.verify(&e.genesis).unwrap_or_else(|err| panic!("the recorded {kind} certificate: {err}"));
        assert_eq!(&recorded, cert);
    }
    // No recorded certificate is left without a kind.
    let files: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("golden dir")
        .map(|f| f.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|f| f.starts_with("cert_"))
        .collect();
    let expected: BTreeSet<String> =
        kinds.iter().map(|k| format!("cert_{k}.json")).chain(["cert_evidence.json".into()]).collect();
    assert_eq!(files, expected, "{}: certificate files", dir.display());
}

#[test]
fn standard_chain() {
    run(Suite::Standard);
}

#[test]
fn gm_chain() {
    run(Suite::Gm);
}
