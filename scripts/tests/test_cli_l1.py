"""The `emeth` commands that talk to L1 and L2, run once each on a localnet of their own (a
temporary directory and free ports), their outputs and amounts checked exactly against web3
and the L2 API: `util transfer`, `deploy --token` (the production path: a token deployed first),
`withdraw`, `status`, `audit export` (from L1, then from the stopped sequencer's store, each
replayed), `prove totals`, `bench --quick`, `audit bench-replay`, and `sequencer init
--signer-keystore`. Keys come from keystore files, with the password from the environment or
typed at the prompt (a pseudo-terminal: the prompt reads the terminal, never a plain pipe).
"""
import json
import os
import pty
import re
import select
import signal
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest
from eth_account import Account
from web3 import Web3
from support import free_port, run_localnet as localnet, wait_until

ROOT = Path(__file__).resolve().parents[2]
EMETH = os.environ.get("EMETH_BIN") or str(ROOT / ".build" / "debug" / "emeth")
ARTIFACTS = ROOT / "Contracts" / "artifacts"
EMT = 10**18
PASSWORD = "typed at the prompt"


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMETH_", "LOCALNET_"))}
    env.update(extra)
    return env


def emeth(*args, env, ok=True, timeout=300, stdin=None):
    r = subprocess.run([EMETH, *args], capture_output=True, text=True, env=env, timeout=timeout, input=stdin)
    if ok:
        assert r.returncode == 0, f"emeth {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}"
    return r


def emeth_with_prompt(*args, env, password=PASSWORD, timeout=300):
    """Runs emeth on a pseudo-terminal, types `password` at its prompt; returns (exit code,
    everything it printed, with \\r\\n as \\n)."""
    env = {k: v for k, v in env.items() if k != "EMETH_KEYSTORE_PASSWORD"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: its terminal is the pty
        try:
            os.execve(EMETH, [EMETH, *args], env)
        finally:
            os._exit(127)
    out, typed = b"", False
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                pytest.fail(f"emeth {' '.join(args)} did not finish within {timeout} s:\n{out.decode(errors='replace')}")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            try:
                data = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            out += data
            if not typed and b"Password for " in out:
                os.write(fd, (password + "\n").encode())
                typed = True
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    text = out.decode(errors="replace").replace("\r\n", "\n")
    assert typed, f"emeth {' '.join(args)} never asked for the password:\n{text}"
    return os.waitstatus_to_exitcode(status), text


def fmt(units: int) -> str:
    """An amount as the CLI prints it: EMT with no trailing zeros."""
    s = format(Decimal(units) / Decimal(EMT), "f")
    return (s.rstrip("0").rstrip(".") if "." in s else s) + " EMT"


class Net:
    def __init__(self, env: dict, values: dict):
        self.env, self.v = env, values
        self.w3 = Web3(Web3.HTTPProvider(values["L1_RPC_URL"], request_kwargs={"timeout": 60}))
        self.deployment = json.loads(Path(values["DEPLOYMENT_FILE"]).read_text())
        self.rollup = self.w3.eth.contract(address=self.deployment["rollup"],
                                           abi=json.loads((ARTIFACTS / "EmethRollup.json").read_text())["abi"])
        self.token = self.w3.eth.contract(address=self.deployment["token"],
                                          abi=json.loads((ARTIFACTS / "EmethToken.json").read_text())["abi"])
        self.users = values["USER_KEYS"].split(",")
        self.dir = Path(env["LOCALNET_DIR"])

    def cli_env(self, **extra) -> dict:
        """The environment a user of the README has after `. .localnet/env`."""
        return clean_env(EMETH_L1_RPC=self.v["L1_RPC_URL"], EMETH_L2_RPC=self.v["L2_RPC_URL"],
                         EMETH_DEPLOYMENT=self.v["DEPLOYMENT_FILE"], **extra)

    def l2(self, method, *params):
        import requests
        r = requests.post(self.v["L2_RPC_URL"], json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)},
                          timeout=60).json()
        assert "result" in r, r
        return r["result"]




