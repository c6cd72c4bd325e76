import Core
import Sequencer

/// `emeth_getAccount`, `emeth_getJob`, `emeth_listJobs`, `emeth_getTicket`: the latest
/// committed state, read straight from the store (records change atomically per block).
extension L2API {
    /// An account never touched reads as zeros (it is absent from the state tree).
    func account(_ p: RPCParams) throws -> JSONValue {
        let address = try p.need(try p.address("address"), "address")
        return ResultJSON.account(address, try chain.store.account(address) ?? .empty)
    }

    /// The account's nonce, Ethereum's `eth_getTransactionCount`: at `"latest"` (default) the
    /// committed state's; at `"pending"` the nonce to sign the next transaction with, counting
    /// the sender's transactions queued in the mempool (`ServedChain.pendingNonce`).
    /// A follower has no mempool: it asks its leader for the pending nonce.
    func transactionCount(_ p: RPCParams) async throws -> JSONValue {
        let address = try p.need(try p.address("address"), "address")
        switch try p.string("block") ?? "latest" {
        case "latest": return .quantity(try chain.store.account(address)?.nonce ?? 0)
        case "pending":
            if let replica { return try await replica.forward("emeth_getTransactionCount", params: p.positional) }
            return .quantity(try chain.pendingNonce(address))
        case let other: throw RPCError.invalidParams("block: \"\(other)\" is neither \"latest\" nor \"pending\"")
        }
    }

    func job(_ p: RPCParams) throws -> JSONValue {
        let id = try p.need(try p.jobId("jobId"), "jobId")
        return try chain.store.job(id).map(ResultJSON.job) ?? .null
    }

    /// The latest Signer ticket of the account (cumulative credit), or null if none.
    func ticket(_ p: RPCParams) throws -> JSONValue {
        let address = try p.need(try p.address("address"), "address")
        return try chain.store.latestTicket(address).map(ResultJSON.ticket) ?? .null
    }

    /// Jobs matching a filter, a page at a time, read from the store's job indexes
    /// (`JobIndex`): a call reads at most `limit` index entries, whatever the filter and
    /// however many jobs the chain holds. Jobs come in jobId order within the filter; the
    /// `cursor` returned (opaque hex) resumes after the last; null means the end.
    func listJobs(_ p: RPCParams) throws -> JSONValue {
        let filter = try JobFilter(p["filter"], maxLimit: maxListLimit)
        let page = try JobIndex.page(chain.store, .init(status: filter.status, owner: filter.owner, node: filter.node),
                                     limit: filter.limit, after: filter.cursor)
        return .object(["jobs": .array(page.jobs.map(ResultJSON.job)), "cursor": page.next.map { .data($0) } ?? .null])
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
            cursor = try p.bytes("cursor")
            if let c = cursor, c.isEmpty || c.count > 64 { throw .invalidParams("cursor: not a cursor this method returned") }
        }
    }
}
