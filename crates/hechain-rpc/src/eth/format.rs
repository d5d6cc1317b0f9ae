//! Ethereum JSON shapes of hechain blocks, transactions, receipts and logs.
//!
//! Native hechain transactions appear as type-0 look-alikes (`from` = sender, `to` = recipient
//! or the evidence precompile, `value` = amount, `gasPrice` 0) so that explorers and wallets can
//! list every transaction of a block; their `v`/`r`/`s` are the native signature's and do not
//! verify as an Ethereum signature.

use alloy_primitives::{Bloom, BloomInput};
use hechain_types::{Block, BlockHeader, ChainParams, ChainTx, Log, Payload, Receipt, TxSignature, TxStatus, H256};
use serde_json::{json, Value};

/// `0x`-hex quantity (no leading zeros).
pub fn qty(v: impl Into<u128>) -> String {
    format!("{:#x}", v.into())
}

/// `0x`-hex data.
pub fn data(b: &[u8]) -> String {
    format!("0x{}", hex::encode(b))
}

// Fixed values of the block object. Each is checked against its definition by a unit test below
// (a hand-typed hash once had a stray digit and web3.py refused every block).

/// keccak256(rlp([])): the uncles hash of a block without uncles.
const EMPTY_OMMERS: &str = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";
/// keccak256(rlp("")): the root of an empty trie (withdrawals).
const EMPTY_TRIE: &str = "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421";
/// sha256(""): the EIP-7685 requests hash of a Prague block without execution-layer requests.
const EMPTY_REQUESTS_HASH: &str = "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// The block nonce (8 bytes, zero after the merge).
const ZERO_NONCE: &str = "0x0000000000000000";

/// Logs bloom of one receipt.
pub fn receipt_bloom(r: &Receipt) -> Bloom {
    let mut bloom = Bloom::ZERO;
    for l in r.evm.iter().flat_map(|e| &e.logs) {
        accrue_log(&mut bloom, l);
    }
    bloom
}

fn accrue_log(bloom: &mut Bloom, l: &Log) {
    bloom.accrue(BloomInput::Raw(&l.address.0));
    for t in &l.topics {
        bloom.accrue(BloomInput::Raw(&t.0));
    }
}

/// Gas a receipt counts for in `gasUsed` / `cumulativeGasUsed` (native transactions: 0).
pub fn gas_used(r: &Receipt) -> u64 {
    r.evm.as_ref().map_or(0, |e| e.gas_used)
}

/// Where a transaction sits, for transaction and receipt objects (`None` while pending).
#[derive(Clone, Copy)]
pub struct TxPlace {
    /// Block hash.
    pub block_hash: H256,
    /// Block height.
    pub height: u64,
    /// Index in the block.
    pub index: u32,
    /// Block timestamp in seconds (`blockTimestamp`).
    pub timestamp: u64,
}

impl TxPlace {
    /// The place of transaction `index` of the block with `header` and `block_hash`.
    pub fn new(header: &BlockHeader, block_hash: H256, index: u32) -> Self {
        Self { block_hash, height: header.height, index, timestamp: header.timestamp_ms / 1000 }
    }
}

/// A transaction object (`eth_getTransactionByHash`, full blocks).
pub fn transaction(tx: &ChainTx, hash: &H256, place: Option<TxPlace>, params: &ChainParams) -> Value {
    let (block_hash, block_number, index, timestamp) = match place {
        Some(p) => (json!(p.block_hash), json!(qty(p.height)), json!(qty(p.index)), json!(qty(p.timestamp))),
        None => (Value::Null, Value::Null, Value::Null, Value::Null),
    };
    match tx {
        ChainTx::Ethereum(t) => {
            let (r, s, parity) = t.signature_rsv();
            let ty = t.tx_type();
            let price = if place.is_some() || ty == 0 || ty == 1 {
                t.effective_gas_price(params.base_fee_per_gas)
            } else {
                t.max_fee_per_gas()
            };
            let v: u64 = match (ty, t.chain_id()) {
                (0, Some(id)) => id * 2 + 35 + parity as u64,
                (0, None) => 27 + parity as u64,
                _ => parity as u64,
            };
            let mut o = json!({
                "hash": hash,
                "type": qty(ty),
                "nonce": qty(t.nonce()),
                "blockHash": block_hash,
                "blockNumber": block_number,
                "blockTimestamp": timestamp,
                "transactionIndex": index,
                "from": t.sender(),
                "to": t.to(),
                "value": qty(t.value()),
                "gas": qty(t.gas_limit()),
                "gasPrice": qty(price),
                "input": data(t.input()),
                "v": qty(v),
                "r": qty_be(&r),
                "s": qty_be(&s),
            });
            // A pre-EIP-155 legacy transaction has no chain id: the field is left out, not null.
            if let Some(id) = t.chain_id() {
                o["chainId"] = json!(qty(id));
            }
            if ty >= 1 {
                o["yParity"] = json!(qty(parity as u64));
                o["accessList"] = access_list(t);
            }
            if ty == 2 {
                o["maxFeePerGas"] = json!(qty(t.max_fee_per_gas()));
                o["maxPriorityFeePerGas"] = json!(qty(t.max_priority_fee_per_gas().unwrap_or(0)));
            }
            o
        }
        ChainTx::Native(n) => {
            let (to, value) = native_target(n);
            let (r, s, v) = match &n.signature {
                TxSignature::Secp256k1(sig) => (&sig[..32], &sig[32..64], 27 + sig[64] as u64),
                TxSignature::Sm2 { sig, .. } => (&sig[..32], &sig[32..64], 27),
            };
            json!({
                "hash": hash,
                "type": "0x0",
                "nonce": qty(n.tx.nonce),
                "blockHash": block_hash,
                "blockNumber": block_number,
                "blockTimestamp": timestamp,
                "transactionIndex": index,
                "from": n.tx.sender,
                "to": to,
                "value": qty(value),
                "gas": qty(hechain_types::NATIVE_TX_GAS),
                "gasPrice": "0x0",
                "input": "0x",
                "chainId": qty(n.tx.chain_id),
                "v": qty(v),
                "r": qty_be(r),
                "s": qty_be(s),
                "hechainNative": true,
            })
        }
    }
}

