import Core

/// EmethCore's fee rules (docs/PROTOCOL.md §3) in one place. Every amount is floor-rounded, computed
/// with overflow-checked arithmetic; an overflow fails the transaction rather than wrapping.
public struct Fees: Sendable, Equatable {
    /// fuelLimit × fuelPrice: the most the node can earn.
    public let feeLimit: UInt256
    /// The verifier's fee, paid by the requester on top of the fee limit.
    public let verifierFee: UInt256
    /// What the requester locks: feeLimit + verifierFee.
    public let escrow: UInt256
    /// What the node locks on Process: feeLimit × depositRate + verifierFee.
    public let nodeDeposit: UInt256

    public init(fuelLimit: UInt256, fuelPrice: UInt256, params: ChainParams) throws(ArithmeticError) {
        feeLimit = try fuelLimit.multiplied(by: fuelPrice)
        verifierFee = try Fees.rate(feeLimit, params.verifierFeeRate, params.rateDenominator)
        escrow = try feeLimit.adding(verifierFee)
        nodeDeposit = try Fees.rate(feeLimit, params.nodeDepositRate, params.rateDenominator).adding(verifierFee)
    }

    /// floor(amount × rate / denominator) without an intermediate overflow.
    public static func rate(_ amount: UInt256, _ rate: UInt64, _ denominator: UInt64) throws(ArithmeticError) -> UInt256 {
        guard denominator != 0 else { throw .divisionByZero }
        let (q, m) = amount.quotientAndRemainder(dividingBy: denominator)
        let whole = try q.multiplied(by: UInt256(rate))
        let part = (UInt256(m) * UInt256(rate)).quotientAndRemainder(dividingBy: denominator).quotient
        return try whole.adding(part)
    }
}
