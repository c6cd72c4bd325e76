import ArgumentParser
import Client
import Core
import Sequencer

/// The job transactions that name only the job: Cancel, Process, Decline, Verify, Reject,
/// Timeout. Each is one command with the job id as its argument.
protocol JobActionCommand: AsyncParsableCommand {
    var jobId: String { get }
    var send: JobSendOptions { get }
    static func call(_ id: JobID) -> L2Call
}

extension JobActionCommand {
    func run() async throws {
        let id = try input { () throws(ClientError) in try JobInput.jobId(jobId, "JOB_ID") }
        try await send.send { _ in Self.call(id) }
    }
}

struct JobCancel: JobActionCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a job nobody has started (CancelJob, by its owner): the escrow comes back.")
    @Argument(help: "The job id (0x-hex, 16 bytes).") var jobId: String
    @OptionGroup var send: JobSendOptions
    static func call(_ id: JobID) -> L2Call { .cancelJob(jobId: id) }
}

struct JobProcess: JobActionCommand {
    static let configuration = CommandConfiguration(
        commandName: "process", abstract: "Take a REQUESTED job as its node (Process): lock the node deposit.")
    @Argument(help: "The job id (0x-hex, 16 bytes).") var jobId: String
    @OptionGroup var send: JobSendOptions
    static func call(_ id: JobID) -> L2Call { .process(jobId: id) }
}

struct JobDecline: JobActionCommand {
    static let configuration = CommandConfiguration(
        commandName: "decline", abstract: "Give back a job you process (Decline, by its node): the penalty is burned from the deposit.")
    @Argument(help: "The job id (0x-hex, 16 bytes).") var jobId: String
    @OptionGroup var send: JobSendOptions
    static func call(_ id: JobID) -> L2Call { .decline(jobId: id) }
}

struct JobVerify: JobActionCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Accept a submitted result (Verify, by a verifier): the node and the verifier are paid.")
    @Argument(help: "The job id (0x-hex, 16 bytes).") var jobId: String
    @OptionGroup var send: JobSendOptions
    static func call(_ id: JobID) -> L2Call { .verify(jobId: id) }
}

struct JobReject: JobActionCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject", abstract: "Refuse a submitted result (Reject, by a verifier): the escrow goes back, the node pays the penalty.")
    @Argument(help: "The job id (0x-hex, 16 bytes).") var jobId: String
    @OptionGroup var send: JobSendOptions
    static func call(_ id: JobID) -> L2Call { .reject(jobId: id) }
}

struct JobTimeout: JobActionCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeout", abstract: "End a job past its deadline (Timeout, by a verifier): the escrow goes back.")
    @Argument(help: "The job id (0x-hex, 16 bytes).") var jobId: String
    @OptionGroup var send: JobSendOptions
    static func call(_ id: JobID) -> L2Call { .timeout(jobId: id) }
}
