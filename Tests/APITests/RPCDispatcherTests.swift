import API
import Core
import Testing

/// The JSON-RPC 2.0 envelope without HTTP or an engine: a dispatcher over two tiny methods.
@Suite struct RPCDispatcherTests {
    struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }

    static let dispatcher = RPCDispatcher(methods: [
        "echo": RPCMethod(params: ["a", "b"], required: 1) { p in .array([p["a"] ?? .null, p["b"] ?? .null]) },
        "count": RPCMethod(params: ["n"]) { p in .string(try p.uint64("n")!.description) },
        "fail": RPCMethod { _ in throw RPCError(code: -32001, message: "nope") },
        "crash": RPCMethod { _ in throw Boom() },
    ], limits: RPCLimits(maxBodyBytes: 200, maxBatch: 3))

    func run(_ text: String) async -> (Int, String?) {
        let r = await Self.dispatcher.handle(Array(text.utf8))
        return (r.status, r.text)
    }

    @Test func singleCallsByPositionAndByName() async {
        #expect(await run(#"{"jsonrpc":"2.0","id":1,"method":"echo","params":["x"]}"#)
                == (200, #"{"id":1,"jsonrpc":"2.0","result":["x",null]}"#))
        #expect(await run(#"{"jsonrpc":"2.0","id":"q","method":"echo","params":{"b":2,"a":1}}"#)
                == (200, #"{"id":"q","jsonrpc":"2.0","result":[1,2]}"#))
        // Numbers keep their literal text: a 256-bit id or param survives.
        #expect(await run(#"{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"count","params":["0x10"]}"#)
                == (200, #"{"id":123456789012345678901234567890,"jsonrpc":"2.0","result":"16"}"#))
        #expect(await run(#"{"jsonrpc":"2.0","id":null,"method":"count","params":["10"]}"#)
                == (200, #"{"id":null,"jsonrpc":"2.0","result":"10"}"#))
    }

    @Test func parseErrorsAndInvalidRequests() async {
        let truncated = await run(#"{"jsonrpc":"2.0","id":1,"method":"echo""#)
        #expect(truncated.0 == 200)
        #expect(truncated.1 == #"{"error":{"code":-32700,"message":"parse error: invalid JSON at byte 39: unterminated object"},"id":null,"jsonrpc":"2.0"}"#)
        #expect(await run(#"{"jsonrpc":"1.0","id":7,"method":"echo","params":[1]}"#)
                == (200, #"{"error":{"code":-32600,"message":"invalid request: jsonrpc must be \"2.0\", got \"1.0\""},"id":7,"jsonrpc":"2.0"}"#))
        #expect(await run(#"{"id":7,"method":"echo"}"#)
                == (200, #"{"error":{"code":-32600,"message":"invalid request: jsonrpc must be \"2.0\", got nothing"},"id":7,"jsonrpc":"2.0"}"#))
        #expect(await run(#"{"jsonrpc":"2.0","id":7,"method":5}"#)
                == (200, #"{"error":{"code":-32600,"message":"invalid request: method must be a string"},"id":7,"jsonrpc":"2.0"}"#))
        #expect(await run(#"{"jsonrpc":"2.0","id":[1],"method":"echo"}"#)
                == (200, #"{"error":{"code":-32600,"message":"invalid request: id must be a string, a number or null"},"id":null,"jsonrpc":"2.0"}"#))
        #expect(await run(#"{"jsonrpc":"2.0","id":2,"method":"echo","params":"x"}"#)
                == (200, #"{"error":{"code":-32600,"message":"invalid request: params must be an array or an object"},"id":2,"jsonrpc":"2.0"}"#))
        #expect(await run(#"{"jsonrpc":"2.0","id":2,"method":"echo","extra":1}"#)
                == (200, #"{"error":{"code":-32600,"message":"invalid request: unknown member \"extra\""},"id":2,"jsonrpc":"2.0"}"#))
        #expect(await run("5") == (200, #"{"error":{"code":-32600,"message":"invalid request: expected a JSON object"},"id":null,"jsonrpc":"2.0"}"#))
        // An invalid request is answered even without an id (it cannot be a valid notification).
        #expect(await run(#"{"jsonrpc":"2.1","method":"echo"}"#)
                == (200, #"{"error":{"code":-32600,"message":"invalid request: jsonrpc must be \"2.0\", got \"2.1\""},"id":null,"jsonrpc":"2.0"}"#))
    }

    @Test func methodAndParamErrors() async {
        #expect(await run(#"{"jsonrpc":"2.0","id":1,"method":"nope"}"#)
                == (200, #"{"error":{"code":-32601,"message":"the method nope does not exist"},"id":1,"jsonrpc":"2.0"}"#))
        #expect(await run(#"{"jsonrpc":"2.0","id":1,"method":"echo","params":[1,2,3]}"#)
                == (200, #"{"error":{"code":-32602,"message":"invalid params: expected at most 2 params (a, b), got 3"},"id":1,"jsonrpc":"2.0"}"#))
        #expect(await run(#"{"jsonrpc":"2.0","id":1,"method":"echo","params":{"c":1}}"#)
                == (200, #"{"error":{"code":-32602,"message":"invalid params: unknown param \"c\" (expected a, b)"},"id":1,"jsonrpc":"2.0"}"#))
        #expect(await run(#"{"jsonrpc":"2.0","id":1,"method":"echo"}"#)
                == (200, #"{"error":{"code":-32602,"message":"invalid params: missing param a"},"id":1,"jsonrpc":"2.0"}"#))
        #expect(await run(#"{"jsonrpc":"2.0","id":1,"method":"count","params":["0xzz"]}"#)
                == (200, #"{"error":{"code":-32602,"message":"invalid params: n: not a quantity: invalid digit 'z' in number \"0xzz\""},"id":1,"jsonrpc":"2.0"}"#))
        #expect(await run(#"{"jsonrpc":"2.0","id":1,"method":"fail"}"#)
                == (200, #"{"error":{"code":-32001,"message":"nope"},"id":1,"jsonrpc":"2.0"}"#))
        #expect(await run(#"{"jsonrpc":"2.0","id":1,"method":"crash"}"#)
                == (200, #"{"error":{"code":-32603,"message":"internal error: boom"},"id":1,"jsonrpc":"2.0"}"#))
    }

    @Test func batchesKeepOrderAndSkipNotifications() async {
        let (status, text) = await run(#"[{"jsonrpc":"2.0","id":1,"method":"count","params":["1"]},{"jsonrpc":"2.0","method":"count","params":["2"]},{"jsonrpc":"2.0","id":3,"method":"nope"}]"#)
        #expect(status == 200)
        #expect(text == #"[{"id":1,"jsonrpc":"2.0","result":"1"},{"error":{"code":-32601,"message":"the method nope does not exist"},"id":3,"jsonrpc":"2.0"}]"#)
        // Only notifications: nothing to answer.
        #expect(await run(#"{"jsonrpc":"2.0","method":"count","params":["2"]}"#) == (204, nil))
        #expect(await run(#"[{"jsonrpc":"2.0","method":"fail"},{"jsonrpc":"2.0","method":"count","params":["2"]}]"#) == (204, nil))
        // A malformed member is answered on its own; the others still run.
        #expect(await run(#"[1,{"jsonrpc":"2.0","id":2,"method":"count","params":["2"]}]"#).1
                == #"[{"error":{"code":-32600,"message":"invalid request: expected a JSON object"},"id":null,"jsonrpc":"2.0"},{"id":2,"jsonrpc":"2.0","result":"2"}]"#)
    }

    @Test func limits() async {
        #expect(await run("[]") == (200, #"{"error":{"code":-32600,"message":"invalid request: empty batch"},"id":null,"jsonrpc":"2.0"}"#))
        let four = "[" + Array(repeating: #"{"jsonrpc":"2.0","id":1,"method":"fail"}"#, count: 4).joined(separator: ",") + "]"
        #expect(four.utf8.count <= 200)
        #expect(await run(four) == (200, #"{"error":{"code":-32003,"message":"batch of 4 requests exceeds the limit of 3"},"id":null,"jsonrpc":"2.0"}"#))
        let big = #"{"jsonrpc":"2.0","id":1,"method":"echo","params":[""# + String(repeating: "x", count: 200) + #""]}"#
        #expect(await run(big) == (413, #"{"error":{"code":-32003,"message":"request body of \#(big.utf8.count) bytes exceeds the limit of 200 bytes"},"id":null,"jsonrpc":"2.0"}"#))
    }

    /// A method with a batch form gets all of a batch's valid calls of it at once, in batch
    /// order (notifications included); calls refused before running (bad params) never reach
    /// it; every other call runs alone; the responses keep the request order.
    @Test func aBatchFormRunsTheBatchsCallsTogetherInOrder() async {
        let seen = LockedValue<[[String]]>([])
        let d = RPCDispatcher(methods: [
            "echo": RPCMethod(params: ["a", "b"], required: 1) { p in .array([p["a"] ?? .null, p["b"] ?? .null]) },
            "put": RPCMethod(params: ["v"], { _ in .string("alone") }, batch: { ps in
                let values = ps.map { $0["v"]?.stringValue ?? "?" }
                seen.withLock { $0.append(values) }
                return values.map { v in v == "bad" ? .failure(RPCError(code: -32001, message: "refused \(v)")) : .success(.string("put \(v)")) }
            }),
        ], limits: RPCLimits(maxBodyBytes: 2_000, maxBatch: 10))
        let batch = [#"{"jsonrpc":"2.0","id":1,"method":"put","params":["a"]}"#, #"{"jsonrpc":"2.0","id":2,"method":"echo","params":["x"]}"#,
                     #"{"jsonrpc":"2.0","id":3,"method":"put","params":["bad"]}"#, #"{"jsonrpc":"2.0","id":4,"method":"put","params":[1,2]}"#,
                     #"{"jsonrpc":"2.0","method":"put","params":["c"]}"#, #"{"jsonrpc":"2.0","id":5,"method":"put","params":{"v":"d"}}"#]
        let r = await d.handle(Array(("[" + batch.joined(separator: ",") + "]").utf8))
        #expect(r.status == 200)
        #expect(r.text == "[" + [#"{"id":1,"jsonrpc":"2.0","result":"put a"}"#, #"{"id":2,"jsonrpc":"2.0","result":["x",null]}"#,
                                 #"{"error":{"code":-32001,"message":"refused bad"},"id":3,"jsonrpc":"2.0"}"#,
                                 #"{"error":{"code":-32602,"message":"invalid params: expected at most 1 params (v), got 2"},"id":4,"jsonrpc":"2.0"}"#,
                                 #"{"id":5,"jsonrpc":"2.0","result":"put d"}"#].joined(separator: ",") + "]")
        #expect(seen.value == [["a", "bad", "c", "d"]])
        // A call on its own runs the method's single form.
        #expect(await d.handle(Array(#"{"jsonrpc":"2.0","id":9,"method":"put","params":["e"]}"#.utf8)).text
                == #"{"id":9,"jsonrpc":"2.0","result":"alone"}"#)
        #expect(seen.value == [["a", "bad", "c", "d"]])
    }
}
