"""Verifying the proofs of docs/PROOFS.md without a chain store: settlement proofs (what L1's
`claim` checks), state proofs (an account, a job or the totals at a block) and transaction
proofs (a hash's position in a block's txRoot).

Each `verify_*` takes the JSON object as the API returns it or as `emeth prove` writes it
(integers as numbers, decimal or 0x-hex strings), recomputes every derived field the object
states and refuses one that differs, checks the proof against its root and, for state and
transaction proofs, the block hash (and with `signer`, the Signer's signature over it). It
returns what was proven, or raises `InvalidProof` naming the first problem.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import merkle, records, smt, txroot
from .codes import STATUS
from .encoding import hx, to_address, to_bytes, to_int
from .errors import InvalidProof
from .signing import recover_digest_signer


def _int(v, what):
    try:
        return to_int(v, what)
    except ValueError as e:
        raise InvalidProof(str(e)) from None


def _bytes(v, n, what):
    try:
        return to_bytes(v, n, what)
    except ValueError as e:
        raise InvalidProof(str(e)) from None


def _same(a, b) -> bool:
    """Equality that reads integers as numbers and hex case-insensitively (as `emeth prove
    verify` does), so a file is not refused for formatting alone."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, int) or isinstance(b, int):
        try:
            return to_int(a) == to_int(b)
        except ValueError:
            return False
    if isinstance(a, str) and isinstance(b, str):
        return a == b or (a.startswith("0x") and a.lower() == b.lower())
    return a == b


def _derived(proof: dict, name: str, expected) -> None:
    if name in proof and not _same(proof[name], expected):
        raise InvalidProof(f'"{name}" is {proof[name]!r} but the proof\'s contents give {expected!r}')


# --- settlement -------------------------------------------------------------------------

@dataclass(frozen=True)
class SettlementClaim:
    account: str
    credit: int
    root: bytes
    leaf: bytes
    proof: list[bytes]
    batch_index: int | None
    first_block: int
    last_block: int


def verify_settlement(proof: dict) -> SettlementClaim:
    """OpenZeppelin's MerkleProof.verify(proof, root, leaf) with the leaf recomputed from
    (account, credit). It does not show that `root` is what L1 committed for the batch: L1's
    `claim` checks that (and an auditor compares it with the batch's commitment)."""
    if proof.get("type", "settlement") != "settlement":
        raise InvalidProof(f'"type" is {proof.get("type")!r}, expected "settlement"')
    try:
        account = to_address(proof["account"], "account")
    except (KeyError, ValueError) as e:
        raise InvalidProof(f"account: {e}") from None
    credit = _int(proof.get("credit"), "credit")
    root = _bytes(proof.get("root"), 32, "root")
    siblings = [_bytes(p, 32, f"proof[{i}]") for i, p in enumerate(proof.get("proof") or [])]
    leaf = merkle.settlement_leaf(account, credit)
    _derived(proof, "leaf", hx(leaf))
    if root == merkle.ZERO_ROOT:
        raise InvalidProof("the root is zero: no credit changed in the range, so it proves nothing")
    if not merkle.StandardMerkleTree.verify(root, leaf, siblings):
        raise InvalidProof(f"the proof does not lead from the leaf of {account} with credit {credit} to root {hx(root)}")
    batch = proof.get("batchIndex")
    return SettlementClaim(account, credit, root, leaf, siblings, None if batch is None else _int(batch, "batchIndex"),
                           _int(proof.get("firstBlock", 0), "firstBlock"), _int(proof.get("lastBlock", 0), "lastBlock"))


# --- blocks ---------------------------------------------------------------------------

def verify_block(block: dict, signer: str | None = None) -> bytes:
    """Recomputes the block hash from the header fields, refuses a stated `hash` that differs,
    and with `signer` requires the Signer's signature over it. Returns the hash."""
    try:
        h = records.block_hash(block)
    except (KeyError, ValueError) as e:
        raise InvalidProof(f"block: {e}") from None
    if block.get("hash") is not None and _bytes(block["hash"], 32, "block.hash") != h:
        raise InvalidProof(f"block.hash is {block['hash']} but the header fields hash to {hx(h)}: the header was altered")
    if signer is not None:
        sig = block.get("signature") or "0x"
        number = _int(block["number"], "block.number")
        if sig in ("", "0x"):
            raise InvalidProof(f"block {number} carries no signature" + (" (genesis is not signed)" if number == 0 else ""))
        try:
            who = recover_digest_signer(h, sig)
        except ValueError as e:
            raise InvalidProof(f"block {number}'s signature cannot be recovered: {e}") from None
        if who != to_address(signer):
            raise InvalidProof(f"block {number} was signed by {who}, not by the expected signer {to_address(signer)}")
    return h


# --- state ----------------------------------------------------------------------------

@dataclass(frozen=True)
class StateClaim:
    kind: str                  # account | job | totals
    key: str | None            # the address, the job id, None for totals
    present: bool
    value_hash: bytes | None
    record: dict | None        # decoded, when the proof carries the record
    block_number: int
    state_root: bytes
    block_hash: bytes


def _tree_key(kind: str, key) -> tuple[bytes, str | None]:
    try:
        if kind == "account":
            address = to_address(key, "key")
            return records.account_key(address), address
        if kind == "job":
            return records.job_key(key), hx(to_bytes(key, 16, "key"))
        if kind == "totals":
            if key is not None:
                raise ValueError('"key" must be null for the totals record')
            return records.TOTALS_KEY, None
    except ValueError as e:
        raise InvalidProof(str(e)) from None
    raise InvalidProof(f'"kind" must be "account", "job" or "totals", got {kind!r}')


