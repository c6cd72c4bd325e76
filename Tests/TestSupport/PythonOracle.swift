import Foundation

/// Runs a generator script from `Tests/oracle/` with the project's virtualenv and returns its
/// JSON output. The scripts use independent Python implementations (eth-account, eth-abi,
/// rlp, eth-hash) so our Swift encodings are checked against code we did not write.
///
/// A missing virtualenv is a test failure with instructions, never a silent skip.
public enum PythonOracle {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static var repoRoot: URL {
        // Tests/TestSupport/PythonOracle.swift → repository root
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    public static var python: URL { repoRoot.appendingPathComponent(".venv/bin/python") }

    /// Runs `Tests/oracle/<script>` with `args` and parses stdout as JSON.
    public static func run(_ script: String, _ args: [String] = [], stdin: Data? = nil) throws -> Any {
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw Failure(description: "no Python virtualenv at \(python.path): run `bash scripts/setup` first")
        }
        let process = Process()
        process.executableURL = python
        process.arguments = [repoRoot.appendingPathComponent("Tests/oracle/\(script)").path] + args
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(script) exited \(process.terminationStatus): \(String(decoding: errData, as: UTF8.self))")
        }
        return try JSONSerialization.jsonObject(with: data)
    }

    /// Convenience: the generator prints a JSON array of objects.
    public static func cases(_ script: String, _ args: [String] = []) throws -> [[String: Any]] {
        guard let list = try run(script, args) as? [[String: Any]] else {
            throw Failure(description: "\(script) did not print a JSON array of objects")
        }
        return list
    }
}
