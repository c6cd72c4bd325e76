# pragma version 0.4.3
"""
@title EmethRollup
@notice The L1 side of the EMETH rollup (docs/PROTOCOL.md §3–9): the inbox (deposits, cancel requests
        and forced transactions), batch commitments posted by the sequencer, finality after a
        challenge period, guardian challenges, and cumulative claims by Merkle proof or Signer
        ticket. Every payout is bounded by the newest committed batch's totalCredit, ticket
        payouts are rate-limited, burns happen only for final batches, and owner powers other
        than pause are timelocked (Contracts/README.md, docs/PROTOCOL.md §9). If the sequencer
        stays silent for escapeDelay, the escape hatch pays every account, open job and
        unincluded deposit out of the newest batch's state by inclusion proof (PROTOCOL §9.1).
@dev Storage is laid out for the claim paths' gas:
     - `core`    = signer | paused << 160 | escape << 161 | escapeRootProven << 162
                   | ticketWindow << 163 | limitDigits << 188 | limitExponent << 212
                   | lastBlock << 216
                   (everything a ticket claim reads except its own account, in one slot; the
                   ticket limit is limitDigits × 10^limitExponent gholon, 1 gholon = 10^9 wei);
     - `payout`  = headroom + BIAS | windowIndex << 104 | usedInWindow << 120
                   | usedInPreviousWindow << 188
                   (written by every claim: the committed-credit bound and the rate limit,
                   whose use is counted in gholon, each ticket rounded up, so that moving to a
                   new window rewrites only this slot).
     headroom = totalCredit of the newest committed batch − totalClaimed. It is kept instead of
     totalClaimed so that a claim needs no second slot for the head's credit; it becomes
     negative when a challenge lowers the head's credit below what was already paid, and then
     every payout reverts until commits raise the credit again.
     Each batch costs four fresh slots (settlement root, commitment hash, packed
     block/cursor/time fields, packed totals). A challenge only lowers `batchCount`; records
     past it are dead and are overwritten by the next commits.
"""

interface IERC20:
    def transferFrom(sender: address, receiver: address, amount: uint256) -> bool: nonpayable
    def transfer(receiver: address, amount: uint256) -> bool: nonpayable
    def burn(amount: uint256): nonpayable

# ---------------------------------------------------------------- constants

DEPOSIT: constant(uint8) = 1
CANCEL: constant(uint8) = 2
FORCED_TX: constant(uint8) = 3
CLAIM_BY_PROOF: constant(uint8) = 1
CLAIM_BY_TICKET: constant(uint8) = 2

# Timelocked change kinds (ChangeScheduled.kind).
CHANGE_SIGNER: constant(uint8) = 1
CHANGE_SEQUENCER: constant(uint8) = 2
CHANGE_GUARDIAN: constant(uint8) = 3
CHANGE_CHALLENGE_PERIOD: constant(uint8) = 4
CHANGE_INBOX_CONFIRMATIONS: constant(uint8) = 5
CHANGE_TICKET_LIMIT: constant(uint8) = 6
CHANGE_FORCE_INCLUSION_DELAY: constant(uint8) = 7

# Vyper reserves memory for the largest `data`, and that memory costs gas on every commit
# (43k gas at 124 KiB, 14k at 64 KiB); 64 KiB keeps it small against the 16 gas per byte
# of calldata a full batch pays. The batch poster splits batches to fit.
MAX_BATCH_DATA: constant(uint256) = 65536
MAX_FORCED_TX: constant(uint256) = 16384
MAX_PROOF_DEPTH: constant(uint256) = 64
# State-tree proofs (PROTOCOL §4.1) have at most 256 siblings; honest trees are ~log2(n) deep,
# but keys sharing a long prefix (ground addresses) can push a leaf deeper, and no leaf may be
# unprovable.
MAX_STATE_PROOF_DEPTH: constant(uint256) = 256
MAX_GUARDIANS: constant(uint256) = 16
MAX_CHALLENGE_PERIOD: constant(uint256) = 30 * 86400
MAX_FORCE_INCLUSION_DELAY: constant(uint256) = 30 * 86400
MAX_TICKET_WINDOW: constant(uint256) = 365 * 86400  # < 2**25, its width in `core`
# Batches whose burn a commit settles at most (settleBurns catches up any backlog).
BURN_STEPS_PER_COMMIT: constant(uint256) = 4

# secp256k1n / 2: signatures with a larger s are malleable copies and are refused.
HALF_CURVE_ORDER: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168

DOMAIN_TYPEHASH: constant(bytes32) = keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
TICKET_TYPEHASH: constant(bytes32) = keccak256("Ticket(address account,uint256 credit,uint256 blockNumber)")
DOMAIN_NAME_HASH: constant(bytes32) = keccak256("EMETH L2")
DOMAIN_VERSION_HASH: constant(bytes32) = keccak256("1")

MASK4: constant(uint256) = 2**4 - 1
MASK16: constant(uint256) = 2**16 - 1
MASK24: constant(uint256) = 2**24 - 1
MASK25: constant(uint256) = 2**25 - 1
MASK32: constant(uint256) = 2**32 - 1
MASK40: constant(uint256) = 2**40 - 1
MASK48: constant(uint256) = 2**48 - 1
MASK64: constant(uint256) = 2**64 - 1
MASK96: constant(uint256) = 2**96 - 1
MASK128: constant(uint256) = 2**128 - 1
MASK160: constant(uint256) = 2**160 - 1
MASK104: constant(uint256) = 2**104 - 1
# Block numbers are packed in 40 bits of `core`.
MAX_BLOCK: constant(uint256) = 2**40 - 1
# totalDeposited (hence every total and every claim) stays below 2**103, so the headroom,
# which lies in (-2**103, 2**103), is stored biased by 2**103 in 104 bits.
MAX_TOTAL: constant(uint256) = 2**103 - 1
BIAS: constant(uint256) = 2**103
# Ticket rate-limit use is counted in gholon (each ticket rounded up), in 68-bit fields; the
# limit is stored as up to 7 significant digits (digits < 2**24) times a power of ten.
GHOLON: constant(uint256) = 10**9
MASK68: constant(uint256) = 2**68 - 1
MAX_TICKET_LIMIT_GHOLON: constant(uint256) = 2**67
PAUSED_BIT: constant(uint256) = 1 << 160
# Escape mode (in `core` and in `inboxState`), and "the escape state root is known" (in `core`).
ESCAPE_BIT: constant(uint256) = 1 << 161
ESCAPE_ROOT_BIT: constant(uint256) = 1 << 162
INBOX_ESCAPE_BIT: constant(uint256) = 1 << 255
# claimed[account] carries this bit once the account escaped (its low bits are then the part of
# earlier payouts that no escape entitlement has absorbed yet).
ESCAPED: constant(uint256) = 1 << 255
MASK255: constant(uint256) = 2**255 - 1
# Job statuses that hold no funds (PROTOCOL §3): VERIFIED 4 … COMPLETED 10.
FIRST_TERMINAL_STATUS: constant(uint8) = 4

