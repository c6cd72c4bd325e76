import Core
import Foundation
import Logging
import ServiceLifecycle

/// Seals each block when it is due: stage one of the sealing pipeline (`EngineHandle`; stage
/// two runs on a thread of its own). Between blocks the thread sleeps until the next one is due
/// by the seal policy (block time after the first pending item, or a heartbeat) or until it is
/// woken because one became due sooner (something became pending, a block filled, the block
/// before was acknowledged) — no polling tick, so no delay after a block is due and no wake-ups
/// while idle (`SealWakeup`). The sealing runs on a thread of its own, not on Swift's
/// cooperative pool (two threads on a 2-core machine): a seal that waits for its fsync must
/// never take a thread that request handlers need. Listed first among the HTTP server's
/// services, so it is shut down last — after the server has stopped accepting — and then
/// seals everything still pending.
struct SealingLoop: Service {
    let engine: EngineHandle
    let logger: Logger

    func run() async throws {
        let stop = LockedValue(false)
        let finished = DispatchGroup()
        finished.enter()
        let thread = Thread { [engine, logger] in
            defer { finished.leave() }
            while !stop.value {
                if let b = engine.sealIfDue() {
                    logger.debug("executed block; durable and acknowledged once written", metadata: ["number": "\(b.number)", "txs": "\(b.transactions.count)"])
                }
                if let reason = engine.stoppedReason {
                    // Nothing more can be sealed; reads are still served until shutdown.
                    logger.critical("sequencer stopped", metadata: ["reason": "\(reason)"])
                    return
                }
                engine.sleepUntilDue()
            }
        }
        thread.name = "emeth-sealing"
        thread.start()
        // Until the thread ends: at shutdown or cancellation (which stop it) or when the engine
        // stopped. The wait itself ignores cancellation: the store must not close under a seal.
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in finished.notify(queue: .global()) { c.resume() } }
            } onGracefulShutdown: {
                stop.set(true)
                engine.wakeSealer()
            }
        } onCancel: {
            stop.set(true)
            engine.wakeSealer()
        }
        guard stop.value else {
            try? await gracefulShutdown()  // the engine stopped: keep serving reads until shutdown
            return
        }
        guard !Task.isCancelled else { return }
        engine.sealPending()
        logger.info("sealed what was pending; sealing loop stopped")
    }
}
