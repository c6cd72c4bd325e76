"""EmethRollup batches: commitBatch's checks (docs/PROTOCOL.md §7), finality, challenges and burns."""
from eth_abi import encode
from eth_hash.auto import keccak

from conftest import CHALLENGE_PERIOD, EMT, TICKET_LIMIT, TICKET_WINDOW, reverts

ZERO = b"\x00" * 32
ROOT = b"\xab" * 32


def funded(chain, amount=10 * EMT):
    chain.deposit(chain.users[0], amount)


def test_commit_stores_the_commitment_and_logs_it(chain):
    funded(chain)
    data = b"\x01batch-bytes"
    r = chain.commit(0, 1, 4, settlement_root=ROOT, credit=3 * EMT, burned=0, cursor=1, data=data)
    ts = chain.w3.eth.get_block(r.blockNumber).timestamp
    logged = chain.events(r, "BatchCommitted")
    assert logged == [{"batchIndex": 0, "firstBlock": 1, "lastBlock": 4, "lastBlockHash": b"\x22" * 32,
                       "stateRoot": b"\x11" * 32, "settlementRoot": ROOT, "totalCredit": 3 * EMT, "totalBurned": 0,
                       "inboxCursor": 1, "dataHash": keccak(data), "committedAt": ts,
                       "finalAt": ts + CHALLENGE_PERIOD}]
    commitment = keccak(encode(["uint256"] * 3 + ["bytes32"] * 3 + ["uint256"] * 3 + ["bytes32", "uint256"],
                               [0, 1, 4, b"\x22" * 32, b"\x11" * 32, ROOT, 3 * EMT, 0, 1, keccak(data), ts]))
    assert chain.rollup.functions.getBatch(0).call() == (
        0, 1, 4, ROOT, commitment, 3 * EMT, 0, 1, ts, ts + CHALLENGE_PERIOD, False)
    assert chain.rollup.functions.latestBatch().call()[0] == 0
    assert chain.rollup.functions.batchCount().call() == 1
    assert chain.rollup.functions.nextBlock().call() == 5


def test_batches_chain_block_ranges(chain):
    funded(chain)
    chain.commit(0, 1, 4)
    chain.commit(1, 5, 5)
    chain.commit(2, 6, 9)
    assert chain.rollup.functions.getBatch(2).call()[:3] == (2, 6, 9)
    assert chain.rollup.functions.nextBlock().call() == 10


def test_commit_from_a_stranger_reverts(chain):
    reverts("EmethRollup: not sequencer", chain.commit, 0, 1, 1, sender=chain.stranger)
    reverts("EmethRollup: not sequencer", chain.commit, 0, 1, 1, sender=chain.owner)


def test_skipped_or_repeated_batch_index_reverts(chain):
    reverts("EmethRollup: wrong batch index", chain.commit, 1, 1, 1)
    chain.commit(0, 1, 1)
    reverts("EmethRollup: wrong batch index", chain.commit, 0, 2, 2)
    reverts("EmethRollup: wrong batch index", chain.commit, 2, 2, 2)


def test_block_gap_overlap_and_empty_range_revert(chain):
    reverts("EmethRollup: block range not contiguous", chain.commit, 0, 2, 3)
    reverts("EmethRollup: block range not contiguous", chain.commit, 0, 0, 3)
    chain.commit(0, 1, 3)
    reverts("EmethRollup: block range not contiguous", chain.commit, 1, 5, 6)
    reverts("EmethRollup: block range not contiguous", chain.commit, 1, 3, 6)
    reverts("EmethRollup: empty block range", chain.commit, 1, 4, 3)


def test_decreasing_totals_or_cursor_revert(chain):
    funded(chain)
    chain.deposit(chain.users[1], EMT)
    chain.commit(0, 1, 1, credit=2 * EMT, burned=EMT, cursor=2)
    reverts("EmethRollup: totalCredit decreased", chain.commit, 1, 2, 2, credit=2 * EMT - 1, burned=EMT, cursor=2)
    reverts("EmethRollup: totalBurned decreased", chain.commit, 1, 2, 2, credit=2 * EMT, burned=EMT - 1, cursor=2)
    reverts("EmethRollup: inbox cursor decreased", chain.commit, 1, 2, 2, credit=2 * EMT, burned=EMT, cursor=1)
    chain.commit(1, 2, 2, credit=2 * EMT, burned=EMT, cursor=2)