# ---------------------------------------------------------------- events

event InboxMessage:
    index: indexed(uint256)
    kind: uint8
    account: indexed(address)
    amount: uint256
    jobId: bytes16
    l1Block: uint256
    timestamp: uint256
    data: Bytes[MAX_FORCED_TX]

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

event EscapeActivated:
    at: uint256

event EscapeRootProven:
    batchIndex: indexed(uint256)
    stateRoot: bytes32

event AccountEscaped:
    account: indexed(address)
    balance: uint256
    credit: uint256
    paid: uint256

event JobEscaped:
    jobId: indexed(bytes16)
    owner: indexed(address)
    escrowPaid: uint256
    node: indexed(address)
    nodeDepositPaid: uint256

event DepositRefunded:
    index: indexed(uint256)
    recipient: indexed(address)
    amount: uint256
    paid: uint256

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

event TicketLimitSet:
    limit: uint256
    window: uint256

event ForceInclusionDelaySet:
    seconds: uint256

event ChangeScheduled:
    id: indexed(uint256)
    kind: uint8
    account: address
    value: uint256
    extra: uint256
    executableAt: uint256

event ChangeExecuted:
    id: indexed(uint256)

event ChangeCancelled:
    id: indexed(uint256)

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
    timestamp: uint256
    dataHash: bytes32

# A job record in the order of its abi encoding (PROTOCOL §4).
struct JobRecord:
    id: bytes16
    owner: address
    parentJob: bytes16
    programId: uint256
    numParallel: uint256
    numEpoch: uint256
    dataset: bytes32
    param: bytes32
    fuelLimit: uint256
    fuelPrice: uint256
    deadline: uint256
    status: uint8
    node: address
    fuelUsed: uint256
    result: bytes32
    escrow: uint256
    nodeDeposit: uint256
    childCount: uint256
    verifiedChildren: uint256
    createdAt: uint256
    updatedAt: uint256

struct Change:
    kind: uint8
    account: address
    value: uint256
    extra: uint256
    executableAt: uint256

# ---------------------------------------------------------------- storage

token: public(immutable(IERC20))
# Fixed at deploy and at least the challenge period: a scheduled change can be seen, and a
# batch committed before it can become final, before the change applies.
changeDelay: public(immutable(uint256))

owner: public(address)
pendingOwner: public(address)
sequencer: public(address)
isGuardian: public(HashMap[address, bool])
challengePeriod: public(uint256)
inboxConfirmations: public(uint256)
forceInclusionDelay: public(uint256)

# signer | paused << 160 | escape << 161 | escapeRootProven << 162 | ticketWindow << 163 |
# ticket limit (digits << 188 | exponent << 212) | lastBlock of the newest committed batch << 216
core: uint256
# headroom + BIAS | (windowIndex mod 2**16) << 104 | gholon used in that window << 120 |
# gholon used in the window before it << 188
payout: uint256

# Inbox: inboxState = inboxLength | INBOX_ESCAPE_BIT (escape mode, so that the inbox entry
# points need no second slot to refuse). Message i is `inboxHead[i]` = kind << 248 | timestamp << 208 | l1Block << 160 |
# account, and `inboxValue[i]` = the amount (deposit), the jobId left-aligned (cancel) or the
# keccak256 of the transaction (forced transaction).
inboxState: uint256
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
# burnedOnL1 | burnSettled << 128: batches below burnSettled are final and burned for.
burnState: uint256

# What claims paid each account (cumulative credit). In escape mode it is the account's
# running debt that escape payouts are netted against; bit 255 (ESCAPED) marks an account
# that escaped.
claimed: public(HashMap[address, uint256])

# Timelock: ids start at 1.
lastChangeId: public(uint256)
changes: HashMap[uint256, Change]

# Escape mode: seconds without a commit after which anyone may switch to it (fixed at deploy;
# kept in storage, not code, for the contract size limit), the time of deployment or of the
# last challenge (the silence clock also restarts there), the stateRoot of the newest batch
# (final at activation) once proven, and the jobs paid out.
escapeDelay: public(uint256)
silentSince: uint256
escapeRoot: public(bytes32)
jobEscaped: public(HashMap[bytes16, bool])

cachedChainId: immutable(uint256)
cachedDomainSeparator: immutable(bytes32)


