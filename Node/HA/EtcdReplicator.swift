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
/// It also prunes the log as it goes: every `pruneEvery` blocks, everything more than
/// `FencedBlockLog.retainedBlocks` behind the head (the bound documented in
/// docs/ARCHITECTURE.md, "Cluster"); pruning failures are only logged, the next round retries.
final class EtcdReplicator: BlockReplicator {
    let log: FencedBlockLog
    let leadership: Leadership
    let logger: Logger
    let retained: UInt64
    let pruneEvery: UInt64 = 100

    init(log: FencedBlockLog, leadership: Leadership, retained: UInt64 = FencedBlockLog.retainedBlocks, logger: Logger) {
        self.log = log
        self.leadership = leadership
        self.retained = retained
        self.logger = logger
    }

    func replicate(number: UInt64, bytes: Bytes) throws {
        let outcome = LockedValue<Result<Void, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let (log, leadership) = (self.log, self.leadership)
        // The sealing thread is a thread of its own: blocking it here holds no pool thread.
        Task {
            do { try await log.append(number, bytes, leadership: leadership); outcome.set(.success(())) } catch {
                outcome.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        try outcome.value?.get()
        if number % pruneEvery == 0, number > retained {
            let below = number - retained + 1
            let logger = self.logger
            Task {
                do { try await log.prune(below: below) } catch {
                    logger.warning("pruning the block log failed", metadata: ["below": "\(below)", "error": "\(error)"])
                }
            }
        }
    }
}
