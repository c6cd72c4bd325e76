import Core
import Foundation

/// Deploys EmethToken (devnets) and EmethRollup from the committed artifacts
/// (Contracts/artifacts/<Name>.json: ABI and creation bytecode).
public struct Deployer: Sendable {
    public let sender: L1Sender
    public let artifacts: String

    public struct Artifact: Sendable {
        public let abi: ContractABI
        public let bytecode: Bytes
    }

    public enum Error: Swift.Error, CustomStringConvertible {
        case artifact(String, String)
        case noAddress(String)
        public var description: String {
            switch self {
            case .artifact(let n, let why): return "artifact \(n): \(why)"
            case .noAddress(let n): return "the deployment of \(n) returned no contract address"
            }
        }
    }

    public init(sender: L1Sender, artifacts: String) { self.sender = sender; self.artifacts = artifacts }

    public func artifact(_ name: String) throws -> Artifact {
        let path = (artifacts as NSString).appendingPathComponent("\(name).json")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw Error.artifact(name, "cannot read \(path)") }
        do {
            let json = try JSONValue.parse(text)
            guard let abi = json["abi"], let code = json["bytecode"]?.stringValue else { throw Error.artifact(name, "no abi or bytecode") }
            return Artifact(abi: try ContractABI(json: Data(abi.serialized.utf8)), bytecode: try Hex.decode(code))
        } catch let e as Error { throw e } catch { throw Error.artifact(name, "\(error)") }
    }

    /// Deploys `name` with constructor `arguments`; returns its address and receipt.
    public func deploy(_ name: String, _ arguments: [ABIValue]) async throws -> (Address, EthReceipt) {
        let a = try artifact(name)
        let constructor = a.abi.constructor ?? ABIConstructor(inputs: [])
        let data = try constructor.deploymentData(bytecode: a.bytecode, arguments: arguments)
        let receipt = try await sender.send(to: nil, data: data, what: "deploying \(name)")
        guard let address = receipt.contractAddress else { throw Error.noAddress(name) }
        return (address, receipt)
    }

    /// The whole deployment: a new token unless `token` is given, then the rollup.
    public func deployAll(token: Address?, owner: Address, sequencer: Address, signer: Address, guardians: [Address],
                          settings: RollupSettings) async throws -> Deployment {
        let tokenAddress: Address
        if let token {
            tokenAddress = token
        } else {
            tokenAddress = try await deploy("EmethToken", [.address(owner)]).0
        }
        let (rollup, receipt) = try await deploy("EmethRollup", [
            .address(tokenAddress), .address(owner), .address(sequencer), .address(signer),
            .array(guardians.map { .address($0) }), .uint(UInt256(settings.challengePeriod)), .uint(UInt256(settings.inboxConfirmations)),
            .uint(UInt256(settings.effectiveChangeDelay)), .uint(settings.ticketLimit), .uint(UInt256(settings.ticketWindow)),
            .uint(UInt256(settings.forceInclusionDelay)), .uint(UInt256(settings.escapeDelay)),
        ])
        return Deployment(chainId: sender.chainId, rollup: rollup, token: tokenAddress, owner: owner, sequencer: sequencer,
                          signer: signer, guardians: guardians, settings: settings, block: receipt.blockNumber)
    }
}
