"""EMETH Rollup SDK: sign the eleven L2 transactions, talk to the sequencer's JSON-RPC and
WebSocket API, verify settlement, state and transaction proofs, and claim on L1.

The formats are pinned in the repository's docs/PROTOCOL.md, docs/API.md and docs/PROOFS.md.
"""
from .client import Client
from .codes import FAILURES, STATUS, status_code
from .eip712 import L2_TYPES, TICKET_TYPE, Domain, type_string
from .errors import (EmethError, InvalidProof, InvalidSignature, LimitExceeded, NonceError, ReceiptTimeout, Refused,
                     RPCError, Stopped, TransportError, Unavailable, WrongDomain)
from .merkle import StandardMerkleTree, settlement_leaf, settlement_tree
from .proofs import verify_proof, verify_settlement, verify_state, verify_transaction
from .results import AccountState, Batch, Block, ChainInfo, Job, JobPage, Receipt, Ticket
from .signing import SignedTransaction, sign, sign_message, sign_ticket, ticket_digest, ticket_signer, tx_hash
from .subscriptions import AsyncSubscriptions, Notification, SubscriptionClosed, Subscriptions
from .transactions import (Aggregate, CancelJob, Decline, L2Call, Process, RegisterJob, Reject, Split, Submit, Timeout,
                           Verify, Withdraw)
from .units import EMT, GHOLON, format_emt, parse_amount
from .wallet import Wallet

__version__ = "0.1.0"

__all__ = [
    "Client", "Wallet", "Domain", "SignedTransaction", "sign", "sign_message", "sign_ticket", "ticket_digest",
    "ticket_signer", "tx_hash", "type_string", "L2_TYPES", "TICKET_TYPE", "L2Call", "RegisterJob", "CancelJob",
    "Process", "Decline", "Submit", "Verify", "Reject", "Timeout", "Split", "Aggregate", "Withdraw",
    "Subscriptions", "AsyncSubscriptions", "Notification", "SubscriptionClosed", "StandardMerkleTree",
    "settlement_leaf", "settlement_tree", "verify_proof", "verify_settlement", "verify_state", "verify_transaction",
    "AccountState", "Batch", "Block", "ChainInfo", "Job", "JobPage", "Receipt", "Ticket", "STATUS", "FAILURES", "status_code",
    "EMT", "GHOLON", "format_emt", "parse_amount", "EmethError", "RPCError", "InvalidProof", "InvalidSignature",
    "LimitExceeded", "NonceError", "ReceiptTimeout", "Refused", "Stopped", "TransportError", "Unavailable",
    "WrongDomain",
]
