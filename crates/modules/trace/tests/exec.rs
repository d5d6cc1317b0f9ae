//! Traceability over a real store: batches and codes, events, authorisations, custody
//! hand-overs, recalls, every refusal, restart persistence, certificates, and the invariants
//! under random operation sequences.

use hechain_types::{TraceCall, TraceModuleEvent};
use std::collections::{BTreeMap, BTreeSet};

use hechain_crypto::Suite;
use hechain_execution::certificate::{BuildCertificate, CertifiedRecord, RecordCertificate};
use hechain_execution::{keys, trace};
use hechain_types::modules::ModuleRecords;
use hechain_types::trace::{TraceItemHistory, TraceRecord};
use hechain_types::*;
use proptest::prelude::*;

use common::{commit, env, reopen, tx, Env};
use hechain_testkit::exec as common;

fn addr(e: &Env, i: usize) -> Address {
    Address(e.keys[i].address())
}

fn reason(r: &Receipt) -> &str {
    match &r.status {
        TxStatus::Failed { reason } => reason,
        TxStatus::Success => panic!("expected a refusal, got success: {r:?}"),
    }
}

fn ok(r: &Receipt) {
    assert_eq!(r.status, TxStatus::Success, "{r:?}");
}

fn codes(list: &[&str]) -> Vec<String> {
    list.iter().map(|c| c.to_string()).collect()
}

fn item(e: &Env, code: &str) -> TraceItem {
    trace::item_by_code(&e.store.reader().unwrap(), code).unwrap().unwrap()
}

fn batch_payload(product: &str, list: &[&str]) -> Payload {
    Payload::Trace(TraceCall::Batch {
        product: product.into(),
        producer_label: "Green Farm".into(),
        attributes: H256([5; 32]),
        metadata: String::new(),
        codes: codes(list),
    })
}

fn event(list: &[&str], stage: &str) -> Payload {
    Payload::Trace(TraceCall::Event {
        codes: codes(list),
        stage: stage.into(),
        location: "Shouguang".into(),
        event_time_ms: 1_000,
        attachments: vec![H256([9; 32])],
        note: String::new(),
    })
}

fn batch_target(batch_id: u64) -> TraceTarget {
    TraceTarget::Batch { batch_id }
}

/// Nonces per account, handed out in order.
struct Nonces([u64; 4]);

impl Nonces {
    fn next(&mut self, who: usize) -> u64 {
        let n = self.0[who];
        self.0[who] += 1;
        n
    }
}

