import Core
import Sequencer

/// `emeth_getAccount`, `emeth_getJob`, `emeth_listJobs`, `emeth_getTicket`: the latest
/// committed state, read straight from the store (records change atomically per block).
extension L2API {
    /// An account never touched reads as zeros (it is absent from the state tree).
    func account(_ p: RPCParams) throws -> JSONValue {
        let address = try p.need(try p.address("address"), "address")
        return ResultJSON.account(address, try engine.store.account(address) ?? .empty)
    }

    func job(_ p: RPCParams) throws -> JSONValue {
        let id = try p.need(try p.jobId("jobId"), "jobId")
        return try engine.store.job(id).map(ResultJSON.job) ?? .null
    }

    /// The latest Signer ticket of the account (cumulative credit), or null if none.
    func ticket(_ p: RPCParams) throws -> JSONValue {
        let address = try p.need(try p.address("address"), "address")
        return try engine.store.latestTicket(address).map(ResultJSON.ticket) ?? .null
    }

    /// Jobs matching a filter, a page at a time.
    ///
    /// The store has no job indexes, so this scans the `state` column family in key order
    /// (keys are state-tree keys `keccak256(0x02 ‖ jobId)` for jobs — a stable but arbitrary
    /// order) and keeps the job records that match. The `cursor` returned is the tree key of
    /// the last record examined; passing it back resumes right after it. A call examines at
    /// most `maxListScan` records, so a sparse filter may return fewer than `limit` jobs (even
    /// none) with a non-null cursor: keep paging until the cursor is null.
    func listJobs(_ p: RPCParams) throws -> JSONValue {
        let filter = try JobFilter(p["filter"], maxLimit: maxListLimit)
        var jobs: [JSONValue] = []
        var scanned = 0
        var last: Bytes?
        var exhausted = true
        try engine.store.db.forEach("state", from: filter.cursor) { key, value in
            if let c = filter.cursor, key == c { return true }
            if jobs.count == filter.limit || scanned == maxListScan {
                exhausted = false
                return false
            }
            scanned += 1
            last = key
            // Job records are 21 words, accounts 3 (StateEncoding): the length tells them apart.
            guard value.count == 21 * 32, let job = try? StateEncoding.decodeJob(value), filter.matches(job) else { return true }
            jobs.append(ResultJSON.job(job))
            return true
        }
        return .object(["jobs": .array(jobs), "cursor": exhausted ? .null : (last.map { .data($0) } ?? .null)])
    }

    struct JobFilter {
        var status: JobStatus?
        var owner: Address?
        var node: Address?
        var limit = 100
        var cursor: Bytes?

        init(_ json: JSONValue?, maxLimit: Int) throws(RPCError) {
            guard let json, !json.isNull else { return }
            guard json.objectValue != nil else { throw .invalidParams("filter: expected an object {status, owner, node, limit, cursor}") }
            let p: RPCParams
            do throws(RPCError) { p = try RPCParams(json, names: ["status", "owner", "node", "limit", "cursor"], required: 0) } catch {
                throw .invalidParams("filter: \(error.message.dropFirst("invalid params: ".count))")
            }
            if case .string(let name)? = p["status"], let s = JobStatus.allCases.first(where: { $0.description == name }) {
                status = s
            } else if let n = try p.uint64("status") {
                guard n <= 255, let s = JobStatus(rawValue: UInt8(n)) else {
                    throw .invalidParams("status: \(n) is no job status (1–10, or a name such as \"REQUESTED\")")
                }
                status = s
            }
            owner = try p.address("owner")
            node = try p.address("node")
            if let l = try p.uint64("limit") {
                guard l >= 1, l <= UInt64(maxLimit) else { throw .invalidParams("limit: must be between 1 and \(maxLimit), got \(l)") }
                limit = Int(l)
            }
            cursor = try p.bytes("cursor", count: 32)
        }

        func matches(_ j: Job) -> Bool {
            (status == nil || j.status == status) && (owner == nil || j.owner == owner) && (node == nil || j.node == node)
        }
    }
}
