"""Builders and signatures of the eleven L2 transactions, cross-checked against eth-account's
own EIP-712 encoder (`encode_typed_data` + `Account.sign_message`) and eth-hash."""
import random

import pytest
import rlp
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_typed_data
from eth_hash.auto import keccak

from emeth_sdk import (Aggregate, CancelJob, Decline, Domain, L2Call, Process, RegisterJob, Reject, SignedTransaction,
                       Split, Submit, Timeout, Verify, Withdraw, sign, sign_message)
from emeth_sdk.eip712 import DOMAIN_FIELDS, L2_TYPES, TX_TYPE_IDS
from emeth_sdk.signing import CURVE_N, sign_job

DOMAIN = Domain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
KEY = "0x" + "42" * 32
SENDER = Account.from_key(KEY).address
JOB, PARENT = "0x" + "0a" * 16, "0x" + "0b" * 16
H1, H2 = "0x" + "d1" * 32, "0x" + "d2" * 32

CALLS = [
    RegisterJob(job_id=JOB, program_id=7, num_parallel=3, num_epoch=2, dataset=H1, param=H2, fuel_limit=120_000,
                fuel_price=10**9 + 1, deadline=4_000_000_000),
    CancelJob(job_id=JOB), Process(job_id=JOB), Decline(job_id=JOB),
    Submit(job_id=JOB, result=H1, fuel_used=99_999),
    Verify(job_id=JOB), Reject(job_id=JOB), Timeout(job_id=JOB),
    Split(parent_job=PARENT, job_ids=[JOB, "0x" + "0c" * 16], datasets=[H1, H2], fuel_limits=[10, 2**256 - 1]),
    Aggregate(parent_job=PARENT, result=H2),
    Withdraw(amount=2**255 + 3),
]


def eth_account_signature(primary: str, message: dict):
    """What eth-account alone makes of the typed data (its JSON form, integers as numbers)."""
    typed = {"types": {"EIP712Domain": [{"name": n, "type": t} for n, t in DOMAIN_FIELDS],
                       primary: [{"name": n, "type": t} for n, t in L2_TYPES[primary]]},
             "primaryType": primary, "domain": DOMAIN.as_dict(), "message": message}
    signable = encode_typed_data(full_message=typed)
    return bytes(_hash_eip191_message(signable)), bytes(Account.sign_message(signable, KEY).signature)


def test_every_type_has_a_builder():
    assert sorted(c.TYPE for c in CALLS) == sorted(L2_TYPES)


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.TYPE)
def test_signature_digest_and_hash_match_eth_account(call):
    signed = sign(call, KEY, DOMAIN, nonce=2**64 - 1)
    json_message = {n: (int(v) if t == "uint256" else [int(x) for x in v] if t == "uint256[]" else v)
                    for (n, t), v in zip(L2_TYPES[call.TYPE], signed.message.values())}
    digest, signature = eth_account_signature(call.TYPE, json_message)
    assert signed.digest == digest
    assert signed.signature == "0x" + signature.hex()
    assert signed.sender == SENDER
    assert signed.hash == "0x" + keccak(digest + bytes.fromhex(SENDER[2:])).hex()
    assert list(signed.message) == [n for n, _ in L2_TYPES[call.TYPE]]


def test_wire_form_is_decimal_strings_and_lower_case_hex():
    signed = sign(Submit(job_id=JOB.upper().replace("0X", "0x"), result=bytes.fromhex(H1[2:]), fuel_used="0x10"),
                  KEY, DOMAIN, nonce=7)
    assert signed.wire == {"type": "Submit", "message": {"jobId": JOB, "result": H1, "fuelUsed": "16", "nonce": "7"},
                           "signature": signed.signature}
    split = sign(CALLS[8], KEY, DOMAIN, 0)
    assert split.message == {"parentJob": PARENT, "jobIds": [JOB, "0x" + "0c" * 16], "datasets": [H1, H2],
                             "fuelLimits": ["10", str(2**256 - 1)], "nonce": "0"}
    assert RegisterJob(job_id=JOB, program_id=1, num_parallel=1, num_epoch=1, dataset=H1, param=H2, fuel_limit=1,
                       fuel_price=1, deadline=1).message(3)["parentJob"] == "0x" + "00" * 16


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.TYPE)
def test_wire_round_trip_recovers_the_sender(call):
    signed = sign(call, KEY, DOMAIN, nonce=5)
    assert SignedTransaction.from_wire(signed.wire, DOMAIN) == signed
    assert L2Call.from_message(call.TYPE, signed.message) == (call, 5)
    # The same signature read in another domain recovers someone else (PROTOCOL §2, -32002).
    other = SignedTransaction.from_wire(signed.wire, Domain(1, DOMAIN.verifying_contract))
    assert other.sender != SENDER and other.hash != signed.hash


def test_sign_message_and_sign_job_agree_with_the_builders():
    for call in CALLS:
        signed = sign(call, KEY, DOMAIN, 9)
        assert sign_message(KEY, DOMAIN, call.TYPE, signed.message) == signed
        assert sign_job((KEY, DOMAIN.as_dict(), call.TYPE, signed.message)) == (signed.wire, signed.hash)
        assert sign_job((KEY, DOMAIN, call.TYPE, signed.message)) == (signed.wire, signed.hash)


