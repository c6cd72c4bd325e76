"""txRoot oracle (docs/PROTOCOL.md §5), written from the spec: level 0 is the transaction
hashes in order, each next level hashes adjacent pairs keccak(left ‖ right), an odd last node
is carried up unchanged, one hash is its own root, none give 32 zero bytes.

Computed two ways that must agree: level by level as the spec words it (the Python SDK's
emeth_sdk.txroot), and recursively here (the left subtree is the largest power of two below n,
the rest is the right subtree — the same shape, derived differently). Leaf i is keccak("tx" ‖ i as 4 big-endian bytes).
Prints a JSON array of {"count", "root"} for --sizes (default: 0 to 64, then a spread to 2,000
including every power of two and its neighbours)."""
import argparse, json
from eth_hash.auto import keccak

from emeth_sdk.txroot import root as by_levels


def leaf(i):
    return keccak(b"tx" + i.to_bytes(4, "big"))


def by_split(leaves):
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return keccak(by_split(leaves[:k]) + by_split(leaves[k:]))


def default_sizes():
    sizes = set(range(0, 65))
    for p in range(6, 11):
        sizes |= {2 ** p - 1, 2 ** p, 2 ** p + 1}
    sizes |= set(range(65, 2_001, 37)) | {1_999, 2_000}
    return sorted(sizes)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=default_sizes())
    a = ap.parse_args()
    leaves = [leaf(i) for i in range(max(a.sizes))]
    out = []
    for n in a.sizes:
        root = by_levels(leaves[:n])
        assert n == 0 or root == by_split(leaves[:n]), n
        out.append({"count": n, "root": "0x" + root.hex()})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
