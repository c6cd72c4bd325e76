"""Small helpers the end-to-end tests share: a free loopback port, and waiting for an event
that fails with what it waited for."""
import socket
import time

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(n: int) -> int:
    """A loopback port p such that p, p+1, …, p+n-1 are all free (a localnet's sequencer and
    its followers, which take the ports after the sequencer's)."""
    while True:
        p = free_port()
        socks = []
        try:
            for k in range(n):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", p + k))
            return p
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()


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


def localnet_env(directory, **settings) -> dict:
    """The environment of a localnet of its own (scripts/localnet): `directory`, free ports, the
    debug emeth unless EMETH_BIN says otherwise, and `settings` (e.g. LOCALNET_CHALLENGE_PERIOD; they
    may replace the ports too)."""
    import os
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    emeth = os.environ.get("EMETH_BIN") or str(root / ".build" / "debug" / "emeth")
    if not os.access(emeth, os.X_OK):
        pytest.fail(f"{emeth} is missing: build it (swift build --product emeth) or set EMETH_BIN")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMETH_", "LOCALNET_"))}
    env.update({"EMETH_BIN": str(Path(emeth).resolve()), "LOCALNET_DIR": str(Path(directory) / "ln"),
                "LOCALNET_L1_PORT": str(free_port()), "LOCALNET_L2_PORT": str(free_port()), **settings})
    return env


def run_localnet(env: dict, *args: str, timeout: float = 600):
    """Runs `scripts/localnet ARGS` in `env` and returns the finished process."""
    import subprocess
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    return subprocess.run(["bash", str(root / "scripts" / "localnet"), *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def localnet(env: dict, *args: str):
    """Runs `scripts/localnet ARGS` in `env`; `up` returns the values of its env file."""
    from pathlib import Path
    r = run_localnet(env, *args)
    if args[:1] != ("up",):
        return r
    assert r.returncode == 0, r.stdout + r.stderr
    return dict(line.split("=", 1) for line in (Path(env["LOCALNET_DIR"]) / "env").read_text().splitlines()
                if line and not line.startswith("#"))
