"""The OpenZeppelin StandardMerkleTree port: published vectors (OpenZeppelin's README example,
docs/PROOFS.md's example proof), a settlement leaf laid out by hand, and every proof and
multiproof of random trees checked by a verifier written here from MerkleProof.sol."""
import json
import random
import re
from pathlib import Path

import pytest
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from emeth_sdk import InvalidProof, StandardMerkleTree, settlement_leaf, settlement_tree, verify_settlement
from emeth_sdk.merkle import process_multi_proof

PROOFS_MD = (Path(__file__).resolve().parents[3] / "docs" / "PROOFS.md").read_text()


def oz_verify(proof, root, leaf) -> bool:
    """MerkleProof.verify: fold keccak256 of the sorted pair, compare with the root."""
    h = leaf
    for p in proof:
        h = keccak(min(h, p) + max(h, p))
    return h == root


def test_openzeppelin_readme_example():
    # StandardMerkleTree.of([[addr1, "5000000000000000000"], [addr2, "2500000000000000000"]], ["address", "uint256"])
    tree = settlement_tree([("0x1111111111111111111111111111111111111111", 5000000000000000000),
                            ("0x2222222222222222222222222222222222222222", 2500000000000000000)])
    assert "0x" + tree.root.hex() == "0xd4dee0beab2d53f2cc83e567171bd2820e49898130a22622b10ead383e90bd77"


def test_settlement_leaf_is_double_keccak_of_the_abi_words():
    account, credit = "0x" + "ab" * 20, 12345
    laid_out = bytes(12) + bytes.fromhex("ab" * 20) + credit.to_bytes(32, "big")
    assert settlement_leaf(account, credit) == keccak(keccak(laid_out))
    assert settlement_leaf(account, credit).hex() == "2268231b3ed6db291bdc0659f226cd4aa663b2447ba1f01e94db5f0c79fc1dc5"


def test_the_documented_example_proof_verifies():
    example = json.loads(re.search(r"## Settlement proofs.*?```json\n(.*?)```", PROOFS_MD, re.S).group(1))
    claim = verify_settlement(example)
    assert (claim.account, claim.credit, claim.batch_index) == ("0xD846F14C104f230CBBa1bb3fbAc792Fa819bF8f9", 216000000000, 0)
    assert oz_verify(claim.proof, claim.root, claim.leaf)
    with pytest.raises(InvalidProof, match=r'^"leaf" is .* but the proof\'s contents give'):
        verify_settlement(dict(example, credit="216000000001"))
    with pytest.raises(InvalidProof, match=r"^the proof does not lead from the leaf of 0xD846.* with credit 216000000001 to root"):
        verify_settlement({k: v for k, v in dict(example, credit="216000000001").items() if k != "leaf"})
    with pytest.raises(InvalidProof, match=r"^the proof does not lead"):
        verify_settlement(dict(example, proof=example["proof"][::-1]))
    with pytest.raises(InvalidProof, match=r"^the root is zero: no credit changed in the range, so it proves nothing$"):
        verify_settlement(dict(example, root="0x" + "00" * 32, proof=[]))
    # The API's form (0x-hex quantities, plus "final" and "l1TxHash") reads the same.
    api = dict(example, credit=hex(216000000000), batchIndex="0x0", firstBlock="0x1", lastBlock="0x4", final=True, l1TxHash=None)
    del api["type"]
    assert verify_settlement(api) == claim


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 8, 9, 16, 31, 64])
def test_every_proof_and_multiproof_of_random_trees(size):
    rng = random.Random(size)
    values = [(to_checksum_address(rng.randbytes(20)), rng.randrange(2**128)) for _ in range(size)]
    tree = settlement_tree(values)
    assert len(tree.tree) == 2 * size - 1
    leaves = sorted(settlement_leaf(a, c) for a, c in values)
    assert tree.tree[size - 1:] == leaves[::-1]     # the leaves sorted by hash, stored reversed at the end
    for i, (a, c) in enumerate(values):
        assert tree.leaf(i) == settlement_leaf(a, c)
        assert oz_verify(tree.proof(i), tree.root, tree.leaf(i))
        assert StandardMerkleTree.verify(tree.root, tree.leaf(i), tree.proof(i))
        assert not oz_verify(tree.proof(i), tree.root, settlement_leaf(a, c + 1))
    for _ in range(5):
        subset = rng.sample(range(size), rng.randrange(0, size + 1))
        assert process_multi_proof(tree.multiproof(subset)) == tree.root


def test_empty_tree_and_duplicates():
    assert settlement_tree([]).root == b"\x00" * 32
    a = "0x" + "11" * 20
    tree = settlement_tree([(a, 5), (a, 5)])          # a duplicate value: both leaves, stable order
    assert tree.tree_index == [2, 1] and oz_verify(tree.proof(1), tree.root, settlement_leaf(a, 5))
    with pytest.raises(ValueError, match="cannot prove a duplicated index"):
        tree.multiproof([0, 0])
