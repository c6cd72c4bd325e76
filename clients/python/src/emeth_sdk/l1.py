"""The L1 side with web3.py: claims (with the Signer's ticket, or with a Merkle proof against
a final batch), deposits, cancels and forced transactions on the EmethRollup contract.

Transactions are signed locally with eth-account (the key never leaves the process) and each
is first run as a call, so a revert is reported with the contract's reason
(`EmethRollup: block not committed`) before any gas is spent.

    rollup = Rollup.from_deployment(Web3(Web3.HTTPProvider(L1)), "deployment.json")
    paid = rollup.claim_with_ticket(key, client.get_ticket(address))
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from eth_account import Account
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD

from .encoding import to_bytes, to_int
from .errors import EmethError
from .proofs import verify_settlement
from .results import Ticket
from .signing import SignedTransaction


def abi(name: str) -> list:
    """The ABI of `EmethRollup` or `EmethToken`, shipped with the SDK (Contracts/build.py
    writes it from the compiled artifacts)."""
    return json.loads(resources.files(__package__).joinpath("abi", f"{name}.json").read_text())


class L1Error(EmethError):
    """An L1 transaction that reverts (the contract's reason in the message) or fails."""


@dataclass(frozen=True)
class ClaimResult:
    account: str
    amount: int           # paid now: credit − what was claimed before
    credit: int           # the cumulative credit the claim proved
    method: str           # "proof" or "ticket"
    tx_hash: str
    gas_used: int
    block_number: int


class Rollup:
    def __init__(self, w3, address: str, token: str | None = None):
        self.w3 = w3
        self.contract = w3.eth.contract(address=w3.to_checksum_address(address), abi=abi("EmethRollup"))
        self._token_address = token

    @classmethod
    def from_deployment(cls, w3, deployment) -> "Rollup":
        """From `emeth deploy`'s deployment.json (a path or its parsed contents)."""
        if not isinstance(deployment, dict):
            deployment = json.loads(Path(deployment).read_text())
        return cls(w3, deployment["rollup"], deployment.get("token"))

    @property
    def address(self) -> str:
        return self.contract.address

    @property
    def token(self):
        address = self._token_address or self.contract.functions.token().call()
        return self.w3.eth.contract(address=self.w3.to_checksum_address(address), abi=abi("EmethToken"))

    # -- sending --

    def send(self, fn, key, what: str, gas: int | None = None):
        """Runs `fn` as a call from the key's address (a revert raises `L1Error` with the
        reason), then signs, sends and waits for it; the receipt."""
        account = Account.from_key(getattr(key, "key", key))
        try:
            fn.call({"from": account.address})
        except ContractLogicError as e:
            raise L1Error(f"{what} would revert: {getattr(e, 'message', None) or e}") from None
        tx = fn.build_transaction({"from": account.address, "chainId": self.w3.eth.chain_id,
                                   "nonce": self.w3.eth.get_transaction_count(account.address, "pending"),
                                   **({"gas": gas} if gas else {})})
        h = self.w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction)
        receipt = self.w3.eth.wait_for_transaction_receipt(h, timeout=120)
        if receipt.status != 1:
            raise L1Error(f"{what} reverted on L1 (tx 0x{bytes(h).hex()})")
        return receipt

    def _claimed(self, receipt, method: str) -> ClaimResult:
        events = self.contract.events.Claimed().process_receipt(receipt, errors=DISCARD)
        if len(events) != 1:
            raise L1Error(f"the claim's receipt holds {len(events)} Claimed events, expected 1")
        e = events[0].args
        return ClaimResult(e.account, e.amount, e.credit, method, "0x" + bytes(receipt.transactionHash).hex(),
                           receipt.gasUsed, receipt.blockNumber)

    # -- claims --

    def claimed(self, account: str) -> int:
        return self.contract.functions.claimed(self.w3.to_checksum_address(account)).call()

    def claim_with_ticket(self, key, ticket: Ticket | dict) -> ClaimResult:
        """Pays `ticket.credit − claimed[account]` to the ticket's account (anyone may send it).
        L1 refuses a ticket whose block is not committed yet, and past its rate limit."""
        t = ticket if isinstance(ticket, Ticket) else Ticket.from_json(ticket)
        fn = self.contract.functions.claimWithTicket(self.w3.to_checksum_address(t.account), t.credit, t.block_number,
                                                     to_bytes(t.signature, 65, "ticket.signature"))
        return self._claimed(self.send(fn, key, f"claimWithTicket for {t.account} (block {t.block_number})"), "ticket")

    def claim_with_proof(self, key, proof: dict) -> ClaimResult:
        """Pays `credit − claimed[account]` by a settlement proof (`emeth_getSettlementProof`
        or `emeth prove settlement`) against its batch, which must be final. The proof is
        verified here first (`proofs.verify_settlement`)."""
        claim = verify_settlement(proof)
        if claim.batch_index is None:
            raise L1Error("the settlement proof names no batch (an ad-hoc block range cannot be claimed)")
        if not self.contract.functions.isFinal(claim.batch_index).call():
            raise L1Error(f"batch {claim.batch_index} is not final yet: claim by proof after its challenge period, "
                          "or with the Signer's ticket")
        fn = self.contract.functions.claim(claim.account, claim.credit, claim.batch_index, claim.proof)
        return self._claimed(self.send(fn, key, f"claim for {claim.account} against batch {claim.batch_index}"), "proof")

    # -- the inbox --

    def deposit(self, key, amount: int, recipient: str | None = None):
        """Approves (when the allowance is short) and deposits `amount` base units of EMT, for
        the key's own L2 account or, with `recipient`, for another (`depositFor`)."""
        account = Account.from_key(getattr(key, "key", key))
        amount = to_int(amount, "amount")
        token = self.token
        if token.functions.allowance(account.address, self.address).call() < amount:
            self.send(token.functions.approve(self.address, amount), key, "approve")
        fn = (self.contract.functions.deposit(amount) if recipient is None
              else self.contract.functions.depositFor(self.w3.to_checksum_address(recipient), amount))
        return self.send(fn, key, "deposit")

    def request_cancel(self, key, job_id):
        """Cancels the key's REQUESTED job through the L1 inbox (a censored owner's way)."""
        return self.send(self.contract.functions.requestCancel(to_bytes(job_id, 16, "jobId")), key, "requestCancel")

    def force_transaction(self, key, tx: SignedTransaction):
        """Puts a signed L2 transaction into the L1 inbox (PROTOCOL §3.1): the sequencer must
        include it within `forceInclusionDelay`. The L1 sender pays the gas and need not be
        the L2 sender."""
        return self.send(self.contract.functions.forceTransaction(tx.to_rlp()), key, f"forceTransaction ({tx.type})")
