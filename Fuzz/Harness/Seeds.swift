import Core
import Foundation
import Prover
import Sequencer
import Workloads

/// The seed corpus: real encodings from a small real chain (signed transactions, sealed
/// blocks, batch data, proofs), plus ABI data from the encoder. `make fuzz-seeds` writes
/// them to Tests/Fuzz/corpus/<target>/.
public enum Seeds {
    static let signerKey = try! PrivateKey(bytes: Keccak.hash256(Array("emeth-fuzz-seed-signer".utf8)))
    static let chainId: UInt256 = 31337
    static let rollup = try! Address("0x5FbDB2315678afecb367f032d93F642f64180aa3")
    static var signer: Address { signerKey.address }

    /// Seeds by target, each a (file name, bytes) pair.
    public static func generate() throws -> [FuzzTarget: [(String, Bytes)]] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-fuzz-seeds-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let genesis = Genesis(chainId: chainId, rollup: rollup, signer: signer, timestamp: 1_000, roles: Roles())
        let store = try ChainStore(path: dir, genesis: genesis)
        defer { store.db.close() }
        let workload = Workload(seed: 3, users: 4, txsPerBlock: 4)
        let engine = SequencerEngine(store: store, signerKey: signerKey, policy: SealPolicy(maxTxs: 5))
        var blocks: [SealedBlock] = [try store.block(0)!]
        try workload.run(engine, to: 6) { blocks.append($0) }

        var out: [FuzzTarget: [(String, Bytes)]] = [:]
        func add(_ t: FuzzTarget, _ name: String, _ b: Bytes) { out[t, default: []].append((name, b)) }
        func add(_ t: FuzzTarget, _ name: String, _ s: String) { add(t, name, Array(s.utf8)) }

        // Transactions: the wire JSON, signed by the workload's users.
        var seenTypes = Set<String>()
        var wire: [JSONValue] = []
        for b in blocks {
            for tx in b.transactions where seenTypes.insert(tx.call.typeName).inserted {
                let env = tx.envelope
                wire.append(env.json)
                add(.l2tx, "tx-\(tx.call.typeName)", env.json.serialized)
                add(.batch, "tx-\(tx.call.typeName)", [2] + env.encoded)
            }
        }
        // The remaining call types, built by hand (unsigned: they stop at recovery).
        let id = try JobID(hex: "0x0123456789abcdef0123456789abcdef")
        let h = try Hash32(bytes: Keccak.hash256(Array("seed".utf8)))
        let sig = Bytes(repeating: 0x11, count: 64) + [27]
        let extra: [L2Call] = [
            .submit(jobId: id, result: h, fuelUsed: 7), .verify(jobId: id), .reject(jobId: id), .timeout(jobId: id),
            .process(jobId: id), .decline(jobId: id), .aggregate(parentJob: id, result: h),
            .split(.init(parentJob: id, jobIds: [id, id], datasets: [h, h], fuelLimits: [1, 2])),
        ]
        for c in extra where seenTypes.insert(c.typeName).inserted {
            let env = L2Envelope(call: c, nonce: 1, signature: sig)
            add(.l2tx, "tx-\(c.typeName)", env.json.serialized)
            add(.batch, "tx-\(c.typeName)", [2] + env.encoded)
        }

