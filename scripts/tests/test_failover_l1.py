"""A standby campaigns only when it can reach L1, end to end: `scripts/localnet up --ha` (a real
devnet L1, a three-member etcd cluster, two `sequencer run --ha` nodes) with each node reaching
L1 through a TCP proxy of this test (LOCALNET_NODE_L1) and etcd through others.

The standby's L1 proxy becomes a black hole (connections accepted, nothing answered) and the
leader is killed with SIGKILL. Once etcd has let the dead leader's lease expire, nobody leads
for three lease TTLs: the standby stays a standby and logs that L1 is unreachable. When its L1
answers again it is elected, seals new blocks, and both nodes serve the same block for every
number (the killed node restarted and caught up)."""
from __future__ import annotations

import base64
import json
import shutil
import time

import pytest
import requests
from failover_load import Chain, Net, Sender, check_acknowledged, head, health
from support import run_localnet, wait_until

LEASE_TTL = 2.0  # scripts/localnet's [ha] lease_ttl_ms
CHAIN_ID = 31337

pytestmark = pytest.mark.skipif(shutil.which("etcd") is None, reason="etcd is not installed (Debian package etcd-server): run `bash scripts/setup`")


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    n = None
    try:
        n = Net(tmp_path_factory.mktemp("ha-l1"), l1_proxies=True)
        n.l2.deposit(n.values["USER_KEYS"].split(",")[0], "10emt")
        yield n
    finally:
        if n is not None:
            n.down()


def leader_key(net: Net) -> str | None:
    """The node id in the chain's leader key, read from etcd itself (no proxy); None: no leader."""
    endpoint = net.values["ETCD_ENDPOINTS"].split(",")[0]
    key = base64.b64encode(f"/emeth/{CHAIN_ID}/leader".encode()).decode()
    kvs = requests.post(endpoint + "/v3/kv/range", json={"key": key}, timeout=5).json().get("kvs")
    return json.loads(base64.b64decode(kvs[0]["value"]))["id"] if kvs else None


def test_standby_does_not_campaign_while_its_l1_is_unreachable(net: Net):
    sender = Sender(net.values["USER_KEYS"].split(",")[0], net.urls, net.domain)
    sender.start()
    chain = Chain()
    try:
        wait_until(lambda: len(sender.acked) >= 3, "the first transactions sequenced", timeout=60)
        k, url, pid = net.leader()
        other = 3 - k
        standby_url = net.urls[other - 1]
        assert (health(standby_url) or {}).get("role") == "standby"
        assert "L1 is unreachable" not in net.log(other)

        net.l1[other].cut()
        chain.pull(url, "the leader before the kill")
        net.kill(k, pid, "the leader")
        # etcd deletes the dead leader's key once its lease has expired; the standby, its
        # L1 unreachable, does not take it.
        def not_elected() -> None:
            assert leader_key(net) != f"node-{other}", f"node {other} was elected with its L1 unreachable:\n{net.log(other)[-3000:]}"
        wait_until(lambda: not_elected() or leader_key(net) != f"node-{k}", f"node {k}'s leader key to expire", timeout=30)
        wait_until(lambda: not_elected() or "L1 is unreachable" in net.log(other), f"node {other} logging that its L1 is unreachable",
                   timeout=60)
        watch_until = time.monotonic() + 3 * LEASE_TTL
        polls = 0
        while time.monotonic() < watch_until or polls < 3:
            not_elected()
            assert leader_key(net) is None, leader_key(net)
            r = run_localnet(net.env, "leader", timeout=60)
            assert r.returncode == 3, f"scripts/localnet leader: exit {r.returncode}, {r.stdout}{r.stderr}"
            h = health(standby_url)
            assert h is not None and h["role"] == "standby", h
            polls += 1
            time.sleep(0.2)
        log = net.log(other)
        # One attempt, given up after one lease TTL (the node's own L1 client retries for minutes).
        reason = f"reason=L1 is unreachable: L1 endpoint unreachable: {net.l1[other].url}: no answer within {LEASE_TTL:g} s " \
                 "(after 1 attempts)"
        assert f"{reason} [Node] standby not ready to campaign" in log, log[-3000:]
        assert "standby elected" not in log, log[-3000:]

        # L1 answers again: the standby is elected and seals blocks after the one it took over at.
        net.l1[other].restore()
        took_over = wait_until(lambda: (h := health(standby_url)) and h.get("role") == "leader" and h, f"node {other} elected", timeout=60)
        assert leader_key(net) == f"node-{other}"
        wait_until(lambda: head(standby_url) > took_over["head"], f"node {other} sealing after block {took_over['head']}", timeout=60)
        assert took_over["head"] >= max(chain.seen), \
            f"node {other} took over at block {took_over['head']}, node {k} had served {max(chain.seen)}"
        sender.drain()
    finally:
        sender.stopping.set()
    assert not sender.errors, sender.errors[:3]

    # No block number forked: the killed node, restarted, serves the same blocks as the new leader.
    net.restart(k)
    top = head(standby_url)
    for u in net.urls:
        wait_until(lambda: head(u) >= top, f"{u} at block {top}", timeout=60)
        chain.pull(u, "after the failover", upto=top, full=True)
    acked = check_acknowledged(chain, [sender], "after the failover", standby_url)
    assert acked == len(sender.acked) and acked >= 3
    print(f"standby waited for L1: no leader for {polls} polls over {3 * LEASE_TTL:g} s after node {k}'s lease expired; "
          f"node {other} elected at block {took_over['head']} once L1 answered; {top} blocks, none forked, {acked} transactions",
          flush=True)