#[test]
fn batch_events_handover_recall_and_refusals() {
    let e = env(Suite::Standard, 0);
    let mut n = Nonces([0; 4]);
    let (producer, logistics, retailer, inspector) = (0, 1, 2, 3);
    let mut t = |who: usize, p: Payload| tx(&e, who, n.next(who), 0, p);

    // Register a batch with two codes; the same code again is refused, naming the holder.
    let (o, _) = commit(
        &e,
        vec![
            t(producer, batch_payload("Tomatoes", &["QR-1", "QR-2"])),
            t(logistics, batch_payload("Fake", &["QR-2"])),
            t(producer, Payload::Trace(TraceCall::AddItems { batch_id: 1, codes: codes(&["QR-3"]) })),
            t(logistics, Payload::Trace(TraceCall::AddItems { batch_id: 1, codes: codes(&["QR-4"]) })),
            t(producer, Payload::Trace(TraceCall::AddItems { batch_id: 1, codes: codes(&["QR-1"]) })),
            t(producer, Payload::Trace(TraceCall::AddItems { batch_id: 7, codes: codes(&["QR-9"]) })),
        ],
    );
    assert_eq!(
        o.receipts[0].events,
        vec![
            Event::Trace(TraceModuleEvent::BatchRegistered { batch: 1, producer: addr(&e, producer) }),
            Event::Trace(TraceModuleEvent::ItemsRegistered { batch: 1, first_item: 1, count: 2 }),
        ]
    );
    let r = reason(&o.receipts[1]);
    assert!(r.contains("item code \"QR-2\" is already registered: item 2 of batch 1 (\"Tomatoes\""), "{r}");
    assert_eq!(
        o.receipts[2].events,
        vec![Event::Trace(TraceModuleEvent::ItemsRegistered { batch: 1, first_item: 3, count: 1 })]
    );
    assert!(reason(&o.receipts[3]).contains("only the producer"));
    assert!(reason(&o.receipts[4]).contains("already registered: item 1 of batch 1"));
    assert!(reason(&o.receipts[5]).contains("no batch has id 7"));
    let b = trace::batch(&e.store.reader().unwrap(), 1).unwrap().unwrap();
    assert_eq!((b.items, b.producer, b.recall.clone()), (3, addr(&e, producer), None));
    assert_eq!(item(&e, "QR-1").custodian, addr(&e, producer));

    // Events: the custodian may; others may not until authorised; authorisation is revocable.
    let (o, _) = commit(
        &e,
        vec![
            t(producer, event(&["QR-1", "QR-2"], "harvested")),
            t(inspector, event(&["QR-1"], "inspected")),
            t(producer, Payload::Trace(TraceCall::Authorize { target: batch_target(1), account: addr(&e, inspector) })),
            t(inspector, event(&["QR-1"], "inspected")),
            t(
                logistics,
                Payload::Trace(TraceCall::Authorize { target: batch_target(1), account: addr(&e, logistics) }),
            ),
            t(producer, Payload::Trace(TraceCall::Revoke { target: batch_target(1), account: addr(&e, inspector) })),
            t(inspector, event(&["QR-1"], "inspected again")),
            t(producer, event(&["QR-1", "NOPE"], "harvested")),
            t(producer, Payload::Trace(TraceCall::Revoke { target: batch_target(1), account: addr(&e, inspector) })),
        ],
    );
    ok(&o.receipts[0]);
    assert_eq!(o.receipts[0].events.len(), 2);
    assert!(reason(&o.receipts[1]).contains("may not append events to item \"QR-1\""));
    ok(&o.receipts[2]);
    ok(&o.receipts[3]);
    assert!(reason(&o.receipts[4]).contains("only the producer"));
    ok(&o.receipts[5]);
    assert!(reason(&o.receipts[6]).contains("may not append events"), "unauthorised after revoke");
    assert!(reason(&o.receipts[7]).contains("no item has code \"NOPE\""));
    assert!(reason(&o.receipts[8]).contains("is not authorised"));
    let it = item(&e, "QR-1");
    assert_eq!(it.events, 2, "harvested + inspected; the refused ones left nothing");

    // Hand-over: pending until the receiver accepts; cannot be offered twice; only the receiver
    // accepts or rejects, only the custodian cancels.
    let (o, _) = commit(
        &e,
        vec![
            t(logistics, Payload::Trace(TraceCall::Handover { codes: codes(&["QR-1"]), to: addr(&e, retailer) })),
            t(
                producer,
                Payload::Trace(TraceCall::Handover { codes: codes(&["QR-1", "QR-2"]), to: addr(&e, logistics) }),
            ),
            t(producer, Payload::Trace(TraceCall::Handover { codes: codes(&["QR-1"]), to: addr(&e, retailer) })),
            t(producer, Payload::Trace(TraceCall::Handover { codes: codes(&["QR-3"]), to: addr(&e, producer) })),
            t(retailer, Payload::Trace(TraceCall::Accept { codes: codes(&["QR-1"]) })),
            t(producer, Payload::Trace(TraceCall::Accept { codes: codes(&["QR-1"]) })),
            t(logistics, Payload::Trace(TraceCall::Cancel { codes: codes(&["QR-1"]) })),
            t(logistics, Payload::Trace(TraceCall::Accept { codes: codes(&["QR-3"]) })),
            t(logistics, event(&["QR-1"], "picked up")),
        ],
    );
    assert!(reason(&o.receipts[0]).contains("only the custodian"));
    assert_eq!(o.receipts[1].events.len(), 2);
    let r = reason(&o.receipts[2]);
    assert!(r.contains("item \"QR-1\" is already offered to"), "{r}");
    assert!(reason(&o.receipts[3]).contains("to itself"));
    assert!(reason(&o.receipts[4]).contains("only the receiver"), "accept by the wrong account");
    assert!(reason(&o.receipts[5]).contains("only the receiver"), "the custodian cannot accept for the receiver");
    assert!(reason(&o.receipts[6]).contains("only the custodian"), "the receiver cannot cancel");
    assert!(reason(&o.receipts[7]).contains("has no pending hand-over"));
    assert!(reason(&o.receipts[8]).contains("may not append events"), "offered is not held");
    let it = item(&e, "QR-1");
    assert_eq!(it.custodian, addr(&e, producer), "custody does not move before acceptance");
    assert_eq!(it.pending.as_ref().map(|p| p.to), Some(addr(&e, logistics)));

    // Logistics accepts QR-1 and rejects QR-2; custody moves only for QR-1, with a custody event.
    let (o, _) = commit(
        &e,
        vec![
            t(logistics, Payload::Trace(TraceCall::Accept { codes: codes(&["QR-1"]) })),
            t(logistics, Payload::Trace(TraceCall::Reject { codes: codes(&["QR-2"]) })),
            t(logistics, event(&["QR-1"], "shipped")),
            t(producer, event(&["QR-1"], "harvested")),
        ],
    );
    ok(&o.receipts[0]);
    assert!(o.receipts[0].events.contains(&Event::Trace(TraceModuleEvent::HandoverClosed {
        item: 1,
        from: addr(&e, producer),
        to: addr(&e, logistics),
        outcome: "accepted".into()
    })));
    ok(&o.receipts[1]);
    ok(&o.receipts[2]);
    assert!(reason(&o.receipts[3]).contains("may not append events"), "the producer no longer holds it");
    let it = item(&e, "QR-1");
    assert_eq!((it.custodian, it.pending.clone(), it.events), (addr(&e, logistics), None, 4));
    assert_eq!(item(&e, "QR-2").custodian, addr(&e, producer));
    assert_eq!(item(&e, "QR-2").pending, None);

    // An item authorisation from the current custodian works, and lapses when custody moves.
    let item_target = TraceTarget::Item { code: "QR-1".into() };
    let (o, _) = commit(
        &e,
        vec![
            t(
                producer,
                Payload::Trace(TraceCall::Authorize { target: item_target.clone(), account: addr(&e, inspector) }),
            ),
            t(
                logistics,
                Payload::Trace(TraceCall::Authorize { target: item_target.clone(), account: addr(&e, inspector) }),
            ),
            t(inspector, event(&["QR-1"], "cold-chain check")),
            t(logistics, Payload::Trace(TraceCall::Handover { codes: codes(&["QR-1"]), to: addr(&e, retailer) })),
            t(retailer, Payload::Trace(TraceCall::Accept { codes: codes(&["QR-1"]) })),
            t(inspector, event(&["QR-1"], "after the move")),
        ],
    );
    assert!(reason(&o.receipts[0]).contains("only the custodian"));
    for r in &o.receipts[1..=4] {
        ok(r);
    }
    assert!(reason(&o.receipts[5]).contains("may not append events"), "lapsed with custody");

    // Recall: the producer only; every item shows recalled; no more hand-overs, events still go.
    let (o, _) = commit(
        &e,
        vec![
            t(producer, Payload::Trace(TraceCall::Handover { codes: codes(&["QR-2"]), to: addr(&e, retailer) })),
            t(retailer, Payload::Trace(TraceCall::Recall { batch_id: 1, reason: "not mine".into() })),
            t(producer, Payload::Trace(TraceCall::Recall { batch_id: 1, reason: "pesticide residue".into() })),
            t(producer, Payload::Trace(TraceCall::Recall { batch_id: 1, reason: "again".into() })),
            t(retailer, Payload::Trace(TraceCall::Handover { codes: codes(&["QR-1"]), to: addr(&e, logistics) })),
            t(retailer, Payload::Trace(TraceCall::Accept { codes: codes(&["QR-2"]) })),
            t(retailer, Payload::Trace(TraceCall::Reject { codes: codes(&["QR-2"]) })),
            t(retailer, event(&["QR-1"], "returned")),
            t(producer, Payload::Trace(TraceCall::AddItems { batch_id: 1, codes: codes(&["QR-5"]) })),
        ],
    );
    ok(&o.receipts[0]);
    assert!(reason(&o.receipts[1]).contains("only the producer"));
    assert_eq!(o.receipts[2].events, vec![Event::Trace(TraceModuleEvent::BatchRecalled { batch: 1 })]);
    assert!(reason(&o.receipts[3]).contains("already recalled"));
    let r = reason(&o.receipts[4]);
    assert!(r.contains("recalled at height") && r.contains("pesticide residue"), "{r}");
    assert!(reason(&o.receipts[5]).contains("recalled"), "accepting a recalled item is refused too");
    ok(&o.receipts[6]);
    ok(&o.receipts[7]);
    assert!(reason(&o.receipts[8]).contains("recalled: it takes no new items"));

    // The history: producer → logistics → retailer, events in order, the hash chain holds.
    let reader = e.store.reader().unwrap();
    let it = trace::item_by_code(&reader, "QR-1").unwrap().unwrap();
    let evs = trace::events(&reader, &it).unwrap();
    let stages: Vec<String> = evs
        .iter()
        .map(|ev| match &ev.kind {
            TraceEventKind::Lifecycle { stage, .. } => stage.clone(),
            TraceEventKind::Custody { to, .. } => format!("custody to {to}"),
        })
        .collect();
    assert_eq!(
        stages,
        vec![
            "harvested".to_string(),
            "inspected".into(),
            format!("custody to {}", addr(&e, logistics)),
            "shipped".into(),
            "cold-chain check".into(),
            format!("custody to {}", addr(&e, retailer)),
            "returned".into(),
        ]
    );
    assert_eq!(evs[1].author, addr(&e, inspector));
    assert_eq!(evs[2].author, addr(&e, logistics), "the acceptance is signed by the receiver");
    assert_eq!(
        trace::custody_chain(addr(&e, producer), &evs),
        vec![addr(&e, producer), addr(&e, logistics), addr(&e, retailer)]
    );
    hechain_types::trace::verify_history(Suite::Standard, &it, &evs).unwrap();
    // The custodian index lists each item exactly under its custodian.
    let held: Vec<Vec<u8>> = reader
        .state_scan(&keys::trace_custodian_prefix(&addr(&e, retailer)), None, 10)
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(held, vec![keys::trace_by_custodian(&addr(&e, retailer), 1)]);
}

