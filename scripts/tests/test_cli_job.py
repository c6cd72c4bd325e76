"""`emeth job …` on a localnet of its own (a temporary directory and free ports), driven only
through the CLI as a requester, nodes, the verifier, the splitter and the aggregator would:
register → process → submit → verify, and the decline, reject, cancel, timeout, split and
aggregate paths. Every balance and job is checked exactly afterwards — with `emeth job show
--json` and the JSON-RPC API — against the fee rules of docs/PROTOCOL.md §3 written out here
independently; a transaction hash is recomputed with the Python SDK (eth-account underneath).
Refusals are checked for their exact sentence, and for changing nothing (balances and nonces as
before)."""
import json
import os
import subprocess
import time
from pathlib import Path

import pytest
import requests
from eth_account import Account
from emeth_sdk import Domain, sign_message
from support import free_port, run_localnet as localnet, wait_until

ROOT = Path(__file__).resolve().parents[2]
EMETH = os.environ.get("EMETH_BIN") or str(ROOT / ".build" / "debug" / "emeth")
GHOLON, EMT = 10**9, 10**18
PRICE = 3 * GHOLON                      # --fuel-price 3gholon
DATASET, PARAM = "0x" + "d0" * 32, "0x" + "e0" * 32
RESULT = "0x" + "aa" * 32


def job_id(n: int) -> str:
    return "0x" + f"{n:032x}"


def fees(fuel_limit: int, price: int = PRICE) -> dict:
    """PROTOCOL §3 with the default rates: verifier fee 5%, node deposit = fee limit + verifier
    fee, penalties 25%, all floor-rounded."""
    fee_limit = fuel_limit * price
    vfee = fee_limit * 5_000 // 100_000
    return {"fee_limit": fee_limit, "vfee": vfee, "escrow": fee_limit + vfee, "deposit": fee_limit + vfee,
            "penalty": fee_limit * 25_000 // 100_000}


def fmt(units: int) -> str:
    """An amount as the CLI prints it: EMT, exact, no trailing zeros."""
    whole, frac = divmod(units, EMT)
    frac_text = f"{frac:018d}".rstrip("0")
    return f"{whole}.{frac_text} EMT" if frac_text else f"{whole} EMT"


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMETH_", "LOCALNET_"))}
    env.update(extra)
    return env


class Net:
    def __init__(self, env: dict, values: dict):
        self.env, self.v = env, values
        self.users = values["USER_KEYS"].split(",")
        self.requester, self.node_a, self.node_b, self.poor = self.users
        self.verifier, self.splitter, self.aggregator = values["VERIFIER_KEY"], values["SPLITTER_KEY"], values["AGGREGATOR_KEY"]

    def cli_env(self, key: str | None, **extra) -> dict:
        env = clean_env(EMETH_L1_RPC=self.v["L1_RPC_URL"], EMETH_L2_RPC=self.v["L2_RPC_URL"],
                        EMETH_DEPLOYMENT=self.v["DEPLOYMENT_FILE"], **extra)
        if key:
            env["EMETH_PRIVATE_KEY"] = key
        return env

    def emeth(self, *args, key=None, ok=True, **extra):
        r = subprocess.run([EMETH, *args], capture_output=True, text=True, env=self.cli_env(key, **extra), timeout=300)
        if ok:
            assert r.returncode == 0, f"emeth {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}"
        return r

    def job(self, *args, key=None, ok=True, **extra):
        return self.emeth("job", *args, key=key, ok=ok, **extra)

    def job_json(self, *args, key=None) -> dict:
        return json.loads(self.job(*args, "--json", key=key).stdout)

    def refused(self, *args, key=None) -> str:
        """Runs a job command that must fail: nothing on stdout, one `Error: …` line; the sentence."""
        r = self.job(*args, key=key, ok=False)
        assert r.returncode == 1 and r.stdout == "", r.stdout + r.stderr
        assert r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1, r.stderr
        return r.stderr.removeprefix("Error: ").rstrip("\n")

    def show(self, jid: str) -> dict:
        shown = json.loads(self.job("show", jid, "--json").stdout)
        assert shown == self.l2("emeth_getJob", jid)
        return shown

    def l2(self, method, *params):
        r = requests.post(self.v["L2_RPC_URL"], json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)},
                          timeout=60).json()
        assert "result" in r, r
        return r["result"]

    def account(self, key: str) -> dict:
        a = self.l2("emeth_getAccount", address(key))
        return {"balance": int(a["balance"], 16), "nonce": int(a["nonce"], 16), "credit": int(a["credit"], 16)}

    def balance(self, key: str) -> int:
        return self.account(key)["balance"]


