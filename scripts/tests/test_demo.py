"""The demo end to end (scripts/demo --jobs 20 --escape, closing with the escape hatch) on a
localnet of its own: a temporary state directory and free ports, so a localnet the developer
runs is not disturbed.

The demo waits for events (receipts, balances, batches), each wait with its own limit that
fails with what it waited for. The limit here only guards against a hang: it is generous for a
debug build on a loaded 2-core machine, and expiring it fails with the demo's output so far."""
import os
import subprocess
from pathlib import Path

OVERALL_LIMIT = 1200  # seconds; a run takes about 1–2 minutes

import pytest
from support import free_port

ROOT = Path(__file__).resolve().parents[2]
EMETH = os.environ.get("EMETH_BIN") or str(ROOT / ".build" / "debug" / "emeth")


@pytest.mark.skipif(not os.access(EMETH, os.X_OK), reason=f"{EMETH} is missing: build it (swift build --product emeth) "
                                                            "or set EMETH_BIN")
def test_demo_with_20_jobs(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMETH_", "LOCALNET_"))}
    env.update(EMETH_BIN=str(Path(EMETH).resolve()), LOCALNET_DIR=str(tmp_path / "localnet"),
               LOCALNET_L1_PORT=str(free_port()), LOCALNET_L2_PORT=str(free_port()))
    try:
        try:
            r = subprocess.run(["bash", str(ROOT / "scripts" / "demo"), "--jobs", "20", "--escape"], env=env, cwd=ROOT,
                               capture_output=True, text=True, timeout=OVERALL_LIMIT)
        except subprocess.TimeoutExpired as e:
            so_far = "".join(x.decode(errors="replace") if isinstance(x, bytes) else (x or "") for x in (e.stdout, e.stderr))
            pytest.fail(f"the demo did not finish within {OVERALL_LIMIT} s; its output so far:\n{so_far[-6000:]}")
    finally:  # never leave processes behind, whatever happened
        subprocess.run(["bash", str(ROOT / "scripts" / "localnet"), "down"], env=env, capture_output=True, timeout=60)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-6000:]
    assert "all checks passed" in r.stdout, out[-6000:]
    assert "claims on L1 with a Merkle proof" in r.stdout
    assert "escape exits = the fee model" in r.stdout and "took" in r.stdout, out[-6000:]
