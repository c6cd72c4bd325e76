import Logging
import Sequencer

extension NodeConfig {
    /// Opens the chain store of the data directory with the configured tree-cache bound, and
    /// warns when the state tree has outgrown that bound (`TreeCacheSizing`): the sequencer,
    /// a follower and a standalone poster all open it this way.
    func openChainStore(genesis: Genesis, logger: Logger) throws -> ChainStore {
        let store: ChainStore
        do { store = try ChainStore(path: dataDir, genesis: genesis, treeCacheNodes: treeCacheNodes) } catch {
            throw NodeError("cannot open the data directory \(dataDir): \(error)")
        }
        if let advice = TreeCacheSizing.advice(records: store.estimatedRecords, cacheNodes: treeCacheNodes) {
            logger.warning("\(advice)")
        }
        return store
    }
}
