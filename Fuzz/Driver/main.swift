import CFuzzer
import Core
import Foundation
import FuzzHarness

// The libFuzzer driver (built only by `make fuzz`, with -sanitize=fuzzer, which links
// libFuzzer). EMETH_FUZZ_TARGET names the decoder (FuzzTarget: json, l2tx, rlp, batch, abi,
// proof, block); EMETH_FUZZ_SEEDS=<dir> instead writes the seed corpus there and exits.

let env = ProcessInfo.processInfo.environment
if let dir = env["EMETH_FUZZ_SEEDS"] {
    do { try Seeds.write(to: dir) } catch { fatalError("writing seeds: \(error)") }
    exit(0)
}
guard let name = env["EMETH_FUZZ_TARGET"], let target = FuzzTarget(rawValue: name) else {
    fatalError("set EMETH_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
}
Selected.target = target

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    do { try Fuzz.run(Selected.target, bytes) } catch { fatalError("property violated: \(error)") }
    return 0
})

/// The target for the callback, which as a C function pointer cannot capture it.
enum Selected { nonisolated(unsafe) static var target = FuzzTarget.json }
