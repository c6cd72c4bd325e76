"""Sequencer failover on etcd (`sequencer run --ha`), against a real three-member etcd cluster
(scripts/etcd-cluster) and two sequencer nodes sharing one Signer key:

- only the elected node seals; the other is a standby: a follower of the etcd block log that
  verifies and serves every block, byte for byte the leader's;
- the leader killed with SIGKILL, the standby is elected, applies every block the log holds
  beyond its store, and seals on: every block number any node served has the same hash on
  every node (no fork), and no block a leader served is missing afterwards;
- the killed node restarted rejoins as a standby and takes over after the next kill;
- `emeth sequencer transfer-leadership` moves leadership to the standby;
- a leader cut off from etcd (every member frozen with SIGSTOP) stops: it exits with code 75
  (for its supervisor to restart it as a standby) naming the lost leadership.

The nodes seal heartbeat blocks (empty, signed, one every 100 ms), which is enough to see
every block's path through etcd; each wait has its own limit and fails naming what it waited for."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from support import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
EMETH = os.environ.get("EMETH_BIN") or str(ROOT / ".build" / "debug" / "emeth")
ETCD_CLUSTER = ROOT / "scripts" / "etcd-cluster"
SIGNER_KEY = "0x" + "51" * 32

pytestmark = [
    pytest.mark.skipif(shutil.which("etcd") is None, reason="etcd is not installed (Debian package etcd-server): run `bash scripts/setup`"),
    pytest.mark.skipif(not os.access(EMETH, os.X_OK), reason=f"{EMETH} is missing: build it (swift build --product emeth)"),
]


def rpc(url: str, method: str, *params):
    reply = requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, timeout=10).json()
    assert "error" not in reply, f"{method}{list(params)} at {url}: {reply['error']}"
    return reply["result"]


def head(url: str) -> int:
    return int(rpc(url, "emeth_blockNumber"), 16)


def answers_head(url: str) -> int:
    """The node's head, or -1 while it does not answer (starting, or between roles)."""
    try:
        return head(url)
    except (requests.RequestException, ValueError):
        return -1


def hashes(url: str, upto: int) -> dict[int, str]:
    return {n: rpc(url, "emeth_getBlockByNumber", hex(n), False)["hash"] for n in range(1, upto + 1)}


