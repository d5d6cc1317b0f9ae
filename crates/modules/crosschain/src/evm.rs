//! The cross-chain precompile at `0x…1008` (`contracts/IHechainCrosschain.sol` in this crate):
//! a contract's own port ([`crate::ports`], named by the contract's address) from Solidity.
//! The contract opens channels from its port or consents to the other chain opening one to it,
//! sends packets, pulls received packets out of its inbox, and reads what became of the
//! packets it sent. Writes are the module's `xc_port_*` calls with the contract as sender,
//! logged in the interface's `ModuleCall` format.

use alloy_sol_types::{sol, SolCall, SolInterface};
use hechain_module::evm::{from_evm, LogFormat, PrecompileCall, PrecompileSpec};
use hechain_module::exec::{BlockInfo, StateError, StateView};

use crate::calls::{CrosschainCall, CrosschainEvent};
use crate::{channel, packet, ports, ChannelState, Ordering, PacketOutcome};

sol! {
    /// Cross-chain (跨链) packets of a contract's own port, as seen from Solidity (the same
    /// interface ships as this crate's `contracts/IHechainCrosschain.sol`).
    interface IHechainCrosschain {
        /// Starts opening a channel from the caller's port to `counterpartyPort` on the chain of
        /// client `client`; relayers finish the handshake. Returns the channel id.
        function openChannel(uint64 client, string counterpartyPort, bool ordered, string version) external returns (uint64 channel);
        /// Consents to answer an opening from `counterpartyPort` on the chain of client `client`
        /// with `version` (one channel per consent).
        function approveChannel(uint64 client, string counterpartyPort, string version) external returns (bool);
        /// Sends `data` on one of the caller's open channels; refused on the other chain from
        /// its height `timeoutHeight` or time `timeoutMs` on (0 = none; one is needed).
        function sendPacket(uint64 channel, bytes data, uint64 timeoutHeight, uint64 timeoutMs) external returns (uint64 sequence);
        /// Takes received packet `sequence` out of the inbox of one of the caller's channels.
        function consumePacket(uint64 channel, uint64 sequence) external returns (bytes data);
        /// Closes one of the caller's channels.
        function closeChannel(uint64 channel) external returns (bool);
        /// The port account `account` owns.
        function portOf(address account) external view returns (string port);
        /// A channel: state (`init`, `try_open`, `open`, `closed`), ports, the other end's id.
        function channelInfo(uint64 channel) external view returns (string state, string port, string counterpartyPort, uint64 counterpartyChannel, bool ordered, string version);
        /// Whether received packet `sequence` waits in the inbox, and its payload.
        function inbox(uint64 channel, uint64 sequence) external view returns (bool waiting, bytes data);
        /// What became of packet `sequence` sent on `channel`: 0 unknown, 1 pending,
        /// 2 acknowledged (with the acknowledgement's data), 3 refused (with the reason),
        /// 4 timed out.
        function packetOutcome(uint64 channel, uint64 sequence) external view returns (uint8 status, bytes ackData, string reason);
    }
}
use IHechainCrosschain::IHechainCrosschainCalls as Calls;

/// The precompile's address.
pub const ADDRESS: [u8; 20] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x08];
/// Gas of `openChannel` (a channel, its end and counters: like four fresh SSTOREs).
pub const OPEN_GAS: u64 = 100_000;
/// Gas of `approveChannel` and `closeChannel`.
pub const SMALL_WRITE_GAS: u64 = 40_000;
/// Gas of `sendPacket`, before its payload.
pub const SEND_GAS: u64 = 50_000;
/// Gas of `consumePacket`, before its payload.
pub const CONSUME_GAS: u64 = 20_000;
/// Gas per payload byte sent or consumed (stored, then read back).
pub const GAS_PER_BYTE: u64 = 16;
/// Gas of a view.
pub const VIEW_GAS: u64 = 5_000;
/// Gas per payload byte a view returns.
pub const VIEW_GAS_PER_BYTE: u64 = 3;

/// Outcome codes of `packetOutcome`.
pub mod status {
    /// Never sent on the channel (or the channel is not an account port's).
    pub const UNKNOWN: u8 = 0;
    /// Sent, not yet acknowledged or timed out.
    pub const PENDING: u8 = 1;
    /// Acknowledged by the other chain.
    pub const ACKNOWLEDGED: u8 = 2;
    /// Refused by the other chain.
    pub const REFUSED: u8 = 3;
    /// Timed out.
    pub const TIMED_OUT: u8 = 4;
}

/// The precompile.
pub fn spec() -> PrecompileSpec<CrosschainCall, CrosschainEvent> {
    PrecompileSpec {
        address: ADDRESS,
        decode,
        prepare: None,
        write_output,
        result_gas: None,
        view,
        log: LogFormat::ModuleCall,
    }
}

