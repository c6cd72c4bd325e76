"""The HTTP client's transport: JSON-RPC framing, batches split at 100, errors mapped to their
classes, notifications, receipts awaited. Against a small JSON-RPC server run in the test (real
HTTP on a loopback port); every method against the real sequencer is in test_end_to_end.py."""
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from emeth_sdk import (Batch, Client, InvalidSignature, LimitExceeded, NonceError, ReceiptTimeout, Refused, RPCError,
                       TransportError, Unavailable, WrongDomain)
from emeth_sdk.errors import InvalidParams, MethodNotFound, Stopped


class Server:
    """Answers each request from `self.answer(method, params)`, records what it received."""

    def __init__(self):
        self.received, self.batches, self.raw = [], [], None
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if outer.raw is not None:
                    return self.reply(200, outer.raw)
                items = body if isinstance(body, list) else [body]
                outer.batches.append(len(items))
                out = []
                for req in items:
                    outer.received.append(req)
                    if "id" not in req:
                        continue
                    kind, value = outer.answer(req["method"], req["params"])
                    out.append({"jsonrpc": "2.0", "id": req["id"], kind: value})
                if not out:
                    return self.reply(204, b"")
                self.reply(200, json.dumps(out if isinstance(body, list) else out[0]).encode())

            def do_GET(self):
                self.reply(200, b'{"status":"ok","head":3}' if self.path == "/health" else b"emeth_up 1\n")

            def reply(self, code, data):
                self.send_response(code)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def answer(self, method, params):
        if method == "emeth_listJobs":
            return "result", {"jobs": [], "cursor": None}
        if method == "emeth_listBatches":
            return "result", {"batches": [{"index": "0x3", "firstBlock": "0x9", "lastBlock": "0xc", "status": "committed",
                                           "l1TxHash": "0x" + "ab" * 32}], "challengedAtBatch": None}
        if method == "emeth_getBlockRange":
            return "result", {"format": 2, "from": params[0], "head": "0x9", "blocks": ["0x0102", "0xc0"]}
        return "result", {"method": method, "params": params}


@pytest.fixture
def server():
    s = Server()
    yield s
    s.httpd.shutdown()


def test_request_shape_and_positional_params(server):
    c = Client(server.url)
    assert c.call("emeth_getAccount", "0xabc") == {"method": "emeth_getAccount", "params": ["0xabc"]}
    req = server.received[-1]
    assert set(req) == {"jsonrpc", "id", "method", "params"} and req["jsonrpc"] == "2.0" and isinstance(req["id"], int)
    c.get_block(5, True)
    c.get_state_proof("totals", 7)
    c.list_jobs(status="SUBMITTED", node="0xn", limit=50)
    c.get_settlement_proof("0xa", 3)
    assert [r["params"] for r in server.received[-4:]] == [["0x5", True], ["totals", "0x7"],
                                                           [{"status": 3, "node": "0xn", "limit": 50}], ["0xa", "0x3"]]
    assert c.health() == {"status": "ok", "head": 3} and c.metrics() == "emeth_up 1\n"


API_MD = (Path(__file__).resolve().parents[3] / "docs" / "API.md").read_text()
# Each method of docs/API.md and how the client calls it.
CALLS = {
    "emeth_chainInfo": lambda c: c.call("emeth_chainInfo"),
    "emeth_sendTransaction": lambda c: c.send_transaction({"type": "Withdraw"}, {"from": "0xa"}),
    "emeth_getTransactionReceipt": lambda c: c.get_transaction_receipt("0xh"),
    "emeth_blockNumber": lambda c: c.call("emeth_blockNumber"),
    "emeth_getBlockByNumber": lambda c: c.get_block("latest"),
    "emeth_getBlockRange": lambda c: c.get_block_range(7, 2),
    "emeth_listBatches": lambda c: c.list_batches(5),
    "emeth_getAccount": lambda c: c.call("emeth_getAccount", "0xa"),
    "emeth_getTransactionCount": lambda c: c.call("emeth_getTransactionCount", "0xa", "pending"),
    "emeth_getJob": lambda c: c.get_job("0xj"),
    "emeth_listJobs": lambda c: c.list_jobs(owner="0xa"),
    "emeth_getTicket": lambda c: c.call("emeth_getTicket", "0xa"),
    "emeth_getSettlementProof": lambda c: c.get_settlement_proof("0xa"),
    "emeth_getStateProof": lambda c: c.get_state_proof("totals"),
    "emeth_getTransactionProof": lambda c: c.get_transaction_proof("0xh"),
}
TYPED = {"emeth_chainInfo": "chain_info", "emeth_blockNumber": "block_number", "emeth_getAccount": "get_account",
         "emeth_getTransactionCount": "get_transaction_count", "emeth_getTicket": "get_ticket"}


def test_every_documented_method_has_a_client_method(server):
    documented = re.findall(r"^### (emeth_\w+)", API_MD, re.M)
    assert sorted(documented) == sorted(CALLS)
    for method, call in CALLS.items():
        call(Client(server.url))
        assert server.received[-1]["method"] == method
    for name in TYPED.values():
        assert callable(getattr(Client, name))
    assert server.received[-7]["params"] == ["0xa", "pending"]


def test_list_batches(server):
    assert Client(server.url).list_batches(5) == [Batch(3, 9, 12, "committed", "0x" + "ab" * 32, raw={})]
    assert server.received[-1]["params"] == [5]
    Client(server.url).list_batches()
    assert server.received[-1]["params"] == []


def test_block_range(server):
    r = Client(server.url).get_block_range(7, 2)
    assert server.received[-1]["params"] == ["0x7", "0x2"]
    assert (r.format, r.first, r.head, r.blocks) == (2, 7, 9, [b"\x01\x02", b"\xc0"])
    Client(server.url).get_block_range(3)
    assert server.received[-1]["params"] == ["0x3"]