        // JSON-RPC bodies.
        let send = JSONValue.object(["jsonrpc": .string("2.0"), "id": .int(1), "method": .string("emeth_sendTransaction"), "params": .array([wire[0]])])
        add(.json, "rpc-send", send.serialized)
        add(.json, "rpc-batch", JSONValue.array([send, .object(["jsonrpc": .string("2.0"), "id": .string("b"), "method": .string("emeth_getBlockByNumber"),
                                                                "params": .array([.string("latest"), .bool(true)])])]).serialized)
        add(.json, "rpc-notification", #"{"jsonrpc":"2.0","method":"emeth_chainId","params":{}}"#)
        add(.json, "escapes", #"{"s":"\u00e9\ud83d\ude00\n\t\"\\\/","n":[-0.5e+10,0,1E3,115792089237316195423570985008687907853269984665640564039457584007913129639935],"b":[true,false,null]}"#)
        add(.json, "genesis", genesis.json.serialized)
        for (name, bytes) in out[.json] ?? [] where name.hasPrefix("rpc-") { add(.rpc, name, bytes) }
        func call(_ method: String, _ params: JSONValue) -> String {
            JSONValue.object(["jsonrpc": .string("2.0"), "id": .string(method), "method": .string(method), "params": params]).serialized
        }
        add(.rpc, "receipt", call("emeth_getTransactionReceipt", .array([.string(h.bytes.hex)])))
        add(.rpc, "block", call("emeth_getBlockByNumber", .object(["number": .string("0x10"), "fullTxs": .bool(true)])))
        add(.rpc, "account", call("emeth_getAccount", .array([.string(signer.checksummed)])))
        add(.rpc, "job", call("emeth_getJob", .array([.string(id.bytes.hex)])))
        add(.rpc, "quote", call("emeth_quote", .array([.string("1000000000000000000"), .number("7"), .string("0x01020304")])))
        add(.rpc, "unknown-method", call("eth_blockNumber", .array([])))

        // Stored blocks, RLP and batch data.
        for n in [0, 1, 3] {
            let b = blocks[n]
            add(.block, "block-\(n)", BlockCodec.encode(b))
            add(.rlp, "stored-block-\(n)", BlockCodec.encode(b))
        }
        add(.rlp, "header", blocks[2].header.encoded)
        let tx0 = blocks[2].transactions[0]
        add(.rlp, "tx", tx0.encoded)
        for (name, hex) in [("empty-string", "0x80"), ("empty-list", "0xc0"), ("byte", "0x7f"), ("nested", "0xc7c0c1c0c3c0c1c0"),
                            ("long-string", "0xb838" + String(repeating: "61", count: 56))] {
            add(.rlp, name, try Hex.decode(hex))
        }
        let batchBlocks = blocks[1...3].map { BatchCodec.Block($0) }
        let data = try BatchCodec.encode(batchBlocks)
        add(.batch, "batch-1-3", [0] + data)
        let payload = try Zstd.decompress(Array(data.dropFirst()), maxSize: BatchCodec.maxDecodedSize)
        add(.batch, "batch-1-3-rlp", [1] + payload)
        let one = try BatchCodec.encode([BatchCodec.Block(blocks[2])])
        add(.batch, "batch-2-rlp", [1] + (try Zstd.decompress(Array(one.dropFirst()), maxSize: BatchCodec.maxDecodedSize)))
        add(.batch, "zstd-frame", [3] + (try Zstd.compress(Array("zstd frame seed".utf8), level: 3)))

        // Proof files of every type.
        let head = UInt64(blocks.count - 1)
        let ticketed = blocks.first { !$0.tickets.isEmpty }
        if let t = ticketed?.tickets.first,
           let s = try SettlementProof.build(store: store, account: t.account, blocks: 1...head, batchIndex: 1) {
            add(.proof, "settlement", ProofFile.text(.settlement(s)))
        }
        let user = workload.users[0].address
        add(.proof, "state-account", ProofFile.text(.state(try StateProof.account(user, store: store))))
        add(.proof, "state-account-old", ProofFile.text(.state(try StateProof.account(user, store: store, block: 2))))
        add(.proof, "state-job-absent", ProofFile.text(.state(try StateProof.job(id, store: store, block: 3))))
        add(.proof, "state-totals", ProofFile.text(.state(try StateProof.totals(store: store))))
        if let tx = blocks[Int(head)].transactions.first, let t = try TransactionProof.build(store: store, txHash: tx.hash) {
            add(.proof, "transaction", ProofFile.text(.transaction(t)))
        }

        // ABI: encodings of each fixed type list, a log of each event, revert data.
        for (k, types) in Fuzz.abiTypes.enumerated() {
            add(.abi, "return-\(k)", [0, UInt8(k)] + (try ABI.encode(types, types.map(sample))))
        }
        let text = "(uint256,(bytes,string[])[],bool[2])"
        guard case .tuple(let members) = try ABIType(parsing: text) else { fatalError() }
        add(.abi, "typed-text", [1] + Array(text.utf8) + [0x0a] + (try ABI.encode(members, members.map(sample))))
        for (k, e) in Fuzz.abiEvents.enumerated() {
            var topics: [Bytes] = e.anonymous ? [] : [e.topic0]
            for input in e.inputs where input.indexed { topics.append(try ABI.encode([.uint(256)], [.uint(UInt256(topics.count))])) }
            let plain = e.inputs.filter { !$0.indexed }.map(\.type)
            add(.abi, "log-\(e.name)", [2, UInt8(k), UInt8(topics.count)] + topics.flatMap { $0 } + (try ABI.encode(plain, plain.map(sample))))
        }
        add(.abi, "revert-message", [3] + ABIErrorDefinition.errorString.selector + (try ABI.encode([.string], [.string("not enough credit")])))
        add(.abi, "revert-panic", [3] + ABIErrorDefinition.panic.selector + (try ABI.encode([.uint(256)], [.uint(0x11)])))
        let failure = Fuzz.abiErrors[1]
        add(.abi, "revert-custom", [3] + failure.selector + (try ABI.encode(failure.inputs.map(\.type), failure.inputs.map { sample($0.type) })))
        return out
    }

    /// A value of `t` with something in every dynamic part.
    static func sample(_ t: ABIType) -> ABIValue {
        switch t {
        case .uint(let bits): return .uint(bits >= 64 ? UInt256(UInt64.max) : UInt256((1 << UInt64(bits)) - 1))
        case .int: return .int(UInt256(5))
        case .address: return .address(rollup)
        case .bool: return .bool(true)
        case .fixedBytes(let n): return .fixedBytes(Array(repeating: 0xab, count: n))
        case .bytes: return .bytes(Array("bytes".utf8))
        case .string: return .string("héllo")
        case .array(let e): return .array([sample(e), sample(e)])
        case .fixedArray(let e, let n): return .array((0..<n).map { _ in sample(e) })
        case .tuple(let ts): return .tuple(ts.map(sample))
        }
    }

    /// Writes the seeds under `root/<target>/`.
    public static func write(to root: String) throws {
        for (target, seeds) in try generate() {
            let dir = root + "/" + target.rawValue
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for (name, bytes) in seeds { try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + name)) }
        }
    }
}
