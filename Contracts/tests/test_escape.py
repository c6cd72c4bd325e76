"""Escape hatch (PROTOCOL §9.1): when the sequencer goes silent, anyone switches the contract to
escape mode and every account, job and unincluded deposit is paid out from L1 data alone.

State trees, proofs, keys and records come from the Python SDK (emeth_sdk.smt and
emeth_sdk.records: PROTOCOL §4 and §4.1 rendered in Python with eth-abi, independent of the
contract and of the Swift code)."""
from eth_hash.auto import keccak
from web3 import Web3

from conftest import CHALLENGE_PERIOD, CHANGE_DELAY, EMT, ESCAPE_DELAY, deploy, reverts
from emeth_sdk import records, smt
from emeth_sdk.merkle import settlement_leaf

ZERO32 = b"\x00" * 32
BLOCK_HASH = b"\x22" * 32
TOTALS_KEY = records.TOTALS_KEY
account_key = records.account_key


def account_value(balance, nonce, credit):
    return keccak(records.encode_account(balance, nonce, credit))


def job_record(job_id, owner, status, escrow, node_deposit, node):
    """A job record as the tuple escapeJob takes (the order of PROTOCOL §4)."""
    return (job_id, owner, b"\x00" * 16, 7, 1, 1, b"\xd5" * 32, b"\xa7" * 32, 1000, 3, 10**9, status, node, 0,
            ZERO32, escrow, node_deposit, 0, 0, 100, 200)


def job_key(record):
    return records.job_key(record[0])


def job_value(record):
    return keccak(records.encode_job(record))


class State:
    """An L2 state: accounts and jobs, with the SDK's root and proofs."""

    def __init__(self, accounts, jobs=(), totals=(0,) * 6):
        self.accounts = dict(accounts)  # address -> (balance, nonce, credit)
        self.jobs = {r[0]: r for r in jobs}
        self.pairs = [(account_key(a), account_value(*v)) for a, v in self.accounts.items()]
        self.pairs += [(job_key(r), job_value(r)) for r in self.jobs.values()]
        self.pairs.append((TOTALS_KEY, keccak(records.encode_totals(*totals))))
        self.root = smt.root(self.pairs)

    def proof(self, key):
        p = smt.prove(self.pairs, key)
        return [bytes.fromhex(s[2:]) for s in p["siblings"]], p["leaf"]

    def account_args(self, address):
        siblings, leaf = self.proof(account_key(address))
        assert leaf["key"] == "0x" + account_key(address).hex()
        return [address, *self.accounts[address], siblings]

    def job_args(self, job_id):
        record = self.jobs[job_id]
        siblings, _ = self.proof(job_key(record))
        return [record, siblings]


def commit(chain, index, state, credit=0, burned=0, cursor=0, settlement_root=ZERO32):
    block = index + 1
    return chain.commit(index, block, block, settlement_root=settlement_root, credit=credit, burned=burned,
                        cursor=cursor, state_root=state.root, block_hash=BLOCK_HASH)


def activate(chain, state=None):
    """Waits out the silence, activates escape mode and, given the newest batch's state,
    proves its root (all test batches carry BLOCK_HASH and empty data)."""
    f = chain.rollup.functions
    chain.tester.time_travel(max(f.escapeActivatableAt().call(), chain.now() + 1))
    r = chain.send(f.activateEscape(), chain.stranger)
    if state is not None:
        chain.send(f.proveEscapeRoot(state.root, BLOCK_HASH, keccak(b"")), chain.stranger)
    return r


def scenario(chain):
    """Three included deposits (600 EMT), a state that conserves them (30 burned, 30 credit of
    which u0 took 20 by ticket, one open job), and a fourth deposit the sequencer never
    included. Returns the final state."""
    f = chain.rollup.functions
    u = chain.users
    for who, amount in ((u[0], 100), (u[1], 200), (u[2], 300)):
        chain.deposit(who, amount * EMT)
    job = job_record(b"\x0a" * 16, u[1], 2, 100 * EMT, 20 * EMT, u[2])  # PROCESSING
    done = job_record(b"\x0b" * 16, u[1], 4, 0, 0, u[2])  # VERIFIED: holds nothing
    state = State({u[0]: (40 * EMT, 3, 30 * EMT), u[1]: (80 * EMT, 2, 0), u[2]: (300 * EMT, 0, 0)}, [job, done],
                  totals=(600 * EMT, 30 * EMT, 30 * EMT, 420 * EMT, 100 * EMT, 20 * EMT))
    commit(chain, 0, state, credit=30 * EMT, burned=30 * EMT, cursor=3)
    chain.send(f.claimWithTicket(u[0], 20 * EMT, 1, chain.ticket(u[0], 20 * EMT, 1)), u[0])
    chain.deposit(u[3], 50 * EMT)  # inbox index 3, never included
    return state


