"""Random L2 transactions (docs/PROTOCOL.md §2) signed with eth-account's sign_typed_data — an
independent EIP-712 implementation. For each: the wire form our API accepts, the digest
eth-account computed, the signer's address and the signature."""
import argparse, json, random
from eth_account import Account
from eth_account.messages import encode_typed_data

from l2types import L2_TYPES as TYPES
DOMAIN_TYPE = [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
               {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}]


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
        signed = Account.sign_message(encode_typed_data(full_message=typed), acct.key)
        sig = signed.signature.hex()
        sig = sig if sig.startswith("0x") else "0x" + sig
        # The wire form sends integers as decimal strings (JSON numbers lose precision).
        wire_msg = {f: (str(v) if isinstance(v, int) else [str(x) if isinstance(x, int) else x for x in v]
                        if isinstance(v, list) else v) for f, v in msg.items()}
        out.append({"wire": {"type": t, "message": wire_msg, "signature": sig}, "typedData": typed,
                    "digest": "0x" + signed.message_hash.hex().removeprefix("0x"), "signer": acct.address})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