#[test]
fn field_and_time_refusals() {
    let e = env(Suite::Standard, 0);
    let mut n = Nonces([0; 4]);
    let mut t = |who: usize, p: Payload| tx(&e, who, n.next(who), 0, p);
    let mut far = event(&["A"], "shipped");
    if let Payload::Trace(TraceCall::Event { event_time_ms, .. }) = &mut far {
        *event_time_ms = 10_000_000;
    }
    let many: Vec<String> = (0..257).map(|i| format!("C{i}")).collect();
    let (o, _) = commit(
        &e,
        vec![
            t(0, batch_payload("Rice", &["A", "A"])),
            t(
                0,
                Payload::Trace(TraceCall::Batch {
                    product: "Rice".into(),
                    producer_label: "Farm".into(),
                    attributes: H256::ZERO,
                    metadata: String::new(),
                    codes: many,
                }),
            ),
            t(0, batch_payload("", &["A"])),
            t(0, batch_payload("Rice", &["A"])),
            t(0, far),
            t(0, Payload::Trace(TraceCall::Authorize { target: batch_target(1), account: addr(&e, 0) })),
            t(
                0,
                Payload::Trace(TraceCall::Authorize {
                    target: TraceTarget::Item { code: "ZZ".into() },
                    account: addr(&e, 1),
                }),
            ),
        ],
    );
    assert!(reason(&o.receipts[0]).contains("listed twice"));
    assert!(reason(&o.receipts[1]).contains("got 257"));
    assert!(reason(&o.receipts[2]).contains("product is empty"));
    ok(&o.receipts[3]);
    assert!(reason(&o.receipts[4]).contains("after the block time"));
    assert!(reason(&o.receipts[5]).contains("cannot authorise itself"));
    assert!(reason(&o.receipts[6]).contains("no item has code \"ZZ\""));
}

