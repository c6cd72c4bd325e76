"""The state tree (docs/PROTOCOL.md §4.1): a compacted sparse Merkle tree over 256-bit keys,
written from the spec.

    subtree(S, d) = ZERO                                   if S is empty
                  = keccak(0x00 ‖ key ‖ valueHash)         if S = {(key, valueHash)}
                  = keccak(0x01 ‖ subtree(S₀) ‖ subtree(S₁)) otherwise,

with S₀ / S₁ the pairs whose key bit d (most significant bit of byte 0 first) is 0 / 1. A
proof walks from the root along the key's path: the siblings top-down, then the leaf where
the walk ended (the key's own, another key's, or none).
"""
from __future__ import annotations

from eth_utils import keccak

ZERO = b"\x00" * 32


def bit(key: bytes, i: int) -> int:
    return (key[i // 8] >> (7 - i % 8)) & 1


def leaf_hash(key: bytes, value_hash: bytes) -> bytes:
    return keccak(b"\x00" + key + value_hash)


def node_hash(left: bytes, right: bytes) -> bytes:
    return keccak(b"\x01" + left + right)


def subtree(pairs, d: int = 0) -> bytes:
    """The hash of the subtree at depth `d` holding `pairs` [(key, valueHash)]."""
    if not pairs:
        return ZERO
    if len(pairs) == 1:
        (k, v), = pairs
        return leaf_hash(k, v)
    return node_hash(subtree([p for p in pairs if bit(p[0], d) == 0], d + 1),
                     subtree([p for p in pairs if bit(p[0], d) == 1], d + 1))


def root(pairs) -> bytes:
    """The state root of a set of (key, valueHash) pairs (distinct keys)."""
    return subtree(list(pairs), 0)


def prove(pairs, key: bytes) -> dict:
    """The proof of `key` (present or absent) in PROTOCOL §4.1's JSON form:
    `{"siblings": [0x…], "leaf": {"key", "valueHash"} | None}`."""
    pairs, siblings, d = list(pairs), [], 0
    while len(pairs) >= 2:
        mine = [p for p in pairs if bit(p[0], d) == bit(key, d)]
        other = [p for p in pairs if bit(p[0], d) != bit(key, d)]
        siblings.append(subtree(other, d + 1))
        pairs, d = mine, d + 1
    leaf = None if not pairs else {"key": "0x" + pairs[0][0].hex(), "valueHash": "0x" + pairs[0][1].hex()}
    return {"siblings": ["0x" + s.hex() for s in siblings], "leaf": leaf}


def _b32(value, what: str) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        b = bytes(value)
    elif isinstance(value, str) and value.startswith("0x"):
        b = bytes.fromhex(value[2:])
    else:
        raise ValueError(f"{what}: expected 32 bytes as 0x-hex, got {value!r}")
    if len(b) != 32:
        raise ValueError(f"{what}: expected 32 bytes, got {len(b)}")
    return b


def verification_failure(state_root: bytes, key: bytes, value_hash: bytes | None, proof: dict) -> str | None:
    """PROTOCOL §4.1's verification of "key ↦ value_hash" (or "key absent" when None) against
    `state_root`: None when it holds, else why not."""
    siblings = [_b32(s, f"smt.siblings[{i}]") for i, s in enumerate(proof.get("siblings") or [])]
    leaf = proof.get("leaf")
    n = len(siblings)
    if n > 256:
        return f"the proof has {n} siblings; at most 256"
    leaf_key = _b32(leaf["key"], "smt.leaf.key") if leaf else None
    leaf_value = _b32(leaf["valueHash"], "smt.leaf.valueHash") if leaf else None
    if value_hash is not None:
        if leaf is None or leaf_key != key or leaf_value != value_hash:
            return "the proof's leaf is not the key with the value hash claimed"
    elif leaf is not None and leaf_key == key:
        return "the proof shows the key present, not absent"
    if leaf is not None:
        if any(bit(leaf_key, i) != bit(key, i) for i in range(n)):
            return "the proof's leaf is not on the key's path"
        h = leaf_hash(leaf_key, leaf_value)
    else:
        h = ZERO
    for i in range(n - 1, -1, -1):
        h = node_hash(h, siblings[i]) if bit(key, i) == 0 else node_hash(siblings[i], h)
    if h != state_root:
        return f"the proof leads to 0x{h.hex()}, not to the state root 0x{state_root.hex()}"
    return None


def verify(state_root: bytes, key: bytes, value_hash: bytes | None, proof: dict) -> bool:
    return verification_failure(state_root, key, value_hash, proof) is None
