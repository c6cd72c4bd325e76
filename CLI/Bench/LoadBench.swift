import ArgumentParser
import Bridge
import Client
import Core
import Foundation
import LoadGen

/// `emeth bench load`: what a client sees of a running sequencer — signed transactions sent
/// over HTTP, and how long until each is in a durable block. The work is in `LoadGen`; this
/// reads the flags, funds the accounts if asked, and prints.
struct LoadBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Send pre-signed transactions of a job mix to a running sequencer and measure throughput and latency.",
        discussion: """
            Start the target first, e.g. `LOCALNET_SEND_RATE=1000000 LOCALNET_MAX_BACKLOG=0 LOCALNET_BLOCK_TIME_MS=50 scripts/localnet up`,
            then `set -a; . .localnet/env; set +a` and
            `EMETH_PRIVATE_KEY=${USER_KEYS%%,*} EMETH_VERIFIER_PRIVATE_KEY=$VERIFIER_KEY emeth bench load --rpc $L2_RPC_URL --fund`.
            The accounts are derived from --seed: a rerun against the same chain reuses them (and their nonces).
            """)

    @Option(help: "The sequencer's L2 JSON-RPC endpoint (env EMETH_L2_RPC; default http://127.0.0.1:8547).")
    var rpc: String?

    @Option(help: "Transactions to send.")
    var txs = 20_000

    @Option(help: "Target rate in transactions a second (default: open loop, as fast as the sequencer answers).")
    var rate: Double?

    @Option(help: "Requesters, and as many nodes.")
    var accounts = 64

    @Option(help: "JSON-RPC requests per HTTP batch (the server's max_batch is 100 by default).")
    var batch = 100

    @Option(help: "HTTP requests in flight at once.")
    var concurrency = 4

    @Option(help: "Fuel price of every job (at least the chain's minimum; the localnet's is 1gholon).")
    var fuelPrice = "1gholon"

    @Option(help: "Derives the accounts and the jobs.")
    var seed: UInt64 = 1

    @Flag(help: "Fund the accounts first: depositFor on L1 from the key in EMETH_PRIVATE_KEY (or --keystore), then wait for the L2 credit.")
    var fund = false

    @Option(help: "With --fund: EMT per account.")
    var fundAmount = "10emt"

    @Option(help: "With --fund: the L1 endpoint (env EMETH_L1_RPC).")
    var l1: String?

    @Option(help: "With --fund: deployment.json (env EMETH_DEPLOYMENT).")
    var deployment: String?

    @Option(help: "Keystore of the funding L1 key (default: EMETH_PRIVATE_KEY).")
    var keystore: String?

    @Option(help: "Keystore of a verifier key, whose Verify ends each job (default: EMETH_VERIFIER_PRIVATE_KEY; without either, jobs end at Submit).")
    var verifierKeystore: String?

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        let text = rpc ?? env["EMETH_L2_RPC"] ?? "http://127.0.0.1:8547"
        guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https" else { throw CLIError("invalid --rpc URL: \(text)") }
        guard txs > 0, accounts > 0, batch > 0, concurrency > 0 else { throw CLIError("--txs, --accounts, --batch and --concurrency must be positive") }
        if let rate, !(rate > 0) { throw CLIError("--rate must be positive") }
        let l2 = L2Client(url: url)
        let domain = try await clientCall { try ChainContext.parse(try await l2.chainInfo()).domain }
        let price = try parseAmount(fuelPrice)
        let verifier: PrivateKey? = verifierKeystore != nil || env["EMETH_VERIFIER_PRIVATE_KEY"] != nil
            ? try KeyOptions.load(keystore: verifierKeystore, env: "EMETH_VERIFIER_PRIVATE_KEY", role: "verifier", missing: "")
            : nil
        let say: (String) -> Void = { line in if !json { print(line) } else { FileHandle.standardError.write(Data((line + "\n").utf8)) } }

        let requesters = LoadPlan.keys(seed: seed, count: accounts, role: "requester")
        let nodes = LoadPlan.keys(seed: seed, count: accounts, role: "node")
        if fund {
            let l1Text = l1 ?? env["EMETH_L1_RPC"] ?? ""
            guard let l1URL = URL(string: l1Text), l1URL.scheme == "http" || l1URL.scheme == "https" else {
                throw CLIError(l1Text.isEmpty ? "--fund needs the L1 endpoint: pass --l1 URL or set EMETH_L1_RPC" : "invalid --l1 URL: \(l1Text)")
            }
            guard let path = deployment ?? env["EMETH_DEPLOYMENT"] else { throw CLIError("--fund needs --deployment FILE or EMETH_DEPLOYMENT") }
            let d: Deployment
            do { d = try Deployment.load(path) } catch { throw CLIError("\(error)") }
            let eth = EthClient(url: l1URL)
            do { _ = try await eth.requireChainId(d.chainId) } catch { throw CLIError("\(error)") }
            let key = try KeyOptions.load(keystore: keystore, env: "EMETH_PRIVATE_KEY", role: nil,
                                          missing: "--fund needs the funding L1 key: pass --keystore FILE or set EMETH_PRIVATE_KEY")
            let amount = try parseAmount(fundAmount)
            let need = try await LoadFunding.unfunded((requesters + nodes).map(\.address), amount: amount, l2: l2)
            say("depositing \(Amount.format(amount)) on L1 for each of \(need.count) accounts")
            try await LoadFunding.fund(need, amount: amount, from: L1Sender(eth: eth, key: key, chainId: d.chainId), deployment: d, l2: l2)
            say("funded \(need.count) accounts (\(2 * accounts - need.count) already were)")
        }

        // Nonces from the chain, so a second run against the same chain goes on where the first ended.
        var nonces: [Address: UInt64] = [:]
        for k in requesters + nodes + (verifier.map { [$0] } ?? []) { nonces[k.address] = try await l2.account(k.address).nonce }
        let signStart = Date()
        let plan = LoadPlan(seed: seed, transactions: txs, requesters: accounts, nodes: accounts, verifier: verifier,
                            prices: .init(fuelPrice: price), domain: domain, nonces: nonces)
        say("signed \(plan.txs.count) transactions in \(String(format: "%.1f", Date().timeIntervalSince(signStart))) s across "
            + "\(plan.senders.count) accounts: " + plan.mix.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))

        var options = LoadRunner.Options(rate: rate)
        options.batchSize = batch
        options.concurrency = concurrency
        let r = try await LoadRunner(url: url, plan: plan, options: options).run()
        let raw = rawRecoveryRate(signatures: plan.txs.map(\.signature), digests: plan.txs.map(\.digest))
        let ms = { (p: Double) in Double(r.latency.valueAtPercentile(p)) / 1_000 }
        if json {
            let out: JSONValue = .object([
                "mix": .object(plan.mix.mapValues { .int($0) }),
                "rate": rate.map { .number(String($0)) } ?? .null,
                "sent": .int(r.sent), "accepted": .int(r.accepted), "skipped": .int(r.skipped),
                "refused": .object(r.refused.mapValues { .int($0) }),
                "sequenced": .int(r.sequenced), "receiptsSequenced": .int(r.receiptsSequenced),
                "seconds": .number(String(format: "%.3f", r.seconds)), "txPerSecond": .number(String(format: "%.1f", r.txPerSecond)),
                "latencyMs": .object(["p50": .number(String(ms(50))), "p95": .number(String(ms(95))), "p99": .number(String(ms(99))),
                                      "max": .number(String(Double(r.latency.max) / 1_000))]),
                "rawRecoverPerSecond": .number(String(format: "%.0f", raw)),
                "ratio": .number(String(format: "%.3f", r.txPerSecond / raw)),
            ])
            print(out.serialized)
        } else {
            print("target rate: \(rate.map { String(format: "%.0f tx/s", $0) } ?? "open loop (as fast as answered)")")
            print("sent \(r.sent), accepted \(r.accepted), refused \(r.refused.values.reduce(0, +)), never sent \(r.skipped); "
                  + "sequenced \(r.sequenced) in \(String(format: "%.2f", r.seconds)) s: \(String(format: "%.0f", r.txPerSecond)) tx/s")
            for (why, n) in r.refused.sorted(by: { $0.value > $1.value }) { print("  refused \(n)×: \(why)") }
            print(String(format: "latency send → sequenced: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms",
                         ms(50), ms(95), ms(99), Double(r.latency.max) / 1_000))
            print("receipts: \(r.receiptsSequenced) of \(r.accepted) accepted say sequenced")
            print(String(format: "raw libsecp256k1 recover on %d cores, same run: %.0f tx/s; achieved ÷ raw = %.3f",
                         ProcessInfo.processInfo.activeProcessorCount, raw, r.txPerSecond / raw))
        }
    }
}
