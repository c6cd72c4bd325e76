"""`make bench-snapshot-l1` at a small size (scripts/snapshot_l1_bench.py): the history goes
through a localnet's own sequencer, poster and devnet L1, the replay from a snapshot at the
newest final batch replays exactly the transactions after it and ends where the full replay
from genesis ends, and the summary says so.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

from support import localnet_env

ROOT = Path(__file__).resolve().parents[2]


def test_the_bench_replays_only_what_follows_the_snapshot(tmp_path):
    env = localnet_env(tmp_path)   # the debug emeth unless EMETH_BIN says otherwise
    out = tmp_path / "summary.json"
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "snapshot_l1_bench.py"), "--txs", "2000", "--tail", "1000",
                        "--dir", str(tmp_path / "bench"), "--json", str(out)],
                       env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    s = json.loads(out.read_text())
    full, resumed = (json.loads((tmp_path / "bench" / f).read_text()) for f in ("full.json", "resumed.json"))
    # The full replay: every transaction of the history and the tail, every batch on L1.
    assert full["ok"] and full["firstBatch"] == 0 and full["lastBatch"] == s["batches"] - 1
    assert s["historyTxs"] == full["transactions"] == 3000
    # From the snapshot: only the tail's batches and transactions, the same end.
    assert resumed["ok"] and resumed["firstBatch"] == s["finalBatch"] + 1 and resumed["lastBatch"] == full["lastBatch"]
    assert s["resumedTxs"] == resumed["transactions"] == 1000
    assert s["resumedBatches"] == resumed["batches"] == s["batches"] - 1 - s["finalBatch"] > 0
    for field in ("headBlock", "headHash", "stateRoot", "totalCredit", "totalBurned"):
        assert resumed[field] == full[field], field
    assert s["headBlock"] == full["headBlock"] and s["stateRoot"] == full["stateRoot"]
    snapshot_line = next(line for line in r.stdout.splitlines() if "snapshot " in line and " records, " in line)
    assert f"batch {s['finalBatch']}, " in snapshot_line and f"{s['snapshotBytes']} bytes" in snapshot_line
    assert not any(p for p in os.listdir(tmp_path / "bench" / "ln") if p.endswith(".pid")), "the localnet was stopped"
