"""The EMETH demo (`make demo`, `scripts/demo`): the whole rollup story on a fresh localnet.

Requesters deposit EMT on L1 (one with `emeth deposit`, the others with web3), register jobs
on L2 (some splittable: the splitter splits them into SubJobs, the aggregator aggregates
them), nodes Process and Submit (some Decline), the verifier Verifies most, Rejects some and
Times some out after their deadline, one requester cancels a job through the L1 inbox
(`requestCancel`), the verifier's attempt to Verify work it did itself is refused, nodes
Withdraw (one forces its Withdraw through L1 with `emeth force-tx`, as a censored user would);
one node's Signer ticket is refused by L1 until its block is committed, then paid
(`emeth claim`); batches become final (the demo moves devnet time past the challenge period),
anyone settles the burns, and the other node claims with a Merkle proof (`emeth claim
--proof`). Every L2 transaction is signed here with the Python SDK (clients/python, on
eth-account's `sign_typed_data`) in the domain `emeth_chainInfo` announces, and the SDK's client
talks to the L2 API and verifies the settlement and state proofs the demo reads.

Everything is checked against an independent model of the fee rules (docs/PROTOCOL.md §3):
every receipt's success, every job's final status, every account's balance and credit, the
totals and the conservation law, L1 claimed = L2 credit for the claimers, the claimers' L1
token balances, and L1's totalDeposited/burnedOnL1 against L2's totals.

    scripts/demo [--jobs N] [--keep] [--seed S] [--escape]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from eth_hash.auto import keccak
from web3 import Web3
from web3.exceptions import ContractLogicError

from demo_model import (  # noqa: E402
    EMT, FAILURES, GHOLON, LOCALNET_DIR, ROOT, STATUS, TIMEOUT_WINDOW, L2, Actor, Fail, Job, Model, Progress, emt, sign,
)
from emeth_sdk import EmethError, Refused, verify_settlement  # noqa: E402
from emeth_sdk.l1 import Rollup  # noqa: E402


# --- the demo -------------------------------------------------------------------------------

class Demo:
    PHASES = 17

    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.p = Progress(self.PHASES)
        self.env = read_env(LOCALNET_DIR / "env")
        self.l2 = L2(self.env["L2_RPC_URL"], timeout=60)
        self.w3 = Web3(Web3.HTTPProvider(self.env["L1_RPC_URL"], request_kwargs={"timeout": 60}))
        self.deployment = json.loads(Path(self.env["DEPLOYMENT_FILE"]).read_text())
        self.l1 = Rollup.from_deployment(self.w3, self.deployment)
        self.rollup, self.token = self.l1.contract, self.l1.token
        users = self.env["USER_KEYS"].split(",")
        self.requesters = [Actor("requester A", users[0]), Actor("requester B", users[1])]
        self.nodes = [Actor("node A", users[2]), Actor("node B", users[3])]
        self.verifier = Actor("verifier", self.env["VERIFIER_KEY"])
        self.splitter = Actor("splitter", self.env["SPLITTER_KEY"])
        self.aggregator = Actor("aggregator", self.env["AGGREGATOR_KEY"])
        self.actors = self.requesters + self.nodes + [self.verifier, self.splitter, self.aggregator]
        self.model = Model()
        self.jobs: list[Job] = []
        self.hashes: list[str] = []
        self.sent = self.failed_as_expected = self.refused_as_expected = 0
        self.pool = ProcessPoolExecutor(max_workers=os.cpu_count() or 2)

    # -- plumbing --

    def new_id(self, nbytes: int = 16) -> str:
        return "0x" + os.urandom(nbytes).hex()

    def tx(self, actor: Actor, primary: str, expect_failure: int | None = None, **message) -> tuple:
        message = {k: (v if isinstance(v, (str, list)) else str(v)) for k, v in message.items()}
        message["nonce"] = str(actor.nonce)
        actor.nonce += 1
        return actor, primary, message, expect_failure

    def refused(self, actor: Actor, primary: str, failure: int, **message) -> None:
        """Sends a transaction admission must refuse, as it would fail with `failure`; its nonce
        stays unspent."""
        message = {k: (v if isinstance(v, (str, list)) else str(v)) for k, v in message.items()}
        message["nonce"] = str(actor.nonce)
        tx, _ = sign((actor.key, self.domain, primary, message))
        try:
            self.l2.send_transaction(tx, {"from": actor.address})
        except Refused as e:
            if e.failure != failure:
                raise Fail(f"{primary} by {actor.name} was refused, but not as {FAILURES[failure]}: {e}")
            self.refused_as_expected += 1
            return
        raise Fail(f"{primary} by {actor.name} was admitted; it should be refused as {FAILURES[failure]}")

    def run(self, items: list[tuple]) -> list[dict]:
        """Signs, sends and waits until every transaction is sequenced; checks each receipt's
        success against what the model expects. Rounds keep each sender under the mempool's
        per-sender limit (1024)."""
        receipts = []
        for start in range(0, len(items), 900):
            receipts += self._round(items[start:start + 900])
        return receipts

    def _round(self, items: list[tuple]) -> list[dict]:
        if not items:
            return []
        jobs = [(a.key, self.domain, primary, msg) for a, primary, msg, _ in items]
        signed = list(self.pool.map(sign, jobs, chunksize=max(1, len(jobs) // (4 * (os.cpu_count() or 2)))))
        calls = [("emeth_sendTransaction", [tx, {"from": a.address}]) for (tx, _), (a, *_rest) in zip(signed, items)]
        returned = self.l2.batch(calls)
        for (tx, h), got in zip(signed, returned):
            if got != h:
                raise Fail(f"emeth_sendTransaction returned {got}, expected the hash {h} computed from what was signed")
        hashes = [h for _, h in signed]
        self.hashes += hashes
        self.sent += len(hashes)
        receipts = self.wait_receipts(hashes, lambda r: r.done, "sequenced", 300)
        bad = []
        for (a, primary, msg, expect), r in zip(items, receipts):
            if expect is None and not r.success:
                bad.append(f"{primary} by {a.name} (nonce {msg['nonce']}) failed: {r.failure} {r.failure_name or ''}")
            elif expect is not None and (r.success or r.failure != expect):
                bad.append(f"{primary} by {a.name} should fail with {expect} {FAILURES[expect]}, got {r.failure}")
            elif expect is not None:
                self.failed_as_expected += 1
        if bad:
            raise Fail(f"{len(bad)} unexpected receipt(s):\n  " + "\n  ".join(bad[:10]))
        return receipts

    def wait_receipts(self, hashes: list[str], done, what: str, timeout: float) -> list:
        deadline = time.monotonic() + timeout
        while True:
            receipts = self.l2.get_receipts(hashes)
            missing = [h for h, r in zip(hashes, receipts) if r is None]
            if missing:
                raise Fail(f"the sequencer does not know {len(missing)} transaction(s), e.g. {missing[0]}")
            if all(done(r) for r in receipts):
                return receipts
            if time.monotonic() > deadline:
                n = sum(1 for r in receipts if not done(r))
                raise Fail(f"{n} of {len(hashes)} transactions not {what} after {timeout:.0f} s "
                           f"(see the sequencer log, {self.env.get('SEQUENCER_LOG')})")
            time.sleep(0.2)

    @staticmethod
    def blocks(receipts: list) -> str:
        ns = sorted({r.block_number for r in receipts})
        return f"block {ns[0]}" if len(ns) == 1 else f"{len(ns)} blocks ({ns[0]}–{ns[-1]})"

    def l1_send(self, actor: Actor, fn, what: str):
        tx = fn.build_transaction({"from": actor.address, "nonce": self.w3.eth.get_transaction_count(actor.address),
                                   "chainId": int(self.env["CHAIN_ID"])})
        h = self.w3.eth.send_raw_transaction(self.w3.eth.account.sign_transaction(tx, actor.key).raw_transaction)
        r = self.w3.eth.wait_for_transaction_receipt(h, timeout=60)
        if r.status != 1:
            raise Fail(f"L1 {what} by {actor.name} reverted (tx {h.hex()})")
        return r

    def emeth(self, actor: Actor, *args: str, stdin: str | None = None) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("EMETH_")}
        env["EMETH_PRIVATE_KEY"] = actor.key
        cmd = [self.env["EMETH_BIN"], *args, "--rpc", self.env["L1_RPC_URL"], "--deployment", self.env["DEPLOYMENT_FILE"],
               "--l2", self.env["L2_RPC_URL"]]
        r = subprocess.run(cmd, env=env, input=stdin, capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise Fail(f"emeth {' '.join(args)} ({actor.name}) failed:\n{r.stderr.strip() or r.stdout.strip()}")
        for line in r.stdout.strip().splitlines():
            self.p.detail(f"emeth {args[0]}: {line}")
        return r.stdout

    # -- the plan --

    def plan(self) -> None:
        n = self.args.jobs
        kinds = (["split"] * max(1, n // 10) + ["timeout-requested"] * max(1, n // 40)
                 + ["timeout-processing"] * max(1, n // 40) + ["decline"] * max(1, n // 20)
                 + ["reject"] * max(1, n // 20) + ["cancel"] * max(1, n // 100) + ["cancel-l1"])
        if len(kinds) > n:
            raise Fail(f"--jobs {n} is too few for every kind of job: use at least {len(kinds)}")
        kinds += ["verify"] * (n - len(kinds) - 1) + ["self-verify"]
        self.rng.shuffle(kinds)
        far = int(time.time()) + 3600
        for i, kind in enumerate(kinds):
            # Odd amounts, so every fee and penalty leaves a remainder to round (PROTOCOL §3).
            limit = self.rng.randrange(100_000, 200_001)
            price = self.rng.randrange(100, 151) * GHOLON + self.rng.randrange(1, 1_000_000)
            used = self.rng.randrange(limit // 2, limit + 1)
            j = Job(self.new_id(), kind, self.requesters[i % 2], self.nodes[(i // 2) % 2], limit, price, used, far)
            if kind == "self-verify":  # small, so the verifier's fees earned so far pay its node deposit
                j = Job(j.id, kind, j.owner, self.verifier, 10_000, 100 * GHOLON, 10_000, far)
            if kind == "split":
                weights = [self.rng.randrange(1, 4) for _ in range(3)]
                for k, w in enumerate(weights):  # the SubJobs use 3/4 of the parent's fuel; the rest goes back
                    c_limit = limit * 3 * w // (4 * sum(weights))
                    c = Job(self.new_id(), "sub", j.owner, self.nodes[k % 2], c_limit, price,
                            self.rng.randrange(c_limit // 2, c_limit + 1), far, parent=j)
                    j.children.append(c)
            self.jobs.append(j)

    def of(self, *kinds: str) -> list[Job]:
        return [j for j in self.jobs if j.kind in kinds]

    def all_jobs(self) -> list[Job]:
        return self.jobs + [c for j in self.jobs for c in j.children]

    def register_tx(self, j: Job) -> tuple:
        self.model.register(j)
        return self.tx(j.owner, "RegisterJob", jobId=j.id, parentJob="0x" + "00" * 16, programId=self.rng.randrange(1, 9),
                       numParallel=3 if j.children else 1, numEpoch=self.rng.randrange(1, 5), dataset=self.new_id(32),
                       param=self.new_id(32), fuelLimit=j.fuel_limit, fuelPrice=j.fuel_price, deadline=j.deadline)

    # -- phases --

    def connect(self) -> None:
        self.p.phase("connecting to the localnet")
        info = self.l2.chain_info()
        self.domain, self.signer = info.domain, info.signer
        if info.domain.verifying_contract != self.deployment["rollup"] or info.token != self.deployment["token"]:
            raise Fail(f"emeth_chainInfo {info.raw} does not match {self.env['DEPLOYMENT_FILE']}")
        for a in self.actors:
            acct = self.l2.account(a.address)
            if acct["nonce"] or acct["balance"] or acct["credit"]:
                raise Fail(f"{a.name} {a.address} is not fresh on L2 ({acct}): the demo needs a new localnet")
        self.p.detail(f"L2 {self.env['L2_RPC_URL']} (sequencer {info.sequencer}, signer {info.signer}), "
                      f"L1 {self.env['L1_RPC_URL']}, rollup {info.domain.verifying_contract}")

    def deposits(self) -> None:
        need = {a.address: 0 for a in self.requesters + self.nodes}
        for j in self.jobs:
            need[j.owner.address] += j.fee_limit + j.vfee
            for x in ([j] if not j.children else j.children):
                if x.node and x.kind != "self-verify":  # the verifier pays that deposit from fees it earned
                    need[x.node.address] += x.fee_limit + x.vfee
        amounts = {a: (need[a.address] // EMT + 10) * EMT for a in self.requesters + self.nodes}
        self.p.phase(f"deposits on L1: {len(amounts)} accounts, {emt(sum(amounts.values()))}")
        first = self.requesters[0]
        self.emeth(first, "deposit", str(amounts[first]))
        self.model.deposit(first, amounts[first])
        for a in self.requesters[1:] + self.nodes:
            self.l1_send(a, self.token.functions.approve(self.deployment["rollup"], amounts[a]), "approve")
            self.l1_send(a, self.rollup.functions.deposit(amounts[a]), "deposit")
            self.model.deposit(a, amounts[a])
        deadline = time.monotonic() + 300
        while any(self.l2.account(a.address)["balance"] < a.balance for a in amounts):
            if time.monotonic() > deadline:
                raise Fail("deposits not credited on L2 within 300 s (is the inbox watcher running? see the sequencer log)")
            time.sleep(0.2)
        self.p.detail(f"credited on L2 through the inbox (L1 totalDeposited {emt(self.rollup.functions.totalDeposited().call())})")

    def timeout_jobs(self) -> None:
        jobs = self.of("timeout-requested", "timeout-processing")
        self.deadline = int(time.time()) + TIMEOUT_WINDOW
        for j in jobs:
            j.deadline = self.deadline
        self.p.phase(f"jobs that will time out: register {len(jobs)} with a deadline {TIMEOUT_WINDOW} s away, "
                     f"nodes Process {len(self.of('timeout-processing'))}")
        self.run([self.register_tx(j) for j in jobs])
        items = []
        for j in self.of("timeout-processing"):
            self.model.process(j)
            items.append(self.tx(j.node, "Process", jobId=j.id))
        r = self.run(items)
        self.p.detail(f"processing in {self.blocks(r)} before the deadline")

    def register(self) -> None:
        jobs = [j for j in self.jobs if not j.kind.startswith("timeout")]
        self.p.phase(f"register {len(jobs)} jobs ({len(self.of('split'))} splittable) from {len(self.requesters)} requesters")
        r = self.run([self.register_tx(j) for j in jobs])
        self.p.detail(f"{len(r)} RegisterJob sequenced in {self.blocks(r)}")

    def cancels(self) -> None:
        l2, l1 = self.of("cancel"), self.of("cancel-l1")
        self.p.phase(f"cancels: {len(l2)} CancelJob on L2, {len(l1)} requestCancel through the L1 inbox")
        items = []
        for j in l2:
            self.model.cancel(j)
            items.append(self.tx(j.owner, "CancelJob", jobId=j.id))
        self.run(items)
        for j in l1:
            r = self.l1_send(j.owner, self.rollup.functions.requestCancel(bytes.fromhex(j.id[2:])), "requestCancel")
            self.model.cancel(j)
            self.p.detail(f"requestCancel({j.id}) in L1 block {r.blockNumber}")
        deadline = time.monotonic() + 300
        while any(self.l2.get_job(j.id).status != 5 for j in l1):
            if time.monotonic() > deadline:
                raise Fail("the L1 cancel did not reach L2 within 300 s")
            time.sleep(0.2)
        self.p.detail("the L1 cancel is applied on L2 (job CANCELED)")

    def split(self) -> None:
        parents = self.of("split")
        self.p.phase(f"splitter splits {len(parents)} jobs into {sum(len(j.children) for j in parents)} SubJobs")
        items = []
        for j in parents:
            self.model.split(j)
            items.append(self.tx(self.splitter, "Split", parentJob=j.id, jobIds=[c.id for c in j.children],
                                 datasets=[self.new_id(32) for _ in j.children],
                                 fuelLimits=[str(c.fuel_limit) for c in j.children]))
        r = self.run(items)
        self.p.detail(f"{len(r)} Split sequenced in {self.blocks(r)}")

    def work(self) -> None:
        todo = self.of("verify", "reject", "decline") + [c for j in self.of("split") for c in j.children]
        self.p.phase(f"nodes Process {len(todo)} jobs and SubJobs")
        items = []
        for j in todo:
            self.model.process(j)
            items.append(self.tx(j.node, "Process", jobId=j.id))
        r = self.run(items)
        self.p.detail(f"{len(r)} Process sequenced in {self.blocks(r)}")

        declines = self.of("decline")
        self.p.phase(f"nodes Submit {len(todo) - len(declines)} results, Decline {len(declines)}")
        items = []
        for j in todo:
            if j.kind == "decline":
                self.model.decline(j)
                items.append(self.tx(j.node, "Decline", jobId=j.id))
            else:
                self.model.submit(j)
                items.append(self.tx(j.node, "Submit", jobId=j.id, result=self.new_id(32), fuelUsed=j.fuel_used))
        r = self.run(items)
        self.p.detail(f"{len(r)} sequenced in {self.blocks(r)}")

        rejects = self.of("reject")
        verifies = [j for j in todo if j.kind in ("verify", "sub")]
        self.p.phase(f"verifier Verifies {len(verifies)}, Rejects {len(rejects)}; a node's own Verify is refused")
        self.refused(self.nodes[0], "Verify", 6, jobId=verifies[0].id)  # only verifiers may
        items = []
        for j in verifies:
            self.model.verify(j, self.verifier)
            items.append(self.tx(self.verifier, "Verify", jobId=j.id))
        for j in rejects:
            self.model.reject(j, self.verifier)
            items.append(self.tx(self.verifier, "Reject", jobId=j.id))
        r = self.run(items)
        self.p.detail(f"{len(r)} sequenced in {self.blocks(r)}; the node's Verify was refused at admission (NOT_VERIFIER)")

        parents = self.of("split")
        self.p.phase(f"aggregator aggregates {len(parents)} split jobs")
        items = []
        for j in parents:
            self.model.aggregate(j)
            items.append(self.tx(self.aggregator, "Aggregate", parentJob=j.id, result=self.new_id(32)))
        r = self.run(items)
        self.p.detail(f"{len(r)} Aggregate sequenced in {self.blocks(r)}")

    def self_verification(self) -> None:
        j = self.of("self-verify")[0]
        self.p.phase("the verifier Processes a job and Submits fuelUsed = fuelLimit; its own Verify is refused")
        self.model.process(j)
        self.model.submit(j)
        items = [self.tx(self.verifier, "Process", jobId=j.id),
                 self.tx(self.verifier, "Submit", jobId=j.id, result=self.new_id(32), fuelUsed=j.fuel_used)]
        r = self.run(items)
        self.refused(self.verifier, "Verify", 22, jobId=j.id)
        self.refused(self.verifier, "Reject", 22, jobId=j.id)
        self.p.detail(f"processed and submitted in {self.blocks(r)}; Verify and Reject by the job's own node are refused "
                      "(VERIFIER_IS_PARTY): the job stays SUBMITTED until an independent verifier judges it")

    def timeouts(self) -> None:
        jobs = self.of("timeout-requested", "timeout-processing")
        wait = self.deadline + 1 - time.time()
        self.p.phase(f"verifier times out {len(jobs)} jobs past their deadline"
                     + (f" (waiting {wait:.0f} s for it)" if wait > 0 else ""))
        while time.time() < self.deadline + 1:  # L2 block time is the sequencer's wall clock
            time.sleep(0.2)
        items = []
        for j in jobs:
            self.model.timeout(j)
            items.append(self.tx(self.verifier, "Timeout", jobId=j.id))
        r = self.run(items)
        self.p.detail(f"{len(r)} Timeout sequenced in {self.blocks(r)}")

    def withdraw(self) -> None:
        self.p.phase("nodes Withdraw their whole L2 balance (balance → credit, claimable on L1)")
        self.l1_before_withdraw = self.w3.eth.block_number
        items = []
        for a in self.nodes:
            got = self.l2.account(a.address)["balance"]
            if got != a.balance:
                raise Fail(f"{a.name}'s L2 balance is {got}, the model says {a.balance}")
            self.model.withdraw(a, a.balance)
            items.append(self.tx(a, "Withdraw", amount=a.credit))
        forced = items.pop()  # the last node's Withdraw goes through L1, as if the sequencer censored it
        r = self.run(items)
        self.p.detail(", ".join(f"{a.name} {emt(a.credit)}" for a in self.nodes[:-1]) + f" in {self.blocks(r)}")
        a, primary, msg, _ = forced
        wire, _ = sign((a.key, self.domain, primary, msg))
        self.emeth(a, "force-tx", "-", stdin=json.dumps(wire))
        deadline = time.monotonic() + 60
        while self.l2.account(a.address)["credit"] != a.credit:
            if time.monotonic() > deadline:
                raise Fail(f"the Withdraw {a.name} forced through L1 was not applied on L2 within 60 s")
            time.sleep(0.2)
        self.forced_block = self.l2.block_number()
        self.p.detail(f"{a.name} forced its Withdraw of {emt(a.credit)} through the L1 inbox (forceTransaction): "
                      f"applied on L2 in inbox order by block {self.forced_block}")

    def claim_ticket(self) -> None:
        a = self.nodes[0]
        self.p.phase(f"{a.name} claims on L1 with its Signer ticket: refused until the block is committed, then paid")
        t = self.l2.get_ticket(a.address)
        block = t.block_number
        call = self.rollup.functions.claimWithTicket(a.address, t.credit, block, bytes.fromhex(t.signature[2:]))
        try:  # as L1 stood before the Withdraw: block `block` was not committed
            call.call({"from": a.address}, block_identifier=self.l1_before_withdraw)
            raise Fail(f"L1 paid a ticket for block {block} before that block was committed")
        except ContractLogicError as e:
            if "block not committed" not in str(e):
                raise Fail(f"the ticket for uncommitted block {block} was refused for another reason: {e}")
        self.p.detail(f"L1 refuses the ticket of block {block} while the block is not committed (EmethRollup: block not committed)")
        before = self.token.functions.balanceOf(a.address).call()
        self.emeth(a, "claim")
        self.claims = {a.address: ("ticket", before, self.token.functions.balanceOf(a.address).call())}

    def settle(self) -> None:
        self.p.phase("batches: wait until L1 holds every block, then move L1 time past the challenge period")
        t0 = time.monotonic()
        committed = lambda r: r.status in ("committed", "final")  # noqa: E731
        r = self.wait_receipts(self.hashes, committed, "committed on L1", 600)
        deadline = time.monotonic() + 600  # the forced Withdraw has no API receipt: wait for its block on L1
        while self.rollup.functions.nextBlock().call() <= self.forced_block:
            if time.monotonic() > deadline:
                raise Fail(f"block {self.forced_block} (the forced Withdraw) was not committed on L1 within 600 s")
            time.sleep(0.2)
        batches = sorted({x.batch_index for x in r})
        self.p.detail(f"all {len(r)} transactions committed in batches {batches[0]}–{batches[-1]} "
                      f"({time.monotonic() - t0:.1f} s)")
        period = int(self.deployment["challengePeriod"])
        self.w3.provider.make_request("evm_increaseTime", [period + 1])
        self.w3.provider.make_request("evm_mine", [])
        self.wait_receipts(self.hashes, lambda x: x.status == "final", "final", 300)
        self.p.detail(f"L1 time moved {period + 1} s: every transaction is final")
        r = self.l1_send(self.requesters[0], self.rollup.functions.settleBurns(), "settleBurns")
        self.p.detail(f"burns are settled at finality only: settleBurns() by anyone burned up to the newest final batch "
                      f"(L1 block {r.blockNumber}, burnedOnL1 {emt(self.rollup.functions.burnedOnL1().call())})")

    def claim_proof(self) -> None:
        a = self.nodes[1]
        self.p.phase(f"{a.name} claims on L1 with a Merkle proof against a final batch (emeth claim --proof)")
        proof = self.l2.get_settlement_proof(a.address)
        c = verify_settlement(proof)  # the SDK recomputes the leaf and folds the proof up to the root
        self.p.detail(f"proof for credit {emt(c.credit)} in batch {c.batch_index}: {len(c.proof)} hashes, "
                      f"root 0x{c.root.hex()[:16]}…, final {proof['final']}; verified by the SDK")
        before = self.token.functions.balanceOf(a.address).call()
        self.emeth(a, "claim", "--proof")
        self.claims[a.address] = ("proof", before, self.token.functions.balanceOf(a.address).call())

    # -- report and checks --

    def report(self) -> list[str]:
        self.p.phase("report and checks")
        errors = []
        check = lambda ok, what: ok or errors.append(what)  # noqa: E731
        jobs = self.all_jobs()
        got = dict(zip([j.id for j in jobs], self.l2.batch([("emeth_getJob", [j.id]) for j in jobs])))
        by_status: dict[str, list[int]] = {}
        for j in jobs:
            g = got[j.id]
            check(g is not None, f"job {j.id} unknown to L2")
            if g is None:
                continue
            check(g["status"] == Job.FINAL[j.kind] == j.status,
                  f"job {j.id} ({j.kind}) is {STATUS.get(g['status'])}, expected {STATUS[Job.FINAL[j.kind]]}")
            check(int(g["escrow"], 16) == j.escrow and int(g["nodeDeposit"], 16) == j.node_deposit,
                  f"job {j.id}: escrow/nodeDeposit {g['escrow']}/{g['nodeDeposit']}, model {j.escrow}/{j.node_deposit}")
            by_status.setdefault(STATUS[g["status"]], [0, 0])[1 if j.parent else 0] += 1
        accounts = dict(zip([a.address for a in self.actors],
                            [{k: int(v, 16) for k, v in x.items() if k in ("balance", "credit", "nonce")}
                             for x in self.l2.batch([("emeth_getAccount", [a.address]) for a in self.actors])]))
        for a in self.actors:
            g = accounts[a.address]
            check((g["balance"], g["credit"], g["nonce"]) == (a.balance, a.credit, a.nonce),
                  f"{a.name}: L2 balance/credit/nonce {g['balance']}/{g['credit']}/{g['nonce']}, "
                  f"model {a.balance}/{a.credit}/{a.nonce}")
        t = self.l2.totals(self.signer)
        sum_bal = sum(x["balance"] for x in accounts.values())
        sum_esc = sum(int(got[j.id]["escrow"], 16) for j in jobs if got[j.id])
        sum_dep = sum(int(got[j.id]["nodeDeposit"], 16) for j in jobs if got[j.id])
        lhs = sum_bal + sum_esc + sum_dep + t["totalCredit"] + t["totalBurned"]
        check(lhs == t["totalDeposited"], f"conservation: Σ balances {sum_bal} + Σ escrows {sum_esc} + Σ node deposits "
                                          f"{sum_dep} + totalCredit {t['totalCredit']} + totalBurned {t['totalBurned']} "
                                          f"= {lhs} ≠ totalDeposited {t['totalDeposited']}")
        check((t["totalDeposited"], t["totalCredit"], t["totalBurned"]) == (self.model.deposited, self.model.credit, self.model.burned),
              f"L2 totals deposited/credit/burned {t['totalDeposited']}/{t['totalCredit']}/{t['totalBurned']}, "
              f"model {self.model.deposited}/{self.model.credit}/{self.model.burned}")
        check((t["totalBalances"], t["totalEscrow"], t["totalNodeDeposits"]) == (sum_bal, sum_esc, sum_dep),
              f"L2 totals of balances/escrows/deposits {t['totalBalances']}/{t['totalEscrow']}/{t['totalNodeDeposits']} "
              f"≠ the sums over every account and job {sum_bal}/{sum_esc}/{sum_dep}")
        f = self.rollup.functions
        l1_deposited, l1_burned = f.totalDeposited().call(), f.burnedOnL1().call()
        check(l1_deposited == t["totalDeposited"], f"L1 totalDeposited {l1_deposited} ≠ L2 {t['totalDeposited']}")
        check(l1_burned == t["totalBurned"], f"L1 burnedOnL1 {l1_burned} ≠ L2 totalBurned {t['totalBurned']}")
        claimed_total = 0
        for a in self.nodes:
            how, before, after = self.claims[a.address]
            claimed = f.claimed(a.address).call()
            claimed_total += claimed
            check(claimed == accounts[a.address]["credit"], f"{a.name}: L1 claimed {claimed} ≠ L2 credit {accounts[a.address]['credit']}")
            check(after - before == claimed, f"{a.name}: L1 EMT balance changed by {after - before}, claimed {claimed}")
        batches = f.batchCount().call()
        finals = sum(1 for i in range(batches) if f.isFinal(i).call())
        gas, commits, floor = self.commit_gas()
        head = self.l2.block_number()

        rows = [("jobs by status", ", ".join(f"{k} {v[0]}" + (f" (+{v[1]} SubJobs)" if v[1] else "")
                                             for k, v in sorted(by_status.items(), key=lambda kv: -sum(kv[1])))),
                ("L2 transactions", f"{self.sent} sent ({self.failed_as_expected} failing on purpose) in {head} blocks; "
                                    f"{self.refused_as_expected} refused at admission on purpose"),
                ("deposited", emt(t["totalDeposited"])),
                ("fees paid to nodes", emt(self.model.paid_nodes)),
                ("fees paid to the verifier", emt(self.model.paid_verifier)),
                ("burned (penalties)", f"{emt(t['totalBurned'])} on L2, {emt(l1_burned)} burned on L1"),
                ("credited (withdrawn)", emt(t["totalCredit"])),
                ("claimed on L1", ", ".join(f"{a.name} {emt(self.claims[a.address][2] - self.claims[a.address][1])} "
                                           f"by {self.claims[a.address][0]}" for a in self.nodes)),
                ("batches", f"{batches} on L1, {finals} final"),
                ("L1 gas of the commits", f"{gas:,} in {commits} commitBatch transactions"
                                          + (f" ({gas // max(1, commits):,} each)" if commits else "")),
                ("L1 gas per L2 transaction", f"{gas // max(1, self.sent):,}, {gas / max(1, floor):.3f}× the "
                                              f"EIP-7623 floor of the batch data ({floor // max(1, self.sent):,})")]
        print()
        width = max(len(k) for k, _ in rows)
        for k, v in rows:
            print(f"  {k:<{width}}  {v}")
        print()
        check(batches >= 1 and finals == batches, f"{finals} of {batches} batches final")
        check(claimed_total > 0, "nothing was claimed")
        return errors

    def commit_gas(self) -> tuple[int, int, int]:
        """Gas used by the sequencer's commitBatch transactions (the BatchCommitted events' txs),
        their count, and the EIP-7623 calldata floor of the batch data they carried (10 gas per
        zero byte, 40 per other byte): what L1 charges at least for the transactions' bytes."""
        ev = next(e for e in self.rollup.abi if e.get("type") == "event" and e["name"] == "BatchCommitted")
        topic = "0x" + keccak(f"BatchCommitted({','.join(i['type'] for i in ev['inputs'])})".encode()).hex()
        logs = self.w3.eth.get_logs({"address": self.deployment["rollup"], "fromBlock": int(self.deployment["block"]),
                                     "toBlock": "latest", "topics": [topic]})
        txs = {log["transactionHash"] for log in logs}
        floor = 0
        for h in txs:
            data = self.rollup.decode_function_input(self.w3.eth.get_transaction(h).input)[1]["data"]
            floor += 10 * data.count(0) + 40 * (len(data) - data.count(0))
        return sum(self.w3.eth.get_transaction_receipt(h).gasUsed for h in txs), len(txs), floor

    # -- the optional closing act: the sequencer dies, users exit from L1 alone --

    def escape(self) -> list[str]:
        """kill -9 the sequencer, move L1 time past escapeDelay, and have every actor run
        `emeth exit`, which replays L1, activates escape mode and pays by state proofs. Each
        gain must equal the fee model's balance + credit − claimed plus its open jobs' escrow
        (as owner) and node deposit (as node); then the rollup holds no EMT at all."""
        errors = []
        pid = int((LOCALNET_DIR / "sequencer.pid").read_text().strip())
        print("\n== closing act: the sequencer disappears; everyone exits from L1 data alone", flush=True)
        os.kill(pid, 9)
        delay = self.rollup.functions.escapeDelay().call()
        self.w3.provider.make_request("evm_increaseTime", [delay + 1])
        self.w3.provider.make_request("evm_mine", [])
        print(f"        sequencer (pid {pid}) killed; L1 time moved {delay + 1} s, past escapeDelay", flush=True)
        genesis = str(Path(self.env["SEQUENCER_CONFIG"]).parent / "genesis.json")
        jobs = self.all_jobs()
        before = {a.address: self.token.functions.balanceOf(a.address).call() for a in self.actors}
        want = {}
        for a in self.actors:
            open_funds = (sum(j.escrow for j in jobs if j.owner is a and j.status < 4)
                          + sum(j.node_deposit for j in jobs if j.node is a and j.status < 4))
            want[a.address] = a.balance + a.credit - self.rollup.functions.claimed(a.address).call() + open_funds
        for a in self.actors:
            env = {k: v for k, v in os.environ.items() if not k.startswith("EMETH_")}
            env["EMETH_PRIVATE_KEY"] = a.key
            r = subprocess.run([self.env["EMETH_BIN"], "exit", "--rpc", self.env["L1_RPC_URL"], "--deployment",
                                self.env["DEPLOYMENT_FILE"], "--genesis", genesis], env=env, capture_output=True, text=True,
                               timeout=600)
            # An open job pays its owner and its node in one transaction, so whoever exits first
            # pays both; an actor left with nothing is told so (or escapes an empty account).
            if r.returncode != 0 and not (want[a.address] == 0 or "nothing to take" in r.stderr or "already taken" in r.stderr):
                raise Fail(f"emeth exit ({a.name}) failed:\n{r.stderr.strip() or r.stdout.strip()}")
        for a in self.actors:
            got = self.token.functions.balanceOf(a.address).call() - before[a.address]
            if got or want[a.address]:
                print(f"        {a.name} took {emt(got)} out on L1 (the model: {emt(want[a.address])})", flush=True)
            if got != want[a.address]:
                errors.append(f"{a.name} exited with {got}, the model says {want[a.address]}")
        left = self.token.functions.balanceOf(self.rollup.address).call()
        print(f"        the rollup holds {emt(left)}; escape mode {self.rollup.functions.escapeMode().call()}", flush=True)
        if left != 0:
            errors.append(f"the rollup still holds {left} base units after every actor exited")
        return errors

    def main(self) -> int:
        try:
            return self.scenario()
        finally:
            self.pool.shutdown(cancel_futures=True)

    def scenario(self) -> int:
        self.plan()
        t0 = time.monotonic()
        self.connect()
        self.deposits()
        self.timeout_jobs()
        self.register()
        self.cancels()
        self.split()
        self.work()
        self.timeouts()
        self.self_verification()
        self.withdraw()
        self.claim_ticket()
        self.settle()
        self.claim_proof()
        errors = self.report()
        if self.args.escape and not errors:
            errors = self.escape()
        if errors:
            print(f"CHECKS FAILED ({len(errors)}):", file=sys.stderr)
            for e in errors:
                print(f"  - {e}", file=sys.stderr)
            return 1
        print(f"all checks passed: conservation, every balance/job/total against the fee model, L1 claimed = L2 credit, "
              f"L1 token balances{', escape exits = the fee model' if self.args.escape else ''} ({time.monotonic() - t0:.0f} s)")
        return 0


