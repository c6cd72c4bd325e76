"""Typed views of the API's results (docs/API.md): quantities become ints, names snake_case.
Each keeps the JSON object it was read from in `raw`."""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from .codes import FAILURES, STATUS
from .eip712 import Domain
from .encoding import quantity
from .transactions import snake


def _read(cls, d: dict, ints: tuple = ()):
    names = {f.name for f in fields(cls)} - {"raw"}
    values = {}
    for k, v in d.items():
        name = snake(k)
        if name in names:
            values[name] = quantity(v) if name in ints else v
    for n in names - values.keys():
        values[n] = None
    return cls(raw=d, **values)


@dataclass(frozen=True)
class ChainInfo:
    chain_id: int
    domain: Domain
    rollup: str
    token: str | None
    signer: str
    sequencer: str | None
    genesis_hash: str
    genesis: dict | None       # the canonical genesis: roles, fee rates, minFuelPrice, maxSplitChildren
    raw: dict = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict) -> "ChainInfo":
        return cls(quantity(d["chainId"]), Domain.from_json(d["domain"]), d["rollup"], d.get("token"), d["signer"],
                   d.get("sequencer"), d["genesisHash"], d.get("genesis"), d)


@dataclass(frozen=True)
class Receipt:
    """`pending` → `sequenced` (in a durable block) → `committed` (its batch mined on L1) →
    `final` (the challenge period is over); or `dropped` after an operator's rollback."""
    hash: str
    status: str
    block_number: int | None
    index: int | None
    success: bool | None
    failure: int | None
    sender: str | None
    batch_index: int | None
    l1_tx_hash: str | None
    raw: dict = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict) -> "Receipt":
        return _read(cls, d, ("block_number", "index", "batch_index"))

    @property
    def failure_name(self) -> str | None:
        return FAILURES.get(self.failure) if self.failure is not None else None

    @property
    def done(self) -> bool:
        """In a block (or dropped): no longer waiting in the mempool."""
        return self.status != "pending"


@dataclass(frozen=True)
class AccountState:
    address: str
    balance: int
    nonce: int
    credit: int
    raw: dict = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict) -> "AccountState":
        return _read(cls, d, ("balance", "nonce", "credit"))


_JOB_INTS = ("program_id", "num_parallel", "num_epoch", "fuel_limit", "fuel_price", "deadline", "fuel_used", "escrow",
             "node_deposit", "child_count", "verified_children", "created_at", "updated_at")


@dataclass(frozen=True)
class Job:
    job_id: str
    owner: str
    parent_job: str
    program_id: int
    num_parallel: int
    num_epoch: int
    dataset: str
    param: str
    fuel_limit: int
    fuel_price: int
    deadline: int
    status: int
    status_name: str
    node: str
    fuel_used: int
    result: str
    escrow: int
    node_deposit: int
    child_count: int
    verified_children: int
    created_at: int
    updated_at: int
    raw: dict = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict) -> "Job":
        job = _read(cls, d, _JOB_INTS)
        if job.status_name is None and job.status in STATUS:
            object.__setattr__(job, "status_name", STATUS[job.status])
        return job


@dataclass(frozen=True)
class JobPage:
    jobs: list[Job]
    cursor: str | None


@dataclass(frozen=True)
class Ticket:
    account: str
    credit: int
    block_number: int
    signature: str
    raw: dict = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict) -> "Ticket":
        return _read(cls, d, ("credit", "block_number"))


@dataclass(frozen=True)
class Batch:
    """A batch and where it stands on L1 (`emeth_listBatches`, the `batches` subscription):
    `status` is posted, committed, final or challenged; `l1_tx_hash` None while posted."""
    index: int
    first_block: int
    last_block: int
    status: str
    l1_tx_hash: str | None
    raw: dict = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict) -> "Batch":
        return _read(cls, d, ("index", "first_block", "last_block"))


@dataclass(frozen=True)
class BlockRange:
    """`emeth_getBlockRange`: blocks in the form the node stores them (storage format 2,
    docs/API.md), what a follower verifies and stores; `head` is the node's head."""
    format: int
    first: int
    head: int
    blocks: list          # each block's bytes
    raw: dict = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict) -> "BlockRange":
        return cls(format=quantity(d["format"]), first=quantity(d["from"]), head=quantity(d["head"]),
                   blocks=[bytes.fromhex(b[2:]) for b in d["blocks"]], raw=d)


@dataclass(frozen=True)
class Block:
    number: int
    parent_hash: str
    timestamp: int
    tx_root: str
    state_root: str
    settlement_root: str
    inbox_cursor: int
    tx_count: int
    hash: str
    signature: str
    transactions: list
    inbox: list
    raw: dict = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict) -> "Block":
        return _read(cls, d, ("number", "timestamp", "inbox_cursor", "tx_count"))
