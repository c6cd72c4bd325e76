import Core
import Sequencer

/// Reads `InboxMessage` logs and keeps only the ones the rollup really emitted: an endpoint
/// may answer `eth_getLogs` with logs of another contract (a filter it ignored, a buggy or
/// hostile proxy) or with logs a reorg removed (`removed: true`). Neither may ever credit a
/// deposit, so both are dropped here, before decoding.
public struct InboxLogs: Sendable {
    public let rollup: RollupContract

    public init(rollup: RollupContract) { self.rollup = rollup }

    /// Whether `log` is a live log of the rollup contract.
    public static func accepts(_ log: EthLog, rollup: Address) -> Bool {
        log.address == rollup && !log.removed
    }

    /// The inbox messages logged in L1 blocks `from...to` with the log that carried each, by index.
    public func messages(from: UInt64, to: UInt64) async throws -> [(message: InboxMessage, log: EthLog)] {
        let logs = try await rollup.eth.logs(address: rollup.address, topics: [[RollupContract.inboxMessageEvent.topic0]],
                                             from: .number(from), to: .number(to))
        return try logs.filter { Self.accepts($0, rollup: rollup.address) }
            .map { (try RollupContract.inboxMessage($0), $0) }
            .sorted { $0.0.index < $1.0.index }
    }
}

/// Where the inbox watcher keeps its deep-reorg anchor (the last block it scanned and that
/// block's hash), so a reorg that happens while the process is down is still detected.
public protocol InboxAnchorStore: Sendable {
    func load() throws -> (number: UInt64, hash: Bytes)?
    func save(number: UInt64, hash: Bytes) throws
}

/// The anchor as one synced key in a RocksDB column family (the chain store's `meta`:
/// the watcher feeds that chain, so its anchor lives and dies with it).
public struct RocksDBInboxAnchor: InboxAnchorStore {
    public let db: RocksDB
    public let family: ColumnFamily
    public let key: Bytes

    public init(db: RocksDB, family: ColumnFamily = "meta", key: String = "inbox.anchor") {
        self.db = db; self.family = family; self.key = Array(key.utf8)
    }

    public func load() throws -> (number: UInt64, hash: Bytes)? {
        guard let v = try db.get(family, key) else { return nil }
        guard v.count > 8 else { throw JSONRPCClientError.malformedResponse("stored inbox anchor has \(v.count) bytes") }
        return (BridgeStore.uint64(Array(v.prefix(8))), Array(v.dropFirst(8)))
    }

    public func save(number: UInt64, hash: Bytes) throws {
        try db.put(family, key, BridgeStore.be(number) + hash, sync: true)
    }
}
