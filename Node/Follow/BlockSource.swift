import Bridge
import Core
import Foundation
import Sequencer

/// Signed blocks as a source hands them out: in their stored form (`BlockCodec`, storage
/// format 2, signature and tickets included), consecutive from the number asked for.
public struct ServedBlocks: Sendable, Equatable {
    /// The source's newest block (what a follower measures its lag against).
    public let head: UInt64
    public let blocks: [Bytes]

    public init(head: UInt64, blocks: [Bytes]) { self.head = head; self.blocks = blocks }
}

/// Where a follower gets the blocks it verifies: "the next blocks from N". The leader's API
/// (`LeaderSource`) is the first; a replicated block log can be another — a source may answer
/// at once (possibly with no block) or wait for new blocks. A source is trusted for nothing:
/// every block it hands out is verified (`BlockVerifier`) before anything of it is stored.
public protocol BlockSource: Sendable {
    /// Blocks `number`, `number + 1`, … — as many as the source hands out at once, none when
    /// it holds nothing newer — with its head.
    func blocks(from number: UInt64) async throws -> ServedBlocks
    /// Where the blocks come from, for logs and `/health`.
    var name: String { get }
}

/// The leader's L2 API: `emeth_getBlockRange`, polled.
public struct LeaderSource: BlockSource {
    public let url: URL
    let client: L2Client
    /// Blocks per call (nil: the server's limit).
    let count: UInt64?

    public init(url: URL, count: UInt64? = nil) {
        self.url = url
        // One attempt per round: the follower's retry loop backs off between rounds.
        client = L2Client(url: url, timeout: 30, maxAttempts: 1)
        self.count = count
    }

    public var name: String { url.absoluteString }

    public func blocks(from number: UInt64) async throws -> ServedBlocks {
        let r: (format: UInt64, head: UInt64, blocks: [Bytes])
        do { r = try await client.blockRange(from: number, count: count) } catch let e as JSONRPCClientError {
            throw NodeError("the leader \(name): \(LeaderLink.describe(e))")
        }
        guard r.format == ChainStore.formatVersion else {
            throw NodeError("the leader \(name) serves blocks in storage format \(r.format); this build verifies format \(ChainStore.formatVersion)")
        }
        return ServedBlocks(head: r.head, blocks: r.blocks)
    }
}
