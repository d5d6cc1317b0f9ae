//! Fixed samples of every payload kind, governance action and event, every field set to a
//! non-default value: the golden vectors record their encodings (`golden.rs`), and the property
//! tests derive a random generator for each kind from its sample's shape (`codec_props.rs`).
#![allow(dead_code)]

use hechain_crypto::{NodeKey, Suite};
use hechain_types::governance::{ContractChecks, ModuleAccess};
use hechain_types::trace::TraceTarget;
use hechain_types::*;
use hechain_types::{
    CopyrightCall, CopyrightEvent, EcertCall, EcertEvent, EvidenceCall, EvidenceEvent, GovernanceCall, GovernanceEvent,
    TraceCall, TraceModuleEvent, TransferCall, TransferEvent, VoucherCall, VoucherEvent,
};

/// The golden name of an action: its `kind()` (an exhaustive match in the governance module,
/// so a new action does not compile until it is named there).
pub fn action_name(a: &Action) -> &'static str {
    a.kind()
}

// Samples: fixed, every field set to a non-default value.

pub fn a(b: u8) -> Address {
    Address([b; 20])
}

pub fn h(b: u8) -> H256 {
    H256([b; 32])
}

pub fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

pub const PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUGoldenVectorCA\n-----END CERTIFICATE-----\n";

pub fn node(suite: Suite, seed: u8) -> NodeKey {
    NodeKey::from_bytes(suite, &[seed; 32]).expect("node key")
}

pub fn node_info(suite: Suite, seed: u8, name: &str, org: &str) -> ValidatorInfo {
    ValidatorInfo { name: name.into(), public_key: node(suite, seed).public_key().as_bytes().to_vec(), org: org.into() }
}

pub fn params() -> ChainParams {
    ChainParams {
        max_block_txs: 4_321,
        max_tx_bytes: 65_536,
        min_fee: 17,
        block_gas_limit: 60_000_000,
        max_tx_gas: 12_000_000,
        base_fee_per_gas: 7_000_000_000,
        fee_recipient: a(0x45),
        max_code_size: 30_000,
        deploy: DeployPolicy::AllowList { deployers: vec![a(0x44), a(0x46)] },
        consensus_timeout_ms: 1_500,
    }
}

pub fn permissions() -> Permissions {
    Permissions {
        send: Access::Roles { roles: vec![Role::User, Role::OrgAdmin] },
        deploy: Access::Roles { roles: vec![Role::Deployer] },
        modules: vec![
            ModuleAccess { module: "evidence".into(), access: Access::Roles { roles: vec![Role::Operator] } },
            ModuleAccess { module: "voucher".into(), access: Access::Open },
        ],
    }
}

pub fn actions() -> Vec<Action> {
    let s = Suite::Standard;
    vec![
        Action::GrantRole { account: a(0x41), role: Role::Deployer },
        Action::RevokeRole { account: a(0x41), role: Role::Operator },
        Action::SetCommitteeMember { account: a(0x42), weight: 3, org: "org2".into() },
        Action::Freeze { account: a(0x43), reason: "court order 2024-17".into() },
        Action::Unfreeze { account: a(0x43) },
        Action::SetParams { params: params() },
        Action::SetPermissions { permissions: permissions() },
        Action::SetConfig { config: GovConfig { threshold_bps: 7_500, voting_period_ms: 3_600_000 } },
        Action::AddOrg { org: OrgInfo { name: "org3".into(), ca_cert_pem: PEM.into() } },
        Action::RemoveOrg { name: "org3".into() },
        Action::AddValidator { node: node_info(s, 0x61, "org2-node1", "org2") },
        Action::RemoveValidator { name: "org1-node0".into() },
        Action::AddObserver { node: node_info(s, 0x62, "org2-observer", "org2") },
        Action::RemoveObserver { name: "org1-observer".into() },
        Action::RevokeCert { fingerprint: h(0x63), reason: "key leaked".into() },
        Action::SetContractChecks { mode: ContractChecks::Refuse },
        Action::SetModuleSetting { module: "crosschain".into(), key: "notary/eth".into(), value: vec![1, 2, 3] },
    ]
}