fn invalid(e: impl std::fmt::Display) -> String {
    format!("crosschain precompile: invalid call: {e}")
}

fn decode(input: &[u8]) -> Result<PrecompileCall<CrosschainCall>, String> {
    let call = Calls::abi_decode(input).map_err(invalid)?;
    Ok(match call {
        Calls::openChannel(c) => PrecompileCall::Write {
            call: CrosschainCall::PortOpen {
                client: c.client,
                counterparty_port: c.counterpartyPort,
                ordering: if c.ordered { Ordering::Ordered } else { Ordering::Unordered },
                version: c.version,
            },
            gas: OPEN_GAS,
        },
        Calls::approveChannel(c) => PrecompileCall::Write {
            call: CrosschainCall::PortApprove {
                client: c.client,
                counterparty_port: c.counterpartyPort,
                version: c.version,
            },
            gas: SMALL_WRITE_GAS,
        },
        Calls::sendPacket(c) => PrecompileCall::Write {
            gas: SEND_GAS + GAS_PER_BYTE * c.data.len() as u64,
            call: CrosschainCall::PortSend {
                channel: c.channel,
                data: c.data.to_vec(),
                timeout_height: c.timeoutHeight,
                timeout_ms: c.timeoutMs,
            },
        },
        Calls::consumePacket(c) => PrecompileCall::Write {
            call: CrosschainCall::PortConsume { channel: c.channel, sequence: c.sequence },
            gas: CONSUME_GAS,
        },
        Calls::closeChannel(c) => {
            PrecompileCall::Write { call: CrosschainCall::ChannelClose { channel: c.channel }, gas: SMALL_WRITE_GAS }
        }
        Calls::portOf(_) | Calls::channelInfo(_) | Calls::inbox(_) | Calls::packetOutcome(_) => {
            PrecompileCall::View { gas: VIEW_GAS }
        }
    })
}

fn write_output(input: &[u8], events: &[CrosschainEvent]) -> Vec<u8> {
    match Calls::abi_decode(input) {
        Ok(Calls::openChannel(_)) => {
            let id = events.iter().find_map(|e| match e {
                CrosschainEvent::Channel { channel, .. } => Some(*channel),
                _ => None,
            });
            IHechainCrosschain::openChannelCall::abi_encode_returns(&id.unwrap_or_default())
        }
        Ok(Calls::sendPacket(_)) => {
            let seq = events.iter().find_map(|e| match e {
                CrosschainEvent::PacketSent { sequence, .. } => Some(*sequence),
                _ => None,
            });
            IHechainCrosschain::sendPacketCall::abi_encode_returns(&seq.unwrap_or_default())
        }
        Ok(Calls::consumePacket(_)) => {
            let data = events.iter().find_map(|e| match e {
                CrosschainEvent::PacketConsumed { data, .. } => Some(data.clone()),
                _ => None,
            });
            IHechainCrosschain::consumePacketCall::abi_encode_returns(&data.unwrap_or_default().into())
        }
        Ok(
            Calls::approveChannel(_)
            | Calls::closeChannel(_)
            | Calls::portOf(_)
            | Calls::channelInfo(_)
            | Calls::inbox(_)
            | Calls::packetOutcome(_),
        )
        | Err(_) => IHechainCrosschain::approveChannelCall::abi_encode_returns(&true),
    }
}

fn state_word(s: ChannelState) -> &'static str {
    match s {
        ChannelState::Init => "init",
        ChannelState::TryOpen => "try_open",
        ChannelState::Open => "open",
        ChannelState::Closed => "closed",
    }
}

type ViewOut = Result<Result<(Vec<u8>, u64), String>, StateError>;

fn view(state: &dyn StateView, _block: &BlockInfo, input: &[u8]) -> ViewOut {
    match Calls::abi_decode(input) {
        Ok(Calls::portOf(c)) => {
            let port = ports::account_port(&from_evm(c.account));
            Ok(Ok((IHechainCrosschain::portOfCall::abi_encode_returns(&port), 0)))
        }
        Ok(Calls::channelInfo(c)) => channel_info(state, c.channel),
        Ok(Calls::inbox(c)) => {
            let data = ports::inbox(state, c.channel, c.sequence)?;
            let gas = VIEW_GAS_PER_BYTE * data.as_ref().map_or(0, |d| d.len() as u64);
            let ret =
                IHechainCrosschain::inboxReturn { waiting: data.is_some(), data: data.unwrap_or_default().into() };
            Ok(Ok((IHechainCrosschain::inboxCall::abi_encode_returns(&ret), gas)))
        }
        Ok(Calls::packetOutcome(c)) => packet_outcome(state, c.channel, c.sequence),
        Ok(
            Calls::openChannel(_)
            | Calls::approveChannel(_)
            | Calls::sendPacket(_)
            | Calls::consumePacket(_)
            | Calls::closeChannel(_),
        ) => Ok(Err("crosschain precompile: not a view".into())),
        Err(e) => Ok(Err(invalid(e))),
    }
}

