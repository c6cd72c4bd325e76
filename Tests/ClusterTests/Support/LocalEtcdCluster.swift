import Cluster
import Core
import Foundation
import TestSupport
import Testing

/// A private etcd cluster for one test, started by `scripts/etcd-cluster` on free loopback
/// ports (real etcd from Debian's etcd-server) and stopped when the test releases it.
final class LocalEtcdCluster: @unchecked Sendable {
    let dir: URL
    /// Each member's client URL, in member order (m0, m1, ...).
    let members: [String]

    struct Failure: Error, CustomStringConvertible { let description: String }

    static var inCI: Bool { ["1", "true", "yes"].contains((ProcessInfo.processInfo.environment["CI"] ?? "").lowercased()) }

    static var etcdInstalled: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/etcd")
        }
    }

    /// Tests run when etcd is installed, and always under CI (where a missing etcd must fail
    /// the run: `bash scripts/setup` installs it).
    static var runnable: Bool { etcdInstalled || inCI }
    static let skipReason: Comment = "etcd is not installed (Debian package etcd-server): run `bash scripts/setup`"

    static var script: URL { PythonOracle.repoRoot.appendingPathComponent("scripts/etcd-cluster") }

    init(members count: Int = 3) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emeth-etcd-\(UUID().uuidString.prefix(8))")
        self.dir = dir
        let output: String
        do {
            output = try Self.run(["up", dir.path, "--members", String(count)])
        } catch {
            try? FileManager.default.removeItem(at: dir)  // the script stopped whatever it started
            throw error
        }
        let env = (try? String(contentsOf: dir.appendingPathComponent("env"), encoding: .utf8)) ?? output
        var urls: [String] = []
        for i in 0..<count {
            guard let line = env.split(separator: "\n").first(where: { $0.hasPrefix("ETCD_MEMBER_\(i)=") }) else {
                throw Failure(description: "scripts/etcd-cluster wrote no ETCD_MEMBER_\(i) in \(dir.path)/env:\n\(env)")
            }
            urls.append(String(line.dropFirst("ETCD_MEMBER_\(i)=".count)))
        }
        members = urls
    }

    deinit {
        _ = try? Self.run(["down", dir.path])
        try? FileManager.default.removeItem(at: dir)
    }

    /// A client for the given members (default: all, in order m0, m1, ...).
    func client(_ indices: [Int]? = nil, requestTimeout: Duration = .seconds(3)) throws -> EtcdClient {
        try EtcdClient(endpoints: (indices ?? Array(members.indices)).map { members[$0] }, requestTimeout: requestTimeout)
    }

    /// Stops member `index` (SIGKILL, or SIGSTOP to freeze it as if cut off).
    func kill(_ index: Int, signal: String = "KILL") throws {
        _ = try Self.run(["kill", dir.path, "m\(index)", "--signal", signal])
    }

    /// Resumes or restarts member `index` and waits until it is healthy.
    func start(_ index: Int) throws {
        _ = try Self.run(["start", dir.path, "m\(index)"])
    }

    /// The index of the member that is etcd's raft leader now.
    func raftLeader() throws -> Int {
        for (i, url) in members.enumerated() {
            guard let status = try? Self.post(url + "/v3/maintenance/status", body: "{}") else { continue }
            let member = status["header"]?["member_id"]?.stringValue
            if let leader = status["leader"]?.stringValue, leader == member { return i }
        }
        throw Failure(description: "no member reports itself as the raft leader")
    }

    private static func post(_ url: String, body: String) throws -> JSONValue {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import sys, urllib.request
            r = urllib.request.urlopen(urllib.request.Request(sys.argv[1], sys.argv[2].encode()), timeout=3)
            sys.stdout.write(r.read().decode())
            """, url, body]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        while process.isRunning { usleep(10_000) }
        guard process.terminationStatus == 0 else { throw Failure(description: "POST \(url) failed") }
        return try JSONValue.parse(data)
    }

    @discardableResult
    private static func run(_ args: [String]) throws -> String {
        let process = Process()
        process.executableURL = script
        process.arguments = args
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        // Polls rather than waitUntilExit, which can spin forever on Linux off the main run loop.
        while process.isRunning { usleep(10_000) }
        guard process.terminationStatus == 0 else {
            throw Failure(description: "scripts/etcd-cluster \(args.joined(separator: " ")) exited \(process.terminationStatus): "
                          + String(decoding: errData, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Polls `condition` every 50 ms until it holds; fails after `timeout` (a generous bound, never
/// a timing assertion), naming what it waited for.
func waitUntil(_ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while try await !condition() {
        if clock.now > deadline { throw LocalEtcdCluster.Failure(description: "timed out after \(timeout) waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(50))
    }
}
