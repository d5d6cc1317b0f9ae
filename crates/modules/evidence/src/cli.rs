//! `hechain evidence …`: evidence (存证) storage, verification and certificates.

use std::path::PathBuf;

use clap::{FromArgMatches, Subcommand};
use hechain_module::cli::{address_or_signer, decode, hash_file, page_path, CliError, CliFuture, CliHost, CliSpec};
use hechain_primitives::display::format_ms;
use serde_json::json;

use crate::views::EvidencePage;
use crate::{EvidenceCall, EvidenceEvent, EvidenceMeta, EvidenceModule, EvidenceRecord};

/// Evidence (存证): store file hashes, verify files, export and check certificates.
#[derive(Subcommand, Debug)]
enum Cmd {
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
    /// Export the offline-verifiable certificate of a record (the record, the transaction that
    /// stored it and its receipt, under a sealed block).
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

/// The subcommand.
pub fn spec() -> CliSpec<EvidenceModule> {
    CliSpec {
        command: Cmd::augment_subcommands(
            clap::Command::new("evidence")
                .about("Evidence (存证): store file hashes, verify files, export and check certificates")
                .subcommand_required(true),
        ),
        run,
    }
}

type Host<'a> = &'a dyn CliHost<EvidenceModule>;

fn run<'a>(host: Host<'a>, m: &'a clap::ArgMatches) -> CliFuture<'a, Result<i32, CliError>> {
    Box::pin(async move {
        match Cmd::from_arg_matches(m).map_err(|e| CliError::Usage(e.to_string()))? {
            Cmd::Put { file, title, kind, owner, external_ref } => {
                let content_hash = hash_file(host.suite().await?, &file)?;
                let meta = EvidenceMeta { title, kind, owner, external_ref };
                let s = host.submit(EvidenceCall::Put { content_hash, meta }).await?;
                let Some(id) = s
                    .events
                    .iter()
                    .map(|e| match e {
                        EvidenceEvent::Stored { id, .. } => *id,
                    })
                    .next()
                else {
                    return Err(CliError::Failed(format!("the receipt of {} has no evidence event", s.tx_hash)));
                };
                let json = json!({"id": id, "content_hash": content_hash, "tx_hash": s.tx_hash, "height": s.height});
                host.emit(&json, &|| {
                    format!(
                        "stored evidence {id}\n  content hash  {content_hash}\n  tx            {}\n  height        {}",
                        s.tx_hash, s.height
                    )
                });
                Ok(0)
            }
            Cmd::Verify { file } => {
                let content_hash = hash_file(host.suite().await?, &file)?;
                match host.find(&format!("/api/v1/evidence/by-hash/{content_hash}")).await? {
                    Some(v) => {
                        let rec: EvidenceRecord = decode(v, "evidence record")?;
                        host.emit(&json!({"found": true, "record": rec}), &|| {
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
                        host.emit(&json!({"found": false, "content_hash": content_hash}), &|| {
                            format!("NOT ON CHAIN: no evidence has content hash {content_hash} ({})", file.display())
                        });
                        Ok(1)
                    }
                }
            }
            Cmd::Get { id } => {
                let v = host.get(&format!("/api/v1/evidence/{id}")).await?;
                let text = serde_json::to_string_pretty(&v).map_err(CliError::failed)?;
                host.emit(&v, &|| text.clone());
                Ok(0)
            }
            Cmd::List { submitter, after, limit } => {
                let who = address_or_signer(host, submitter.as_deref(), "submitter address").await?;
                let path = page_path(&format!("/api/v1/evidence/by-submitter/{who}"), limit, after);
                let page: EvidencePage = decode(host.get(&path).await?, "evidence list")?;
                let (records, next) = (page.records, page.next_after);
                host.emit(&json!({"submitter": who, "records": records, "next_after": next}), &|| {
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
            Cmd::Cert { id, output } => {
                let path = format!("/api/v1/evidence/{id}/certificate");
                host.save_certificate(&path, output.as_deref(), json!({"evidence": id})).await
            }
            Cmd::VerifyCert { cert, genesis } => host.verify_certificate(&cert, genesis.as_deref()).await,
        }
    })
}
