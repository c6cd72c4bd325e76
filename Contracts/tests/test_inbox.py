"""EmethRollup inbox: deposit and requestCancel append sequential messages and log them."""
from conftest import EMT, reverts

JOB = bytes.fromhex("00112233445566778899aabbccddeeff")


def test_deposit_takes_tokens_and_appends_message(chain):
    user = chain.users[0]
    r = chain.deposit(user, 5 * EMT)
    assert chain.balance(user) == 999_995 * EMT and chain.balance(chain.rollup.address) == 5 * EMT
    assert chain.rollup.functions.totalDeposited().call() == 5 * EMT
    assert chain.rollup.functions.inboxLength().call() == 1
    assert chain.events(r, "InboxMessage") == [
        {"index": 0, "kind": 1, "account": user, "amount": 5 * EMT, "jobId": b"\x00" * 16, "l1Block": r.blockNumber}]
    assert chain.rollup.functions.inboxMessage(0).call() == (0, 1, user, 5 * EMT, b"\x00" * 16, r.blockNumber)


def test_messages_are_numbered_in_order_across_kinds(chain):
    a, b = chain.users[0], chain.users[1]
    chain.deposit(a, 1)
    r = chain.send(chain.rollup.functions.requestCancel(JOB), b)
    chain.deposit(b, 2)
    assert chain.events(r, "InboxMessage") == [
        {"index": 1, "kind": 2, "account": b, "amount": 0, "jobId": JOB, "l1Block": r.blockNumber}]
    assert chain.rollup.functions.inboxMessage(1).call() == (1, 2, b, 0, JOB, r.blockNumber)
    assert chain.rollup.functions.inboxMessage(2).call()[:4] == (2, 1, b, 2)
    assert chain.rollup.functions.inboxLength().call() == 3
    assert chain.rollup.functions.totalDeposited().call() == 3


def test_deposit_return_value_is_the_index(chain):
    chain.deposit(chain.users[0], 1)
    assert chain.rollup.functions.deposit(1).call({"from": chain.users[0]}) == 1
    assert chain.rollup.functions.requestCancel(JOB).call({"from": chain.users[0]}) == 1


def test_zero_deposit_reverts(chain):
    reverts("EmethRollup: zero deposit", chain.deposit, chain.users[0], 0)


def test_deposit_without_allowance_or_balance_reverts_and_changes_nothing(chain):
    reverts("EmethToken: insufficient allowance", chain.deposit, chain.stranger, 1)
    reverts("EmethToken: insufficient balance", chain.deposit, chain.users[0], 1_000_001 * EMT)
    assert chain.rollup.functions.inboxLength().call() == 0
    assert chain.rollup.functions.totalDeposited().call() == 0


def test_cancel_with_zero_job_reverts(chain):
    reverts("EmethRollup: zero jobId", chain.send, chain.rollup.functions.requestCancel(b"\x00" * 16), chain.users[0])


def test_unknown_inbox_message_reverts(chain):
    reverts("EmethRollup: unknown inbox message", chain.rollup.functions.inboxMessage(0).call)
