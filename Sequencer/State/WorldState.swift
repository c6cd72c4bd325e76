import Core

/// Read access to committed state: RocksDB in the sequencer, memory in tests and replay.
public protocol StateSource {
    func account(_ address: Address) throws -> Account?
    func job(_ id: JobID) throws -> Job?
}

/// The chain-wide sums. `totalDeposited`, `totalCredit` and `totalBurned` are committed to L1
/// with each batch; the other three are kept so the conservation law (docs/PROTOCOL.md §3) is an O(1)
/// check after every transaction instead of a scan of all state.
public struct Totals: Hashable, Sendable {
    public var totalDeposited: UInt256 = .zero
    public var totalCredit: UInt256 = .zero
    public var totalBurned: UInt256 = .zero
    public var totalBalances: UInt256 = .zero
    public var totalEscrow: UInt256 = .zero
    public var totalNodeDeposits: UInt256 = .zero

    public init() {}

    /// Σ balances + Σ escrows + Σ nodeDeposits + totalCredit + totalBurned = totalDeposited.
    public var isConserved: Bool {
        let held = totalBalances.addingReportingOverflow(totalEscrow)
        let held2 = held.partialValue.addingReportingOverflow(totalNodeDeposits)
        let out = held2.partialValue.addingReportingOverflow(totalCredit)
        let all = out.partialValue.addingReportingOverflow(totalBurned)
        return !(held.overflow || held2.overflow || out.overflow || all.overflow) && all.partialValue == totalDeposited
    }
}

/// The state of one block in the making: committed state underneath, this block's changes on
/// top. Every write goes through `set…`, which also moves the running sums in `totals`, so
/// the sums measure what the state machine *did* rather than what it meant to do.
public struct WorldState {
    public let base: StateSource
    public private(set) var accounts: [Address: Account] = [:]
    public private(set) var jobs: [JobID: Job] = [:]
    public var totals: Totals
    /// Inbox messages consumed so far (the next index to apply).
    public var inboxCursor: UInt64

    public init(base: StateSource, totals: Totals, inboxCursor: UInt64) {
        self.base = base; self.totals = totals; self.inboxCursor = inboxCursor
    }

    public func account(_ a: Address) throws -> Account {
        if let acc = accounts[a] { return acc }
        return try base.account(a) ?? .empty
    }

    public func job(_ id: JobID) throws -> Job? {
        if let j = jobs[id] { return j }
        return try base.job(id)
    }

    public mutating func setAccount(_ a: Address, _ new: Account) throws {
        let old = try account(a)
        totals.totalBalances = totals.totalBalances &- old.balance &+ new.balance
        accounts[a] = new
    }

    public mutating func setJob(_ new: Job) throws {
        let old = try job(new.id)
        totals.totalEscrow = totals.totalEscrow &- (old?.escrow ?? .zero) &+ new.escrow
        totals.totalNodeDeposits = totals.totalNodeDeposits &- (old?.nodeDeposit ?? .zero) &+ new.nodeDeposit
        jobs[new.id] = new
    }

    /// Keys changed in this block, sorted (deterministic order for roots and storage).
    public var changedAccounts: [Address] { accounts.keys.sorted() }
    public var changedJobs: [JobID] { jobs.keys.sorted() }
}
