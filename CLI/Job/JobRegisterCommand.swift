import ArgumentParser
import Client
import Core
import Sequencer

/// `emeth job register`: a requester posts a job (RegisterJob), locking its escrow.
struct JobRegister: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register a job (RegisterJob): lock fuel limit × fuel price plus the verifier fee.",
        discussion: "Example: emeth job register --program-id 7 --dataset 0x… --fuel-limit 1000000 --fuel-price 2gholon --deadline +2h --wait")

    @Option(help: "The job id (16 bytes, 0x-hex); default: random.")
    var jobId: String?
    @Option(help: "The program to run (a number).")
    var programId: String
    @Option(help: "Content hash of the dataset in EMETH Storage (32 bytes, 0x-hex).")
    var dataset: String
    @Option(help: "Content hash of the parameters (32 bytes, 0x-hex); default: zero.")
    var param: String?
    @Option(help: "Most fuel the job may use (a number).")
    var fuelLimit: String
    @Option(help: "Price of one unit of fuel: 2gholon, 0.000000002emt, or base units.")
    var fuelPrice: String
    @Option(help: "Unix seconds, or from now: +90s, +30m, +2h, +1d.")
    var deadline: String
    @Option(help: "How many parts a splitter may divide it into (numParallel; above 1 makes it splittable).")
    var parallel: String = "1"
    @Option(help: "Epochs (numEpoch).")
    var epochs: String = "1"

    @OptionGroup var send: JobSendOptions

    func run() async throws {
        let call = try input { () throws(ClientError) -> L2Call in
            try JobCalls.register(jobId: try jobId.map { s throws(ClientError) in try JobInput.jobId(s, "--job-id") },
                                  programId: try JobInput.number(programId, "--program-id"),
                                  numParallel: try JobInput.number(parallel, "--parallel"),
                                  numEpoch: try JobInput.number(epochs, "--epochs"),
                                  dataset: try JobInput.hash(dataset, "--dataset"),
                                  param: try param.map { s throws(ClientError) in try JobInput.hash(s, "--param") } ?? .zero,
                                  fuelLimit: try JobInput.number(fuelLimit, "--fuel-limit"),
                                  fuelPrice: try JobInput.amount(fuelPrice, "--fuel-price"),
                                  deadline: try JobInput.deadline(deadline, now: unixNow))
        }
        try await send.send { _ in call }
    }
}
