"""Sparse Merkle tree oracle (docs/PROTOCOL.md §4.1), written from the spec alone, independently of
the Swift code (the tree is the Python SDK's, clients/python/src/emeth_sdk/smt.py): keccak by eth-hash.

  subtree(S, d) = ZERO                                  if S is empty
                = keccak(0x00 || key || valueHash)      if S = {(key, valueHash)}
                = keccak(0x01 || subtree(S0, d+1) || subtree(S1, d+1))  otherwise,
  where S0/S1 are the pairs whose key bit d (MSB of byte 0 first) is 0/1; root = subtree(S, 0).

A proof for key k walks from the root: while the subtree has >= 2 leaves it records the hash of
the other side (top-down) and descends on k's side; it ends at an empty subtree (leaf null) or a
single leaf (which may be k's own or another key's).

Prints a JSON array of cases: {"pairs": [[key, valueHash]...], "root", "proofs": [{"key",
"siblings", "leaf": {"key", "valueHash"} | null}]} with proofs for every present key and for
absent keys (random, and ones sharing long prefixes with present keys). Keys are drawn so that
some share long prefixes (deep splits, internal nodes with an empty side)."""
import argparse, json, random

# The tree itself is the Python SDK's rendering of the spec (clients/python, emeth_sdk.smt).
from emeth_sdk.smt import ZERO, bit, leaf_hash, node_hash as branch_hash, prove, subtree  # noqa: F401


def proof(pairs, key):
    return {"key": "0x" + key.hex(), **prove(pairs, key)}


def flip(key: bytes, i: int) -> bytes:
    b = bytearray(key)
    b[i // 8] ^= 0x80 >> (i % 8)
    return bytes(b)


def random_keys(rng, n):
    keys = set()
    base = rng.randbytes(32)
    while len(keys) < n:
        r = rng.random()
        if r < 0.6:
            keys.add(rng.randbytes(32))
        elif r < 0.9:
            keys.add(flip(base, rng.randrange(256)))  # shares a long prefix with base
        else:
            keys.add(flip(base, 255))  # differs only in the last bit
    return sorted(keys)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--count", type=int, default=40)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    cases = []
    for c in range(args.count):
        n = c if c < 8 else rng.randrange(0, 48)
        keys = random_keys(rng, n)
        pairs = [(k, rng.randbytes(32)) for k in keys]
        absent = [rng.randbytes(32) for _ in range(3)] + [flip(k, rng.randrange(200, 256)) for k in keys[:4]]
        absent = [k for k in absent if k not in set(keys)]
        cases.append({
            "pairs": [["0x" + k.hex(), "0x" + v.hex()] for k, v in pairs],
            "root": "0x" + subtree(pairs, 0).hex(),
            "proofs": [proof(pairs, k) for k in keys + absent],
        })
    print(json.dumps(cases))


if __name__ == "__main__":
    main()
