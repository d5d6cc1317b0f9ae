//! `hechain copyright …`: copyright registration (版权): register works, transfer them, grant
//! licenses, query, and export/verify offline certificates.

use std::path::PathBuf;

use clap::{FromArgMatches, Subcommand};
use hechain_module::cli::{
    address, address_or_signer, decode, hash_file, now_ms, page_path, time_ms, CliError, CliFuture, CliHost, CliSpec,
};
use serde_json::json;

use crate::views::{CopyrightLicenses, CopyrightWorkPage};
use crate::{license_text, work_text, CopyrightCall, CopyrightEvent, CopyrightModule, CopyrightWork};

/// Copyright (版权): register works, transfer them, grant licenses, export and check certificates.
#[derive(Subcommand, Debug)]
enum Cmd {
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

/// The subcommand.
pub fn spec() -> CliSpec<CopyrightModule> {
    CliSpec {
        command: Cmd::augment_subcommands(
            clap::Command::new("copyright")
                .about("Copyright (版权): register works, transfer them, grant licenses, export and check certificates")
                .subcommand_required(true),
        ),
        run,
    }
}

type Host<'a> = &'a dyn CliHost<CopyrightModule>;

fn run<'a>(host: Host<'a>, m: &'a clap::ArgMatches) -> CliFuture<'a, Result<i32, CliError>> {
    Box::pin(async move {
        match Cmd::from_arg_matches(m).map_err(|e| CliError::Usage(e.to_string()))? {
            Cmd::Register { file, title, work_type, author } => register(host, file, title, work_type, author).await,
            Cmd::Transfer { id, to } => {
                let to = address(&to, "new owner")?;
                let s = host.submit(CopyrightCall::Transfer { work_id: id, to }).await?;
                host.emit(&json!({"id": id, "owner": to, "tx_hash": s.tx_hash, "height": s.height}), &|| {
                    format!(
                        "work {id} now belongs to {}\n  tx      {}\n  height  {}",
                        to.to_checksum(),
                        s.tx_hash,
                        s.height
                    )
                });
                Ok(0)
            }
            Cmd::License { id, licensee, exclusive, from, until, territory } => {
                let licensee = address(&licensee, "licensee")?;
                let start_ms = match from {
                    Some(f) => time_ms(&f, "--from")?,
                    None => now_ms(),
                };
                let end_ms = time_ms(&until, "--until")?;
                let call = CopyrightCall::License { work_id: id, licensee, exclusive, start_ms, end_ms, territory };
                let s = host.submit(call).await?;
                let Some(index) = s.events.iter().find_map(|e| match e {
                    CopyrightEvent::Licensed { index, .. } => Some(*index),
                    CopyrightEvent::Registered { .. } | CopyrightEvent::Transferred { .. } => None,
                }) else {
                    return Err(CliError::Failed(format!("the receipt of {} has no license event", s.tx_hash)));
                };
                host.emit(&json!({"id": id, "index": index, "tx_hash": s.tx_hash, "height": s.height}), &|| {
                    format!(
                        "granted license {index} on work {id} to {}\n  tx      {}\n  height  {}",
                        licensee.to_checksum(),
                        s.tx_hash,
                        s.height
                    )
                });
                Ok(0)
            }
            Cmd::Show { id } => {
                let w: CopyrightWork = decode(host.get(&format!("/api/v1/copyright/works/{id}")).await?, "work")?;
                let l: CopyrightLicenses =
                    decode(host.get(&format!("/api/v1/copyright/works/{id}/licenses")).await?, "licenses")?;
                host.emit(&json!({"work": w, "licenses": l.licenses, "as_of_ms": l.as_of_ms}), &|| {
                    let mut out = work_text(&w);
                    for x in &l.licenses {
                        out.push_str("\n  ");
                        out.push_str(&license_text(&x.license, Some(x.in_force)));
                    }
                    out
                });
                Ok(0)
            }
            Cmd::Find { file } => {
                let content_hash = hash_file(host.suite().await?, &file)?;
                match host.find(&format!("/api/v1/copyright/works/by-hash/{content_hash}")).await? {
                    Some(v) => {
                        let w: CopyrightWork = decode(v, "work")?;
                        host.emit(&json!({"found": true, "work": w}), &|| {
                            format!("REGISTERED: {} is\n{}", file.display(), work_text(&w))
                        });
                        Ok(0)
                    }
                    None => {
                        host.emit(&json!({"found": false, "content_hash": content_hash}), &|| {
                            format!("NOT REGISTERED: no work has content hash {content_hash} ({})", file.display())
                        });
                        Ok(1)
                    }
                }
            }
            Cmd::List { owner, after, limit } => {
                let who = address_or_signer(host, owner.as_deref(), "owner address").await?;
                let path = page_path(&format!("/api/v1/copyright/by-owner/{who}"), limit, after);
                let page: CopyrightWorkPage = decode(host.get(&path).await?, "work list")?;
                let (works, next) = (page.works, page.next_after);
                host.emit(&json!({"owner": who, "works": works, "next_after": next}), &|| {
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
            Cmd::Cert { id, license, output } => {
                let path = match license {
                    Some(i) => format!("/api/v1/copyright/works/{id}/licenses/{i}/certificate"),
                    None => format!("/api/v1/copyright/works/{id}/certificate"),
                };
                host.save_certificate(&path, output.as_deref(), json!({"work": id, "license": license})).await
            }
            Cmd::VerifyCert { cert, genesis } => host.verify_certificate(&cert, genesis.as_deref()).await,
        }
    })
}

async fn register(
    host: Host<'_>,
    file: PathBuf,
    title: String,
    work_type: String,
    author: String,
) -> Result<i32, CliError> {
    let content_hash = hash_file(host.suite().await?, &file)?;
    let s = host.submit(CopyrightCall::Register { content_hash, title, work_type, author }).await?;
    let Some((id, owner)) = s.events.iter().find_map(|e| match e {
        CopyrightEvent::Registered { id, owner, .. } => Some((*id, *owner)),
        CopyrightEvent::Transferred { .. } | CopyrightEvent::Licensed { .. } => None,
    }) else {
        return Err(CliError::Failed(format!("the receipt of {} has no registration event", s.tx_hash)));
    };
    let json =
        json!({"id": id, "content_hash": content_hash, "owner": owner, "tx_hash": s.tx_hash, "height": s.height});
    host.emit(&json, &|| {
        format!(
            "registered work {id}\n  content hash  {content_hash}\n  owner         {}\n  tx            {}\n  height        {}",
            owner.to_checksum(),
            s.tx_hash,
            s.height
        )
    });
    Ok(0)
}
