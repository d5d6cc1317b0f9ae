//! Ethereum raw transactions (`eth_sendRawTransaction`): RLP and EIP-2718 typed envelopes, with
//! sender recovery.
#![no_main]

use hechain_types::EthTransaction;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(tx) = EthTransaction::decode(data) {
        assert_eq!(tx.raw(), data, "the raw bytes are kept as received");
        let _ = tx.hash();
        let _ = tx.max_cost();
    }
});
