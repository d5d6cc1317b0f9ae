//! `hechain xchain …`: cross-chain transfers, channels, clients, vouchers and recognitions on one
//! chain. What needs both chains (registering clients, opening channels, relaying, recognising
//! a record) is `hechain relay …`.

use std::path::PathBuf;

use clap::{FromArgMatches, Subcommand};
use hechain_module::cli::{
    address_or_signer, decode, perform, url_component, CliAction, CliError, CliFuture, CliHost, CliSpec,
};
use hechain_primitives::{Address, Codec, H256};
use serde_json::json;

use crate::notary::{setting_key, statement, validate_network, NotaryCommittee as Committee};
use crate::{CrosschainCall, CrosschainModule, Ordering, NATIVE_DENOM};

/// Default timeout of a transfer: ten minutes of the other chain's time.
const DEFAULT_TIMEOUT_MS: u64 = 10 * 60 * 1000;

/// Cross-chain (跨链): transfers, channels, light clients, vouchers, recognised records.
#[derive(Subcommand, Debug)]
enum Cmd {
    /// Send tokens to an account on the other chain of a `transfer` channel: the native token is
    /// escrowed here, a voucher going home is burned.
    Transfer {
        /// The channel.
        #[arg(long)]
        channel: u64,
        /// The receiver on the other chain.
        #[arg(long)]
        to: Address,
        /// Amount (smallest unit).
        #[arg(long)]
        amount: u128,
        /// `native`, or a voucher's denomination (`xc/<channel>/native`).
        #[arg(long, default_value = NATIVE_DENOM)]
        denom: String,
        /// Refused on the other chain from this height of it on.
        #[arg(long)]
        timeout_height: Option<u64>,
        /// Refused on the other chain this many seconds after this chain's latest block (default
        /// 600 when no timeout height is given).
        #[arg(long)]
        timeout_secs: Option<u64>,
    },
    /// A light client of another chain.
    Client {
        /// Client id.
        id: u64,
    },
    /// A channel.
    Channel {
        /// Channel id.
        id: u64,
    },
    /// Packets sent on a channel and not yet acknowledged or timed out.
    Packets {
        /// Channel id.
        channel: u64,
    },
    /// Whether a packet was received on a channel here, and its acknowledgement.
    Receipt {
        /// Channel id.
        channel: u64,
        /// Packet sequence.
        sequence: u64,
    },
    /// An account's balance of a cross-chain voucher (default: the signer's).
    Voucher {
        /// The holder.
        address: Option<String>,
        /// The voucher's denomination (`xc/<channel>/native`).
        #[arg(long)]
        denom: String,
    },
    /// Start opening a channel from your own port (`0x` and your address in lowercase hex) to a
    /// port on the chain of a client; `hechain relay connect --channel <id>` finishes it.
    PortOpen {
        /// The client of the other chain.
        #[arg(long)]
        client: u64,
        /// The port there.
        #[arg(long)]
        to_port: String,
        /// Deliver in sequence order.
        #[arg(long)]
        ordered: bool,
        /// Version agreed with the other port's owner.
        #[arg(long)]
        channel_version: String,
    },
    /// Consent, for your own port, to answer one opening from a port of the chain of a client.
    PortApprove {
        /// The client of the other chain.
        #[arg(long)]
        client: u64,
        /// The port there that will open the channel.
        #[arg(long)]
        from_port: String,
        /// The version it will ask for.
        #[arg(long)]
        channel_version: String,
    },
    /// Send a packet from your own port on one of its open channels.
    PortSend {
        /// The channel.
        #[arg(long)]
        channel: u64,
        /// The payload, 0x hex.
        #[arg(long)]
        payload: String,
        /// Refused on the other chain from this height of it on.
        #[arg(long)]
        timeout_height: Option<u64>,
        /// Refused on the other chain this many seconds after this chain's latest block (default
        /// 600 when no timeout height is given).
        #[arg(long)]
        timeout_secs: Option<u64>,
    },
    /// Take a received packet out of the inbox of one of your port's channels.
    PortConsume {
        /// The channel.
        #[arg(long)]
        channel: u64,
        /// The packet's sequence.
        #[arg(long)]
        sequence: u64,
    },
    /// A packet of a channel here: pending, its outcome (account ports), received, waiting in an
    /// account port's inbox.
    Packet {
        /// Channel id.
        channel: u64,
        /// Packet sequence.
        sequence: u64,
    },
    /// Close a channel (its owner); packets in flight then time out on close.
    Close {
        /// Channel id.
        channel: u64,
    },
    /// A record of another chain recognised here.
    Recognition {
        /// Recognition id.
        id: u64,
    },
    /// Save a recognition's offline-verifiable certificate.
    Certificate {
        /// Recognition id.
        id: u64,
        /// File to write.
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Print the governance setting value of a notary committee of an external network, and the
    /// proposal that sets it.
    NotaryCommittee {
        /// The external network (e.g. `eth-mainnet`).
        #[arg(long)]
        network: String,
        /// Signatures needed (m).
        #[arg(long)]
        threshold: u32,
        /// A notary account (repeat for each of the n).
        #[arg(long = "notary", required = true)]
        notaries: Vec<Address>,
    },
    /// Sign, as a notary, that an event of an external network says `payload` (for this chain);
    /// prints the signature to hand to whoever submits the attestation.
    NotarySign {
        /// The external network.
        #[arg(long)]
        network: String,
        /// The event's id there (e.g. its transaction hash and log index).
        #[arg(long)]
        event_id: String,
        /// What the event says, 0x hex.
        #[arg(long)]
        payload: String,
    },
    /// Submit an external event with its notaries' signatures.
    NotaryAttest {
        /// The external network.
        #[arg(long)]
        network: String,
        /// The event's id there.
        #[arg(long)]
        event_id: String,
        /// What the event says, 0x hex.
        #[arg(long)]
        payload: String,
        /// A notary's signature as `notary-sign` printed it (repeat for each).
        #[arg(long = "signature", required = true)]
        signatures: Vec<String>,
    },
    /// An external event accepted here on its notaries' word.
    Attestation {
        /// The external network.
        network: String,
        /// The event's id there.
        event_id: String,
    },
    /// Verify a saved certificate offline against this chain's genesis (exit 0 valid, 1
    /// invalid, 2 unverifiable).
    VerifyCert {
        /// The certificate file.
        cert: PathBuf,
        /// The chain's genesis file (default: fetched from the node).
        #[arg(long)]
        genesis: Option<PathBuf>,
    },
}

/// The subcommand.
pub fn spec() -> CliSpec<CrosschainModule> {
    CliSpec {
        command: Cmd::augment_subcommands(
            clap::Command::new("xchain")
                .about("Cross-chain (跨链): transfers, channels, light clients, vouchers, recognised records")
                .subcommand_required(true),
        ),
        run,
    }
}

fn run<'a>(host: &'a dyn CliHost<CrosschainModule>, m: &'a clap::ArgMatches) -> CliFuture<'a, Result<i32, CliError>> {
    Box::pin(async move {
        let cmd = Cmd::from_arg_matches(m).map_err(|e| CliError::Usage(e.to_string()))?;
        let action = match cmd {
            Cmd::Transfer { channel, to, amount, denom, timeout_height, timeout_secs } => {
                let timeout_ms = timeout_ms(host, timeout_height, timeout_secs).await?;
                CliAction::Submit(CrosschainCall::Transfer {
                    channel,
                    denom,
                    amount,
                    receiver: to,
                    timeout_height: timeout_height.unwrap_or(0),
                    timeout_ms,
                })
            }
            Cmd::Client { id } => CliAction::Get(format!("/api/v1/xchain/clients/{id}")),
            Cmd::Channel { id } => CliAction::Get(format!("/api/v1/xchain/channels/{id}")),
            Cmd::Packets { channel } => CliAction::Get(format!("/api/v1/xchain/channels/{channel}/packets")),
            Cmd::Receipt { channel, sequence } => {
                CliAction::Get(format!("/api/v1/xchain/channels/{channel}/receipts/{sequence}"))
            }
            Cmd::Voucher { address, denom } => {
                let who = address_or_signer(host, address.as_deref(), "address").await?;
                CliAction::Get(format!("/api/v1/xchain/vouchers/{who}?denom={}", url_component(&denom)))
            }
            Cmd::PortOpen { client, to_port, ordered, channel_version } => {
                CliAction::Submit(CrosschainCall::PortOpen {
                    client,
                    counterparty_port: to_port,
                    ordering: if ordered { Ordering::Ordered } else { Ordering::Unordered },
                    version: channel_version,
                })
            }
            Cmd::PortApprove { client, from_port, channel_version } => CliAction::Submit(CrosschainCall::PortApprove {
                client,
                counterparty_port: from_port,
                version: channel_version,
            }),
            Cmd::PortSend { channel, payload, timeout_height, timeout_secs } => {
                let data = hex_arg(&payload, "--payload")?;
                let timeout_ms = timeout_ms(host, timeout_height, timeout_secs).await?;
                CliAction::Submit(CrosschainCall::PortSend {
                    channel,
                    data,
                    timeout_height: timeout_height.unwrap_or(0),
                    timeout_ms,
                })
            }
            Cmd::PortConsume { channel, sequence } => {
                CliAction::Submit(CrosschainCall::PortConsume { channel, sequence })
            }
            Cmd::Packet { channel, sequence } => {
                CliAction::Get(format!("/api/v1/xchain/channels/{channel}/packets/{sequence}"))
            }
            Cmd::Close { channel } => CliAction::Submit(CrosschainCall::ChannelClose { channel }),
            Cmd::Recognition { id } => CliAction::Get(format!("/api/v1/xchain/recognitions/{id}")),
            Cmd::Certificate { id, out } => {
                CliAction::SaveCertificate { path: format!("/api/v1/xchain/recognitions/{id}/certificate"), out }
            }
            Cmd::VerifyCert { cert, genesis } => CliAction::VerifyCertificate { file: cert, genesis },
            Cmd::NotaryCommittee { network, threshold, notaries } => {
                return notary_committee(host, &network, Committee { threshold, notaries });
            }
            Cmd::NotarySign { network, event_id, payload } => {
                let payload = hex_arg(&payload, "--payload")?;
                let status = host.get("/api/v1/status").await?;
                let genesis: H256 = decode(status["genesis_hash"].clone(), "status's genesis_hash")?;
                let sig = host.sign_message(&statement(&genesis, &network, &event_id, &payload)).await?;
                let text = serde_json::to_string(&sig).map_err(CliError::failed)?;
                host.emit(&json!({"signer": host.signer().await?, "signature": sig}), &|| text.clone());
                return Ok(0);
            }
            Cmd::NotaryAttest { network, event_id, payload, signatures } => {
                let signatures = signatures
                    .iter()
                    .map(|s| serde_json::from_str(s).map_err(|e| CliError::Usage(format!("--signature {s:?}: {e}"))))
                    .collect::<Result<Vec<_>, _>>()?;
                let payload = hex_arg(&payload, "--payload")?;
                CliAction::Submit(CrosschainCall::NotaryAttest { network, event_id, payload, signatures })
            }
            Cmd::Attestation { network, event_id } => CliAction::Get(format!(
                "/api/v1/xchain/notary/{}/events/{}",
                url_component(&network),
                url_component(&event_id)
            )),
        };
        perform(host, action).await
    })
}

/// The timeout time of a packet: none when only a height is given, else `secs` (default ten
/// minutes) after this chain's latest block.
async fn timeout_ms(
    host: &dyn CliHost<CrosschainModule>,
    height: Option<u64>,
    secs: Option<u64>,
) -> Result<u64, CliError> {
    Ok(match (height, secs) {
        (Some(_), None) => 0,
        (_, secs) => {
            let after = secs.map_or(DEFAULT_TIMEOUT_MS, |s| s.saturating_mul(1000));
            host.head_timestamp_ms().await?.saturating_add(after)
        }
    })
}

fn hex_arg(s: &str, what: &str) -> Result<Vec<u8>, CliError> {
    hex::decode(s.strip_prefix("0x").unwrap_or(s)).map_err(|e| CliError::Usage(format!("{what} must be 0x hex: {e}")))
}

/// Prints a committee's setting value and the governance proposal that sets it.
fn notary_committee(host: &dyn CliHost<CrosschainModule>, network: &str, c: Committee) -> Result<i32, CliError> {
    validate_network(network).map_err(|e| CliError::Usage(e.to_string()))?;
    c.validate().map_err(|e| CliError::Usage(e.to_string()))?;
    let value: String = c.encode().iter().map(|b| format!("{b:02x}")).collect();
    let key = setting_key(network);
    let command = format!(
        "hechain gov propose set-module-setting --module crosschain --setting {key} --value 0x{value} \\\n  --description \"notaries of {network}: {} of {}\"",
        c.threshold,
        c.notaries.len()
    );
    host.emit(&json!({"module": "crosschain", "key": key, "value": format!("0x{value}"), "committee": c}), &|| {
        format!("a committee member proposes it (the others vote):\n{command}")
    });
    Ok(0)
}
