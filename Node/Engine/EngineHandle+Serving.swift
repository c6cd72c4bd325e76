import API
import Core
import Sequencer

/// The sequencer's engine is the chain the API serves: reads take the engine's lock where the
/// head must stand still, transactions go into its mempool.
extension EngineHandle: ServedChain {
    public func withConsistentStore<T: Sendable>(_ body: (ChainStore) throws -> T) throws -> T {
        try withEngine { try body($0.store) }
    }

    public func pendingNonce(_ address: Address) throws -> UInt64 { try withEngine { try $0.nextNonce(address) } }

    public func isPending(_ hash: Hash32) throws -> Bool { try withEngine { $0.isPending(hash) } }

    public func submit(_ tx: L2Transaction, bytes: Int) throws { try add(tx, bytes: bytes) }

    public func submit(_ txs: [L2Transaction]) throws -> [(any Error)?] { try add(txs) }

    public func gauges() throws -> ChainGauges {
        try withEngine { e in
            ChainGauges(head: e.store.head.number, mempool: e.mempool.count, ready: e.mempool.readyCount, senders: e.mempool.senderCount,
                        expired: e.mempool.expired, evicted: e.mempool.evicted, failedAfterAdmission: e.failedAfterAdmission)
        }
    }
}

/// A stopped engine answers every request with -32005 ("not ready"), naming why it stopped.
extension EngineHandle.Stopped: RPCErrorConvertible {
    public var rpcError: RPCError { RPCError(code: RPCError.notReadyCode, message: description) }
}
