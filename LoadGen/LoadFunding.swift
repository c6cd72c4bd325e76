import Bridge
import Core
import Foundation

/// Funds a load's accounts the way users fund themselves: EMT deposited on L1 (`depositFor`
/// from one funded L1 account, after one `approve`), credited on L2 through the inbox. An
/// account that already holds at least half of `amount` on L2 (a rerun) is left alone
/// (`unfunded`).
public enum LoadFunding {
    /// The accounts holding less than half of `amount` on L2: those `fund` would fund.
    public static func unfunded(_ accounts: [Address], amount: UInt256, l2: L2Client) async throws -> [Address] {
        var need: [Address] = []
        for a in accounts where try await l2.account(a).balance < amount / UInt256(2) { need.append(a) }
        return need
    }

    /// Deposits `amount` for each of `need` and returns once all of them hold it on L2.
    public static func fund(_ need: [Address], amount: UInt256, from sender: L1Sender, deployment d: Deployment,
                            l2: L2Client, timeout: TimeInterval = 300) async throws {
        guard !need.isEmpty else { return }
        let rollup = RollupContract(address: d.rollup, eth: sender.eth)
        let total = amount * UInt256(UInt64(need.count))
        let held = try await rollup.tokenBalance(sender.key.address, token: d.token)
        guard held >= total else {
            throw LoadError("\(sender.key.address.checksummed) holds \(Amount.format(held)) on L1; funding \(need.count) accounts needs \(Amount.format(total))")
        }
        if try await rollup.allowance(owner: sender.key.address, token: d.token) < total {
            let approve = try ABIFunction(signature: "approve(address,uint256)").encodeCall([.address(d.rollup), .uint(total)])
            try await sender.send(to: d.token, data: approve, what: "approve")
        }
        for a in need {
            try await sender.send(to: d.rollup, data: try RollupContract.depositFor.encodeCall([.address(a), .uint(amount)]), what: "depositFor")
        }
        let deadline = Date().addingTimeInterval(timeout)
        for a in need {
            while try await l2.account(a).balance < amount {
                guard Date() < deadline else { throw LoadError("\(a.checksummed) not credited on L2 within \(Int(timeout)) s (is the inbox watcher running?)") }
                try await Task.sleep(nanoseconds: 200_000_000)
            }
        }
    }
}
