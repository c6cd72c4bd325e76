import API
import Core
import Dispatch
import Foundation
import Logging
import Sequencer

/// A follower's chain: its own `ChainStore`, into which only verified blocks go, served to the
/// API as a `ServedChain` (reads, proofs) and a `ReplicaLink` (forwarding to the leader, lag,
/// refusals, audit). The head moves under a lock, as the engine's does in a sequencer: reads
/// that need it to stand still take the lock; a block is verified and made durable outside it,
/// then the head moves under it. Only the applying thread (`FollowerService`) writes.
public final class FollowerChain: ServedChain, ReplicaLink, Sendable {
    /// Why the follower refuses work: its store failed, or the node shut down (-32005).
    public struct Stopped: Error, Equatable, CustomStringConvertible, RPCErrorConvertible {
        public let reason: String
        public var description: String { "follower stopped: \(reason)" }
        public var rpcError: RPCError { RPCError(code: RPCError.notReadyCode, message: description) }
    }

    public let store: ChainStore
    public let genesis: Genesis
    public let signer: Address
    public let admission: L2Admission
    public let metrics: APIMetrics
    public let verifier: BlockVerifier
    /// Replaced when an HA standby sees another node elected (`follow(leader:)`).
    private let link: LockedValue<LeaderLink>
    let logger: Logger

    private struct Guarded {
        var stopped: String?
        var status = ReplicationStatus()
        var lastApplied: Date?
    }

    private let guarded = LockedValue(Guarded())

    /// Told of every block once it is verified and durable, with the jobs it changed (the
    /// API's subscriptions, as a sequencer's `EngineHandle` tells them). Must return at once.
    let onApplied: @Sendable (SealedBlock, () -> [Job]) -> Void

    public init(store: ChainStore, leader: URL, auditing: Bool = false, metrics: APIMetrics = APIMetrics(),
                logger: Logger = Logger(label: "emeth.follower"), onApplied: @escaping @Sendable (SealedBlock, () -> [Job]) -> Void = { _, _ in }) {
        self.onApplied = onApplied
        self.store = store
        genesis = store.genesis
        signer = store.genesis.signer
        verifier = BlockVerifier(genesis: store.genesis)
        admission = verifier.admission
        self.metrics = metrics
        link = LockedValue(LeaderLink(url: leader))
        self.logger = logger
        guarded.withLock { $0.status.auditing = auditing }
    }

    // MARK: ServedChain

    public var stoppedReason: String? { guarded.withLock { $0.stopped } }

    public func withConsistentStore<T: Sendable>(_ body: (ChainStore) throws -> T) throws -> T {
        try guarded.withLock { g in
            if let why = g.stopped { throw Stopped(reason: why) }
            return try body(store)
        }
    }

    /// Only reached without the API's forwarding; a follower's own nonce is the committed one.
    public func pendingNonce(_ address: Address) throws -> UInt64 { try withConsistentStore { try $0.account(address)?.nonce ?? 0 } }

    /// A follower has no mempool: nothing waits here.
    public func isPending(_ hash: Hash32) throws -> Bool { false }

    /// A follower sequences nothing (the API forwards transactions to the leader).
    public func submit(_ tx: L2Transaction, bytes: Int) throws {
        throw RPCError(code: RPCError.notReadyCode, message: "a follower sequences nothing: send transactions to its leader \(leader)")
    }

    public func gauges() throws -> ChainGauges {
        try withConsistentStore { ChainGauges(head: $0.head.number, mempool: 0, ready: 0, senders: 0, expired: 0, evicted: 0, failedAfterAdmission: 0) }
    }

    // MARK: ReplicaLink

    public var leader: String { link.value.url.absoluteString }

    public func forward(_ method: String, params: [JSONValue]) async throws -> JSONValue {
        try await link.value.forward(method, params: params)
    }