def address(key: str) -> str:
    return Account.from_key(key).address




@pytest.fixture(scope="module")
def net(tmp_path_factory):
    if not os.access(EMETH, os.X_OK):
        pytest.fail(f"{EMETH} is missing: build it (swift build --product emeth) or set EMETH_BIN")
    env = clean_env(EMETH_BIN=str(Path(EMETH).resolve()), LOCALNET_DIR=str(tmp_path_factory.mktemp("job") / "ln"),
                    LOCALNET_L1_PORT=str(free_port()), LOCALNET_L2_PORT=str(free_port()))
    try:
        r = localnet(env, "up")
        assert r.returncode == 0, r.stdout + r.stderr
        values = dict(line.split("=", 1) for line in (Path(env["LOCALNET_DIR"]) / "env").read_text().splitlines()
                      if line and not line.startswith("#"))
        n = Net(env, values)
        # Requester and nodes deposit 10 EMT each, the poor user 0.001 EMT, all through `emeth deposit`.
        for key, amount, text in [(n.requester, "10emt", "10 EMT"), (n.node_a, "10emt", "10 EMT"), (n.node_b, "10emt", "10 EMT"),
                                  (n.poor, "0.001emt", "0.001 EMT")]:
            out = n.emeth("deposit", amount, key=key).stdout
            assert f"credited on L2: balance {text}" in out, out
        yield n
    finally:
        localnet(env, "down")


def register(net, jid, fuel_limit, *extra, key=None, deadline="+1h") -> dict:
    return net.job_json("register", "--job-id", jid, "--program-id", "7", "--dataset", DATASET, "--param", PARAM,
                        "--fuel-limit", str(fuel_limit), "--fuel-price", "3gholon", "--deadline", deadline, "--wait", *extra,
                        key=key or net.requester)


def sign(net, key: str, primary: str, message: dict) -> tuple[str, str]:
    """The Python SDK's signature of an L2 transaction (PROTOCOL §2; eth-account underneath) in
    the chain's domain, and its hash keccak256(digest ‖ sender)."""
    info = net.l2("emeth_chainInfo")
    signed = sign_message(key, Domain(int(info["chainId"], 16), info["rollup"]), primary, message)
    return signed.signature, signed.hash


