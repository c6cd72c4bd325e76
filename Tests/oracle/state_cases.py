"""State records and block headers encoded with eth-abi (an independent ABI encoder), with
their keccak hashes, so the pinned encodings of docs/PROTOCOL.md §4–5 are checked against
Solidity's own rules rather than against our code."""
import argparse, json, random
from eth_abi import encode
from eth_hash.auto import keccak

JOB = ["bytes16", "address", "bytes16", "uint256", "uint256", "uint256", "bytes32", "bytes32", "uint256", "uint256",
       "uint256", "uint8", "address", "uint256", "bytes32", "uint256", "uint256", "uint256", "uint256", "uint256", "uint256"]
NAMES = ["id", "owner", "parentJob", "programId", "numParallel", "numEpoch", "dataset", "param", "fuelLimit", "fuelPrice",
         "deadline", "status", "node", "fuelUsed", "result", "escrow", "nodeDeposit", "childCount", "verifiedChildren",
         "createdAt", "updatedAt"]
SMALL = {"deadline", "childCount", "verifiedChildren", "createdAt", "updatedAt"}


def val(rng, name, t):
    if t == "bytes16": return rng.randbytes(16)
    if t == "bytes32": return rng.randbytes(32)
    if t == "address": return "0x" + rng.randbytes(20).hex()
    if t == "uint8": return rng.randrange(1, 11)
    if name in SMALL: return rng.randrange(2**64)
    return rng.choice([0, rng.randrange(2**64), rng.randrange(2**256)])


def js(v):
    if isinstance(v, bytes): return "0x" + v.hex()
    if isinstance(v, int): return str(v)
    return v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=50)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = []
    for _ in range(a.count):
        job = [val(rng, n, t) for n, t in zip(NAMES, JOB)]
        acct = [rng.randrange(2**256), rng.randrange(2**64), rng.randrange(2**256)]
        header = [rng.randrange(2**64), rng.randbytes(32), rng.randrange(2**64), rng.randbytes(32), rng.randbytes(32),
                  rng.randbytes(32), rng.randrange(2**64), rng.randrange(2**64)]
        henc = encode(["uint256", "bytes32", "uint256", "bytes32", "bytes32", "bytes32", "uint256", "uint256"], header)
        address = "0x" + rng.randbytes(20).hex()
        out.append({
            "job": dict(zip(NAMES, map(js, job))), "jobEncoded": "0x" + encode(JOB, job).hex(),
            "account": [str(x) for x in acct], "accountEncoded": "0x" + encode(["uint256"] * 3, acct).hex(),
            "header": [js(x) for x in header], "headerHash": "0x" + keccak(henc).hex(),
            "address": address, "accountKey": "0x" + keccak(b"\x01" + bytes.fromhex(address[2:])).hex(),
        })
    print(json.dumps(out))


if __name__ == "__main__":
    main()
