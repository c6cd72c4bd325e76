/// One block as the log holds it: its number and its bytes (the sealed block, signature and
/// all, in whatever encoding the sequencer gives; the log does not look inside).
public struct LoggedBlock: Sendable, Equatable {
    public let number: UInt64
    public let bytes: [UInt8]

    public init(number: UInt64, bytes: [UInt8]) {
        self.number = number
        self.bytes = bytes
    }
}

public enum BlockLogError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The fence no longer matches the leader key: leadership is lost. The block was not
    /// written; the node must stop sealing and never serve or post it.
    case fenced
    /// The log's head is not `number - 1`: block `number` exists already (`head` ≥ number) or
    /// the caller skipped numbers (`head` < number - 1). Nothing was written.
    case conflict(number: UInt64, head: UInt64?)
    /// Blocks below `floor` were pruned.
    case pruned(requested: UInt64, floor: UInt64)
    case tooLarge(bytes: Int, limit: Int)
    case invalidArgument(String)
    /// etcd failed; for `.indeterminate` on an append, whether the block was written is unknown
    /// (read the log before going on).
    case etcd(EtcdError)
    /// The log holds something it never writes (a malformed head, a gap between blocks).
    case corrupt(String)

    public var description: String {
        switch self {
        case .fenced: return "block log: fenced (this node is no longer the leader)"
        case .conflict(let n, let h): return "block log: cannot append block \(n), the log's head is \(h.map(String.init) ?? "empty")"
        case .pruned(let r, let f): return "block log: block \(r) was pruned (the log starts at \(f))"
        case .tooLarge(let b, let l): return "block log: a block of \(b) bytes is over the limit of \(l)"
        case .invalidArgument(let m): return "block log: \(m)"
        case .etcd(let e): return "block log: \(e)"
        case .corrupt(let m): return "block log: corrupt: \(m)"
        }
    }
}

/// The replicated block log: the leader writes each sealed block here before acknowledging
/// anything in it, standbys watch it and apply the blocks in order.
///
/// `append(N)` is ONE etcd transaction whose compares are
///   1. LEASE(leader key) == fence.lease and MOD(leader key) == fence.revision — the writer
///      still holds the very leader key it created (a successor's key has a newer revision);
///   2. CREATE(blocks/N) == 0 — block N was never written;
///   3. VALUE(head) == N-1 — N follows the newest block (CREATE(head) == 0 for the very first
///      block of an empty log, which may be any N ≥ 1: a chain can move onto the log mid-life;
///      that first append also sets `floor` = N);
/// and whose success puts blocks/N and head = N. So two writers can never both append N: only
/// one leader key exists at a time, and even a stale leader racing its successor fails 1 or 3.
/// Pruning deletes block keys but never `head`, so contiguity does not depend on old blocks.
///
/// Size bound (etcd's defaults: 2 GiB quota, 1.5 MiB request): an entry holds at most
/// `maxEntryBytes` (80 KiB: a block is at most one 64 KiB batch's payload, plus signature and
/// framing) and callers prune to at most `retainedBlocks` (10,000) — at most 800 MiB live in
/// the worst case, and typically a few tens of MiB. See docs/ARCHITECTURE.md, "Cluster".
public struct FencedBlockLog: Sendable {
    public let client: EtcdClient
    public let keys: ClusterKeys
    public let maxEntryBytes: Int

    public static let defaultMaxEntryBytes = 80 * 1024
    /// How many blocks to keep at most, whatever L1 finality says (see `prune`).
    public static let retainedBlocks: UInt64 = 10_000

    public init(client: EtcdClient, keys: ClusterKeys, maxEntryBytes: Int = FencedBlockLog.defaultMaxEntryBytes) {
        self.client = client
        self.keys = keys
        self.maxEntryBytes = maxEntryBytes
    }

    // MARK: - Append

