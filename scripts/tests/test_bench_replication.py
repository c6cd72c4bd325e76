"""`emeth bench --only replication --etcd URLS`: sealing with and without HA's fenced etcd
append, against a real etcd (scripts/etcd-cluster, one member). It prints its row and the cost
per block, and leaves nothing in etcd; without --etcd it says what it needs."""
from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import requests

from test_failover import EMETH, ETCD_CLUSTER, etcd, pytestmark  # noqa: F401 (pytestmark: same skips)


def env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("EMETH_")}


def test_the_replication_benchmark_runs_against_etcd_and_cleans_up(tmp_path: Path):
    etcd("up", tmp_path / "etcd", "--members", "1")
    try:
        url = dict(line.split("=", 1) for line in (tmp_path / "etcd" / "env").read_text().splitlines() if "=" in line)["ETCD_ENDPOINTS"]
        r = subprocess.run([EMETH, "bench", "--only", "replication", "--quick", "--etcd", url], capture_output=True, text=True,
                           env=env(), timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
        assert re.search(r"^seal \+ fenced etcd append +\d+ blk/s +\d+ blk/s +[\d.]+$", r.stdout, re.M), r.stdout
        assert re.search(r"^fenced etcd append: -?[\d.]+ ms per block \([\d.]+ ms sealed alone, [\d.]+ ms with the append; "
                         r"medians of 1 rounds of 10 blocks\)$", r.stdout, re.M), r.stdout
        # Its keys (a chain of its own under /emeth/) are gone.
        prefix = b"/emeth/"
        left = requests.post(url + "/v3/kv/range", timeout=10, json={
            "key": base64.b64encode(prefix).decode(), "range_end": base64.b64encode(b"/emeth0").decode(), "count_only": True}).json()
        assert int(left.get("count", 0)) == 0, left
    finally:
        subprocess.run([sys.executable, str(ETCD_CLUSTER), "down", tmp_path / "etcd"], capture_output=True, timeout=120)


def test_the_replication_benchmark_needs_etcd():
    r = subprocess.run([EMETH, "bench", "--only", "replication", "--quick"], capture_output=True, text=True, env=env(), timeout=60)
    assert r.returncode == 1
    assert "the replication benchmark needs --etcd URLS (scripts/etcd-cluster up DIR prints them)" in r.stderr, r.stderr
