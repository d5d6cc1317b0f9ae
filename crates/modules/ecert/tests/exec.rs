//! E-certificates and authorised data sharing over a real store: issue, revoke, datasets,
//! grants, logged uses, every refusal, the audit log, selective field disclosure, restart
//! persistence, record certificates, and the invariants under random operation sequences.

use hechain_crypto::Suite;
use hechain_execution::certificate::{BuildCertificate, CertifiedRecord, RecordCertificate};
use hechain_execution::ecert;
use hechain_types::ecert::{field_hash, EcertRecord};
use hechain_types::modules::ModuleRecords;
use hechain_types::*;
use hechain_types::{EcertCall, EcertEvent};
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

fn cert(e: &Env, id: u64) -> Ecert {
    ecert::certificate(&e.store.reader().unwrap(), id).unwrap().unwrap()
}

fn audit(e: &Env, s: Subject) -> Vec<AuditEntry> {
    ecert::audit_page(&e.store.reader().unwrap(), &s, 0, 1_000).unwrap()
}

const SALT_NAME: [u8; 32] = [11; 32];
const SALT_DEGREE: [u8; 32] = [12; 32];

/// An issuance of a diploma to `holder` valid in `[nb, na)`, fields `name` and `degree`.
fn issue(e: &Env, holder: usize, nb: u64, na: u64) -> Payload {
    let suite = e.genesis.suite();
    Payload::Ecert(EcertCall::Issue {
        cert_type: "diploma".into(),
        holder: addr(e, holder),
        fields: vec![
            FieldCommitment { name: "name".into(), hash: field_hash(suite, &SALT_NAME, "name", "张三".as_bytes()) },
            FieldCommitment { name: "degree".into(), hash: field_hash(suite, &SALT_DEGREE, "degree", b"BSc") },
        ],
        encrypted_ref: vec![0xab; 48],
        not_before_ms: nb,
        not_after_ms: na,
    })
}

fn grant(e: &Env, subject: Subject, grantee: usize, expires_ms: u64) -> Payload {
    Payload::Ecert(EcertCall::DataGrant {
        subject,
        grantee: addr(e, grantee),
        org: "Bank of Example".into(),
        purpose: "account opening KYC".into(),
        expires_ms,
    })
}

fn access(grant_id: u64) -> Payload {
    Payload::Ecert(EcertCall::DataAccess {
        grant_id,
        purpose: "KYC check".into(),
        request_hash: H256([grant_id as u8; 32]),
    })
}

/// Block times in the harness start at 1,010 ms and grow by 10 ms per block.
fn wait_until(e: &Env, t: u64) {
    while e.store.reader().unwrap().head().unwrap().timestamp_ms < t {
        commit::<ChainTx>(e, vec![]);
    }
}