fn record(r: TraceRecord) -> CertifiedRecord {
    CertifiedRecord::Module(Box::new(ModuleRecords::Trace(r)))
}

/// The trace record a certificate carries (panics for another kind).
fn trace_record(r: &mut CertifiedRecord) -> &mut TraceRecord {
    match r {
        CertifiedRecord::Module(m) => match m.as_mut() {
            ModuleRecords::Trace(t) => t,
            other => panic!("not a trace record: {other:?}"),
        },
    }
}

fn item_cert(e: &Env, code: &str) -> RecordCertificate {
    let r = e.store.reader().unwrap();
    let item = trace::item_by_code(&r, code).unwrap().unwrap();
    let events = trace::events(&r, &item).unwrap();
    let batch = trace::batch(&r, item.batch_id).unwrap().unwrap();
    RecordCertificate::build(
        &r,
        &e.genesis,
        record(TraceRecord::Item(Box::new(TraceItemHistory { item, events, batch }))),
    )
    .unwrap()
}

#[test]
fn restart_keeps_everything_and_certificates_verify_offline() {
    let e = env(Suite::Gm, 0);
    let mut n = Nonces([0; 4]);
    let mut t = |who: usize, p: Payload| tx(&e, who, n.next(who), 0, p);
    commit(&e, vec![t(0, batch_payload("Tea", &["T-1", "T-2"])), t(1, batch_payload("Milk", &["M-1"]))]);
    commit(
        &e,
        vec![
            t(0, event(&["T-1"], "picked")),
            t(0, Payload::Trace(TraceCall::Handover { codes: codes(&["T-1"]), to: addr(&e, 2) })),
        ],
    );
    commit(&e, vec![t(2, Payload::Trace(TraceCall::Accept { codes: codes(&["T-1"]) }))]);
    commit(&e, vec![t(0, Payload::Trace(TraceCall::Recall { batch_id: 1, reason: "mislabelled".into() }))]);
    let before = item(&e, "T-1");
    let e = reopen(e);
    assert_eq!(item(&e, "T-1"), before);
    let r = e.store.reader().unwrap();
    assert!(trace::batch(&r, 1).unwrap().unwrap().recall.is_some());
    assert_eq!(trace::events(&r, &before).unwrap().len(), 2);
    drop(r);
    // Still writable after the restart: the counters survived.
    let t = |who: usize, nonce: u64, p: Payload| tx(&e, who, nonce, 0, p);
    let (o, _) =
        commit(&e, vec![t(1, 1, Payload::Trace(TraceCall::AddItems { batch_id: 2, codes: codes(&["M-2", "T-2"]) }))]);
    assert!(reason(&o.receipts[0]).contains("\"T-2\" is already registered: item 2 of batch 1"));
    let (o, _) = commit(&e, vec![t(1, 2, Payload::Trace(TraceCall::AddItems { batch_id: 2, codes: codes(&["M-2"]) }))]);
    assert_eq!(
        o.receipts[0].events,
        vec![Event::Trace(TraceModuleEvent::ItemsRegistered { batch: 2, first_item: 4, count: 1 })]
    );

    // Item certificate: verifies offline; shows the recall; any tampering is rejected.
    let cert = item_cert(&e, "T-1");
    assert_eq!(cert.verify(&e.genesis).unwrap().kind, "trace_item");
    let mut shown = cert.record.clone();
    let TraceRecord::Item(h) = trace_record(&mut shown) else { panic!("kind") };
    assert_eq!(h.events.len(), 2);
    assert_eq!(h.batch.recall.as_ref().map(|r| r.reason.as_str()), Some("mislabelled"));
    let json = serde_json::to_string(&cert).unwrap();
    let back: RecordCertificate = serde_json::from_str(&json).unwrap();
    back.verify(&e.genesis).unwrap();

    let tamper = |f: &dyn Fn(&mut TraceItemHistory)| {
        let mut bad = cert.clone();
        match trace_record(&mut bad.record) {
            TraceRecord::Item(h) => f(h),
            TraceRecord::Batch(_) => panic!("not an item"),
        }
        bad.verify(&e.genesis).unwrap_err().to_string()
    };
    let err = tamper(&|h| h.events.truncate(1));
    assert!(err.contains("has 2 events but 1"), "{err}");
    let err = tamper(&|h| {
        if let TraceEventKind::Lifecycle { stage, .. } = &mut h.events[0].kind {
            *stage = "organic".into();
        }
    });
    assert!(err.contains("commits to"), "{err}");
    let err = tamper(&|h| h.batch.recall = None);
    assert!(err.contains("related record is not in the block's state"), "{err}");
    let err = tamper(&|h| h.item.custodian = addr(&e, 3));
    assert!(err.contains("record is not in the block's state"), "{err}");
    let mut bad = cert.clone();
    bad.related_proofs.clear();
    assert!(bad.verify(&e.genesis).unwrap_err().to_string().contains("related proofs"));
    let mut bad = cert.clone();
    bad.header.state_root = H256([1; 32]);
    assert!(bad.verify(&e.genesis).is_err());

    // Batch certificate.
    let r = e.store.reader().unwrap();
    let b = trace::batch(&r, 1).unwrap().unwrap();
    let bc = RecordCertificate::build(&r, &e.genesis, record(TraceRecord::Batch(Box::new(b)))).unwrap();
    assert_eq!(bc.verify(&e.genesis).unwrap().kind, "trace_batch");
    let mut bad = bc.clone();
    match trace_record(&mut bad.record) {
        TraceRecord::Batch(b) => b.product = "Green tea".into(),
        TraceRecord::Item(_) => panic!("not a batch"),
    }
    assert!(bad.verify(&e.genesis).is_err());
}

