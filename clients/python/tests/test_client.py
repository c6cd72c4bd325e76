"""The HTTP client's transport: JSON-RPC framing, batches split at 100, errors mapped to their
classes, notifications, receipts awaited. Against a small JSON-RPC server run in the test (real
HTTP on a loopback port); every method against the real sequencer is in test_end_to_end.py."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from emeth_sdk import (Client, InvalidSignature, LimitExceeded, NonceError, ReceiptTimeout, Refused, RPCError,
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
