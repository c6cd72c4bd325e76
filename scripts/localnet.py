"""The one-command local network: the py-evm devnet (L1), the deployed contracts, and
`emeth sequencer run` with the inbox watcher and the batch poster in-process (L2).

    scripts/localnet up [--followers N]
                                    start everything (idempotent), write $LOCALNET_DIR/env; with
                                    N followers (read replicas, `emeth follower run`) on the
                                    ports after the sequencer's, listed in FOLLOWER_RPC_URLS
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
    LOCALNET_WS_QUEUE          WebSocket messages a subscriber may leave unread before it is
                               dropped (default: the node's, 4096)
    EMETH_BIN                  the emeth executable (default .build/release/emeth, built if
                               missing)

Roles (development keys of scripts/devnet_rpc/accounts.py, public: devnets only):
    dev 0 owner (deploys, mints EMT)    dev 1 sequencer (commits batches on L1)
    dev 2 guardian                      dev 3..6 users (requesters and nodes)
    dev 7 verifier                      dev 8 splitter          dev 9 aggregator
    Signer: keccak256("EMETH localnet signer") (blocks and tickets)
Dev 3..9 get LOCALNET_MINT EMT each on L1 (default 1,000,000) and their 10,000 ETH.

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


def sequencer_pid() -> int | None:
    """Our sequencer's pid if it runs (checks the command line: a recycled pid is not ours)."""
    try:
        pid = int(SEQ_PID.read_text().strip())
    except (OSError, ValueError):
        return None
    if not alive(pid):
        return None
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if b"sequencer" not in cmd or str(SEQ_DIR / "emeth.toml").encode() not in cmd:
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
        ("bridge", "max_blocks", 200),
    ]) + ([("bridge", "max_backlog_bytes", int(MAX_BACKLOG))] if MAX_BACKLOG else []) + ([("api", "ws_queue", WS_QUEUE)] if WS_QUEUE else []):
        text = set_toml(text, section, key, value)
    path.write_text(text)


def start_sequencer() -> int:
    require_port(L2_PORT, "sequencer's L2 JSON-RPC port", "LOCALNET_L2_PORT")
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMETH_")}
    env["EMETH_SIGNER_PRIVATE_KEY"] = signer_key()
    env["EMETH_SEQUENCER_PRIVATE_KEY"] = DEV_ACCOUNTS[SEQUENCER][1]
    with open(SEQ_LOG, "ab") as log:
        log.write(f"\n=== localnet: starting the sequencer at {time.strftime('%Y-%m-%d %H:%M:%S')} ===\n".encode())
        proc = subprocess.Popen([emeth_bin(), "sequencer", "run", "--config", str(SEQ_DIR / "emeth.toml")],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, cwd=SEQ_DIR,
                                start_new_session=True)
    SEQ_PID.write_text(f"{proc.pid}\n")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            SEQ_PID.unlink(missing_ok=True)
            raise Fail(f"the sequencer exited during startup (code {proc.returncode})\n{log_tail(SEQ_LOG)}")
        if health(l2_url()):
            return proc.pid
        time.sleep(0.2)
    stop(proc.pid, "the sequencer")
    SEQ_PID.unlink(missing_ok=True)
    raise Fail(f"the sequencer did not answer GET /health within 60 s\n{log_tail(SEQ_LOG)}")


# --- followers ------------------------------------------------------------------------------

def follower_dir(k: int) -> Path:
    return DIR / f"follower-{k}"


def follower_port(k: int) -> int:
    return L2_PORT + k


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
    require_port(follower_port(k), f"port of follower {k} (the sequencer's + {k})", "LOCALNET_L2_PORT")
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


def move_old_state() -> None:
    """The devnet is not running, so its chain is gone: anything L2 built on it goes aside."""
    old = [p for p in (SEQ_DIR, DEPLOYMENT, ENV_FILE) if p.exists()] + [follower_dir(k) for k in known_followers()
                                                                          if follower_dir(k).exists()]
    if not old:
        return
    dest = DIR / time.strftime("old-%Y%m%d-%H%M%S")
    dest.mkdir(parents=True, exist_ok=True)
    for p in old:
        shutil.move(str(p), str(dest / p.name))
    say(f"the previous L1 chain is gone (the devnet keeps it in memory); moved the old L2 state to {dest}")