def test_typed_reads(server):
    answers = {"emeth_blockNumber": "0x2a", "emeth_getTransactionCount": "0x3",
               "emeth_getAccount": {"address": "0xA", "balance": "0xde0b6b3a7640000", "nonce": "0x1", "credit": "0x0"},
               "emeth_getTicket": {"account": "0xA", "credit": "0x5", "blockNumber": "0x9", "signature": "0xs"},
               "emeth_chainInfo": {"chainId": "0x7a69", "rollup": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                                   "domain": {"name": "EMETH L2", "version": "1", "chainId": "0x7a69",
                                              "verifyingContract": "0x5FbDB2315678afecb367f032d93F642f64180aa3"},
                                   "token": None, "signer": "0xS", "sequencer": None, "genesisHash": "0xg",
                                   "genesis": {"params": {"minFuelPrice": "0"}}}}
    server.answer = lambda m, p: ("result", answers[m])
    c = Client(server.url)
    assert c.block_number() == 42
    assert (c.get_transaction_count("0xA"), c.get_nonce("0xA")) == (3, 3)
    assert server.received[-2]["params"] == ["0xA", "latest"] and server.received[-1]["params"] == ["0xA", "pending"]
    a = c.get_account("0xA")
    assert (a.balance, a.nonce, a.credit) == (10**18, 1, 0)
    t = c.get_ticket("0xA")
    assert (t.credit, t.block_number, t.signature) == (5, 9, "0xs")
    info = c.chain_info()
    assert (info.chain_id, info.domain.chain_id, info.genesis["params"]["minFuelPrice"]) == (31337, 31337, "0")
    assert c.domain() == info.domain
    with pytest.raises(ValueError, match=r'^block must be "latest" or "pending", not \'earliest\'$'):
        c.get_transaction_count("0xA", "earliest")


def test_batches_are_split_at_100_and_keep_order(server):
    c = Client(server.url)
    results = c.batch([("m", [i]) for i in range(250)])
    assert server.batches == [100, 100, 50]
    assert [r["params"] for r in results] == [[i] for i in range(250)]


ERRORS = [(-32000, InvalidSignature), (-32001, NonceError), (-32002, WrongDomain), (-32003, LimitExceeded),
          (-32004, Unavailable), (-32005, Stopped), (-32006, Refused), (-32601, MethodNotFound), (-32602, InvalidParams),
          (-32099, RPCError)]


@pytest.mark.parametrize("code,cls", ERRORS)
def test_errors_map_to_their_class(server, code, cls):
    server.answer = lambda m, p: ("error", {"code": code, "message": "why"})
    with pytest.raises(cls) as e:
        Client(server.url).call("emeth_x")
    assert (e.value.code, e.value.message, str(e.value)) == (code, "why", f"emeth_x: error {code}: why")
    assert type(e.value) is cls


def test_refused_names_the_failure_code(server):
    msg = ("the transaction would fail with INSUFFICIENT_BALANCE (10) against the pending state: the balance is too "
           "small; deposit more")
    server.answer = lambda m, p: ("error", {"code": -32006, "message": msg})
    with pytest.raises(Refused) as e:
        Client(server.url).call("emeth_sendTransaction", {})
    assert (e.value.failure, e.value.failure_name) == (10, "INSUFFICIENT_BALANCE")
    server.answer = lambda m, p: ("error", {"code": -32006, "message": "account 0x… holds nothing"})
    with pytest.raises(Refused) as e:
        Client(server.url).call("emeth_sendTransaction", {})
    assert e.value.failure is None


def test_batch_errors_in_place(server):
    server.answer = lambda m, p: ("error", {"code": -32001, "message": "nonce too low"}) if p == [1] else ("result", p)
    c = Client(server.url)
    out = c.batch([("m", [0]), ("m", [1]), ("m", [2])], raise_errors=False)
    assert out[0] == [0] and out[2] == [2] and isinstance(out[1], NonceError)
    with pytest.raises(NonceError):
        c.batch([("m", [0]), ("m", [1])])


def test_transport_errors(server):
    server.raw = b"<html>proxy error</html>"
    with pytest.raises(TransportError, match=r"answered HTTP 200 without JSON: '<html>proxy error</html>'$"):
        Client(server.url).call("emeth_blockNumber")
    with pytest.raises(TransportError, match=r"^cannot reach the L2 API at http://127.0.0.1:1"):
        Client("http://127.0.0.1:1", timeout=5).call("emeth_blockNumber")


def test_wait_for_receipt_follows_the_status(server):
    statuses = iter(["pending", "pending", "sequenced", "committed"])
    server.answer = lambda m, p: ("result", {"hash": p[0], "status": next(statuses), "blockNumber": "0x2", "index": "0x0",
                                              "success": True, "failure": None, "sender": "0xs", "batchIndex": None,
                                              "l1TxHash": None})
    r = Client(server.url).wait_for_receipt("0xh", until="committed", timeout=10, poll=0.01)
    assert (r.status, r.block_number, r.success, r.index) == ("committed", 2, True, 0)
    server.answer = lambda m, p: ("result", {"hash": p[0], "status": "pending"})
    with pytest.raises(ReceiptTimeout, match=r"^1 of 1 transaction\(s\) not sequenced after 0.05 s \(e.g. 0xh is pending\)$"):
        Client(server.url).wait_for_receipt("0xh", timeout=0.05, poll=0.01)
    server.answer = lambda m, p: ("result", None)
    with pytest.raises(ReceiptTimeout, match=r"^the sequencer does not know 1 transaction\(s\), e.g. 0xh$"):
        Client(server.url).wait_for_receipt("0xh", timeout=1)
