//! Chain queries and transfers: `status`, `block`, `tx`, `account`, `transfer`.

use hechain_types::TransferCall;
use std::time::Duration;

use anyhow::{anyhow, Context};
use hechain_sdk::{Client, ReceiptInfo, Status};
use hechain_types::primitives::u128_string::parse_amount;
use hechain_types::{Address, Payload, TxStatus, H256};
use serde_json::json;

use crate::cmd_key::resolve_signer;
use crate::output::{emit, format_ms};
use crate::Cli;

/// How long CLI commands wait for a transaction to commit.
pub const COMMIT_TIMEOUT: Duration = Duration::from_secs(60);

pub fn client(cli: &Cli) -> anyhow::Result<Client> {
    Ok(Client::new(cli.rpc_url())?)
}

pub async fn status(cli: &Cli) -> anyhow::Result<i32> {
    let s = client(cli)?.status().await?;
    emit(cli.json, &s, || {
        format!(
            "chain id     {}\nsuite        {}\ngenesis      {}\nheight       {}\nhead         {}\nhead time    {}\nstate root   {}\npending txs  {}",
            s.chain_id,
            s.suite,
            s.genesis_hash,
            s.height,
            s.head_hash,
            format_ms(s.head_timestamp_ms),
            s.state_root,
            s.pending_txs
        ) + &consensus_line(s.consensus.as_ref())
    });
    Ok(0)
}

/// One summary line of a networked node's consensus state (empty under solo).
fn consensus_line(c: Option<&serde_json::Value>) -> String {
    let Some(c) = c.filter(|c| !c.is_null()) else { return String::new() };
    format!(
        "\nconsensus    {} (round {}, leader {}, {}/{} peers connected, {} safety violations)",
        c["role"].as_str().unwrap_or("?"),
        c["round"],
        c["leader"].as_str().unwrap_or("-"),
        c["connected_peers"],
        c["peers"].as_array().map(|p| p.len()).unwrap_or(0),
        c["safety_violations"]
    )
}

pub async fn block(cli: &Cli, id: Option<&str>, full: bool) -> anyhow::Result<i32> {
    let b = client(cli)?.block(id.unwrap_or("latest"), full).await?;
    emit(cli.json, &b, || {
        let h = &b["header"];
        format!(
            "block {} {}\n  parent      {}\n  time        {}\n  txs         {}\n  tx root     {}\n  state root  {}\n  receipts    {}\n  proposer    {}\n  signatures  {}",
            h["height"],
            b["hash"].as_str().unwrap_or_default(),
            h["parent_hash"].as_str().unwrap_or_default(),
            format_ms(h["timestamp_ms"].as_u64().unwrap_or_default()),
            h["tx_count"],
            h["tx_root"].as_str().unwrap_or_default(),
            h["state_root"].as_str().unwrap_or_default(),
            h["receipts_root"].as_str().unwrap_or_default(),
            h["proposer"],
            b["seal"]["signatures"].as_array().map(|a| a.len()).unwrap_or(0),
        )
    });
    Ok(0)
}

pub async fn tx(cli: &Cli, hash: &str) -> anyhow::Result<i32> {
    let hash: H256 = hash.parse().context("transaction hash")?;
    let c = client(cli)?;
    let t = c.transaction(&hash).await?;
    let r = c.receipt(&hash).await?;
    emit(cli.json, &json!({"transaction": t, "receipt": r}), || {
        let mut s = serde_json::to_string_pretty(&t).unwrap_or_default();
        if let Some(r) = &r {
            let status = match &r.receipt.status {
                TxStatus::Success => "success".to_string(),
                TxStatus::Failed { reason } => format!("failed: {reason}"),
            };
            s.push_str(&format!(
                "\nreceipt: {status} (block {}, index {}, fee {})",
                r.height, r.index, r.receipt.fee_charged
            ));
        }
        s
    });
    Ok(0)
}

/// The given address, or the signing key's address when none is given.
/// Signs `payload` with the `--key` account for the chain `status` describes, submits it, and
/// waits for its receipt (a failed receipt is an error with the chain's reason).
pub async fn send_payload(
    cli: &Cli,
    c: &Client,
    status: &Status,
    payload: Payload,
) -> anyhow::Result<(H256, ReceiptInfo)> {
    let key = resolve_signer(cli, status.suite, status.chain_id)?;
    Ok(c.send_and_wait(&key, payload, COMMIT_TIMEOUT).await?)
}

/// Parses an address argument; `what` names it in the error.
pub fn parse_address(s: &str, what: &str) -> anyhow::Result<Address> {
    s.parse().map_err(|e| anyhow!("{what}: {e}"))
}

pub async fn address_or_signer(cli: &Cli, c: &Client, address: Option<&str>, what: &str) -> anyhow::Result<Address> {
    match address {
        Some(a) => a.parse().with_context(|| what.to_string()),
        None => {
            let s = c.status().await?;
            Ok(Address(resolve_signer(cli, s.suite, s.chain_id)?.address()))
        }
    }
}

pub async fn account(cli: &Cli, address: Option<&str>) -> anyhow::Result<i32> {
    let c = client(cli)?;
    let addr = address_or_signer(cli, &c, address, "address").await?;
    let a = c.account(&addr).await?;
    emit(cli.json, &a, || {
        format!(
            "address {}\nbalance {}\nnonce   {} (next pending {})",
            a.address.to_checksum(),
            a.balance,
            a.nonce,
            a.pending_nonce
        )
    });
    Ok(0)
}

pub async fn transfer(cli: &Cli, to: &str, amount: &str) -> anyhow::Result<i32> {
    let to: Address = to.parse().context("recipient address")?;
    let amount = parse_amount(amount).map_err(|e| anyhow!(e))?;
    let c = client(cli)?;
    let s = c.status().await?;
    let key = resolve_signer(cli, s.suite, s.chain_id)?;
    let (hash, r) =
        c.send_and_wait(&key, Payload::Transfer(TransferCall::Transfer { to, amount }), COMMIT_TIMEOUT).await?;
    emit(
        cli.json,
        &json!({"tx_hash": hash, "height": r.height, "from": Address(key.address()), "to": to, "amount": amount.to_string()}),
        || {
            format!(
                "transferred {amount} from {} to {}\n  tx      {hash}\n  height  {}",
                Address(key.address()).to_checksum(),
                to.to_checksum(),
                r.height
            )
        },
    );
    Ok(0)
}
