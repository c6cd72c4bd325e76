"""Hostile load on a running localnet (small scale; `scripts/attack` runs it larger).

While an attacker, from other addresses (127.0.0.2 and .3), sends transactions from thousands of
fresh unfunded keys, zero-price jobs, deep future nonces and 100-request batches of
`emeth_listJobs`, and floods the L1 inbox with `requestCancel`, an honest requester, node and
verifier go Register → Process → Submit → Verify → Withdraw → claim by ticket. Checked:
- every attacker transaction is refused (admission, rate limit) and none reaches a block;
- the poster keeps posting: every block, the inbox flood's included, ends up committed on L1;
- every block fits one batch on its own (the contract's 64 KiB), as sealed;
- the sequencer's peak memory stays under a stated bound;
- the honest user's flow completes; its latency to `sequenced` is printed with and without
  the attack (docs/PERFORMANCE.md records a run).
"""
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from eth_account import Account
from requests.adapters import HTTPAdapter
from web3 import Web3

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from emeth_sdk.signing import sign_job as sign  # noqa: E402
from support import free_port, wait_until  # noqa: E402

EMETH = os.environ.get("EMETH_BIN") or str(ROOT / ".build" / "debug" / "emeth")
SCALE = int(os.environ.get("ATTACK_SCALE") or 1)
FRESH_KEYS = 1_500 * SCALE       # unfunded senders
FUTURE_NONCES = 300 * SCALE      # queued far ahead by one funded attacker
LIST_BATCHES = 20 * SCALE        # 100-request batches of emeth_listJobs
INBOX_FLOOD = 600 * SCALE        # requestCancel messages on L1 (more than one block's 512)
RSS_BOUND_MB = 1_024             # the sequencer's peak resident memory must stay below this
GHOLON = 10**9


class SourceAdapter(HTTPAdapter):
    """Connects from a given loopback address, so the attacker is another client (IP) than the
    honest user for the per-client rate limits."""

    def __init__(self, source: str):
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        return super().init_poolmanager(*args, **kwargs)


class Client:
    def __init__(self, url: str, source: str | None = None):
        self.url, self.session = url, requests.Session()
        if source:
            self.session.mount("http://", SourceAdapter(source))

    def batch(self, calls):
        body = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
        replies = self.session.post(self.url, json=body, timeout=120).json()
        assert isinstance(replies, list), replies
        return sorted(replies, key=lambda r: r["id"])

    def call(self, method, *params):
        r = self.session.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)},
                              timeout=120).json()
        assert "result" in r, (method, r)
        return r["result"]


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    if not os.access(EMETH, os.X_OK):
        pytest.fail(f"{EMETH} is missing: build it first (swift build)")
    d = tmp_path_factory.mktemp("attack")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMETH_", "LOCALNET_"))}
    env.update(EMETH_BIN=str(Path(EMETH).resolve()), LOCALNET_DIR=str(d / "ln"), LOCALNET_L1_PORT=str(free_port()),
               LOCALNET_L2_PORT=str(free_port()), LOCALNET_SEND_RATE="300", LOCALNET_CHALLENGE_PERIOD="3600")
    up = subprocess.run(["bash", str(ROOT / "scripts" / "localnet"), "up"], env=env, capture_output=True, text=True, timeout=600)
    assert up.returncode == 0, up.stdout + up.stderr
    values = dict(line.split("=", 1) for line in (d / "ln" / "env").read_text().splitlines() if line and not line.startswith("#"))
    values["PID"] = (d / "ln" / "sequencer.pid").read_text().strip()
    yield values
    subprocess.run(["bash", str(ROOT / "scripts" / "localnet"), "down"], env=env, capture_output=True, timeout=120)


