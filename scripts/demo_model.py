"""What the demo builds on: constants, eth-account signing (in worker processes), a small
client of the L2 API, and the independent model of the fee rules (docs/PROTOCOL.md §3) that
every result of the demo is checked against. The scenario itself is in demo.py."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import requests
from eth_account import Account
from eth_hash.auto import keccak

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "oracle"))
from l2types import L2_TYPES  # noqa: E402

LOCALNET_DIR = Path(os.environ.get("LOCALNET_DIR") or ROOT / ".localnet").resolve()
EMT, GHOLON = 10**18, 10**9
STATUS = {1: "REQUESTED", 2: "PROCESSING", 3: "SUBMITTED", 4: "VERIFIED", 5: "CANCELED", 6: "TIMEOUT",
          7: "FAILED", 8: "DECLINED", 9: "SPLIT", 10: "COMPLETED"}
FAILURES = {1: "UNKNOWN_JOB", 2: "JOB_EXISTS", 3: "WRONG_STATUS", 4: "NOT_OWNER", 5: "NOT_ASSIGNED_NODE",
            6: "NOT_VERIFIER", 7: "NOT_SPLITTER", 8: "NOT_AGGREGATOR", 9: "OWNER_CANNOT_PROCESS",
            10: "INSUFFICIENT_BALANCE", 11: "DEADLINE_PASSED", 12: "DEADLINE_NOT_REACHED", 13: "FUEL_EXCEEDS_LIMIT",
            14: "NOT_SPLITTABLE", 15: "CHILDREN_EXCEED_PARENT", 16: "CHILD_EXISTS", 17: "CHILDREN_NOT_VERIFIED",
            18: "ZERO_AMOUNT", 19: "ARITHMETIC_OVERFLOW", 20: "INVALID_ARGUMENTS", 21: "INVALID_PARENT",
            22: "VERIFIER_IS_PARTY", 23: "FORCED_TX_INVALID", 24: "FORCED_TX_WRONG_NONCE",
            25: "PRICE_BELOW_MINIMUM"}
TIMEOUT_WINDOW = 15  # seconds between registering the jobs that will time out and their deadline


class Fail(Exception):
    pass


def emt(x: int) -> str:
    return f"{x / EMT:,.6f} EMT"


def rate(x: int, r: int) -> int:
    """floor(x·r/100000) with Python's exact integers: the rounding PROTOCOL §3 pins, computed
    independently of the split formula the Swift code uses to avoid 256-bit overflow."""
    return x * r // 100_000


class Progress:
    def __init__(self, total: int):
        self.n, self.total, self.t0 = 0, total, time.monotonic()

    def phase(self, text: str) -> None:
        self.n += 1
        print(f"[{self.n:2}/{self.total}] {text}", flush=True)

    def detail(self, text: str) -> None:
        print(f"        {text}", flush=True)


# --- signing (eth-account; a process per core: pure-Python secp256k1 is ~50 ms a signature) ---

def _typed(kind: str, value):
    if kind.endswith("[]"):
        return [_typed(kind[:-2], v) for v in value]
    return bytes.fromhex(value[2:]) if kind.startswith("bytes") else int(value)


def sign(job: tuple[str, dict, str, dict]) -> tuple[dict, str]:
    """(key, domain, primary type, message) → (wire form, tx hash keccak256(digest ‖ sender))."""
    key, domain, primary, message = job
    fields = L2_TYPES[primary]
    signed = Account.sign_typed_data(key, domain_data=domain,
                                     message_types={primary: [{"name": n, "type": t} for n, t in fields]},
                                     message_data={n: _typed(t, message[n]) for n, t in fields})
    sender = Account.from_key(key).address
    sig = signed.signature.hex()
    tx = {"type": primary, "message": message, "signature": sig if sig.startswith("0x") else "0x" + sig}
    return tx, "0x" + keccak(bytes(signed.message_hash) + bytes.fromhex(sender[2:])).hex()


# --- the L2 API ---------------------------------------------------------------------------

class L2:
    def __init__(self, url: str):
        self.url, self.session, self.next_id = url, requests.Session(), 1

    def call(self, method: str, *params):
        return self.batch([(method, list(params))])[0]

    def batch(self, calls: list[tuple[str, list]]) -> list:
        out = []
        for i in range(0, len(calls), 100):
            chunk = calls[i:i + 100]
            body = [{"jsonrpc": "2.0", "id": self.next_id + j, "method": m, "params": p} for j, (m, p) in enumerate(chunk)]
            self.next_id += len(chunk)
            replies = self.session.post(self.url, json=body, timeout=60).json()
            if not isinstance(replies, list):
                raise Fail(f"L2 API: {replies}")
            by_id = {r["id"]: r for r in replies}
            for req in body:
                r = by_id[req["id"]]
                if "error" in r:
                    raise Fail(f"L2 API {req['method']}: error {r['error'].get('code')}: {r['error'].get('message')}")
                out.append(r["result"])
        return out

    def account(self, address: str) -> dict:
        a = self.call("emeth_getAccount", address)
        return {k: int(a[k], 16) for k in ("balance", "nonce", "credit")}

    def totals(self) -> dict:
        return {k: int(v) for k, v in self.call("emeth_getStateProof", "totals")["decoded"].items()}


# --- actors and the model of the fee rules -------------------------------------------------

class Actor:
    def __init__(self, name: str, key: str):
        self.name, self.key = name, key
        self.address = Account.from_key(key).address
        self.nonce = 0
        self.balance = 0     # the model's view
        self.credit = 0
        self.deposited = 0


class Job:
    def __init__(self, jid: str, kind: str, owner: Actor, node: Actor | None, fuel_limit: int, fuel_price: int,
                 fuel_used: int, deadline: int, parent: Job | None = None):
        self.id, self.kind, self.owner, self.node = jid, kind, owner, node
        self.fuel_limit, self.fuel_price, self.fuel_used, self.deadline = fuel_limit, fuel_price, fuel_used, deadline
        self.parent, self.children = parent, []
        self.escrow = self.node_deposit = 0
        self.status = 0

    @property
    def fee_limit(self) -> int:
        return self.fuel_limit * self.fuel_price

    @property
    def vfee(self) -> int:
        return rate(self.fee_limit, 5_000)

    @property
    def penalty(self) -> int:
        return rate(self.fee_limit, 25_000)

    # The expected final status of each kind of job.
    FINAL = {"verify": 4, "reject": 7, "decline": 8, "timeout-requested": 6, "timeout-processing": 6, "cancel": 5,
             "cancel-l1": 5, "split": 10, "sub": 4,
             # Processed and submitted by the verifier itself: its own Verify is refused
             # (VERIFIER_IS_PARTY), so the job waits for an independent verifier.
             "self-verify": 3}


class Model:
    """PROTOCOL §3 applied to what the demo sends: the balances every account must end with."""

    def __init__(self):
        self.deposited = self.burned = self.credit = 0
        self.paid_nodes = self.paid_verifier = 0

    def deposit(self, a: Actor, amount: int):
        a.balance += amount; a.deposited += amount; self.deposited += amount

    def register(self, j: Job):
        j.escrow = j.fee_limit + j.vfee; j.owner.balance -= j.escrow; j.status = 1

    def cancel(self, j: Job):
        j.owner.balance += j.escrow; j.escrow = 0; j.status = 5

    def split(self, parent: Job):
        for c in parent.children:
            c.escrow = c.fee_limit + c.vfee; c.status = 1
        parent.owner.balance += parent.escrow - sum(c.escrow for c in parent.children)
        parent.escrow = 0; parent.status = 9

    def process(self, j: Job):
        j.node_deposit = j.fee_limit + j.vfee; j.node.balance -= j.node_deposit; j.status = 2

    def decline(self, j: Job):
        j.owner.balance += j.escrow; j.escrow = 0
        self.burned += j.penalty; j.node.balance += j.node_deposit - j.penalty; j.node_deposit = 0; j.status = 8

    def submit(self, j: Job):
        j.status = 3

    def verify(self, j: Job, verifier: Actor):
        earned = j.fuel_used * j.fuel_price
        j.node.balance += j.node_deposit + earned
        j.owner.balance += j.fee_limit - earned
        verifier.balance += j.vfee
        self.paid_nodes += earned; self.paid_verifier += j.vfee
        j.escrow = j.node_deposit = 0; j.status = 4

    def reject(self, j: Job, verifier: Actor):
        j.owner.balance += j.escrow; verifier.balance += j.vfee; self.paid_verifier += j.vfee
        self.burned += j.penalty; j.node.balance += j.node_deposit - j.vfee - j.penalty
        j.escrow = j.node_deposit = 0; j.status = 7

    def timeout(self, j: Job):
        j.owner.balance += j.escrow; j.escrow = 0
        if j.status == 2:
            self.burned += j.penalty; j.node.balance += j.node_deposit - j.penalty; j.node_deposit = 0
        j.status = 6

    def aggregate(self, parent: Job):
        parent.status = 10

    def withdraw(self, a: Actor, amount: int):
        a.balance -= amount; a.credit += amount; self.credit += amount