def test_register_process_submit_verify(net):
    jid, fuel, used = job_id(1), 1_000_003, 812_345
    f = fees(fuel)
    r0, a0, v0 = net.balance(net.requester), net.balance(net.node_a), net.balance(net.verifier)
    nonce = net.account(net.requester)["nonce"]

    reg = register(net, jid, fuel)
    assert reg["success"] is True and reg["failure"] is None and reg["type"] == "RegisterJob" and reg["jobId"] == jid
    assert reg["nonce"] == nonce and reg["sender"] == address(net.requester)
    assert reg["job"]["status"] == 1 and int(reg["job"]["escrow"], 16) == f["escrow"]
    assert int(reg["balance"], 16) == r0 - f["escrow"]
    assert reg["receipt"]["status"] in ("sequenced", "committed", "final") and reg["receipt"]["hash"] == reg["hash"] and reg["receipt"]["success"] is True
    # The signature and hash the CLI printed are eth-account's for what it signed.
    msg = reg["tx"]["message"]
    assert (reg["tx"]["signature"], reg["hash"]) == sign(net, net.requester, "RegisterJob", msg)
    assert int(msg["fuelPrice"]) == PRICE and msg["parentJob"] == "0x" + "00" * 16

    # The node takes it (text output), then submits.
    out = net.job("process", jid, "--wait", key=net.node_a).stdout.splitlines()
    proc_nonce = net.account(net.node_a)["nonce"] - 1
    assert out[0].startswith(f"sent Process of job {jid} from {address(net.node_a)} (nonce {proc_nonce}): 0x"), out
    block = int(net.l2("emeth_getTransactionReceipt", out[0].rsplit(": ", 1)[1])["blockNumber"], 16)
    assert out[1:] == [f"sequenced in block {block}: job {jid} is PROCESSING, deposit {fmt(f['deposit'])} locked; "
                       f"balance of {address(net.node_a)} now {fmt(a0 - f['deposit'])}"], out
    sub = net.job_json("submit", jid, "--result", RESULT, "--fuel-used", str(used), "--wait", key=net.node_a)
    assert sub["success"] is True and sub["job"]["statusName"] == "SUBMITTED"

    ver = net.job_json("verify", jid, "--wait", key=net.verifier)
    assert ver["success"] is True

    job = net.show(jid)
    assert job["status"] == 4 and job["statusName"] == "VERIFIED" and job["node"] == address(net.node_a)
    assert job["owner"] == address(net.requester) and job["fuelUsed"] == hex(used) and job["result"] == RESULT
    assert job["escrow"] == "0x0" and job["nodeDeposit"] == "0x0" and job["dataset"] == DATASET and job["param"] == PARAM
    earned = used * PRICE
    assert net.balance(net.requester) == r0 - f["escrow"] + (f["fee_limit"] - earned)
    assert net.balance(net.node_a) == a0 + earned
    assert net.balance(net.verifier) == v0 + f["vfee"]

    # The human form of `show` carries the same numbers.
    lines = net.job("show", jid).stdout.splitlines()
    assert lines[:5] == [f"job           {jid}", "status        VERIFIED (4)", f"owner         {address(net.requester)}",
                         f"node          {address(net.node_a)}", "parent        -"], lines
    assert f"fuel          limit {fuel} at 0.000000003 EMT each, used {used}" in lines
    assert f"fee limit     {fmt(f['fee_limit'])}" in lines and f"result        {RESULT}" in lines


def test_a_node_sends_process_and_submit_without_waiting_in_between(net):
    """The pending nonce: Process is still in the mempool when Submit is signed."""
    jid, fuel = job_id(2), 500_001
    f = fees(fuel)
    register(net, jid, fuel)
    a0 = net.account(net.node_a)
    sent = net.job_json("process", jid, key=net.node_a)
    assert sent["receipt"] is None and sent["success"] is None and sent["nonce"] == a0["nonce"]
    sub = net.job_json("submit", jid, "--result", RESULT, "--fuel-used", "500001", "--wait", key=net.node_a)
    assert sub["nonce"] == a0["nonce"] + 1 and sub["success"] is True
    assert net.show(jid)["statusName"] == "SUBMITTED"
    assert net.balance(net.node_a) == a0["balance"] - f["deposit"]
    net.job_json("verify", jid, "--wait", key=net.verifier)
    assert net.balance(net.node_a) == a0["balance"] + fuel * PRICE


def test_decline_returns_the_escrow_and_burns_the_penalty(net):
    jid, fuel = job_id(3), 2_000_007
    f = fees(fuel)
    r0, b0 = net.balance(net.requester), net.balance(net.node_b)
    register(net, jid, fuel)
    net.job_json("process", jid, "--wait", key=net.node_b)
    d = net.job_json("decline", jid, "--wait", key=net.node_b)
    assert d["success"] is True and d["job"]["statusName"] == "DECLINED"
    job = net.show(jid)
    assert job["status"] == 8 and job["escrow"] == "0x0" and job["nodeDeposit"] == "0x0"
    assert net.balance(net.requester) == r0
    assert net.balance(net.node_b) == b0 - f["penalty"]