def read_env(path: Path) -> dict:
    env = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            env[k] = v
    return env


def localnet(*args: str) -> int:
    return subprocess.run(["bash", str(ROOT / "scripts" / "localnet"), *args]).returncode


def main() -> int:
    ap = argparse.ArgumentParser(description="The EMETH rollup demo on a fresh localnet.")
    ap.add_argument("--jobs", type=int, default=200, help="jobs to register (default 200)")
    ap.add_argument("--keep", action="store_true", help="leave the localnet running afterwards")
    ap.add_argument("--seed", type=int, default=7, help="seed of the job shapes (fuel, prices, kinds)")
    ap.add_argument("--poster-defaults", action="store_true",
                    help="post batches with the poster's production sizing (min_bytes, max_age_ms) instead of "
                         "every 2 s: slower to final, and what L1 costs per transaction in production")
    ap.add_argument("--escape", action="store_true",
                    help="closing act: kill the sequencer, then everyone exits from L1 data alone (emeth exit)")
    args = ap.parse_args()
    if args.poster_defaults:
        os.environ["LOCALNET_POSTER"] = "defaults"

    status = subprocess.run(["bash", str(ROOT / "scripts" / "localnet"), "status"], capture_output=True, text=True)
    if status.returncode != 3:
        print(f"demo: a localnet is (partly) running in {LOCALNET_DIR}:\n{status.stdout.strip()}\n"
              "stop it with `scripts/localnet down`, or run the demo with another LOCALNET_DIR and ports "
              "(LOCALNET_L1_PORT, LOCALNET_L2_PORT)", file=sys.stderr)
        return 1
    print(f"== starting a fresh localnet in {LOCALNET_DIR}", flush=True)
    localnet("down", "--clean")
    if localnet("up") != 0:
        return 1
    code = 1
    try:
        code = Demo(args).main()
    except EmethError as e:  # a failed check (Fail), or an error the L2 API answered
        print(f"demo: {e}\n(logs: {LOCALNET_DIR / 'logs'})", file=sys.stderr)
    except KeyboardInterrupt:
        print("demo: interrupted", file=sys.stderr)
    finally:
        if args.keep:
            print(f"== the localnet keeps running (scripts/localnet status; env in {LOCALNET_DIR / 'env'}; "
                  "scripts/localnet down to stop it)")
        else:
            print("== stopping the localnet", flush=True)
            localnet("down")
    return code


if __name__ == "__main__":
    sys.exit(main())
