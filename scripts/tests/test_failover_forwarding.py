"""Sequencer failover on etcd: a standby forwards transactions to the leader of the moment.

Three `emeth sequencer run --ha` nodes on a real three-member etcd cluster (scripts/etcd-cluster):
one leads, two follow the etcd block log. The leader is killed; one standby is elected; a
transaction sent to the other standby reaches the new leader (not the dead one the standby saw at
its start): the new leader counts it (`emeth_txs_received_total`), its answer is the new leader's
own answer to that transaction, and the standby's /health names the new leader. Its /metrics say
what it is meanwhile (role, etcd, lag, leadership changes).

The chain has no L1 here, so accounts hold nothing and the leader refuses the withdrawal; the
refusal is the leader's answer, which is the point: an unreachable leader would answer -32005."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from emeth_sdk.signing import sign_job as sign

from support import wait_until
from test_failover import EMETH, ETCD_CLUSTER, SIGNER_KEY, Node, answers_head, etcd, pytestmark, rpc  # noqa: F401 (pytestmark: same skips)

SENDER = "0x" + "77" * 32


def metric(url: str, sample: str) -> str | None:
    """The value of one sample line of /metrics (`name` or `name{labels}`), or None."""
    for line in requests.get(url + "/metrics", timeout=10).text.splitlines():
        if line.startswith(sample + " "):
            return line.split(" ", 1)[1]
    return None


def raw(url: str, method: str, params: list) -> dict:
    return requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=10).json()


@pytest.fixture
def three(tmp_path: Path):
    etcd("up", tmp_path / "etcd", "--members", "3")
    endpoints = dict(line.split("=", 1) for line in (tmp_path / "etcd" / "env").read_text().splitlines() if "=" in line)["ETCD_ENDPOINTS"]
    r = subprocess.run([EMETH, "sequencer", "init", "--dir", str(tmp_path), "--timestamp", "1700000000"], capture_output=True, text=True,
                       env=dict({k: v for k, v in os.environ.items() if not k.startswith("EMETH_")}, EMETH_SIGNER_PRIVATE_KEY=SIGNER_KEY),
                       timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    nodes = [Node(tmp_path, name, endpoints) for name in ("a", "b", "c")]
    try:
        yield nodes
    finally:
        for n in nodes:
            n.kill()
        subprocess.run([sys.executable, str(ETCD_CLUSTER), "down", tmp_path / "etcd"], capture_output=True, timeout=120)


def test_a_standby_forwards_to_the_new_leader_after_a_failover(three):
    a, b, c = three
    a.start()
    wait_until(lambda: a.serving, f"node a elected and serving ({a.log()})", timeout=60)
    b.start()
    c.start()
    for s in (b, c):
        wait_until(lambda: answers_head(s.url) >= 3, f"standby {s.name} following the block log ({s.log()})", timeout=60)
        assert requests.get(s.url + "/health", timeout=10).json()["leader"] == a.url
        assert metric(s.url, 'emeth_node_role{role="standby"}') == "1"
        assert metric(s.url, 'emeth_node_role{role="leader"}') == "0"
        assert metric(s.url, "emeth_ha_etcd_up") == "1"
        assert metric(s.url, "emeth_ha_leadership_changes_total") == "0"
        assert int(metric(s.url, "emeth_ha_replication_lag_blocks")) >= 0
    assert metric(a.url, 'emeth_node_role{role="leader"}') == "1"
    assert metric(a.url, "emeth_ha_replication_lag_blocks") == "0"
    assert metric(a.url, "emeth_ha_leadership_changes_total") == "1"

    a.kill()
    wait_until(lambda: b.serving or c.serving, f"b or c elected after a was killed ({b.log()} {c.log()})", timeout=60)
    new, standby = (b, c) if b.serving else (c, b)
    wait_until(lambda: requests.get(standby.url + "/health", timeout=10).json().get("leader") == new.url,
               f"standby {standby.name} forwarding to {new.name}", timeout=30)
    # The change is logged with the new leader's id, lease, revision and the standby's head.
    assert any("leadership changed: the cluster's leader" in line and f" leader={new.name} " in line and " revision=" in line
               for line in standby.err), standby.log()

    info = rpc(new.url, "emeth_chainInfo")["domain"]
    domain = {"name": info["name"], "version": info["version"], "chainId": int(info["chainId"], 16),
              "verifyingContract": info["verifyingContract"]}
    tx, _ = sign((SENDER, domain, "Withdraw", {"amount": "1000000000", "nonce": "0"}))
    before = int(metric(new.url, "emeth_txs_received_total"))
    through_standby = raw(standby.url, "emeth_sendTransaction", [tx])
    assert int(metric(new.url, "emeth_txs_received_total")) == before + 1, "the transaction did not reach the new leader"
    direct = raw(new.url, "emeth_sendTransaction", [tx])
    assert through_standby == direct, f"through {standby.name}: {json.dumps(through_standby)}; at {new.name}: {json.dumps(direct)}"
    assert through_standby.get("error", {}).get("code") != -32005, through_standby
    assert metric(new.url, 'emeth_node_role{role="leader"}') == "1"
    assert metric(new.url, "emeth_ha_leadership_changes_total") == "1"
