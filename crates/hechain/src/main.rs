//! `hechain`: the node, the command-line client and the benchmark tool in one binary.
//!
//! Global options: `--rpc URL` (default `http://127.0.0.1:8545`), `--key KEY`
//! / `HECHAIN_KEY` (a private key in hex, a keystore file, or the address of
//! a key in the keystore directory), `--json` for machine-readable output.

mod bench;
mod bench_confidential;
mod bench_consensus;
mod bench_erc20;
mod bench_load;
mod bench_xchain;
mod cmd_chain;
mod cmd_contract;
mod cmd_dev;
mod cmd_key;
mod cmd_net;
mod cmd_relay;
mod modules_cli;
mod output;
mod record_cert;

use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// hechain — a consortium blockchain: BFT consensus, national cryptography, evidence services.
#[derive(Parser, Debug)]
#[command(name = "hechain", version, about, propagate_version = true, subcommand_required = true)]
pub struct Cli {
    /// Node API URL [default: http://127.0.0.1:8545].
    #[arg(long, global = true, env = "HECHAIN_RPC")]
    pub rpc: Option<String>,
    /// Signing key: hex private key, keystore file, or address of a key in the keystore directory.
    /// On a dev chain (chain id 1337) the first dev account is used when no key is given.
    #[arg(long, global = true, env = "HECHAIN_KEY", hide_env_values = true)]
    pub key: Option<String>,
    /// Keystore directory.
    #[arg(long, global = true, env = "HECHAIN_KEYSTORE")]
    pub keystore: Option<PathBuf>,
    /// Print JSON instead of human-readable text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Log format on standard error: `text`, or `json` (one JSON object per line, for log
    /// collectors).
    #[arg(long, global = true, env = "HECHAIN_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
    /// The command (`None` for a module's own command, see [`modules_cli`]).
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a single-node development chain with funded, well-known accounts.
    Dev(cmd_dev::DevArgs),
    /// Write a local consortium: org CAs, node keys and TLS certificates, genesis, node configs.
    Init(cmd_net::InitArgs),
    /// Run one node from its configuration file (as written by `init`).
    Start {
        /// Node configuration file.
        #[arg(long)]
        config: PathBuf,
    },
    /// Run, stop and inspect all nodes of an `init` directory.
    #[command(subcommand)]
    Net(cmd_net::NetCmd),
    /// Manage account keys (encrypted keystore files).
    #[command(subcommand)]
    Key(cmd_key::KeyCmd),
    /// Transfer native balance to an address.
    Transfer {
        /// Recipient address.
        to: String,
        /// Amount in the smallest unit (decimal or 0x hex).
        amount: String,
    },
    /// Show the chain status.
    Status,
    /// Show a block (latest when no height or hash is given).
    Block {
        /// Height or 0x block hash.
        id: Option<String>,
        /// Include full transactions.
        #[arg(long)]
        full: bool,
    },
    /// Show a transaction and its receipt.
    Tx {
        /// Transaction hash.
        hash: String,
    },
    /// Show an account's nonce and balance.
    Account {
        /// Address (default: the --key account).
        address: Option<String>,
    },
    /// Solidity contracts: deploy an artifact, call or send to a function by its signature.
    #[command(subcommand)]
    Contract(cmd_contract::ContractCmd),
    /// Cross-chain relayer: connect two chains, relay packets between them, recognise records.
    #[command(subcommand)]
    Relay(cmd_relay::RelayCmd),
    /// Load generators that print throughput and latency.
    #[command(subcommand)]
    Bench(bench::BenchCmd),
}

/// API URL used when `--rpc` is not given.
pub const DEFAULT_RPC: &str = "http://127.0.0.1:8545";

impl Cli {
    /// The node API URL.
    pub fn rpc_url(&self) -> &str {
        self.rpc.as_deref().unwrap_or(DEFAULT_RPC)
    }
}

