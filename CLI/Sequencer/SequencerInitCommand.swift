import ArgumentParser
import Bridge
import Core
import Foundation
import Node
import Sequencer

/// `emeth sequencer init`: writes a commented emeth.toml with every default and a
/// genesis.json for a new chain. Refuses to overwrite either file.
struct SequencerInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Write a default emeth.toml and a genesis.json for a new chain.")

    @Option(help: "Directory to write emeth.toml and genesis.json into.") var dir = "."
    @Option(help: "L1 chain id (the EIP-712 domain's chainId).") var chainId = "31337"
    @Option(help: "L1 EmethRollup contract address (the domain's verifyingContract).")
    var rollup = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    @Option(help: "Signer address. Default: the address of EMETH_SIGNER_PRIVATE_KEY or of --signer-keystore.")
    var signer: String?
    @Option(help: "Keystore of the Signer key (recorded in emeth.toml; its address goes into genesis).") var signerKeystore: String?
    @Option(help: "A verifier address (repeatable).") var verifier: [String] = []
    @Option(help: "A splitter address (repeatable).") var splitter: [String] = []
    @Option(help: "An aggregator address (repeatable).") var aggregator: [String] = []
    @Option(help: "Genesis timestamp (seconds). Default: now.") var timestamp: UInt64?
    @Option(help: "Lowest fuel price a RegisterJob may offer, e.g. 1gholon (default 0: any price; above 0 no job is free to create).")
    var minFuelPrice: String?
    @Option(help: "deployment.json from `emeth deploy`: takes chain id, rollup and signer from it and points the config at it.")
    var deployment: String?

    func run() throws {
        func address(_ s: String, _ what: String) throws -> Address {
            do { return try Address(s) } catch { throw CLIError("\(what) \(s): \(error)") }
        }
        let d: Deployment?
        do { d = try deployment.map(Deployment.load) } catch { throw CLIError("\(error)") }
        let signerAddress: Address
        if let signer { signerAddress = try address(signer, "--signer") } else if let d { signerAddress = d.signer } else {
            signerAddress = try SignerKey.load(keystore: signerKeystore).address
        }
        let chain: UInt256
        do { chain = try d?.chainId ?? UInt256(parsing: chainId) } catch { throw CLIError("--chain-id \(chainId): \(error)") }
        var params = ChainParams()
        if let p = minFuelPrice { params.minFuelPrice = try parseAmount(p) }
        let genesis = Genesis(chainId: chain, rollup: try d?.rollup ?? address(rollup, "--rollup"), signer: signerAddress,
                              timestamp: timestamp ?? UInt64(Date().timeIntervalSince1970),
                              roles: Roles(verifiers: Set(try verifier.map { try address($0, "--verifier") }),
                                           splitters: Set(try splitter.map { try address($0, "--splitter") }),
                                           aggregators: Set(try aggregator.map { try address($0, "--aggregator") })),
                              params: params)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let genesisPath = (dir as NSString).appendingPathComponent("genesis.json")
        let configPath = (dir as NSString).appendingPathComponent("emeth.toml")
        for p in [genesisPath, configPath] where FileManager.default.fileExists(atPath: p) {
            throw CLIError("\(p) exists; refusing to overwrite it")
        }
        try Data((genesis.json.serialized + "\n").utf8).write(to: URL(fileURLWithPath: genesisPath))
        let absolute = deployment.map { $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 }
        try Data(NodeConfig.template(signerKeystore: signerKeystore, deployment: absolute).utf8).write(to: URL(fileURLWithPath: configPath))
        print("wrote \(configPath) and \(genesisPath) (chainId \(chain), signer \(signerAddress.checksummed), genesis \(genesis.hash))")
    }
}
