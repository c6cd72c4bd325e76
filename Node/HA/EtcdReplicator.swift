import Cluster
import Core
import Dispatch
import Logging
import Sequencer

/// The HA leader's `BlockReplicator`: each sealed block goes to etcd's fenced block log
/// (`FencedBlockLog.append` under this node's `Leadership`) before it is written to RocksDB
/// or acknowledged. A refused append — `.fenced` (another node leads), a conflict, or etcd
/// unreachable for longer than the client's retries — throws, and the engine stops sealing.
///
/// It also prunes the log as it goes (`PruneTarget`): every `pruneEvery` blocks, everything
/// in a batch final on L1 but the newest `recent`, and in any case everything more than
/// `retained` behind the head. Pruning failures are only logged, the next round retries.
public final class EtcdReplicator: BlockReplicator {
    let log: FencedBlockLog
    let leadership: Leadership
    let logger: Logger
    let retained: UInt64
    let recent: UInt64
    let pruneEvery: UInt64
    /// The last block of the newest batch final on L1 (the poster's status), nil if none or no poster.
    let finalBlock: @Sendable () -> UInt64?
    let status: HAStatus?
    /// The floor the newest prune asked for: a round with nothing new to remove sends nothing.
    private let pruned = LockedValue<UInt64>(0)

    public init(log: FencedBlockLog, leadership: Leadership, retained: UInt64 = FencedBlockLog.retainedBlocks,
                recent: UInt64 = PruneTarget.recentBlocks, pruneEvery: UInt64 = 100,
         finalBlock: @escaping @Sendable () -> UInt64? = { nil }, status: HAStatus? = nil, logger: Logger = Logger(label: "emeth.ha")) {
        self.log = log
        self.leadership = leadership
        self.retained = retained
        self.recent = recent
        self.pruneEvery = pruneEvery
        self.finalBlock = finalBlock
        self.status = status
        self.logger = logger
    }

    public func replicate(number: UInt64, bytes: Bytes) throws {
        let outcome = LockedValue<Result<Void, BlockLogError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let (log, leadership) = (self.log, self.leadership)
        // The sealing thread is a thread of its own: blocking it here holds no pool thread.
        Task {
            do throws(BlockLogError) { try await log.append(number, bytes, leadership: leadership); outcome.set(.success(())) } catch {
                outcome.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        switch outcome.value {
        case .failure(.etcd(let e))?: status?.etcd("\(e)")
        case .success?: status?.etcd(nil)
        default: break
        }
        try outcome.value?.get()
        if number % pruneEvery == 0 { prune(head: number) }
    }

    /// Starts a prune to `PruneTarget.floor` unless an earlier one asked for as much.
    func prune(head: UInt64) {
        guard let below = PruneTarget.floor(head: head, finalBlock: finalBlock(), retained: retained, recent: recent) else { return }
        let go = pruned.withLock { last in
            defer { last = max(last, below) }
            return below > last
        }
        guard go else { return }
        let (log, logger, pruned) = (self.log, self.logger, self.pruned)
        Task {
            do {
                let floor = try await log.prune(below: below)
                logger.debug("pruned the block log", metadata: ["floor": "\(floor)"])
            } catch {
                logger.warning("pruning the block log failed", metadata: ["below": "\(below)", "error": "\(error)"])
                pruned.withLock { $0 = min($0, below - 1) }  // asked again next round
            }
        }
    }
}

/// Where the leader prunes the etcd block log to: below the first block not yet in a batch
/// final on L1 — no batch can be rolled back past finality, and a node that needs an older block
/// can take it from L1 or a follower — but never the newest `recent` blocks (1,000), so that a
/// standby that was down for a while (a deposed leader restarted by its supervisor, a node
/// rebooted) still finds what it missed in the log; and in any case to the newest `retained`
/// (10,000), the hard bound that keeps etcd's size fixed when L1 finality stalls
/// (docs/ARCHITECTURE.md, "Cluster"). Nil: nothing to prune.
public enum PruneTarget {
    public static let recentBlocks: UInt64 = 1_000

    static func floor(head: UInt64, finalBlock: UInt64?, retained: UInt64, recent: UInt64) -> UInt64? {
        let byCount = head >= retained ? head - retained + 1 : 0
        let keepFrom = head >= recent ? head - recent + 1 : 0
        let byFinality = finalBlock.map { min($0 + 1, keepFrom) } ?? 0
        let target = max(byCount, byFinality)
        return target >= 2 ? target : nil
    }
}

extension PruneTarget {
    /// The final block as this process's poster knows it: the last block of its newest batch
    /// final on L1 (nil without a poster, or before a batch is final). What a leader passes to
    /// its `EtcdReplicator`.
    static func finality(_ poster: PosterStatus?) -> @Sendable () -> UInt64? {
        { poster?.latestFinal?.lastBlock }
    }
}
