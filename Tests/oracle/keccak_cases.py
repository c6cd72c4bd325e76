"""Keccak-256 of random inputs by eth-hash (pycryptodome backend), an independent
implementation. Lengths cluster around the 136-byte rate so padding edge cases
(135: one pad byte 0x81, 136: a whole padding block, 137) are always covered."""
import argparse, json, random
from eth_hash.auto import keccak

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    lengths = [0, 1, 31, 32, 33, 63, 64, 65, 135, 136, 137, 271, 272, 273, 1000, 4096]
    lengths += [rng.randrange(0, 2000) for _ in range(a.count)]
    out = []
    for n in lengths:
        data = bytes(rng.randrange(256) for _ in range(n))
        out.append({"input": "0x" + data.hex(), "hash": "0x" + keccak(data).hex()})
    print(json.dumps(out))

if __name__ == "__main__":
    main()
