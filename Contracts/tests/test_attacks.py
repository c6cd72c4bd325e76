"""Regression tests for the attacks found by the L1 safety review. Each one succeeded against
the previous contract (burns at commit, unbounded tickets and proofs, immediate owner setters,
a 256-batch look-back, no forced inclusion, deposits credited to msg.sender only) and must
fail now."""
import vyper
from eth_account import Account

from conftest import CHALLENGE_PERIOD, CHANGE_DELAY, EMT, FORCE_INCLUSION_DELAY, reverts
from emeth_sdk.merkle import StandardMerkleTree


def head_credit(chain):
    return chain.rollup.functions.latestBatch().call()[5]


def test_attack_sequencer_key_burns_every_deposit(chain):
    """A stolen sequencer key commits totalBurned = totalDeposited. Burns now wait for
    finality, so the challenge restores everything and the honest re-commit is solvent."""
    f = chain.rollup.functions
    chain.deposit(chain.users[0], 100 * EMT)
    supply = chain.token.functions.totalSupply().call()
    r = chain.commit(0, 1, 1, burned=100 * EMT, cursor=1)
    assert chain.events(r, "Burned") == []
    assert chain.balance(chain.rollup.address) == 100 * EMT
    assert chain.token.functions.totalSupply().call() == supply
    chain.send(f.challenge(0), chain.guardian)
    # The honest batch credits the whole deposit.
    chain.commit(0, 1, 1, credit=100 * EMT, cursor=1)
    chain.travel(CHALLENGE_PERIOD + 1)
    chain.send(f.settleBurns(), chain.stranger)
    assert (f.burnedOnL1().call(), chain.balance(chain.rollup.address)) == (0, 100 * EMT)


def test_attack_ticket_for_a_block_never_committed(chain):
    """A Signer ticket for block 999999 with no batch committed paid a stranger every deposit."""
    f = chain.rollup.functions
    mallory = chain.stranger
    chain.deposit(chain.users[0], 500 * EMT)
    sig = chain.ticket(mallory, 500 * EMT, 999999)
    reverts("EmethRollup: block not committed", chain.send, f.claimWithTicket(mallory, 500 * EMT, 999999, sig), mallory)
    chain.commit(0, 1, 5, credit=500 * EMT, cursor=1)
    reverts("EmethRollup: block not committed", chain.send, f.claimWithTicket(mallory, 500 * EMT, 999999, sig), mallory)
    reverts("EmethRollup: block not committed", chain.send,
            f.claimWithTicket(mallory, 500 * EMT, 6, chain.ticket(mallory, 500 * EMT, 6)), mallory)
    assert chain.balance(mallory) == 0 and f.totalClaimed().call() == 0


def test_attack_ticket_beyond_committed_credit(chain):
    """A ticket for a committed block still cannot pay more than the committed credit."""
    f = chain.rollup.functions
    mallory = chain.stranger
    chain.deposit(chain.users[0], 500 * EMT)
    chain.commit(0, 1, 5, credit=10 * EMT, cursor=1)
    reverts("EmethRollup: payout exceeds committed credit", chain.send,
            f.claimWithTicket(mallory, 11 * EMT, 5, chain.ticket(mallory, 11 * EMT, 5)), mallory)
    chain.send(f.claimWithTicket(mallory, 10 * EMT, 5, chain.ticket(mallory, 10 * EMT, 5)), mallory)
    assert f.totalClaimed().call() == 10 * EMT


def test_attack_proof_claim_beyond_committed_credit(chain):
    """A batch with totalCredit 0 whose settlement tree holds (mallory, 1000 EMT) paid Mallory
    once final."""
    f = chain.rollup.functions
    mallory = chain.stranger
    chain.deposit(chain.users[0], 1000 * EMT)
    tree = StandardMerkleTree([(mallory, 1000 * EMT), (chain.users[1], 1)])
    chain.commit(0, 1, 1, settlement_root=tree.root, credit=0, cursor=1)
    chain.travel(CHALLENGE_PERIOD + 1)
    reverts("EmethRollup: payout exceeds committed credit", chain.send,
            f.claim(mallory, 1000 * EMT, 0, tree.proof(0)), mallory)
    assert chain.balance(mallory) == 0 and f.claimed(mallory).call() == 0