#[test]
fn issue_grant_access_revoke_and_audit() {
    let e = env(Suite::Standard, 0);
    // Account 0: the agency; 1: the holder; 2: a bank; 3: another organisation.
    let (o, _) = commit(&e, vec![tx(&e, 0, 0, 0, issue(&e, 1, 0, 5_000))]);
    assert_eq!(
        o.receipts[0].events,
        vec![Event::Ecert(EcertEvent::Issued { id: 1, issuer: addr(&e, 0), holder: addr(&e, 1) })]
    );
    let c = cert(&e, 1);
    assert!(c.valid_at(1_020) && c.revoked.is_none() && c.fields.len() == 2);

    let ds = Payload::Ecert(EcertCall::DatasetRegister {
        content_hash: H256([5; 32]),
        encrypted_ref: b"ciphertext".to_vec(),
        description: "transaction history 2025".into(),
    });
    let (o, _) = commit(
        &e,
        vec![
            tx(&e, 1, 0, 0, ds),
            tx(&e, 1, 1, 0, grant(&e, Subject::Certificate(1), 2, 1_100)),
            tx(&e, 1, 2, 0, grant(&e, Subject::Dataset(1), 2, 5_000)),
        ],
    );
    assert_eq!(
        o.receipts[0].events,
        vec![Event::Ecert(EcertEvent::DatasetRegistered { id: 1, holder: addr(&e, 1), content_hash: H256([5; 32]) })]
    );
    assert_eq!(
        o.receipts[1].events,
        vec![Event::Ecert(EcertEvent::DataGranted {
            grant: 1,
            subject: Subject::Certificate(1),
            grantee: addr(&e, 2),
            expires_ms: 1_100
        })]
    );
    ok(&o.receipts[2]);

    // The bank uses both; another organisation cannot use the bank's grant.
    let (o, _) = commit(&e, vec![tx(&e, 2, 0, 0, access(1)), tx(&e, 2, 1, 0, access(2)), tx(&e, 3, 0, 0, access(1))]);
    assert_eq!(
        o.receipts[0].events,
        vec![Event::Ecert(EcertEvent::DataAccessed {
            grant: 1,
            subject: Subject::Certificate(1),
            grantee: addr(&e, 2),
            seq: 2
        })]
    );
    ok(&o.receipts[1]);
    assert!(reason(&o.receipts[2]).contains("access refused: grant 1 is to"), "{:?}", o.receipts[2]);
    // The verifier's query: the bank is authorised on both subjects, the other org on none.
    let r = e.store.reader().unwrap();
    let now = r.head().unwrap().timestamp_ms;
    let a = ecert::authorisation(&r, &Subject::Certificate(1), &addr(&e, 2), now).unwrap();
    assert_eq!((a.authorized, a.grant_id), (true, Some(1)));
    assert!(!ecert::authorisation(&r, &Subject::Certificate(1), &addr(&e, 2), 1_100).unwrap().authorized);
    let a = ecert::authorisation(&r, &Subject::Dataset(1), &addr(&e, 3), now).unwrap();
    assert!(!a.authorized && a.reason.unwrap().contains("holds no grant on dataset 1"));
    drop(r);

    // The holder revokes the dataset grant: no more uses.
    let (o, _) = commit(
        &e,
        vec![tx(&e, 1, 3, 0, Payload::Ecert(EcertCall::DataGrantRevoke { grant_id: 2 })), tx(&e, 2, 2, 0, access(2))],
    );
    assert_eq!(o.receipts[0].events, vec![Event::Ecert(EcertEvent::DataGrantRevoked { grant: 2 })]);
    assert!(reason(&o.receipts[1]).contains("grant 2 was revoked at height"));

    // The certificate grant expires at 1,100.
    wait_until(&e, 1_100);
    let (o, _) = commit(&e, vec![tx(&e, 2, 3, 0, access(1))]);
    assert!(reason(&o.receipts[0]).contains("grant 1 expired at 1100 ms"));

    // A new grant, then the agency revokes the certificate: the grant no longer authorises.
    let (o, _) = commit(&e, vec![tx(&e, 1, 4, 0, grant(&e, Subject::Certificate(1), 3, 9_000))]);
    ok(&o.receipts[0]);
    let (o, h) = commit(
        &e,
        vec![
            tx(&e, 0, 1, 0, Payload::Ecert(EcertCall::Revoke { cert_id: 1, reason: "degree withdrawn".into() })),
            tx(&e, 3, 1, 0, access(3)),
            tx(&e, 1, 5, 0, grant(&e, Subject::Certificate(1), 2, 9_000)),
        ],
    );
    assert_eq!(o.receipts[0].events, vec![Event::Ecert(EcertEvent::Revoked { id: 1 })]);
    assert!(reason(&o.receipts[1]).contains("certificate 1 was revoked at height"), "{:?}", o.receipts[1]);
    assert!(reason(&o.receipts[2]).contains("revoked at height"), "{:?}", o.receipts[2]);
    let c = cert(&e, 1);
    assert!(!c.valid_at(h.timestamp_ms) && !c.valid_at(1_020));
    assert_eq!(c.revoked.as_ref().unwrap().stamp.height, h.height);

    // The certificate's audit log: issued, granted, accessed, granted, revoked — in order,
    // with who, when and which transaction.
    let log = audit(&e, Subject::Certificate(1));
    let actions: Vec<&str> = log
        .iter()
        .map(|x| match x.action {
            AuditAction::Issued => "issued",
            AuditAction::Granted { .. } => "granted",
            AuditAction::Accessed { .. } => "accessed",
            AuditAction::Revoked { .. } => "revoked",
            _ => "other",
        })
        .collect();
    assert_eq!(actions, vec!["issued", "granted", "accessed", "granted", "revoked"]);
    assert_eq!(log.iter().map(|x| x.seq).collect::<Vec<_>>(), vec![0, 1, 2, 3, 4]);
    assert_eq!(log[2].actor, addr(&e, 2));
    assert_eq!(log[4].actor, addr(&e, 0));
    assert_eq!(log[4].stamp.height, h.height);
    let page = ecert::audit_page(&e.store.reader().unwrap(), &Subject::Certificate(1), 3, 1).unwrap();
    assert_eq!(page, vec![log[3].clone()]);
    // The dataset's log: registered, granted, accessed, grant revoked.
    assert_eq!(audit(&e, Subject::Dataset(1)).len(), 4);
    assert!(matches!(audit(&e, Subject::Dataset(1))[3].action, AuditAction::GrantRevoked { grant_id: 2 }));
}

