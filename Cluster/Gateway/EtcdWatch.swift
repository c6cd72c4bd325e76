import Core
import Foundation

extension EtcdClient {
    /// Watches [key, rangeEnd) from `startRevision` on one member: the gateway streams one JSON
    /// object per line, `{"result": {...}}`. The stream finishes when the connection ends, when
    /// nothing arrives for `idleTimeout` (a member gone silent looks just like a quiet key), or
    /// when etcd cancels the watch (`canceled`, with `compactRevision` when the start revision
    /// was compacted, is the last element then). It throws only if no member accepts the
    /// connection. Callers resume by reading what they missed and watching again: the block log
    /// and the election do.
    public func watch(_ key: String, rangeEnd: [UInt8]?, startRevision: Int64,
                      idleTimeout: Duration? = .seconds(10)) -> AsyncThrowingStream<WatchResponse, Error> {
        var create: [String: JSONValue] = ["key": GatewayJSON.b64(key), "start_revision": GatewayJSON.int(startRevision)]
        if let rangeEnd { create["range_end"] = GatewayJSON.b64(rangeEnd) }
        let body = Array(JSONValue.object(["create_request": .object(create)]).serialized.utf8)
        let client = self
        return AsyncThrowingStream(WatchResponse.self, bufferingPolicy: .unbounded) { continuation in
            let task = Task {
                var failures: [String] = []
                for (index, endpoint) in client.rotation() {
                    if Task.isCancelled { break }
                    var lines = LineSplitter()
                    var status = 0
                    do throws(HTTPExchange.Failure) {
                        try await HTTPExchange(host: endpoint.host, port: endpoint.port)
                            .stream("/v3/watch", body: body, timeout: idleTimeout) { part in
                                switch part {
                                case .head(let s): status = s
                                case .chunk(let bytes):
                                    for line in lines.feed(bytes) {
                                        let response = try Self.watchLine(line, status: status, endpoint: endpoint)
                                        continuation.yield(response)
                                        if response.canceled { throw WatchEnded() }
                                    }
                                }
                            }
                        client.answered(index)
                        continuation.finish()
                        return
                    } catch {
                        switch error {
                        case .connect(let m):
                            failures.append(m)
                            continue
                        case .afterSend, .timeout, .stopped(is WatchEnded):
                            // Connected, then ended: the caller resumes from what it saw.
                            continuation.finish()
                        case .stopped(let e):
                            continuation.finish(throwing: e)
                        }
                        return
                    }
                }
                continuation.finish(throwing: EtcdError.unreachable(failures.joined(separator: "; ")))
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private struct WatchEnded: Error {}

    private static func watchLine(_ line: [UInt8], status: Int, endpoint: Endpoint) throws(EtcdError) -> WatchResponse {
        let json: JSONValue
        do { json = try JSONValue.parse(Data(line)) } catch {
            throw .malformed("\(endpoint)/v3/watch sent (HTTP \(status)) \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
        if let error = gatewayError(json) { throw error }
        guard let result = json["result"] else { throw .malformed("watch message without result: \(json.serialized.prefix(200))") }
        return try GatewayJSON.watchResponse(result)
    }
}

/// Splits a byte stream into newline-terminated lines (the gateway's stream delimiter).
struct LineSplitter {
    private var pending: [UInt8] = []

    mutating func feed(_ bytes: [UInt8]) -> [[UInt8]] {
        pending += bytes
        var lines: [[UInt8]] = []
        var start = 0
        for (i, b) in pending.enumerated() where b == UInt8(ascii: "\n") {
            if i > start { lines.append(Array(pending[start..<i])) }
            start = i + 1
        }
        pending.removeFirst(start)
        return lines
    }
}
