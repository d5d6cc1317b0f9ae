//! A module's command-line side: its `hechain <module> …` subcommand and what each command
//! does. The binary gathers every listed module's [`ModuleCli::cli`] and runs a command with a
//! [`CliHost`]: the node (its REST API, signing and submitting calls), the signer, offline
//! certificate checks and output in the user's format (`--json` or text).
//!
//! A command that is one request — submit a call, print a REST answer, save or verify a
//! certificate — is a [`CliAction`], carried out by [`perform`]; a command with more to it
//! (hash a file with the chain's hash first, combine two answers, choose an exit code) is an
//! `async` block over the host.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use hechain_crypto::Suite;
use hechain_primitives::{Address, H256};
use serde_json::Value;

use crate::Module;

/// A command's future (the binary awaits it on its runtime).
pub type CliFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Why a command did not complete.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command line is wrong (printed as a usage error, exit 2).
    #[error("{0}")]
    Usage(String),
    /// Something failed on the way (the node, a file, a refused transaction; exit 1).
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    /// A failure with this message.
    pub fn failed(message: impl std::fmt::Display) -> Self {
        CliError::Failed(message.to_string())
    }
}

/// A call that committed.
#[derive(Debug)]
pub struct Submitted<E> {
    /// The transaction.
    pub tx_hash: H256,
    /// The block it committed in.
    pub height: u64,
    /// The module's events of its receipt.
    pub events: Vec<E>,
    /// Every event of its receipt (native transfers included), as JSON.
    pub all_events: Vec<Value>,
}

/// What a module command may use.
pub trait CliHost<M: Module> {
    /// The chain-wide facts of the stateless checks (the listed modules), to check a call before
    /// sending it.
    fn validate_context(&self) -> crate::ValidateContext<'static>;
    /// Prints a result: `json` under `--json`, `text` otherwise.
    fn emit(&self, json: &Value, text: &dyn Fn() -> String);
    /// The chain's suite, from the node (to hash a file the way the chain does).
    fn suite(&self) -> CliFuture<'_, Result<Suite, CliError>>;
    /// The signing account (`--key`).
    fn signer(&self) -> CliFuture<'_, Result<Address, CliError>>;
    /// Signs `msg` with the signer's key (statements signed off chain, such as a notary's
    /// attestation; see `hechain_crypto::AccountKey::sign` for the convention).
    fn sign_message<'a>(&'a self, msg: &'a [u8]) -> CliFuture<'a, Result<hechain_crypto::AccountSignature, CliError>>;
    /// A secret for `purpose` derived from the signer's key
    /// (`hechain_crypto::AccountKey::derive_secret`), e.g. a view key: the wallet needs nothing
    /// but the account key.
    fn derive_secret<'a>(&'a self, purpose: &'a str) -> CliFuture<'a, Result<zeroize::Zeroizing<[u8; 32]>, CliError>>;
    /// The time (ms) of the node's latest block: a default "now" that the chain agrees with.
    fn head_timestamp_ms(&self) -> CliFuture<'_, Result<u64, CliError>>;
    /// GET a REST path (`/api/v1/…`): its JSON; an error status is an error with the node's
    /// message.
    fn get<'a>(&'a self, path: &'a str) -> CliFuture<'a, Result<Value, CliError>>;
    /// Like [`get`](Self::get), but `None` when the node answers 404.
    fn find<'a>(&'a self, path: &'a str) -> CliFuture<'a, Result<Option<Value>, CliError>>;
    /// Signs the call with the signer's key, submits it and waits for it to commit; a refused or
    /// failed transaction is an error naming the reason.
    fn submit(&self, call: M::Call) -> CliFuture<'_, Result<Submitted<M::Event>, CliError>>;
    /// Signs the call with a fresh one-time key and fee 0, submits it and waits for it to commit,
    /// so that the transaction says nothing about who sent it. Only for calls exempt from the
    /// fee (`ModuleCall::fee_exempt`), such as anonymous votes.
    fn submit_anonymously(&self, call: M::Call) -> CliFuture<'_, Result<Submitted<M::Event>, CliError>>;
    /// GETs the certificate at `path` (a record certificate, or a format of the node's such as
    /// the evidence certificate) and writes it to `out` (standard output when `None`); `about`
    /// is what the JSON output reports besides the file. Returns the exit code.
    fn save_certificate<'a>(
        &'a self,
        path: &'a str,
        out: Option<&'a Path>,
        about: Value,
    ) -> CliFuture<'a, Result<i32, CliError>>;
    /// Verifies a saved certificate (of any format the node writes) offline against the chain's
    /// genesis (the file, or the node's when `None`) and prints the verdict: exit 0 valid,
    /// 1 invalid, 2 unverifiable.
    fn verify_certificate<'a>(
        &'a self,
        file: &'a Path,
        genesis: Option<&'a Path>,
    ) -> CliFuture<'a, Result<i32, CliError>>;
    /// Checks a saved record certificate offline like [`verify_certificate`](Self::verify_certificate)
    /// but prints nothing (unless it cannot be checked) and hands back the proven record, for
    /// checks of the module's own on top (say, disclosed fields against a certified record).
    fn check_certificate<'a>(
        &'a self,
        file: &'a Path,
        genesis: Option<&'a Path>,
    ) -> CliFuture<'a, Result<CertificateCheck<M::Record>, CliError>>;
}

