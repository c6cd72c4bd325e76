"""`emeth audit snapshot` and `emeth audit replay --from-snapshot` against a localnet of their
own (the py-evm devnet as L1): a snapshot at the newest final batch, read back here from its
bytes (docs/SNAPSHOT.md) and compared with the BatchCommitted log; a replay from it ends
exactly where a full replay from genesis ends; a snapshot whose records were changed (checksum
recomputed), a corrupted file and a batch that is not final yet are refused, naming why.
"""
import json
import os
import subprocess
from pathlib import Path

import pytest
from eth_utils import keccak
from web3 import Web3

from emeth_sdk import EMT, Client, Wallet, Withdraw
from emeth_sdk.l1 import Rollup
from support import localnet, localnet_env, wait_until

ARTIFACTS = Path(__file__).resolve().parents[2] / "Contracts" / "artifacts"
FIXED = 567  # bytes before the record section (docs/SNAPSHOT.md)


class Env:
    def __init__(self, env, v):
        self.env, self.v = env, v
        self.emeth_bin = env["EMETH_BIN"]
        self.w3 = Web3(Web3.HTTPProvider(v["L1_RPC_URL"], request_kwargs={"timeout": 60}))
        self.rollup = self.w3.eth.contract(address=v["ROLLUP_ADDRESS"],
                                           abi=json.loads((ARTIFACTS / "EmethRollup.json").read_text())["abi"])
        self.client = Client(v["L2_RPC_URL"])
        self.genesis = str(Path(env["LOCALNET_DIR"]) / "sequencer" / "genesis.json")
        self.l1 = ["--l1", v["L1_RPC_URL"], "--deployment", v["DEPLOYMENT_FILE"], "--genesis", self.genesis]

    def emeth(self, *args, code=0):
        clean = {k: val for k, val in os.environ.items() if not k.startswith(("EMETH_", "LOCALNET_"))}
        r = subprocess.run([self.emeth_bin, *args], capture_output=True, text=True, env=clean, timeout=600)
        assert r.returncode == code, f"emeth {' '.join(args)} exited {r.returncode}, not {code}:\n{r.stdout}\n{r.stderr}"
        return r

    def committed(self):
        """Every live BatchCommitted log's fields, by batch index."""
        logs = self.rollup.events.BatchCommitted().get_logs(from_block=0)
        return {e.args.batchIndex: e.args for e in logs}


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    """Two users' deposits and withdrawals, all final on L1; then one more withdrawal, committed
    but not final (the challenge period is 600 s and L1 time moves only when told)."""
    env = localnet_env(tmp_path_factory.mktemp("snapshot"), LOCALNET_CHALLENGE_PERIOD="600")
    try:
        v = localnet(env, "up")
        n = Env(env, v)
        users = [Wallet(k, n.client) for k in v["USER_KEYS"].split(",")[:2]]
        rollup = Rollup.from_deployment(n.w3, v["DEPLOYMENT_FILE"])
        for k, u in enumerate(users):
            rollup.deposit(u.account, (10 + k) * EMT)
            wait_until(lambda u=u, k=k: n.client.get_account(u.address).balance == (10 + k) * EMT, "the deposit credited on L2")
        for u in users:
            n.client.wait_for_receipt(u.send(Withdraw(amount=EMT)), until="committed", timeout=180)
        n.client.wait_for_receipt(users[0].send(Withdraw(amount=2 * EMT)), until="committed", timeout=180)
        n.w3.provider.make_request("evm_increaseTime", [601])
        n.w3.provider.make_request("evm_mine", [])
        n.final = wait_until(lambda: (f := n.rollup.functions.lastFinalBatch().call())[0] and f, "a final batch", timeout=120)[1]
        n.client.wait_for_receipt(users[1].send(Withdraw(amount=3 * EMT)), until="committed", timeout=180)
        n.last = n.rollup.functions.batchCount().call() - 1
        assert n.last > n.final and not n.rollup.functions.isFinal(n.last).call()
        yield n
    finally:
        localnet(env, "down")


def parse(raw: bytes) -> dict:
    """An uncompressed snapshot, read by this independent reader (docs/SNAPSHOT.md)."""
    assert raw[:8] == b"EMETHSNP" and raw[8:10] == (1).to_bytes(2, "big") and raw[10] == 0
    assert keccak(raw[:-32]) == raw[-32:], "checksum"
    header = raw[103:359]
    count, length = int.from_bytes(raw[551:559], "big"), int.from_bytes(raw[559:567], "big")
    assert len(raw) == FIXED + length + 32
    records, i, section = [], 0, raw[FIXED:FIXED + length]
    while i < len(section):
        key, n = section[i:i + 32], int.from_bytes(section[i + 32:i + 36], "big")
        records.append((key, section[i + 36:i + 36 + n]))
        i += 36 + n
    assert len(records) == count and [k for k, _ in records] == sorted(k for k, _ in records)
    return {"chainId": int.from_bytes(raw[11:43], "big"), "rollup": Web3.to_checksum_address(raw[43:63]),
            "batch": int.from_bytes(raw[95:103], "big"), "blockHash": keccak(header),
            "number": int.from_bytes(header[0:32], "big"), "stateRoot": header[128:160],
            "inboxCursor": int.from_bytes(header[192:224], "big"),
            "totalCredit": int.from_bytes(raw[391:423], "big"), "totalBurned": int.from_bytes(raw[423:455], "big"),
            "records": records}


