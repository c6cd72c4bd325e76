"""EIP-712 oracle: random typed-data documents hashed and signed by eth-account (an independent
implementation: eth_account._utils.encode_typed_data + eth_abi).

  --suite random : random schemas — nested structs (a DAG under one primary type), arrays
                   (dynamic, fixed, nested) of every kind, every atomic type (uint8…uint256,
                   int8…int256, address, bool, bytes1…bytes32, bytes, string), values written
                   as JSON numbers, decimal strings and 0x-hex strings, random domain subsets.
  --suite l2     : the pinned L2 transaction types of docs/PROTOCOL.md §2 and the Ticket of §7 under the
                   "EMETH L2" domain.

Each case carries the document as JSON *text* (so 256-bit JSON numbers reach Swift intact),
encodeType of every struct, the primary typeHash, domain separator, hashStruct(message),
digest and eth-account's sign_typed_data signature with a seeded key."""
import argparse, json, random
from eth_account import Account
from eth_account.messages import encode_typed_data, _hash_eip191_message
from eth_account._utils.encode_typed_data.encoding_and_hashing import encode_type, hash_domain, hash_eip712_message
from eth_utils import to_checksum_address

from emeth_sdk.eip712 import L2_TYPES as _L2_TYPES, TICKET_TYPE
L2_TYPES = dict(_L2_TYPES, Ticket=TICKET_TYPE)
DOMAIN_FIELDS = [("name", "string"), ("version", "string"), ("chainId", "uint256"),
                 ("verifyingContract", "address"), ("salt", "bytes32")]
STRINGS = ["", "Hello, Bob!", "EMETH L2", "héllo wörld", "日本語", "emoji 🚀🔥", "quote \" backslash \\ tab \t nl \n",
           "a" * 100, "0x1234", "null"]
NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$0123456789"


def ident(rng, capital):
    first = rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ" if capital else "abcdefghijklmnopqrstuvwxyz_$")
    return first + "".join(rng.choice(NAME_CHARS) for _ in range(rng.randrange(0, 8)))


def atomic_type(rng):
    k = rng.randrange(7)
    if k == 0: return "uint%d" % (8 * rng.randrange(1, 33))
    if k == 1: return "int%d" % (8 * rng.randrange(1, 33))
    if k == 2: return "bytes%d" % rng.randrange(1, 33)
    return ["address", "bool", "bytes", "string"][k - 3]


def wrap_array(rng, t):
    for _ in range(rng.choice([1, 1, 1, 2])):
        t += "[]" if rng.random() < 0.6 else "[%d]" % rng.randrange(1, 4)
    return t


def int_repr(rng, v):
    forms = ["num", "dec"] + (["hex", "HEX"] if v >= 0 else [])
    f = rng.choice(forms)
    if f == "num": return v
    if f == "dec": return str(v)
    if f == "hex": return hex(v)
    return "0x" + format(v, "X")


def value(rng, t, schema, depth=0):
    if t.endswith("]"):
        inner, n = t[:t.rindex("[")], t[t.rindex("[") + 1:-1]
        count = int(n) if n else rng.randrange(0, 4 if depth < 2 else 2)
        return [value(rng, inner, schema, depth + 1) for _ in range(count)]
    if t in schema:
        return {m: value(rng, mt, schema, depth + 1) for m, mt in schema[t]}
    if t.startswith("uint"):
        bits = int(t[4:])
        v = rng.choice([0, 1, 2 ** bits - 1, rng.randrange(2 ** bits), rng.randrange(2 ** min(bits, 64))])
        return int_repr(rng, v)
    if t.startswith("int"):
        bits = int(t[3:])
        lo, hi = -2 ** (bits - 1), 2 ** (bits - 1) - 1
        v = rng.choice([0, -1, 1, lo, hi, rng.randrange(lo, hi + 1)])
        return int_repr(rng, v)
    if t == "address":
        raw = "0x" + rng.randbytes(20).hex()
        return to_checksum_address(raw) if rng.random() < 0.5 else raw
    if t == "bool": return rng.random() < 0.5
    if t == "bytes": return "0x" + rng.randbytes(rng.randrange(0, 70)).hex()
    if t.startswith("bytes"): return "0x" + rng.randbytes(int(t[5:])).hex()
    if t == "string": return rng.choice(STRINGS)
    raise ValueError(t)


