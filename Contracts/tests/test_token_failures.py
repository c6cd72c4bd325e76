"""EmethRollup against a token that answers `false` instead of reverting (some ERC-20s do):
deposits and claims must fail loudly, never count money that did not move."""
import vyper

from conftest import EMT, deploy, reverts

FALSE_TOKEN = """
# pragma version 0.4.3
pay: public(bool)

@external
def transferFrom(sender: address, receiver: address, amount: uint256) -> bool:
    return self.pay

@external
def transfer(receiver: address, amount: uint256) -> bool:
    return self.pay

@external
def burn(amount: uint256):
    pass

@external
def setPay(v: bool):
    self.pay = v
"""


def test_a_token_answering_false_fails_deposits_and_claims(chain):
    w3 = chain.w3
    out = vyper.compile_code(FALSE_TOKEN, output_formats=["abi", "bytecode"])
    factory = w3.eth.contract(abi=out["abi"], bytecode=out["bytecode"])
    token = w3.eth.contract(address=w3.eth.wait_for_transaction_receipt(
        factory.constructor().transact({"from": chain.owner})).contractAddress, abi=out["abi"])
    rollup = deploy(w3, "EmethRollup", chain.owner, *chain.rollup_args(token=token.address))
    u = chain.users[0]
    reverts("EmethRollup: transfer failed", chain.send, rollup.functions.deposit(EMT), u)
    assert rollup.functions.inboxLength().call() == 0 and rollup.functions.totalDeposited().call() == 0
    chain.send(token.functions.setPay(True), u)
    chain.send(rollup.functions.deposit(EMT), u)
    chain.send(rollup.functions.commitBatch(0, 1, 1, b"\x22" * 32, b"\x11" * 32, b"\x00" * 32, EMT, 0, 1, b""),
               chain.sequencer)
    chain.send(token.functions.setPay(False), u)
    reverts("EmethRollup: transfer failed", chain.send,
            rollup.functions.claimWithTicket(u, EMT, 1, chain.ticket(u, EMT, 1, contract=rollup.address)), u)
    assert rollup.functions.claimed(u).call() == 0
