import ArgumentParser
import Core
import Foundation

/// `emeth keys new|import|address`: Web3 keystore files (the format geth, MetaMask exports and
/// eth-account read), so operators never keep a raw key on disk.
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, import and inspect keystore files.",
        subcommands: [New.self, Import.self, Show.self])

    struct WriteOptions: ParsableArguments {
        @Option(name: .shortAndLong, help: "Keystore file to write (refuses to overwrite).")
        var out: String

        @Flag(help: "Fast scrypt parameters (n=4096) for devnets and tests; the default is geth's standard (n=262144).")
        var light = false

        func write(_ key: PrivateKey) throws {
            guard !FileManager.default.fileExists(atPath: out) else { throw CLIError("\(out) already exists; not overwriting it") }
            let env = ProcessInfo.processInfo.environment
            let password: String
            if let p = env["EMETH_KEYSTORE_PASSWORD"] { password = p } else {
                password = try KeyOptions.prompt("New password: ")
                guard try KeyOptions.prompt("Repeat password: ") == password else { throw CLIError("passwords differ") }
            }
            let store: Keystore
            do { store = try Keystore.encrypt(privateKey: key, password: password, parameters: light ? .light : .standard) } catch {
                throw CLIError("cannot encrypt: \(error)")
            }
            // Owner-only permissions from the start: the file holds a key.
            guard FileManager.default.createFile(atPath: out, contents: store.json, attributes: [.posixPermissions: 0o600]) else {
                throw CLIError("cannot write \(out)")
            }
            print(key.address.checksummed)
        }
    }

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Generate a key and write it encrypted; prints its address.")
        @OptionGroup var options: WriteOptions
        func run() throws { try options.write(PrivateKey.random()) }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encrypt the key in EMETH_PRIVATE_KEY into a keystore file; prints its address.")
        @OptionGroup var options: WriteOptions
        func run() throws {
            guard let hex = ProcessInfo.processInfo.environment["EMETH_PRIVATE_KEY"] else {
                throw CLIError("set EMETH_PRIVATE_KEY to the key to import (never pass keys as arguments)")
            }
            let key: PrivateKey
            do { key = try PrivateKey(hex: hex) } catch { throw CLIError("EMETH_PRIVATE_KEY: \(error)") }
            try options.write(key)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "address", abstract: "Print the address of the signing key (keystore or EMETH_PRIVATE_KEY).")
        @OptionGroup var key: KeyOptions
        func run() throws { print(try key.load().address.checksummed) }
    }
}
