import ArgumentParser
import Client
import Core
import Sequencer

/// `emeth job show ID`: every field of one job.
struct JobShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a job: status, parties, fuel, escrow, deadline.")
    @Argument(help: "The job id (0x-hex, 16 bytes).") var jobId: String
    @OptionGroup var l2: L2Options
    @Flag(help: "Print the job as the API returns it (JSON).") var json = false

    func run() async throws {
        let id = try input { () throws(ClientError) in try JobInput.jobId(jobId, "JOB_ID") }
        let client = try l2.client
        let found = try await reading { () async throws(ClientError) in try await client.job(id) }
        guard let found else {
            throw CLIError("job \(id.bytes.hex) does not exist on this chain; check the id (`emeth job list --owner ADDRESS` lists a requester's jobs)")
        }
        if json { print(found.json.prettySerialized) } else { JobText.lines(found.job).forEach { print($0) } }
    }
}

/// `emeth job list`: jobs by owner, node and status, paging through the API.
struct JobList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List jobs by --owner, --node and --status (jobId order).",
        discussion: "Example: emeth job list --status REQUESTED --json     (a node looking for work)")
    @Option(help: "Jobs this account registered.") var owner: String?
    @Option(help: "Jobs this account processes or processed.") var node: String?
    @Option(help: "REQUESTED, PROCESSING, SUBMITTED, VERIFIED, CANCELED, TIMEOUT, FAILED, DECLINED, SPLIT, COMPLETED (or 1–10).")
    var status: String?
    @Option(help: "At most this many jobs.") var limit: Int = 100
    @Option(help: "Continue after this cursor (printed by the previous call).") var cursor: String?
    @OptionGroup var l2: L2Options
    @Flag(help: "Print {\"jobs\": [...], \"cursor\": ...} with each job as the API returns it.") var json = false

    func run() async throws {
        guard limit >= 1 else { throw CLIError("--limit: must be at least 1") }
        let filter = try input { () throws(ClientError) in
            (try status.map { s throws(ClientError) in try JobInput.status(s) }, try owner.map { s throws(ClientError) in try JobInput.address(s, "--owner") },
             try node.map { s throws(ClientError) in try JobInput.address(s, "--node") })
        }
        let client = try l2.client
        let page = try await reading { () async throws(ClientError) in
            try await client.listJobs(status: filter.0, owner: filter.1, node: filter.2, upTo: limit, from: cursor)
        }
        if json {
            print(JSONValue.object(["jobs": .array(page.jobs), "cursor": page.cursor.map(JSONValue.string) ?? .null]).prettySerialized)
            return
        }
        for j in page.jobs { print(JobText.row(try input { () throws(ClientError) in try JobJSON.parse(j) })) }
        if let c = page.cursor { print("more: --cursor \(c)") }
    }
}
