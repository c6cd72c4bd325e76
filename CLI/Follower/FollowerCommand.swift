import ArgumentParser
import Foundation
import Node

/// `emeth follower …`: read replicas.
struct FollowerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follower", abstract: "Read replicas: follow a sequencer, verify every block, serve the API.",
        subcommands: [FollowerRun.self])
}

/// `emeth follower run`: pulls signed blocks from the leader, verifies each (Signer signature,
/// parent link, re-execution and every root) into its own data directory and serves every read
/// method of the API from it; transactions sent to it go to the leader. With `--l1` it also
/// checks every batch commitment on L1 against the blocks it verified (README, "Read replicas").
struct FollowerRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a read replica of a sequencer.",
        discussion: """
        Example: emeth follower run --leader http://127.0.0.1:8547 --data follower --genesis genesis.json \\
                   --listen 127.0.0.1:8548 --l1 http://127.0.0.1:8545 --deployment deployment.json
        """)

    @Option(help: "The leader's L2 JSON-RPC URL (blocks come from it; transactions go to it).") var leader: String
    @Option(help: "Data directory (RocksDB; created from the genesis when new).") var data: String
    @Option(help: "The chain's genesis file (the Signer's address comes from it).") var genesis: String
    @Option(help: "Listen address host:port (port 0 picks a free one).") var listen = "127.0.0.1:8548"
    @Option(help: "L1 JSON-RPC endpoint: audit every batch commitment (needs --deployment).") var l1: String?
    @Option(help: "deployment.json of the L1 contracts (with --l1).") var deployment: String?
    @Option(help: "L1 confirmations before a batch commit is audited and reported.") var confirmations = 3
    @Option(help: "Milliseconds between asks for new blocks when caught up.") var pollMs: UInt64 = 250
    @Option(help: "Milliseconds between L1 audit rounds.") var l1PollMs: UInt64 = 1_000
    @Option(help: "Largest JSON-RPC request body (bytes).") var maxBodyBytes = 1 << 20
    @Option(help: "Most requests in one JSON-RPC batch.") var maxBatch = 100
    @Option(help: "emeth_sendTransaction per client IP and second, before forwarding (0 = no limit).") var sendRate: Double = 200
    @Option(help: "emeth_sendTransaction a client IP may send at once.") var sendBurst = 1_000
    @Option(help: "WebSocket messages waiting for a client before it is dropped as too slow.") var wsQueue = NodeConfig().wsQueue
    @Option(help: "Subscriptions one WebSocket connection may hold.") var wsSubscriptions = NodeConfig().wsSubscriptions
    @Option(help: "State-tree nodes kept in memory (up to ~300 bytes each; 0 = none).") var treeCacheNodes = NodeConfig().treeCacheNodes
    @Option(help: "Log format: text or json.") var logFormat = "text"
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"

    func run() async throws {
        guard let url = URL(string: leader), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw CLIError("--leader \"\(leader)\" is not an http(s) URL")
        }
        guard (l1 == nil) == (deployment == nil) else { throw CLIError("--l1 and --deployment go together") }
        var c = NodeConfig()
        c.dataDir = data
        c.genesis = genesis
        c.listen = listen
        c.l1.rpcURL = l1 ?? ""
        c.bridge.deployment = deployment ?? ""
        c.bridge.confirmations = confirmations
        c.l1PollMs = l1PollMs
        c.maxBodyBytes = maxBodyBytes
        c.maxBatch = maxBatch
        c.sendRate = sendRate
        c.sendBurst = sendBurst
        c.wsQueue = wsQueue
        c.wsSubscriptions = wsSubscriptions
        c.treeCacheNodes = treeCacheNodes
        c.logFormat = logFormat
        c.logLevel = logLevel
        let logger = try NodeLogging.bootstrap(format: c.logFormat, level: c.logLevel, label: "emeth.follower")
        try await FollowerNode.run(c, leader: url, pollMs: max(1, pollMs), logger: logger) { l in
            let line = "emeth follower listening on http://\(l.host):\(l.port) chainId \(l.chainId) head \(l.head.number) \(l.head.hash) leader \(l.leader)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }
}
