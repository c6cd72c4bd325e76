"""Random EIP-1559 and legacy (EIP-155 and pre-155) transactions signed by eth-account
(`Account.sign_transaction`): an independent implementation of the encodings, signing
hashes and RFC 6979 signing, so our raw bytes and hashes must match exactly, and our
decoder must read eth-account's raw back into the same fields and sender.

Values are drawn to hit the encoding edges: zero (empty string), single bytes below and
at 0x80, the 55/56-byte short/long boundary for data, contract creation (no `to`),
empty and multi-entry access lists, full-width integers."""
import argparse, json, random
from eth_account import Account
from eth_utils import to_checksum_address


def rand_uint(rng, bits):
    return rng.choice([0, 1, 0x7f, 0x80, rng.randrange(2**16), 2**bits - 1, rng.randrange(2**bits)])


def rand_data(rng):
    return "0x" + rng.randbytes(rng.choice([0, 1, 2, 4, 55, 56, 68, 300, 1100])).hex()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = []
    for k in range(a.count):
        key = rng.randbytes(32)
        acct = Account.from_key(key)
        tx = {"nonce": rand_uint(rng, 64), "gas": rng.choice([21000, rng.randrange(21000, 2**63)]),
              "value": rand_uint(rng, 256), "data": rand_data(rng)}
        if rng.random() >= 0.15:
            tx["to"] = to_checksum_address("0x" + rng.randbytes(20).hex())
        kind = ["eip1559", "eip155", "legacy"][k % 3]
        if kind == "eip1559":
            tx.update({"type": 2, "chainId": rng.choice([1, 31337, 2**40, rng.randrange(1, 2**64)]),
                       "maxFeePerGas": rand_uint(rng, 128), "maxPriorityFeePerGas": rand_uint(rng, 64)})
            if rng.random() < 0.4:
                tx["accessList"] = [
                    {"address": to_checksum_address("0x" + rng.randbytes(20).hex()),
                     "storageKeys": ["0x" + rng.randbytes(32).hex() for _ in range(rng.randrange(4))]}
                    for _ in range(rng.randrange(4))]
        else:
            tx["gasPrice"] = rand_uint(rng, 128)
            if kind == "eip155":
                tx["chainId"] = rng.choice([1, 5, 31337, rng.randrange(1, 2**32)])
        signed = Account.sign_transaction(tx, key)
        out.append({"key": "0x" + key.hex(), "kind": kind,
                    "tx": {k2: (str(v) if isinstance(v, int) else v) for k2, v in tx.items()},
                    "raw": "0x" + bytes(signed.raw_transaction).hex(), "hash": "0x" + bytes(signed.hash).hex(),
                    "sender": acct.address,
                    "r": str(signed.r), "s": str(signed.s), "v": str(signed.v)})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
