"""Random ABI type trees and values, encoded by eth-abi (an independent implementation).

Each case: canonical type strings, the values as JSON (integers as decimal strings,
addresses checksummed, bytes as 0x-hex, arrays and tuples as lists), eth_abi.encode's
output, the selector of a function with these argument types (eth-utils), and a few
mutated encodings with what eth_abi.decode makes of them (null when it refuses), so the
Swift decoder can be checked never to accept what eth-abi refuses or to read it differently.
"""
import argparse, json, random

import eth_abi
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

TEXT = ["", "a", "abc", "Hello, world!", "é", "中文字符", "emoji 😀🚀", "quote \" and \\ backslash",
        "comma, [bracket] (paren)", "tab\tnewline\n", "x" * 31, "y" * 32, "z" * 33, "w" * 65]


def rand_type(rng, depth):
    r = rng.random()
    if depth < 3 and r < 0.35:
        kind = rng.choice(["dyn", "fixed", "tuple"])
        if kind == "tuple":
            return "(" + ",".join(rand_type(rng, depth + 1) for _ in range(rng.randint(1, 4))) + ")"
        inner = rand_type(rng, depth + 1)
        return inner + ("[]" if kind == "dyn" else "[%d]" % rng.randint(1, 3))
    kind = rng.choice(["uint", "int", "address", "bool", "bytesN", "bytes", "string"])
    if kind in ("uint", "int"):
        return kind + str(rng.choice([8, 16, 24, 32, 64, 128, 160, 248, 256, 8 * rng.randint(1, 32)]))
    if kind == "bytesN":
        return "bytes%d" % rng.choice([1, 2, 3, 10, 16, 20, 31, 32, rng.randint(1, 32)])
    return kind


def split_top(s):
    """Splits the inside of a tuple at its top-level commas."""
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    out.append(cur)
    return out


def parse(t):
    """(kind, detail) from a canonical type string."""
    if t.endswith("]"):
        i = t.rindex("[")
        n = t[i + 1:-1]
        return ("array", (t[:i], int(n) if n else None))
    if t.startswith("("):
        return ("tuple", split_top(t[1:-1]))
    return ("atom", t)


def rand_value(rng, t):
    kind, d = parse(t)
    if kind == "array":
        inner, n = d
        n = rng.randint(0, 3) if n is None else n
        vals = [rand_value(rng, inner) for _ in range(n)]
        return [v for v, _ in vals], [j for _, j in vals]
    if kind == "tuple":
        vals = [rand_value(rng, m) for m in d]
        return tuple(v for v, _ in vals), [j for _, j in vals]
    if d.startswith("uint"):
        bits = int(d[4:])
        v = rng.choice([0, 1, 2 ** bits - 1, rng.getrandbits(bits), rng.getrandbits(rng.randint(1, bits))])
        return v, str(v)
    if d.startswith("int"):
        bits = int(d[3:])
        lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
        v = rng.choice([0, -1, 1, lo, hi, rng.randint(lo, hi)])
        return v, str(v)
    if d == "address":
        a = to_checksum_address(rng.randbytes(20))
        return a, a
    if d == "bool":
        v = rng.random() < 0.5
        return v, v
    if d == "bytes":
        b = rng.randbytes(rng.choice([0, 1, 3, 31, 32, 33, 64, rng.randint(0, 100)]))
        return b, "0x" + b.hex()
    if d.startswith("bytes"):
        b = rng.randbytes(int(d[5:]))
        return b, "0x" + b.hex()
    if d == "string":
        s = rng.choice(TEXT)
        return s, s
    raise ValueError(t)


def to_json(t, v):
    """Decoded eth-abi value back to the same JSON shape as the generated values."""
    kind, d = parse(t)
    if kind == "array":
        return [to_json(d[0], x) for x in v]
    if kind == "tuple":
        return [to_json(m, x) for m, x in zip(d, v)]
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return str(v)
    if isinstance(v, bytes):
        return "0x" + v.hex()
    if d == "address":
        return to_checksum_address(v)
    return v


def mutate(rng, enc):
    b = bytearray(enc)
    choice = rng.randrange(5)
    if choice == 0 and b:                      # flip one byte
        b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    elif choice == 1 and len(b) >= 32:         # overwrite a word with a small number
        w = rng.randrange(len(b) // 32)
        b[w * 32:(w + 1) * 32] = rng.choice([0, 1, 31, 32, 64, 0xFFFF, len(b)]).to_bytes(32, "big")
    elif choice == 2 and b:                    # truncate
        del b[rng.randrange(len(b)):]
    elif choice == 3 and len(b) >= 32:         # set a high byte of a word
        b[rng.randrange(len(b) // 32) * 32] = rng.randrange(1, 256)
    else:                                      # trailing garbage
        b += rng.randbytes(rng.choice([1, 32]))
    return bytes(b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--mutations", type=int, default=3)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = []
    for k in range(a.count):
        types = [rand_type(rng, 0) for _ in range(rng.randint(1, 4))]
        pairs = [rand_value(rng, t) for t in types]
        values = [v for v, _ in pairs]
        enc = eth_abi.encode(types, values)
        assert [to_json(t, x) for t, x in zip(types, eth_abi.decode(types, enc))] == [j for _, j in pairs]
        sig = "f%d(%s)" % (k, ",".join(types))
        muts = []
        for _ in range(a.mutations):
            m = mutate(rng, enc)
            try:
                dec = [to_json(t, x) for t, x in zip(types, eth_abi.decode(types, m))]
            except Exception:
                dec = None
            muts.append({"data": "0x" + m.hex(), "decoded": dec})
        out.append({
            "types": types,
            "values": [j for _, j in pairs],
            "encoded": "0x" + enc.hex(),
            "signature": sig,
            "selector": "0x" + function_signature_to_4byte_selector(sig).hex(),
            "mutations": muts,
        })
    print(json.dumps(out))


if __name__ == "__main__":
    main()
