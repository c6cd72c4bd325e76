import Core
import Foundation
import Sequencer
import Testing
@testable import API

/// The subscription hub without a socket: real blocks from a real engine on RocksDB, fanned
/// out to connections whose queues the tests read as the WebSocket writer would. Fan-out and
/// its order within a block, every topic's filter, and the bound: a connection that does not
/// read is dropped with its reason while the others receive everything.
@Suite struct SubscriptionHubTests {
    typealias C = TestChain
    static let job = C.jobId(0x0b)
    static let register = L2Call.registerJob(.init(jobId: job, programId: 7, numParallel: 1, numEpoch: 1, dataset: C.h(0xd0),
                                                   param: C.h(0xe0), fuelLimit: 100_000, fuelPrice: 100 * C.gholon,
                                                   deadline: 4_000_000_000))

    /// A sequencer engine on a temporary store, sealed by hand: each `seal` returns the block
    /// and the jobs it changed, as the node hands them to the hub.
    final class Chain {
        let dir = C.tempDir()
        let engine: SequencerEngine
        var inbox: UInt64 = 0
        var time: UInt64 = 1_700_000_100

        init() throws { engine = SequencerEngine(store: try ChainStore(path: dir, genesis: C.genesis), signerKey: C.signerKey) }
        deinit { try? FileManager.default.removeItem(atPath: dir) }

        func deposit(_ a: Address, _ amount: UInt256) throws {
            try engine.enqueue(InboxMessage(index: inbox, kind: .deposit, account: a, amount: amount, l1Block: 7))
            inbox += 1
        }

        func send(_ call: L2Call, nonce: UInt64, by key: PrivateKey) throws {
            try engine.submit(L2Envelope(call: call, nonce: nonce, signature: C.sign(call, nonce: nonce, by: key)))
        }

        func seal() throws -> (SealedBlock, [Job]) {
            time += 1
            let p = try #require(try engine.beginSeal(timestamp: time, allowEmpty: true))
            try engine.store.write(p.batch)
            return (engine.endSeal(p), p.changedJobs)
        }
    }

    /// What the writer would send next, without waiting: queued messages, parsed.
    static func drain(_ c: SubscriberConnection) async throws -> [JSONValue] {
        var out: [JSONValue] = []
        while c.queued > 0, case .message(let text) = await c.next() { out.append(try JSONValue.parse(text)) }
        return out
    }

    static func notification(_ sub: String, _ result: JSONValue) -> JSONValue {
        .object(["jsonrpc": .string("2.0"), "method": .string("emeth_subscription"),
                 "params": .object(["subscription": .string(sub), "result": result])])
    }

    static func deliver(_ hub: SubscriptionHub, _ sealed: (SealedBlock, [Job])) { hub.deliver(.block(sealed.0, jobs: sealed.1)) }

