"""What the demo builds on: constants, the Python SDK (clients/python: signing in worker
processes, the L2 API client, proof verification), and the independent model of the fee rules
(docs/PROTOCOL.md §3) that every result of the demo is checked against. The scenario itself is
in demo.py."""
from __future__ import annotations

import os
import time
from pathlib import Path

from eth_account import Account

from emeth_sdk import EMT, FAILURES, GHOLON, STATUS, Client, EmethError, verify_state
from emeth_sdk.signing import sign_job as sign  # noqa: F401  (key, domain, type, message) → (wire, hash)

ROOT = Path(__file__).resolve().parents[1]
LOCALNET_DIR = Path(os.environ.get("LOCALNET_DIR") or ROOT / ".localnet").resolve()
TIMEOUT_WINDOW = 15  # seconds between registering the jobs that will time out and their deadline


class Fail(EmethError):
    """A check of the demo that did not hold."""


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


# --- the L2 API (the SDK's client) -------------------------------------------------------

class L2(Client):
    """The SDK's client, with the two reads the demo checks most."""

    def account(self, address: str) -> dict:
        a = self.get_account(address)
        return {"balance": a.balance, "nonce": a.nonce, "credit": a.credit}

    def totals(self, signer: str) -> dict:
        """The totals record from a state proof the SDK verifies against its block, signed by
        the Signer."""
        return verify_state(self.get_state_proof("totals"), signer=signer).record


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