def _decoded_json(kind: str, record: dict) -> dict:
    """The proof file's "decoded" form: integers as decimal strings, the job status by name."""
    out = {}
    for name, value in record.items():
        if kind == "job" and name == "status":
            out[name] = STATUS[value]
        else:
            out[name] = str(value) if isinstance(value, int) else value
    return out


def verify_state(proof: dict, signer: str | None = None) -> StateClaim:
    """A state proof of `emeth_getStateProof` / `emeth prove account|job|totals`."""
    if proof.get("type", "state") != "state":
        raise InvalidProof(f'"type" is {proof.get("type")!r}, expected "state"')
    kind = proof.get("kind")
    tree_key, key = _tree_key(kind, proof.get("key"))
    block = proof.get("block")
    if not isinstance(block, dict):
        raise InvalidProof('"block" is missing')
    block_hash = verify_block(block, signer)
    state_root = _bytes(block.get("stateRoot"), 32, "block.stateRoot")
    number = _int(block.get("number"), "block.number")
    smt_proof = proof.get("smt")
    if not isinstance(smt_proof, dict):
        raise InvalidProof('"smt" is missing')
    leaf = smt_proof.get("leaf")
    present = leaf is not None and _bytes(leaf.get("key"), 32, "smt.leaf.key") == tree_key
    value_hash = _bytes(leaf["valueHash"], 32, "smt.leaf.valueHash") if present else None
    decoded = None
    if proof.get("record") is not None:
        raw = _bytes(proof["record"], None, "record")
        try:
            decoded = {"account": records.decode_account, "job": records.decode_job,
                       "totals": records.decode_totals}[kind](raw)
        except ValueError as e:
            raise InvalidProof(f"the record is not a valid {kind}: {e}") from None
        if not present:
            raise InvalidProof(f"the proof shows the {kind} absent, but a record is given")
        if records.value_hash(raw) != value_hash:
            raise InvalidProof(f"the record hashes to {hx(records.value_hash(raw))} but the proof's leaf holds {hx(value_hash)}")
        if kind == "job" and decoded["id"] != key:
            raise InvalidProof(f"the job record is for job {decoded['id']}, not {key}")
    for name, expected in (("treeKey", hx(tree_key)), ("blockNumber", number), ("stateRoot", hx(state_root)),
                           ("valueHash", None if value_hash is None else hx(value_hash)),
                           ("decoded", None if decoded is None else _decoded_json(kind, decoded))):
        _derived(proof, name, expected)
    if not present and kind == "totals":
        raise InvalidProof("the totals record is always present, but the proof shows it absent")
    try:
        failure = smt.verification_failure(state_root, tree_key, value_hash, smt_proof)
    except ValueError as e:
        raise InvalidProof(str(e)) from None
    if failure:
        raise InvalidProof(failure)
    return StateClaim(kind, key, present, value_hash, decoded, number, state_root, block_hash)


# --- transactions -----------------------------------------------------------------------

@dataclass(frozen=True)
class TransactionClaim:
    tx_hash: str
    index: int
    block_number: int
    tx_count: int
    block_hash: bytes


def verify_transaction(proof: dict, signer: str | None = None) -> TransactionClaim:
    """A transaction proof of `emeth_getTransactionProof` / `emeth prove tx`: the hash is the
    `index`-th transaction of its block (sequencing and position, not the outcome)."""
    if proof.get("type", "transaction") != "transaction":
        raise InvalidProof(f'"type" is {proof.get("type")!r}, expected "transaction"')
    block = proof.get("block")
    if not isinstance(block, dict):
        raise InvalidProof('"block" is missing')
    block_hash = verify_block(block, signer)
    tx_hash = _bytes(proof.get("txHash"), 32, "txHash")
    index = _int(proof.get("index"), "index")
    count = _int(block.get("txCount"), "block.txCount")
    tx_root = _bytes(block.get("txRoot"), 32, "block.txRoot")
    number = _int(block.get("number"), "block.number")
    for name, expected in (("blockNumber", number), ("txCount", count), ("txRoot", hx(tx_root))):
        _derived(proof, name, expected)
    if index >= count:
        raise InvalidProof(f"index {index} is outside the block's {count} transactions")
    siblings = [_bytes(p, 32, f"proof[{i}]") for i, p in enumerate(proof.get("proof") or [])]
    if not txroot.verify(tx_hash, index, count, siblings, tx_root):
        raise InvalidProof(f"the proof does not lead from transaction {hx(tx_hash)} at index {index} to txRoot {hx(tx_root)}")
    return TransactionClaim(hx(tx_hash), index, number, count, block_hash)


def verify_proof(proof: dict, signer: str | None = None):
    """Any proof file, by its "type" (what `emeth prove verify` does)."""
    kind = proof.get("type")
    if kind == "settlement":
        if signer is not None:
            raise InvalidProof("a settlement proof carries no Signer signature: check its root against the batch's "
                               "L1 commitment instead")
        return verify_settlement(proof)
    if kind == "state":
        return verify_state(proof, signer)
    if kind == "transaction":
        return verify_transaction(proof, signer)
    raise InvalidProof(f'unknown "type" {kind!r}: expected "settlement", "state" or "transaction"')
