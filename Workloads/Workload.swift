import Core
import Sequencer

/// A deterministic load for the sequencer: a fixed set of funded users (keys derived from a
/// seed) sending signed Withdraw, RegisterJob and CancelJob transactions. The contents of
/// block k depend only on the seed, k and the chain state, so a crashed run resumed from its
/// store and a clean run from scratch must reach the same block hashes.
public struct Workload: Sendable {
    public let seed: UInt64
    public let users: [PrivateKey]
    public let txsPerBlock: Int

    public init(seed: UInt64, users: Int = 8, txsPerBlock: Int = 50) {
        self.seed = seed
        self.txsPerBlock = txsPerBlock
        var keys: [PrivateKey] = []
        var i: UInt64 = 0
        while keys.count < users {
            if let k = try? PrivateKey(bytes: Keccak.hash256(Array("emeth-workload-\(seed)-\(i)".utf8))) { keys.append(k) }
            i += 1
        }
        self.users = keys
    }

    /// Block 1 deposits 1,000 EMT to every user through the inbox.
    public func inbox(forBlock k: UInt64) -> [InboxMessage] {
        guard k == 1 else { return [] }
        return users.enumerated().map { i, u in
            InboxMessage(index: UInt64(i), kind: .deposit, account: u.address, amount: UInt256(1_000) * UInt256(1_000_000_000_000_000_000), l1Block: 1)
        }
    }

    /// The signed transactions of block k, with nonces taken from `state`.
    public func transactions(forBlock k: UInt64, nonce: (Address) throws -> UInt64, domain: EIP712.Domain) rethrows -> [L2Envelope] {
        guard k > 1 else { return [] }
        var next: [Address: UInt64] = [:]
        var out: [L2Envelope] = []
        for t in 0..<txsPerBlock {
            let u = users[t % users.count]
            let n = try next[u.address] ?? nonce(u.address)
            next[u.address] = n + 1
            let tag = Keccak.hash256(Array("\(seed)-\(k)-\(t)".utf8))
            let call: L2Call
            switch tag[0] % 3 {
            case 0: call = .withdraw(amount: UInt256(UInt64(tag[1]) + 1) * UInt256(1_000_000_000))
            case 1:
                call = .registerJob(.init(jobId: try! JobID(bytes: Array(tag[0..<16])), programId: UInt256(UInt64(tag[2])),
                                          numParallel: 1, numEpoch: 1, dataset: try! Hash32(bytes: tag), param: .zero,
                                          fuelLimit: UInt256(UInt64(tag[3]) * 1_000 + 1), fuelPrice: 1_000_000_000,
                                          deadline: UInt256(4_000_000_000 + k)))
            default:
                // Cancel the job this user registered in the previous block's same slot; if it
                // registered none, withdraw instead. Every transaction succeeds: admission
                // refuses what would fail.
                let prev = Keccak.hash256(Array("\(seed)-\(k - 1)-\(t)".utf8))
                if k > 2 && prev[0] % 3 == 1 {
                    call = .cancelJob(jobId: try! JobID(bytes: Array(prev[0..<16])))
                } else {
                    call = .withdraw(amount: UInt256(UInt64(tag[1]) + 1) * UInt256(1_000_000_000))
                }
            }
            let digest = domain.digest(structHash: L2TypedData.structHash(call, nonce: n))
            let sig = try! Secp256k1.sign(digest: digest, key: u)
            out.append(L2Envelope(call: call, nonce: n, signature: sig.rsv))
        }
        return out
    }

    /// Drives `engine` from its head to `blocks` in the sealing pipeline's order, calling
    /// `acknowledged` after each durable block: block k+1's transactions are submitted and the
    /// block executed (on block k's unwritten state) before block k is signed, written and
    /// acknowledged — what the service's two stages do, one step at a time, so the crash tests
    /// kill a process exactly while k is being made durable with k+1 executed. `faults` may
    /// stop the process after a submitted transaction (`stress.afterSubmit`) or after an
    /// acknowledgement (`stress.afterAck`); the store's own points sit around k's write.
    public func run(_ engine: SequencerEngine, to blocks: UInt64, faults: Faults = Faults(),
                    acknowledged: (SealedBlock) -> Void) throws {
        let genesisTime = engine.store.genesis.timestamp
        var executed: SequencerEngine.ExecutedSeal?   // block k: executed, not yet written
        var next = engine.store.head.number + 1
        while next <= blocks || executed != nil {
            var following: SequencerEngine.ExecutedSeal?
            if next <= blocks {
                for m in inbox(forBlock: next) { try engine.enqueue(m) }
                // Nonces from the newest state: block k's, while it is not yet written.
                for env in try transactions(forBlock: next, nonce: { try engine.nextNonce($0) }, domain: engine.admission.domain) {
                    try engine.submit(env)
                    faults.hit("stress.afterSubmit")
                }
                following = try engine.executeSeal(timestamp: genesisTime + next, allowEmpty: true)
                next += 1
            }
            if let k = executed {
                let p = k.signed(by: engine.signer)
                try engine.store.write(p.batch)
                acknowledged(engine.endSeal(p))
                faults.hit("stress.afterAck")
            }
            executed = following
        }
    }
}
