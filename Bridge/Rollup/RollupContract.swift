import Core
import Sequencer

/// EmethRollup as the bridge sees it: the calls, views and events of Contracts/README.md,
/// spelled out here (not read from the artifact at run time) so a mismatch is a compile-time
/// concern of this file and its tests.
public struct RollupContract: Sendable {
    public let address: Address
    public let eth: EthClient

    public init(address: Address, eth: EthClient) { self.address = address; self.eth = eth }

    static func fn(_ s: String) -> ABIFunction { try! ABIFunction(signature: s) }
    public static let inboxMessageEvent = try! ABIEvent(signature:
        "event InboxMessage(uint256 indexed index, uint8 kind, address indexed account, uint256 amount, bytes16 jobId, uint256 l1Block, uint256 timestamp, bytes data)")
    public static let batchCommittedEvent = try! ABIEvent(signature:
        "event BatchCommitted(uint256 indexed batchIndex, uint256 firstBlock, uint256 lastBlock, bytes32 lastBlockHash, bytes32 stateRoot, bytes32 settlementRoot, uint256 totalCredit, uint256 totalBurned, uint256 inboxCursor, bytes32 dataHash, uint256 committedAt, uint256 finalAt)")
    public static let batchRevertedEvent = try! ABIEvent(signature:
        "event BatchReverted(uint256 indexed fromBatch, uint256 toBatch, address indexed guardian)")

    public static let deposit = fn("deposit(uint256)")
    public static let depositFor = fn("depositFor(address,uint256)")
    public static let forceTransaction = fn("forceTransaction(bytes)")
    public static let requestCancel = fn("requestCancel(bytes16)")
    public static let claim = fn("claim(address,uint256,uint256,bytes32[])")
    public static let claimWithTicket = fn("claimWithTicket(address,uint256,uint256,bytes)")
    public static let challenge = fn("challenge(uint256)")
    static let batchCount = fn("batchCount()")
    static let inboxLength = fn("inboxLength()")
    static let isFinal = fn("isFinal(uint256)")
    static let lastFinal = fn("lastFinalBatch()")
    static let claimed = fn("claimed(address)")
    static let nextBlock = fn("nextBlock()")
    static let token = fn("token()")
    static let getBatch = fn("getBatch(uint256)")
    static let inboxMessageView = fn("inboxMessage(uint256)")
    static let forceInclusionDelay = fn("forceInclusionDelay()")
    static let approve = fn("approve(address,uint256)")
    static let balanceOf = fn("balanceOf(address)")
    static let allowance = fn("allowance(address,address)")

    /// The contract's view of batch `i` (Contracts/README.md `getBatch`).
    public struct Batch: Sendable, Equatable {
        public let batchIndex, firstBlock, lastBlock: UInt64
        public let settlementRoot, commitment: Hash32
        public let totalCredit, totalBurned: UInt256
        public let inboxCursor, committedAt, finalAt: UInt64
        public let final: Bool
    }

    func uint(_ f: ABIFunction, _ args: [ABIValue] = [], at block: BlockTag = .latest, on target: Address? = nil) async throws -> UInt256 {
        let out = try await eth.call(CallRequest(to: target ?? address, data: try f.encodeCall(args)), at: block)
        guard let v = try ABIFunction(name: f.name, inputs: f.inputs, outputs: [ABIParameter(.uint(256))]).decodeReturn(out).first?.uintValue else {
            throw JSONRPCClientError.malformedResponse("\(f.name) returned \(out.hex)")
        }
        return v
    }

    public func batchCount(at block: BlockTag = .latest) async throws -> UInt64 { try await uint(Self.batchCount, at: block).uint64 ?? 0 }
    public func inboxLength(at block: BlockTag = .latest) async throws -> UInt64 { try await uint(Self.inboxLength, at: block).uint64 ?? 0 }
    public func nextBlock(at block: BlockTag = .latest) async throws -> UInt64 { try await uint(Self.nextBlock, at: block).uint64 ?? 0 }
    public func claimed(_ a: Address) async throws -> UInt256 { try await uint(Self.claimed, [.address(a)]) }
    public func forceInclusionDelay() async throws -> UInt64 { try await uint(Self.forceInclusionDelay).uint64 ?? .max }
    public func isFinal(_ i: UInt64) async throws -> Bool { try await uint(Self.isFinal, [.uint(UInt256(i))]) == UInt256(1) }

