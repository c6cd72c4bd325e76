import Cluster
import Core
import Foundation
import Logging
import Sequencer
import ServiceLifecycle

/// A sequencer node's leadership in HA mode (`[ha] enabled`): it campaigns in etcd only once
/// its store holds every block of the replicated log, and once elected it applies whatever
/// the log gained meanwhile — verified as a follower verifies (`FollowerChain.apply`) — so it
/// seals on from the log's head. From then on every block is appended to the log under its
/// fence before it is acknowledged (`EtcdReplicator`).
struct HALeader: Sendable {
    let leadership: Leadership
    let log: FencedBlockLog
    let replicator: EtcdReplicator

    /// Takes over with `leadership` (won by `HAStandby`): applies every block the log holds
    /// beyond `store`'s head, then hands back the replicator sealing goes through. Throws
    /// (after resigning) if a logged block does not verify on this store: a node holding
    /// another history must never lead.
    /// `finalBlock`: the last block of the newest batch final on L1 (what the log may be pruned below).
    static func takeOver(_ leadership: Leadership, cluster: HACluster, store: ChainStore, status: HAStatus,
                         finalBlock: @escaping @Sendable () -> UInt64?, logger: Logger) async throws -> HALeader {
        let chain = FollowerChain(store: store, leader: URL(fileURLWithPath: "/"), logger: logger)
        do {
            try await catchUp(store: store, chain: chain, log: cluster.log, logger: logger)
        } catch {
            try? await leadership.resign()
            throw error
        }
        status.elected(leadership, head: store.head.header.number)
        return HALeader(leadership: leadership, log: cluster.log,
                        replicator: EtcdReplicator(log: cluster.log, leadership: leadership, finalBlock: finalBlock, status: status,
                                                   logger: logger))
    }

    /// Applies every block of the log above the store's head, verified.
    static func catchUp(store: ChainStore, chain: FollowerChain, log: FencedBlockLog, logger: Logger) async throws {
        while true {
            let next = store.head.header.number + 1
            let read: (blocks: [LoggedBlock], bounds: FencedBlockLog.Bounds, revision: Int64)
            do { read = try await log.read(from: next) } catch .pruned(let r, let floor) {
                throw NodeError("the block log was pruned to block \(floor) but this node's head is \(r - 1): catch up from L1 or a follower first")
            } catch { throw NodeError("reading the block log: \(error)") }
            if let head = read.bounds.head, head < next - 1, read.bounds.floor > 0 {
                throw NodeError("this node's head is block \(next - 1) but the block log ends at \(head): this store holds blocks no leader replicated")
            }
            guard !read.blocks.isEmpty else { return }
            let applied = try chain.apply(read.blocks.map(\.bytes))
            if let refusal = applied.refusal { throw NodeError("block \(refusal.block) of the block log does not verify on this store: \(refusal)") }
            logger.info("applied blocks from the block log", metadata: ["count": "\(applied.count)", "head": "\(store.head.header.number)"])
        }
    }
}

/// Watches this node's leadership while it seals: on loss the engine stops at once (the
/// replicator refuses too: nothing more is acknowledged), and the node shuts down, so its
/// poster stops; the process then exits with `LeadershipLost.exitCode` and its supervisor
/// restarts it as a standby (README, "Running highly available").
struct LeadershipWatch: Service {
    let leadership: Leadership
    let engine: EngineHandle
    /// Told the reason and the head the engine stopped at.
    let onLoss: @Sendable (LossReason, UInt64?) async -> Void
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if let reason = leadership.lossReason {
                let head = try? engine.headNumber()
                engine.stop(reason: "leadership lost: \(reason)")
                logger.critical("leadership lost: stopped sealing", metadata: ["reason": "\(reason)"])
                await onLoss(reason, head)
                // onLoss started the group's graceful shutdown; returning before it reaches this
                // service would count as an unexpected end and fail the group with an error of its
                // own instead of `LeadershipLost`.
                try? await gracefulShutdown()
                return
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// `emeth sequencer run` stopped because this node lost leadership. The process exits with
/// `exitCode` (75, EX_TEMPFAIL: "try again"), distinct from a configuration or storage error
/// (1), so a supervisor restarts it — as a standby, which re-reads its store at its durable head
/// and follows the new leader. Leaving the process rather than turning into a standby inside it
/// drops everything the deposed leader held in memory (mempool, sealing state, the poster) with
/// no path to reuse it by mistake.
public struct LeadershipLost: Error, CustomStringConvertible {
    public static let exitCode: Int32 = 75
    public let reason: LossReason
    public var description: String { "leadership lost (\(reason)): stopped sealing; restart the node to rejoin as a standby" }
}
