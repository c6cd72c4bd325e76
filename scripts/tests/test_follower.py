"""Followers (`emeth follower run`, read replicas) end to end, on a localnet of their own with one
follower (`scripts/localnet up --followers 1`) that audits L1 too:

- after the demo's history (deposits on L1, jobs through every path, withdrawals, a ticket claim
  and a Merkle-proof claim, batches final on L1), every read method answers byte for byte as the
  leader does, for every block, transaction, account, job, proof and ticket;
- a transaction sent to the follower is forwarded and sequenced (receipts from both);
- a follower killed with SIGKILL while the leader keeps sealing catches up after a restart;
- a fake leader serving real blocks with one field altered (a transaction's nonce, the state
  root under the Signer's own key, the parent hash, the Signer signature by another key) is
  refused each time, with the field named in /health and the log, and nothing is stored.

Each wait has its own limit and fails naming what it waited for."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
import rlp
from emeth_sdk import GHOLON, Domain
from emeth_sdk.signing import SignedTransaction, sign_job as sign
from eth_account import Account
from eth_hash.auto import keccak
from support import free_port, free_ports, wait_until
from web3 import Web3

ROOT = Path(__file__).resolve().parents[2]

EMETH = os.environ.get("EMETH_BIN") or str(ROOT / ".build" / "debug" / "emeth")
pytestmark = pytest.mark.skipif(not os.access(EMETH, os.X_OK),
                                reason=f"{EMETH} is missing: build it (swift build --product emeth) or set EMETH_BIN")
DEMO_LIMIT = 900  # seconds; the demo with 7 jobs takes about half a minute


# --- plumbing -----------------------------------------------------------------------------------

def raw(url: str, method: str, params: list) -> str:
    """The response body, exactly as served."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
    return requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=30).text


def rpc(url: str, method: str, *params):
    reply = json.loads(raw(url, method, list(params)))
    assert "error" not in reply, f"{method}{list(params)} at {url}: {reply['error']}"
    return reply["result"]


def health(url: str) -> dict:
    return requests.get(url + "/health", timeout=10).json()


def metric(url: str, name: str) -> str | None:
    for line in requests.get(url + "/metrics", timeout=10).text.splitlines():
        if line.split(" ")[0] == name:
            return line.split(" ")[1]
    return None


def head(url: str) -> int:
    return int(rpc(url, "emeth_blockNumber"), 16)


def same(leader: str, follower: str, method: str, params: list, timeout: float = 60) -> str:
    """The leader's and the follower's raw answers, once equal (a follower's batch statuses
    follow L1 a round after the leader's poster); fails with both answers if they never are."""
    answers = {}

    def equal():
        answers["l"], answers["f"] = raw(leader, method, params), raw(follower, method, params)
        return answers["l"] == answers["f"]
    try:
        wait_until(equal, f"{method}{params} to answer the same", timeout=timeout, interval=0.2)
    except BaseException:
        pytest.fail(f"{method}{params} differs:\n leader   {answers['l'][:800]}\n follower {answers['f'][:800]}")
    return answers["l"]


class Net:
    def __init__(self, env: dict, values: dict):
        self.env, self.values = env, values
        self.dir = Path(env["LOCALNET_DIR"])
        self.leader = values["L2_RPC_URL"]
        self.follower = values["FOLLOWER_RPC_URLS"].split(",")[0]
        self.genesis = str(Path(values["SEQUENCER_CONFIG"]).parent / "genesis.json")
        info = rpc(self.leader, "emeth_chainInfo")
        d = self.domain_json = info["domain"]
        self.domain = {"name": d["name"], "version": d["version"], "chainId": int(d["chainId"], 16),
                       "verifyingContract": d["verifyingContract"]}

    def rollup(self):
        w3 = Web3(Web3.HTTPProvider(self.values["L1_RPC_URL"]))
        abi = json.loads((ROOT / "Contracts" / "artifacts" / "EmethRollup.json").read_text())["abi"]
        return w3.eth.contract(address=self.values["ROLLUP_ADDRESS"], abi=abi)

    def localnet(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", str(ROOT / "scripts" / "localnet"), *args], env=self.env, capture_output=True,
                              text=True, timeout=180)

    def withdraw(self, url: str, key: str, nonce: int, amount: int = GHOLON) -> str:
        tx, h = sign((key, self.domain, "Withdraw", {"amount": str(amount), "nonce": str(nonce)}))
        got = rpc(url, "emeth_sendTransaction", tx, {"from": Account.from_key(key).address})
        assert got == h, f"sendTransaction returned {got}, the hash of what was signed is {h}"
        return h


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    base = tmp_path_factory.mktemp("followers")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMETH_", "LOCALNET_"))}
    env.update(EMETH_BIN=str(Path(EMETH).resolve()), LOCALNET_DIR=str(base / "localnet"), LOCALNET_L1_PORT=str(free_port()),
               LOCALNET_L2_PORT=str(free_ports(2)), LOCALNET_FOLLOWERS="1")
    try:
        try:
            r = subprocess.run(["bash", str(ROOT / "scripts" / "demo"), "--jobs", "7", "--keep"], env=env, cwd=ROOT,
                               capture_output=True, text=True, timeout=DEMO_LIMIT)
        except subprocess.TimeoutExpired as e:
            out = "".join(x.decode(errors="replace") if isinstance(x, bytes) else (x or "") for x in (e.stdout, e.stderr))
            pytest.fail(f"the demo did not finish within {DEMO_LIMIT} s:\n{out[-6000:]}")
        assert r.returncode == 0 and "all checks passed" in r.stdout, (r.stdout + r.stderr)[-6000:]
        values = dict(line.split("=", 1) for line in (base / "localnet" / "env").read_text().splitlines()
                      if line and not line.startswith("#"))
        yield Net(env, values)
    finally:  # never leave processes behind
        subprocess.run(["bash", str(ROOT / "scripts" / "localnet"), "down"], env=env, capture_output=True, timeout=120)


