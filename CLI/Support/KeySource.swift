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
        try Self.load(keystore: keystore, env: "EMETH_PRIVATE_KEY", role: nil,
                      missing: "no signing key: pass --keystore FILE or set EMETH_PRIVATE_KEY")
    }

    /// One key from a keystore file (password from `EMETH_KEYSTORE_PASSWORD` or a prompt), or
    /// else from the environment variable `env`. Every command's keys come through here.
    static func load(keystore: String?, env name: String, role: String?, missing: String) throws -> PrivateKey {
        let env = ProcessInfo.processInfo.environment
        if let path = keystore, !path.isEmpty {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw CLIError("cannot read \(role.map { "the \($0) " } ?? "")keystore \(path): \(error.localizedDescription)")
            }
            let store: Keystore
            do { store = try Keystore(json: data) } catch { throw CLIError("invalid keystore \(path): \(error)") }
            let password = try env["EMETH_KEYSTORE_PASSWORD"] ?? Self.prompt("Password for \(path): ")
            do { return try PrivateKey(bytes: try store.decrypt(password: password)) } catch {
                throw CLIError("cannot decrypt \(path): \(error)")
            }
        }
        if let hex = env[name] {
            do { return try PrivateKey(hex: hex) } catch { throw CLIError("\(name): \(error)") }
        }
        throw CLIError(missing)
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
