"""OpenZeppelin StandardMerkleTree oracle, from the Python SDK's faithful port of
`@openzeppelin/merkle-tree` (github.com/OpenZeppelin/merkle-tree @ 98ff55dc7b6004a6e57ca0cb256cc0d08ecb6096;
clients/python/src/emeth_sdk/merkle.py, written from that library, not from our Swift code):
  src/core.ts        makeMerkleTree, getProof, processProof, getMultiProof, processMultiProof
  src/hashes.ts      standardLeafHash = keccak256(keccak256(abi.encode(types, value))),
                     standardNodeHash = keccak256(concat([a, b].sort(compare)))
  src/merkletree.ts  MerkleTreeImpl.prepare (stable sort of leaves by hash when sortLeaves,
                     treeIndex = tree.length - leafIndex - 1) and getProof(valueIndex)
  src/bytes.ts       compare = BigInt(a) - BigInt(b)
ABI encoding by eth-abi, keccak by eth-hash. For every tree size in --sizes (default 1..64) it
builds a tree of random (address account, uint256 credit) values and prints the tree array,
root, each value's tree index and proof, and multiproofs of random index subsets."""
import argparse, json, random
from eth_utils import to_checksum_address

from emeth_sdk.merkle import StandardMerkleTree, get_multi_proof, get_proof, process_multi_proof, process_proof


def hx(b): return "0x" + b.hex()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-size", type=int, default=64)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = []
    for size in range(1, a.max_size + 1):
        for sort_leaves in ([True, False] if size % 4 == 0 else [True]):
            values = []
            for _ in range(size):
                if values and rng.random() < 0.05:
                    values.append(rng.choice(values))  # a duplicate value
                else:
                    credit = rng.choice([0, 1, rng.randrange(2 ** 64), rng.randrange(2 ** 256)])
                    values.append([to_checksum_address(rng.randbytes(20)), credit])
            t = StandardMerkleTree(values, ["address", "uint256"], sort_leaves)
            tree, tree_index = t.tree, t.tree_index
            proofs = []
            for v in range(size):
                p = get_proof(tree, tree_index[v])
                assert process_proof(tree[tree_index[v]], p) == tree[0]
                proofs.append([hx(x) for x in p])
            multis = []
            for _ in range(3):
                subset = rng.sample(range(size), rng.randrange(0, size + 1))
                mp = get_multi_proof(tree, [tree_index[v] for v in subset])
                assert process_multi_proof(mp) == tree[0]
                multis.append({"indices": subset, "leaves": [hx(x) for x in mp["leaves"]],
                               "proof": [hx(x) for x in mp["proof"]], "proofFlags": mp["proofFlags"]})
            out.append({"sortLeaves": sort_leaves,
                        "values": [{"account": acc, "credit": str(credit)} for acc, credit in values],
                        "tree": [hx(x) for x in tree], "treeIndices": tree_index, "root": hx(tree[0]),
                        "proofs": proofs, "multiProofs": multis})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
