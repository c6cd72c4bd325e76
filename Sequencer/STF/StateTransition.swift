import Core

/// The state-transition function (docs/PROTOCOL.md §3): pure and deterministic. Time comes from the
/// block header and nothing here touches a clock, the disk or the network, so the sequencer
/// and the auditor's replay run this same code and must reach the same roots.
public struct StateTransition: Sendable {
    public let params: ChainParams
    public let roles: Roles
    /// The EIP-712 domain forced transactions are authenticated in (nil: none can be valid).
    public let domain: EIP712.Domain?

    public init(params: ChainParams, roles: Roles, domain: EIP712.Domain? = nil) {
        self.params = params; self.roles = roles; self.domain = domain
    }

    public init(genesis: Genesis) {
        self.init(params: genesis.params, roles: genesis.roles,
                  domain: L2TypedData.domain(chainId: genesis.chainId, rollup: genesis.rollup))
    }

    /// A transaction that may not enter a block at all (as opposed to one that fails inside it).
    public enum Invalid: Error, Equatable, CustomStringConvertible {
        case wrongNonce(sender: Address, expected: UInt64, got: UInt64)
        case conservationViolated(String)

        public var description: String {
            switch self {
            case .wrongNonce(let s, let e, let g): return "wrong nonce for \(s): expected \(e), got \(g)"
            case .conservationViolated(let m): return "conservation law violated: \(m)"
            }
        }
    }

    /// Applies one signed transaction at block time `time`. Returns nil on success or the
    /// failure code; either way the sender's nonce advances. Throws only when the transaction
    /// is invalid for this state (wrong nonce) or the state cannot be read.
    @discardableResult
    public func apply(_ tx: L2Transaction, time: UInt64, to state: inout WorldState) throws -> FailureCode? {
        let sender = try state.account(tx.sender)
        guard sender.nonce == tx.nonce else {
            throw Invalid.wrongNonce(sender: tx.sender, expected: sender.nonce, got: tx.nonce)
        }
        var scratch = Scratch()
        var failure: FailureCode?
        do {
            try execute(tx.call, from: tx.sender, time: time, state: state, scratch: &scratch)
            try scratch.commit(into: &state)
        } catch let code as FailureCode {
            failure = code
        }
        var acc = try state.account(tx.sender)
        acc.nonce += 1
        try state.setAccount(tx.sender, acc)
        try assertConserved(state, after: "transaction \(tx.hash)")
        return failure
    }

    /// Applies one L1 inbox message at block time `time`. Messages must come in index order;
    /// a cancel that cannot act (not the owner, not REQUESTED) is recorded as failed and
    /// changes nothing. A forced transaction is authenticated here, from its bytes alone:
    /// one that does not decode or verify fails with FORCED_TX_INVALID, one whose nonce is
    /// not its sender's next fails with FORCED_TX_WRONG_NONCE, and both change nothing but
    /// the cursor; otherwise it is applied exactly as `apply(_:time:to:)` applies a
    /// transaction, so it may still fail with any code of the table, nonce spent.
    @discardableResult
    public func apply(_ message: InboxMessage, time: UInt64, to state: inout WorldState) throws -> FailureCode? {
        guard message.index == state.inboxCursor else {
            throw Invalid.conservationViolated("inbox message \(message.index) applied at cursor \(state.inboxCursor)")
        }
        let failure: FailureCode?
        switch message.kind {
        case .deposit, .cancel: failure = try applyL1Request(message, to: &state)
        case .forcedTransaction: failure = try applyForced(message.data, time: time, to: &state)
        }
        state.inboxCursor += 1
        try assertConserved(state, after: "inbox message \(message.index)")
        return failure
    }

    /// A deposit or a cancel request: it either applies whole or fails and changes nothing.
    func applyL1Request(_ message: InboxMessage, to state: inout WorldState) throws -> FailureCode? {
        var scratch = Scratch()
        do {
            if message.kind == .deposit {
                try scratch.deposit(message.account, message.amount, state)
            } else {
                try cancel(message.jobId, by: message.account, state: state, scratch: &scratch)
            }
            try scratch.commit(into: &state)
            return nil
        } catch let code as FailureCode {
            return code
        }
    }

