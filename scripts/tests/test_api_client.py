"""The L2 JSON-RPC API driven by an independent client: a local L1 (the devnet) with the
contracts deployed by `emeth deploy`, `emeth sequencer init --deployment` + `run` following the
L1 inbox, deposits made with web3, transactions signed by the Python SDK (clients/python, on
eth-account's `sign_typed_data`, not our Swift signer), one job through RegisterJob → Process →
Submit → Verify → Withdraw with real fees, and every result checked exactly — hashes
recomputed from what was signed, block hashes recomputed with eth-abi and their signatures
recovered with eth-keys (the SDK's `verify_block`), the Signer's ticket recovered by the SDK.
"""
import json
import os
import select
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests
from eth_account import Account
from eth_hash.auto import keccak
from web3 import Web3

from emeth_sdk import Domain, sign_message, ticket_signer
from emeth_sdk.proofs import verify_block
from emeth_sdk.signing import sign_job
from support import wait_until

ROOT = Path(__file__).resolve().parents[2]

EMETH = os.environ.get("EMETH_BIN", str(ROOT / ".build" / "debug" / "emeth"))
PYTHON = ROOT / ".venv" / "bin" / "python"
CHAIN_ID = 31337
OWNER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"   # devnet key 0
SEQUENCER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"                           # devnet key 1
EMT = 10**18
DEPOSIT = 1000 * EMT
GWEI = 10**9
SIGNER = Account.from_key("0x" + "51" * 32)
REQUESTER = Account.from_key("0x" + "11" * 32)
NODE = Account.from_key("0x" + "22" * 32)
VERIFIER = Account.from_key("0x" + "33" * 32)
STRANGER = Account.from_key("0x" + "66" * 32)
JOB = "0x" + "0a" * 16
DOMAIN = {}   # filled by the fixture once the rollup is deployed
ROLLUP = None


