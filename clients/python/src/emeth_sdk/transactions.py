"""Typed builders for the eleven L2 transactions (docs/PROTOCOL.md §2).

Each builder holds the call's fields (snake_case; the wire and EIP-712 names are camelCase)
checked for their EIP-712 type on construction: job ids are 16 bytes, hashes 32, integers
uint256. They say nothing about whether the chain will accept the call (roles, statuses,
balances): the sequencer's admission does, with a -32006 error naming the failure code.

    Process(job_id="0x…").message(nonce=3)   →  {"jobId": "0x…", "nonce": "3"}

`signing.sign` turns a builder and a nonce into a signed transaction.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import ClassVar

from .eip712 import L2_TYPES
from .encoding import hx, to_bytes, to_int

ZERO_JOB = b"\x00" * 16


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def typed_value(kind: str, value, what: str):
    """A field value in its Python form for eth-account (bytes, int, or a list of them)."""
    if kind.endswith("[]"):
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            raise ValueError(f"{what}: expected a list, got {value!r}")
        return tuple(typed_value(kind[:-2], v, f"{what}[{i}]") for i, v in enumerate(value))
    if kind.startswith("bytes"):
        return to_bytes(value, int(kind[5:]), what)
    if kind == "uint256":
        return to_int(value, what)
    raise ValueError(f"{what}: unsupported type {kind}")


def wire_value(value):
    """The wire form (PROTOCOL §2): decimal strings for integers, 0x-hex for bytes."""
    if isinstance(value, (tuple, list)):
        return [wire_value(v) for v in value]
    if isinstance(value, bytes):
        return hx(value)
    return str(value)


class L2Call:
    """Base of the eleven builders: EIP-712 type name, field checks, wire and typed forms."""
    TYPE: ClassVar[str]

    def __post_init__(self):
        for f in fields(self):
            camel = self._camel(f.name)
            kind = dict(L2_TYPES[self.TYPE])[camel]
            object.__setattr__(self, f.name, typed_value(kind, getattr(self, f.name), f"{self.TYPE}.{camel}"))

    @staticmethod
    def _camel(name: str) -> str:
        head, *rest = name.split("_")
        return head + "".join(p.title() for p in rest)

    def values(self, nonce: int) -> dict:
        """The message as eth-account signs it: EIP-712 names, bytes and ints."""
        nonce = to_int(nonce, f"{self.TYPE}.nonce", bits=64)
        out = {name: getattr(self, snake(name)) for name, _ in L2_TYPES[self.TYPE] if name != "nonce"}
        out["nonce"] = nonce
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}

    def message(self, nonce: int) -> dict:
        """The wire `message` of emeth_sendTransaction (nonce included)."""
        return {k: wire_value(v) for k, v in self.values(nonce).items()}

    @staticmethod
    def from_message(primary: str, message: dict) -> tuple["L2Call", int]:
        """(builder, nonce) from a wire message, e.g. a transaction of `emeth_getBlockByNumber`.
        Every field of the type must be present and no other (as the API requires)."""
        if primary not in CALLS:
            raise ValueError(f"unknown transaction type {primary!r}: one of {', '.join(CALLS)}")
        names = [n for n, _ in L2_TYPES[primary]]
        missing = [n for n in names if n not in message]
        extra = [n for n in message if n not in names]
        if missing or extra:
            raise ValueError(f"{primary} message: " + "; ".join(
                ([f"missing {', '.join(missing)}"] if missing else []) + ([f"unknown {', '.join(extra)}"] if extra else [])))
        call = CALLS[primary](**{snake(n): message[n] for n in names if n != "nonce"})
        return call, to_int(message["nonce"], f"{primary}.nonce", bits=64)


@dataclass(frozen=True)
class RegisterJob(L2Call):
    """Post a job: escrow = fuelLimit·fuelPrice plus the verifier fee leaves the balance."""
    TYPE: ClassVar[str] = "RegisterJob"
    job_id: bytes
    program_id: int
    num_parallel: int
    num_epoch: int
    dataset: bytes
    param: bytes
    fuel_limit: int
    fuel_price: int
    deadline: int
    parent_job: bytes = field(default=ZERO_JOB)  # must stay zero: SubJobs come from Split


@dataclass(frozen=True)
class CancelJob(L2Call):
    TYPE: ClassVar[str] = "CancelJob"
    job_id: bytes


@dataclass(frozen=True)
class Process(L2Call):
    """A node takes a REQUESTED job (its node deposit leaves its balance)."""
    TYPE: ClassVar[str] = "Process"
    job_id: bytes


@dataclass(frozen=True)
class Decline(L2Call):
    TYPE: ClassVar[str] = "Decline"
    job_id: bytes


@dataclass(frozen=True)
class Submit(L2Call):
    TYPE: ClassVar[str] = "Submit"
    job_id: bytes
    result: bytes
    fuel_used: int


@dataclass(frozen=True)
class Verify(L2Call):
    TYPE: ClassVar[str] = "Verify"
    job_id: bytes


@dataclass(frozen=True)
class Reject(L2Call):
    TYPE: ClassVar[str] = "Reject"
    job_id: bytes


@dataclass(frozen=True)
class Timeout(L2Call):
    TYPE: ClassVar[str] = "Timeout"
    job_id: bytes


@dataclass(frozen=True)
class Split(L2Call):
    """The splitter divides a REQUESTED parallel job into SubJobs (one id, dataset and fuel
    limit each; the three lists have equal lengths)."""
    TYPE: ClassVar[str] = "Split"
    parent_job: bytes
    job_ids: tuple
    datasets: tuple
    fuel_limits: tuple


@dataclass(frozen=True)
class Aggregate(L2Call):
    TYPE: ClassVar[str] = "Aggregate"
    parent_job: bytes
    result: bytes


@dataclass(frozen=True)
class Withdraw(L2Call):
    """Balance → credit, claimable on L1 (`l1.Rollup.claim_with_ticket` / `claim_with_proof`)."""
    TYPE: ClassVar[str] = "Withdraw"
    amount: int


CALLS: dict[str, type[L2Call]] = {c.TYPE: c for c in (RegisterJob, CancelJob, Process, Decline, Submit, Verify, Reject,
                                                      Timeout, Split, Aggregate, Withdraw)}
assert set(CALLS) == set(L2_TYPES)
