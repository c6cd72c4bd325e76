import Core
import Sequencer

/// `emeth_chainInfo`, `emeth_blockNumber`, `emeth_getBlockByNumber`, `emeth_getBlockRange`.
extension L2API {
    /// What a wallet needs to sign for this chain (the EIP-712 domain) and what identifies it.
    func chainInfo() -> JSONValue {
        let g = chain.genesis, d = chain.admission.domain
        return .object([
            "chainId": .quantity(g.chainId),
            "domain": .object(["name": .string(d.name), "version": .string(d.version), "chainId": .quantity(d.chainId),
                               "verifyingContract": .address(d.verifyingContract)]),
            "rollup": .address(g.rollup),
            "token": extras.token.map(JSONValue.address) ?? .null,
            "signer": .address(chain.signer),
            "sequencer": extras.sequencer.map(JSONValue.address) ?? .null,
            "genesisHash": .data(g.hash),
            // The chain's rules (roles, fee rates, minimum fuel price) so a client can explain a
            // refusal or price a job; its keccak256 is `genesisHash`.
            "genesis": g.json,
        ])
    }

    func blockNumber() throws -> JSONValue {
        .quantity(try chain.headNumber())
    }

    /// The block with header fields, hash, Signer signature, its transactions (hashes, or
    /// wire form plus sender, hash and outcome with `fullTxs`) and its inbox messages; null
    /// beyond the head.
    func block(_ p: RPCParams) throws -> JSONValue {
        let fullTxs = try p.bool("fullTxs") ?? false
        let head = try chain.headNumber()
        let n = try p.need(try p.blockNumber("number", head: head), "number")
        guard n <= head else { return .null }
        // Decoded outside the lock: a large block takes a while and sealing must not wait.
        return try chain.store.block(n).map { ResultJSON.block($0, fullTxs: fullTxs) } ?? .null
    }

    /// Blocks `from`, `from + 1`, … as stored (`BlockCodec`, storage format 2: header, Signer
    /// signature, inbox messages with their outcomes, transactions in binary with sender, hash
    /// and outcome, tickets), hex-encoded: what a follower pulls, verifies and stores. At most
    /// `count` (default and limit `maxRangeBlocks`) blocks and `maxRangeBytes` stored bytes —
    /// but always the first block if it exists; none beyond the head. `head` lets the caller
    /// measure its lag in the same answer.
    func blockRange(_ p: RPCParams) throws -> JSONValue {
        let from = try p.need(try p.uint64("from"), "from")
        let count = try p.uint64("count") ?? UInt64(maxRangeBlocks)
        guard count >= 1, count <= UInt64(maxRangeBlocks) else {
            throw RPCError.invalidParams("count: must be between 1 and \(maxRangeBlocks), got \(count)")
        }
        let head = try chain.headNumber()
        var blocks: [JSONValue] = []
        var bytes = 0
        var n = from
        // Blocks at or below a head read under the lock never change: read them without it.
        while n <= head, UInt64(blocks.count) < count {
            guard let raw = try chain.store.storedBlock(n) else {
                throw RPCError.internalError("block \(n) is at or below the head \(head) but not in the store")
            }
            if !blocks.isEmpty, bytes + raw.count > maxRangeBytes { break }
            blocks.append(.data(raw))
            bytes += raw.count
            n += 1
        }
        return .object(["format": .int(Int(ChainStore.formatVersion)), "from": .quantity(from), "head": .quantity(head),
                        "blocks": .array(blocks)])
    }
}
