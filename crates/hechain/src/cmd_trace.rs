//! `hechain trace …`: traceability (溯源, 一物一码): register batches and item codes, append
//! lifecycle events, authorise participants, hand items over (offer / accept / reject /
//! cancel), recall batches, show an item's full history, export/verify certificates.

use hechain_types::{TraceCall, TraceModuleEvent};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use clap::Subcommand;
use hechain_sdk::Client;
use hechain_types::{Event, Payload, TraceTarget, H256};
use serde_json::json;

use crate::cmd_chain::{address_or_signer, client, parse_address};
use crate::output::{emit, parse_time_ms};
use crate::sent::{done, send};
use crate::{record_cert, Cli};

#[derive(Subcommand, Debug)]
pub enum TraceCmd {
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
pub struct TargetArgs {
    /// Every item of this batch (you are its producer).
    #[arg(long)]
    batch: Option<u64>,
    /// This item (you are its custodian).
    #[arg(long)]
    item: Option<String>,
}

impl TargetArgs {
    fn target(&self) -> anyhow::Result<TraceTarget> {
        match (&self.batch, &self.item) {
            (Some(batch_id), None) => Ok(TraceTarget::Batch { batch_id: *batch_id }),
            (None, Some(code)) => Ok(TraceTarget::Item { code: code.clone() }),
            _ => Err(anyhow!("give exactly one of --batch ID and --item CODE")),
        }
    }
}

pub(crate) use hechain_modules::trace::{batch_text, event_text, item_text};

/// Codes from the command line and, optionally, a file (one per line, blank lines skipped).
fn gather_codes(codes: &[String], file: Option<&PathBuf>) -> anyhow::Result<Vec<String>> {
    let mut all = codes.to_vec();
    if let Some(f) = file {
        let text = std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        all.extend(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from));
    }
    Ok(all)
}

/// A 0x hash, or the suite hash of a file.
fn hash_arg(suite: hechain_types::Suite, s: &str, what: &str) -> anyhow::Result<H256> {
    match s.parse::<H256>() {
        Ok(h) => Ok(h),
        Err(_) => crate::cmd_evidence::hash_file(suite, Path::new(s))
            .with_context(|| format!("{what} {s:?} is neither a 0x hash nor a readable file")),
    }
}

fn now_ms() -> anyhow::Result<u64> {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).context("system clock")?;
    u64::try_from(d.as_millis()).context("system clock")
}

async fn op(cli: &Cli, c: &Client, payload: Payload, what: impl FnOnce(&[Event]) -> String) -> anyhow::Result<i32> {
    let (tx, h, ev) = send(cli, c, None, payload).await?;
    Ok(done(cli, what(&ev), tx, h, &ev))
}

