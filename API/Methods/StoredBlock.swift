import Core
import Sequencer

/// Parts of a stored block read without decoding the whole block.
///
/// Clients poll receipts; decoding a block re-parses the JSON wire form of every transaction
/// in it (thousands per block), while the receipt needs one failure code and one sender. So
/// this reads the block's RLP directly, following `BlockCodec`'s layout (Sequencer/Storage/
/// BlockCodec.swift: `[header, signature, inbox, inboxFailures, [[wire, sender, hash]…],
/// [failure…], tickets]`, failure 0 = success). If the layout ever differs it falls back to
/// the full decode, and APITests compare both on every receipt they read.
enum StoredBlock {
    static func receipt(_ store: ChainStore, block: UInt64, index: UInt32) throws -> (failure: FailureCode?, sender: Address) {
        guard let raw = try rawBlock(store, block) else {
            throw RPCError.internalError("block \(block) of an indexed transaction is missing")
        }
        if let fast = try? fastRead(raw, index: Int(index)) { return fast }
        let b = try BlockCodec.decode(raw)
        guard Int(index) < b.receipts.count else { throw RPCError.internalError("block \(block) has no transaction \(index)") }
        return (b.receipts[Int(index)].failure, b.transactions[Int(index)].sender)
    }

    static func fastRead(_ raw: Bytes, index i: Int) throws -> (failure: FailureCode?, sender: Address)? {
        let f = try RLP.decode(raw).listValue("block")
        guard f.count == 7 else { return nil }
        let txs = try f[4].listValue("transactions"), receipts = try f[5].listValue("receipts")
        guard i < txs.count, i < receipts.count else { return nil }
        let tx = try txs[i].listValue("transaction")
        guard tx.count == 3 else { return nil }
        let code = try receipts[i].uint64Value("failure")
        let sender = try Address(bytes: try tx[1].bytesValue("sender"))
        if code == 0 { return (nil, sender) }
        guard code <= UInt64(UInt16.max), let failure = FailureCode(rawValue: UInt16(code)) else { return nil }
        return (failure, sender)
    }
}

extension StoredBlock {
    static func rawBlock(_ store: ChainStore, _ number: UInt64) throws -> Bytes? {
        try store.db.get("blocks", (0..<8).map { UInt8(truncatingIfNeeded: number >> (56 - 8 * UInt64($0))) })
    }

}
