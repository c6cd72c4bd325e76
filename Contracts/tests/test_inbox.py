"""EmethRollup inbox: deposit, depositFor, requestCancel and forceTransaction append
sequential messages, each with its L1 block and time, and log them."""
from eth_hash.auto import keccak

from conftest import EMT, reverts

ZERO = "0x" + "00" * 20
NO_HASH = b"\x00" * 32

JOB = bytes.fromhex("00112233445566778899aabbccddeeff")


def test_deposit_takes_tokens_and_appends_message(chain):
    user = chain.users[0]
    r = chain.deposit(user, 5 * EMT)
    assert chain.balance(user) == 999_995 * EMT and chain.balance(chain.rollup.address) == 5 * EMT
    assert chain.rollup.functions.totalDeposited().call() == 5 * EMT
    assert chain.rollup.functions.inboxLength().call() == 1
    ts = chain.w3.eth.get_block(r.blockNumber).timestamp
    assert chain.events(r, "InboxMessage") == [
        {"index": 0, "kind": 1, "account": user, "amount": 5 * EMT, "jobId": b"\x00" * 16, "l1Block": r.blockNumber,
         "timestamp": ts, "data": b""}]
    assert chain.rollup.functions.inboxMessage(0).call() == (0, 1, user, 5 * EMT, b"\x00" * 16, r.blockNumber, ts, NO_HASH)


def test_messages_are_numbered_in_order_across_kinds(chain):
    a, b = chain.users[0], chain.users[1]
    chain.deposit(a, 1)
    r = chain.send(chain.rollup.functions.requestCancel(JOB), b)
    chain.deposit(b, 2)
    ts = chain.w3.eth.get_block(r.blockNumber).timestamp
    assert chain.events(r, "InboxMessage") == [
        {"index": 1, "kind": 2, "account": b, "amount": 0, "jobId": JOB, "l1Block": r.blockNumber, "timestamp": ts,
         "data": b""}]
    assert chain.rollup.functions.inboxMessage(1).call() == (1, 2, b, 0, JOB, r.blockNumber, ts, NO_HASH)
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


def test_inbox_event_signature_is_pinned(chain):
    abi = [e for e in chain.rollup.abi if e["type"] == "event" and e["name"] == "InboxMessage"][0]
    signature = "InboxMessage(" + ",".join(i["type"] for i in abi["inputs"]) + ")"
    assert signature == "InboxMessage(uint256,uint8,address,uint256,bytes16,uint256,uint256,bytes)"
    assert [i["name"] for i in abi["inputs"] if i["indexed"]] == ["index", "account"]


def test_deposit_for_credits_the_recipient_and_takes_from_the_sender(chain):
    payer, recipient = chain.users[0], chain.stranger
    r = chain.send(chain.rollup.functions.depositFor(recipient, 7 * EMT), payer)
    assert chain.balance(payer) == 999_993 * EMT and chain.balance(chain.rollup.address) == 7 * EMT
    assert chain.rollup.functions.totalDeposited().call() == 7 * EMT
    [logged] = chain.events(r, "InboxMessage")
    assert (logged["kind"], logged["account"], logged["amount"], logged["data"]) == (1, recipient, 7 * EMT, b"")
    assert chain.rollup.functions.inboxMessage(0).call()[:4] == (0, 1, recipient, 7 * EMT)
    assert chain.rollup.functions.depositFor(recipient, 1).call({"from": payer}) == 1


def test_deposit_for_refuses_a_zero_recipient_or_amount(chain):
    reverts("EmethRollup: zero recipient", chain.send, chain.rollup.functions.depositFor(ZERO, EMT), chain.users[0])
    reverts("EmethRollup: zero deposit", chain.send, chain.rollup.functions.depositFor(chain.stranger, 0), chain.users[0])
    reverts("EmethToken: insufficient allowance", chain.send, chain.rollup.functions.depositFor(chain.users[0], 1),
            chain.stranger)
    assert chain.rollup.functions.inboxLength().call() == 0


def test_force_transaction_appends_the_bytes_and_their_hash(chain):
    tx = bytes(range(1, 121))
    chain.deposit(chain.users[0], 1)
    r = chain.send(chain.rollup.functions.forceTransaction(tx), chain.stranger)
    ts = chain.w3.eth.get_block(r.blockNumber).timestamp
    assert chain.events(r, "InboxMessage") == [
        {"index": 1, "kind": 3, "account": chain.stranger, "amount": 0, "jobId": b"\x00" * 16,
         "l1Block": r.blockNumber, "timestamp": ts, "data": tx}]
    assert chain.rollup.functions.inboxMessage(1).call() == (
        1, 3, chain.stranger, 0, b"\x00" * 16, r.blockNumber, ts, keccak(tx))
    assert chain.rollup.functions.inboxLength().call() == 2
    assert chain.rollup.functions.totalDeposited().call() == 1
    assert chain.rollup.functions.forceTransaction(b"\x01").call({"from": chain.stranger}) == 2


def test_force_transaction_size_bounds(chain):
    f = chain.rollup.functions
    reverts("EmethRollup: empty transaction", chain.send, f.forceTransaction(b""), chain.stranger)
    big = b"\x07" * 16384
    r = chain.send(f.forceTransaction(big), chain.stranger)
    assert chain.events(r, "InboxMessage")[0]["data"] == big
    # One byte more does not fit the argument's type: the ABI decoder refuses it.
    too_big = f.forceTransaction(b"\x07" * 16385)
    tx = too_big.build_transaction({"from": chain.stranger, "gas": 3_000_000})
    tx_hash = chain.w3.eth.send_transaction({"from": chain.stranger, "to": tx["to"], "data": tx["data"], "gas": 3_000_000})
    assert chain.w3.eth.wait_for_transaction_receipt(tx_hash).status == 0
    assert f.inboxLength().call() == 1