#[test]
fn every_authorisation_failure_is_refused_and_writes_nothing() {
    let e = env(Suite::Standard, 0);
    commit(&e, vec![tx(&e, 0, 0, 0, issue(&e, 1, 2_000, 3_000))]);
    let before = e.store.reader().unwrap().head().unwrap().state_root;
    let (o, _) = commit(
        &e,
        vec![
            // Issuance refusals.
            tx(&e, 0, 1, 0, issue(&e, 0, 0, 5_000)), // to itself
            tx(&e, 0, 2, 0, issue(&e, 1, 0, 1_000)), // already expired
            // Revocation by someone other than the issuer (the holder, too).
            tx(&e, 1, 0, 0, Payload::Ecert(EcertCall::Revoke { cert_id: 1, reason: "mine".into() })),
            tx(&e, 2, 0, 0, Payload::Ecert(EcertCall::Revoke { cert_id: 1, reason: "x".into() })),
            tx(&e, 0, 3, 0, Payload::Ecert(EcertCall::Revoke { cert_id: 7, reason: "x".into() })),
            // Grants by a non-holder (the issuer too), to oneself, already expired, unknown.
            tx(&e, 0, 4, 0, grant(&e, Subject::Certificate(1), 2, 5_000)),
            tx(&e, 2, 1, 0, grant(&e, Subject::Certificate(1), 2, 5_000)),
            tx(&e, 1, 1, 0, grant(&e, Subject::Certificate(1), 1, 5_000)),
            tx(&e, 1, 2, 0, grant(&e, Subject::Certificate(1), 2, 1_000)),
            tx(&e, 1, 3, 0, grant(&e, Subject::Dataset(1), 2, 5_000)),
            // Access without any grant, revoking an unknown grant.
            tx(&e, 2, 2, 0, access(1)),
            tx(&e, 1, 4, 0, Payload::Ecert(EcertCall::DataGrantRevoke { grant_id: 1 })),
        ],
    );
    let want = [
        "cannot issue an e-certificate to itself",
        "not_after_ms 1000 is not after the block time",
        "only the issuer",
        "only the issuer",
        "no e-certificate has id 7",
        "only the holder",
        "only the holder",
        "cannot grant access to itself",
        "expires_ms 1000 is not after the block time",
        "no dataset has id 1",
        "no grant has id 1",
        "no grant has id 1",
    ];
    for (r, w) in o.receipts.iter().zip(want) {
        assert!(reason(r).contains(w), "{r:?} should say {w}");
    }
    // Refused transactions only paid their (zero) fee and nonce: the module state is unchanged.
    let r = e.store.reader().unwrap();
    assert_eq!(ecert::audit_len(&r, &Subject::Certificate(1)).unwrap(), 1);
    assert!(ecert::grant(&r, 1).unwrap().is_none());
    assert!(ecert::certificate(&r, 2).unwrap().is_none());
    assert_ne!(before, r.head().unwrap().state_root, "nonces moved");
    drop(r);

    // A grant made before the certificate's validity starts: access waits for not_before.
    let (o, _) = commit(&e, vec![tx(&e, 1, 5, 0, grant(&e, Subject::Certificate(1), 2, 9_000))]);
    ok(&o.receipts[0]);
    let (o, _) = commit(
        &e,
        vec![
            tx(&e, 2, 3, 0, access(1)),
            tx(&e, 2, 4, 0, Payload::Ecert(EcertCall::DataGrantRevoke { grant_id: 1 })), // the grantee cannot revoke
            tx(&e, 0, 5, 0, Payload::Ecert(EcertCall::DataGrantRevoke { grant_id: 1 })), // nor the issuer
        ],
    );
    assert!(reason(&o.receipts[0]).contains("not valid before 2000 ms"));
    assert!(reason(&o.receipts[1]).contains("only the holder"));
    assert!(reason(&o.receipts[2]).contains("only the holder"));
    wait_until(&e, 2_000);
    let (o, _) = commit(&e, vec![tx(&e, 2, 5, 0, access(1))]);
    ok(&o.receipts[0]);
    // After the certificate expires, neither access nor a new grant.
    wait_until(&e, 3_000);
    let (o, _) =
        commit(&e, vec![tx(&e, 2, 6, 0, access(1)), tx(&e, 1, 6, 0, grant(&e, Subject::Certificate(1), 3, 9_000))]);
    assert!(reason(&o.receipts[0]).contains("certificate 1 expired at 3000 ms"));
    assert!(reason(&o.receipts[1]).contains("certificate 1 expired at 3000 ms"));
    // Revoking twice, revoking a grant twice.
    let (o, _) = commit(
        &e,
        vec![
            tx(&e, 0, 6, 0, Payload::Ecert(EcertCall::Revoke { cert_id: 1, reason: "expired".into() })),
            tx(&e, 0, 7, 0, Payload::Ecert(EcertCall::Revoke { cert_id: 1, reason: "again".into() })),
            tx(&e, 1, 7, 0, Payload::Ecert(EcertCall::DataGrantRevoke { grant_id: 1 })),
            tx(&e, 1, 8, 0, Payload::Ecert(EcertCall::DataGrantRevoke { grant_id: 1 })),
        ],
    );
    ok(&o.receipts[0]);
    assert!(reason(&o.receipts[1]).contains("already revoked"));
    ok(&o.receipts[2]);
    assert!(reason(&o.receipts[3]).contains("grant 1 was already revoked"));
    // Stateless checks run at execution too: an empty purpose names the field.
    let bad = Payload::Ecert(EcertCall::DataAccess { grant_id: 1, purpose: " ".into(), request_hash: H256::ZERO });
    let (o, _) = commit(&e, vec![tx(&e, 2, 7, 0, bad)]);
    assert!(reason(&o.receipts[0]).contains("purpose is empty"));
}