    /// The newest final batch among the last 256 (the contract's `lastFinalBatch`), or nil.
    public func lastFinalBatch() async throws -> UInt64? {
        let out = try await eth.call(CallRequest(to: address, data: try Self.lastFinal.encodeCall([])))
        guard out.count == 64 else { throw JSONRPCClientError.malformedResponse("lastFinalBatch returned \(out.count) bytes") }
        guard out[31] == 1 else { return nil }
        return (try? UInt256(bigEndian: out[32..<64]))?.uint64
    }

    public func token() async throws -> Address {
        let out = try await eth.call(CallRequest(to: address, data: try Self.token.encodeCall([])))
        guard out.count == 32 else { throw JSONRPCClientError.malformedResponse("token() returned \(out.hex)") }
        return try Address(bytes: Array(out[12..<32]))
    }

    public func tokenBalance(_ a: Address, token: Address) async throws -> UInt256 {
        try await uint(Self.balanceOf, [.address(a)], on: token)
    }

    public func allowance(owner: Address, token: Address) async throws -> UInt256 {
        try await uint(Self.allowance, [.address(owner), .address(address)], on: token)
    }

    public func batch(_ i: UInt64) async throws -> Batch {
        let out = try await eth.call(CallRequest(to: address, data: try Self.getBatch.encodeCall([.uint(UInt256(i))])))
        guard out.count == 11 * 32 else { throw JSONRPCClientError.malformedResponse("getBatch returned \(out.count) bytes") }
        func w(_ k: Int) -> Bytes { Array(out[(k * 32)..<((k + 1) * 32)]) }
        func u(_ k: Int) -> UInt256 { (try? UInt256(bigEndian: w(k))) ?? .zero }
        func n(_ k: Int) -> UInt64 { u(k).uint64 ?? .max }
        return Batch(batchIndex: n(0), firstBlock: n(1), lastBlock: n(2), settlementRoot: try Hash32(bytes: w(3)),
                     commitment: try Hash32(bytes: w(4)), totalCredit: u(5), totalBurned: u(6), inboxCursor: n(7),
                     committedAt: n(8), finalAt: n(9), final: u(10) == UInt256(1))
    }

    /// Where and when inbox message `index` was appended (the contract's `inboxMessage` view:
    /// index, kind, account, amount, jobId, l1Block, timestamp, dataHash).
    public func inboxPosition(_ index: UInt64, at block: BlockTag = .latest) async throws -> (l1Block: UInt64, timestamp: UInt64) {
        let out = try await eth.call(CallRequest(to: address, data: try Self.inboxMessageView.encodeCall([.uint(UInt256(index))])), at: block)
        guard out.count == 8 * 32, let l1Block = (try? UInt256(bigEndian: out[(5 * 32)..<(6 * 32)]))?.uint64,
              let time = (try? UInt256(bigEndian: out[(6 * 32)..<(7 * 32)]))?.uint64 else {
            throw JSONRPCClientError.malformedResponse("inboxMessage(\(index)) returned \(out.count) bytes")
        }
        return (l1Block, time)
    }

    /// Inbox messages logged in L1 blocks `from...to`, in index order.
    public func inboxMessages(from: UInt64, to: UInt64) async throws -> [InboxMessage] {
        let logs = try await eth.logs(address: address, topics: [[Self.inboxMessageEvent.topic0]], from: .number(from), to: .number(to))
        return try logs.map(Self.inboxMessage).sorted { $0.index < $1.index }
    }

    public static func inboxMessage(_ log: EthLog) throws -> InboxMessage {
        let v = try inboxMessageEvent.decodeLog(topics: log.topics, data: log.data)
        guard let index = v[0].uintValue?.uint64, let kindRaw = v[1].uintValue?.uint64, kindRaw <= 3,
              let kind = InboxMessage.Kind(rawValue: UInt8(truncatingIfNeeded: kindRaw)),
              let account = v[2].addressValue, let amount = v[3].uintValue, case .fixedBytes(let job) = v[4],
              let l1Block = v[5].uintValue?.uint64, case .bytes(let data) = v[7],
              data.count <= InboxMessage.maxForcedTransactionBytes, kind == .forcedTransaction || data.isEmpty else {
            throw JSONRPCClientError.malformedResponse("InboxMessage log in block \(log.blockNumber) does not decode")
        }
        return InboxMessage(index: index, kind: kind, account: account, amount: amount, jobId: try JobID(bytes: job), l1Block: l1Block,
                            data: data)
    }
}