    func applyForced(_ bytes: Bytes, time: UInt64, to state: inout WorldState) throws -> FailureCode? {
        guard let tx = authenticateForced(bytes) else { return .forcedTxInvalid }
        guard try state.account(tx.sender).nonce == tx.nonce else { return .forcedTxWrongNonce }
        return try apply(tx, time: time, to: &state)
    }

    /// The transaction a forced inbox message carries, with its recovered sender, or nil when
    /// the bytes are over the size cap, do not decode, or do not carry a valid signature.
    public func authenticateForced(_ bytes: Bytes) -> L2Transaction? {
        guard let domain, !bytes.isEmpty, bytes.count <= InboxMessage.maxForcedTransactionBytes,
              let tx = try? L2Envelope(encoded: bytes) else { return nil }
        return try? L2Admission(domain: domain).authenticate(tx)
    }

    /// Debug builds check the conservation law after every transaction; release builds check
    /// it once per block (`checkConservation`), which the block builder calls before sealing.
    /// `what` is only built when checked: release builds formatted a transaction hash per call.
    @inline(__always)
    func assertConserved(_ state: WorldState, after what: @autoclosure () -> String) throws {
        #if DEBUG
        try checkConservation(state, after: what())
        #endif
    }

    public func checkConservation(_ state: WorldState, after what: String) throws {
        guard state.totals.isConserved else {
            throw Invalid.conservationViolated("after \(what): \(state.totals)")
        }
    }

    // MARK: - The table of docs/PROTOCOL.md §3

