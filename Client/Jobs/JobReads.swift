import Bridge
import Core
import Sequencer

/// The job reads of docs/API.md (`emeth_getJob`, `emeth_listJobs`) and the nonce read
/// (`emeth_getTransactionCount`), typed.
extension L2Client {
    /// The job, as a `Job` and as the JSON the API returned (what `--json` prints); nil if unknown.
    public func job(_ id: JobID) async throws(ClientError) -> (job: Job, json: JSONValue)? {
        let r = try await call("emeth_getJob", [.string(id.bytes.hex)])
        return r.isNull ? nil : (try JobJSON.parse(r), r)
    }

    /// One page of `emeth_listJobs`: jobs in jobId order within the filter, and the cursor of
    /// the next page (nil at the end).
    public func listJobs(status: JobStatus? = nil, owner: Address? = nil, node: Address? = nil, limit: Int,
                         cursor: String? = nil) async throws(ClientError) -> (jobs: [JSONValue], cursor: String?) {
        var f: [String: JSONValue] = ["limit": .int(limit)]
        if let status { f["status"] = .int(Int(status.rawValue)) }
        if let owner { f["owner"] = .string(owner.checksummed) }
        if let node { f["node"] = .string(node.checksummed) }
        if let cursor { f["cursor"] = .string(cursor) }
        let r = try await call("emeth_listJobs", [.object(f)])
        guard let jobs = r["jobs"]?.arrayValue else { throw ClientError(.unavailable, "emeth_listJobs answered without jobs") }
        return (jobs, r["cursor"]?.stringValue)
    }

    /// Up to `limit` jobs matching the filter, paging through `emeth_listJobs` from `cursor`;
    /// the cursor to continue from (nil when there are no more).
    public func listJobs(status: JobStatus?, owner: Address?, node: Address?, upTo limit: Int,
                         from cursor: String?) async throws(ClientError) -> (jobs: [JSONValue], cursor: String?) {
        var jobs: [JSONValue] = [], next = cursor
        repeat {
            let page = try await listJobs(status: status, owner: owner, node: node, limit: min(limit - jobs.count, 1_000), cursor: next)
            jobs += page.jobs
            next = page.cursor
        } while next != nil && jobs.count < limit
        return (jobs, next)
    }

    /// The nonce to sign the next transaction with (`"pending"`: the mempool counts), or the
    /// committed one (`"latest"`).
    public func transactionCount(_ a: Address, pending: Bool = true) async throws(ClientError) -> UInt64 {
        let r = try await call("emeth_getTransactionCount", [.string(a.checksummed), .string(pending ? "pending" : "latest")])
        guard let n = try? L2Client.uint(r, "nonce").uint64 else { throw ClientError(.unavailable, "emeth_getTransactionCount: not a nonce: \(r)") }
        return n
    }

    /// The account's balance, nonce and credit.
    public func accountInfo(_ a: Address) async throws(ClientError) -> Account {
        do { return try await account(a) } catch let e as JSONRPCClientError { throw .api(e, rpc.url) } catch {
            throw ClientError(.unavailable, "emeth_getAccount: \(error)")
        }
    }

    /// One API call with its errors in words.
    func call(_ method: String, _ params: [JSONValue]) async throws(ClientError) -> JSONValue {
        do { return try await rpc.call(method, params) } catch { throw .api(error, rpc.url) }
    }
}

/// Reads the API's job object (docs/API.md, `emeth_getJob`) back into a `Job`.
public enum JobJSON {
    public static func parse(_ j: JSONValue) throws(ClientError) -> Job {
        do {
            func u(_ k: String) throws -> UInt256 { try L2Client.uint(j[k], k) }
            func u64(_ k: String) throws -> UInt64 {
                guard let v = try u(k).uint64 else { throw ClientError(.unavailable, "job \(k) does not fit 64 bits") }
                return v
            }
            func a(_ k: String) throws -> Address { try Address(j[k]?.stringValue ?? "") }
            func h(_ k: String) throws -> Hash32 { try Hash32(bytes: try L2Client.bytes(j[k], k)) }
            func id(_ k: String) throws -> JobID { try JobID(bytes: try L2Client.bytes(j[k], k)) }
            guard let raw = try u("status").uint64, raw <= 255, let status = JobStatus(rawValue: UInt8(raw)) else {
                throw ClientError(.unavailable, "job status \(j["status"]?.serialized ?? "missing") is unknown")
            }
            return Job(id: try id("jobId"), owner: try a("owner"), parentJob: try id("parentJob"), programId: try u("programId"),
                       numParallel: try u("numParallel"), numEpoch: try u("numEpoch"), dataset: try h("dataset"), param: try h("param"),
                       fuelLimit: try u("fuelLimit"), fuelPrice: try u("fuelPrice"), deadline: try u64("deadline"), status: status,
                       node: try a("node"), fuelUsed: try u("fuelUsed"), result: try h("result"), escrow: try u("escrow"),
                       nodeDeposit: try u("nodeDeposit"), childCount: try u64("childCount"),
                       verifiedChildren: try u64("verifiedChildren"), createdAt: try u64("createdAt"), updatedAt: try u64("updatedAt"))
        } catch let e as ClientError { throw e } catch {
            throw ClientError(.unavailable, "the sequencer sent a job the client cannot read: \(error)")
        }
    }
}