def test_cursor_beyond_inbox_reverts(chain):
    reverts("EmethRollup: inbox cursor beyond inbox", chain.commit, 0, 1, 1, cursor=1)
    funded(chain)
    chain.commit(0, 1, 1, cursor=1)
    reverts("EmethRollup: inbox cursor beyond inbox", chain.commit, 1, 2, 2, cursor=2)


def test_insolvent_totals_revert(chain):
    funded(chain, 10)
    reverts("EmethRollup: insolvent totals", chain.commit, 0, 1, 1, credit=6, burned=5, cursor=1)
    reverts("EmethRollup: insolvent totals", chain.commit, 0, 1, 1, credit=11, cursor=1)
    chain.commit(0, 1, 1, credit=6, burned=4, cursor=1)


def test_burns_happen_only_when_the_batch_is_final(chain):
    funded(chain, 10 * EMT)
    supply = chain.token.functions.totalSupply().call()
    r = chain.commit(0, 1, 1, burned=2 * EMT, cursor=1)
    assert chain.events(r, "Burned") == []
    r = chain.commit(1, 2, 2, burned=5 * EMT, cursor=1)
    assert chain.events(r, "Burned") == [] and chain.rollup.functions.burnedOnL1().call() == 0
    chain.travel(CHALLENGE_PERIOD + 1)
    # The next commit settles the burns of the batches that became final.
    r = chain.commit(2, 3, 3, burned=6 * EMT, cursor=1)
    assert chain.events(r, "Burned") == [{"amount": 5 * EMT, "burnedOnL1": 5 * EMT}]
    assert chain.token.functions.totalSupply().call() == supply - 5 * EMT
    assert chain.balance(chain.rollup.address) == 5 * EMT
    assert chain.rollup.functions.burnSettled().call() == 2
    # settleBurns does the rest at any time, once final.
    assert chain.rollup.functions.settleBurns().call() == 0
    chain.travel(CHALLENGE_PERIOD + 1)
    r = chain.send(chain.rollup.functions.settleBurns(), chain.stranger)
    assert chain.events(r, "Burned") == [{"amount": EMT, "burnedOnL1": 6 * EMT}]
    assert chain.rollup.functions.burnedOnL1().call() == 6 * EMT
    r = chain.send(chain.rollup.functions.settleBurns(), chain.stranger)
    assert chain.events(r, "Burned") == []


def test_a_commit_settles_a_bounded_number_of_burns_and_settle_burns_catches_up(chain):
    funded(chain, 100)
    for i in range(10):
        chain.commit(i, i + 1, i + 1, burned=i + 1, cursor=1)
    chain.travel(CHALLENGE_PERIOD + 1)
    r = chain.commit(10, 11, 11, burned=11, cursor=1)
    assert chain.events(r, "Burned") == [{"amount": 4, "burnedOnL1": 4}]
    assert chain.rollup.functions.burnSettled().call() == 4
    assert chain.rollup.functions.settleBurns().call({"from": chain.stranger}) == 6
    r = chain.send(chain.rollup.functions.settleBurns(), chain.stranger)
    assert chain.events(r, "Burned") == [{"amount": 6, "burnedOnL1": 10}]
    assert chain.rollup.functions.burnSettled().call() == 10


def test_settle_burns_with_nothing_final_or_paused(chain):
    assert chain.rollup.functions.settleBurns().call() == 0
    funded(chain, 10)
    chain.commit(0, 1, 1, burned=3, cursor=1)
    r = chain.send(chain.rollup.functions.settleBurns(), chain.stranger)
    assert chain.events(r, "Burned") == []
    chain.travel(CHALLENGE_PERIOD + 1)
    chain.send(chain.rollup.functions.pause(), chain.guardian)
    reverts("EmethRollup: paused", chain.send, chain.rollup.functions.settleBurns(), chain.stranger)


def test_finality_after_the_challenge_period(chain):
    chain.commit(0, 1, 1)
    assert not chain.rollup.functions.isFinal(0).call()
    assert chain.rollup.functions.lastFinalBatch().call() == [False, 0]
    chain.travel(CHALLENGE_PERIOD - 5)
    assert not chain.rollup.functions.isFinal(0).call()
    chain.travel(10)
    assert chain.rollup.functions.isFinal(0).call()
    assert chain.rollup.functions.getBatch(0).call()[-1] is True
    chain.commit(1, 2, 2)
    assert chain.rollup.functions.lastFinalBatch().call() == [True, 0]
    assert not chain.rollup.functions.isFinal(1).call() and not chain.rollup.functions.isFinal(2).call()


