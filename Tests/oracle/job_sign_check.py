"""Signs the job transactions the Swift client built (stdin: a JSON list of {key, chainId,
rollup, wire} with the wire form's message) with eth-account's sign_typed_data, an independent
EIP-712 implementation, and prints for each the signature and the transaction hash
keccak256(digest ‖ sender) of docs/PROTOCOL.md §2."""
import json
import sys

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_hash.auto import keccak

from l2types import L2_TYPES as TYPES

DOMAIN_TYPE = [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
               {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}]


def typed_value(typ, v):
    if typ == "uint256":
        return int(v, 0)
    if typ == "uint256[]":
        return [int(x, 0) for x in v]
    return v


def main():
    out = []
    for case in json.load(sys.stdin):
        wire = case["wire"]
        t = wire["type"]
        msg = {f: typed_value(ty, wire["message"][f]) for f, ty in TYPES[t]}
        typed = {"types": {"EIP712Domain": DOMAIN_TYPE, t: [{"name": f, "type": ty} for f, ty in TYPES[t]]},
                 "primaryType": t, "message": msg,
                 "domain": {"name": "EMETH L2", "version": "1", "chainId": int(case["chainId"]), "verifyingContract": case["rollup"]}}
        acct = Account.from_key(case["key"])
        signed = Account.sign_message(encode_typed_data(full_message=typed), acct.key)
        sender = bytes.fromhex(acct.address[2:])
        out.append({"signature": "0x" + signed.signature.hex().removeprefix("0x"),
                    "hash": "0x" + keccak(bytes(signed.message_hash) + sender).hex(), "sender": acct.address})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
