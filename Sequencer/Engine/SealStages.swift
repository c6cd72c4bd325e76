import Core

extension SequencerEngine {
    /// The first stage of sealing: a block executed and rooted on the engine's newest state, with
    /// its tree nodes, records and job index entries already in `batch` — everything that needs
    /// the engine (its mempool, its state, the tree's pending nodes) and so runs under its lock.
    /// Not signed yet: signing needs only the key, so `signed(by:)` runs in the second stage, on
    /// the other core while the next block executes. Nothing in it is acknowledged: its
    /// transactions read as pending until `SequencerEngine.endSeal`.
    public struct ExecutedSeal: @unchecked Sendable {
        public let executed: ExecutedBlock
        let batch: WriteBatch
        let state: WorldState
        let inboxCount: Int
        let inboxBytes: Int
        let hashes: Set<Hash32>

        public var number: UInt64 { executed.number }

        /// The second stage's first step, off the engine's lock: signs the block hash and a ticket
        /// per credit change, and completes the batch with the block, its indexes and tickets.
        /// Pure (the key and the values held here), so it may run beside the next block's execution.
        public func signed(by signer: Signer) -> SealInProgress {
            let block = signer.seal(executed)
            var batch = self.batch
            let bytes = ChainStore.putSigned(block, totals: state.totals, into: &batch)
            return SealInProgress(block: block, bytes: bytes, batch: batch, state: state, inboxCount: inboxCount)
        }
    }

    /// A sealed block between signing and durability: executed, rooted and signed, its write batch
    /// complete. The service makes it durable without holding the engine's lock, so admission,
    /// reads and the next block's execution go on during the fsync; `SequencerEngine.endSeal`
    /// then acknowledges it. Nothing in it is acknowledged before: its transactions read as pending.
    public struct SealInProgress: @unchecked Sendable {
        public let block: SealedBlock
        /// The block as stored (`BlockCodec`): what is replicated, written and served.
        public let bytes: Bytes
        public let batch: WriteBatch
        let state: WorldState
        let inboxCount: Int

        /// Every job the block changed, as the block left it, in jobId order: what the API's
        /// `jobs` subscriptions announce once the block is acknowledged (read from the block's
        /// own state, so a later block cannot show through).
        public var changedJobs: [Job] { state.changedJobs.compactMap { state.jobs[$0] } }
    }
}