def test_a_snapshot_is_the_state_l1_committed_at_the_newest_final_batch(net, tmp_path):
    out = tmp_path / "raw.snap"
    r = net.emeth("audit", "snapshot", *net.l1, "--uncompressed", "--out", str(out))
    s = parse(out.read_bytes())
    c = net.committed()[net.final]
    assert s["batch"] == net.final and s["number"] == c.lastBlock
    assert s["blockHash"] == c.lastBlockHash and s["stateRoot"] == c.stateRoot and s["inboxCursor"] == c.inboxCursor
    assert (s["totalCredit"], s["totalBurned"]) == (c.totalCredit, c.totalBurned)
    genesis = json.loads(Path(net.genesis).read_text())
    assert s["chainId"] == int(genesis["chainId"]) and s["rollup"] == Web3.to_checksum_address(genesis["rollup"])
    # Two users' accounts at least (the accounts and jobs the chain holds), each a 96-byte account or a 672-byte job.
    assert len(s["records"]) >= 2 and all(len(v) in (96, 672) for _, v in s["records"])
    assert f"snapshot {out}: batch {net.final}, block {c.lastBlock}, state root 0x{c.stateRoot.hex()}, " \
           f"{len(s['records'])} records, {out.stat().st_size} bytes" in r.stdout, r.stdout


def test_a_replay_from_the_snapshot_ends_where_a_full_replay_ends(net, tmp_path):
    snap = tmp_path / "state.snap"
    net.emeth("audit", "snapshot", *net.l1, "--out", str(snap))
    net.emeth("audit", "replay", *net.l1, "--json", str(tmp_path / "full.json"))
    r = net.emeth("audit", "replay", *net.l1, "--from-snapshot", str(snap), "--json", str(tmp_path / "resumed.json"))
    assert f"snapshot at batch {net.final}" in r.stderr, r.stderr
    full, resumed = (json.loads((tmp_path / f).read_text()) for f in ("full.json", "resumed.json"))
    assert full["ok"] and resumed["ok"], (full, resumed)
    assert full["firstBatch"] == 0 and resumed["firstBatch"] == net.final + 1
    assert full["lastBatch"] == resumed["lastBatch"] >= net.last
    c = net.committed()[full["lastBatch"]]
    for field in ("headBlock", "headHash", "stateRoot", "totalCredit", "totalBurned", "totalDeposited"):
        assert resumed[field] == full[field], field
    assert full["stateRoot"] == "0x" + c.stateRoot.hex() and full["headBlock"] == c.lastBlock
    assert resumed["blocks"] < full["blocks"]


def test_a_snapshot_whose_records_were_changed_is_refused(net, tmp_path):
    raw = tmp_path / "raw.snap"
    net.emeth("audit", "snapshot", *net.l1, "--uncompressed", "--out", str(raw))
    b = bytearray(raw.read_bytes())
    first_value = FIXED + 36                   # the first record's value (an account's balance, or a job's id padding)
    b[first_value + 31] ^= 1
    b[-32:] = keccak(bytes(b[:-32]))           # a well-formed file: only the state is wrong
    tampered = tmp_path / "tampered.snap"
    tampered.write_bytes(bytes(b))
    r = net.emeth("audit", "replay", *net.l1, "--from-snapshot", str(tampered), code=2)
    root = net.committed()[net.final].stateRoot.hex()
    assert "refused: the snapshot's records hash to state root 0x" in r.stderr, r.stderr
    assert f", but batch {net.final} committed 0x{root} on L1" in r.stderr, r.stderr
    assert "OK:" not in r.stdout

    b[first_value + 31] ^= 1                   # back to the real state, but the checksum no longer fits
    corrupt = tmp_path / "corrupt.snap"
    corrupt.write_bytes(bytes(b))
    r = net.emeth("audit", "replay", *net.l1, "--from-snapshot", str(corrupt), code=2)
    assert f"refused: {corrupt}: the snapshot is corrupt: its checksum says 0x{bytes(b[-32:]).hex()}" in r.stderr, r.stderr

    truncated = tmp_path / "truncated.snap"
    truncated.write_bytes(raw.read_bytes()[:-1])
    r = net.emeth("audit", "replay", *net.l1, "--from-snapshot", str(truncated), code=2)
    size = raw.stat().st_size
    assert f"the snapshot is truncated: {size - 1} bytes, at least {size} needed" in r.stderr, r.stderr


def test_a_batch_that_is_not_final_is_refused(net, tmp_path):
    out = tmp_path / "late.snap"
    r = net.emeth("audit", "snapshot", *net.l1, "--batch", str(net.last), "--out", str(out), code=2)
    assert f"refused: batch {net.last} is not final on L1 (its challenge period has not passed)" in r.stderr, r.stderr
    assert not out.exists()
