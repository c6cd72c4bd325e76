import Core
import Dispatch
import Foundation
import Sequencer
import Workloads

/// Reading sealed blocks back from the store (`ChainStore.block`, what `emeth_getBlockByNumber`,
/// proofs, the poster and rollback do) against the format the store used before: the same
/// blocks stored in format 1 (transactions as JSON inside the RLP, `LegacyBlockFormat`) in a
/// second RocksDB and read back the way format 1 was, interleaved in the same run. (A raw
/// RocksDB get of a block costs under 1% of either, so it is no useful limit here.)
/// The chain is the stress workload's (Withdraw, RegisterJob, CancelJob) in blocks of
/// `txsPerBlock`, which must fit one batch's byte budget.
enum BlockReadBench {
    static func run(blocks: Int = 30, txsPerBlock: Int = 400, rounds: Int) throws -> [BenchRow] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-blockread-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = Stress.signerKey(seed: 1)
        let store = try ChainStore(path: dir + "/chain", genesis: Stress.genesis(signer: key.address))
        let engine = SequencerEngine(store: store, signerKey: key)
        let workload = Workload(seed: 1, users: 64, txsPerBlock: txsPerBlock)
        try workload.run(engine, to: UInt64(blocks + 1)) { _ in }
        let numbers = Array(2...UInt64(blocks + 1))
        let legacy = try RocksDB(path: dir + "/legacy", columnFamilies: ["blocks"])
        var txs = 0
        for n in numbers {
            let b = try store.block(n)!
            txs += b.transactions.count
            try legacy.put("blocks", LegacyBlockFormat.key(n), LegacyBlockFormat.encode(b))
        }
        precondition(txs == blocks * txsPerBlock, "the chain holds \(txs) transactions, not \(blocks * txsPerBlock)")
        for n in numbers {  // the legacy reader sees the same transactions
            let old = try LegacyBlockFormat.decode(try legacy.get("blocks", LegacyBlockFormat.key(n))!).map(\.hash)
            let now = try store.block(n)!.transactions.map(\.hash)
            precondition(old == now, "block \(n) reads differently in format 1")
        }

        var sink = 0
        let (binary, json) = interleaved(rounds: rounds, ops: txs, {
            for n in numbers { sink &+= try! store.block(n)!.transactions.count }
        }, {
            for n in numbers { sink &+= try! LegacyBlockFormat.decode(try! legacy.get("blocks", LegacyBlockFormat.key(n))!).count }
        })
        // A receipt (`emeth_getTransactionReceipt`): one transaction's outcome out of its stored
        // block, against decoding the whole block's RLP to pick it (what the store did before).
        let (path, whole) = interleaved(rounds: rounds, ops: txs, {
            for n in numbers {
                for i in 0..<UInt32(txsPerBlock) { sink &+= try! store.receipt(block: n, index: i)!.receipt.failure == nil ? 1 : 0 }
            }
        }, {
            for n in numbers {
                for i in 0..<txsPerBlock {
                    let t = try! RLP.decode(try! store.storedBlock(n)!).listValue("block")[4].listValue("transactions")[i].listValue("transaction")
                    sink &+= try! t[3].uint64Value("failure") == 0 ? 1 : 0
                }
            }
        })
        if sink == 42 { print("") }
        return [BenchRow(name: "block read (\(txsPerBlock) tx/block)", ours: binary, raw: json, unit: "tx/s",
                         rawName: "the same blocks in storage format 1, JSON transactions"),
                BenchRow(name: "receipt read (\(txsPerBlock) tx/block)", ours: path, raw: whole, unit: "receipts/s",
                         rawName: "the whole block's RLP decoded for each receipt (as before)")]
    }
}

/// Storage format 1, which the store used before format 2 and no longer reads: each
/// transaction as its JSON wire form inside the block's RLP, with sender and hash. Kept only
/// as the benchmark's baseline; `decode` does what the old `BlockCodec.decode` did per
/// transaction (RLP, then JSON parse and wire-form parse).
enum LegacyBlockFormat {
    static func key(_ n: UInt64) -> Bytes { (0..<8).map { UInt8(truncatingIfNeeded: n >> (56 - 8 * UInt64($0))) } }

    static func encode(_ b: SealedBlock) -> Bytes {
        RLP.encode(.list([
            .bytes(b.header.encoded), .bytes(b.signature), .list(b.inbox.map(BlockCodec.encode)),
            .list(b.inboxFailures.map { .uint(UInt64($0?.rawValue ?? 0)) }),
            .list(b.transactions.map { .list([.bytes(Array($0.envelope.json.serialized.utf8)), .bytes($0.sender.bytes), .bytes($0.hash.bytes)]) }),
            .list(b.receipts.map { .uint(UInt64($0.failure?.rawValue ?? 0)) }),
            .list(b.tickets.map(BlockCodec.encode)),
        ]))
    }

    /// The header, then every transaction's (envelope, sender, hash) and failure code.
    static func decode(_ bytes: Bytes) throws -> [(envelope: L2Envelope, sender: Address, hash: Hash32, failure: UInt64)] {
        let f = try RLP.decode(bytes).listValue("block")
        guard f.count == 7 else { throw CLIError("legacy block with \(f.count) fields") }
        _ = try BlockHeader.decode(try f[0].bytesValue("header"))
        let failures = try f[5].listValue("receipts").map { try $0.uint64Value("failure") }
        var out: [(envelope: L2Envelope, sender: Address, hash: Hash32, failure: UInt64)] = []
        for (i, item) in try f[4].listValue("transactions").enumerated() {
            let t = try item.listValue("transaction")
            let env = try L2Envelope.parse(try JSONValue.parse(String(decoding: try t[0].bytesValue("wire"), as: UTF8.self)))
            out.append((env, try Address(bytes: try t[1].bytesValue("sender")), try Hash32(bytes: try t[2].bytesValue("hash")), failures[i]))
        }
        _ = try f[6].listValue("tickets").map { try $0.listValue("ticket") }
        return out
    }
}
