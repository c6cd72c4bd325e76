import Core
import Foundation

/// `deployment.json`: where the contracts are and who holds which role. Written by
/// `emeth deploy`, read by every command that talks to L1.
public struct Deployment: Equatable, Sendable {
    public var chainId: UInt256
    public var rollup: Address
    public var token: Address
    public var owner: Address
    public var sequencer: Address
    public var signer: Address
    public var guardians: [Address]
    public var challengePeriod: UInt64
    public var inboxConfirmations: UInt64
    /// The L1 block of the rollup's deployment (where log scans start).
    public var block: UInt64

    public init(chainId: UInt256, rollup: Address, token: Address, owner: Address, sequencer: Address, signer: Address,
                guardians: [Address], challengePeriod: UInt64, inboxConfirmations: UInt64, block: UInt64) {
        self.chainId = chainId; self.rollup = rollup; self.token = token; self.owner = owner; self.sequencer = sequencer
        self.signer = signer; self.guardians = guardians; self.challengePeriod = challengePeriod
        self.inboxConfirmations = inboxConfirmations; self.block = block
    }

    public enum Error: Swift.Error, CustomStringConvertible {
        case unreadable(String, String)
        case field(String, String)
        public var description: String {
            switch self {
            case .unreadable(let p, let why): return "cannot read deployment file \(p): \(why)"
            case .field(let f, let why): return "deployment file: \(f): \(why)"
            }
        }
    }

    public var json: JSONValue {
        .object([
            "chainId": .string(chainId.description), "rollup": .string(rollup.checksummed), "token": .string(token.checksummed),
            "owner": .string(owner.checksummed), "sequencer": .string(sequencer.checksummed), "signer": .string(signer.checksummed),
            "guardians": .array(guardians.map { .string($0.checksummed) }), "challengePeriod": .number(String(challengePeriod)),
            "inboxConfirmations": .number(String(inboxConfirmations)), "block": .number(String(block)),
        ])
    }

    public init(json: JSONValue) throws {
        func field(_ k: String) throws -> JSONValue {
            guard let v = json[k] else { throw Error.field(k, "missing") }
            return v
        }
        func text(_ k: String) throws -> String {
            switch try field(k) {
            case .string(let s), .number(let s): return s
            default: throw Error.field(k, "not a string or number")
            }
        }
        func address(_ k: String) throws -> Address {
            do { return try Address(try text(k)) } catch let e as Error { throw e } catch { throw Error.field(k, "\(error)") }
        }
        func u64(_ k: String) throws -> UInt64 {
            guard let v = UInt64(try text(k)) else { throw Error.field(k, "not a number") }
            return v
        }
        guard case .array(let gs) = try field("guardians") else { throw Error.field("guardians", "not an array") }
        guard let chain = try? UInt256(parsing: try text("chainId")) else { throw Error.field("chainId", "not a number") }
        self.init(chainId: chain, rollup: try address("rollup"), token: try address("token"), owner: try address("owner"),
                  sequencer: try address("sequencer"), signer: try address("signer"),
                  guardians: try gs.map { g -> Address in
                      guard case .string(let s) = g, let a = try? Address(s) else { throw Error.field("guardians", "not an address") }
                      return a
                  },
                  challengePeriod: try u64("challengePeriod"), inboxConfirmations: try u64("inboxConfirmations"), block: try u64("block"))
    }

    public static func load(_ path: String) throws -> Deployment {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw Error.unreadable(path, error.localizedDescription) }
        do { return try Deployment(json: try JSONValue.parse(text)) } catch let e as Error { throw e } catch {
            throw Error.unreadable(path, "\(error)")
        }
    }

    public func write(_ path: String) throws {
        try (json.prettySerialized + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}
