"""OpenZeppelin's StandardMerkleTree, the settlement tree of docs/PROTOCOL.md §5: a faithful
port of `@openzeppelin/merkle-tree` v1 (src/core.ts, src/hashes.ts, src/merkletree.ts,
src/bytes.ts), so roots and proofs are the ones OpenZeppelin's library and `MerkleProof.verify`
(which L1's `claim` runs) produce and accept:

- leaf = keccak256(keccak256(abi.encode(types, values)));
- leaves sorted by hash (a stable sort), stored in reverse order at the end of a `2n − 1`
  array, each parent `keccak256` of its two children sorted as integers;
- a proof lists the siblings from the leaf up; verification folds the sorted-pair hash.

A settlement leaf is the value `(address account, uint256 credit)`. No values: the root is 32
zero bytes (the protocol's "no credit changed").
"""
from __future__ import annotations

from functools import cmp_to_key, reduce

from eth_abi import encode
from eth_utils import keccak

SETTLEMENT_TYPES = ("address", "uint256")
ZERO_ROOT = b"\x00" * 32


# --- src/bytes.ts
def compare(a: bytes, b: bytes) -> int:
    diff = int.from_bytes(a, "big") - int.from_bytes(b, "big")
    return 1 if diff > 0 else -1 if diff < 0 else 0


# --- src/hashes.ts
def leaf_hash(types, values) -> bytes:
    """standardLeafHash: keccak256(keccak256(abi.encode(types, values)))."""
    return keccak(keccak(encode(list(types), list(values))))


def node_hash(a: bytes, b: bytes) -> bytes:
    """standardNodeHash: keccak256 of the pair sorted as integers (commutative)."""
    return keccak(b"".join(sorted([a, b], key=cmp_to_key(compare))))


def settlement_leaf(account: str, credit: int) -> bytes:
    """The settlement leaf of `account` with cumulative `credit` (PROTOCOL §5)."""
    return leaf_hash(SETTLEMENT_TYPES, [account, int(credit)])


# --- src/core.ts
def _left(i): return 2 * i + 1
def _right(i): return 2 * i + 2
def _parent(i):
    if i <= 0:
        raise ValueError("the root has no parent")
    return (i - 1) // 2
def _sibling(i):
    if i <= 0:
        raise ValueError("the root has no sibling")
    return i - (-1) ** (i % 2)
def _is_node(tree, i): return 0 <= i < len(tree)
def _is_leaf(tree, i): return _is_node(tree, i) and not _is_node(tree, _left(i))


def make_merkle_tree(leaves: list[bytes]) -> list[bytes]:
    if not leaves:
        raise ValueError("a Merkle tree needs at least one leaf")
    if any(len(leaf) != 32 for leaf in leaves):
        raise ValueError("every leaf must be 32 bytes")
    tree: list[bytes] = [b""] * (2 * len(leaves) - 1)
    for i, leaf in enumerate(leaves):
        tree[len(tree) - 1 - i] = leaf
    for i in range(len(tree) - 1 - len(leaves), -1, -1):
        tree[i] = node_hash(tree[_left(i)], tree[_right(i)])
    return tree


def get_proof(tree: list[bytes], index: int) -> list[bytes]:
    if not _is_leaf(tree, index):
        raise ValueError(f"tree index {index} is not a leaf")
    proof = []
    while index > 0:
        proof.append(tree[_sibling(index)])
        index = _parent(index)
    return proof


def process_proof(leaf: bytes, proof) -> bytes:
    """OpenZeppelin's MerkleProof.processProof: the root a leaf and its proof lead to."""
    return reduce(node_hash, proof, leaf)


def get_multi_proof(tree: list[bytes], indices: list[int]) -> dict:
    for i in indices:
        if not _is_leaf(tree, i):
            raise ValueError(f"tree index {i} is not a leaf")
    indices = sorted(indices, key=lambda x: -x)
    if any(indices[p + 1] == indices[p] for p in range(len(indices) - 1)):
        raise ValueError("cannot prove a duplicated index")
    stack = list(indices)
    proof, flags = [], []
    while stack and stack[0] > 0:
        j = stack.pop(0)
        s, p = _sibling(j), _parent(j)
        if stack and s == stack[0]:
            flags.append(True)
            stack.pop(0)
        else:
            flags.append(False)
            proof.append(tree[s])
        stack.append(p)
    if not indices:
        proof.append(tree[0])
    return {"leaves": [tree[i] for i in indices], "proof": proof, "proofFlags": flags}


def process_multi_proof(mp: dict) -> bytes:
    if len(mp["proof"]) < len([f for f in mp["proofFlags"] if not f]):
        raise ValueError("invalid multiproof format")
    if len(mp["leaves"]) + len(mp["proof"]) != len(mp["proofFlags"]) + 1:
        raise ValueError("provided leaves and multiproof are not compatible")
    stack, proof = list(mp["leaves"]), list(mp["proof"])
    for flag in mp["proofFlags"]:
        a = stack.pop(0)
        b = stack.pop(0) if flag else proof.pop(0)
        stack.append(node_hash(a, b))
    if len(stack) + len(proof) != 1:
        raise ValueError("broken invariant")
    return stack.pop() if stack else proof.pop(0)


# --- src/merkletree.ts + src/standard.ts
class StandardMerkleTree:
    """`StandardMerkleTree.of(values, types)`: `tree` is the array, `tree_index[i]` where
    value i sits in it, `proof(i)` its proof."""

    def __init__(self, values, types=SETTLEMENT_TYPES, sort_leaves: bool = True):
        self.values = [list(v) for v in values]
        self.types = list(types)
        hashed = [(leaf_hash(self.types, v), i) for i, v in enumerate(self.values)]
        if sort_leaves:
            hashed.sort(key=cmp_to_key(lambda a, b: compare(a[0], b[0])))  # stable, like Array.prototype.sort
        self.tree = make_merkle_tree([h for h, _ in hashed]) if hashed else []
        self.tree_index = [0] * len(self.values)
        for leaf_index, (_, value_index) in enumerate(hashed):
            self.tree_index[value_index] = len(self.tree) - leaf_index - 1

    @property
    def root(self) -> bytes:
        return self.tree[0] if self.tree else ZERO_ROOT

    def leaf(self, value_index: int) -> bytes:
        return self.tree[self.tree_index[value_index]]

    def proof(self, value_index: int) -> list[bytes]:
        return get_proof(self.tree, self.tree_index[value_index])

    def multiproof(self, value_indices) -> dict:
        return get_multi_proof(self.tree, [self.tree_index[i] for i in value_indices])

    @staticmethod
    def verify(root: bytes, leaf: bytes, proof) -> bool:
        """MerkleProof.verify(proof, root, leaf)."""
        return process_proof(leaf, proof) == root


def settlement_tree(credits) -> StandardMerkleTree:
    """The settlement tree over `(account, credit)` pairs (each account once)."""
    return StandardMerkleTree([(a, int(c)) for a, c in credits], SETTLEMENT_TYPES)
