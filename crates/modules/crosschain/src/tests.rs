//! Unit checks of the module's enums and stateless rules (the rules over two real chains are in
//! `tests/two_chains.rs`).

use hechain_chain::{smt::Proof, BlockHeader, Genesis, Seal, SuiteTag};
use hechain_governance::{ChainParams, Membership};
use hechain_module::testing::check_enum;
use hechain_module::{ModuleCall, ValidateContext};
use hechain_primitives::{Address, H256};

use crate::*;

const CX: ValidateContext<'static> = ValidateContext { modules: &["crosschain"] };

fn header() -> BlockHeader {
    BlockHeader {
        version: 1,
        chain_id: 7,
        height: 3,
        parent_hash: H256([1; 32]),
        timestamp_ms: 9,
        proposer: 0,
        tx_root: H256([2; 32]),
        receipts_root: H256([3; 32]),
        state_root: H256([4; 32]),
        tx_count: 0,
        round: 3,
        consensus_id: H256([5; 32]),
    }
}

fn proof() -> Proof {
    Proof { siblings: vec![[6; 32]], leaf: Some(([7; 32], [8; 32])) }
}

fn packet() -> Packet {
    Packet {
        sequence: 1,
        source_port: "transfer".into(),
        source_channel: 1,
        destination_port: "transfer".into(),
        destination_channel: 2,
        data: vec![1, 2],
        timeout_height: 100,
        timeout_ms: 0,
    }
}

#[test]
fn enums_are_consistent() {
    let genesis = Genesis {
        chain_id: 7,
        suite: SuiteTag(hechain_crypto::Suite::Standard),
        timestamp_ms: 1,
        validators: vec![],
        accounts: vec![],
        params: ChainParams::default(),
        orgs: vec![],
        observers: vec![],
        governance: None,
    };
    let membership = Membership::initial(vec![], vec![], vec![]);
    let change =
        EpochChangeProof { header: header(), seal: Seal::default(), membership: membership.clone(), proof: proof() };
    check_enum::<CrosschainCall>(&[
        CrosschainCall::CreateClient { genesis },
        CrosschainCall::UpdateClient {
            client: 1,
            header: header(),
            seal: Seal::default(),
            epoch_changes: vec![change],
            next_membership: Some(membership),
            next_proof: Some(proof()),
        },
        CrosschainCall::ChannelOpenInit {
            port: "transfer".into(),
            client: 1,
            counterparty_port: "transfer".into(),
            ordering: Ordering::Unordered,
            version: "xc-transfer-1".into(),
        },
        CrosschainCall::ChannelOpenTry {
            port: "transfer".into(),
            client: 1,
            counterparty_port: "transfer".into(),
            counterparty_channel: 4,
            ordering: Ordering::Ordered,
            version: "xc-transfer-1".into(),
            proof_height: 3,
            proof: proof(),
        },
        CrosschainCall::ChannelOpenAck { channel: 1, counterparty_channel: 2, proof_height: 3, proof: proof() },
        CrosschainCall::ChannelOpenConfirm { channel: 1, proof_height: 3, proof: proof() },
        CrosschainCall::ChannelClose { channel: 1 },
        CrosschainCall::ChannelCloseConfirm { channel: 1, proof_height: 3, proof: proof() },
        CrosschainCall::Transfer {
            channel: 1,
            denom: "native".into(),
            amount: 5,
            receiver: Address([9; 20]),
            timeout_height: 0,
            timeout_ms: 60_000,
        },
        CrosschainCall::RecvPacket { packet: packet(), proof_height: 3, proof: proof() },
        CrosschainCall::AckPacket {
            packet: packet(),
            ack: Ack::Error { reason: "no".into() },
            proof_height: 3,
            proof: proof(),
        },
        CrosschainCall::TimeoutPacket {
            packet: packet(),
            proof_height: 3,
            proof: proof(),
            next_recv: Some(1),
            closed_proof: Some(proof()),
        },
        CrosschainCall::Recognise {
            client: 1,
            kind: RecordKind::Evidence,
            record_id: 2,
            record: vec![1],
            proof_height: 3,
            proof: proof(),
        },
        CrosschainCall::NotaryAttest {
            network: "eth".into(),
            event_id: "0xabc:1".into(),
            payload: vec![1],
            signatures: vec![hechain_crypto::AccountSignature::Secp256k1 { sig: [1; 65] }],
        },
        CrosschainCall::PortOpen {
            client: 1,
            counterparty_port: "transfer".into(),
            ordering: Ordering::Unordered,
            version: "v1".into(),
        },
        CrosschainCall::PortApprove {
            client: 1,
            counterparty_port: format!("0x{}", "ab".repeat(20)),
            version: "v1".into(),
        },
        CrosschainCall::PortSend { channel: 1, data: vec![1, 2], timeout_height: 0, timeout_ms: 9 },
        CrosschainCall::PortConsume { channel: 1, sequence: 2 },
    ]);
    check_enum::<CrosschainEvent>(&[
        CrosschainEvent::ClientCreated { client: 1, chain_id: 7, genesis_hash: H256([1; 32]) },
        CrosschainEvent::ClientUpdated { client: 1, height: 3, epoch: 0 },
        CrosschainEvent::ClientFrozen { client: 1, height: 3, held: H256([1; 32]), conflicting: H256([2; 32]) },
        CrosschainEvent::Channel { channel: 1, state: ChannelState::TryOpen, counterparty_channel: Some(2) },
        CrosschainEvent::PacketSent { channel: 1, sequence: 1 },
        CrosschainEvent::PacketReceived { channel: 1, sequence: 1, success: true },
        CrosschainEvent::PacketAcknowledged { channel: 1, sequence: 1, success: false },
        CrosschainEvent::PacketTimedOut { channel: 1, sequence: 1 },
        CrosschainEvent::Tokens {
            action: "minted".into(),
            denom: "xc/1/native".into(),
            amount: 5,
            account: Address([1; 20]),
        },
        CrosschainEvent::Recognised { id: 1, client: 1, kind: RecordKind::Ecert, record_id: 2 },
        CrosschainEvent::NotaryAttested { network: "eth".into(), event_id: "0xabc:1".into(), signers: 2 },
        CrosschainEvent::PortApproved {
            port: format!("0x{}", "ab".repeat(20)),
            client: 1,
            counterparty_port: "transfer".into(),
        },
        CrosschainEvent::PacketConsumed { channel: 1, sequence: 2, data: vec![3] },
    ]);
}

