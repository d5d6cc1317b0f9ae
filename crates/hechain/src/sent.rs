//! Sending a native module's call and reporting it: shared by the commands of the services
//! whose commands are still the binary's own (`ecert`, `trace`, `gov`).

use hechain_sdk::{Client, Status};
use hechain_types::{Event, Payload, H256};
use serde_json::json;

use crate::cmd_chain::send_payload;
use crate::output::emit;
use crate::Cli;

/// Sends a module operation; returns the tx hash, height and receipt events.
pub(crate) async fn send(
    cli: &Cli,
    c: &Client,
    status: Option<&Status>,
    payload: Payload,
) -> anyhow::Result<(H256, u64, Vec<Event>)> {
    let (tx_hash, r) = match status {
        Some(s) => send_payload(cli, c, s, payload).await?,
        None => send_payload(cli, c, &c.status().await?, payload).await?,
    };
    Ok((tx_hash, r.height, r.receipt.events))
}

/// Prints the outcome of a sent module operation.
pub(crate) fn done(cli: &Cli, what: String, tx_hash: H256, height: u64, events: &[Event]) -> i32 {
    emit(cli.json, &json!({"tx_hash": tx_hash, "height": height, "events": events}), || {
        format!("{what}\n  tx      {tx_hash}\n  height  {height}")
    });
    0
}
