import Bridge
import Core
import Sequencer

/// The rollup's batch history as L1 records it: every `BatchCommitted` and `BatchReverted`
/// log since the deployment block, reduced to the live batches (a challenge reverts a batch
/// and all later ones; the sequencer then commits the same indices again, so the live batch of
/// an index is its last commit after the last revert that covered it), and each batch's
/// `commitBatch` calldata read back from its transaction. Needs nothing but an L1 endpoint.
public struct L1History: Sendable {
    public let rollup: RollupContract
    public let fromBlock: UInt64
    /// Blocks per `eth_getLogs` query: providers cap the range one query may span.
    public var logChunk: UInt64 = 10_000

    public init(rollup: RollupContract, fromBlock: UInt64) { self.rollup = rollup; self.fromBlock = fromBlock }

    /// A live batch as its `BatchCommitted` log tells it.
    public struct Commit: Equatable, Sendable {
        public let batchIndex: UInt64
        public let dataHash: Hash32
        public let l1TxHash: Bytes
        public let l1Block: UInt64
    }

    public enum Error: Swift.Error, CustomStringConvertible {
        case malformedLog(UInt64, String)
        case notContiguous([UInt64])
        case missingTransaction(String)
        case wrongCalldata(String)
        public var description: String {
            switch self {
            case .malformedLog(let b, let m): return "L1 log in block \(b) does not decode: \(m)"
            case .notContiguous(let l): return "live batches on L1 are not 0, 1, 2, …: found \(l.prefix(10))"
            case .missingTransaction(let h): return "L1 transaction \(h) of a committed batch is not available from the endpoint"
            case .wrongCalldata(let m): return m
            }
        }
    }

    /// One batch log: a commit, or a revert of every batch from an index on.
    public enum Event: Equatable, Sendable {
        case committed(Commit)
        case reverted(from: UInt64)
    }

    /// The `BatchCommitted` and `BatchReverted` logs of L1 blocks `from...to`, in L1 order
    /// (only live logs of the rollup itself: an endpoint may add others' or removed ones).
    public func events(from: UInt64, to: UInt64) async throws -> [Event] {
        let committed = RollupContract.batchCommittedEvent, reverted = RollupContract.batchRevertedEvent
        var logs: [EthLog] = []
        var start = from
        while start <= to {
            let end = min(to, start + logChunk - 1)
            logs += try await rollup.eth.logs(address: rollup.address, topics: [[committed.topic0, reverted.topic0]], from: .number(start), to: .number(end))
            start = end + 1
        }
        logs.sort { ($0.blockNumber, $0.logIndex) < ($1.blockNumber, $1.logIndex) }
        return try logs.filter { InboxLogs.accepts($0, rollup: rollup.address) }.map { log in
            if log.topics.first == committed.topic0 {
                let v: [ABIValue]
                do { v = try committed.decodeLog(topics: log.topics, data: log.data) } catch { throw Error.malformedLog(log.blockNumber, "\(error)") }
                guard let i = v[0].uintValue?.uint64, case .fixedBytes(let h) = v[9], let hash = try? Hash32(bytes: h) else {
                    throw Error.malformedLog(log.blockNumber, "BatchCommitted fields")
                }
                return .committed(Commit(batchIndex: i, dataHash: hash, l1TxHash: log.transactionHash, l1Block: log.blockNumber))
            }
            let v: [ABIValue]
            do { v = try reverted.decodeLog(topics: log.topics, data: log.data) } catch { throw Error.malformedLog(log.blockNumber, "\(error)") }
            guard let from = v[0].uintValue?.uint64 else { throw Error.malformedLog(log.blockNumber, "BatchReverted fields") }
            return .reverted(from: from)
        }
    }

    /// The live batches, by index, as of L1 block `to` (default: the latest).
    public func liveBatches(to: UInt64? = nil) async throws -> [Commit] {
        let head: UInt64
        if let to { head = to } else { head = try await rollup.eth.blockNumber() }
        var live: [UInt64: Commit] = [:]
        for e in try await events(from: fromBlock, to: head) {
            switch e {
            case .committed(let c): live[c.batchIndex] = c
            case .reverted(let from): live = live.filter { $0.key < from }
            }
        }
        let list = live.values.sorted { $0.batchIndex < $1.batchIndex }
        guard list.enumerated().allSatisfy({ UInt64($0.offset) == $0.element.batchIndex }) else { throw Error.notContiguous(list.map(\.batchIndex)) }
        return list
    }

    /// The batch's `commitBatch` arguments, read from its L1 transaction's input.
    public func fetch(_ c: Commit) async throws -> ArchivedBatch {
        let tx = try await rollup.eth.rpc.call("eth_getTransactionByHash", [.string(c.l1TxHash.hex)])
        guard !tx.isNull, let input = tx["input"]?.stringValue else { throw Error.missingTransaction(c.l1TxHash.hex) }
        let commitment: BatchCommitment
        do { commitment = try BatchCommitment(calldata: try Hex.decode(input)) } catch {
            throw Error.wrongCalldata("L1 transaction \(c.l1TxHash.hex) is not a direct commitBatch call: \(error)")
        }
        guard commitment.batchIndex == c.batchIndex else {
            throw Error.wrongCalldata("L1 transaction \(c.l1TxHash.hex) commits batch \(commitment.batchIndex), its log says \(c.batchIndex)")
        }
        // dataHash stays the logged one: the replay checks the calldata's data against it.
        return ArchivedBatch(commitment: commitment, dataHash: c.dataHash, l1TxHash: c.l1TxHash, l1Block: c.l1Block)
    }

    /// Every inbox message logged so far, in index order.
    public func inbox(to: UInt64? = nil) async throws -> [InboxMessage] {
        let head: UInt64
        if let to { head = to } else { head = try await rollup.eth.blockNumber() }
        var out: [InboxMessage] = []
        var start = fromBlock
        while start <= head {
            let end = min(head, start + logChunk - 1)
            out += try await InboxLogs(rollup: rollup).messages(from: start, to: end).map(\.message)
            start = end + 1
        }
        return out.sorted { $0.index < $1.index }
    }
}
