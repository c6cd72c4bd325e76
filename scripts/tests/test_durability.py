"""Durability at the syscall level: `emeth sequencer run` (with the batch poster in-process)
under strace, recording fsync/fdatasync and every write. The tests show, in the recorded order
of syscalls, that

- the write-ahead-log write of the block holding a transaction is fsync'd before any HTTP
  response says that transaction is `sequenced`;
- the bridge's record of an L1 transaction is fsync'd before the eth_sendRawTransaction
  request carrying it is written to the L1 socket.

Mutation check: with the block's write made `sync: false` (ChainStore.commit), the first test
fails ("was not fsync'd before the answer saying sequenced") while the kill -9 crash tests
still pass — a killed process loses nothing the kernel holds; only the sync order shows it.
Likewise, with the transaction manager's record written `sync: false` (TxManager.save), the
second test fails ("was not fsync'd before the L1 send").

The run also goes through the production key path: both keys in keystore files — the Signer
named by `sequencer init --signer-keystore` in [signer] keystore, the L1 sequencer key in
[bridge] sequencer_keystore — with the password from EMETH_KEYSTORE_PASSWORD.
"""
import json
import os
import select
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
import requests
from web3 import Web3

import strace_log
from test_api_client import CHAIN_ID, DOMAIN, EMETH, OWNER_KEY, SIGNER, STRANGER, start_devnet, wire
from support import wait_until

SEQUENCER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"   # devnet key 1
SEQUENCER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
PASSWORD = "durable horse"
STRACE = shutil.which("strace")


def emeth(*args, env, timeout=120):
    r = subprocess.run([EMETH, *args], capture_output=True, text=True, env=env, timeout=timeout)
    assert r.returncode == 0, f"emeth {' '.join(args)}:\n{r.stdout}\n{r.stderr}"
    return r.stdout


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    """Runs the sequencer under strace, sends one transaction, waits until it is `sequenced`
    and then committed on L1, stops; returns the parsed trace and what was observed."""
    if not os.access(EMETH, os.X_OK):
        pytest.fail(f"{EMETH} is missing: build it first (swift build)")
    if STRACE is None:
        pytest.skip("strace is not installed (scripts/setup installs it)")
    d = tmp_path_factory.mktemp("durable")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMETH_")}
    devnet, l1_url = start_devnet(d)
    try:
        yield from _run(d, env, l1_url)
    finally:
        devnet.kill()
        devnet.wait()