@deploy
def __init__(token_: IERC20, owner_: address, sequencer_: address, signer_: address,
             guardians_: DynArray[address, MAX_GUARDIANS], challengePeriod_: uint256,
             inboxConfirmations_: uint256, changeDelay_: uint256, ticketLimit_: uint256,
             ticketWindow_: uint256, forceInclusionDelay_: uint256, escapeDelay_: uint256):
    assert token_.address != empty(address), "EmethRollup: zero token"
    assert owner_ != empty(address), "EmethRollup: zero owner"
    assert sequencer_ != empty(address), "EmethRollup: zero sequencer"
    assert signer_ != empty(address), "EmethRollup: zero signer"
    assert challengePeriod_ <= MAX_CHALLENGE_PERIOD, "EmethRollup: challenge period too long"
    assert changeDelay_ >= challengePeriod_, "EmethRollup: change delay shorter than challenge period"
    rate: uint256 = self._encodeTicketLimit(ticketLimit_, ticketWindow_)
    assert forceInclusionDelay_ <= MAX_FORCE_INCLUSION_DELAY, "EmethRollup: force inclusion delay too long"
    assert escapeDelay_ >= challengePeriod_, "EmethRollup: escape delay shorter than challenge period"
    token = token_
    changeDelay = changeDelay_
    self.escapeDelay = escapeDelay_
    self.silentSince = block.timestamp
    self.owner = owner_
    self.sequencer = sequencer_
    self.core = convert(signer_, uint256) | rate
    self.payout = BIAS | ((block.timestamp // ticketWindow_) & MASK16) << 104
    for g: address in guardians_:
        assert g != empty(address), "EmethRollup: zero guardian"
        self.isGuardian[g] = True
        log GuardianSet(guardian=g, enabled=True)
    self.challengePeriod = challengePeriod_
    self.inboxConfirmations = inboxConfirmations_
    self.forceInclusionDelay = forceInclusionDelay_
    cachedChainId = chain.id
    cachedDomainSeparator = self._buildDomainSeparator()
    log OwnershipTransferred(previousOwner=empty(address), newOwner=owner_)
    log SequencerSet(sequencer=sequencer_)
    log SignerSet(signer=signer_)
    log ChallengePeriodSet(seconds=challengePeriod_)
    log InboxConfirmationsSet(confirmations=inboxConfirmations_)
    log TicketLimitSet(limit=ticketLimit_, window=ticketWindow_)
    log ForceInclusionDelaySet(seconds=forceInclusionDelay_)

# ---------------------------------------------------------------- inbox

@external
def deposit(amount: uint256) -> uint256:
    """
    @notice Moves `amount` EMT from the caller into the rollup and queues its L2 credit to
            the caller.
    @return The inbox index of the message.
    """
    return self._deposit(msg.sender, amount)


@external
def depositFor(recipient: address, amount: uint256) -> uint256:
    """
    @notice Moves `amount` EMT from the caller into the rollup and queues its L2 credit to
            `recipient` (for contract wallets, whose address may not exist on L2).
    @return The inbox index of the message.
    """
    assert recipient != empty(address), "EmethRollup: zero recipient"
    return self._deposit(recipient, amount)


@internal
def _deposit(recipient: address, amount: uint256) -> uint256:
    assert amount > 0, "EmethRollup: zero deposit"
    total: uint256 = self.totalDeposited + amount
    assert total <= MAX_TOTAL, "EmethRollup: deposit cap exceeded"
    assert extcall token.transferFrom(msg.sender, self, amount, default_return_value=True), "EmethRollup: transfer failed"
    self.totalDeposited = total
    return self._append(DEPOSIT, recipient, convert(amount, bytes32), amount, empty(bytes16))


@external
def requestCancel(jobId: bytes16) -> uint256:
    """
    @notice Asks the sequencer, through L1, to cancel the caller's REQUESTED job (the escape
            hatch when the sequencer ignores a CancelJob transaction).
    @return The inbox index of the message.
    """
    assert jobId != empty(bytes16), "EmethRollup: zero jobId"
    return self._append(CANCEL, msg.sender, convert(jobId, bytes32), 0, jobId)


@external
def forceTransaction(transaction: Bytes[MAX_FORCED_TX]) -> uint256:
    """
    @notice Queues an L2 transaction (its binary batch form, opaque to this contract) that
            the sequencer must apply, in inbox order, within forceInclusionDelay seconds, or
            it cannot commit any batch. The L2 decides whether the transaction is valid.
    @return The inbox index of the message.
    """
    assert len(transaction) > 0, "EmethRollup: empty transaction"
    index: uint256 = self._inboxLength()
    self.inboxHead[index] = convert(FORCED_TX, uint256) << 248 | block.timestamp << 208 | block.number << 160 | convert(msg.sender, uint256)
    self.inboxValue[index] = keccak256(transaction)
    self.inboxState = index + 1
    log InboxMessage(index=index, kind=FORCED_TX, account=msg.sender, amount=0, jobId=empty(bytes16),
                     l1Block=block.number, timestamp=block.timestamp, data=transaction)
    return index


@view
@internal
def _inboxLength() -> uint256:
    """The inbox length, or a revert once escape mode closed the inbox (a deposit's transfer
    reverts with it)."""
    state: uint256 = self.inboxState
    assert state & INBOX_ESCAPE_BIT == 0, "EmethRollup: escape mode"
    return state


@internal
def _append(kind: uint8, account: address, word: bytes32, amount: uint256, jobId: bytes16) -> uint256:
    index: uint256 = self._inboxLength()
    self.inboxHead[index] = convert(kind, uint256) << 248 | block.timestamp << 208 | block.number << 160 | convert(account, uint256)
    self.inboxValue[index] = word
    self.inboxState = index + 1
    log InboxMessage(index=index, kind=kind, account=account, amount=amount, jobId=jobId, l1Block=block.number,
                     timestamp=block.timestamp, data=b"")
    return index

# ---------------------------------------------------------------- batches

@external
def commitBatch(batchIndex: uint256, firstBlock: uint256, lastBlock: uint256, lastBlockHash: bytes32,
                stateRoot: bytes32, settlementRoot: bytes32, totalCredit: uint256, totalBurned: uint256,
                inboxCursor: uint256, data: Bytes[MAX_BATCH_DATA]):
    """@notice Commits the sequencer's blocks firstBlock..lastBlock (docs/PROTOCOL.md §7, PROTOCOL §9)."""
    core: uint256 = self._live()
    assert msg.sender == self.sequencer, "EmethRollup: not sequencer"
    assert batchIndex == self.batchCount, "EmethRollup: wrong batch index"
    prevLast: uint256 = 0
    prevCursor: uint256 = 0
    prevCredit: uint256 = 0
    prevBurned: uint256 = 0
    prevFinalAt: uint256 = 0
    if batchIndex > 0:
        positions: uint256 = self.batchPositions[batchIndex - 1]
        totals: uint256 = self.batchTotals[batchIndex - 1]
        prevLast = positions & MASK64
        prevCursor = (positions >> 64) & MASK64
        prevFinalAt = positions >> 192
        prevCredit = totals & MASK128
        prevBurned = totals >> 128
    assert firstBlock == prevLast + 1, "EmethRollup: block range not contiguous"
    assert lastBlock >= firstBlock, "EmethRollup: empty block range"
    assert lastBlock <= MAX_BLOCK, "EmethRollup: block number too large"
    assert totalCredit >= prevCredit, "EmethRollup: totalCredit decreased"
    assert totalBurned >= prevBurned, "EmethRollup: totalBurned decreased"
    assert inboxCursor >= prevCursor, "EmethRollup: inbox cursor decreased"
    length: uint256 = self.inboxState & MASK128
    assert inboxCursor <= length, "EmethRollup: inbox cursor beyond inbox"
    # Forced inclusion: the first message the batch leaves out must not be overdue (later
    # messages are younger).
    if inboxCursor < length:
        appendedAt: uint256 = (self.inboxHead[inboxCursor] >> 208) & MASK40
        assert appendedAt + self.forceInclusionDelay >= block.timestamp, "EmethRollup: inbox message overdue"
    # Nothing is burned before its batch is final, so the totals alone must be covered
    # (totalDeposited ≤ MAX_TOTAL bounds both).
    assert totalCredit + totalBurned <= self.totalDeposited, "EmethRollup: insolvent totals"

    # Settle the burns of batches that became final (a few per commit).
    burnState: uint256 = self.burnState
    settled: uint256 = burnState >> 128
    target: uint256 = settled
    for k: uint256 in range(BURN_STEPS_PER_COMMIT):
        if target >= batchIndex or self.batchPositions[target] >> 192 > block.timestamp:
            break
        target += 1
    if target > settled:
        self._burnTo(target, burnState)

    dataHash: bytes32 = keccak256(data)
    finalAt: uint256 = max(block.timestamp + self.challengePeriod, prevFinalAt)
    self.settlementRoots[batchIndex] = settlementRoot
    self.commitments[batchIndex] = keccak256(abi_encode(batchIndex, firstBlock, lastBlock, lastBlockHash, stateRoot,
                                                        settlementRoot, totalCredit, totalBurned, inboxCursor,
                                                        dataHash, block.timestamp))
    self.batchPositions[batchIndex] = lastBlock | inboxCursor << 64 | block.timestamp << 128 | finalAt << 192
    self.batchTotals[batchIndex] = totalCredit | totalBurned << 128
    self.batchCount = batchIndex + 1
    self.core = (core & (2**216 - 1)) | lastBlock << 216
    # The head's credit rose by totalCredit − prevCredit, and so does the headroom.
    self.payout += totalCredit - prevCredit
    log BatchCommitted(batchIndex=batchIndex, firstBlock=firstBlock, lastBlock=lastBlock, lastBlockHash=lastBlockHash,
                       stateRoot=stateRoot, settlementRoot=settlementRoot, totalCredit=totalCredit,
                       totalBurned=totalBurned, inboxCursor=inboxCursor, dataHash=dataHash,
                       committedAt=block.timestamp, finalAt=finalAt)


@external
def challenge(batchIndex: uint256):
    """
    @notice A guardian reverts a batch that is not final yet, and every later batch with it
            (they were built on it). The sequencer re-commits from batchIndex. Finality times
            never decrease with the index, so no final batch is ever reverted.
    """
    assert self.isGuardian[msg.sender], "EmethRollup: not guardian"
    count: uint256 = self.batchCount
    assert batchIndex < count, "EmethRollup: unknown batch"
    assert block.timestamp < self.batchPositions[batchIndex] >> 192, "EmethRollup: batch is final"
    newLast: uint256 = 0
    newCredit: uint256 = 0
    if batchIndex > 0:
        newLast = self.batchPositions[batchIndex - 1] & MASK64
        newCredit = self.batchTotals[batchIndex - 1] & MASK128
    oldCredit: uint256 = self.batchTotals[count - 1] & MASK128
    self.batchCount = batchIndex
    self.silentSince = block.timestamp
    self.core = (self.core & (2**216 - 1)) | newLast << 216
    # Lowers the headroom by the credit the head loses; it may become negative (stays ≥ −2**103).
    self.payout -= oldCredit - newCredit
    log BatchReverted(fromBatch=batchIndex, toBatch=count - 1, guardian=msg.sender)


@external
def settleBurns() -> uint256:
    """
    @notice Burns up to the totalBurned of the newest final batch (commits do this a few
            batches at a time; anyone may catch up at once).
    @return The amount burned now.
    """
    assert self.core & PAUSED_BIT == 0, "EmethRollup: paused"
    burnState: uint256 = self.burnState
    found: bool = False
    index: uint256 = 0
    found, index = self._lastFinal(burnState >> 128)
    if not found or index + 1 <= burnState >> 128:
        return 0
    return self._burnTo(index + 1, burnState)


@internal
def _burnTo(settled: uint256, burnState: uint256) -> uint256:
    """Burns up to the totalBurned of batch settled − 1 (final) and records `settled`."""
    target: uint256 = self.batchTotals[settled - 1] >> 128
    burned: uint256 = burnState & MASK128
    amount: uint256 = 0
    if target > burned:
        amount = target - burned
        burned = target
    self.burnState = burned | settled << 128
    if amount > 0:
        extcall token.burn(amount)
        log Burned(amount=amount, burnedOnL1=burned)
    return amount

# ---------------------------------------------------------------- claims

@external
def claim(account: address, credit: uint256, batchIndex: uint256, proof: DynArray[bytes32, MAX_PROOF_DEPTH]) -> uint256:
    """
    @notice Pays `credit - claimed[account]` to `account` when (account, credit) is a leaf of
            final batch `batchIndex`'s settlement tree. Anyone may submit it for the account.
    @return The amount paid.
    """
    assert self.core & PAUSED_BIT == 0, "EmethRollup: paused"
    assert batchIndex < self.batchCount, "EmethRollup: unknown batch"
    assert self.batchPositions[batchIndex] >> 192 <= block.timestamp, "EmethRollup: batch not final"
    computed: bytes32 = keccak256(keccak256(abi_encode(account, credit)))
    for sibling: bytes32 in proof:
        if convert(computed, uint256) < convert(sibling, uint256):
            computed = keccak256(concat(computed, sibling))
        else:
            computed = keccak256(concat(sibling, computed))
    assert computed == self.settlementRoots[batchIndex], "EmethRollup: invalid proof"
    amount: uint256 = self._take(account, credit)
    self.payout = self._bounded(self.payout, amount)
    return self._send(account, amount, credit, CLAIM_BY_PROOF, batchIndex)


@external
def claimWithTicket(account: address, credit: uint256, blockNumber: uint256, signature: Bytes[65]) -> uint256:
    """
    @notice Pays `credit - claimed[account]` to `account` on the Signer's EIP-712 Ticket
            (docs/PROTOCOL.md §5–6) for a committed block, without waiting for finality, within the
            ticket rate limit. Anyone may submit it for the account.
    @return The amount paid.
    """
    core: uint256 = self._live()
    assert len(signature) == 65, "EmethRollup: signature must be 65 bytes"
    r: uint256 = convert(slice(signature, 0, 32), uint256)
    s: uint256 = convert(slice(signature, 32, 32), uint256)
    v: uint256 = convert(slice(signature, 64, 1), uint256)
    assert v == 27 or v == 28, "EmethRollup: signature v must be 27 or 28"
    assert s <= HALF_CURVE_ORDER, "EmethRollup: high-s signature"
    structHash: bytes32 = keccak256(abi_encode(TICKET_TYPEHASH, account, credit, blockNumber))
    digest: bytes32 = keccak256(concat(b"\x19\x01", self._domainSeparator(), structHash))
    recovered: address = ecrecover(digest, v, r, s)
    assert recovered != empty(address) and convert(recovered, uint256) == core & MASK160, "EmethRollup: invalid ticket signature"
    assert blockNumber <= core >> 216, "EmethRollup: block not committed"
    amount: uint256 = self._take(account, credit)
    payout: uint256 = self._bounded(self.payout, amount)
    index: uint256 = 0
    used: uint256 = 0
    previous: uint256 = 0
    index, used, previous = self._ticketUse(core, payout)
    used += (amount + GHOLON - 1) // GHOLON
    assert previous + used <= self._limitGholon(core), "EmethRollup: ticket rate limit"
    self.payout = (payout & MASK104) | index << 104 | used << 120 | previous << 188
    return self._send(account, amount, credit, CLAIM_BY_TICKET, blockNumber)


@view
@internal
def _live() -> uint256:
    """`core`, or a revert in escape mode or while paused."""
    core: uint256 = self.core
    assert core & ESCAPE_BIT == 0, "EmethRollup: escape mode"
    assert core & PAUSED_BIT == 0, "EmethRollup: paused"
    return core


@internal
def _take(account: address, credit: uint256) -> uint256:
    already: uint256 = self.claimed[account]
    assert credit > already, "EmethRollup: nothing to claim"
    self.claimed[account] = credit
    return credit - already


@pure
@internal
def _bounded(payout: uint256, amount: uint256) -> uint256:
    """Takes `amount` from the headroom: totalClaimed never exceeds the head's totalCredit."""
    assert payout & MASK104 >= BIAS + amount, "EmethRollup: payout exceeds committed credit"
    return payout - amount


@internal
def _transfer(account: address, amount: uint256):
    assert extcall token.transfer(account, amount, default_return_value=True), "EmethRollup: transfer failed"


@internal
def _send(account: address, amount: uint256, credit: uint256, method: uint8, reference: uint256) -> uint256:
    self._transfer(account, amount)
    log Claimed(account=account, amount=amount, credit=credit, method=method, reference=reference)
    return amount


@view
@internal
def _ticketUse(core: uint256, payout: uint256) -> (uint256, uint256, uint256):
    """
    The current aligned window's index (mod 2**16) and the gholon tickets used in it and in
    the window before it. Moving on, the window just left becomes the previous one if adjacent,
    else nothing is carried. An index that wrapped around 2**16 can only be read as more use,
    never less.
    """
    index: uint256 = (block.timestamp // ((core >> 163) & MASK25)) & MASK16
    stored: uint256 = (payout >> 104) & MASK16
    used: uint256 = (payout >> 120) & MASK68
    if index == stored:
        return index, used, payout >> 188
    if (index + 2**16 - stored) & MASK16 == 1:
        return index, 0, used
    return index, 0, 0


@pure
@internal
def _limitGholon(core: uint256) -> uint256:
    return ((core >> 188) & MASK24) * pow_mod256(10, (core >> 212) & MASK4)

# ---------------------------------------------------------------- escape hatch

@view
@internal
def _escapeActivatableAt() -> uint256:
    """The sequencer is silent escapeDelay seconds after the newest live batch was committed
       (or the contract deployed, or a guardian last challenged, whichever is newest), and no
       earlier than that batch is final, so the escape state is final."""
    since: uint256 = self.silentSince
    finalAt: uint256 = 0
    count: uint256 = self.batchCount
    if count > 0:
        positions: uint256 = self.batchPositions[count - 1]
        since = max(since, (positions >> 128) & MASK64)
        finalAt = positions >> 192
    return max(since + self.escapeDelay, finalAt)


@external
def activateEscape():
    """
    @notice Anyone switches the contract to escape mode, permanently, once the sequencer has
            been silent for escapeDelay seconds (escapeActivatableAt). From then on nothing
            enters the inbox and nothing is committed; every live batch is final, and the
            newest one's state is what escapeAccount and escapeJob pay out. Works while paused.
    """
    core: uint256 = self.core
    assert core & ESCAPE_BIT == 0, "EmethRollup: escape mode"
    assert block.timestamp >= self._escapeActivatableAt(), "EmethRollup: sequencer not silent"
    count: uint256 = self.batchCount
    flags: uint256 = ESCAPE_BIT
    if count == 0:
        # No batch: the escape state is the empty tree (escapeRoot stays ZERO).
        flags |= ESCAPE_ROOT_BIT
    self.core = core | flags
    self.inboxState |= INBOX_ESCAPE_BIT
    # Every live batch is final: burn up to the newest one's totalBurned.
    burnState: uint256 = self.burnState
    if count > burnState >> 128:
        self._burnTo(count, burnState)
    log EscapeActivated(at=block.timestamp)


@external
def proveEscapeRoot(stateRoot: bytes32, lastBlockHash: bytes32, dataHash: bytes32):
    """
    @notice Anyone supplies, once, the stateRoot of the newest batch (the escape batch), with
            the two other BatchCommitted fields the contract does not store; they must hash,
            with the stored fields, to the batch's commitment.
    """
    core: uint256 = self._escaping()
    assert core & ESCAPE_ROOT_BIT == 0, "EmethRollup: escape root already proven"
    index: uint256 = self.batchCount - 1
    positions: uint256 = self.batchPositions[index]
    totals: uint256 = self.batchTotals[index]
    first: uint256 = 1
    if index > 0:
        first = (self.batchPositions[index - 1] & MASK64) + 1
    commitment: bytes32 = keccak256(abi_encode(index, first, positions & MASK64, lastBlockHash, stateRoot,
                                               self.settlementRoots[index], totals & MASK128, totals >> 128,
                                               (positions >> 64) & MASK64, dataHash, (positions >> 128) & MASK64))
    assert commitment == self.commitments[index], "EmethRollup: fields do not match the batch"
    self.escapeRoot = stateRoot
    self.core = core | ESCAPE_ROOT_BIT
    log EscapeRootProven(batchIndex=index, stateRoot=stateRoot)


@view
@internal
def _escaping() -> uint256:
    """`core`, or a revert unless in escape mode."""
    core: uint256 = self.core
    assert core & ESCAPE_BIT != 0, "EmethRollup: not in escape mode"
    return core


@view
@internal
def _provenEscapeRoot() -> bytes32:
    core: uint256 = self._escaping()
    assert core & ESCAPE_ROOT_BIT != 0, "EmethRollup: escape root not proven"
    return self.escapeRoot


@pure
@internal
def _stateRoot(key: bytes32, valueHash: bytes32, siblings: DynArray[bytes32, MAX_STATE_PROOF_DEPTH]) -> bytes32:
    """The root of an inclusion proof of key ↦ valueHash (PROTOCOL §4.1): `siblings` top-down,
       folded from the leaf at depth len(siblings) up to the root."""
    h: bytes32 = keccak256(concat(b"\x00", key, valueHash))
    n: uint256 = len(siblings)
    # The key's path bit i is bit 255 − i of the key read as a number; `path` holds bits
    # 0..n−1 with bit n−1 lowest (a shift by 256, for n = 0, gives 0).
    path: uint256 = convert(key, uint256) >> (256 - n)
    for j: uint256 in range(n, bound=MAX_STATE_PROOF_DEPTH):
        sibling: bytes32 = siblings[n - 1 - j]
        if path & 1 == 0:
            h = keccak256(concat(b"\x01", h, sibling))
        else:
            h = keccak256(concat(b"\x01", sibling, h))
        path >>= 1
    return h


@internal
def _absorb(account: address, entitlement: uint256, mark: uint256) -> uint256:
    """
    Pays `entitlement` less what claimed[account] still holds of earlier payouts, and lowers
    that by what it absorbed (never below zero). Whatever the order of an account's escape,
    its jobs and its refunds, the account receives in all max(0, entitlement − claimed).
    """
    raw: uint256 = self.claimed[account]
    held: uint256 = raw & MASK255
    paid: uint256 = 0
    if entitlement > held:
        paid = entitlement - held
        held = 0
    else:
        held -= entitlement
    self.claimed[account] = (raw & ESCAPED) | mark | held
    if paid > 0:
        self._transfer(account, paid)
    return paid


@external
def escapeAccount(account: address, balance: uint256, nonce: uint256, credit: uint256,
                  proof: DynArray[bytes32, MAX_STATE_PROOF_DEPTH]) -> uint256:
    """
    @notice In escape mode, pays `account` its balance + credit in the escape state, less what
            claims already paid it (claimed[account]), once. `proof` is the siblings list of
            the account's inclusion proof (PROTOCOL §4.1). Anyone may submit it.
    @return The amount paid.
    """
    root: bytes32 = self._provenEscapeRoot()
    key: bytes32 = keccak256(concat(b"\x01", convert(account, bytes20)))
    valueHash: bytes32 = keccak256(abi_encode(balance, nonce, credit))
    assert self._stateRoot(key, valueHash, proof) == root, "EmethRollup: invalid state proof"
    assert self.claimed[account] & ESCAPED == 0, "EmethRollup: account already escaped"
    paid: uint256 = self._absorb(account, balance + credit, ESCAPED)
    log AccountEscaped(account=account, balance=balance, credit=credit, paid=paid)
    return paid


@external
def escapeJob(job: JobRecord, proof: DynArray[bytes32, MAX_STATE_PROOF_DEPTH]) -> (uint256, uint256):
    """
    @notice In escape mode, pays a job that is not terminal in the escape state its escrow
            to its owner and its nodeDeposit to its node, once. `job` is the record (its abi
            encoding is the leaf's value), `proof` the siblings of its inclusion proof.
    @return (paid to the owner, paid to the node).
    """
    root: bytes32 = self._provenEscapeRoot()
    assert job.status < FIRST_TERMINAL_STATUS, "EmethRollup: job is terminal"
    key: bytes32 = keccak256(concat(b"\x02", job.id))
    assert self._stateRoot(key, keccak256(abi_encode(job)), proof) == root, "EmethRollup: invalid state proof"
    assert not self.jobEscaped[job.id], "EmethRollup: job already escaped"
    self.jobEscaped[job.id] = True
    ownerPaid: uint256 = 0
    nodePaid: uint256 = 0
    if job.escrow > 0:
        ownerPaid = self._absorb(job.owner, job.escrow, 0)
    if job.nodeDeposit > 0 and job.node != empty(address):
        nodePaid = self._absorb(job.node, job.nodeDeposit, 0)
    log JobEscaped(jobId=job.id, owner=job.owner, escrowPaid=ownerPaid, node=job.node, nodeDepositPaid=nodePaid)
    return ownerPaid, nodePaid


@external
def refundDeposit(inboxIndex: uint256) -> uint256:
    """
    @notice In escape mode, pays back a deposit that the escape batch's inboxCursor did not
            include, once, to its recipient (less what claimed[recipient] still holds of
            earlier payouts). Anyone may submit it.
    @return The amount paid.
    """
    self._escaping()
    count: uint256 = self.batchCount
    cursor: uint256 = 0
    if count > 0:
        cursor = (self.batchPositions[count - 1] >> 64) & MASK64
    assert inboxIndex >= cursor, "EmethRollup: deposit was included"
    assert inboxIndex < self.inboxState & MASK128, "EmethRollup: unknown inbox message"
    head: uint256 = self.inboxHead[inboxIndex]
    assert head >> 248 == convert(DEPOSIT, uint256), "EmethRollup: not a deposit"
    amount: uint256 = convert(self.inboxValue[inboxIndex], uint256)
    assert amount > 0, "EmethRollup: deposit already refunded"
    self.inboxValue[inboxIndex] = empty(bytes32)
    recipient: address = convert(head & MASK160, address)
    paid: uint256 = self._absorb(recipient, amount, 0)
    log DepositRefunded(index=inboxIndex, recipient=recipient, amount=amount, paid=paid)
    return paid


@view
@external
def escapeMode() -> bool:
    return self.core & ESCAPE_BIT != 0


@view
@external
def escapeActivatableAt() -> uint256:
    """@notice The time from which activateEscape succeeds if nothing is committed before."""
    return self._escapeActivatableAt()


@view
@external
def inboxLength() -> uint256:
    return self.inboxState & MASK128

# ---------------------------------------------------------------- timelocked administration

@internal
def _onlyOwner():
    assert msg.sender == self.owner, "EmethRollup: not owner"


@pure
@internal
def _encodeTicketLimit(limit: uint256, window: uint256) -> uint256:
    """The ticket limit and window as `core` holds them (ticketWindow << 163 | digits << 188 |
    exponent << 212), or a revert saying which rule they break."""
    assert window > 0, "EmethRollup: zero ticket window"
    assert window <= MAX_TICKET_WINDOW, "EmethRollup: ticket window too long"
    assert limit % GHOLON == 0, "EmethRollup: ticket limit not whole gholon"
    digits: uint256 = limit // GHOLON
    assert digits <= MAX_TICKET_LIMIT_GHOLON, "EmethRollup: ticket limit too large"
    exponent: uint256 = 0
    for i: uint256 in range(15):
        if digits <= MASK24 or digits % 10 != 0:
            break
        digits //= 10
        exponent += 1
    assert digits <= MASK24, "EmethRollup: ticket limit too precise"
    return window << 163 | digits << 188 | exponent << 212


@internal
def _schedule(kind: uint8, account: address, number: uint256, extra: uint256) -> uint256:
    self._onlyOwner()
    id: uint256 = self.lastChangeId + 1
    self.lastChangeId = id
    executableAt: uint256 = block.timestamp + changeDelay
    self.changes[id] = Change(kind=kind, account=account, value=number, extra=extra, executableAt=executableAt)
    log ChangeScheduled(id=id, kind=kind, account=account, value=number, extra=extra, executableAt=executableAt)
    return id


@external
def setSigner(signer_: address) -> uint256:
    """@notice Schedules a new signer (kind 1). Tickets of the old signer stop at execution."""
    assert signer_ != empty(address), "EmethRollup: zero signer"
    return self._schedule(CHANGE_SIGNER, signer_, 0, 0)


@external
def setSequencer(sequencer_: address) -> uint256:
    """@notice Schedules a new sequencer (kind 2)."""
    assert sequencer_ != empty(address), "EmethRollup: zero sequencer"
    return self._schedule(CHANGE_SEQUENCER, sequencer_, 0, 0)


@external
def setGuardian(guardian: address, enabled: bool) -> uint256:
    """@notice Schedules enabling (value 1) or disabling (value 0) a guardian (kind 3)."""
    assert guardian != empty(address), "EmethRollup: zero guardian"
    return self._schedule(CHANGE_GUARDIAN, guardian, convert(enabled, uint256), 0)


@external
def setChallengePeriod(seconds: uint256) -> uint256:
    """
    @notice Schedules a new challenge period (kind 4), at most the change delay. It applies to
            batches committed after execution; finality times never decrease.
    """
    assert seconds <= MAX_CHALLENGE_PERIOD and seconds <= changeDelay, "EmethRollup: challenge period too long"
    return self._schedule(CHANGE_CHALLENGE_PERIOD, empty(address), seconds, 0)


@external
def setInboxConfirmations(confirmations: uint256) -> uint256:
    """@notice Schedules a new number of L1 confirmations the sequencer waits for (kind 5)."""
    return self._schedule(CHANGE_INBOX_CONFIRMATIONS, empty(address), confirmations, 0)


@external
def setTicketLimit(limit: uint256, window: uint256) -> uint256:
    """@notice Schedules a new ticket rate limit: `limit` per rolling `window` seconds (kind 6)."""
    self._encodeTicketLimit(limit, window)
    return self._schedule(CHANGE_TICKET_LIMIT, empty(address), limit, window)


@external
def setForceInclusionDelay(seconds: uint256) -> uint256:
    """@notice Schedules a new forced-inclusion delay (kind 7)."""
    assert seconds <= MAX_FORCE_INCLUSION_DELAY, "EmethRollup: force inclusion delay too long"
    return self._schedule(CHANGE_FORCE_INCLUSION_DELAY, empty(address), seconds, 0)


@external
def cancelChange(id: uint256):
    """@notice The owner drops a scheduled change before it is executed."""
    self._onlyOwner()
    assert self.changes[id].executableAt != 0, "EmethRollup: unknown change"
    self.changes[id] = empty(Change)
    log ChangeCancelled(id=id)


@external
def executeChange(id: uint256):
    """@notice Anyone applies a scheduled change once changeDelay seconds have passed."""
    change: Change = self.changes[id]
    assert change.executableAt != 0, "EmethRollup: unknown change"
    assert block.timestamp >= change.executableAt, "EmethRollup: change not ready"
    self.changes[id] = empty(Change)
    kind: uint8 = change.kind
    if kind == CHANGE_SIGNER:
        self.core = (self.core & ~MASK160) | convert(change.account, uint256)
        log SignerSet(signer=change.account)
    elif kind == CHANGE_SEQUENCER:
        self.sequencer = change.account
        log SequencerSet(sequencer=change.account)
    elif kind == CHANGE_GUARDIAN:
        self.isGuardian[change.account] = change.value == 1
        log GuardianSet(guardian=change.account, enabled=change.value == 1)
    elif kind == CHANGE_CHALLENGE_PERIOD:
        self.challengePeriod = change.value
        log ChallengePeriodSet(seconds=change.value)
    elif kind == CHANGE_INBOX_CONFIRMATIONS:
        self.inboxConfirmations = change.value
        log InboxConfirmationsSet(confirmations=change.value)
    elif kind == CHANGE_TICKET_LIMIT:
        self._applyTicketLimit(change.value, change.extra)
        log TicketLimitSet(limit=change.value, window=change.extra)
    elif kind == CHANGE_FORCE_INCLUSION_DELAY:
        self.forceInclusionDelay = change.value
        log ForceInclusionDelaySet(seconds=change.value)
    log ChangeExecuted(id=id)


@internal
def _applyTicketLimit(limit: uint256, window: uint256):
    """
    Carries what tickets used in the last two old windows into the new scheme as use of the
    current new window (so it also counts as the next window's previous use): the change never
    frees allowance.
    """
    core: uint256 = self.core
    payout: uint256 = self.payout
    index: uint256 = 0
    used: uint256 = 0
    previous: uint256 = 0
    index, used, previous = self._ticketUse(core, payout)
    self.core = (core & ~((2**53 - 1) << 163)) | self._encodeTicketLimit(limit, window)
    index = (block.timestamp // window) & MASK16
    self.payout = (payout & MASK104) | index << 104 | (previous + used) << 120


@external
def pause():
    """@notice Stops commits, claims and burns at once. The owner or any guardian may pause;
               only the owner unpauses."""
    assert msg.sender == self.owner or self.isGuardian[msg.sender], "EmethRollup: not owner or guardian"
    core: uint256 = self.core
    assert core & PAUSED_BIT == 0, "EmethRollup: already paused"
    self.core = core | PAUSED_BIT
    log Paused(by=msg.sender)


@external
def unpause():
    self._onlyOwner()
    core: uint256 = self.core
    assert core & PAUSED_BIT != 0, "EmethRollup: not paused"
    self.core = core & ~PAUSED_BIT
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
@external
def signer() -> address:
    return convert(self.core & MASK160, address)


@view
@external
def paused() -> bool:
    return self.core & PAUSED_BIT != 0


@view
@external
def ticketLimit() -> uint256:
    return self._limitGholon(self.core) * GHOLON


@view
@external
def ticketWindow() -> uint256:
    return (self.core >> 163) & MASK25


@view
@external
def ticketAvailable() -> uint256:
    """
    @notice What a ticket claim could be paid right now: the rate limit's remaining allowance,
            capped by the committed-credit headroom (totalCredit of the newest batch −
            totalClaimed).
    """
    core: uint256 = self.core
    payout: uint256 = self.payout
    index: uint256 = 0
    used: uint256 = 0
    previous: uint256 = 0
    index, used, previous = self._ticketUse(core, payout)
    remaining: uint256 = 0
    if self._limitGholon(core) > previous + used:
        remaining = (self._limitGholon(core) - previous - used) * GHOLON
    headroom: uint256 = 0
    if payout & MASK104 > BIAS:
        headroom = (payout & MASK104) - BIAS
    return min(remaining, headroom)


@view
@external
def totalClaimed() -> uint256:
    """@notice The sum paid by both claim paths."""
    count: uint256 = self.batchCount
    credit: uint256 = 0
    if count > 0:
        credit = self.batchTotals[count - 1] & MASK128
    return credit + BIAS - (self.payout & MASK104)


@view
@external
def burnSettled() -> uint256:
    """@notice The number of batches (from index 0) that are final and whose burns are done."""
    return self.burnState >> 128


@view
@external
def burnedOnL1() -> uint256:
    return self.burnState & MASK128


@view
@external
def pendingChange(id: uint256) -> Change:
    """@notice A scheduled change (executableAt 0: unknown, executed or cancelled)."""
    return self.changes[id]


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
@internal
def _lastFinal(low: uint256) -> (bool, uint256):
    """Binary search over finalAt, which never decreases with the index; batches below `low`
       are known to be final."""
    lo: uint256 = low
    hi: uint256 = self.batchCount
    for k: uint256 in range(256):
        if lo >= hi:
            break
        mid: uint256 = (lo + hi) // 2
        if self.batchPositions[mid] >> 192 <= block.timestamp:
            lo = mid + 1
        else:
            hi = mid
    if lo == 0:
        return False, 0
    return True, lo - 1


@view
@external
def lastFinalBatch() -> (bool, uint256):
    """@return (found, index) of the newest final batch, for any length of history."""
    return self._lastFinal(self.burnState >> 128)


@view
@external
def nextBlock() -> uint256:
    """@return The first block number the next batch must start at."""
    return (self.core >> 216) + 1


@view
@external
def inboxMessage(index: uint256) -> Message:
    assert index < self.inboxState & MASK128, "EmethRollup: unknown inbox message"
    head: uint256 = self.inboxHead[index]
    value: bytes32 = self.inboxValue[index]
    kind: uint8 = convert(head >> 248, uint8)
    amount: uint256 = 0
    jobId: bytes16 = empty(bytes16)
    dataHash: bytes32 = empty(bytes32)
    if kind == DEPOSIT:
        amount = convert(value, uint256)
    elif kind == CANCEL:
        jobId = convert(slice(value, 0, 16), bytes16)
    else:
        dataHash = value
    return Message(index=index, kind=kind, account=convert(head & MASK160, address), amount=amount,
                   jobId=jobId, l1Block=(head >> 160) & MASK48, timestamp=(head >> 208) & MASK40,
                   dataHash=dataHash)