def cmd_up(followers: int) -> int:
    DIR.mkdir(parents=True, exist_ok=True)
    if devnet_running() and DEPLOYMENT.exists() and (SEQ_DIR / "emeth.toml").exists():
        pid = sequencer_pid()
        if pid and health(l2_url()):
            running = [k for k in known_followers() if follower_pid(k)]
            if all(follower_pid(k) for k in range(1, followers + 1)):
                say(f"already running (sequencer pid {pid} at {l2_url()}, L1 at {l1_url()}"
                    f"{f', {len(running)} followers' if running else ''}); env: {ENV_FILE}")
                return 0
            fs = sorted(set(running) | set(start_followers(followers)))
            write_env(json.loads(DEPLOYMENT.read_text()), fs)
            say(f"followers at {', '.join(follower_url(k) for k in fs)}; env: {ENV_FILE}")
            return 0
        if pid:
            raise Fail(f"the sequencer (pid {pid}) runs but does not answer {l2_url()}/health; "
                       f"see {SEQ_LOG} or run scripts/localnet down")
        say("the devnet runs; restarting the sequencer on its existing data")
        d = json.loads(DEPLOYMENT.read_text())
    else:
        if sequencer_pid():
            raise Fail("the sequencer runs without its devnet; run scripts/localnet down first")
        if not devnet_running():
            move_old_state()
            require_port(L1_PORT, "devnet's L1 JSON-RPC port", "LOCALNET_L1_PORT")
        require_port(L2_PORT, "sequencer's L2 JSON-RPC port", "LOCALNET_L2_PORT")
        emeth_bin()  # build first, so a build failure leaves nothing running
        say(f"starting the devnet (L1) on {l1_url()}")
        devnet("up", "--quiet")
        d = deploy(l1_url())
        mint(l1_url(), d)
        write_sequencer_config(d)
    pid = start_sequencer()
    say(f"sequencer (pid {pid}) at {l2_url()}, posting batches to {d['rollup']}; logs in {LOG_DIR}")
    write_env(d, start_followers(followers))
    say(f"ready: rollup {d['rollup']}, token {d['token']}; env written to {ENV_FILE}")
    return 0


# --- down / status ---------------------------------------------------------------------------

def cmd_down(clean: bool) -> int:
    stop_followers()
    pid = sequencer_pid()
    if pid:
        stop(pid, "the sequencer", grace=30)
        say(f"sequencer (pid {pid}) stopped")
    SEQ_PID.unlink(missing_ok=True)
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
    pid = sequencer_pid()
    if pid:
        h = health(l2_url())
        if h:
            print(f"sequencer: running (pid {pid}) at {l2_url()}, head block {h.get('head')}")
        else:
            print(f"sequencer: running (pid {pid}) but not answering at {l2_url()}/health")
    else:
        print("sequencer: stopped")
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
    if dev_up and pid:
        return 0
    return 3 if not dev_up and not pid else 1


def main(argv: list[str]) -> int:
    usage = "usage: scripts/localnet up [--followers N] | down [--clean] | status"
    followers = FOLLOWERS
    if argv[:1] == ["up"] and len(argv) == 3 and argv[1] == "--followers" and argv[2].isdigit():
        followers = int(argv[2])
        argv = argv[:1]
    if not argv or argv[0] not in ("up", "down", "status") or (argv[0] != "down" and len(argv) > 1) \
            or (argv[0] == "down" and argv[1:] not in ([], ["--clean"])):
        print(usage, file=sys.stderr)
        return 2
    if POSTER not in ("quick", "defaults"):
        print(f"localnet: LOCALNET_POSTER must be quick or defaults, not {POSTER!r}", file=sys.stderr)
        return 2
    try:
        if argv[0] == "up":
            return cmd_up(followers)
        if argv[0] == "down":
            return cmd_down("--clean" in argv)
        return cmd_status()
    except Fail as e:
        print(f"localnet: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
