"""The devnet (scripts/devnet_server.py) checked over real HTTP, as the Swift bridge will use it.

Each server runs as a subprocess on a free port (--port 0 + --ready-file). Transactions are
signed with eth-account, independently of the server's code, and contracts are hand-written
bytecode so nothing here depends on a compiler.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import to_checksum_address

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
sys.path.insert(0, str(SCRIPTS))

from devnet_rpc import secp256k1  # noqa: E402
from devnet_rpc.accounts import DEV_ACCOUNTS  # noqa: E402

CHAIN_ID = 31337
GWEI = 10**9
(A0, K0), (A1, K1), (A2, K2), (A3, K3) = DEV_ACCOUNTS[:4]


# ---------------------------------------------------------------------------------------------
# Client side helpers


class RPCError(Exception):
    def __init__(self, err: dict):
        super().__init__(f"{err['code']}: {err['message']}")
        self.code, self.message, self.data = err["code"], err["message"], err.get("data")


class Client:
    def __init__(self, url: str):
        self.url = url
        self.session = requests.Session()
        self.next_id = 0

    def post(self, payload):
        r = self.session.post(self.url, data=payload if isinstance(payload, (str, bytes)) else json.dumps(payload),
                              headers={"Content-Type": "application/json"}, timeout=30)
        r.raise_for_status()
        return r.json()

    def __call__(self, method: str, *params):
        self.next_id += 1
        reply = self.post({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": list(params)})
        assert reply["id"] == self.next_id and reply["jsonrpc"] == "2.0"
        if "error" in reply:
            raise RPCError(reply["error"])
        return reply["result"]

    def error(self, method: str, *params) -> RPCError:
        with pytest.raises(RPCError) as info:
            self(method, *params)
        return info.value

    def nonce(self, address: str, tag: str = "pending") -> int:
        return int(self("eth_getTransactionCount", address, tag), 16)

    def balance(self, address: str, tag="latest") -> int:
        return int(self("eth_getBalance", address, tag), 16)

    def block(self, tag="latest", full=False) -> dict:
        return self("eth_getBlockByNumber", tag, full)


def sign(key: str, **tx) -> str:
    tx.setdefault("chainId", CHAIN_ID)
    tx.setdefault("gas", 21000)
    tx.setdefault("value", 0)
    if "gasPrice" not in tx:
        tx.setdefault("maxFeePerGas", 3 * GWEI)
        tx.setdefault("maxPriorityFeePerGas", 1 * GWEI)
        tx.setdefault("type", 2)
    return "0x" + bytes(Account.sign_transaction(tx, key).raw_transaction).hex()


def send(rpc: Client, key: str, **tx) -> str:
    if "nonce" not in tx:
        tx["nonce"] = rpc.nonce(Account.from_key(key).address)
    return rpc("eth_sendRawTransaction", sign(key, **tx))


def deployer(runtime: bytes) -> bytes:
    """Init code that returns `runtime`: CODECOPY(0, 10, len) RETURN(0, len)."""
    n = len(runtime)
    assert n < 256
    return bytes([0x60, n, 0x60, 10, 0x5F, 0x39, 0x60, n, 0x5F, 0xF3]) + runtime


# Emits LOG2(topic0 = calldata[0:32], topic1 = calldata[32:64], data = calldata[64:96]).
EMITTER = bytes.fromhex("365f5f37" "602035" "5f35" "6020" "6040" "a2" "00")
REVERT_PAYLOAD = bytes.fromhex("08c379a0") + abi_encode(["string"], ["boom"])
# Reverts with Error("boom"): CODECOPY(0, 10, 100) REVERT(0, 100), then the payload.
REVERTER = bytes([0x60, 100, 0x60, 10, 0x5F, 0x39, 0x60, 100, 0x5F, 0xFD]) + REVERT_PAYLOAD
TIMESTAMP_CODE = "0x425f5260205ff3"  # as call init code: returns block.timestamp


def deploy(rpc: Client, key: str, runtime: bytes) -> str:
    tx_hash = send(rpc, key, data="0x" + deployer(runtime).hex(), gas=200_000)
    receipt = rpc("eth_getTransactionReceipt", tx_hash)
    assert receipt["status"] == "0x1"
    assert rpc("eth_getCode", receipt["contractAddress"], "latest") == "0x" + runtime.hex()
    return to_checksum_address(receipt["contractAddress"])


def topic(n: int) -> str:
    return "0x" + n.to_bytes(32, "big").hex()


def wait_for(predicate, timeout=10.0, interval=0.05, what="the condition"):
    """Polls until `predicate` is truthy; the timeout is only a generous guard, and expiring it
    fails the test with what was awaited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:g} s waiting for {what}")