# --- the same answers ------------------------------------------------------------------------------

def test_every_read_method_answers_as_the_leader(net):
    L, F = net.leader, net.follower
    n = head(L)
    wait_until(lambda: head(F) == n, f"the follower to reach the leader's head {n}", timeout=120)
    same(L, F, "emeth_chainInfo", [])
    same(L, F, "emeth_blockNumber", [])
    txs, accounts, batches = [], set(), set()
    for k in range(n + 1):
        block = json.loads(same(L, F, "emeth_getBlockByNumber", [hex(k), True]))["result"]
        same(L, F, "emeth_getBlockByNumber", [hex(k), False])
        same(L, F, "emeth_getBlockRange", [hex(k), "0x1"])
        txs += [t["hash"] for t in block["transactions"]]
        accounts |= {t["sender"] for t in block["transactions"]} | {m["account"] for m in block["inbox"]}
    same(L, F, "emeth_getBlockRange", ["0x0"])
    same(L, F, "emeth_getBlockByNumber", [hex(n + 1)])                        # null beyond the head
    for h in txs:
        receipt = json.loads(same(L, F, "emeth_getTransactionReceipt", [h]))["result"]
        assert receipt["status"] in ("committed", "final"), receipt
        batches.add(int(receipt["batchIndex"], 16))
        same(L, F, "emeth_getTransactionProof", [h])
    tickets = proofs = 0
    for a in sorted(accounts):
        same(L, F, "emeth_getAccount", [a])
        same(L, F, "emeth_getTransactionCount", [a])
        same(L, F, "emeth_getTransactionCount", [a, "pending"])
        tickets += json.loads(same(L, F, "emeth_getTicket", [a]))["result"] is not None
        proofs += "result" in json.loads(same(L, F, "emeth_getSettlementProof", [a]))
        for i in sorted(batches):
            same(L, F, "emeth_getSettlementProof", [a, hex(i)])
        for k in range(n + 1):
            same(L, F, "emeth_getStateProof", [a, hex(k)])
    jobs = json.loads(same(L, F, "emeth_listJobs", [{"limit": 1000}]))["result"]["jobs"]
    for j in jobs:
        same(L, F, "emeth_getJob", [j["jobId"]])
        same(L, F, "emeth_getStateProof", [j["jobId"]])
        same(L, F, "emeth_listJobs", [{"owner": j["owner"]}])
        same(L, F, "emeth_listJobs", [{"node": j["node"]}])
    for status in range(1, 11):
        same(L, F, "emeth_listJobs", [{"status": status}])
    cursor = None
    while True:  # every page of a small page size
        page = json.loads(same(L, F, "emeth_listJobs", [{"limit": 2, "cursor": cursor}]))["result"]
        cursor = page["cursor"]
        if cursor is None:
            break
    for k in range(n + 1):
        same(L, F, "emeth_getStateProof", ["totals", hex(k)])
    # The history is the demo's: all of that was about something.
    assert len(txs) >= 25 and len(jobs) >= 7 and len(accounts) >= 7, (len(txs), len(jobs), len(accounts))
    assert tickets >= 2 and proofs >= 1 and len(batches) >= 2, (tickets, proofs, batches)
    last = net.rollup().functions.batchCount().call() - 1   # L1's newest batch (the demo waited for all final)
    assert last >= max(batches)
    h = wait_until(lambda: (x := health(F))["auditedBatch"] == last and x, f"the follower to audit batch {last}", timeout=60)
    assert (h["status"], h["role"], h["head"], h["leaderHead"], h["lagBlocks"]) == ("ok", "follower", n, n, 0), h
    assert metric(F, "emeth_follower_lag_blocks") == "0" and metric(F, "emeth_follower_diverged") == "0"
    assert metric(F, "emeth_follower_refusals_total") == "0"


