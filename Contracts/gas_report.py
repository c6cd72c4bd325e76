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

from conftest import CHALLENGE_PERIOD, EMT, Chain  # noqa: E402
from oz_merkle import hash_pair, leaf_hash  # noqa: E402

rows = []


def calldata_gas(chain, receipt):
    """(standard intrinsic calldata gas, EIP-7623 floor of the whole transaction)."""
    data = bytes(chain.w3.eth.get_transaction(receipt.transactionHash).input)
    zeros = data.count(0)
    return 4 * zeros + 16 * (len(data) - zeros), 21000 + 10 * zeros + 40 * (len(data) - zeros)


def record(chain, what, receipt, note=""):
    cd, floor = calldata_gas(chain, receipt)
    execution = f"{receipt.gasUsed - 21000 - cd:,}" if receipt.gasUsed > floor else "(floor-priced)"
    rows.append((what, receipt.gasUsed, cd, execution, note))
    return receipt


def proof_of_depth(account, credit, depth):
    """A valid sorted-pair proof of the given depth (verification does not depend on the
    tree's shape, only on the path), and the root it proves."""
    node = leaf_hash(["address", "uint256"], [account, credit])
    proof = [bytes([depth, i]) + os.urandom(30) for i in range(depth)]
    for p in proof:
        node = hash_pair(node, p)
    return node, proof


def main():
    c = Chain()
    f = c.rollup.functions
    u = c.users
    record(c, "deposit (first ever: fresh inbox and totals)", c.deposit(u[0], 100 * EMT))
    record(c, "deposit (typical)", c.deposit(u[1], 100 * EMT))
    record(c, "requestCancel", c.send(f.requestCancel(b"\x01" * 16), u[0]))

    # Realistic commitments: non-zero roots and totals (zero values would skip storage writes).
    root = b"\x5a" * 32
    record(c, "commitBatch, empty data (first batch)", c.commit(0, 1, 1, settlement_root=root, credit=EMT, cursor=1), "fixed part")
    record(c, "commitBatch, empty data, burning", c.commit(1, 2, 2, settlement_root=root, credit=EMT, burned=EMT, cursor=2), "+ token burn")
    record(c, "commitBatch, empty data", c.commit(2, 3, 3, settlement_root=root, credit=2 * EMT, burned=EMT, cursor=2), "fixed part")
    sizes = {}
    index, block = 3, 4
    for size in (1_000, 10_000, 65_536):
        r = c.commit(index, block, block, settlement_root=root, credit=2 * EMT, burned=EMT, cursor=2, data=os.urandom(size))
        sizes[size] = r.gasUsed
        record(c, f"commitBatch, {size:,} bytes of data", r)
        index, block = index + 1, block + 1
    per_byte = (sizes[65_536] - sizes[1_000]) / (65_536 - 1_000)

    # Claims: a batch whose settlement root is a path of each depth (three batches).
    claims = {}
    for depth in (1, 10, 20):
        for who, credit in ((u[2], depth * EMT), (u[3], depth * EMT + 1)):
            root, proof = proof_of_depth(who, credit, depth)
            claims[(depth, who)] = (credit, proof, index)
            c.commit(index, block, block, settlement_root=root, credit=2 * EMT, burned=EMT, cursor=2)
            index, block = index + 1, block + 1
    c.travel(CHALLENGE_PERIOD + 1)
    for depth in (1, 10, 20):
        credit, proof, bi = claims[(depth, u[2])]
        record(c, f"claim, proof depth {depth}", c.send(f.claim(u[2], credit, bi, proof), u[2]),
               "first claim of the account" if depth == 1 else "account claimed before")
    # A first-time claimer with no EMT yet (fresh claimed slot and fresh token balance).
    fresh = c.w3.eth.accounts[9]
    root, proof = proof_of_depth(fresh, 5 * EMT, 20)
    c.commit(index, block, block, settlement_root=root, credit=2 * EMT, burned=EMT, cursor=2)
    c.travel(CHALLENGE_PERIOD + 1)
    record(c, "claim, proof depth 20", c.send(f.claim(fresh, 5 * EMT, index, proof), u[0]),
           "first claim, recipient holds no EMT")
    index, block = index + 1, block + 1

    record(c, "claimWithTicket", c.send(f.claimWithTicket(u[3], 50 * EMT, 9, c.ticket(u[3], 50 * EMT, 9)), u[3]),
           "first claim of the account")
    record(c, "claimWithTicket", c.send(f.claimWithTicket(u[3], 60 * EMT, 10, c.ticket(u[3], 60 * EMT, 10)), u[3]),
           "account claimed before")

    c.commit(index, block, block, credit=2 * EMT, burned=EMT, cursor=2)
    c.commit(index + 1, block + 1, block + 1, credit=2 * EMT, burned=EMT, cursor=2)
    record(c, "challenge (reverts 2 batches)", c.send(f.challenge(index), c.guardian))

    print("| operation | gasUsed | calldata gas | execution | note |")
    print("|---|---:|---:|---:|---|")
    for what, used, cd, ex, note in rows:
        print(f"| {what} | {used:,} | {cd:,} | {ex} | {note} |")
    print(f"\ncommitBatch data: {per_byte:.1f} gas per byte of (random, incompressible) data, "
          "1,000 → 65,536 bytes (EIP-7623 floor: 40 per non-zero byte)")


if __name__ == "__main__":
    main()
