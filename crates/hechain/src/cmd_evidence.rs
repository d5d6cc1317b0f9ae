//! `hechain evidence …`: evidence (存证) storage, verification and certificates.

use hechain_types::{EvidenceCall, EvidenceEvent};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use clap::Subcommand;
use hechain_cert::EvidenceCertificate;
use hechain_crypto::Suite;
use hechain_types::{Event, EvidenceMeta, Genesis, Payload, H256};
use serde_json::json;

use crate::cmd_chain::{address_or_signer, client, send_payload};
use crate::output::{emit, format_ms};
use crate::record_cert;
use crate::Cli;

#[derive(Subcommand, Debug)]
pub enum EvidenceCmd {
    /// Hash a file locally with the chain's suite hash and store the hash on chain.
    Put {
        /// The file (its content never leaves this machine).
        file: PathBuf,
        /// Title.
        #[arg(long)]
        title: Option<String>,
        /// Kind of evidence (contract, invoice, image, …).
        #[arg(long)]
        kind: Option<String>,
        /// Owner label.
        #[arg(long)]
        owner: Option<String>,
        /// External reference (case number, archive id, URL).
        #[arg(long = "ref")]
        external_ref: Option<String>,
    },
    /// Check whether a file's hash is on chain (exit 0) or not (exit 1).
    Verify {
        /// The file.
        file: PathBuf,
    },
    /// Show an evidence record by id.
    Get {
        /// Record id.
        id: u64,
    },
    /// List the evidence records stored by an account (default: the --key account).
    List {
        /// Submitter address.
        submitter: Option<String>,
        /// List records with ids after this one.
        #[arg(long)]
        after: Option<u64>,
        /// Most records to list.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Export the offline-verifiable certificate of a record.
    Cert {
        /// Record id.
        id: u64,
        /// Output file (standard output when omitted).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Verify a certificate offline against the chain's genesis (exit 0 valid, 1 invalid,
    /// 2 could not verify).
    VerifyCert {
        /// Certificate JSON file.
        cert: PathBuf,
        /// The chain's genesis file; without it, the genesis is fetched once from the node at --rpc.
        #[arg(long)]
        genesis: Option<PathBuf>,
    },
}

/// Reads and parses a genesis file (for offline certificate checks).
pub(crate) fn read_genesis(path: &Path) -> anyhow::Result<Genesis> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Genesis::from_json(&text).with_context(|| format!("{}", path.display()))
}

/// Parses a certificate; one that does not parse is reported as malformed (or as an older
/// format).
pub(crate) fn parse_certificate<T: serde::de::DeserializeOwned>(text: &str) -> anyhow::Result<T> {
    serde_json::from_str(text).map_err(|e| {
        // Version 1 certificates (before validator-set changes) lack the epoch proof.
        let format = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v["format"].as_str().map(str::to_string))
            .unwrap_or_default();
        if format.starts_with("hechain-") && format.ends_with("-certificate/1") {
            anyhow!(
                "{format} is an older certificate format without the validator-set (epoch) proof; \
                 export the certificate again from a node"
            )
        } else {
            anyhow!("malformed certificate: {e}")
        }
    })
}

/// The chain's suite hash of a file's content.
pub(crate) fn hash_file(suite: Suite, path: &Path) -> anyhow::Result<H256> {
    let data = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(H256(suite.hash(&data)))
}