/// The model the property test keeps beside the chain.
#[derive(Default)]
struct Model {
    custodian: BTreeMap<String, usize>,
    pending: BTreeMap<String, usize>,
    batch_of: BTreeMap<String, u64>,
    producer: BTreeMap<u64, usize>,
    recalled: BTreeSet<u64>,
    batch_auth: BTreeSet<(u64, usize)>,
    /// (code, account) → the custodian that granted it and the item's custody epoch then.
    item_auth: BTreeMap<(String, usize), (usize, u32)>,
    events: BTreeMap<String, u32>,
    /// Accepted hand-overs per item (its custody epoch).
    changes: BTreeMap<String, u32>,
}

impl Model {
    fn may_append(&self, code: &str, who: usize) -> bool {
        let (Some(&c), Some(b)) = (self.custodian.get(code), self.batch_of.get(code)) else { return false };
        c == who
            || self.batch_auth.contains(&(*b, who))
            || self.item_auth.get(&(code.to_string(), who)) == Some(&(c, self.epoch(code)))
    }

    fn epoch(&self, code: &str) -> u32 {
        self.changes.get(code).copied().unwrap_or(0)
    }

    fn recalled_item(&self, code: &str) -> bool {
        self.batch_of.get(code).is_some_and(|b| self.recalled.contains(b))
    }

