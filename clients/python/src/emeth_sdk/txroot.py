"""The txRoot of a block (docs/PROTOCOL.md §5): an ordered binary Merkle tree over the
transaction hashes. Level 0 is the hashes in order; each next level hashes adjacent pairs
`keccak256(left ‖ right)`; an odd last node is carried up unchanged; one hash is its own root;
no transactions give 32 zero bytes. A proof lists the siblings from the leaf up, skipping the
levels where the node is carried; the block's txCount fixes which levels those are."""
from __future__ import annotations

from eth_utils import keccak

EMPTY_ROOT = b"\x00" * 32


def _next_level(level: list[bytes]) -> list[bytes]:
    out = [keccak(level[i] + level[i + 1]) for i in range(0, len(level) - 1, 2)]
    if len(level) % 2:
        out.append(level[-1])
    return out


def root(hashes) -> bytes:
    level = [bytes(h) for h in hashes]
    if not level:
        return EMPTY_ROOT
    while len(level) > 1:
        level = _next_level(level)
    return level[0]


def proof(hashes, index: int) -> list[bytes]:
    level = [bytes(h) for h in hashes]
    if not 0 <= index < len(level):
        raise ValueError(f"index {index} is outside the {len(level)} transactions")
    out = []
    while len(level) > 1:
        if index ^ 1 < len(level):
            out.append(level[index ^ 1])
        level, index = _next_level(level), index // 2
    return out


def verify(leaf: bytes, index: int, count: int, siblings, tx_root: bytes) -> bool:
    """Whether `leaf` is the `index`-th of `count` transactions under `tx_root`."""
    if count <= 0 or not 0 <= index < count or len(leaf) != 32:
        return False
    node, used, width = bytes(leaf), 0, count
    siblings = [bytes(s) for s in siblings]
    while width > 1:
        if index ^ 1 < width:
            if used >= len(siblings) or len(siblings[used]) != 32:
                return False
            s = siblings[used]
            node = keccak(node + s) if index % 2 == 0 else keccak(s + node)
            used += 1
        index, width = index // 2, (width + 1) // 2
    return used == len(siblings) and node == tx_root
