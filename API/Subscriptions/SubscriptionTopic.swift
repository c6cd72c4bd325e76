import Core
import Sequencer

/// What one subscription listens to (docs/API.md, "Subscriptions"): `emeth_subscribe`'s first
/// param names the topic, its second (an object) filters it. Parsed strictly, like every
/// param of the API: an unknown topic or filter key is refused, naming it, so a client's typo
/// never becomes a subscription that silently receives everything or nothing.
public enum SubscriptionTopic: Sendable, Equatable {
    /// Every block once it is durable: its header, hash and signature.
    case newHeads
    /// Every job a block changed that matches the filter, as the block left it.
    case jobs(JobFilter)
    /// The receipt of every transaction of `sender` once it is sequenced.
    case receipts(sender: Address)
    /// Every Signer ticket issued to `account`.
    case tickets(account: Address)
    /// Every batch once L1 holds it (committed) and once its challenge period is over (final).
    case batches

    /// Which jobs a `jobs` subscription receives: all fields set must match the job as its
    /// block left it (no field set: every job).
    public struct JobFilter: Sendable, Equatable {
        public var status: JobStatus?
        public var owner: Address?
        public var node: Address?
        public var programId: UInt256?

        public init(status: JobStatus? = nil, owner: Address? = nil, node: Address? = nil, programId: UInt256? = nil) {
            self.status = status; self.owner = owner; self.node = node; self.programId = programId
        }

        public func matches(_ j: Job) -> Bool {
            (status == nil || status == j.status) && (owner == nil || owner == j.owner) && (node == nil || node == j.node)
                && (programId == nil || programId == j.programId)
        }
    }

    static let names = ["newHeads", "jobs", "receipts", "tickets", "batches"]

    /// `emeth_subscribe`'s params: the topic's name and its filter (null or absent for topics
    /// that take none). Errors are -32602 naming the topic or the filter's field.
    public init(name: String, filter: JSONValue?) throws(RPCError) {
        let filter = filter?.isNull == true ? nil : filter
        switch name {
        case "newHeads", "batches":
            guard filter == nil else { throw .invalidParams("filter: the \(name) topic takes no filter") }
            self = name == "newHeads" ? .newHeads : .batches
        case "jobs":
            self = try Self.inFilter(filter, of: name, keys: ["status", "owner", "node", "programId"]) { p throws(RPCError) in
                .jobs(JobFilter(status: try Self.status(p), owner: try p.address("owner"), node: try p.address("node"),
                                programId: try p.uint256("programId")))
            }
        case "receipts":
            self = try Self.inFilter(filter, of: name, keys: ["sender"], required: true) { p throws(RPCError) in
                .receipts(sender: try p.address("sender")!)
            }
        case "tickets":
            self = try Self.inFilter(filter, of: name, keys: ["account"], required: true) { p throws(RPCError) in
                .tickets(account: try p.address("account")!)
            }
        default:
            throw .invalidParams("topic: \"\(name.prefix(40))\" is not a topic (expected one of \(Self.names.joined(separator: ", ")))")
        }
    }

    /// Reads the filter object with `body`; what it refuses reads "filter: <field>: <why>".
    private static func inFilter(_ json: JSONValue?, of topic: String, keys: [String], required: Bool = false,
                                 _ body: (RPCParams) throws(RPCError) -> SubscriptionTopic) throws(RPCError) -> SubscriptionTopic {
        if json == nil, required { throw .invalidParams("filter: the \(topic) topic needs {\"\(keys[0])\": address}") }
        if let json, json.objectValue == nil {
            throw .invalidParams("filter: expected an object {\(keys.joined(separator: ", "))} for the \(topic) topic")
        }
        do throws(RPCError) {
            return try body(try RPCParams(json, names: keys, required: required ? 1 : 0))
        } catch {
            throw .invalidParams("filter: \(error.message.dropFirst("invalid params: ".count))")
        }
    }

    /// A job status by number (1–10) or name ("REQUESTED"), as `emeth_listJobs` takes it.
    private static func status(_ p: RPCParams) throws(RPCError) -> JobStatus? {
        if case .string(let name)? = p["status"], let s = JobStatus.allCases.first(where: { $0.description == name }) { return s }
        guard let n = try p.uint64("status") else { return nil }
        guard n <= 255, let s = JobStatus(rawValue: UInt8(n)) else {
            throw .invalidParams("status: \(n) is no job status (1–10, or a name such as \"REQUESTED\")")
        }
        return s
    }
}
