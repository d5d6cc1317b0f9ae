//! `hechain anon …`: ring keys, rings, anonymous polls and reports. The ring secret is derived
//! from the signing key (`--key`); votes and reports are sent from a fresh one-time account.

use std::path::PathBuf;

use clap::{FromArgMatches, Subcommand};
use hechain_module::cli::{
    decode, hash_or_file, perform, report, time_ms, CliAction, CliError, CliFuture, CliHost, CliSpec,
};
use hechain_primitives::{Address, H256};
use serde_json::json;

use crate::{exec, lsag, ring_secret, AnonCall, AnonModule, Poll, Ring, Scalar, RING_KEY_PURPOSE};

/// Anonymous but accountable signatures (环签名).
#[derive(Subcommand, Debug)]
enum Cmd {
    /// Print this account's public ring key.
    RingKey,
    /// Register this account's ring key, so that rings can include it.
    Register,
    /// Publish a ring of members (each must have registered a ring key).
    CreateRing {
        /// Name.
        #[arg(long)]
        name: String,
        /// Members, comma-separated addresses.
        #[arg(long, value_delimiter = ',', required = true)]
        members: Vec<Address>,
    },
    /// Open a poll among a ring's members (one anonymous vote each, public tally).
    CreatePoll {
        /// The ring.
        #[arg(long)]
        ring: u64,
        /// The question.
        #[arg(long)]
        title: String,
        /// The options, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        options: Vec<String>,
        /// Closes at this time (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SSZ` or ms).
        #[arg(long, conflicts_with = "closes_in")]
        closes: Option<String>,
        /// Closes this many seconds after the chain's latest block (default 86400).
        #[arg(long)]
        closes_in: Option<u64>,
    },
    /// Vote anonymously (signed as a member of the poll's ring, sent from a one-time account).
    Vote {
        /// The poll.
        poll: u64,
        /// The option: its index or its text.
        #[arg(long)]
        option: String,
    },
    /// Report evidence anonymously as a member of a ring, once per topic.
    Report {
        /// The ring.
        #[arg(long)]
        ring: u64,
        /// The topic.
        #[arg(long)]
        topic: String,
        /// The evidence: a 0x hash, or a file hashed here with the chain's hash (never uploaded).
        #[arg(long)]
        evidence: String,
    },
    /// A ring.
    Ring {
        /// Ring id.
        id: u64,
    },
    /// A poll and its tally.
    Poll {
        /// Poll id.
        id: u64,
    },
    /// The reports of a ring.
    Reports {
        /// Ring id.
        ring: u64,
    },
    /// Save a poll's (`--poll`) or a report's (`--report`) offline-verifiable certificate.
    Certificate {
        /// Poll id.
        #[arg(long, conflicts_with = "report", required_unless_present = "report")]
        poll: Option<u64>,
        /// Report id.
        #[arg(long)]
        report: Option<u64>,
        /// File to write.
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Verify a saved certificate offline (exit 0 valid, 1 invalid, 2 unverifiable).
    VerifyCert {
        /// The certificate file.
        cert: PathBuf,
        /// The chain's genesis file (default: fetched from the node).
        #[arg(long)]
        genesis: Option<PathBuf>,
    },
}

/// The subcommand.
pub fn spec() -> CliSpec<AnonModule> {
    CliSpec {
        command: Cmd::augment_subcommands(
            clap::Command::new("anon")
                .about(
                    "Anonymous but accountable signatures (环签名): rings, anonymous polls and reports, one per member",
                )
                .subcommand_required(true),
        ),
        run,
    }
}

type Host<'a> = &'a dyn CliHost<AnonModule>;

async fn my_secret(host: Host<'_>) -> Result<Scalar, CliError> {
    let derived = host.derive_secret(RING_KEY_PURPOSE).await?;
    Ok(ring_secret(&derived))
}

/// The signer's position in `ring`.
fn position(ring: &Ring, secret: &Scalar) -> Result<usize, CliError> {
    let key = lsag::public_key(secret);
    ring.keys.iter().position(|k| *k == key).ok_or_else(|| {
        CliError::Failed(format!("this account's ring key {key} is not in ring {} ({})", ring.id, ring.name))
    })
}

async fn get_ring(host: Host<'_>, id: u64) -> Result<Ring, CliError> {
    decode(host.get(&format!("/api/v1/anon/rings/{id}")).await?, "ring")
}

fn run<'a>(host: Host<'a>, m: &'a clap::ArgMatches) -> CliFuture<'a, Result<i32, CliError>> {
    Box::pin(async move {
        let action = match Cmd::from_arg_matches(m).map_err(|e| CliError::Usage(e.to_string()))? {
            Cmd::RingKey => {
                let key = lsag::public_key(&my_secret(host).await?);
                let me = host.signer().await?;
                host.emit(&json!({"account": me, "ring_key": key}), &|| format!("account   {me}\nring key  {key}"));
                return Ok(0);
            }
            Cmd::Register => {
                CliAction::Submit(AnonCall::RegisterKey { ring_key: lsag::public_key(&my_secret(host).await?) })
            }
            Cmd::CreateRing { name, members } => CliAction::Submit(AnonCall::CreateRing { name, members }),
            Cmd::CreatePoll { ring, title, options, closes, closes_in } => {
                let closes_at_ms = match closes {
                    Some(c) => time_ms(&c, "closes")?,
                    None => {
                        host.head_timestamp_ms().await?.saturating_add(closes_in.unwrap_or(86_400).saturating_mul(1000))
                    }
                };
                CliAction::Submit(AnonCall::CreatePoll { ring, title, options, closes_at_ms })
            }
            Cmd::Vote { poll, option } => {
                let p: Poll = decode(host.get(&format!("/api/v1/anon/polls/{poll}")).await?, "poll")?;
                let index = match option.parse::<u32>() {
                    Ok(i) => i,
                    Err(_) => p.options.iter().position(|o| *o == option).map(|i| i as u32).ok_or_else(|| {
                        CliError::Failed(format!(
                            "poll {poll} has no option {option:?} (options: {})",
                            p.options.join(", ")
                        ))
                    })?,
                };
                let ring = get_ring(host, p.ring).await?;
                let secret = my_secret(host).await?;
                let at = position(&ring, &secret)?;
                let topic = exec::poll_topic(&p.chain, poll);
                let (tag, sig) =
                    lsag::sign(&ring.keys, (at, &secret), &topic, &exec::vote_message(index), &mut rand_core::OsRng)
                        .map_err(CliError::failed)?;
                let s = host
                    .submit_anonymously(AnonCall::Vote { poll, option: index, tag, signature: sig.to_bytes() })
                    .await?;
                return Ok(report(
                    host,
                    &format!("voted {:?} in poll {poll}, anonymously (link tag {tag})", p.options[index as usize]),
                    &s,
                ));
            }
            Cmd::Report { ring, topic, evidence } => {
                let content_hash: H256 = hash_or_file(host, &evidence, "--evidence").await?;
                let r = get_ring(host, ring).await?;
                let secret = my_secret(host).await?;
                let at = position(&r, &secret)?;
                let t = exec::report_topic(&r.chain, ring, &topic);
                let (tag, sig) = lsag::sign(&r.keys, (at, &secret), &t, &content_hash.0, &mut rand_core::OsRng)
                    .map_err(CliError::failed)?;
                let call = AnonCall::Report { ring, topic, content_hash, tag, signature: sig.to_bytes() };
                let s = host.submit_anonymously(call).await?;
                return Ok(report(host, &format!("reported anonymously to ring {ring} (link tag {tag})"), &s));
            }
            Cmd::Ring { id } => CliAction::Get(format!("/api/v1/anon/rings/{id}")),
            Cmd::Poll { id } => CliAction::Get(format!("/api/v1/anon/polls/{id}")),
            Cmd::Reports { ring } => CliAction::Get(format!("/api/v1/anon/rings/{ring}/reports")),
            Cmd::Certificate { poll, report, out } => {
                let path = match (poll, report) {
                    (Some(p), _) => format!("/api/v1/anon/polls/{p}/certificate"),
                    (None, Some(r)) => format!("/api/v1/anon/reports/{r}/certificate"),
                    (None, None) => return Err(CliError::Usage("give --poll or --report".into())),
                };
                CliAction::SaveCertificate { path, out }
            }
            Cmd::VerifyCert { cert, genesis } => CliAction::VerifyCertificate { file: cert, genesis },
        };
        perform(host, action).await
    })
}
