import Core
import Sequencer

extension StateProof {
    static let fields: Set<String> = ["type", "kind", "key", "treeKey", "blockNumber", "stateRoot", "record", "valueHash",
                                      "decoded", "smt", "block"]
    /// Fields computed from the others: a verifier recomputes them and reports a file whose
    /// copy differs (`ProofFile.verify`), instead of trusting them.
    static let derivedFields = ["treeKey", "blockNumber", "stateRoot", "valueHash", "decoded"]

    /// The pinned file form (docs/PROOFS.md):
    /// `{"type": "state", "kind", "key", "treeKey", "blockNumber", "stateRoot", "record",
    /// "valueHash", "decoded", "smt": {"siblings", "leaf"}, "block": {header…, "hash", "signature"}}`.
    /// `key` is the checksummed address, the 0x-hex job id, or null (totals). `record` is null
    /// for absence and for a present record the prover could not recover (then `valueHash`
    /// alone is proven).
    public var json: JSONValue {
        let treeKey = try? treeKey()
        let keyJSON: JSONValue
        switch kind {
        case .account: keyJSON = (try? Address(bytes: key)).map { .string($0.checksummed) } ?? .hex(key)
        case .job: keyJSON = .hex(key)
        case .totals: keyJSON = .null
        }
        let valueHash: JSONValue
        if case .present(let v)? = try? claim() { valueHash = .string(v.hex) } else { valueHash = .null }
        var o: [String: JSONValue] = [:]
        o["type"] = .string("state")
        o["kind"] = .string(kind.rawValue)
        o["key"] = keyJSON
        o["treeKey"] = treeKey.map { .string($0.hex) } ?? .null
        o["blockNumber"] = .uint(blockNumber)
        o["stateRoot"] = .word(stateRoot)
        o["record"] = record.map(JSONValue.hex) ?? .null
        o["valueHash"] = valueHash
        o["decoded"] = decodedJSON
        o["smt"] = smt.json
        o["block"] = block.json
        return .object(o)
    }

    /// Reads the JSON form; derived fields are only checked for shape here.
    public init(json: JSONValue) throws(ProofError) {
        let f = try JSONFields(json, "", allowed: Self.fields)
        if let t = f.optional("type"), t != .string("state") { throw .format("\"type\" is \(t), expected \"state\"") }
        guard let kind = Kind(rawValue: try f.string("kind")) else {
            throw .format("\"kind\" must be \"account\", \"job\" or \"totals\"")
        }
        let key: Bytes
        switch kind {
        case .account: key = try f.address("key").bytes
        case .job: key = try f.bytes("key", count: 16)
        case .totals:
            guard f.optional("key") == nil else { throw .format("\"key\" must be null for the totals record") }
            key = []
        }
        let record = f.optional("record") == nil ? nil : try f.bytes("record")
        let smt: SparseMerkleProof
        let smtJSON = try f.required("smt")
        do { smt = try SparseMerkleProof(json: smtJSON) } catch { throw .format("\"smt\": \(error)") }
        self.init(kind: kind, key: key, block: try SignedHeader(json: try f.required("block")), record: record, smt: smt)
    }
}
