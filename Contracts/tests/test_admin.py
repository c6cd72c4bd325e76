"""EmethRollup administration: roles, pause, two-step ownership; every change logs."""
import pytest

from conftest import (CHALLENGE_PERIOD, CHANGE_DELAY, EMT, FORCE_INCLUSION_DELAY, GHOLON, TICKET_LIMIT, TICKET_WINDOW, artifact,
                      deploy, reverts)

ZERO = "0x" + "00" * 20


def test_constructor_sets_roles_and_logs_them(chain):
    f = chain.rollup.functions
    assert f.token().call() == chain.token.address
    assert (f.owner().call(), f.sequencer().call(), f.signer().call()) == (chain.owner, chain.sequencer, chain.signer.address)
    assert f.isGuardian(chain.guardian).call() and not f.isGuardian(chain.stranger).call()
    assert (f.challengePeriod().call(), f.inboxConfirmations().call(), f.paused().call()) == (CHALLENGE_PERIOD, 3, False)
    assert (f.changeDelay().call(), f.ticketLimit().call(), f.ticketWindow().call(), f.forceInclusionDelay().call()) == (
        CHANGE_DELAY, TICKET_LIMIT, TICKET_WINDOW, FORCE_INCLUSION_DELAY)
    assert (f.totalClaimed().call(), f.burnedOnL1().call(), f.lastChangeId().call()) == (0, 0, 0)
    assert (f.batchCount().call(), f.inboxLength().call(), f.nextBlock().call()) == (0, 0, 1)
    reverts("EmethRollup: no batches", f.latestBatch().call)


@pytest.mark.parametrize("role,reason", [("token", "zero token"), ("owner", "zero owner"), ("sequencer", "zero sequencer"),
                                         ("signer", "zero signer")])
def test_constructor_refuses_zero_roles(chain, role, reason):
    reverts(f"EmethRollup: {reason}", deploy, chain.w3, "EmethRollup", chain.owner, *chain.rollup_args(**{role: ZERO}))


BAD_PARAMETERS = [
    ({"guardians": [ZERO]}, "zero guardian"),
    ({"challengePeriod": 30 * 86400 + 1, "changeDelay": 40 * 86400}, "challenge period too long"),
    ({"changeDelay": CHALLENGE_PERIOD - 1}, "change delay shorter than challenge period"),
    ({"ticketLimit": (2**67 + 1) * GHOLON}, "ticket limit too large"),
    ({"ticketLimit": EMT + 1}, "ticket limit not whole gholon"),
    ({"ticketLimit": 16_777_217 * GHOLON}, "ticket limit too precise"),
    ({"ticketWindow": 0}, "zero ticket window"),
    ({"ticketWindow": 365 * 86400 + 1}, "ticket window too long"),
    ({"forceInclusionDelay": 30 * 86400 + 1}, "force inclusion delay too long"),
    ({"escapeDelay": CHALLENGE_PERIOD - 1}, "escape delay shorter than challenge period"),
]


@pytest.mark.parametrize("overrides,reason", BAD_PARAMETERS, ids=[b[1] for b in BAD_PARAMETERS])
def test_constructor_refuses_bad_parameters(chain, overrides, reason):
    reverts(f"EmethRollup: {reason}", deploy, chain.w3, "EmethRollup", chain.owner, *chain.rollup_args(**overrides))


# The largest ticket limit `core` can hold: digits < 2**24 times a power of ten gholon, at most
# 2**67 gholon.
LARGEST_TICKET_LIMIT = 1_475_739 * 10**14 * GHOLON


def test_constructor_accepts_the_limits(chain):
    r = deploy(chain.w3, "EmethRollup", chain.owner, *chain.rollup_args(
        challengePeriod=30 * 86400, changeDelay=30 * 86400, ticketLimit=LARGEST_TICKET_LIMIT, ticketWindow=365 * 86400,
        forceInclusionDelay=30 * 86400, escapeDelay=30 * 86400))
    assert (r.functions.ticketLimit().call(), r.functions.ticketWindow().call()) == (LARGEST_TICKET_LIMIT, 365 * 86400)


@pytest.mark.parametrize("limit", [GHOLON, 16_777_215 * GHOLON, 16_777_215 * 10 * GHOLON, 1_234_567 * 10**12 * GHOLON,
                                   9_999_999 * 10**13 * GHOLON])