# ---------------------------------------------------------------- activation

def test_activation_waits_for_the_silence(chain):
    f = chain.rollup.functions
    assert f.escapeDelay().call() == ESCAPE_DELAY and not f.escapeMode().call()
    state = scenario(chain)
    committed_at = f.latestBatch().call()[8]
    assert f.escapeActivatableAt().call() == committed_at + ESCAPE_DELAY
    chain.tester.time_travel(committed_at + ESCAPE_DELAY - 2)
    reverts("EmethRollup: sequencer not silent", chain.send, f.activateEscape(), chain.stranger)
    # A commit restarts the clock.
    commit(chain, 1, state, credit=30 * EMT, burned=30 * EMT, cursor=3)
    reverts("EmethRollup: sequencer not silent", chain.send, f.activateEscape(), chain.stranger)
    chain.tester.time_travel(f.escapeActivatableAt().call())
    r = chain.send(f.activateEscape(), chain.stranger)
    assert chain.events(r, "EscapeActivated") == [{"at": chain.now()}]
    assert f.escapeMode().call()
    # Activation burned up to the newest (final) batch.
    assert f.burnedOnL1().call() == 30 * EMT and f.burnSettled().call() == 2
    reverts("EmethRollup: escape mode", chain.send, f.activateEscape(), chain.stranger)


def test_activation_without_any_batch_counts_from_deployment(chain):
    f = chain.rollup.functions
    chain.deposit(chain.users[0], 10 * EMT)
    reverts("EmethRollup: sequencer not silent", chain.send, f.activateEscape(), chain.stranger)
    chain.tester.time_travel(f.escapeActivatableAt().call())
    chain.send(f.activateEscape(), chain.stranger)
    # The escape state is the empty tree: nothing to prove, every deposit is refundable.
    reverts("EmethRollup: escape root already proven", chain.send, f.proveEscapeRoot(ZERO32, ZERO32, ZERO32), chain.stranger)
    r = chain.send(f.refundDeposit(0), chain.stranger)
    assert chain.events(r, "DepositRefunded")[0]["paid"] == 10 * EMT
    assert chain.balance(chain.rollup.address) == 0


