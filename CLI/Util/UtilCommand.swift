import ArgumentParser
import Core
import Foundation

/// `emeth util …`: the encoding helpers people know from Foundry's `cast`.
struct Util: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hashing, ABI and typed-data helpers.",
        subcommands: [Keccak256.self, AbiEncode.self, SignTypedData.self, RecoverTypedData.self, Transfer.self])
}

struct Keccak256: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keccak",
        abstract: "Keccak-256 of hex data or of UTF-8 text.",
        discussion: "Examples:\n  emeth util keccak 0x616263\n  emeth util keccak --text 'transfer(address,uint256)'")

    @Argument(help: "Hex data (0x-prefixed or bare).")
    var hex: String?

    @Option(help: "Hash this text's UTF-8 bytes instead of hex data.")
    var text: String?

    func validate() throws {
        if (hex == nil) == (text == nil) { throw ValidationError("give either hex data or --text, not both or neither") }
    }

    func run() throws {
        let input: Bytes
        if let text { input = Array(text.utf8) } else {
            input = try reporting("invalid hex data") { try Hex.decode(hex!) }
        }
        print(Keccak.hash256(input).hex)
    }
}
