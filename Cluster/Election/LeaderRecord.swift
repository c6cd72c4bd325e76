import Core
import Foundation

/// What the leader key holds: who leads and where its API is, as JSON
/// (`{"api":"http://…","id":"…"}`), so that standbys can forward transactions to it and
/// operators can find it with any etcd tool.
public struct LeaderRecord: Sendable, Equatable, CustomStringConvertible {
    public let nodeID: String
    public let apiURL: String

    public init(nodeID: String, apiURL: String) throws(ElectionError) {
        guard !nodeID.isEmpty, nodeID.count <= 128 else {
            throw .invalidRecord("node id must be 1 to 128 characters, got \"\(nodeID)\"")
        }
        guard let url = URL(string: apiURL), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw .invalidRecord("API URL \"\(apiURL)\" is not an http(s) URL")
        }
        self.nodeID = nodeID
        self.apiURL = apiURL
    }

    public var description: String { "\(nodeID) at \(apiURL)" }

    var bytes: [UInt8] {
        Array(JSONValue.object(["id": .string(nodeID), "api": .string(apiURL)]).serialized.utf8)
    }

    static func decode(_ bytes: [UInt8]) throws(ElectionError) -> LeaderRecord {
        guard let json = try? JSONValue.parse(Data(bytes)), let id = json["id"]?.stringValue,
              let api = json["api"]?.stringValue else {
            throw .invalidRecord("leader key holds \"\(String(decoding: bytes.prefix(200), as: UTF8.self))\", not a leader record")
        }
        return try LeaderRecord(nodeID: id, apiURL: api)
    }
}

/// The current leader as etcd shows it: its record, the lease that keeps its key alive, and
/// the revision at which it took the key (with the lease, its fence).
public struct Leader: Sendable, Equatable {
    public let record: LeaderRecord
    public let fence: Fence

    public init(record: LeaderRecord, fence: Fence) {
        self.record = record
        self.fence = fence
    }
}

/// The proof of leadership a leader's writes carry: its lease and the revision at which it
/// created the leader key. A write fenced with it succeeds only while that exact key still
/// exists, so a deposed leader (whose key expired, or was replaced by a successor's, which has a
/// newer revision even if it reuses nothing else) can never write.
public struct Fence: Sendable, Equatable, CustomStringConvertible {
    public let lease: Int64
    public let revision: Int64

    public init(lease: Int64, revision: Int64) {
        self.lease = lease
        self.revision = revision
    }

    public var description: String { "lease \(lease) at revision \(revision)" }
}

public enum ElectionError: Error, Equatable, Sendable, CustomStringConvertible {
    case etcd(EtcdError)
    case invalidRecord(String)
    /// The campaign's task was cancelled before it won.
    case cancelled
    /// `campaign(timeout:)` ran out of time with another node leading.
    case timedOut(leader: LeaderRecord?)

    public var description: String {
        switch self {
        case .etcd(let e): return "election: \(e)"
        case .invalidRecord(let m): return "election: \(m)"
        case .cancelled: return "election: campaign cancelled"
        case .timedOut(let l): return "election: still not leader at the deadline (leader: \(l.map(\.description) ?? "none"))"
        }
    }
}
