"""The SDK against a real local rollup (scripts/localnet: the py-evm devnet, the contracts, and
`emeth sequencer run` with the bridge): deposits through L1, one job through RegisterJob →
Process → Submit → Verify signed and sent by Wallets, receipts awaited, state and transaction
proofs verified against Signer-signed blocks, a transaction forced through the L1 inbox in the
SDK's batch form (decoded by the sequencer), and both claims paid on L1 — every amount exact."""
import os
import sys
from pathlib import Path

import pytest
import rlp
from eth_account import Account
from eth_utils import keccak
from web3 import Web3

from emeth_sdk import (EMT, GHOLON, Client, Domain, InvalidProof, Process, RegisterJob, Refused, Submit,
                       SignedTransaction, Verify, Wallet, Withdraw, ticket_signer, verify_settlement, verify_state,
                       verify_transaction)
from emeth_sdk.l1 import L1Error, Rollup
from emeth_sdk.proofs import verify_block

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts" / "tests"))
from support import localnet, localnet_env, wait_until  # noqa: E402

DEPOSIT = 100 * EMT
JOB = "0x" + "5d" * 16
FUEL_LIMIT, FUEL_PRICE, FUEL_USED = 120_000, GHOLON + 1, 99_999      # odd, so every fee rounds
FEE_LIMIT = FUEL_LIMIT * FUEL_PRICE
V_FEE = FEE_LIMIT * 5_000 // 100_000
EARNED = FUEL_USED * FUEL_PRICE
WITHDRAW = 3 * GHOLON


class Net:
    def __init__(self, values: dict):
        self.v = values
        self.client = Client(values["L2_RPC_URL"])
        self.w3 = Web3(Web3.HTTPProvider(values["L1_RPC_URL"], request_kwargs={"timeout": 60}))
        self.rollup = Rollup.from_deployment(self.w3, values["DEPLOYMENT_FILE"])
        users = values["USER_KEYS"].split(",")
        self.requester, self.node = Wallet(users[0], self.client), Wallet(users[1], self.client)
        self.verifier = Wallet(values["VERIFIER_KEY"], self.client)
        self.payer = users[2]     # an L1 account that forces another's transaction
        self.info = self.client.chain_info()

    def balance_l1(self, address: str) -> int:
        return self.rollup.token.functions.balanceOf(address).call()


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    env = localnet_env(tmp_path_factory.mktemp("sdk"))
    try:
        yield Net(localnet(env, "up"))
    finally:
        localnet(env, "down")


def test_chain_info_names_the_domain_l1_uses(net):
    info = net.info
    assert info.domain == Domain(int(net.v["CHAIN_ID"]), net.v["ROLLUP_ADDRESS"])
    assert (info.signer, info.token, info.rollup) == (net.v["SIGNER_ADDRESS"], net.v["TOKEN_ADDRESS"], net.v["ROLLUP_ADDRESS"])
    assert info.domain.separator() == net.rollup.contract.functions.domainSeparator().call()
    assert info.genesis["roles"]["verifiers"] == [net.verifier.address]


@pytest.fixture(scope="module")
def lifecycle(net):
    """Deposits on L1 (SDK), then RegisterJob → Process → Submit → Verify and the node's
    Withdraw, each awaited; the node's own Verify is refused on the way."""
    for w in (net.requester, net.node):
        net.rollup.deposit(w.account, DEPOSIT)
    wait_until(lambda: all(net.client.get_account(w.address).balance == DEPOSIT for w in (net.requester, net.node)),
               "the deposits credited on L2")
    r = {}
    r["register"] = net.requester.send_and_wait(RegisterJob(
        job_id=JOB, program_id=7, num_parallel=1, num_epoch=2, dataset="0x" + "d0" * 32, param="0x" + "e0" * 32,
        fuel_limit=FUEL_LIMIT, fuel_price=FUEL_PRICE, deadline=4_000_000_000))
    r["process"] = net.node.send_and_wait(Process(job_id=JOB))
    with pytest.raises(Refused) as refused:
        net.node.send(Verify(job_id=JOB))
    r["refused"] = (refused.value, net.node.nonce)
    r["submit"] = net.node.send_and_wait(Submit(job_id=JOB, result="0x" + "aa" * 32, fuel_used=FUEL_USED))
    r["verify"] = net.verifier.send_and_wait(Verify(job_id=JOB))
    r["withdraw"] = net.node.send_and_wait(Withdraw(amount=WITHDRAW))
    return r