pub async fn run(cli: &Cli, cmd: &EvidenceCmd) -> anyhow::Result<i32> {
    match cmd {
        EvidenceCmd::Put { file, title, kind, owner, external_ref } => {
            let c = client(cli)?;
            let s = c.status().await?;
            let content_hash = hash_file(s.suite, file)?;
            let meta = EvidenceMeta {
                title: title.clone(),
                kind: kind.clone(),
                owner: owner.clone(),
                external_ref: external_ref.clone(),
            };
            let (tx_hash, r) =
                send_payload(cli, &c, &s, Payload::Evidence(EvidenceCall::Put { content_hash, meta })).await?;
            let id = r
                .receipt
                .events
                .iter()
                .find_map(|e| match e {
                    Event::Evidence(EvidenceEvent::Stored { id, .. }) => Some(*id),
                    _ => None,
                })
                .ok_or_else(|| anyhow!("the receipt of {tx_hash} has no evidence event"))?;
            emit(
                cli.json,
                &json!({"id": id, "content_hash": content_hash, "tx_hash": tx_hash, "height": r.height}),
                || {
                    format!("stored evidence {id}\n  content hash  {content_hash}\n  tx            {tx_hash}\n  height        {}", r.height)
                },
            );
            Ok(0)
        }
        EvidenceCmd::Verify { file } => {
            let c = client(cli)?;
            let s = c.status().await?;
            let content_hash = hash_file(s.suite, file)?;
            match c.evidence_by_hash(&content_hash).await? {
                Some(rec) => {
                    emit(cli.json, &json!({"found": true, "record": rec}), || {
                        format!(
                            "ON CHAIN: {} matches evidence {}\n  content hash  {}\n  stored at     {} (height {})\n  submitter     {}\n  tx            {}",
                            file.display(),
                            rec.id,
                            rec.content_hash,
                            format_ms(rec.timestamp_ms),
                            rec.height,
                            rec.submitter.to_checksum(),
                            rec.tx_hash
                        )
                    });
                    Ok(0)
                }
                None => {
                    emit(cli.json, &json!({"found": false, "content_hash": content_hash}), || {
                        format!("NOT ON CHAIN: no evidence has content hash {content_hash} ({})", file.display())
                    });
                    Ok(1)
                }
            }
        }
        EvidenceCmd::Get { id } => {
            let rec = client(cli)?.evidence(*id).await?;
            emit(cli.json, &rec, || serde_json::to_string_pretty(&rec).unwrap_or_default());
            Ok(0)
        }
        EvidenceCmd::List { submitter, after, limit } => {
            let c = client(cli)?;
            let who = address_or_signer(cli, &c, submitter.as_deref(), "submitter address").await?;
            let (records, next) = c.evidence_by_submitter(&who, *after, *limit).await?;
            emit(cli.json, &json!({"submitter": who, "records": records, "next_after": next}), || {
                let mut out = format!("{} evidence record(s) stored by {}", records.len(), who.to_checksum());
                for r in &records {
                    out.push_str(&format!(
                        "\n  {:>6}  {}  {}  height {}{}",
                        r.id,
                        r.content_hash,
                        format_ms(r.timestamp_ms),
                        r.height,
                        r.meta.title.as_deref().map(|t| format!("  {t}")).unwrap_or_default()
                    ));
                }
                if let Some(n) = next {
                    out.push_str(&format!("\n  … more: --after {n}"));
                }
                out
            });
            Ok(0)
        }
        EvidenceCmd::Cert { id, output } => {
            let cert = client(cli)?.evidence_certificate(*id).await?;
            let text = serde_json::to_string_pretty(&cert)?;
            match output {
                Some(p) => {
                    std::fs::write(p, text + "\n").with_context(|| format!("writing {}", p.display()))?;
                    if !cli.json {
                        println!("wrote certificate of evidence {id} to {}", p.display());
                    } else {
                        println!("{}", json!({"id": id, "file": p}));
                    }
                }
                None => println!("{text}"),
            }
            Ok(0)
        }
        EvidenceCmd::VerifyCert { cert, genesis } => {
            let (text, g) = match record_cert::check_inputs(cli, cert, genesis.as_deref()).await {
                Ok(x) => x,
                Err(e) => return Ok(record_cert::unverifiable(cli, &e)),
            };
            let outcome =
                parse_certificate::<EvidenceCertificate>(&text).and_then(|c| c.verify(&g).map_err(|e| anyhow!("{e}")));
            match outcome {
                Ok(v) => {
                    emit(cli.json, &json!({"valid": true, "evidence": v}), || {
                        format!(
                            "VALID: evidence {} with content hash {}\n  stored at   {} (height {}, block {})\n  submitter   {}\n  signed by   {} (validators of epoch {})",
                            v.id,
                            v.content_hash,
                            format_ms(v.timestamp_ms),
                            v.height,
                            v.block_hash,
                            v.submitter.to_checksum(),
                            v.signed_by.join(", "),
                            v.epoch
                        )
                    });
                    Ok(0)
                }
                Err(e) => {
                    emit(cli.json, &json!({"valid": false, "reason": e.to_string()}), || format!("INVALID: {e:#}"));
                    Ok(1)
                }
            }
        }
    }
}
