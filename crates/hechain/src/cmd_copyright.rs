//! `hechain copyright …`: copyright registration (版权): register works, transfer them, grant
//! licenses, query, and export/verify offline certificates.

use hechain_types::{CopyrightCall, CopyrightEvent};
use std::path::PathBuf;

use anyhow::{anyhow, bail, Context};
use clap::Subcommand;
use hechain_modules::copyright::{license_text, work_text};
use hechain_sdk::{Client, Status};
use hechain_types::{Event, Payload, H256};
use serde_json::json;

use crate::cmd_chain::{address_or_signer, client, parse_address, send_payload};
use crate::cmd_evidence::hash_file;
use crate::output::{emit, parse_time_ms};
use crate::{record_cert, Cli};

#[derive(Subcommand, Debug)]
pub enum CopyrightCmd {
    /// Register a work: hash the file locally (its content never leaves this machine) and record
    /// the hash with title, type and author; the signer becomes the owner.
    Register {
        /// The work's file.
        file: PathBuf,
        /// Title.
        #[arg(long)]
        title: String,
        /// Kind of work: text, music, image, video, software, …
        #[arg(long = "type")]
        work_type: String,
        /// Author's name.
        #[arg(long)]
        author: String,
    },
    /// Transfer a work you own to another account.
    Transfer {
        /// Work id.
        id: u64,
        /// New owner's address.
        to: String,
    },
    /// Grant a license on a work you own.
    License {
        /// Work id.
        id: u64,
        /// Licensee's address.
        licensee: String,
        /// Exclusive license (no other license may overlap it in time and territory).
        #[arg(long)]
        exclusive: bool,
        /// Start of the term: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or milliseconds (default: now).
        #[arg(long)]
        from: Option<String>,
        /// End of the term (exclusive), same forms as --from.
        #[arg(long)]
        until: String,
        /// Territory, e.g. CN or worldwide.
        #[arg(long, default_value = "worldwide")]
        territory: String,
    },
    /// Show a work and its licenses.
    Show {
        /// Work id.
        id: u64,
    },
    /// Look up the registration of a file (exit 0 registered, 1 not).
    Find {
        /// The file.
        file: PathBuf,
    },
    /// List the works an account owns (default: the --key account).
    List {
        /// Owner address.
        owner: Option<String>,
        /// List works with ids after this one.
        #[arg(long)]
        after: Option<u64>,
        /// Most works to list.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Export the offline-verifiable certificate of a work (or of one of its licenses).
    Cert {
        /// Work id.
        id: u64,
        /// Certify license INDEX of the work instead of the work.
        #[arg(long)]
        license: Option<u32>,
        /// Output file (standard output when omitted).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Verify a work or license certificate offline against the chain's genesis
    /// (exit 0 valid, 1 invalid, 2 could not verify).
    VerifyCert {
        /// Certificate JSON file.
        cert: PathBuf,
        /// The chain's genesis file; without it, the genesis is fetched once from the node at --rpc.
        #[arg(long)]
        genesis: Option<PathBuf>,
    },
}

/// Sends a copyright operation and returns the first event of its receipt with the tx hash.
async fn send(cli: &Cli, c: &Client, status: &Status, payload: Payload) -> anyhow::Result<(H256, u64, Event)> {
    let (tx_hash, r) = send_payload(cli, c, status, payload).await?;
    let event =
        r.receipt.events.first().cloned().ok_or_else(|| anyhow!("the receipt of {tx_hash} has no copyright event"))?;
    Ok((tx_hash, r.height, event))
}

pub async fn run(cli: &Cli, cmd: &CopyrightCmd) -> anyhow::Result<i32> {
    match cmd {
        CopyrightCmd::Register { file, title, work_type, author } => {
            let c = client(cli)?;
            let s = c.status().await?;
            let content_hash = hash_file(s.suite, file)?;
            let payload = Payload::Copyright(CopyrightCall::Register {
                content_hash,
                title: title.clone(),
                work_type: work_type.clone(),
                author: author.clone(),
            });
            let (tx_hash, height, event) = send(cli, &c, &s, payload).await?;
            let Event::Copyright(CopyrightEvent::Registered { id, owner, .. }) = event else {
                bail!("the receipt of {tx_hash} has no registration event")
            };
            emit(
                cli.json,
                &json!({"id": id, "content_hash": content_hash, "owner": owner, "tx_hash": tx_hash, "height": height}),
                || {
                    format!(
                        "registered work {id}\n  content hash  {content_hash}\n  owner         {}\n  tx            {tx_hash}\n  height        {height}",
                        owner.to_checksum()
                    )
                },
            );
            Ok(0)
        }
        CopyrightCmd::Transfer { id, to } => {
            let c = client(cli)?;
            let to = parse_address(to, "new owner")?;
            let (tx_hash, height, _) =
                send(cli, &c, &c.status().await?, Payload::Copyright(CopyrightCall::Transfer { work_id: *id, to }))
                    .await?;
            emit(cli.json, &json!({"id": id, "owner": to, "tx_hash": tx_hash, "height": height}), || {
                format!("work {id} now belongs to {}\n  tx      {tx_hash}\n  height  {height}", to.to_checksum())
            });
            Ok(0)
        }
        CopyrightCmd::License { id, licensee, exclusive, from, until, territory } => {
            let c = client(cli)?;
            let licensee = parse_address(licensee, "licensee")?;
            let start_ms = match from {
                Some(f) => parse_time_ms(f).context("--from")?,
                None => std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis() as u64)
                    .unwrap_or(0),
            };
            let end_ms = parse_time_ms(until).context("--until")?;
            let payload = Payload::Copyright(CopyrightCall::License {
                work_id: *id,
                licensee,
                exclusive: *exclusive,
                start_ms,
                end_ms,
                territory: territory.clone(),
            });
            let (tx_hash, height, event) = send(cli, &c, &c.status().await?, payload).await?;
            let Event::Copyright(CopyrightEvent::Licensed { index, .. }) = event else {
                bail!("the receipt of {tx_hash} has no license event")
            };
            emit(cli.json, &json!({"id": id, "index": index, "tx_hash": tx_hash, "height": height}), || {
                format!(
                    "granted license {index} on work {id} to {}\n  tx      {tx_hash}\n  height  {height}",
                    licensee.to_checksum()
                )
            });
            Ok(0)
        }
        CopyrightCmd::Show { id } => {
            let c = client(cli)?;
            let w = c.copyright_work(*id).await?;
            let l = c.copyright_licenses(*id).await?;
            emit(cli.json, &json!({"work": w, "licenses": l.licenses, "as_of_ms": l.as_of_ms}), || {
                let mut out = work_text(&w);
                for x in &l.licenses {
                    out.push_str("\n  ");
                    out.push_str(&license_text(&x.license, Some(x.in_force)));
                }
                out
            });
            Ok(0)
        }
        CopyrightCmd::Find { file } => {
            let c = client(cli)?;
            let content_hash = hash_file(c.status().await?.suite, file)?;
            match c.copyright_work_by_hash(&content_hash).await? {
                Some(w) => {
                    emit(cli.json, &json!({"found": true, "work": w}), || {
                        format!("REGISTERED: {} is\n{}", file.display(), work_text(&w))
                    });
                    Ok(0)
                }
                None => {
                    emit(cli.json, &json!({"found": false, "content_hash": content_hash}), || {
                        format!("NOT REGISTERED: no work has content hash {content_hash} ({})", file.display())
                    });
                    Ok(1)
                }
            }
        }
        CopyrightCmd::List { owner, after, limit } => {
            let c = client(cli)?;
            let who = address_or_signer(cli, &c, owner.as_deref(), "owner address").await?;
            let (works, next) = c.copyright_by_owner(&who, *after, *limit).await?;
            emit(cli.json, &json!({"owner": who, "works": works, "next_after": next}), || {
                let mut out = format!("{} work(s) owned by {}", works.len(), who.to_checksum());
                for w in &works {
                    out.push_str(&format!("\n  {:>6}  {}  {} ({})", w.id, w.content_hash, w.title, w.work_type));
                }
                if let Some(n) = next {
                    out.push_str(&format!("\n  … more: --after {n}"));
                }
                out
            });
            Ok(0)
        }
        CopyrightCmd::Cert { id, license, output } => {
            let c = client(cli)?;
            let cert = match license {
                Some(i) => c.copyright_license_certificate(*id, *i).await?,
                None => c.copyright_work_certificate(*id).await?,
            };
            record_cert::write(cli, &cert, output.as_ref(), json!({"work": id, "license": license}))
        }
        CopyrightCmd::VerifyCert { cert, genesis } => record_cert::verify(cli, cert, genesis.as_deref()).await,
    }
}