    /// Whether `payload` by `from` should succeed.
    fn expect(&self, from: usize, payload: &Payload, e: &Env) -> bool {
        let who = |a: &Address| (0..4).find(|i| addr(e, *i) == *a).unwrap_or(9);
        match payload {
            Payload::Trace(TraceCall::Batch { codes, .. }) => codes.iter().all(|c| !self.custodian.contains_key(c)),
            Payload::Trace(TraceCall::AddItems { batch_id, codes }) => {
                self.producer.get(batch_id) == Some(&from)
                    && !self.recalled.contains(batch_id)
                    && codes.iter().all(|c| !self.custodian.contains_key(c))
            }
            Payload::Trace(TraceCall::Event { codes, .. }) => codes.iter().all(|c| self.may_append(c, from)),
            Payload::Trace(TraceCall::Handover { codes, to }) => codes.iter().all(|c| {
                self.custodian.get(c) == Some(&from)
                    && !self.pending.contains_key(c)
                    && who(to) != from
                    && !self.recalled_item(c)
            }),
            Payload::Trace(TraceCall::Accept { codes }) => {
                codes.iter().all(|c| self.pending.get(c) == Some(&from) && !self.recalled_item(c))
            }
            Payload::Trace(TraceCall::Reject { codes }) => codes.iter().all(|c| self.pending.get(c) == Some(&from)),
            Payload::Trace(TraceCall::Cancel { codes }) => {
                codes.iter().all(|c| self.pending.contains_key(c) && self.custodian.get(c) == Some(&from))
            }
            Payload::Trace(TraceCall::Authorize { target: TraceTarget::Batch { batch_id }, account }) => {
                self.producer.get(batch_id) == Some(&from)
                    && who(account) != from
                    && !self.batch_auth.contains(&(*batch_id, who(account)))
            }
            Payload::Trace(TraceCall::Authorize { target: TraceTarget::Item { code }, account }) => {
                self.custodian.get(code) == Some(&from)
                    && who(account) != from
                    && self.item_auth.get(&(code.clone(), who(account))) != Some(&(from, self.epoch(code)))
            }
            Payload::Trace(TraceCall::Revoke { target: TraceTarget::Batch { batch_id }, account }) => {
                self.producer.get(batch_id) == Some(&from) && self.batch_auth.contains(&(*batch_id, who(account)))
            }
            Payload::Trace(TraceCall::Recall { batch_id, .. }) => {
                self.producer.get(batch_id) == Some(&from) && !self.recalled.contains(batch_id)
            }
            _ => false,
        }
    }