/// What checking a saved record certificate offline found ([`CliHost::check_certificate`]).
#[derive(Debug)]
pub enum CertificateCheck<R> {
    /// It verifies: the record it proves (`None` when it is another module's, of kind `kind`)
    /// and the height of the block whose state holds it.
    Valid {
        /// The proven record, if it is this module's.
        record: Option<R>,
        /// The record's kind.
        kind: String,
        /// The block height.
        height: u64,
        /// The chain's suite (of the genesis it was checked against).
        suite: Suite,
    },
    /// It does not verify (or does not parse), for this reason.
    Invalid(String),
    /// It could not be checked (no genesis, node unreachable, file missing); the host has said
    /// why, and this is the exit code (2).
    Unverifiable(i32),
}

/// A command that is one request.
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

/// Carries out a [`CliAction`]: a submitted call prints its kind, transaction, height and
/// events; a GET prints the node's JSON.
pub async fn perform<M: Module>(host: &dyn CliHost<M>, action: CliAction<M::Call>) -> Result<i32, CliError> {
    match action {
        CliAction::Submit(call) => {
            let kind = crate::type_name(&call);
            let s = host.submit(call).await?;
            let json = serde_json::json!({"tx_hash": s.tx_hash, "height": s.height, "events": s.all_events});
            host.emit(&json, &|| {
                let lines: Vec<String> = s.all_events.iter().map(Value::to_string).collect();
                format!(
                    "{kind} committed\n  tx      {}\n  height  {}\n  events  {}",
                    s.tx_hash,
                    s.height,
                    lines.join("\n          ")
                )
            });
            Ok(0)
        }
        CliAction::Get(path) => {
            let v = host.get(&path).await?;
            println!("{}", serde_json::to_string_pretty(&v).map_err(CliError::failed)?);
            Ok(0)
        }
        CliAction::SaveCertificate { path, out } => {
            let about = serde_json::json!({"path": path});
            host.save_certificate(&path, Some(&out), about).await
        }
        CliAction::VerifyCertificate { file, genesis } => host.verify_certificate(&file, genesis.as_deref()).await,
    }
}

/// The function that runs a module's command: the host and the subcommand's matches in, the
/// exit code out.
pub type RunFn<M> = for<'a> fn(&'a dyn CliHost<M>, &'a clap::ArgMatches) -> CliFuture<'a, Result<i32, CliError>>;

/// A module's subcommand and the function that runs it.
pub struct CliSpec<M: Module> {
    /// The subcommand (`clap::Command::new(<module name>)` with its own subcommands).
    pub command: clap::Command,
    /// Runs a parsed command.
    pub run: RunFn<M>,
}

/// A module's command-line side.
pub trait ModuleCli: Module + Sized {
    /// The module's subcommand, if it has one (`None` while a module's commands are still the
    /// binary's own; see `docs/architecture.md`).
    fn cli() -> Option<CliSpec<Self>>;
}

/// Prints what a committed call did: `what`, its transaction and height (text), or the
/// transaction, height and every receipt event (`--json`). Returns exit code 0.
pub fn report<M: Module>(host: &dyn CliHost<M>, what: &str, s: &Submitted<M::Event>) -> i32 {
    let json = serde_json::json!({"tx_hash": s.tx_hash, "height": s.height, "events": s.all_events});
    host.emit(&json, &|| format!("{what}\n  tx      {}\n  height  {}", s.tx_hash, s.height));
    0
}

/// A `0x` hash, or the chain-suite hash of the file at that path; `what` names it in the error.
pub async fn hash_or_file<M: Module>(host: &dyn CliHost<M>, s: &str, what: &str) -> Result<H256, CliError> {
    match s.parse::<H256>() {
        Ok(h) => Ok(h),
        Err(_) => hash_file(host.suite().await?, Path::new(s))
            .map_err(|e| CliError::Failed(format!("{what} is neither a 0x hash nor a readable file: {e}"))),
    }
}

/// Parses an address argument; `what` names it in the error.
pub fn address(s: &str, what: &str) -> Result<Address, CliError> {
    s.parse().map_err(|e| CliError::Failed(format!("{what}: {e}")))
}

/// Parses a time argument (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SSZ` or ms); `what` names it.
pub fn time_ms(s: &str, what: &str) -> Result<u64, CliError> {
    hechain_primitives::display::parse_time_ms(s).map_err(|e| CliError::Failed(format!("{what}: {e}")))
}

/// The machine's clock in ms (a command-line default such as "starts now", never consensus).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// An address argument, or the signer's account when it is absent.
pub async fn address_or_signer<M: Module>(
    host: &dyn CliHost<M>,
    s: Option<&str>,
    what: &str,
) -> Result<Address, CliError> {
    match s {
        Some(a) => address(a, what),
        None => host.signer().await,
    }
}

/// A paged list's path: `base` with `limit` and, when given, `after` as query parameters.
pub fn page_path(base: &str, limit: usize, after: Option<u64>) -> String {
    match after {
        Some(a) => format!("{base}?limit={limit}&after={a}"),
        None => format!("{base}?limit={limit}"),
    }
}

pub use hechain_primitives::display::url_component;

/// Reads a file and hashes it with the chain's suite (its content never leaves the machine).
pub fn hash_file(suite: Suite, path: &Path) -> Result<H256, CliError> {
    let data = std::fs::read(path).map_err(|e| CliError::Failed(format!("reading {}: {e}", path.display())))?;
    Ok(H256(suite.hash(&data)))
}

/// Decodes a JSON answer of the node into `T`; `what` names it in the error.
pub fn decode<T: serde::de::DeserializeOwned>(v: Value, what: &str) -> Result<T, CliError> {
    serde_json::from_value(v).map_err(|e| CliError::Failed(format!("the node's {what} does not decode: {e}")))
}
