import ArgumentParser
import Bridge
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
        guard value > .zero else { throw CLIError("the amount must be greater than zero") }
        let (eth, d) = try await l1.connect()
        let k = try key.load()
        let rollup = RollupContract(address: d.rollup, eth: eth)
        let sender = L1Sender(eth: eth, key: k, chainId: d.chainId)
        let held = try await rollup.tokenBalance(k.address, token: d.token)
        guard held >= value else { throw CLIError("\(k.address.checksummed) holds \(Amount.format(held)) on L1, less than \(Amount.format(value))") }
        let to = try recipient.map { r in try reporting("invalid --for") { try Address(r) } } ?? k.address
        let before = noWait ? nil : try? await l2.client.account(to).balance
        if try await rollup.allowance(owner: k.address, token: d.token) < value {
            let approve = try ABIFunction(signature: "approve(address,uint256)").encodeCall([.address(d.rollup), .uint(value)])
            try await sender.send(to: d.token, data: approve, what: "approve")
        }
        let call = recipient == nil ? try RollupContract.deposit.encodeCall([.uint(value)])
            : try RollupContract.depositFor.encodeCall([.address(to), .uint(value)])
        let receipt = try await sender.send(to: d.rollup, data: call, what: recipient == nil ? "deposit" : "depositFor")
        let message = receipt.logs.compactMap { try? RollupContract.inboxMessage($0) }.first
        print("deposited \(Amount.format(value)) (\(value) base units)\(recipient == nil ? "" : " for \(to.checksummed)"): inbox message \(message.map { String($0.index) } ?? "?"), L1 block \(receipt.blockNumber), tx \(receipt.transactionHash.hex)")
        guard !noWait else { return }
        guard let before else {
            print("the L2 API is not reachable; the sequencer credits the deposit after \(d.inboxConfirmations) L1 confirmations")
            return
        }
        let deadline = Date().addingTimeInterval(TimeInterval(timeout))
        while Date() < deadline {
            if let now = try? await l2.client.account(to), now.balance >= before + value {
                print("credited on L2: balance \(Amount.format(now.balance))")
                return
            }
            try await Task.sleep(nanoseconds: 500_000_000)
        }
        throw CLIError("no L2 credit after \(timeout) s (the sequencer waits for \(d.inboxConfirmations) L1 confirmations)")
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
        let client = try l2.client
        let domain = try await l2Domain(client)
        let (hash, nonce) = try await client.send(.withdraw(amount: value), key: k, domain: domain)
        print("sent Withdraw of \(Amount.format(value)) (nonce \(nonce)): \(hash.hex)")
        for _ in 0..<120 {
            if let r = try await client.receipt(hash), let status = r["status"]?.stringValue, status != "pending" {
                let block = (try? L2Client.uint(r["blockNumber"], "blockNumber"))?.description ?? "?"
                if r["success"]?.boolValue == false { throw CLIError("Withdraw failed in block \(block): failure \(r["failure"]?.serialized ?? "?")") }
                let acct = try await client.account(k.address)
                print("sequenced in block \(block); credit now \(Amount.format(acct.credit)) — claim it with `emeth claim`")
                return
            }
            try await Task.sleep(nanoseconds: 250_000_000)
        }
        throw CLIError("the sequencer has not sequenced \(hash.hex) yet; check with emeth_getTransactionReceipt")
    }
}

/// The EIP-712 domain the sequencer announces (emeth_chainInfo).
func l2Domain(_ client: L2Client) async throws -> EIP712.Domain {
    let info = try await client.chainInfo()
    guard let d = info["domain"], let chain = L2Client.text(d["chainId"]), let contract = d["verifyingContract"]?.stringValue,
          let chainId = try? UInt256(parsing: chain), let rollup = try? Address(contract) else {
        throw CLIError("emeth_chainInfo did not return a domain")
    }
    return .emethL2(chainId: chainId, verifyingContract: rollup)
}