#[test]
fn transfers_need_a_denomination_an_amount_and_a_timeout() {
    let t = |denom: &str, amount, timeout_height| CrosschainCall::Transfer {
        channel: 1,
        denom: denom.into(),
        amount,
        receiver: Address([1; 20]),
        timeout_height,
        timeout_ms: 0,
    };
    t("native", 5, 10).validate(&CX).unwrap();
    t("xc/3/native", 5, 10).validate(&CX).unwrap();
    for (bad, why) in
        [(t("gold", 5, 10), "denomination"), (t("native", 0, 10), "positive"), (t("native", 5, 0), "timeout")]
    {
        let e = bad.validate(&CX).unwrap_err().to_string();
        assert!(e.contains(why), "{e}");
    }
    assert_eq!(t("native", 5, 10).spends(), 5);
    assert_eq!(t("xc/3/native", 5, 10).spends(), 0);
}

fn hex(b: &[u8]) -> String {
    hex::encode(b)
}

/// What one chain proves to the other is protocol: the encodings of a packet, a channel end and
/// an acknowledgement (and so their commitments) must never change under a running channel; nor
/// may the outcome of a packet that contracts read from state.
#[test]
fn golden_encodings_of_what_chains_prove_to_each_other() {
    use hechain_primitives::Codec;
    let end = ChannelEnd {
        state: ChannelState::Open,
        ordering: Ordering::Unordered,
        port: "transfer".into(),
        counterparty: Counterparty { genesis_hash: H256([0xab; 32]), port: "transfer".into(), channel: Some(2) },
        version: "xc-transfer-1".into(),
    };
    let data = TransferData { denom: "native".into(), amount: 5, sender: Address([1; 20]), receiver: Address([2; 20]) };
    let got = [
        hex(&packet().encode()),
        hex(&end.encode()),
        hex(&Ack::Success { data: vec![1] }.encode()),
        hex(&data.encode()),
        hex(&borsh::to_vec(&CrosschainCall::ChannelClose { channel: 7 }).unwrap()),
        hex(&PacketOutcome::Acknowledged { data: vec![1] }.encode()),
    ];
    let want = [
        "010100000000000000080000007472616e736665720100000000000000080000007472616e73666572020000000000000002000000010264000000000000000000000000000000",
        "010201080000007472616e73666572abababababababababababababababababababababababababababababababab080000007472616e736665720102000000000000000d00000078632d7472616e736665722d31",
        "01000100000001",
        "01060000006e61746976650500000000000000000000000000000001010101010101010101010101010101010101010202020202020202020202020202020202020202",
        "060700000000000000",
        "01000100000001",
    ];
    assert_eq!(got, want);
}
