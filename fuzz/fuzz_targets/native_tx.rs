//! Native transactions as a node receives them (REST, gossip, blocks): every payload kind of
//! every module. Whatever decodes must re-encode to the same bytes (the canonical encoding is
//! what is hashed and signed), and checking its signature must not panic.
#![no_main]

use hechain_types::{ChainTx, Codec, SignedTransaction};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(tx) = SignedTransaction::decode(data) {
        assert_eq!(tx.encode(), data, "a decoded transaction re-encodes differently");
        let _ = tx.tx.payload.validate();
        let _ = ChainTx::from(tx).verify(hechain_crypto::Suite::Standard);
    }
    if let Ok(tx) = ChainTx::decode(data) {
        assert_eq!(ChainTx::decode(&tx.encode()).ok().as_ref(), Some(&tx));
    }
});