    /// Applies a successful `payload` by `from`.
    fn apply(&mut self, from: usize, payload: Payload, e: &Env, next_batch: &mut u64) {
        let who = |a: &Address| (0..4).find(|i| addr(e, *i) == *a).unwrap_or(9);
        match payload {
            Payload::Trace(TraceCall::Batch { codes, .. }) => {
                self.producer.insert(*next_batch, from);
                for c in codes {
                    self.custodian.insert(c.clone(), from);
                    self.batch_of.insert(c, *next_batch);
                }
                *next_batch += 1;
            }
            Payload::Trace(TraceCall::AddItems { batch_id, codes }) => {
                for c in codes {
                    self.custodian.insert(c.clone(), from);
                    self.batch_of.insert(c, batch_id);
                }
            }
            Payload::Trace(TraceCall::Event { codes, .. }) => {
                for c in codes {
                    *self.events.entry(c).or_default() += 1;
                }
            }
            Payload::Trace(TraceCall::Handover { codes, to }) => {
                for c in codes {
                    self.pending.insert(c, who(&to));
                }
            }
            Payload::Trace(TraceCall::Accept { codes }) => {
                for c in codes {
                    self.pending.remove(&c);
                    self.custodian.insert(c.clone(), from);
                    *self.changes.entry(c.clone()).or_default() += 1;
                    *self.events.entry(c).or_default() += 1;
                }
            }
            Payload::Trace(TraceCall::Reject { codes }) | Payload::Trace(TraceCall::Cancel { codes }) => {
                for c in codes {
                    self.pending.remove(&c);
                }
            }
            Payload::Trace(TraceCall::Authorize { target: TraceTarget::Batch { batch_id }, account }) => {
                self.batch_auth.insert((batch_id, who(&account)));
            }
            Payload::Trace(TraceCall::Authorize { target: TraceTarget::Item { code }, account }) => {
                let epoch = self.epoch(&code);
                self.item_auth.insert((code, who(&account)), (from, epoch));
            }
            Payload::Trace(TraceCall::Revoke { target: TraceTarget::Batch { batch_id }, account }) => {
                self.batch_auth.remove(&(batch_id, who(&account)));
            }
            Payload::Trace(TraceCall::Recall { batch_id, .. }) => {
                self.recalled.insert(batch_id);
            }
            _ => {}
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
    /// Random operations by random accounts on a small code space. A model predicts which ones
    /// succeed (so events are written only by authorised accounts and custody moves only by an
    /// accepted hand-over); afterwards every item has exactly one custodian, listed in exactly
    /// one custodian index; recall covers every item of its batch; each item's history hashes
    /// to its record and its custody events replay its custodian.
    #[test]
    fn random_operations_keep_custody_and_authorship(ops in proptest::collection::vec(
        (0u8..12, 0usize..4, 0usize..6, 0usize..4, 0usize..3, any::<bool>()), 1..60)
    ) {
        let e = env(Suite::Standard, 0);
        let mut nonces = Nonces([0; 4]);
        let mut m = Model::default();
        let mut next_batch = 1u64;
        for &(kind, random_from, c, other, extra, aim) in &ops {
            // Hand-overs and acceptances are drawn more often than recalls (which end them).
            let kind = match kind {
                10 => 4,
                11 => 5,
                9 if extra != 0 => 4,
                k => k,
            };
            // Aimed operations on pending hand-overs pick a pending code.
            // Aimed events (and some hand-overs, so that grants lapse) pick a code someone holds an
            // item authorisation on, and aimed custodian operations a registered code.
            let pending_code = if aim && (kind == 5 || kind == 6) && !m.pending.is_empty() {
                m.pending.keys().nth(c % m.pending.len()).cloned()
            } else if aim && (kind == 3 || (kind == 4 && extra == 1)) && !m.item_auth.is_empty() {
                m.item_auth.keys().nth(c % m.item_auth.len()).map(|(code, _)| code.clone())
            } else if aim && matches!(kind, 2 | 4 | 8) && !m.custodian.is_empty() {
                m.custodian.keys().nth(c % m.custodian.len()).cloned()
            } else {
                None
            };
            let cd = pending_code.unwrap_or_else(|| format!("C{c}"));
            let c: usize = cd[1..].parse().unwrap_or(c);
            // Half of the operations come from the account the model says is entitled (so that
            // hand-overs get accepted and authorisations revoked), the rest from anyone.
            let b = 1 + extra as u64;
            let entitled = match kind {
                1 | 7 | 9 => m.producer.get(&b).copied(),
                8 if extra == 0 => m.producer.get(&1).copied(),
                5 => m.pending.get(&cd).copied(),
                3 => m.item_auth.keys().find(|(code, _)| *code == cd).map(|(_, who)| *who),
                6 if extra == 0 => m.pending.get(&cd).copied(),
                _ => m.custodian.get(&cd).copied(),
            };
            let from = if aim { entitled.unwrap_or(random_from) } else { random_from };
            let two = vec![cd.clone(), format!("C{}", (c + 1) % 6)];
            let some_codes = if extra == 2 { two } else { vec![cd.clone()] };
            let payload = match kind {
                0 => batch_payload("P", &some_codes.iter().map(String::as_str).collect::<Vec<_>>()),
                1 => Payload::Trace(TraceCall::AddItems { batch_id: b, codes: some_codes }),
                2 | 3 => event(&some_codes.iter().map(String::as_str).collect::<Vec<_>>(), "stage"),
                4 => {
                    // An aimed hand-over of an item someone else is authorised on goes to a third
                    // account, so that the authorisation lapses once it is accepted.
                    let grantee = m.item_auth.keys().find(|(code, _)| *code == cd).map(|(_, who)| *who);
                    let to = match grantee {
                        Some(g) if aim => (0..4).find(|x| *x != from && *x != g).unwrap_or(other),
                        _ => other,
                    };
                    Payload::Trace(TraceCall::Handover { codes: some_codes, to: addr(&e, to) })
                }
                5 => Payload::Trace(TraceCall::Accept { codes: some_codes }),
                6 if extra == 0 => Payload::Trace(TraceCall::Reject { codes: vec![cd] }),
                6 => Payload::Trace(TraceCall::Cancel { codes: vec![cd] }),
                7 => Payload::Trace(TraceCall::Authorize { target: batch_target(b), account: addr(&e, other) }),
                8 if extra == 0 => Payload::Trace(TraceCall::Revoke { target: batch_target(1), account: addr(&e, other) }),
                8 => Payload::Trace(TraceCall::Authorize { target: TraceTarget::Item { code: cd }, account: addr(&e, other) }),
                _ => Payload::Trace(TraceCall::Recall { batch_id: b, reason: "r".into() }),
            };
            let expect = m.expect(from, &payload, &e);
            let (o, _) = commit(&e, vec![tx(&e, from, nonces.next(from), 0, payload.clone())]);
            let success = o.receipts[0].status == TxStatus::Success;
            prop_assert_eq!(success, expect, "{:?} by {}: {:?}", payload, from, o.receipts[0].status);
            if success {
                m.apply(from, payload, &e, &mut next_batch);
            }
        }
        let r = e.store.reader().unwrap();
        for (cd, &c) in &m.custodian {
            let it = trace::item_by_code(&r, cd).unwrap().unwrap();
            prop_assert_eq!(it.custodian, addr(&e, c));
            prop_assert_eq!(it.pending.as_ref().map(|p| p.to), m.pending.get(cd).map(|&p| addr(&e, p)));
            prop_assert_eq!(it.events, m.events.get(cd).copied().unwrap_or(0));
            // Exactly one custodian index entry, under the custodian.
            for who in 0..4 {
                let listed = r.state_get(&keys::trace_by_custodian(&addr(&e, who), it.id)).unwrap().is_some();
                prop_assert_eq!(listed, who == c, "item {} custodian index for {}", it.id, who);
            }
            // The history hashes to the record, and custody events replay the custodian.
            let evs = trace::events(&r, &it).unwrap();
            prop_assert!(hechain_types::trace::verify_history(Suite::Standard, &it, &evs).is_ok());
            let b = trace::batch(&r, it.batch_id).unwrap().unwrap();
            prop_assert_eq!(trace::custody_chain(b.producer, &evs).last().copied(), Some(it.custodian));
            // Recall covers every item of a recalled batch.
            prop_assert_eq!(b.recall.is_some(), m.recalled.contains(&it.batch_id));
        }
        // The batch item index holds exactly the model's items.
        for &b in m.producer.keys() {
            let listed = r.state_scan(&keys::trace_batch_items_prefix(b), None, 100).unwrap().len();
            prop_assert_eq!(listed, m.batch_of.values().filter(|x| **x == b).count());
        }
    }
}

#[test]
fn lifecycle_events_leave_room_for_custody_changes() {
    let e = env(Suite::Standard, 0);
    let mut n = Nonces([0; 4]);
    let (producer, helper, buyer) = (0, 1, 2);
    let mut t = |who: usize, p: Payload| tx(&e, who, n.next(who), 0, p);
    ok(&commit(&e, vec![t(producer, batch_payload("pears", &["P-1"]))]).0.receipts[0]);
    let grant = Payload::Trace(TraceCall::Authorize { target: batch_target(1), account: addr(&e, helper) });
    ok(&commit(&e, vec![t(producer, grant)]).0.receipts[0]);
    // An authorised account fills the history up to the custody reserve …
    let limit = (hechain_types::trace::MAX_EVENTS_PER_ITEM - trace::CUSTODY_RESERVE) as usize;
    let txs: Vec<SignedTransaction> = (0..=limit).map(|_| t(helper, event(&["P-1"], "checked"))).collect();
    let (o, _) = commit(&e, txs);
    assert!(o.receipts[..limit].iter().all(|r| r.status == TxStatus::Success));
    assert!(reason(&o.receipts[limit]).contains("the last 100 are kept for custody changes"));
    // … and the item still changes hands.
    let offer = Payload::Trace(TraceCall::Handover { codes: codes(&["P-1"]), to: addr(&e, buyer) });
    ok(&commit(&e, vec![t(producer, offer)]).0.receipts[0]);
    ok(&commit(&e, vec![t(buyer, Payload::Trace(TraceCall::Accept { codes: codes(&["P-1"]) }))]).0.receipts[0]);
    assert_eq!(item(&e, "P-1").custodian, addr(&e, buyer));
}

#[test]
fn an_item_authorisation_does_not_come_back_with_the_item() {
    let e = env(Suite::Standard, 0);
    let mut n = Nonces([0; 4]);
    let (producer, repairer, inspector) = (0, 1, 3);
    let mut t = |who: usize, p: Payload| tx(&e, who, n.next(who), 0, p);
    ok(&commit(&e, vec![t(producer, batch_payload("pumps", &["R-1"]))]).0.receipts[0]);
    let grant = || {
        Payload::Trace(TraceCall::Authorize {
            target: TraceTarget::Item { code: "R-1".into() },
            account: addr(&e, inspector),
        })
    };
    ok(&commit(&e, vec![t(producer, grant())]).0.receipts[0]);
    ok(&commit(&e, vec![t(inspector, event(&["R-1"], "inspected"))]).0.receipts[0]);
    // Out for repair and back.
    for (from, to) in [(producer, repairer), (repairer, producer)] {
        let offer = Payload::Trace(TraceCall::Handover { codes: codes(&["R-1"]), to: addr(&e, to) });
        ok(&commit(&e, vec![t(from, offer)]).0.receipts[0]);
        ok(&commit(&e, vec![t(to, Payload::Trace(TraceCall::Accept { codes: codes(&["R-1"]) }))]).0.receipts[0]);
    }
    assert_eq!(item(&e, "R-1").custody_changes, 2);
    let (o, _) = commit(&e, vec![t(inspector, event(&["R-1"], "inspected"))]);
    assert!(reason(&o.receipts[0]).contains("may not append events"), "the old grant lapsed for good");
    ok(&commit(&e, vec![t(producer, grant())]).0.receipts[0]);
    ok(&commit(&e, vec![t(inspector, event(&["R-1"], "inspected"))]).0.receipts[0]);
}
