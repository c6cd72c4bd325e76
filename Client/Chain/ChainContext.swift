import Bridge
import Core
import Sequencer

/// What a client must know about the chain to sign for it and to explain its rules: the
/// EIP-712 domain, and the genesis (roles, fee rates, minimum fuel price) that
/// `emeth_chainInfo` reports — checked against the `genesisHash` it names.
public struct ChainContext: Sendable, Equatable {
    public let domain: EIP712.Domain
    /// nil when the sequencer does not report its genesis (explanations then leave out role
    /// lists and fee amounts).
    public let genesis: Genesis?

    public init(domain: EIP712.Domain, genesis: Genesis?) {
        self.domain = domain; self.genesis = genesis
    }

    /// Reads the result of `emeth_chainInfo`.
    public static func parse(_ info: JSONValue) throws(ClientError) -> ChainContext {
        guard let d = info["domain"], let chain = L2Client.text(d["chainId"]), let contract = d["verifyingContract"]?.stringValue,
              let chainId = try? UInt256(parsing: chain), let rollup = try? Address(contract) else {
            throw ClientError(.unavailable, "emeth_chainInfo did not return an EIP-712 domain; is the --l2 endpoint an EMETH sequencer?")
        }
        var genesis: Genesis?
        if let g = info["genesis"], !g.isNull {
            guard let parsed = try? Genesis.parse(g), let hash = info["genesisHash"]?.stringValue,
                  parsed.hash.bytes.hex == hash.lowercased() else {
                throw ClientError(.unavailable, "emeth_chainInfo reported a genesis that does not match its genesisHash")
            }
            genesis = parsed
        }
        return ChainContext(domain: .emethL2(chainId: chainId, verifyingContract: rollup), genesis: genesis)
    }

    public var params: ChainParams { genesis?.params ?? ChainParams() }

    /// A job's fees under this chain's rates, or nil if they overflow 256 bits.
    public func fees(fuelLimit: UInt256, fuelPrice: UInt256) -> Fees? {
        try? Fees(fuelLimit: fuelLimit, fuelPrice: fuelPrice, params: params)
    }
}
