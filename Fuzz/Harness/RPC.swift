import API
import Core
import Dispatch
import Sequencer

/// JSON-RPC request bodies through the transport-free `RPCDispatcher`: parsing, envelope and
/// batch validation, limits, and parameter decoding with the accessors the real methods use
/// (a method table with the L2 API's parameter shapes, answered without a chain).
extension Fuzz {
    static let dispatcher = RPCDispatcher(methods: [
        "emeth_chainId": RPCMethod { _ in .string("0x7a69") },
        "emeth_sendTransaction": RPCMethod(params: ["tx", "expect"], required: 1) { p in
            guard let tx = p["tx"] else { return .null }
            do { return .string(String(try L2Envelope.parse(tx).nonce)) } catch { throw RPCError.invalidParams("\(error)") }
        },
        "emeth_getTransactionReceipt": RPCMethod(params: ["hash"]) { p in .string(try p.hash("hash")?.bytes.hex ?? "") },
        "emeth_getBlockByNumber": RPCMethod(params: ["number", "fullTxs"], required: 1) { p in
            .array([.string(String(try p.blockNumber("number", head: 100) ?? 0)), .bool(try p.bool("fullTxs") ?? false)])
        },
        "emeth_getAccount": RPCMethod(params: ["address"]) { p in .string(try p.address("address")?.checksummed ?? "") },
        "emeth_getJob": RPCMethod(params: ["jobId"]) { p in .string(try p.jobId("jobId")?.bytes.hex ?? "") },
        "emeth_quote": RPCMethod(params: ["amount", "count", "data"], required: 0) { p in
            .array([.string(try p.uint256("amount")?.description ?? ""), .string(String(try p.uint64("count") ?? 0)),
                    .string(try p.bytes("data", count: 4)?.hex ?? "")])
        },
    ], limits: RPCLimits(maxBodyBytes: 1 << 16, maxBatch: 20))

    /// One body through the dispatcher; the reply must be a JSON-RPC response (or none).
    public static func rpc(_ data: Bytes) async throws(PropertyViolation) {
        func check(_ ok: Bool, _ message: @autoclosure () -> String) throws(PropertyViolation) {
            if !ok { throw PropertyViolation(target: .rpc, message: message()) }
        }
        let reply = await dispatcher.handle(data)
        try check([200, 204, 413].contains(reply.status), "status \(reply.status)")
        guard let body = reply.body else { try check(reply.status == 204, "status \(reply.status) without a body"); return }
        guard let json = try? JSONValue.parse(String(decoding: body, as: UTF8.self)) else {
            try check(false, "the reply is not JSON: \(String(decoding: body.prefix(200), as: UTF8.self))"); return
        }
        let responses = json.arrayValue ?? [json]
        try check(!responses.isEmpty, "an empty batch reply")
        for r in responses {
            try check(r["jsonrpc"] == JSONValue.string("2.0") && (r["result"] == nil) != (r["error"] == nil),
                      "not a response: \(r.serialized.prefix(200))")
        }
    }

    /// `rpc` from synchronous code (the fuzzer's callback, on its own thread).
    static func blocking(_ data: Bytes) throws(PropertyViolation) {
        final class Outcome: @unchecked Sendable { var error: PropertyViolation? }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do throws(PropertyViolation) { try await rpc(data) } catch { outcome.error = error }
            done.signal()
        }
        done.wait()
        if let e = outcome.error { throw e }
    }
}