#[test]
fn a_disclosed_field_verifies_against_the_chain_and_a_wrong_one_does_not() {
    for suite in [Suite::Standard, Suite::Gm] {
        let e = env(suite, 0);
        commit(&e, vec![tx(&e, 0, 0, 0, issue(&e, 1, 0, 5_000))]);
        let c = cert(&e, 1);
        let shown = FieldDisclosure { name: "degree".into(), value: "BSc".into(), salt: H256(SALT_DEGREE) };
        assert!(shown.check(suite, &c).is_ok());
        let name = FieldDisclosure { name: "name".into(), value: "张三".into(), salt: H256(SALT_NAME) };
        assert!(name.check(suite, &c).is_ok());
        let lie = FieldDisclosure { value: "PhD".into(), ..shown.clone() };
        assert!(lie.check(suite, &c).is_err());
        let other_salt = FieldDisclosure { salt: H256(SALT_NAME), ..shown };
        assert!(other_salt.check(suite, &c).is_err());
        // Nothing in the record is a field value.
        let json = serde_json::to_string(&c).unwrap();
        assert!(!json.contains("BSc") && !json.contains("张三"));
    }
}

#[test]
fn records_and_audit_log_survive_a_restart() {
    let e = env(Suite::Gm, 0);
    commit(&e, vec![tx(&e, 0, 0, 0, issue(&e, 1, 0, 9_000))]);
    commit(&e, vec![tx(&e, 1, 0, 0, grant(&e, Subject::Certificate(1), 2, 9_000))]);
    commit(&e, vec![tx(&e, 2, 0, 0, access(1))]);
    let log = audit(&e, Subject::Certificate(1));
    let c = cert(&e, 1);
    let e = reopen(e);
    assert_eq!(audit(&e, Subject::Certificate(1)), log);
    assert_eq!(cert(&e, 1), c);
    // Counters carry on after the restart.
    let (o, _) = commit(&e, vec![tx(&e, 2, 1, 0, access(1)), tx(&e, 0, 1, 0, issue(&e, 3, 0, 9_000))]);
    assert_eq!(
        o.receipts[0].events,
        vec![Event::Ecert(EcertEvent::DataAccessed {
            grant: 1,
            subject: Subject::Certificate(1),
            grantee: addr(&e, 2),
            seq: 3
        })]
    );
    assert!(o.receipts[1].events.contains(&Event::Ecert(EcertEvent::Issued {
        id: 2,
        issuer: addr(&e, 0),
        holder: addr(&e, 3)
    })));
}