fn channel_info(state: &dyn StateView, id: u64) -> ViewOut {
    let Some(c) = channel::channel(state, id)? else {
        return Ok(Err(format!("no channel {id}")));
    };
    let ret = IHechainCrosschain::channelInfoReturn {
        state: state_word(c.end.state).to_string(),
        port: c.end.port,
        counterpartyPort: c.end.counterparty.port,
        counterpartyChannel: c.end.counterparty.channel.unwrap_or_default(),
        ordered: c.end.ordering == Ordering::Ordered,
        version: c.end.version,
    };
    Ok(Ok((IHechainCrosschain::channelInfoCall::abi_encode_returns(&ret), 0)))
}

fn packet_outcome(state: &dyn StateView, channel: u64, seq: u64) -> ViewOut {
    let (status, data, reason) = match ports::outcome(state, channel, seq)? {
        Some(PacketOutcome::Acknowledged { data }) => (status::ACKNOWLEDGED, data, String::new()),
        Some(PacketOutcome::Refused { reason }) => (status::REFUSED, Vec::new(), reason),
        Some(PacketOutcome::TimedOut) => (status::TIMED_OUT, Vec::new(), String::new()),
        None if packet::commitment(state, channel, seq)?.is_some() => (status::PENDING, Vec::new(), String::new()),
        None => (status::UNKNOWN, Vec::new(), String::new()),
    };
    let gas = VIEW_GAS_PER_BYTE * (data.len() + reason.len()) as u64;
    let ret = IHechainCrosschain::packetOutcomeReturn { status, ackData: data.into(), reason };
    Ok(Ok((IHechainCrosschain::packetOutcomeCall::abi_encode_returns(&ret), gas)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_decode_to_the_sender_port_calls_and_views_are_views() {
        let input = IHechainCrosschain::sendPacketCall {
            channel: 3,
            data: vec![1, 2, 3].into(),
            timeoutHeight: 0,
            timeoutMs: 9,
        }
        .abi_encode();
        match decode(&input) {
            Ok(PrecompileCall::Write { call, gas }) => {
                assert_eq!(
                    call,
                    CrosschainCall::PortSend { channel: 3, data: vec![1, 2, 3], timeout_height: 0, timeout_ms: 9 }
                );
                assert_eq!(gas, SEND_GAS + 3 * GAS_PER_BYTE);
            }
            Ok(PrecompileCall::View { .. }) | Err(_) => panic!("a send must decode to a write"),
        }
        let open = IHechainCrosschain::openChannelCall {
            client: 1,
            counterpartyPort: "transfer".into(),
            ordered: true,
            version: "v1".into(),
        }
        .abi_encode();
        assert!(matches!(
            decode(&open),
            Ok(PrecompileCall::Write { call: CrosschainCall::PortOpen { ordering: Ordering::Ordered, .. }, .. })
        ));
        let v = IHechainCrosschain::inboxCall { channel: 1, sequence: 2 }.abi_encode();
        assert!(matches!(decode(&v), Ok(PrecompileCall::View { gas: VIEW_GAS })));
        assert!(decode(&[1, 2, 3]).unwrap_err().contains("invalid call"));
    }

    /// The precompile's ABI is the one `contracts/IHechainCrosschain.sol` (in this crate)
    /// publishes: the same functions with the same parameter types.
    #[test]
    fn the_solidity_interface_matches_the_precompile() {
        let sol = include_str!("../contracts/IHechainCrosschain.sol");
        assert!(
            sol.contains("address constant HECHAIN_CROSSCHAIN_ADDRESS = 0x0000000000000000000000000000000000001008;")
        );
        let published: Vec<String> = sol
            .lines()
            .filter_map(|l| l.trim().strip_prefix("function "))
            .map(|l| {
                let (name, rest) = l.split_once('(').unwrap();
                let params = rest.split_once(')').unwrap().0;
                let types: Vec<&str> = params
                    .split(',')
                    .filter(|p| !p.trim().is_empty())
                    .map(|p| p.split_whitespace().next().unwrap())
                    .collect();
                format!("{name}({})", types.join(","))
            })
            .filter(|sig| !sig.starts_with("precompile("))
            .collect();
        let mut ours: Vec<String> =
            IHechainCrosschain::IHechainCrosschainCalls::SIGNATURES.iter().map(|s| s.to_string()).collect();
        let mut theirs = published.clone();
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs);
    }
}