pub fn payloads() -> Vec<Payload> {
    let mut v = vec![
        Payload::Transfer(TransferCall::Transfer { to: a(0x21), amount: 123_456_789_012_345_678_901_234_567 }),
        Payload::Evidence(EvidenceCall::Put {
            content_hash: h(0x31),
            meta: EvidenceMeta {
                title: Some("采购合同 2024-001".into()),
                kind: Some("contract".into()),
                owner: Some("Org One Ltd.".into()),
                external_ref: Some("ARCH-7781".into()),
            },
        }),
        Payload::Copyright(CopyrightCall::Register {
            content_hash: h(0x32),
            title: "春江花月夜".into(),
            work_type: "music".into(),
            author: "张若虚".into(),
        }),
        Payload::Copyright(CopyrightCall::Transfer { work_id: 3, to: a(0x22) }),
        Payload::Copyright(CopyrightCall::License {
            work_id: 3,
            licensee: a(0x23),
            exclusive: true,
            start_ms: 1_700_000_000_000,
            end_ms: 1_800_000_000_000,
            territory: "CN".into(),
        }),
        Payload::Voucher(VoucherCall::Issue {
            holder: a(0x24),
            amount: 5_000_000,
            maturity_ms: 1_750_000_000_000,
            reference: h(0x33),
        }),
        Payload::Voucher(VoucherCall::Split {
            part_id: 4,
            outputs: vec![
                SplitOutput { to: a(0x25), amount: 3_000_000 },
                SplitOutput { to: a(0x24), amount: 2_000_000 },
            ],
        }),
        Payload::Voucher(VoucherCall::Pledge { part_id: 5, bank: a(0x26) }),
        Payload::Voucher(VoucherCall::Release { part_id: 5 }),
        Payload::Voucher(VoucherCall::Settle { voucher_id: 2 }),
        Payload::Ecert(EcertCall::Issue {
            cert_type: "diploma".into(),
            holder: a(0x27),
            fields: vec![
                FieldCommitment { name: "name".into(), hash: h(0x34) },
                FieldCommitment { name: "degree".into(), hash: h(0x35) },
            ],
            encrypted_ref: vec![0xab, 0xcd, 0xef, 0x01],
            not_before_ms: 1_600_000_000_000,
            not_after_ms: 1_900_000_000_000,
        }),
        Payload::Ecert(EcertCall::Revoke { cert_id: 6, reason: "issued in error".into() }),
        Payload::Ecert(EcertCall::DatasetRegister {
            content_hash: h(0x36),
            encrypted_ref: vec![1, 2, 3, 4, 5],
            description: "2023 crop yields".into(),
        }),
        Payload::Ecert(EcertCall::DataGrant {
            subject: Subject::Dataset(7),
            grantee: a(0x28),
            org: "Bank of Example".into(),
            purpose: "credit assessment".into(),
            expires_ms: 1_760_000_000_000,
        }),
        Payload::Ecert(EcertCall::DataGrantRevoke { grant_id: 8 }),
        Payload::Ecert(EcertCall::DataAccess { grant_id: 8, purpose: "loan review".into(), request_hash: h(0x37) }),
        Payload::Trace(TraceCall::Batch {
            product: "Rice".into(),
            producer_label: "Green Farm".into(),
            attributes: h(0x38),
            metadata: "{\"grade\":\"A\"}".into(),
            codes: strings(&["R-0001", "R-0002"]),
        }),
        Payload::Trace(TraceCall::AddItems { batch_id: 9, codes: strings(&["R-0003"]) }),
        Payload::Trace(TraceCall::Event {
            codes: strings(&["R-0001", "R-0002"]),
            stage: "harvested".into(),
            location: "Shouguang".into(),
            event_time_ms: 1_700_000_100_000,
            attachments: vec![h(0x39)],
            note: "dry weather".into(),
        }),
        Payload::Trace(TraceCall::Authorize { target: TraceTarget::Batch { batch_id: 9 }, account: a(0x29) }),
        Payload::Trace(TraceCall::Revoke { target: TraceTarget::Item { code: "R-0001".into() }, account: a(0x29) }),
        Payload::Trace(TraceCall::Handover { codes: strings(&["R-0001"]), to: a(0x2a) }),
        Payload::Trace(TraceCall::Accept { codes: strings(&["R-0001"]) }),
        Payload::Trace(TraceCall::Reject { codes: strings(&["R-0002"]) }),
        Payload::Trace(TraceCall::Cancel { codes: strings(&["R-0003"]) }),
        Payload::Trace(TraceCall::Recall { batch_id: 9, reason: "contamination found".into() }),
        Payload::Governance(GovernanceCall::Vote { proposal: 10, approve: true }),
    ];
    v.extend(actions().into_iter().map(|action| {
        let description = format!("golden sample: {}", action_name(&action));
        Payload::Governance(GovernanceCall::Propose { action, description })
    }));
    v
}