def test_reject_pays_the_verifier_from_the_node_deposit(net, tmp_path):
    jid, fuel = job_id(4), 1_234_567
    f = fees(fuel)
    r0, b0, v0 = net.balance(net.requester), net.balance(net.node_b), net.balance(net.verifier)
    register(net, jid, fuel)
    net.job_json("process", jid, "--wait", key=net.node_b)
    net.job_json("submit", jid, "--result", RESULT, "--fuel-used", "1000", "--wait", key=net.node_b)
    # The verifier's key from a keystore file this time (password from the environment).
    keyfile = tmp_path / "verifier.json"
    net.emeth("keys", "import", "--out", str(keyfile), "--light", key=net.verifier, EMETH_KEYSTORE_PASSWORD="pw")
    rej = json.loads(net.job("reject", jid, "--wait", "--json", "--keystore", str(keyfile), EMETH_KEYSTORE_PASSWORD="pw").stdout)
    assert rej["success"] is True
    assert net.show(jid)["statusName"] == "FAILED"
    assert net.balance(net.requester) == r0
    assert net.balance(net.node_b) == b0 - f["vfee"] - f["penalty"]
    assert net.balance(net.verifier) == v0 + f["vfee"]


def test_cancel_by_the_owner_only(net):
    jid, fuel = job_id(5), 777_777
    r0, a0 = net.account(net.requester), net.account(net.node_a)
    register(net, jid, fuel)
    # Wrong party: nothing changes, the sentence names the owner.
    assert net.refused("cancel", jid, key=net.node_a) == (
        f"job {jid} belongs to {address(net.requester)}, not to you ({address(net.node_a)}); only its owner can cancel it")
    assert net.account(net.node_a) == a0
    c = net.job_json("cancel", jid, "--wait", key=net.requester)
    assert c["success"] is True
    job = net.show(jid)
    assert job["status"] == 5 and job["escrow"] == "0x0"
    assert net.account(net.requester) == {**r0, "nonce": r0["nonce"] + 2}
    # A cancelled job cannot be cancelled again.
    assert net.refused("cancel", jid, key=net.requester) == (
        f"job {jid} is CANCELED, but cancel needs it REQUESTED; see `emeth job show {jid}`")


def test_timeout_after_the_deadline(net):
    jid, fuel = job_id(6), 1_500_001
    f = fees(fuel)
    r0, a0 = net.balance(net.requester), net.balance(net.node_a)
    deadline = int(time.time()) + 12
    register(net, jid, fuel, deadline=str(deadline))
    net.job_json("process", jid, "--wait", key=net.node_a)
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(deadline))
    assert net.refused("timeout", jid, key=net.verifier) == (
        f"job {jid} has not reached its deadline {deadline} ({iso}); it can be timed out from then on")
    # L2 block time is the sequencer's wall clock.
    wait_until(lambda: time.time() >= deadline + 1, "the job's deadline", timeout=60)
    assert net.refused("submit", jid, "--result", RESULT, "--fuel-used", "1", key=net.node_a) == (
        f"job {jid}'s deadline {deadline} ({iso}) has passed, so it can no longer be processed or submitted; "
        "a verifier may time it out")
    t = net.job_json("timeout", jid, "--wait", key=net.verifier)
    assert t["success"] is True and t["job"]["statusName"] == "TIMEOUT"
    assert net.show(jid)["status"] == 6
    assert net.balance(net.requester) == r0
    assert net.balance(net.node_a) == a0 - f["penalty"]


