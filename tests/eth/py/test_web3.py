"""web3.py (Python) against a fresh `hechain dev` chain: blocks, EIP-1559 / EIP-2930 / legacy
transfers signed locally, build_transaction with fee auto-fill, contract deploy and calls,
custom-error reverts, events through filters and get_logs, and newHeads / logs subscriptions
over WebSocket.

web3.py validates what ethers and viem ignore (every 32-byte field of a block must be 32 bytes,
for one), so these tests are where a malformed field shows.
"""

from __future__ import annotations

import asyncio

import pytest
from eth_account import Account
from hexbytes import HexBytes
from web3 import AsyncWeb3, Web3
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.providers.persistent import WebSocketProvider

# keccak256(rlp("")), keccak256(rlp([])), sha256("").
EMPTY_TRIE = HexBytes("0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
EMPTY_OMMERS = HexBytes("0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347")
EMPTY_REQUESTS = HexBytes("0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
SUPPLY = 1_000_000 * 10**18
RECEIPT_TIMEOUT = 30


@pytest.fixture(scope="module")
def w3(chain) -> Web3:
    w3 = Web3(Web3.HTTPProvider(chain.http_url, request_kwargs={"timeout": 30}))
    assert w3.is_connected(), chain.log_tail()
    return w3


@pytest.fixture(scope="module")
def alice(chain):
    return Account.from_key(chain.accounts[0]["private_key"])


@pytest.fixture(scope="module")
def bob(chain):
    return Account.from_key(chain.accounts[1]["private_key"])


def send(w3: Web3, account, tx: dict) -> dict:
    """Signs `tx` locally with `account` (nonce filled in), sends it raw, waits for the receipt."""
    tx = {"nonce": w3.eth.get_transaction_count(account.address, "pending"), "chainId": w3.eth.chain_id, **tx}
    signed = account.sign_transaction(tx)
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    assert tx_hash == signed.hash
    return w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT, poll_latency=0.1)


def check_block_fields(block) -> None:
    """The fields web3.py formats (a wrong length fails in web3.py before this)."""
    for k in ("hash", "parentHash", "stateRoot", "transactionsRoot", "receiptsRoot", "mixHash"):
        assert len(block[k]) == 32, k
    assert block["withdrawalsRoot"] == EMPTY_TRIE
    assert block["sha3Uncles"] == EMPTY_OMMERS
    assert block["requestsHash"] == EMPTY_REQUESTS
    assert len(block["logsBloom"]) == 256
    assert len(block["nonce"]) == 8
    assert Web3.is_checksum_address(block["miner"])
    assert isinstance(block["baseFeePerGas"], int)
    assert block["withdrawals"] == []


@pytest.fixture(scope="module")
def token(w3, alice, token_artifact):
    """HechainToken (contracts/artifacts), deployed by alice with fees filled in by web3."""
    factory = w3.eth.contract(abi=token_artifact["abi"], bytecode=token_artifact["bytecode"])
    tx = factory.constructor("Py Token", "PYT", SUPPLY).build_transaction(
        {"from": alice.address, "nonce": w3.eth.get_transaction_count(alice.address, "pending")}
    )
    signed = alice.sign_transaction(tx)
    rc = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(signed.raw_transaction), timeout=RECEIPT_TIMEOUT, poll_latency=0.1
    )
    assert rc["status"] == 1, rc
    assert rc["contractAddress"]
    return w3.eth.contract(address=rc["contractAddress"], abi=token_artifact["abi"])


def test_connection_and_node_status(w3, chain):
    assert w3.eth.chain_id == chain.chain_id == 1337
    assert w3.net.version == "1337"
    assert w3.client_version.startswith("hechain/")
    assert w3.net.listening is True
    assert w3.net.peer_count == 0, "a dev chain has no peers"
    assert w3.eth.syncing is False, "a dev chain is never syncing"
    assert w3.eth.block_number >= 0
    assert w3.eth.gas_price >= 0
    assert w3.eth.max_priority_fee >= 0
    history = w3.eth.fee_history(4, "latest", [10, 90])
    assert len(history["baseFeePerGas"]) == len(history["gasUsedRatio"]) + 1
    assert all(len(r) == 2 for r in history["reward"])


def test_get_block_latest_by_number_and_by_hash(w3):
    latest = w3.eth.get_block("latest")
    check_block_fields(latest)
    genesis = w3.eth.get_block(0)
    check_block_fields(genesis)
    assert genesis["number"] == 0
    assert w3.eth.get_block(genesis["hash"]) == genesis
    by_number = w3.eth.get_block(latest["number"])
    assert by_number["hash"] == latest["hash"]
    for tag in ("earliest", "safe", "finalized", "pending"):
        check_block_fields(w3.eth.get_block(tag))