@pytest.fixture(scope="module")
def net(tmp_path_factory):
    if not os.access(EMETH, os.X_OK):
        pytest.fail(f"{EMETH} is missing: build it (swift build --product emeth) or set EMETH_BIN")
    env = clean_env(EMETH_BIN=str(Path(EMETH).resolve()), LOCALNET_DIR=str(tmp_path_factory.mktemp("cli") / "ln"),
                    LOCALNET_L1_PORT=str(free_port()), LOCALNET_L2_PORT=str(free_port()),
                    LOCALNET_CHALLENGE_PERIOD="3600")   # no batch turns final while the tests run: `status` is exact
    try:
        r = localnet(env, "up")
        assert r.returncode == 0, r.stdout + r.stderr
        values = dict(line.split("=", 1) for line in (Path(env["LOCALNET_DIR"]) / "env").read_text().splitlines()
                      if line and not line.startswith("#"))
        yield Net(env, values)
    finally:
        localnet(env, "down")


@pytest.fixture(scope="module")
def keystore(net, tmp_path_factory):
    """User 0's key in a keystore file (written with the password from the environment)."""
    path = tmp_path_factory.mktemp("keys") / "user0.json"
    emeth("keys", "import", "--out", str(path), "--light",
          env=clean_env(EMETH_PRIVATE_KEY=net.users[0], EMETH_KEYSTORE_PASSWORD=PASSWORD))
    return path, Account.from_key(net.users[0]).address


@pytest.fixture(scope="module")
def withdrawn(net, keystore):
    """User 0 deposits 10 EMT (`emeth deposit`, password from the environment) and withdraws
    2.5 EMT (`emeth withdraw`, password typed at the prompt); the withdraw's output."""
    path, address = keystore
    r = emeth("deposit", "10emt", "--keystore", str(path), env=net.cli_env(EMETH_KEYSTORE_PASSWORD=PASSWORD))
    assert "credited on L2: balance 10 EMT" in r.stdout, r.stdout
    code, out = emeth_with_prompt("withdraw", "2.5emt", "--keystore", str(path), env=net.cli_env())
    assert code == 0, out
    return out


@pytest.fixture
def stopped_sequencer(net):
    """The localnet's sequencer stopped (SIGTERM: it seals what is pending), so its store can be
    opened; `localnet up` restarts it on the same data afterwards."""
    pid = int((net.dir / "sequencer.pid").read_text())
    os.kill(pid, signal.SIGTERM)
    wait_until(lambda: not Path(f"/proc/{pid}").exists() or Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z",
               "the sequencer to stop", timeout=60)
    yield net.dir / "sequencer"
    r = localnet(net.env, "up")
    assert r.returncode == 0 and "restarting the sequencer" in r.stdout, r.stdout + r.stderr


def test_util_transfer_pays_the_exact_amount(net):
    sender = Account.from_key(net.users[1])
    recipient = Account.from_key("0x" + "77" * 32).address
    before = net.w3.eth.get_balance(sender.address)
    r = emeth("util", "transfer", "--rpc", net.v["L1_RPC_URL"], "--to", recipient, "--value", "123456789",
              "--chain-id", "31337", env=clean_env(EMETH_PRIVATE_KEY=net.users[1]))
    lines = r.stdout.splitlines()
    tx_hash = lines[0].removeprefix("transaction ")
    receipt = net.w3.eth.get_transaction_receipt(tx_hash)
    nonce = net.w3.eth.get_transaction(tx_hash)["nonce"]
    assert lines == [f"transaction {tx_hash}",
                     f"  from      {sender.address} (nonce {nonce})",
                     f"  to        {recipient}",
                     "  value     123456789 wei",
                     "receipt",
                     "  status    success",
                     f"  block     {receipt.blockNumber} 0x{bytes(receipt.blockHash).hex().removeprefix('0x')}",
                     f"  gas used  {receipt.gasUsed} at {receipt.effectiveGasPrice} wei/gas"], r.stdout
    assert net.w3.eth.get_balance(recipient) == 123456789
    assert net.w3.eth.get_balance(sender.address) == before - 123456789 - receipt.gasUsed * receipt.effectiveGasPrice


