//! `hechain tradedoc …`: register trade documents for financing, release them, look them up.

use std::path::PathBuf;

use clap::{FromArgMatches, Subcommand};
use hechain_module::cli::{perform, CliAction, CliError, CliFuture, CliHost, CliSpec};
use hechain_primitives::{Address, H256};

use crate::{DocType, TradedocCall};

/// Trade documents financed by banks (贸易单据登记): one live financing per document.
#[derive(Subcommand, Debug)]
enum Cmd {
    /// Register a document the sender (a bank) finances.
    Register {
        /// bill_of_lading, warehouse_receipt, invoice or contract.
        #[arg(long = "type", value_parser = DocType::parse)]
        doc_type: DocType,
        /// Issuer of the document (carrier, warehouse, seller).
        #[arg(long)]
        issuer: String,
        /// Document number.
        #[arg(long)]
        number: String,
        /// Hash of the document's content (0x, 32 bytes).
        #[arg(long)]
        content_hash: H256,
        /// Amount financed.
        #[arg(long)]
        amount: u128,
    },
    /// Release a registration once its financing is repaid (sender: the registering bank).
    Release {
        /// Registration id.
        id: u64,
    },
    /// Whether a document is financed now, and by whom.
    Lookup {
        /// bill_of_lading, warehouse_receipt, invoice or contract.
        #[arg(long = "type", value_parser = DocType::parse)]
        doc_type: DocType,
        /// Issuer.
        #[arg(long)]
        issuer: String,
        /// Number.
        #[arg(long)]
        number: String,
    },
    /// Show a registration.
    Get {
        /// Registration id.
        id: u64,
    },
    /// List a bank's registrations.
    ByBank {
        /// The bank.
        address: Address,
    },
    /// Save a registration's offline-verifiable certificate (check it with `hechain tradedoc verify-cert`).
    Certificate {
        /// Registration id.
        id: u64,
        /// File to write.
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Verify a saved certificate offline against the chain's genesis (exit 0 valid, 1 invalid,
    /// 2 unverifiable).
    VerifyCert {
        /// The certificate file.
        cert: PathBuf,
        /// The chain's genesis file (default: fetched from the node).
        #[arg(long)]
        genesis: Option<PathBuf>,
    },
}

/// The subcommand.
pub fn spec() -> CliSpec<crate::TradedocModule> {
    CliSpec {
        command: Cmd::augment_subcommands(
            clap::Command::new("tradedoc")
                .about("Trade documents financed by banks (贸易单据登记): one live financing per document")
                .subcommand_required(true),
        ),
        run,
    }
}

fn run<'a>(
    host: &'a dyn CliHost<crate::TradedocModule>,
    m: &'a clap::ArgMatches,
) -> CliFuture<'a, Result<i32, CliError>> {
    Box::pin(async move { perform(host, action(m).map_err(CliError::Usage)?).await })
}

pub(crate) fn action(m: &clap::ArgMatches) -> Result<CliAction<TradedocCall>, String> {
    Ok(match Cmd::from_arg_matches(m).map_err(|e| e.to_string())? {
        Cmd::Register { doc_type, issuer, number, content_hash, amount } => {
            CliAction::Submit(TradedocCall::Register { doc_type, issuer, number, content_hash, amount })
        }
        Cmd::Release { id } => CliAction::Submit(TradedocCall::Release { doc_id: id }),
        Cmd::Lookup { doc_type, issuer, number } => CliAction::Get(format!(
            "/api/v1/tradedocs/lookup?type={}&issuer={}&number={}",
            doc_type.name(),
            hechain_module::cli::url_component(&issuer),
            hechain_module::cli::url_component(&number)
        )),
        Cmd::Get { id } => CliAction::Get(format!("/api/v1/tradedocs/{id}")),
        Cmd::ByBank { address } => CliAction::Get(format!("/api/v1/tradedocs/by-bank/{address}")),
        Cmd::Certificate { id, out } => {
            CliAction::SaveCertificate { path: format!("/api/v1/tradedocs/{id}/certificate"), out }
        }
        Cmd::VerifyCert { cert, genesis } => CliAction::VerifyCertificate { file: cert, genesis },
    })
}
