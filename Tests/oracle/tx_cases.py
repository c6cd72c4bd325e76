"""Random EIP-1559 and legacy (EIP-155 and pre-155) transactions signed by eth-account, and
raw ECDSA signatures over random digests by eth-keys: independent implementations of the
encodings and of RFC 6979 signing, so our bytes must match exactly."""
import argparse, json, random
from eth_account import Account
from eth_keys import keys
from eth_utils import to_checksum_address


def rand_uint(rng, bits):
    return rng.choice([0, 1, rng.randrange(2**16), rng.randrange(2**bits)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    txs, sigs = [], []
    for k in range(a.count):
        key = rng.randbytes(32)
        acct = Account.from_key(key)
        to = None if rng.random() < 0.1 else "0x" + rng.randbytes(20).hex()
        tx = {"nonce": rand_uint(rng, 64), "gas": rng.randrange(21000, 2**32), "value": rand_uint(rng, 128),
              "data": "0x" + rng.randbytes(rng.choice([0, 1, 4, 68, 300])).hex()}
        if to:
            tx["to"] = to_checksum_address(to)
        kind = k % 3
        if kind == 0:
            tx.update({"type": 2, "chainId": rng.choice([1, 31337, 2**40]), "maxFeePerGas": rand_uint(rng, 80),
                       "maxPriorityFeePerGas": rand_uint(rng, 64)})
            if rng.random() < 0.3:
                tx["accessList"] = [{"address": to_checksum_address("0x" + rng.randbytes(20).hex()),
                                     "storageKeys": ["0x" + rng.randbytes(32).hex() for _ in range(rng.randrange(3))]}]
        else:
            tx["gasPrice"] = rand_uint(rng, 80)
            if kind == 1: tx["chainId"] = rng.choice([1, 31337])
        signed = Account.sign_transaction(tx, key)
        raw = signed.raw_transaction.hex()
        h = signed.hash.hex()
        txs.append({"key": "0x" + key.hex(), "tx": {k2: (v if not isinstance(v, int) else str(v)) for k2, v in tx.items()},
                    "raw": raw if raw.startswith("0x") else "0x" + raw, "hash": h if h.startswith("0x") else "0x" + h,
                    "sender": acct.address, "kind": ["eip1559", "eip155", "legacy"][kind]})
        digest = rng.randbytes(32)
        sig = keys.PrivateKey(key).sign_msg_hash(digest)
        sigs.append({"key": "0x" + key.hex(), "address": acct.address, "digest": "0x" + digest.hex(),
                     "r": "0x" + sig.r.to_bytes(32, "big").hex(), "s": "0x" + sig.s.to_bytes(32, "big").hex(), "v": sig.v})
    print(json.dumps({"txs": txs, "sigs": sigs}))


if __name__ == "__main__":
    main()
