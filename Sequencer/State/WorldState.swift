import Core
import Synchronization

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

    /// What this state has read from `base` so far (shared by its copies, which have the same base).
    private let reads = BaseReads()

    public init(base: StateSource, totals: Totals, inboxCursor: UInt64) {
        self.base = base; self.totals = totals; self.inboxCursor = inboxCursor
    }

    public func account(_ a: Address) throws -> Account {
        if let acc = accounts[a] { return acc }
        return try baseAccount(a) ?? .empty
    }

    public func job(_ id: JobID) throws -> Job? {
        if let j = jobs[id] { return j }
        return try baseJob(id)
    }

    /// `base.account(a)`, read from the base at most once per state.
    public func baseAccount(_ a: Address) throws -> Account? { try reads.account(a, from: base) }

    /// `base.job(id)`, read from the base at most once per state.
    public func baseJob(_ id: JobID) throws -> Job? { try reads.job(id, from: base) }

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

/// The records a `WorldState` read from its base, absent ones included. A block reads the same
/// record several times — a job to check the transaction, again to move the sums when it is
/// set, once more for the job index when the block is stored; admission does the same on the
/// pending state — and each base read is a RocksDB get and a decode. Kept for the life of the
/// state (one block, or admission's pending state until the next seal).
///
/// Sharing it between copies of a state is safe because they have the same base, and a base
/// changes underneath a state only in records the state itself holds: a state built on block
/// k is used while k (or k−1 under it) is written, and those writes change exactly the records
/// in the state's own changes (or in `UnwrittenBlockState`'s, which reads them from memory
/// before and after) — records `account` and `job` answer without asking the base. Locked:
/// the sealing pipeline hands states between threads.
final class BaseReads: Sendable {
    private let cache = Mutex<(accounts: [Address: Account?], jobs: [JobID: Job?])>(([:], [:]))

    func account(_ a: Address, from base: StateSource) throws -> Account? {
        if let hit = cache.withLock({ $0.accounts[a] }) { return hit }
        let read = try base.account(a)
        cache.withLock { $0.accounts[a] = read }
        return read
    }

    func job(_ id: JobID, from base: StateSource) throws -> Job? {
        if let hit = cache.withLock({ $0.jobs[id] }) { return hit }
        let read = try base.job(id)
        cache.withLock { $0.jobs[id] = read }
        return read
    }
}
