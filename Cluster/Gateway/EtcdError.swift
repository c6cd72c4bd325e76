/// Why an etcd request failed. The split that matters to callers is whether the request may
/// have been applied: `.unreachable` never was, `.indeterminate` may have been (a write must
/// then be checked by reading, never assumed either way).
public enum EtcdError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No member accepted a connection; nothing was sent.
    case unreachable(String)
    /// The request was sent but no answer came (timeout, connection lost, or etcd's own
    /// "request timed out"): it may or may not have been applied.
    case indeterminate(String)
    /// etcd refused the request: its gRPC status code and message (5: lease not found).
    case server(code: Int, message: String)
    /// The answer was not what etcd's JSON gateway sends.
    case malformed(String)
    /// Bad input on our side (an endpoint URL, a key); nothing was sent.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .unreachable(let m): return "etcd unreachable: \(m)"
        case .indeterminate(let m): return "etcd did not answer (the request may have been applied): \(m)"
        case .server(let c, let m): return "etcd refused the request (code \(c)): \(m)"
        case .malformed(let m): return "malformed etcd response: \(m)"
        case .invalidArgument(let m): return "invalid etcd request: \(m)"
        }
    }

    /// gRPC codes etcd uses for "try again, elsewhere": Unavailable (no leader, leader changed,
    /// request timed out) and DeadlineExceeded.
    var isUnavailable: Bool {
        if case .server(let code, _) = self { return code == 14 || code == 4 }
        return false
    }

    /// etcd answers a request for a lease it does not know (expired or revoked) with NotFound.
    var isLeaseNotFound: Bool {
        if case .server(5, let message) = self { return message.contains("lease not found") }
        return false
    }
}
