#!/usr/bin/env python3
"""Measures the gas of every EmethRollup entry point on an in-process py-evm chain and prints
a Markdown table (the one in docs/PERFORMANCE.md). A script, not a test: numbers are reported,
not asserted.

    .venv/bin/python Contracts/gas_report.py

"execution" is gasUsed minus the 21,000 base and the calldata's intrinsic gas (4 per zero
byte, 16 per other byte): what the contract's code costs. Since Prague (EIP-7623) a
transaction pays at least the calldata floor, 21,000 + 10 per zero byte + 40 per other byte;
rows where that floor decides the price are marked, and their execution is hidden in it.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tests"))

from conftest import CHALLENGE_PERIOD, CHANGE_DELAY, EMT, TICKET_WINDOW, Chain  # noqa: E402
from test_escape import BLOCK_HASH, account_key, account_value, job_key, job_record, job_value  # noqa: E402

from emeth_sdk.merkle import node_hash as hash_pair, settlement_leaf  # noqa: E402
from emeth_sdk.smt import bit, leaf_hash as smt_leaf, node_hash as branch_hash  # noqa: E402
from eth_hash.auto import keccak  # noqa: E402

rows = []

# The previous contract's figures (before the L1 safety changes), for the comparison column.
OLD = {
    "deposit (first ever: fresh inbox and totals)": 147_458, "deposit (typical)": 96_158, "requestCancel": 73_697,
    "commitBatch, empty data (first batch)": 166_844, "commitBatch, empty data": 154_324,
    "commitBatch, 1,000 bytes of data": 170_708, "commitBatch, 10,000 bytes of data": 427_180,
    "commitBatch, 65,536 bytes of data": 2_642_280, "claim, proof depth 1": 72_005, "claim, proof depth 10": 61_724,
    ("claim, proof depth 20", "account claimed before"): 69_326,
    ("claim, proof depth 20", "first claim, recipient holds no EMT"): 103_464,
    ("claimWithTicket", "first claim of the account"): 71_735,
    ("claimWithTicket", "account claimed before"): 54_645,
    ("claimWithTicket", "first claim of the account, first ticket of the window"): 71_735,
    ("claimWithTicket", "account claimed before, first ticket of the window"): 54_645,
    "challenge (reverts 2 batches)": 32_559,
}


def calldata_gas(chain, receipt):
    """(standard intrinsic calldata gas, EIP-7623 floor of the whole transaction)."""
    data = bytes(chain.w3.eth.get_transaction(receipt.transactionHash).input)
    zeros = data.count(0)
    return 4 * zeros + 16 * (len(data) - zeros), 21000 + 10 * zeros + 40 * (len(data) - zeros)


def record(chain, what, receipt, note=""):
    cd, floor = calldata_gas(chain, receipt)
    execution = f"{receipt.gasUsed - 21000 - cd:,}" if receipt.gasUsed > floor else "(floor-priced)"
    old = OLD.get((what, note), OLD.get(what))
    versus = f"{old:,} ({(receipt.gasUsed - old) / old:+.1%})" if old else "new"
    rows.append((what, receipt.gasUsed, cd, execution, versus, note))
    return receipt


def proof_of_depth(account, credit, depth):
    """A valid sorted-pair proof of the given depth (verification does not depend on the
    tree's shape, only on the path), and the root it proves."""
    node = settlement_leaf(account, credit)
    proof = [bytes([depth, i]) + os.urandom(30) for i in range(depth)]
    for p in proof:
        node = hash_pair(node, p)
    return node, proof


def state_path(key, value_hash, depth):
    """Random siblings for depths 1..depth−1, folded from the leaf up to depth 1: (the hash of
    the depth-1 subtree, those siblings).
    Verification depends only on the key's path bits, not on the tree's other keys."""
    siblings = [bytes([depth, i]) + os.urandom(30) for i in range(1, depth)]
    h = smt_leaf(key, value_hash)
    for i in range(depth - 1, 0, -1):
        s = siblings[i - 1]
        h = branch_hash(h, s) if bit(key, i) == 0 else branch_hash(s, h)
    return h, siblings


def escape_rows(depth):
    """A fresh deployment whose escape state holds an account and a job, each at `depth`."""
    c = Chain()
    f = c.rollup.functions
    u = c.users
    c.deposit(u[0], 200 * EMT)
    c.deposit(u[1], 100 * EMT)  # left out of the batch: refundable
    account = (60 * EMT, 4, 20 * EMT)
    akey = account_key(u[0])
    job_id = next(bytes([depth, n]) * 8 for n in range(256)
                  if bit(job_key(job_record(bytes([depth, n]) * 8, u[1], 2, 0, 0, u[2])), 0) != bit(akey, 0))
    job = job_record(job_id, u[1], 2, 50 * EMT, 10 * EMT, u[2])
    a_sub, a_sib = state_path(akey, account_value(*account), depth)
    j_sub, j_sib = state_path(job_key(job), job_value(job), depth)
    root = branch_hash(a_sub, j_sub) if bit(akey, 0) == 0 else branch_hash(j_sub, a_sub)
    c.commit(0, 1, 1, credit=20 * EMT, burned=EMT, cursor=1, state_root=root, block_hash=BLOCK_HASH)
    c.tester.time_travel(f.escapeActivatableAt().call())
    if depth == 20:
        record(c, "activateEscape", c.send(f.activateEscape(), c.stranger), "+ burn of the final batch")
        record(c, "proveEscapeRoot", c.send(f.proveEscapeRoot(root, BLOCK_HASH, keccak(b"")), c.stranger))
        record(c, "refundDeposit", c.send(f.refundDeposit(1), c.stranger), "recipient holds EMT")
    else:
        c.send(f.activateEscape(), c.stranger)
        c.send(f.proveEscapeRoot(root, BLOCK_HASH, keccak(b"")), c.stranger)
    record(c, f"escapeAccount, proof depth {depth}", c.send(f.escapeAccount(u[0], *account, [j_sub] + a_sib), u[0]),
           "never claimed, recipient holds EMT")
    record(c, f"escapeJob, proof depth {depth}", c.send(f.escapeJob(job, [a_sub] + j_sib), u[1]),
           "escrow to the owner, nodeDeposit to the node")


def main():
    c = Chain()
    f = c.rollup.functions
    u = c.users
    record(c, "deposit (first ever: fresh inbox and totals)", c.deposit(u[0], 100 * EMT))
    record(c, "deposit (typical)", c.deposit(u[1], 100 * EMT))
    record(c, "depositFor", c.send(f.depositFor(c.stranger, 100 * EMT), u[1]))
    record(c, "requestCancel", c.send(f.requestCancel(b"\x01" * 16), u[0]))
    record(c, "forceTransaction, 120 bytes", c.send(f.forceTransaction(os.urandom(120)), u[0]), "a typical L2 transaction")
    record(c, "forceTransaction, 16,384 bytes", c.send(f.forceTransaction(os.urandom(16384)), u[0]), "the largest")
    cursor = 5

    # Realistic commitments: non-zero roots and totals (zero values would skip storage writes).
    root = b"\x5a" * 32
    credit = 250 * EMT
    record(c, "commitBatch, empty data (first batch)", c.commit(0, 1, 1, settlement_root=root, credit=EMT, burned=EMT, cursor=cursor), "fixed part")
    c.travel(CHALLENGE_PERIOD + 1)
    record(c, "commitBatch, empty data, settling a burn", c.commit(1, 2, 2, settlement_root=root, credit=credit, burned=2 * EMT, cursor=cursor),
           "+ burn of final batch 0")
    record(c, "commitBatch, empty data", c.commit(2, 3, 3, settlement_root=root, credit=credit, burned=2 * EMT, cursor=cursor), "fixed part")
    sizes = {}
    index, block = 3, 4
    for size in (1_000, 10_000, 65_536):
        r = c.commit(index, block, block, settlement_root=root, credit=credit, burned=2 * EMT, cursor=cursor, data=os.urandom(size))
        sizes[size] = r.gasUsed
        record(c, f"commitBatch, {size:,} bytes of data", r)
        index, block = index + 1, block + 1
    per_byte = (sizes[65_536] - sizes[1_000]) / (65_536 - 1_000)

    # Claims: a batch whose settlement root is a path of each depth (three batches).
    claims = {}
    for depth in (1, 10, 20):
        for who, amount in ((u[2], depth * EMT), (u[3], depth * EMT + 1)):
            root, proof = proof_of_depth(who, amount, depth)
            claims[(depth, who)] = (amount, proof, index)
            c.commit(index, block, block, settlement_root=root, credit=credit, burned=2 * EMT, cursor=cursor)
            index, block = index + 1, block + 1
    c.travel(CHALLENGE_PERIOD + 1)
    for depth in (1, 10, 20):
        amount, proof, bi = claims[(depth, u[2])]
        record(c, f"claim, proof depth {depth}", c.send(f.claim(u[2], amount, bi, proof), u[2]),
               "first claim of the account" if depth == 1 else "account claimed before")
    # A first-time claimer with no EMT yet (fresh claimed slot and fresh token balance).
    fresh = c.w3.eth.accounts[9]
    root, proof = proof_of_depth(fresh, 5 * EMT, 20)
    c.commit(index, block, block, settlement_root=root, credit=credit, burned=2 * EMT, cursor=cursor)
    c.travel(CHALLENGE_PERIOD + 1)
    record(c, "claim, proof depth 20", c.send(f.claim(fresh, 5 * EMT, index, proof), u[0]),
           "first claim, recipient holds no EMT")
    index, block = index + 1, block + 1

    # Tickets: the first one of an aligned rate-limit window also moves the window.
    c.tester.time_travel((c.now() // TICKET_WINDOW + 1) * TICKET_WINDOW + 5)
    record(c, "claimWithTicket", c.send(f.claimWithTicket(u[3], 50 * EMT, 9, c.ticket(u[3], 50 * EMT, 9)), u[3]),
           "first claim of the account, first ticket of the window")
    record(c, "claimWithTicket", c.send(f.claimWithTicket(u[3], 60 * EMT, 10, c.ticket(u[3], 60 * EMT, 10)), u[3]),
           "account claimed before")
    record(c, "claimWithTicket", c.send(f.claimWithTicket(u[1], 10 * EMT, 10, c.ticket(u[1], 10 * EMT, 10)), u[1]),
           "first claim of the account")
    c.travel(TICKET_WINDOW)
    record(c, "claimWithTicket", c.send(f.claimWithTicket(u[3], 70 * EMT, 10, c.ticket(u[3], 70 * EMT, 10)), u[3]),
           "account claimed before, first ticket of the window")

    c.commit(index, block, block, credit=credit, burned=3 * EMT, cursor=cursor)
    c.commit(index + 1, block + 1, block + 1, credit=credit, burned=4 * EMT, cursor=cursor)
    record(c, "challenge (reverts 2 batches)", c.send(f.challenge(index), c.guardian))
    c.commit(index, block, block, credit=credit, burned=3 * EMT, cursor=cursor)
    c.travel(CHALLENGE_PERIOD + 1)
    record(c, "settleBurns", c.send(f.settleBurns(), c.stranger), f"binary search over {index + 1} batches, one burn")

    r = record(c, "setSigner (schedules)", c.send(f.setSigner(c.stranger), c.owner), "any setter: one change record")
    first = c.events(r, "ChangeScheduled")[0]["id"]
    r = record(c, "setTicketLimit (schedules)", c.send(f.setTicketLimit(500 * EMT, 7200), c.owner))
    second = c.events(r, "ChangeScheduled")[0]["id"]
    third = c.schedule(f.setInboxConfirmations(6))
    c.travel(CHANGE_DELAY)
    record(c, "executeChange (signer)", c.send(f.executeChange(first), c.stranger))
    record(c, "executeChange (ticket limit)", c.send(f.executeChange(second), c.stranger))
    record(c, "cancelChange", c.send(f.cancelChange(third), c.owner))
    record(c, "pause", c.send(f.pause(), c.guardian))
    record(c, "unpause", c.send(f.unpause(), c.owner))
    for depth in (20, 24, 30):
        escape_rows(depth)

    print("| operation | gasUsed | calldata gas | execution | before the L1 safety changes | note |")
    print("|---|---:|---:|---:|---:|---|")
    for what, used, cd, ex, versus, note in rows:
        print(f"| {what} | {used:,} | {cd:,} | {ex} | {versus} | {note} |")
    print(f"\ncommitBatch data: {per_byte:.1f} gas per byte of (random, incompressible) data, "
          "1,000 → 65,536 bytes (EIP-7623 floor: 40 per non-zero byte)")


if __name__ == "__main__":
    main()
