import ArgumentParser
import Core
import Foundation

/// Where a command's signing key comes from. Never a command-line flag: flags end up in shell
/// history and in every user's view of the process list. Either a Web3 keystore file (its
/// password from `EMETH_KEYSTORE_PASSWORD` or a terminal prompt) or `EMETH_PRIVATE_KEY`.
struct KeyOptions: ParsableArguments {
    @Option(name: .long, help: "Web3 Secret Storage (v3) keystore file with the signing key.")
    var keystore: String?

    func load() throws -> PrivateKey {
        let env = ProcessInfo.processInfo.environment
        if let path = keystore {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw CLIError("cannot read keystore \(path): \(error.localizedDescription)")
            }
            let store: Keystore
            do { store = try Keystore(json: data) } catch { throw CLIError("invalid keystore \(path): \(error)") }
            let password = try env["EMETH_KEYSTORE_PASSWORD"] ?? Self.prompt("Password for \(path): ")
            do { return try PrivateKey(bytes: try store.decrypt(password: password)) } catch {
                throw CLIError("cannot decrypt \(path): \(error)")
            }
        }
        if let hex = env["EMETH_PRIVATE_KEY"] {
            do { return try PrivateKey(hex: hex) } catch { throw CLIError("EMETH_PRIVATE_KEY: \(error)") }
        }
        throw CLIError("no signing key: pass --keystore FILE or set EMETH_PRIVATE_KEY")
    }

    /// Reads a password from the terminal without echo; refuses when there is no terminal.
    static func prompt(_ text: String) throws -> String {
        guard isatty(STDIN_FILENO) == 1 else {
            throw CLIError("no terminal to ask for the keystore password: set EMETH_KEYSTORE_PASSWORD")
        }
        guard let p = getpass(text) else { throw CLIError("could not read the password") }
        return String(cString: p)
    }
}
