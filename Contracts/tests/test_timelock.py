"""EmethRollup timelock: owner setters only schedule; anyone executes after changeDelay; the
owner may cancel; pause stays immediate. And the ticket rate limit's exact bound."""
import random

from conftest import CHANGE_DELAY, EMT, GHOLON, TICKET_LIMIT, reverts


def test_execute_before_the_delay_reverts_and_after_it_applies(chain):
    f = chain.rollup.functions
    r = chain.send(f.setInboxConfirmations(9), chain.owner)
    scheduled_at = chain.w3.eth.get_block(r.blockNumber).timestamp
    assert chain.events(r, "ChangeScheduled") == [{"id": 1, "kind": 5, "account": "0x" + "00" * 20, "value": 9,
                                                   "extra": 0, "executableAt": scheduled_at + CHANGE_DELAY}]
    assert f.pendingChange(1).call() == (5, "0x" + "00" * 20, 9, 0, scheduled_at + CHANGE_DELAY)
    reverts("EmethRollup: change not ready", chain.send, f.executeChange(1), chain.stranger)
    chain.tester.time_travel(scheduled_at + CHANGE_DELAY - 2)
    reverts("EmethRollup: change not ready", chain.send, f.executeChange(1), chain.stranger)
    assert f.inboxConfirmations().call() == 3
    chain.tester.time_travel(scheduled_at + CHANGE_DELAY)
    r = chain.send(f.executeChange(1), chain.stranger)
    assert chain.events(r, "InboxConfirmationsSet") == [{"confirmations": 9}]
    assert chain.events(r, "ChangeExecuted") == [{"id": 1}]
    assert f.inboxConfirmations().call() == 9
    # Executed once only.
    reverts("EmethRollup: unknown change", chain.send, f.executeChange(1), chain.stranger)
    assert f.pendingChange(1).call()[4] == 0


def test_ids_increase_and_unknown_ids_revert(chain):
    f = chain.rollup.functions
    assert [chain.schedule(f.setInboxConfirmations(n)) for n in (4, 5, 6)] == [1, 2, 3]
    assert f.lastChangeId().call() == 3
    reverts("EmethRollup: unknown change", chain.send, f.executeChange(0), chain.stranger)
    reverts("EmethRollup: unknown change", chain.send, f.executeChange(4), chain.stranger)
    chain.travel(CHANGE_DELAY)
    chain.send(f.executeChange(3), chain.stranger)
    chain.send(f.executeChange(1), chain.stranger)
    assert f.inboxConfirmations().call() == 4  # applied in the order executed


def test_cancel_change(chain):
    f = chain.rollup.functions
    change = chain.schedule(f.setSigner(chain.stranger))
    reverts("EmethRollup: not owner", chain.send, f.cancelChange(change), chain.stranger)
    reverts("EmethRollup: not owner", chain.send, f.cancelChange(change), chain.guardian)
    r = chain.send(f.cancelChange(change), chain.owner)
    assert chain.events(r, "ChangeCancelled") == [{"id": change}]
    chain.travel(CHANGE_DELAY)
    reverts("EmethRollup: unknown change", chain.send, f.executeChange(change), chain.stranger)
    reverts("EmethRollup: unknown change", chain.send, f.cancelChange(change), chain.owner)
    reverts("EmethRollup: unknown change", chain.send, f.cancelChange(99), chain.owner)
    assert f.signer().call() == chain.signer.address


def test_guardian_can_be_disabled_and_pause_stays_immediate(chain):
    f = chain.rollup.functions
    chain.change(f.setGuardian(chain.guardian, False))
    assert not f.isGuardian(chain.guardian).call()
    reverts("EmethRollup: not owner or guardian", chain.send, f.pause(), chain.guardian)
    r = chain.send(f.pause(), chain.owner)
    assert chain.events(r, "Paused") == [{"by": chain.owner}] and f.paused().call()
    # Scheduling and executing work while paused (a fix may need them).
    chain.change(f.setSigner(chain.stranger))
    assert f.signer().call() == chain.stranger and f.paused().call()