pub async fn run(cli: &Cli, cmd: &TraceCmd) -> anyhow::Result<i32> {
    match cmd {
        TraceCmd::Batch { product, producer_label, attributes, metadata, codes, codes_file } => {
            let c = client(cli)?;
            let s = c.status().await?;
            let payload = Payload::Trace(TraceCall::Batch {
                product: product.clone(),
                producer_label: producer_label.clone(),
                attributes: hash_arg(s.suite, attributes, "--attributes")?,
                metadata: metadata.clone(),
                codes: gather_codes(codes, codes_file.as_ref())?,
            });
            let (tx, h, ev) = send(cli, &c, Some(&s), payload).await?;
            let what = match (ev.first(), ev.get(1)) {
                (
                    Some(Event::Trace(TraceModuleEvent::BatchRegistered { batch, .. })),
                    Some(Event::Trace(TraceModuleEvent::ItemsRegistered { count, .. })),
                ) => {
                    format!("registered batch {batch} with {count} item(s)")
                }
                (Some(Event::Trace(TraceModuleEvent::BatchRegistered { batch, .. })), _) => {
                    format!("registered batch {batch}")
                }
                _ => "registered".into(),
            };
            Ok(done(cli, what, tx, h, &ev))
        }
        TraceCmd::AddItems { batch, codes, codes_file } => {
            let codes = gather_codes(codes, codes_file.as_ref())?;
            op(cli, &client(cli)?, Payload::Trace(TraceCall::AddItems { batch_id: *batch, codes }), |ev| {
                match ev.first() {
                    Some(Event::Trace(TraceModuleEvent::ItemsRegistered { count, first_item, .. })) => {
                        format!("added {count} item(s) to batch {batch} (ids from {first_item})")
                    }
                    _ => "added".into(),
                }
            })
            .await
        }
        TraceCmd::Event { codes, stage, location, time, attachments, note } => {
            let c = client(cli)?;
            let s = c.status().await?;
            let event_time_ms = match time {
                Some(t) => parse_time_ms(t).context("--time")?,
                None => now_ms()?,
            };
            let attachments =
                attachments.iter().map(|a| hash_arg(s.suite, a, "--attach")).collect::<anyhow::Result<Vec<_>>>()?;
            let payload = Payload::Trace(TraceCall::Event {
                codes: codes.clone(),
                stage: stage.clone(),
                location: location.clone(),
                event_time_ms,
                attachments,
                note: note.clone(),
            });
            let (tx, h, ev) = send(cli, &c, Some(&s), payload).await?;
            Ok(done(cli, format!("recorded {stage:?} for {} item(s)", ev.len()), tx, h, &ev))
        }
        TraceCmd::Authorize { account, target } => {
            let account = parse_address(account, "account")?;
            let payload = Payload::Trace(TraceCall::Authorize { target: target.target()?, account });
            op(cli, &client(cli)?, payload, |_| format!("authorised {}", account.to_checksum())).await
        }
        TraceCmd::Revoke { account, target } => {
            let account = parse_address(account, "account")?;
            let payload = Payload::Trace(TraceCall::Revoke { target: target.target()?, account });
            op(cli, &client(cli)?, payload, |_| format!("revoked {}", account.to_checksum())).await
        }
        TraceCmd::Handover { to, codes } => {
            let to = parse_address(to, "receiver")?;
            let payload = Payload::Trace(TraceCall::Handover { codes: codes.clone(), to });
            op(cli, &client(cli)?, payload, |ev| {
                format!("offered {} item(s) to {}; custody moves when they accept", ev.len(), to.to_checksum())
            })
            .await
        }
        TraceCmd::Accept { codes } => {
            op(cli, &client(cli)?, Payload::Trace(TraceCall::Accept { codes: codes.clone() }), |_| {
                format!("accepted {} item(s): you are their custodian", codes.len())
            })
            .await
        }
        TraceCmd::Reject { codes } => {
            op(cli, &client(cli)?, Payload::Trace(TraceCall::Reject { codes: codes.clone() }), |_| {
                format!("rejected {} item(s)", codes.len())
            })
            .await
        }
        TraceCmd::Cancel { codes } => {
            op(cli, &client(cli)?, Payload::Trace(TraceCall::Cancel { codes: codes.clone() }), |_| {
                format!("cancelled the offer of {} item(s)", codes.len())
            })
            .await
        }
        TraceCmd::Recall { batch, reason } => {
            let payload = Payload::Trace(TraceCall::Recall { batch_id: *batch, reason: reason.clone() });
            op(cli, &client(cli)?, payload, |_| format!("recalled batch {batch}")).await
        }
        TraceCmd::Item { code } => {
            let h = client(cli)?.trace_item(code).await?;
            emit(cli.json, &h, || {
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
        TraceCmd::BatchShow { id, after, limit } => {
            let c = client(cli)?;
            let b = c.trace_batch(*id).await?;
            let page = c.trace_batch_items(*id, *after, *limit).await?;
            emit(cli.json, &json!({"batch": b, "items": page.items, "next_after": page.next_after}), || {
                let mut out = batch_text(&b);
                for it in &page.items {
                    out.push_str("\n  ");
                    out.push_str(&item_text(it));
                }
                if let Some(n) = page.next_after {
                    out.push_str(&format!("\n  … more: --after {n}"));
                }
                out
            });
            Ok(0)
        }
        TraceCmd::List { address, produced, pending, after, limit } => {
            let c = client(cli)?;
            let who = address_or_signer(cli, &c, address.as_deref(), "address").await?;
            let more = |n: Option<u64>| n.map(|n| format!("\n  … more: --after {n}")).unwrap_or_default();
            if *produced {
                let (batches, next) = c.trace_batches_of(&who, *after, *limit).await?;
                emit(cli.json, &json!({"producer": who, "batches": batches, "next_after": next}), || {
                    let mut out = format!("{} batch(es) produced by {}", batches.len(), who.to_checksum());
                    for b in &batches {
                        let recalled = if b.recall.is_some() { ", RECALLED" } else { "" };
                        out.push_str(&format!("\n  batch {}: {} ({} items{recalled})", b.id, b.product, b.items));
                    }
                    out + &more(next)
                });
            } else {
                let (items, next) = if *pending {
                    c.trace_pending(&who, *after, *limit).await?
                } else {
                    c.trace_items_held(&who, *after, *limit).await?
                };
                let field = if *pending { "offered to" } else { "held by" };
                emit(cli.json, &json!({"account": who, "items": items, "next_after": next}), || {
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
        TraceCmd::Cert { id, batch, output } => {
            let c = client(cli)?;
            let cert = if *batch {
                let n: u64 = id.parse().map_err(|_| anyhow!("batch id {id:?} is not a whole number"))?;
                c.trace_batch_certificate(n).await?
            } else {
                c.trace_item_certificate(id).await?
            };
            record_cert::write(cli, &cert, output.as_ref(), json!({"id": id, "batch": batch}))
        }
        TraceCmd::VerifyCert { cert, genesis } => record_cert::verify(cli, cert, genesis.as_deref()).await,
    }
}