    /// Forwards to `leader` from now on (a request already on its way finishes where it went).
    public func follow(leader: URL) {
        let changed = link.withLock { l in
            guard l.url != leader else { return false }
            l = LeaderLink(url: leader)
            return true
        }
        if changed { logger.info("forwarding to a new leader", metadata: ["leader": "\(leader.absoluteString)"]) }
    }

    public var replication: ReplicationStatus {
        guarded.withLock { g in
            var s = g.status
            s.secondsSinceLastBlock = g.lastApplied.map { Date().timeIntervalSince($0) }
            return s
        }
    }

    // MARK: Applying (the applying thread only)

    /// The head as the applying thread sees it (it is the only writer).
    var head: BlockHeader { store.head.header }

    /// What one `apply` did.
    public struct Applied: Sendable {
        public var count = 0
        public var refusal: BlockRefusal?
    }

    /// Verifies `blocks` (the blocks after the head, in order) and stores each that verifies,
    /// one synced write per block; stops at the first that does not, storing nothing of it.
    /// As in the sequencer, the parallel part of the next block (decoding and signature
    /// recovery, all cores) runs while the current one is re-executed and written.
    /// Throws when the store fails: the follower then stops, as a sequencer does. Called by the
    /// applying thread only (and by `emeth bench --only follow`).
    public func apply(_ blocks: [Bytes]) throws -> Applied {
        var out = Applied()
        guard let first = blocks.first else { return out }
        let verifier = self.verifier
        var next = verifier.prepare([first])
        for i in blocks.indices {
            let current = next[0]
            let ahead = DispatchGroup()
            nonisolated(unsafe) var upcoming: [BlockVerifier.Prepared] = []
            if i + 1 < blocks.count {
                let bytes = blocks[i + 1]
                DispatchQueue.global().async(group: ahead) { upcoming = verifier.prepare([bytes]) }
            }
            defer { ahead.wait() }
            switch try verifier.verify(current, on: store) {
            case .failure(let r):
                refuse(r)
                out.refusal = r
                return out
            case .success(let v):
                do { try store.write(v.batch, sync: true) } catch {
                    guarded.withLock { $0.stopped = "storing block \(v.block.number) failed: \(error)" }
                    throw error
                }
                guarded.withLock { g in
                    store.didWrite(v.block.header, state: v.state)
                    g.status.applied += 1
                    g.status.refusal = nil
                    g.lastApplied = Date()
                }
                onApplied(v.block) { v.state.changedJobs.compactMap { v.state.jobs[$0] } }
                out.count += 1
            }
            ahead.wait()
            next = upcoming
        }
        return out
    }

    /// Records a refusal for /health and /metrics; logs it loudly the first time.
    private func refuse(_ r: BlockRefusal) {
        let problem = ReplicationStatus.Problem(block: r.block, field: r.field, expected: r.expected, found: r.found, message: r.description)
        let fresh = guarded.withLock { g -> Bool in
            guard g.status.refusal != problem else { return false }
            g.status.refusal = problem
            g.status.refusals += 1
            return true
        }
        if fresh {
            logger.critical("block refused: \(r)", metadata: [
                "block": "\(r.block)", "field": "\(r.field)", "expected": "\(r.expected)", "found": "\(r.found)",
                "action": "nothing of it was stored; the follower stays at block \(r.block - 1) and asks again"])
        }
    }

    /// The outcome of the last fetch from the leader.
    func noteLeader(head: UInt64?, error: String?) {
        guarded.withLock { g in
            if let head { g.status.leaderHead = head }
            g.status.leaderError = error
        }
    }

    /// The L1 audit's progress and findings.
    func noteAudit(batch: UInt64?, divergence: ReplicationStatus.Problem?) {
        guarded.withLock { g in
            g.status.auditedBatch = batch
            g.status.divergence = divergence
        }
    }

    /// Closes the store once the node has stopped: later calls are refused as stopped.
    public func close() {
        guarded.withLock { g in
            if g.stopped == nil { g.stopped = "the follower has shut down" }
            store.db.close()
        }
    }
}
