import Foundation

/// A private instance of the project's local L1 (py-evm behind JSON-RPC) for one test: started
/// on a free port with a ready file, stopped when the value is released. Each test gets its own
/// chain, so tests run in parallel without sharing nonces or blocks.
public final class LocalDevnet: @unchecked Sendable {
    public let url: URL
    private let process: Process
    private let dir: URL

    /// The first development account (Hardhat/Anvil mnemonic), funded with 10,000 ETH.
    public static let devKey0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
    public static let devAddress0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    public static let devKey1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
    public static let devAddress1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(arguments: [String] = []) throws {
        let python = PythonOracle.python
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw StartError(description: "no Python virtualenv at \(python.path): run `bash scripts/setup` first")
        }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-devnet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let ready = dir.appendingPathComponent("ready")
        let log = dir.appendingPathComponent("devnet.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = python
        process.arguments = [PythonOracle.repoRoot.appendingPathComponent("scripts/devnet_server.py").path,
                             "--port", "0", "--ready-file", ready.path] + arguments
        let logHandle = try FileHandle(forWritingTo: log)
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let text = try? String(contentsOf: ready, encoding: .utf8),
               let u = URL(string: text.trimmingCharacters(in: .whitespacesAndNewlines)), !text.isEmpty {
                url = u
                return
            }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(process.processIdentifier, SIGKILL)
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw StartError(description: "devnet did not start within 60 s:\n\(output.suffix(2_000))")
    }

    /// Stops the server: SIGTERM, then SIGKILL after 5 s. Polls rather than calling
    /// `waitUntilExit`, which spins forever on Linux when called off the main run loop.
    public func stop() {
        if process.isRunning {
            process.terminate()
            if !waitForExit(seconds: 5) {
                kill(process.processIdentifier, SIGKILL)
                _ = waitForExit(seconds: 2)
            }
        }
        try? FileManager.default.removeItem(at: dir)
    }

    private func waitForExit(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return !process.isRunning
    }

    deinit { stop() }
}
