"""Web3 Secret Storage (v3) oracle, using eth-account (Account.encrypt / Account.decrypt, which
delegate to eth-keyfile) — an implementation independent of our OpenSSL-based one.

  keystore_cases.py --seed S --count N
      N keystores made by Account.encrypt from seeded keys and passwords, alternating scrypt
      (eth-keyfile's r=8, p=1, small n) and pbkdf2 (small c) so tests stay fast. Prints a JSON
      array of {privateKey, password, address, kdf, keystore (JSON text)}.
  keystore_cases.py decrypt PASSWORD   (keystore JSON on stdin)
      Prints {"privateKey": "0x…"} or {"error": "…"} when eth-account refuses it."""
import argparse, json, random, sys
from eth_account import Account

PASSWORDS = ["", "testpassword", "correct horse battery staple", "pässwörd ñ 日本 🔑", "a" * 200, " spaces  "]


def generate(seed, count):
    rng = random.Random(seed)
    out = []
    for k in range(count):
        key = rng.randbytes(32)
        password = PASSWORDS[k % len(PASSWORDS)] if k < len(PASSWORDS) else rng.choice(PASSWORDS)
        if k % 2 == 0:
            kdf, work = "scrypt", rng.choice([1 << 10, 1 << 11, 1 << 12])
        else:
            kdf, work = "pbkdf2", rng.choice([1000, 2048, 5000])
        ks = Account.encrypt(key, password, kdf=kdf, iterations=work)
        out.append({"privateKey": "0x" + key.hex(), "password": password, "address": Account.from_key(key).address,
                    "kdf": kdf, "keystore": json.dumps(ks)})
    print(json.dumps(out))


def decrypt(password):
    data = json.loads(sys.stdin.read())
    try:
        key = Account.decrypt(data, password)
        print(json.dumps({"privateKey": "0x" + bytes(key).hex()}))
    except Exception as e:  # report, do not crash: the Swift test asserts on it
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "decrypt":
        decrypt(sys.argv[2] if len(sys.argv) > 2 else "")
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=12)
    a = ap.parse_args()
    generate(a.seed, a.count)


if __name__ == "__main__":
    main()
