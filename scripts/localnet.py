"""The one-command local network: the py-evm devnet (L1), the deployed contracts, and
`emeth sequencer run` with the inbox watcher and the batch poster in-process (L2).

    scripts/localnet up [--ha] [--followers N]
                                    start everything (idempotent: restarts what stopped), write
                                    $LOCALNET_DIR/env; with N followers (read replicas, `emeth
                                    follower run`) on the ports after the sequencer's, listed in
                                    FOLLOWER_RPC_URLS. --ha: a three-member etcd cluster and two
                                    sequencer nodes (`sequencer run --ha`, one Signer key and one
                                    L1 key), listed in L2_RPC_URLS; ETCD_ENDPOINTS in the env file
    scripts/localnet leader         the leading sequencer node's URL and pid (from /health)
    scripts/localnet down [--clean] stop everything (SIGTERM, then SIGKILL); --clean also
                                    removes the state directory
    scripts/localnet status         what runs (exit 0 all running, 3 stopped, 1 partly)

Environment (all optional):
    LOCALNET_DIR               state directory (default .localnet/)
    LOCALNET_L1_PORT           devnet JSON-RPC port (default 8545)
    LOCALNET_L2_PORT           sequencer JSON-RPC port (default 8547); followers take the
                               next ports (8548, 8549, …)
    LOCALNET_FOLLOWERS         followers to start when `up` has no --followers (default 0)
    LOCALNET_CHALLENGE_PERIOD  seconds until a batch is final on L1 (default 20)
    LOCALNET_MAX_TXS           seal a block at this many transactions (default 5000)
    LOCALNET_BLOCK_TIME_MS     seal this long after the first pending item (default 250)
    LOCALNET_SEND_RATE         emeth_sendTransaction per client IP and second (default 5000)
    LOCALNET_MAX_BACKLOG       refuse transactions while this many bytes of sealed blocks wait
                               for L1 (default: the sequencer's, 4 MiB; 0 = no limit: load tests)
    LOCALNET_POSTER_MAX_BLOCKS blocks a batch may hold (default 200); a backlog of full blocks
                               posts faster with a small bound (each batch is cut from the
                               largest range down, encoding every try)
    LOCALNET_WS_QUEUE          WebSocket messages a subscriber may leave unread before it is
                               dropped (default: the node's, 4096)
    LOCALNET_ETCD_BASE_PORT    --ha: client port of etcd member 0 (members take P, P+2, P+4 for
                               clients and the odd ports after them for peers; default: free
                               ports the kernel picks)
    LOCALNET_NODE_ETCD         --ha: the etcd URLs each sequencer node uses, one list per node
                               separated by ";" (default: every node uses ETCD_ENDPOINTS); for
                               tests that put a proxy between one node and etcd
    LOCALNET_NODE_L1           --ha: the L1 URL each sequencer node uses, separated by ";" (an
                               empty entry, or none: the devnet's URL); for tests that put a
                               proxy between one node and L1 (deploying, minting and the env
                               file's L1_RPC_URL always use the devnet directly)
    EMETH_BIN                  the emeth executable (default .build/release/emeth, built if
                               missing)

Roles (development keys of scripts/devnet_rpc/accounts.py, public: devnets only):
    dev 0 owner (deploys, mints EMT)    dev 1 sequencer (commits batches on L1)
    dev 2 guardian                      dev 3..6 users (requesters and nodes)
    dev 7 verifier                      dev 8 splitter          dev 9 aggregator
    Signer: keccak256("EMETH localnet signer") (blocks and tickets)
Dev 3..9 get LOCALNET_MINT EMT each on L1 (default 1,000,000) and their 10,000 ETH.

With --ha, node 1 is at LOCALNET_L2_PORT ($LOCALNET_DIR/sequencer, as without --ha) and node 2
at the next port ($LOCALNET_DIR/sequencer-2); followers come after them and follow node 1.
Whichever node etcd elects seals and posts batches; the other is a standby that follows the
etcd block log and forwards transactions to the leader. `up` restarts a node that stopped (it
rejoins as a standby). Each node has its own data directory and bridge store.

The devnet keeps its chain in memory: once it stops, the L1 state is gone, so `up` after
`down` starts a new chain (the old L2 data is moved aside to $LOCALNET_DIR/old-<time>/).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from devnet_rpc.accounts import DEV_ACCOUNTS  # noqa: E402

DIR = Path(os.environ.get("LOCALNET_DIR") or ROOT / ".localnet").resolve()
L1_PORT = int(os.environ.get("LOCALNET_L1_PORT") or 8545)
L2_PORT = int(os.environ.get("LOCALNET_L2_PORT") or 8547)
CHALLENGE_PERIOD = int(os.environ.get("LOCALNET_CHALLENGE_PERIOD") or 20)
# Short, for a devnet: a message the sequencer leaves out for 10 minutes blocks its commits.
FORCE_INCLUSION_DELAY = int(os.environ.get("LOCALNET_FORCE_INCLUSION_DELAY") or 600)
# emeth_sendTransaction per client IP and second: generous, as the demo sends from one address.
SEND_RATE = int(os.environ.get("LOCALNET_SEND_RATE") or 5000)
MAX_TXS = int(os.environ.get("LOCALNET_MAX_TXS") or 5000)
BLOCK_TIME_MS = int(os.environ.get("LOCALNET_BLOCK_TIME_MS") or 250)
# "quick" (default): the poster posts every block within 2 s, so a short session sees batches
# commit and become final; "defaults": the poster's production sizing (emeth.toml's defaults),
# for measuring what L1 costs per transaction.
POSTER = os.environ.get("LOCALNET_POSTER") or "quick"
# Blocks a batch may hold (the poster's max_blocks; quick: 200). The poster encodes and checks
# the largest range first and halves it until it fits 64 KiB, so with a backlog of full blocks
# (a load test) a small bound saves it re-encoding hundreds of blocks per batch.
POSTER_MAX_BLOCKS = int(os.environ.get("LOCALNET_POSTER_MAX_BLOCKS") or 200)
MAX_BACKLOG = os.environ.get("LOCALNET_MAX_BACKLOG")
WS_QUEUE = int(os.environ["LOCALNET_WS_QUEUE"]) if os.environ.get("LOCALNET_WS_QUEUE") else None
MINT_EMT = int(os.environ.get("LOCALNET_MINT") or 1_000_000)
CHAIN_ID = 31337

DEVNET_DIR = DIR / "devnet"
SEQ_DIR = DIR / "sequencer"
LOG_DIR = DIR / "logs"
DEPLOYMENT = DIR / "deployment.json"
ENV_FILE = DIR / "env"
SEQ_PID = DIR / "sequencer.pid"
SEQ_LOG = LOG_DIR / "sequencer.log"
FOLLOWERS = int(os.environ.get("LOCALNET_FOLLOWERS") or 0)
# HA mode (`up --ha`): the etcd cluster's directory and the marker that this state is HA.
ETCD_DIR = DIR / "etcd"
HA_MARKER = DIR / "ha"
HA_NODES = 2
ETCD_BASE_PORT = int(os.environ.get("LOCALNET_ETCD_BASE_PORT") or 0)
NODE_ETCD = [e.strip() for e in os.environ.get("LOCALNET_NODE_ETCD", "").split(";") if e.strip()]
NODE_L1 = [e.strip() for e in os.environ.get("LOCALNET_NODE_L1", "").split(";")]

# Role -> development account index (see the module docstring).
OWNER, SEQUENCER, GUARDIAN, VERIFIER, SPLITTER, AGGREGATOR = 0, 1, 2, 7, 8, 9
USERS = (3, 4, 5, 6)
FUNDED = range(3, 10)


def signer_key() -> str:
    from eth_hash.auto import keccak
    return "0x" + keccak(b"EMETH localnet signer").hex()


def say(msg: str) -> None:
    print(f"localnet: {msg}", flush=True)


class Fail(Exception):
    pass


# --- processes --------------------------------------------------------------------------

def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return True


def ha_mode() -> bool:
    return HA_MARKER.exists()


def seq_nodes() -> range:
    """The sequencer nodes of this state: 1, or 1 and 2 in HA mode."""
    return range(1, (HA_NODES if ha_mode() else 1) + 1)


def seq_dir(k: int = 1) -> Path:
    return SEQ_DIR if k == 1 else DIR / f"sequencer-{k}"


def seq_pid_file(k: int = 1) -> Path:
    return SEQ_PID if k == 1 else DIR / f"sequencer-{k}.pid"


def seq_log(k: int = 1) -> Path:
    return SEQ_LOG if k == 1 else LOG_DIR / f"sequencer-{k}.log"


def seq_port(k: int = 1) -> int:
    return L2_PORT + k - 1


def seq_url(k: int = 1) -> str:
    return f"http://127.0.0.1:{seq_port(k)}"


def seq_name(k: int) -> str:
    return "the sequencer" if not ha_mode() else f"sequencer node {k}"


def sequencer_pid(k: int = 1) -> int | None:
    """Sequencer node k's pid if it runs (checks the command line: a recycled pid is not ours)."""
    try:
        pid = int(seq_pid_file(k).read_text().strip())
    except (OSError, ValueError):
        return None
    if not alive(pid):
        return None
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if b"sequencer" not in cmd or str(seq_dir(k) / "emeth.toml").encode() not in cmd:
            return None
    except OSError:
        pass
    return pid