def test_receipts_and_the_fee_rules(net, lifecycle):
    senders = {"register": net.requester, "process": net.node, "submit": net.node, "verify": net.verifier,
               "withdraw": net.node}
    for step, wallet in senders.items():
        receipt = lifecycle[step]
        assert (receipt.status, receipt.success, receipt.failure, receipt.sender) == ("sequenced", True, None, wallet.address)
    error, nonce_after = lifecycle["refused"]
    assert (error.code, error.failure, error.failure_name) == (-32006, 6, "NOT_VERIFIER")
    assert nonce_after == 1                               # the refused Verify did not spend the node's nonce
    assert c_count(net, net.node.address) == (3, 3)       # latest and pending: nothing of the node's waits
    c = net.client
    assert (c.get_account(net.requester.address).balance, c.get_account(net.requester.address).nonce) == \
        (DEPOSIT - FEE_LIMIT - V_FEE + (FEE_LIMIT - EARNED), 1)
    node = c.get_account(net.node.address)
    assert (node.balance, node.credit, node.nonce) == (DEPOSIT + EARNED - WITHDRAW, WITHDRAW, 3)
    assert c.get_account(net.verifier.address).balance == V_FEE
    job = c.get_job(JOB)
    assert (job.status, job.status_name, job.node, job.fuel_used, job.escrow, job.node_deposit) == \
        (4, "VERIFIED", net.node.address, FUEL_USED, 0, 0)
    assert [j.job_id for j in c.list_jobs(status="VERIFIED", owner=net.requester.address).jobs] == [JOB]
    assert [j.job_id for j in c.iter_jobs(node=net.node.address, page_size=1)] == [JOB]
    assert c.get_job("0x" + "00" * 15 + "01") is None


def c_count(net, address):
    return net.client.get_transaction_count(address), net.client.get_transaction_count(address, "pending")


def test_state_proofs_verify_against_signed_blocks(net, lifecycle):
    c, signer = net.client, net.info.signer
    for wallet in (net.requester, net.node, net.verifier):
        claim = verify_state(c.get_state_proof(wallet.address), signer=signer)
        a = c.get_account(wallet.address)
        assert claim.present and claim.record == {"balance": a.balance, "nonce": a.nonce, "credit": a.credit}
    job = verify_state(c.get_state_proof(JOB), signer=signer)
    assert (job.kind, job.record["status"], job.record["fuelUsed"], job.record["owner"]) == \
        ("job", 4, FUEL_USED, net.requester.address)
    totals = verify_state(c.get_state_proof("totals"), signer=signer).record
    assert (totals["totalDeposited"], totals["totalCredit"], totals["totalBurned"]) == (2 * DEPOSIT, WITHDRAW, 0)
    stranger = verify_state(c.get_state_proof(Account.from_key("0x" + "77" * 32).address), signer=signer)
    assert (stranger.present, stranger.record) == (False, None)
    # At the block of the RegisterJob the node's record has changed since: its value hash alone is proven.
    old = verify_state(c.get_state_proof(net.node.address, lifecycle["register"].block_number), signer=signer)
    assert old.block_number == lifecycle["register"].block_number and old.present
    forged = c.get_state_proof(net.node.address)
    forged["decoded"]["credit"] = str(10**30)
    with pytest.raises(InvalidProof, match=r'^"decoded" is'):
        verify_state(forged)
    with pytest.raises(InvalidProof, match=r"^block \d+ was signed by .*, not by the expected signer"):
        verify_state(c.get_state_proof("totals"), signer=net.node.address)


def test_transaction_proofs_and_blocks(net, lifecycle):
    for step in ("register", "process", "submit", "verify", "withdraw"):
        receipt = lifecycle[step]
        claim = verify_transaction(net.client.get_transaction_proof(receipt.hash), signer=net.info.signer)
        assert (claim.tx_hash, claim.index, claim.block_number) == (receipt.hash, receipt.index, receipt.block_number)
        block = net.client.get_block(receipt.block_number, full_transactions=True)
        assert "0x" + verify_block(block.raw, signer=net.info.signer).hex() == block.hash
        for tx in block.transactions:       # every transaction's sender and hash, recomputed from its wire form
            signed = SignedTransaction.from_wire(tx, net.info.domain)
            assert (signed.sender, signed.hash) == (tx["sender"], tx["hash"])
        assert receipt.hash in [tx["hash"] for tx in block.transactions]
        # The stored form (what followers pull), read with rlp: the 256-byte header hashes to
        # the block hash, the signature is the Signer's, and each transaction is stored with its
        # sender and hash.
        stored = net.client.get_block_range(receipt.block_number, 1)
        assert (stored.format, stored.first, len(stored.blocks)) == (2, receipt.block_number, 1)
        header, signature, _, _, txs, _ = rlp.decode(stored.blocks[0])
        assert "0x" + keccak(header).hex() == block.hash and len(header) == 256
        assert Account._recover_hash(keccak(header), signature=signature) == net.info.signer
        assert [("0x" + sender.hex(), "0x" + h.hex()) for _, sender, h, _ in txs] == \
            [(tx["sender"].lower(), tx["hash"]) for tx in block.transactions]
    assert net.client.get_transaction_proof("0x" + "00" * 32) is None


@pytest.fixture(scope="module")
def forced(net, lifecycle):
    """The node's Withdraw, signed by the SDK and forced through the L1 inbox by another L1
    account: the sequencer decodes the SDK's batch form and applies it."""
    before = net.client.get_account(net.node.address).credit
    signed = net.node.sign(Withdraw(amount=WITHDRAW))
    net.rollup.force_transaction(net.payer, signed)
    wait_until(lambda: net.client.get_account(net.node.address).credit == before + WITHDRAW,
               "the forced Withdraw applied on L2")
    return signed


