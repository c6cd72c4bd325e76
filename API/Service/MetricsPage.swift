import Core
import Sequencer

/// The `GET /metrics` page (Prometheus text format): ingest counters, chain height, sealing,
/// mempool and — with a bridge — the batch backlog and the last final batch.
enum MetricsPage {
    static let roles: Set<String> = ["leader", "standby", "follower", "stopped"]

    static func render(_ api: L2API) -> String {
        let m = api.chain.metrics.snapshot
        let chain = try? api.chain.gauges()
        var p = PrometheusText()
        p.counter("emeth_txs_received_total", "Transactions received by emeth_sendTransaction.", m.received)
        p.counter("emeth_txs_accepted_total", "Transactions authenticated and queued in the mempool.", m.accepted)
        p.counter("emeth_txs_rejected_total", "Transactions refused before the mempool, by reason.", label: "reason", m.rejected)
        p.counter("emeth_blocks_sealed_total", "Blocks sealed by this process.", m.sealed)
        p.gauge("emeth_block_seal_seconds", "Duration of the last seal (execute, roots, sign, fsync).", String(m.lastSealSeconds))
        p.gauge("emeth_block_last_txs", "Transactions in the last sealed block.", String(m.lastSealTxs))
        p.gauge("emeth_up", "1 while the engine accepts work, 0 after a storage failure stopped it.", chain == nil ? "0" : "1")
        if let chain {
            p.gauge("emeth_block_height", "Number of the head block.", String(chain.head))
            p.gauge("emeth_mempool_size", "Transactions in the mempool (ready and waiting for a nonce gap).", String(chain.mempool))
            p.gauge("emeth_mempool_ready", "Mempool transactions executable now.", String(chain.ready))
            p.gauge("emeth_mempool_senders", "Senders with transactions in the mempool.", String(chain.senders))
            p.counter("emeth_mempool_dropped_total", "Future-nonce transactions dropped, by reason.", label: "reason",
                      ["expired": UInt64(chain.expired), "evicted": UInt64(chain.evicted)])
            p.counter("emeth_txs_failed_after_admission_total",
                      "Transactions admitted against the pending state that failed in their block (races).", UInt64(chain.failedAfterAdmission))
        }
        // Every node says what it is: a single sequencer leads; a read replica follows; an HA
        // node is whatever its cluster status says.
        let role = api.cluster?.role ?? (api.replica == nil ? "leader" : "follower")
        p.gauge("emeth_node_role", "1 for this node's role (leader, standby, follower, stopped), 0 for the others.", label: "role",
                Dictionary(uniqueKeysWithValues: Self.roles.union([role]).map { ($0, $0 == role ? "1" : "0") }))
        if let cluster = api.cluster {
            let c = cluster.metrics
            p.gauge("emeth_ha_etcd_up", "1 while etcd answered this node's newest request, else 0.", c.etcdUp ? "1" : "0")
            let lag: String
            if cluster.role == "leader" { lag = "0" } else if cluster.role == "standby", let logHead = c.logHead, let head = chain?.head {
                lag = String(logHead > head ? logHead - head : 0)
            } else { lag = "-1" }
            p.gauge("emeth_ha_replication_lag_blocks",
                    "Blocks the etcd block log holds beyond this node's head (0 on the leader; -1 before a standby's first read, or stopped).", lag)
            p.counter("emeth_ha_leadership_changes_total", "Times this process won or lost leadership.", UInt64(c.leadershipChanges))
        }
        if let replica = api.replica {
            let r = replica.replication
            p.gauge("emeth_follower_leader_head", "The leader's head at the last fetch, or -1 before the first.",
                    r.leaderHead.map { String($0) } ?? "-1")
            p.gauge("emeth_follower_lag_blocks", "Leader head minus this follower's head, or -1 before the first fetch.",
                    r.leaderHead.map { h in String(h > (chain?.head ?? 0) ? h - (chain?.head ?? 0) : 0) } ?? "-1")
            p.gauge("emeth_follower_last_block_age_seconds", "Seconds since this follower applied a block, or -1 before the first.",
                    r.secondsSinceLastBlock.map { String($0) } ?? "-1")
            p.counter("emeth_follower_blocks_applied_total", "Blocks this follower verified and stored.", r.applied)
            p.counter("emeth_follower_refusals_total", "Blocks this follower refused (each refused block once).", r.refusals)
            p.gauge("emeth_follower_refused_block", "The block this follower refuses now, or -1.", r.refusal?.block.map { String($0) } ?? "-1")
            p.gauge("emeth_follower_leader_up", "1 while the last fetch from the leader succeeded, else 0.", r.leaderError == nil ? "1" : "0")
            if r.auditing {
                p.gauge("emeth_follower_audited_batch", "The newest L1 batch that agrees with this follower's blocks, or -1.",
                        r.auditedBatch.map { String($0) } ?? "-1")
                p.gauge("emeth_follower_diverged", "1 once an L1 batch disagrees with this follower's verified blocks, else 0.",
                        r.divergence == nil ? "0" : "1")
            }
        }
        if let hub = api.subscriptions {
            let c = hub.counts
            p.gauge("emeth_ws_connections", "Open WebSocket connections on /ws.", String(c.connections))
            p.gauge("emeth_ws_subscriptions", "Active emeth_subscribe subscriptions.", String(c.subscriptions))
            p.counter("emeth_ws_notifications_total", "Subscription notifications queued for clients.", c.notifications)
            p.counter("emeth_ws_dropped_total", "WebSocket connections dropped for reading too slowly (their queue was full).", c.dropped)
        }
        if let batches = api.batches {
            if let backlog = batches.backlogBytes {
                p.gauge("emeth_batch_backlog_bytes", "Bytes of sealed blocks not yet posted to L1.", String(backlog))
            }
            if let limit = api.maxBacklogBytes {
                p.gauge("emeth_batch_backlog_limit_bytes", "Backlog past which new transactions are refused.", String(limit))
                p.gauge("emeth_backpressure", "1 while new transactions are refused for the L1 backlog.", api.backpressure == nil ? "0" : "1")
            }
            p.gauge("emeth_bridge_unpostable_block", "A block no batch can carry (the poster stopped), or -1.",
                    batches.postingAlarm.map { String($0.block) } ?? "-1")
            if let gas = batches.l1GasSpent {
                p.counter("emeth_l1_gas_spent_total", "L1 gas used by this sequencer's committed batches.", gas)
            }
            let halted = batches.challengedAtBatch
            p.gauge("emeth_bridge_halted", "1 while the batch poster is halted because L1 dropped a committed batch, else 0.", halted == nil ? "0" : "1")
            if let halted {
                p.gauge("emeth_bridge_challenged_batch", "The batch L1 no longer holds, at which the poster halted.", String(halted))
            }
            if let final = batches.latestFinal {
                p.gauge("emeth_last_final_batch", "Index of the newest final batch.", String(final.index))
                p.gauge("emeth_last_final_block", "Last block of the newest final batch.", String(final.lastBlock))
            }
        }
        return p.text
    }
}
