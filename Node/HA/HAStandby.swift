import Bridge
import Cluster
import Core
import Foundation
import Logging
import Sequencer

/// The etcd block log as a follower's `BlockSource`: the next blocks from N, read at one
/// revision (polled by the follower's retry loop; every block is verified before it is stored).
struct EtcdLogSource: BlockSource {
    let log: FencedBlockLog
    let status: HAStatus

    var name: String { "etcd block log \(log.keys.root)" }

    func blocks(from number: UInt64) async throws -> ServedBlocks {
        do {
            let r = try await log.read(from: number)
            status.etcd(nil)
            status.logHead(r.bounds.head)
            return ServedBlocks(head: r.bounds.head ?? 0, blocks: r.blocks.map(\.bytes))
        } catch .pruned(let requested, let floor) {
            throw NodeError("the block log was pruned to block \(floor), this standby needs block \(requested): restore its store from a follower")
        } catch {
            status.etcd("\(error)")
            throw NodeError("\(error)")
        }
    }
}

/// A sequencer node in HA mode while another node leads: a follower of the etcd block log
/// (verifying and applying every block, serving reads, forwarding `sendTransaction` to the
/// leader the leader key names now — it watches that key and follows every change) that
/// campaigns once it is ready (`HAReadiness`: caught up with the log's head, its store healthy,
/// L1 reachable; checked again whenever the leader key goes, `campaignWhenReady`). Returns the
/// won `Leadership` after the follower has stopped and closed its store, or nil if the node was
/// asked to stop first.
enum HAStandby {
    static func run(_ c: NodeConfig, genesis: Genesis, cluster: HACluster, l1: L1Connection?, status: HAStatus,
                    logger: Logger) async throws -> Leadership? {
        let current = try? await cluster.election.leader()
        if current == nil {
            // No leader: nobody to follow; campaign at once (elect catches up from the log).
            return try await cluster.election.campaign(as: cluster.record)
        }
        let store: ChainStore
        do { store = try ChainStore(path: c.dataDir, genesis: genesis, treeCacheNodes: c.treeCacheNodes) } catch {
            throw NodeError("cannot open the data directory \(c.dataDir): \(error)")
        }
        let leaderURL = current.flatMap { URL(string: $0.record.apiURL) } ?? URL(string: "http://127.0.0.1:1")!
        let follower = FollowerNode(store: store, source: EtcdLogSource(log: cluster.log, status: status), leader: leaderURL, config: c,
                                    pollMs: 50, cluster: status, logger: logger)
        // Transactions go to whoever leads now, not to the leader seen at start.
        let leaders = Task {
            for await leader in cluster.election.observe() {
                status.observed(leader, head: try? follower.chain.withConsistentStore { $0.head.header.number })
                if let leader, leader.record.nodeID != cluster.record.nodeID, let url = URL(string: leader.record.apiURL) {
                    follower.chain.follow(leader: url)
                }
            }
        }
        defer { leaders.cancel() }
        let won = LockedValue<Leadership?>(nil)
        let campaign = Task {
            guard let leadership = await campaignWhenReady(cluster: cluster, follower: follower, l1: l1.map { readinessProbe($0, c) },
                                                           logger: logger) else { return }
            won.set(leadership)
            logger.notice("standby elected: stopping the follower to take over", metadata: ["node": "\(cluster.record.nodeID)"])
            await follower.shutdown()
        }
        logger.notice("standby: following the block log", metadata: ["node": "\(cluster.record.nodeID)", "leader": "\(leaderURL.absoluteString)"])
        do {
            try await follower.run(shutdownSignals: [.sigterm, .sigint])
        } catch {
            campaign.cancel()
            throw error
        }
        campaign.cancel()
        if won.value == nil { logger.info("standby stopped") }
        return won.value
    }
}

extension HAStandby {
    /// Campaigns once the standby is ready (`HAReadiness`: the store applying blocks, the etcd
    /// log readable, caught up with its head, L1 answering) and, when the leader key is free,
    /// checks again right before trying: readiness is never older than one probe when it wins,
    /// so a standby whose L1 went away while the leader lived does not take over. Each new
    /// reason for waiting is logged once. Nil when cancelled.
    static func campaignWhenReady(cluster: HACluster, follower: FollowerNode, l1: EthClient?, logger: Logger) async -> Leadership? {
        var waitingFor: String?
        var vacant = false
        while !Task.isCancelled {
            var logHead: UInt64?, logError: String?
            do { logHead = try await cluster.log.bounds().head } catch { logError = "\(error)" }
            var l1Error: String?
            if let l1 {
                do { _ = try await l1.blockNumber() } catch { l1Error = "\(error)" }
            }
            let mine = (try? follower.chain.withConsistentStore { $0.head.header.number }) ?? 0
            if let blocker = HAReadiness.blocker(stopped: follower.chain.stoppedReason, logHead: logHead, logError: logError,
                                                 mine: mine, l1: l1Error) {
                if blocker != waitingFor, !blocker.hasPrefix("behind the block log") {
                    logger.warning("standby not ready to campaign", metadata: ["reason": "\(blocker)"])
                }
                waitingFor = blocker
                try? await Task.sleep(for: .milliseconds(100))
                continue
            }
            if waitingFor != nil, !(waitingFor?.hasPrefix("behind the block log") ?? false) {
                logger.notice("standby ready to campaign again", metadata: ["was": "\(waitingFor ?? "")"])
            }
            waitingFor = nil
            if vacant, let leadership = try? await cluster.election.tryCampaign(as: cluster.record) { return leadership }
            // Wait for the leader key to go, at most one lease TTL, then look at readiness again.
            vacant = await cluster.election.vacancy(within: .seconds(cluster.election.ttl))
        }
        return nil
    }

    /// L1 as the readiness check asks it: one attempt that gives up after one lease TTL. The
    /// node's own client retries for minutes; a black-holed L1 must keep the standby from
    /// campaigning within a lease TTL, and say why.
    static func readinessProbe(_ l1: L1Connection, _ c: NodeConfig) -> EthClient {
        EthClient(rpc: JSONRPCClient(url: l1.eth.rpc.url, timeout: TimeInterval(c.ha.leaseTTLms) / 1_000, maxAttempts: 1))
    }
}

/// What a node in HA mode talks to: the chain's election and block log in etcd.
struct HACluster: Sendable {
    let election: Election
    let log: FencedBlockLog
    let record: LeaderRecord

    init(_ c: NodeConfig, genesis: Genesis, logger: Logger) throws {
        let client: EtcdClient
        do { client = try EtcdClient(endpointList: c.ha.etcd) } catch { throw NodeError("[ha] etcd \"\(c.ha.etcd)\": \(error)") }
        let keys = try ClusterKeys(chain: "\(genesis.chainId)")
        log = FencedBlockLog(client: client, keys: keys)
        election = Election(client: client, keys: keys, ttlSeconds: Int64(c.ha.leaseTTLms / 1_000), logger: logger)
        record = try LeaderRecord(nodeID: c.ha.nodeID, apiURL: c.ha.advertiseURL.isEmpty ? "http://\(c.listen)" : c.ha.advertiseURL)
    }
}
