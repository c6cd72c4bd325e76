import Core
import Sequencer

/// `emeth_chainInfo`, `emeth_blockNumber`, `emeth_getBlockByNumber`.
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
}
