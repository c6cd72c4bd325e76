"""Replay from a snapshot against a full replay, on a history committed to a real L1 (the
py-evm devnet): `make bench-snapshot-l1` (docs/PERFORMANCE.md, "Replay from a snapshot").

    scripts/snapshot_l1_bench.py [--txs N] [--tail M] [--dir DIR]

1. A localnet of its own (scripts/localnet: devnet, contracts, `emeth sequencer run` with the
   inbox watcher and the batch poster), its challenge period long enough that L1 time moves
   only when told.
2. The history: `emeth bench load --fund --txs N` through the sequencer's API, then wait until
   the poster has committed every block to the rollup contract. Every batch is then made final
   (`evm_increaseTime` past the challenge period): that is the finality the snapshot needs.
3. M more transactions (the part a resumed auditor replays), committed and left not final.
4. Timed, each its own process reading only L1: `emeth audit replay --l1` from genesis;
   `emeth audit snapshot` at the newest final batch; `emeth audit replay --from-snapshot`.
   Both replays must end at the same head block, hash and state root.

Prints one line per step and a summary as JSON (--json FILE writes it too). The machine's
load average is printed with every figure: compare runs only in the same conditions.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "Contracts" / "artifacts"
CHALLENGE_PERIOD = 3600


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg} (load {load()})", flush=True)


def wait_until(check, what: str, timeout: float, every: float = 1.0):
    end = time.monotonic() + timeout
    while True:
        v = check()
        if v:
            return v
        if time.monotonic() > end:
            raise SystemExit(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


class Net:
    def __init__(self, directory: Path, emeth: str):
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("EMETH_", "LOCALNET_"))}
        self.env.update({
            "EMETH_BIN": emeth, "LOCALNET_DIR": str(directory),
            "LOCALNET_L1_PORT": str(free_port()), "LOCALNET_L2_PORT": str(free_port()),
            "LOCALNET_CHALLENGE_PERIOD": str(CHALLENGE_PERIOD), "LOCALNET_SEND_RATE": "1000000",
            "LOCALNET_MAX_BACKLOG": "0", "LOCALNET_BLOCK_TIME_MS": "250", "LOCALNET_POSTER_MAX_BLOCKS": "2",
        })
        self.emeth_bin = emeth

    def localnet(self, *args: str) -> None:
        r = subprocess.run(["bash", str(ROOT / "scripts" / "localnet"), *args], env=self.env, capture_output=True,
                           text=True, timeout=900)
        if r.returncode != 0:
            raise SystemExit(f"scripts/localnet {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}")

    def up(self) -> None:
        from web3 import Web3
        self.localnet("up")
        v = dict(line.split("=", 1) for line in (Path(self.env["LOCALNET_DIR"]) / "env").read_text().splitlines()
                 if line and not line.startswith("#"))
        self.v = v
        self.w3 = Web3(Web3.HTTPProvider(v["L1_RPC_URL"], request_kwargs={"timeout": 120}))
        abi = json.loads((ARTIFACTS / "EmethRollup.json").read_text())["abi"]
        self.rollup = self.w3.eth.contract(address=v["ROLLUP_ADDRESS"], abi=abi)
        self.genesis = str(Path(self.env["LOCALNET_DIR"]) / "sequencer" / "genesis.json")
        self.l1 = ["--l1", v["L1_RPC_URL"], "--deployment", v["DEPLOYMENT_FILE"], "--genesis", self.genesis]

    def emeth(self, *args: str, extra_env: dict | None = None) -> subprocess.CompletedProcess:
        r = subprocess.run([self.emeth_bin, *args], env={**self.env, **(extra_env or {})}, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"emeth {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
        return r

    def l2_head(self) -> int:
        from urllib.request import Request, urlopen
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "emeth_blockNumber", "params": []}).encode()
        with urlopen(Request(self.v["L2_RPC_URL"], body, {"Content-Type": "application/json"}), timeout=30) as r:
            return int(json.loads(r.read())["result"], 16)

    def committed_head(self) -> int:
        """The last L2 block the newest live batch on L1 covers (0 before any batch)."""
        n = self.rollup.functions.batchCount().call()
        if n == 0:
            return 0
        logs = self.rollup.events.BatchCommitted().get_logs(from_block=max(0, self.w3.eth.block_number - 50))
        last = [e.args for e in logs if e.args.batchIndex == n - 1]
        return last[0].lastBlock if last else 0

    def all_committed(self) -> int:
        """Waits until L1 holds every sealed L2 block (the head no longer moves); returns the batch count."""
        def done():
            h = self.l2_head()
            return h > 0 and self.committed_head() == h == self.l2_head()
        wait_until(done, "the poster to commit every block to L1", timeout=7200, every=2)
        return self.rollup.functions.batchCount().call()

    def finalize(self) -> int:
        self.w3.provider.make_request("evm_increaseTime", [CHALLENGE_PERIOD + 1])
        self.w3.provider.make_request("evm_mine", [])
        ok, last = self.rollup.functions.lastFinalBatch().call()
        assert ok, "no final batch after the challenge period"
        return last

    def load(self, txs: int, seed: int, fund: bool) -> dict:
        keys = {"EMETH_PRIVATE_KEY": self.v["USER_KEYS"].split(",")[0], "EMETH_VERIFIER_PRIVATE_KEY": self.v["VERIFIER_KEY"]}
        args = ["bench", "load", "--rpc", self.v["L2_RPC_URL"], "--txs", str(txs), "--seed", str(seed), "--json"]
        if fund:
            args += ["--fund", "--fund-amount", "1000emt", "--l1", self.v["L1_RPC_URL"], "--deployment", self.v["DEPLOYMENT_FILE"]]
        return json.loads(self.emeth(*args, extra_env=keys).stdout.strip().splitlines()[-1])


def timed(net: Net, what: str, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    start_load = load()
    t0 = time.monotonic()
    r = net.emeth(*args)
    s = time.monotonic() - t0
    say(f"{what}: {s:.1f} s (load at start {start_load})")
    return s, r


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--txs", type=int, default=1_000_000, help="L2 transactions in the history before the snapshot")
    p.add_argument("--tail", type=int, default=None, help="transactions after it (default: 1%% of --txs, at least 1,000)")
    p.add_argument("--dir", default=None, help="state directory (default: a fresh one under the system temporary directory)")
    p.add_argument("--json", default=None, help="also write the summary here")
    p.add_argument("--keep", action="store_true", help="leave the localnet running at the end")
    a = p.parse_args()
    tail = a.tail if a.tail is not None else max(1_000, a.txs // 100)
    emeth = os.environ.get("EMETH_BIN") or str(ROOT / ".build" / "release" / "emeth")
    if not os.access(emeth, os.X_OK):
        raise SystemExit(f"{emeth} is missing: swift build -c release --product emeth (or set EMETH_BIN)")
    import tempfile
    directory = Path(a.dir or tempfile.mkdtemp(prefix="emeth-snapshot-l1-")).resolve()
    net = Net(directory / "ln", str(Path(emeth).resolve()))
    say(f"localnet in {directory}")
    net.up()
    try:
        t0 = time.monotonic()
        sent = net.load(a.txs, seed=1, fund=True)
        say(f"history: {a.txs} transactions sent through the API in {time.monotonic() - t0:.0f} s "
            f"({sent['txPerSecond']} tx/s as the load generator measured)")
        batches = net.all_committed()
        say(f"history committed: L2 head {net.l2_head()}, {batches} batches on L1, {time.monotonic() - t0:.0f} s after the first send")
        final = net.finalize()
        say(f"batches 0…{final} final on L1 (evm_increaseTime {CHALLENGE_PERIOD + 1} s)")
        net.load(tail, seed=1, fund=False)
        total_batches = net.all_committed()
        head = net.l2_head()
        say(f"tail: {tail} more transactions, L2 head {head}, {total_batches} batches, batches after {final} not final")

        full_s, _ = timed(net, "full replay from genesis (audit replay --l1)", "audit", "replay", *net.l1,
                          "--json", str(directory / "full.json"))
        snap = directory / "state.snap"
        snap_s, r = timed(net, f"snapshot at batch {final} (audit snapshot)", "audit", "snapshot", *net.l1, "--out", str(snap))
        say(r.stdout.strip().splitlines()[-1])
        resumed_s, _ = timed(net, "replay from the snapshot (audit replay --from-snapshot)", "audit", "replay", *net.l1,
                             "--from-snapshot", str(snap), "--json", str(directory / "resumed.json"))
        full, resumed = (json.loads((directory / f).read_text()) for f in ("full.json", "resumed.json"))
        assert full["ok"] and resumed["ok"], (full, resumed)
        for field in ("headBlock", "headHash", "stateRoot", "totalCredit", "totalBurned", "totalDeposited"):
            assert full[field] == resumed[field], (field, full[field], resumed[field])
        summary = {
            "historyTxs": full["transactions"], "blocks": full["blocks"], "batches": total_batches, "finalBatch": final,
            "resumedTxs": resumed["transactions"], "resumedBatches": resumed["batches"],
            "snapshotBytes": snap.stat().st_size, "fullReplaySeconds": round(full_s, 2),
            "snapshotSeconds": round(snap_s, 2), "fromSnapshotSeconds": round(resumed_s, 2),
            "speedup": round(full_s / resumed_s, 1), "headBlock": full["headBlock"], "stateRoot": full["stateRoot"],
            "loadAverage": load(),
        }
        print(json.dumps(summary))
        if a.json:
            Path(a.json).write_text(json.dumps(summary, indent=2) + "\n")
    finally:
        if not a.keep:
            net.localnet("down")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "scripts"))
    main()
