"""Random nested RLP structures encoded by pyrlp (an independent implementation), plus for
some cases a corrupted encoding that pyrlp's strict decoder refuses (so our decoder must
refuse it too)."""
import argparse, json, random
import rlp
from rlp.exceptions import DecodingError


def item(rng, depth):
    if depth < 4 and rng.random() < 0.3:
        return [item(rng, depth + 1) for _ in range(rng.randrange(0, 6))]
    n = rng.choice([0, 1, 1, 2, 20, 55, 56, 57, 100, 300, rng.randrange(0, 2000)])
    return rng.randbytes(n) if n != 1 else bytes([rng.randrange(256)])


def js(v):
    return [js(x) for x in v] if isinstance(v, list) else "0x" + v.hex()


def corrupt(rng, enc):
    """Mutations pyrlp must refuse: drop the last byte, append one, or break the prefix."""
    choice = rng.randrange(3)
    if choice == 0 and len(enc) > 1:
        return enc[:-1], "truncated"
    if choice == 1:
        return enc + b"\x00", "trailing byte"
    return bytes([0xb8, 0x01]) + enc[:1], "non-canonical long length"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = []
    for _ in range(a.count):
        v = item(rng, 0)
        enc = rlp.encode(v)
        case = {"item": js(v), "encoded": "0x" + enc.hex()}
        bad, reason = corrupt(rng, enc)
        try:
            rlp.decode(bad, strict=True)
        except DecodingError:
            case["invalid"], case["reason"] = "0x" + bad.hex(), reason
        out.append(case)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