/// What to say when the client option `--rpc` is given on the command line to a command that
/// runs or writes nodes and does not use it: `Err` (refused) for `dev`, where it is a trap (the
/// listen address is `--rpc-addr`), `Ok` (a warning) for `init`, `start` and `net`, whose
/// addresses come from their own flags or configuration files (scripts that pass `--rpc` to every
/// command keep working).
fn rpc_misuse(command: &Command, url: &str) -> Option<Result<String, String>> {
    let what = match command {
        Command::Dev(_) => {
            // The listen address the user probably meant.
            let hostport = url.split("://").last().unwrap_or(url).split('/').next().unwrap_or_default();
            let hint =
                hostport.parse::<std::net::SocketAddr>().map(|a| a.to_string()).unwrap_or("127.0.0.1:8546".into());
            return Some(Err(format!(
                "--rpc is the client option (the URL of a node to talk to) and `hechain dev` does not use it; \
                 choose where the dev chain listens with --rpc-addr, e.g. `hechain dev --rpc-addr {hint}`"
            )));
        }
        Command::Init(_) => {
            "`hechain init` writes node configurations; their API addresses come from --host and \
                             --rpc-port (node i listens on PORT+i)"
        }
        Command::Start { .. } => "`hechain start` listens where its configuration file says (rpc_addr)",
        Command::Net(_) => "`hechain net` finds each node's API address in its configuration file (rpc_addr)",
        _ => return None,
    };
    Some(Ok(format!("--rpc is the client option (the URL of a node to talk to) and is ignored here: {what}")))
}

/// The whole command line: the binary's own commands and every listed module's.
fn full_command() -> clap::Command {
    let mut command = Cli::command();
    for module in modules_cli::commands() {
        command = command.subcommand(module);
    }
    command
}

fn main() {
    let mut matches = full_command().get_matches();
    // A module's own command (`hechain invoice …`): its name and matches, and the global options alone.
    let module_command = if matches.subcommand_name().is_some_and(modules_cli::is_module_command) {
        matches.remove_subcommand()
    } else {
        None
    };
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if matches.value_source("rpc") == Some(clap::parser::ValueSource::CommandLine) {
        match cli.command.as_ref().and_then(|c| rpc_misuse(c, cli.rpc_url())) {
            Some(Err(msg)) => Cli::command().error(clap::error::ErrorKind::ArgumentConflict, msg).exit(),
            Some(Ok(warning)) => eprintln!("warning: {warning}"),
            None => {}
        }
    }
    let filter = tracing_subscriber::EnvFilter::try_from_env("HECHAIN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,hechain=info"));
    use std::io::IsTerminal;
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if cli.log_format == "json" {
        logs.json().with_current_span(false).init();
    } else {
        logs.with_ansi(std::io::stderr().is_terminal()).init();
    }
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(2);
        }
    };
    let code = match rt.block_on(async {
        match &module_command {
            Some((name, sub)) => match modules_cli::run(&cli, name, sub).await {
                Some(Ok(code)) => Ok(code),
                Some(Err(hechain_module::cli::CliError::Usage(msg))) => {
                    Cli::command().error(clap::error::ErrorKind::ValueValidation, msg).exit()
                }
                Some(Err(hechain_module::cli::CliError::Failed(msg))) => Err(anyhow::anyhow!(msg)),
                None => Err(anyhow::anyhow!("no module has the command {name}")),
            },
            None => run(cli).await,
        }
    }) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            1
        }
    };
    std::process::exit(code);
}

async fn run(cli: Cli) -> anyhow::Result<i32> {
    let Some(command) = &cli.command else {
        anyhow::bail!("no command given (see `hechain --help`)");
    };
    match command {
        Command::Dev(args) => cmd_dev::run(&cli, args).await,
        Command::Init(args) => cmd_net::init(&cli, args),
        Command::Start { config } => cmd_net::start(&cli, config).await,
        Command::Net(n) => cmd_net::run(&cli, n).await,
        Command::Key(k) => cmd_key::run(&cli, k).await,
        Command::Transfer { to, amount } => cmd_chain::transfer(&cli, to, amount).await,
        Command::Status => cmd_chain::status(&cli).await,
        Command::Block { id, full } => cmd_chain::block(&cli, id.as_deref(), *full).await,
        Command::Tx { hash } => cmd_chain::tx(&cli, hash).await,
        Command::Account { address } => cmd_chain::account(&cli, address.as_deref()).await,
        Command::Contract(c) => cmd_contract::run(&cli, c).await,
        Command::Relay(r) => cmd_relay::run(&cli, r).await,
        Command::Bench(b) => bench::run(&cli, b).await,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        // Every command, the modules' included: no clashing names, flags or argument groups.
        super::full_command().debug_assert();
    }
}
