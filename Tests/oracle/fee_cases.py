"""Fee rounding oracle: every fee path of docs/PROTOCOL.md §3 with fee limits that leave
remainders (1 wei, primes, values near 2^256/100000 where x·r no longer fits 256 bits, fee
limits near the top of the range). Expected amounts use Python's exact integers:
rate(x, r) = floor(x·r / 100000), computed as x*r // 100000 with no overflow to dodge.

Prints a JSON array of cases. Each case: {"name", "deposits": {actor: amount}, "steps": [...]},
a step: {"sender": actor, "call": {...}, "time", "expect": {"code": null | n,
"balances": {actor: amount}, "burned": amount, "jobs": {n: {"escrow", "nodeDeposit", "status"}}}}
with the balances of every actor and the state of every job after that step. Actors:
requester, node, verifier, splitter, aggregator. Job ids are small integers n (the job id is n
repeated 16 times as a byte)."""
import json

D = 100_000
VFEE, DEPOSIT, PENALTY = 5_000, 100_000, 25_000     # the genesis defaults
WORD = 2 ** 256
N = WORD // D                                       # above this, x·r overflows 256 bits
EXTRA = 1_000_003                                   # what every actor holds beyond what it locks
REQUESTED, PROCESSING, SUBMITTED, VERIFIED, CANCELED, TIMEOUT, FAILED, DECLINED, SPLIT, COMPLETED = range(1, 11)
ACTORS = ["requester", "node", "verifier", "splitter", "aggregator"]
DEADLINE = 2_000


def rate(x, r):
    return x * r // D


def fees(fuel_limit, fuel_price):
    fee_limit = fuel_limit * fuel_price
    vfee = rate(fee_limit, VFEE)
    return {"feeLimit": fee_limit, "vFee": vfee, "escrow": fee_limit + vfee,
            "nodeDeposit": rate(fee_limit, DEPOSIT) + vfee, "penalty": rate(fee_limit, PENALTY)}


class Case:
    def __init__(self, name, deposits):
        self.name, self.deposits, self.steps = name, deposits, []
        self.balances = {a: deposits.get(a, 0) for a in ACTORS}
        self.burned, self.jobs = 0, {}

    def step(self, sender, call, time=1_000, code=None):
        self.steps.append({"sender": sender, "call": call, "time": time, "expect": {
            "code": code, "balances": {a: str(v) for a, v in self.balances.items()}, "burned": str(self.burned),
            "jobs": {str(n): {"escrow": str(j["escrow"]), "nodeDeposit": str(j["nodeDeposit"]), "status": j["status"]}
                     for n, j in self.jobs.items()}}})

    def out(self):
        assert all(v >= 0 for v in self.balances.values())
        return {"name": self.name, "deposits": {a: str(v) for a, v in self.deposits.items()}, "steps": self.steps}


