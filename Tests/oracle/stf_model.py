"""A second, independent state machine (docs/PROTOCOL.md §3–4), written from the spec, not from
the Swift code: accounts, jobs, the 11 transaction types, inbox deposits and cancels, the failure
codes in the order the table lists them, the fee rules with Python's exact integers (a value
that does not fit 256 bits is the overflow failure, never a wrap), the conservation law, and
the state root from the Python sparse Merkle tree (the SDK's emeth_sdk.smt, as smt_cases.py) over eth-abi records.

Where the spec leaves something open, the model says what it assumes:
- Process, Decline and Submit check the job's status before the sender (PROTOCOL's table
  lists "who" first for them; the sequencer has always checked status first, and a reader of
  the table could take either order). Verify and Reject check role, job, party, status.
- RegisterJob's deadline must fit 64 bits (20): times are 64-bit in the job record.
- A cancel leaves the job's updatedAt alone (an L1 cancel has no L2 time).

Reads one JSON object on stdin:
  {"params": {"rateDenominator", "verifierFeeRate", "nodeDepositRate", "declinePenaltyRate",
              "timeoutPenaltyRate", "failedPenaltyRate", "maxSplitChildren"},
   "roles": {"verifiers": [addr], "splitters": [addr], "aggregators": [addr]},
   "steps": [{"inbox": "deposit", "account", "amount"}
             | {"inbox": "cancel", "account", "jobId"}
             | {"tx": {"type", "message": {..., "nonce"}}, "sender", "time"}]}
(a tx message is the wire form of PROTOCOL §2: decimal strings and 0x-hex).

Prints a JSON array, one entry per step:
  {"code": failure code or null, "invalid": true when the nonce is not the sender's next one,
   "root": state root, "accounts": {addr: abi record}, "jobs": {jobId: abi record},
   "totals": abi record}
where "accounts" and "jobs" hold only the records this step changed (an account that became
empty is given as null: it left the tree)."""
import json, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eth_abi import encode  # noqa: E402
from eth_hash.auto import keccak  # noqa: E402
from emeth_sdk.smt import subtree  # noqa: E402

WORD = 2 ** 256
REQUESTED, PROCESSING, SUBMITTED, VERIFIED, CANCELED, TIMEOUT, FAILED, DECLINED, SPLIT, COMPLETED = range(1, 11)
(UNKNOWN_JOB, JOB_EXISTS, WRONG_STATUS, NOT_OWNER, NOT_ASSIGNED_NODE, NOT_VERIFIER, NOT_SPLITTER, NOT_AGGREGATOR,
 OWNER_CANNOT_PROCESS, INSUFFICIENT_BALANCE, DEADLINE_PASSED, DEADLINE_NOT_REACHED, FUEL_EXCEEDS_LIMIT, NOT_SPLITTABLE,
 CHILDREN_EXCEED_PARENT, CHILD_EXISTS, CHILDREN_NOT_VERIFIED, ZERO_AMOUNT, ARITHMETIC_OVERFLOW, INVALID_ARGUMENTS,
 INVALID_PARENT, VERIFIER_IS_PARTY) = range(1, 23)
ZERO16, ZERO20, ZERO32 = "0x" + "00" * 16, "0x" + "00" * 20, "0x" + "00" * 32

JOB_TYPES = ["bytes16", "address", "bytes16", "uint256", "uint256", "uint256", "bytes32", "bytes32", "uint256",
             "uint256", "uint256", "uint8", "address", "uint256", "bytes32", "uint256", "uint256", "uint256", "uint256",
             "uint256", "uint256"]
JOB_FIELDS = ["id", "owner", "parentJob", "programId", "numParallel", "numEpoch", "dataset", "param", "fuelLimit",
              "fuelPrice", "deadline", "status", "node", "fuelUsed", "result", "escrow", "nodeDeposit", "childCount",
              "verifiedChildren", "createdAt", "updatedAt"]


class Fail(Exception):
    def __init__(self, code):
        self.code = code


def fits(x):
    if x >= WORD:
        raise Fail(ARITHMETIC_OVERFLOW)
    return x


def nonneg(x):
    if x < 0:  # only reachable with genesis rates where penalties exceed the deposit
        raise Fail(ARITHMETIC_OVERFLOW)
    return x


def b(h):
    return bytes.fromhex(h[2:])