def stop(pid: int, what: str, grace: float = 15) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and alive(pid):
        time.sleep(0.1)
    if alive(pid):
        say(f"{what} did not exit {grace:.0f} s after SIGTERM; sending SIGKILL")
        os.kill(pid, signal.SIGKILL)


def devnet(cmd: str, *extra: str, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, DEVNET_DIR=str(DEVNET_DIR), DEVNET_PORT=str(L1_PORT))
    r = subprocess.run(["bash", str(ROOT / "scripts" / "devnet"), cmd, *extra], env=env, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise Fail(f"scripts/devnet {cmd} failed:\n{r.stderr.strip() or r.stdout.strip()}")
    return r


def devnet_running() -> bool:
    return devnet("status", check=False).returncode == 0


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def require_port(port: int, what: str, var: str) -> None:
    if not port_free(port):
        raise Fail(f"port {port} (the {what}) is taken by another process; stop it or choose another port "
                   f"with {var}=<port>")


def http_json(url: str, body: dict | None = None, timeout: float = 5):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, json.load(r)


def health(url: str) -> dict | None:
    try:
        status, body = http_json(url + "/health", timeout=2)
        return body if status == 200 else None
    except Exception:
        return None


def log_tail(path: Path, n: int = 25) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()[-n:]
    except OSError:
        return ""
    return f"--- last lines of {path} ---\n" + "\n".join(lines)


# --- the emeth binary ---------------------------------------------------------------------

def emeth_bin() -> str:
    if os.environ.get("EMETH_BIN"):
        path = Path(os.environ["EMETH_BIN"]).resolve()
        if not os.access(path, os.X_OK):
            raise Fail(f"EMETH_BIN={path} is not an executable")
        return str(path)
    path = ROOT / ".build" / "release" / "emeth"
    if not os.access(path, os.X_OK):
        say("building emeth (swift build -c release --product emeth; takes a while the first time)")
        r = subprocess.run(["swift", "build", "-c", "release", "--product", "emeth"], cwd=ROOT)
        if r.returncode != 0 or not os.access(path, os.X_OK):
            raise Fail("building emeth failed; see the output above (or set EMETH_BIN to an existing binary)")
    return str(path)


def emeth(*args: str, key: str | None = None, **kw) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMETH_")}
    env["EMETH_ARTIFACTS"] = str(ROOT / "Contracts" / "artifacts")
    if key:
        env["EMETH_PRIVATE_KEY"] = key
    r = subprocess.run([emeth_bin(), *args], env=env, capture_output=True, text=True, cwd=ROOT, **kw)
    if r.returncode != 0:
        raise Fail(f"emeth {' '.join(args[:2])} failed:\n{r.stderr.strip() or r.stdout.strip()}")
    return r.stdout


# --- up -----------------------------------------------------------------------------------

def set_toml(text: str, section: str, key: str, value) -> str:
    """Sets `key` in `[section]` of emeth.toml's text, keeping the line's comment."""
    lit = json.dumps(value) if isinstance(value, str) else ("true" if value is True else "false" if value is False else str(value))
    lines, current, done = text.splitlines(), None, False
    for i, line in enumerate(lines):
        m = re.match(r"\s*\[([^\]]+)\]", line)
        if m:
            if current == section and not done:
                lines.insert(i, f"{key} = {lit}")
                done = True
                break
            current = m.group(1).strip()
            continue
        m = re.match(rf"(\s*){re.escape(key)}\s*=\s*(\"[^\"]*\"|[^#\s]*)(\s*#.*)?$", line)
        if current == section and m:
            setting, comment = f"{m.group(1)}{key} = {lit}", (m.group(3) or "").strip()
            lines[i] = f"{setting:<30} {comment}" if comment else setting
            done = True
            break
    if not done:
        if current != section:
            lines += ["", f"[{section}]"]
        lines.append(f"{key} = {lit}")
    return "\n".join(lines) + "\n"


def l1_url() -> str:
    return f"http://127.0.0.1:{L1_PORT}"


def l2_url() -> str:
    return f"http://127.0.0.1:{L2_PORT}"


def deploy(url: str) -> dict:
    from eth_account import Account
    signer = Account.from_key(signer_key()).address
    say(f"deploying EmethToken + EmethRollup (owner dev 0, sequencer dev 1, guardian dev 2, signer {signer}, "
        f"challenge period {CHALLENGE_PERIOD} s)")
    emeth("deploy", "--rpc", url, "--sequencer", DEV_ACCOUNTS[SEQUENCER][0], "--signer", signer,
          "--guardian", DEV_ACCOUNTS[GUARDIAN][0], "--challenge-period", str(CHALLENGE_PERIOD),
          "--inbox-confirmations", "1", "--force-inclusion-delay", str(FORCE_INCLUSION_DELAY),
          "--ticket-limit", "1000000emt", "--ticket-window", "3600", "--escape-delay", str(max(3600, CHALLENGE_PERIOD)),
          "--out", str(DEPLOYMENT), key=DEV_ACCOUNTS[OWNER][1])
    return json.loads(DEPLOYMENT.read_text())


def mint(url: str, d: dict) -> None:
    from web3 import Web3
    w3 = Web3(Web3.HTTPProvider(url))
    abi = json.loads((ROOT / "Contracts" / "artifacts" / "EmethToken.json").read_text())["abi"]
    token = w3.eth.contract(address=d["token"], abi=abi)
    owner_addr, owner_key = DEV_ACCOUNTS[OWNER]
    nonce = w3.eth.get_transaction_count(owner_addr)
    amount = MINT_EMT * 10**18
    hashes = []
    for i in FUNDED:
        tx = token.functions.mint(DEV_ACCOUNTS[i][0], amount).build_transaction(
            {"from": owner_addr, "nonce": nonce, "chainId": CHAIN_ID})
        hashes.append(w3.eth.send_raw_transaction(w3.eth.account.sign_transaction(tx, owner_key).raw_transaction))
        nonce += 1
    for h in hashes:
        if w3.eth.wait_for_transaction_receipt(h, timeout=60).status != 1:
            raise Fail(f"mint transaction {h.hex()} reverted")
    say(f"minted {MINT_EMT:,} EMT to each of dev {FUNDED.start}..{FUNDED.stop - 1}")


def write_sequencer_config(d: dict) -> None:
    from eth_account import Account
    if SEQ_DIR.exists():
        shutil.rmtree(SEQ_DIR)
    signer = Account.from_key(signer_key()).address
    emeth("sequencer", "init", "--dir", str(SEQ_DIR), "--chain-id", str(CHAIN_ID), "--rollup", d["rollup"],
          "--signer", signer, "--verifier", DEV_ACCOUNTS[VERIFIER][0], "--splitter", DEV_ACCOUNTS[SPLITTER][0],
          "--aggregator", DEV_ACCOUNTS[AGGREGATOR][0], "--min-fuel-price", "1gholon")
    path = SEQ_DIR / "emeth.toml"
    text = path.read_text()
    for section, key, value in [
        ("sequencer", "listen", f"127.0.0.1:{L2_PORT}"),
        ("sealing", "max_txs", MAX_TXS),
        ("sealing", "block_time_ms", BLOCK_TIME_MS),
        ("api", "token", d["token"]),
        ("api", "send_rate", SEND_RATE),
        ("api", "send_burst", 2 * SEND_RATE),
        ("l1", "rpc_url", l1_url()),
        ("l1", "confirmations", 1),
        ("bridge", "enabled", True),
        ("bridge", "deployment", str(DEPLOYMENT)),
        ("bridge", "data_dir", ""),
        ("bridge", "confirmations", 1),
    ] + ([] if POSTER == "defaults" else [
        ("bridge", "min_bytes", 0),
        ("bridge", "max_age_ms", 2000),
        ("bridge", "max_blocks", POSTER_MAX_BLOCKS),
    ]) + ([("bridge", "max_backlog_bytes", int(MAX_BACKLOG))] if MAX_BACKLOG else []) + ([("api", "ws_queue", WS_QUEUE)] if WS_QUEUE else []):
        text = set_toml(text, section, key, value)
    path.write_text(text)


def write_ha_configs(endpoints: str) -> None:
    """HA mode: node 1's emeth.toml gets an [ha] section, and node 2 a copy of it with its own
    port, node id and data (the genesis file is node 1's); a node named in LOCALNET_NODE_L1
    reaches L1 at that URL."""
    base = (SEQ_DIR / "emeth.toml").read_text()
    for k in range(1, HA_NODES + 1):
        text = base
        if k > 1:
            if seq_dir(k).exists():
                shutil.rmtree(seq_dir(k))
            seq_dir(k).mkdir(parents=True)
            text = set_toml(text, "sequencer", "listen", f"127.0.0.1:{seq_port(k)}")
            text = set_toml(text, "sequencer", "genesis", str(SEQ_DIR / "genesis.json"))
        for key, value in [("enabled", True), ("etcd", NODE_ETCD[k - 1] if len(NODE_ETCD) >= k else endpoints),
                           ("node_id", f"node-{k}"), ("lease_ttl_ms", 2000)]:
            text = set_toml(text, "ha", key, value)
        if len(NODE_L1) >= k and NODE_L1[k - 1]:
            text = set_toml(text, "l1", "rpc_url", NODE_L1[k - 1])
        (seq_dir(k) / "emeth.toml").write_text(text)


def etcd_cluster(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "etcd-cluster"), *args], capture_output=True, text=True)


