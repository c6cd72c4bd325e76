"""txRoot (PROTOCOL §5) and its proofs, against a recursive construction written here (the left
subtree the largest power of two below n: the same shape, derived differently)."""
import pytest
from eth_hash.auto import keccak

from emeth_sdk import txroot


def by_split(leaves):
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return keccak(by_split(leaves[:k]) + by_split(leaves[k:]))


LEAVES = [keccak(b"tx" + i.to_bytes(4, "big")) for i in range(70)]


def test_empty_and_single():
    assert txroot.root([]) == bytes(32)
    assert txroot.root(LEAVES[:1]) == LEAVES[0]
    assert txroot.proof(LEAVES[:1], 0) == []
    assert txroot.verify(LEAVES[0], 0, 1, [], LEAVES[0])


@pytest.mark.parametrize("n", [2, 3, 5, 6, 7, 8, 9, 17, 33, 64, 65, 70])
def test_roots_and_every_proof(n):
    leaves = LEAVES[:n]
    root = txroot.root(leaves)
    assert root == by_split(leaves)
    for i in range(n):
        p = txroot.proof(leaves, i)
        assert txroot.verify(leaves[i], i, n, p, root)
        assert not txroot.verify(leaves[i], (i + 1) % n, n, p, root)      # position is proven
        assert not txroot.verify(leaves[i], i, n, p + [root], root)         # and the proof's length


def test_out_of_range():
    with pytest.raises(ValueError, match="index 3 is outside the 3 transactions"):
        txroot.proof(LEAVES[:3], 3)
    assert not txroot.verify(LEAVES[0], 3, 3, [], LEAVES[0])
    assert not txroot.verify(LEAVES[0], 0, 0, [], bytes(32))