def test_attack_shortened_challenge_period_only_schedules(chain):
    """Commit batch 0 (period 3600), setChallengePeriod(0), commit batch 1: batch 1 was final at
    once while 0 was not; a claim against 1 was paid and then batch 0 was challenged."""
    f = chain.rollup.functions
    u = chain.users[0]
    chain.deposit(chain.users[4], 100 * EMT)
    tree = StandardMerkleTree([(u, 5 * EMT), (chain.users[1], EMT)])
    chain.commit(0, 1, 1, credit=6 * EMT, cursor=1)
    chain.send(f.setChallengePeriod(0), chain.owner)
    assert f.challengePeriod().call() == CHALLENGE_PERIOD
    chain.commit(1, 2, 2, settlement_root=tree.root, credit=6 * EMT, cursor=1)
    assert not f.isFinal(1).call()
    reverts("EmethRollup: batch not final", chain.send, f.claim(u, 5 * EMT, 1, tree.proof(0)), u)
    chain.send(f.challenge(0), chain.guardian)
    assert f.batchCount().call() == 0


def test_attack_shortened_challenge_period_keeps_finality_monotonic(chain):
    """Even once a shorter period applies, a later batch is never final before an earlier one,
    so no final batch can be reverted through an earlier one."""
    f = chain.rollup.functions
    u = chain.users[0]
    chain.deposit(chain.users[4], 100 * EMT)
    change = chain.schedule(f.setChallengePeriod(0))
    chain.travel(CHANGE_DELAY - 60)
    chain.commit(0, 1, 1, credit=6 * EMT, cursor=1)
    chain.travel(120)
    chain.send(f.executeChange(change), chain.stranger)
    assert f.challengePeriod().call() == 0
    tree = StandardMerkleTree([(u, 5 * EMT), (chain.users[1], EMT)])
    r = chain.commit(1, 2, 2, settlement_root=tree.root, credit=6 * EMT, cursor=1)
    assert chain.events(r, "BatchCommitted")[0]["finalAt"] == f.getBatch(0).call()[9]
    assert not f.isFinal(1).call() and not f.isFinal(0).call()
    reverts("EmethRollup: batch not final", chain.send, f.claim(u, 5 * EMT, 1, tree.proof(0)), u)
    chain.send(f.challenge(0), chain.guardian)
    assert f.batchCount().call() == 0
    # Once batch 0 is final, nothing before it can revert it or a later batch.
    chain.commit(0, 1, 1, credit=6 * EMT, cursor=1)
    chain.commit(1, 2, 2, settlement_root=tree.root, credit=6 * EMT, cursor=1)
    assert f.isFinal(0).call() and f.isFinal(1).call()
    chain.send(f.claim(u, 5 * EMT, 1, tree.proof(0)), u)
    reverts("EmethRollup: batch is final", chain.send, f.challenge(0), chain.guardian)
    reverts("EmethRollup: batch is final", chain.send, f.challenge(1), chain.guardian)


def test_attack_last_final_batch_beyond_256_batches(chain):
    """10 final batches followed by 270 that are not: the newest final batch is 270 behind the
    head, and the old 256-step look-back answered "none"."""
    f = chain.rollup.functions
    for i in range(10):
        chain.commit(i, i + 1, i + 1)
    chain.travel(CHALLENGE_PERIOD + 1)
    for i in range(10, 280):
        chain.commit(i, i + 1, i + 1)
    assert f.batchCount().call() == 280
    assert f.lastFinalBatch().call() == [True, 9]
    assert f.isFinal(9).call() and not f.isFinal(10).call()
    chain.travel(CHALLENGE_PERIOD + 1)
    assert f.lastFinalBatch().call() == [True, 279]


def test_attack_sequencer_ignores_the_inbox(chain):
    """Nothing forced the sequencer to apply a deposit or a forced transaction: now no batch
    can be committed once the first message it leaves out is overdue."""
    f = chain.rollup.functions
    r = chain.deposit(chain.users[0], 10 * EMT)
    appended = chain.w3.eth.get_block(r.blockNumber).timestamp
    chain.commit(0, 1, 1, cursor=0)  # not overdue yet: may wait
    chain.tester.time_travel(appended + FORCE_INCLUSION_DELAY)
    chain.commit(1, 2, 2, cursor=0)  # at the deadline exactly: still allowed
    chain.send(f.forceTransaction(b"\x0b" + b"\x01" * 119), chain.stranger)
    chain.travel(1)
    reverts("EmethRollup: inbox message overdue", chain.commit, 2, 3, 3, cursor=0)
    # Including the deposit is not enough once the forced transaction is overdue too.
    chain.commit(2, 3, 3, cursor=1)
    chain.travel(FORCE_INCLUSION_DELAY + 1)
    reverts("EmethRollup: inbox message overdue", chain.commit, 3, 4, 4, cursor=1)
    chain.commit(3, 4, 4, cursor=2)
    assert f.batchCount().call() == 4


WALLET = """
# pragma version 0.4.3
interface IERC20:
    def approve(spender: address, amount: uint256) -> bool: nonpayable

interface IRollup:
    def deposit(amount: uint256) -> uint256: nonpayable
    def depositFor(recipient: address, amount: uint256) -> uint256: nonpayable

@external
def depositTo(token: address, rollup: address, recipient: address, amount: uint256):
    extcall IERC20(token).approve(rollup, amount)
    extcall IRollup(rollup).depositFor(recipient, amount)
"""


