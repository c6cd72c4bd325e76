# pragma version 0.4.3
"""
@title EmethRollup
@notice The L1 side of the EMETH rollup (DESIGN §6–9): the inbox (deposits and cancel
        requests), batch commitments posted by the sequencer, finality after a challenge
        period, guardian challenges, and cumulative claims by Merkle proof or Signer ticket.
@dev Storage is laid out for gas: each batch costs four fresh slots (settlement root,
     commitment hash, packed block/cursor/time fields, packed totals) and the chain head is
     read from the last batch instead of being kept in slots of its own. A challenge only
     lowers `batchCount`; records past it are dead and are overwritten by the next commits.
     Burns are irreversible: a challenge cannot unburn, so commits burn only above the
     high-water mark `burnedOnL1`, and solvency counts what was really burned.
"""

interface IERC20:
    def transferFrom(sender: address, receiver: address, amount: uint256) -> bool: nonpayable
    def transfer(receiver: address, amount: uint256) -> bool: nonpayable
    def burn(amount: uint256): nonpayable

# ---------------------------------------------------------------- constants

DEPOSIT: constant(uint8) = 1
CANCEL: constant(uint8) = 2
CLAIM_BY_PROOF: constant(uint8) = 1
CLAIM_BY_TICKET: constant(uint8) = 2

# Vyper reserves memory for the largest `data`, and that memory costs gas on every commit
# (43k gas at 124 KiB, 14k at 64 KiB); 64 KiB keeps it small against the 16 gas per byte
# of calldata a full batch pays. The batch poster splits batches to fit.
MAX_BATCH_DATA: constant(uint256) = 65536
MAX_PROOF_DEPTH: constant(uint256) = 64
MAX_GUARDIANS: constant(uint256) = 16
MAX_CHALLENGE_PERIOD: constant(uint256) = 30 * 86400

# secp256k1n / 2: signatures with a larger s are malleable copies and are refused.
HALF_CURVE_ORDER: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168

DOMAIN_TYPEHASH: constant(bytes32) = keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
TICKET_TYPEHASH: constant(bytes32) = keccak256("Ticket(address account,uint256 credit,uint256 blockNumber)")
DOMAIN_NAME_HASH: constant(bytes32) = keccak256("EMETH L2")
DOMAIN_VERSION_HASH: constant(bytes32) = keccak256("1")

MASK64: constant(uint256) = 2**64 - 1
MASK128: constant(uint256) = 2**128 - 1

# ---------------------------------------------------------------- events

event InboxMessage:
    index: indexed(uint256)
    kind: uint8
    account: indexed(address)
    amount: uint256
    jobId: bytes16
    l1Block: uint256

event BatchCommitted:
    batchIndex: indexed(uint256)
    firstBlock: uint256
    lastBlock: uint256
    lastBlockHash: bytes32
    stateRoot: bytes32
    settlementRoot: bytes32
    totalCredit: uint256
    totalBurned: uint256
    inboxCursor: uint256
    dataHash: bytes32
    committedAt: uint256
    finalAt: uint256

event BatchReverted:
    fromBatch: indexed(uint256)
    toBatch: uint256
    guardian: indexed(address)

event Claimed:
    account: indexed(address)
    amount: uint256
    credit: uint256
    method: uint8
    reference: uint256

event Burned:
    amount: uint256
    burnedOnL1: uint256

event SequencerSet:
    sequencer: indexed(address)

event SignerSet:
    signer: indexed(address)

event GuardianSet:
    guardian: indexed(address)
    enabled: bool

event ChallengePeriodSet:
    seconds: uint256

event InboxConfirmationsSet:
    confirmations: uint256

event Paused:
    by: indexed(address)

event Unpaused:
    by: indexed(address)

event OwnershipTransferStarted:
    previousOwner: indexed(address)
    newOwner: indexed(address)

event OwnershipTransferred:
    previousOwner: indexed(address)
    newOwner: indexed(address)

# ---------------------------------------------------------------- views' shapes

struct Batch:
    batchIndex: uint256
    firstBlock: uint256
    lastBlock: uint256
    settlementRoot: bytes32
    commitment: bytes32
    totalCredit: uint256
    totalBurned: uint256
    inboxCursor: uint256
    committedAt: uint256
    finalAt: uint256
    final: bool

struct Message:
    index: uint256
    kind: uint8
    account: address
    amount: uint256
    jobId: bytes16
    l1Block: uint256