pub fn events() -> Vec<Event> {
    vec![
        Event::Transfer(TransferEvent::Transfer { from: a(0x51), to: a(0x52), amount: 98_765_432_109_876_543_210 }),
        Event::Evidence(EvidenceEvent::Stored {
            id: 11,
            content_hash: h(0x31),
            submitter: a(0x51),
            meta: EvidenceMeta {
                title: Some("采购合同".into()),
                kind: Some("contract".into()),
                owner: Some("Org One Ltd.".into()),
                external_ref: Some("ARCH-7781".into()),
            },
        }),
        Event::Copyright(CopyrightEvent::Registered { id: 12, content_hash: h(0x32), owner: a(0x51) }),
        Event::Copyright(CopyrightEvent::Transferred { id: 12, from: a(0x51), to: a(0x52) }),
        Event::Copyright(CopyrightEvent::Licensed { id: 12, index: 2, licensee: a(0x53), exclusive: true }),
        Event::Voucher(VoucherEvent::Issued { id: 13, issuer: a(0x51), holder: a(0x52), amount: 5_000_000, part: 14 }),
        Event::Voucher(VoucherEvent::Split { voucher: 13, part: 14, children: vec![15, 16] }),
        Event::Voucher(VoucherEvent::Pledged { part: 15, bank: a(0x54) }),
        Event::Voucher(VoucherEvent::Released { part: 15 }),
        Event::Voucher(VoucherEvent::Settled { id: 13, paid: 5_000_000, parts: 2 }),
        Event::Ecert(EcertEvent::Issued { id: 17, issuer: a(0x55), holder: a(0x52) }),
        Event::Ecert(EcertEvent::Revoked { id: 17 }),
        Event::Ecert(EcertEvent::DatasetRegistered { id: 18, holder: a(0x52), content_hash: h(0x36) }),
        Event::Ecert(EcertEvent::DataGranted {
            grant: 19,
            subject: Subject::Certificate(17),
            grantee: a(0x56),
            expires_ms: 1_760_000_000_000,
        }),
        Event::Ecert(EcertEvent::DataGrantRevoked { grant: 19 }),
        Event::Ecert(EcertEvent::DataAccessed { grant: 20, subject: Subject::Dataset(18), grantee: a(0x56), seq: 3 }),
        Event::Trace(TraceModuleEvent::BatchRegistered { batch: 21, producer: a(0x57) }),
        Event::Trace(TraceModuleEvent::ItemsRegistered { batch: 21, first_item: 22, count: 3 }),
        Event::Trace(TraceModuleEvent::EventAppended { item: 22, index: 4, author: a(0x57) }),
        Event::Trace(TraceModuleEvent::Authorized { batch: 21, item: Some(22), account: a(0x58) }),
        Event::Trace(TraceModuleEvent::Revoked { batch: 21, item: None, account: a(0x58) }),
        Event::Trace(TraceModuleEvent::HandoverOffered { item: 22, from: a(0x57), to: a(0x59) }),
        Event::Trace(TraceModuleEvent::HandoverClosed {
            item: 22,
            from: a(0x57),
            to: a(0x59),
            outcome: "accepted".into(),
        }),
        Event::Trace(TraceModuleEvent::BatchRecalled { batch: 21 }),
        Event::Governance(GovernanceEvent::Proposed {
            id: 23,
            proposer: a(0x5a),
            action: "grant_role".into(),
            deadline_ms: 1_700_086_400_000,
        }),
        Event::Governance(GovernanceEvent::Voted { proposal: 23, voter: a(0x5b), approve: true, weight: 2 }),
        Event::Governance(GovernanceEvent::Approved { proposal: 23 }),
        Event::Governance(GovernanceEvent::Rejected { proposal: 24 }),
    ]
}

/// Samples of the calls of the modules with their own wire tag (`Wire::Indexed`; their golden
/// vectors live in their own crates): every call of each, for the property tests.
pub fn indexed_payloads() -> Vec<Payload> {
    use hechain_modules::crosschain::CrosschainCall;
    use hechain_modules::htlc::HtlcCall;
    use hechain_modules::invoice::InvoiceCall;
    use hechain_modules::tradedoc::{DocType, TradedocCall};
    vec![
        Payload::Invoice(InvoiceCall::AuthorizeIssuer {
            issuer: a(0x71),
            name: "深圳税务".into(),
            tax_id_hash: h(0x72),
        }),
        Payload::Invoice(InvoiceCall::RevokeIssuer { issuer: a(0x71) }),
        Payload::Invoice(InvoiceCall::Issue {
            code: "044031900111".into(),
            number: "00000001".into(),
            buyer: a(0x73),
            buyer_tax_id_hash: h(0x74),
            amount: 1_000_000,
            tax: 130_000,
            issued_on_ms: 1_700_000_000_000,
            items_hash: h(0x75),
        }),
        Payload::Invoice(InvoiceCall::Cancel { invoice_id: 3, reason: "wrong buyer".into() }),
        Payload::Invoice(InvoiceCall::Reimburse { invoice_id: 3, org: "org2".into(), claim_ref: "EXP-2024-1".into() }),
        Payload::Tradedoc(TradedocCall::Register {
            doc_type: DocType::BillOfLading,
            issuer: "COSCO".into(),
            number: "BL-778".into(),
            content_hash: h(0x76),
            amount: 5_000_000,
        }),
        Payload::Tradedoc(TradedocCall::Release { doc_id: 4 }),
        Payload::Crosschain(CrosschainCall::Transfer {
            channel: 1,
            denom: "xc/2/native".into(),
            amount: 5,
            receiver: a(0x77),
            timeout_height: 100,
            timeout_ms: 0,
        }),
        Payload::Crosschain(CrosschainCall::ChannelClose { channel: 1 }),
        Payload::Htlc(HtlcCall::Lock {
            receiver: a(0x78),
            hash_lock: h(0x79),
            deadline_ms: 1_700_000_000_000,
            amount: 9,
        }),
        Payload::Htlc(HtlcCall::Claim { id: 1, preimage: h(0x7a) }),
        Payload::Htlc(HtlcCall::Refund { id: 2 }),
    ]
}
