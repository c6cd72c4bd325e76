import Core
import Foundation
import Testing
@testable import Sequencer

/// Jobs by owner, node and status come from indexes: a page reads only its own entries, and
/// jobs move between status indexes as they change (the liveness review: listJobs scanned
/// up to 100k records a call).
@Suite struct JobIndexTests {
    typealias Chain = BatchCodecTests.Chain

    /// 30 jobs of two requesters; node processes the first 12 of requester A; 5 of those verified.
    static func chain() throws -> (Chain, a: PrivateKey, b: PrivateKey, node: PrivateKey, ids: [JobID]) {
        let c = try Chain()
        let a = c.key("a"), b = c.key("b"), node = c.key("node")
        for k in [a, b, node, c.verifier] { try c.deposit(k.address, UInt256(1_000) * HostileLoadTests.emt) }
        var ids: [JobID] = []
        for i in 0..<30 {
            let id = BatchCodecTests.job(i)
            ids.append(id)
            try c.send(i < 20 ? a : b, .registerJob(.init(jobId: id, programId: 1, numParallel: 1, numEpoch: 1, dataset: .zero, param: .zero,
                                                          fuelLimit: 100, fuelPrice: 1_000_000_000, deadline: 9_000)))
        }
        for id in ids.prefix(12) { try c.send(node, .process(jobId: id)) }
        for id in ids.prefix(5) { try c.send(node, .submit(jobId: id, result: .zero, fuelUsed: 50)) }
        try c.seal()
        for id in ids.prefix(5) { try c.send(c.verifier, .verify(jobId: id)) }
        try c.seal()
        return (c, a, b, node, ids)
    }

    static func all(_ store: ChainStore, _ f: JobIndex.Filter, pageSize: Int) throws -> (ids: Set<JobID>, pages: Int) {
        var ids: Set<JobID> = []
        var cursor: Bytes?
        var pages = 0
        repeat {
            let p = try JobIndex.page(store, f, limit: pageSize, after: cursor)
            #expect(p.jobs.count <= pageSize)
            #expect(p.jobs.allSatisfy(f.matches))
            ids.formUnion(p.jobs.map(\.id))
            cursor = p.next
            pages += 1
        } while cursor != nil
        return (ids, pages)
    }

    @Test func everyFilterPagesThroughExactlyItsJobs() throws {
        let (c, a, b, node, ids) = try Self.chain()
        let s = c.engine.store
        // (filter, the jobs, how many pages of 4 it takes: every entry read is a match, except
        // owner and node together, which pages through the owner's 20 entries)
        let cases: [(JobIndex.Filter, [JobID])] = [
            (.init(), ids),
            (.init(owner: a.address), Array(ids.prefix(20))),
            (.init(owner: b.address), Array(ids.suffix(10))),
            (.init(node: node.address), Array(ids.prefix(12))),
            (.init(status: .verified), Array(ids.prefix(5))),
            (.init(status: .processing), Array(ids[5..<12])),
            (.init(status: .requested), Array(ids[12...])),
            (.init(status: .requested, owner: a.address), Array(ids[12..<20])),
            (.init(status: .verified, node: node.address), Array(ids.prefix(5))),
            (.init(status: .submitted), []),
            (.init(owner: a.address, node: node.address), Array(ids.prefix(12))),
        ]
        for (f, want) in cases {
            let got = try Self.all(s, f, pageSize: 4)
            #expect(got.ids == Set(want), "\(f)")
            let entries = f.owner != nil && f.node != nil ? 20 : want.count
            #expect(got.pages == max(1, (entries + 3) / 4), "\(f): \(got.pages) pages")
        }
        // A page reads at most its limit: 3 jobs out of 30 come with a cursor.
        let first = try JobIndex.page(s, .init(), limit: 3, after: nil)
        #expect(first.jobs.count == 3 && first.next != nil)
    }

    /// Block by block, only the keys a job's change moves are written; the index that leaves is
    /// exactly the one built from the records from scratch (every job, every status it passed).
    @Test func theIndexKeptBlockByBlockIsTheOneBuiltFromScratch() throws {
        let (c, _, _, _, _) = try Self.chain()
        let store = c.engine.store
        func entries() throws -> [Bytes] {
            var keys: [Bytes] = []
            try store.db.forEach(JobIndex.family) { k, _ in keys.append(k); return true }
            return keys
        }
        let kept = try entries()
        #expect(kept.count == 30 * 4 + 12 * 2)   // four keys a job, two more with a node
        var wipe = WriteBatch()
        for k in kept { wipe.delete(JobIndex.family, k) }
        try store.db.write(wipe, sync: true)
        try JobIndex.build(store)
        #expect(try entries() == kept)
    }

    /// A store written before the index existed is indexed when it is opened.
    @Test func anOlderStoreIsIndexedOnOpen() throws {
        let (c, _, _, node, ids) = try Self.chain()
        let store = c.engine.store
        var wipe = WriteBatch()
        try store.db.forEach(JobIndex.family) { k, _ in wipe.delete(JobIndex.family, k); return true }
        wipe.delete("meta", JobIndex.builtKey)
        try store.db.write(wipe, sync: true)
        #expect(try JobIndex.page(store, .init(), limit: 100, after: nil).jobs.isEmpty)
        let genesis = store.genesis
        store.db.close()
        let reopened = try ChainStore(path: c.dir, genesis: genesis)
        defer { reopened.db.close() }
        #expect(try Set(JobIndex.page(reopened, .init(node: node.address), limit: 100, after: nil).jobs.map(\.id)) == Set(ids.prefix(12)))
    }
}
