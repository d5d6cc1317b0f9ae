//! Frames from peers (consensus messages, blocks, transactions, sync): a member node may send
//! anything. What decodes must re-encode to the same frame.
#![no_main]

use hechain_node::bft::wire::{BlockPayload, NetMsg};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = NetMsg::decode(data) {
        assert_eq!(m.encode(), data, "a decoded frame re-encodes differently");
        let _ = m.kind();
    }
    if let Ok(p) = BlockPayload::decode(data) {
        assert_eq!(p.encode(), data);
    }
});