# ---------------------------------------------------------------- storage

token: public(immutable(IERC20))

owner: public(address)
pendingOwner: public(address)
sequencer: public(address)
signer: public(address)
isGuardian: public(HashMap[address, bool])
challengePeriod: public(uint256)
inboxConfirmations: public(uint256)
paused: public(bool)

# Inbox: message i is `inboxHead[i]` = kind << 248 | l1Block << 160 | account, and
# `inboxValue[i]` = the amount (deposit) or the jobId left-aligned (cancel).
inboxLength: public(uint256)
inboxHead: HashMap[uint256, uint256]
inboxValue: HashMap[uint256, bytes32]
totalDeposited: public(uint256)

# Batches: only indices below batchCount are live.
batchCount: public(uint256)
settlementRoots: HashMap[uint256, bytes32]
commitments: HashMap[uint256, bytes32]
# lastBlock | inboxCursor << 64 | committedAt << 128 | finalAt << 192
batchPositions: HashMap[uint256, uint256]
# totalCredit | totalBurned << 128
batchTotals: HashMap[uint256, uint256]
burnedOnL1: public(uint256)

claimed: public(HashMap[address, uint256])

cachedChainId: immutable(uint256)
cachedDomainSeparator: immutable(bytes32)


@deploy
def __init__(token_: IERC20, owner_: address, sequencer_: address, signer_: address,
             guardians_: DynArray[address, MAX_GUARDIANS], challengePeriod_: uint256,
             inboxConfirmations_: uint256):
    assert token_.address != empty(address), "EmethRollup: zero token"
    assert owner_ != empty(address), "EmethRollup: zero owner"
    assert sequencer_ != empty(address), "EmethRollup: zero sequencer"
    assert signer_ != empty(address), "EmethRollup: zero signer"
    assert challengePeriod_ <= MAX_CHALLENGE_PERIOD, "EmethRollup: challenge period too long"
    token = token_
    self.owner = owner_
    self.sequencer = sequencer_
    self.signer = signer_
    for g: address in guardians_:
        assert g != empty(address), "EmethRollup: zero guardian"
        self.isGuardian[g] = True
        log GuardianSet(guardian=g, enabled=True)
    self.challengePeriod = challengePeriod_
    self.inboxConfirmations = inboxConfirmations_
    cachedChainId = chain.id
    cachedDomainSeparator = self._buildDomainSeparator()
    log OwnershipTransferred(previousOwner=empty(address), newOwner=owner_)
    log SequencerSet(sequencer=sequencer_)
    log SignerSet(signer=signer_)
    log ChallengePeriodSet(seconds=challengePeriod_)
    log InboxConfirmationsSet(confirmations=inboxConfirmations_)

# ---------------------------------------------------------------- inbox

@external
def deposit(amount: uint256) -> uint256:
    """
    @notice Moves `amount` EMT from the caller into the rollup and queues its L2 credit.
    @return The inbox index of the message.
    """
    assert amount > 0, "EmethRollup: zero deposit"
    assert extcall token.transferFrom(msg.sender, self, amount, default_return_value=True), "EmethRollup: transfer failed"
    self.totalDeposited += amount
    return self._append(DEPOSIT, msg.sender, convert(amount, bytes32), amount, empty(bytes16))


@external
def requestCancel(jobId: bytes16) -> uint256:
    """
    @notice Asks the sequencer, through L1, to cancel the caller's REQUESTED job (the escape
            hatch when the sequencer ignores a CancelJob transaction).
    @return The inbox index of the message.
    """
    assert jobId != empty(bytes16), "EmethRollup: zero jobId"
    return self._append(CANCEL, msg.sender, convert(jobId, bytes32), 0, jobId)


@internal
def _append(kind: uint8, account: address, word: bytes32, amount: uint256, jobId: bytes16) -> uint256:
    index: uint256 = self.inboxLength
    self.inboxHead[index] = convert(kind, uint256) << 248 | block.number << 160 | convert(account, uint256)
    self.inboxValue[index] = word
    self.inboxLength = index + 1
    log InboxMessage(index=index, kind=kind, account=account, amount=amount, jobId=jobId, l1Block=block.number)
    return index

# ---------------------------------------------------------------- batches

