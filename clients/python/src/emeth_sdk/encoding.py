"""Reading and writing the values the protocol's JSON uses (docs/API.md "Values"): quantities
as 0x-hex, decimal strings or JSON integers; byte strings as 0x-hex of an exact length;
addresses EIP-55 checksummed. Every reader names what it was reading when it refuses."""
from __future__ import annotations

from eth_utils import is_hex_address, to_checksum_address

UINT256_MAX = 2**256 - 1


def to_int(value, what: str = "value", bits: int = 256) -> int:
    """An unsigned integer from an int, a 0x-hex string or a decimal string."""
    if isinstance(value, bool):
        raise ValueError(f"{what}: a boolean is not a number: {value!r}")
    if isinstance(value, int):
        n = value
    elif isinstance(value, str):
        s = value.strip()
        try:
            n = int(s, 16) if s[:2].lower() == "0x" else int(s, 10)
        except ValueError:
            raise ValueError(f"{what}: not a number: {value!r}") from None
    else:
        raise ValueError(f"{what}: not a number: {value!r}")
    if n < 0 or n >= 1 << bits:
        raise ValueError(f"{what}: not a uint{bits}: {value!r}")
    return n


def to_bytes(value, length: int | None = None, what: str = "value") -> bytes:
    """Bytes from bytes or a 0x-hex string, optionally of an exact length."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        b = bytes(value)
    elif isinstance(value, str):
        if not value.startswith(("0x", "0X")):
            raise ValueError(f"{what}: hex must start with 0x: {value!r}")
        try:
            b = bytes.fromhex(value[2:])
        except ValueError:
            raise ValueError(f"{what}: not hex: {value!r}") from None
    else:
        raise ValueError(f"{what}: expected bytes or 0x-hex, got {type(value).__name__}")
    if length is not None and len(b) != length:
        raise ValueError(f"{what}: expected {length} bytes, got {len(b)}")
    return b


def to_address(value, what: str = "address") -> str:
    """An EIP-55 checksummed address from 0x-hex (any case) or 20 bytes."""
    if isinstance(value, (bytes, bytearray)):
        return to_checksum_address(to_bytes(value, 20, what))
    if not isinstance(value, str) or not is_hex_address(value):
        raise ValueError(f"{what}: not an address: {value!r}")
    return to_checksum_address(value)


def hx(b: bytes) -> str:
    """0x-hex, lower case."""
    return "0x" + bytes(b).hex()


def quantity(value) -> int | None:
    """An API quantity (minimal 0x-hex) as an int; None stays None."""
    return None if value is None else to_int(value, "quantity")