class Model:
    def __init__(self, params, roles):
        self.p = params
        self.verifiers = {a.lower() for a in roles["verifiers"]}
        self.splitters = {a.lower() for a in roles["splitters"]}
        self.aggregators = {a.lower() for a in roles["aggregators"]}
        self.accounts = {}   # address -> [balance, nonce, credit]
        self.jobs = {}       # jobId -> dict of JOB_FIELDS
        self.deposited = self.credit = self.burned = 0

    # --- fees: x·r/d floor-rounded, with exact integers -----------------------------------
    def rate(self, x, r):
        return x * r // self.p["rateDenominator"]

    def fees(self, fuel_limit, fuel_price):
        fee_limit = fits(fuel_limit * fuel_price)
        vfee = fits(self.rate(fee_limit, self.p["verifierFeeRate"]))
        escrow = fits(fee_limit + vfee)
        node_deposit = fits(fits(self.rate(fee_limit, self.p["nodeDepositRate"])) + vfee)
        return fee_limit, vfee, escrow, node_deposit

    def penalty(self, job, rate):
        return fits(self.rate(job["fuelLimit"] * job["fuelPrice"], rate))

    # --- money -------------------------------------------------------------------------------
    def acct(self, a):
        return self.accounts.setdefault(a, [0, 0, 0])

    def pay(self, a, amount):
        acc = self.acct(a)
        acc[0] = fits(acc[0] + amount)

    def charge(self, a, amount):
        acc = self.acct(a)
        if acc[0] < amount:
            raise Fail(INSUFFICIENT_BALANCE)
        acc[0] -= amount

    def burn(self, amount):
        self.burned = fits(self.burned + amount)

    def job(self, jid):
        if jid not in self.jobs:
            raise Fail(UNKNOWN_JOB)
        return self.jobs[jid]

    # --- the table of PROTOCOL §3 --------------------------------------------------------------
    def execute(self, kind, m, sender, time):
        p = self.p
        if kind == "RegisterJob":
            jid = m["jobId"]
            if jid == ZERO16:
                raise Fail(INVALID_ARGUMENTS)
            if m["parentJob"] != ZERO16:
                raise Fail(INVALID_PARENT)
            if jid in self.jobs:
                raise Fail(JOB_EXISTS)
            deadline = int(m["deadline"])
            if deadline >= 2 ** 64:  # stored as a 64-bit time
                raise Fail(INVALID_ARGUMENTS)
            if not deadline > time:
                raise Fail(DEADLINE_PASSED)
            fuel_limit, fuel_price = int(m["fuelLimit"]), int(m["fuelPrice"])
            _, _, escrow, _ = self.fees(fuel_limit, fuel_price)
            self.charge(sender, escrow)
            self.jobs[jid] = dict(id=jid, owner=sender, parentJob=ZERO16, programId=int(m["programId"]),
                                  numParallel=int(m["numParallel"]), numEpoch=int(m["numEpoch"]), dataset=m["dataset"],
                                  param=m["param"], fuelLimit=fuel_limit, fuelPrice=fuel_price, deadline=deadline,
                                  status=REQUESTED, node=ZERO20, fuelUsed=0, result=ZERO32, escrow=escrow, nodeDeposit=0,
                                  childCount=0, verifiedChildren=0, createdAt=time, updatedAt=time)
        elif kind == "CancelJob":
            self.cancel(m["jobId"], sender, time)
        elif kind == "Process":
            j = self.job(m["jobId"])
            if j["status"] != REQUESTED:
                raise Fail(WRONG_STATUS)
            if sender == j["owner"]:
                raise Fail(OWNER_CANNOT_PROCESS)
            if not time < j["deadline"]:
                raise Fail(DEADLINE_PASSED)
            _, _, _, node_deposit = self.fees(j["fuelLimit"], j["fuelPrice"])
            self.charge(sender, node_deposit)
            j.update(nodeDeposit=node_deposit, node=sender, status=PROCESSING, updatedAt=time)
        elif kind == "Decline":
            j = self.job(m["jobId"])
            if j["status"] != PROCESSING:
                raise Fail(WRONG_STATUS)
            if sender != j["node"]:
                raise Fail(NOT_ASSIGNED_NODE)
            penalty = self.penalty(j, p["declinePenaltyRate"])
            self.pay(j["owner"], j["escrow"])
            self.burn(penalty)
            self.pay(j["node"], nonneg(j["nodeDeposit"] - penalty))
            j.update(escrow=0, nodeDeposit=0, status=DECLINED, updatedAt=time)
        elif kind == "Submit":
            j = self.job(m["jobId"])
            if j["status"] != PROCESSING:
                raise Fail(WRONG_STATUS)
            if sender != j["node"]:
                raise Fail(NOT_ASSIGNED_NODE)
            fuel_used = int(m["fuelUsed"])
            if fuel_used > j["fuelLimit"]:
                raise Fail(FUEL_EXCEEDS_LIMIT)
            if not time <= j["deadline"]:
                raise Fail(DEADLINE_PASSED)
            j.update(result=m["result"], fuelUsed=fuel_used, status=SUBMITTED, updatedAt=time)
        elif kind in ("Verify", "Reject"):
            if sender not in self.verifiers:
                raise Fail(NOT_VERIFIER)
            j = self.job(m["jobId"])
            if sender in (j["node"], j["owner"]):
                raise Fail(VERIFIER_IS_PARTY)
            if j["status"] != SUBMITTED:
                raise Fail(WRONG_STATUS)
            fee_limit, vfee, _, _ = self.fees(j["fuelLimit"], j["fuelPrice"])
            if kind == "Verify":
                earned = j["fuelUsed"] * j["fuelPrice"]
                self.pay(j["node"], j["nodeDeposit"] + earned)
                self.pay(j["owner"], fee_limit - earned)
                self.pay(sender, vfee)
                j.update(escrow=0, nodeDeposit=0, status=VERIFIED, updatedAt=time)
                if j["parentJob"] != ZERO16 and j["parentJob"] in self.jobs:
                    self.jobs[j["parentJob"]]["verifiedChildren"] += 1
            else:
                penalty = self.penalty(j, p["failedPenaltyRate"])
                self.pay(j["owner"], j["escrow"])
                self.pay(sender, vfee)
                self.burn(penalty)
                self.pay(j["node"], nonneg(j["nodeDeposit"] - vfee - penalty))
                j.update(escrow=0, nodeDeposit=0, status=FAILED, updatedAt=time)
        elif kind == "Timeout":
            if sender not in self.verifiers:
                raise Fail(NOT_VERIFIER)
            j = self.job(m["jobId"])
            if j["status"] not in (REQUESTED, PROCESSING):
                raise Fail(WRONG_STATUS)
            if not time >= j["deadline"]:
                raise Fail(DEADLINE_NOT_REACHED)
            self.pay(j["owner"], j["escrow"])
            if j["status"] == PROCESSING:
                penalty = self.penalty(j, p["timeoutPenaltyRate"])
                self.burn(penalty)
                self.pay(j["node"], nonneg(j["nodeDeposit"] - penalty))
            j.update(escrow=0, nodeDeposit=0, status=TIMEOUT, updatedAt=time)
        elif kind == "Split":
            self.split(m, sender, time)
        elif kind == "Aggregate":
            if sender not in self.aggregators:
                raise Fail(NOT_AGGREGATOR)
            j = self.job(m["parentJob"])
            if j["status"] != SPLIT:
                raise Fail(WRONG_STATUS)
            if j["verifiedChildren"] != j["childCount"]:
                raise Fail(CHILDREN_NOT_VERIFIED)
            j.update(result=m["result"], status=COMPLETED, updatedAt=time)
        elif kind == "Withdraw":
            amount = int(m["amount"])
            if amount == 0:
                raise Fail(ZERO_AMOUNT)
            self.charge(sender, amount)
            acc = self.acct(sender)
            acc[2] = fits(acc[2] + amount)
            self.credit = fits(self.credit + amount)
        else:
            raise ValueError(kind)

    def cancel(self, jid, sender, time):
        j = self.job(jid)
        if sender != j["owner"]:
            raise Fail(NOT_OWNER)
        if j["status"] != REQUESTED:
            raise Fail(WRONG_STATUS)
        self.pay(j["owner"], j["escrow"])
        # CancelJob leaves updatedAt alone (PROTOCOL gives no time to a cancel, which L1 can send).
        j.update(escrow=0, status=CANCELED)

    def split(self, m, sender, time):
        if sender not in self.splitters:
            raise Fail(NOT_SPLITTER)
        parent = self.job(m["parentJob"])
        if parent["status"] != REQUESTED:
            raise Fail(WRONG_STATUS)
        if not parent["numParallel"] > 1:
            raise Fail(NOT_SPLITTABLE)
        ids, datasets, limits = m["jobIds"], m["datasets"], [int(x) for x in m["fuelLimits"]]
        n = len(ids)
        if not (1 <= n <= self.p["maxSplitChildren"] and len(datasets) == n and len(limits) == n
                and len(set(ids)) == n and ZERO16 not in ids):
            raise Fail(INVALID_ARGUMENTS)
        if fits(sum(limits)) > parent["fuelLimit"]:
            raise Fail(CHILDREN_EXCEED_PARENT)
        if any(c in self.jobs for c in ids):
            raise Fail(CHILD_EXISTS)
        left = parent["escrow"]
        for cid, ds, fl in zip(ids, datasets, limits):
            _, _, escrow, _ = self.fees(fl, parent["fuelPrice"])
            left -= escrow
            assert left >= 0, "children's escrows exceed the parent's"
            self.jobs[cid] = dict(id=cid, owner=parent["owner"], parentJob=parent["id"], programId=parent["programId"],
                                  numParallel=1, numEpoch=parent["numEpoch"], dataset=ds, param=parent["param"],
                                  fuelLimit=fl, fuelPrice=parent["fuelPrice"], deadline=parent["deadline"],
                                  status=REQUESTED, node=ZERO20, fuelUsed=0, result=ZERO32, escrow=escrow,
                                  nodeDeposit=0, childCount=0, verifiedChildren=0, createdAt=time, updatedAt=time)
        self.pay(parent["owner"], left)
        parent.update(escrow=0, childCount=n, status=SPLIT, updatedAt=time)

    # --- steps: all-or-nothing, like the spec's "changes nothing but the nonce" ----------------
    def snapshot(self):
        return ({a: list(v) for a, v in self.accounts.items()}, {k: dict(v) for k, v in self.jobs.items()},
                self.deposited, self.credit, self.burned)

    def restore(self, s):
        self.accounts, self.jobs, self.deposited, self.credit, self.burned = s

    def attempt(self, fn):
        before = self.snapshot()
        try:
            fn()
            return None
        except Fail as f:
            self.restore(before)
            return f.code

    def step(self, s):
        if s.get("inbox") == "deposit":
            def deposit():
                self.pay(s["account"].lower(), int(s["amount"]))
                self.deposited = fits(self.deposited + int(s["amount"]))
            return self.attempt(deposit), False
        if s.get("inbox") == "cancel":
            return self.attempt(lambda: self.cancel(s["jobId"], s["account"].lower(), None)), False
        tx, sender = s["tx"], s["sender"].lower()
        m = {k: (v.lower() if isinstance(v, str) and v.startswith("0x") else v) for k, v in tx["message"].items()}
        for k in ("jobIds", "datasets"):
            if k in m:
                m[k] = [x.lower() for x in m[k]]
        if int(m["nonce"]) != self.accounts.get(sender, [0, 0, 0])[1]:
            return None, True
        code = self.attempt(lambda: self.execute(tx["type"], m, sender, s["time"]))
        self.acct(sender)[1] += 1
        return code, False

    # --- records and the root (PROTOCOL §4) --------------------------------------------------
    def totals(self):
        balances = sum(a[0] for a in self.accounts.values())
        escrow = sum(j["escrow"] for j in self.jobs.values())
        deposits = sum(j["nodeDeposit"] for j in self.jobs.values())
        assert balances + escrow + deposits + self.credit + self.burned == self.deposited, "conservation"
        return [self.deposited, self.credit, self.burned, balances, escrow, deposits]


