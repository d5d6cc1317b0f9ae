//! Solidity contracts talking across two chains through their own ports (the cross-chain
//! precompile at `0x…1008`): `contracts/test/CrossChainMessenger.sol` deployed on two chains of
//! four validators each (in process: real stores, execution and seals; Ethereum transactions
//! are secp256k1-signed, so both chains are on the standard suite). The
//! messengers consent to and open a channel, the relayer finishes the handshake and carries
//! their messages, each side pulls what it received (exactly once; a reverted pull leaves the
//! message waiting) and reads what became of what it sent, including a timeout. Accounts that do
//! not own a port cannot open, send, answer or consume for it.

mod common;

use alloy_sol_types::{sol, SolCall};
use common::LocalChain;
use hechain_crosschain::evm::status;
use hechain_crosschain::ports::{account_port, inbox};
use hechain_crosschain::{ChannelState, CrosschainCall, Ordering};
use hechain_crypto::Suite;
use hechain_relayer::{create_client, finish_handshake, relay_once, ChainIo, Link};
use hechain_types::{Address, Payload};

sol! {
    interface Messenger {
        function open(uint64 client, string counterpartyPort) external returns (uint64);
        function accept(uint64 client, string counterpartyPort) external;
        function useChannel(uint64 id) external;
        function send(bytes message, uint64 timeoutMs) external returns (uint64 sequence);
        function pull(uint64 sequence) external;
        function pullAndRevert(uint64 sequence) external;
        function received() external view returns (uint256);
        function messages(uint256 index) external view returns (bytes);
        function outcome(uint64 sequence) external view returns (uint8 status, bytes ackData, string reason);
        function channel() external view returns (uint64);
    }
}

const OWNER: usize = 1;
const OTHER: usize = 2;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

fn relay_all(a: &LocalChain, b: &LocalChain, link: Link) {
    block_on(async {
        for _ in 0..6 {
            if relay_once(a, b, link).await.unwrap().pending == 0 {
                return;
            }
        }
        panic!("packets still pending after six passes");
    })
}

struct Pair {
    a: LocalChain,
    b: LocalChain,
    on_a: Address,
    on_b: Address,
    link: Link,
}

fn outcome(chain: &LocalChain, messenger: Address, seq: u64) -> Messenger::outcomeReturn {
    let out = chain.view(messenger, Messenger::outcomeCall { sequence: seq }.abi_encode());
    Messenger::outcomeCall::abi_decode_returns(&out).unwrap()
}

fn received(chain: &LocalChain, messenger: Address) -> Vec<Vec<u8>> {
    let n =
        Messenger::receivedCall::abi_decode_returns(&chain.view(messenger, Messenger::receivedCall {}.abi_encode()))
            .unwrap();
    (0..n.to::<u64>())
        .map(|i| {
            let out =
                chain.view(messenger, Messenger::messagesCall { index: alloy_primitives::U256::from(i) }.abi_encode());
            Messenger::messagesCall::abi_decode_returns(&out).unwrap().to_vec()
        })
        .collect()
}

fn send(chain: &LocalChain, messenger: Address, message: &[u8], timeout_ms: u64) -> Result<(), String> {
    chain
        .call(
            OTHER,
            messenger,
            Messenger::sendCall { message: message.to_vec().into(), timeoutMs: timeout_ms }.abi_encode(),
        )
        .map(|_| ())
}

/// Messengers on chains A and B, with a channel between their ports:
/// B's consents, A's opens, the relayer finishes the handshake, B's adopts the channel.
fn connected() -> Pair {
    let a = LocalChain::new("A", Suite::Standard, 101, 10);
    let b = LocalChain::new("B", Suite::Standard, 202, 40);
    let on_a = a.deploy(OWNER, "CrossChainMessenger");
    let on_b = b.deploy(OWNER, "CrossChainMessenger");
    let (client_on_a, client_on_b) =
        block_on(async { (create_client(&a, &b).await.unwrap(), create_client(&b, &a).await.unwrap()) });
    let accept = Messenger::acceptCall { client: client_on_b, counterpartyPort: account_port(&on_a) };
    b.call(OWNER, on_b, accept.abi_encode()).unwrap();
    let open = Messenger::openCall { client: client_on_a, counterpartyPort: account_port(&on_b) };
    a.call(OWNER, on_a, open.abi_encode()).unwrap();
    let channel_a =
        Messenger::channelCall::abi_decode_returns(&a.view(on_a, Messenger::channelCall {}.abi_encode())).unwrap();
    let link = block_on(finish_handshake(&a, &b, channel_a, client_on_b)).unwrap();
    b.call(OWNER, on_b, Messenger::useChannelCall { id: link.channel_b }.abi_encode()).unwrap();
    // The channels belong to the contracts, whoever relayed their handshake.
    let (ca, cb) =
        block_on(async { (a.channel(link.channel_a).await.unwrap(), b.channel(link.channel_b).await.unwrap()) });
    assert_eq!((ca.channel.end.state, cb.channel.end.state), (ChannelState::Open, ChannelState::Open));
    assert_eq!((ca.channel.owner, cb.channel.owner), (on_a, on_b));
    assert_eq!(cb.channel.end.version, "xc-messenger-1");
    Pair { a, b, on_a, on_b, link }
}