def test_eip1559_transfer(w3, alice, bob):
    base_fee = w3.eth.get_block("latest")["baseFeePerGas"]
    before = w3.eth.get_balance(bob.address)
    rc = send(
        w3,
        alice,
        {
            "type": 2,
            "to": bob.address,
            "value": 12345,
            "gas": 21_000,
            "maxFeePerGas": base_fee * 2 + 1,
            "maxPriorityFeePerGas": 1,
        },
    )
    assert rc["status"] == 1
    assert rc["type"] == 2
    assert w3.eth.get_balance(bob.address) == before + 12345
    tx = w3.eth.get_transaction(rc["transactionHash"])
    assert tx["type"] == 2
    assert tx["from"] == alice.address
    assert tx["maxFeePerGas"] == base_fee * 2 + 1
    # The block with full transactions.
    block = w3.eth.get_block(rc["blockNumber"], full_transactions=True)
    check_block_fields(block)
    hashes = [t["hash"] for t in block["transactions"]]
    assert rc["transactionHash"] in hashes
    assert w3.eth.get_transaction_by_block(rc["blockNumber"], hashes.index(rc["transactionHash"]))["hash"] == tx["hash"]
    assert w3.eth.get_block_transaction_count(rc["blockNumber"]) == len(hashes)


def test_legacy_transfer(w3, alice, bob):
    before = w3.eth.get_balance(alice.address)
    price = w3.eth.gas_price
    rc = send(w3, bob, {"to": alice.address, "value": 777, "gas": 21_000, "gasPrice": price})
    assert rc["status"] == 1
    assert rc["type"] == 0
    assert w3.eth.get_balance(alice.address) == before + 777
    tx = w3.eth.get_transaction(rc["transactionHash"])
    assert tx["type"] == 0
    assert tx["gasPrice"] == price
    assert tx["v"] in (1337 * 2 + 35, 1337 * 2 + 36), "EIP-155 replay protection"


def test_eip2930_transfer_with_access_list(w3, alice, bob):
    rc = send(
        w3,
        alice,
        {
            "type": 1,
            "to": bob.address,
            "value": 1,
            "gas": 30_000,
            "gasPrice": w3.eth.gas_price,
            "accessList": [{"address": bob.address, "storageKeys": ["0x" + "00" * 32]}],
        },
    )
    assert rc["status"] == 1
    assert rc["type"] == 1
    tx = w3.eth.get_transaction(rc["transactionHash"])
    assert tx["accessList"][0]["address"] == bob.address


def test_contract_deploy_and_calls(w3, alice, bob, token, token_artifact):
    assert w3.eth.get_code(token.address) == HexBytes(token_artifact["deployedBytecode"])
    assert token.functions.name().call() == "Py Token"
    assert token.functions.symbol().call() == "PYT"
    assert token.functions.decimals().call() == 18
    assert token.functions.totalSupply().call() == SUPPLY
    assert token.functions.balanceOf(alice.address).call() == SUPPLY
    assert token.functions.balanceOf(bob.address).call() == 0
    assert token.functions.transfer(bob.address, 5).estimate_gas({"from": alice.address}) > 21_000
    # A call that reverts with the custom error InsufficientBalance(available, required).
    with pytest.raises(ContractLogicError) as e:
        token.functions.transfer(alice.address, 1).call({"from": bob.address})
    assert isinstance(e.value, ContractCustomError), repr(e.value)


def test_build_transaction_fills_fees_and_gas(w3, alice, bob, token):
    tx = token.functions.transfer(bob.address, 1000).build_transaction(
        {"from": alice.address, "nonce": w3.eth.get_transaction_count(alice.address, "pending")}
    )
    # web3 filled in EIP-1559 fees (from the latest block's baseFeePerGas and
    # eth_maxPriorityFeePerGas), the gas (eth_estimateGas) and the chain id.
    for k in ("maxFeePerGas", "maxPriorityFeePerGas", "gas", "chainId"):
        assert k in tx, tx
    assert "gasPrice" not in tx
    assert tx["maxFeePerGas"] >= w3.eth.get_block("latest")["baseFeePerGas"]
    signed = alice.sign_transaction(tx)
    rc = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(signed.raw_transaction), timeout=RECEIPT_TIMEOUT, poll_latency=0.1
    )
    assert rc["status"] == 1
    assert rc["type"] == 2
    assert rc["gasUsed"] <= tx["gas"]
    assert token.functions.balanceOf(bob.address).call() == 1000
    (event,) = token.events.Transfer().process_receipt(rc)
    assert (event["args"]["from"], event["args"]["to"], event["args"]["value"]) == (alice.address, bob.address, 1000)


