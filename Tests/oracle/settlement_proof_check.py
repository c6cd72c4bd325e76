"""Settlement proof oracle: checks `emeth prove settlement` files with code we did not write.

Reads JSON on stdin: {"values": [{"account": "0x…", "credit": "123"}, …],   # a batch's leaves
                      "proofs": [<settlement proof file>, …]}
Independently of the Swift code it
  * hashes each value as OpenZeppelin's StandardMerkleTree does: keccak256(keccak256(
    abi.encode(address, uint256))) with eth-abi and eth-hash;
  * builds the tree as @openzeppelin/merkle-tree's makeMerkleTree (leaves sorted by hash,
    stored reversed at the end of a 2n-1 array, sorted-pair parents) and takes each getProof;
  * verifies every given proof file as OpenZeppelin's MerkleProof.verify (processProof with
    commutative keccak256 of the sorted pair) against its own root, and checks its leaf field.
Prints {"root": "0x…", "proofs": {"0xaccount (lower case)": ["0x…", …]},
        "checks": [{"account", "leaf", "leafMatches", "verified"}, …]}."""
import json, sys
from eth_abi import encode
from eth_hash.auto import keccak


def leaf(account: str, credit: int) -> bytes:
    return keccak(keccak(encode(["address", "uint256"], [account, credit])))


def node(a: bytes, b: bytes) -> bytes:
    return keccak(min(a, b) + max(a, b))


def tree_of(leaves):
    ordered = sorted(leaves)                      # OZ: sort by hash (distinct accounts, distinct leaves)
    n = len(ordered)
    tree = [b""] * (2 * n - 1)
    for i, l in enumerate(ordered):
        tree[len(tree) - 1 - i] = l
    for i in range(len(tree) - 1 - n, -1, -1):
        tree[i] = node(tree[2 * i + 1], tree[2 * i + 2])
    return tree


def proof_of(tree, l):
    i = tree.index(l, len(tree) // 2)             # leaves occupy the second half
    out = []
    while i > 0:
        out.append(tree[i + 1] if i % 2 == 1 else tree[i - 1])
        i = (i - 1) // 2
    return out


def unhex(s: str) -> bytes:
    assert s.startswith("0x"), s
    return bytes.fromhex(s[2:])


def main():
    data = json.load(sys.stdin)
    values = [(v["account"], int(v["credit"])) for v in data["values"]]
    leaves = {acc.lower(): leaf(acc, credit) for acc, credit in values}
    tree = tree_of(list(leaves.values()))
    root = tree[0]
    proofs = {acc: ["0x" + p.hex() for p in proof_of(tree, l)] for acc, l in leaves.items()}
    checks = []
    for f in data["proofs"]:
        l = leaf(f["account"], int(f["credit"]))
        h = l
        for p in f["proof"]:
            h = node(h, unhex(p))
        checks.append({"account": f["account"].lower(), "leaf": "0x" + l.hex(),
                       "leafMatches": unhex(f["leaf"]) == l, "verified": h == root and unhex(f["root"]) == root})
    print(json.dumps({"root": "0x" + root.hex(), "proofs": proofs, "checks": checks}))


if __name__ == "__main__":
    main()