def test_deploy_with_an_existing_token(net, tmp_path):
    """The README's production path: a token exists first, `deploy --token` only adds the rollup.
    The owner's key is a keystore whose password is typed at the prompt."""
    owner = Account.from_key(net.v["OWNER_KEY"])
    artifact = json.loads((ARTIFACTS / "EmethToken.json").read_text())
    factory = net.w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    tx = factory.constructor(owner.address).build_transaction(
        {"from": owner.address, "nonce": net.w3.eth.get_transaction_count(owner.address), "chainId": 31337})
    signed = owner.sign_transaction(tx)
    token = net.w3.eth.wait_for_transaction_receipt(net.w3.eth.send_raw_transaction(signed.raw_transaction)).contractAddress
    keyfile = tmp_path / "owner.json"
    emeth("keys", "import", "--out", str(keyfile), "--light",
          env=clean_env(EMETH_PRIVATE_KEY=net.v["OWNER_KEY"], EMETH_KEYSTORE_PASSWORD=PASSWORD))
    nonce_before = net.w3.eth.get_transaction_count(owner.address)
    out_file = tmp_path / "deployment.json"
    signer = net.v["SIGNER_ADDRESS"]
    code, out = emeth_with_prompt("deploy", "--rpc", net.v["L1_RPC_URL"], "--token", token, "--keystore", str(keyfile),
                                  "--sequencer", Account.from_key(net.v["SEQUENCER_KEY"]).address, "--signer", signer,
                                  "--guardian", Account.from_key(net.v["GUARDIAN_KEY"]).address, "--challenge-period", "604800",
                                  "--inbox-confirmations", "12", "--out", str(out_file), env=clean_env())
    assert code == 0, out
    d = json.loads(out_file.read_text())
    assert d["token"] == token and d["owner"] == owner.address and d["challengePeriod"] == 604800
    lines = [line for line in out.splitlines() if line and not line.startswith("Password for ")]
    assert lines == [f"deploying to chain 31337 from {owner.address}",
                     f"EmethToken   {token}",   # not "(new)"
                     f"EmethRollup  {d['rollup']} (block {d['block']})",
                     f"wrote {out_file}"], out
    rollup = net.w3.eth.contract(address=d["rollup"], abi=json.loads((ARTIFACTS / "EmethRollup.json").read_text())["abi"])
    assert rollup.functions.token().call() == token
    assert rollup.functions.owner().call() == owner.address
    assert net.w3.eth.get_transaction_count(owner.address) == nonce_before + 1   # the rollup only: no second token


def test_withdraw_prints_the_exact_credit(net, keystore, withdrawn):
    _, address = keystore
    m = re.fullmatch(r"Password for .*\n*sent Withdraw of 2\.5 EMT \(nonce 0\): (0x[0-9a-f]{64})\n"
                     r"sequenced in block (\d+); credit now 2\.5 EMT — claim it with `emeth claim`\n", withdrawn)
    assert m, withdrawn
    assert int(m.group(2)) >= 1
    receipt = net.l2("emeth_getTransactionReceipt", m.group(1))
    assert receipt["success"] is True and int(receipt["blockNumber"], 16) == int(m.group(2)) and receipt["sender"] == address
    account = net.l2("emeth_getAccount", address)
    assert int(account["credit"], 16) == 25 * EMT // 10 and int(account["balance"], 16) == 75 * EMT // 10


