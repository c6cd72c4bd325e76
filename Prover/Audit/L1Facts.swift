import Bridge
import Core
import Sequencer

/// What L1 says beyond the batches and the inbox contents, for the checks that bind the L2
/// chain to L1 time and to L1 payouts (docs/AUDIT.md "L1 checks"). Read by `L1Source`; an
/// archive carries none of it, so those checks are skipped there.
public struct L1Facts: Sendable, Equatable {
    /// L1 timestamp of the block that carried each live batch's commit, by batch index.
    public var commitTimes: [UInt64: UInt64] = [:]
    /// L1 timestamp at which each inbox message was appended, by message index.
    public var inboxTimes: [UInt64: UInt64] = [:]
    /// The contract's `forceInclusionDelay()` in seconds; nil when unknown (check skipped).
    public var forceInclusionDelay: UInt64?
    /// Every `Claimed` event, in L1 order.
    public var claims: [Claim] = []
    /// How far an L2 block's timestamp may run ahead of the L1 block that commits it.
    public var timestampSkew: UInt64 = L1Facts.defaultTimestampSkew

    public static let defaultTimestampSkew: UInt64 = 120

    public init() {}

    /// `event Claimed(address indexed account, uint256 amount, uint256 credit, uint8 method, uint256 reference)`:
    /// L1 paid `amount` to `account`, whose cumulative claimed credit is now `credit`, by a
    /// Signer ticket for L2 block `reference` (method 2) or a Merkle proof against batch
    /// `reference` (method 1).
    public struct Claim: Sendable, Equatable {
        public let account: Address
        public let amount: UInt256
        public let credit: UInt256
        public let method: UInt8
        public let reference: UInt64
        public let l1TxHash: Bytes
        public let l1Block: UInt64

        public init(account: Address, amount: UInt256, credit: UInt256, method: UInt8, reference: UInt64, l1TxHash: Bytes, l1Block: UInt64) {
            self.account = account; self.amount = amount; self.credit = credit; self.method = method; self.reference = reference
            self.l1TxHash = l1TxHash; self.l1Block = l1Block
        }

        public static let proof: UInt8 = 1
        public static let ticket: UInt8 = 2
    }

    public static let claimedEvent = try! ABIEvent(signature:
        "event Claimed(address indexed account, uint256 amount, uint256 credit, uint8 method, uint256 reference)")
}

extension L1History {
    /// The L1 facts for `commits`, read up to L1 block `to`. Inbox times are the timestamps of
    /// the blocks that logged the messages (the contract records the same value). The delay is
    /// read through a call that tolerates a contract without `forceInclusionDelay()`.
    public func facts(commits: [Commit], inbox: [InboxMessage], to: UInt64) async throws -> L1Facts {
        var f = L1Facts()
        var times: [UInt64: UInt64] = [:]
        func time(_ block: UInt64) async throws -> UInt64 {
            if let t = times[block] { return t }
            guard let b = try await rollup.eth.block(.number(block)) else { throw Error.malformedLog(block, "L1 block not available") }
            times[block] = b.timestamp
            return b.timestamp
        }
        for c in commits { f.commitTimes[c.batchIndex] = try await time(c.l1Block) }
        for m in inbox { f.inboxTimes[m.index] = try await time(m.l1Block) }
        f.forceInclusionDelay = await forceInclusionDelay()
        f.claims = try await claims(to: to)
        return f
    }

    /// `forceInclusionDelay()` of the rollup, or nil when the contract has no such view.
    public func forceInclusionDelay() async -> UInt64? {
        guard let data = try? ABIFunction(signature: "forceInclusionDelay()").encodeCall([]),
              let out = try? await rollup.eth.call(CallRequest(to: rollup.address, data: data)), out.count == 32,
              let v = (try? UInt256(bigEndian: out))?.uint64 else { return nil }
        return v
    }

    /// Every live `Claimed` log of the rollup up to L1 block `to`.
    public func claims(to: UInt64) async throws -> [L1Facts.Claim] {
        let event = L1Facts.claimedEvent
        var logs: [EthLog] = []
        var start = fromBlock
        while start <= to {
            let end = min(to, start + logChunk - 1)
            logs += try await rollup.eth.logs(address: rollup.address, topics: [[event.topic0]], from: .number(start), to: .number(end))
            start = end + 1
        }
        logs.sort { ($0.blockNumber, $0.logIndex) < ($1.blockNumber, $1.logIndex) }
        return try logs.filter { InboxLogs.accepts($0, rollup: rollup.address) }.map { log in
            let v: [ABIValue]
            do { v = try event.decodeLog(topics: log.topics, data: log.data) } catch { throw Error.malformedLog(log.blockNumber, "\(error)") }
            guard let account = v[0].addressValue, let amount = v[1].uintValue, let credit = v[2].uintValue,
                  let method = v[3].uintValue?.uint64, method <= 255, let reference = v[4].uintValue?.uint64 else {
                throw Error.malformedLog(log.blockNumber, "Claimed fields")
            }
            return L1Facts.Claim(account: account, amount: amount, credit: credit, method: UInt8(method), reference: reference,
                                 l1TxHash: log.transactionHash, l1Block: log.blockNumber)
        }
    }
}