def test_split_verify_every_subjob_then_aggregate(net):
    parent, c1, c2 = job_id(7), job_id(0x71), job_id(0x72)
    fuel, f1, f2, used1, used2 = 1_000_003, 400_000, 600_001, 399_999, 600_001
    pf, cf1, cf2 = fees(fuel), fees(f1), fees(f2)
    r0, a0, b0, v0 = (net.balance(k) for k in (net.requester, net.node_a, net.node_b, net.verifier))
    reg = register(net, parent, fuel, "--parallel", "2")
    assert reg["job"]["numParallel"] == "0x2"
    s = net.job_json("split", parent, "--dataset", "0x" + "01" * 32, "--fuel-limit", str(f1), "--child-id", c1,
                     "--dataset", "0x" + "02" * 32, "--fuel-limit", str(f2), "--child-id", c2, "--wait", key=net.splitter)
    assert s["success"] is True and s["childJobIds"] == [c1, c2]
    p = net.show(parent)
    assert p["statusName"] == "SPLIT" and p["childCount"] == "0x2" and p["escrow"] == "0x0"
    for cid, cf, ds in [(c1, cf1, "01"), (c2, cf2, "02")]:
        child = net.show(cid)
        assert child["parentJob"] == parent and child["statusName"] == "REQUESTED" and int(child["escrow"], 16) == cf["escrow"]
        assert child["dataset"] == "0x" + ds * 32 and child["owner"] == address(net.requester) and child["fuelPrice"] == hex(PRICE)
    # The parent's escrow moved into the SubJobs; what is left went back to the requester.
    assert net.balance(net.requester) == r0 - cf1["escrow"] - cf2["escrow"]

    for cid, key, used in [(c1, net.node_a, used1), (c2, net.node_b, used2)]:
        net.job_json("process", cid, "--wait", key=key)
        net.job_json("submit", cid, "--result", RESULT, "--fuel-used", str(used), "--wait", key=key)
    net.job_json("verify", c1, "--wait", key=net.verifier)
    result = "0x" + "cc" * 32
    assert net.refused("aggregate", parent, "--result", result, key=net.aggregator) == (
        f"only 1 of job {parent}'s 2 SubJobs are VERIFIED; aggregate once all of them are")
    net.job_json("verify", c2, "--wait", key=net.verifier)
    agg = net.job_json("aggregate", parent, "--result", result, "--wait", key=net.aggregator)
    assert agg["success"] is True
    p = net.show(parent)
    assert p["status"] == 10 and p["statusName"] == "COMPLETED" and p["result"] == result and p["verifiedChildren"] == "0x2"
    assert net.balance(net.requester) == r0 - used1 * PRICE - used2 * PRICE - cf1["vfee"] - cf2["vfee"]
    assert net.balance(net.node_a) == a0 + used1 * PRICE and net.balance(net.node_b) == b0 + used2 * PRICE
    assert net.balance(net.verifier) == v0 + cf1["vfee"] + cf2["vfee"]
    assert pf["escrow"] >= cf1["escrow"] + cf2["escrow"]


def test_wrong_role_is_refused_in_words_and_changes_nothing(net):
    jid = job_id(8)
    register(net, jid, 100_003)
    net.job_json("process", jid, "--wait", key=net.node_a)
    before = {k: net.account(k) for k in (net.node_a, net.node_b, net.requester)}
    assert net.refused("submit", jid, "--result", RESULT, "--fuel-used", "5", key=net.node_b) == (
        f"job {jid} is not assigned to you (node {address(net.node_a)}); only the assigned node can submit")
    net.job_json("submit", jid, "--result", RESULT, "--fuel-used", "5", "--wait", key=net.node_a)
    before[net.node_a]["nonce"] += 1
    assert net.refused("verify", jid, key=net.node_b) == (
        f"you ({address(net.node_b)}) are not a verifier on this chain; only a verifier (this chain's verifiers: "
        f"{address(net.verifier)}) can verify a job: sign with a verifier's key")
    assert net.refused("split", jid, "--dataset", DATASET, "--fuel-limit", "5", key=net.node_b).startswith(
        f"you ({address(net.node_b)}) are not a splitter on this chain; only a splitter (this chain's splitters: ")
    assert net.refused("process", job_id(9), key=net.requester) == (
        f"job {job_id(9)} does not exist on this chain; check the id (`emeth job list --owner ADDRESS` lists a requester's jobs)")
    register(net, job_id(9), 100_003)
    before[net.requester] = net.account(net.requester)
    assert net.refused("process", job_id(9), key=net.requester) == (
        f"job {job_id(9)} is your own ({address(net.requester)} registered it), and its owner cannot process it; "
        "process it with a node's key")
    assert {k: net.account(k) for k in before} == before
    # With --json a refusal is also a JSON object on stdout, with the failure code.
    r = net.job("verify", jid, "--json", key=net.node_b, ok=False)
    assert r.returncode == 1 and json.loads(r.stdout) == {
        "error": r.stderr.removeprefix("Error: ").rstrip("\n"), "kind": "refused", "failure": {"code": 6, "name": "NOT_VERIFIER"}}


