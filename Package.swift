// swift-tools-version: 6.1
import PackageDescription

// Layout (docs/ARCHITECTURE.md): one folder per module, dependencies point one way:
// Core ← Sequencer ← Bridge (the poster reads sealed blocks, the watcher feeds the inbox) ←
// Prover (the auditor reads L1 through the bridge client); Core + Sequencer ← API (the L2
// JSON-RPC server, which serves a node through its own protocols); Sequencer + Bridge ←
// Client (job transactions against the L2 API); Core ← Cluster (etcd: the leader election and
// block log of failover); everything ← Node (how a running node is composed); CLI on top.
// scripts/check-imports enforces the forbidden edges.
let optimize: [CSetting] = [.unsafeFlags(["-O3"])]

let package = Package(
    name: "EmethRollup",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "emeth", targets: ["CLI"]),
        .library(name: "Core", targets: ["Core"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // WebSocket subscriptions on the API's own port (`/ws`, docs/API.md).
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        // Used directly by API, Node, Bridge and Prover (Hummingbird brings them; declared so the
        // imports are honest).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Latency percentiles of `emeth bench load`.
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // System libraries from Debian packages (see scripts/setup).
        .systemLibrary(name: "CSecp256k1", path: "CLibs/CSecp256k1", pkgConfig: "libsecp256k1",
                       providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(name: "CRocksDB", path: "CLibs/CRocksDB", pkgConfig: "rocksdb",
                       providers: [.apt(["librocksdb-dev"])]),
        .systemLibrary(name: "CZstd", path: "CLibs/CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "CLibs/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),
        // Keccak-256 has no packaged library here; ours is a small portable C file.
        .target(name: "CKeccak", path: "CLibs/CKeccak", cSettings: optimize),

        .target(name: "Core", dependencies: ["CKeccak", "CSecp256k1", "COpenSSL"], path: "Core"),
        .target(name: "Sequencer", dependencies: ["Core", "CRocksDB", "CZstd"], path: "Sequencer"),
        .target(name: "Bridge", dependencies: ["Core", "Sequencer", .product(name: "Logging", package: "swift-log")], path: "Bridge"),
        .target(name: "Prover", dependencies: ["Core", "Sequencer", "Bridge", .product(name: "Logging", package: "swift-log")],
                path: "Prover"),
        .target(name: "API", dependencies: [
                    "Core", "Sequencer",
                    .product(name: "Hummingbird", package: "hummingbird"),
                    .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                ], path: "API"),
        // etcd over its JSON gateway: the leader election and the fenced block log that sequencer
        // failover stands on (docs/ARCHITECTURE.md, "Cluster"). Its small HTTP client is on NIO,
        // which the API already builds.
        .target(name: "Cluster", dependencies: [
                    "Core",
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "NIOPosix", package: "swift-nio"),
                    .product(name: "NIOHTTP1", package: "swift-nio"),
                    .product(name: "Logging", package: "swift-log"),
                ], path: "Cluster"),
        // What requesters, nodes and role holders run against the L2 API (the `emeth job` commands' logic).
        .target(name: "Client", dependencies: ["Core", "Sequencer", "Bridge"], path: "Client"),
        // A target of its own (not a folder of Sequencer or Bridge): composing a node needs the
        // engine, L1, the prover and the HTTP server at once, and none of those should depend on
        // the others just to be wired together (Node/Node.swift).
        .target(name: "Node", dependencies: [
                    "Core", "Sequencer", "Bridge", "Prover", "API", "Cluster",
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                    .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                    .product(name: "TOMLKit", package: "TOMLKit"),
                ], path: "Node"),
        // The deterministic signed load the benchmarks, the crash tests (`sequencer stress`)
        // and the test suites drive a chain with; not part of any library a node runs.
        .target(name: "Workloads", dependencies: ["Core", "Sequencer"], path: "Workloads"),
        // The load generator behind `emeth bench load`: a client of the L2 API, over HTTP.
        .target(name: "LoadGen", dependencies: [
                    "Core", "Sequencer", "Bridge",
                    .product(name: "Histogram", package: "hdrhistogram-swift"),
                ], path: "LoadGen"),
        .executableTarget(
            name: "CLI",
            dependencies: [
                "Core", "Sequencer", "Bridge", "Prover", "Client", "Node", "Cluster", "Workloads", "LoadGen", "CKeccak", "COpenSSL", "CSecp256k1",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "CLI"),

        // Shared by the test targets: runs the Python oracles and the local L1.
        .target(name: "TestSupport", dependencies: ["Core", .product(name: "Logging", package: "swift-log")], path: "Tests/TestSupport"),
        .testTarget(name: "CoreTests", dependencies: ["Core", "TestSupport"], path: "Tests/CoreTests",
                    resources: [.copy("Vectors")]),
        .testTarget(name: "SequencerTests", dependencies: ["Core", "Sequencer", "Workloads", "TestSupport"], path: "Tests/SequencerTests"),
        // A whole rollup on the local L1, for the bridge's and the auditor's tests.
        .target(name: "RollupTestSupport", dependencies: ["Core", "Sequencer", "Bridge", "TestSupport"], path: "Tests/RollupTestSupport"),
        .testTarget(name: "BridgeTests", dependencies: ["Core", "Sequencer", "Bridge", "TestSupport", "RollupTestSupport"], path: "Tests/BridgeTests"),
        .testTarget(name: "ProverTests", dependencies: ["Core", "Sequencer", "Bridge", "Prover", "Workloads", "TestSupport", "RollupTestSupport"],
                    path: "Tests/ProverTests"),
        .testTarget(name: "ClientTests", dependencies: ["Core", "Sequencer", "Client", "TestSupport"], path: "Tests/ClientTests"),
        // Node and Bridge too: the leader's replicator, pruning at the poster's L1 finality, against a real etcd.
        .testTarget(name: "ClusterTests", dependencies: ["Core", "Cluster", "Node", "Sequencer", "Bridge", "TestSupport"], path: "Tests/ClusterTests"),
        .testTarget(name: "APITests", dependencies: ["Core", "Sequencer", "Bridge", "API", "Node", "TestSupport"], path: "Tests/APITests"),

        // Fuzzing (CONTRIBUTING.md): one entry point per decoder fed from outside, shared by the
        // libFuzzer driver and the normal suite's corpus replay.
        .target(name: "FuzzHarness", dependencies: ["Core", "Sequencer", "Bridge", "Prover", "API", "Workloads"], path: "Fuzz/Harness"),
        .testTarget(name: "FuzzTests", dependencies: ["Core", "Sequencer", "Prover", "FuzzHarness"], path: "Tests/FuzzTests"),
    ]
)

// The libFuzzer driver exists only for `make fuzz` (EMETH_FUZZ=1 with -sanitize=fuzzer, which
// links libFuzzer), so a plain `swift build` never tries to link it.
if Context.environment["EMETH_FUZZ"] != nil {
    package.targets += [
        .target(name: "CFuzzer", path: "Fuzz/CFuzzer"),
        .executableTarget(name: "EmethFuzz", dependencies: ["FuzzHarness", "CFuzzer"], path: "Fuzz/Driver"),
    ]
}
