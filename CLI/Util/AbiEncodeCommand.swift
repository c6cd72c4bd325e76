import ArgumentParser
import Core

/// `emeth util abi-encode "transfer(address,uint256)" 0x… 100`: like Foundry's
/// `cast abi-encode` (arguments only) or, with `--calldata`, `cast calldata` (with selector).
struct AbiEncode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abi-encode",
        abstract: "ABI-encode arguments for a function signature.",
        discussion: """
        Arguments use the usual syntax: decimal or 0x-hex integers (negative for intN), EIP-55 \
        addresses, true/false, 0x-hex bytes, raw text for strings, [a,b] arrays and (a,b) tuples.
        Examples:
          emeth util abi-encode 'transfer(address,uint256)' 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 1000
          emeth util abi-encode --calldata 'deposit(uint256)' 5000000000000000000
        """)

    @Argument(help: "Function signature, e.g. 'f(uint256,address[])'.")
    var signature: String

    @Argument(parsing: .allUnrecognized, help: "One value per parameter.")
    var values: [String] = []

    @Flag(help: "Prefix the 4-byte selector (full calldata).")
    var calldata = false

    func run() throws {
        let function = try reporting("invalid signature") { try ABIFunction(signature: signature) }
        let types = function.inputTypes
        guard values.count == types.count else {
            throw CLIError("\(function.signature) takes \(types.count) argument(s), got \(values.count)")
        }
        let parsed = try reporting("invalid argument") { try ABI.parseArguments(values, as: types) }
        let encoded = try reporting("cannot encode") { try ABI.encode(types, parsed) }
        print(((calldata ? function.selector : []) + encoded).hex)
    }
}
