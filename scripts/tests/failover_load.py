"""What the failover tests under load share (scripts/tests/test_failover_load.py, `make
failover-soak` at more cycles, and scripts/tests/test_failover_l1.py): a `scripts/localnet up
--ha` network of its own whose nodes reach etcd (and, if asked, L1) through TCP proxies the test
can cut, a steady load of signed L2 Withdraw transactions, and
the checks of the chain every node serves, of L1's batches and of the Signer's tickets."""
from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
import rlp
from emeth_sdk import GHOLON, sign_message
from emeth_sdk.signing import ticket_signer
from eth_account import Account
from eth_hash.auto import keccak
from emeth_sdk import Domain
from l2net import L2Net
from support import free_ports, localnet, localnet_env, run_localnet, wait_until

ROOT = Path(__file__).resolve().parents[2]
ETCD_CLUSTER = ROOT / "scripts" / "etcd-cluster"


# --- a partition between one node and etcd -----------------------------------------------

class Proxy:
    """A TCP forwarder 127.0.0.1:port → 127.0.0.1:target. `cut()` turns it into a black hole
    (connections are accepted and requests swallowed, nothing answers: a partition, not a
    refusal), `restore()` forwards again (connections from before the cut are closed)."""

    def __init__(self, target: int | None = None):
        self.target = target  # may be set after the proxy holds its own port
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.cut_ = False
        self.lock = threading.Lock()
        self.conns: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            if self.cut_:
                with self.lock:
                    self.conns.add(c)  # held open, never answered
                continue
            try:
                u = socket.create_connection(("127.0.0.1", self.target), timeout=2)
                u.settimeout(None)
            except OSError:
                c.close()
                continue
            with self.lock:
                self.conns |= {c, u}
            threading.Thread(target=self._pump, args=(c, u), daemon=True).start()
            threading.Thread(target=self._pump, args=(u, c), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket):
        try:
            while data := a.recv(65536):
                if not self.cut_:
                    b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.close()
                except OSError:
                    pass

    def cut(self):
        self.cut_ = True

    def restore(self):
        with self.lock:
            old, self.conns = self.conns, set()
        for s in old:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.cut_ = False

    def close(self):
        self.sock.close()
        self.restore()


# --- JSON-RPC -------------------------------------------------------------------------------

def rpc(url: str, method: str, *params, timeout: float = 10):
    reply = requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, timeout=timeout).json()
    assert "error" not in reply, f"{method}{list(params)} at {url}: {reply['error']}"
    return reply["result"]


def try_rpc(url: str, method: str, *params, timeout: float = 5):
    """The answer's JSON (result or error), or None when the node does not answer."""
    try:
        return requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, timeout=timeout).json()
    except (requests.RequestException, ValueError):
        return None


def health(url: str) -> dict | None:
    try:
        return requests.get(url + "/health", timeout=3).json()
    except (requests.RequestException, ValueError):
        return None


def head(url: str) -> int:
    return int(rpc(url, "emeth_blockNumber"), 16)


# --- the load --------------------------------------------------------------------------------

class Sender(threading.Thread):
    """One account's steady stream of Withdraw transactions (1 gholon each), up to `window`
    unconfirmed at a time, each sent to a random node (a standby forwards it to the leader).
    A transaction counts as acknowledged once some node's receipt says it is in a block
    (`sequenced` or later); until then it is re-sent every `resend` seconds with the same
    signature, so one the killed leader held only in its mempool is sent again."""

    def __init__(self, key: str, urls: list[str], domain: Domain, window: int = 4, resend: float = 3.0):
        super().__init__(daemon=True)
        self.key, self.urls, self.domain, self.window, self.resend = key, urls, domain, window, resend
        self.address = Account.from_key(key).address
        self.acked: dict[str, tuple[int, int]] = {}  # hash -> (blockNumber, index) of its first sequenced receipt
        self.outstanding: dict[int, list] = {}  # nonce -> [wire, hash, last sent]
        self.stopping = threading.Event()
        self.errors: list[str] = []
        self.nonce = None

    def _send(self, wire: dict) -> None:
        for url in random.sample(self.urls, len(self.urls)):
            r = try_rpc(url, "emeth_sendTransaction", wire, {"from": self.address})
            if r is not None and "result" in r:
                return

    def run(self):
        while self.nonce is None and not self.stopping.is_set():
            r = try_rpc(random.choice(self.urls), "emeth_getTransactionCount", self.address, "pending")
            if r and "result" in r:
                self.nonce = int(r["result"], 16)
            else:
                time.sleep(0.1)
        while not self.stopping.is_set():
            while len(self.outstanding) < self.window:
                signed = sign_message(self.key, self.domain, "Withdraw", {"amount": str(GHOLON), "nonce": str(self.nonce)})
                self.outstanding[self.nonce] = [signed.wire, signed.hash, time.monotonic()]
                self._send(signed.wire)
                self.nonce += 1
            for nonce in sorted(self.outstanding):
                wire, h, sent = self.outstanding[nonce]
                r = try_rpc(random.choice(self.urls), "emeth_getTransactionReceipt", h)
                receipt = r.get("result") if r else None
                if receipt and receipt["status"] in ("sequenced", "committed", "final"):
                    if not receipt["success"]:
                        self.errors.append(f"{h} (nonce {nonce}) failed in its block: {receipt}")
                    self.acked[h] = (int(receipt["blockNumber"], 16), int(receipt["index"], 16))
                    del self.outstanding[nonce]
                elif time.monotonic() - sent > self.resend:
                    self.outstanding[nonce][2] = time.monotonic()
                    self._send(wire)
            time.sleep(0.05)

    def drain(self, timeout: float = 60):
        """Stops sending new transactions; waits until every one sent is acknowledged."""
        self.window = 0
        wait_until(lambda: not self.outstanding, f"{self.address}'s last transactions to be sequenced ({len(self.outstanding)} left)",
                   timeout=timeout)
        self.stopping.set()
        self.join(timeout=10)