def etcd_endpoints() -> str:
    try:
        values = dict(line.split("=", 1) for line in (ETCD_DIR / "env").read_text().splitlines() if "=" in line)
        return values["ETCD_ENDPOINTS"]
    except (OSError, KeyError):
        return ""


def start_etcd() -> str:
    """The three-member etcd cluster (scripts/etcd-cluster), started unless it runs; installs
    etcd through scripts/setup first if it is missing. Returns its client URLs."""
    if not shutil.which("etcd") and not os.environ.get("ETCD_BIN"):
        say("etcd is not installed: installing it (scripts/setup, Debian package etcd-server)")
        if subprocess.run(["bash", str(ROOT / "scripts" / "setup")]).returncode != 0 or not shutil.which("etcd"):
            raise Fail("installing etcd failed (scripts/setup); install the Debian package etcd-server")
    if (ETCD_DIR / "cluster.json").exists() and etcd_cluster("status", str(ETCD_DIR)).returncode != 0:
        # A member stopped (killed, or the machine restarted): bring each back on its data.
        for m in range(3):
            r = etcd_cluster("start", str(ETCD_DIR), str(m))
            if r.returncode != 0:
                raise Fail(f"restarting etcd member {m} failed:\n{r.stderr.strip()}")
    elif not (ETCD_DIR / "cluster.json").exists():
        args = ["up", str(ETCD_DIR), "--members", "3"] + (["--base-port", str(ETCD_BASE_PORT)] if ETCD_BASE_PORT else [])
        r = etcd_cluster(*args)
        if r.returncode != 0:
            raise Fail(f"starting the etcd cluster failed:\n{r.stderr.strip()}")
    return etcd_endpoints()