    /// Writes block `number` under `fence`. Returns once etcd has committed it to a quorum;
    /// only then may the block's transactions be acknowledged. Throws `.fenced` if leadership
    /// is lost, `.conflict` if the head is not `number - 1`; both leave the log unchanged.
    /// An answer lost in transit is settled by reading: if the block is there with these very
    /// bytes under our fence, the append succeeded.
    public func append(_ number: UInt64, _ bytes: [UInt8], fence: Fence) async throws(BlockLogError) {
        guard number >= 1 else { throw .invalidArgument("block numbers start at 1, got 0") }
        guard bytes.count <= maxEntryBytes else { throw .tooLarge(bytes: bytes.count, limit: maxEntryBytes) }
        var emptyLog = false
        for _ in 0..<4 {
            let headCompare = emptyLog ? Compare(keys.head, .create(0))
                                       : Compare(keys.head, .value(Array(ClusterKeys.pad(number - 1).utf8)))
            let compares = [Compare(keys.leader, .lease(fence.lease)), Compare(keys.leader, .mod(fence.revision)),
                            Compare(keys.block(number), .create(0)), headCompare]
            var writes: [TxnOp] = [.put(keys.block(number), bytes), .put(keys.head, Array(ClusterKeys.pad(number).utf8))]
            if emptyLog { writes.append(.put(keys.floor, Array(ClusterKeys.pad(number).utf8))) }
            let outcome: TxnResult?
            do {
                outcome = try await client.txn(compares, success: writes,
                                               failure: [.get(keys.leader), .get(keys.head), .get(keys.block(number))])
            } catch .indeterminate {
                outcome = nil  // settled by the read below
            } catch {
                throw .etcd(error)
            }
            if let outcome, outcome.succeeded { return }
            let leader: KeyValue?, head: KeyValue?, block: KeyValue?
            if let outcome, outcome.responses.count == 3 {
                (leader, head, block) = (outcome.responses[0].single, outcome.responses[1].single, outcome.responses[2].single)
            } else {
                do {
                    let read = try await client.txn([], success: [.get(keys.leader), .get(keys.head), .get(keys.block(number))])
                    guard read.responses.count == 3 else { throw BlockLogError.corrupt("read of 3 keys answered \(read.responses.count)") }
                    (leader, head, block) = (read.responses[0].single, read.responses[1].single, read.responses[2].single)
                } catch let e as BlockLogError { throw e } catch let e as EtcdError { throw .etcd(e) } catch { throw .corrupt("\(error)") }
            }
            guard let leader, leader.lease == fence.lease, leader.modRevision == fence.revision else { throw .fenced }
            if let block, block.value == bytes { return }  // our earlier attempt landed
            guard let head else {
                // An empty log: its first block takes the other head compare.
                guard block == nil else { throw .corrupt("block \(number) exists but the head key does not") }
                emptyLog = true
                continue
            }
            guard let headNumber = ClusterKeys.number(head.value) else {
                throw .corrupt("head holds \"\(String(decoding: head.value.prefix(40), as: UTF8.self))\"")
            }
            // Right after the head, with the answer lost or the empty-log form used on a log that
            // just got its first block: not applied, try again (the compares keep it exact).
            if headNumber == number - 1 && block == nil && (outcome == nil || emptyLog) {
                emptyLog = false
                continue
            }
            throw .conflict(number: number, head: headNumber)
        }
        throw .etcd(.indeterminate("append of block \(number): no settled answer after 4 attempts"))
    }

    /// `append` for the node that holds `leadership`: refuses with `.fenced` at once if it has
    /// already counted itself deposed (its lease may still live in etcd for a moment, but a
    /// node that stopped leading must stop acknowledging now, not when etcd agrees).
    public func append(_ number: UInt64, _ bytes: [UInt8], leadership: Leadership) async throws(BlockLogError) {
        guard leadership.isLeading else { throw .fenced }
        try await append(number, bytes, fence: leadership.fence)
    }

    // MARK: - Read

    /// The log's bounds: the newest block (nil: empty log) and the lowest one it holds (the
    /// first block appended, then raised by pruning; 0 while the log is empty).
    public struct Bounds: Sendable, Equatable {
        public let head: UInt64?
        public let floor: UInt64

        public init(head: UInt64?, floor: UInt64) {
            self.head = head
            self.floor = floor
        }
    }

