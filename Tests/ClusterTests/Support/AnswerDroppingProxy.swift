#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A loopback TCP proxy in front of one etcd member that can lose an answer on purpose: the
/// first request whose body contains `dropMarker` is passed on, the member's answer is awaited
/// (so the request was applied) and then the client's connection is closed without it. This
/// is the "member applied the write and died before answering" case, made deterministic.
/// One request per connection, as the etcd client sends them (`Connection: close`).
final class AnswerDroppingProxy: @unchecked Sendable {
    let port: Int
    private let upstream: (host: String, port: Int)
    private let listener: Int32
    private let dropMarker: [UInt8]
    private let lock = NSLock()
    private var armed = true
    private var dropped = 0

    init(upstream url: String, dropMarker: String) throws {
        let u = URL(string: url)!
        upstream = (u.host!, u.port!)
        self.dropMarker = Array(dropMarker.utf8)
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = listener
        let bound = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard bound else { throw LocalEtcdCluster.Failure(description: "proxy: cannot listen on loopback") }
        port = Int(UInt16(bigEndian: addr.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Requests whose answer was dropped.
    var droppedCount: Int { lock.withLock { dropped } }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            Thread.detachNewThread { [self] in serve(client) }
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        guard let request = readRequest(client), let member = connectUpstream() else { return }
        defer { close(member) }
        guard writeAll(member, request) else { return }
        let drop = lock.withLock { () -> Bool in
            guard armed, Self.find(dropMarker, in: request) != nil else { return false }
            armed = false
            dropped += 1
            return true
        }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(member, &buffer, buffer.count, 0)
            if n <= 0 { return }
            if drop { return }  // the member answered, so the write was applied; the client never hears it
            guard writeAll(client, Array(buffer[0..<n])) else { return }
        }
    }

    /// The request's head and its Content-Length body.
    private func readRequest(_ fd: Int32) -> [UInt8]? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let end = Self.find(Array("\r\n\r\n".utf8), in: data) {
                let head = String(decoding: data[..<end], as: UTF8.self).lowercased()
                let length = head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if data.count >= end + 4 + length { return data }
            }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return nil }
            data += buffer[0..<n]
        }
    }

    private func connectUpstream() -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr(upstream.host == "localhost" ? "127.0.0.1" : upstream.host)
        addr.sin_port = UInt16(upstream.port).bigEndian
        let ok = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        if ok { return fd }
        close(fd)
        return nil
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    private static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
        return nil
    }
}
