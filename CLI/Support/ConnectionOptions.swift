import ArgumentParser
import Bridge
import Core
import Foundation

/// Where L1 is and which deployment to use: every L1-facing command takes these.
struct L1Options: ParsableArguments {
    @Option(name: .customLong("rpc"), help: "L1 JSON-RPC endpoint (env EMETH_L1_RPC).")
    var rpc: String?

    @Option(help: "deployment.json written by `emeth deploy` (env EMETH_DEPLOYMENT).")
    var deployment: String?

    var url: URL {
        get throws {
            let text = rpc ?? ProcessInfo.processInfo.environment["EMETH_L1_RPC"] ?? ""
            guard let u = URL(string: text), u.scheme == "http" || u.scheme == "https" else {
                throw CLIError(text.isEmpty ? "no L1 endpoint: pass --rpc URL or set EMETH_L1_RPC" : "invalid --rpc URL: \(text)")
            }
            return u
        }
    }

    /// The deployment file: `--deployment`, or EMETH_DEPLOYMENT.
    func deploymentPath() throws -> String {
        guard let path = deployment ?? ProcessInfo.processInfo.environment["EMETH_DEPLOYMENT"] else {
            throw CLIError("no deployment: pass --deployment FILE or set EMETH_DEPLOYMENT")
        }
        return path
    }

    func loadDeployment() throws -> Deployment {
        do { return try Deployment.load(try deploymentPath()) } catch let e as CLIError { throw e } catch { throw CLIError("\(error)") }
    }

    /// The L1 client, after checking the endpoint serves the deployment's chain.
    func connect() async throws -> (EthClient, Deployment) {
        let d = try loadDeployment()
        let eth = EthClient(url: try url)
        do { _ = try await eth.requireChainId(d.chainId) } catch { throw CLIError("\(error)") }
        return (eth, d)
    }
}

/// Where the sequencer's L2 API is.
struct L2Options: ParsableArguments {
    @Option(name: .customLong("l2"), help: "Sequencer L2 JSON-RPC endpoint (env EMETH_L2_RPC; default http://127.0.0.1:8547).")
    var l2: String?

    var url: URL {
        get throws {
            let text = l2 ?? ProcessInfo.processInfo.environment["EMETH_L2_RPC"] ?? "http://127.0.0.1:8547"
            guard let u = URL(string: text), u.scheme == "http" || u.scheme == "https" else { throw CLIError("invalid --l2 URL: \(text)") }
            return u
        }
    }

    var client: L2Client {
        get throws { L2Client(url: try url) }
    }
}

/// Parses an amount per docs/PROTOCOL.md §1 (`1.5emt`, `120gholon`, base units) for an argument.
func parseAmount(_ text: String) throws -> UInt256 {
    do { return try Amount.parse(text) } catch { throw CLIError("\(error)") }
}

/// Where the compiled contracts are: `--artifacts`, `EMETH_ARTIFACTS`, or `Contracts/artifacts`
/// found from the working directory or next to the executable's checkout.
func artifactsDirectory(_ flag: String?) throws -> String {
    if let flag { return flag }
    if let env = ProcessInfo.processInfo.environment["EMETH_ARTIFACTS"] { return env }
    let fm = FileManager.default
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for candidate in [URL(fileURLWithPath: fm.currentDirectoryPath)] + (0..<6).map({ _ in dir = dir.deletingLastPathComponent(); return dir }) {
        let path = candidate.appendingPathComponent("Contracts/artifacts").path
        if fm.fileExists(atPath: (path as NSString).appendingPathComponent("EmethRollup.json")) { return path }
    }
    throw CLIError("cannot find Contracts/artifacts: pass --artifacts DIR or set EMETH_ARTIFACTS")
}