def test_a_challenge_restarts_the_silence_clock(chain):
    f = chain.rollup.functions
    state = scenario(chain)
    chain.travel(ESCAPE_DELAY - CHALLENGE_PERIOD)
    commit(chain, 1, state, credit=30 * EMT, burned=30 * EMT, cursor=3)
    chain.travel(CHALLENGE_PERIOD // 2)
    chain.send(f.challenge(1), chain.guardian)
    # Batch 0 was committed more than escapeDelay ago, but the challenge just happened.
    assert f.escapeActivatableAt().call() == chain.now() + ESCAPE_DELAY
    reverts("EmethRollup: sequencer not silent", chain.send, f.activateEscape(), chain.stranger)


def test_escape_mode_stops_the_inbox_commits_and_tickets_but_not_proof_claims(chain):
    f = chain.rollup.functions
    u = chain.users
    for who, amount in ((u[0], 100), (u[1], 200)):
        chain.deposit(who, amount * EMT)
    state = State({u[0]: (70 * EMT, 1, 30 * EMT), u[1]: (200 * EMT, 0, 0)})
    settlement = settlement_leaf(u[0], 30 * EMT)
    commit(chain, 0, state, credit=30 * EMT, cursor=2, settlement_root=settlement)
    activate(chain, state)
    escape = "EmethRollup: escape mode"
    reverts(escape, chain.send, f.deposit(EMT), u[0])
    reverts(escape, chain.send, f.depositFor(u[1], EMT), u[0])
    reverts(escape, chain.send, f.requestCancel(b"\x01" * 16), u[0])
    reverts(escape, chain.send, f.forceTransaction(b"\x01\x02"), u[0])
    reverts(escape, commit, chain, 1, state, credit=30 * EMT, cursor=2)
    reverts(escape, chain.send, f.claimWithTicket(u[0], 30 * EMT, 1, chain.ticket(u[0], 30 * EMT, 1)), u[0])
    # A proof claim against the final batch still pays; the escape then pays the rest.
    chain.send(f.claim(u[0], 30 * EMT, 0, []), u[0])
    r = chain.send(f.escapeAccount(*state.account_args(u[0])), chain.stranger)
    assert chain.events(r, "AccountEscaped")[0]["paid"] == 70 * EMT
    # After the escape, no claim pays again.
    reverts("EmethRollup: nothing to claim", chain.send, f.claim(u[0], 30 * EMT, 0, []), u[0])
    chain.send(f.escapeAccount(*state.account_args(u[1])), chain.stranger)
    assert chain.balance(chain.rollup.address) == 0


# ---------------------------------------------------------------- adversarial proofs

def test_nothing_escapes_before_activation_or_before_the_root_is_proven(chain):
    f = chain.rollup.functions
    u = chain.users
    state = scenario(chain)
    chain.travel(ESCAPE_DELAY + 1)
    not_active = "EmethRollup: not in escape mode"
    reverts(not_active, chain.send, f.escapeAccount(*state.account_args(u[2])), u[2])
    reverts(not_active, chain.send, f.escapeJob(*state.job_args(b"\x0a" * 16)), u[1])
    reverts(not_active, chain.send, f.refundDeposit(3), u[3])
    reverts(not_active, chain.send, f.proveEscapeRoot(state.root, BLOCK_HASH, keccak(b"")), u[3])
    activate(chain)
    reverts("EmethRollup: escape root not proven", chain.send, f.escapeAccount(*state.account_args(u[2])), u[2])
    reverts("EmethRollup: escape root not proven", chain.send, f.escapeJob(*state.job_args(b"\x0a" * 16)), u[1])
    # The root must hash, with the stored fields, to the batch's commitment.
    mismatch = "EmethRollup: fields do not match the batch"
    reverts(mismatch, chain.send, f.proveEscapeRoot(b"\x99" * 32, BLOCK_HASH, keccak(b"")), u[3])
    reverts(mismatch, chain.send, f.proveEscapeRoot(state.root, b"\x99" * 32, keccak(b"")), u[3])
    reverts(mismatch, chain.send, f.proveEscapeRoot(state.root, BLOCK_HASH, keccak(b"x")), u[3])
    r = chain.send(f.proveEscapeRoot(state.root, BLOCK_HASH, keccak(b"")), u[3])
    assert chain.events(r, "EscapeRootProven") == [{"batchIndex": 0, "stateRoot": state.root}]
    assert f.escapeRoot().call() == state.root
    reverts("EmethRollup: escape root already proven", chain.send,
            f.proveEscapeRoot(state.root, BLOCK_HASH, keccak(b"")), u[3])


def test_a_proof_against_a_reverted_or_older_root_fails(chain):
    """Only the newest batch at activation (final by then) counts: a root from a batch a guardian
    reverted, or from an older final batch, proves nothing."""
    f = chain.rollup.functions
    u = chain.users
    chain.deposit(u[0], 100 * EMT)
    old = State({u[0]: (100 * EMT, 0, 0)})
    new = State({u[0]: (60 * EMT, 1, 40 * EMT)})
    rich = State({u[0]: (100 * EMT, 0, 0), u[1]: (100 * EMT, 0, 0)})  # the reverted batch's lie
    commit(chain, 0, old, cursor=1)
    commit(chain, 1, new, credit=40 * EMT, cursor=1)
    commit(chain, 2, rich, credit=40 * EMT, cursor=1)
    chain.send(f.challenge(2), chain.guardian)
    activate(chain)
    reverts("EmethRollup: fields do not match the batch", chain.send,
            f.proveEscapeRoot(rich.root, BLOCK_HASH, keccak(b"")), chain.stranger)
    chain.send(f.proveEscapeRoot(new.root, BLOCK_HASH, keccak(b"")), chain.stranger)
    assert f.escapeRoot().call() == new.root
    invalid = "EmethRollup: invalid state proof"
    reverts(invalid, chain.send, f.escapeAccount(*rich.account_args(u[1])), u[1])
    reverts(invalid, chain.send, f.escapeAccount(*old.account_args(u[0])), u[0])
    chain.send(f.escapeAccount(*new.account_args(u[0])), u[0])
    assert chain.balance(chain.rollup.address) == 0


def test_a_leaf_cannot_pay_another_account_or_other_amounts(chain):
    f = chain.rollup.functions
    u = chain.users
    state = scenario(chain)
    activate(chain, state)
    invalid = "EmethRollup: invalid state proof"
    a, balance, nonce, credit, siblings = state.account_args(u[2])
    reverts(invalid, chain.send, f.escapeAccount(u[3], balance, nonce, credit, siblings), u[3])
    reverts(invalid, chain.send, f.escapeAccount(a, balance + 1, nonce, credit, siblings), u[2])
    reverts(invalid, chain.send, f.escapeAccount(a, balance, nonce, credit + 1, siblings), u[2])
    reverts(invalid, chain.send, f.escapeAccount(a, balance, nonce, credit, siblings[:-1]), u[2])
    reverts(invalid, chain.send, f.escapeAccount(a, balance, nonce, credit, siblings + [ZERO32]), u[2])
    reverts(invalid, chain.send, f.escapeAccount(a, balance, nonce, credit, list(reversed(siblings))), u[2])
    # A job record is not an account record (namespace bytes), and a changed field breaks it.
    record, job_siblings = state.job_args(b"\x0a" * 16)
    reverts(invalid, chain.send, f.escapeAccount(u[1], 100 * EMT, 0, 0, job_siblings), u[1])
    stolen = list(record)
    stolen[1] = u[3]
    reverts(invalid, chain.send, f.escapeJob(tuple(stolen), job_siblings), u[3])
    stolen = list(record)
    stolen[15] += 1
    reverts(invalid, chain.send, f.escapeJob(tuple(stolen), job_siblings), u[1])


def test_non_inclusion_cannot_pass_as_inclusion(chain):
    """u[3] has no account in the state: neither its absence proof (ending at an empty
    subtree or at another key's leaf) nor any neighbour's siblings prove a record for it."""
    f = chain.rollup.functions
    u = chain.users
    state = scenario(chain)
    activate(chain, state)
    invalid = "EmethRollup: invalid state proof"
    siblings, leaf = state.proof(account_key(u[3]))
    assert leaf is None or leaf["key"] != "0x" + account_key(u[3]).hex()
    for record in ((0, 0, 0), (50 * EMT, 0, 0)):
        reverts(invalid, chain.send, f.escapeAccount(u[3], *record, siblings), u[3])
        for other in (u[0], u[1], u[2]):
            reverts(invalid, chain.send, f.escapeAccount(u[3], *record, state.account_args(other)[4]), u[3])
    # Absence of an unknown job, presented with an empty record.
    ghost = job_record(b"\x0c" * 16, u[3], 1, 10 * EMT, 0, u[3])
    reverts(invalid, chain.send, f.escapeJob(ghost, state.proof(job_key(ghost))[0]), u[3])


def test_nothing_escapes_twice(chain):
    f = chain.rollup.functions
    u = chain.users
    state = scenario(chain)
    activate(chain, state)
    chain.send(f.escapeAccount(*state.account_args(u[2])), u[2])
    reverts("EmethRollup: account already escaped", chain.send, f.escapeAccount(*state.account_args(u[2])), u[2])
    chain.send(f.escapeJob(*state.job_args(b"\x0a" * 16)), u[1])
    assert f.jobEscaped(b"\x0a" * 16).call()
    reverts("EmethRollup: job already escaped", chain.send, f.escapeJob(*state.job_args(b"\x0a" * 16)), u[1])
    chain.send(f.refundDeposit(3), u[3])
    reverts("EmethRollup: deposit already refunded", chain.send, f.refundDeposit(3), u[3])


def test_terminal_jobs_and_included_or_other_messages_pay_nothing(chain):
    f = chain.rollup.functions
    u = chain.users
    state = scenario(chain)
    chain.send(f.requestCancel(b"\x0a" * 16), u[1])  # inbox index 4
    activate(chain, state)
    reverts("EmethRollup: job is terminal", chain.send, f.escapeJob(*state.job_args(b"\x0b" * 16)), u[1])
    for included in (0, 1, 2):
        reverts("EmethRollup: deposit was included", chain.send, f.refundDeposit(included), u[0])
    reverts("EmethRollup: not a deposit", chain.send, f.refundDeposit(4), u[1])
    reverts("EmethRollup: unknown inbox message", chain.send, f.refundDeposit(5), u[1])


# ---------------------------------------------------------------- conservation

def test_everyone_exits_and_the_contract_is_empty(chain):
    """Conservation on L1: payouts + burned = totalDeposited, whatever the order."""
    f = chain.rollup.functions
    u = chain.users
    state = scenario(chain)
    before = {a: chain.balance(a) for a in u}
    activate(chain, state)
    paid = {}
    r = chain.send(f.refundDeposit(3), chain.stranger)
    paid[3] = chain.events(r, "DepositRefunded")[0]["paid"]
    r = chain.send(f.escapeJob(*state.job_args(b"\x0a" * 16)), chain.stranger)
    event = chain.events(r, "JobEscaped")[0]
    assert (event["owner"], event["escrowPaid"], event["node"], event["nodeDepositPaid"]) == (u[1], 100 * EMT, u[2], 20 * EMT)
    for who in (u[2], u[0], u[1]):
        r = chain.send(f.escapeAccount(*state.account_args(who)), chain.stranger)
        paid[who] = chain.events(r, "AccountEscaped")[0]["paid"]
    # u0: balance 40 + credit 30 − the 20 its ticket already paid.
    assert (paid[u[0]], paid[u[1]], paid[u[2]], paid[3]) == (50 * EMT, 80 * EMT, 300 * EMT, 50 * EMT)
    gained = {a: chain.balance(a) - before[a] for a in u}
    assert gained == {u[0]: 50 * EMT, u[1]: 180 * EMT, u[2]: 320 * EMT, u[3]: 50 * EMT, u[4]: 0}
    total_out = sum(gained.values()) + 20 * EMT  # + the ticket paid before
    assert f.totalDeposited().call() == 650 * EMT == total_out + f.burnedOnL1().call()
    assert chain.balance(chain.rollup.address) == 0
    assert f.claimed(u[0]).call() == 2**255  # escaped, nothing left unabsorbed


def test_reverted_deposit_withdrawn_by_ticket_is_not_refunded_again(chain):
    """The attack: a deposit included in a batch a guardian reverts is withdrawn and claimed by
    ticket at once; the honest re-commit leaves the deposit out. Its refund is netted against
    what the ticket paid, so the contract stays solvent and ends empty."""
    f = chain.rollup.functions
    u = chain.users
    mallory = u[3]
    chain.deposit(u[0], 100 * EMT)
    chain.deposit(mallory, 80 * EMT)
    lie = State({u[0]: (100 * EMT, 0, 0), mallory: (0, 1, 80 * EMT)})
    commit(chain, 0, lie, credit=80 * EMT, cursor=2)
    chain.send(f.claimWithTicket(mallory, 80 * EMT, 1, chain.ticket(mallory, 80 * EMT, 1)), mallory)
    chain.send(f.challenge(0), chain.guardian)
    honest = State({u[0]: (100 * EMT, 0, 0)})
    commit(chain, 0, honest, cursor=1)
    activate(chain, honest)
    r = chain.send(f.refundDeposit(1), mallory)
    assert chain.events(r, "DepositRefunded")[0] == {"index": 1, "recipient": mallory, "amount": 80 * EMT, "paid": 0}
    chain.send(f.escapeAccount(*honest.account_args(u[0])), u[0])
    assert chain.balance(chain.rollup.address) == 0


def test_refund_and_escape_net_the_same_in_either_order(chain):
    """An account's payouts total max(0, entitlement − claimed), whether its refund comes before
    or after its account escape."""
    f = chain.rollup.functions
    u = chain.users
    state = scenario(chain)
    chain.deposit(u[0], 15 * EMT)  # inbox index 4, never included
    snapshot = chain.tester.take_snapshot()
    totals = []
    for order in ("refund first", "escape first"):
        chain.tester.revert_to_snapshot(snapshot)
        start = chain.balance(u[0])
        activate(chain, state)
        calls = [f.refundDeposit(4), f.escapeAccount(*state.account_args(u[0]))]
        for call in calls if order == "refund first" else reversed(calls):
            chain.send(call, chain.stranger)
        totals.append(chain.balance(u[0]) - start)
    # 40 balance + 30 credit + 15 refund − 20 already paid by ticket.
    assert totals == [65 * EMT, 65 * EMT]


def test_ticket_overpayment_is_bounded_by_the_ticket_limit(chain):
    """A ticket may pay credit that the final state does not hold and no refund covers (here the
    reverted batch credited mallory another user's deposit). Escape payouts never underflow:
    mallory gets nothing more, and the shortfall is what the ticket paid — at most the ticket
    rate limit per window during the challenge period."""
    f = chain.rollup.functions
    u = chain.users
    mallory = u[3]
    chain.deposit(u[0], 100 * EMT)
    lie = State({u[0]: (0, 0, 0), mallory: (40 * EMT, 1, 60 * EMT)})
    commit(chain, 0, lie, credit=60 * EMT, cursor=1)
    chain.send(f.claimWithTicket(mallory, 60 * EMT, 1, chain.ticket(mallory, 60 * EMT, 1)), mallory)
    chain.send(f.challenge(0), chain.guardian)
    honest = State({u[0]: (100 * EMT, 0, 0), mallory: (0, 0, 0)})
    commit(chain, 0, honest, cursor=1)
    activate(chain, honest)
    r = chain.send(f.escapeAccount(*honest.account_args(mallory)), mallory)
    assert chain.events(r, "AccountEscaped")[0]["paid"] == 0
    assert f.claimed(mallory).call() == 2**255 + 60 * EMT  # the overpayment, on record
    # The contract holds 40 of u0's 100: the last payout cannot be made in full.
    assert chain.balance(chain.rollup.address) == 40 * EMT
    reverts("EmethToken: insufficient balance", chain.send, f.escapeAccount(*honest.account_args(u[0])), u[0])


# ---------------------------------------------------------------- the tree, pinned

def test_protocol_test_vector_account_alone_in_the_tree(chain):
    """PROTOCOL §4.1's vectors: the account key of 0x5B38… and the valueHash of its record
    (10^18, 5, 0); alone in the tree the leaf is the root and the proof is empty."""
    f = chain.rollup.functions
    who = "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"
    assert account_key(who).hex() == "bce8b999c2759481be5ec038ba89bc9948108c841159bac4ce34a22098389751"
    assert account_value(EMT, 5, 0).hex() == "8c631c544d7537552b980669e1321cd66ce06f7371d4de645d163515cad7c535"
    chain.deposit(chain.users[0], EMT)
    state = State({who: (EMT, 5, 0)})
    state.pairs = [p for p in state.pairs if p[0] != TOTALS_KEY]
    state.root = smt.root(state.pairs)
    commit(chain, 0, state, cursor=1)
    activate(chain, state)
    chain.send(f.escapeAccount(who, EMT, 5, 0, []), chain.stranger)
    assert chain.balance(who) == EMT


def test_every_account_of_a_larger_tree_proves_and_no_other_does(chain):
    """120 accounts (1 wei each) and the totals: every proof the oracle gives verifies (internal
    nodes with an empty side included), and none verifies for a neighbour."""
    f = chain.rollup.functions
    accounts = {Web3.to_checksum_address(keccak(i.to_bytes(4, "big"))[:20]): (i, i % 3, i % 5) for i in range(1, 121)}
    chain.deposit(chain.users[0], 10 * EMT)
    state = State(accounts)
    commit(chain, 0, state, cursor=1)
    activate(chain, state)
    depths = []
    items = list(accounts.items())
    for n, (who, (balance, nonce, credit)) in enumerate(items):
        args = state.account_args(who)
        depths.append(len(args[4]))
        assert f.escapeAccount(*args).call() == balance + credit
        other = items[(n + 1) % len(items)][0]
        reverts("EmethRollup: invalid state proof", f.escapeAccount(other, balance, nonce, credit, args[4]).call)
    assert max(depths) >= 7


def test_empty_siblings_on_a_shared_prefix(chain):
    """Two open jobs whose keys share their first 6 bits and nothing else in the tree: the root
    is a chain of internal nodes with an empty side, so each proof starts with ZERO siblings."""
    f = chain.rollup.functions
    u = chain.users
    chain.deposit(u[0], 100 * EMT)
    first = job_record(b"\x01" * 16, u[0], 1, 30 * EMT, 0, u[1])
    prefix = job_key(first)[0] >> 2
    second = next(job_record(n.to_bytes(16, "big"), u[0], 3, 50 * EMT, 20 * EMT, u[1]) for n in range(2, 10**5)
                  if job_key(job_record(n.to_bytes(16, "big"), u[0], 3, 0, 0, u[1]))[0] >> 2 == prefix)
    state = State({}, [first, second])
    state.pairs = [p for p in state.pairs if p[0] != TOTALS_KEY]
    state.root = smt.root(state.pairs)
    commit(chain, 0, state, cursor=1)
    activate(chain, state)
    for job_id in (first[0], second[0]):
        record, siblings = state.job_args(job_id)
        assert siblings[:6] == [ZERO32] * 6
        chain.send(f.escapeJob(record, siblings), chain.stranger)
    assert chain.balance(chain.rollup.address) == 0


def test_the_deepest_proof_256_siblings(chain):
    """A leaf at depth 256 (keys equal in 255 bits would put it there): the fold reads every
    path bit; 257 siblings do not decode."""
    f = chain.rollup.functions
    who = chain.users[0]
    chain.deposit(who, EMT)
    key = account_key(who)
    siblings = [bytes([i % 256]) * 32 for i in range(256)]
    h = smt.leaf_hash(key, account_value(EMT, 0, 0))
    for i in range(255, -1, -1):
        h = smt.node_hash(h, siblings[i]) if smt.bit(key, i) == 0 else smt.node_hash(siblings[i], h)

    class Root:
        root = h
    commit(chain, 0, Root, cursor=1)
    activate(chain, Root)
    assert f.escapeAccount(who, EMT, 0, 0, siblings).call() == EMT
    reverts("EmethRollup: invalid state proof", f.escapeAccount(who, EMT, 0, 0, siblings[1:]).call)
    chain.send(f.escapeAccount(who, EMT, 0, 0, siblings), who)


# ---------------------------------------------------------------- pause and finality

def test_the_escape_works_while_paused(chain):
    f = chain.rollup.functions
    u = chain.users
    state = scenario(chain)
    chain.send(f.pause(), chain.guardian)
    activate(chain, state)
    chain.send(f.escapeAccount(*state.account_args(u[2])), u[2])
    chain.send(f.refundDeposit(3), u[3])
    reverts("EmethRollup: paused", chain.send, f.settleBurns(), u[3])


def test_activation_waits_for_finality_when_the_challenge_period_grew(chain):
    """escapeDelay ≥ challengePeriod holds at deploy; if the challenge period is raised later,
    activation still waits until the newest batch is final."""
    f = chain.rollup.functions
    rollup = deploy(chain.w3, "EmethRollup", chain.owner, *chain.rollup_args(escapeDelay=CHALLENGE_PERIOD))
    g = rollup.functions
    r = chain.send(g.setChallengePeriod(CHANGE_DELAY), chain.owner)
    change_id = [dict(e.args) for e in rollup.events.ChangeScheduled().process_receipt(r)][0]["id"]
    chain.travel(CHANGE_DELAY)
    chain.send(g.executeChange(change_id), chain.stranger)
    chain.send(g.commitBatch(0, 1, 1, BLOCK_HASH, ZERO32, ZERO32, 0, 0, 0, b""), chain.sequencer)
    batch = g.latestBatch().call()
    committed_at, final_at = batch[8], batch[9]
    assert final_at == committed_at + CHANGE_DELAY
    assert g.escapeActivatableAt().call() == final_at > committed_at + CHALLENGE_PERIOD
    chain.tester.time_travel(committed_at + CHALLENGE_PERIOD + 1)
    reverts("EmethRollup: sequencer not silent", chain.send, g.activateEscape(), chain.stranger)
    chain.tester.time_travel(final_at)
    chain.send(g.activateEscape(), chain.stranger)
    assert g.escapeMode().call() and not f.escapeMode().call()
