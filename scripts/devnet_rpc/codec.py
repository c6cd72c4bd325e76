"""JSON-RPC value encoding: parsing request parameters and formatting results.

Ethereum's JSON-RPC encodes quantities as minimal `0x`-hex ("0x0", "0x1a") and byte strings as
even-length `0x`-hex. Everything that crosses the wire goes through the helpers here so the
server answers exactly like geth no matter which py-evm object a value came from, and so a
malformed argument becomes a precise -32602 error instead of an exception deep in py-evm.
"""

from __future__ import annotations

from typing import Any

# JSON-RPC 2.0 and geth error codes.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
SERVER_ERROR = -32000  # geth: any node/EVM error (rejected tx, header not found, ...)
EXECUTION_REVERTED = 3  # geth: eth_call / eth_estimateGas hit REVERT; `data` holds the revert data

BLOCK_TAGS = ("latest", "earliest", "pending", "safe", "finalized")


class RPCError(Exception):
    """An error that is answered to the client as a JSON-RPC error object."""

    def __init__(self, code: int, message: str, data: Any = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_json(self) -> dict:
        err = {"code": self.code, "message": self.message}
        if self.data is not None:
            err["data"] = self.data
        return err


def invalid_params(message: str) -> RPCError:
    return RPCError(INVALID_PARAMS, message)


def server_error(message: str) -> RPCError:
    return RPCError(SERVER_ERROR, message)


# ---------------------------------------------------------------------------------------------
# Result encoding


def q(n: int | None) -> str | None:
    """A quantity: minimal 0x-hex (hex() is already minimal, and "0x0" for zero)."""
    return None if n is None else hex(n)


def b(data: bytes | None) -> str | None:
    """A byte string as 0x-hex."""
    return None if data is None else "0x" + bytes(data).hex()


def h32(n: int | bytes) -> str:
    """A 32-byte word (topic, storage key/value) that py-evm may hand over as an int."""
    if isinstance(n, int):
        return "0x" + n.to_bytes(32, "big").hex()
    return "0x" + bytes(n).rjust(32, b"\0").hex()


def addr(a: bytes | None) -> str | None:
    """An address; like geth, lowercase hex (clients compare case-insensitively)."""
    return None if not a else "0x" + bytes(a).hex()


# ---------------------------------------------------------------------------------------------
# Parameter decoding. `where` names the argument in error messages, as geth does.


def parse_quantity(value: Any, where: str = "argument") -> int:
    """A non-negative integer: 0x-hex as the spec says; JSON ints and decimal strings leniently."""
    if isinstance(value, bool):
        raise invalid_params(f"invalid {where}: expected quantity, got bool")
    if isinstance(value, int):
        if value < 0:
            raise invalid_params(f"invalid {where}: negative quantity")
        return value
    if isinstance(value, str):
        s = value.strip()
        try:
            if s[:2] in ("0x", "0X"):
                if len(s) == 2:
                    raise ValueError
                return int(s[2:], 16)
            if s.isdigit():
                return int(s, 10)
        except ValueError:
            pass
        raise invalid_params(f"invalid {where}: hex string {value!r} is not a quantity")
    raise invalid_params(f"invalid {where}: expected quantity, got {type(value).__name__}")


def parse_data(value: Any, where: str = "argument") -> bytes:
    if not isinstance(value, str) or value[:2] not in ("0x", "0X"):
        raise invalid_params(f"invalid {where}: expected 0x-prefixed hex data")
    s = value[2:]
    if len(s) % 2:
        raise invalid_params(f"invalid {where}: hex string has odd length")
    try:
        return bytes.fromhex(s)
    except ValueError:
        raise invalid_params(f"invalid {where}: invalid hex string") from None


def parse_fixed(value: Any, size: int, where: str) -> bytes:
    data = parse_data(value, where)
    if len(data) != size:
        raise invalid_params(f"invalid {where}: expected {size} bytes, got {len(data)}")
    return data


def parse_address(value: Any, where: str = "argument") -> bytes:
    return parse_fixed(value, 20, where)


def parse_hash(value: Any, where: str = "argument") -> bytes:
    return parse_fixed(value, 32, where)


def parse_bool(value: Any, where: str = "argument") -> bool:
    if not isinstance(value, bool):
        raise invalid_params(f"invalid {where}: expected bool")
    return value


def parse_block_id(value: Any, where: str = "argument"):
    """A block tag, number, or EIP-1898 object.

    Returns one of the BLOCK_TAGS, an int block number, or ("hash", bytes, require_canonical).
    """
    if isinstance(value, str) and value in BLOCK_TAGS:
        return value
    if isinstance(value, dict):
        if "blockHash" in value:
            if "blockNumber" in value:
                raise invalid_params(f"invalid {where}: cannot specify both blockHash and blockNumber")
            return ("hash", parse_hash(value["blockHash"], where),
                    bool(value.get("requireCanonical", False)))
        if "blockNumber" in value:
            return parse_block_id(value["blockNumber"], where)
        raise invalid_params(f"invalid {where}: block object needs blockHash or blockNumber")
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return parse_quantity(value, where)
    raise invalid_params(f"invalid {where}: expected block number or tag")


def int_to_bytes32(n: int) -> bytes:
    return n.to_bytes(32, "big")


def bloom_bytes(bloom: int) -> bytes:
    return bloom.to_bytes(256, "big")
