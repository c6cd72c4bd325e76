import Core
import Dispatch
import Foundation
import Sequencer

/// What a load run sends: the transactions of a job mix across many accounts, signed before
/// the clock starts (signing is the clients' cost, not the sequencer's).
///
/// The mix, per unit of work (drawn from the seed):
/// - 70%: a job's lifecycle — RegisterJob (requester), Process and Submit (node), Verify
///   (verifier; without a verifier key the lifecycle ends at Submit);
/// - 15%: RegisterJob, then CancelJob by the same requester;
/// - 15%: a node withdraws a little of its balance.
///
/// Every transaction succeeds when its predecessors ran: a step that needs another account's
/// transaction (Process needs the RegisterJob) names it in `after`, and the runner sends it
/// only once that one was accepted (admission checks against the pending state, so an
/// accepted RegisterJob is enough). Steps of one account go in nonce order.
public struct LoadPlan: Sendable {
    public struct Tx: Sendable {
        /// The wire form (`{type, message, signature}`), the params of emeth_sendTransaction.
        public let wire: JSONValue
        public let hash: Hash32
        /// Index into `LoadPlan.senders`.
        public let sender: Int
        public let nonce: UInt64
        /// Index of another account's transaction that must be accepted first.
        public let after: Int?
        public let kind: String
        /// The EIP-712 digest and the 65-byte signature (for the raw recovery baseline).
        public let digest: Bytes
        public let signature: Bytes
    }

    public let txs: [Tx]
    /// Requesters, then nodes, then the verifier (if any).
    public let senders: [PrivateKey]
    public let requesters: Int
    public let nodes: Int

    /// Accounts of a load: keys derived from the seed, so a rerun reuses funded accounts.
    public static func keys(seed: UInt64, count: Int, role: String) -> [PrivateKey] {
        var out: [PrivateKey] = []
        var i: UInt64 = 0
        while out.count < count {
            if let k = try? PrivateKey(bytes: Keccak.hash256(Array("emeth-load-\(seed)-\(role)-\(i)".utf8))) { out.append(k) }
            i += 1
        }
        return out
    }

    /// The price a job offers per unit of fuel and its fuel limit: small, so 1 EMT funds
    /// thousands of jobs, and at the chain's minimum price.
    public struct Prices: Sendable {
        public var fuelPrice: UInt256
        public var fuelLimit: UInt256 = UInt256(1_000)
        public var withdraw: UInt256 = UInt256(1_000_000_000)
        public init(fuelPrice: UInt256) { self.fuelPrice = fuelPrice }
    }

    /// `nonces`: each sender's next nonce on the chain (a rerun against the same chain);
    /// `salt` makes the job ids of this run (a rerun must not register the same jobs).
    public init(seed: UInt64, transactions: Int, requesters: Int, nodes: Int, verifier: PrivateKey?,
                prices: Prices, domain: EIP712.Domain, nonces: [Address: UInt64] = [:], salt: UInt64 = .random(in: 0 ... .max)) {
        let req = Self.keys(seed: seed, count: requesters, role: "requester")
        let nod = Self.keys(seed: seed, count: nodes, role: "node")
        senders = req + nod + (verifier.map { [$0] } ?? [])
        self.requesters = requesters
        self.nodes = nodes
        let verifierIndex = verifier == nil ? nil : senders.count - 1
        var next = senders.map { nonces[$0.address] ?? 0 }

        // First the calls, in an order every account can run them in.
        struct Step { let sender: Int; let call: L2Call; let after: Int?; let kind: String }
        var steps: [Step] = []
        var unit: UInt64 = 0
        let deadline = UInt256(UInt64(Date().timeIntervalSince1970) + 30 * 86_400)
        while steps.count < transactions {
            // The mix follows the seed; job ids also take the run's salt (a rerun makes new jobs).
            let tag = Keccak.hash256(Array("load-\(seed)-\(unit)".utf8))
            let idTag = Keccak.hash256(Array("load-\(seed)-\(salt)-\(unit)".utf8))
            let r = Int(unit % UInt64(requesters)), n = requesters + Int((unit / UInt64(requesters)) % UInt64(nodes))
            let jobId = try! JobID(bytes: Array(idTag[0..<16]))
            let register = L2Call.registerJob(.init(
                jobId: jobId, programId: UInt256(UInt64(tag[16] % 8 + 1)), numParallel: 1, numEpoch: UInt256(UInt64(tag[17] % 4 + 1)),
                dataset: try! Hash32(bytes: Keccak.hash256(idTag)), param: .zero, fuelLimit: prices.fuelLimit,
                fuelPrice: prices.fuelPrice, deadline: deadline))
            switch tag[31] % 20 {
            case 0..<14:
                steps.append(Step(sender: r, call: register, after: nil, kind: "RegisterJob"))
                let registered = steps.count - 1
                steps.append(Step(sender: n, call: .process(jobId: jobId), after: registered, kind: "Process"))
                steps.append(Step(sender: n, call: .submit(jobId: jobId, result: try! Hash32(bytes: Keccak.hash256(Array(idTag.reversed()))),
                                                         fuelUsed: prices.fuelLimit), after: nil, kind: "Submit"))
                if let v = verifierIndex {
                    steps.append(Step(sender: v, call: .verify(jobId: jobId), after: steps.count - 1, kind: "Verify"))
                }
            case 14..<17:
                steps.append(Step(sender: r, call: register, after: nil, kind: "RegisterJob"))
                steps.append(Step(sender: r, call: .cancelJob(jobId: jobId), after: nil, kind: "CancelJob"))
            default:
                steps.append(Step(sender: n, call: .withdraw(amount: prices.withdraw), after: nil, kind: "Withdraw"))
            }
            unit += 1
        }
        steps.removeLast(steps.count - transactions)  // a cut lifecycle only leaves a job open

        // Then the nonces (in step order) and the signatures, on every core.
        var assigned: [UInt64] = []
        for s in steps {
            assigned.append(next[s.sender])
            next[s.sender] += 1
        }
        let keys = senders, plannedSteps = steps, nonceOf = assigned
        let signed = UnsafeMutableBufferPointer<Tx?>.allocate(capacity: steps.count)
        signed.initialize(repeating: nil)
        defer { signed.deallocate() }
        nonisolated(unsafe) let out = signed
        let cores = ProcessInfo.processInfo.activeProcessorCount
        DispatchQueue.concurrentPerform(iterations: cores) { c in
            var i = c
            while i < plannedSteps.count {
                let s = plannedSteps[i]
                let digest = domain.digest(structHash: L2TypedData.structHash(s.call, nonce: nonceOf[i]))
                let sig = try! Secp256k1.sign(digest: digest, key: keys[s.sender])
                let env = L2Envelope(call: s.call, nonce: nonceOf[i], signature: sig.rsv)
                out[i] = Tx(wire: env.json, hash: L2Transaction.hash(digest: digest, sender: keys[s.sender].address),
                            sender: s.sender, nonce: nonceOf[i], after: s.after, kind: s.kind, digest: digest, signature: sig.rsv)
                i += cores
            }
        }
        txs = signed.map { $0! }
    }

    /// Transactions of each kind.
    public var mix: [String: Int] { txs.reduce(into: [:]) { $0[$1.kind, default: 0] += 1 } }
}
