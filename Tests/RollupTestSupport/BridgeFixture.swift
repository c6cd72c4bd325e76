import Bridge
import Core
import Foundation
import Sequencer
import TestSupport

/// Shared by the bridge's and the auditor's tests.
///
/// A whole rollup on the real local L1: the contracts deployed from the committed artifacts,
/// users holding EMT and ETH, their deposits fed through the inbox watcher into a sequencer
/// engine on a temporary RocksDB, and blocks of really signed L2 transactions.
public final class BridgeFixture: @unchecked Sendable {
    public static func key(_ i: Int) -> PrivateKey { try! PrivateKey(hex: devKeys[i]) }
    /// The devnet's documented development keys (scripts/devnet_rpc/accounts.py).
    public static let devKeys = [
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
        "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
        "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
        "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
        "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    ]
    public static let emt = UInt256(1_000_000_000_000_000_000)

    public let devnet: LocalDevnet
    public let eth: EthClient
    public let owner = key(0), sequencer = key(1), guardian = key(2)
    public let users = (3...5).map { key($0) }
    public let verifier = key(6)
    public let signer = try! PrivateKey(bytes: Keccak.hash256(Array("bridge-test-signer".utf8)))
    public let deployment: Deployment
    public let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-bridge-\(UUID().uuidString)").path
    public var chainDir: String { dir + "/chain" }
    public var bridgeDir: String { dir + "/bridge" }
    public let genesis: Genesis
    public private(set) var engine: SequencerEngine?
    public var rollup: RollupContract { RollupContract(address: deployment.rollup, eth: eth) }

    public init(challengePeriod: UInt64 = 30, devnetArguments: [String] = [], timeout: TimeInterval = 30,
                settings configure: (inout RollupSettings) -> Void = { _ in }) async throws {
        devnet = try LocalDevnet(arguments: devnetArguments)
        eth = EthClient(rpc: JSONRPCClient(url: devnet.url, timeout: timeout, maxAttempts: 3))
        let deployer = Deployer(sender: L1Sender(eth: eth, key: owner, chainId: 31337),
                                artifacts: PythonOracle.repoRoot.appendingPathComponent("Contracts/artifacts").path)
        var settings = RollupSettings()
        settings.challengePeriod = challengePeriod
        settings.inboxConfirmations = 1
        configure(&settings)
        deployment = try await deployer.deployAll(token: nil, owner: owner.address, sequencer: sequencer.address, signer: signer.address,
                                                  guardians: [guardian.address], settings: settings)
        genesis = Genesis(chainId: 31337, rollup: deployment.rollup, signer: signer.address, timestamp: 1_700_000_000,
                          roles: Roles(verifiers: [verifier.address]))
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try (genesis.json.serialized + "\n").write(toFile: dir + "/genesis.json", atomically: true, encoding: .utf8)
        try deployment.write(dir + "/deployment.json")
    }

    deinit {
        devnet.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    public func l1(_ k: PrivateKey) -> L1Sender { L1Sender(eth: eth, key: k, chainId: 31337) }

    /// Mints `amount` EMT to each user, approves the rollup, deposits it.
    public func depositAll(_ amount: UInt256) async throws {
        let mint = try ABIFunction(signature: "mint(address,uint256)")
        let approve = try ABIFunction(signature: "approve(address,uint256)")
        for u in users {
            try await l1(owner).send(to: deployment.token, data: try mint.encodeCall([.address(u.address), .uint(amount)]), what: "mint")
            try await l1(u).send(to: deployment.token, data: try approve.encodeCall([.address(deployment.rollup), .uint(amount)]), what: "approve")
            try await l1(u).send(to: deployment.rollup, data: try RollupContract.deposit.encodeCall([.uint(amount)]), what: "deposit")
        }
    }

    public func openEngine() throws -> SequencerEngine {
        if let engine { return engine }
        let e = SequencerEngine(store: try ChainStore(path: chainDir, genesis: genesis), signerKey: signer)
        engine = e
        return e
    }

    /// Lets go of the chain store so another process can open it.
    public func closeEngine() { engine = nil }

    public func sign(_ k: PrivateKey, _ call: L2Call, _ e: SequencerEngine) throws -> L2Envelope {
        let nonce = (try e.store.account(k.address)?.nonce ?? 0) + UInt64(e.mempool.pendingCount(of: k.address))
        let digest = e.admission.domain.digest(structHash: L2TypedData.structHash(call, nonce: nonce))
        return L2Envelope(call: call, nonce: nonce, signature: try Secp256k1.sign(digest: digest, key: k).rsv)
    }

    /// Seals `count` blocks: the confirmed inbox first, then per block and user one
    /// RegisterJob and one Withdraw (so credits, and tickets, change in every block).
    @discardableResult
    public func sealBlocks(_ count: Int) async throws -> [SealedBlock] {
        let e = try openEngine()
        var watcher = InboxWatcher(rollup: rollup, confirmations: 1)
        for m in try await watcher.poll(next: e.store.inboxCursor + UInt64(e.pendingInboxCount)) { try e.enqueue(m) }
        var out: [SealedBlock] = []
        for _ in 0..<count {
            let n = e.store.head.number + 1
            for (i, u) in users.enumerated() {
                let id = try JobID(bytes: Array(Keccak.hash256(Array("job-\(n)-\(i)".utf8)).prefix(16)))
                try e.submit(try sign(u, .registerJob(.init(jobId: id, programId: 1, numParallel: 1, numEpoch: 1,
                                                            dataset: try Hash32(bytes: Keccak.hash256(id.bytes)), param: .zero,
                                                            fuelLimit: 1_000, fuelPrice: 1_000_000_000, deadline: 4_000_000_000)), e))
                try e.submit(try sign(u, .withdraw(amount: UInt256(UInt64(n) * 1_000_000 + UInt64(i))), e))
            }
            out.append(try e.seal(timestamp: genesis.timestamp + n)!)
        }
        return out
    }

    public func txManager(_ store: BridgeStore, confirmations: UInt64 = 1, bumpAfterMs: UInt64 = 60_000,
                   now: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }) throws -> TxManager {
        var c = TxManagerConfig()
        c.confirmations = confirmations
        c.bumpAfterMs = bumpAfterMs
        return try TxManager(store: store, lockDirectory: bridgeDir, key: sequencer, chainId: 31337, eth: eth, config: c, now: now)
    }

    public func poster(_ store: BridgeStore, _ txm: TxManager, maxBlocks: UInt64 = 2) throws -> BatchPoster {
        var p = BatchPolicy()
        p.minDataBytes = 0
        p.maxBlocks = maxBlocks
        return BatchPoster(chain: try openEngine().store, store: store, rollup: rollup, txm: txm, policy: p)
    }

    /// Steps the poster until every sealed block is in a committed batch.
    public func postAll(_ poster: BatchPoster, maxSteps: Int = 200) async throws {
        for _ in 0..<maxSteps {
            let p = try await poster.step()
            if p.backlogBlocks == 0 && p.inFlight == 0 { return }
        }
        throw FixtureFailure("poster did not finish in \(maxSteps) steps")
    }

    /// A raw JSON-RPC call to the devnet (its evm_* helpers).
    public func devnetCall(_ method: String, _ params: [JSONValue] = []) async throws -> JSONValue {
        try await eth.rpc.call(method, params)
    }
}

public struct FixtureFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
