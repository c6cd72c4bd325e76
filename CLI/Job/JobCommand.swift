import ArgumentParser

/// `emeth job …`: every L2 job transaction, signed with the caller's key, plus reads of jobs.
/// The commands only parse flags; building, signing, sending, waiting and explaining are the
/// Client module's.
struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Register, process, submit, verify and manage jobs on L2; show and list jobs.",
        discussion: "Transactions take the key from --keystore or EMETH_PRIVATE_KEY, the nonce from the sequencer (or --nonce), and the endpoint from --l2 or EMETH_L2_RPC. --wait waits for the block and says what happened; --json prints JSON. Amounts: 1.5emt, 120gholon, or base units.",
        subcommands: [JobRegister.self, JobCancel.self, JobProcess.self, JobDecline.self, JobSubmit.self, JobVerify.self,
                      JobReject.self, JobTimeout.self, JobSplit.self, JobAggregate.self, JobShow.self, JobList.self])
}