def start_devnet(tmp: Path):
    ready = tmp / "ready"
    proc = subprocess.Popen([str(PYTHON), str(ROOT / "scripts" / "devnet_server.py"), "--port", "0", "--ready-file", str(ready)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        if ready.exists() and ready.read_text().endswith("\n"):
            return proc, ready.read_text().strip()
        time.sleep(0.05)
    proc.kill()
    pytest.fail("the devnet did not start")


def fund(l1_url: str, deployment: dict, accounts):
    """ETH for gas, EMT minted by the owner, approve and deposit: DEPOSIT each into the inbox."""
    w3 = Web3(Web3.HTTPProvider(l1_url))
    token_abi = json.loads((ROOT / "Contracts" / "artifacts" / "EmethToken.json").read_text())["abi"]
    rollup_abi = json.loads((ROOT / "Contracts" / "artifacts" / "EmethRollup.json").read_text())["abi"]
    token = w3.eth.contract(address=deployment["token"], abi=token_abi)
    rollup = w3.eth.contract(address=deployment["rollup"], abi=rollup_abi)
    owner = Account.from_key(OWNER_KEY)

    def send(account, tx):
        tx = dict(tx, nonce=w3.eth.get_transaction_count(account.address), chainId=CHAIN_ID,
                  maxFeePerGas=10 * GWEI, maxPriorityFeePerGas=GWEI)
        tx.setdefault("gas", 300_000)
        raw = account.sign_transaction(tx).raw_transaction
        assert w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(raw)).status == 1

    for a in accounts:
        send(owner, {"to": a.address, "value": EMT})
        send(owner, token.functions.mint(a.address, DEPOSIT).build_transaction({"from": owner.address}))
        send(a, token.functions.approve(deployment["rollup"], DEPOSIT).build_transaction({"from": a.address}))
        send(a, rollup.functions.deposit(DEPOSIT).build_transaction({"from": a.address}))


@pytest.fixture(scope="module")
def rpc(tmp_path_factory):
    """A running `emeth sequencer run` on a fresh directory; yields a JSON-RPC call function."""
    if not os.path.exists(EMETH):
        pytest.fail(f"{EMETH} is missing: build it first (swift build)")
    global ROLLUP
    d = tmp_path_factory.mktemp("sequencer")
    devnet, l1_url = start_devnet(d)
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMETH_")}
    r = subprocess.run([EMETH, "deploy", "--rpc", l1_url, "--sequencer", SEQUENCER, "--signer", SIGNER.address,
                        "--challenge-period", "60", "--inbox-confirmations", "1", "--out", str(d / "deployment.json")],
                       capture_output=True, text=True, env=dict(env, EMETH_PRIVATE_KEY=OWNER_KEY), timeout=120)
    assert r.returncode == 0, r.stderr
    deployment = json.loads((d / "deployment.json").read_text())
    ROLLUP = deployment["rollup"]
    DOMAIN.update({"name": "EMETH L2", "version": "1", "chainId": CHAIN_ID, "verifyingContract": ROLLUP})
    r = subprocess.run([EMETH, "sequencer", "init", "--dir", str(d), "--deployment", str(d / "deployment.json"),
                        "--verifier", VERIFIER.address, "--timestamp", "1700000000"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert json.loads((d / "genesis.json").read_text())["roles"]["verifiers"] == [VERIFIER.address]
    assert json.loads((d / "genesis.json").read_text())["rollup"] == ROLLUP
    config = d / "emeth.toml"
    # A state-tree cache of 64 nodes: this chain's tree outgrows it, so the sequencer reads
    # evicted nodes back from RocksDB while every test below checks its answers.
    config.write_text(config.read_text().replace('rpc_url = ""', f'rpc_url = "{l1_url}"')
                      .replace("confirmations = 12 ", "confirmations = 1 ")
                      .replace("tree_cache_nodes = 4194304", "tree_cache_nodes = 64"))
    fund(l1_url, deployment, [REQUESTER, NODE])
    env["EMETH_SIGNER_PRIVATE_KEY"] = SIGNER.key.hex()
    proc = subprocess.Popen([EMETH, "sequencer", "run", "--config", str(d / "emeth.toml"), "--listen", "127.0.0.1:0",
                             "--block-time-ms", "50"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, "no startup line within 60 s"
        line = proc.stdout.readline()
        assert line.startswith("emeth sequencer listening on http://127.0.0.1:"), (line, proc.stderr.read() if proc.poll() else "")
        words = line.split()
        url = words[4]
        assert words[5:9] == ["chainId", "31337", "head", "0"]
        session = requests.Session()
        counter = iter(range(1, 1 << 30))

        def call(method, *params):
            reply = session.post(url, json={"jsonrpc": "2.0", "id": next(counter), "method": method, "params": list(params)},
                                 timeout=30).json()
            return reply

        call.url = url
        # The inbox feed credits the deposits after one L1 confirmation; the limit only guards
        # against a hang, and reaching it fails here rather than in some later assertion.
        wait_until(lambda: all(call("emeth_getAccount", a.address)["result"]["balance"] == hex(DEPOSIT)
                               for a in (REQUESTER, NODE)),
                   "the L1 deposits of the requester and the node credited on L2")
        yield call
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        finally:
            devnet.kill()
    assert proc.returncode == 0, proc.stderr.read()


def result(rpc, method, *params):
    reply = rpc(method, *params)
    assert "result" in reply, reply
    return reply["result"]


def wire(account, primary, message):
    """Signs `message` (nonce included) as EIP-712 typed data with the SDK; returns the wire
    form the API takes and the transaction hash keccak256(digest ‖ sender)."""
    return sign_job((account.key, DOMAIN, primary, message))


def wait_sequenced(rpc, tx_hash):
    found = {}

    def sequenced():
        receipt = result(rpc, "emeth_getTransactionReceipt", tx_hash)
        found["receipt"] = receipt
        return receipt is not None and receipt["status"] != "pending"

    wait_until(sequenced, f"{tx_hash} to be sequenced")
    return found["receipt"]


def refusal(rpc, account, primary, message):
    """The JSON-RPC error a transaction gets (it must get one)."""
    tx, _ = wire(account, primary, message)
    reply = rpc("emeth_sendTransaction", tx, {"from": account.address, "chainId": str(CHAIN_ID)})
    assert "error" in reply, reply
    return reply["error"]


def send(rpc, account, primary, message):
    tx, tx_hash = wire(account, primary, message)
    assert result(rpc, "emeth_sendTransaction", tx, {"from": account.address, "chainId": str(CHAIN_ID)}) == tx_hash
    return tx_hash


def test_chain_info(rpc):
    info = result(rpc, "emeth_chainInfo")
    assert info["chainId"] == hex(CHAIN_ID)
    assert info["domain"] == {"name": "EMETH L2", "version": "1", "chainId": hex(CHAIN_ID), "verifyingContract": ROLLUP}
    assert info["signer"] == SIGNER.address and info["rollup"] == ROLLUP
    # The genesis it reports is canonical JSON (sorted keys, compact) whose keccak is genesisHash.
    canonical = json.dumps(info["genesis"], sort_keys=True, separators=(",", ":")).encode()
    assert "0x" + keccak(canonical).hex() == info["genesisHash"]
    assert info["genesis"]["roles"]["verifiers"] == [VERIFIER.address] and info["genesis"]["rollup"] == ROLLUP


@pytest.fixture(scope="module")
def lifecycle(rpc):
    """One job through RegisterJob → Process → Submit → Verify, then the node's Withdraw; the
    receipts by step, and the refusals of a stranger's Verify, the node's own Verify and an
    over-large Withdraw. Tests that look at the state
    it leaves depend on this fixture, so each runs on its own and in any order."""
    register = {"jobId": JOB, "parentJob": "0x" + "00" * 16, "programId": "7", "numParallel": "1", "numEpoch": "1",
                "dataset": "0x" + "d0" * 32, "param": "0x" + "e0" * 32, "fuelLimit": "120000", "fuelPrice": str(GWEI),
                "deadline": "4000000000", "nonce": "0"}
    hashes = [send(rpc, REQUESTER, "RegisterJob", register),
              send(rpc, NODE, "Process", {"jobId": JOB, "nonce": "0"}),
              send(rpc, NODE, "Submit", {"jobId": JOB, "result": "0x" + "aa" * 32, "fuelUsed": "100000", "nonce": "1"})]
    # Admission runs what is sent against the pending state: a stranger holding nothing, and
    # the node judging its own work, are refused at the door and never reach a block.
    refusals = [refusal(rpc, STRANGER, "Verify", {"jobId": JOB, "nonce": "0"}),
                refusal(rpc, NODE, "Verify", {"jobId": JOB, "nonce": "2"})]
    receipts = [wait_sequenced(rpc, h) for h in hashes]
    verify = wait_sequenced(rpc, send(rpc, VERIFIER, "Verify", {"jobId": JOB, "nonce": "0"}))
    withdraw = wait_sequenced(rpc, send(rpc, NODE, "Withdraw", {"amount": str(100_000 * GWEI), "nonce": "2"}))
    refusals.append(refusal(rpc, NODE, "Withdraw", {"amount": str(DEPOSIT + 1), "nonce": "3"}))
    return {"first": receipts, "verify": verify, "withdraw": withdraw, "refusals": refusals}


def test_job_lifecycle(rpc, lifecycle):
    receipts = lifecycle["first"]
    assert [r["success"] for r in receipts] == [True, True, True]
    assert [r["sender"] for r in receipts] == [REQUESTER.address, NODE.address, NODE.address]
    assert lifecycle["refusals"] == [
        {"code": -32006, "message": f"account {STRANGER.address} holds nothing (no balance, no credit, no role): deposit on L1 first"},
        {"code": -32006, "message": "the transaction would fail with NOT_VERIFIER (6) against the pending state: only a verifier may do this"},
        {"code": -32006, "message": "the transaction would fail with INSUFFICIENT_BALANCE (10) against the pending state: the balance is too small; deposit more"}]
    verify = lifecycle["verify"]
    assert verify["success"] is True and verify["failure"] is None
    # docs/PROTOCOL.md §3 with feeLimit = 120,000 × 1 Gholon: the node earns fuelUsed × price, the
    # requester gets feeLimit − that back, the verifier 5% of feeLimit.
    fee_limit, v_fee, earned = 120_000 * GWEI, 6_000 * GWEI, 100_000 * GWEI
    assert lifecycle["withdraw"]["success"] is True

    job = result(rpc, "emeth_getJob", JOB)
    assert job["status"] == 4 and job["statusName"] == "VERIFIED"
    assert job["owner"] == REQUESTER.address and job["node"] == NODE.address
    assert job["fuelUsed"] == hex(100000) and job["fuelLimit"] == hex(120000) and job["fuelPrice"] == hex(GWEI)
    assert job["result"] == "0x" + "aa" * 32 and job["escrow"] == "0x0" and job["nodeDeposit"] == "0x0"
    expected = {REQUESTER: (1, DEPOSIT - fee_limit - v_fee + (fee_limit - earned), 0),
                NODE: (3, DEPOSIT + earned - earned, earned),
                VERIFIER: (1, v_fee, 0), STRANGER: (0, 0, 0)}
    for account, (nonce, balance, credit) in expected.items():
        assert result(rpc, "emeth_getAccount", account.address) == {
            "address": account.address, "balance": hex(balance), "nonce": hex(nonce), "credit": hex(credit)}
    assert result(rpc, "emeth_listJobs", {"status": 4, "owner": REQUESTER.address}) == {"jobs": [job], "cursor": None}


def test_blocks_are_signed_by_the_signer(rpc, lifecycle):
    head = int(result(rpc, "emeth_blockNumber"), 16)
    assert head >= 1
    for n in range(1, head + 1):
        b = result(rpc, "emeth_getBlockByNumber", hex(n), True)
        # Recomputes keccak256(abi.encode(header)), refuses a differing "hash", recovers the signer.
        assert "0x" + verify_block(b, signer=SIGNER.address).hex() == b["hash"]
        assert int(b["txCount"], 16) == len(b["transactions"])
        for tx in b["transactions"]:
            assert set(tx) >= {"type", "message", "signature", "sender", "hash", "success", "failure"}


def test_refusals(rpc, lifecycle):
    # The requester's nonce 0 was used by the lifecycle's RegisterJob.
    tx, _ = wire(REQUESTER, "Withdraw", {"amount": "5", "nonce": "0"})
    replay = rpc("emeth_sendTransaction", tx)
    assert replay["error"] == {"code": -32001, "message": "nonce too low: expected 1, got 0"}
    foreign = sign_message(REQUESTER.key, Domain(1, ROLLUP), "Withdraw", {"amount": "5", "nonce": "1"}).wire
    reply = rpc("emeth_sendTransaction", foreign, {"from": REQUESTER.address})
    assert reply["error"]["code"] == -32002
    bad = dict(tx, signature=tx["signature"][:-2] + "1d")
    assert rpc("emeth_sendTransaction", bad)["error"]["code"] == -32000
    assert rpc("emeth_nope")["error"] == {"code": -32601, "message": "the method emeth_nope does not exist"}
    r = requests.post(rpc.url, data=b"{", timeout=10)
    assert r.status_code == 200 and r.json()["error"]["code"] == -32700
    r = requests.post(rpc.url, data=b" " * ((1 << 20) + 1), timeout=10)
    assert r.status_code == 413 and r.json()["error"]["code"] == -32003


def test_ticket_signature(rpc, lifecycle):
    # The node's credit is what the lifecycle's Withdraw moved.
    ticket = result(rpc, "emeth_getTicket", NODE.address)
    assert ticket["account"] == NODE.address and ticket["credit"] == hex(100_000 * GWEI)
    assert ticket_signer(ticket, Domain(CHAIN_ID, ROLLUP)) == SIGNER.address


def test_run_refuses_bad_config_and_wrong_signer(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMETH_")}
    r = subprocess.run([EMETH, "sequencer", "init", "--dir", str(tmp_path), "--signer", SIGNER.address],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    again = subprocess.run([EMETH, "sequencer", "init", "--dir", str(tmp_path), "--signer", SIGNER.address],
                           capture_output=True, text=True, env=env, timeout=60)
    assert again.returncode != 0 and "exists; refusing to overwrite it" in again.stderr
    config = tmp_path / "emeth.toml"
    config.write_text(config.read_text().replace("max_txs = 5000", "max_tx = 5000"))
    bad = subprocess.run([EMETH, "sequencer", "run", "--config", str(config)], capture_output=True, text=True,
                         env=dict(env, EMETH_SIGNER_PRIVATE_KEY=SIGNER.key.hex()), timeout=60)
    assert bad.returncode != 0 and "unknown key max_tx in [sealing]" in bad.stderr
    config.write_text(config.read_text().replace("max_tx = 5000", "max_txs = 5000"))
    wrong = subprocess.run([EMETH, "sequencer", "run", "--config", str(config)], capture_output=True, text=True,
                           env=dict(env, EMETH_SIGNER_PRIVATE_KEY=NODE.key.hex()), timeout=60)
    assert wrong.returncode != 0
    assert f"the Signer key is {NODE.address} but genesis names {SIGNER.address} as the signer" in wrong.stderr
    nokey = subprocess.run([EMETH, "sequencer", "run", "--config", str(config)], capture_output=True, text=True, env=env, timeout=60)
    assert nokey.returncode != 0 and "no Signer key" in nokey.stderr
    # Flags override the file: --bridge without an L1 endpoint is refused before anything starts.
    nol1 = subprocess.run([EMETH, "sequencer", "run", "--config", str(config), "--bridge"], capture_output=True, text=True,
                          env=dict(env, EMETH_SIGNER_PRIVATE_KEY=SIGNER.key.hex()), timeout=60)
    assert nol1.returncode != 0 and "[bridge] enabled needs [l1] rpc_url" in nol1.stderr
    badage = subprocess.run([EMETH, "sequencer", "run", "--config", str(config), "--l1-rpc", "http://127.0.0.1:1", "--bump-after-s", "0"],
                            capture_output=True, text=True, env=dict(env, EMETH_SIGNER_PRIVATE_KEY=SIGNER.key.hex()), timeout=60)
    assert badage.returncode != 0 and "bump_after_s and max_fee_gwei must be at least 1" in badage.stderr
    # The state-tree cache bound: from the flag and from the file, a bad one refused by name.
    env_key = dict(env, EMETH_SIGNER_PRIVATE_KEY=SIGNER.key.hex())
    bigcache = subprocess.run([EMETH, "sequencer", "run", "--config", str(config), "--tree-cache-nodes", "3000000000"],
                              capture_output=True, text=True, env=env_key, timeout=60)
    assert bigcache.returncode != 0
    assert "[store] tree_cache_nodes must be between 0 (no cache) and 2147483648, got 3000000000" in bigcache.stderr
    assert "tree_cache_nodes = 4194304" in config.read_text()
    config.write_text(config.read_text().replace("tree_cache_nodes = 4194304", "tree_cache_nodes = -1"))
    negcache = subprocess.run([EMETH, "sequencer", "run", "--config", str(config)], capture_output=True, text=True, env=env_key, timeout=60)
    assert negcache.returncode != 0 and "[store] tree_cache_nodes must be a non-negative integer" in negcache.stderr