_cache = {}


def record(types, values):
    """(abi record, keccak of it), memoised: most records do not change from step to step."""
    key = (len(types), tuple(values))
    if key not in _cache:
        enc = encode(types, values)
        _cache[key] = (enc, keccak(enc))
    return _cache[key]


def account_record(acc):
    return record(["uint256"] * 3, acc)


def job_record(j):
    return record(JOB_TYPES, [b(j[f]) if t.startswith("bytes") else j[f] for f, t in zip(JOB_FIELDS, JOB_TYPES)])


ACCOUNT_KEYS, JOB_KEYS, TOTALS_KEY = {}, {}, keccak(b"\x03")


def main():
    spec = json.load(sys.stdin)
    model = Model(spec["params"], spec["roles"])
    out, prev_acc, prev_jobs = [], {}, {}
    for s in spec["steps"]:
        code, invalid = model.step(s)
        accounts = {a: tuple(v) for a, v in model.accounts.items()}
        jobs = {k: job_record(j) for k, j in model.jobs.items()}
        totals = record(["uint256"] * 6, model.totals())
        pairs = [(TOTALS_KEY, totals[1])]
        changed_acc = {}
        for a, v in accounts.items():
            if v != (0, 0, 0):  # never touched (or emptied) accounts are absent from the tree
                if a not in ACCOUNT_KEYS:
                    ACCOUNT_KEYS[a] = keccak(b"\x01" + b(a))
                pairs.append((ACCOUNT_KEYS[a], account_record(v)[1]))
            if prev_acc.get(a, (0, 0, 0)) != v:
                changed_acc[a] = None if v == (0, 0, 0) else "0x" + account_record(v)[0].hex()
        changed_jobs = {}
        for k, (enc, h) in jobs.items():
            if k not in JOB_KEYS:
                JOB_KEYS[k] = keccak(b"\x02" + b(k))
            pairs.append((JOB_KEYS[k], h))
            if prev_jobs.get(k) != enc:
                changed_jobs[k] = "0x" + enc.hex()
        prev_acc, prev_jobs = accounts, {k: enc for k, (enc, _) in jobs.items()}
        root = subtree(sorted(pairs), 0)
        out.append({"code": code, "invalid": invalid, "root": "0x" + root.hex(), "accounts": changed_acc,
                    "jobs": changed_jobs, "totals": "0x" + totals[0].hex()})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
