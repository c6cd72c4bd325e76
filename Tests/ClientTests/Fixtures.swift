import Core
import Foundation
import Sequencer
@testable import Client

/// A chain, accounts and jobs for the client's tests: fixed keys so sentences are exact.
enum F {
    static func key(_ byte: UInt8) -> PrivateKey { try! PrivateKey(bytes: Bytes(repeating: byte, count: 32)) }
    static let requester = key(0x11), node = key(0x22), verifier = key(0x33), splitter = key(0x44), aggregator = key(0x55)
    static let rollup = try! Address("0x5FbDB2315678afecb367f032d93F642f64180aa3")
    static let gholon = UInt256(1_000_000_000)

    static var genesis: Genesis {
        var p = ChainParams()
        p.minFuelPrice = gholon
        return Genesis(chainId: 31337, rollup: rollup, signer: key(0x51).address, timestamp: 1_700_000_000,
                       roles: Roles(verifiers: [verifier.address], splitters: [splitter.address], aggregators: [aggregator.address]),
                       params: p)
    }

    static var chain: ChainContext { ChainContext(domain: .emethL2(chainId: 31337, verifyingContract: rollup), genesis: genesis) }

    static func id(_ b: UInt8) -> JobID { try! JobID(bytes: Bytes(repeating: b, count: 16)) }
    static func h(_ b: UInt8) -> Hash32 { try! Hash32(bytes: Bytes(repeating: b, count: 32)) }

    /// A job of 1,000,003 fuel at 3 gholon: fee limit 3,000,009 gholon, verifier fee 5% floor-rounded.
    static func job(_ status: JobStatus, node: Address = .zero) -> Job {
        Job(id: id(0x0a), owner: requester.address, parentJob: .zero, programId: 7, numParallel: 1, numEpoch: 2, dataset: h(0xd0),
            param: .zero, fuelLimit: 1_000_003, fuelPrice: 3 * gholon, deadline: 1_767_225_600, status: status, node: node,
            fuelUsed: 0, result: .zero, escrow: 3_150_009_450_000_000, nodeDeposit: node == .zero ? 0 : 3_150_009_450_000_000,
            childCount: 0, verifiedChildren: 0, createdAt: 1_767_000_000, updatedAt: 1_767_000_001)
    }

    static func context(_ call: L2Call, _ sender: PrivateKey, job: Job?, balance: UInt256? = nil) -> FailureContext {
        FailureContext(call: call, sender: sender.address, job: job, balance: balance, chain: chain)
    }
}
