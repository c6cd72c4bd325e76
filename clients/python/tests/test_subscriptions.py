"""Subscriptions with the eth_subscribe message shape, against a WebSocket server run in the
test (the `websockets` package, real sockets on loopback): the server checks every request's
shape and answers as the issue pins it, `{"jsonrpc":"2.0","method":"emeth_subscription",
"params":{"subscription":ID,"result":…}}`."""
import asyncio
import json
import threading

import pytest
from websockets.asyncio.server import serve

from emeth_sdk import AsyncSubscriptions, Notification, SubscriptionClosed, Subscriptions
from emeth_sdk.errors import InvalidParams
from emeth_sdk.subscriptions import topic_params

TOPICS = {"newHeads", "jobs", "receipts", "tickets", "batches", "flood"}


class Server:
    """One subscription id per subscribe ("0x1", "0x2", …). After answering a subscribe it sends
    the topic's three notifications; a `jobs` subscribe is preceded by one notification of the
    previous subscription (so one arrives while the client awaits a response). `flood` is
    answered, then the connection is closed as a slow consumer's would be."""

    def __init__(self):
        self.requests, self.loop = [], asyncio.new_event_loop()
        ready = threading.Event()

        async def main():
            async with serve(self.handler, "127.0.0.1", 0) as server:
                self.url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/ws"
                self.stop = self.loop.create_future()
                ready.set()
                await self.stop

        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(main(),), daemon=True)
        self.thread.start()
        ready.wait(10)

    async def handler(self, ws):
        subs, counter = {}, 0
        async for text in ws:
            req = json.loads(text)
            self.requests.append(req)
            assert set(req) == {"jsonrpc", "id", "method", "params"} and req["jsonrpc"] == "2.0"

            async def note(sub, result):
                await ws.send(json.dumps({"jsonrpc": "2.0", "method": "emeth_subscription",
                                          "params": {"subscription": sub, "result": result}}))
            if req["method"] == "emeth_subscribe":
                topic = req["params"][0]
                if topic not in TOPICS:
                    await ws.send(json.dumps({"jsonrpc": "2.0", "id": req["id"],
                                              "error": {"code": -32602, "message": f"unknown topic {topic}"}}))
                    continue
                if topic == "jobs" and subs:
                    await note(list(subs)[-1], {"early": True})
                counter += 1
                sub = hex(counter)
                subs[sub] = topic
                await ws.send(json.dumps({"jsonrpc": "2.0", "id": req["id"], "result": sub}))
                if topic == "flood":
                    await ws.close(1008, "slow consumer: 1024 notifications queued")
                    return
                for i in range(3):
                    await note(sub, {"topic": topic, "n": i})
            elif req["method"] == "emeth_unsubscribe":
                found = subs.pop(req["params"][0], None) is not None
                await ws.send(json.dumps({"jsonrpc": "2.0", "id": req["id"], "result": found}))

    def close(self):
        self.loop.call_soon_threadsafe(self.stop.set_result, None)
        self.thread.join(10)


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


def test_subscribe_notify_unsubscribe(server):
    with Subscriptions(server.url) as subs:
        heads = subs.subscribe("newHeads")
        assert heads == "0x1"
        assert [subs.next(timeout=5) for _ in range(3)] == [Notification("0x1", {"topic": "newHeads", "n": i}) for i in range(3)]
        jobs = subs.subscribe("jobs", status="REQUESTED", node="0x" + "ab" * 20, program_id=7)
        # The notification sent before the subscribe's response is kept, in order.
        got = [subs.next(timeout=5) for _ in range(4)]
        assert got == [Notification("0x1", {"early": True})] + [Notification(jobs, {"topic": "jobs", "n": i}) for i in range(3)]
        assert subs.unsubscribe(jobs) is True
        assert subs.unsubscribe(jobs) is False
        assert subs.next(timeout=0.2) is None
    assert [r["method"] for r in server.requests] == ["emeth_subscribe", "emeth_subscribe", "emeth_unsubscribe",
                                                      "emeth_unsubscribe"]
    assert server.requests[0]["params"] == ["newHeads"]
    assert server.requests[1]["params"] == ["jobs", {"status": 1, "node": "0x" + "ab" * 20, "programId": 7}]
    assert server.requests[2]["params"] == [jobs]


def test_errors_and_a_dropped_consumer(server):
    with Subscriptions(server.url) as subs:
        with pytest.raises(InvalidParams, match=r"^subscription request: error -32602: unknown topic pendingTransactions$"):
            subs.subscribe("pendingTransactions")
        subs.subscribe("flood")
        with pytest.raises(SubscriptionClosed) as e:
            subs.next(timeout=5)
        assert (e.value.code, e.value.reason) == (1008, "slow consumer: 1024 notifications queued")


def test_the_async_client(server):
    async def run():
        async with AsyncSubscriptions(server.url) as subs:
            sub = await subs.subscribe("receipts", sender="0x" + "cd" * 20)
            got = [await subs.next(timeout=5) for _ in range(3)]
            assert got == [Notification(sub, {"topic": "receipts", "n": i}) for i in range(3)]
            assert await subs.next(timeout=0.2) is None
            assert await subs.unsubscribe(sub) is True
            await subs.subscribe("flood")
            with pytest.raises(SubscriptionClosed, match=r"\(1008\): slow consumer"):
                async for _ in subs:
                    pass
    asyncio.run(run())
    assert server.requests[0]["params"] == ["receipts", {"sender": "0x" + "cd" * 20}]


def test_topic_params():
    assert topic_params("batches") == ["batches"]
    assert topic_params("jobs", status="SUBMITTED", owner=None, program_id=3) == ["jobs", {"status": 3, "programId": 3}]
    assert topic_params("tickets", account="0x1") == ["tickets", {"account": "0x1"}]
    with pytest.raises(ValueError, match="unknown job status 'DONE'"):
        topic_params("jobs", status="DONE")
