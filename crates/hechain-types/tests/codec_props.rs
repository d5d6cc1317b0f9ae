//! Property tests of the canonical encoding: round trips, and a decoder that
//! never panics whatever bytes it is given.

use hechain_types::*;
use hechain_types::{EvidenceCall, EvidenceEvent, TransferCall, TransferEvent};
use proptest::prelude::*;

fn addr() -> impl Strategy<Value = Address> {
    any::<[u8; 20]>().prop_map(Address)
}
fn h256() -> impl Strategy<Value = H256> {
    any::<[u8; 32]>().prop_map(H256)
}
fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(".{0,40}")
}
fn meta() -> impl Strategy<Value = EvidenceMeta> {
    (opt_text(), opt_text(), opt_text(), opt_text()).prop_map(|(title, kind, owner, external_ref)| EvidenceMeta {
        title,
        kind,
        owner,
        external_ref,
    })
}
fn payload() -> impl Strategy<Value = Payload> {
    prop_oneof![
        (addr(), any::<u128>()).prop_map(|(to, amount)| Payload::Transfer(TransferCall::Transfer { to, amount })),
        (h256(), meta()).prop_map(|(content_hash, meta)| Payload::Evidence(EvidenceCall::Put { content_hash, meta })),
    ]
}
fn signature() -> impl Strategy<Value = TxSignature> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 65).prop_map(|v| TxSignature::Secp256k1(v.try_into().unwrap())),
        (proptest::collection::vec(any::<u8>(), 33), proptest::collection::vec(any::<u8>(), 64))
            .prop_map(|(p, s)| TxSignature::Sm2 { public_key: p.try_into().unwrap(), sig: s.try_into().unwrap() }),
    ]
}
fn signed_tx() -> impl Strategy<Value = SignedTransaction> {
    (any::<u64>(), any::<u64>(), addr(), any::<u64>(), payload(), signature()).prop_map(
        |(chain_id, nonce, sender, fee, payload, signature)| SignedTransaction {
            tx: Transaction { chain_id, nonce, sender, fee, payload },
            signature,
        },
    )
}
fn header() -> impl Strategy<Value = BlockHeader> {
    (any::<u64>(), any::<u64>(), h256(), any::<u64>(), any::<u32>(), h256(), h256(), h256(), any::<u32>()).prop_map(
        |(chain_id, height, parent_hash, timestamp_ms, proposer, tx_root, receipts_root, state_root, tx_count)| {
            BlockHeader {
                version: 1,
                chain_id,
                height,
                parent_hash,
                timestamp_ms,
                proposer,
                tx_root,
                receipts_root,
                state_root,
                tx_count,
                round: height,
                consensus_id: tx_root,
            }
        },
    )
}
fn receipt() -> impl Strategy<Value = Receipt> {
    let status = prop_oneof![Just(TxStatus::Success), ".{0,30}".prop_map(|reason| TxStatus::Failed { reason })];
    let event = prop_oneof![
        (addr(), addr(), any::<u128>()).prop_map(|(from, to, amount)| Event::Transfer(TransferEvent::Transfer {
            from,
            to,
            amount
        })),
        (any::<u64>(), h256(), addr(), meta()).prop_map(|(id, content_hash, submitter, meta)| {
            Event::Evidence(EvidenceEvent::Stored { id, content_hash, submitter, meta })
        }),
    ];
    let log = (addr(), proptest::collection::vec(h256(), 0..4), proptest::collection::vec(any::<u8>(), 0..64))
        .prop_map(|(address, topics, data)| Log { address, topics, data });
    let evm = proptest::option::of(
        (
            any::<u64>(),
            any::<u128>(),
            proptest::option::of(addr()),
            proptest::collection::vec(log, 0..3),
            proptest::collection::vec(any::<u8>(), 0..40),
        )
            .prop_map(|(gas_used, effective_gas_price, contract_address, logs, output)| EvmOutcome {
                gas_used,
                effective_gas_price,
                contract_address,
                logs,
                output,
            }),
    );
    (h256(), status, any::<u64>(), proptest::collection::vec(event, 0..3), evm)
        .prop_map(|(tx_hash, status, fee_charged, events, evm)| Receipt { tx_hash, status, fee_charged, events, evm })
}

proptest! {
    #[test]
    fn signed_tx_round_trip(tx in signed_tx()) {
        let bytes = tx.encode();
        prop_assert_eq!(bytes[0], ENCODING_VERSION);
        prop_assert_eq!(SignedTransaction::decode(&bytes).unwrap(), tx.clone());
        // JSON form round-trips too.
        let json = serde_json::to_string(&tx).unwrap();
        prop_assert_eq!(serde_json::from_str::<SignedTransaction>(&json).unwrap(), tx);
    }

    #[test]
    fn block_round_trip(h in header(), txs in proptest::collection::vec(signed_tx(), 0..4), sig in proptest::collection::vec(any::<u8>(), 64)) {
        let block = Block { header: h, seal: Seal { signatures: vec![ValidatorSignature { validator: 0, signature: sig }] }, transactions: txs.into_iter().map(ChainTx::from).collect() };
        prop_assert_eq!(Block::decode(&block.encode()).unwrap(), block);
    }

    #[test]
    fn receipt_round_trip(r in receipt()) {
        prop_assert_eq!(Receipt::decode(&r.encode()).unwrap(), r.clone());
        let json = serde_json::to_string(&r).unwrap();
        prop_assert_eq!(serde_json::from_str::<Receipt>(&json).unwrap(), r);
    }

    #[test]
    fn decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = SignedTransaction::decode(&bytes);
        let _ = Block::decode(&bytes);
        let _ = Receipt::decode(&bytes);
        let _ = BlockHeader::decode(&bytes);
        let _ = Genesis::decode(&bytes);
        let _ = Account::decode(&bytes);
        let _ = EvidenceRecord::decode(&bytes);
    }

    #[test]
    fn mutated_encodings_never_panic(tx in signed_tx(), pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = tx.encode();
        let i = pos.index(bytes.len());
        bytes[i] = byte;
        let _ = SignedTransaction::decode(&bytes);
        bytes.truncate(i);
        prop_assert!(SignedTransaction::decode(&bytes).is_err());
    }
}

#[test]
fn trailing_bytes_and_versions_are_rejected() {
    let acc = Account { nonce: 1, balance: 2 };
    let mut b = acc.encode();
    b.push(0);
    assert!(Account::decode(&b).is_err());
    let mut b = acc.encode();
    b[0] = 9;
    let err = Account::decode(&b).unwrap_err().to_string();
    assert!(err.contains("unsupported encoding version 9"), "{err}");
    assert!(Account::decode(&[]).is_err());
}
