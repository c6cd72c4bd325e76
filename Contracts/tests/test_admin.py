"""EmethRollup administration: roles, pause, two-step ownership; every change logs."""
import pytest

from conftest import CHALLENGE_PERIOD, artifact, deploy, reverts

ZERO = "0x" + "00" * 20


def test_constructor_sets_roles_and_logs_them(chain):
    f = chain.rollup.functions
    assert f.token().call() == chain.token.address
    assert (f.owner().call(), f.sequencer().call(), f.signer().call()) == (chain.owner, chain.sequencer, chain.signer.address)
    assert f.isGuardian(chain.guardian).call() and not f.isGuardian(chain.stranger).call()
    assert (f.challengePeriod().call(), f.inboxConfirmations().call(), f.paused().call()) == (CHALLENGE_PERIOD, 3, False)
    assert (f.batchCount().call(), f.inboxLength().call(), f.nextBlock().call()) == (0, 0, 1)
    reverts("EmethRollup: no batches", f.latestBatch().call)


@pytest.mark.parametrize("position,reason", [(0, "zero token"), (1, "zero owner"), (2, "zero sequencer"), (3, "zero signer")])
def test_constructor_refuses_zero_roles(chain, position, reason):
    args = [chain.token.address, chain.owner, chain.sequencer, chain.signer.address, [chain.guardian], 60, 1]
    args[position] = ZERO
    reverts(f"EmethRollup: {reason}", deploy, chain.w3, "EmethRollup", chain.owner, *args)


def test_constructor_refuses_a_zero_guardian_and_a_long_period(chain):
    base = [chain.token.address, chain.owner, chain.sequencer, chain.signer.address]
    reverts("EmethRollup: zero guardian", deploy, chain.w3, "EmethRollup", chain.owner, *base, [ZERO], 60, 1)
    reverts("EmethRollup: challenge period too long", deploy, chain.w3, "EmethRollup", chain.owner, *base, [], 30 * 86400 + 1, 1)


SETTERS = [
    ("setSequencer", "SequencerSet", lambda c: [c.stranger], lambda c: {"sequencer": c.stranger}),
    ("setSigner", "SignerSet", lambda c: [c.stranger], lambda c: {"signer": c.stranger}),
    ("setGuardian", "GuardianSet", lambda c: [c.stranger, True], lambda c: {"guardian": c.stranger, "enabled": True}),
    ("setChallengePeriod", "ChallengePeriodSet", lambda c: [120], lambda c: {"seconds": 120}),
    ("setInboxConfirmations", "InboxConfirmationsSet", lambda c: [12], lambda c: {"confirmations": 12}),
]


@pytest.mark.parametrize("fn,event,args,logged", SETTERS, ids=[s[0] for s in SETTERS])
def test_owner_setters_log_and_strangers_are_refused(chain, fn, event, args, logged):
    call = getattr(chain.rollup.functions, fn)(*args(chain))
    reverts("EmethRollup: not owner", chain.send, call, chain.stranger)
    reverts("EmethRollup: not owner", chain.send, call, chain.guardian)
    r = chain.send(call, chain.owner)
    assert chain.events(r, event) == [logged(chain)]


def test_setters_take_effect(chain):
    f = chain.rollup.functions
    chain.send(f.setSequencer(chain.stranger), chain.owner)
    reverts("EmethRollup: not sequencer", chain.commit, 0, 1, 1)
    chain.commit(0, 1, 1, sender=chain.stranger)
    chain.send(f.setGuardian(chain.guardian, False), chain.owner)
    reverts("EmethRollup: not guardian", chain.send, f.challenge(0), chain.guardian)
    chain.send(f.setChallengePeriod(10), chain.owner)
    assert f.getBatch(0).call()[9] - f.getBatch(0).call()[8] == CHALLENGE_PERIOD  # committed batches keep theirs
    chain.commit(1, 2, 2, sender=chain.stranger)
    assert f.getBatch(1).call()[9] - f.getBatch(1).call()[8] == 10


def test_setters_refuse_zero_addresses_and_long_periods(chain):
    f = chain.rollup.functions
    reverts("EmethRollup: zero sequencer", chain.send, f.setSequencer(ZERO), chain.owner)
    reverts("EmethRollup: zero signer", chain.send, f.setSigner(ZERO), chain.owner)
    reverts("EmethRollup: zero guardian", chain.send, f.setGuardian(ZERO, True), chain.owner)
    reverts("EmethRollup: challenge period too long", chain.send, f.setChallengePeriod(30 * 86400 + 1), chain.owner)


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
    reverts("EmethRollup: not pending owner", chain.send, f.acceptOwnership(), chain.stranger)


def test_artifacts_carry_abi_bytecode_and_compiler():
    for name in ("EmethToken", "EmethRollup"):
        a = artifact(name)
        assert a["compiler"].startswith("vyper 0.4.3")
        assert a["bytecode"].startswith("0x") and a["deployedBytecode"].startswith("0x")
        assert len(a["deployedBytecode"]) < len(a["bytecode"])
    names = {e["name"] for e in artifact("EmethRollup")["abi"] if e["type"] == "function"}
    assert {"deposit", "requestCancel", "commitBatch", "challenge", "claim", "claimWithTicket",
            "getBatch", "latestBatch", "isFinal", "inboxMessage", "claimed", "domainSeparator"} <= names
