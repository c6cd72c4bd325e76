import Bridge
import Core
import Foundation
import Sequencer

/// Putting EMT into the rollup from L1 (`emeth deposit`): approve if the allowance is short,
/// `deposit` or `depositFor`, then watch the sequencer credit it on L2 (after its inbox
/// confirmations). The balance check comes first, so a deposit that cannot succeed costs
/// nothing.
public struct L1Deposits: Sendable {
    public let rollup: RollupContract
    public let deployment: Deployment
    public let sender: L1Sender

    public init(rollup: RollupContract, deployment: Deployment, sender: L1Sender) {
        self.rollup = rollup; self.deployment = deployment; self.sender = sender
    }

    /// What a deposit did on L1.
    public struct Receipt: Sendable {
        public let l1: EthReceipt
        /// The inbox index of its message, nil if the receipt carried none (it always should).
        public let inboxIndex: UInt64?
    }

    /// Deposits `value` crediting `recipient` (the sender's own L2 account when nil).
    public func deposit(_ value: UInt256, for recipient: Address?) async throws -> Receipt {
        guard value > .zero else { throw ClientError(.invalidInput, "the amount must be greater than zero") }
        let me = sender.key.address, token = deployment.token
        let held = try await rollup.tokenBalance(me, token: token)
        guard held >= value else {
            throw ClientError(.invalidInput, "\(me.checksummed) holds \(Amount.format(held)) on L1, less than \(Amount.format(value))")
        }
        if try await rollup.allowance(owner: me, token: token) < value {
            let approve = try ABIFunction(signature: "approve(address,uint256)").encodeCall([.address(deployment.rollup), .uint(value)])
            try await sender.send(to: token, data: approve, what: "approve")
        }
        let call = try recipient.map { try RollupContract.depositFor.encodeCall([.address($0), .uint(value)]) }
            ?? RollupContract.deposit.encodeCall([.uint(value)])
        let receipt = try await sender.send(to: deployment.rollup, data: call, what: recipient == nil ? "deposit" : "depositFor")
        let message = receipt.logs.compactMap { try? RollupContract.inboxMessage($0) }.first
        return Receipt(l1: receipt, inboxIndex: message?.index)
    }

    /// Waits until `account`'s L2 balance reaches `target`, polling every half second; returns
    /// the balance then.
    public func awaitCredit(_ account: Address, target: UInt256, l2: L2Client, timeout: UInt64) async throws -> UInt256 {
        let deadline = Date().addingTimeInterval(TimeInterval(timeout))
        while Date() < deadline {
            if let now = try? await l2.account(account), now.balance >= target { return now.balance }
            try await Task.sleep(nanoseconds: 500_000_000)
        }
        throw ClientError(.timeout, "no L2 credit after \(timeout) s (the sequencer waits for \(deployment.inboxConfirmations) L1 confirmations)")
    }
}
