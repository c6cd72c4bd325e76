import Foundation
import Prover

/// Shows replay progress: a redrawn bar with blocks/s and ETA when stderr is a terminal,
/// one plain log line per batch otherwise (so CI logs and pipes stay readable).
final class AuditProgress {
    let isTTY = isatty(STDERR_FILENO) == 1
    let started = Date()
    var lastDraw = Date.distantPast
    var lastBatch: UInt64?
    var blocks: UInt64 = 0

    func update(_ p: Audit.Progress) {
        blocks += 1
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(blocks) / elapsed
        if isTTY {
            guard Date().timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = Date()
            let done = Double(p.batch) / Double(max(p.batches, 1))
            let eta = done > 0 ? elapsed * (1 - done) / done : 0
            let width = 30, fill = Int(done * Double(width))
            let bar = String(repeating: "#", count: fill) + String(repeating: ".", count: width - fill)
            let line = String(format: "\r[%@] batch %llu/%d  block %llu  %llu txs  %.0f blocks/s  ETA %@ ",
                              bar, p.batch, p.batches, p.block, p.transactions, rate, Self.clock(eta))
            FileHandleStderr.write(line)
        } else if lastBatch != p.batch {
            if lastBatch != nil { logLine(String(format: "replaying batch %llu/%d at block %llu (%.0f blocks/s)", p.batch, p.batches, p.block, rate)) }
            lastBatch = p.batch
        }
    }

    func finish() { if isTTY && lastDraw != .distantPast { FileHandleStderr.write("\n") } }

    static func clock(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%02d:%02d", t / 60, t % 60)
    }
}

enum FileHandleStderr {
    static func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
}
