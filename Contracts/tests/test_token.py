"""EmethToken: ERC-20 behaviour, burn, owner-only mint, events."""
from web3.logs import DISCARD

from conftest import EMT, reverts


def transfers(chain, receipt):
    return [dict(e.args) for e in chain.token.events.Transfer().process_receipt(receipt, errors=DISCARD)]


def test_metadata_and_minted_supply(chain):
    t = chain.token.functions
    assert (t.name().call(), t.symbol().call(), t.decimals().call()) == ("Emeth", "EMT", 18)
    assert t.totalSupply().call() == 5 * 1_000_000 * EMT
    assert t.owner().call() == chain.owner


def test_transfer_moves_exact_amounts_and_logs(chain):
    a, b = chain.users[0], chain.users[1]
    r = chain.send(chain.token.functions.transfer(b, 7), a)
    assert chain.balance(a) == 1_000_000 * EMT - 7 and chain.balance(b) == 1_000_000 * EMT + 7
    assert transfers(chain, r) == [{"sender": a, "receiver": b, "value": 7}]


def test_transfer_more_than_balance_reverts(chain):
    reverts("EmethToken: insufficient balance", chain.send,
            chain.token.functions.transfer(chain.users[1], 1_000_000 * EMT + 1), chain.users[0])


def test_transfer_to_zero_address_reverts(chain):
    reverts("EmethToken: transfer to zero address", chain.send,
            chain.token.functions.transfer("0x" + "00" * 20, 1), chain.users[0])


def test_transfer_from_spends_allowance_unless_infinite(chain):
    a, b, spender = chain.users[0], chain.users[1], chain.stranger
    chain.send(chain.token.functions.approve(spender, 10), a)
    chain.send(chain.token.functions.transferFrom(a, b, 4), spender)
    assert chain.token.functions.allowance(a, spender).call() == 6
    reverts("EmethToken: insufficient allowance", chain.send, chain.token.functions.transferFrom(a, b, 7), spender)
    # The rollup holds an infinite approval: it is never decreased.
    chain.send(chain.token.functions.transferFrom(a, b, 5), spender)
    assert chain.token.functions.allowance(a, chain.rollup.address).call() == 2**256 - 1


def test_approve_logs_approval(chain):
    r = chain.send(chain.token.functions.approve(chain.stranger, 3), chain.users[0])
    events = [dict(e.args) for e in chain.token.events.Approval().process_receipt(r, errors=DISCARD)]
    assert events == [{"owner": chain.users[0], "spender": chain.stranger, "value": 3}]


def test_burn_reduces_balance_and_supply(chain):
    supply = chain.token.functions.totalSupply().call()
    r = chain.send(chain.token.functions.burn(EMT), chain.users[0])
    assert chain.balance(chain.users[0]) == 999_999 * EMT
    assert chain.token.functions.totalSupply().call() == supply - EMT
    assert transfers(chain, r) == [{"sender": chain.users[0], "receiver": "0x" + "00" * 20, "value": EMT}]
    reverts("EmethToken: burn exceeds balance", chain.send, chain.token.functions.burn(10**30), chain.users[0])


def test_only_owner_mints(chain):
    reverts("EmethToken: not owner", chain.send, chain.token.functions.mint(chain.stranger, 1), chain.stranger)
    chain.send(chain.token.functions.mint(chain.stranger, 5), chain.owner)
    assert chain.balance(chain.stranger) == 5


def test_ownership_transfer(chain):
    reverts("EmethToken: not owner", chain.send, chain.token.functions.transferOwnership(chain.stranger), chain.stranger)
    chain.send(chain.token.functions.transferOwnership(chain.stranger), chain.owner)
    assert chain.token.functions.owner().call() == chain.stranger
    reverts("EmethToken: not owner", chain.send, chain.token.functions.mint(chain.owner, 1), chain.owner)
