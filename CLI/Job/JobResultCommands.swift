import ArgumentParser
import Client
import Core
import Sequencer

/// `emeth job submit`: the node posts its result (Submit).
struct JobSubmit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Submit a result for a job you process (Submit): its hash and the fuel used.",
        discussion: "Example: emeth job submit 0x… --result 0x… --fuel-used 812345 --wait")
    @Argument(help: "The job id (0x-hex, 16 bytes).") var jobId: String
    @Option(help: "Content hash of the result in EMETH Storage (32 bytes, 0x-hex).") var result: String
    @Option(help: "Fuel the job used (at most its fuel limit).") var fuelUsed: String
    @OptionGroup var send: JobSendOptions

    func run() async throws {
        let call = try input { () throws(ClientError) -> L2Call in
            .submit(jobId: try JobInput.jobId(jobId, "JOB_ID"), result: try JobInput.hash(result, "--result"),
                    fuelUsed: try JobInput.number(fuelUsed, "--fuel-used"))
        }
        try await send.send { _ in call }
    }
}

/// `emeth job split`: the splitter divides a splittable job into SubJobs (Split).
struct JobSplit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split", abstract: "Split a REQUESTED job into SubJobs (Split, by a splitter): one per --dataset/--fuel-limit pair.",
        discussion: "Example: emeth job split 0xPARENT --dataset 0xA… --fuel-limit 400000 --dataset 0xB… --fuel-limit 500000 --wait")
    @Argument(help: "The parent job id (0x-hex, 16 bytes).") var parent: String
    @Option(help: "A part's dataset hash (repeat, one per SubJob).") var dataset: [String] = []
    @Option(help: "A part's fuel limit (repeat, in the order of --dataset).") var fuelLimit: [String] = []
    @Option(help: "A part's SubJob id (repeat, in the order of --dataset); default: random ids.") var childId: [String] = []
    @OptionGroup var send: JobSendOptions

    func run() async throws {
        let parts = try input { () throws(ClientError) -> (JobID, [JobCalls.Part]) in
            var datasets: [Hash32] = [], limits: [UInt256] = [], ids: [JobID] = []
            for d in dataset { datasets.append(try JobInput.hash(d, "--dataset")) }
            for f in fuelLimit { limits.append(try JobInput.number(f, "--fuel-limit")) }
            for c in childId { ids.append(try JobInput.jobId(c, "--child-id")) }
            return (try JobInput.jobId(parent, "PARENT"), try JobCalls.parts(datasets: datasets, fuelLimits: limits, childIds: ids))
        }
        try await send.send { chain throws(ClientError) in
            try JobCalls.split(parent: parts.0, parts: parts.1, maxParts: chain.params.maxSplitChildren)
        }
    }
}

/// `emeth job aggregate`: the aggregator posts the merged result of a split job (Aggregate).
struct JobAggregate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregate", abstract: "Complete a split job whose SubJobs are all VERIFIED (Aggregate, by an aggregator).")
    @Argument(help: "The parent job id (0x-hex, 16 bytes).") var parent: String
    @Option(help: "Content hash of the merged result (32 bytes, 0x-hex).") var result: String
    @OptionGroup var send: JobSendOptions

    func run() async throws {
        let call = try input { () throws(ClientError) -> L2Call in
            .aggregate(parentJob: try JobInput.jobId(parent, "PARENT"), result: try JobInput.hash(result, "--result"))
        }
        try await send.send { _ in call }
    }
}