@external
def commitBatch(batchIndex: uint256, firstBlock: uint256, lastBlock: uint256, lastBlockHash: bytes32,
                stateRoot: bytes32, settlementRoot: bytes32, totalCredit: uint256, totalBurned: uint256,
                inboxCursor: uint256, data: Bytes[MAX_BATCH_DATA]):
    """@notice Commits the sequencer's blocks firstBlock..lastBlock (DESIGN §8)."""
    assert not self.paused, "EmethRollup: paused"
    assert msg.sender == self.sequencer, "EmethRollup: not sequencer"
    assert batchIndex == self.batchCount, "EmethRollup: wrong batch index"
    prevLast: uint256 = 0
    prevCursor: uint256 = 0
    prevCredit: uint256 = 0
    prevBurned: uint256 = 0
    if batchIndex > 0:
        positions: uint256 = self.batchPositions[batchIndex - 1]
        totals: uint256 = self.batchTotals[batchIndex - 1]
        prevLast = positions & MASK64
        prevCursor = (positions >> 64) & MASK64
        prevCredit = totals & MASK128
        prevBurned = totals >> 128
    assert firstBlock == prevLast + 1, "EmethRollup: block range not contiguous"
    assert lastBlock >= firstBlock, "EmethRollup: empty block range"
    assert lastBlock <= MASK64, "EmethRollup: block number too large"
    assert totalCredit >= prevCredit, "EmethRollup: totalCredit decreased"
    assert totalBurned >= prevBurned, "EmethRollup: totalBurned decreased"
    assert inboxCursor >= prevCursor, "EmethRollup: inbox cursor decreased"
    assert inboxCursor <= self.inboxLength, "EmethRollup: inbox cursor beyond inbox"
    # Solvency counts what was really burned: a challenge cannot unburn (see the contract doc).
    burned: uint256 = self.burnedOnL1
    assert totalCredit + max(totalBurned, burned) <= self.totalDeposited, "EmethRollup: insolvent totals"
    if totalBurned > burned:
        self.burnedOnL1 = totalBurned
        extcall token.burn(totalBurned - burned)
        log Burned(amount=totalBurned - burned, burnedOnL1=totalBurned)

    dataHash: bytes32 = keccak256(data)
    finalAt: uint256 = block.timestamp + self.challengePeriod
    self.settlementRoots[batchIndex] = settlementRoot
    self.commitments[batchIndex] = keccak256(abi_encode(batchIndex, firstBlock, lastBlock, lastBlockHash, stateRoot,
                                                        settlementRoot, totalCredit, totalBurned, inboxCursor,
                                                        dataHash, block.timestamp))
    self.batchPositions[batchIndex] = lastBlock | inboxCursor << 64 | block.timestamp << 128 | finalAt << 192
    self.batchTotals[batchIndex] = totalCredit | totalBurned << 128
    self.batchCount = batchIndex + 1
    log BatchCommitted(batchIndex=batchIndex, firstBlock=firstBlock, lastBlock=lastBlock, lastBlockHash=lastBlockHash,
                       stateRoot=stateRoot, settlementRoot=settlementRoot, totalCredit=totalCredit,
                       totalBurned=totalBurned, inboxCursor=inboxCursor, dataHash=dataHash,
                       committedAt=block.timestamp, finalAt=finalAt)


@external
def challenge(batchIndex: uint256):
    """
    @notice A guardian reverts a batch that is not final yet, and every later batch with it
            (they were built on it). The sequencer re-commits from batchIndex.
    """
    assert self.isGuardian[msg.sender], "EmethRollup: not guardian"
    count: uint256 = self.batchCount
    assert batchIndex < count, "EmethRollup: unknown batch"
    assert block.timestamp < self.batchPositions[batchIndex] >> 192, "EmethRollup: batch is final"
    self.batchCount = batchIndex
    log BatchReverted(fromBatch=batchIndex, toBatch=count - 1, guardian=msg.sender)

# ---------------------------------------------------------------- claims