def test_random_messages_match_eth_account():
    rng = random.Random(17)
    for k in range(40):
        primary = sorted(L2_TYPES)[k % 11]
        msg = {}
        for n, t in L2_TYPES[primary]:
            count = rng.randrange(0, 4)
            one = {"bytes16": lambda: "0x" + rng.randbytes(16).hex(), "bytes32": lambda: "0x" + rng.randbytes(32).hex(),
                   "uint256": lambda: rng.choice([0, 1, rng.randrange(2**256)])}
            msg[n] = [one[t[:-2]]() for _ in range(count)] if t.endswith("[]") else one[t]()
        msg["nonce"] = rng.randrange(2**64)
        signed = sign_message(KEY, DOMAIN, primary, msg)
        digest, signature = eth_account_signature(primary, msg)
        assert (signed.digest, signed.signature) == (digest, "0x" + signature.hex())


def test_builders_refuse_bad_fields_naming_them():
    with pytest.raises(ValueError, match=r"^Process.jobId: expected 16 bytes, got 15$"):
        Process(job_id="0x" + "00" * 15)
    with pytest.raises(ValueError, match=r"^Submit.result: hex must start with 0x: 'ab'$"):
        Submit(job_id=JOB, result="ab", fuel_used=1)
    with pytest.raises(ValueError, match=r"^Withdraw.amount: not a uint256: -1$"):
        Withdraw(amount=-1)
    with pytest.raises(ValueError, match=r"^Withdraw.amount: not a uint256: " + str(2**256) + "$"):
        Withdraw(amount=2**256)
    with pytest.raises(ValueError, match=r"^Withdraw.amount: a boolean is not a number: True$"):
        Withdraw(amount=True)
    with pytest.raises(ValueError, match=r"^Split.jobIds: expected a list, got '0x0a"):
        Split(parent_job=PARENT, job_ids=JOB, datasets=[], fuel_limits=[])
    with pytest.raises(ValueError, match=r"^Split.datasets\[1\]: expected 32 bytes, got 16$"):
        Split(parent_job=PARENT, job_ids=[JOB, JOB], datasets=[H1, JOB], fuel_limits=[1, 1])
    with pytest.raises(ValueError, match=r"^Withdraw.nonce: not a uint64: " + str(2**64) + "$"):
        Withdraw(amount=1).message(2**64)
    with pytest.raises(ValueError, match=r"^Process message: missing jobId; unknown jobid$"):
        L2Call.from_message("Process", {"jobid": JOB, "nonce": "0"})
    with pytest.raises(ValueError, match=r"^unknown transaction type 'Transfer'"):
        L2Call.from_message("Transfer", {})


def test_malformed_signatures_are_refused_as_the_chain_refuses_them():
    signed = sign(Withdraw(amount=1), KEY, DOMAIN, 0)
    sig = bytes.fromhex(signed.signature[2:])
    r, s, v = sig[:32], int.from_bytes(sig[32:64], "big"), sig[64]
    twin = r + (CURVE_N - s).to_bytes(32, "big") + bytes([55 - v])   # the same signature's high-s twin
    cases = [(twin, "signature: s is high (the chain accepts only s ≤ n/2)"),
             (sig[:64] + bytes([v - 27]), f"signature: v must be 27 or 28, got {v - 27}"),
             (sig[:64], "transaction: signature: expected 65 bytes, got 64")]
    for bad, message in cases:
        with pytest.raises(ValueError) as e:
            SignedTransaction.from_wire(dict(signed.wire, signature="0x" + bad.hex()), DOMAIN)
        assert str(e.value) == message


def test_batch_form_is_rlp_of_type_nonce_fields_signature():
    """PROTOCOL §7: [type, nonce, …fields in EIP-712 order…, signature], integers as minimal
    big-endian strings (zero is the empty string) — built here by hand, item by item."""
    signed = sign(Withdraw(amount=0), KEY, DOMAIN, 0)
    sig = bytes.fromhex(signed.signature[2:])
    assert signed.to_rlp() == rlp.encode([bytes([11]), b"", b"", sig])
    signed = sign(Submit(job_id=JOB, result=H1, fuel_used=0x1234), KEY, DOMAIN, 256)
    assert signed.to_rlp() == rlp.encode([bytes([5]), b"\x01\x00", bytes.fromhex(JOB[2:]), bytes.fromhex(H1[2:]),
                                          b"\x12\x34", bytes.fromhex(signed.signature[2:])])
    split = sign(CALLS[8], KEY, DOMAIN, 1)
    assert rlp.decode(split.to_rlp()) == [bytes([9]), b"\x01", bytes.fromhex(PARENT[2:]),
                                          [bytes.fromhex(JOB[2:]), b"\x0c" * 16], [bytes.fromhex(H1[2:]), bytes.fromhex(H2[2:])],
                                          [b"\x0a", b"\xff" * 32], bytes.fromhex(split.signature[2:])]
    for call in CALLS:
        assert rlp.decode(sign(call, KEY, DOMAIN, 3).to_rlp())[0] == bytes([TX_TYPE_IDS[call.TYPE]])