def start_sequencer(k: int = 1) -> int:
    require_port(seq_port(k), f"L2 JSON-RPC port of {seq_name(k)}", "LOCALNET_L2_PORT")
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    env = {k2: v for k2, v in os.environ.items() if not k2.startswith("EMETH_")}
    env["EMETH_SIGNER_PRIVATE_KEY"] = signer_key()
    env["EMETH_SEQUENCER_PRIVATE_KEY"] = DEV_ACCOUNTS[SEQUENCER][1]
    what, log_path = seq_name(k), seq_log(k)
    with open(log_path, "ab") as log:
        log.write(f"\n=== localnet: starting {what} at {time.strftime('%Y-%m-%d %H:%M:%S')} ===\n".encode())
        proc = subprocess.Popen([emeth_bin(), "sequencer", "run", "--config", str(seq_dir(k) / "emeth.toml")],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, cwd=seq_dir(k),
                                start_new_session=True)
    seq_pid_file(k).write_text(f"{proc.pid}\n")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            seq_pid_file(k).unlink(missing_ok=True)
            raise Fail(f"{what} exited during startup (code {proc.returncode})\n{log_tail(log_path)}")
        if health(seq_url(k)):
            return proc.pid
        time.sleep(0.2)
    stop(proc.pid, what)
    seq_pid_file(k).unlink(missing_ok=True)
    raise Fail(f"{what} did not answer GET /health within 60 s\n{log_tail(log_path)}")