# ---------------------------------------------------------------------------------------------
# Servers


class Server:
    def __init__(self, tmp: Path, *args: str):
        self.ready = tmp / "ready"
        self.log = tmp / "server.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, str(SCRIPTS / "devnet_server.py"), "--port", "0",
                 "--ready-file", str(self.ready), *args],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not (self.ready.exists() and self.ready.read_text().endswith("\n")):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("devnet did not start:\n" + self.log.read_text())
            time.sleep(0.05)
        self.url = self.ready.read_text().strip()
        self.rpc = Client(self.url)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=15)


@pytest.fixture(scope="module", autouse=True)
def fast_signing():
    """libsecp256k1 for eth-account's signing here too, for this module only: the setting is an
    environment variable, which must not leak into other test modules or their subprocesses."""
    with pytest.MonkeyPatch.context() as mp:
        if secp256k1.available():
            mp.setenv("ECC_BACKEND_CLASS", secp256k1.BACKEND_PATH)
        yield


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("devnet"), "--finality-depth", "2")
    yield s
    assert s.stop() == 0


@pytest.fixture()
def rpc(server) -> Client:
    return server.rpc


# ---------------------------------------------------------------------------------------------
# Tests


def test_identity_and_accounts(rpc, server):
    assert rpc("eth_chainId") == "0x7a69"
    assert rpc("net_version") == "31337"
    assert rpc("eth_syncing") is False
    assert "devnet" in rpc("web3_clientVersion")
    assert server.url.startswith("http://127.0.0.1:")
    # The documented keys really are the accounts' keys, and they are funded.
    for address, key in DEV_ACCOUNTS:
        assert Account.from_key(key).address == address
    assert rpc("eth_accounts") == [a.lower() for a, _ in DEV_ACCOUNTS]
    assert rpc.balance(A3, "earliest") == 10_000 * 10**18


def test_type2_transfer_receipt_and_balances(rpc):
    recipient = Account.create().address
    before = rpc.balance(A0)
    nonce = rpc.nonce(A0)
    tx_hash = send(rpc, K0, to=recipient, value=12345, maxFeePerGas=5 * GWEI, maxPriorityFeePerGas=2 * GWEI)
    r = rpc("eth_getTransactionReceipt", tx_hash)
    block = rpc("eth_getBlockByNumber", r["blockNumber"], False)
    base_fee = int(block["baseFeePerGas"], 16)
    assert r["status"] == "0x1"
    assert r["gasUsed"] == "0x5208" and r["cumulativeGasUsed"] == "0x5208"
    assert r["type"] == "0x2"
    assert r["effectiveGasPrice"] == hex(min(5 * GWEI, 2 * GWEI + base_fee))
    assert r["logs"] == [] and r["contractAddress"] is None
    assert r["logsBloom"].startswith("0x") and len(r["logsBloom"]) == 2 + 512
    assert r["from"] == A0.lower() and r["to"] == recipient.lower()
    assert r["transactionHash"] == tx_hash and r["transactionIndex"] == "0x0"
    assert r["blockHash"] == block["hash"] and block["transactions"] == [tx_hash]
    assert int(block["timestamp"], 16) > int(rpc("eth_getBlockByHash", block["parentHash"], False)["timestamp"], 16)
    # exact balance changes
    assert rpc.balance(recipient) == 12345
    assert rpc.balance(A0) == before - 12345 - 21000 * int(r["effectiveGasPrice"], 16)
    assert rpc.nonce(A0, "latest") == nonce + 1
    tx = rpc("eth_getTransactionByHash", tx_hash)
    assert tx["hash"] == tx_hash and tx["nonce"] == hex(nonce) and tx["type"] == "0x2"
    assert tx["maxFeePerGas"] == hex(5 * GWEI) and tx["chainId"] == "0x7a69"
    assert tx["blockNumber"] == r["blockNumber"] and tx["gasPrice"] == r["effectiveGasPrice"]
    assert rpc("eth_getTransactionByHash", "0x" + "11" * 32) is None
    assert rpc("eth_getTransactionReceipt", "0x" + "11" * 32) is None