def test_ticket_limits_with_seven_significant_digits_round_trip(chain, limit):
    """Stored as digits × 10^exponent gholon: every such limit reads back exactly."""
    r = deploy(chain.w3, "EmethRollup", chain.owner, *chain.rollup_args(ticketLimit=limit))
    assert r.functions.ticketLimit().call() == limit


# (setter, its change kind, arguments, executed event, what it logs, the value it sets)
SETTERS = [
    ("setSigner", 1, lambda c: [c.stranger], "SignerSet", lambda c: {"signer": c.stranger},
     lambda c: c.rollup.functions.signer().call() == c.stranger),
    ("setSequencer", 2, lambda c: [c.stranger], "SequencerSet", lambda c: {"sequencer": c.stranger},
     lambda c: c.rollup.functions.sequencer().call() == c.stranger),
    ("setGuardian", 3, lambda c: [c.stranger, True], "GuardianSet", lambda c: {"guardian": c.stranger, "enabled": True},
     lambda c: c.rollup.functions.isGuardian(c.stranger).call()),
    ("setChallengePeriod", 4, lambda c: [120], "ChallengePeriodSet", lambda c: {"seconds": 120},
     lambda c: c.rollup.functions.challengePeriod().call() == 120),
    ("setInboxConfirmations", 5, lambda c: [12], "InboxConfirmationsSet", lambda c: {"confirmations": 12},
     lambda c: c.rollup.functions.inboxConfirmations().call() == 12),
    ("setTicketLimit", 6, lambda c: [5 * EMT, 600], "TicketLimitSet", lambda c: {"limit": 5 * EMT, "window": 600},
     lambda c: (c.rollup.functions.ticketLimit().call(), c.rollup.functions.ticketWindow().call()) == (5 * EMT, 600)),
    ("setForceInclusionDelay", 7, lambda c: [7200], "ForceInclusionDelaySet", lambda c: {"seconds": 7200},
     lambda c: c.rollup.functions.forceInclusionDelay().call() == 7200),
]


@pytest.mark.parametrize("fn,kind,args,event,logged,applied", SETTERS, ids=[s[0] for s in SETTERS])
def test_owner_setters_only_schedule_and_strangers_are_refused(chain, fn, kind, args, event, logged, applied):
    call = getattr(chain.rollup.functions, fn)(*args(chain))
    reverts("EmethRollup: not owner", chain.send, call, chain.stranger)
    reverts("EmethRollup: not owner", chain.send, call, chain.guardian)
    assert call.call({"from": chain.owner}) == 1
    r = chain.send(call, chain.owner)
    [scheduled] = chain.events(r, "ChangeScheduled")
    assert scheduled["id"] == 1 and scheduled["kind"] == kind
    assert scheduled["executableAt"] == chain.w3.eth.get_block(r.blockNumber).timestamp + CHANGE_DELAY
    assert chain.events(r, event) == [] and not applied(chain)
    chain.travel(CHANGE_DELAY)
    r = chain.send(chain.rollup.functions.executeChange(1), chain.stranger)
    assert chain.events(r, event) == [logged(chain)]
    assert chain.events(r, "ChangeExecuted") == [{"id": 1}]
    assert applied(chain)


def test_setters_take_effect(chain):
    f = chain.rollup.functions
    chain.change(f.setSequencer(chain.stranger))
    reverts("EmethRollup: not sequencer", chain.commit, 0, 1, 1)
    chain.commit(0, 1, 1, sender=chain.stranger)
    chain.change(f.setGuardian(chain.guardian, False))
    chain.commit(1, 2, 2, sender=chain.stranger)
    reverts("EmethRollup: not guardian", chain.send, f.challenge(1), chain.guardian)
    chain.change(f.setChallengePeriod(10))
    assert f.getBatch(1).call()[9] - f.getBatch(1).call()[8] == CHALLENGE_PERIOD  # committed batches keep theirs
    chain.commit(2, 3, 3, sender=chain.stranger)
    assert f.getBatch(2).call()[9] - f.getBatch(2).call()[8] == 10


