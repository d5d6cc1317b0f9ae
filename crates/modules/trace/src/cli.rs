//! `hechain trace …`: traceability (溯源): register batches and items, record lifecycle events,
//! hand custody over, recall, show an item's history, export/verify certificates.

use std::path::PathBuf;

use clap::{FromArgMatches, Subcommand};
use hechain_module::cli::{
    address, address_or_signer, decode, hash_or_file, now_ms, page_path, report, time_ms, url_component, CliError,
    CliFuture, CliHost, CliSpec,
};
use serde_json::json;

use crate::views::{TraceBatchItems, TraceBatchPage, TraceItemPage, TraceItemView};
use crate::{batch_text, event_text, item_text, TraceBatch, TraceCall, TraceModule, TraceModuleEvent, TraceTarget};

/// Traceability (溯源, 一物一码): batches and item codes, lifecycle events, custody hand-overs, recalls, item
/// histories and certificates.
#[derive(Subcommand, Debug)]
enum Cmd {
    /// Register a product batch (you are the producer and first custodian of its items).
    Batch {
        /// Product name.
        #[arg(long)]
        product: String,
        /// Producer's name as shown to consumers.
        #[arg(long)]
        producer_label: String,
        /// Attributes document: a 0x hash, or a file to hash with the chain's suite.
        #[arg(long)]
        attributes: String,
        /// Free metadata (up to 1,024 bytes).
        #[arg(long, default_value = "")]
        metadata: String,
        /// Item codes to register with the batch (up to 256 in all).
        codes: Vec<String>,
        /// A file with more item codes, one per line.
        #[arg(long)]
        codes_file: Option<PathBuf>,
    },
    /// Add item codes to a batch you produced.
    AddItems {
        /// Batch id.
        batch: u64,
        /// Item codes (up to 256 in all).
        codes: Vec<String>,
        /// A file with more item codes, one per line.
        #[arg(long)]
        codes_file: Option<PathBuf>,
    },
    /// Append a lifecycle event to items you hold or are authorised for.
    Event {
        /// Item codes (the same event goes to each).
        #[arg(required = true)]
        codes: Vec<String>,
        /// Stage, e.g. harvested, processed, shipped, inspected, sold, destroyed.
        #[arg(long)]
        stage: String,
        /// Where it happened.
        #[arg(long, default_value = "")]
        location: String,
        /// When it happened: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or milliseconds (default: now).
        #[arg(long)]
        time: Option<String>,
        /// Attached document: a 0x hash or a file to hash (repeatable, up to 16).
        #[arg(long = "attach")]
        attachments: Vec<String>,
        /// Free note.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Authorise an account to append events to a batch you produced (--batch) or an item you
    /// hold (--item).
    Authorize {
        /// The account.
        account: String,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Withdraw an authorisation.
    Revoke {
        /// The account.
        account: String,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Offer items you hold to a receiver; custody moves when the receiver accepts.
    Handover {
        /// The receiver.
        to: String,
        /// Item codes.
        #[arg(required = true)]
        codes: Vec<String>,
    },
    /// Accept items offered to you: you become their custodian.
    Accept {
        /// Item codes.
        #[arg(required = true)]
        codes: Vec<String>,
    },
    /// Refuse items offered to you.
    Reject {
        /// Item codes.
        #[arg(required = true)]
        codes: Vec<String>,
    },
    /// Withdraw your pending offers of items.
    Cancel {
        /// Item codes.
        #[arg(required = true)]
        codes: Vec<String>,
    },
    /// Recall a batch you produced: every item in it shows recalled and can no longer change hands.
    Recall {
        /// Batch id.
        batch: u64,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Show an item's full history by its code: batch, recall, custody chain, events.
    Item {
        /// Item code.
        code: String,
    },
    /// Show a batch and a page of its items.
    BatchShow {
        /// Batch id.
        id: u64,
        /// List items with ids after this one.
        #[arg(long)]
        after: Option<u64>,
        /// Most items to list.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// List the items an account holds (default: the --key account); --produced lists the
    /// batches it registered, --pending the items offered to it.
    List {
        /// Address.
        address: Option<String>,
        /// Batches produced instead of items held.
        #[arg(long, conflicts_with = "pending")]
        produced: bool,
        /// Items offered to the account and not yet answered.
        #[arg(long)]
        pending: bool,
        /// List records with ids after this one.
        #[arg(long)]
        after: Option<u64>,
        /// Most records to list.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Export the offline-verifiable certificate of an item and its whole history (or, with
    /// --batch, of a batch).
    Cert {
        /// Item code (batch id with --batch).
        id: String,
        /// Certify the batch record instead of an item.
        #[arg(long)]
        batch: bool,
        /// Output file (standard output when omitted).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Verify an item or batch certificate offline against the chain's genesis
    /// (exit 0 valid, 1 invalid, 2 could not verify).
    VerifyCert {
        /// Certificate JSON file.
        cert: PathBuf,
        /// The chain's genesis file; without it, the genesis is fetched once from the node at --rpc.
        #[arg(long)]
        genesis: Option<PathBuf>,
    },
}

/// `--batch ID` or `--item CODE`.
#[derive(clap::Args, Debug)]
#[group(required = true, multiple = false)]
struct TargetArgs {
    /// Every item of this batch (you are its producer).
    #[arg(long)]
    batch: Option<u64>,
    /// This item (you are its custodian).
    #[arg(long)]
    item: Option<String>,
}

impl TargetArgs {
    fn target(self) -> Result<TraceTarget, CliError> {
        match (self.batch, self.item) {
            (Some(batch_id), None) => Ok(TraceTarget::Batch { batch_id }),
            (None, Some(code)) => Ok(TraceTarget::Item { code }),
            (Some(_), Some(_)) | (None, None) => {
                Err(CliError::Usage("give exactly one of --batch ID and --item CODE".into()))
            }
        }
    }
}

/// The subcommand.
pub fn spec() -> CliSpec<TraceModule> {
    CliSpec {
        command: Cmd::augment_subcommands(
            clap::Command::new("trace")
                .about("Traceability (溯源, 一物一码): batches and item codes, lifecycle events, custody hand-overs, recalls, item histories and certificates")
                .subcommand_required(true),
        ),
        run,
    }
}

type Host<'a> = &'a dyn CliHost<TraceModule>;

/// Codes from the command line and, optionally, a file (one per line, blank lines skipped).
fn gather_codes(mut codes: Vec<String>, file: Option<PathBuf>) -> Result<Vec<String>, CliError> {
    if let Some(f) = file {
        let text =
            std::fs::read_to_string(&f).map_err(|e| CliError::Failed(format!("reading {}: {e}", f.display())))?;
        codes.extend(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from));
    }
    Ok(codes)
}

/// Submits a call and reports it with `what`, made from the module's events.
async fn op(
    host: Host<'_>,
    call: TraceCall,
    what: impl FnOnce(&[TraceModuleEvent]) -> String,
) -> Result<i32, CliError> {
    let s = host.submit(call).await?;
    Ok(report(host, &what(&s.events), &s))
}

fn more(next: Option<u64>) -> String {
    next.map(|n| format!("\n  … more: --after {n}")).unwrap_or_default()
}

fn run<'a>(host: Host<'a>, m: &'a clap::ArgMatches) -> CliFuture<'a, Result<i32, CliError>> {
    Box::pin(async move {
        match Cmd::from_arg_matches(m).map_err(|e| CliError::Usage(e.to_string()))? {
            Cmd::Batch { product, producer_label, attributes, metadata, codes, codes_file } => {
                let call = TraceCall::Batch {
                    product,
                    producer_label,
                    attributes: hash_or_file(host, &attributes, "--attributes").await?,
                    metadata,
                    codes: gather_codes(codes, codes_file)?,
                };
                op(host, call, |ev| match (ev.first(), ev.get(1)) {
                    (
                        Some(TraceModuleEvent::BatchRegistered { batch, .. }),
                        Some(TraceModuleEvent::ItemsRegistered { count, .. }),
                    ) => format!("registered batch {batch} with {count} item(s)"),
                    (Some(TraceModuleEvent::BatchRegistered { batch, .. }), _) => format!("registered batch {batch}"),
                    _ => "registered".into(),
                })
                .await
            }
            Cmd::AddItems { batch, codes, codes_file } => {
                let codes = gather_codes(codes, codes_file)?;
                op(host, TraceCall::AddItems { batch_id: batch, codes }, |ev| match ev.first() {
                    Some(TraceModuleEvent::ItemsRegistered { count, first_item, .. }) => {
                        format!("added {count} item(s) to batch {batch} (ids from {first_item})")
                    }
                    _ => "added".into(),
                })
                .await
            }
            Cmd::Event { codes, stage, location, time, attachments, note } => {
                let event_time_ms = match time {
                    Some(t) => time_ms(&t, "--time")?,
                    None => now_ms(),
                };
                let mut hashes = Vec::with_capacity(attachments.len());
                for a in &attachments {
                    hashes.push(hash_or_file(host, a, "--attach").await?);
                }
                let what = format!("{stage:?}");
                let call = TraceCall::Event { codes, stage, location, event_time_ms, attachments: hashes, note };
                op(host, call, |ev| format!("recorded {what} for {} item(s)", ev.len())).await
            }
            Cmd::Authorize { account, target } => {
                let account = address(&account, "account")?;
                let call = TraceCall::Authorize { target: target.target()?, account };
                op(host, call, |_| format!("authorised {}", account.to_checksum())).await
            }
            Cmd::Revoke { account, target } => {
                let account = address(&account, "account")?;
                let call = TraceCall::Revoke { target: target.target()?, account };
                op(host, call, |_| format!("revoked {}", account.to_checksum())).await
            }
            Cmd::Handover { to, codes } => {
                let to = address(&to, "receiver")?;
                op(host, TraceCall::Handover { codes, to }, |ev| {
                    format!("offered {} item(s) to {}; custody moves when they accept", ev.len(), to.to_checksum())
                })
                .await
            }
            Cmd::Accept { codes } => {
                let n = codes.len();
                op(host, TraceCall::Accept { codes }, |_| format!("accepted {n} item(s): you are their custodian"))
                    .await
            }
            Cmd::Reject { codes } => {
                let n = codes.len();
                op(host, TraceCall::Reject { codes }, |_| format!("rejected {n} item(s)")).await
            }
            Cmd::Cancel { codes } => {
                let n = codes.len();
                op(host, TraceCall::Cancel { codes }, |_| format!("cancelled the offer of {n} item(s)")).await
            }
            Cmd::Recall { batch, reason } => {
                op(host, TraceCall::Recall { batch_id: batch, reason }, |_| format!("recalled batch {batch}")).await
            }
            Cmd::Item { code } => {
                let path = format!("/api/v1/trace/items/{}", url_component(&code));
                let h: TraceItemView = decode(host.get(&path).await?, "item")?;
                let json = serde_json::to_value(&h).map_err(CliError::failed)?;
                host.emit(&json, &|| {
                    let mut out = item_text(&h.item);
                    if h.recalled {
                        out.push_str("\n  *** RECALLED ***");
                    }
                    out.push('\n');
                    out.push_str(&batch_text(&h.batch));
                    let chain: Vec<String> = h.custody_chain.iter().map(|a| a.to_checksum()).collect();
                    out.push_str(&format!("\n  custody chain {}", chain.join(" -> ")));
                    for e in &h.events {
                        out.push_str("\n  ");
                        out.push_str(&event_text(e));
                    }
                    out.push_str(&format!(
                        "\n  history       {} ({})",
                        h.item.history,
                        if h.history_verified { "verified" } else { "NOT verified" }
                    ));
                    out
                });
                Ok(0)
            }
            Cmd::BatchShow { id, after, limit } => {
                let b: TraceBatch = decode(host.get(&format!("/api/v1/trace/batches/{id}")).await?, "batch")?;
                let path = page_path(&format!("/api/v1/trace/batches/{id}/items"), limit, after);
                let page: TraceBatchItems = decode(host.get(&path).await?, "item list")?;
                host.emit(&json!({"batch": b, "items": page.items, "next_after": page.next_after}), &|| {
                    let mut out = batch_text(&b);
                    for it in &page.items {
                        out.push_str("\n  ");
                        out.push_str(&item_text(it));
                    }
                    out + &more(page.next_after)
                });
                Ok(0)
            }
            Cmd::List { address, produced, pending, after, limit } => {
                let who = address_or_signer(host, address.as_deref(), "address").await?;
                let route = if produced {
                    "by-producer"
                } else if pending {
                    "pending"
                } else {
                    "by-custodian"
                };
                let path = page_path(&format!("/api/v1/trace/{route}/{who}"), limit, after);
                let v = host.get(&path).await?;
                if produced {
                    let page: TraceBatchPage = decode(v, "batch list")?;
                    let (batches, next) = (page.batches, page.next_after);
                    host.emit(&json!({"producer": who, "batches": batches, "next_after": next}), &|| {
                        let mut out = format!("{} batch(es) produced by {}", batches.len(), who.to_checksum());
                        for b in &batches {
                            let recalled = if b.recall.is_some() { ", RECALLED" } else { "" };
                            out.push_str(&format!("\n  batch {}: {} ({} items{recalled})", b.id, b.product, b.items));
                        }
                        out + &more(next)
                    });
                } else {
                    let page: TraceItemPage = decode(v, "item list")?;
                    let (items, next) = (page.items, page.next_after);
                    let field = if pending { "offered to" } else { "held by" };
                    host.emit(&json!({"account": who, "items": items, "next_after": next}), &|| {
                        let mut out = format!("{} item(s) {field} {}", items.len(), who.to_checksum());
                        for it in &items {
                            out.push_str("\n  ");
                            out.push_str(&item_text(it));
                        }
                        out + &more(next)
                    });
                }
                Ok(0)
            }
            Cmd::Cert { id, batch, output } => {
                let path = if batch {
                    let n: u64 =
                        id.parse().map_err(|_| CliError::Failed(format!("batch id {id:?} is not a whole number")))?;
                    format!("/api/v1/trace/batches/{n}/certificate")
                } else {
                    format!("/api/v1/trace/items/{}/certificate", url_component(&id))
                };
                host.save_certificate(&path, output.as_deref(), json!({"id": id, "batch": batch})).await
            }
            Cmd::VerifyCert { cert, genesis } => host.verify_certificate(&cert, genesis.as_deref()).await,
        }
    })
}
