import Core
import Sequencer

/// The escape hatch's calls and views (Contracts/README.md "Escape hatch", PROTOCOL §9.1).
extension RollupContract {
    public static let activateEscape = fn("activateEscape()")
    public static let proveEscapeRoot = fn("proveEscapeRoot(bytes32,bytes32,bytes32)")
    public static let escapeAccount = fn("escapeAccount(address,uint256,uint256,uint256,bytes32[])")
    public static let escapeJob = fn("escapeJob((bytes16,address,bytes16,uint256,uint256,uint256,bytes32,bytes32,uint256,uint256,uint256,uint8,address,uint256,bytes32,uint256,uint256,uint256,uint256,uint256,uint256),bytes32[])")
    public static let refundDeposit = fn("refundDeposit(uint256)")
    static let escapeModeView = fn("escapeMode()")
    static let escapeActivatableAtView = fn("escapeActivatableAt()")
    static let escapeRootView = fn("escapeRoot()")
    static let jobEscapedView = fn("jobEscaped(bytes16)")

    /// Bit 255 of `claimed(account)`: the account has escaped (its low bits: what earlier
    /// claims paid that no escape payout has absorbed yet).
    public static let escapedBit = UInt256.one << 255

    public func escapeMode() async throws -> Bool { try await uint(Self.escapeModeView) == UInt256.one }
    public func escapeActivatableAt() async throws -> UInt64 { try await uint(Self.escapeActivatableAtView).uint64 ?? .max }
    public func escapeRoot() async throws -> Hash32 {
        let out = try await eth.call(CallRequest(to: address, data: try Self.escapeRootView.encodeCall([])))
        guard out.count == 32 else { throw JSONRPCClientError.malformedResponse("escapeRoot() returned \(out.hex)") }
        return try Hash32(bytes: out)
    }
    public func jobEscaped(_ id: JobID) async throws -> Bool { try await uint(Self.jobEscapedView, [.fixedBytes(id.bytes)]) == UInt256.one }

    /// The amount inbox deposit `index` still holds on L1 (0 once refunded).
    public func depositAmount(_ index: UInt64) async throws -> UInt256 {
        let out = try await eth.call(CallRequest(to: address, data: try Self.inboxMessageView.encodeCall([.uint(UInt256(index))])))
        guard out.count == 8 * 32 else { throw JSONRPCClientError.malformedResponse("inboxMessage(\(index)) returned \(out.count) bytes") }
        return (try? UInt256(bigEndian: out[(3 * 32)..<(4 * 32)])) ?? .zero
    }

    /// `escapeJob` calldata: the job record as the 21-field tuple of PROTOCOL §4, and the
    /// siblings of its state-tree inclusion proof (top-down).
    public static func escapeJobCall(_ j: Job, siblings: [Bytes]) throws -> Bytes {
        let record: [ABIValue] = [
            .fixedBytes(j.id.bytes), .address(j.owner), .fixedBytes(j.parentJob.bytes), .uint(j.programId),
            .uint(j.numParallel), .uint(j.numEpoch), .fixedBytes(j.dataset.bytes), .fixedBytes(j.param.bytes),
            .uint(j.fuelLimit), .uint(j.fuelPrice), .uint(UInt256(j.deadline)), .uint(UInt256(UInt64(j.status.rawValue))),
            .address(j.node), .uint(j.fuelUsed), .fixedBytes(j.result.bytes), .uint(j.escrow), .uint(j.nodeDeposit),
            .uint(UInt256(j.childCount)), .uint(UInt256(j.verifiedChildren)), .uint(UInt256(j.createdAt)), .uint(UInt256(j.updatedAt)),
        ]
        return try escapeJob.encodeCall([.tuple(record), .array(siblings.map { .fixedBytes($0) })])
    }
}
