import Core

/// Secondary indexes of jobs in the `jobindex` column family, so that listing jobs by owner,
/// node or status reads exactly the page asked for instead of scanning every record (the
/// liveness review: one `emeth_listJobs` scanned up to 100k records, and a 100-call batch
/// multiplied that). Each job has one key per index, all with an empty value:
///
///     0x00 ‖ jobId                       every job
///     0x01 ‖ owner ‖ jobId               0x02 ‖ owner ‖ status ‖ jobId
///     0x03 ‖ node ‖ jobId                0x04 ‖ node ‖ status ‖ jobId      (once a node is set)
///     0x05 ‖ status ‖ jobId
///
/// The keys of a job change with its status and node, in the same WriteBatch as its record.
public enum JobIndex {
    public static let family: ColumnFamily = "jobindex"
    /// A meta key, present once the index covers every job (older stores are indexed on open).
    static let builtKey = Array("jobIndexBuilt".utf8)

    public struct Filter: Sendable, Equatable {
        public var status: JobStatus?
        public var owner: Address?
        public var node: Address?

        public init(status: JobStatus? = nil, owner: Address? = nil, node: Address? = nil) {
            self.status = status; self.owner = owner; self.node = node
        }

        public func matches(_ j: Job) -> Bool {
            (status == nil || j.status == status) && (owner == nil || j.owner == owner) && (node == nil || j.node == node)
        }

        /// The index prefix that holds exactly the matching jobs (with owner and node both set,
        /// the owner's: a job has one owner and one node, so few keys there fail the node test).
        var prefix: Bytes {
            switch (owner, node, status) {
            case (let o?, _, let s?): return [0x02] + o.bytes + [s.rawValue]
            case (let o?, _, nil): return [0x01] + o.bytes
            case (nil, let n?, let s?): return [0x04] + n.bytes + [s.rawValue]
            case (nil, let n?, nil): return [0x03] + n.bytes
            case (nil, nil, let s?): return [0x05, s.rawValue]
            case (nil, nil, nil): return [0x00]
            }
        }
    }

    static func keys(_ j: Job) -> [Bytes] {
        var k: [Bytes] = [[0x00] + j.id.bytes, [0x01] + j.owner.bytes + j.id.bytes,
                          [0x02] + j.owner.bytes + [j.status.rawValue] + j.id.bytes, [0x05, j.status.rawValue] + j.id.bytes]
        if j.node != .zero { k += [[0x03] + j.node.bytes + j.id.bytes, [0x04] + j.node.bytes + [j.status.rawValue] + j.id.bytes] }
        return k
    }

    /// Moves `old`'s keys to `new`'s in `batch`: only the keys that change (a status change
    /// moves two or three of a job's four to six; rewriting the others only cost the block's
    /// write).
    static func update(from old: Job?, to new: Job, into batch: inout WriteBatch) {
        let oldKeys = old.map(keys) ?? [], newKeys = keys(new)
        for k in oldKeys where !newKeys.contains(k) { batch.delete(family, k) }
        for k in newKeys where !oldKeys.contains(k) { batch.put(family, k, []) }
    }

    /// A page of matching jobs after `cursor` (an index key this returned before): at most
    /// `limit` index keys are read, plus one to know whether more follow. Returns the jobs and
    /// the cursor of the next page (nil at the end).
    public static func page(_ store: ChainStore, _ filter: Filter, limit: Int, after cursor: Bytes?) throws -> (jobs: [Job], next: Bytes?) {
        let prefix = filter.prefix
        var jobs: [Job] = []
        var last: Bytes?
        var more = false
        var read = 0
        let start = cursor.flatMap { $0.starts(with: prefix) ? $0 : nil } ?? prefix
        try store.db.forEach(family, from: start) { key, _ in
            guard key.starts(with: prefix) else { return false }
            if key == cursor { return true }
            if read == limit {
                more = true
                return false
            }
            read += 1
            last = key
            guard let id = try? JobID(bytes: Array(key.suffix(16))), let j = try store.job(id), filter.matches(j) else { return true }
            jobs.append(j)
            return true
        }
        return (jobs, more ? last : nil)
    }

    /// Indexes every job of a store written before the index existed (one pass, one batch).
    static func build(_ store: ChainStore) throws {
        var batch = WriteBatch()
        try store.db.forEach("state") { _, value in
            if value.count == StateEncoding.jobRecordSize, let j = try? StateEncoding.decodeJob(value) {
                for k in keys(j) { batch.put(family, k, []) }
            }
            return true
        }
        batch.put("meta", builtKey, [1])
        try store.db.write(batch, sync: true)
    }
}
