"""Random secp256k1 keys and signatures from eth-keys and eth-account (independent
implementations of key derivation, address hashing and RFC 6979 signing), so our keys,
addresses and r/s/v must match exactly.

Keys are drawn to cover edge scalars too (1, n-1, small and large values)."""
import argparse, json, random
from eth_account import Account
from eth_keys import keys

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def rand_key(rng, i):
    special = [1, 2, N - 1, N - 2, 2**128, 2**255]
    if i < len(special):
        return special[i].to_bytes(32, "big")
    while True:
        k = rng.randbytes(32)
        if 0 < int.from_bytes(k, "big") < N:
            return k


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = []
    for i in range(a.count):
        key = rand_key(rng, i)
        pk = keys.PrivateKey(key)
        digest = rng.randbytes(32) if i % 7 else bytes(32)
        sig = pk.sign_msg_hash(digest)
        acct_sig = Account.unsafe_sign_hash(digest, key)
        out.append({
            "key": "0x" + key.hex(),
            "address": pk.public_key.to_checksum_address(),
            "publicKey": "0x" + pk.public_key.to_bytes().hex(),
            "compressed": "0x" + pk.public_key.to_compressed_bytes().hex(),
            "digest": "0x" + digest.hex(),
            "r": "0x" + sig.r.to_bytes(32, "big").hex(),
            "s": "0x" + sig.s.to_bytes(32, "big").hex(),
            "v": sig.v,
            "rsv": "0x" + bytes(acct_sig.signature).hex(),
        })
    print(json.dumps(out))


if __name__ == "__main__":
    main()
