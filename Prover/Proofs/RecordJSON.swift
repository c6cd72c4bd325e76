import Core
import Sequencer

/// Human-readable views of state records for proof files: field names of docs/PROTOCOL.md §4,
/// integers as decimal strings, bytes as 0x-hex. Informational only — the ABI-encoded record
/// is what is hashed — but a verifier recomputes them, so a file cannot show other values.
enum RecordJSON {
    static func account(_ a: Account) -> JSONValue {
        .object(["balance": .decimal(a.balance), "nonce": .decimal(UInt256(a.nonce)), "credit": .decimal(a.credit)])
    }

    static func job(_ j: Job) -> JSONValue {
        .object([
            "id": .hex(j.id.bytes), "owner": .string(j.owner.checksummed), "parentJob": .hex(j.parentJob.bytes),
            "programId": .decimal(j.programId), "numParallel": .decimal(j.numParallel), "numEpoch": .decimal(j.numEpoch),
            "dataset": .word(j.dataset), "param": .word(j.param), "fuelLimit": .decimal(j.fuelLimit),
            "fuelPrice": .decimal(j.fuelPrice), "deadline": .decimal(UInt256(j.deadline)),
            "status": .string(j.status.description), "node": .string(j.node.checksummed), "fuelUsed": .decimal(j.fuelUsed),
            "result": .word(j.result), "escrow": .decimal(j.escrow), "nodeDeposit": .decimal(j.nodeDeposit),
            "childCount": .decimal(UInt256(j.childCount)), "verifiedChildren": .decimal(UInt256(j.verifiedChildren)),
            "createdAt": .decimal(UInt256(j.createdAt)), "updatedAt": .decimal(UInt256(j.updatedAt)),
        ])
    }

    static func totals(_ t: Totals) -> JSONValue {
        .object([
            "totalDeposited": .decimal(t.totalDeposited), "totalCredit": .decimal(t.totalCredit),
            "totalBurned": .decimal(t.totalBurned), "totalBalances": .decimal(t.totalBalances),
            "totalEscrow": .decimal(t.totalEscrow), "totalNodeDeposits": .decimal(t.totalNodeDeposits),
        ])
    }
}

extension StateProof {
    /// The decoded record, or null when there is none (absent, or not available).
    public var decodedJSON: JSONValue {
        if let a = account { return RecordJSON.account(a) }
        if let j = job { return RecordJSON.job(j) }
        if let t = totals { return RecordJSON.totals(t) }
        return .null
    }
}
