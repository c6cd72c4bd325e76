"""Signs the job transactions the Swift client built (stdin: a JSON list of {key, chainId,
rollup, wire} with the wire form's message) with the Python SDK (clients/python), whose signer
is eth-account's sign_typed_data — an EIP-712 implementation independent of our Swift code —
and prints for each the signature and the transaction hash keccak256(digest ‖ sender) of
docs/PROTOCOL.md §2."""
import json
import sys

from emeth_sdk.eip712 import Domain
from emeth_sdk.signing import sign_message


def main():
    out = []
    for case in json.load(sys.stdin):
        wire = case["wire"]
        signed = sign_message(case["key"], Domain(int(case["chainId"]), case["rollup"]), wire["type"], wire["message"])
        out.append({"signature": signed.signature, "hash": signed.hash, "sender": signed.sender})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
