"""Live subscriptions over WebSocket with the `eth_subscribe` message shape:

    → {"jsonrpc":"2.0","id":1,"method":"emeth_subscribe","params":["jobs",{"status":1,"node":"0x…"}]}
    ← {"jsonrpc":"2.0","id":1,"result":"0x9c…"}                       (the subscription id)
    ← {"jsonrpc":"2.0","method":"emeth_subscription","params":{"subscription":"0x9c…","result":{…}}}
    → {"jsonrpc":"2.0","id":2,"method":"emeth_unsubscribe","params":["0x9c…"]}   ← result true

Topics: `newHeads`, `jobs` (filters status, owner, node, programId), `receipts` (of a sender),
`tickets` (of an account), `batches` (committed and final). The server drops a consumer that
falls too far behind, closing the socket with a reason: `SubscriptionClosed` carries it.

`Subscriptions` is blocking (websockets' sync client); `AsyncSubscriptions` is the asyncio
twin. Both share `SubscriptionProtocol`, which does no I/O: it frames requests, matches
responses to them, and queues the notifications that arrive while a response is awaited.
"""
from __future__ import annotations

import asyncio
import collections
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

from .codes import status_code
from .errors import EmethError, RPCError, TransportError

NOTIFICATION_METHOD = "emeth_subscription"


@dataclass(frozen=True)
class Notification:
    subscription: str
    result: Any


class SubscriptionClosed(EmethError):
    """The server closed the connection (`code`, `reason`), e.g. a slow consumer dropped."""

    def __init__(self, code: int | None, reason: str):
        self.code, self.reason = code, reason
        super().__init__(f"the subscription connection closed ({code}): {reason or 'no reason given'}")


def topic_params(topic: str, **filters) -> list:
    """`["jobs", {"status": 1, "node": "0x…"}]` from keyword filters (None values left out;
    `program_id` → `programId`, a status name → its number)."""
    f = {}
    for k, v in filters.items():
        if v is None:
            continue
        if k == "status":
            v = status_code(v)
        head, *rest = k.split("_")
        f[head + "".join(p.title() for p in rest)] = v
    return [topic, f] if f else [topic]


class SubscriptionProtocol:
    """The message layer, without I/O."""

    def __init__(self):
        self._ids = itertools.count(1)
        self.queued: collections.deque[Notification] = collections.deque()

    def request(self, method: str, params: list) -> tuple[int, str]:
        i = next(self._ids)
        return i, json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": params})

    def receive(self, text: str | bytes, waiting_for: int | None = None):
        """Handles one message: a notification is queued; the response to `waiting_for` is
        returned as `(True, result)`; anything else is `(False, None)`. An error response to
        the awaited request raises its `RPCError`."""
        try:
            msg = json.loads(text)
        except ValueError:
            raise TransportError(f"the server sent a message that is not JSON: {text[:200]!r}") from None
        if isinstance(msg, dict) and msg.get("method") == NOTIFICATION_METHOD:
            p = msg.get("params") or {}
            self.queued.append(Notification(p.get("subscription"), p.get("result")))
            return False, None
        if isinstance(msg, dict) and waiting_for is not None and msg.get("id") == waiting_for:
            if "error" in msg:
                raise RPCError.of(msg["error"], "subscription request")
            return True, msg.get("result")
        return False, None


def _closed(e) -> SubscriptionClosed:
    rcvd = getattr(e, "rcvd", None)
    return SubscriptionClosed(getattr(rcvd, "code", None), getattr(rcvd, "reason", "") or str(e))


class Subscriptions:
    """Blocking client. Use as a context manager:

        with Subscriptions("ws://127.0.0.1:8547/ws") as subs:
            subs.subscribe("jobs", status="REQUESTED")
            for n in subs:                       # Notification(subscription, result)
                ...
    """

    def __init__(self, url: str, open_timeout: float = 10.0, request_timeout: float = 30.0):
        from websockets.sync.client import connect
        self.url, self.request_timeout = url, request_timeout
        self.protocol = SubscriptionProtocol()
        try:
            # Entered at once (websockets ≥ 17 asks for that); `close()` ends it.
            self._ws = connect(url, open_timeout=open_timeout).__enter__()
        except OSError as e:
            raise TransportError(f"cannot open the WebSocket {url}: {e}") from None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self._ws.close()

    def _request(self, method: str, params: list):
        from websockets.exceptions import ConnectionClosed
        i, text = self.protocol.request(method, params)
        deadline = time.monotonic() + self.request_timeout
        try:
            self._ws.send(text)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TransportError(f"{method}: no response within {self.request_timeout:g} s")
                try:
                    done, result = self.protocol.receive(self._ws.recv(timeout=left), waiting_for=i)
                except TimeoutError:
                    continue
                if done:
                    return result
        except ConnectionClosed as e:
            raise _closed(e) from None

    def subscribe(self, topic: str, **filters) -> str:
        """Subscribes to `topic` with keyword filters; returns the subscription id."""
        return self._request("emeth_subscribe", topic_params(topic, **filters))

    def unsubscribe(self, subscription: str) -> bool:
        return self._request("emeth_unsubscribe", [subscription])

    def next(self, timeout: float | None = None) -> Notification | None:
        """The next notification, or None after `timeout` seconds without one."""
        from websockets.exceptions import ConnectionClosed
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.protocol.queued:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return None
            try:
                self.protocol.receive(self._ws.recv(timeout=left))
            except TimeoutError:
                return None
            except ConnectionClosed as e:
                raise _closed(e) from None
        return self.protocol.queued.popleft()

    def __iter__(self):
        while True:
            yield self.next()


class AsyncSubscriptions:
    """The asyncio twin: `async with AsyncSubscriptions(url) as subs: … async for n in subs`."""

    def __init__(self, url: str, open_timeout: float = 10.0, request_timeout: float = 30.0):
        self.url, self.open_timeout, self.request_timeout = url, open_timeout, request_timeout
        self.protocol = SubscriptionProtocol()
        self._ws = None

    async def __aenter__(self):
        from websockets.asyncio.client import connect
        try:
            self._ws = await connect(self.url, open_timeout=self.open_timeout)
        except OSError as e:
            raise TransportError(f"cannot open the WebSocket {self.url}: {e}") from None
        return self

    async def __aexit__(self, *exc):
        await self.close()

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    async def _request(self, method: str, params: list):
        from websockets.exceptions import ConnectionClosed
        i, text = self.protocol.request(method, params)
        try:
            await self._ws.send(text)
            async with asyncio.timeout(self.request_timeout):
                while True:
                    done, result = self.protocol.receive(await self._ws.recv(), waiting_for=i)
                    if done:
                        return result
        except TimeoutError:
            raise TransportError(f"{method}: no response within {self.request_timeout:g} s") from None
        except ConnectionClosed as e:
            raise _closed(e) from None

    async def subscribe(self, topic: str, **filters) -> str:
        return await self._request("emeth_subscribe", topic_params(topic, **filters))

    async def unsubscribe(self, subscription: str) -> bool:
        return await self._request("emeth_unsubscribe", [subscription])

    async def next(self, timeout: float | None = None) -> Notification | None:
        from websockets.exceptions import ConnectionClosed
        try:
            async with asyncio.timeout(timeout):
                while not self.protocol.queued:
                    self.protocol.receive(await self._ws.recv())
        except TimeoutError:
            return None
        except ConnectionClosed as e:
            raise _closed(e) from None
        return self.protocol.queued.popleft()

    def __aiter__(self):
        return self

    async def __anext__(self) -> Notification:
        return await self.next()
