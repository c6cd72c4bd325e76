import CSecp256k1
import Core
import Dispatch
import Foundation
import Node
import Sequencer
import Workloads

/// End to end in process: JSON wire form → parse → recover (all cores) → mempool → apply →
/// seal (roots, Signer, tickets) → one synced RocksDB batch per block, through the service's
/// sealing pipeline (`EngineHandle`: block k+1 executes while block k is signed and written).
/// Against the raw limit: libsecp256k1 recover alone on the same cores.
/// The same load is also sealed without the pipeline (each block executed, signed and written
/// before the next one starts, as the sequencer sealed before), alternately with the pipelined
/// run for `rounds` rounds, each on a fresh store, so the two rows compare under the same machine
/// load (medians).
enum IngestBench {
    static func run(blocks: Int = 20, txsPerBlock: Int = 2_000, rounds: Int = 3) throws -> [BenchRow] {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let total = Double(blocks * txsPerBlock)
        let signing = try engine(base + "/load", txsPerBlock: txsPerBlock)
        let wire = try load(signing, blocks: blocks, txsPerBlock: txsPerBlock)
        let admission = signing.admission
        signing.store.db.close()
        var before: [Double] = [], ours: [Double] = []
        var split = StageTimes()
        for r in 0..<max(1, rounds) {
            let serial = try engine(base + "/serial-\(r)", txsPerBlock: txsPerBlock)
            try fund(serial, txsPerBlock: txsPerBlock)
            let t0 = DispatchTime.now().uptimeNanoseconds
            split = try ingestWithoutPipeline(serial, wire: wire, txsPerRound: txsPerBlock)
            before.append(total / (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9))
            serial.store.db.close()

            let pipelined = try engine(base + "/pipelined-\(r)", txsPerBlock: txsPerBlock)
            try fund(pipelined, txsPerBlock: txsPerBlock)
            let handle = EngineHandle(engine: pipelined)
            let t1 = DispatchTime.now().uptimeNanoseconds
            try ingest(handle, wire: wire, txsPerRound: txsPerBlock)
            ours.append(total / (Double(DispatchTime.now().uptimeNanoseconds - t1) / 1e9))
            handle.close()
        }

        // Raw limit: recover the same signatures with libsecp256k1 on all cores.
        let envs = wire.flatMap { $0 }.map { try! L2Envelope.parse(try! JSONValue.parse($0)) }
        let digests = envs.map { admission.domain.digest(structHash: L2TypedData.structHash($0.call, nonce: $0.nonce)) }
        let raw = rawRecoveryRate(signatures: envs.map(\.signature), digests: digests)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        print(split.summary)
        return [
            BenchRow(name: "ingest end to end (\(cores) cores)", ours: median(ours), raw: raw, unit: "tx/s",
                     rawName: "libsecp256k1 recover on \(cores) cores"),
            BenchRow(name: "  same, no sealing pipeline", ours: median(before), raw: raw, unit: "tx/s",
                     rawName: "libsecp256k1 recover on \(cores) cores"),
        ]
    }

    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    static func engine(_ dir: String, txsPerBlock: Int) throws -> SequencerEngine {
        let key = Stress.signerKey(seed: 1)
        let store = try ChainStore(path: dir, genesis: Stress.genesis(signer: key.address))
        return SequencerEngine(store: store, signerKey: key, policy: SealPolicy(maxTxs: txsPerBlock, maxBytes: 100_000_000))
    }

    /// Funds the workload's users in block 1 (not timed).
    static func fund(_ engine: SequencerEngine, txsPerBlock: Int) throws {
        for m in Workload(seed: 1, users: 64, txsPerBlock: txsPerBlock).inbox(forBlock: 1) { try engine.enqueue(m) }
        try engine.seal(timestamp: 1_700_000_001)
    }

    /// Funds the workload's users in block 1, then pre-signs `blocks` rounds of `txsPerBlock`
    /// transactions in their JSON wire form (signing is the client's cost, not ours).
    static func load(_ engine: SequencerEngine, blocks: Int, txsPerBlock: Int) throws -> [[Data]] {
        let workload = Workload(seed: 1, users: 64, txsPerBlock: txsPerBlock)
        try fund(engine, txsPerBlock: txsPerBlock)
        var nonces: [Address: UInt64] = [:]
        var wire: [[Data]] = []
        for k in 2...UInt64(blocks + 1) {
            let envs = workload.transactions(forBlock: k, nonce: { nonces[$0, default: 0] }, domain: engine.admission.domain)
            for e in envs { nonces[try! Secp256k1.recoverAddress(digest: engine.admission.domain.digest(structHash: L2TypedData.structHash(e.call, nonce: e.nonce)), rsv: e.signature), default: 0] += 1 }
            wire.append(envs.map { Data($0.json.serialized.utf8) })
        }
        return wire
    }

