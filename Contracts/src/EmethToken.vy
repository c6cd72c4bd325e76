# pragma version 0.4.3
"""
@title EmethToken
@notice The EMETH ERC-20 ("Emeth", "EMT", 18 decimals). Holders can burn; the owner can mint,
        which only devnets use (the deployed token on a real chain has its own supply rules).
@dev Allowances of max_value(uint256) are not decreased by transferFrom (as OpenZeppelin).
"""

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

event Approval:
    owner: indexed(address)
    spender: indexed(address)
    value: uint256

event OwnershipTransferred:
    previous_owner: indexed(address)
    new_owner: indexed(address)

name: public(constant(String[5])) = "Emeth"
symbol: public(constant(String[3])) = "EMT"
decimals: public(constant(uint8)) = 18

totalSupply: public(uint256)
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])
owner: public(address)


@deploy
def __init__(owner: address):
    assert owner != empty(address), "EmethToken: zero owner"
    self.owner = owner
    log OwnershipTransferred(previous_owner=empty(address), new_owner=owner)


@internal
def _transfer(sender: address, receiver: address, amount: uint256):
    assert receiver != empty(address), "EmethToken: transfer to zero address"
    balance: uint256 = self.balanceOf[sender]
    assert balance >= amount, "EmethToken: insufficient balance"
    self.balanceOf[sender] = balance - amount
    self.balanceOf[receiver] += amount
    log Transfer(sender=sender, receiver=receiver, value=amount)


@external
def transfer(receiver: address, amount: uint256) -> bool:
    self._transfer(msg.sender, receiver, amount)
    return True


@external
def transferFrom(sender: address, receiver: address, amount: uint256) -> bool:
    allowed: uint256 = self.allowance[sender][msg.sender]
    if allowed != max_value(uint256):
        assert allowed >= amount, "EmethToken: insufficient allowance"
        self.allowance[sender][msg.sender] = allowed - amount
    self._transfer(sender, receiver, amount)
    return True


@external
def approve(spender: address, amount: uint256) -> bool:
    assert spender != empty(address), "EmethToken: approve to zero address"
    self.allowance[msg.sender][spender] = amount
    log Approval(owner=msg.sender, spender=spender, value=amount)
    return True


@external
def burn(amount: uint256):
    """@notice Destroys `amount` of the caller's tokens (the rollup burns penalties this way)."""
    balance: uint256 = self.balanceOf[msg.sender]
    assert balance >= amount, "EmethToken: burn exceeds balance"
    self.balanceOf[msg.sender] = balance - amount
    self.totalSupply -= amount
    log Transfer(sender=msg.sender, receiver=empty(address), value=amount)


@external
def mint(receiver: address, amount: uint256):
    assert msg.sender == self.owner, "EmethToken: not owner"
    assert receiver != empty(address), "EmethToken: mint to zero address"
    self.totalSupply += amount
    self.balanceOf[receiver] += amount
    log Transfer(sender=empty(address), receiver=receiver, value=amount)


@external
def transferOwnership(new_owner: address):
    assert msg.sender == self.owner, "EmethToken: not owner"
    assert new_owner != empty(address), "EmethToken: zero owner"
    log OwnershipTransferred(previous_owner=self.owner, new_owner=new_owner)
    self.owner = new_owner
