import Logging

/// Leader election for one chain: whoever creates the leader key leads, for as long as the
/// lease the key is bound to lives.
///
/// A campaign grants a lease of `ttl` seconds and runs one transaction: if the leader key
/// does not exist (create revision 0), put our record bound to the lease, else read the key.
/// etcd serialises transactions, so exactly one campaigner finds the key absent. The winner's
/// `Leadership` renews the lease; when renewals stop (crash, partition, freeze), etcd deletes
/// the key once the TTL runs out, and a waiting campaigner takes it.
public struct Election: Sendable {
    public let client: EtcdClient
    public let keys: ClusterKeys
    /// The lease TTL in seconds: how long a dead leader blocks the chain. etcd raises values
    /// below its minimum (1.5 × its election timeout: 2 s with the default 1 s timeout).
    public let ttl: Int64
    /// Wins, losses (with the reason) and failed renewals are logged here; nil: nowhere.
    let logger: Logger

    public init(client: EtcdClient, keys: ClusterKeys, ttlSeconds: Int64 = 2, logger: Logger? = nil) {
        self.client = client
        self.keys = keys
        self.ttl = ttlSeconds
        self.logger = logger ?? Logger(label: "emeth.cluster", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// One attempt: the `Leadership` if we won, nil if another node leads.
    public func tryCampaign(as record: LeaderRecord) async throws(ElectionError) -> Leadership? {
        let started = ContinuousClock.now
        let lease: EtcdClient.Lease
        do { lease = try await client.grantLease(ttl: ttl) } catch { throw .etcd(error) }
        var won: Fence?
        do {
            let result = try await client.txn([Compare(keys.leader, .create(0))],
                                              success: [.put(keys.leader, record.bytes, lease: lease.id)],
                                              failure: [.get(keys.leader)])
            if result.succeeded { won = Fence(lease: lease.id, revision: result.header.revision) }
        } catch .indeterminate {
            // The transaction may have been applied: the key says whether we hold it.
            do {
                let (kv, _) = try await client.get(keys.leader)
                if let kv, kv.lease == lease.id { won = Fence(lease: lease.id, revision: kv.modRevision) }
            } catch {
                try? await client.revokeLease(lease.id)
                throw .etcd(error)
            }
        } catch {
            try? await client.revokeLease(lease.id)
            throw .etcd(error)
        }
        guard let won else {
            try? await client.revokeLease(lease.id)
            return nil
        }
        logger.info("elected leader", metadata: ["chain": "\(keys.chain)", "node": "\(record.nodeID)",
                                                 "lease": "\(won.lease)", "revision": "\(won.revision)"])
        return Leadership(client: client, keys: keys, record: record, fence: won, ttl: lease.ttl, renewedAt: started, logger: logger)
    }

    /// Campaigns until elected: while another node leads, waits for its key to go (watching
    /// it), then tries again. Throws `.timedOut` once `timeout` has passed, `.cancelled` if the
    /// task is cancelled. A node should campaign only when it is ready to lead (caught up,
    /// store healthy, L1 reachable): winning is taking over at once. While another node leads
    /// this waits, and readiness checked before may no longer hold when it wins: a standby
    /// waits with `vacancy(within:)` instead and checks again before `tryCampaign`.
    public func campaign(as record: LeaderRecord, timeout: Duration? = nil) async throws(ElectionError) -> Leadership {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        var seen: LeaderRecord?
        while true {
            if Task.isCancelled { throw .cancelled }
            if let deadline, clock.now >= deadline { throw .timedOut(leader: seen) }
            let current: (KeyValue?, ResponseHeader)
            do { current = try await client.get(keys.leader) } catch {
                try? await Task.sleep(for: .milliseconds(200))
                continue
            }
            guard let kv = current.0 else {
                do {
                    if let leadership = try await tryCampaign(as: record) { return leadership }
                } catch .etcd {
                    try? await Task.sleep(for: .milliseconds(200))
                }
                continue
            }
            seen = try? LeaderRecord.decode(kv.value)
            // Wait for the key to change; give up waiting after one TTL to look again anyway.
            var wait = Duration.seconds(ttl)
            if let deadline { wait = min(wait, max(.milliseconds(10), deadline - clock.now)) }
            do {
                for try await response in client.watch(keys.leader, rangeEnd: nil, startRevision: current.1.revision + 1,
                                                       idleTimeout: wait) {
                    if response.canceled || response.events.contains(where: { $0.kind == .delete }) { break }
                }
            } catch {
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Waits until no node leads: true once the leader key is absent (at once if it is), false
    /// when it is still held after `timeout` or etcd could not be asked. For a node that must
    /// check it is still ready the moment the key goes, then `tryCampaign`: `campaign` waits
    /// for the key and takes it however long ago the caller last checked.
    public func vacancy(within timeout: Duration) async -> Bool {
        let current: (KeyValue?, ResponseHeader)
        do { current = try await client.get(keys.leader) } catch {
            try? await Task.sleep(for: min(timeout, .milliseconds(200)))
            return false
        }
        guard current.0 != nil else { return true }
        do {
            for try await response in client.watch(keys.leader, rangeEnd: nil, startRevision: current.1.revision + 1,
                                                   idleTimeout: timeout) {
                if response.canceled { return false }
                if response.events.contains(where: { $0.kind == .delete }) { return true }
            }
        } catch {
            try? await Task.sleep(for: min(timeout, .milliseconds(200)))
        }
        return false
    }

    /// The current leader, or nil if none.
    public func leader() async throws(ElectionError) -> Leader? {
        let kv: KeyValue?
        do { (kv, _) = try await client.get(keys.leader) } catch { throw .etcd(error) }
        guard let kv else { return nil }
        return Leader(record: try LeaderRecord.decode(kv.value), fence: Fence(lease: kv.lease, revision: kv.modRevision))
    }

    /// Every change of leader, starting with the current one (nil: no leader), for as long as
    /// the consumer iterates. Survives member failures by reading again and re-watching.
    public func observe() -> AsyncStream<Leader?> {
        let election = self
        return AsyncStream(Leader?.self, bufferingPolicy: .unbounded) { continuation in
            let task = Task {
                var last: Leader?? = .none
                func emit(_ l: Leader?) {
                    if case .some(let previous) = last, previous == l { return }
                    last = .some(l)
                    continuation.yield(l)
                }
                while !Task.isCancelled {
                    let current: (KeyValue?, ResponseHeader)
                    do { current = try await election.client.get(election.keys.leader) } catch {
                        try? await Task.sleep(for: .milliseconds(200))
                        continue
                    }
                    emit(current.0.flatMap(Self.leader(from:)))
                    do {
                        for try await response in election.client.watch(election.keys.leader, rangeEnd: nil,
                                                                        startRevision: current.1.revision + 1,
                                                                        idleTimeout: .seconds(election.ttl * 5)) {
                            if response.canceled { break }
                            for event in response.events {
                                emit(event.kind == .delete ? nil : Self.leader(from: event.kv))
                            }
                        }
                    } catch {
                        try? await Task.sleep(for: .milliseconds(200))
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    static func leader(from kv: KeyValue) -> Leader? {
        guard let record = try? LeaderRecord.decode(kv.value) else { return nil }
        return Leader(record: record, fence: Fence(lease: kv.lease, revision: kv.modRevision))
    }
}