# --- what every node serves -------------------------------------------------------------------

class Chain:
    """The blocks every node served, in their stored form (emeth_getBlockRange): one byte string
    per number across all nodes, or the test fails naming the fork."""

    def __init__(self):
        self.seen: dict[int, str] = {}
        self.fetched: dict[str, int] = {}

    def pull(self, url: str, what: str, upto: int | None = None, full: bool = False) -> int:
        """Adds `url`'s blocks (from the last it served, or all with `full`) and checks them;
        returns its head."""
        top = head(url) if upto is None else upto
        n = 1 if full else self.fetched.get(url, 0) + 1
        while n <= top:
            blocks = rpc(url, "emeth_getBlockRange", hex(n), "0x64")["blocks"]
            assert blocks, f"{url} served no block {n} (head {top})"
            for b in blocks:
                if n > top:
                    break
                known = self.seen.setdefault(n, b)
                assert known == b, f"{what}: block {n} forked: {url} serves {keccak(bytes.fromhex(b[2:])).hex()[:16]}…, " \
                                   f"another node served {keccak(bytes.fromhex(known[2:])).hex()[:16]}…"
                n += 1
        self.fetched[url] = max(self.fetched.get(url, 0), top)
        return top

    def fields(self, n: int) -> list:
        return rlp.decode(bytes.fromhex(self.seen[n][2:]))

    def tx_positions(self) -> dict[str, tuple[int, int]]:
        """Every transaction hash in the chain seen so far -> (block, index)."""
        out = {}
        for n in sorted(self.seen):
            for i, tx in enumerate(self.fields(n)[4]):
                out["0x" + tx[2].hex()] = (n, i)
        return out


def check_acknowledged(chain: Chain, senders: list[Sender], what: str, url: str) -> int:
    """Every acknowledged transaction is in the chain, at the block and index its receipt named
    (the blocks pulled from `url` first up to the newest block a receipt named)."""
    acked = [(s, dict(s.acked)) for s in senders]  # the senders go on acknowledging meanwhile
    need = max((n for _, a in acked for n, _ in a.values()), default=0)
    wait_until(lambda: head(url) >= need, f"{what}: {url} serving block {need}, which a receipt named", timeout=60)
    chain.pull(url, what)
    positions = chain.tx_positions()
    count = 0
    for s, a in acked:
        for h, at in a.items():
            assert positions.get(h) == at, f"{what}: transaction {h} of {s.address} was acknowledged in block {at[0]} " \
                                           f"(index {at[1]}) but the chain has it at {positions.get(h)}"
            count += 1
    return count


def check_tickets(chain: Chain, domain: Domain, signer: str) -> int:
    """Every ticket of every block recovers to the Signer (PROTOCOL §6)."""
    count = 0
    for n in sorted(chain.seen):
        for account, credit, number, signature in chain.fields(n)[5]:
            t = {"account": "0x" + account.hex(), "credit": int.from_bytes(credit, "big"), "blockNumber": int.from_bytes(number, "big"),
                 "signature": "0x" + signature.hex()}
            assert t["blockNumber"] == n, f"block {n} holds a ticket for block {t['blockNumber']}"
            assert ticket_signer(t, domain) == signer, f"block {n}: a ticket of {t['account']} is not signed by the Signer {signer}"
            count += 1
    return count


# --- L1 ----------------------------------------------------------------------------------------

def committed_batches(l1_url: str, rollup: str) -> list[dict]:
    """Every BatchCommitted event of the rollup contract, in log order, and checks there is no
    BatchReverted."""
    import json

    from web3 import Web3
    w3 = Web3(Web3.HTTPProvider(l1_url))
    abi = json.loads((ROOT / "Contracts" / "artifacts" / "EmethRollup.json").read_text())["abi"]
    c = w3.eth.contract(address=rollup, abi=abi)
    reverted = c.events.BatchReverted.get_logs(from_block=0)
    assert not reverted, f"L1 reverted batches: {reverted}"
    return [dict(e["args"], l1Tx=e["transactionHash"].hex()) for e in c.events.BatchCommitted.get_logs(from_block=0)]


