import Core
@testable import Sequencer

/// A tiny chain for state-machine tests: named actors, one transaction per call, state
/// committed after each so tests read balances exactly as a client would.
final class STFHarness {
    let state = InMemoryState()
    let stf: StateTransition
    var time: UInt64 = 1_000

    static func actor(_ n: UInt8) -> Address { try! Address(bytes: Bytes(repeating: n, count: 20)) }
    static let requester = actor(0x11), node = actor(0x22), verifier = actor(0x33)
    static let splitter = actor(0x44), aggregator = actor(0x55), stranger = actor(0x66)

    init(params: ChainParams = ChainParams()) {
        stf = StateTransition(params: params, roles: Roles(verifiers: [Self.verifier], splitters: [Self.splitter],
                                                           aggregators: [Self.aggregator]))
    }

    private var inboxIndex: UInt64 = 0

    func deposit(_ a: Address, _ amount: UInt256) {
        var w = state.begin()
        try! stf.apply(InboxMessage(index: inboxIndex, kind: .deposit, account: a, amount: amount, l1Block: 1), time: time, to: &w)
        inboxIndex += 1
        state.commit(w)
    }

    @discardableResult
    func l1Cancel(_ a: Address, _ job: JobID) -> FailureCode? {
        var w = state.begin()
        let r = try! stf.apply(InboxMessage(index: inboxIndex, kind: .cancel, account: a, jobId: job, l1Block: 1), time: time, to: &w)
        inboxIndex += 1
        state.commit(w)
        return r
    }

    private var txCounter: UInt64 = 0

    /// Sends `call` from `a` with its correct next nonce; returns the failure code or nil.
    @discardableResult
    func send(_ a: Address, _ call: L2Call) -> FailureCode? {
        var w = state.begin()
        txCounter += 1
        let nonce = (state.account(a) ?? .empty).nonce
        let tx = L2Transaction(call: call, nonce: nonce, sender: a,
                               hash: try! Hash32(bytes: UInt256(txCounter).bigEndianBytes), signature: [])
        let r = try! stf.apply(tx, time: time, to: &w)
        try! stf.checkConservation(w, after: "test tx")
        state.commit(w)
        return r
    }

    func balance(_ a: Address) -> UInt256 { state.account(a)?.balance ?? .zero }
    func credit(_ a: Address) -> UInt256 { state.account(a)?.credit ?? .zero }
    func nonce(_ a: Address) -> UInt64 { state.account(a)?.nonce ?? 0 }
    func job(_ id: JobID) -> Job { state.job(id)! }

    static func jobId(_ n: UInt8) -> JobID { try! JobID(bytes: Bytes(repeating: n, count: 16)) }
    static func h(_ n: UInt8) -> Hash32 { try! Hash32(bytes: Bytes(repeating: n, count: 32)) }

    static func register(_ id: JobID, fuelLimit: UInt256, fuelPrice: UInt256, deadline: UInt64, numParallel: UInt256 = 1) -> L2Call {
        .registerJob(.init(jobId: id, programId: 7, numParallel: numParallel, numEpoch: 1, dataset: h(0xda), param: h(0xee),
                           fuelLimit: fuelLimit, fuelPrice: fuelPrice, deadline: UInt256(deadline)))
    }
}

extension UInt256 {
    static let gholon = UInt256(1_000_000_000)
    static let emt = UInt256(1_000_000_000_000_000_000)
}