fn record(r: EcertRecord) -> CertifiedRecord {
    CertifiedRecord::from(ModuleRecords::Ecert(r))
}

/// The e-certificate-module record a certificate carries (panics for another module's).
fn ecert_record(r: &mut CertifiedRecord) -> &mut EcertRecord {
    match r {
        CertifiedRecord::Module(m) => match m.as_mut() {
            ModuleRecords::Ecert(x) => x,
            other => panic!("not an e-certificate record: {other:?}"),
        },
    }
}

#[test]
fn certificates_and_grants_verify_offline_and_tampering_is_caught() {
    let e = env(Suite::Gm, 0);
    commit(&e, vec![tx(&e, 0, 0, 0, issue(&e, 1, 0, 9_000))]);
    commit(&e, vec![tx(&e, 1, 0, 0, grant(&e, Subject::Certificate(1), 2, 9_000))]);
    let r = e.store.reader().unwrap();
    let c = ecert::certificate(&r, 1).unwrap().unwrap();
    let cc = RecordCertificate::build(&r, &e.genesis, record(EcertRecord::Ecert(c))).unwrap();
    assert_eq!(cc.verify(&e.genesis).unwrap().kind, "ecert");
    // A certificate claiming "not revoked" for a revoked record, another holder, or another
    // field hash does not verify.
    let mut bad = cc.clone();
    match ecert_record(&mut bad.record) {
        EcertRecord::Ecert(c) => c.holder = addr(&e, 3),
        other => panic!("not an e-certificate: {other:?}"),
    }
    assert!(bad.verify(&e.genesis).unwrap_err().to_string().contains("not in the block's state"));
    let g = ecert::grant(&r, 1).unwrap().unwrap();
    let gc = RecordCertificate::build(&r, &e.genesis, record(EcertRecord::DataGrant(g))).unwrap();
    assert_eq!(gc.verify(&e.genesis).unwrap().kind, "data_grant");
    let mut bad = gc.clone();
    match ecert_record(&mut bad.record) {
        EcertRecord::DataGrant(g) => g.expires_ms += 1,
        other => panic!("not a grant: {other:?}"),
    }
    assert!(bad.verify(&e.genesis).is_err());
    let mut other_chain = e.genesis.clone();
    other_chain.chain_id = 6;
    assert!(cc.verify(&other_chain).is_err());
    drop(r);

    // After revocation the certificate of the current record shows it revoked; the old
    // certificate still verifies, but only as of its (older) block.
    commit(&e, vec![tx(&e, 0, 1, 0, Payload::Ecert(EcertCall::Revoke { cert_id: 1, reason: "lost".into() }))]);
    let r = e.store.reader().unwrap();
    let c = ecert::certificate(&r, 1).unwrap().unwrap();
    let rc = RecordCertificate::build(&r, &e.genesis, record(EcertRecord::Ecert(c))).unwrap();
    let ModuleRecords::Ecert(EcertRecord::Ecert(proved)) = rc.record.module() else { panic!("kind") };
    assert_eq!(proved.revoked.as_ref().unwrap().reason, "lost");
    assert!(rc.verify(&e.genesis).unwrap().height > cc.verify(&e.genesis).unwrap().height);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]
    /// Random issues, revocations, dataset registrations, grants, grant revocations, uses and
    /// idle blocks from four accounts, one transaction per block: every logged use was made
    /// by the grantee of a grant that was live then, on a subject valid then; a revoked
    /// certificate is never valid and never authorises; each subject's audit log only grows
    /// (every earlier entry is unchanged) and lists exactly the successful operations on it, in
    /// order.
    #[test]
    fn uses_only_under_live_grants_and_the_audit_log_is_complete(ops in proptest::collection::vec(
        (0u8..14, 0usize..4, 1u64..5, 0usize..4, 0u64..300), 1..45)
    ) {
        let e = env(Suite::Standard, 0);
        let mut nonces = [0u64; 4];
        let mut expected: std::collections::BTreeMap<Subject, Vec<H256>> = Default::default();
        let mut previous: Vec<(Subject, Vec<AuditEntry>)> = Vec::new();
        let index_of = |a: Address| (0..4).find(|i| addr(&e, *i) == a);
        for &(kind, random_from, id, other, delta) in &ops {
            let r = e.store.reader().unwrap();
            let now = r.head().unwrap().timestamp_ms + 10;
            let subject = if id % 2 == 0 { Subject::Dataset(id / 2) } else { Subject::Certificate(id.div_ceil(2)) };
            // Most operations come from the account entitled to them (when the record exists),
            // some from a random account.
            let holder = match subject {
                Subject::Certificate(c) => ecert::certificate(&r, c).unwrap().map(|c| c.holder),
                Subject::Dataset(d) => ecert::dataset(&r, d).unwrap().map(|d| d.holder),
            };
            let g = ecert::grant(&r, id).unwrap();
            let issuer = ecert::certificate(&r, id).unwrap().map(|c| c.issuer);
            drop(r);
            let (from, payload) = match kind {
                0 | 1 => (random_from, issue(&e, other, now.saturating_sub(20) + delta % 40, now + delta)),
                2 => (random_from, Payload::Ecert(EcertCall::Revoke { cert_id: id, reason: "r".into() })),
                3 => (issuer.and_then(index_of).unwrap_or(random_from), Payload::Ecert(EcertCall::Revoke { cert_id: id, reason: "r".into() })),
                4 => (random_from, Payload::Ecert(EcertCall::DatasetRegister { content_hash: H256([id as u8; 32]), encrypted_ref: vec![1], description: "d".into() })),
                5 | 6 => (holder.and_then(index_of).unwrap_or(random_from), grant(&e, subject, other, now + delta)),
                7 => (random_from, grant(&e, subject, other, now + delta)),
                8 => (g.as_ref().and_then(|g| index_of(g.grantor)).unwrap_or(random_from), Payload::Ecert(EcertCall::DataGrantRevoke { grant_id: id })),
                9 => (random_from, Payload::Ecert(EcertCall::DataGrantRevoke { grant_id: id })),
                10 | 11 => (g.as_ref().and_then(|g| index_of(g.grantee)).unwrap_or(random_from), access(id)),
                12 => (random_from, access(id)),
                _ => { commit::<ChainTx>(&e, vec![]); continue; }
            };
            let t = tx(&e, from, nonces[from], 0, payload.clone());
            nonces[from] += 1;
            let hash = t.hash(Suite::Standard);
            let (o, _) = commit(&e, vec![t]);
            let r = e.store.reader().unwrap();
            if o.receipts[0].status == TxStatus::Success {
                let subject = match (&payload, &o.receipts[0].events[0]) {
                    (_, Event::Ecert(EcertEvent::Issued { id, .. })) | (_, Event::Ecert(EcertEvent::Revoked { id })) => Subject::Certificate(*id),
                    (_, Event::Ecert(EcertEvent::DatasetRegistered { id, .. })) => Subject::Dataset(*id),
                    (_, Event::Ecert(EcertEvent::DataGranted { subject, .. })) | (_, Event::Ecert(EcertEvent::DataAccessed { subject, .. })) => *subject,
                    (_, Event::Ecert(EcertEvent::DataGrantRevoked { grant })) => ecert::grant(&r, *grant).unwrap().unwrap().subject,
                    (_, ev) => panic!("unexpected event {ev:?}"),
                };
                expected.entry(subject).or_default().push(hash);
            }
            // Append-only: every earlier entry is still there, unchanged.
            for (s, entries) in &previous {
                let now_log = ecert::audit_page(&r, s, 0, 10_000).unwrap();
                prop_assert!(now_log.len() >= entries.len());
                prop_assert_eq!(&now_log[..entries.len()], &entries[..]);
            }
            previous = expected.keys().map(|s| (*s, ecert::audit_page(&r, s, 0, 10_000).unwrap())).collect();
        }
        let r = e.store.reader().unwrap();
        let head = r.head().unwrap();
        for (s, hashes) in &expected {
            let log = ecert::audit_page(&r, s, 0, 10_000).unwrap();
            // Complete: exactly the successful operations on the subject, in order.
            prop_assert_eq!(log.iter().map(|x| x.stamp.tx_hash).collect::<Vec<_>>(), hashes.clone());
            prop_assert_eq!(ecert::audit_len(&r, s).unwrap(), hashes.len() as u64);
            for (i, x) in log.iter().enumerate() {
                prop_assert_eq!(x.seq, i as u64);
                prop_assert_eq!(x.subject, *s);
                if let AuditAction::Accessed { grant_id, .. } = x.action {
                    let g = ecert::grant(&r, grant_id).unwrap().unwrap();
                    // Live at the use: to this actor, granted before, not revoked by then
                    // (one transaction per block), not expired.
                    prop_assert_eq!(g.grantee, x.actor);
                    prop_assert!(g.granted.height < x.stamp.height);
                    prop_assert!(g.revoked.is_none_or(|rv| rv.height > x.stamp.height));
                    prop_assert!(x.stamp.timestamp_ms < g.expires_ms);
                    if let Subject::Certificate(cid) = g.subject {
                        let c = ecert::certificate(&r, cid).unwrap().unwrap();
                        prop_assert!(c.not_before_ms <= x.stamp.timestamp_ms && x.stamp.timestamp_ms < c.not_after_ms);
                        prop_assert!(c.revoked.as_ref().is_none_or(|rv| rv.stamp.height > x.stamp.height));
                    }
                }
            }
        }
        // Revoked certificates never verify valid, and no grant on them authorises.
        let mut gid = 1;
        while let Some(g) = ecert::grant(&r, gid).unwrap() {
            if let Subject::Certificate(cid) = g.subject {
                let c = ecert::certificate(&r, cid).unwrap().unwrap();
                if c.revoked.is_some() {
                    for t in [0, c.not_before_ms, head.timestamp_ms, c.not_after_ms.saturating_sub(1)] {
                        prop_assert!(!c.valid_at(t));
                        prop_assert!(ecert::authorised(&r, &g, &g.grantee, t).unwrap().is_err());
                    }
                }
            }
            gid += 1;
        }
    }
}
