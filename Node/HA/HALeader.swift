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

    /// Catches `store` up with the log, campaigns until elected, and catches up again.
    /// Throws (after resigning) if a logged block does not verify on this store: a node
    /// holding another history must never lead.
    static func elect(_ c: NodeConfig, store: ChainStore, logger: Logger) async throws -> HALeader {
        let client: EtcdClient
        do { client = try EtcdClient(endpointList: c.ha.etcd) } catch { throw NodeError("[ha] etcd \"\(c.ha.etcd)\": \(error)") }
        let keys = try ClusterKeys(chain: "\(store.genesis.chainId)")
        let log = FencedBlockLog(client: client, keys: keys)
        let election = Election(client: client, keys: keys, ttlSeconds: Int64(c.ha.leaseTTLms / 1_000), logger: logger)
        let url = c.ha.advertiseURL.isEmpty ? "http://\(c.listen)" : c.ha.advertiseURL
        let record = try LeaderRecord(nodeID: c.ha.nodeID, apiURL: url)
        let chain = FollowerChain(store: store, leader: URL(string: url) ?? URL(fileURLWithPath: "/"), logger: logger)
        try await catchUp(store: store, chain: chain, log: log, logger: logger)
        logger.notice("standby: campaigning for leadership", metadata: ["node": "\(c.ha.nodeID)", "head": "\(store.head.header.number)"])
        let leadership = try await election.campaign(as: record)
        do {
            try await catchUp(store: store, chain: chain, log: log, logger: logger)
        } catch {
            try? await leadership.resign()
            throw error
        }
        logger.notice("leader: sealing from the log's head", metadata: ["node": "\(c.ha.nodeID)", "head": "\(store.head.header.number)",
                                                                       "fence": "\(leadership.fence)"])
        return HALeader(leadership: leadership, log: log, replicator: EtcdReplicator(log: log, leadership: leadership, logger: logger))
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
