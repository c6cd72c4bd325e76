#!/usr/bin/env python3
"""EMETH devnet: a real local L1 - Ethereum JSON-RPC 2.0 over HTTP on 127.0.0.1, backed by py-evm.

No geth/anvil binary can be installed on our machines, so tests and the demo talk
to this server instead. It speaks standard JSON-RPC only - nothing in the Swift code may rely
on it being anything but "an Ethereum endpoint".

    .venv/bin/python scripts/devnet_server.py [--port 8545] [--block-time 0] ...
    scripts/devnet up | down | status            (background service; see that script)

Options: --port (default $DEVNET_PORT, else 8545; 0 picks a free port), --ready-file PATH
(receives the URL once listening), --chain-id (31337), --block-time SECONDS (0 = automine:
every transaction mined in its own block at once; N > 0 = a block every N seconds with all
pending transactions, empty or not), --finality-depth N (2: "safe" and "finalized" trail
"latest" by N blocks), --accounts N (10), --balance ETH (10000), --quiet, --print-accounts.

Development accounts (PUBLIC keys, never use them elsewhere): the Hardhat/Anvil accounts of
the mnemonic "test test test test test test test test test test test junk", e.g.
    0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266  0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
    0x70997970C51812dc3A010C7d01b50e0d17dc79C8  0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d
The full list is `DEV_ACCOUNTS` in devnet_rpc/accounts.py; `--print-accounts` prints it as JSON.

Methods: the standard eth_/net_/web3_ set a client needs (chainId, blockNumber, getBalance,
getTransactionCount incl. "pending", gasPrice, maxPriorityFeePerGas, feeHistory, estimateGas,
call, sendRawTransaction (legacy, EIP-155, EIP-2930, EIP-1559), sendTransaction (dev accounts),
getTransactionByHash, getTransactionReceipt, getBlockByNumber/ByHash (latest, earliest, pending,
safe, finalized, numbers), getBlockReceipts, getLogs, getCode, getStorageAt, accounts, syncing)
and the hardhat-style test helpers evm_snapshot (-> id), evm_revert(id) (-> bool; consumes
that snapshot and later ones), evm_mine([timestamp]) (one block with all pending txs),
evm_increaseTime(seconds) (the next block is at least that much after the head; -> the total
offset as a quantity), evm_setAutomine(bool), evm_setNextBlockTimestamp(ts),
evm_setIntervalMining(ms) (0 stops interval mining, N > 0 mines a block every N ms; returns
once a block being mined is done, so nothing is mined after a 0 is answered), and
txpool_status.

Fault injection for tests (not standard; no client needs them): devnet_failNextRequests(n,
[mode]) makes the next n requests fail - mode "http503" (default) answers HTTP 503, "drop"
closes the connection without an answer - and devnet_faultStatus answers {"remaining",
"failed"}: faults still armed and requests failed so far. devnet_* requests never fail. `python -m devnet_rpc.methods` (from scripts/) lists every method.

Known differences from geth (see also devnet_rpc/node.py):
- "pending" state (balance, code, eth_call) is the latest state; only eth_getTransactionCount
  and eth_getBlockByNumber("pending") look at the pool, and the pending block is not executed.
- A transaction whose fee cap is below the next block's base fee is rejected (anvil does the
  same) instead of waiting in the pool for the base fee to drop.
- Transactions that stop validating while pooled (e.g. the sender's balance was spent) are
  dropped when a block is built, not kept as geth would.
- Legacy transactions without EIP-155 replay protection are accepted (hardhat/anvil do; geth
  refuses them over RPC by default). Blob (type 3) and set-code (type 4) transactions are not
  supported. There are no filters/subscriptions (eth_newFilter, websockets).
- evm_revert is a reorg without resurrection: transactions of the dropped blocks do not go back
  to the pool (geth re-injects them after a real reorg); the pool is restored as it was at the
  snapshot, as hardhat does. Clients must re-send what was dropped.
- Blocks are built without the EIP-4788/2935 system calls and withdrawals; timestamps move at
  least 1 s per block, so a burst of automined transactions runs chain time ahead of the wall
  clock (as in hardhat).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from devnet_rpc import secp256k1  # noqa: E402

FAST_ECC = secp256k1.install()  # before any signature work: ~100x faster sender recovery

from devnet_rpc.accounts import dev_accounts  # noqa: E402
from devnet_rpc import codec  # noqa: E402
from devnet_rpc.methods import Dispatcher, opt, req, rpc  # noqa: E402
from devnet_rpc.node import Node  # noqa: E402

HOST = "127.0.0.1"  # loopback only, by design: dev keys are public
MAX_BODY = 5 * 1024 * 1024  # geth's HTTP body limit
IDLE_TIMEOUT = 120  # seconds a kept-alive connection may idle before its thread is freed

_log_lock = threading.Lock()


def log(msg: str) -> None:
    stamp = time.strftime("%H:%M:%S") + f".{int(time.time() * 1000) % 1000:03d}"
    with _log_lock:
        sys.stderr.write(f"{stamp} {msg}\n")
        sys.stderr.flush()


class Control:
    """What tests steer beside the chain: the interval miner's period and injected faults."""

    FAULT_MODES = ("http503", "drop")

    def __init__(self, period: float):
        self.lock = threading.Lock()     # held while the interval miner mines
        self.changed = threading.Event()
        self.period = period
        self.fail_remaining = 0
        self.fail_mode = "http503"
        self.failed = 0

    def set_interval(self, ms: int) -> bool:
        with self.lock:  # waits for a block being mined
            self.period = ms / 1000
        self.changed.set()
        return True

    def fail_next(self, n: int, mode: str) -> bool:
        if mode not in self.FAULT_MODES:
            raise codec.invalid_params(f"invalid mode: expected one of {', '.join(self.FAULT_MODES)}")
        with self.lock:
            self.fail_remaining, self.fail_mode = n, mode
        return True

    def take_fault(self) -> str | None:
        with self.lock:
            if self.fail_remaining <= 0:
                return None
            self.fail_remaining -= 1
            self.failed += 1
            return self.fail_mode

    def status(self) -> dict:
        with self.lock:
            return {"remaining": codec.q(self.fail_remaining), "failed": codec.q(self.failed)}


