"""Signing L2 transactions and reading signatures, with eth-account (docs/PROTOCOL.md §2, §6).

The sender signs the EIP-712 digest of its call in the chain's domain; the transaction hash is
`keccak256(digest ‖ sender)`, which a client computes from what it signed and its own address
and which `emeth_sendTransaction` returns. The signature is `r ‖ s ‖ v` with v ∈ {27, 28} and
low s — what eth-account produces.
"""
from __future__ import annotations

from dataclasses import dataclass

import rlp
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_keys import keys
from eth_keys.exceptions import BadSignature, ValidationError
from eth_utils import keccak

from .eip712 import L2_TYPES, TX_TYPE_IDS, Domain, eip712_types
from .encoding import hx, to_address, to_bytes, to_int
from .transactions import L2Call, typed_value


def _digest(domain: Domain, primary: str, values: dict) -> bytes:
    signable = encode_typed_data(domain_data=domain.as_dict(), message_types=eip712_types(primary), message_data=values)
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def tx_hash(digest: bytes, sender: str) -> str:
    """The transaction hash of PROTOCOL §2: keccak256(digest ‖ sender's 20 bytes)."""
    return hx(keccak(bytes(digest) + to_bytes(to_address(sender), 20)))


@dataclass(frozen=True)
class SignedTransaction:
    """A signed L2 transaction: its wire form, its sender and its hash."""
    type: str
    message: dict          # the wire message, nonce included (decimal strings, 0x-hex)
    signature: str         # 0x-hex of r ‖ s ‖ v (65 bytes)
    sender: str            # checksummed
    digest: bytes          # the EIP-712 digest that was signed
    hash: str              # keccak256(digest ‖ sender), what emeth_sendTransaction returns

    @property
    def nonce(self) -> int:
        return int(self.message["nonce"])

    @property
    def wire(self) -> dict:
        """What `emeth_sendTransaction` and `emeth force-tx` take."""
        return {"type": self.type, "message": self.message, "signature": self.signature}

    def call(self) -> L2Call:
        return L2Call.from_message(self.type, self.message)[0]

    def to_rlp(self) -> bytes:
        """The batch form of PROTOCOL §7, `RLP([type, nonce, …fields…, signature])`: what
        L1's `forceTransaction(bytes)` carries (§3.1)."""
        values = L2Call.from_message(self.type, self.message)[0].values(self.nonce)
        body = [values[n] for n, _ in L2_TYPES[self.type] if n != "nonce"]
        return rlp.encode([TX_TYPE_IDS[self.type], self.nonce, *body, to_bytes(self.signature, 65)])

    @classmethod
    def from_wire(cls, wire: dict, domain: Domain) -> "SignedTransaction":
        """Reads a wire transaction and recovers its sender in `domain` (a signature made in
        another domain recovers another address: compare `sender` with whom you expect)."""
        primary, message = wire.get("type"), wire.get("message")
        if not isinstance(message, dict):
            raise ValueError("transaction: message must be an object")
        call, nonce = L2Call.from_message(primary, message)
        values = call.values(nonce)
        digest = _digest(domain, primary, values)
        signature = to_bytes(wire.get("signature"), 65, "transaction: signature")
        check_signature(signature)
        sender = _recover(digest, signature)
        return cls(primary, call.message(nonce), hx(signature), sender, digest, tx_hash(digest, sender))


CURVE_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def _recover(digest: bytes, signature: bytes) -> str:
    try:
        sig = keys.Signature(vrs=(signature[64] - 27, int.from_bytes(signature[:32], "big"),
                                  int.from_bytes(signature[32:64], "big")))
        return sig.recover_public_key_from_msg_hash(digest).to_checksum_address()
    except (BadSignature, ValidationError) as e:
        raise ValueError(f"signature: no key recovers it ({e})") from None


def check_signature(signature: bytes) -> None:
    """Refuses what the chain refuses: not 65 bytes, v ∉ {27, 28}, high s (-32000)."""
    if len(signature) != 65:
        raise ValueError(f"signature: expected 65 bytes, got {len(signature)}")
    if signature[64] not in (27, 28):
        raise ValueError(f"signature: v must be 27 or 28, got {signature[64]}")
    if int.from_bytes(signature[32:64], "big") > CURVE_N // 2:
        raise ValueError("signature: s is high (the chain accepts only s ≤ n/2)")