def start_sequencers() -> list[int]:
    """Every sequencer node that does not run (in HA mode the first one up is elected)."""
    started = []
    for k in seq_nodes():
        if sequencer_pid(k) is None:
            pid = start_sequencer(k)
            started.append(k)
            if ha_mode():
                say(f"sequencer node {k} (pid {pid}) at {seq_url(k)}, {(health(seq_url(k)) or {}).get('role', 'starting')}")
    return started


# --- followers ------------------------------------------------------------------------------

def follower_dir(k: int) -> Path:
    return DIR / f"follower-{k}"


def follower_port(k: int) -> int:
    return L2_PORT + len(seq_nodes()) - 1 + k


def follower_url(k: int) -> str:
    return f"http://127.0.0.1:{follower_port(k)}"


def follower_pid_file(k: int) -> Path:
    return DIR / f"follower-{k}.pid"


def follower_log(k: int) -> Path:
    return LOG_DIR / f"follower-{k}.log"


def follower_pid(k: int) -> int | None:
    """Follower k's pid if it runs (its command line names its data directory)."""
    try:
        pid = int(follower_pid_file(k).read_text().strip())
    except (OSError, ValueError):
        return None
    if not alive(pid):
        return None
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if b"follower" not in cmd or str(follower_dir(k) / "data").encode() not in cmd:
            return None
    except OSError:
        pass
    return pid


def known_followers() -> list[int]:
    """The followers this state directory has had (by their pid files or data)."""
    ks = {int(m.group(1)) for p in DIR.glob("follower-*") if (m := re.fullmatch(r"follower-(\d+)(\.pid)?", p.name))}
    return sorted(ks)