def _run(d: Path, env: dict, l1_url: str):
    keys = dict(env, EMETH_KEYSTORE_PASSWORD=PASSWORD)
    assert emeth("keys", "import", "--out", str(d / "signer.json"), "--light",
                 env=dict(keys, EMETH_PRIVATE_KEY=SIGNER.key.hex())).strip() == SIGNER.address
    assert emeth("keys", "import", "--out", str(d / "sequencer.json"), "--light",
                 env=dict(keys, EMETH_PRIVATE_KEY=SEQUENCER_KEY)).strip() == SEQUENCER
    emeth("deploy", "--rpc", l1_url, "--sequencer", SEQUENCER, "--signer", SIGNER.address, "--challenge-period", "60",
          "--inbox-confirmations", "1", "--out", str(d / "deployment.json"), env=dict(env, EMETH_PRIVATE_KEY=OWNER_KEY))
    rollup = json.loads((d / "deployment.json").read_text())["rollup"]
    DOMAIN.update({"name": "EMETH L2", "version": "1", "chainId": CHAIN_ID, "verifyingContract": rollup})   # for wire()
    out = emeth("sequencer", "init", "--dir", str(d), "--deployment", str(d / "deployment.json"),
                "--signer-keystore", str(d / "signer.json"), "--timestamp", "1700000000", env=env)
    assert f"signer {SIGNER.address}" in out
    config = d / "emeth.toml"
    text = config.read_text()
    assert f'keystore = "{d / "signer.json"}"' in text
    text = (text.replace('rpc_url = ""', f'rpc_url = "{l1_url}"')
                .replace("confirmations = 12 ", "confirmations = 1 ")
                .replace("enabled = false", "enabled = true")
                .replace('sequencer_keystore = ""', 'sequencer_keystore = "sequencer.json"')   # relative to the config
                .replace("confirmations = 3 ", "confirmations = 1 ")
                .replace("min_bytes = 10000 ", "min_bytes = 0 ")
                .replace("max_age_ms = 60000 ", "max_age_ms = 1500 "))
    config.write_text(text)

    trace = d / "strace.log"
    proc = subprocess.Popen([STRACE, "-f", "-qq", "-xx", "-s", "262144", "-o", str(trace),
                             "-e", "trace=write,writev,pwrite64,pwritev,pwritev2,sendto,sendmsg,fsync,fdatasync",
                             EMETH, "sequencer", "run", "--config", str(config), "--listen", "127.0.0.1:0", "--block-time-ms", "50"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=keys)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 180)
        assert ready, "no startup line within 180 s"
        line = proc.stdout.readline()
        assert line.startswith("emeth sequencer listening on http://127.0.0.1:"), (line, proc.stderr.read() if proc.poll() else "")
        url = line.split()[4]
        session = requests.Session()

        def call(method, *params):
            reply = session.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, timeout=60).json()
            assert "result" in reply, reply
            return reply["result"]

        # The owner funds the account on L2 through depositFor (admission refuses accounts that
        # hold nothing), then it withdraws 1 base unit.
        deployment = json.loads((d / "deployment.json").read_text())
        token = Web3(Web3.HTTPProvider(l1_url)).eth.contract(address=deployment["token"], abi=[{
            "name": "mint", "type": "function", "stateMutability": "nonpayable", "outputs": [],
            "inputs": [{"name": "to", "type": "address"}, {"name": "amount", "type": "uint256"}]}])
        owner = Web3(Web3.HTTPProvider(l1_url)).eth.account.from_key(OWNER_KEY)
        w3 = Web3(Web3.HTTPProvider(l1_url))
        mint = token.functions.mint(owner.address, 5).build_transaction(
            {"from": owner.address, "nonce": w3.eth.get_transaction_count(owner.address), "chainId": CHAIN_ID})
        w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(owner.sign_transaction(mint).raw_transaction))
        out = emeth("deposit", "5", "--for", STRANGER.address, "--rpc", l1_url, "--deployment", str(d / "deployment.json"),
                    "--l2", url, env=dict(env, EMETH_PRIVATE_KEY=OWNER_KEY))
        assert f"deposited 0.000000000000000005 EMT (5 base units) for {STRANGER.address}" in out, out
        assert "credited on L2: balance 0.000000000000000005 EMT" in out, out
        tx, tx_hash = wire(STRANGER, "Withdraw", {"amount": "1", "nonce": "0"})
        assert call("emeth_sendTransaction", tx, {"from": STRANGER.address, "chainId": str(CHAIN_ID)}) == tx_hash
        statuses = []

        def status():
            r = call("emeth_getTransactionReceipt", tx_hash)
            statuses.append(None if r is None else r["status"])
            return r is not None and r["status"] == "sequenced" and r

        receipt = wait_until(status, f"{tx_hash} sequenced")
        assert receipt["success"] is True
        wait_until(lambda: call("emeth_getTransactionReceipt", tx_hash)["status"] in ("committed", "final"),
                   f"the batch holding {tx_hash} committed on L1")
    finally:
        # SIGTERM to the sequencer itself (strace would only detach): it stops cleanly, and
        # strace exits with its exit status.
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        tracee = [int(p) for p in children.read_text().split()] if children.exists() else []
        for pid in tracee:
            os.kill(pid, signal.SIGTERM)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            for pid in tracee:
                os.kill(pid, signal.SIGKILL)
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, proc.stderr.read()
    yield {"calls": strace_log.parse(trace.read_text()), "tx_hash": tx_hash, "receipt": receipt}


def test_a_block_is_fsynced_before_a_receipt_says_sequenced(traced):
    calls, tx_hash = traced["calls"], traced["tx_hash"]
    # The block's WriteBatch holds the transaction's hash as a raw 32-byte key (`txs`); the
    # HTTP answers hold it as hex text, so the raw bytes find the store's log write only.
    raw_hash = bytes.fromhex(tx_hash[2:])
    block_write = strace_log.first_write_with(calls, raw_hash)
    assert block_write is not None, "no write of the block holding the transaction was recorded"
    synced = strace_log.sync_after(calls, block_write)
    answer = strace_log.first_write_with(calls, b'"sequenced"', tx_hash.encode())
    assert answer is not None, "no HTTP answer saying sequenced was recorded"
    assert answer.entry > block_write.exit, "the answer was written before the block"
    assert synced is not None and synced.exit < answer.entry, (
        f"the block's write (fd {block_write.fd}, line {block_write.entry}) was not fsync'd before the answer saying "
        f"sequenced (line {answer.entry}); next sync of that file: {synced}")


def test_the_bridge_record_is_fsynced_before_the_l1_send(traced):
    calls = traced["calls"]
    sends = [c for c in calls if c.name in strace_log.WRITES and b"eth_sendRawTransaction" in c.data]
    assert sends, "no eth_sendRawTransaction request was recorded"
    for send in sends:
        body = send.data[send.data.index(b"eth_sendRawTransaction"):]
        raw_hex = body.split(b'"0x', 1)[1].split(b'"', 1)[0]
        raw = bytes.fromhex(raw_hex.decode())
        # The bridge store's record of the transaction holds the signed bytes it is about to send.
        record = next((c for c in calls if c.name in strace_log.WRITES and c.entry < send.entry and c.fd != send.fd
                       and raw in c.data), None)
        assert record is not None, "the signed transaction was sent without being written to the bridge store first"
        synced = strace_log.sync_after(calls, record)
        assert synced is not None and synced.exit < send.entry, (
            f"the bridge record (fd {record.fd}, line {record.entry}) was not fsync'd before the L1 send (line {send.entry})")
