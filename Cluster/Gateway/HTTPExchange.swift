import Core
import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP/1.1 POST to one etcd member, on its own connection, on NIO's shared event loops.
///
/// Why not URLSession or AsyncHTTPClient: the watch needs a response body read as it streams
/// and cancelled at once, which FoundationNetworking does poorly on Linux; AsyncHTTPClient
/// would bring TLS and HTTP/2 builds for loopback plain HTTP. NIO's HTTP/1.1 codec is already
/// built for the API server. A connection per request is cheap next to etcd's own quorum write
/// and fsync; the members are few and requests small.
struct HTTPExchange: Sendable {
    let host: String
    let port: Int

    /// What went wrong, split by whether the request could have reached the member: a failed
    /// connect or write never did (safe to send elsewhere); anything later may have been applied.
    enum Failure: Error, Sendable {
        /// No connection, or it closed before the whole request was written: the member cannot
        /// have acted on it (the gateway reads the whole body before it does anything).
        case connect(String)
        case afterSend(String)
        case timeout
        /// `onPart` threw this: the caller's own reason to stop reading.
        case stopped(any Error)
    }

    private struct Stopped: Error { let error: any Error }

    /// Posts `body` and returns the status and the whole response body.
    func post(_ path: String, body: [UInt8], timeout: Duration) async throws(Failure) -> (status: Int, body: [UInt8]) {
        var status = 0
        var collected: [UInt8] = []
        try await stream(path, body: body, timeout: timeout) { part in
            switch part {
            case .head(let s): status = s
            case .chunk(let bytes): collected += bytes
            }
        }
        return (status, collected)
    }

    enum Part: Sendable {
        case head(status: Int)
        case chunk([UInt8])
    }

    /// Posts `body` and hands each part of the response to `onPart` as it arrives, until the
    /// response ends, nothing arrives for `timeout` (nil: wait forever), or the calling task is
    /// cancelled (which closes the connection). For a one-shot request the idle timeout bounds
    /// the wait for the answer; for a watch it notices a member that went silent.
    func stream(_ path: String, body: [UInt8], timeout: Duration?,
                onPart: (Part) async throws -> Void) async throws(Failure) {
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.nanoseconds(min(2_000_000_000, timeout.map(Self.nanoseconds) ?? 2_000_000_000)))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                            wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw .connect("\(host):\(port): \(error)")
        }
        // The idle deadline closes the connection from the event loop, which ends the read
        // below; every part that arrives pushes it back.
        let idle = IdleDeadline(channel: channel.channel, timeout: timeout)
        idle.push()
        defer { idle.cancel() }
        do {
            try await channel.executeThenClose { inbound, outbound in
                var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
                head.headers.add(name: "Host", value: "\(host):\(port)")
                head.headers.add(name: "Content-Type", value: "application/json")
                head.headers.add(name: "Content-Length", value: String(body.count))
                head.headers.add(name: "Connection", value: "close")
                do {
                    try await outbound.write(.head(head))
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
                    try await outbound.write(.end(nil))
                } catch {
                    throw Failure.connect("\(host):\(port): closed while the request was written (\(error))")
                }
                for try await part in inbound {
                    idle.push()
                    do {
                        switch part {
                        case .head(let h): try await onPart(.head(status: Int(h.status.code)))
                        case .body(var b): try await onPart(.chunk(b.readBytes(length: b.readableBytes) ?? []))
                        case .end: return
                        }
                    } catch {
                        throw Stopped(error: error)
                    }
                }
                throw Failure.afterSend("\(host):\(port): connection closed before the response ended")
            }
        } catch {
            if let s = error as? Stopped { throw .stopped(s.error) }
            if idle.fired { throw .timeout }
            if let f = error as? Failure { throw f }
            throw .afterSend("\(host):\(port): \(error)")
        }
    }

    static func nanoseconds(_ d: Duration) -> Int64 {
        let (s, atto) = d.components
        return s * 1_000_000_000 + atto / 1_000_000_000
    }
}

/// Closes a channel once nothing has happened on it for `timeout`.
private final class IdleDeadline: Sendable {
    let channel: Channel
    let timeout: Duration?
    private let state = LockedValue<(task: Scheduled<Void>?, fired: Bool)>((nil, false))

    init(channel: Channel, timeout: Duration?) {
        self.channel = channel
        self.timeout = timeout
    }

    var fired: Bool { state.withLock { $0.fired } }

    func push() {
        guard let timeout else { return }
        let channel = self.channel
        let next = channel.eventLoop.scheduleTask(in: .nanoseconds(HTTPExchange.nanoseconds(timeout))) { [state] in
            state.withLock { $0.fired = true }
            channel.close(promise: nil)
        }
        let previous = state.withLock { s in
            let previous = s.task
            s.task = next
            return previous
        }
        previous?.cancel()
    }

    func cancel() {
        let task = state.withLock { s in
            let task = s.task
            s.task = nil
            return task
        }
        task?.cancel()
    }
}
