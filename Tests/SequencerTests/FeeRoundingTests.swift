import Core
import Testing
@testable import Sequencer

/// Fee rounding pinned from both sides: every fee path (Verify, Reject, Decline, Timeout of a
/// requested and of a processing job, Cancel from L2 and from L1, Split with its leftover,
/// SubJobs settling, Aggregate) with fee limits that leave remainders — 1 wei, primes, values
/// just above 2^256/100000 where x·r overflows, and values near the top of the range. The
/// expected amounts come from Tests/oracle/fee_cases.py (Python's exact integers), and after
/// every receipt every actor's balance, the burned total and every job's escrow, node deposit
/// and status are compared exactly.
@Suite struct FeeRoundingTests {
    typealias H = STFHarness
    static let actors: [String: Address] = ["requester": H.requester, "node": H.node, "verifier": H.verifier,
                                            "splitter": H.splitter, "aggregator": H.aggregator]

    static func u(_ any: Any?) -> UInt256 { try! UInt256(decimal: any as! String) }
    static func id(_ any: Any?) -> JobID { H.jobId(UInt8(any as! Int)) }

    static func call(_ c: [String: Any]) -> L2Call? {
        let job = id(c["jobId"])
        switch c["type"] as! String {
        case "RegisterJob":
            return H.register(job, fuelLimit: u(c["fuelLimit"]), fuelPrice: u(c["fuelPrice"]), deadline: 2_000,
                              numParallel: UInt256(UInt64(c["numParallel"] as! Int)))
        case "CancelJob": return .cancelJob(jobId: job)
        case "L1Cancel": return nil
        case "Process": return .process(jobId: job)
        case "Decline": return .decline(jobId: job)
        case "Submit": return .submit(jobId: job, result: H.h(0xab), fuelUsed: u(c["fuelUsed"]))
        case "Verify": return .verify(jobId: job)
        case "Reject": return .reject(jobId: job)
        case "Timeout": return .timeout(jobId: job)
        case "Aggregate": return .aggregate(parentJob: job, result: H.h(0xcd))
        case "Split":
            let children = (c["children"] as! [Int]).map { H.jobId(UInt8($0)) }
            return .split(.init(parentJob: job, jobIds: children, datasets: children.map { _ in H.h(0xd5) },
                                fuelLimits: (c["fuelLimits"] as! [String]).map { try! UInt256(decimal: $0) }))
        case let t: fatalError("unknown call \(t)")
        }
    }

    @Test func everyFeePathMatchesTheExactIntegerModel() throws {
        let cases = try PythonOracle.cases("fee_cases.py")
        #expect(cases.count == 163, "fee_cases.py printed \(cases.count) cases")
        var receipts = 0, paths: Set<String> = []
        for c in cases {
            let name = c["name"] as! String
            let h = H()
            for (actor, amount) in c["deposits"] as! [String: String] { h.deposit(Self.actors[actor]!, try UInt256(decimal: amount)) }
            for (k, step) in (c["steps"] as! [[String: Any]]).enumerated() {
                let callJSON = step["call"] as! [String: Any]
                paths.insert(callJSON["type"] as! String)
                let sender = Self.actors[step["sender"] as! String]!
                h.time = UInt64(step["time"] as! Int)
                let code = Self.call(callJSON).map { h.send(sender, $0) } ?? h.l1Cancel(sender, Self.id(callJSON["jobId"]))
                let expect = step["expect"] as! [String: Any]
                let at = "\(name), step \(k) (\(callJSON["type"]!))"
                #expect(code?.rawValue == (expect["code"] as? Int).map(UInt16.init), "\(at): failure \(String(describing: code))")
                for (actor, amount) in expect["balances"] as! [String: String] {
                    #expect(h.balance(Self.actors[actor]!) == (try UInt256(decimal: amount)), "\(at): \(actor)'s balance")
                }
                #expect(h.state.totals.totalBurned == (try UInt256(decimal: expect["burned"] as! String)), "\(at): burned")
                let jobs = expect["jobs"] as! [String: [String: Any]]
                #expect(h.state.jobs.count == jobs.count, "\(at): job count")
                for (n, j) in jobs {
                    let job = h.state.job(H.jobId(UInt8(n)!))
                    #expect(job?.escrow == Self.u(j["escrow"]), "\(at): job \(n) escrow")
                    #expect(job?.nodeDeposit == Self.u(j["nodeDeposit"]), "\(at): job \(n) node deposit")
                    #expect(job?.status.rawValue == UInt8(j["status"] as! Int), "\(at): job \(n) status")
                }
                receipts += 1
            }
        }
        #expect(receipts == 647)
        #expect(paths == ["RegisterJob", "CancelJob", "L1Cancel", "Process", "Decline", "Submit", "Verify", "Reject",
                          "Timeout", "Split", "Aggregate"])
    }

    /// Fees.rate on its own, at the edges of the split `(x div d)·r + ((x mod d)·r) div d`.
    @Test func rateIsTheFloorOfTheExactProduct() throws {
        let n = UInt256.max / UInt256(100_000)   // above this x·100000 overflows
        let table: [(UInt256, UInt64, UInt256)] = [
            (1, 5_000, 0), (19, 5_000, 0), (20, 5_000, 1), (99_999, 25_000, 24_999), (100_001, 5_000, 5_000),
            (100_019, 5_000, 5_000), (100_020, 5_000, 5_001), (3, 33_333, 0), (4, 25_000, 1), (7, 99_999, 6),
            (n + 1, 100_000, n + 1), (n, 99_999, n - n / 100_000 - (n % 100_000 == 0 ? 0 : 1)),
        ]
        for (x, r, expected) in table {
            #expect(try Fees.rate(x, r, 100_000) == expected, "rate(\(x), \(r))")
        }
        #expect(throws: ArithmeticError.self) { try Fees.rate(.max, 100_001, 100_000) }
    }
}