# --- writes through a follower ---------------------------------------------------------------------

def test_a_transaction_sent_to_a_follower_is_sequenced(net):
    L, F = net.leader, net.follower
    key = net.values["USER_KEYS"].split(",")[0]
    address = Account.from_key(key).address
    nonce = int(rpc(F, "emeth_getTransactionCount", address, "pending"), 16)
    assert nonce == int(rpc(L, "emeth_getTransactionCount", address, "pending"), 16) > 0
    h = net.withdraw(F, key, nonce)
    receipt = wait_until(lambda: (r := rpc(F, "emeth_getTransactionReceipt", h)) and r["status"] != "pending" and r,
                         "the forwarded transaction's receipt (from the follower)", timeout=60)
    assert receipt["hash"] == h and receipt["sender"] == address and receipt["success"] is True
    block = int(receipt["blockNumber"], 16)
    wait_until(lambda: head(F) >= block, f"the follower to apply block {block}", timeout=60)
    same(L, F, "emeth_getTransactionReceipt", [h])
    assert rpc(L, "emeth_getTransactionReceipt", h)["blockNumber"] == receipt["blockNumber"]
    # The same transaction again: the leader's refusal comes back as it is.
    tx, _ = sign((key, net.domain, "Withdraw", {"amount": str(GHOLON), "nonce": str(nonce)}))
    again = json.loads(raw(F, "emeth_sendTransaction", [tx]))
    assert again["error"]["code"] == -32001 and f"nonce too low: expected {nonce + 1}, got {nonce}" in again["error"]["message"], again
    assert raw(F, "emeth_sendTransaction", [tx]) == raw(L, "emeth_sendTransaction", [tx])


# --- downtime -------------------------------------------------------------------------------------

def test_a_follower_catches_up_after_kill_9(net):
    L, F = net.leader, net.follower
    pid = int((net.dir / "follower-1.pid").read_text())
    before = head(F)
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1][:3],
               "the killed follower to be gone", timeout=30)
    key = net.values["USER_KEYS"].split(",")[1]
    address = Account.from_key(key).address
    nonce = int(rpc(L, "emeth_getTransactionCount", address, "pending"), 16)
    sent = []
    for k in range(3):  # three blocks while the follower is down
        sent.append(net.withdraw(L, key, nonce + k))
        wait_until(lambda: rpc(L, "emeth_getTransactionReceipt", sent[-1])["status"] != "pending",
                   f"withdrawal {k} to be sequenced", timeout=60)
    target = head(L)
    assert target >= before + 3
    r = net.localnet("up", "--followers", "1")  # restarts the follower on its data
    assert r.returncode == 0 and "follower 1 (pid" in r.stdout, r.stdout + r.stderr
    wait_until(lambda: head(F) >= target, f"the restarted follower to reach block {target}", timeout=120)
    for k in range(before + 1, target + 1):
        same(L, F, "emeth_getBlockByNumber", [hex(k), True])
        same(L, F, "emeth_getBlockRange", [hex(k), "0x1"])
    for h in sent:
        same(L, F, "emeth_getTransactionReceipt", [h])
    same(L, F, "emeth_getAccount", [address])
    h = health(F)
    assert h["status"] == "ok" and h["lagBlocks"] == 0 and h["blocksApplied"] >= target - before, h


# --- a leader that lies -----------------------------------------------------------------------------

class FakeLeader:
    """Serves the real leader's API, except that block `number` in `emeth_getBlockRange` is
    replaced by `tampered` (while set), and nothing after it is served."""

    def __init__(self, leader: str):
        self.leader, self.number, self.tampered = leader, None, None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                body = raw(fake.leader, req["method"], req.get("params", []))
                if req["method"] == "emeth_getBlockRange" and fake.tampered is not None:
                    reply = json.loads(body)
                    first = int(req["params"][0], 16)
                    blocks = reply["result"]["blocks"]
                    if first <= fake.number < first + len(blocks):
                        reply["result"]["blocks"] = blocks[:fake.number - first] + [fake.tampered]
                    body = json.dumps(reply)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def decoded(block_hex: str) -> list:
    return rlp.decode(bytes.fromhex(block_hex[2:]))


def encoded(fields: list) -> str:
    return "0x" + rlp.encode(fields).hex()


def resigned(fields: list, header: bytes, key: str) -> str:
    """The block with `header`, signed over keccak256(header) by `key` (r ‖ s ‖ v, v 27/28)."""
    sig = Account.unsafe_sign_hash(keccak(header), key).signature
    return encoded([header, bytes(sig)] + fields[2:])


