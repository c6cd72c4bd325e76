import ArgumentParser
import Bridge
import Client
import Core
import Foundation
import Sequencer

/// `emeth deposit <amount>`: approve + deposit on L1, then wait until the sequencer has
/// credited the L2 balance.
struct Deposit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deposit EMT into the rollup (L1) and wait for the L2 balance.",
        discussion: "Example: EMETH_PRIVATE_KEY=0x… emeth deposit 1.5emt --rpc http://127.0.0.1:8545 --deployment deployment.json")

    @Argument(help: "Amount: 1.5emt, 120gholon, or base units.")
    var amount: String

    @OptionGroup var l1: L1Options
    @OptionGroup var l2: L2Options

    @Option(name: .customLong("for"), help: "Credit this L2 account instead of the sender's (depositFor: for contract wallets and custodians).")
    var recipient: String?

    @Flag(help: "Do not wait for the L2 credit.")
    var noWait = false

    @Option(help: "Seconds to wait for the L2 credit.")
    var timeout: UInt64 = 300

    @OptionGroup var key: KeyOptions

    func run() async throws {
        let value = try parseAmount(amount)
        let (eth, d) = try await l1.connect()
        let k = try key.load()
        let to = try recipient.map { r in try reporting("invalid --for") { try Address(r) } }
        let account = to ?? k.address
        let deposits = L1Deposits(rollup: RollupContract(address: d.rollup, eth: eth), deployment: d,
                                  sender: L1Sender(eth: eth, key: k, chainId: d.chainId))
        let before = noWait ? nil : try? await l2.client.account(account).balance
        let r = try await clientCall { try await deposits.deposit(value, for: to) }
        print("deposited \(Amount.format(value)) (\(value) base units)\(to.map { " for \($0.checksummed)" } ?? ""): inbox message \(r.inboxIndex.map { String($0) } ?? "?"), L1 block \(r.l1.blockNumber), tx \(r.l1.transactionHash.hex)")
        guard !noWait else { return }
        guard let before else {
            print("the L2 API is not reachable; the sequencer credits the deposit after \(d.inboxConfirmations) L1 confirmations")
            return
        }
        let balance = try await clientCall { try await deposits.awaitCredit(account, target: before + value, l2: try l2.client, timeout: timeout) }
        print("credited on L2: balance \(Amount.format(balance))")
    }
}

/// `emeth withdraw <amount>`: the L2 `Withdraw` transaction (balance → credit, claimable on L1).
struct Withdraw: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move L2 balance to credit, claimable on L1 (signs and sends a Withdraw).",
        discussion: "Example: EMETH_PRIVATE_KEY=0x… emeth withdraw 2emt --l2 http://127.0.0.1:8547")

    @Argument(help: "Amount: 1.5emt, 120gholon, or base units.")
    var amount: String

    @OptionGroup var l2: L2Options
    @OptionGroup var key: KeyOptions

    func run() async throws {
        let value = try parseAmount(amount)
        let k = try key.load()
        let (tx, receipt) = try await clientCall {
            let client = try await TransactionClient.connect(try l2.client.rpc.url)
            let tx = try await client.send(.withdraw(amount: value), key: k)
            print("sent Withdraw of \(Amount.format(value)) (nonce \(tx.nonce)): \(tx.hash.bytes.hex)")
            return (tx, try await client.waitForReceipt(tx, timeout: 30))
        }
        let block = receipt.blockNumber.map { String($0) } ?? "?"
        if receipt.success == false {
            throw CLIError("Withdraw \(tx.hash.bytes.hex) failed in block \(block): \(receipt.failure.map { "\($0)" } ?? "?")")
        }
        let acct = try await l2.client.account(k.address)
        print("sequenced in block \(block); credit now \(Amount.format(acct.credit)) — claim it with `emeth claim`")
    }
}

/// Runs client-library work, its sentences as CLI errors.
func clientCall<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let e as ClientError { throw CLIError(e.message) }
}
