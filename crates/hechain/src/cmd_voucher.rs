//! `hechain voucher …`: supply-chain finance receivable vouchers (数字凭证): issue, split and
//! transfer, pledge to a bank, release, settle, show lineage, export/verify certificates.

use hechain_types::{VoucherCall, VoucherEvent};
use std::path::PathBuf;

use anyhow::{anyhow, Context};
use clap::Subcommand;
use hechain_sdk::{Client, Status};
use hechain_types::{Event, Payload, SplitOutput, H256};
use serde_json::json;

use crate::cmd_chain::{address_or_signer, client, parse_address, send_payload};
use crate::output::{emit, parse_time_ms};
use crate::{record_cert, Cli};

#[derive(Subcommand, Debug)]
pub enum VoucherCmd {
    /// Issue a voucher (you are the core enterprise that owes AMOUNT to HOLDER).
    Issue {
        /// The supplier receiving the voucher.
        holder: String,
        /// Face value in the smallest unit.
        amount: u128,
        /// Due date: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or milliseconds.
        #[arg(long)]
        maturity: String,
        /// Hash (0x…) of the underlying contract or invoice, or a file to hash with the chain's suite.
        #[arg(long)]
        reference: String,
    },
    /// Split a part you hold into new parts: TO:AMOUNT for each (a transfer is one output; give
    /// yourself the remainder). Amounts must sum to the part's.
    Split {
        /// Part id.
        part: u64,
        /// Outputs, e.g. 0xabc…:600 0xdef…:400.
        #[arg(required = true)]
        outputs: Vec<String>,
    },
    /// Pledge a part you hold to a bank (financing); it cannot move until the bank releases it.
    Pledge {
        /// Part id.
        part: u64,
        /// The bank's address.
        bank: String,
    },
    /// Release a part pledged to you (you are the bank).
    Release {
        /// Part id.
        part: u64,
    },
    /// Settle a voucher you issued, at or after maturity: pays every live part.
    Settle {
        /// Voucher id.
        id: u64,
    },
    /// Show a voucher and its live parts.
    Show {
        /// Voucher id.
        id: u64,
    },
    /// Show a part and its lineage back to issuance.
    Part {
        /// Part id.
        id: u64,
    },
    /// List the live parts an account holds (default: the --key account).
    List {
        /// Holder address.
        holder: Option<String>,
        /// List parts with ids after this one.
        #[arg(long)]
        after: Option<u64>,
        /// Most parts to list.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Export the offline-verifiable certificate of a part (or, with --voucher, of a voucher).
    Cert {
        /// Part id (voucher id with --voucher).
        id: u64,
        /// Certify the voucher record instead of a part.
        #[arg(long)]
        voucher: bool,
        /// Output file (standard output when omitted).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Verify a voucher or part certificate offline against the chain's genesis
    /// (exit 0 valid, 1 invalid, 2 could not verify).
    VerifyCert {
        /// Certificate JSON file.
        cert: PathBuf,
        /// The chain's genesis file; without it, the genesis is fetched once from the node at --rpc.
        #[arg(long)]
        genesis: Option<PathBuf>,
    },
}

pub(crate) use hechain_modules::voucher::{part_text, voucher_text};

fn parse_output(s: &str) -> anyhow::Result<SplitOutput> {
    let (to, amount) = s.rsplit_once(':').ok_or_else(|| anyhow!("output {s:?} is not TO:AMOUNT"))?;
    Ok(SplitOutput {
        to: parse_address(to, "output address")?,
        amount: amount.parse().map_err(|_| anyhow!("output {s:?}: amount {amount:?} is not a whole number"))?,
    })
}

/// Sends a module operation (voucher, trace); returns the tx hash, height and receipt events.
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

/// Prints the outcome of a sent module operation (also used by `ecert`, `trace` and `gov`).
pub(crate) fn done(cli: &Cli, what: String, tx_hash: H256, height: u64, events: &[Event]) -> i32 {
    emit(cli.json, &json!({"tx_hash": tx_hash, "height": height, "events": events}), || {
        format!("{what}\n  tx      {tx_hash}\n  height  {height}")
    });
    0
}

pub async fn run(cli: &Cli, cmd: &VoucherCmd) -> anyhow::Result<i32> {
    match cmd {
        VoucherCmd::Issue { holder, amount, maturity, reference } => {
            let c = client(cli)?;
            let holder = parse_address(holder, "holder")?;
            let maturity_ms = parse_time_ms(maturity).context("--maturity")?;
            let s = c.status().await?;
            let reference = match reference.parse::<H256>() {
                Ok(h) => h,
                Err(_) => crate::cmd_evidence::hash_file(s.suite, std::path::Path::new(reference))
                    .context("--reference is neither a 0x hash nor a readable file")?,
            };
            let payload = Payload::Voucher(VoucherCall::Issue { holder, amount: *amount, maturity_ms, reference });
            let (tx, h, ev) = send(cli, &c, Some(&s), payload).await?;
            let what = match ev.first() {
                Some(Event::Voucher(VoucherEvent::Issued { id, part, .. })) => {
                    format!("issued voucher {id} (part {part})")
                }
                _ => "issued".into(),
            };
            Ok(done(cli, what, tx, h, &ev))
        }
        VoucherCmd::Split { part, outputs } => {
            let c = client(cli)?;
            let outputs = outputs.iter().map(|o| parse_output(o)).collect::<anyhow::Result<Vec<_>>>()?;
            let (tx, h, ev) =
                send(cli, &c, None, Payload::Voucher(VoucherCall::Split { part_id: *part, outputs })).await?;
            let what = match ev.first() {
                Some(Event::Voucher(VoucherEvent::Split { children, .. })) => {
                    format!("split part {part} into parts {children:?}")
                }
                _ => "split".into(),
            };
            Ok(done(cli, what, tx, h, &ev))
        }
        VoucherCmd::Pledge { part, bank } => {
            let c = client(cli)?;
            let bank = parse_address(bank, "bank")?;
            let (tx, h, ev) =
                send(cli, &c, None, Payload::Voucher(VoucherCall::Pledge { part_id: *part, bank })).await?;
            Ok(done(cli, format!("pledged part {part} to {}", bank.to_checksum()), tx, h, &ev))
        }
        VoucherCmd::Release { part } => {
            let c = client(cli)?;
            let (tx, h, ev) = send(cli, &c, None, Payload::Voucher(VoucherCall::Release { part_id: *part })).await?;
            Ok(done(cli, format!("released part {part}"), tx, h, &ev))
        }
        VoucherCmd::Settle { id } => {
            let c = client(cli)?;
            let (tx, h, ev) = send(cli, &c, None, Payload::Voucher(VoucherCall::Settle { voucher_id: *id })).await?;
            let what = match ev.last() {
                Some(Event::Voucher(VoucherEvent::Settled { paid, parts, .. })) => {
                    format!("settled voucher {id}: paid {paid} to {parts} part(s)")
                }
                _ => "settled".into(),
            };
            Ok(done(cli, what, tx, h, &ev))
        }
        VoucherCmd::Show { id } => {
            let v = client(cli)?.voucher(*id).await?;
            emit(cli.json, &v, || {
                let mut out = voucher_text(&v.voucher);
                for p in &v.live_parts {
                    out.push_str("\n  ");
                    out.push_str(&part_text(p));
                }
                out
            });
            Ok(0)
        }
        VoucherCmd::Part { id } => {
            let chain = client(cli)?.voucher_lineage(*id).await?;
            emit(cli.json, &json!({"lineage": chain}), || {
                chain
                    .iter()
                    .enumerate()
                    .map(|(i, p)| format!("{}{}", "  ".repeat(i), part_text(p)))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(0)
        }
        VoucherCmd::List { holder, after, limit } => {
            let c = client(cli)?;
            let who = address_or_signer(cli, &c, holder.as_deref(), "holder address").await?;
            let (parts, next) = c.voucher_parts_of(&who, *after, *limit).await?;
            emit(cli.json, &json!({"holder": who, "parts": parts, "next_after": next}), || {
                let mut out = format!("{} live part(s) held by {}", parts.len(), who.to_checksum());
                for p in &parts {
                    out.push_str("\n  ");
                    out.push_str(&part_text(p));
                }
                if let Some(n) = next {
                    out.push_str(&format!("\n  … more: --after {n}"));
                }
                out
            });
            Ok(0)
        }
        VoucherCmd::Cert { id, voucher, output } => {
            let c = client(cli)?;
            let cert =
                if *voucher { c.voucher_certificate(*id).await? } else { c.voucher_part_certificate(*id).await? };
            record_cert::write(cli, &cert, output.as_ref(), json!({"id": id, "voucher": voucher}))
        }
        VoucherCmd::VerifyCert { cert, genesis } => record_cert::verify(cli, cert, genesis.as_deref()).await,
    }
}
