//! `hechain invoice …`: issue, verify, reimburse, cancel, list and certify e-invoices.

use std::path::PathBuf;

use clap::{FromArgMatches, Subcommand};
use hechain_module::cli::{perform, CliAction, CliError, CliFuture, CliHost, CliSpec};
use hechain_primitives::{Address, H256};

use crate::InvoiceCall;

/// E-invoices (电子发票): issue, verify, reimburse once, cancel red-letter.
#[derive(Subcommand, Debug)]
enum Cmd {
    /// Authorise an account to issue invoices (sender: a governance committee member).
    AuthorizeIssuer {
        /// The issuer's account.
        issuer: Address,
        /// Its name.
        #[arg(long)]
        name: String,
        /// Hash of its tax id (0x, 32 bytes: the chain suite's hash of the id text).
        #[arg(long)]
        tax_id_hash: H256,
    },
    /// Withdraw an issuer's authorisation (sender: a committee member).
    RevokeIssuer {
        /// The issuer's account.
        issuer: Address,
    },
    /// Issue an invoice (sender: an authorised issuer).
    Issue {
        /// Invoice code (发票代码).
        #[arg(long)]
        code: String,
        /// Invoice number (发票号码).
        #[arg(long)]
        number: String,
        /// The buyer's account.
        #[arg(long)]
        buyer: Address,
        /// Hash of the buyer's tax id.
        #[arg(long)]
        buyer_tax_id_hash: H256,
        /// Amount before tax, in fen (0.01 CNY).
        #[arg(long)]
        amount: u128,
        /// Tax, in fen.
        #[arg(long, default_value_t = 0)]
        tax: u128,
        /// Date of issue (ms since the Unix epoch).
        #[arg(long)]
        issued_on_ms: u64,
        /// Hash of the line items document.
        #[arg(long)]
        items_hash: H256,
    },
    /// Verify an invoice by code and number (anyone).
    Verify {
        /// Invoice code.
        #[arg(long)]
        code: String,
        /// Invoice number.
        #[arg(long)]
        number: String,
    },
    /// Show an invoice.
    Get {
        /// Invoice id.
        id: u64,
    },
    /// Record the one reimbursement of an invoice (sender: the reimbursing organisation).
    Reimburse {
        /// Invoice id.
        id: u64,
        /// The organisation's name.
        #[arg(long)]
        org: String,
        /// Its claim reference.
        #[arg(long)]
        claim_ref: String,
    },
    /// Cancel an invoice red-letter (sender: its issuer).
    Cancel {
        /// Invoice id.
        id: u64,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// List an issuer's invoices.
    ByIssuer {
        /// The issuer.
        address: Address,
    },
    /// List a buyer's invoices.
    ByBuyer {
        /// The buyer.
        address: Address,
    },
    /// Save an invoice's offline-verifiable certificate (check it with `hechain invoice verify-cert`).
    Certificate {
        /// Invoice id.
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
pub fn spec() -> CliSpec<crate::InvoiceModule> {
    CliSpec {
        command: Cmd::augment_subcommands(
            clap::Command::new("invoice")
                .about("E-invoices (电子发票): issue, verify, reimburse once, cancel red-letter")
                .subcommand_required(true),
        ),
        run,
    }
}

fn run<'a>(
    host: &'a dyn CliHost<crate::InvoiceModule>,
    m: &'a clap::ArgMatches,
) -> CliFuture<'a, Result<i32, CliError>> {
    Box::pin(async move { perform(host, action(m).map_err(CliError::Usage)?).await })
}

pub(crate) fn action(m: &clap::ArgMatches) -> Result<CliAction<InvoiceCall>, String> {
    Ok(match Cmd::from_arg_matches(m).map_err(|e| e.to_string())? {
        Cmd::AuthorizeIssuer { issuer, name, tax_id_hash } => {
            CliAction::Submit(InvoiceCall::AuthorizeIssuer { issuer, name, tax_id_hash })
        }
        Cmd::RevokeIssuer { issuer } => CliAction::Submit(InvoiceCall::RevokeIssuer { issuer }),
        Cmd::Issue { code, number, buyer, buyer_tax_id_hash, amount, tax, issued_on_ms, items_hash } => {
            CliAction::Submit(InvoiceCall::Issue {
                code,
                number,
                buyer,
                buyer_tax_id_hash,
                amount,
                tax,
                issued_on_ms,
                items_hash,
            })
        }
        Cmd::Verify { code, number } => {
            crate::validate_code("code", &code).map_err(|e| e.to_string())?;
            crate::validate_code("number", &number).map_err(|e| e.to_string())?;
            CliAction::Get(format!("/api/v1/invoices/verify?code={code}&number={number}"))
        }
        Cmd::Get { id } => CliAction::Get(format!("/api/v1/invoices/{id}")),
        Cmd::Reimburse { id, org, claim_ref } => {
            CliAction::Submit(InvoiceCall::Reimburse { invoice_id: id, org, claim_ref })
        }
        Cmd::Cancel { id, reason } => CliAction::Submit(InvoiceCall::Cancel { invoice_id: id, reason }),
        Cmd::ByIssuer { address } => CliAction::Get(format!("/api/v1/invoices/by-issuer/{address}")),
        Cmd::ByBuyer { address } => CliAction::Get(format!("/api/v1/invoices/by-buyer/{address}")),
        Cmd::Certificate { id, out } => {
            CliAction::SaveCertificate { path: format!("/api/v1/invoices/{id}/certificate"), out }
        }
        Cmd::VerifyCert { cert, genesis } => CliAction::VerifyCertificate { file: cert, genesis },
    })
}
