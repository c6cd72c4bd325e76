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
    static func takeOver(_ leadership: Leadership, cluster: HACluster, store: ChainStore, logger: Logger) async throws -> HALeader {
        let chain = FollowerChain(store: store, leader: URL(fileURLWithPath: "/"), logger: logger)
        do {
            try await catchUp(store: store, chain: chain, log: cluster.log, logger: logger)
        } catch {
            try? await leadership.resign()
            throw error
        }
        logger.notice("leader: sealing from the log's head", metadata: ["node": "\(cluster.record.nodeID)", "head": "\(store.head.header.number)",
                                                                       "fence": "\(leadership.fence)"])
        return HALeader(leadership: leadership, log: cluster.log,
                        replicator: EtcdReplicator(log: cluster.log, leadership: leadership, logger: logger))
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
/// poster stops and it can rejoin as a standby when restarted.
struct LeadershipWatch: Service {
    let leadership: Leadership
    let engine: EngineHandle
    let onLoss: @Sendable (LossReason) async -> Void
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if let reason = leadership.lossReason {
                engine.stop(reason: "leadership lost: \(reason)")
                logger.critical("leadership lost: stopped sealing", metadata: ["reason": "\(reason)"])
                await onLoss(reason)
                return
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