def etcd(*args):
    r = subprocess.run([sys.executable, str(ETCD_CLUSTER), *map(str, args)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"etcd-cluster {' '.join(map(str, args))}:\n{r.stdout}\n{r.stderr}"
    return r.stdout


class Node:
    """One `emeth sequencer run --ha` process; its stdout/stderr collected by threads."""

    def __init__(self, d: Path, name: str, endpoints: str):
        self.d, self.name, self.endpoints = d, name, endpoints
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("EMETH_")}
        env["EMETH_SIGNER_PRIVATE_KEY"] = SIGNER_KEY
        self.out, self.err = [], []
        self.proc = subprocess.Popen([EMETH, "sequencer", "run", "--config", str(self.d / "emeth.toml"), "--data", str(self.d / self.name),
                                      "--listen", f"127.0.0.1:{self.port}", "--heartbeat-ms", "100", "--block-time-ms", "50",
                                      "--ha", "--etcd", self.endpoints, "--node-id", self.name, "--lease-ttl-ms", "2000"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for stream, into in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=lambda s=stream, i=into: [i.append(line) for line in s], daemon=True).start()

    @property
    def serving(self) -> bool:
        return any(line.startswith("emeth sequencer listening on") for line in self.out)

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=60)

    def log(self) -> str:
        return "".join(self.err)[-4000:]


@pytest.fixture
def cluster(tmp_path: Path):
    etcd("up", tmp_path / "etcd", "--members", "3")
    endpoints = dict(line.split("=", 1) for line in (tmp_path / "etcd" / "env").read_text().splitlines() if "=" in line)["ETCD_ENDPOINTS"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMETH_")}
    r = subprocess.run([EMETH, "sequencer", "init", "--dir", str(tmp_path), "--timestamp", "1700000000"], capture_output=True, text=True,
                       env=dict(env, EMETH_SIGNER_PRIVATE_KEY=SIGNER_KEY), timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    nodes = [Node(tmp_path, "a", endpoints), Node(tmp_path, "b", endpoints)]
    try:
        yield tmp_path, nodes
    finally:
        for n in nodes:
            n.kill()
        subprocess.run([sys.executable, str(ETCD_CLUSTER), "down", tmp_path / "etcd"], capture_output=True, timeout=120)


def test_kill_the_leader_the_standby_takes_over_without_a_fork(cluster):
    d, (a, b) = cluster
    a.start()
    wait_until(lambda: a.serving, f"node a elected and serving ({a.log()})", timeout=60)
    b.start()
    wait_until(lambda: head(a.url) >= 5, "node a sealing 5 blocks", timeout=60)
    assert b.proc.poll() is None and not b.serving, f"node b must wait as a standby while a leads: {b.out} {b.log()}"
    # The standby follows the etcd block log and serves what it verified, block for block.
    wait_until(lambda: answers_head(b.url) >= 5, f"standby b following the block log ({b.log()})", timeout=60)
    top = head(b.url)
    assert hashes(b.url, top) == hashes(a.url, top)
    hb = requests.get(b.url + "/health", timeout=10)
    assert hb.status_code == 200
    assert {k: hb.json()[k] for k in ("role", "nodeId", "etcd", "leadershipChanges")} == \
        {"role": "standby", "nodeId": "b", "etcd": "ok", "leadershipChanges": 0}, hb.json()
    ha = requests.get(a.url + "/health", timeout=10).json()
    assert {k: ha[k] for k in ("status", "role", "nodeId", "etcd", "leadershipChanges")} == \
        {"status": "ok", "role": "leader", "nodeId": "a", "etcd": "ok", "leadershipChanges": 1}, ha

    seen: dict[int, str] = {}
    leader, standby = a, b
    for cycle in range(3):
        served = hashes(leader.url, head(leader.url))
        for n, h in served.items():
            assert seen.setdefault(n, h) == h, f"cycle {cycle}: block {n} is {h} on {leader.name}, {seen[n]} before"
        leader.kill()
        wait_until(lambda: standby.serving, f"cycle {cycle}: node {standby.name} elected after {leader.name} was killed ({standby.log()})",
                   timeout=60)
        top = max(seen)
        wait_until(lambda: head(standby.url) > top + 3, f"cycle {cycle}: node {standby.name} sealing past block {top}", timeout=60)
        hs = requests.get(standby.url + "/health", timeout=10).json()
        assert (hs["role"], hs["nodeId"], hs["leadershipChanges"]) == ("leader", standby.name, 1), hs
        now = hashes(standby.url, head(standby.url))
        for n, h in seen.items():
            assert now[n] == h, f"cycle {cycle}: block {n} forked: {h} on {leader.name}, {now[n]} on {standby.name}"
        seen.update(now)
        leader.start()  # rejoins as the standby
        top = head(standby.url)
        wait_until(lambda: answers_head(leader.url) >= top, f"node {leader.name} back as a standby, following the log", timeout=60)
        assert not leader.serving and "standby: following the block log" in "".join(leader.err), leader.log()
        leader, standby = standby, leader

    # Maintenance: `sequencer transfer-leadership` moves leadership to the caught-up standby;
    # the old leader stops (and exits), and no block forks.
    r = subprocess.run([EMETH, "sequencer", "transfer-leadership", "--etcd", leader.endpoints, "--genesis", str(d / "genesis.json")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip() == (f"leadership moved from {leader.name} at http://127.0.0.1:{leader.port} "
                                f"to {standby.name} at http://127.0.0.1:{standby.port}"), r.stdout
    wait_until(lambda: leader.proc.poll() is not None, f"old leader {leader.name} to stop", timeout=30)
    assert leader.proc.returncode == 75, f"a deposed leader exits with 75 (EX_TEMPFAIL) for its supervisor: {leader.log()}"
    assert "leadership lost" in "".join(leader.err), leader.log()
    wait_until(lambda: standby.serving, f"node {standby.name} leading after the transfer ({standby.log()})", timeout=60)
    top = max(seen)
    wait_until(lambda: head(standby.url) > top, f"node {standby.name} sealing past block {top}", timeout=60)
    now = hashes(standby.url, top)
    assert all(now[n] == h for n, h in seen.items()), "a block forked across the transfer"


def test_a_leader_cut_off_from_etcd_stops(cluster):
    d, (a, _) = cluster
    a.start()
    wait_until(lambda: a.serving, f"node a elected and serving ({a.log()})", timeout=60)
    wait_until(lambda: head(a.url) >= 3, "node a sealing", timeout=60)
    for member in range(3):
        etcd("kill", d / "etcd", member, "--signal", "STOP")
    # One lease TTL (2 s) plus a generous margin; no timing is asserted beyond the limit. The
    # fixture's teardown kills the frozen members.
    wait_until(lambda: a.proc.poll() is not None, "the cut-off leader to stop", timeout=30)
    assert a.proc.returncode == 75, a.log()
    assert "leadership lost" in "".join(a.err), a.log()