def start_follower(k: int) -> int:
    """Starts follower k (`emeth follower run`) against the sequencer, auditing L1 too."""
    require_port(follower_port(k), f"port of follower {k} (after the sequencer's)", "LOCALNET_L2_PORT")
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    follower_dir(k).mkdir(parents=True, exist_ok=True)
    env = {k2: v for k2, v in os.environ.items() if not k2.startswith("EMETH_")}
    args = [emeth_bin(), "follower", "run", "--leader", l2_url(), "--data", str(follower_dir(k) / "data"),
            "--genesis", str(SEQ_DIR / "genesis.json"), "--listen", f"127.0.0.1:{follower_port(k)}",
            "--l1", l1_url(), "--deployment", str(DEPLOYMENT), "--confirmations", "1", "--poll-ms", "100",
            "--send-rate", str(SEND_RATE), "--send-burst", str(2 * SEND_RATE)]
    with open(follower_log(k), "ab") as log:
        log.write(f"\n=== localnet: starting follower {k} at {time.strftime('%Y-%m-%d %H:%M:%S')} ===\n".encode())
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, cwd=follower_dir(k),
                                start_new_session=True)
    follower_pid_file(k).write_text(f"{proc.pid}\n")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            follower_pid_file(k).unlink(missing_ok=True)
            raise Fail(f"follower {k} exited during startup (code {proc.returncode})\n{log_tail(follower_log(k))}")
        if health(follower_url(k)):
            return proc.pid
        time.sleep(0.2)
    stop(proc.pid, f"follower {k}")
    follower_pid_file(k).unlink(missing_ok=True)
    raise Fail(f"follower {k} did not answer GET /health within 60 s\n{log_tail(follower_log(k))}")


def start_followers(n: int) -> list[int]:
    """Followers 1…n, each started unless it runs already."""
    running = []
    for k in range(1, n + 1):
        pid = follower_pid(k)
        if pid is None:
            pid = start_follower(k)
            say(f"follower {k} (pid {pid}) at {follower_url(k)}, following {l2_url()}")
        running.append(k)
    return running


def stop_followers() -> None:
    for k in known_followers():
        pid = follower_pid(k)
        if pid:
            stop(pid, f"follower {k}")
            say(f"follower {k} (pid {pid}) stopped")
        follower_pid_file(k).unlink(missing_ok=True)


def write_env(d: dict, followers: list[int]) -> None:
    from eth_account import Account
    signer = Account.from_key(signer_key())
    key = lambda i: DEV_ACCOUNTS[i][1]  # noqa: E731
    lines = [
        "# EMETH localnet (scripts/localnet up). Development keys: public, NEVER use them on a real network.",
        "# Roles: dev 0 owner, dev 1 sequencer (L1 commits), dev 2 guardian, dev 3..6 users",
        "# (requesters and nodes; EMT and ETH on L1), dev 7 verifier, dev 8 splitter, dev 9 aggregator;",
        "# the Signer key is keccak256(\"EMETH localnet signer\"). Source it: set -a; . .localnet/env; set +a",
        f"L1_RPC_URL={l1_url()}",
        f"L2_RPC_URL={l2_url()}",
        "# Every sequencer node's API (two with --ha: send to any, a standby forwards to the leader).",
        f"L2_RPC_URLS={','.join(seq_url(k) for k in seq_nodes())}",
        "# The etcd cluster the sequencer nodes elect their leader in (--ha only).",
        f"ETCD_ENDPOINTS={etcd_endpoints() if ha_mode() else ''}",
        "# Read replicas (scripts/localnet up --followers N): the same API, transactions forwarded to L2_RPC_URL.",
        f"FOLLOWER_RPC_URLS={','.join(follower_url(k) for k in followers)}",
        f"CHAIN_ID={CHAIN_ID}",
        f"ROLLUP_ADDRESS={d['rollup']}",
        f"TOKEN_ADDRESS={d['token']}",
        f"DEPLOYMENT_FILE={DEPLOYMENT}",
        f"SEQUENCER_CONFIG={SEQ_DIR / 'emeth.toml'}",
        f"SEQUENCER_LOG={SEQ_LOG}",
        f"EMETH_BIN={emeth_bin()}",
        f"OWNER_KEY={key(OWNER)}",
        f"SEQUENCER_KEY={key(SEQUENCER)}",
        f"GUARDIAN_KEY={key(GUARDIAN)}",
        f"SIGNER_KEY={signer.key.hex() if signer.key.hex().startswith('0x') else '0x' + signer.key.hex()}",
        f"SIGNER_ADDRESS={signer.address}",
        f"VERIFIER_KEY={key(VERIFIER)}",
        f"SPLITTER_KEY={key(SPLITTER)}",
        f"AGGREGATOR_KEY={key(AGGREGATOR)}",
        f"CHALLENGE_PERIOD={CHALLENGE_PERIOD}",
        f"USER_KEYS={','.join(key(i) for i in USERS)}",
        f"USER_ADDRESSES={','.join(DEV_ACCOUNTS[i][0] for i in USERS)}",
        "# For the emeth CLI: EMETH_L1_RPC, EMETH_L2_RPC and EMETH_DEPLOYMENT make --rpc/--l2/--deployment optional.",
        f"EMETH_L1_RPC={l1_url()}",
        f"EMETH_L2_RPC={l2_url()}",
        f"EMETH_DEPLOYMENT={DEPLOYMENT}",
    ]
    ENV_FILE.write_text("\n".join(lines) + "\n")