    func execute(_ call: L2Call, from sender: Address, time: UInt64, state s: WorldState, scratch: inout Scratch) throws {
        switch call {
        case .registerJob(let r):
            try register(r, by: sender, time: time, state: s, scratch: &scratch)

        case .cancelJob(let id):
            try cancel(id, by: sender, state: s, scratch: &scratch)

        case .process(let id):
            var job = try existing(id, s, scratch)
            guard job.status == .requested else { throw FailureCode.wrongStatus }
            guard sender != job.owner else { throw FailureCode.ownerCannotProcess }
            guard time < job.deadline else { throw FailureCode.deadlinePassed }
            let fees = try fees(job)
            try scratch.charge(sender, fees.nodeDeposit, s)
            job.nodeDeposit = fees.nodeDeposit
            job.node = sender
            try transition(&job, to: .processing, time: time, scratch: &scratch)

        case .decline(let id):
            var job = try existing(id, s, scratch)
            guard job.status == .processing else { throw FailureCode.wrongStatus }
            guard sender == job.node else { throw FailureCode.notAssignedNode }
            let penalty = try penalty(job, params.declinePenaltyRate)
            try scratch.pay(job.owner, job.escrow, s)
            try scratch.burn(penalty)
            try scratch.pay(job.node, try job.nodeDeposit.minus(penalty), s)
            job.escrow = .zero
            job.nodeDeposit = .zero
            try transition(&job, to: .declined, time: time, scratch: &scratch)

        case .submit(let id, let result, let fuelUsed):
            var job = try existing(id, s, scratch)
            guard job.status == .processing else { throw FailureCode.wrongStatus }
            guard sender == job.node else { throw FailureCode.notAssignedNode }
            guard fuelUsed <= job.fuelLimit else { throw FailureCode.fuelExceedsLimit }
            guard time <= job.deadline else { throw FailureCode.deadlinePassed }
            job.result = result
            job.fuelUsed = fuelUsed
            try transition(&job, to: .submitted, time: time, scratch: &scratch)

        case .verify(let id):
            guard roles.verifiers.contains(sender) else { throw FailureCode.notVerifier }
            var job = try existing(id, s, scratch)
            guard sender != job.node, sender != job.owner else { throw FailureCode.verifierIsParty }
            guard job.status == .submitted else { throw FailureCode.wrongStatus }
            let fees = try fees(job)
            let earned = try job.fuelUsed.times(job.fuelPrice)
            try scratch.pay(job.node, try job.nodeDeposit.plus(earned), s)
            try scratch.pay(job.owner, try fees.feeLimit.minus(earned), s)
            try scratch.pay(sender, fees.verifierFee, s)
            job.escrow = .zero
            job.nodeDeposit = .zero
            try transition(&job, to: .verified, time: time, scratch: &scratch)
            if !job.parentJob.isZero, var parent = try scratch.job(job.parentJob, s) {
                parent.verifiedChildren += 1
                scratch.put(parent)
            }

        case .reject(let id):
            guard roles.verifiers.contains(sender) else { throw FailureCode.notVerifier }
            var job = try existing(id, s, scratch)
            guard sender != job.node, sender != job.owner else { throw FailureCode.verifierIsParty }
            guard job.status == .submitted else { throw FailureCode.wrongStatus }
            let fees = try fees(job)
            let penalty = try penalty(job, params.failedPenaltyRate)
            let rest = try job.nodeDeposit.minus(fees.verifierFee).minus(penalty)
            try scratch.pay(job.owner, job.escrow, s)
            try scratch.pay(sender, fees.verifierFee, s)
            try scratch.burn(penalty)
            try scratch.pay(job.node, rest, s)
            job.escrow = .zero
            job.nodeDeposit = .zero
            try transition(&job, to: .failed, time: time, scratch: &scratch)

        case .timeout(let id):
            guard roles.verifiers.contains(sender) else { throw FailureCode.notVerifier }
            var job = try existing(id, s, scratch)
            guard job.status == .requested || job.status == .processing else { throw FailureCode.wrongStatus }
            guard time >= job.deadline else { throw FailureCode.deadlineNotReached }
            try scratch.pay(job.owner, job.escrow, s)
            if job.status == .processing {
                let penalty = try penalty(job, params.timeoutPenaltyRate)
                try scratch.burn(penalty)
                try scratch.pay(job.node, try job.nodeDeposit.minus(penalty), s)
            }
            job.escrow = .zero
            job.nodeDeposit = .zero
            try transition(&job, to: .timeout, time: time, scratch: &scratch)

        case .split(let split):
            try self.split(split, by: sender, time: time, state: s, scratch: &scratch)

        case .aggregate(let parentId, let result):
            guard roles.aggregators.contains(sender) else { throw FailureCode.notAggregator }
            var parent = try existing(parentId, s, scratch)
            guard parent.status == .split else { throw FailureCode.wrongStatus }
            guard parent.verifiedChildren == parent.childCount else { throw FailureCode.childrenNotVerified }
            parent.result = result
            try transition(&parent, to: .completed, time: time, scratch: &scratch)

        case .withdraw(let amount):
            guard !amount.isZero else { throw FailureCode.zeroAmount }
            try scratch.withdraw(sender, amount, s)
        }
    }

    func register(_ r: L2Call.RegisterJob, by sender: Address, time: UInt64, state s: WorldState, scratch: inout Scratch) throws {
        guard !r.jobId.isZero else { throw FailureCode.invalidArguments }
        guard r.parentJob.isZero else { throw FailureCode.invalidParent }
        guard try scratch.job(r.jobId, s) == nil else { throw FailureCode.jobExists }
        guard let deadline = r.deadline.uint64 else { throw FailureCode.invalidArguments }
        guard deadline > time else { throw FailureCode.deadlinePassed }
        guard r.fuelPrice >= params.minFuelPrice else { throw FailureCode.priceBelowMinimum }
        let fees = try fees(r.fuelLimit, r.fuelPrice)
        try scratch.charge(sender, fees.escrow, s)
        scratch.put(Job(id: r.jobId, owner: sender, parentJob: .zero, programId: r.programId, numParallel: r.numParallel,
                        numEpoch: r.numEpoch, dataset: r.dataset, param: r.param, fuelLimit: r.fuelLimit,
                        fuelPrice: r.fuelPrice, deadline: deadline, status: .requested, node: .zero, fuelUsed: .zero,
                        result: .zero, escrow: fees.escrow, nodeDeposit: .zero, childCount: 0, verifiedChildren: 0,
                        createdAt: time, updatedAt: time))
    }

