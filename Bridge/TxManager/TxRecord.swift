import Core

/// What the bridge wants done on L1, named so that asking twice is asking once: the poster
/// submits `batch/7` again after a restart and gets the same transaction, not a second one.
public struct TxIntent: Hashable, Sendable {
    public let id: String
    public let to: Address?
    public let data: Bytes
    public let value: UInt256

    public init(id: String, to: Address?, data: Bytes, value: UInt256 = .zero) {
        self.id = id; self.to = to; self.data = data; self.value = value
    }
}

/// One signed version of a transaction (the first, or a fee bump of it: same nonce).
public struct TxAttempt: Hashable, Sendable {
    public let hash: Bytes
    public let raw: Bytes
    public let maxFeePerGas: UInt256
    public let maxPriorityFeePerGas: UInt256
    public let signedAtMs: UInt64
}

/// A transaction the manager owns, from its nonce to its confirmation. Persisted before
/// anything is sent, so a restart knows every nonce it ever used and every signed version.
public struct TxRecord: Hashable, Sendable {
    public enum State: UInt8, Sendable {
        /// Signed and (being) sent; no receipt yet.
        case pending = 1
        /// A receipt exists, not yet deep enough.
        case mined = 2
        /// Mined with `confirmations` blocks on top and still on the canonical chain.
        case confirmed = 3
        /// The nonce was used by a transaction that is not ours (the key is shared): the
        /// intent was not executed. Needs an operator.
        case nonceStolen = 4
    }

    public let intent: TxIntent
    public let nonce: UInt64
    public let gasLimit: UInt64
    public var state: State
    public var attempts: [TxAttempt]
    /// Set once mined: the receipt's block and whether the call succeeded.
    public var minedBlock: UInt64 = 0
    public var minedBlockHash: Bytes = []
    public var minedHash: Bytes = []
    public var success: Bool = false
    public var gasUsed: UInt64 = 0
    public var effectiveGasPrice: UInt256 = .zero
    /// The last error the node gave, for status output.
    public var lastError: String = ""
    /// When the latest attempt was last (re)sent, for the bump schedule.
    public var lastSentMs: UInt64 = 0

    public var latest: TxAttempt { attempts[attempts.count - 1] }

    init(intent: TxIntent, nonce: UInt64, gasLimit: UInt64, first: TxAttempt) {
        self.intent = intent; self.nonce = nonce; self.gasLimit = gasLimit; state = .pending; attempts = [first]
    }

    var encoded: Bytes {
        RLP.encode(.list([
            .bytes(Array(intent.id.utf8)), .bytes(intent.to?.bytes ?? []), .uint(intent.value), .bytes(intent.data),
            .uint(nonce), .uint(gasLimit), .uint(UInt64(state.rawValue)),
            .list(attempts.map { .list([.bytes($0.hash), .bytes($0.raw), .uint($0.maxFeePerGas), .uint($0.maxPriorityFeePerGas), .uint($0.signedAtMs)]) }),
            .uint(minedBlock), .bytes(minedBlockHash), .bytes(minedHash), .uint(UInt64(success ? 1 : 0)), .uint(gasUsed),
            .uint(effectiveGasPrice), .bytes(Array(lastError.utf8)), .uint(lastSentMs),
        ]))
    }

    init(encoded: Bytes) throws {
        let f = try RLP.decode(encoded).listValue("tx record")
        guard f.count == 16, let state = State(rawValue: UInt8(truncatingIfNeeded: try f[6].uint64Value("state"))) else {
            throw BatchStoreError.corrupt("transaction record")
        }
        let to = try f[1].bytesValue("to")
        intent = TxIntent(id: String(decoding: try f[0].bytesValue("id"), as: UTF8.self), to: to.isEmpty ? nil : try Address(bytes: to),
                          data: try f[3].bytesValue("data"), value: try f[2].uint256Value("value"))
        nonce = try f[4].uint64Value("nonce")
        gasLimit = try f[5].uint64Value("gasLimit")
        self.state = state
        attempts = try f[7].listValue("attempts").map { a in
            let x = try a.listValue("attempt")
            guard x.count == 5 else { throw BatchStoreError.corrupt("attempt") }
            return TxAttempt(hash: try x[0].bytesValue("hash"), raw: try x[1].bytesValue("raw"), maxFeePerGas: try x[2].uint256Value("maxFee"),
                             maxPriorityFeePerGas: try x[3].uint256Value("tip"), signedAtMs: try x[4].uint64Value("signedAt"))
        }
        guard !attempts.isEmpty else { throw BatchStoreError.corrupt("transaction record without attempts") }
        minedBlock = try f[8].uint64Value("minedBlock")
        minedBlockHash = try f[9].bytesValue("minedBlockHash")
        minedHash = try f[10].bytesValue("minedHash")
        success = try f[11].uint64Value("success") == 1
        gasUsed = try f[12].uint64Value("gasUsed")
        effectiveGasPrice = try f[13].uint256Value("effectiveGasPrice")
        lastError = String(decoding: try f[14].bytesValue("lastError"), as: UTF8.self)
        lastSentMs = try f[15].uint64Value("lastSent")
    }
}

public enum BatchStoreError: Error, CustomStringConvertible {
    case corrupt(String)
    public var description: String { switch self { case .corrupt(let m): return "corrupt bridge store: \(m)" } }
}