def lifecycle(path, fl, fp, used=0):
    """One job through one path; the requester and node hold what they lock plus EXTRA."""
    f = fees(fl, fp)
    c = Case(f"{path} fuelLimit={fl} fuelPrice={fp} fuelUsed={used}",
             {"requester": f["escrow"] + EXTRA, "node": f["nodeDeposit"] + EXTRA})
    job = c.jobs[1] = {"escrow": f["escrow"], "nodeDeposit": 0, "status": REQUESTED}
    c.balances["requester"] -= f["escrow"]
    c.step("requester", {"type": "RegisterJob", "jobId": 1, "fuelLimit": str(fl), "fuelPrice": str(fp), "numParallel": 1})
    if path in ("cancel", "l1cancel"):
        c.balances["requester"] += job["escrow"]; job.update(escrow=0, status=CANCELED)
        c.step("requester", {"type": "CancelJob" if path == "cancel" else "L1Cancel", "jobId": 1})
        return c.out()
    if path == "timeout-requested":
        c.balances["requester"] += job["escrow"]; job.update(escrow=0, status=TIMEOUT)
        c.step("verifier", {"type": "Timeout", "jobId": 1}, time=DEADLINE)
        return c.out()
    c.balances["node"] -= f["nodeDeposit"]; job.update(nodeDeposit=f["nodeDeposit"], status=PROCESSING)
    c.step("node", {"type": "Process", "jobId": 1})
    if path == "decline":
        c.balances["requester"] += job["escrow"]; c.burned += f["penalty"]
        c.balances["node"] += f["nodeDeposit"] - f["penalty"]
        job.update(escrow=0, nodeDeposit=0, status=DECLINED)
        c.step("node", {"type": "Decline", "jobId": 1})
        return c.out()
    if path == "timeout-processing":
        c.balances["requester"] += job["escrow"]; c.burned += f["penalty"]
        c.balances["node"] += f["nodeDeposit"] - f["penalty"]
        job.update(escrow=0, nodeDeposit=0, status=TIMEOUT)
        c.step("verifier", {"type": "Timeout", "jobId": 1}, time=DEADLINE)
        return c.out()
    job["status"] = SUBMITTED
    c.step("node", {"type": "Submit", "jobId": 1, "fuelUsed": str(used)})
    if path == "verify":
        earned = used * fp
        c.balances["node"] += f["nodeDeposit"] + earned
        c.balances["requester"] += f["feeLimit"] - earned
        c.balances["verifier"] += f["vFee"]
        job.update(escrow=0, nodeDeposit=0, status=VERIFIED)
        c.step("verifier", {"type": "Verify", "jobId": 1})
    else:
        c.balances["requester"] += f["escrow"]; c.balances["verifier"] += f["vFee"]; c.burned += f["penalty"]
        c.balances["node"] += f["nodeDeposit"] - f["vFee"] - f["penalty"]
        job.update(escrow=0, nodeDeposit=0, status=FAILED)
        c.step("verifier", {"type": "Reject", "jobId": 1})
    return c.out()


def family(fl, fp, child_limits, outcomes):
    """A parent split into SubJobs at the parent's price, the leftover escrow back to the
    owner, each child settled by its outcome, then Aggregate (which succeeds only when every
    child is verified)."""
    f = fees(fl, fp)
    child = [fees(x, fp) for x in child_limits]
    c = Case(f"split fuelLimit={fl} fuelPrice={fp} children={child_limits} outcomes={outcomes}",
             {"requester": f["escrow"] + EXTRA, "node": sum(x["nodeDeposit"] for x in child) + EXTRA})
    parent = c.jobs[1] = {"escrow": f["escrow"], "nodeDeposit": 0, "status": REQUESTED}
    c.balances["requester"] -= f["escrow"]
    c.step("requester", {"type": "RegisterJob", "jobId": 1, "fuelLimit": str(fl), "fuelPrice": str(fp),
                         "numParallel": len(child_limits) + 1})
    ids = list(range(2, 2 + len(child_limits)))
    leftover = f["escrow"] - sum(x["escrow"] for x in child)
    assert leftover >= 0
    c.balances["requester"] += leftover
    parent.update(escrow=0, status=SPLIT)
    for n, x in zip(ids, child):
        c.jobs[n] = {"escrow": x["escrow"], "nodeDeposit": 0, "status": REQUESTED}
    c.step("splitter", {"type": "Split", "jobId": 1, "children": ids, "fuelLimits": [str(x) for x in child_limits]})
    verified = 0
    for n, x, limit, (outcome, used) in zip(ids, child, child_limits, outcomes):
        j = c.jobs[n]
        if outcome == "cancel":
            c.balances["requester"] += j["escrow"]; j.update(escrow=0, status=CANCELED)
            c.step("requester", {"type": "CancelJob", "jobId": n})
            continue
        c.balances["node"] -= x["nodeDeposit"]; j.update(nodeDeposit=x["nodeDeposit"], status=PROCESSING)
        c.step("node", {"type": "Process", "jobId": n})
        if outcome == "decline":
            c.balances["requester"] += j["escrow"]; c.burned += x["penalty"]
            c.balances["node"] += x["nodeDeposit"] - x["penalty"]
            j.update(escrow=0, nodeDeposit=0, status=DECLINED)
            c.step("node", {"type": "Decline", "jobId": n})
            continue
        j["status"] = SUBMITTED
        c.step("node", {"type": "Submit", "jobId": n, "fuelUsed": str(used)})
        if outcome == "verify":
            earned = used * fp
            c.balances["node"] += x["nodeDeposit"] + earned
            c.balances["requester"] += x["feeLimit"] - earned
            c.balances["verifier"] += x["vFee"]
            j.update(escrow=0, nodeDeposit=0, status=VERIFIED)
            verified += 1
            c.step("verifier", {"type": "Verify", "jobId": n})
        else:
            c.balances["requester"] += j["escrow"]; c.balances["verifier"] += x["vFee"]; c.burned += x["penalty"]
            c.balances["node"] += x["nodeDeposit"] - x["vFee"] - x["penalty"]
            j.update(escrow=0, nodeDeposit=0, status=FAILED)
            c.step("verifier", {"type": "Reject", "jobId": n})
    if verified == len(ids):
        parent["status"] = COMPLETED
        c.step("aggregator", {"type": "Aggregate", "jobId": 1})
    else:
        c.step("aggregator", {"type": "Aggregate", "jobId": 1}, code=17)  # CHILDREN_NOT_VERIFIED
    return c.out()