def test_events_through_filters(w3, alice, bob, token):
    start = w3.eth.block_number
    event_filter = token.events.Transfer.create_filter(from_block=start + 1)
    to_bob = token.events.Transfer.create_filter(from_block=start + 1, argument_filters={"to": bob.address})
    block_filter = w3.eth.filter("latest")
    receipts = []
    for value, to in ((11, bob.address), (22, alice.address), (33, bob.address)):
        tx = token.functions.transfer(to, value).build_transaction(
            {"from": alice.address, "nonce": w3.eth.get_transaction_count(alice.address, "pending")}
        )
        signed = alice.sign_transaction(tx)
        receipts.append(
            w3.eth.wait_for_transaction_receipt(
                w3.eth.send_raw_transaction(signed.raw_transaction), timeout=RECEIPT_TIMEOUT, poll_latency=0.1
            )
        )
    assert all(rc["status"] == 1 for rc in receipts)

    entries = event_filter.get_new_entries()
    assert [e["args"]["value"] for e in entries] == [11, 22, 33]
    assert [e["transactionHash"] for e in entries] == [rc["transactionHash"] for rc in receipts]
    assert all(e["event"] == "Transfer" and e["address"] == token.address for e in entries)
    assert event_filter.get_new_entries() == [], "changes are reported once"
    assert [e["args"]["value"] for e in to_bob.get_new_entries()] == [11, 33]
    assert [e["args"]["value"] for e in event_filter.get_all_entries()] == [11, 22, 33]

    new_blocks = w3.eth.get_filter_changes(block_filter.filter_id)
    assert new_blocks, "a block filter reports the new blocks"
    assert all(len(h) == 32 for h in new_blocks)
    mined = {rc["blockHash"] for rc in receipts}
    assert mined <= set(new_blocks)

    logs = token.events.Transfer.get_logs(from_block=start + 1, to_block="latest")
    assert [e["args"]["value"] for e in logs] == [11, 22, 33]
    raw_logs = w3.eth.get_logs({"address": token.address, "fromBlock": start + 1})
    assert len(raw_logs) == 3 and all(len(log["topics"]) == 3 for log in raw_logs)

    assert w3.eth.uninstall_filter(event_filter.filter_id) is True
    assert w3.eth.uninstall_filter(block_filter.filter_id) is True
    assert w3.eth.uninstall_filter(to_bob.filter_id) is True


def test_new_heads_and_logs_over_websocket(chain, alice, bob, token):
    async def run():
        async with AsyncWeb3(WebSocketProvider(chain.ws_url)) as w3:
            assert await w3.eth.chain_id == 1337
            heads_id = await w3.eth.subscribe("newHeads")
            logs_id = await w3.eth.subscribe("logs", {"address": token.address})
            # A transfer sent over the same socket makes a block with a log; the idle interval
            # (1 s) makes empty blocks after it.
            nonce = await w3.eth.get_transaction_count(alice.address, "pending")
            tx = token.functions.transfer(bob.address, 7).build_transaction(
                {
                    "from": alice.address,
                    "nonce": nonce,
                    "gas": 100_000,
                    "maxFeePerGas": 2 * (await w3.eth.get_block("latest"))["baseFeePerGas"] + 1,
                    "maxPriorityFeePerGas": 1,
                    "chainId": 1337,
                }
            )
            tx_hash = await w3.eth.send_raw_transaction(alice.sign_transaction(tx).raw_transaction)
            heads, logs = [], []
            async for message in w3.socket.process_subscriptions():
                if message["subscription"] == heads_id:
                    heads.append(message["result"])
                elif message["subscription"] == logs_id:
                    logs.append(message["result"])
                if len(heads) >= 2 and logs:
                    break
            assert await w3.eth.unsubscribe(heads_id) is True
            assert await w3.eth.unsubscribe(logs_id) is True
            return heads, logs, tx_hash

    heads, logs, tx_hash = asyncio.run(asyncio.wait_for(run(), timeout=60))
    numbers = [h["number"] for h in heads]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers), numbers
    for h in heads:
        assert len(h["hash"]) == 32 and len(h["parentHash"]) == 32
        assert h["withdrawalsRoot"] == EMPTY_TRIE
        assert len(h["logsBloom"]) == 256
    assert heads[1]["parentHash"] == heads[0]["hash"] or heads[1]["number"] > heads[0]["number"] + 1
    (log,) = [entry for entry in logs if entry["transactionHash"] == tx_hash]
    assert log["address"] == token.address
    assert len(log["topics"]) == 3