def test_attack_deposit_from_a_contract_wallet_is_not_stranded(chain):
    """A contract wallet's deposit was credited to the wallet's address, which no one can sign
    for on L2. depositFor credits the L2 account the wallet names."""
    out = vyper.compile_code(WALLET, output_formats=["abi", "bytecode"])
    factory = chain.w3.eth.contract(abi=out["abi"], bytecode=out["bytecode"])
    wallet = chain.w3.eth.contract(address=chain.w3.eth.wait_for_transaction_receipt(
        factory.constructor().transact({"from": chain.owner})).contractAddress, abi=out["abi"])
    chain.send(chain.token.functions.transfer(wallet.address, 20 * EMT), chain.users[0])
    owner_on_l2 = chain.users[1]
    chain.send(wallet.functions.depositTo(chain.token.address, chain.rollup.address, owner_on_l2, 20 * EMT), chain.users[1])
    message = chain.rollup.functions.inboxMessage(0).call()
    assert message[1:4] == (1, owner_on_l2, 20 * EMT)
    assert chain.balance(wallet.address) == 0 and chain.balance(chain.rollup.address) == 20 * EMT


def test_attack_stolen_signer_key_takes_at_most_the_ticket_limit(chain):
    """Honest users hold 1000 EMT of unclaimed final credit. A thief with the Signer key signs
    a ticket for Mallory against a committed block: Mallory gets at most ticketLimit per
    window, not the honest users' headroom, and the honest users still claim by proof."""
    f = chain.rollup.functions
    mallory = chain.stranger
    limit, window = 100 * EMT, 3600
    chain.change(f.setTicketLimit(limit, window))
    chain.deposit(chain.users[4], 1000 * EMT)
    honest = [(chain.users[0], 600 * EMT), (chain.users[1], 400 * EMT)]
    tree = StandardMerkleTree(honest)
    chain.commit(0, 1, 1, settlement_root=tree.root, credit=1000 * EMT, cursor=1)
    chain.travel(CHALLENGE_PERIOD + 1)
    assert f.isFinal(0).call()
    start = chain.now()
    reverts("EmethRollup: ticket rate limit", chain.send,
            f.claimWithTicket(mallory, 1000 * EMT, 1, chain.ticket(mallory, 1000 * EMT, 1)), mallory)
    reverts("EmethRollup: ticket rate limit", chain.send,
            f.claimWithTicket(mallory, limit + 1, 1, chain.ticket(mallory, limit + 1, 1)), mallory)
    chain.send(f.claimWithTicket(mallory, limit, 1, chain.ticket(mallory, limit, 1)), mallory)
    reverts("EmethRollup: ticket rate limit", chain.send,
            f.claimWithTicket(mallory, limit + 1, 1, chain.ticket(mallory, limit + 1, 1)), mallory)
    assert f.ticketAvailable().call() == 0
    # The honest users are paid by proof meanwhile (no rate limit on proofs of final batches).
    chain.send(f.claim(chain.users[0], 600 * EMT, 0, tree.proof(0)), chain.users[0])
    # Within any window of `window` seconds Mallory gets at most `limit`.
    chain.tester.time_travel(start + window - 1)
    reverts("EmethRollup: ticket rate limit", chain.send,
            f.claimWithTicket(mallory, limit + 1, 1, chain.ticket(mallory, limit + 1, 1)), mallory)
    assert chain.balance(mallory) == limit
    # What is left of the headroom (300 EMT) is still protected by the limit after that.
    chain.tester.time_travel(start + 4 * window)
    reverts("EmethRollup: ticket rate limit", chain.send,
            f.claimWithTicket(mallory, 2 * limit + 1, 1, chain.ticket(mallory, 2 * limit + 1, 1)), mallory)
    chain.send(f.claimWithTicket(mallory, 2 * limit, 1, chain.ticket(mallory, 2 * limit, 1)), mallory)
    assert chain.balance(mallory) == 2 * limit
    # Rotating the key (timelocked) ends it. The loss is what the limit let through: the
    # committed credit no longer covers the last honest claim in full.
    chain.change(f.setSigner(Account.from_key("0x" + "43" * 32).address))
    reverts("EmethRollup: invalid ticket signature", chain.send,
            f.claimWithTicket(mallory, 3 * limit, 1, chain.ticket(mallory, 3 * limit, 1)), mallory)
    assert f.totalClaimed().call() == 600 * EMT + 2 * limit
    reverts("EmethRollup: payout exceeds committed credit", chain.send,
            f.claim(chain.users[1], 400 * EMT, 0, tree.proof(1)), chain.users[1])
