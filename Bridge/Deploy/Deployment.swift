import Core
import Foundation

/// The safety parameters EmethRollup is deployed with. The defaults are the production values
/// Contracts/README.md recommends and explains; devnets shorten the periods.
public struct RollupSettings: Equatable, Sendable {
    /// Seconds until a batch is final (a guardian may challenge it until then).
    public var challengePeriod: UInt64 = 7 * 86_400
    /// L1 confirmations before the sequencer applies an inbox message (a hint stored on L1).
    public var inboxConfirmations: UInt64 = 12
    /// Seconds between scheduling an owner change and executing it; fixed at deploy, and
    /// never shorter than the challenge period (nil: equal to it).
    public var changeDelay: UInt64?
    /// The most Signer tickets may pay in any `ticketWindow` seconds (base units).
    public var ticketLimit: UInt256 = UInt256(10_000) * UInt256(1_000_000_000_000_000_000)
    public var ticketWindow: UInt64 = 3_600
    /// Seconds after which an inbox message the sequencer left out makes every commit revert.
    public var forceInclusionDelay: UInt64 = 24 * 3_600
    /// Seconds without a commit after which anyone may switch the rollup to escape mode, where
    /// users exit from L1 data alone; at least the challenge period.
    public var escapeDelay: UInt64 = 14 * 86_400

    public init() {}

    public var effectiveChangeDelay: UInt64 { changeDelay ?? challengePeriod }
}

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
    public var changeDelay: UInt64
    public var ticketLimit: UInt256
    public var ticketWindow: UInt64
    public var forceInclusionDelay: UInt64
    public var escapeDelay: UInt64
    /// The L1 block of the rollup's deployment (where log scans start).
    public var block: UInt64

    public init(chainId: UInt256, rollup: Address, token: Address, owner: Address, sequencer: Address, signer: Address,
                guardians: [Address], settings: RollupSettings, block: UInt64) {
        self.chainId = chainId; self.rollup = rollup; self.token = token; self.owner = owner; self.sequencer = sequencer
        self.signer = signer; self.guardians = guardians; self.challengePeriod = settings.challengePeriod
        self.inboxConfirmations = settings.inboxConfirmations; self.changeDelay = settings.effectiveChangeDelay
        self.ticketLimit = settings.ticketLimit; self.ticketWindow = settings.ticketWindow
        self.forceInclusionDelay = settings.forceInclusionDelay; self.escapeDelay = settings.escapeDelay; self.block = block
    }

    public var settings: RollupSettings {
        var s = RollupSettings()
        s.challengePeriod = challengePeriod; s.inboxConfirmations = inboxConfirmations; s.changeDelay = changeDelay
        s.ticketLimit = ticketLimit; s.ticketWindow = ticketWindow; s.forceInclusionDelay = forceInclusionDelay
        s.escapeDelay = escapeDelay
        return s
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
            "inboxConfirmations": .number(String(inboxConfirmations)), "changeDelay": .number(String(changeDelay)),
            "ticketLimit": .string(ticketLimit.description), "ticketWindow": .number(String(ticketWindow)),
            "forceInclusionDelay": .number(String(forceInclusionDelay)), "escapeDelay": .number(String(escapeDelay)),
            "block": .number(String(block)),
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
        guard let limit = try? UInt256(parsing: try text("ticketLimit")) else { throw Error.field("ticketLimit", "not a number") }
        var settings = RollupSettings()
        settings.challengePeriod = try u64("challengePeriod"); settings.inboxConfirmations = try u64("inboxConfirmations")
        settings.changeDelay = try u64("changeDelay"); settings.ticketLimit = limit; settings.ticketWindow = try u64("ticketWindow")
        settings.forceInclusionDelay = try u64("forceInclusionDelay")
        settings.escapeDelay = try u64("escapeDelay")
        self.init(chainId: chain, rollup: try address("rollup"), token: try address("token"), owner: try address("owner"),
                  sequencer: try address("sequencer"), signer: try address("signer"),
                  guardians: try gs.map { g -> Address in
                      guard case .string(let s) = g, let a = try? Address(s) else { throw Error.field("guardians", "not an address") }
                      return a
                  },
                  settings: settings, block: try u64("block"))
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
