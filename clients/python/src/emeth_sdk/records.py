"""State records, tree keys and block headers (docs/PROTOCOL.md §4–5), encoded with eth-abi.

Records are `abi.encode` of static fields; the state tree stores `keccak256(record)` under
`keccak256(0x01 ‖ address)` (accounts), `keccak256(0x02 ‖ jobId)` (jobs) and
`keccak256(0x03)` (the totals). A block's hash is `keccak256(abi.encode(header))`.
"""
from __future__ import annotations

from eth_abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak, to_checksum_address

from .codes import STATUS
from .encoding import to_address, to_bytes

ACCOUNT_FIELDS = [("balance", "uint256"), ("nonce", "uint256"), ("credit", "uint256")]
JOB_FIELDS = [("id", "bytes16"), ("owner", "address"), ("parentJob", "bytes16"), ("programId", "uint256"),
              ("numParallel", "uint256"), ("numEpoch", "uint256"), ("dataset", "bytes32"), ("param", "bytes32"),
              ("fuelLimit", "uint256"), ("fuelPrice", "uint256"), ("deadline", "uint256"), ("status", "uint8"),
              ("node", "address"), ("fuelUsed", "uint256"), ("result", "bytes32"), ("escrow", "uint256"),
              ("nodeDeposit", "uint256"), ("childCount", "uint256"), ("verifiedChildren", "uint256"),
              ("createdAt", "uint256"), ("updatedAt", "uint256")]
TOTALS_FIELDS = [("totalDeposited", "uint256"), ("totalCredit", "uint256"), ("totalBurned", "uint256"),
                 ("totalBalances", "uint256"), ("totalEscrow", "uint256"), ("totalNodeDeposits", "uint256")]
HEADER_FIELDS = [("number", "uint256"), ("parentHash", "bytes32"), ("timestamp", "uint256"), ("txRoot", "bytes32"),
                 ("stateRoot", "bytes32"), ("settlementRoot", "bytes32"), ("inboxCursor", "uint256"), ("txCount", "uint256")]
JOB_TYPES = [t for _, t in JOB_FIELDS]

TOTALS_KEY = keccak(b"\x03")
# Fields the records keep in 64 bits (the Swift state holds them as UInt64).
_SMALL = {"nonce", "deadline", "childCount", "verifiedChildren", "createdAt", "updatedAt"}


def account_key(address) -> bytes:
    return keccak(b"\x01" + to_bytes(to_address(address), 20))


def job_key(job_id) -> bytes:
    return keccak(b"\x02" + to_bytes(job_id, 16, "jobId"))


def value_hash(record: bytes) -> bytes:
    return keccak(record)


def encode_account(balance: int, nonce: int, credit: int) -> bytes:
    return encode([t for _, t in ACCOUNT_FIELDS], [balance, nonce, credit])


def encode_totals(*totals: int) -> bytes:
    return encode([t for _, t in TOTALS_FIELDS], list(totals))


def encode_job(record) -> bytes:
    """`record`: the 21 values in PROTOCOL §4's order, or a dict by field name."""
    if isinstance(record, dict):
        record = [record[n] for n, _ in JOB_FIELDS]
    values = [to_bytes(v, int(t[5:])) if t.startswith("bytes") else v for v, (_, t) in zip(record, JOB_FIELDS)]
    return encode(JOB_TYPES, values)


def _decode(fields, record: bytes, kind: str) -> dict:
    types = [t for _, t in fields]
    if len(record) != 32 * len(types):
        raise ValueError(f"the {kind} record is {32 * len(types)} bytes, got {len(record)}")
    try:
        values = decode(types, record)
    except DecodingError as e:
        raise ValueError(f"the {kind} record is not a canonical abi.encode: {e}") from None
    if encode(types, list(values)) != record:  # e.g. dirty high bytes of an address or a uint8
        raise ValueError(f"the {kind} record is not a canonical abi.encode")
    out = {}
    for (name, t), v in zip(fields, values):
        if name in _SMALL and v >= 1 << 64:
            raise ValueError(f"the {kind} record's {name} does not fit 64 bits")
        out[name] = "0x" + v.hex() if isinstance(v, bytes) else to_checksum_address(v) if t == "address" else v
    return out


def decode_account(record: bytes) -> dict:
    return _decode(ACCOUNT_FIELDS, record, "account")


def decode_totals(record: bytes) -> dict:
    return _decode(TOTALS_FIELDS, record, "totals")


def decode_job(record: bytes) -> dict:
    job = _decode(JOB_FIELDS, record, "job")
    if job["status"] not in STATUS:
        raise ValueError(f"the job record's status {job['status']} is not 1–10")
    return job


def block_hash(header: dict) -> bytes:
    """keccak256(abi.encode(number, parentHash, timestamp, txRoot, stateRoot, settlementRoot,
    inboxCursor, txCount)) from a header with API (0x-hex) or proof-file (numbers) values."""
    values = []
    for name, t in HEADER_FIELDS:
        v = header[name]
        if t == "bytes32":
            values.append(to_bytes(v, 32, f"block.{name}"))
        else:
            values.append(int(v, 16) if isinstance(v, str) and v.startswith("0x") else int(v))
    return keccak(encode([t for _, t in HEADER_FIELDS], values))