def test_status_shows_balances_claims_and_batches(net, keystore, withdrawn):
    path, address = keystore
    block = int(re.search(r"sequenced in block (\d+)", withdrawn).group(1))
    # Wait until a committed batch holds the Withdraw's block, so the batch line is settled.
    tx_hash = re.search(r"(0x[0-9a-f]{64})", withdrawn).group(1)
    wait_until(lambda: net.l2("emeth_getTransactionReceipt", tx_hash)["status"] in ("committed", "final"),
               "the Withdraw's block committed on L1")
    ticket = net.l2("emeth_getTicket", address)
    l1_emt = net.token.functions.balanceOf(address).call()
    count = net.rollup.functions.batchCount().call()
    by_key = emeth("status", "--keystore", str(path), env=net.cli_env(EMETH_KEYSTORE_PASSWORD=PASSWORD)).stdout
    by_account = emeth("status", "--account", address, env=net.cli_env()).stdout
    lines = by_key.splitlines()
    assert lines[:6] == [f"account      {address}",
                         "L2 balance   7.5 EMT",
                         "L2 credit    2.5 EMT   (nonce 1)",
                         "L1 claimed   0 EMT",
                         f"L1 EMT       {fmt(l1_emt)}",
                         f"claimable    2.5 EMT now with the ticket of block {int(ticket['blockNumber'], 16)}"], by_key
    assert l1_emt == 1_000_000 * EMT - 10 * EMT
    fields = [c["name"] for c in next(f for f in net.rollup.abi if f.get("name") == "getBatch")["outputs"][0]["components"]]
    latest = dict(zip(fields, net.rollup.functions.getBatch(count - 1).call()))
    assert lines[6:] == [f"batches      {count} on L1, latest {count - 1} (blocks {latest['firstBlock']}–{latest['lastBlock']}); "
                         f"none final yet; {count} within the challenge period"], by_key
    assert latest["lastBlock"] >= block
    assert by_account.splitlines()[:6] == lines[:6]


def test_audit_export_from_l1_replays_clean(net, withdrawn, tmp_path):
    wait_until(lambda: net.l2("emeth_getTransactionReceipt", re.search(r"(0x[0-9a-f]{64})", withdrawn).group(1))["status"]
               in ("committed", "final"), "the Withdraw committed on L1")
    count = net.rollup.functions.batchCount().call()
    archive = tmp_path / "archive"
    r = emeth("audit", "export", "--from-l1", net.v["L1_RPC_URL"], "--deployment", net.v["DEPLOYMENT_FILE"], "--out", str(archive),
              env=clean_env())
    m = re.search(rf"archive {re.escape(str(archive))}: (\d+) batches written, 0 already present, (\d+) inbox messages", r.stdout)
    assert m and int(m.group(1)) >= count, r.stdout
    again = emeth("audit", "export", "--from-l1", net.v["L1_RPC_URL"], "--deployment", net.v["DEPLOYMENT_FILE"],
                  "--out", str(archive), env=clean_env())
    assert f": 0 batches written, {m.group(1)} already present, {m.group(2)} inbox messages" in again.stdout, again.stdout
    replay = emeth("audit", "replay", "--archive", str(archive), "--genesis", str(net.dir / "sequencer" / "genesis.json"),
                   env=clean_env(), ok=False)
    assert replay.returncode == 0, replay.stdout + replay.stderr


def test_prove_totals_and_export_from_the_stopped_store(net, withdrawn, stopped_sequencer, tmp_path):
    data, genesis = stopped_sequencer / "data", stopped_sequencer / "genesis.json"
    proof = tmp_path / "totals.json"
    emeth("prove", "totals", "--data", str(data), "--genesis", str(genesis), "--out", str(proof), env=clean_env())
    verified = emeth("prove", "verify", str(proof), env=clean_env())
    assert verified.returncode == 0, verified.stdout
    text = json.dumps(json.loads(proof.read_text()))
    # The deposits the localnet's L1 recorded are the L2 total deposited at the head.
    deposited = net.rollup.functions.totalDeposited().call()
    assert str(deposited) in text or hex(deposited) in text, text[:2000]
    archive = tmp_path / "from-db"
    r = emeth("audit", "export", "--from-db", str(data), "--genesis", str(genesis), "--bridge-data", str(stopped_sequencer / "data-bridge"),
              "--out", str(archive), env=clean_env())
    assert re.search(rf"archive {re.escape(str(archive))}: \d+ batches written, 0 already present", r.stdout), r.stdout
    replay = emeth("audit", "replay", "--archive", str(archive), "--genesis", str(genesis), env=clean_env(), ok=False)
    assert replay.returncode == 0, replay.stdout + replay.stderr


