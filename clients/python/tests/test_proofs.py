"""State and transaction proof files (docs/PROOFS.md) built here from the SDK's trees and a
block signed with eth-keys, verified, then tampered with field by field: each tampering is
refused with the first problem named. (Real files from a running sequencer are verified in
test_end_to_end.py.)"""
import copy

import pytest
from eth_account import Account
from eth_keys import keys
from eth_utils import to_checksum_address

from emeth_sdk import InvalidProof, records, smt, txroot, verify_proof, verify_state, verify_transaction
from emeth_sdk.encoding import hx

SIGNER_KEY = "0x" + "51" * 32
SIGNER = Account.from_key(SIGNER_KEY).address
ALICE, BOB, STRANGER = (to_checksum_address("0x" + c * 20) for c in ("aa", "bb", "cc"))
JOB = "0x" + "0a" * 16
JOB_RECORD = [bytes.fromhex(JOB[2:]), Account.from_key("0x" + "01" * 32).address, bytes(16), 7, 1, 1, b"\xd5" * 32,
              b"\xa7" * 32, 1000, 3, 10**9, 4, Account.from_key("0x" + "02" * 32).address, 900, b"\xee" * 32, 0, 0, 0, 0,
              100, 200]
ACCOUNTS = {ALICE: (10**18, 3, 5), BOB: (7, 0, 0)}
TOTALS = (10**18 + 12, 5, 0, 10**18 + 7, 0, 0)


def block_of(state_root: bytes, tx_root: bytes = bytes(32), tx_count: int = 0, number: int = 4) -> dict:
    header = {"number": number, "parentHash": hx(b"\x01" * 32), "timestamp": 1700000004, "txRoot": hx(tx_root),
              "stateRoot": hx(state_root), "settlementRoot": hx(bytes(32)), "inboxCursor": 8, "txCount": tx_count}
    h = records.block_hash(header)
    sig = keys.PrivateKey(bytes.fromhex(SIGNER_KEY[2:])).sign_msg_hash(h)
    return dict(header, hash=hx(h), signature=hx(sig.r.to_bytes(32, "big") + sig.s.to_bytes(32, "big") + bytes([sig.v + 27])))


def state():
    pairs = [(records.account_key(a), records.value_hash(records.encode_account(*v))) for a, v in ACCOUNTS.items()]
    pairs.append((records.job_key(JOB), records.value_hash(records.encode_job(JOB_RECORD))))
    pairs.append((records.TOTALS_KEY, records.value_hash(records.encode_totals(*TOTALS))))
    return pairs, block_of(smt.root(pairs))


def state_proof(kind: str, key, record: bytes | None, decoded) -> dict:
    pairs, block = state()
    tree_key = {"account": lambda: records.account_key(key), "job": lambda: records.job_key(key),
                "totals": lambda: records.TOTALS_KEY}[kind]()
    p = smt.prove(pairs, tree_key)
    present = p["leaf"] is not None and p["leaf"]["key"] == hx(tree_key)
    return {"type": "state", "kind": kind, "key": key, "treeKey": hx(tree_key), "blockNumber": 4,
            "stateRoot": block["stateRoot"], "record": None if record is None else hx(record),
            "valueHash": p["leaf"]["valueHash"] if present else None, "decoded": decoded, "smt": p, "block": block}


def alice():
    return state_proof("account", ALICE, records.encode_account(*ACCOUNTS[ALICE]),
                       {"balance": str(10**18), "nonce": "3", "credit": "5"})


def test_account_job_totals_and_absence_verify():
    claim = verify_state(alice(), signer=SIGNER)
    assert (claim.kind, claim.key, claim.present, claim.record) == ("account", ALICE, True,
                                                                    {"balance": 10**18, "nonce": 3, "credit": 5})
    job = state_proof("job", JOB, records.encode_job(JOB_RECORD), None)
    job["decoded"] = {k: (v if isinstance(v, str) and k != "status" else "VERIFIED" if k == "status" else str(v))
                      for k, v in records.decode_job(records.encode_job(JOB_RECORD)).items()}
    assert verify_state(job, signer=SIGNER).record["status"] == 4
    totals = state_proof("totals", None, records.encode_totals(*TOTALS),
                         dict(zip([n for n, _ in records.TOTALS_FIELDS], map(str, TOTALS))))
    assert verify_state(totals).record["totalDeposited"] == 10**18 + 12
    absent = state_proof("account", STRANGER, None, None)
    claim = verify_proof(absent, signer=SIGNER)
    assert (claim.present, claim.value_hash, claim.record) == (False, None, None)
    # Present without the record (an older block): the value hash alone is proven.
    bare = dict(alice(), record=None, decoded=None)
    assert verify_state(bare).value_hash == records.value_hash(records.encode_account(*ACCOUNTS[ALICE]))


