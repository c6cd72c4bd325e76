import Core
import Foundation
import Prover
import Sequencer

/// The decoders that take bytes from outside (RPC bodies, L1 calldata and logs, proof files,
/// the store), each behind one entry point that the libFuzzer driver (Fuzz/Driver) and the
/// normal test suite (Tests/FuzzTests) share. A decoder may refuse an input by throwing;
/// what the entry points check beyond "does not crash" are round trips: whatever decodes
/// must encode back to something that decodes to the same value. A broken round trip is
/// reported as a `PropertyViolation`, which the driver turns into a crash.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// JSON: the strict parser every request body and file goes through.
    case json
    /// JSON-RPC request bodies through the dispatcher (envelope, batches, limits, params).
    case rpc
    /// The L2 wire format: JSON → L2Envelope → L2Admission (EIP-712 digest and recovery).
    case l2tx
    /// Strict RLP.
    case rlp
    /// Batch data (version byte, zstd frame, RLP blocks), single binary transactions, zstd.
    case batch
    /// ABI return values, event logs and revert data.
    case abi
    /// Proof files (settlement, state, transaction) and their standalone verifier.
    case proof
    /// The stored block codec.
    case block
}

/// A decoded value that does not survive its own round trip.
public struct PropertyViolation: Error, CustomStringConvertible {
    public let target: FuzzTarget
    public let message: String
    public var description: String { "\(target.rawValue): \(message)" }
}

public enum Fuzz {
    /// Runs one input through `target`'s decoders. Decoding errors are the expected
    /// outcome for most inputs and are swallowed; only a failed property throws. (For `rpc`
    /// from async code, call `rpc` instead: this blocks the calling thread.)
    public static func run(_ target: FuzzTarget, _ data: Bytes) throws(PropertyViolation) {
        func check(_ ok: Bool, _ message: @autoclosure () -> String) throws(PropertyViolation) {
            if !ok { throw PropertyViolation(target: target, message: message()) }
        }
        switch target {
        case .json: try json(data, check)
        case .rpc: try blocking(data)
        case .l2tx: try l2tx(data, check)
        case .rlp: try rlp(data, check)
        case .batch: try batch(data, check)
        case .abi: try abi(data, check)
        case .proof: try proof(data, check)
        case .block: try block(data, check)
        }
    }

    typealias Check = (Bool, @autoclosure () -> String) throws(PropertyViolation) -> Void

    // MARK: JSON

    static func json(_ data: Bytes, _ check: Check) throws(PropertyViolation) {
        guard let v = try? JSONValue.parse(Data(data)) else { return }
        let text = v.serialized
        let again = try? JSONValue.parse(text)
        try check(again == v, "serialized form \(text.prefix(200)) does not parse back to the same value")
    }

    // MARK: L2 wire format

    /// The domain the seed transactions were signed in (Seeds.genesis), so seeds reach recovery
    /// with a signature that verifies.
    static let admission = L2Admission(chainId: Seeds.chainId, rollup: Seeds.rollup)

    static func l2tx(_ data: Bytes, _ check: Check) throws(PropertyViolation) {
        guard let json = try? JSONValue.parse(Data(data)), let env = try? L2Envelope.parse(json) else { return }
        let again = try? L2Envelope.parse(env.json)
        try check(again == env, "wire form \(env.json.serialized.prefix(200)) does not parse back to the same transaction")
        // The batch binary form carries the same transaction.
        let binary = env.encoded
        let fromBinary = try? L2Envelope(encoded: binary)
        try check(fromBinary == env, "binary form \(binary.hex.prefix(200)) does not decode to the same transaction")
        guard let tx = try? admission.authenticate(env) else { return }
        try check(tx.call == env.call && tx.nonce == env.nonce && tx.signature == env.signature, "authentication changed the transaction")
        // Authentication is a function of the envelope.
        let twice = try? admission.authenticate(env)
        try check(twice == tx, "authenticating twice gave different senders or hashes")
    }

    // MARK: RLP

    static func rlp(_ data: Bytes, _ check: Check) throws(PropertyViolation) {
        guard let item = try? RLP.decode(data) else { return }
        // Only canonical encodings decode, so the encoding of what decoded is the input itself.
        let encoded = RLP.encode(item)
        try check(encoded == data, "decoded \(data.hex.prefix(200)) but it re-encodes as \(encoded.hex.prefix(200))")
    }

    // MARK: Batches

    /// Small inputs reach the batch layer four ways, chosen by the first byte: as batch data,
    /// as the RLP inside a batch (compressed here, so mutations act on the structure instead
    /// of on the zstd frame), as one binary transaction, and as a zstd frame.
    static func batch(_ data: Bytes, _ check: Check) throws(PropertyViolation) {
        guard let mode = data.first else { return }
        let rest = Array(data.dropFirst())
        switch mode % 4 {
        case 0: try batchData(rest, check)
        case 1:
            guard let frame = try? Zstd.compress(rest, level: 1) else { return }
            try batchData([BatchCodec.version] + frame, check)
        case 2:
            guard let tx = try? L2Envelope(encoded: rest) else { return }
            let encoded = tx.encoded
            try check(encoded == rest, "transaction \(rest.hex.prefix(200)) re-encodes as \(encoded.hex.prefix(200))")
        default:
            guard let out = try? Zstd.decompress(rest, maxSize: 1 << 16) else { return }
            try check(out.count <= 1 << 16, "zstd returned \(out.count) bytes over its limit")
        }
    }