def test_setters_refuse_zero_addresses_and_bad_values(chain):
    f = chain.rollup.functions
    reverts("EmethRollup: zero sequencer", chain.send, f.setSequencer(ZERO), chain.owner)
    reverts("EmethRollup: zero signer", chain.send, f.setSigner(ZERO), chain.owner)
    reverts("EmethRollup: zero guardian", chain.send, f.setGuardian(ZERO, True), chain.owner)
    reverts("EmethRollup: challenge period too long", chain.send, f.setChallengePeriod(30 * 86400 + 1), chain.owner)
    # Never longer than the change delay (guardians must see a period change coming).
    reverts("EmethRollup: challenge period too long", chain.send, f.setChallengePeriod(CHANGE_DELAY + 1), chain.owner)
    chain.send(f.setChallengePeriod(CHANGE_DELAY), chain.owner)
    reverts("EmethRollup: ticket limit too large", chain.send, f.setTicketLimit((2**67 + 1) * GHOLON, 60), chain.owner)
    reverts("EmethRollup: ticket limit not whole gholon", chain.send, f.setTicketLimit(EMT - 1, 60), chain.owner)
    reverts("EmethRollup: ticket limit too precise", chain.send,
            f.setTicketLimit(2**67 * GHOLON, 60), chain.owner)
    reverts("EmethRollup: zero ticket window", chain.send, f.setTicketLimit(EMT, 0), chain.owner)
    reverts("EmethRollup: ticket window too long", chain.send, f.setTicketLimit(EMT, 365 * 86400 + 1), chain.owner)
    reverts("EmethRollup: force inclusion delay too long", chain.send, f.setForceInclusionDelay(30 * 86400 + 1), chain.owner)
    assert f.lastChangeId().call() == 1


def test_pause_by_owner_or_guardian_unpause_by_owner_only(chain):
    f = chain.rollup.functions
    reverts("EmethRollup: not owner or guardian", chain.send, f.pause(), chain.stranger)
    r = chain.send(f.pause(), chain.guardian)
    assert chain.events(r, "Paused") == [{"by": chain.guardian}]
    reverts("EmethRollup: already paused", chain.send, f.pause(), chain.owner)
    reverts("EmethRollup: not owner", chain.send, f.unpause(), chain.guardian)
    r = chain.send(f.unpause(), chain.owner)
    assert chain.events(r, "Unpaused") == [{"by": chain.owner}]
    reverts("EmethRollup: not paused", chain.send, f.unpause(), chain.owner)


def test_pause_leaves_the_inbox_and_challenges_open(chain):
    """Deposits, cancels and challenges are the users' and guardians' safety valves."""
    f = chain.rollup.functions
    chain.commit(0, 1, 1)
    chain.send(f.pause(), chain.owner)
    chain.deposit(chain.users[0], 1)
    chain.send(f.requestCancel(b"\x01" * 16), chain.users[0])
    chain.send(f.challenge(0), chain.guardian)
    assert (f.inboxLength().call(), f.batchCount().call()) == (2, 0)


def test_two_step_ownership_transfer(chain):
    f = chain.rollup.functions
    reverts("EmethRollup: not owner", chain.send, f.transferOwnership(chain.stranger), chain.stranger)
    r = chain.send(f.transferOwnership(chain.stranger), chain.owner)
    assert chain.events(r, "OwnershipTransferStarted") == [{"previousOwner": chain.owner, "newOwner": chain.stranger}]
    assert f.owner().call() == chain.owner and f.pendingOwner().call() == chain.stranger
    reverts("EmethRollup: not pending owner", chain.send, f.acceptOwnership(), chain.guardian)
    r = chain.send(f.acceptOwnership(), chain.stranger)
    assert chain.events(r, "OwnershipTransferred") == [{"previousOwner": chain.owner, "newOwner": chain.stranger}]
    assert f.owner().call() == chain.stranger and f.pendingOwner().call() == ZERO
    reverts("EmethRollup: not owner", chain.send, f.setChallengePeriod(1), chain.owner)
    reverts("EmethRollup: not owner", chain.send, f.cancelChange(1), chain.owner)
    reverts("EmethRollup: not pending owner", chain.send, f.acceptOwnership(), chain.stranger)


def test_artifacts_carry_abi_bytecode_and_compiler():
    for name in ("EmethToken", "EmethRollup"):
        a = artifact(name)
        assert a["compiler"].startswith("vyper 0.4.3")
        assert a["bytecode"].startswith("0x") and a["deployedBytecode"].startswith("0x")
        assert len(a["deployedBytecode"]) < len(a["bytecode"])
    names = {e["name"] for e in artifact("EmethRollup")["abi"] if e["type"] == "function"}
    assert {"deposit", "depositFor", "forceTransaction", "settleBurns", "executeChange", "cancelChange",
            "totalClaimed", "ticketAvailable", "requestCancel", "commitBatch", "challenge", "claim", "claimWithTicket",
            "getBatch", "latestBatch", "isFinal", "inboxMessage", "claimed", "domainSeparator"} <= names
