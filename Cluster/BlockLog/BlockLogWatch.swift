extension FencedBlockLog {
    /// Every block from `from` on, in order, each exactly once, for as long as the consumer
    /// iterates: what a standby applies. See `BlockLogWatch`.
    public func watch(from: UInt64, idleTimeout: Duration = .seconds(5)) -> BlockLogWatch {
        BlockLogWatch(log: self, from: from, idleTimeout: idleTimeout)
    }
}

/// The block log as an ordered sequence that survives member failures.
///
/// It alternates two modes. Catching up: read the blocks from the next expected number at one
/// revision R (pages of 256). Following: watch the block keys from R + 1, taking each put of
/// the next expected number. Whenever the watch ends — the member died or went silent for
/// `idleTimeout`, etcd compacted R away, or an event skipped a number — it catches up again
/// from the next expected number, on whichever member answers. Reading by number rather than
/// trusting the stream is what makes "every block, in order, once" hold across reconnects.
///
/// It throws `.pruned` if the next block it needs was pruned (the consumer must catch up from
/// L1 instead), or `.corrupt`; an unreachable cluster is retried until the task is cancelled.
/// Pulling sets the pace: nothing is buffered beyond one page or one watch message.
public struct BlockLogWatch: AsyncSequence, Sendable {
    public typealias Element = LoggedBlock
    let log: FencedBlockLog
    let from: UInt64
    let idleTimeout: Duration

    public func makeAsyncIterator() -> Iterator {
        Iterator(log: log, next: from, idleTimeout: idleTimeout)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let log: FencedBlockLog
        /// The number of the next block to hand out.
        var next: UInt64
        let idleTimeout: Duration
        var buffer: [LoggedBlock] = []
        var stream: AsyncThrowingStream<WatchResponse, Error>.AsyncIterator?
        static let page = 256

        public mutating func next() async throws -> LoggedBlock? {
            while !Task.isCancelled {
                if !buffer.isEmpty {
                    let block = buffer.removeFirst()
                    next = block.number + 1
                    return block
                }
                guard var events = stream else {
                    try await catchUp()
                    continue
                }
                do {
                    guard let response = try await events.next() else { stream = nil; continue }
                    stream = events
                    take(response)
                } catch {
                    stream = nil
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            return nil
        }

        /// Reads the blocks from `next` at one revision, then starts watching after it.
        mutating func catchUp() async throws {
            let read: (blocks: [LoggedBlock], bounds: FencedBlockLog.Bounds, revision: Int64)
            do {
                read = try await log.read(from: next, limit: Self.page)
            } catch {
                switch error {
                case .etcd: try? await Task.sleep(for: .milliseconds(200)); return
                default: throw error
                }
            }
            buffer = read.blocks
            if read.blocks.count == Self.page { return }  // more to read before watching
            let start = read.blocks.last.map { $0.number + 1 } ?? next
            stream = log.client.watch(log.keys.block(start), rangeEnd: prefixEnd(log.keys.blocksPrefix),
                                      startRevision: read.revision + 1, idleTimeout: idleTimeout).makeAsyncIterator()
        }

        /// Queues the puts that continue the sequence; a gap (or a cancelled watch) ends the watch so
        /// the next call catches up by reading.
        mutating func take(_ response: WatchResponse) {
            if response.canceled { stream = nil; return }
            var expected = buffer.last.map { $0.number + 1 } ?? next
            for event in response.events where event.kind == .put {
                guard let n = log.keys.blockNumber(ofKey: event.kv.key), n >= expected else { continue }
                guard n == expected else { stream = nil; return }
                buffer.append(LoggedBlock(number: n, bytes: event.kv.value))
                expected += 1
            }
        }
    }
}