#[test]
fn contracts_exchange_messages_exactly_once_and_read_the_outcomes() {
    let Pair { a, b, on_a, on_b, link } = connected();
    let far = 4_000_000_000_000; // ms: never, in this test
    send(&a, on_a, b"hello", far).unwrap();
    send(&a, on_a, b"world", far).unwrap();
    send(&b, on_b, b"pong", far).unwrap();
    assert_eq!(outcome(&a, on_a, 1).status, status::PENDING);
    assert_eq!(outcome(&a, on_a, 3).status, status::UNKNOWN);
    relay_all(&a, &b, link);

    // Delivered: waiting in B's inbox until the contract pulls them, acknowledged on A.
    assert!(inbox(&b.reader(), link.channel_b, 1).unwrap().is_some());
    for seq in [1, 2] {
        let o = outcome(&a, on_a, seq);
        assert_eq!((o.status, o.ackData.len(), o.reason.as_str()), (status::ACKNOWLEDGED, 0, ""));
    }
    // A pull that reverts leaves the message waiting.
    let err = b.call(OTHER, on_b, Messenger::pullAndRevertCall { sequence: 1 }.abi_encode()).unwrap_err();
    assert!(err.contains("revert"), "{err}");
    assert!(inbox(&b.reader(), link.channel_b, 1).unwrap().is_some());
    for seq in [2, 1] {
        b.call(OTHER, on_b, Messenger::pullCall { sequence: seq }.abi_encode()).unwrap();
    }
    assert_eq!(received(&b, on_b), vec![b"world".to_vec(), b"hello".to_vec()]);
    // Exactly once: a second pull is refused with the module's reason.
    let err = b.call(OTHER, on_b, Messenger::pullCall { sequence: 1 }.abi_encode()).unwrap_err();
    assert!(err.contains("no packet 1 waits in channel"), "{err}");
    assert!(inbox(&b.reader(), link.channel_b, 1).unwrap().is_none());
    // And the other way.
    a.call(OTHER, on_a, Messenger::pullCall { sequence: 1 }.abi_encode()).unwrap();
    assert_eq!(received(&a, on_a), vec![b"pong".to_vec()]);
    assert_eq!(outcome(&b, on_b, 1).status, status::ACKNOWLEDGED);

    // A message B's chain cannot receive before its timeout: rolled back, the outcome says so.
    let b_now = b.reader().head().unwrap().timestamp_ms;
    send(&a, on_a, b"too late", b_now + 1).unwrap();
    b.advance(2);
    relay_all(&a, &b, link);
    assert_eq!(outcome(&a, on_a, 3).status, status::TIMED_OUT);
    assert!(inbox(&b.reader(), link.channel_b, 3).unwrap().is_none());
}

#[test]
fn only_a_ports_owner_opens_sends_answers_and_consumes_for_it() {
    let Pair { a, b, on_a, on_b, link } = connected();
    // An account sends on a contract's channel: the channel is not its port's.
    let reason = a.refused(
        OTHER,
        Payload::Crosschain(CrosschainCall::PortSend {
            channel: link.channel_a,
            data: vec![1],
            timeout_height: 0,
            timeout_ms: 9,
        }),
    );
    assert!(reason.contains(&format!("belongs to port \"{}\"", account_port(&on_a))), "{reason}");
    // Nor may it open a channel from the contract's port natively.
    let reason = a.refused(
        OTHER,
        Payload::Crosschain(CrosschainCall::ChannelOpenInit {
            port: account_port(&on_a),
            client: link.client_on_a,
            counterparty_port: account_port(&on_b),
            ordering: Ordering::Unordered,
            version: "xc-messenger-1".into(),
        }),
    );
    assert!(reason.contains("only the account"), "{reason}");
    // Nor consume what waits for the contract.
    send(&a, on_a, b"for the contract", 4_000_000_000_000).unwrap();
    relay_all(&a, &b, link);
    let reason =
        b.refused(OTHER, Payload::Crosschain(CrosschainCall::PortConsume { channel: link.channel_b, sequence: 1 }));
    assert!(reason.contains("not the caller's"), "{reason}");
    // A second opening towards B's messenger: its consent was used up by the first, so the
    // relayer's `Try` is refused.
    a.call(
        OWNER,
        on_a,
        Messenger::openCall { client: link.client_on_a, counterpartyPort: account_port(&on_b) }.abi_encode(),
    )
    .unwrap();
    let second = link.channel_a + 1;
    let err = block_on(finish_handshake(&a, &b, second, link.client_on_b)).unwrap_err().to_string();
    assert!(err.contains("has not consented"), "{err}");
}