/// A big-endian byte string as a quantity (`r`, `s`).
fn qty_be(bytes: &[u8]) -> String {
    format!("{:#x}", alloy_primitives::U256::from_be_slice(bytes))
}

/// What a native transaction looks like to Ethereum: its recipient (the module's address for a
/// module operation) and value.
fn native_target(n: &hechain_types::SignedTransaction) -> (hechain_types::Address, u128) {
    match &n.tx.payload {
        Payload::Transfer(hechain_types::TransferCall::Transfer { to, amount }) => (*to, *amount),
        p => (hechain_execution::precompile::module_address(p.module()).unwrap_or_default(), 0),
    }
}

fn access_list(t: &hechain_types::EthTransaction) -> Value {
    let items = match t.envelope() {
        hechain_types::eth::EthEnvelope::Eip2930(s) => Some(&s.tx().access_list),
        hechain_types::eth::EthEnvelope::Eip1559(s) => Some(&s.tx().access_list),
        _ => None,
    };
    let list: Vec<Value> = items
        .map(|l| {
            l.0.iter()
                .map(|i| {
                    json!({
                        "address": format!("{:#x}", i.address),
                        "storageKeys": i.storage_keys.iter().map(|k| format!("{k:#x}")).collect::<Vec<_>>(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Value::Array(list)
}

/// Log objects of one receipt; `first_index` is the block-wide index of its first log.
pub fn logs(r: &Receipt, place: TxPlace, first_index: usize) -> Vec<Value> {
    r.evm.iter().flat_map(|e| &e.logs).enumerate().map(|(i, l)| log(l, &r.tx_hash, place, first_index + i)).collect()
}

/// One log object.
pub fn log(l: &Log, tx_hash: &H256, place: TxPlace, log_index: usize) -> Value {
    json!({
        "address": l.address,
        "topics": l.topics,
        "data": data(&l.data),
        "blockNumber": qty(place.height),
        "blockHash": place.block_hash,
        "blockTimestamp": qty(place.timestamp),
        "transactionHash": tx_hash,
        "transactionIndex": qty(place.index),
        "logIndex": qty(log_index as u64),
        "removed": false,
    })
}

/// A receipt object. `receipts` are all receipts of the block (for cumulative gas and log indexes).
pub fn receipt(tx: &ChainTx, receipts: &[Receipt], place: TxPlace, params: &ChainParams) -> Value {
    let i = place.index as usize;
    let r = &receipts[i];
    let cumulative: u64 = receipts[..=i].iter().map(gas_used).sum();
    let first_log: usize = receipts[..i].iter().map(|r| r.evm.as_ref().map_or(0, |e| e.logs.len())).sum();
    let (to, ty, price) = match tx {
        ChainTx::Ethereum(t) => (t.to(), t.tx_type(), t.effective_gas_price(params.base_fee_per_gas)),
        ChainTx::Native(n) => (Some(native_target(n).0), 0, 0),
    };
    let mut o = json!({
        "transactionHash": r.tx_hash,
        "transactionIndex": qty(place.index),
        "blockHash": place.block_hash,
        "blockNumber": qty(place.height),
        "from": tx.sender(),
        "to": to,
        "cumulativeGasUsed": qty(cumulative),
        "gasUsed": qty(gas_used(r)),
        "effectiveGasPrice": qty(price),
        "contractAddress": r.evm.as_ref().and_then(|e| e.contract_address),
        "logs": logs(r, place, first_log),
        "logsBloom": format!("{:#x}", receipt_bloom(r)),
        "type": qty(ty),
        "status": if r.status == TxStatus::Success { "0x1" } else { "0x0" },
    });
    if let TxStatus::Failed { reason } = &r.status {
        // Not an Ethereum field; tools ignore it, people debugging read it.
        o["hechainFailure"] = json!(reason);
        if let Some(e) = r.evm.as_ref().filter(|e| !e.output.is_empty()) {
            o["revertData"] = json!(data(&e.output));
        }
    }
    o
}

/// A block object. `txs` are transaction hashes or full transaction objects.
pub fn block(
    header: &BlockHeader,
    hash: &H256,
    receipts: &[Receipt],
    txs: Vec<Value>,
    size: usize,
    params: &ChainParams,
) -> Value {
    let mut bloom = Bloom::ZERO;
    for r in receipts {
        bloom.accrue_bloom(&receipt_bloom(r));
    }
    let gas: u64 = receipts.iter().map(gas_used).sum();
    json!({
        "number": qty(header.height),
        "hash": hash,
        "parentHash": header.parent_hash,
        "nonce": ZERO_NONCE,
        "sha3Uncles": EMPTY_OMMERS,
        "logsBloom": format!("{bloom:#x}"),
        "transactionsRoot": header.tx_root,
        "stateRoot": header.state_root,
        "receiptsRoot": header.receipts_root,
        "miner": params.fee_recipient,
        "difficulty": "0x0",
        "totalDifficulty": "0x0",
        "extraData": "0x",
        "size": qty(size as u64),
        "gasLimit": qty(params.block_gas_limit),
        "gasUsed": qty(gas),
        "timestamp": qty(header.timestamp_ms / 1000),
        "transactions": txs,
        "uncles": [],
        "baseFeePerGas": qty(params.base_fee_per_gas),
        "mixHash": if header.height == 0 { H256::ZERO } else { header.parent_hash },
        "withdrawals": [],
        "withdrawalsRoot": EMPTY_TRIE,
        "blobGasUsed": "0x0",
        "excessBlobGas": "0x0",
        "parentBeaconBlockRoot": H256::ZERO,
        "requestsHash": EMPTY_REQUESTS_HASH,
    })
}

/// The newHeads notification shape: a block without transactions.
pub fn head(block_value: &Value) -> Value {
    let mut v = block_value.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("transactions");
        o.remove("uncles");
    }
    v
}

/// Full block object from a stored block.
pub fn full_block(
    b: &Block,
    hash: &H256,
    tx_hashes: &[H256],
    receipts: &[Receipt],
    full: bool,
    params: &ChainParams,
) -> Value {
    let txs: Vec<Value> = if full {
        b.transactions
            .iter()
            .zip(tx_hashes)
            .enumerate()
            .map(|(i, (t, h))| transaction(t, h, Some(TxPlace::new(&b.header, *hash, i as u32)), params))
            .collect()
    } else {
        tx_hashes.iter().map(|h| json!(h)).collect()
    };
    let size = hechain_types::Codec::encode(b).len();
    block(&b.header, hash, receipts, txs, size, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_have_no_leading_zeros() {
        assert_eq!(qty_be(&[0u8; 32]), "0x0");
        let mut b = [0u8; 32];
        b[31] = 0x0a;
        assert_eq!(qty_be(&b), "0xa");
        b[1] = 0x10;
        assert_eq!(qty_be(&b), format!("0x10{}0a", "0".repeat(58)));
        assert_eq!(qty(0u64), "0x0");
        assert_eq!(qty(255u64), "0xff");
    }

    #[test]
    fn fixed_block_values_match_their_definitions() {
        // rlp([]) = 0xc0, rlp("") = 0x80.
        assert_eq!(EMPTY_OMMERS, data(&hechain_crypto::keccak256(&[0xc0])));
        assert_eq!(EMPTY_TRIE, data(&hechain_crypto::keccak256(&[0x80])));
        assert_eq!(EMPTY_REQUESTS_HASH, data(&hechain_crypto::sha256(&[])));
        assert_eq!(ZERO_NONCE, data(&[0u8; 8]));
        // The same values as alloy's constants (what reth serves).
        use alloy_consensus::constants::{EMPTY_OMMER_ROOT_HASH, EMPTY_WITHDRAWALS};
        assert_eq!(EMPTY_OMMERS, format!("{EMPTY_OMMER_ROOT_HASH:#x}"));
        assert_eq!(EMPTY_TRIE, format!("{EMPTY_WITHDRAWALS:#x}"));
        assert_eq!(EMPTY_REQUESTS_HASH, format!("{:#x}", alloy_eips::eip7685::EMPTY_REQUESTS_HASH));
    }
}
