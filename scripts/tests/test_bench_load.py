"""`emeth bench load` against a real localnet (devnet L1 + sequencer with the bridge): it funds
its accounts through L1 deposits, sends a job mix over HTTP, and every transaction it sent ends
in a sealed block. Checked independently of the tool: the accounts (derived from the seed as
the tool derives them) hold exactly the nonces the sent transactions use, and every job the
mix registered is on L2. No timing is asserted; the figures only have to parse."""
import json
import os
import subprocess
from pathlib import Path

import pytest
import requests
from eth_account import Account
from eth_hash.auto import keccak
from support import free_port, run_localnet as localnet

ROOT = Path(__file__).resolve().parents[2]
EMETH = os.environ.get("EMETH_BIN") or str(ROOT / ".build" / "debug" / "emeth")
pytestmark = pytest.mark.skipif(not os.access(EMETH, os.X_OK),
                                reason=f"{EMETH} is missing: build it (swift build --product emeth) or set EMETH_BIN")

TXS, ACCOUNTS, SEED = 600, 6, 7




@pytest.fixture
def net(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMETH_", "LOCALNET_"))}
    env.update(EMETH_BIN=str(Path(EMETH).resolve()), LOCALNET_DIR=str(tmp_path / "ln"),
               LOCALNET_L1_PORT=str(free_port()), LOCALNET_L2_PORT=str(free_port()),
               LOCALNET_BLOCK_TIME_MS="50", LOCALNET_SEND_RATE="100000")
    r = localnet(env, "up")
    assert r.returncode == 0, r.stdout + r.stderr
    values = dict(line.split("=", 1) for line in (Path(env["LOCALNET_DIR"]) / "env").read_text().splitlines()
                  if line and not line.startswith("#"))
    yield env, values
    localnet(env, "down")


def rpc(url, method, *params):
    r = requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, timeout=10).json()
    assert "error" not in r, r
    return r["result"]


def load_address(role: str, i: int) -> str:
    """The tool's derivation: keccak256("emeth-load-<seed>-<role>-<i>") (never 0 or ≥ n here)."""
    return Account.from_key(keccak(f"emeth-load-{SEED}-{role}-{i}".encode())).address


def test_every_sent_transaction_is_sequenced(net):
    env, values = net
    run_env = {k: v for k, v in env.items()}
    run_env.update(EMETH_PRIVATE_KEY=values["USER_KEYS"].split(",")[0], EMETH_VERIFIER_PRIVATE_KEY=values["VERIFIER_KEY"],
                   EMETH_L1_RPC=values["L1_RPC_URL"], EMETH_DEPLOYMENT=values["DEPLOYMENT_FILE"])
    r = subprocess.run([env["EMETH_BIN"], "bench", "load", "--rpc", values["L2_RPC_URL"], "--fund", "--fund-amount", "2emt",
                        "--txs", str(TXS), "--accounts", str(ACCOUNTS), "--seed", str(SEED), "--rate", "400", "--json"],
                       env=run_env, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["refused"] == {}, out["refused"]
    assert (out["sent"], out["accepted"], out["skipped"]) == (TXS, TXS, 0), out
    assert out["sequenced"] == TXS and out["receiptsSequenced"] == TXS, out
    lat = out["latencyMs"]
    assert 0 < float(lat["p50"]) <= float(lat["p95"]) <= float(lat["p99"]) <= float(lat["max"]), lat
    assert float(out["txPerSecond"]) > 0 and float(out["rawRecoverPerSecond"]) > 0 and out["rate"] == 400
    assert "funded 12 accounts" in r.stderr, r.stderr

    # Independently: the accounts' nonces add up to what was sent, and the verifier's to its Verifies.
    url = values["L2_RPC_URL"]
    senders = [load_address("requester", i) for i in range(ACCOUNTS)] + [load_address("node", i) for i in range(ACCOUNTS)]
    verifier = Account.from_key(values["VERIFIER_KEY"]).address
    nonces = {a: int(rpc(url, "emeth_getAccount", a)["nonce"], 16) for a in senders + [verifier]}
    assert sum(nonces.values()) == TXS, nonces
    assert all(nonces[a] > 0 for a in senders), nonces
    mix = out["mix"]
    assert sum(mix.values()) == TXS and nonces[verifier] == mix["Verify"] > 0, (mix, nonces[verifier])
    # Every job the mix registered is on L2 (listed by owner).
    jobs = sum(len(rpc(url, "emeth_listJobs", {"owner": a, "limit": 1000})["jobs"]) for a in senders[:ACCOUNTS])
    assert jobs == mix["RegisterJob"], (jobs, mix)
