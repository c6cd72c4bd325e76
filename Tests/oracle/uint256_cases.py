"""Random UInt256 arithmetic cases computed with Python's arbitrary-precision integers.

Each case gives two operands and the expected result (or the expected error) of every
operation our Swift UInt256 offers, so the fixed-width implementation is checked against
exact big-integer arithmetic on edge-heavy inputs (limb boundaries, powers of two, max)."""
import argparse, json, random

M = 2**256

def interesting(rng):
    kind = rng.randrange(6)
    if kind == 0: return rng.randrange(M)
    if kind == 1: return rng.randrange(2**64)
    if kind == 2: return 2**rng.randrange(256) + rng.choice([-1, 0, 1])
    if kind == 3: return M - 1 - rng.randrange(1000)
    if kind == 4: return rng.randrange(2**rng.randrange(1, 257))
    return rng.randrange(1000)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=200)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = []
    for _ in range(a.count):
        x, y = interesting(rng) % M, interesting(rng) % M
        s = rng.randrange(0, 300)
        out.append({
            "a": str(x), "b": str(y), "shift": s,
            "aHex": hex(x), "bHex": hex(y),
            "add": str(x + y) if x + y < M else None, "addWrap": str((x + y) % M),
            "sub": str(x - y) if x >= y else None, "subWrap": str((x - y) % M),
            "mul": str(x * y) if x * y < M else None, "mulWrap": str((x * y) % M),
            "div": str(x // y) if y else None, "mod": str(x % y) if y else None,
            "shl": str((x << s) % M), "shr": str(x >> s),
            "and": str(x & y), "or": str(x | y), "xor": str(x ^ y),
            "lt": x < y, "bitLength": x.bit_length(),
            "bigEndian": "0x" + x.to_bytes(32, "big").hex(),
        })
    print(json.dumps(out))

if __name__ == "__main__":
    main()