    @Test func fansOutEveryTopicInBlockOrder() async throws {
        let chain = try Chain()
        let hub = SubscriptionHub()
        let a = hub.connect(), b = hub.connect()
        let aHeads = try hub.subscribe(a, .newHeads), aJobs = try hub.subscribe(a, .jobs(.init()))
        let aReceipts = try hub.subscribe(a, .receipts(sender: C.requester.address))
        let aTickets = try hub.subscribe(a, .tickets(account: C.requester.address))
        let bHeads = try hub.subscribe(b, .newHeads)
        #expect(Set([aHeads, aJobs, aReceipts, aTickets, bHeads]).count == 5)
        #expect(aHeads.hasPrefix("0x") && aHeads.count == 34)
        // Not active before the connection's reply is queued: nothing is delivered yet.
        try chain.deposit(C.requester.address, C.emt)
        Self.deliver(hub, try chain.seal())
        #expect(a.queued == 0 && b.queued == 0)
        hub.activate(a)
        hub.activate(b)

        try chain.send(Self.register, nonce: 0, by: C.requester)
        try chain.send(.withdraw(amount: 1_000 * C.gholon), nonce: 1, by: C.requester)
        let (block, jobs) = try chain.seal()
        #expect(block.number == 2 && jobs.map(\.id) == [Self.job])
        Self.deliver(hub, (block, jobs))

        let head = JSONValue.object([
            "number": .string("0x2"), "parentHash": .string(block.header.parentHash.bytes.hex), "timestamp": .string("0x6553f166"),
            "txRoot": .string(block.header.txRoot.bytes.hex), "stateRoot": .string(block.header.stateRoot.bytes.hex),
            "settlementRoot": .string(block.header.settlementRoot.bytes.hex), "inboxCursor": .string("0x1"), "txCount": .string("0x2"),
            "hash": .string(block.hash.bytes.hex), "signature": .string(block.signature.hex),
        ])
        func receipt(_ call: L2Call, nonce: UInt64, index: String) -> JSONValue {
            .object(["hash": .string(C.hash(call, nonce: nonce, by: C.requester)), "status": .string("sequenced"), "blockNumber": .string("0x2"),
                     "index": .string(index), "success": .bool(true), "failure": .null, "sender": .string(C.requester.address.checksummed),
                     "batchIndex": .null, "l1TxHash": .null])
        }
        let got = try await Self.drain(a)
        // Receipts in block order, then tickets, jobs, and the head last.
        #expect(got == [
            Self.notification(aReceipts, receipt(Self.register, nonce: 0, index: "0x0")),
            Self.notification(aReceipts, receipt(.withdraw(amount: 1_000 * C.gholon), nonce: 1, index: "0x1")),
            Self.notification(aTickets, ResultJSON.ticket(try #require(block.tickets.first))),
            Self.notification(aJobs, ResultJSON.job(jobs[0])),
            Self.notification(aHeads, head),
        ])
        #expect(got[2]["params"]?["result"]?["credit"] == .string("0xe8d4a51000"))   // the withdrawn 1,000 gholon
        #expect(got[3]["params"]?["result"]?["statusName"] == .string("REQUESTED"))
        #expect(got[3]["params"]?["result"]?["escrow"] == .string("0x254db1c2244000"))   // fee limit 1e16 + the verifier's 5%
        #expect(try await Self.drain(b) == [Self.notification(bHeads, head)])
        #expect(hub.counts == .init(connections: 2, subscriptions: 5, notifications: 6, dropped: 0))
    }

    @Test func jobFiltersMatchTheJobAsItsBlockLeftIt() async throws {
        let chain = try Chain()
        let hub = SubscriptionHub()
        let c = hub.connect()
        let requested = try hub.subscribe(c, .jobs(.init(status: .requested)))
        let byNode = try hub.subscribe(c, .jobs(.init(node: C.node.address)))
        let byOwner = try hub.subscribe(c, .jobs(.init(owner: C.requester.address, programId: 7)))
        // Two that match nothing here: another program, another owner.
        _ = try hub.subscribe(c, .jobs(.init(programId: 8)))
        _ = try hub.subscribe(c, .jobs(.init(owner: C.stranger.address)))
        hub.activate(c)
        try chain.deposit(C.requester.address, C.emt)
        try chain.deposit(C.node.address, C.emt)
        Self.deliver(hub, try chain.seal())
        #expect(c.queued == 0)   // no job changed

        try chain.send(Self.register, nonce: 0, by: C.requester)
        let registered = try chain.seal()
        Self.deliver(hub, registered)
        let r = ResultJSON.job(registered.1[0])
        // Two subscriptions of one connection match the same job: both get it, in no fixed order.
        #expect(Set(try await Self.drain(c).map(\.serialized)) == Set([Self.notification(requested, r), Self.notification(byOwner, r)].map(\.serialized)))

        try chain.send(.process(jobId: Self.job), nonce: 0, by: C.node)
        let processed = try chain.seal()
        Self.deliver(hub, processed)
        #expect(processed.1[0].status == .processing && processed.1[0].node == C.node.address)
        let p = ResultJSON.job(processed.1[0])
        // PROCESSING no longer matches the REQUESTED subscription; the node's now does.
        #expect(Set(try await Self.drain(c).map(\.serialized)) == Set([Self.notification(byNode, p), Self.notification(byOwner, p)].map(\.serialized)))
    }

