"""Small helpers the end-to-end tests share: a free loopback port, and waiting for an event
that fails with what it waited for."""
import socket
import time

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, what: str, timeout: float = 180.0, interval: float = 0.05):
    """Polls `predicate` until it returns something truthy, and returns that; fails the test,
    naming `what`, after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)
