import Core
import Foundation
import Sequencer

/// The one proof file format: a JSON object whose `"type"` says which proof it holds
/// (`"settlement"`, `"state"`, `"transaction"`; docs/PROOFS.md). `verify` is the standalone
/// verifier: it needs no chain store, only the file (and optionally the expected Signer).
public enum ProofFile {
    public enum Proof: Equatable, Sendable {
        case settlement(SettlementProof)
        case state(StateProof)
        case transaction(TransactionProof)

        public var json: JSONValue {
            switch self {
            case .settlement(let p): return p.json
            case .state(let p): return p.json
            case .transaction(let p): return p.json
            }
        }

        /// The signed block the proof is bound to (none for settlement: its root is an L1 commitment).
        public var block: SignedHeader? {
            switch self {
            case .settlement: return nil
            case .state(let p): return p.block
            case .transaction(let p): return p.block
            }
        }
    }

    /// What the verifier concluded. `valid` carries a one-line summary of what was proven.
    public enum Outcome: Hashable, Sendable {
        case valid(String)
        /// Well-formed but false: tampered, or not bound to the expected signer.
        case invalid(String)
        /// Not a proof file at all: not JSON, unknown type, a missing or malformed field.
        case unreadable(String)

        /// The CLI's exit code: 0 valid, 1 invalid, 2 unreadable.
        public var exitCode: Int32 {
            switch self {
            case .valid: return 0
            case .invalid: return 1
            case .unreadable: return 2
            }
        }
    }

    /// Pretty JSON text with sorted keys, one field per line: what the CLI writes.
    public static func text(_ proof: Proof) -> String { pretty(proof.json) + "\n" }

    public static func parse(_ json: JSONValue) throws(ProofError) -> Proof {
        guard let type = json["type"]?.stringValue else { throw .format("\"type\" is missing: expected \"settlement\", \"state\" or \"transaction\"") }
        switch type {
        case "settlement": return .settlement(try SettlementProof(json: json))
        case "state": return .state(try StateProof(json: json))
        case "transaction": return .transaction(try TransactionProof(json: json))
        default: throw .format("unknown \"type\" \"\(type.prefix(40))\": expected \"settlement\", \"state\" or \"transaction\"")
        }
    }

    /// Verifies file contents.
    public static func verify(data: Data, signer: Address? = nil) -> Outcome {
        let json: JSONValue
        do { json = try JSONValue.parse(data) } catch { return .unreadable("not JSON: \(error)") }
        return verify(json, signer: signer)
    }

    /// Verifies a proof file: its proof against its root; every derived field (leaf, value
    /// hash, decoded record, block hash, …) against its recomputation; and, with `signer`,
    /// the block signature.
    public static func verify(_ json: JSONValue, signer: Address? = nil) -> Outcome {
        let proof: Proof
        do { proof = try parse(json) } catch { return .unreadable(error.description) }
        if let m = derivedMismatch(json, proof) { return .invalid(m) }
        if let b = proof.block {
            if let claimed = try? SignedHeader.claimedHash(json["block"] ?? .null), claimed != b.hash {
                return .invalid("block.hash is \(claimed.bytes.hex) but the header fields hash to \(b.hash.bytes.hex): the header was altered")
            }
        }
        switch proof {
        case .settlement(let p):
            if let m = p.failure() { return .invalid(m) }
            if signer != nil {
                return .invalid("a settlement proof carries no Signer signature: check its root against batch \(p.batchIndex.map(String.init) ?? "?")'s L1 commitment instead of --signer")
            }
            return .valid("settlement: \(p.account.checksummed) has credit \(p.credit) in blocks \(p.firstBlock)-\(p.lastBlock)"
                          + (p.batchIndex.map { " (batch \($0))" } ?? "") + " under root \(p.root.bytes.hex)")
        case .state(let p):
            let failure: String?
            do { failure = try p.failure() } catch { return .unreadable(error.description) }
            if let m = failure { return .invalid(m) }
            if let signer, let m = p.block.signerMismatch(expected: signer) { return .invalid(m) }
            return .valid(summary(p) + bound(p.block, signer))
        case .transaction(let p):
            if let m = p.failure() { return .invalid(m) }
            if let signer, let m = p.block.signerMismatch(expected: signer) { return .invalid(m) }
            return .valid("transaction \(p.txHash.bytes.hex) is #\(p.index) of the \(p.txCount) in block \(p.blockNumber)" + bound(p.block, signer))
        }
    }

    static func summary(_ p: StateProof) -> String {
        let what: String
        switch p.kind {
        case .account: what = "account \((try? Address(bytes: p.key))?.checksummed ?? p.key.hex)"
        case .job: what = "job \(p.key.hex)"
        case .totals: what = "the totals record"
        }
        switch try? p.claim() {
        case .present(let v)?:
            return p.record == nil ? "\(what) is present with value hash \(v.hex) (record not included) at block \(p.blockNumber)"
                                   : "\(what) is present with the given record at block \(p.blockNumber)"
        default: return "\(what) is absent at block \(p.blockNumber)"
        }
    }

    static func bound(_ b: SignedHeader, _ signer: Address?) -> String {
        signer == nil ? " (block hash \(b.hash.bytes.hex); signature not checked)"
                      : " (block hash \(b.hash.bytes.hex), signed by \(signer!.checksummed))"
    }

    /// The first field the file states that its proof recomputes differently, if any.
    static func derivedMismatch(_ json: JSONValue, _ proof: Proof) -> String? {
        let names: [String]
        switch proof {
        case .settlement: names = ["leaf"]
        case .state: names = StateProof.derivedFields
        case .transaction: names = TransactionProof.derivedFields
        }
        let canonical = proof.json
        for name in names {
            guard let given = json[name] else { continue }
            let expected = canonical[name] ?? .null
            if !sameValue(given, expected) {
                return "\"\(name)\" is \(given.serialized.prefix(200)) but the proof's contents give \(expected.serialized.prefix(200))"
            }
        }
        return nil
    }

    /// Equality that reads integers as numbers (JSON number "5" = string "5" = "0x5") and hex
    /// case-insensitively, so a hand-written file is not refused for formatting alone.
    static func sameValue(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            return x.keys.sorted() == y.keys.sorted() && x.allSatisfy { k, v in sameValue(v, y[k]!) }
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy(sameValue)
        case (.number, _), (_, .number):
            guard let u = try? JSONFields.uint256(a, ""), let v = try? JSONFields.uint256(b, "") else { return a == b }
            return u == v
        case (.string(let x), .string(let y)):
            return x == y || x.lowercased() == y.lowercased() && x.hasPrefix("0x")
        default: return a == b
        }
    }

    /// Multi-line JSON with sorted keys; arrays of scalars stay on one line per element.
    static func pretty(_ v: JSONValue, indent: String = "") -> String {
        let inner = indent + "  "
        switch v {
        case .object(let o) where !o.isEmpty:
            let lines = o.keys.sorted().map { inner + JSONValue.string($0).serialized + ": " + pretty(o[$0]!, indent: inner) }
            return "{\n" + lines.joined(separator: ",\n") + "\n" + indent + "}"
        case .array(let a) where !a.isEmpty:
            return "[\n" + a.map { inner + pretty($0, indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        default: return v.serialized
        }
    }
}