def test_insufficient_balance_says_how_much_to_deposit(net):
    before = net.account(net.poor)
    assert before["balance"] == EMT // 1000
    fuel = 1_000_003
    f = fees(fuel)
    assert net.refused("register", "--job-id", job_id(10), "--program-id", "1", "--dataset", DATASET, "--fuel-limit", str(fuel),
                       "--fuel-price", "3gholon", "--deadline", "+1h", key=net.poor) == (
        f"your balance is 0.001 EMT, but registering this job locks {fmt(f['escrow'])} (fee limit {fmt(f['fee_limit'])} + "
        f"verifier fee {fmt(f['vfee'])}); deposit at least {fmt(f['escrow'] - EMT // 1000)} more with `emeth deposit`")
    assert fmt(f["escrow"]) == "0.00315000945 EMT"
    # A node needs the deposit: processing job 11 locks about 0.0105 EMT.
    register(net, job_id(11), 3_333_333)
    g = fees(3_333_333)
    assert net.refused("process", job_id(11), key=net.poor) == (
        f"your balance is 0.001 EMT, but processing job {job_id(11)} locks a deposit of {fmt(g['deposit'])}; "
        f"deposit at least {fmt(g['deposit'] - EMT // 1000)} more with `emeth deposit`")
    assert net.account(net.poor) == before
    assert net.l2("emeth_getJob", job_id(10)) is None


def test_bad_input_is_refused_before_anything_is_sent(net):
    before = net.account(net.requester)
    base = ["register", "--job-id", job_id(12), "--program-id", "1", "--dataset", DATASET, "--fuel-limit", "1000",
            "--deadline", "+1h"]
    assert net.refused(*base, "--fuel-price", "1.5.2emt", key=net.requester) == (
        '--fuel-price: invalid amount "1.5.2emt": use base units (1500), Gholon (120gholon) or EMT (1.5emt)')
    assert net.refused(*base, "--fuel-price", "0.0000000001gholon", key=net.requester) == (
        '--fuel-price: amount "0.0000000001gholon" has more than 9 decimal places for its unit')
    assert net.refused(*base[:-2], "--deadline", "tomorrow", "--fuel-price", "3gholon", key=net.requester) == (
        '--deadline: "tomorrow" is not a deadline: give Unix seconds (1767225600) or a time from now (+90s, +30m, +2h, +1d)')
    assert net.refused("process", "0x1234", key=net.node_a) == (
        'JOB_ID: "0x1234" is not a job id: write 16 bytes as 0x and 32 hex digits')
    assert net.refused("submit", job_id(8), "--result", "0xaa", "--fuel-used", "5", key=net.node_a) == (
        '--result: "0xaa" is not a content hash: write 32 bytes as 0x and 64 hex digits')
    assert net.refused("split", job_id(8), "--dataset", DATASET, key=net.splitter) == (
        "give one --fuel-limit per --dataset (1 datasets, 0 fuel limits)")
    assert net.refused("register", *base[1:], "--fuel-price", "3gholon") == "no signing key: pass --keystore FILE or set EMETH_PRIVATE_KEY"
    assert net.refused("list", "--status", "DONE") == (
        '--status: "DONE" is not a job status: use one of REQUESTED, PROCESSING, SUBMITTED, VERIFIED, CANCELED, TIMEOUT, '
        "FAILED, DECLINED, SPLIT, COMPLETED or its number 1–10")
    assert net.refused("show", job_id(0x99)) == (
        f"job {job_id(0x99)} does not exist on this chain; check the id (`emeth job list --owner ADDRESS` lists a requester's jobs)")
    # A nonce already used is refused with what to do.
    assert net.refused(*base, "--fuel-price", "3gholon", "--nonce", "0", key=net.requester) == (
        f"nonce 0 of {address(net.requester)} is taken (nonce too low: expected {before['nonce']}, got 0); "
        "leave out --nonce to use the next free one")
    assert net.account(net.requester) == before
    assert net.l2("emeth_getJob", job_id(12)) is None


