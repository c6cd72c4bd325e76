"""An independent Python implementation of OpenZeppelin's StandardMerkleTree (merkle-tree
library, v1): leaves are keccak256(keccak256(abi.encode(values))), sorted; the tree is a
complete binary tree in an array with leaves at the end in reverse order; pairs are hashed
sorted. The contract tests take their proofs from here, so the contract is checked against
the standard and not against the project's Swift code."""
from eth_abi import encode
from eth_hash.auto import keccak


def leaf_hash(types, values) -> bytes:
    return keccak(keccak(encode(types, values)))


def hash_pair(a: bytes, b: bytes) -> bytes:
    return keccak(a + b) if a < b else keccak(b + a)


class StandardMerkleTree:
    def __init__(self, values, types=("address", "uint256")):
        self.types = list(types)
        hashed = sorted(((leaf_hash(self.types, v), i) for i, v in enumerate(values)), key=lambda p: p[0])
        n = len(hashed)
        self.tree = [b""] * (2 * n - 1) if n else []
        self.value_index_to_tree = {}
        for k, (h, i) in enumerate(hashed):
            pos = len(self.tree) - 1 - k
            self.tree[pos] = h
            self.value_index_to_tree[i] = pos
        for pos in range(len(self.tree) - 1 - n, -1, -1):
            self.tree[pos] = hash_pair(self.tree[2 * pos + 1], self.tree[2 * pos + 2])
        self.values = list(values)

    @property
    def root(self) -> bytes:
        return self.tree[0] if self.tree else b"\x00" * 32

    def proof(self, value_index: int):
        pos = self.value_index_to_tree[value_index]
        out = []
        while pos > 0:
            sibling = pos - 1 if pos % 2 == 0 else pos + 1
            out.append(self.tree[sibling])
            pos = (pos - 1) // 2
        return out

    @staticmethod
    def verify(root: bytes, leaf: bytes, proof) -> bool:
        h = leaf
        for p in proof:
            h = hash_pair(h, p)
        return h == root
