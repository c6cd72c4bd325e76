import API
import Core
import Foundation
import Sequencer
import Testing

/// `emeth_getTransactionCount`: the committed nonce, and the pending one a client signs its
/// next transaction with while earlier ones wait in the mempool (a gap stops the count).
@Suite struct PendingNonceHTTPTests {
    typealias C = TestChain

    @Test func pendingNonceCountsQueuedTransactionsUpToAGap() async throws {
        // A block time of a minute: nothing is sealed while the test looks at the mempool.
        try await LiveService.with(policy: SealPolicy(maxTxs: 500, blockTimeMs: 60_000)) { s in
            let node = C.node.address.checksummed
            func count(_ tag: String?) async throws -> JSONValue {
                try await s.result("emeth_getTransactionCount", [.string(node)] + (tag.map { [.string($0)] } ?? []))
            }
            try s.deposit(C.node.address, C.emt)
            #expect(try await count(nil) == .string("0x0"))
            #expect(try await count("pending") == .string("0x0"))
            for n in UInt64(0)..<2 { _ = try await s.send(C.wire(.withdraw(amount: C.gholon), nonce: n, by: C.node)) }
            #expect(try await count("latest") == .string("0x0"))
            #expect(try await count("pending") == .string("0x2"))
            // Nonce 3 waits for 2: the pending nonce stays at the gap until 2 fills it.
            _ = try await s.send(C.wire(.withdraw(amount: C.gholon), nonce: 3, by: C.node))
            #expect(try await count("pending") == .string("0x2"))
            _ = try await s.send(C.wire(.withdraw(amount: C.gholon), nonce: 2, by: C.node))
            #expect(try await count("pending") == .string("0x4"))
            #expect(try await count("latest") == .string("0x0"))
            #expect(try await s.error("emeth_getTransactionCount", [.string(node), .string("earliest")])
                    == (-32602, #"invalid params: block: "earliest" is neither "latest" nor "pending""#))
            // An account never seen counts from zero either way.
            #expect(try await s.result("emeth_getTransactionCount", [.string(C.stranger.address.checksummed), .string("pending")])
                    == .string("0x0"))
        }
    }
}
