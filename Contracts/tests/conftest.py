"""Fixtures for the contract tests: an in-process py-evm chain (eth-tester) with both
contracts deployed from the committed artifacts, and helpers for time, reverts and tickets."""
import json
from pathlib import Path

import pytest
from emeth_sdk import Domain, sign_ticket
from eth_account import Account
from eth_tester import EthereumTester, PyEVMBackend
from web3 import Web3
from eth_tester.exceptions import TransactionFailed
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD
from web3.providers.eth_tester import EthereumTesterProvider

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
EMT = 10**18
GHOLON = 10**9  # the ticket rate limit's unit
CHALLENGE_PERIOD = 3600
CHANGE_DELAY = 2 * CHALLENGE_PERIOD
TICKET_LIMIT = 1_000 * EMT
TICKET_WINDOW = 3600
FORCE_INCLUSION_DELAY = 86400
INBOX_CONFIRMATIONS = 3
# Devnet-sized (seconds); production uses 14 days.
ESCAPE_DELAY = 4 * CHALLENGE_PERIOD
# A signer key that exists only off-chain (the Signer never sends L1 transactions).
SIGNER_KEY = "0x" + "5e" * 32
HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0
CURVE_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def artifact(name):
    return json.loads((ARTIFACTS / f"{name}.json").read_text())


def deploy(w3, name, sender, *args):
    a = artifact(name)
    factory = w3.eth.contract(abi=a["abi"], bytecode=a["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor(*args).transact({"from": sender}))
    return w3.eth.contract(address=receipt.contractAddress, abi=a["abi"])


class Chain:
    """One deployment: owner, sequencer, guardian, users, and the two contracts."""

    def __init__(self):
        self.tester = EthereumTester(PyEVMBackend())
        self.w3 = Web3(EthereumTesterProvider(self.tester))
        acct = self.w3.eth.accounts
        self.owner, self.sequencer, self.guardian, self.stranger = acct[0], acct[1], acct[2], acct[3]
        self.users = acct[4:9]
        self.signer = Account.from_key(SIGNER_KEY)
        self.token = deploy(self.w3, "EmethToken", self.owner, self.owner)
        self.rollup = deploy(self.w3, "EmethRollup", self.owner, *self.rollup_args())
        for u in self.users:
            self.send(self.token.functions.mint(u, 1_000_000 * EMT), self.owner)
            self.send(self.token.functions.approve(self.rollup.address, 2**256 - 1), u)

    def rollup_args(self, **overrides):
        """The constructor's arguments in order (the deployment's, with `overrides` by name)."""
        args = {"token": self.token.address, "owner": self.owner, "sequencer": self.sequencer,
                "signer": self.signer.address, "guardians": [self.guardian], "challengePeriod": CHALLENGE_PERIOD,
                "inboxConfirmations": INBOX_CONFIRMATIONS, "changeDelay": CHANGE_DELAY, "ticketLimit": TICKET_LIMIT,
                "ticketWindow": TICKET_WINDOW, "forceInclusionDelay": FORCE_INCLUSION_DELAY,
                "escapeDelay": ESCAPE_DELAY}
        args.update(overrides)
        return list(args.values())

    def send(self, call, sender):
        """Sends a transaction and returns its receipt (reverts raise ContractLogicError)."""
        return self.w3.eth.wait_for_transaction_receipt(call.transact({"from": sender}))

    def now(self):
        return self.w3.eth.get_block("latest").timestamp

    def travel(self, seconds):
        """Moves the pending block (where the next transaction lands) to `seconds` after the
        latest block. Mines nothing when the pending block is there already (eth-tester's
        `time_travel`), so `now()` need not move: wait for time to pass with `mine()`."""
        self.tester.time_travel(self.now() + seconds)

    def mine(self):
        """Mines one block at the pending block's time: `now()` always moves forward."""
        self.tester.mine_blocks()

    def balance(self, who):
        return self.token.functions.balanceOf(who).call()

    def events(self, receipt, name):
        return [dict(e.args) for e in getattr(self.rollup.events, name)().process_receipt(receipt, errors=DISCARD)]

    def deposit(self, user, amount):
        return self.send(self.rollup.functions.deposit(amount), user)

    def commit(self, index, first, last, settlement_root=b"\x00" * 32, credit=0, burned=0, cursor=0,
               data=b"", sender=None, state_root=b"\x11" * 32, block_hash=b"\x22" * 32):
        return self.send(self.rollup.functions.commitBatch(index, first, last, block_hash, state_root,
                                                           settlement_root, credit, burned, cursor, data),
                         sender or self.sequencer)

    def schedule(self, call):
        """Schedules an owner change and returns its id."""
        receipt = self.send(call, self.owner)
        return self.events(receipt, "ChangeScheduled")[0]["id"]

    def change(self, call):
        """Schedules an owner change, waits the change delay and executes it (the receipt)."""
        change_id = self.schedule(call)
        self.travel(CHANGE_DELAY)
        return self.send(self.rollup.functions.executeChange(change_id), self.stranger)

    def ticket(self, account, credit, block_number, key=SIGNER_KEY, chain_id=None, contract=None, name="EMETH L2"):
        domain = Domain(chain_id or self.w3.eth.chain_id, contract or self.rollup.address, name=name)
        return sign_ticket(key, domain, account, credit, block_number)


@pytest.fixture(scope="session")
def deployed():
    return Chain()


@pytest.fixture
def chain(deployed):
    """The session's deployment, reset to its freshly deployed state for every test (an
    EVM snapshot is far faster than deploying again)."""
    snapshot = deployed.tester.take_snapshot()
    yield deployed
    deployed.tester.revert_to_snapshot(snapshot)


def reverts(reason, fn, *args, **kwargs):
    """Asserts that a transaction or call reverts with `reason` (eth-tester raises
    TransactionFailed for transactions, web3 ContractLogicError for calls)."""
    with pytest.raises((ContractLogicError, TransactionFailed)) as info:
        fn(*args, **kwargs)
    assert str(info.value).endswith(reason), f"expected revert {reason!r}, got {info.value}"
