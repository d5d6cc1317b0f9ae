//! Reporting a native module's committed call: shared by the commands of the services whose
//! commands are still the binary's own (`ecert`, `gov`).

use hechain_types::{Event, H256};
use serde_json::json;

use crate::output::emit;
use crate::Cli;

/// Prints the outcome of a sent module operation.
pub(crate) fn done(cli: &Cli, what: String, tx_hash: H256, height: u64, events: &[Event]) -> i32 {
    emit(cli.json, &json!({"tx_hash": tx_hash, "height": height, "events": events}), || {
        format!("{what}\n  tx      {tx_hash}\n  height  {height}")
    });
    0
}