    /// Up to `limit` blocks from `from` on, in order, read at one revision (returned too, so
    /// a watch can continue right after it). Throws `.pruned` if `from` is below the floor.
    public func read(from: UInt64, limit: Int = 256) async throws(BlockLogError) -> (blocks: [LoggedBlock], bounds: Bounds, revision: Int64) {
        guard limit > 0 else { throw .invalidArgument("read limit must be positive, got \(limit)") }
        let result: TxnResult
        do {
            result = try await client.txn([], success: [
                .get(keys.head), .get(keys.floor),
                .range(key: keys.block(from), rangeEnd: prefixEnd(keys.blocksPrefix), limit: limit),
            ])
        } catch { throw .etcd(error) }
        guard result.responses.count == 3 else { throw .corrupt("read answered \(result.responses.count) results, not 3") }
        let bounds = try Self.bounds(head: result.responses[0].single, floor: result.responses[1].single)
        if from < bounds.floor { throw .pruned(requested: from, floor: bounds.floor) }
        var blocks: [LoggedBlock] = []
        var expected = from
        for kv in result.responses[2].kvs {
            guard let n = keys.blockNumber(ofKey: kv.key) else { throw .corrupt("unexpected key \(kv.key)") }
            guard n == expected else { throw .corrupt("block \(n) where block \(expected) should be") }
            blocks.append(LoggedBlock(number: n, bytes: kv.value))
            expected = n + 1
        }
        return (blocks, bounds, result.header.revision)
    }

    /// The log's bounds alone.
    public func bounds() async throws(BlockLogError) -> Bounds {
        let result: TxnResult
        do { result = try await client.txn([], success: [.get(keys.head), .get(keys.floor)]) } catch { throw .etcd(error) }
        guard result.responses.count == 2 else { throw .corrupt("bounds answered \(result.responses.count) results, not 2") }
        return try Self.bounds(head: result.responses[0].single, floor: result.responses[1].single)
    }

    static func bounds(head: KeyValue?, floor: KeyValue?) throws(BlockLogError) -> Bounds {
        var h: UInt64?, f: UInt64 = 0
        if let head {
            guard let n = ClusterKeys.number(head.value) else { throw .corrupt("head holds a non-number") }
            h = n
        }
        if let floor {
            guard let n = ClusterKeys.number(floor.value) else { throw .corrupt("floor holds a non-number") }
            f = n
        }
        return Bounds(head: h, floor: f)
    }

    // MARK: - Prune

    /// Deletes every block below `number` and raises the floor to it; returns the floor after
    /// the call (≥ `number`). Prune blocks once they are in a batch final on L1, and in any case
    /// keep at most `retainedBlocks`. Any node may prune (it removes only what every node has
    /// applied or can read from L1); the floor only rises, and pruning past head + 1 is refused.
    ///
    /// Why the floor and not a count of deleted keys: a prune whose answer was lost (a member
    /// that died after applying it) is settled by reading again, and the second look finds the
    /// work done by the first. "How many keys did this call delete" then has no good answer;
    /// "where does the log start now" always has one, whoever pruned and however often.
    @discardableResult
    public func prune(below number: UInt64) async throws(BlockLogError) -> UInt64 {
        var unanswered: [String] = []
        for _ in 0..<8 {
            let read: TxnResult
            do { read = try await client.txn([], success: [.get(keys.head), .get(keys.floor)]) } catch { throw .etcd(error) }
            guard read.responses.count == 2 else { throw .corrupt("prune read answered \(read.responses.count) results") }
            let bounds = try Self.bounds(head: read.responses[0].single, floor: read.responses[1].single)
            if number <= bounds.floor { return bounds.floor }
            guard let head = bounds.head, number <= head + 1 else {
                throw .invalidArgument("cannot prune below \(number): the log's head is \(bounds.head.map(String.init) ?? "empty")")
            }
            // The floor key unchanged since we read it: a concurrent prune makes us read again.
            let floorMod = read.responses[1].single?.modRevision ?? 0
            let result: TxnResult
            do {
                result = try await client.txn([Compare(keys.floor, .mod(floorMod))], success: [
                    .deleteRange(key: keys.blocksPrefix, rangeEnd: Array(keys.block(number).utf8)),
                    .put(keys.floor, Array(ClusterKeys.pad(number).utf8)),
                ])
            } catch .indeterminate(let why) {
                // Applied or not, the read at the top of the loop says (the client reads from
                // another member after an unanswered write).
                unanswered.append(why)
                continue
            } catch { throw .etcd(error) }
            if result.succeeded { return number }
        }
        if !unanswered.isEmpty { throw .etcd(.indeterminate("prune below \(number): \(unanswered.joined(separator: "; "))")) }
        throw .etcd(.indeterminate("prune below \(number): the floor kept changing"))
    }
}
