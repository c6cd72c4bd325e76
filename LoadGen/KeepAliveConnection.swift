import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 connection kept open for many `POST`s of ready-made JSON bodies: what a load
/// generator needs and nothing more. The load generator shares the machine with the
/// sequencer it measures, so its own cost per request counts against the figure; URLSession
/// on Linux (libcurl under Foundation, a new request object and a copied body per call) cost
/// about as much CPU per batch as the sequencer's work on it. Here a request is one `send` of
/// the header and the pre-encoded body, and the answer one or a few `recv`s.
///
/// Blocking I/O on a serial queue of its own (never on the cooperative pool, which has one
/// thread per core); one request at a time per connection, as HTTP/1.1 without pipelining.
public final class KeepAliveConnection: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    let host: String
    let port: Int
    let path: String
    private let queue: DispatchQueue
    // Only touched on `queue`.
    private var fd: Int32 = -1
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var pending: [UInt8] = []

    /// `url` must be plain http (a load generator measures the sequencer, not TLS).
    public init(url: URL) throws {
        guard url.scheme == "http", let host = url.host else {
            throw Failure(description: "the load generator sends over plain http, not \(url.absoluteString)")
        }
        self.host = host
        port = url.port ?? 80
        path = url.path.isEmpty ? "/" : url.path
        queue = DispatchQueue(label: "load-connection")
    }

    deinit { if fd >= 0 { close(fd) } }

    /// POSTs `body` (JSON) and returns the response body; throws on a transport failure or a
    /// status other than 200. A closed connection is reopened once for the next request, never
    /// for this one (a resent batch would be refused as already known).
    public func post(_ body: [UInt8]) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<[UInt8], Error>) in
            queue.async {
                do { c.resume(returning: try self.exchange(body)) } catch {
                    if self.fd >= 0 { close(self.fd); self.fd = -1 }
                    self.pending = []
                    c.resume(throwing: error)
                }
            }
        }
    }

    private func exchange(_ body: [UInt8]) throws -> [UInt8] {
        if fd < 0 { try open() }
        var request = Array("POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
        request.append(contentsOf: body)
        try writeAll(request)
        return try readResponse()
    }

    private func open() throws {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let info = list else { throw Failure(description: "cannot resolve \(host): \(String(cString: gai_strerror(rc)))") }
        defer { freeaddrinfo(list) }
        let s = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard s >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        guard connect(s, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let why = String(cString: strerror(errno))
            close(s)
            throw Failure(description: "connect to \(host):\(port): \(why)")
        }
        var one: Int32 = 1
        setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        fd = s
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send to \(host):\(port): \(String(cString: strerror(errno)))") }
            sent += n
        }
    }

    /// Reads more bytes into `pending`; throws once the peer closed.
    private func fill() throws {
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 0 else {
            throw Failure(description: n == 0 ? "\(host):\(port) closed the connection" : "recv: \(String(cString: strerror(errno)))")
        }
        pending.append(contentsOf: buffer[0..<n])
    }

    /// One response: status line and headers, then a `Content-Length` or chunked body.
    private func readResponse() throws -> [UInt8] {
        var end: Int?
        var scanned = 0
        while end == nil {
            try fill()
            end = Self.find(crlfcrlf, in: pending, from: max(0, scanned - 3))
            scanned = pending.count
        }
        let headerEnd = end!
        let head = String(decoding: pending[0..<headerEnd], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure(description: "malformed status line: \(statusLine.prefix(80))") }
        var length: Int?
        var chunked = false
        var closes = false
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch name {
            case "content-length": length = Int(value)
            case "transfer-encoding": chunked = value.lowercased().contains("chunked")
            case "connection": closes = value.lowercased() == "close"
            default: break
            }
        }
        pending.removeFirst(headerEnd + 4)
        let body: [UInt8]
        if chunked {
            body = try readChunked()
        } else {
            let n = length ?? 0
            while pending.count < n { try fill() }
            body = Array(pending[0..<n])
            pending.removeFirst(n)
        }
        if closes { close(fd); fd = -1; pending = [] }
        guard status == 200 else {
            throw Failure(description: "HTTP \(status): \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        return body
    }

    private func readChunked() throws -> [UInt8] {
        var out: [UInt8] = []
        while true {
            var lineEnd = Self.find(crlf, in: pending, from: 0)
            while lineEnd == nil { try fill(); lineEnd = Self.find(crlf, in: pending, from: 0) }
            let sizeText = String(decoding: pending[0..<lineEnd!], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw Failure(description: "malformed chunk size: \(sizeText.prefix(20))")
            }
            pending.removeFirst(lineEnd! + 2)
            while pending.count < size + 2 { try fill() }
            out.append(contentsOf: pending[0..<size])
            pending.removeFirst(size + 2)
            if size == 0 { return out }
        }
    }

    private let crlf: [UInt8] = [13, 10]
    private let crlfcrlf: [UInt8] = [13, 10, 13, 10]

    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        guard hay.count >= needle.count, from <= hay.count - needle.count else { return nil }
        var i = from
        while i <= hay.count - needle.count {
            if hay[i] == needle[0] {
                var k = 1
                while k < needle.count, hay[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
