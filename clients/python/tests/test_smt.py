"""The state tree (PROTOCOL §4.1) against the test vectors printed in docs/PROTOCOL.md, and its
verifier against tampered proofs."""
import random

import pytest
from eth_hash.auto import keccak

from emeth_sdk import records, smt

K1, K2, K3 = bytes([0x10]) + bytes(31), bytes([0x90]) + bytes(31), bytes([0x30]) + bytes(31)
V1, V2, V3 = keccak(b"v1"), keccak(b"v2"), keccak(b"v3")
L2 = "0x13661b3b3a1399a3c56bf5f0d6399954692e9c13f529c34274cd6d1e6e7bf5c8"
L3 = "0xbd4cc24d44e3b40627227108e7e08766371073640013d9ae82310cfc10888b6b"
N_L1_L3 = "0x02e1b8e975dd2d1ddeb71c8c4ba58f5c8a23d048113d5fe7292d07eea41af731"
ZERO = "0x" + "00" * 32
THREE = [(K1, V1), (K2, V2), (K3, V3)]


def hx(b): return "0x" + b.hex()


def test_documented_roots():
    assert smt.root([]) == bytes(32)
    assert hx(smt.root([(K1, V1)])) == "0x9acf4b364684dc16a5b35e0c0c8d867c15ac2bf1c4f09b17c771b5e0693143b1"
    assert hx(smt.root([(K1, V1), (K2, V2)])) == "0xc0332779e7b85e09b122c80e07c171071e3fb6a73a555703d94679299af7fa50"
    assert hx(smt.root(THREE)) == "0xad65e8bb80d6f63dcbdcb374d8c502d6fb2f4e5af579df54fd7428d09e7941b2"
    assert hx(smt.root(THREE[::-1])) == hx(smt.root(THREE))
    assert (hx(smt.leaf_hash(K2, V2)), hx(smt.leaf_hash(K3, V3))) == (L2, L3)
    assert hx(smt.node_hash(smt.leaf_hash(K1, V1), smt.leaf_hash(K3, V3))) == N_L1_L3


def test_documented_proofs():
    assert smt.prove(THREE, K3) == {"siblings": [L2, ZERO, hx(smt.leaf_hash(K1, V1))],
                                    "leaf": {"key": hx(K3), "valueHash": hx(V3)}}
    assert hx(V3) == "0xec97b8914cfb6741ca720b49246676ddcc2c227e4046450a8d815244c93673da"
    absent_50 = bytes([0x50]) + bytes(31)
    assert smt.prove(THREE, absent_50) == {"siblings": [L2, N_L1_L3], "leaf": None}
    absent_18 = bytes([0x18]) + bytes(31)
    assert smt.prove(THREE, absent_18) == {"siblings": [L2, ZERO, L3], "leaf": {"key": hx(K1), "valueHash": hx(V1)}}
    root = smt.root(THREE)
    assert smt.verify(root, K3, V3, smt.prove(THREE, K3))
    assert smt.verify(root, absent_50, None, smt.prove(THREE, absent_50))
    assert smt.verify(root, absent_18, None, smt.prove(THREE, absent_18))


def test_documented_keys_and_record():
    assert hx(records.account_key("0x5B38Da6a701c568545dCfcB03FcB875f56beddC4")) == \
        "0xbce8b999c2759481be5ec038ba89bc9948108c841159bac4ce34a22098389751"
    assert hx(records.job_key("0x0123456789abcdef0123456789abcdef")) == \
        "0xb91c5f61aa999dee12a230a8050b3eff28ac12b109c76e096885ec5b13c81b03"
    assert hx(records.TOTALS_KEY) == "0x69c322e3248a5dfc29d73c5b0553b0185a35cd5bb6386747517ef7e53b15e287"
    assert hx(records.value_hash(records.encode_account(10**18, 5, 0))) == \
        "0x8c631c544d7537552b980669e1321cd66ce06f7371d4de645d163515cad7c535"


def test_tampered_proofs_are_refused_with_the_reason():
    root = smt.root(THREE)
    good = smt.prove(THREE, K3)
    f = smt.verification_failure
    assert f(root, K3, V1, good) == "the proof's leaf is not the key with the value hash claimed"
    assert f(root, K3, None, good) == "the proof shows the key present, not absent"
    flipped = dict(good, siblings=[good["siblings"][0], hx(b"\x01" * 32), good["siblings"][2]])
    assert f(root, K3, V3, flipped).startswith("the proof leads to 0x")
    assert f(root, K3, V3, dict(good, siblings=good["siblings"][:2])).startswith("the proof leads to")
    # A non-inclusion leaf must lie on the key's path.
    off_path = smt.prove(THREE, bytes([0x18]) + bytes(31))
    assert f(root, bytes([0x98]) + bytes(31), None, off_path) == "the proof's leaf is not on the key's path"
    assert f(root, K3, V3, dict(good, siblings=[ZERO] * 257)) == "the proof has 257 siblings; at most 256"
    with pytest.raises(ValueError, match=r"smt.siblings\[0\]: expected 32 bytes, got 2"):
        f(root, K3, V3, dict(good, siblings=["0xabcd"]))


def test_random_trees_prove_every_key_and_absences():
    rng = random.Random(5)
    for n in (0, 1, 2, 3, 10, 40):
        base = rng.randbytes(32)
        keys = {rng.randbytes(32) for _ in range(n // 2)}
        keys |= {bytes([base[0] ^ (1 << (i % 8))]) + base[1:] for i in range(n - len(keys))}   # shared long prefixes
        pairs = [(k, rng.randbytes(32)) for k in sorted(keys)]
        root = smt.root(pairs)
        for k, v in pairs:
            assert smt.verify(root, k, v, smt.prove(pairs, k))
            assert not smt.verify(root, k, bytes(32), smt.prove(pairs, k))
        for _ in range(5):
            k = rng.randbytes(32)
            assert smt.verify(root, k, None, smt.prove(pairs, k))