    func cancel(_ id: JobID, by sender: Address, state s: WorldState, scratch: inout Scratch) throws {
        var job = try existing(id, s, scratch)
        guard sender == job.owner else { throw FailureCode.notOwner }
        guard job.status == .requested else { throw FailureCode.wrongStatus }
        try scratch.pay(job.owner, job.escrow, s)
        job.escrow = .zero
        job.status = .canceled
        scratch.put(job)
    }

    func split(_ sp: L2Call.Split, by sender: Address, time: UInt64, state s: WorldState, scratch: inout Scratch) throws {
        guard roles.splitters.contains(sender) else { throw FailureCode.notSplitter }
        var parent = try existing(sp.parentJob, s, scratch)
        guard parent.status == .requested else { throw FailureCode.wrongStatus }
        guard parent.numParallel > 1 else { throw FailureCode.notSplittable }
        let n = sp.jobIds.count
        guard n > 0, n <= params.maxSplitChildren, sp.datasets.count == n, sp.fuelLimits.count == n,
              Set(sp.jobIds).count == n, !sp.jobIds.contains(.zero) else { throw FailureCode.invalidArguments }
        var totalFuel = UInt256.zero
        for f in sp.fuelLimits { totalFuel = try totalFuel.plus(f) }
        guard totalFuel <= parent.fuelLimit else { throw FailureCode.childrenExceedParent }
        var remaining = parent.escrow
        for k in 0..<n {
            guard try scratch.job(sp.jobIds[k], s) == nil else { throw FailureCode.childExists }
            let fees = try fees(sp.fuelLimits[k], parent.fuelPrice)
            // Σ child escrows ≤ parent escrow because fees are floor-rounded proportions.
            remaining = try remaining.minus(fees.escrow)
            scratch.put(Job(id: sp.jobIds[k], owner: parent.owner, parentJob: parent.id, programId: parent.programId,
                            numParallel: 1, numEpoch: parent.numEpoch, dataset: sp.datasets[k], param: parent.param,
                            fuelLimit: sp.fuelLimits[k], fuelPrice: parent.fuelPrice, deadline: parent.deadline,
                            status: .requested, node: .zero, fuelUsed: .zero, result: .zero, escrow: fees.escrow,
                            nodeDeposit: .zero, childCount: 0, verifiedChildren: 0, createdAt: time, updatedAt: time))
        }
        try scratch.pay(parent.owner, remaining, s)
        parent.escrow = .zero
        parent.childCount = UInt64(n)
        try transition(&parent, to: .split, time: time, scratch: &scratch)
    }

    // MARK: - Helpers

    func existing(_ id: JobID, _ s: WorldState, _ scratch: Scratch) throws -> Job {
        guard let j = try scratch.job(id, s) else { throw FailureCode.unknownJob }
        return j
    }

    func fees(_ fuelLimit: UInt256, _ fuelPrice: UInt256) throws(FailureCode) -> Fees {
        do { return try Fees(fuelLimit: fuelLimit, fuelPrice: fuelPrice, params: params) } catch { throw .arithmeticOverflow }
    }

    func fees(_ job: Job) throws(FailureCode) -> Fees { try fees(job.fuelLimit, job.fuelPrice) }

    func penalty(_ job: Job, _ rate: UInt64) throws(FailureCode) -> UInt256 {
        let feeLimit = try job.fuelLimit.times(job.fuelPrice)
        do { return try Fees.rate(feeLimit, rate, params.rateDenominator) } catch { throw .arithmeticOverflow }
    }

    func transition(_ job: inout Job, to status: JobStatus, time: UInt64, scratch: inout Scratch) throws {
        job.status = status
        job.updatedAt = time
        scratch.put(job)
    }
}