def stop_etcd() -> None:
    if (ETCD_DIR / "cluster.json").exists():
        etcd_cluster("down", str(ETCD_DIR))


def move_old_state() -> None:
    """The devnet is not running, so its chain is gone: anything L2 built on it goes aside
    (the etcd cluster too: its block log is the old chain's)."""
    stop_etcd()
    old = [p for p in (SEQ_DIR, seq_dir(2), DEPLOYMENT, ENV_FILE, ETCD_DIR, HA_MARKER) if p.exists()] + \
        [follower_dir(k) for k in known_followers() if follower_dir(k).exists()]
    if not old:
        return
    dest = DIR / time.strftime("old-%Y%m%d-%H%M%S")
    dest.mkdir(parents=True, exist_ok=True)
    for p in old:
        shutil.move(str(p), str(dest / p.name))
    say(f"the previous L1 chain is gone (the devnet keeps it in memory); moved the old L2 state to {dest}")


def cmd_up(followers: int, ha: bool) -> int:
    DIR.mkdir(parents=True, exist_ok=True)
    if devnet_running() and DEPLOYMENT.exists() and (SEQ_DIR / "emeth.toml").exists():
        if ha and not ha_mode():
            raise Fail("this localnet runs a single sequencer: run scripts/localnet down (--clean) first to start it with --ha")
        d = json.loads(DEPLOYMENT.read_text())
        if ha_mode():
            start_etcd()
        unhealthy = [k for k in seq_nodes() if sequencer_pid(k) and not health(seq_url(k))]
        if unhealthy:
            k = unhealthy[0]
            raise Fail(f"{seq_name(k)} (pid {sequencer_pid(k)}) runs but does not answer {seq_url(k)}/health; "
                       f"see {seq_log(k)} or run scripts/localnet down")
        stopped = [k for k in seq_nodes() if not sequencer_pid(k)]
        running = [k for k in known_followers() if follower_pid(k)]
        if not stopped and all(follower_pid(k) for k in range(1, followers + 1)):
            pids = ", ".join(f"{sequencer_pid(k)} at {seq_url(k)}" for k in seq_nodes())
            say(f"already running ({'sequencer nodes' if ha_mode() else 'sequencer'} pid {pids}, L1 at {l1_url()}"
                f"{f', {len(running)} followers' if running else ''}); env: {ENV_FILE}")
            return 0
        if stopped:
            say(f"the devnet runs; restarting {', '.join(seq_name(k) for k in stopped)} on existing data")
    else:
        if any(sequencer_pid(k) for k in (1, 2)):
            raise Fail("the sequencer runs without its devnet; run scripts/localnet down first")
        if not devnet_running():
            move_old_state()
            require_port(L1_PORT, "devnet's L1 JSON-RPC port", "LOCALNET_L1_PORT")
        else:
            stop_etcd()  # the devnet runs without a deployment: a new chain, whose log starts empty
            shutil.rmtree(ETCD_DIR, ignore_errors=True)
        HA_MARKER.unlink(missing_ok=True)
        for k in range(1, (HA_NODES if ha else 1) + 1):
            require_port(L2_PORT + k - 1, f"L2 JSON-RPC port of sequencer node {k}" if ha else "sequencer's L2 JSON-RPC port",
                         "LOCALNET_L2_PORT")
        emeth_bin()  # build first, so a build failure leaves nothing running
        if ha:
            say("starting a three-member etcd cluster (scripts/etcd-cluster)")
            endpoints = start_etcd()
            say(f"etcd at {endpoints}")
        say(f"starting the devnet (L1) on {l1_url()}")
        devnet("up", "--quiet")
        d = deploy(l1_url())
        mint(l1_url(), d)
        write_sequencer_config(d)
        if ha:
            HA_MARKER.write_text(f"{HA_NODES}\n")
            write_ha_configs(endpoints)
    start_sequencers()
    if not ha_mode():
        say(f"sequencer (pid {sequencer_pid()}) at {l2_url()}, posting batches to {d['rollup']}; logs in {LOG_DIR}")
    else:
        say(f"sequencer nodes at {', '.join(seq_url(k) for k in seq_nodes())} (the leader posts batches to {d['rollup']}); "
            f"logs in {LOG_DIR}")
    fs = sorted(set(k for k in known_followers() if follower_pid(k)) | set(start_followers(followers)))
    write_env(d, fs)
    say(f"ready: rollup {d['rollup']}, token {d['token']}; env written to {ENV_FILE}")
    return 0


# --- down / status ---------------------------------------------------------------------------

def health_body(url: str) -> dict | None:
    """/health's answer whatever its status (a degraded node says 503, and still its role)."""
    try:
        return http_json(url + "/health", timeout=2)[1]
    except urllib.error.HTTPError as e:
        try:
            return json.load(e)
        except Exception:
            return None
    except Exception:
        return None


