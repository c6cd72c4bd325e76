import API
import Node
import Testing

/// `[api] send_rate`: a whole number or a fraction of transactions per client IP and second
/// (0.2 is one every five seconds), refused by name when it is not a non-negative number.
@Suite struct NodeConfigSendRateTests {
    @Test func wholeAndFractionalRatesAreRead() throws {
        let whole = try NodeConfig.parse("[api]\nsend_rate = 50\nsend_burst = 10\n", file: "emeth.toml")
        #expect(whole.sendRate == 50)
        // The burst is never below one second's worth.
        #expect(whole.rpcLimits.sendPerSecond == 50)
        #expect(whole.rpcLimits.sendBurst == 50)
        let fraction = try NodeConfig.parse("[api]\nsend_rate = 0.2\nsend_burst = 3\n", file: "emeth.toml")
        #expect(fraction.sendRate == 0.2)
        #expect(fraction.rpcLimits.sendPerSecond == 0.2)
        #expect(fraction.rpcLimits.sendBurst == 3)
        try fraction.validate()
        #expect(try NodeConfig.parse("[api]\nsend_rate = 0\n", file: "emeth.toml").rpcLimits.sendPerSecond == 0)
        #expect(try NodeConfig.parse("", file: "emeth.toml").sendRate == 200)
    }

    @Test func badRatesAreRefusedByName() throws {
        for bad in ["-1", "-0.5", "\"fast\"", "nan", "inf"] {
            #expect(throws: NodeError("emeth.toml: [api] send_rate must be a non-negative number")) {
                try NodeConfig.parse("[api]\nsend_rate = \(bad)\n", file: "emeth.toml")
            }
        }
        // A flag's value goes through `validate`.
        var flagged = NodeConfig()
        flagged.sendRate = -3
        #expect(throws: NodeError("[api] send_rate must be between 0 (no limit) and 1000000000 a second, got -3.0")) {
            try flagged.validate()
        }
        flagged.sendRate = .nan
        #expect(flagged.rpcLimits.sendBurst == 1_000)
        #expect(throws: NodeError("[api] send_rate must be between 0 (no limit) and 1000000000 a second, got nan")) {
            try flagged.validate()
        }
        flagged.sendRate = 5e9
        #expect(throws: NodeError("[api] send_rate must be between 0 (no limit) and 1000000000 a second, got 5000000000.0")) {
            try flagged.validate()
        }
    }
}