def random_schema(rng):
    n = rng.randrange(1, 6)
    names = []
    while len(names) < n:
        x = ident(rng, True)
        if x not in names and x != "EIP712Domain" and not x.startswith(("uint", "int", "bytes")):
            names.append(x)
    schema = {}
    for i, name in enumerate(names):
        members, used = [], set()
        for _ in range(rng.randrange(0, 6) if i else rng.randrange(1, 6)):
            m = ident(rng, False)
            if m in used: continue
            used.add(m)
            t = atomic_type(rng) if (i == n - 1 or rng.random() < 0.75) else rng.choice(names[i + 1:])
            if rng.random() < 0.3: t = wrap_array(rng, t)
            members.append((m, t))
        schema[name] = members
    # Every non-primary type must be referenced (eth-account derives the primary type as the unique root).
    for j in range(1, n):
        referenced = any(mt.split("[")[0] == names[j] for i in range(j) for _, mt in schema[names[i]])
        if not referenced:
            i = rng.randrange(j)
            m = "ref" + str(j)
            t = names[j] if rng.random() < 0.5 else wrap_array(rng, names[j])
            schema[names[i]].insert(rng.randrange(len(schema[names[i]]) + 1), (m, t))
    return names[0], schema


def random_domain(rng):
    d = {}
    for f, t in DOMAIN_FIELDS:
        if rng.random() < 0.6:
            if f == "name": d[f] = rng.choice(STRINGS)
            elif f == "version": d[f] = rng.choice(["1", "2.0", ""])
            elif f == "chainId": d[f] = rng.choice([1, 31337, rng.randrange(2 ** 64), str(rng.randrange(2 ** 256))])
            else: d[f] = value(rng, t, {})
    return d


def case(rng, primary, schema, domain, message, include_domain_type=True):
    types = {name: [{"name": m, "type": t} for m, t in members] for name, members in schema.items()}
    if include_domain_type:
        types["EIP712Domain"] = [{"name": f, "type": t} for f, t in DOMAIN_FIELDS if f in domain]
    typed = {"types": types, "primaryType": primary, "domain": domain, "message": message}
    signable = encode_typed_data(full_message=typed)
    key = rng.randbytes(32)
    signed = Account.sign_typed_data(key, full_message=typed)
    msg_types = {k: v for k, v in types.items() if k != "EIP712Domain"}
    assert hash_domain(domain) == signable.header and hash_eip712_message(msg_types, message) == signable.body
    rsv = signed.signature.hex()
    return {
        "typedData": json.dumps(typed, ensure_ascii=rng.random() < 0.5),
        "primaryType": primary,
        "encodeTypes": {name: encode_type(name, msg_types) for name in msg_types},
        "domainSeparator": "0x" + signable.header.hex(),
        "messageHash": "0x" + signable.body.hex(),
        "digest": "0x" + _hash_eip191_message(signable).hex(),
        "privateKey": "0x" + key.hex(),
        "signer": Account.from_key(key).address,
        "signature": rsv if rsv.startswith("0x") else "0x" + rsv,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--suite", choices=["random", "l2"], default="random")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = []
    for k in range(a.count):
        if a.suite == "random":
            primary, schema = random_schema(rng)
            message = value(rng, primary, schema)
            out.append(case(rng, primary, schema, random_domain(rng), message, include_domain_type=rng.random() < 0.8))
        else:
            names = sorted(L2_TYPES)
            primary = names[k % len(names)]
            schema = {primary: L2_TYPES[primary]}
            domain = {"name": "EMETH L2", "version": "1", "chainId": rng.choice([1, 31337, rng.randrange(2 ** 32)]),
                      "verifyingContract": to_checksum_address("0x" + rng.randbytes(20).hex())}
            message = value(rng, primary, schema)
            out.append(case(rng, primary, schema, domain, message))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
