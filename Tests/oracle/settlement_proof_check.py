"""Settlement proof oracle: checks `emeth prove settlement` files with code we did not write in
Swift — the Python SDK's port of OpenZeppelin's merkle-tree (clients/python, emeth_sdk.merkle).

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

from emeth_sdk.merkle import process_proof, settlement_leaf, settlement_tree


def unhex(s: str) -> bytes:
    assert s.startswith("0x"), s
    return bytes.fromhex(s[2:])


def main():
    data = json.load(sys.stdin)
    values = [(v["account"], int(v["credit"])) for v in data["values"]]
    tree = settlement_tree(values)
    root = tree.root
    proofs = {acc.lower(): ["0x" + p.hex() for p in tree.proof(i)] for i, (acc, _) in enumerate(values)}
    checks = []
    for f in data["proofs"]:
        l = settlement_leaf(f["account"], int(f["credit"]))
        verified = process_proof(l, [unhex(p) for p in f["proof"]]) == root and unhex(f["root"]) == root
        checks.append({"account": f["account"].lower(), "leaf": "0x" + l.hex(),
                       "leafMatches": unhex(f["leaf"]) == l, "verified": verified})
    print(json.dumps({"root": "0x" + root.hex(), "proofs": proofs, "checks": checks}))


if __name__ == "__main__":
    main()