def test_challenge_reverts_the_batch_and_every_later_one(chain):
    funded(chain)
    chain.commit(0, 1, 2, credit=1 * EMT, cursor=1)
    chain.commit(1, 3, 4, credit=2 * EMT, cursor=1)
    chain.commit(2, 5, 6, credit=3 * EMT, cursor=1)
    r = chain.send(chain.rollup.functions.challenge(1), chain.guardian)
    assert chain.events(r, "BatchReverted") == [{"fromBatch": 1, "toBatch": 2, "guardian": chain.guardian}]
    assert chain.rollup.functions.batchCount().call() == 1
    assert chain.rollup.functions.nextBlock().call() == 3
    reverts("EmethRollup: unknown batch", chain.rollup.functions.getBatch(1).call)
    # Totals roll back to batch 0's: a lower credit than the reverted batches' is accepted.
    chain.commit(1, 3, 3, credit=1 * EMT, cursor=1)
    assert chain.rollup.functions.getBatch(1).call()[:3] == (1, 3, 3)


def test_challenge_by_a_non_guardian_reverts(chain):
    chain.commit(0, 1, 1)
    reverts("EmethRollup: not guardian", chain.send, chain.rollup.functions.challenge(0), chain.stranger)
    reverts("EmethRollup: not guardian", chain.send, chain.rollup.functions.challenge(0), chain.sequencer)


def test_challenge_after_finality_or_of_an_unknown_batch_reverts(chain):
    chain.commit(0, 1, 1)
    reverts("EmethRollup: unknown batch", chain.send, chain.rollup.functions.challenge(1), chain.guardian)
    chain.travel(CHALLENGE_PERIOD + 1)
    reverts("EmethRollup: batch is final", chain.send, chain.rollup.functions.challenge(0), chain.guardian)


def test_a_challenged_batch_burned_nothing_and_solvency_counts_the_totals(chain):
    funded(chain, 10)
    chain.commit(0, 1, 1, cursor=1)
    chain.commit(1, 2, 2, burned=6, cursor=1)
    chain.send(chain.rollup.functions.challenge(1), chain.guardian)
    assert chain.rollup.functions.burnedOnL1().call() == 0
    assert chain.token.functions.balanceOf(chain.rollup.address).call() == 10
    # Nothing was burned, so the honest re-commit may credit all of it.
    reverts("EmethRollup: insolvent totals", chain.commit, 1, 2, 2, credit=9, burned=2, cursor=1)
    chain.commit(1, 2, 2, credit=8, burned=2, cursor=1)
    chain.travel(CHALLENGE_PERIOD + 1)
    r = chain.send(chain.rollup.functions.settleBurns(), chain.stranger)
    assert chain.events(r, "Burned") == [{"amount": 2, "burnedOnL1": 2}]


def test_paused_commits_revert(chain):
    chain.send(chain.rollup.functions.pause(), chain.guardian)
    reverts("EmethRollup: paused", chain.commit, 0, 1, 1)
    chain.send(chain.rollup.functions.unpause(), chain.owner)
    chain.commit(0, 1, 1)


def test_oversized_data_reverts(chain):
    # The ABI decoder refuses a `data` longer than its type: the transaction fails, no reason.
    call = chain.rollup.functions.commitBatch(0, 1, 1, b"\x22" * 32, b"\x11" * 32, ZERO, 0, 0, 0, b"\x01" * 65537)
    tx = call.build_transaction({"from": chain.sequencer, "gas": 5_000_000})
    tx_hash = chain.w3.eth.send_transaction({"from": chain.sequencer, "to": tx["to"], "data": tx["data"], "gas": 5_000_000})
    assert chain.w3.eth.wait_for_transaction_receipt(tx_hash).status == 0
    assert chain.rollup.functions.batchCount().call() == 0
    chain.commit(0, 1, 1, data=b"\x01" * 65536)


def test_block_numbers_beyond_40_bits_revert(chain):
    """`core` packs the newest committed block in 40 bits (a trillion blocks: 1,700 years of
    20 blocks a second); larger numbers would spill into nothing and are refused."""
    reverts("EmethRollup: block number too large", chain.commit, 0, 1, 2**64)
    reverts("EmethRollup: block number too large", chain.commit, 0, 1, 2**40)
    chain.commit(0, 1, 2**40 - 1)
    assert chain.rollup.functions.nextBlock().call() == 2**40
    # The ticket limit and window sharing the slot are untouched.
    assert (chain.rollup.functions.ticketLimit().call(), chain.rollup.functions.ticketWindow().call()) == (
        TICKET_LIMIT, TICKET_WINDOW)
