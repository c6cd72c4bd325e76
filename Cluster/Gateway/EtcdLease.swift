import Core
import Foundation

/// Leases: a key bound to a lease is deleted when the lease expires, which is how a leader
/// that stops renewing (crashed, partitioned, frozen) loses its leader key.
extension EtcdClient {
    public struct Lease: Sendable, Equatable {
        public let id: Int64
        /// Seconds, as granted (etcd raises a TTL below its minimum, 1.5 × the election timeout).
        public let ttl: Int64
    }

    /// A new lease of `ttl` seconds. Not repeated after a lost answer (a lease granted twice
    /// would only expire unused, but the caller should know).
    public func grantLease(ttl: Int64) async throws(EtcdError) -> Lease {
        guard ttl > 0 else { throw .invalidArgument("lease TTL must be positive, got \(ttl)") }
        let json = try await call("/v3/lease/grant", .object(["TTL": GatewayJSON.int(ttl)]), idempotent: false)
        let id = try GatewayJSON.int64(json["ID"])
        guard id != 0 else { throw .malformed("lease grant without an ID: \(json.serialized.prefix(200))") }
        return Lease(id: id, ttl: try GatewayJSON.int64(json["TTL"]))
    }

    /// Renews the lease once; returns its TTL from now, or 0 if it no longer exists (expired or
    /// revoked). The gateway carries etcd's keepalive stream as a POST whose body holds one
    /// request and whose answer is `{"result": {...}}`.
    public func keepAliveOnce(_ id: Int64, timeout: Duration? = nil) async throws(EtcdError) -> Int64 {
        let json = try await call("/v3/lease/keepalive", .object(["ID": GatewayJSON.int(id)]), idempotent: true, timeout: timeout)
        guard let result = json["result"] else { throw .malformed("keepalive answer without result: \(json.serialized.prefix(200))") }
        return try GatewayJSON.int64(result["TTL"])
    }

    /// Revokes the lease, deleting its keys at once. Revoking an unknown lease is not an error.
    public func revokeLease(_ id: Int64) async throws(EtcdError) {
        do {
            _ = try await call("/v3/lease/revoke", .object(["ID": GatewayJSON.int(id)]), idempotent: true)
        } catch where error.isLeaseNotFound {
            return
        }
    }

    /// Seconds the lease has left (-1: it does not exist).
    public func leaseTimeToLive(_ id: Int64) async throws(EtcdError) -> Int64 {
        let json = try await call("/v3/lease/timetolive", .object(["ID": GatewayJSON.int(id)]), idempotent: true)
        return try GatewayJSON.int64(json["TTL"])
    }
}