def test_legacy_eip155_and_access_list_transactions(rpc):
    gas_price = int(rpc("eth_gasPrice"), 16)
    legacy = send(rpc, K1, to=A2, value=1, gasPrice=gas_price)
    al = send(rpc, K1, to=A2, value=1, gasPrice=gas_price, type=1, gas=30000,
              accessList=[{"address": A3, "storageKeys": [topic(1)]}])
    assert rpc("eth_getTransactionReceipt", legacy)["type"] == "0x0"
    r = rpc("eth_getTransactionReceipt", al)
    assert r["type"] == "0x1" and r["status"] == "0x1"
    assert int(r["gasUsed"], 16) == 21000 + 2400 + 1900  # EIP-2930 address + storage key
    assert rpc("eth_getTransactionByHash", legacy)["chainId"] == "0x7a69"
    assert rpc("eth_getTransactionByHash", al)["accessList"][0]["storageKeys"] == [topic(1)]


def test_send_transaction_from_dev_account(rpc):
    """eth_sendTransaction signs with the node-held dev keys (like geth --dev); others refused."""
    tx_hash = rpc("eth_sendTransaction", {"from": A1, "to": A2, "value": "0x5"})
    r = rpc("eth_getTransactionReceipt", tx_hash)
    assert r["status"] == "0x1" and r["type"] == "0x2" and r["gasUsed"] == "0x5208"
    assert rpc("eth_getBlockReceipts", r["blockNumber"]) == [r]
    stranger = Account.create().address
    assert rpc.error("eth_sendTransaction", {"from": stranger, "to": A2}).message == "unknown account"


def test_rejections(rpc):
    # signed for mainnet
    e = rpc.error("eth_sendRawTransaction", sign(K2, to=A0, chainId=1, nonce=rpc.nonce(A2)))
    assert e.code == -32000 and "invalid chain id" in e.message
    # resubmitting a mined transaction: its nonce is used (geth says "nonce too low")
    raw = sign(K2, to=A0, nonce=rpc.nonce(A2))
    rpc("eth_sendRawTransaction", raw)
    e = rpc.error("eth_sendRawTransaction", raw)
    assert e.code == -32000 and e.message.startswith("nonce too low")
    # a pooled (queued) transaction sent twice (from a throwaway account: it stays queued)
    fresh = Account.create()
    send(rpc, K0, to=fresh.address, value=10**18)
    queued = sign(fresh.key, to=A0, nonce=5)
    rpc("eth_sendRawTransaction", queued)
    assert rpc.error("eth_sendRawTransaction", queued).message == "already known"
    # no money
    pauper = Account.create()
    e = rpc.error("eth_sendRawTransaction", sign(pauper.key, to=A0, nonce=0))
    assert e.code == -32000 and e.message.startswith("insufficient funds for gas * price + value")
    e = rpc.error("eth_sendRawTransaction", sign(K2, to=A0, gas=20000, nonce=rpc.nonce(A2)))
    assert e.message.startswith("intrinsic gas too low")
    e = rpc.error("eth_sendRawTransaction", sign(K2, to=A0, maxFeePerGas=1, maxPriorityFeePerGas=1, nonce=rpc.nonce(A2)))
    assert e.message.startswith("max fee per gas less than block base fee")
    assert rpc.error("eth_sendRawTransaction", "0x1234").code == -32000


