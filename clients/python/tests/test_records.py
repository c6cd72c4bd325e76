"""State records and block hashes (PROTOCOL §4–5), against words laid out by hand."""
import pytest
from eth_hash.auto import keccak

from emeth_sdk import records

ADDRESS = "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"


def word(n: int) -> bytes:
    return n.to_bytes(32, "big")


def test_account_record_is_three_words():
    enc = records.encode_account(10**18, 5, 7)
    assert enc == word(10**18) + word(5) + word(7)
    assert records.decode_account(enc) == {"balance": 10**18, "nonce": 5, "credit": 7}


def test_job_record_round_trip_and_layout():
    job = {"id": "0x" + "0a" * 16, "owner": ADDRESS, "parentJob": "0x" + "00" * 16, "programId": 7, "numParallel": 1,
           "numEpoch": 2, "dataset": "0x" + "d5" * 32, "param": "0x" + "a7" * 32, "fuelLimit": 1000, "fuelPrice": 3,
           "deadline": 10**9, "status": 2, "node": "0x" + "00" * 19 + "01", "fuelUsed": 0, "result": "0x" + "00" * 32,
           "escrow": 3150, "nodeDeposit": 3150, "childCount": 0, "verifiedChildren": 0, "createdAt": 100, "updatedAt": 200}
    enc = records.encode_job(job)
    assert len(enc) == 21 * 32
    assert enc[:32] == b"\x0a" * 16 + bytes(16)                       # bytes16 is left-aligned
    assert enc[32:64] == bytes(12) + bytes.fromhex(ADDRESS[2:])        # an address right-aligned
    assert enc[11 * 32:12 * 32] == word(2)                             # status as uint8 in a word
    decoded = records.decode_job(enc)
    assert decoded == dict(job, node="0x0000000000000000000000000000000000000001")


def test_totals_record_is_six_words():
    assert records.encode_totals(1, 2, 3, 4, 5, 6) == b"".join(word(i) for i in range(1, 7))
    assert records.decode_totals(records.encode_totals(1, 2, 3, 4, 5, 6))["totalNodeDeposits"] == 6


def test_decoding_refuses_what_the_chain_cannot_hold():
    with pytest.raises(ValueError, match=r"^the account record is 96 bytes, got 64$"):
        records.decode_account(bytes(64))
    with pytest.raises(ValueError, match=r"^the account record's nonce does not fit 64 bits$"):
        records.decode_account(word(1) + word(2**64) + word(0))
    job = bytearray(records.encode_job([b"\x01" * 16, ADDRESS, bytes(16), 1, 1, 1, bytes(32), bytes(32), 1, 1, 1, 11,
                                        ADDRESS, 0, bytes(32), 0, 0, 0, 0, 0, 0]))
    with pytest.raises(ValueError, match=r"^the job record's status 11 is not 1–10$"):
        records.decode_job(bytes(job))
    job[16] = 1                                                        # a bytes16 with dirty padding
    with pytest.raises(ValueError, match=r"^the job record is not a canonical abi.encode: Padding bytes were not empty"):
        records.decode_job(bytes(job))


def test_block_hash_is_keccak_of_the_eight_header_words():
    header = {"number": "0x4", "parentHash": "0x" + "11" * 32, "timestamp": 1700000004, "txRoot": "0x" + "22" * 32,
              "stateRoot": "0x" + "33" * 32, "settlementRoot": "0x" + "44" * 32, "inboxCursor": "8", "txCount": 10}
    laid_out = (word(4) + b"\x11" * 32 + word(1700000004) + b"\x22" * 32 + b"\x33" * 32 + b"\x44" * 32 + word(8)
                + word(10))
    assert records.block_hash(header) == keccak(laid_out)
