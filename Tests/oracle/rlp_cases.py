"""Random nested RLP structures encoded by pyrlp (an independent implementation)."""
import argparse, json, random
import rlp


def item(rng, depth):
    if depth < 4 and rng.random() < 0.3:
        return [item(rng, depth + 1) for _ in range(rng.randrange(0, 6))]
    n = rng.choice([0, 1, 1, 2, 20, 55, 56, 57, 100, 300, rng.randrange(0, 2000)])
    return rng.randbytes(n) if n != 1 else bytes([rng.randrange(256)])


def js(v):
    return [js(x) for x in v] if isinstance(v, list) else "0x" + v.hex()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = []
    for _ in range(a.count):
        v = item(rng, 0)
        out.append({"item": js(v), "encoded": "0x" + rlp.encode(v).hex()})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