@external
def claim(account: address, credit: uint256, batchIndex: uint256, proof: DynArray[bytes32, MAX_PROOF_DEPTH]) -> uint256:
    """
    @notice Pays `credit - claimed[account]` to `account` when (account, credit) is a leaf of
            final batch `batchIndex`'s settlement tree. Anyone may submit it for the account.
    @return The amount paid.
    """
    assert not self.paused, "EmethRollup: paused"
    assert batchIndex < self.batchCount, "EmethRollup: unknown batch"
    assert self.batchPositions[batchIndex] >> 192 <= block.timestamp, "EmethRollup: batch not final"
    computed: bytes32 = keccak256(keccak256(abi_encode(account, credit)))
    for sibling: bytes32 in proof:
        if convert(computed, uint256) < convert(sibling, uint256):
            computed = keccak256(concat(computed, sibling))
        else:
            computed = keccak256(concat(sibling, computed))
    assert computed == self.settlementRoots[batchIndex], "EmethRollup: invalid proof"
    return self._pay(account, credit, CLAIM_BY_PROOF, batchIndex)


@external
def claimWithTicket(account: address, credit: uint256, blockNumber: uint256, signature: Bytes[65]) -> uint256:
    """
    @notice Pays `credit - claimed[account]` to `account` on the Signer's EIP-712 Ticket
            (DESIGN §7), without waiting for a batch. Anyone may submit it for the account.
    @return The amount paid.
    """
    assert not self.paused, "EmethRollup: paused"
    assert len(signature) == 65, "EmethRollup: signature must be 65 bytes"
    r: uint256 = convert(slice(signature, 0, 32), uint256)
    s: uint256 = convert(slice(signature, 32, 32), uint256)
    v: uint256 = convert(slice(signature, 64, 1), uint256)
    assert v == 27 or v == 28, "EmethRollup: signature v must be 27 or 28"
    assert s <= HALF_CURVE_ORDER, "EmethRollup: high-s signature"
    structHash: bytes32 = keccak256(abi_encode(TICKET_TYPEHASH, account, credit, blockNumber))
    digest: bytes32 = keccak256(concat(b"\x19\x01", self._domainSeparator(), structHash))
    recovered: address = ecrecover(digest, v, r, s)
    assert recovered != empty(address) and recovered == self.signer, "EmethRollup: invalid ticket signature"
    return self._pay(account, credit, CLAIM_BY_TICKET, blockNumber)


@internal
def _pay(account: address, credit: uint256, method: uint8, reference: uint256) -> uint256:
    already: uint256 = self.claimed[account]
    assert credit > already, "EmethRollup: nothing to claim"
    amount: uint256 = credit - already
    self.claimed[account] = credit
    assert extcall token.transfer(account, amount, default_return_value=True), "EmethRollup: transfer failed"
    log Claimed(account=account, amount=amount, credit=credit, method=method, reference=reference)
    return amount

# ---------------------------------------------------------------- admin

@internal
def _onlyOwner():
    assert msg.sender == self.owner, "EmethRollup: not owner"


@external
def setSequencer(sequencer_: address):
    self._onlyOwner()
    assert sequencer_ != empty(address), "EmethRollup: zero sequencer"
    self.sequencer = sequencer_
    log SequencerSet(sequencer=sequencer_)


@external
def setSigner(signer_: address):
    """@dev Tickets of the old signer stop being accepted at once."""
    self._onlyOwner()
    assert signer_ != empty(address), "EmethRollup: zero signer"
    self.signer = signer_
    log SignerSet(signer=signer_)


@external
def setGuardian(guardian: address, enabled: bool):
    self._onlyOwner()
    assert guardian != empty(address), "EmethRollup: zero guardian"
    self.isGuardian[guardian] = enabled
    log GuardianSet(guardian=guardian, enabled=enabled)


@external
def setChallengePeriod(seconds: uint256):
    """@dev Applies to batches committed from now on; committed batches keep their finalAt."""
    self._onlyOwner()
    assert seconds <= MAX_CHALLENGE_PERIOD, "EmethRollup: challenge period too long"
    self.challengePeriod = seconds
    log ChallengePeriodSet(seconds=seconds)


@external
def setInboxConfirmations(confirmations: uint256):
    self._onlyOwner()
    self.inboxConfirmations = confirmations
    log InboxConfirmationsSet(confirmations=confirmations)


@external
def pause():
    """@notice Stops commits and claims. The owner or any guardian may pause; only the owner unpauses."""
    assert msg.sender == self.owner or self.isGuardian[msg.sender], "EmethRollup: not owner or guardian"
    assert not self.paused, "EmethRollup: already paused"
    self.paused = True
    log Paused(by=msg.sender)


@external
def unpause():
    self._onlyOwner()
    assert self.paused, "EmethRollup: not paused"
    self.paused = False
    log Unpaused(by=msg.sender)


