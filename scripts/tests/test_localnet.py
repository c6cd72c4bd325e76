"""scripts/localnet up/status/down on a temporary directory and free ports: the env file, an
idempotent `up`, a clear error for a taken port, and a clean stop; `up --ha` (etcd and two
sequencer nodes) and `leader`."""
import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
import requests
from support import free_port, free_ports, run_localnet as localnet

ROOT = Path(__file__).resolve().parents[2]
EMETH = os.environ.get("EMETH_BIN") or str(ROOT / ".build" / "debug" / "emeth")
pytestmark = pytest.mark.skipif(not os.access(EMETH, os.X_OK),
                                reason=f"{EMETH} is missing: build it (swift build --product emeth) or set EMETH_BIN")




@pytest.fixture
def env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMETH_", "LOCALNET_"))}
    env.update(EMETH_BIN=str(Path(EMETH).resolve()), LOCALNET_DIR=str(tmp_path / "ln"),
               LOCALNET_L1_PORT=str(free_port()), LOCALNET_L2_PORT=str(free_ports(3)))
    yield env
    localnet(env, "down")


def test_up_status_down(env):
    r = localnet(env, "up")
    assert r.returncode == 0, r.stdout + r.stderr
    values = dict(line.split("=", 1) for line in (Path(env["LOCALNET_DIR"]) / "env").read_text().splitlines()
                  if line and not line.startswith("#"))
    for k in ("L1_RPC_URL", "L2_RPC_URL", "CHAIN_ID", "ROLLUP_ADDRESS", "TOKEN_ADDRESS", "DEPLOYMENT_FILE", "SEQUENCER_KEY",
              "SIGNER_ADDRESS", "VERIFIER_KEY", "SPLITTER_KEY", "AGGREGATOR_KEY", "GUARDIAN_KEY", "CHALLENGE_PERIOD", "USER_KEYS"):
        assert values.get(k), k
    assert values["L2_RPC_URL"] == f"http://127.0.0.1:{env['LOCALNET_L2_PORT']}"
    assert len(values["USER_KEYS"].split(",")) == 4
    assert requests.get(values["L2_RPC_URL"] + "/health", timeout=5).status_code == 200
    info = requests.post(values["L2_RPC_URL"], json={"jsonrpc": "2.0", "id": 1, "method": "emeth_chainInfo"}, timeout=5).json()
    assert info["result"]["rollup"] == values["ROLLUP_ADDRESS"] and info["result"]["signer"] == values["SIGNER_ADDRESS"]

    assert values["FOLLOWER_RPC_URLS"] == ""

    again = localnet(env, "up")  # idempotent
    assert again.returncode == 0 and "already running" in again.stdout, again.stdout + again.stderr
    status = localnet(env, "status")
    assert status.returncode == 0 and "sequencer: running" in status.stdout, status.stdout

    # Two followers on the ports after the sequencer's, listed in the env file.
    r = localnet(env, "up", "--followers", "2")
    assert r.returncode == 0, r.stdout + r.stderr
    values = dict(line.split("=", 1) for line in (Path(env["LOCALNET_DIR"]) / "env").read_text().splitlines()
                  if line and not line.startswith("#"))
    l2 = int(env["LOCALNET_L2_PORT"])
    assert values["FOLLOWER_RPC_URLS"] == f"http://127.0.0.1:{l2 + 1},http://127.0.0.1:{l2 + 2}"
    for url in values["FOLLOWER_RPC_URLS"].split(","):
        h = requests.get(url + "/health", timeout=5).json()
        assert (h["status"], h["role"], h["leader"]) == ("ok", "follower", values["L2_RPC_URL"]), h
        assert h["auditedBatch"] is None  # auditing L1, no batch yet
        mine = requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "emeth_chainInfo"}, timeout=5).json()
        assert mine == info
    status = localnet(env, "status")
    assert "follower 1: running" in status.stdout and "follower 2: running" in status.stdout, status.stdout
    assert "already running" in localnet(env, "up", "--followers", "2").stdout

    down = localnet(env, "down")
    assert down.returncode == 0, down.stderr
    assert "follower 1 (pid" in down.stdout and "follower 2 (pid" in down.stdout, down.stdout
    assert localnet(env, "status").returncode == 3
    assert localnet(env, "down", "--clean").returncode == 0
    assert not Path(env["LOCALNET_DIR"]).exists()


def test_taken_port_is_a_clear_error(env):
    with socket.socket() as s:
        s.bind(("127.0.0.1", int(env["LOCALNET_L1_PORT"])))
        s.listen()
        r = localnet(env, "up")
    assert r.returncode == 1
    assert f"port {env['LOCALNET_L1_PORT']}" in r.stderr and "LOCALNET_L1_PORT" in r.stderr, r.stderr


@pytest.mark.skipif(shutil.which("etcd") is None, reason="etcd is not installed (Debian package etcd-server): run `bash scripts/setup`")
def test_up_ha_leader_down(env):
    r = localnet(env, "up", "--ha")
    assert r.returncode == 0, r.stdout + r.stderr
    d = Path(env["LOCALNET_DIR"])
    values = dict(line.split("=", 1) for line in (d / "env").read_text().splitlines() if line and not line.startswith("#"))
    l2 = int(env["LOCALNET_L2_PORT"])
    nodes = [f"http://127.0.0.1:{l2}", f"http://127.0.0.1:{l2 + 1}"]
    assert values["L2_RPC_URLS"] == ",".join(nodes) and values["L2_RPC_URL"] == nodes[0]
    cluster = json.loads((d / "etcd" / "cluster.json").read_text())
    assert values["ETCD_ENDPOINTS"] == ",".join(m["client_url"] for m in cluster["members"]) and len(cluster["members"]) == 3
    roles = [requests.get(u + "/health", timeout=5).json() for u in nodes]
    assert [(h["role"], h["nodeId"], h["etcd"]) for h in roles] == [("leader", "node-1", "ok"), ("standby", "node-2", "ok")], roles

    leader = localnet(env, "leader")
    pid = int((d / "sequencer.pid").read_text())
    assert (leader.returncode, leader.stdout) == (0, f"{nodes[0]} {pid}\n"), leader.stdout + leader.stderr
    status = localnet(env, "status")
    assert status.returncode == 0, status.stdout
    assert f"sequencer node 1: running (pid {pid}) at {nodes[0]}, leader" in status.stdout, status.stdout
    assert "sequencer node 2: running" in status.stdout and ", standby" in status.stdout, status.stdout
    assert "already running" in localnet(env, "up", "--ha").stdout

    down = localnet(env, "down")
    assert down.returncode == 0, down.stderr
    assert "sequencer node 1 (pid" in down.stdout and "sequencer node 2 (pid" in down.stdout and "etcd cluster stopped" in down.stdout
    for m in cluster["members"]:  # every etcd member stopped
        assert not Path(f"/proc/{m['pid']}").exists() or Path(f"/proc/{m['pid']}/stat").read_text().split(")")[-1].split()[0] == "Z", m
    assert localnet(env, "status").returncode == 3
    gone = localnet(env, "leader")
    assert gone.returncode == 3 and "no sequencer node leads" in gone.stderr


def test_up_ha_on_a_running_single_sequencer_is_refused(env):
    assert localnet(env, "up").returncode == 0
    r = localnet(env, "up", "--ha")
    assert r.returncode == 1 and "runs a single sequencer" in r.stderr and "down" in r.stderr, r.stderr