def check_batches(events: list[dict]) -> None:
    """Each batch index posted once, the indexes contiguous from 0, the block ranges contiguous."""
    indexes = [e["batchIndex"] for e in events]
    assert indexes == list(range(len(events))), f"L1 batch indexes are not 0, 1, 2, … each once: {indexes}"
    last = 0
    for e in events:
        assert e["firstBlock"] == last + 1, f"batch {e['batchIndex']} starts at block {e['firstBlock']}, the previous ended at {last}"
        last = e["lastBlock"]


# --- the HA localnet ------------------------------------------------------------------------

class Net:
    """The HA localnet: its env file's values, the proxies each node reaches etcd through
    (`proxies[k]`, one per member) and, with `l1_proxies`, the proxy each node reaches L1
    through (`l1[k]`, LOCALNET_NODE_L1)."""

    def __init__(self, tmp: Path, l1_proxies: bool = False):
        self.proxies = {k: [Proxy() for _ in range(3)] for k in (1, 2)}
        self.l1 = {k: Proxy() for k in (1, 2)} if l1_proxies else {}
        etcd_base = free_ports(6)  # member i: client etcd_base + 2i, peer + 1 (chosen after the proxies took their ports)
        for k in (1, 2):
            for m, p in enumerate(self.proxies[k]):
                p.target = etcd_base + 2 * m
        settings = {"LOCALNET_NODE_L1": ";".join(self.l1[k].url for k in (1, 2))} if l1_proxies else {}
        self.env = localnet_env(tmp, LOCALNET_L2_PORT=str(free_ports(2)), LOCALNET_ETCD_BASE_PORT=str(etcd_base),
                                LOCALNET_NODE_ETCD=";".join(",".join(p.url for p in self.proxies[k]) for k in (1, 2)),
                                LOCALNET_BLOCK_TIME_MS="100", LOCALNET_CHALLENGE_PERIOD="3600", **settings)
        for p in self.l1.values():
            p.target = int(self.env["LOCALNET_L1_PORT"])
        self.dir = Path(self.env["LOCALNET_DIR"])
        self.values = localnet(self.env, "up", "--ha")
        self.urls = self.values["L2_RPC_URLS"].split(",")
        self.l2 = L2Net(self.env, dict(self.values, L2_RPC_URL=self.urls[0]))
        self.domain = Domain.from_json(rpc(self.urls[0], "emeth_chainInfo")["domain"])

    def leader(self) -> tuple[int, str, int]:
        """The leading node: (k, url, pid), from `scripts/localnet leader`."""
        r = wait_until(lambda: (x := run_localnet(self.env, "leader", timeout=60)).returncode == 0 and x, "a node leading", timeout=60)
        url, pid = r.stdout.split()
        return self.urls.index(url) + 1, url, int(pid)

    def kill(self, k: int, pid: int, what: str) -> None:
        """SIGKILL to node k; returns once the process is gone."""
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: gone(pid), f"{what}: node {k} (pid {pid}) gone", timeout=30)

    def restart(self, k: int) -> None:
        """`localnet up --ha` restarts the stopped node; it rejoins as the standby and catches up."""
        r = run_localnet(self.env, "up", "--ha")
        assert r.returncode == 0, r.stdout + r.stderr
        url = self.urls[k - 1]
        h = wait_until(lambda: health(url), f"node {k} answering after its restart", timeout=60)
        assert h["role"] == "standby", h
        _, leader_url, _ = self.leader()
        top = head(leader_url)
        wait_until(lambda: (health(url) or {}).get("head", -1) >= top, f"node {k} following the block log to block {top}", timeout=60)

    def log(self, k: int) -> str:
        name = "sequencer.log" if k == 1 else f"sequencer-{k}.log"
        return (self.dir / "logs" / name).read_text(errors="replace")

    def down(self) -> None:
        """Every proxy forwarding again (so the nodes stop cleanly), the localnet down, the proxies closed."""
        proxies = [p for ps in self.proxies.values() for p in ps] + list(self.l1.values())
        for p in proxies:
            p.restore()
        run_localnet(self.env, "down")
        for p in proxies:
            p.close()


def gone(pid: int) -> bool:
    """The process is gone (or a zombie)."""
    return not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split(")")[-1].split()[0] == "Z"


# --- the etcd cluster ---------------------------------------------------------------------------

def etcd(*args) -> str:
    r = subprocess.run([sys.executable, str(ETCD_CLUSTER), *map(str, args)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"etcd-cluster {' '.join(map(str, args))}:\n{r.stdout}\n{r.stderr}"
    return r.stdout


def etcd_follower_member(directory: Path) -> str:
    """A member that is not etcd's raft leader (its name, m0…m2), from each member's status."""
    import json
    cluster = json.loads((directory / "cluster.json").read_text())
    for m in cluster["members"]:
        status = requests.post(m["client_url"] + "/v3/maintenance/status", json={}, timeout=5).json()
        if status["header"]["member_id"] != status["leader"]:
            return m["name"]
    raise AssertionError(f"every etcd member says it leads: {cluster}")


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile."""
    import math
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]
