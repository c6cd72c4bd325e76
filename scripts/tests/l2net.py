"""A localnet of a test module's own (a temporary directory, free ports) and what the
subscription and status-page tests do on it: deposits through `emeth deposit`, JSON-RPC over
HTTP, and L2 transactions signed with the Python SDK (clients/python) in the chain's EIP-712
domain (PROTOCOL §2)."""
from __future__ import annotations

import json
import os
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from emeth_sdk import EMT, GHOLON, Domain, sign_message
from eth_account import Account
from support import free_port, free_ports, run_localnet as localnet, wait_until

ROOT = Path(__file__).resolve().parents[2]
EMETH = os.environ.get("EMETH_BIN") or str(ROOT / ".build" / "debug" / "emeth")
__all__ = ["EMT", "GHOLON"]


def address(key: str) -> str:
    return Account.from_key(key).address


def job_id(n: int) -> str:
    return "0x" + f"{n:032x}"


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMETH_", "LOCALNET_"))}
    env.update(extra)
    return env


class L2Net:
    def __init__(self, env: dict, values: dict):
        self.env, self.v = env, values
        self.url = values["L2_RPC_URL"]
        self.ws_url = self.url.replace("http://", "ws://") + "/ws"
        self.requester, self.node, self.other, _ = values["USER_KEYS"].split(",")
        self._domain = None

    def rpc_raw(self, method: str, *params, url: str | None = None):
        return requests.post(url or self.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)},
                             timeout=60).json()

    def rpc(self, method: str, *params, url: str | None = None):
        r = self.rpc_raw(method, *params, url=url)
        assert "result" in r, r
        return r["result"]

    def head(self) -> int:
        return int(self.rpc("emeth_blockNumber"), 16)

    def metric(self, name: str) -> str | None:
        for line in requests.get(self.url + "/metrics", timeout=30).text.splitlines():
            if line.startswith(name + " "):
                return line.split(" ", 1)[1]
        return None

    def deposit(self, key: str, amount: str):
        env = clean_env(EMETH_L1_RPC=self.v["L1_RPC_URL"], EMETH_L2_RPC=self.url, EMETH_DEPLOYMENT=self.v["DEPLOYMENT_FILE"],
                        EMETH_PRIVATE_KEY=key)
        r = subprocess.run([EMETH, "deposit", amount], capture_output=True, text=True, env=env, timeout=300)
        assert r.returncode == 0 and "credited on L2" in r.stdout, r.stdout + r.stderr

    def wire(self, key: str, primary: str, nonce: int, **fields) -> tuple[dict, str]:
        """The wire form of an L2 transaction signed by `key`, and its hash keccak256(digest ‖ sender)."""
        if self._domain is None:
            self._domain = Domain.from_json(self.rpc("emeth_chainInfo")["domain"])
        message = {k: v if isinstance(v, str) else str(v) for k, v in dict(fields, nonce=nonce).items()}
        signed = sign_message(key, self._domain, primary, message)
        return signed.wire, signed.hash

    def nonce(self, key: str) -> int:
        return int(self.rpc("emeth_getTransactionCount", address(key), "pending"), 16)

    def send(self, key: str, primary: str, **fields) -> str:
        wire, h = self.wire(key, primary, self.nonce(key), **fields)
        assert self.rpc("emeth_sendTransaction", wire) == h
        return h

    def register_fields(self, jid: str, program: int = 7, fuel_limit: int = 1_000) -> dict:
        return dict(jobId=jid, parentJob="0x" + "00" * 16, programId=program, numParallel=1, numEpoch=1, dataset="0x" + "d0" * 32,
                    param="0x" + "e0" * 32, fuelLimit=fuel_limit, fuelPrice=GHOLON, deadline=4_000_000_000)

    def sequenced(self, h: str) -> dict:
        """Waits until `h` is in a block; its receipt."""
        return wait_until(lambda: (r := self.rpc("emeth_getTransactionReceipt", h)) and r["status"] != "pending" and r,
                          f"transaction {h} to be sequenced", timeout=60)




@contextmanager
def started(tmp: Path, **extra):
    """A localnet on free ports under `tmp` (with LOCALNET_FOLLOWERS followers on the ports after
    the sequencer's), its requester and node funded with 10 EMT on L2; stopped afterwards
    whatever happens."""
    if not os.access(EMETH, os.X_OK):
        pytest.fail(f"{EMETH} is missing: build it (swift build --product emeth) or set EMETH_BIN")
    followers = int(extra.get("LOCALNET_FOLLOWERS", "0"))
    env = clean_env(EMETH_BIN=str(Path(EMETH).resolve()), LOCALNET_DIR=str(tmp / "ln"), LOCALNET_L1_PORT=str(free_port()),
                    LOCALNET_L2_PORT=str(free_ports(1 + followers)), **extra)
    try:
        r = localnet(env, "up")
        assert r.returncode == 0, r.stdout + r.stderr
        values = dict(line.split("=", 1) for line in (tmp / "ln" / "env").read_text().splitlines() if line and not line.startswith("#"))
        net = L2Net(env, values)
        for key in (net.requester, net.node):
            net.deposit(key, "10emt")
        yield net
    finally:
        localnet(env, "down")


def strip_block(block: dict) -> dict:
    """A block as `newHeads` sends it: emeth_getBlockByNumber without its transactions and inbox."""
    return {k: v for k, v in block.items() if k not in ("transactions", "inbox")}


def as_sequenced(receipt: dict) -> dict:
    """A receipt as it read when its block was sealed: a batch may have been committed since."""
    return dict(receipt, status="sequenced", batchIndex=None, l1TxHash=None) if receipt["status"] in ("committed", "final") else receipt


def dumps(v) -> str:
    return json.dumps(v, sort_keys=True)