def test_future_nonce_is_queued_until_the_gap_fills(rpc):
    n = rpc.nonce(A3)
    later = send(rpc, K3, to=A0, value=2, nonce=n + 1)
    assert rpc("eth_getTransactionReceipt", later) is None
    pending_tx = rpc("eth_getTransactionByHash", later)
    assert pending_tx["blockHash"] is None and pending_tx["blockNumber"] is None
    assert rpc.nonce(A3) == n  # a gap: the queued tx does not count as pending
    # replacing the queued tx needs +10% on both fee caps
    e = rpc.error("eth_sendRawTransaction", sign(K3, to=A0, value=3, nonce=n + 1, maxFeePerGas=int(3.2 * GWEI),
                                                 maxPriorityFeePerGas=int(1.05 * GWEI)))
    assert e.code == -32000 and e.message == "replacement transaction underpriced"
    replacement = send(rpc, K3, to=A0, value=3, nonce=n + 1, maxFeePerGas=int(3.3 * GWEI),
                       maxPriorityFeePerGas=int(1.1 * GWEI))
    assert rpc("eth_getTransactionByHash", later) is None
    first = send(rpc, K3, to=A0, value=1, nonce=n)  # fills the gap: both get mined
    r1 = rpc("eth_getTransactionReceipt", first)
    r2 = rpc("eth_getTransactionReceipt", replacement)
    assert r1["status"] == r2["status"] == "0x1"
    assert int(r2["blockNumber"], 16) == int(r1["blockNumber"], 16) + 1  # automine: a block each
    assert rpc.nonce(A3, "latest") == n + 2