def _mode(value, where):
    if not isinstance(value, str):
        raise codec.invalid_params(f"invalid {where}: expected a string")
    return value


rpc("evm_setIntervalMining", req(codec.parse_quantity))(lambda n, ms: n.control.set_interval(ms))
rpc("devnet_failNextRequests", req(codec.parse_quantity), opt(_mode, "http503"))(lambda n, k, mode: n.control.fail_next(k, mode))
rpc("devnet_faultStatus")(lambda n: n.control.status())


class RPCHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive: clients reuse one connection for many calls."""

    protocol_version = "HTTP/1.1"
    server_version = "emeth-devnet"
    sys_version = ""
    timeout = IDLE_TIMEOUT

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY, Nagle + delayed ACK
        # would stall every response ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self) -> None:
        started = time.perf_counter()
        body = self._read_body()
        if body is None:
            return
        if b'"devnet_' not in body:
            fault = self.server.control.take_fault()
            if fault == "http503":
                self._send(503, b'{"error":"injected fault (devnet_failNextRequests)"}')
                return
            if fault == "drop":
                self.close_connection = True
                return
        response, summary = self.server.dispatcher.handle_body(body)
        self._send(200, response or b"")
        if not self.server.quiet:
            log(f"{summary} ({(time.perf_counter() - started) * 1000:.1f} ms)")

    def do_GET(self) -> None:
        self._send(405, b'{"error":"JSON-RPC: send POST requests"}', {"Allow": "POST"})

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks, total = [], 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    self._too_large()
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            self._send(400, b'{"error":"bad Content-Length"}')
            self.close_connection = True
            return None
        if length > MAX_BODY:
            self._too_large()
            return None
        return self.rfile.read(length)

    def _too_large(self) -> None:
        self._send(413, b'{"error":"request body too large"}')
        self.close_connection = True

    def _send(self, code: int, body: bytes, headers: dict | None = None) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format, *args) -> None:  # noqa: A002 - we log requests ourselves
        pass


class DevnetHTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a stuck or idle kept-alive client never blocks shutdown
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout)):
            return
        log("connection error:\n" + traceback.format_exc())


def interval_miner(node: Node, control: Control, stop: threading.Event, quiet: bool) -> None:
    """--block-time / evm_setIntervalMining: a block every `control.period` seconds with whatever
    is pending (geth --dev.period); idle while the period is 0. A new period restarts the schedule."""
    deadline = None
    while not stop.is_set():
        period = control.period
        if period <= 0:
            deadline = None
            control.changed.wait(0.5)
            control.changed.clear()
            continue
        if deadline is None:
            deadline = time.monotonic() + period
        if control.changed.wait(max(0.0, deadline - time.monotonic())):
            control.changed.clear()
            deadline = None
            continue
        with control.lock:
            if stop.is_set() or control.period != period:
                continue
            try:
                rec = node.mine()
                if not quiet and rec.txs:
                    log(f"mined block {rec.number} with {len(rec.txs)} txs")
            except Exception:
                log("interval mining failed:\n" + traceback.format_exc())
        deadline = max(deadline + period, time.monotonic())


def parse_args(argv):
    p = argparse.ArgumentParser(description="EMETH devnet: Ethereum JSON-RPC over py-evm on 127.0.0.1")
    p.add_argument("--port", type=int, default=None,
                   help="TCP port (default $DEVNET_PORT or 8545; 0 = any free port)")
    p.add_argument("--ready-file", help="write the URL here once listening")
    p.add_argument("--chain-id", type=int, default=31337)
    p.add_argument("--block-time", type=float, default=0.0,
                   help="0 = automine (one block per tx); N = mine pending txs every N seconds")
    p.add_argument("--finality-depth", type=int, default=2, help="'safe'/'finalized' = latest - N")
    p.add_argument("--accounts", type=int, default=10, help="prefunded development accounts")
    p.add_argument("--balance", type=float, default=10000.0, help="ETH per development account")
    p.add_argument("--gas-limit", type=int, default=30_000_000, help="block gas limit")
    p.add_argument("--quiet", action="store_true", help="do not log every request")
    p.add_argument("--print-accounts", action="store_true",
                   help="print the development accounts (address, private key) as JSON and exit")
    args = p.parse_args(argv)
    if args.port is None:
        env_port = os.environ.get("DEVNET_PORT") or "8545"
        if not env_port.isdigit():
            p.error(f"DEVNET_PORT must be a port number, not {env_port!r}")
        args.port = int(env_port)
    if not 0 <= args.port <= 65535:
        p.error("--port must be 0..65535")
    if args.block_time < 0 or args.finality_depth < 0 or args.accounts < 0 or args.balance < 0:
        p.error("--block-time, --finality-depth, --accounts and --balance must not be negative")
    return args


def write_ready_file(path: str, url: str) -> None:
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(url + "\n")
    os.replace(tmp, path)  # readers never see a half-written file


def main(argv=None) -> int:
    args = parse_args(argv)
    accounts = dev_accounts(args.accounts)
    if args.print_accounts:
        print(json.dumps([{"address": a, "privateKey": k} for a, k in accounts], indent=2))
        return 0

    addresses = [bytes.fromhex(a[2:]) for a, _ in accounts]
    node = Node(args.chain_id, addresses, int(args.balance * 10**18),
                finality_depth=args.finality_depth, automine=args.block_time == 0,
                gas_limit=args.gas_limit,
                dev_keys={a: bytes.fromhex(k[2:]) for a, (_, k) in zip(addresses, accounts)},
                log=log)
    try:
        server = DevnetHTTPServer((HOST, args.port), RPCHandler)
    except OSError as e:
        log(f"cannot listen on {HOST}:{args.port}: {e.strerror or e}")
        return 1
    control = Control(args.block_time)
    node.control = control
    server.dispatcher = Dispatcher(node, log)
    server.control = control
    server.quiet = args.quiet
    url = f"http://{HOST}:{server.server_address[1]}"

    stop = threading.Event()
    threading.Thread(target=interval_miner, args=(node, control, stop, args.quiet),
                     name="miner", daemon=True).start()

    def shutdown(signum, _frame):
        log(f"{signal.Signals(signum).name}: shutting down")
        stop.set()
        control.changed.set()
        threading.Thread(target=server.shutdown, daemon=True).start()  # not from serve_forever's thread

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)

    mode = "automine" if args.block_time == 0 else f"block time {args.block_time:g} s"
    log(f"emeth devnet listening on {url} (chain id {args.chain_id}, {mode}, finality depth "
        f"{args.finality_depth}, {len(accounts)} accounts x {args.balance:g} ETH, "
        f"{'libsecp256k1' if FAST_ECC else 'pure-python ECDSA (slow)'})")
    if args.ready_file:
        write_ready_file(args.ready_file, url)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        stop.set()
        server.server_close()
        if args.ready_file:
            try:
                os.unlink(args.ready_file)
            except FileNotFoundError:
                pass
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