class Honest:
    """The honest requester, node and verifier; signs with the Python SDK (eth-account) as a wallet would."""

    def __init__(self, net):
        self.client = Client(net["L2_RPC_URL"])
        info = self.client.call("emeth_chainInfo")["domain"]
        self.domain = {"name": info["name"], "version": info["version"], "chainId": int(info["chainId"], 16),
                       "verifyingContract": info["verifyingContract"]}
        users = net["USER_KEYS"].split(",")
        self.requester, self.node, self.verifier = users[0], users[1], net["VERIFIER_KEY"]
        self.nonces = {}
        self.latencies = []

    def send(self, key: str, primary: str, **message) -> dict:
        """Sends and waits for `sequenced`; records the latency; returns the receipt."""
        address = Account.from_key(key).address
        message = {k: str(v) if not isinstance(v, str) else v for k, v in message.items()}
        message["nonce"] = str(self.nonces.get(address, 0))
        tx, tx_hash = sign((key, self.domain, primary, message))
        t0 = time.monotonic()
        assert self.client.call("emeth_sendTransaction", tx, {"from": address}) == tx_hash
        self.nonces[address] = self.nonces.get(address, 0) + 1
        receipt = wait_until(lambda: (r := self.client.call("emeth_getTransactionReceipt", tx_hash)) and r["status"] != "pending"
                             and r, f"{primary} {tx_hash} sequenced", 120)
        self.latencies.append(time.monotonic() - t0)
        assert receipt["success"] is True, (primary, receipt)
        return receipt

    def job(self, n: int) -> None:
        job = "0x" + f"{n:032x}"
        self.send(self.requester, "RegisterJob", jobId=job, parentJob="0x" + "00" * 16, programId=1, numParallel=1, numEpoch=1,
                  dataset="0x" + "d0" * 32, param="0x" + "e0" * 32, fuelLimit=1_000, fuelPrice=2 * GHOLON,
                  deadline=4_000_000_000)
        self.send(self.node, "Process", jobId=job)
        self.send(self.node, "Submit", jobId=job, result="0x" + "aa" * 32, fuelUsed=900)
        self.send(self.verifier, "Verify", jobId=job)
        self.send(self.node, "Withdraw", amount=900 * 2 * GHOLON)


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def peak_rss_mb(pid: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def attack(net, honest: Honest, results: dict, stop: threading.Event):
    """Everything the attacker does, from 127.0.0.2; records each refusal's code."""
    bad = Client(net["L2_RPC_URL"], source="127.0.0.2")
    codes = results.setdefault("codes", {})
    results["attacker_senders"] = senders = set()

    def tally(replies):
        for r in replies:
            if "error" in r:
                codes[r["error"]["code"]] = codes.get(r["error"]["code"], 0) + 1
            else:
                results.setdefault("accepted", []).append(r["result"])

    # Thousands of fresh, unfunded keys, each a Withdraw; and zero-price jobs from them.
    keys = [Account.create() for _ in range(FRESH_KEYS)]
    signed = []
    for i, k in enumerate(keys):
        senders.add(k.address)
        if i % 5 == 0:
            signed.append(sign((k.key.hex(), honest.domain, "RegisterJob", {
                "jobId": "0x" + os.urandom(16).hex(), "parentJob": "0x" + "00" * 16, "programId": "1", "numParallel": "1",
                "numEpoch": "1", "dataset": "0x" + "00" * 32, "param": "0x" + "00" * 32, "fuelLimit": "1", "fuelPrice": "0",
                "deadline": "4000000000", "nonce": "0"}))[0])
        else:
            signed.append(sign((k.key.hex(), honest.domain, "Withdraw", {"amount": "1", "nonce": "0"}))[0])
    for i in range(0, len(signed), 100):
        if stop.is_set():
            return
        tally(bad.batch([("emeth_sendTransaction", [tx]) for tx in signed[i:i + 100]]))
    # A funded attacker, from a third address (its own rate-limit bucket, so what it gets is
    # the admission's answer): a zero-price job (refused: the chain's minimum fuel price), then
    # nonces queued far ahead (they wait in the pool for a gap it never fills, and expire).
    bad = Client(net["L2_RPC_URL"], source="127.0.0.3")
    funded = net["USER_KEYS"].split(",")[2]
    addr = Account.from_key(funded).address
    senders.add(addr)
    zero = sign((funded, honest.domain, "RegisterJob", {
        "jobId": "0x" + os.urandom(16).hex(), "parentJob": "0x" + "00" * 16, "programId": "1", "numParallel": "1",
        "numEpoch": "1", "dataset": "0x" + "00" * 32, "param": "0x" + "00" * 32, "fuelLimit": "1000", "fuelPrice": "0",
        "deadline": "4000000000", "nonce": "0"}))[0]
    results["zero_price"] = bad.batch([("emeth_sendTransaction", [zero])])[0]
    future = [sign((funded, honest.domain, "Withdraw", {"amount": "1", "nonce": str(n)}))[0] for n in range(1, FUTURE_NONCES + 1)]
    for i in range(0, len(future), 100):
        time.sleep(0.35)  # within the rate limit: these are accepted, then never run
        tally(bad.batch([("emeth_sendTransaction", [tx]) for tx in future[i:i + 100]]))
    # Heavy reads.
    for _ in range(LIST_BATCHES):
        replies = bad.batch([("emeth_listJobs", [{"limit": 1000}])] * 100)
        assert all("result" in r for r in replies)
    results["done"] = True


def flood_inbox(net, count: int) -> list:
    """`count` requestCancel messages on L1 from one user (jobs that do not exist)."""
    w3 = Web3(Web3.HTTPProvider(net["L1_RPC_URL"]))
    key = net["USER_KEYS"].split(",")[3]
    acct = w3.eth.account.from_key(key)
    abi = json.loads((ROOT / "Contracts" / "artifacts" / "EmethRollup.json").read_text())["abi"]
    rollup = w3.eth.contract(address=net["ROLLUP_ADDRESS"], abi=abi)
    nonce = w3.eth.get_transaction_count(acct.address)
    hashes = []
    for i in range(count):
        tx = rollup.functions.requestCancel(os.urandom(16)).build_transaction(
            {"from": acct.address, "nonce": nonce + i, "gas": 120_000, "maxFeePerGas": 10**11, "maxPriorityFeePerGas": 10**9,
             "chainId": int(net["CHAIN_ID"])})
        hashes.append(w3.eth.send_raw_transaction(acct.sign_transaction(tx).raw_transaction))
    for h in hashes:
        assert w3.eth.wait_for_transaction_receipt(h, timeout=300).status == 1
    return hashes


def test_honest_users_get_through_a_hostile_load(net):
    honest = Honest(net)
    w3 = Web3(Web3.HTTPProvider(net["L1_RPC_URL"]))
    abi = json.loads((ROOT / "Contracts" / "artifacts" / "EmethRollup.json").read_text())["abi"]
    rollup = w3.eth.contract(address=net["ROLLUP_ADDRESS"], abi=abi)
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMETH_")}
    funded_attacker = net["USER_KEYS"].split(",")[2]
    for key, amount in [(honest.requester, "1emt"), (honest.node, "1emt"), (funded_attacker, "1emt")]:
        r = subprocess.run([EMETH, "deposit", amount, "--rpc", net["L1_RPC_URL"], "--deployment", net["DEPLOYMENT_FILE"],
                            "--l2", net["L2_RPC_URL"]], env=dict(env, EMETH_PRIVATE_KEY=key), capture_output=True, text=True,
                           timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr

    # Without the attack.
    honest.job(1)
    quiet = list(honest.latencies)
    honest.latencies.clear()

    # With it: the attacker's thread, the L1 flood, and the honest flow at the same time.
    results, stop = {}, threading.Event()
    attacker = threading.Thread(target=attack, args=(net, honest, results, stop), daemon=True)
    flood = threading.Thread(target=lambda: results.setdefault("flood", flood_inbox(net, INBOX_FLOOD)), daemon=True)
    attacker.start()
    flood.start()
    for n in range(2, 6):
        honest.job(n)
    attacker.join(timeout=600)
    flood.join(timeout=600)
    stop.set()
    assert results.get("done") and len(results.get("flood", [])) == INBOX_FLOOD, "the attack did not run to its end"
    loaded = honest.latencies

    # The honest node claims its credit on L1 with the ticket of its last Withdraw's block.
    node = Account.from_key(honest.node).address
    r = subprocess.run([EMETH, "claim", "--rpc", net["L1_RPC_URL"], "--deployment", net["DEPLOYMENT_FILE"], "--l2",
                        net["L2_RPC_URL"]], env=dict(env, EMETH_PRIVATE_KEY=honest.node), capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert rollup.functions.claimed(node).call() == 5 * 900 * 2 * GHOLON, r.stdout

    # Every attacker transaction was refused: at admission (-32006), by the rate limit
    # (-32003), or as too far ahead of its sender's nonce (-32001, past 1,024 ahead).
    codes = results["codes"]
    assert set(codes) <= {-32006, -32003, -32001}, codes
    assert codes.get(-32006, 0) > 0 and results["zero_price"]["error"]["code"] == -32006
    assert "PRICE_BELOW_MINIMUM (25)" in results["zero_price"]["error"]["message"]
    accepted = len(results.get("accepted", []))  # only the funded attacker's far-ahead nonces get in the pool
    assert accepted <= FUTURE_NONCES

    # The poster keeps posting: every block, the inbox flood's included, is committed on L1.
    client = Client(net["L2_RPC_URL"])
    cursor = lambda: int(client.call("emeth_getBlockByNumber", "latest")["inboxCursor"], 16)  # noqa: E731
    wait_until(lambda: cursor() >= rollup.functions.inboxLength().call(), "the inbox flood applied on L2", 600)
    head = int(client.call("emeth_blockNumber"), 16)
    wait_until(lambda: rollup.functions.nextBlock().call() > head, f"block {head} committed on L1", 600)

    # No attacker transaction reached a block, and the flood drained over several blocks.
    attackers = results["attacker_senders"]
    inbox_per_block = []
    for n in range(1, head + 1):
        b = client.call("emeth_getBlockByNumber", hex(n), True)
        assert not attackers & {tx["sender"] for tx in b["transactions"]}, f"an attacker transaction in block {n}"
        inbox_per_block.append(len(b.get("inbox") or []))
    assert max(inbox_per_block) <= 512 and sum(inbox_per_block) >= INBOX_FLOOD

    # Memory, and what the honest user saw.
    rss = peak_rss_mb(net["PID"])
    assert rss < RSS_BOUND_MB, f"the sequencer's peak RSS was {rss:.0f} MB"
    report = {"quiet_p50_ms": 1000 * statistics.median(quiet), "quiet_p99_ms": 1000 * percentile(quiet, 99),
              "attack_p50_ms": 1000 * statistics.median(loaded), "attack_p99_ms": 1000 * percentile(loaded, 99),
              "peak_rss_mb": round(rss), "refusals": codes, "accepted_future": accepted, "blocks": head,
              "inbox_blocks": sum(1 for x in inbox_per_block if x)}
    print("hostile load:", json.dumps(report))
