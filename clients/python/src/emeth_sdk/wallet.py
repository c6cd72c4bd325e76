"""An L2 account that signs and sends: it keeps the next nonce, so a caller writes
`wallet.send(Process(job_id))` and never counts.

The nonce starts from the chain (`emeth_getTransactionCount(address, "pending")`: the sealed
state's nonce plus the account's transactions waiting in the mempool) the first time it is
needed. A transaction the API refuses does not spend its nonce, so the wallet takes it back;
if anything else sends from the same key, call `sync_nonce()`.
"""
from __future__ import annotations

from eth_account import Account

from .client import Client
from .eip712 import Domain
from .errors import NonceError, RPCError
from .results import Receipt
from .signing import SignedTransaction, sign
from .transactions import L2Call


class Wallet:
    def __init__(self, key, client: Client, domain: Domain | None = None):
        self.account = Account.from_key(getattr(key, "key", key))
        self.client = client
        self.domain = domain or client.domain()
        self.nonce: int | None = None

    @property
    def address(self) -> str:
        return self.account.address

    def sync_nonce(self) -> int:
        self.nonce = self.client.get_nonce(self.address)
        return self.nonce

    def sign(self, call: L2Call) -> SignedTransaction:
        """Signs `call` at the next nonce and advances it."""
        if self.nonce is None:
            self.sync_nonce()
        signed = sign(call, self.account, self.domain, self.nonce)
        self.nonce += 1
        return signed

    def send(self, call: L2Call) -> str:
        """Signs and sends; the transaction's hash. Refusals raise (`errors.Refused` names
        the failure code), and leave the nonce unspent."""
        signed = self.sign(call)
        try:
            return self.client.send_transaction(signed)
        except NonceError:
            self.nonce = None  # out of step with the chain: read it again next time
            raise
        except RPCError:
            self.nonce = signed.nonce
            raise

    def send_and_wait(self, call: L2Call, until: str = "sequenced", timeout: float = 120.0) -> Receipt:
        """Sends and waits for the receipt (`receipt.success`, `receipt.failure_name`)."""
        return self.client.wait_for_receipt(self.send(call), until=until, timeout=timeout)
