import Core

/// Committed state held in memory: for tests, tools and small replays. The sequencer's
/// durable equivalent lives in RocksDB; both are `StateSource`s under a `WorldState`. Not
/// `Sendable`: it has no lock, so one task owns it.
public final class InMemoryState: StateSource {
    public private(set) var accounts: [Address: Account] = [:]
    public private(set) var jobs: [JobID: Job] = [:]
    public private(set) var totals = Totals()
    public private(set) var inboxCursor: UInt64 = 0

    public init() {}

    public func account(_ address: Address) -> Account? { accounts[address] }
    public func job(_ id: JobID) -> Job? { jobs[id] }

    /// A fresh block-level view on top of this state.
    public func begin() -> WorldState { WorldState(base: self, totals: totals, inboxCursor: inboxCursor) }

    /// Makes a block's changes part of the committed state.
    public func commit(_ w: WorldState) {
        for (a, acc) in w.accounts { accounts[a] = acc }
        for (id, j) in w.jobs { jobs[id] = j }
        totals = w.totals
        inboxCursor = w.inboxCursor
    }
}
