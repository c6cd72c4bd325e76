"""OpenZeppelin StandardMerkleTree oracle: a faithful Python port of `@openzeppelin/merkle-tree`
(github.com/OpenZeppelin/merkle-tree @ 98ff55dc7b6004a6e57ca0cb256cc0d08ecb6096):
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
from functools import cmp_to_key, reduce
from eth_abi import encode
from eth_utils import keccak, to_checksum_address


# --- src/bytes.ts
def compare(a: bytes, b: bytes) -> int:
    diff = int.from_bytes(a, "big") - int.from_bytes(b, "big")
    return 1 if diff > 0 else -1 if diff < 0 else 0


# --- src/hashes.ts
def standard_leaf_hash(types, value) -> bytes:
    return keccak(keccak(encode(types, value)))


def standard_node_hash(a: bytes, b: bytes) -> bytes:
    return keccak(b"".join(sorted([a, b], key=cmp_to_key(compare))))


# --- src/core.ts
def left_child_index(i): return 2 * i + 1
def right_child_index(i): return 2 * i + 2
def parent_index(i):
    assert i > 0, "Root has no parent"
    return (i - 1) // 2
def sibling_index(i):
    assert i > 0, "Root has no siblings"
    return i - (-1) ** (i % 2)
def is_tree_node(tree, i): return 0 <= i < len(tree)
def is_internal_node(tree, i): return is_tree_node(tree, left_child_index(i))
def is_leaf_node(tree, i): return is_tree_node(tree, i) and not is_internal_node(tree, i)


def make_merkle_tree(leaves, node_hash=standard_node_hash):
    assert all(len(l) == 32 for l in leaves)
    assert len(leaves) != 0, "Expected non-zero number of leaves"
    tree = [None] * (2 * len(leaves) - 1)
    for i, leaf in enumerate(leaves):
        tree[len(tree) - 1 - i] = leaf
    for i in range(len(tree) - 1 - len(leaves), -1, -1):
        tree[i] = node_hash(tree[left_child_index(i)], tree[right_child_index(i)])
    return tree


def get_proof(tree, index):
    assert is_leaf_node(tree, index), "Index is not a leaf"
    proof = []
    while index > 0:
        proof.append(tree[sibling_index(index)])
        index = parent_index(index)
    return proof


def process_proof(leaf, proof, node_hash=standard_node_hash):
    return reduce(node_hash, proof, leaf)


def get_multi_proof(tree, indices):
    for i in indices: assert is_leaf_node(tree, i), "Index is not a leaf"
    indices = sorted(indices, key=lambda x: -x)
    assert all(indices[p + 1] != indices[p] for p in range(len(indices) - 1)), "Cannot prove duplicated index"
    stack = list(indices)
    proof, proof_flags = [], []
    while len(stack) > 0 and stack[0] > 0:
        j = stack.pop(0)
        s = sibling_index(j)
        p = parent_index(j)
        if len(stack) > 0 and s == stack[0]:
            proof_flags.append(True)
            stack.pop(0)
        else:
            proof_flags.append(False)
            proof.append(tree[s])
        stack.append(p)
    if len(indices) == 0:
        proof.append(tree[0])
    return {"leaves": [tree[i] for i in indices], "proof": proof, "proofFlags": proof_flags}


def process_multi_proof(mp, node_hash=standard_node_hash):
    assert len(mp["proof"]) >= len([b for b in mp["proofFlags"] if not b]), "Invalid multiproof format"
    assert len(mp["leaves"]) + len(mp["proof"]) == len(mp["proofFlags"]) + 1
    stack, proof = list(mp["leaves"]), list(mp["proof"])
    for flag in mp["proofFlags"]:
        a = stack.pop(0)
        b = stack.pop(0) if flag else proof.pop(0)
        stack.append(node_hash(a, b))
    assert len(stack) + len(proof) == 1
    return stack.pop() if stack else proof.pop(0)


# --- src/merkletree.ts (MerkleTreeImpl.prepare) + src/standard.ts (StandardMerkleTree.of)
def standard_tree_of(values, leaf_encoding, sort_leaves=True):
    hashed = [{"value": v, "valueIndex": i, "hash": standard_leaf_hash(leaf_encoding, v)} for i, v in enumerate(values)]
    if sort_leaves:
        hashed.sort(key=cmp_to_key(lambda a, b: compare(a["hash"], b["hash"])))  # stable, like Array.prototype.sort
    tree = make_merkle_tree([h["hash"] for h in hashed])
    tree_index = [0] * len(values)
    for leaf_index, h in enumerate(hashed):
        tree_index[h["valueIndex"]] = len(tree) - leaf_index - 1
    return tree, tree_index


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
            tree, tree_index = standard_tree_of(values, ["address", "uint256"], sort_leaves)
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