def test_signer_change_keeps_pause_and_committed_head(chain):
    f = chain.rollup.functions
    chain.deposit(chain.users[0], EMT)
    chain.commit(0, 1, 7, credit=EMT, cursor=1)
    chain.send(f.pause(), chain.guardian)
    chain.change(f.setSigner(chain.stranger))
    assert (f.signer().call(), f.paused().call(), f.nextBlock().call()) == (chain.stranger, True, 8)


def ticket_claim(chain, who, credit, block=1):
    return chain.send(chain.rollup.functions.claimWithTicket(who, credit, block, chain.ticket(who, credit, block)), who)


def test_ticket_available_follows_the_two_window_scheme(chain):
    f = chain.rollup.functions
    limit, window = 10 * EMT, 1000
    chain.change(f.setTicketLimit(limit, window))
    chain.deposit(chain.users[4], 100 * EMT)
    chain.commit(0, 1, 1, credit=100 * EMT, cursor=1)
    base = (chain.now() // window + 1) * window  # the start of the next aligned window
    chain.tester.time_travel(base + 10)
    assert f.ticketAvailable().call() == limit
    ticket_claim(chain, chain.users[0], 4 * EMT)
    assert f.ticketAvailable().call() == 6 * EMT
    chain.tester.time_travel(base + window + 10)  # next window: the previous one's 4 still count
    assert f.ticketAvailable().call() == 6 * EMT
    ticket_claim(chain, chain.users[1], 5 * EMT)
    assert f.ticketAvailable().call() == EMT
    reverts("EmethRollup: ticket rate limit", ticket_claim, chain, chain.users[2], EMT + 1)
    chain.tester.time_travel(base + 2 * window + 10)  # 4 falls out, 5 still counts
    assert f.ticketAvailable().call() == 5 * EMT
    chain.tester.time_travel(base + 4 * window)  # two windows later: nothing counts
    assert f.ticketAvailable().call() == limit
    # The committed-credit headroom caps it too.
    chain.change(f.setTicketLimit(200 * EMT, window))
    assert f.ticketAvailable().call() == 91 * EMT


def test_ticket_limit_change_never_frees_allowance(chain):
    f = chain.rollup.functions
    chain.deposit(chain.users[4], 2000 * EMT)
    change = chain.schedule(f.setTicketLimit(500 * EMT, 7200))
    chain.travel(CHANGE_DELAY - 30)
    chain.commit(0, 1, 1, credit=2000 * EMT, cursor=1)
    ticket_claim(chain, chain.users[0], 700 * EMT)
    assert f.ticketAvailable().call() == TICKET_LIMIT - 700 * EMT
    chain.travel(30)
    r = chain.send(f.executeChange(change), chain.stranger)
    assert chain.events(r, "TicketLimitSet") == [{"limit": 500 * EMT, "window": 7200}]
    assert (f.ticketLimit().call(), f.ticketWindow().call()) == (500 * EMT, 7200)
    # The 700 used under the old limit counts in the new window (capped at the new limit) and
    # in the next one, as its previous window.
    assert f.ticketAvailable().call() == 0
    reverts("EmethRollup: ticket rate limit", ticket_claim, chain, chain.users[1], 1)
    start = (chain.now() // 7200) * 7200
    chain.tester.time_travel(start + 7200 + 5)
    assert f.ticketAvailable().call() == 0
    chain.tester.time_travel(start + 2 * 7200 + 5)
    assert f.ticketAvailable().call() == 500 * EMT
    ticket_claim(chain, chain.users[1], 500 * EMT)


def test_ticket_payouts_never_exceed_the_limit_in_any_rolling_window(chain):
    """Random ticket claims at random times: every interval of `window` seconds pays at most
    `limit` by ticket (checked over all intervals that start at a payment)."""
    f = chain.rollup.functions
    limit, window = 10 * EMT, 600
    chain.change(f.setTicketLimit(limit, window))
    chain.deposit(chain.users[4], 10_000 * EMT)
    chain.commit(0, 1, 1, credit=10_000 * EMT, cursor=1)
    rng = random.Random(7)
    credit = {u: 0 for u in chain.users}
    paid = []  # (timestamp, amount)
    for _ in range(60):
        chain.travel(rng.choice([1, 20, 90, 250, 599, 600, 601]))
        # The call below and the claim's block must fall in the same aligned window (the
        # claim's block is a second or two after the latest one), or `available` describes
        # another window than the one the claim is judged in.
        while (chain.now() + 2) // window != chain.now() // window:
            chain.mine()  # travel(1) may mine nothing, and this loop would spin forever
        who = rng.choice(chain.users)
        amount = rng.choice([EMT, 3 * EMT, 5 * EMT, 10 * EMT])
        available = f.ticketAvailable().call()
        try:
            r = ticket_claim(chain, who, credit[who] + amount)
        except Exception as e:  # the limit refuses it: it must be because it is over what is available
            assert str(e).endswith("EmethRollup: ticket rate limit") and amount > available
            continue
        assert amount <= available
        credit[who] += amount
        paid.append((chain.w3.eth.get_block(r.blockNumber).timestamp, amount))
    assert len(paid) > 20
    for start, _ in paid:
        assert sum(a for t, a in paid if start <= t < start + window) <= limit
    # Steady state: over a long run the scheme pays about limit per two windows at least.
    assert sum(a for _, a in paid) >= limit * ((paid[-1][0] - paid[0][0]) // (2 * window)) // 2


def test_ticket_use_is_counted_in_gholon_rounded_up(chain):
    """The rate limit counts each ticket payout in whole gholon (10^9 wei), rounded up, so a
    payout of a few wei uses one gholon of the allowance: never more paid than the limit."""
    f = chain.rollup.functions
    limit, window = 10 * EMT, 1000
    chain.change(f.setTicketLimit(limit, window))
    chain.deposit(chain.users[4], 100 * EMT)
    chain.commit(0, 1, 1, credit=100 * EMT, cursor=1)
    base = (chain.now() // window + 1) * window
    chain.tester.time_travel(base + 10)
    r = ticket_claim(chain, chain.users[0], 1)
    assert chain.events(r, "Claimed")[0]["amount"] == 1
    assert f.ticketAvailable().call() == limit - GHOLON
    ticket_claim(chain, chain.users[1], GHOLON + 1)
    assert f.ticketAvailable().call() == limit - 3 * GHOLON
    reverts("EmethRollup: ticket rate limit", ticket_claim, chain, chain.users[2], limit - 3 * GHOLON + 1)
    ticket_claim(chain, chain.users[2], limit - 3 * GHOLON)
    assert f.ticketAvailable().call() == 0
    reverts("EmethRollup: ticket rate limit", ticket_claim, chain, chain.users[3], 1)


def test_window_index_wrap_is_read_as_more_use_never_less(chain):
    """`payout` keeps the window index mod 2**16. Exactly 2**16 windows after the last ticket,
    the stale window reads as the current one (its use still counts); one window later, as the
    previous one. Either way the allowance is lower than the truth, never higher."""
    f = chain.rollup.functions
    limit, window = 10 * EMT, 10
    chain.change(f.setTicketLimit(limit, window))
    chain.deposit(chain.users[4], 100 * EMT)
    chain.commit(0, 1, 1, credit=100 * EMT, cursor=1)
    chain.tester.time_travel((chain.now() // window + 1) * window + 3)
    r = ticket_claim(chain, chain.users[0], 4 * EMT)
    paid_in = chain.w3.eth.get_block(r.blockNumber).timestamp // window

    def middle_of(index):
        chain.tester.time_travel(index * window + window // 2)

    middle_of(paid_in + 2)
    assert f.ticketAvailable().call() == limit
    middle_of(paid_in + 2**16)
    assert f.ticketAvailable().call() == 6 * EMT
    middle_of(paid_in + 2**16 + 1)
    assert f.ticketAvailable().call() == 6 * EMT
    middle_of(paid_in + 2**16 + 2)
    assert f.ticketAvailable().call() == limit