def overflowing(fl, fp):
    """RegisterJob whose fee math does not fit 256 bits: ARITHMETIC_OVERFLOW, nothing moves."""
    c = Case(f"overflow fuelLimit={fl} fuelPrice={fp}", {"requester": WORD - 1})
    c.step("requester", {"type": "RegisterJob", "jobId": 1, "fuelLimit": str(fl), "fuelPrice": str(fp), "numParallel": 1},
           code=19)
    return c.out()


# (fuelLimit, fuelPrice): fee limits of 1 wei, just under and over a multiple of 100,000,
# primes, just above 2^256/100000 (x·r overflows, the remainder term matters), and high enough
# that requester and node together hold most of the 256-bit range.
PAIRS = [(1, 1), (1, 19), (1, 20), (1, 99_999), (1, 100_001), (3, 33_337), (7, 15_485_863), (99_991, 1_000_003),
         (104_729, 1_299_709), (120_000, 120 * 10 ** 9 + 7), (N + 1, 1), (N - 1, 1), (1, N + 99_999),
         (N // 99_991 + 17, 99_991), (2 * N + 12_345, 3), ((WORD // 5) * 2 + 99_999, 1), (2 ** 127 - 1, 2 ** 127 + 45_677)]


def used_for(fl, k):
    return [0, 1, fl, max(0, fl - 1), fl // 3 + (fl % 7)][k % 5]


def main():
    out = []
    for k, (fl, fp) in enumerate(PAIRS):
        assert fl * fp < WORD
        for path in ("verify", "reject", "decline", "timeout-requested", "timeout-processing", "cancel", "l1cancel"):
            out.append(lifecycle(path, fl, fp, used_for(fl, k) if path in ("verify", "reject") else 0))
        out.append(lifecycle("verify", fl, fp, used_for(fl, k + 2)))
        # Children that leave remainders of their own; their sum stays within the parent's limit.
        if fl >= 3:
            limits = [fl // 3 + 1, fl // 7, 1] if fl >= 7 else [1, 1]
            used = [used_for(x, k + i) for i, x in enumerate(limits)]
            out.append(family(fl, fp, limits, [("verify", u) for u in used]))
            mixed = ["reject", "decline", "cancel", "verify"]
            out.append(family(fl, fp, limits, [(mixed[(k + i) % 4], u) for i, u in enumerate(used)]))
    for fl, fp in [(WORD // 2, 2), (WORD - 1, 1), (WORD - 5, 1), (WORD // 19 + 1, 19), (2 ** 128, 2 ** 128)]:
        assert fl * fp >= WORD or fees(fl, fp)["escrow"] >= WORD
        out.append(overflowing(fl, fp))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
