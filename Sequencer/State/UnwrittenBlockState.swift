import Core

/// Block k's state as the committed state under block k+1, while k is still being made
/// durable: k's changed records first, then the store. The sequencer's pipeline executes block
/// k+1 on it during k's synced write (`SequencerEngine.executeSeal`).
///
/// Only k's own changes are kept, never a chain of earlier blocks: the pipeline has at most one
/// block in the making behind k, so when k+1 executes everything before k is already in
/// `durable`, and a key k did not change reads the same there before and after k's write.
public struct UnwrittenBlockState: StateSource {
    let accounts: [Address: Account]
    let jobs: [JobID: Job]
    let durable: StateSource

    public init(_ block: WorldState, over durable: StateSource) {
        accounts = block.accounts
        jobs = block.jobs
        self.durable = durable
    }

    public func account(_ address: Address) throws -> Account? {
        if let a = accounts[address] { return a }
        return try durable.account(address)
    }

    public func job(_ id: JobID) throws -> Job? {
        if let j = jobs[id] { return j }
        return try durable.job(id)
    }
}
