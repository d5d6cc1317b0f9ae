//! A module's command-line side: its `hechain <module> …` subcommand and what each command
//! does, as a [`CliAction`] the `hechain` binary carries out (sign and submit, query, save a
//! certificate). The binary gathers every listed module's [`ModuleCli::cli`].

use std::path::PathBuf;

use crate::Module;

/// What a module command asks the CLI to do.
#[derive(Debug)]
pub enum CliAction<C> {
    /// Sign this call with the sender's key, submit it, wait for the receipt and print it.
    Submit(C),
    /// GET this path of the node's REST API (e.g. `/api/v1/invoices/3`) and print the JSON.
    Get(String),
    /// GET the certificate at this path and write it to `out`.
    SaveCertificate {
        /// REST path of the certificate.
        path: String,
        /// File to write.
        out: PathBuf,
    },
    /// Verify a saved record certificate offline against the chain's genesis (the file, or the
    /// node's when none is given): exit 0 valid, 1 invalid, 2 unverifiable.
    VerifyCertificate {
        /// The certificate file.
        file: PathBuf,
        /// The genesis file.
        genesis: Option<PathBuf>,
    },
}

/// A module's subcommand and the function that turns its parsed arguments into an action.
pub struct CliSpec<C> {
    /// The subcommand (`clap::Command::new(<module name>)` with its own subcommands).
    pub command: clap::Command,
    /// Maps the subcommand's matches to an action; `Err` is a usage error to print.
    pub action: fn(&clap::ArgMatches) -> Result<CliAction<C>, String>,
}

/// A module's command-line side.
pub trait ModuleCli: Module {
    /// The module's subcommand, if it has one (`None` while a module's commands are still the
    /// binary's own; see `docs/architecture.md`).
    fn cli() -> Option<CliSpec<Self::Call>>;
}