    /// Wall time of each step of the serial run, summed over its blocks: what the pipeline can
    /// overlap (stage two: signing and the write) with what it cannot (admission, execution).
    struct StageTimes {
        var admit = 0.0, execute = 0.0, sign = 0.0, write = 0.0
        var blocks = 0

        var summary: String {
            let ms = 1e3 / Double(max(blocks, 1))
            return String(format: "ingest without the pipeline, per block (%d blocks): mempool %.1f ms, execute %.1f ms, "
                          + "sign %.1f ms, write %.1f ms", blocks, admit * ms, execute * ms, sign * ms, write * ms)
        }
    }

    /// `ingest` with every block executed, signed and written before the next one starts (the
    /// engine's synchronous `seal`, step by step): what sealing cost before the pipeline, for
    /// comparison. Returns the time each step took.
    @discardableResult
    static func ingestWithoutPipeline(_ engine: SequencerEngine, wire: [[Data]], txsPerRound: Int) throws -> StageTimes {
        var times = StageTimes()
        func timed<T>(_ t: inout Double, _ body: () throws -> T) rethrows -> T {
            let start = DispatchTime.now().uptimeNanoseconds
            defer { t += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
            return try body()
        }
        try forEachAdmittedRound(engine.admission, wire: wire) { i, current in
            try timed(&times.admit) { for r in current { try engine.mempoolAdd(try r.get()) } }
            var sealed = 0
            while engine.mempool.count > 0 {
                let executed = try timed(&times.execute) { try engine.executeSeal(timestamp: 1_700_000_002 + UInt64(i)) }
                guard let executed else { throw CLIError("nothing sealed") }
                let p = timed(&times.sign) { executed.signed(by: engine.signer) }
                try timed(&times.write) { try engine.store.write(p.batch) }
                sealed += engine.endSeal(p).transactions.count
                times.blocks += 1
            }
            precondition(sealed == txsPerRound, "round \(i) sealed \(sealed) transactions")
        }
        return times
    }

    /// What a sequencer does with the load: admission (parse + recover, all cores) of the next
    /// round runs while the current one is applied and sealed, as in the service; each round is
    /// sealed in as many blocks as the batch budget needs, through the sealing pipeline (the
    /// last block of a round is made durable while the next round enters the mempool). Returns
    /// the blocks sealed, once all are durable.
    @discardableResult
    static func ingest(_ engine: EngineHandle, wire: [[Data]], txsPerRound: Int) throws -> Int {
        var blocks = 0
        try forEachAdmittedRound(engine.admission, wire: wire) { i, current in
            try engine.withEngine { e in for r in current { try e.mempoolAdd(try r.get()) } }
            // Blocks are bounded by what one batch can carry, so a round may take several.
            let executed = engine.sealPending(untilDurable: false)
            let sealed = executed.reduce(0) { $0 + $1.transactions.count }
            blocks += executed.count
            if let reason = engine.stoppedReason { throw CLIError(reason) }
            precondition(sealed == txsPerRound, "round \(i) sealed \(sealed) transactions")
        }
        engine.waitUntilDurable()
        if let reason = engine.stoppedReason { throw CLIError(reason) }
        return blocks
    }

    /// Calls `body` with each round's admitted transactions (parsed and recovered) while the
    /// next round is admitted on the other cores, as the service overlaps them.
    static func forEachAdmittedRound(_ admission: L2Admission, wire: [[Data]],
                                     _ body: (Int, [Result<L2Transaction, L2TxError>]) throws -> Void) throws {
        var next = admission.admit(wire: wire[0].map { Array($0) })
        for i in 0..<wire.count {
            let current = next
            let group = DispatchGroup()
            nonisolated(unsafe) var upcoming: [Result<L2Transaction, L2TxError>] = []
            if i + 1 < wire.count {
                let block = wire[i + 1]
                DispatchQueue.global().async(group: group) { upcoming = admission.admit(wire: block.map { Array($0) }) }
            }
            try body(i, current)
            group.wait()
            next = upcoming
        }
    }
}
