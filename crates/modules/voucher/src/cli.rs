//! `hechain voucher …`: supply-chain finance receivable vouchers (数字凭证): issue, split and
//! transfer, pledge to a bank, release, settle, show lineage, export/verify certificates.

use std::path::PathBuf;

use clap::{FromArgMatches, Subcommand};
use hechain_module::cli::{
    address, address_or_signer, decode, hash_or_file, page_path, report, time_ms, CliError, CliFuture, CliHost, CliSpec,
};
use serde_json::json;

use crate::views::{VoucherLineage, VoucherPartPage, VoucherWithParts};
use crate::{part_text, voucher_text, SplitOutput, VoucherCall, VoucherEvent, VoucherModule};

/// Receivable vouchers (供应链金融): issue, split and transfer, pledge, settle, trace lineage.
#[derive(Subcommand, Debug)]
enum Cmd {
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

/// The subcommand.
pub fn spec() -> CliSpec<VoucherModule> {
    CliSpec {
        command: Cmd::augment_subcommands(
            clap::Command::new("voucher")
                .about("Receivable vouchers (供应链金融): issue, split and transfer, pledge, settle, trace lineage")
                .subcommand_required(true),
        ),
        run,
    }
}

fn parse_output(s: &str) -> Result<SplitOutput, CliError> {
    let (to, amount) = s.rsplit_once(':').ok_or_else(|| CliError::Failed(format!("output {s:?} is not TO:AMOUNT")))?;
    Ok(SplitOutput {
        to: address(to, "output address")?,
        amount: amount
            .parse()
            .map_err(|_| CliError::Failed(format!("output {s:?}: amount {amount:?} is not a whole number")))?,
    })
}

fn run<'a>(host: &'a dyn CliHost<VoucherModule>, m: &'a clap::ArgMatches) -> CliFuture<'a, Result<i32, CliError>> {
    Box::pin(async move {
        match Cmd::from_arg_matches(m).map_err(|e| CliError::Usage(e.to_string()))? {
            Cmd::Issue { holder, amount, maturity, reference } => {
                let holder = address(&holder, "holder")?;
                let maturity_ms = time_ms(&maturity, "--maturity")?;
                let reference = hash_or_file(host, &reference, "--reference").await?;
                let s = host.submit(VoucherCall::Issue { holder, amount, maturity_ms, reference }).await?;
                let what = match s.events.first() {
                    Some(VoucherEvent::Issued { id, part, .. }) => format!("issued voucher {id} (part {part})"),
                    Some(_) | None => "issued".into(),
                };
                Ok(report(host, &what, &s))
            }
            Cmd::Split { part, outputs } => {
                let outputs = outputs.iter().map(|o| parse_output(o)).collect::<Result<Vec<_>, _>>()?;
                let s = host.submit(VoucherCall::Split { part_id: part, outputs }).await?;
                let what = match s.events.first() {
                    Some(VoucherEvent::Split { children, .. }) => format!("split part {part} into parts {children:?}"),
                    Some(_) | None => "split".into(),
                };
                Ok(report(host, &what, &s))
            }
            Cmd::Pledge { part, bank } => {
                let bank = address(&bank, "bank")?;
                let s = host.submit(VoucherCall::Pledge { part_id: part, bank }).await?;
                Ok(report(host, &format!("pledged part {part} to {}", bank.to_checksum()), &s))
            }
            Cmd::Release { part } => {
                let s = host.submit(VoucherCall::Release { part_id: part }).await?;
                Ok(report(host, &format!("released part {part}"), &s))
            }
            Cmd::Settle { id } => {
                let s = host.submit(VoucherCall::Settle { voucher_id: id }).await?;
                let what = match s.events.last() {
                    Some(VoucherEvent::Settled { paid, parts, .. }) => {
                        format!("settled voucher {id}: paid {paid} to {parts} part(s)")
                    }
                    Some(_) | None => "settled".into(),
                };
                Ok(report(host, &what, &s))
            }
            Cmd::Show { id } => {
                let v: VoucherWithParts = decode(host.get(&format!("/api/v1/vouchers/{id}")).await?, "voucher")?;
                let json = serde_json::to_value(&v).map_err(CliError::failed)?;
                host.emit(&json, &|| {
                    let mut out = voucher_text(&v.voucher);
                    for p in &v.live_parts {
                        out.push_str("\n  ");
                        out.push_str(&part_text(p));
                    }
                    out
                });
                Ok(0)
            }
            Cmd::Part { id } => {
                let l: VoucherLineage =
                    decode(host.get(&format!("/api/v1/vouchers/parts/{id}/lineage")).await?, "lineage")?;
                let chain = l.lineage;
                host.emit(&json!({"lineage": chain}), &|| {
                    chain
                        .iter()
                        .enumerate()
                        .map(|(i, p)| format!("{}{}", "  ".repeat(i), part_text(p)))
                        .collect::<Vec<_>>()
                        .join("\n")
                });
                Ok(0)
            }
            Cmd::List { holder, after, limit } => {
                let who = address_or_signer(host, holder.as_deref(), "holder address").await?;
                let path = page_path(&format!("/api/v1/vouchers/by-holder/{who}"), limit, after);
                let page: VoucherPartPage = decode(host.get(&path).await?, "part list")?;
                let (parts, next) = (page.parts, page.next_after);
                host.emit(&json!({"holder": who, "parts": parts, "next_after": next}), &|| {
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
            Cmd::Cert { id, voucher, output } => {
                let path = if voucher {
                    format!("/api/v1/vouchers/{id}/certificate")
                } else {
                    format!("/api/v1/vouchers/parts/{id}/certificate")
                };
                host.save_certificate(&path, output.as_deref(), json!({"id": id, "voucher": voucher})).await
            }
            Cmd::VerifyCert { cert, genesis } => host.verify_certificate(&cert, genesis.as_deref()).await,
        }
    })
}
