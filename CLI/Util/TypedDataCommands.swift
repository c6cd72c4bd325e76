import ArgumentParser
import Core
import Foundation

/// Reads an `eth_signTypedData_v4` JSON document from a file (or `-` for stdin).
func readTypedData(_ path: String) throws -> TypedData {
    let data: Data
    if path == "-" { data = FileHandle.standardInput.readDataToEndOfFile() } else {
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CLIError("cannot read \(path): \(error.localizedDescription)")
        }
    }
    do { return try TypedData.parse(data) } catch { throw CLIError("invalid typed data in \(path): \(error)") }
}

struct SignTypedData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign-typed-data",
        abstract: "Sign EIP-712 typed data (eth_signTypedData_v4 JSON); prints the 65-byte signature.")

    @Option(help: "Typed-data JSON file, or - for standard input.")
    var file: String

    @OptionGroup var key: KeyOptions

    func run() throws {
        let typed = try readTypedData(file)
        let signer = try key.load()
        let sig = try reporting("cannot sign") { try typed.sign(with: signer) }
        print(sig.rsv.hex)
    }
}

struct RecoverTypedData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover-typed-data",
        abstract: "Recover the signer of EIP-712 typed data from a signature; prints the address.")

    @Option(help: "Typed-data JSON file, or - for standard input.")
    var file: String

    @Option(help: "The 65-byte signature r‖s‖v as 0x-hex.")
    var sig: String

    func run() throws {
        let typed = try readTypedData(file)
        let rsv = try reporting("invalid --sig") { try Hex.decode(sig, requirePrefix: true) }
        let signer = try reporting("cannot recover") { try typed.recoverSigner(rsv: rsv) }
        print(signer.checksummed)
    }
}
