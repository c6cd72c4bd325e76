"""Random L2 transactions (docs/PROTOCOL.md §2) signed by the Python SDK (clients/python), whose
signer is eth-account's sign_typed_data — an EIP-712 implementation independent of our Swift
code. For each: the wire form our API accepts, the digest eth-account computed, the signer's
address and the signature."""
import argparse, json, random
from eth_account import Account

from emeth_sdk.eip712 import DOMAIN_FIELDS, L2_TYPES as TYPES, Domain
from emeth_sdk.signing import sign_message
DOMAIN_TYPE = [{"name": n, "type": t} for n, t in DOMAIN_FIELDS]


def value(rng, typ, n_children):
    if typ == "bytes16": return "0x" + rng.randbytes(16).hex()
    if typ == "bytes32": return "0x" + rng.randbytes(32).hex()
    if typ == "uint256": return rng.choice([0, 1, rng.randrange(2**64), rng.randrange(2**256)])
    if typ.endswith("[]"): return [value(rng, typ[:-2], 0) for _ in range(n_children)]
    raise ValueError(typ)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--chain-id", type=int, default=31337)
    ap.add_argument("--rollup", default="0x5FbDB2315678afecb367f032d93F642f64180aa3")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    domain = {"name": "EMETH L2", "version": "1", "chainId": a.chain_id, "verifyingContract": a.rollup}
    out = []
    names = sorted(TYPES)
    for k in range(a.count):
        t = names[k % len(names)]
        acct = Account.from_key(rng.randbytes(32))
        n = rng.randrange(0, 5)
        msg = {f: value(rng, ty, n) for f, ty in TYPES[t]}
        msg["nonce"] = rng.randrange(2**32)
        typed = {"types": {"EIP712Domain": DOMAIN_TYPE, t: [{"name": f, "type": ty} for f, ty in TYPES[t]]},
                 "primaryType": t, "domain": domain, "message": msg}
        # The wire form sends integers as decimal strings (JSON numbers lose precision).
        signed = sign_message(acct.key, Domain(a.chain_id, a.rollup), t, msg)
        out.append({"wire": signed.wire, "typedData": typed, "digest": "0x" + signed.digest.hex(), "signer": signed.sender})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