    static func batchData(_ data: Bytes, _ check: Check) throws(PropertyViolation) {
        guard let blocks = try? BatchCodec.decode(data) else { return }
        guard let encoded = try? BatchCodec.encode(blocks, level: 1) else {
            try check(false, "\(blocks.count) decoded blocks do not encode"); return
        }
        let again = try? BatchCodec.decode(encoded)
        try check(again == blocks, "\(blocks.count) decoded blocks do not survive encode and decode")
    }

    // MARK: ABI

    /// Return types of the contract views and the shapes the codec must handle: static and
    /// dynamic members, nested arrays and tuples.
    static let abiTypes: [[ABIType]] = [
        "(uint256)", "(bool)", "(address)", "(bytes32)", "(bytes)", "(string)",
        "(uint256,uint256,uint256,bytes32,bytes32,uint256,uint256,uint256,uint256,uint256,bool)",
        "(uint8,address,uint256,bytes16,uint256,uint256,bytes)",
        "(bytes32[])", "(uint256[],string[],(address,bool)[2])", "(int8,int256,bytes1,bytes31,uint64)",
        "((uint256,bytes)[],string)", "(bytes[][],uint256[2][])", "(string,bytes,(string,bytes[])[])",
    ].map { text in
        guard case .tuple(let members) = try! ABIType(parsing: text) else { fatalError(text) }
        return members
    }

    static let abiEvents: [ABIEvent] = [
        "event InboxMessage(uint256 indexed index, uint8 kind, address indexed account, uint256 amount, bytes16 jobId, uint256 l1Block, uint256 timestamp, bytes data)",
        "event BatchCommitted(uint256 indexed batchIndex, uint256 firstBlock, uint256 lastBlock, bytes32 lastBlockHash, bytes32 stateRoot, bytes32 settlementRoot, uint256 totalCredit, uint256 totalBurned, uint256 inboxCursor, bytes32 dataHash, uint256 committedAt, uint256 finalAt)",
        "event BatchReverted(uint256 indexed fromBatch, uint256 toBatch, address indexed guardian)",
        "event Transfer(address indexed from, address indexed to, uint256 value)",
        "event Note(string indexed topic, bool indexed flag, bytes data) anonymous",
    ].map { try! ABIEvent(signature: $0) }

    static let abiErrors: [ABIErrorDefinition] = [
        "error Unauthorized(address caller)", "error Failure(uint16 code, string reason, bytes data)",
    ].map { try! ABIErrorDefinition(signature: $0) }

    /// First byte: what to decode. Fixed types (second byte picks them), types read from the
    /// input (text up to a newline, then the data), an event log (second byte picks the
    /// event, third the topic count, then 32-byte topics and the data) or revert data.
    static func abi(_ data: Bytes, _ check: Check) throws(PropertyViolation) {
        guard data.count >= 2 else { return }
        let rest = Array(data.dropFirst(2))
        switch data[0] % 4 {
        case 0: try abiRoundTrip(abiTypes[Int(data[1]) % abiTypes.count], rest, check)
        case 1:
            let body = Array(data.dropFirst())
            let cut = body.firstIndex(of: 0x0a) ?? body.count
            guard let text = String(validating: body[..<cut], as: UTF8.self), let t = try? ABIType(parsing: text) else { return }
            let types: [ABIType]
            if case .tuple(let members) = t { types = members } else { types = [t] }
            try abiRoundTrip(types, Array(body[min(cut + 1, body.count)...]), check)
        case 2:
            guard rest.count >= 1 else { return }
            let event = abiEvents[Int(data[1]) % abiEvents.count]
            let topicCount = Int(rest[0] % 5)
            let after = Array(rest.dropFirst())
            let topics = (0..<topicCount).map { k in Array(after.dropFirst(32 * k).prefix(32)) }
            let logData = Array(after.dropFirst(32 * topicCount))
            guard let values = try? event.decodeLog(topics: topics, data: logData) else { return }
            try check(values.count == event.inputs.count, "decodeLog gave \(values.count) values for \(event.inputs.count) inputs")
            _ = try? event.decodeLogByName(topics: topics, data: logData)
        default:
            let reason = RevertReason.decode(Array(data.dropFirst()), errors: abiErrors)
            _ = reason.description
        }
    }

    static func abiRoundTrip(_ types: [ABIType], _ data: Bytes, _ check: Check) throws(PropertyViolation) {
        guard let values = try? ABI.decode(types, data) else { return }
        let encoded: Bytes
        do { encoded = try ABI.encode(types, values) } catch {
            try check(false, "decoded values of \(types) do not encode: \(error)"); return
        }
        let again = try? ABI.decode(types, encoded)
        try check(again == values, "values of \(types) do not survive encode and decode")
        _ = values.map(\.description)
    }

    // MARK: Proof files

    static func proof(_ data: Bytes, _ check: Check) throws(PropertyViolation) {
        guard let json = try? JSONValue.parse(Data(data)) else { return }
        _ = ProofFile.verify(json, signer: Seeds.signer)
        guard let p = try? ProofFile.parse(json) else { return }
        let again = try? ProofFile.parse(p.json)
        try check(again == p, "proof file's own JSON does not parse back to the same proof")
        let text = ProofFile.text(p)
        try check((try? JSONValue.parse(text)).flatMap { try? ProofFile.parse($0) } == p, "the written proof file does not read back")
    }

    // MARK: Stored blocks

    static func block(_ data: Bytes, _ check: Check) throws(PropertyViolation) {
        guard let b = try? BlockCodec.decode(data) else { return }
        let encoded = BlockCodec.encode(b)
        let again = try? BlockCodec.decode(encoded)
        try check(again == b, "block \(b.number) does not survive encode and decode")
    }
}