def test_forced_transaction_is_applied(net, forced):
    assert net.node.sync_nonce() == forced.nonce + 1
    assert net.client.get_account(net.node.address).credit == 2 * WITHDRAW


def test_claims_with_a_ticket_and_with_a_proof(net, lifecycle, forced):
    c, rollup = net.client, net.rollup
    node = net.node.address
    ticket = wait_until(lambda: (t := c.get_ticket(node)) and t.credit == 2 * WITHDRAW and t, "the node's newest ticket")
    assert ticket_signer(ticket.raw, net.info.domain) == net.info.signer
    wait_until(lambda: rollup.contract.functions.nextBlock().call() > ticket.block_number, "the ticket's block committed")
    before = net.balance_l1(node)
    paid = rollup.claim_with_ticket(net.payer, ticket)          # anyone may send it; the node is paid
    assert (paid.account, paid.amount, paid.credit, paid.method) == (node, 2 * WITHDRAW, 2 * WITHDRAW, "ticket")
    assert net.balance_l1(node) - before == 2 * WITHDRAW and rollup.claimed(node) == 2 * WITHDRAW
    with pytest.raises(L1Error, match=r"would revert: execution reverted: EmethRollup: nothing to claim$"):
        rollup.claim_with_ticket(net.payer, ticket)

    requester = net.requester
    h = requester.send(Withdraw(amount=5 * GHOLON))
    receipt = c.wait_for_receipt(h, until="committed", timeout=120)
    proof = c.get_settlement_proof(requester.address)
    claim = verify_settlement(proof)
    assert (claim.account, claim.credit, claim.batch_index) == (requester.address, 5 * GHOLON, receipt.batch_index)
    committed = rollup.contract.events.BatchCommitted().get_logs(from_block=0)
    assert claim.root == next(e.args.settlementRoot for e in committed if e.args.batchIndex == claim.batch_index)
    with pytest.raises(L1Error, match=rf"^batch {claim.batch_index} is not final yet"):
        rollup.claim_with_proof(requester.account, proof)
    net.w3.provider.make_request("evm_increaseTime", [int(net.v["CHALLENGE_PERIOD"]) + 1])
    net.w3.provider.make_request("evm_mine", [])
    assert c.wait_for_receipt(h, until="final", timeout=120).status == "final"
    before = net.balance_l1(requester.address)
    paid = rollup.claim_with_proof(requester.account, c.get_settlement_proof(requester.address))
    assert (paid.amount, paid.method) == (5 * GHOLON, "proof")
    assert net.balance_l1(requester.address) - before == 5 * GHOLON


def test_health_and_metrics(net, lifecycle):
    first = net.client.block_number()        # blocks may be sealed meanwhile: the reads are bracketed
    health = net.client.health()
    metrics = dict(line.split(" ", 1) for line in net.client.metrics().splitlines() if line and not line.startswith("#"))
    last = net.client.block_number()
    assert health["status"] == "ok" and first <= health["head"] <= last
    assert first <= int(metrics["emeth_block_height"]) <= last and metrics["emeth_up"] == "1"


def test_the_readme_node_loop_processes_submits_and_claims(net, lifecycle, tmp_path):
    """The node's loop of clients/python/README.md, run as it is written (only the URLs and the
    deployment file are the localnet's): it takes a new job, submits it and claims on L1."""
    import re
    import subprocess
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    code = re.search(r"## A node's loop.*?```python\n(.*?)```", readme, re.S).group(1)
    assert len(code.splitlines()) <= 30
    code = (code.replace("http://127.0.0.1:8547", net.v["L2_RPC_URL"]).replace("http://127.0.0.1:8545", net.v["L1_RPC_URL"])
            .replace('"deployment.json"', repr(net.v["DEPLOYMENT_FILE"])))
    key = net.v["USER_KEYS"].split(",")[3]
    node = Account.from_key(key).address
    net.rollup.deposit(key, 20 * EMT)
    wait_until(lambda: net.client.get_account(node).balance == 20 * EMT, "the loop node's deposit credited on L2")
    job = "0x" + "6e" * 16
    net.requester.send_and_wait(RegisterJob(job_id=job, program_id=1, num_parallel=1, num_epoch=1, dataset="0x" + "d1" * 32,
                                            param="0x" + "e1" * 32, fuel_limit=1_000, fuel_price=GHOLON,
                                            deadline=4_000_000_000))
    out = tmp_path / "loop.out"
    before = net.balance_l1(node)
    with out.open("w") as f:
        proc = subprocess.Popen([sys.executable, "-c", code], env=dict(os.environ, NODE_KEY=key), stdout=f,
                                stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: "claimed" in out.read_text() or proc.poll() is not None, "the loop's claim", timeout=300)
        assert proc.poll() is None, out.read_text()
    finally:
        proc.kill()
        proc.wait()
    j = net.client.get_job(job)
    assert (j.status_name, j.node, j.fuel_used) == ("SUBMITTED", node, 500)
    account = net.client.get_account(node)
    claimed = int(out.read_text().split("claimed ")[1].split()[0])
    assert claimed == account.credit and net.balance_l1(node) - before == claimed
