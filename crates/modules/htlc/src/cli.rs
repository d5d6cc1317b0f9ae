//! `hechain htlc …`: lock, claim and refund hash time-locked contracts; make a secret.

use std::path::PathBuf;

use clap::{FromArgMatches, Subcommand};
use hechain_module::cli::{perform, time_ms, CliAction, CliError, CliFuture, CliHost, CliSpec};
use hechain_primitives::{Address, H256};
use serde_json::json;

use crate::{hash_lock, HtlcCall, HtlcModule};

/// Hash time-locked contracts (哈希锁定) for atomic swaps.
#[derive(Subcommand, Debug)]
enum Cmd {
    /// Print a new random secret and its hash lock (keep the secret until you claim).
    Secret,
    /// Lock native tokens for a receiver under a hash lock until a deadline.
    Lock {
        /// Who may claim.
        #[arg(long)]
        to: Address,
        /// Amount (smallest unit).
        #[arg(long)]
        amount: u128,
        /// The hash lock (SHA-256 of the secret), as the other side of the swap published it.
        #[arg(long)]
        hash: H256,
        /// Refundable from this time on (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SSZ` or ms).
        #[arg(long, conflicts_with = "deadline_in")]
        deadline: Option<String>,
        /// Refundable this many seconds after the chain's latest block (default 3600).
        #[arg(long)]
        deadline_in: Option<u64>,
    },
    /// Claim a lock with its secret (the tokens go to the lock's receiver).
    Claim {
        /// Lock id.
        id: u64,
        /// The secret.
        #[arg(long)]
        secret: H256,
    },
    /// Take back a lock whose deadline has passed (its sender).
    Refund {
        /// Lock id.
        id: u64,
    },
    /// A lock and where it stands.
    Get {
        /// Lock id.
        id: u64,
    },
    /// The locks under a hash lock.
    ByHash {
        /// The hash lock.
        hash: H256,
    },
    /// Save a lock's offline-verifiable certificate.
    Certificate {
        /// Lock id.
        id: u64,
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
pub fn spec() -> CliSpec<HtlcModule> {
    CliSpec {
        command: Cmd::augment_subcommands(
            clap::Command::new("htlc")
                .about("Hash time-locked contracts (哈希锁定): lock, claim with the secret, refund after the deadline")
                .subcommand_required(true),
        ),
        run,
    }
}

fn run<'a>(host: &'a dyn CliHost<HtlcModule>, m: &'a clap::ArgMatches) -> CliFuture<'a, Result<i32, CliError>> {
    Box::pin(async move {
        let action = match Cmd::from_arg_matches(m).map_err(|e| CliError::Usage(e.to_string()))? {
            Cmd::Secret => {
                let secret = H256(*hechain_crypto::random_secret().map_err(CliError::failed)?);
                let hash = hash_lock(&secret);
                host.emit(&json!({"secret": secret, "hash_lock": hash}), &|| {
                    format!("secret     {secret}   (keep it until you claim)\nhash lock  {hash}")
                });
                return Ok(0);
            }
            Cmd::Lock { to, amount, hash, deadline, deadline_in } => {
                let deadline_ms = match deadline {
                    Some(d) => time_ms(&d, "deadline")?,
                    None => {
                        host.head_timestamp_ms().await?.saturating_add(deadline_in.unwrap_or(3600).saturating_mul(1000))
                    }
                };
                CliAction::Submit(HtlcCall::Lock { receiver: to, hash_lock: hash, deadline_ms, amount })
            }
            Cmd::Claim { id, secret } => CliAction::Submit(HtlcCall::Claim { id, preimage: secret }),
            Cmd::Refund { id } => CliAction::Submit(HtlcCall::Refund { id }),
            Cmd::Get { id } => CliAction::Get(format!("/api/v1/htlc/{id}")),
            Cmd::ByHash { hash } => CliAction::Get(format!("/api/v1/htlc/by-hash/{hash}")),
            Cmd::Certificate { id, out } => {
                CliAction::SaveCertificate { path: format!("/api/v1/htlc/{id}/certificate"), out }
            }
            Cmd::VerifyCert { cert, genesis } => CliAction::VerifyCertificate { file: cert, genesis },
        };
        perform(host, action).await
    })
}
