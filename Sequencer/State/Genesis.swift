import Core

/// Fee rates per 100,000 (EmethCore's units; docs/PROTOCOL.md §3) and protocol limits. They come from
/// the genesis file so a devnet can experiment, but the defaults are the pinned values.
public struct ChainParams: Hashable, Sendable {
    public var rateDenominator: UInt64 = 100_000
    public var verifierFeeRate: UInt64 = 5_000
    public var nodeDepositRate: UInt64 = 100_000
    public var declinePenaltyRate: UInt64 = 25_000
    public var timeoutPenaltyRate: UInt64 = 25_000
    public var failedPenaltyRate: UInt64 = 25_000
    /// Upper bound of SubJobs one Split may create (bounds the work of one transaction).
    public var maxSplitChildren: Int = 256
    /// The lowest fuel price (base units per fuel) a RegisterJob may offer. Above zero it
    /// makes zero-price jobs invalid, so no one can create permanent job records for free.
    public var minFuelPrice: UInt256 = .zero

    public init() {}
}

/// Role sets fixed at genesis (docs/PROTOCOL.md §3): who may verify, split and aggregate.
public struct Roles: Hashable, Sendable {
    public var verifiers: Set<Address>
    public var splitters: Set<Address>
    public var aggregators: Set<Address>

    public init(verifiers: Set<Address> = [], splitters: Set<Address> = [], aggregators: Set<Address> = []) {
        self.verifiers = verifiers; self.splitters = splitters; self.aggregators = aggregators
    }
}

/// Everything that defines an L2 chain before its first block. All funds enter through L1
/// deposits, so genesis holds no balances (conservation starts at zero).
public struct Genesis: Hashable, Sendable {
    public var chainId: UInt256
    public var rollup: Address
    public var signer: Address
    public var timestamp: UInt64
    public var roles: Roles
    public var params: ChainParams

    public init(chainId: UInt256, rollup: Address, signer: Address, timestamp: UInt64, roles: Roles, params: ChainParams = ChainParams()) {
        self.chainId = chainId; self.rollup = rollup; self.signer = signer; self.timestamp = timestamp
        self.roles = roles; self.params = params
    }
}