    @Test func aConnectionThatDoesNotReadIsDroppedAndTheOthersReceiveEverything() async throws {
        let chain = try Chain()
        let hub = SubscriptionHub(limits: .init(maxQueued: 4, maxSubscriptions: 2))
        let slow = hub.connect(), fast = hub.connect()
        _ = try hub.subscribe(slow, .newHeads)
        _ = try hub.subscribe(slow, .newHeads)
        #expect(throws: RPCError.limit("this connection holds 2 subscriptions, the most one connection may hold; "
                                       + "unsubscribe one or open another connection")) { try hub.subscribe(slow, .newHeads) }
        let fastHeads = try hub.subscribe(fast, .newHeads)
        hub.activate(slow)
        hub.activate(fast)
        var numbers: [String] = []
        for _ in 0..<6 {
            Self.deliver(hub, try chain.seal())
            numbers += try await Self.drain(fast).map { $0["params"]?["result"]?["number"]?.stringValue ?? "?" }
        }
        // Two subscriptions: the third block's two heads find four queued, so the connection is
        // dropped there; the fast one received all six heads, in order.
        #expect(numbers == ["0x1", "0x2", "0x3", "0x4", "0x5", "0x6"])
        #expect(slow.isClosing && slow.queued == 0)
        #expect(await slow.next() == .close(code: 1008, reason: "subscriber too slow: 4 messages queued"))
        #expect(await slow.next() == .end)
        #expect(hub.counts == .init(connections: 1, subscriptions: 1, notifications: 10, dropped: 1))
        #expect(throws: RPCError.unavailable("the connection is closing")) { try hub.subscribe(slow, .newHeads) }
        _ = fastHeads
    }

    @Test func blockSealedNeverWaitsForAConnection() async throws {
        let chain = try Chain()
        // Room for 40 messages: the reader's 40 heads fit even if it reads none before the last
        // block; the idle connection's two subscriptions make 80, which do not.
        let hub = SubscriptionHub(limits: .init(maxQueued: 40))
        let idle = hub.connect(), reader = hub.connect()
        _ = try hub.subscribe(idle, .newHeads)
        _ = try hub.subscribe(idle, .newHeads)
        _ = try hub.subscribe(reader, .newHeads)
        hub.activate(idle)
        hub.activate(reader)
        let task = Task { await hub.run() }
        // The sealer's side: 40 blocks reported back to back while one connection never reads.
        for _ in 0..<40 {
            let (b, jobs) = try chain.seal()
            hub.blockSealed(b) { jobs }
        }
        var heads: [String] = []
        while heads.count < 40 {
            guard case .message(let text)? = await reader.nextOrTimeout() else { break }
            heads.append(try JSONValue.parse(text)["params"]?["result"]?["number"]?.stringValue ?? "?")
        }
        #expect(heads == (1...40).map { "0x" + String($0, radix: 16) })
        #expect(idle.isClosing && hub.counts.dropped == 1)
        hub.stop()
        await task.value
        #expect(await reader.next() == .close(code: 1001, reason: "the node is shutting down"))
    }

    @Test func unsubscribeEndsOnlyTheCallersOwnSubscription() async throws {
        let chain = try Chain()
        let hub = SubscriptionHub()
        let a = hub.connect(), b = hub.connect()
        let heads = try hub.subscribe(a, .newHeads)
        hub.activate(a)
        #expect(hub.unsubscribe(b, heads) == false)   // not b's
        Self.deliver(hub, try chain.seal())
        #expect(try await Self.drain(a).count == 1)
        #expect(hub.unsubscribe(a, heads) == true)
        #expect(hub.unsubscribe(a, heads) == false)
        Self.deliver(hub, try chain.seal())
        #expect(a.queued == 0 && hub.counts.subscriptions == 0)
        hub.disconnect(a)
        #expect(hub.counts.connections == 1 && a.isClosing)
    }

    @Test func batchesAreSentWithTheirL1State() async throws {
        let status = ChallengedBatches(challenged: 3)
        let hub = SubscriptionHub(batches: status)
        let c = hub.connect()
        let id = try hub.subscribe(c, .batches)
        hub.activate(c)
        let tx = C.h(0x77)
        hub.deliver(.batches([BatchStatus(index: 1, firstBlock: 1, lastBlock: 4, l1TxHash: tx, final: false),
                              BatchStatus(index: 1, firstBlock: 1, lastBlock: 4, l1TxHash: tx, final: true),
                              BatchStatus(index: 3, firstBlock: 9, lastBlock: 9, l1TxHash: tx, final: false)]))
        func batch(_ index: String, _ first: String, _ last: String, _ status: String) -> JSONValue {
            .object(["index": .string(index), "firstBlock": .string(first), "lastBlock": .string(last), "status": .string(status),
                     "l1TxHash": .string(tx.bytes.hex)])
        }
        #expect(try await Self.drain(c) == [Self.notification(id, batch("0x1", "0x1", "0x4", "committed")),
                                            Self.notification(id, batch("0x1", "0x1", "0x4", "final")),
                                            Self.notification(id, batch("0x3", "0x9", "0x9", "challenged"))])
        // Without a batch poster there is nothing to subscribe to.
        #expect(throws: RPCError.unavailable("no batch information: this node runs without the batch poster, so it learns of no batches")) {
            try SubscriptionHub().subscribe(SubscriptionHub().connect(), .batches)
        }
    }

    @Test func topicsAndFiltersAreParsedStrictly() throws {
        let a = C.node.address
        #expect(try SubscriptionTopic(name: "newHeads", filter: nil) == .newHeads)
        #expect(try SubscriptionTopic(name: "jobs", filter: .object(["status": .string("PROCESSING"), "node": .string(a.checksummed),
                                                                        "programId": .string("0x7")]))
                == .jobs(.init(status: .processing, node: a, programId: 7)))
        #expect(try SubscriptionTopic(name: "jobs", filter: .object(["status": .int(1)])) == .jobs(.init(status: .requested)))
        #expect(try SubscriptionTopic(name: "receipts", filter: .object(["sender": .string(a.checksummed)])) == .receipts(sender: a))
        #expect(try SubscriptionTopic(name: "tickets", filter: .object(["account": .string(a.checksummed)])) == .tickets(account: a))
        let refusals: [(String, JSONValue?, String)] = [
            ("logs", nil, "topic: \"logs\" is not a topic (expected one of newHeads, jobs, receipts, tickets, batches)"),
            ("newHeads", .object([:]), "filter: the newHeads topic takes no filter"),
            ("receipts", nil, "filter: the receipts topic needs {\"sender\": address}"),
            ("receipts", .object([:]), "filter: missing param sender"),
            ("tickets", .string("0x00"), "filter: expected an object {account} for the tickets topic"),
            ("jobs", .object(["owner": .string("0x12")]), "filter: owner: invalid address: expected 20 bytes, got 1"),
            ("jobs", .object(["state": .int(1)]), "filter: unknown param \"state\" (expected status, owner, node, programId)"),
            ("jobs", .object(["status": .int(11)]), "filter: status: 11 is no job status (1–10, or a name such as \"REQUESTED\")"),
        ]
        for (name, filter, message) in refusals {
            #expect(throws: RPCError.invalidParams(message)) { try SubscriptionTopic(name: name, filter: filter) }
        }
    }

    @Test func theQueueIsFirstInFirstOutAcrossItsRing() {
        var q = MessageQueue()
        var expected: [String] = []
        var got: [String] = []
        for round in 0..<50 {
            for i in 0..<(round % 7) { q.push("\(round).\(i)"); expected.append("\(round).\(i)") }
            for _ in 0..<(round % 5) { if let s = q.pop() { got.append(s) } }
        }
        while let s = q.pop() { got.append(s) }
        #expect(got == expected && q.count == 0)
    }
}

/// A batch poster's status as the hub sees it: only the challenge matters here.
struct ChallengedBatches: BatchStatusProvider {
    let challenged: UInt64?
    func batch(containing block: UInt64) -> BatchStatus? { nil }
    func batch(index: UInt64) -> BatchStatus? { nil }
    var latestFinal: BatchStatus? { nil }
    var challengedAtBatch: UInt64? { challenged }
}

extension SubscriberConnection {
    /// The writer's next step, or nil after 10 s (a test then fails instead of hanging).
    func nextOrTimeout() async -> Next? {
        await withTaskGroup(of: Next?.self) { group in
            group.addTask { await self.next() }
            group.addTask {
                try? await Task.sleep(nanoseconds: 10_000_000_000)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