def test_a_failure_in_the_block_is_reported_with_its_reason(net):
    """A transaction signed ahead of its sender's nonce is not checked at admission: once the
    gap fills it is sequenced and fails, spending only its nonce, and --wait says why."""
    mine, other = job_id(14), job_id(15)
    register(net, mine, 100_003)
    register(net, other, 100_003)
    before = net.account(net.node_b)
    n = before["nonce"]
    # Node B cancels the requester's job at nonce n + 1 and waits; its hash is known in advance.
    late = subprocess.Popen([EMETH, "job", "cancel", mine, "--nonce", str(n + 1), "--wait", "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=net.cli_env(net.node_b))
    try:
        _, h = sign(net, net.node_b, "CancelJob", {"jobId": mine, "nonce": n + 1})
        wait_until(lambda: (net.l2("emeth_getTransactionReceipt", h) or {}).get("status") == "pending", "the queued CancelJob",
                   timeout=60)
        # Nonce n fills the gap: a Process that succeeds.
        net.job_json("process", other, "--wait", key=net.node_b)
        out, err = late.communicate(timeout=120)
    finally:
        late.kill()
    assert late.returncode == 1, out + err
    report = json.loads(out)
    reason = f"job {mine} belongs to {address(net.requester)}, not to you ({address(net.node_b)}); only its owner can cancel it"
    assert report["hash"] == h and report["nonce"] == n + 1 and report["success"] is False
    assert report["failure"] == {"code": 4, "name": "NOT_OWNER", "reason": reason}
    block = int(report["receipt"]["blockNumber"], 16)
    assert err == f"Error: CancelJob failed in block {block} with NOT_OWNER (4): {reason}\n"
    assert net.l2("emeth_getTransactionReceipt", h)["failure"] == 4
    # The failed cancel changed nothing but B's nonce; the job is still REQUESTED.
    assert net.show(mine)["statusName"] == "REQUESTED"
    assert net.account(net.node_b) == {**before, "nonce": n + 2, "balance": before["balance"] - fees(100_003)["deposit"]}


def test_list_filters_and_pages(net):
    requester, a, b = address(net.requester), address(net.node_a), address(net.node_b)
    listed = net.job_json("list", "--owner", requester)
    ids = [j["jobId"] for j in listed["jobs"]]
    assert listed["cursor"] is None and ids == sorted(ids)
    assert set(ids) == {job_id(n) for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 14, 15, 0x71, 0x72)}
    assert listed == {"jobs": net.l2("emeth_listJobs", {"owner": requester, "limit": 1000})["jobs"], "cursor": None}
    assert [j["jobId"] for j in net.job_json("list", "--node", b, "--status", "FAILED")["jobs"]] == [job_id(4)]
    assert [j["jobId"] for j in net.job_json("list", "--status", "completed")["jobs"]] == [job_id(7)]
    assert [j["jobId"] for j in net.job_json("list", "--owner", requester, "--status", "5")["jobs"]] == [job_id(5)]
    assert [j["jobId"] for j in net.job_json("list", "--node", a, "--status", "VERIFIED")["jobs"]] == [job_id(1), job_id(2), job_id(0x71)]
    # Pages: two at a time, resumed with the cursor, give the same jobs in the same order.
    paged, cursor = [], None
    while True:
        page = net.job_json("list", "--owner", requester, "--limit", "2", *(["--cursor", cursor] if cursor else []))
        assert len(page["jobs"]) <= 2
        paged += [j["jobId"] for j in page["jobs"]]
        cursor = page["cursor"]
        if cursor is None:
            break
    assert paged == ids
    rows = net.job("list", "--node", b, "--status", "FAILED").stdout.splitlines()
    assert rows == [f"{job_id(4)}  FAILED      owner {requester}  node {b}  fuel 1234567 × 0.000000003 EMT  "
                    f"deadline {int(net.show(job_id(4))['deadline'], 16)}"], rows