def sign(call: L2Call, key, domain: Domain, nonce: int) -> SignedTransaction:
    """Signs `call` at `nonce` with `key` (hex, bytes or an eth-account LocalAccount)."""
    return _sign(key, domain, call.TYPE, call.values(nonce))


def sign_message(key, domain: Domain, primary: str, message: dict) -> SignedTransaction:
    """Signs a wire message as it is (nonce included), without the builders' checks beyond
    the EIP-712 types: for tests and tools that must craft what the chain should refuse."""
    if primary not in L2_TYPES:
        raise ValueError(f"unknown transaction type {primary!r}")
    values = {n: typed_value(t, message[n], f"{primary}.{n}") for n, t in L2_TYPES[primary]}
    return _sign(key, domain, primary, {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()})


def _sign(key, domain: Domain, primary: str, values: dict) -> SignedTransaction:
    key = getattr(key, "key", key)
    signed = Account.sign_typed_data(key, domain_data=domain.as_dict(), message_types=eip712_types(primary),
                                     message_data=values)
    sender = Account.from_key(key).address
    digest = bytes(signed.message_hash)
    message = {k: ([hx(x) if isinstance(x, bytes) else str(x) for x in v] if isinstance(v, list)
                   else hx(v) if isinstance(v, bytes) else str(v)) for k, v in values.items()}
    return SignedTransaction(primary, message, hx(bytes(signed.signature)), sender, digest, tx_hash(digest, sender))


def sign_job(job: tuple) -> tuple[dict, str]:
    """`(key, domain, primary, wire message)` → `(wire transaction, hash)`: one picklable
    argument, for signing many transactions in a process pool."""
    key, domain, primary, message = job
    if not isinstance(domain, Domain):
        domain = Domain(chain_id=domain["chainId"], verifying_contract=domain["verifyingContract"],
                        name=domain.get("name", "EMETH L2"), version=domain.get("version", "1"))
    s = sign_message(key, domain, primary, message)
    return s.wire, s.hash


# --- the Signer's tickets (PROTOCOL §6) -------------------------------------------------

def ticket_digest(domain: Domain, account: str, credit: int, block_number: int) -> bytes:
    """The digest of `Ticket(address account,uint256 credit,uint256 blockNumber)`: what L1's
    `ticketDigest` returns and the Signer signs."""
    return _digest(domain, "Ticket", {"account": to_address(account), "credit": to_int(credit, "credit"),
                                      "blockNumber": to_int(block_number, "blockNumber")})


def sign_ticket(key, domain: Domain, account: str, credit: int, block_number: int) -> bytes:
    """A Signer's ticket signature (for devnets and tests: the real Signer is the sequencer's)."""
    key = getattr(key, "key", key)
    signed = Account.sign_typed_data(key, domain_data=domain.as_dict(), message_types=eip712_types("Ticket"),
                                     message_data={"account": to_address(account), "credit": to_int(credit, "credit"),
                                                   "blockNumber": to_int(block_number, "blockNumber")})
    return bytes(signed.signature)


def ticket_signer(ticket: dict, domain: Domain) -> str:
    """Who signed a ticket of `emeth_getTicket` (compare with `emeth_chainInfo`'s `signer`, or
    L1's `signer()`)."""
    signature = to_bytes(ticket["signature"], 65, "ticket.signature")
    check_signature(signature)
    digest = ticket_digest(domain, ticket["account"], to_int(ticket["credit"], "ticket.credit"),
                           to_int(ticket["blockNumber"], "ticket.blockNumber"))
    return _recover(digest, signature)


def recover_digest_signer(digest: bytes, signature) -> str:
    """The address whose key signed a raw 32-byte digest (a block hash, PROTOCOL §5)."""
    signature = to_bytes(signature, 65, "signature")
    check_signature(signature)
    return _recover(bytes(digest), signature)