def test_bench_quick_runs_every_benchmark(tmp_path):
    r = emeth("bench", "--quick", env=clean_env())
    names = [line.strip().split("  ")[0] for line in r.stdout.splitlines()]
    assert {"keccak256 64-byte inputs", "recover → address (1 core)", "ingest end to end (2 cores)",
            "same, no sealing pipeline", "follower apply (50 tx/block)"} <= set(n.strip() for n in names), r.stdout
    assert re.search(r"state tree, 5k records, 100 dirty keys/block, 3 blocks on RocksDB \(\d+ nodes cached\):\n"
                     r"  per dirty key: update [\d.]+ µs \+ batch [\d.]+ µs \+ cache [\d.]+ µs \(\+ synced write [\d.]+ µs\); "
                     r"[\d.]+ hashes, [\d.]+ RocksDB reads\n"
                     r"  raw keccak-256 of 65 bytes, same run: \d+ ns → raw hash cost [\d.]+ µs per dirty key\n"
                     r"  cache probe on a warm path: \d+ ns per node read; peak RSS \d+ MB\n"
                     r"  tree update ÷ raw hash cost: [\d.]+  \(with the synced write: [\d.]+\)", r.stdout), r.stdout


def test_audit_bench_replay_on_a_small_generated_chain(tmp_path):
    r = emeth("audit", "bench-replay", "--archive", str(tmp_path / "a"), "--generate", "3", "--txs-per-block", "10", "--rounds", "1",
              env=clean_env())
    assert re.search(r"generated 3 blocks of 10 transactions into .* \(1 batches\)", r.stdout), r.stdout
    assert re.search(r"replay: 20 txs in 3 blocks, ", r.stdout), r.stdout   # block 1 holds the deposits only


def test_sequencer_init_reads_the_signer_keystore(tmp_path):
    """Without --signer or a deployment, init decrypts the keystore for the Signer's address:
    with the password from the environment, typed at the prompt, and refused from a plain pipe."""
    signer = Account.from_key("0x" + "5a" * 32)
    keyfile = tmp_path / "signer.json"
    emeth("keys", "import", "--out", str(keyfile), "--light",
          env=clean_env(EMETH_PRIVATE_KEY=signer.key.hex(), EMETH_KEYSTORE_PASSWORD=PASSWORD))
    r = emeth("sequencer", "init", "--dir", str(tmp_path / "a"), "--signer-keystore", str(keyfile), "--timestamp", "1700000000",
              env=clean_env(EMETH_KEYSTORE_PASSWORD=PASSWORD))
    assert f"signer {signer.address}" in r.stdout
    assert json.loads((tmp_path / "a" / "genesis.json").read_text())["signer"] == signer.address
    assert f'keystore = "{keyfile}"' in (tmp_path / "a" / "emeth.toml").read_text()
    code, out = emeth_with_prompt("sequencer", "init", "--dir", str(tmp_path / "b"), "--signer-keystore", str(keyfile),
                                  "--timestamp", "1700000000", env=clean_env())
    assert code == 0 and f"signer {signer.address}" in out, out
    assert (tmp_path / "a" / "genesis.json").read_text() == (tmp_path / "b" / "genesis.json").read_text()
    code, out = emeth_with_prompt("sequencer", "init", "--dir", str(tmp_path / "c"), "--signer-keystore", str(keyfile),
                                  env=clean_env(), password="wrong")
    assert code != 0 and "cannot decrypt" in out, out
    piped = emeth("sequencer", "init", "--dir", str(tmp_path / "d"), "--signer-keystore", str(keyfile), env=clean_env(),
                  stdin=PASSWORD + "\n", ok=False)
    assert piped.returncode != 0 and "no terminal to ask for the keystore password: set EMETH_KEYSTORE_PASSWORD" in piped.stderr