def tampered(proof, path, value):
    p = copy.deepcopy(proof)
    target = p
    for k in path[:-1]:
        target = target[k]
    target[path[-1]] = value
    return p


@pytest.mark.parametrize("path,value,message", [
    (("record",), hx(records.encode_account(10**18, 3, 6)), r"^the record hashes to 0x[0-9a-f]{64} but the proof's leaf holds"),
    (("record",), "0x1234", r"^the record is not a valid account: the account record is 96 bytes, got 2$"),
    (("decoded", "credit"), "6", r'^"decoded" is .* but the proof\'s contents give'),
    (("treeKey",), hx(bytes(32)), r'^"treeKey" is'),
    (("blockNumber",), 5, r'^"blockNumber" is 5 but'),
    (("block", "stateRoot"), hx(b"\x09" * 32), r"^block.hash is 0x.* but the header fields hash to 0x.*: the header was altered$"),
    (("block", "signature"), "0x" + "00" * 64 + "1b", r"^block 4's signature cannot be recovered: signature: no key recovers it"),
    (("smt", "siblings", 0), hx(b"\x07" * 32), r"^the proof leads to 0x[0-9a-f]{64}, not to the state root"),
    (("key",), BOB, r"^the proof shows the account absent, but a record is given$"),
    (("kind",), "contract", r'^"kind" must be "account", "job" or "totals", got \'contract\'$'),
])
def test_tampered_state_proofs_are_refused(path, value, message):
    with pytest.raises(InvalidProof, match=message):
        verify_state(tampered(alice(), path, value), signer=SIGNER)


def test_signer_and_genesis():
    with pytest.raises(InvalidProof, match=rf"^block 4 was signed by {SIGNER}, not by the expected signer {BOB}$"):
        verify_state(alice(), signer=BOB)
    genesis = tampered(alice(), ("block", "signature"), "0x")
    with pytest.raises(InvalidProof, match=r"^block 4 carries no signature$"):
        verify_state(genesis, signer=SIGNER)
    assert verify_state(genesis).present          # without --signer the hash binding alone is checked
    absent_totals = state_proof("totals", None, None, None)
    absent_totals["smt"] = smt.prove([p for p in state()[0] if p[0] != records.TOTALS_KEY], records.TOTALS_KEY)
    absent_totals["valueHash"] = None
    with pytest.raises(InvalidProof, match="the totals record is always present"):
        verify_state(absent_totals)


def test_transaction_proofs():
    hashes = [bytes([i]) * 32 for i in range(5)]
    block = block_of(bytes(32), txroot.root(hashes), 5)
    for i in range(5):
        proof = {"type": "transaction", "txHash": hx(hashes[i]), "index": i, "blockNumber": 4, "txCount": 5,
                 "txRoot": block["txRoot"], "proof": [hx(p) for p in txroot.proof(hashes, i)], "block": block}
        claim = verify_transaction(proof, signer=SIGNER)
        assert (claim.index, claim.tx_count, claim.block_number) == (i, 5, 4)
    with pytest.raises(InvalidProof, match=r"^the proof does not lead from transaction 0x0303.* at index 4 to txRoot"):
        verify_transaction(dict(proof, txHash=hx(hashes[3])))
    with pytest.raises(InvalidProof, match=r"^index 5 is outside the block's 5 transactions$"):
        verify_transaction(dict(proof, index=5))
    with pytest.raises(InvalidProof, match=r'^"txCount" is 6 but the proof\'s contents give 5$'):
        verify_transaction(dict(proof, txCount=6))


def test_unknown_types_and_signed_settlement():
    with pytest.raises(InvalidProof, match=r'^unknown "type" \'receipt\''):
        verify_proof({"type": "receipt"})
    with pytest.raises(InvalidProof, match=r"^a settlement proof carries no Signer signature"):
        verify_proof({"type": "settlement"}, signer=SIGNER)