@external
def transferOwnership(newOwner: address):
    """@notice First step of a two-step transfer: `newOwner` must call acceptOwnership."""
    self._onlyOwner()
    self.pendingOwner = newOwner
    log OwnershipTransferStarted(previousOwner=self.owner, newOwner=newOwner)


@external
def acceptOwnership():
    assert msg.sender == self.pendingOwner and msg.sender != empty(address), "EmethRollup: not pending owner"
    log OwnershipTransferred(previousOwner=self.owner, newOwner=msg.sender)
    self.owner = msg.sender
    self.pendingOwner = empty(address)

# ---------------------------------------------------------------- views

@view
@internal
def _buildDomainSeparator() -> bytes32:
    return keccak256(abi_encode(DOMAIN_TYPEHASH, DOMAIN_NAME_HASH, DOMAIN_VERSION_HASH, chain.id, self))


@view
@internal
def _domainSeparator() -> bytes32:
    # Recomputed if the chain forked to another id, so tickets never cross chains.
    if chain.id == cachedChainId:
        return cachedDomainSeparator
    return self._buildDomainSeparator()


@view
@external
def domainSeparator() -> bytes32:
    return self._domainSeparator()


@view
@external
def ticketDigest(account: address, credit: uint256, blockNumber: uint256) -> bytes32:
    """@notice The EIP-712 digest the Signer signs for a Ticket (for clients to cross-check)."""
    structHash: bytes32 = keccak256(abi_encode(TICKET_TYPEHASH, account, credit, blockNumber))
    return keccak256(concat(b"\x19\x01", self._domainSeparator(), structHash))


@view
@internal
def _batch(batchIndex: uint256) -> Batch:
    assert batchIndex < self.batchCount, "EmethRollup: unknown batch"
    positions: uint256 = self.batchPositions[batchIndex]
    totals: uint256 = self.batchTotals[batchIndex]
    first: uint256 = 1
    if batchIndex > 0:
        first = (self.batchPositions[batchIndex - 1] & MASK64) + 1
    return Batch(batchIndex=batchIndex, firstBlock=first, lastBlock=positions & MASK64,
                 settlementRoot=self.settlementRoots[batchIndex], commitment=self.commitments[batchIndex],
                 totalCredit=totals & MASK128, totalBurned=totals >> 128,
                 inboxCursor=(positions >> 64) & MASK64, committedAt=(positions >> 128) & MASK64,
                 finalAt=positions >> 192, final=positions >> 192 <= block.timestamp)


@view
@external
def getBatch(batchIndex: uint256) -> Batch:
    return self._batch(batchIndex)


@view
@external
def latestBatch() -> Batch:
    count: uint256 = self.batchCount
    assert count > 0, "EmethRollup: no batches"
    return self._batch(count - 1)


@view
@external
def isFinal(batchIndex: uint256) -> bool:
    return batchIndex < self.batchCount and self.batchPositions[batchIndex] >> 192 <= block.timestamp


@view
@external
def lastFinalBatch() -> (bool, uint256):
    """@return (found, index) of the newest final batch. Finality times grow with the index
               unless the challenge period was shortened, so this searches back from the head."""
    count: uint256 = self.batchCount
    for k: uint256 in range(256):
        if k >= count:
            break
        i: uint256 = count - 1 - k
        if self.batchPositions[i] >> 192 <= block.timestamp:
            return True, i
    return False, 0


@view
@external
def nextBlock() -> uint256:
    """@return The first block number the next batch must start at."""
    count: uint256 = self.batchCount
    if count == 0:
        return 1
    return (self.batchPositions[count - 1] & MASK64) + 1


@view
@external
def inboxMessage(index: uint256) -> Message:
    assert index < self.inboxLength, "EmethRollup: unknown inbox message"
    head: uint256 = self.inboxHead[index]
    value: bytes32 = self.inboxValue[index]
    kind: uint8 = convert(head >> 248, uint8)
    amount: uint256 = 0
    jobId: bytes16 = empty(bytes16)
    if kind == DEPOSIT:
        amount = convert(value, uint256)
    else:
        jobId = convert(slice(value, 0, 16), bytes16)
    return Message(index=index, kind=kind, account=convert(head & (2**160 - 1), address), amount=amount,
                   jobId=jobId, l1Block=(head >> 160) & (2**88 - 1))