def test_batch_requests(rpc):
    reply = rpc.post([
        {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"},
        {"jsonrpc": "2.0", "id": "two", "method": "eth_getBalance", "params": [A0, "latest"]},
        {"jsonrpc": "2.0", "method": "eth_blockNumber"},  # notification: no answer
        {"jsonrpc": "2.0", "id": 3, "method": "no_such_method"},
        {"jsonrpc": "2.0", "id": 4, "method": "eth_getBalance", "params": ["0x12"]},
    ])
    assert [r["id"] for r in reply] == [1, "two", 3, 4]
    assert reply[0]["result"] == "0x7a69"
    assert reply[1]["result"].startswith("0x")
    assert reply[2]["error"]["code"] == -32601
    assert reply[3]["error"]["code"] == -32602
    assert rpc.post([])["error"]["code"] == -32600


def test_protocol_errors(rpc, server):
    assert rpc.post("{nope")["error"]["code"] == -32700
    assert rpc.post({"id": 1, "method": "eth_chainId"})["error"]["code"] == -32600  # no "jsonrpc"
    assert rpc.error("eth_nonexistent").code == -32601
    assert rpc.error("eth_getBalance", "0xzz", "latest").code == -32602
    assert rpc.error("eth_getBlockByNumber", "newest", False).code == -32602
    assert rpc.error("eth_getTransactionReceipt").code == -32602
    assert requests.get(server.url, timeout=5).status_code == 405


def test_block_numbers_and_tags(rpc):
    for _ in range(3):
        send(rpc, K0, to=A1, value=1)
    latest = rpc.block("latest")
    n = int(latest["number"], 16)
    assert rpc("eth_blockNumber") == latest["number"]
    assert rpc.block(hex(n)) == latest
    assert rpc.block("safe")["number"] == hex(n - 2)
    assert rpc.block("finalized")["number"] == hex(n - 2)
    assert rpc.block("earliest")["number"] == "0x0"
    assert rpc.block("pending")["number"] == hex(n + 1)
    assert rpc.block(hex(n + 1)) is None
    assert rpc("eth_getBlockByHash", latest["hash"], False) == latest
    assert rpc.block(hex(n - 1))["hash"] == latest["parentHash"]
    full = rpc.block("latest", True)
    assert full["transactions"][0]["hash"] == latest["transactions"][0]
    assert rpc.balance(A1, hex(n - 1)) == rpc.balance(A1, "latest") - 1
    assert rpc.balance(A1, {"blockHash": latest["parentHash"]}) == rpc.balance(A1, hex(n - 1))
    e = rpc.error("eth_getBalance", A1, hex(n + 10))
    assert e.code == -32000 and "not found" in e.message
    for key in ("hash", "parentHash", "stateRoot", "receiptsRoot", "transactionsRoot", "logsBloom",
                "miner", "gasLimit", "gasUsed", "timestamp", "baseFeePerGas", "size", "mixHash"):
        assert latest[key].startswith("0x"), key


def test_logs_and_filters(rpc):
    emitter = deploy(rpc, K1, EMITTER)
    other = deploy(rpc, K1, EMITTER)
    t_a, t_b, t_x, t_y = topic(0xA), topic(0xB), topic(0x1), topic(0x2)
    sends = [(emitter, t_a, t_x, 1), (emitter, t_b, t_y, 2), (other, t_a, t_y, 3), (emitter, t_a, t_y, 4)]
    hashes = [send(rpc, K1, to=to, gas=60000, data=t0 + t1[2:] + topic(d)[2:]) for to, t0, t1, d in sends]
    receipts = [rpc("eth_getTransactionReceipt", h) for h in hashes]
    first, last = receipts[0]["blockNumber"], receipts[-1]["blockNumber"]
    rng = {"fromBlock": first, "toBlock": last}

    log = receipts[0]["logs"][0]
    assert log["address"] == emitter.lower() and log["topics"] == [t_a, t_x]
    assert log["data"] == topic(1) and log["removed"] is False
    assert log["logIndex"] == "0x0" and log["transactionIndex"] == "0x0"
    assert log["blockHash"] == receipts[0]["blockHash"] and log["transactionHash"] == hashes[0]
    assert receipts[0]["logsBloom"] != "0x" + "00" * 256

    def data_of(flt):
        return [int(entry["data"], 16) for entry in rpc("eth_getLogs", flt)]

    assert data_of(rng) == [1, 2, 3, 4]
    assert data_of({**rng, "address": emitter}) == [1, 2, 4]
    assert data_of({**rng, "address": [emitter, other]}) == [1, 2, 3, 4]
    assert data_of({**rng, "topics": [t_a]}) == [1, 3, 4]
    assert data_of({**rng, "topics": [None, t_y]}) == [2, 3, 4]
    assert data_of({**rng, "topics": [[t_a, t_b], t_y]}) == [2, 3, 4]
    assert data_of({**rng, "topics": [t_a, [t_x, t_y]], "address": emitter}) == [1, 4]
    assert data_of({**rng, "topics": [t_a, None, None]}) == []  # more positions than topics
    assert data_of({"fromBlock": last, "toBlock": "latest"}) == [4]
    assert data_of({"fromBlock": first, "toBlock": first}) == [1]
    assert data_of({"blockHash": receipts[1]["blockHash"]}) == [2]
    assert data_of({"fromBlock": hex(int(last, 16) + 100)}) == []
    assert rpc("eth_getLogs", {"blockHash": receipts[1]["blockHash"]})[0] == receipts[1]["logs"][0]
    assert rpc.error("eth_getLogs", {"fromBlock": last, "toBlock": first}).code == -32602
    assert rpc.error("eth_getLogs", {"blockHash": "0x" + "22" * 32}).code == -32000


def test_call_estimate_and_revert(rpc):
    reverter = deploy(rpc, K2, REVERTER)
    e = rpc.error("eth_call", {"to": reverter, "data": "0x"}, "latest")
    assert e.code == 3
    assert e.message == "execution reverted: boom"
    assert e.data == "0x" + REVERT_PAYLOAD.hex()
    e = rpc.error("eth_estimateGas", {"from": A2, "to": reverter})
    assert e.code == 3 and e.data == "0x" + REVERT_PAYLOAD.hex()
    # a mined call to it fails with status 0
    failed = send(rpc, K2, to=reverter, gas=50000)
    assert rpc("eth_getTransactionReceipt", failed)["status"] == "0x0"

    assert rpc("eth_estimateGas", {"from": A2, "to": A3, "value": "0x1"}) == "0x5208"
    emitter = deploy(rpc, K2, EMITTER)
    data = topic(1) + topic(2)[2:] + topic(3)[2:]
    estimate = int(rpc("eth_estimateGas", {"from": A2, "to": emitter, "data": data}), 16)
    r = rpc("eth_getTransactionReceipt", send(rpc, K2, to=emitter, data=data, gas=estimate))
    assert r["status"] == "0x1" and int(r["gasUsed"], 16) <= estimate <= int(r["gasUsed"], 16) * 1.1
    # eth_call with a block tag and the TIMESTAMP of that block
    head = rpc.block("latest")
    ts = rpc("eth_call", {"data": TIMESTAMP_CODE}, head["number"])
    assert int(ts, 16) == int(head["timestamp"], 16)


def test_snapshot_revert_is_a_reorg(rpc):
    sid = rpc("evm_snapshot")
    height = int(rpc("eth_blockNumber"), 16)
    bal = rpc.balance(A3)
    tx_a = send(rpc, K0, to=A3, value=777)
    block_a = rpc.block(hex(height + 1))
    assert rpc.balance(A3) == bal + 777
    assert rpc("evm_revert", sid) is True
    assert int(rpc("eth_blockNumber"), 16) == height
    assert rpc.balance(A3) == bal
    assert rpc("eth_getTransactionReceipt", tx_a) is None
    assert rpc("eth_getBlockByHash", block_a["hash"], False) is None
    tx_b = send(rpc, K0, to=A3, value=888)
    block_b = rpc.block(hex(height + 1))
    assert block_b["hash"] != block_a["hash"] and block_b["transactions"] == [tx_b]
    assert block_b["parentHash"] == block_a["parentHash"]
    assert rpc.balance(A3) == bal + 888
    assert rpc("evm_revert", sid) is False  # a snapshot is consumed by its revert


def test_time_travel(rpc):
    t0 = int(rpc.block()["timestamp"], 16)
    assert int(rpc("evm_increaseTime", 3600), 16) >= 3600
    rpc("evm_mine")
    t1 = int(rpc.block()["timestamp"], 16)
    assert t1 >= t0 + 3600
    rpc("evm_mine", hex(t1 + 100))
    assert int(rpc.block()["timestamp"], 16) == t1 + 100
    rpc("evm_setNextBlockTimestamp", t1 + 200)
    tx = send(rpc, K1, to=A0, value=1)
    r = rpc("eth_getTransactionReceipt", tx)
    assert int(rpc("eth_getBlockByNumber", r["blockNumber"], False)["timestamp"], 16) == t1 + 200
    assert int(rpc("eth_call", {"data": TIMESTAMP_CODE}, "latest"), 16) == t1 + 200
    rpc("evm_mine")
    assert int(rpc.block()["timestamp"], 16) > t1 + 200  # continues from there
    assert rpc.error("evm_mine", hex(t1)).code == -32602  # not after the head


def test_automine_off_keeps_txs_pending_until_evm_mine(rpc):
    assert rpc("evm_setAutomine", False) is True
    try:
        n = rpc.nonce(A2)
        h1 = send(rpc, K2, to=A0, value=1)
        h2 = send(rpc, K2, to=A0, value=2)
        assert rpc("eth_getTransactionReceipt", h1) is None
        assert rpc.nonce(A2, "pending") == n + 2 and rpc.nonce(A2, "latest") == n
        assert rpc.block("pending")["transactions"] == [h1, h2]
        assert rpc("txpool_status")["pending"] == "0x2"
        # replacing a pending tx: +10% required
        e = rpc.error("eth_sendRawTransaction", sign(K2, to=A0, value=9, nonce=n + 1))
        assert e.message == "replacement transaction underpriced"
        h2b = send(rpc, K2, to=A0, value=9, nonce=n + 1, maxFeePerGas=4 * GWEI, maxPriorityFeePerGas=2 * GWEI)
        assert rpc("evm_mine") == "0x0"
        r1 = rpc("eth_getTransactionReceipt", h1)
        r2 = rpc("eth_getTransactionReceipt", h2b)
        assert r1["blockNumber"] == r2["blockNumber"]  # one block with both
        assert r2["transactionIndex"] == "0x1" and r2["cumulativeGasUsed"] == hex(42000)
        assert rpc("eth_getTransactionReceipt", h2) is None
        assert r2["logs"] == [] and rpc.nonce(A2, "latest") == n + 2
    finally:
        rpc("evm_setAutomine", True)


def test_fee_history(rpc):
    for _ in range(2):
        send(rpc, K0, to=A1, value=1, maxPriorityFeePerGas=2 * GWEI)
    head = int(rpc("eth_blockNumber"), 16)
    fh = rpc("eth_feeHistory", "0x4", "latest", [25, 75])
    assert fh["oldestBlock"] == hex(head - 3)
    assert len(fh["baseFeePerGas"]) == 5 and len(fh["gasUsedRatio"]) == 4
    assert len(fh["reward"]) == 4 and all(len(r) == 2 for r in fh["reward"])
    assert fh["reward"][-1] == [hex(2 * GWEI)] * 2
    latest = rpc.block()
    assert fh["baseFeePerGas"][3] == latest["baseFeePerGas"]
    assert fh["gasUsedRatio"][3] == int(latest["gasUsed"], 16) / int(latest["gasLimit"], 16)
    assert int(rpc("eth_gasPrice"), 16) == int(fh["baseFeePerGas"][4], 16) + int(rpc("eth_maxPriorityFeePerGas"), 16)
    fh = rpc("eth_feeHistory", "0x400", hex(1))
    assert fh["oldestBlock"] == "0x0" and len(fh["baseFeePerGas"]) == 3 and "reward" not in fh
    assert rpc.error("eth_feeHistory", "0x2", "latest", [50, 10]).code == -32602


def test_two_hundred_sends_each_mined_at_once(rpc):
    """A bridge test sends hundreds of transactions in a row: under automine each one has its
    receipt as soon as it is accepted, and the nonces follow without a gap. (Speed is for
    benchmarks, not tests: the rate is printed, never asserted — a loaded CI machine would
    make a threshold flaky; docs/PERFORMANCE.md records it.)"""
    n = rpc.nonce(A3)
    raws = [sign(K3, to=A1, value=1, nonce=n + i) for i in range(200)]
    started = time.perf_counter()
    for raw in raws:
        tx_hash = rpc("eth_sendRawTransaction", raw)
        assert rpc("eth_getTransactionReceipt", tx_hash)["status"] == "0x1"
    rate = len(raws) / (time.perf_counter() - started)
    print(f"\ndevnet: {rate:.0f} transfers/s (sendRawTransaction + receipt, automine)")
    assert rpc.nonce(A3, "latest") == n + 200


def test_concurrent_clients(server):
    """Several connections at once (the server is threaded; py-evm sits behind one lock)."""
    from concurrent.futures import ThreadPoolExecutor

    def worker(key: str) -> list[str]:
        client = Client(server.url)
        address = Account.from_key(key).address
        statuses = []
        for _ in range(15):
            tx_hash = send(client, key, to=A0, value=1)
            statuses.append(client("eth_getTransactionReceipt", tx_hash)["status"])
            client("eth_getLogs", {"fromBlock": "earliest"})
            client.balance(address)
        return statuses

    keys = [k for _, k in DEV_ACCOUNTS[4:8]]
    with ThreadPoolExecutor(len(keys)) as pool:
        results = list(pool.map(worker, keys))
    assert all(status == "0x1" for statuses in results for status in statuses)


def test_interval_mining_and_sigterm(tmp_path):
    s = Server(tmp_path, "--block-time", "1", "--quiet")
    rpc = s.rpc
    try:
        # Hold the interval miner (it answers once a block being mined is done), so the three
        # sends below land in one block whatever the scheduling: no race with the 1 s clock.
        assert rpc("evm_setIntervalMining", 0) is True
        start = int(rpc("eth_blockNumber"), 16)
        n = rpc.nonce(A0)
        raws = [sign(K0, to=A1, value=i + 1, nonce=n + i) for i in range(3)]
        hashes = [rpc("eth_sendRawTransaction", raw) for raw in raws]
        assert [rpc("eth_getTransactionReceipt", h) for h in hashes] == [None] * 3  # not automined
        assert rpc.nonce(A0, "pending") == n + 3 and rpc.nonce(A0, "latest") == n
        assert int(rpc("eth_blockNumber"), 16) == start  # held: no block
        assert rpc("evm_setIntervalMining", 1000) is True
        receipts = [wait_for(lambda h=h: rpc("eth_getTransactionReceipt", h), timeout=60,
                             what=f"the receipt of {h} (interval mining every 1 s)") for h in hashes]
        assert {r["blockNumber"] for r in receipts} == {hex(start + 1)}  # mined together, in the next block
        assert [r["transactionIndex"] for r in receipts] == ["0x0", "0x1", "0x2"]
        wait_for(lambda: int(rpc("eth_blockNumber"), 16) >= start + 3, timeout=60,
                 what="two more (empty) interval blocks")  # empty blocks too
    finally:
        assert s.stop() == 0  # SIGTERM: clean exit
    assert "shutting down" in s.log.read_text()
    assert not s.ready.exists()


def test_injected_faults_fail_requests_then_stop(rpc):
    """devnet_failNextRequests: the next n requests fail (HTTP 503, or a dropped connection);
    devnet_* requests never do, and devnet_faultStatus counts them."""
    before = int(rpc("devnet_faultStatus")["failed"], 16)
    assert rpc("devnet_failNextRequests", 2) is True
    assert rpc("devnet_faultStatus")["remaining"] == "0x2"
    for _ in range(2):
        r = requests.post(rpc.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, timeout=10)
        assert r.status_code == 503
    assert rpc("eth_chainId") == "0x7a69"
    assert rpc("devnet_faultStatus") == {"remaining": "0x0", "failed": hex(before + 2)}
    assert rpc("devnet_failNextRequests", 1, "drop") is True
    with pytest.raises(requests.ConnectionError):
        requests.post(rpc.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, timeout=10)
    assert rpc("eth_chainId") == "0x7a69"
    assert rpc("devnet_faultStatus") == {"remaining": "0x0", "failed": hex(before + 3)}
    with pytest.raises(Exception, match="invalid mode"):
        rpc("devnet_failNextRequests", 1, "slow")


def test_print_accounts():
    out = subprocess.run([sys.executable, str(SCRIPTS / "devnet_server.py"), "--print-accounts", "--accounts", "12"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    accounts = json.loads(out)
    assert [(a["address"], a["privateKey"]) for a in accounts[:10]] == list(DEV_ACCOUNTS)
    assert len(accounts) == 12
    assert all(Account.from_key(a["privateKey"]).address == a["address"] for a in accounts[10:])


def test_devnet_script_up_status_down(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DEVNET_DIR": str(tmp_path / "state"), "DEVNET_PORT": str(port)}

    def devnet(*args):
        return subprocess.run(["bash", str(SCRIPTS / "devnet"), *args], env=env, capture_output=True,
                              text=True, timeout=60)

    assert devnet("status").returncode == 3
    up = devnet("up", "--quiet")
    try:
        assert up.returncode == 0, up.stderr
        assert up.stdout.strip() == f"http://127.0.0.1:{port}"
        assert Client(up.stdout.strip())("eth_chainId") == "0x7a69"
        again = devnet("up")
        assert again.returncode == 0 and again.stdout == up.stdout
        status = devnet("status")
        assert status.returncode == 0 and "running" in status.stdout and "block 0" in status.stdout
    finally:
        down = devnet("down")
    assert down.returncode == 0 and "stopped" in down.stdout
    assert not (tmp_path / "state" / "devnet.pid").exists()
    assert devnet("status").returncode == 3
    # a port in use: up fails with the log tail
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen()
        failed = devnet("up")
    assert failed.returncode == 1 and "cannot listen" in failed.stderr
