"""scripts/etcd-cluster as an operator uses it: fixed ports, status, stopping and restarting a
member, and its refusals. (The Swift ClusterTests drive it on free ports for every test.)"""
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from support import wait_until

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "etcd-cluster"

pytestmark = pytest.mark.skipif(shutil.which("etcd") is None,
                                reason="etcd is not installed (Debian package etcd-server): run `bash scripts/setup`")


def run(*args, env=None):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=120, env=env)


def free_base(count: int) -> int:
    """A base port with `count` free consecutive ports after it."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + count >= 65535:
            continue
        try:
            held = []
            for p in range(base, base + count):
                s = socket.socket()
                held.append(s)
                s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
    pytest.fail("no run of free ports found")


def put_get(url: str, key: bytes, value: bytes) -> bytes:
    b64 = lambda b: base64.b64encode(b).decode()
    body = json.dumps({"key": b64(key), "value": b64(value)}).encode()
    urllib.request.urlopen(urllib.request.Request(url + "/v3/kv/put", body), timeout=10).read()
    reply = json.load(urllib.request.urlopen(urllib.request.Request(url + "/v3/kv/range", json.dumps({"key": b64(key)}).encode()), timeout=10))
    return base64.b64decode(reply["kvs"][0]["value"])


@pytest.fixture
def cluster_dir(tmp_path: Path):
    directory = tmp_path / "etcd"
    yield directory
    run("down", directory)


def test_fixed_ports_status_kill_and_restart(cluster_dir: Path):
    base = free_base(6)
    up = run("up", cluster_dir, "--members", 3, "--base-port", base)
    assert up.returncode == 0, up.stderr
    urls = [f"http://127.0.0.1:{base + 2 * i}" for i in range(3)]
    assert up.stdout.splitlines() == [f"ETCD_ENDPOINTS={','.join(urls)}"] + [f"ETCD_MEMBER_{i}={u}" for i, u in enumerate(urls)]
    assert (cluster_dir / "env").read_text() == up.stdout

    status = run("status", cluster_dir)
    assert status.returncode == 0
    assert [line.split()[0:2] + line.split()[4:] for line in status.stdout.splitlines()] == [
        ["m0", urls[0], "healthy"], ["m1", urls[1], "healthy"], ["m2", urls[2], "healthy"]]

    # A write through one member is read through another: one cluster, not three.
    assert put_get(urls[0], b"/k", b"v") == b"v"
    assert run("kill", cluster_dir, "m1").returncode == 0
    # The survivors may need a moment to elect a new raft leader (if m1 was it).
    states = lambda: [line.split()[-1] for line in run("status", cluster_dir).stdout.splitlines()]
    wait_until(lambda: states() == ["healthy", "stopped", "healthy"], "m1 stopped and the others healthy", timeout=60)
    assert run("status", cluster_dir).returncode == 1
    assert put_get(urls[2], b"/k", b"w") == b"w"  # two of three still serve

    assert run("start", cluster_dir, "1").returncode == 0
    assert run("status", cluster_dir).returncode == 0
    reply = json.load(urllib.request.urlopen(urllib.request.Request(urls[1] + "/v3/kv/range", json.dumps({"key": base64.b64encode(b"/k").decode()}).encode()), timeout=10))
    assert base64.b64decode(reply["kvs"][0]["value"]) == b"w"  # the restarted member caught up

    # `up` on a running cluster is a no-op that prints the same env.
    again = run("up", cluster_dir)
    assert again.returncode == 0 and again.stdout == up.stdout

    assert run("down", cluster_dir).returncode == 0
    assert [line.split()[-1] for line in run("status", cluster_dir).stdout.splitlines()] == ["stopped"] * 3


def test_refusals_name_the_problem(tmp_path: Path, cluster_dir: Path):
    missing = run("status", tmp_path / "nothing")
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"etcd-cluster: no cluster in {tmp_path / 'nothing'} (no cluster.json): run `up` first"

    assert run("up", cluster_dir, "--members", 1).returncode == 0
    wrong = run("kill", cluster_dir, "m3")
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == "etcd-cluster: no member 'm3': members are ['m0'] (or their index)"

    no_etcd = run("up", tmp_path / "other", env={**os.environ, "PATH": "/nonexistent"})
    assert no_etcd.returncode == 1
    assert no_etcd.stderr.strip() == "etcd-cluster: etcd is not installed: run `bash scripts/setup` (Debian package etcd-server)"
    assert not (tmp_path / "other").exists()
