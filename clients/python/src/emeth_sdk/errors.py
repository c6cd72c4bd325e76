"""Errors the SDK raises. JSON-RPC errors map to one class per code of docs/API.md, so a
caller can catch `NonceError` or `Refused` instead of comparing numbers."""
from __future__ import annotations

import re

from .codes import FAILURES


class EmethError(Exception):
    """Base of every error the SDK raises on purpose."""


class InvalidProof(EmethError):
    """A proof that does not hold; the message names the first problem."""


class TransportError(EmethError):
    """The endpoint could not be reached or did not answer JSON-RPC."""


class ReceiptTimeout(EmethError):
    """A receipt did not reach the wanted status in time."""


class RPCError(EmethError):
    """A JSON-RPC error response: `code`, `message` (and `data`, if any)."""
    code: int = 0

    def __init__(self, code: int, message: str, data=None, method: str | None = None):
        self.code, self.message, self.data, self.method = code, message, data, method
        super().__init__(f"{method + ': ' if method else ''}error {code}: {message}")

    @staticmethod
    def of(error: dict, method: str | None = None) -> "RPCError":
        code = error.get("code", 0)
        return RPC_ERRORS.get(code, RPCError)(code, error.get("message", ""), error.get("data"), method)


class ParseError(RPCError): pass               # -32700
class InvalidRequest(RPCError): pass           # -32600
class MethodNotFound(RPCError): pass           # -32601
class InvalidParams(RPCError): pass            # -32602
class InternalError(RPCError): pass            # -32603
class InvalidSignature(RPCError): pass         # -32000: not 65 bytes, v ∉ {27, 28}, high s, no key recovers
class NonceError(RPCError): pass               # -32001: behind, already queued, too far ahead, already known
class WrongDomain(RPCError): pass              # -32002: signed for another chain / contract, or another sender
class LimitExceeded(RPCError): pass            # -32003: mempool, rate limit, backpressure, sizes
class Unavailable(RPCError): pass              # -32004: no batch information, unknown batch, no credit change
class Stopped(RPCError): pass                  # -32005: the sequencer stopped after a storage failure


class Refused(RPCError):
    """-32006: refused by admission. `failure` is the PROTOCOL §3 code the transaction would
    fail with against the pending state (None when the sender holds nothing)."""

    @property
    def failure(self) -> int | None:
        m = re.search(r"would fail with [A-Z_]+ \((\d+)\)", self.message)
        return int(m.group(1)) if m else None

    @property
    def failure_name(self) -> str | None:
        return FAILURES.get(self.failure) if self.failure else None


RPC_ERRORS = {-32700: ParseError, -32600: InvalidRequest, -32601: MethodNotFound, -32602: InvalidParams,
              -32603: InternalError, -32000: InvalidSignature, -32001: NonceError, -32002: WrongDomain,
              -32003: LimitExceeded, -32004: Unavailable, -32005: Stopped, -32006: Refused}
for _code, _cls in RPC_ERRORS.items():
    _cls.code = _code
