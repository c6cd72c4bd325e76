"""WebSocket subscriptions (`/ws`, docs/API.md "Subscriptions") on a localnet of their own,
with the PyPI `websockets` client as any client would use it, in the eth_subscribe shape: a
node watching for REQUESTED jobs sees a new one in the block that registered it, a node sees
the jobs it took, receipts and tickets arrive as the HTTP methods return them, heads come one
per block, unsubscribe stops delivery — and a consumer that never reads is dropped with its
reason while sealing and the other subscribers go on."""
import collections
import itertools
import json
import socket
from urllib.parse import urlparse

import pytest
import requests
from emeth_sdk import Subscriptions
from l2net import GHOLON, address, as_sequenced, job_id, started, strip_block
from support import wait_until
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

# A small bound, so that a consumer that stops reading is dropped after a few hundred
# notifications rather than the node's default of 4096 queued messages.
WS_QUEUE = 64


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    # A challenge period of 3 s, so that batches become final within the test; one follower.
    with started(tmp_path_factory.mktemp("ws"), LOCALNET_WS_QUEUE=str(WS_QUEUE), LOCALNET_CHALLENGE_PERIOD="3",
                 LOCALNET_FOLLOWERS="1") as n:
        yield n


class Socket:
    """One WebSocket connection: a request returns its reply (matched by id); notifications
    that arrive meanwhile are kept, in order, for `notification`."""

    def __init__(self, url: str, **kw):
        self.ws = connect(url, proxy=None, compression=None, open_timeout=30, **kw)
        self.ids = itertools.count(1)
        self.kept = collections.deque()

    def __enter__(self):
        self.ws.__enter__()
        return self

    def __exit__(self, *exc):
        self.ws.__exit__(*exc)

    def call(self, method: str, *params) -> dict:
        i = next(self.ids)
        self.ws.send(json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": list(params)}))
        while True:
            m = json.loads(self.ws.recv(timeout=60))
            if m.get("id") == i:
                return m
            self.kept.append(m)

    def subscribe(self, topic: str, *filters) -> str:
        r = self.call("emeth_subscribe", topic, *filters)
        assert "result" in r, r
        return r["result"]

    def notification(self) -> tuple[str, dict]:
        m = self.kept.popleft() if self.kept else json.loads(self.ws.recv(timeout=60))
        assert m["jsonrpc"] == "2.0" and m["method"] == "emeth_subscription" and set(m) == {"jsonrpc", "method", "params"}, m
        return m["params"]["subscription"], m["params"]["result"]

    def until_head(self, heads: str, number: int) -> list[tuple[str, dict]]:
        """Notifications up to and including the `heads` subscription's head of block `number`:
        within a block the head comes last, so this is everything of that block too."""
        got = []
        while True:
            sub, result = self.notification()
            got.append((sub, result))
            if sub == heads and int(result["number"], 16) >= number:
                return got


def of(got, sub):
    return [r for s, r in got if s == sub]


def l1(net, method, *params):
    r = requests.post(net.v["L1_RPC_URL"], json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, timeout=60).json()
    assert "result" in r, r
    return r["result"]


def block_of(net, h) -> int:
    return int(net.sequenced(h)["blockNumber"], 16)


def test_a_node_sees_a_new_job_within_one_block_and_the_jobs_it_takes(net):
    # A GPU node waiting for work, and the node that takes it.
    with Socket(net.ws_url) as watcher, Socket(net.ws_url) as worker:
        see_a_new_job_and_take_it(net, watcher, worker)


def see_a_new_job_and_take_it(net, watcher, worker):
    w_heads = watcher.subscribe("newHeads")
    requested = watcher.subscribe("jobs", {"status": "REQUESTED"})
    k_heads = worker.subscribe("newHeads")
    taken = worker.subscribe("jobs", {"node": address(net.node)})
    assert len({w_heads, requested, k_heads, taken}) == 4 and all(s.startswith("0x") and len(s) == 34 for s in (w_heads, taken))

    jid = job_id(0x51)
    block = block_of(net, net.send(net.requester, "RegisterJob", **net.register_fields(jid)))
    got = watcher.until_head(w_heads, block)
    job = net.rpc("emeth_getJob", jid)
    # In the block that registered it (before that block's head), as emeth_getJob returns it.
    assert of(got, requested) == [job]
    assert job["statusName"] == "REQUESTED" and job["owner"] == address(net.requester) and job["programId"] == "0x7"
    assert of(got, w_heads)[-1] == strip_block(net.rpc("emeth_getBlockByNumber", hex(block)))

    taken_at = block_of(net, net.send(net.node, "Process", jobId=jid))
    got = worker.until_head(k_heads, taken_at)
    job = net.rpc("emeth_getJob", jid)
    assert of(got, taken) == [job]
    assert job["statusName"] == "PROCESSING" and job["node"] == address(net.node)
    # PROCESSING does not match the REQUESTED filter: the watcher hears nothing of it.
    assert of(watcher.until_head(w_heads, taken_at), requested) == []


def test_receipts_and_tickets_arrive_as_the_http_methods_return_them(net):
    with Socket(net.ws_url) as s:
        heads = s.subscribe("newHeads")
        receipts = s.subscribe("receipts", {"sender": address(net.requester)})
        tickets = s.subscribe("tickets", {"account": address(net.requester)})
        credit = int(net.rpc("emeth_getAccount", address(net.requester))["credit"], 16)
        other = net.send(net.node, "Withdraw", amount=3 * GHOLON)   # someone else's: not for this subscription
        mine = net.send(net.requester, "Withdraw", amount=7 * GHOLON)
        got = s.until_head(heads, max(block_of(net, other), block_of(net, mine)))

        receipt = net.rpc("emeth_getTransactionReceipt", mine)
        assert of(got, receipts) == [as_sequenced(receipt)]
        assert of(got, receipts)[0]["hash"] == mine and of(got, receipts)[0]["success"] is True
        ticket = net.rpc("emeth_getTicket", address(net.requester))
        assert of(got, tickets) == [ticket] and ticket["credit"] == hex(credit + 7 * GHOLON)


def test_new_heads_come_one_per_block_in_order(net):
    with Socket(net.ws_url) as s:
        heads = s.subscribe("newHeads")
        start = net.head()
        last = 0
        for i in range(3):
            last = block_of(net, net.send(net.requester, "Withdraw", amount=GHOLON + i))
        got = of(s.until_head(heads, last), heads)
        numbers = [int(h["number"], 16) for h in got]
        assert numbers[0] <= start + 1 and numbers == list(range(numbers[0], last + 1)), numbers
        for h in got:
            assert h == strip_block(net.rpc("emeth_getBlockByNumber", h["number"]))


def test_batches_are_announced_when_l1_commits_them_and_when_they_are_final(net):
    with Socket(net.ws_url) as s:
        batches = s.subscribe("batches")
        block = block_of(net, net.send(net.requester, "Withdraw", amount=GHOLON))
        announced = collections.defaultdict(list)   # batch index -> what was sent of it, in order
        while True:
            sub, batch = s.notification()
            assert sub == batches
            index = int(batch["index"], 16)
            announced[index].append(batch)
            if int(batch["firstBlock"], 16) <= block <= int(batch["lastBlock"], 16):
                if batch["status"] == "final":
                    break
                # Committed: let the challenge period pass on L1 (the devnet mines on demand).
                l1(net, "evm_increaseTime", 5)
                l1(net, "evm_mine")
        listed = {int(b["index"], 16): b for b in net.rpc("emeth_listBatches", 100)["batches"]}
        assert [b["status"] for b in announced[index]] == ["committed", "final"]
        assert announced[index] == [dict(listed[index], status="committed"), listed[index]]
        assert listed[index]["l1TxHash"].startswith("0x") and len(listed[index]["l1TxHash"]) == 66


def test_a_follower_sends_what_it_verified(net):
    follower = net.v["FOLLOWER_RPC_URLS"].split(",")[0]
    page = requests.get(follower + "/explorer", timeout=30)
    assert page.status_code == 200 and page.text == requests.get(net.url + "/explorer", timeout=30).text
    with Socket(follower.replace("http://", "ws://") + "/ws") as s:
        heads = s.subscribe("newHeads")
        jobs = s.subscribe("jobs", {"owner": address(net.requester)})
        jid = job_id(0x53)
        block = block_of(net, net.send(net.requester, "RegisterJob", **net.register_fields(jid)))   # sequenced by the leader
        got = s.until_head(heads, block)
        # The follower's own reads, once it holds the block, and the leader's agree with what it sent.
        job = net.rpc("emeth_getJob", jid, url=follower)
        assert of(got, jobs) == [job] == [net.rpc("emeth_getJob", jid)]
        head = strip_block(net.rpc("emeth_getBlockByNumber", hex(block), url=follower))
        assert of(got, heads)[-1] == head == strip_block(net.rpc("emeth_getBlockByNumber", hex(block)))


def test_the_python_sdk_follows_the_node(net):
    """The SDK's client (clients/python) speaks the same message shape: it turns a status name
    into its number, matches replies by id and keeps notifications in order."""
    with Subscriptions(net.ws_url) as subs:
        requested = subs.subscribe("jobs", status="REQUESTED", owner=address(net.requester))
        jid = job_id(0x54)
        net.sequenced(net.send(net.requester, "RegisterJob", **net.register_fields(jid)))
        note = subs.next(timeout=60)
        assert note is not None and note.subscription == requested and note.result == net.rpc("emeth_getJob", jid)
        assert subs.unsubscribe(requested) is True and subs.unsubscribe(requested) is False


def test_unsubscribe_stops_delivery_and_plain_calls_work_over_the_socket(net):
    with Socket(net.ws_url) as s:
        heads = s.subscribe("newHeads")
        jobs = s.subscribe("jobs")
        assert s.call("emeth_unsubscribe", jobs) == {"jsonrpc": "2.0", "id": 3, "result": True}
        assert s.call("emeth_unsubscribe", jobs)["result"] is False
        # Any method of the API, and its errors, over the same socket.
        assert s.call("emeth_blockNumber")["result"] == net.rpc("emeth_blockNumber")
        assert s.call("emeth_subscribe", "logs")["error"] == {
            "code": -32602, "message": "invalid params: topic: \"logs\" is not a topic (expected one of newHeads, jobs, receipts, tickets, batches)"}
        block = block_of(net, net.send(net.requester, "RegisterJob", **net.register_fields(job_id(0x52))))
        got = s.until_head(heads, block)
        assert of(got, jobs) == [] and {sub for sub, _ in got} == {heads}


def test_a_consumer_that_never_reads_is_dropped_while_sealing_goes_on(net):
    with Socket(net.ws_url) as healthy:
        drop_a_consumer_that_never_reads(net, healthy)


def drop_a_consumer_that_never_reads(net, healthy):
    h_heads = healthy.subscribe("newHeads")
    # The slow consumer: a small receive buffer and a client queue of one message, then it
    # stops reading after its subscriptions' replies.
    url = urlparse(net.ws_url)
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect((url.hostname, url.port))
    with Socket(net.ws_url, sock=raw, max_queue=1) as slow:
        flood(net, healthy, h_heads, slow)


def flood(net, healthy, h_heads, slow):
    for _ in range(10):
        slow.subscribe("jobs")
        slow.subscribe("newHeads")
    assert net.metric("emeth_ws_dropped_total") == "0"

    # 40 jobs in a burst: 400 job notifications for the slow consumer, about 400 KB.
    start = net.nonce(net.requester)
    batch = []
    for i in range(40):
        wire, _ = net.wire(net.requester, "RegisterJob", start + i, **net.register_fields(job_id(0x100 + i)))
        batch.append({"jsonrpc": "2.0", "id": i, "method": "emeth_sendTransaction", "params": [wire]})
    replies = requests.post(net.url, json=batch, timeout=60).json()
    assert all("result" in r for r in replies), replies
    wait_until(lambda: net.metric("emeth_ws_dropped_total") == "1", "the slow consumer to be dropped", timeout=60)

    # Sealing goes on, and so does the healthy subscriber.
    block = block_of(net, net.send(net.node, "Withdraw", amount=GHOLON))
    assert net.head() >= block
    heads = [int(r["number"], 16) for r in of(healthy.until_head(h_heads, block), h_heads)]
    assert heads == list(range(heads[0], block + 1))

    # What the slow consumer finally reads: the notifications already on their way, then the
    # close frame with the reason.
    read = 0
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            m = json.loads(slow.ws.recv(timeout=60))
            assert m["method"] == "emeth_subscription"
            read += 1
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1008, f"subscriber too slow: {WS_QUEUE} messages queued")
    assert read > 0


def test_a_message_over_the_size_limit_closes_the_socket_with_1009(net):
    with Socket(net.ws_url, max_size=None) as s:
        assert s.call("emeth_blockNumber")["result"] == net.rpc("emeth_blockNumber")
        s.ws.send(json.dumps({"jsonrpc": "2.0", "id": 9, "method": "emeth_blockNumber", "params": ["x" * (1 << 20)]}))
        with pytest.raises(ConnectionClosed) as closed:
            s.ws.recv(timeout=60)
        assert closed.value.rcvd.code == 1009