def leading_node() -> int | None:
    """The sequencer node whose /health says it leads (without --ha: the sequencer, if it answers)."""
    for k in seq_nodes():
        h = health_body(seq_url(k)) if sequencer_pid(k) else None
        if h and (not ha_mode() or h.get("role") == "leader"):
            return k
    return None


def cmd_down(clean: bool) -> int:
    stop_followers()
    # Standbys first, so stopping the leader hands nothing over.
    lead = leading_node()
    for k in sorted(seq_nodes(), key=lambda k: k == lead):
        pid = sequencer_pid(k)
        if pid:
            stop(pid, seq_name(k), grace=30)
            say(f"{seq_name(k).removeprefix('the ')} (pid {pid}) stopped")
        seq_pid_file(k).unlink(missing_ok=True)
    if (ETCD_DIR / "cluster.json").exists():
        stop_etcd()
        say("etcd cluster stopped")
    if DEVNET_DIR.exists():
        r = devnet("down", check=False)
        say(r.stdout.strip().removeprefix("devnet: ").replace("stopped", "devnet stopped").replace("not running", "devnet not running"))
    if clean and DIR.exists():
        shutil.rmtree(DIR)
        say(f"removed {DIR}")
    elif DIR.exists():
        say(f"state kept in {DIR} (scripts/localnet down --clean removes it)")
    return 0


def cmd_status() -> int:
    dev = devnet("status", check=False) if DEVNET_DIR.exists() else None
    dev_up = dev is not None and dev.returncode == 0
    print(dev.stdout.strip() if dev and dev.stdout.strip() else (dev.stderr.strip() if dev else "devnet: stopped"))
    etcd_up = True
    if ha_mode():
        r = etcd_cluster("status", str(ETCD_DIR))
        etcd_up = r.returncode == 0
        print("etcd: " + ("running" if etcd_up else "not (fully) running") + "".join(f"\n  {line}" for line in r.stdout.splitlines()))
    pids = []
    for k in seq_nodes():
        pid = sequencer_pid(k)
        pids.append(pid)
        name = "sequencer" if not ha_mode() else f"sequencer node {k}"
        if pid:
            h = health_body(seq_url(k))
            if h:
                role = f", {h.get('role')}" if ha_mode() else ""
                print(f"{name}: running (pid {pid}) at {seq_url(k)}{role}, head block {h.get('head')}")
            else:
                print(f"{name}: running (pid {pid}) but not answering at {seq_url(k)}/health")
        else:
            print(f"{name}: stopped")
    for k in known_followers():
        fpid = follower_pid(k)
        h = health(follower_url(k)) if fpid else None
        if fpid and h:
            print(f"follower {k}: running (pid {fpid}) at {follower_url(k)}, head block {h.get('head')}, lag {h.get('lagBlocks')}")
        elif fpid:
            print(f"follower {k}: running (pid {fpid}) but not healthy at {follower_url(k)}/health")
        else:
            print(f"follower {k}: stopped")
    if DEPLOYMENT.exists():
        d = json.loads(DEPLOYMENT.read_text())
        print(f"rollup {d['rollup']}, token {d['token']}, challenge period {d['challengePeriod']} s")
    if ENV_FILE.exists():
        print(f"env: {ENV_FILE}")
    if dev_up and etcd_up and all(pids):
        return 0
    return 3 if not dev_up and not any(pids) else 1


def cmd_leader() -> int:
    k = leading_node()
    if k is None:
        print("localnet: no sequencer node leads (see scripts/localnet status)", file=sys.stderr)
        return 3
    print(f"{seq_url(k)} {sequencer_pid(k)}")
    return 0


def main(argv: list[str]) -> int:
    usage = "usage: scripts/localnet up [--ha] [--followers N] | down [--clean] | status | leader"
    followers, ha = FOLLOWERS, False
    if argv[:1] == ["up"]:
        rest, argv = argv[1:], argv[:1]
        while rest:
            if rest[0] == "--ha":
                ha, rest = True, rest[1:]
            elif rest[0] == "--followers" and len(rest) > 1 and rest[1].isdigit():
                followers, rest = int(rest[1]), rest[2:]
            else:
                print(usage, file=sys.stderr)
                return 2
    if not argv or argv[0] not in ("up", "down", "status", "leader") or (argv[0] != "down" and len(argv) > 1) \
            or (argv[0] == "down" and argv[1:] not in ([], ["--clean"])):
        print(usage, file=sys.stderr)
        return 2
    if POSTER not in ("quick", "defaults"):
        print(f"localnet: LOCALNET_POSTER must be quick or defaults, not {POSTER!r}", file=sys.stderr)
        return 2
    try:
        if argv[0] == "up":
            return cmd_up(followers, ha)
        if argv[0] == "down":
            return cmd_down("--clean" in argv)
        if argv[0] == "leader":
            return cmd_leader()
        return cmd_status()
    except Fail as e:
        print(f"localnet: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