def test_a_tampered_block_is_refused_naming_the_field(net, tmp_path):
    L = net.leader
    signer, signer_key = net.values["SIGNER_ADDRESS"], net.values["SIGNER_KEY"]
    # The first block with a transaction after block 1: the follower applies the ones before it.
    n = next(k for k in range(2, head(L) + 1) if rpc(L, "emeth_getBlockByNumber", hex(k))["transactions"])
    block = rpc(L, "emeth_getBlockByNumber", hex(n), True)
    parent = rpc(L, "emeth_getBlockByNumber", hex(n - 1))
    real = rpc(L, "emeth_getBlockRange", hex(n), "0x1")["blocks"][0]
    f = decoded(real)
    header = f[0]
    assert "0x" + keccak(header).hex() == block["hash"] and "0x" + header[128:160].hex() == block["stateRoot"]
    assert Account._recover_hash(keccak(header), signature=f[1]) == signer  # the stored form, read independently

    fake = FakeLeader(L)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "follower.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([EMETH, "follower", "run", "--leader", fake.url, "--data", str(tmp_path / "data"),
                                 "--genesis", net.genesis, "--listen", f"127.0.0.1:{port}", "--poll-ms", "50"],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        # 1. One byte of a transaction: its nonce. The signature now recovers another sender.
        tx0 = block["transactions"][0]
        t = rlp.decode(f[4][0][0])
        t[1] = rlp.sedes.big_endian_int.serialize(rlp.sedes.big_endian_int.deserialize(t[1]) + 1)
        message = dict(tx0["message"], nonce=str(int(tx0["message"]["nonce"]) + 1))
        recovered = SignedTransaction.from_wire({"type": tx0["type"], "message": message, "signature": tx0["signature"]},
                                                Domain.from_json(net.domain_json)).sender
        txs = [[rlp.encode(t)] + f[4][0][1:]] + f[4][1:]
        cases = [(encoded(f[:4] + [txs] + f[5:]), "tx.sender", recovered, tx0["sender"],
                  f"block {n}, tx 0: tx.sender is {tx0['sender']}, expected {recovered} (the signature recovers another sender)")]
        # 2. The state root, signed by the Signer's own key: re-execution says otherwise.
        forged_root = bytes([0xab]) * 32
        cases.append((resigned(f, header[:128] + forged_root + header[160:], signer_key), "stateRoot", block["stateRoot"],
                      "0x" + forged_root.hex(), f"block {n}: stateRoot 0x{forged_root.hex()} does not match re-execution {block['stateRoot']}"))
        # 3. The parent hash, signed by the Signer.
        forged_parent = bytes([0xcd]) * 32
        cases.append((resigned(f, header[:32] + forged_parent + header[64:], signer_key), "parentHash", parent["hash"],
                      "0x" + forged_parent.hex(), f"block {n}: parentHash 0x{forged_parent.hex()} does not match block {n - 1}'s hash {parent['hash']}"))
        # 4. The real block signed by another key.
        other = Account.create()
        cases.append((resigned(f, header, other.key.hex()), "signature", signer, other.address,
                      f"block {n}: Signer signature recovers {other.address}, expected {signer}"))

        fake.number = n
        for k, (tampered, field, expected, found, line) in enumerate(cases):
            fake.tampered = tampered
            h = wait_until(lambda: (x := health_or_none(url)) and x.get("refused", {}).get("field") == field and x,
                           f"the follower to refuse block {n} naming {field}", timeout=90)
            assert h["status"] == "refusing" and h["refused"] == {"block": n, "batch": None, "field": field, "expected": expected,
                                                                   "found": found}, h
            assert h["error"] == line, h
            assert h["head"] == n - 1 and head(url) == n - 1 and rpc(url, "emeth_getBlockByNumber", hex(n)) is None
            assert line in log.read_text(errors="replace"), log.read_text(errors="replace")[-3000:]
            assert metric(url, "emeth_follower_refused_block") == str(n)
            assert metric(url, "emeth_follower_refusals_total") == str(k + 1)
            assert requests.get(url + "/health", timeout=10).status_code == 503
        # The real block again: the follower goes on, from the head it never left.
        fake.tampered = None
        target = head(L)
        wait_until(lambda: head(url) >= target, f"the follower to apply the real block {n} and reach {target}", timeout=120)
        assert raw(url, "emeth_getBlockRange", [hex(n), "0x1"]) == raw(L, "emeth_getBlockRange", [hex(n), "0x1"])
        h = health(url)
        assert h["status"] == "ok" and "refused" not in h and metric(url, "emeth_follower_refused_block") == "-1", h
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        fake.server.shutdown()


def health_or_none(url: str) -> dict | None:
    try:
        return requests.get(url + "/health", timeout=5).json()
    except (requests.RequestException, ValueError):
        return None
