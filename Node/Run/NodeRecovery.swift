import Bridge
import Foundation
import Sequencer

/// The operator's ways out after a guardian challenged a batch (the poster halted, `/health`
/// says "challenged"), both offline: the node must be stopped — a store another process holds
/// is refused, and the error says which process likely holds it.
public enum NodeRecovery {
    /// `emeth sequencer rollback --to-batch N`: drops every block from batch N on so the chain
    /// re-seals and re-posts from there. Nothing is written unless every check passes; the
    /// chain is truncated first, the poster's records after (running it again completes an
    /// interrupted run). Returns the chain's outcome and the last block kept.
    public static func rollback(_ c: NodeConfig, toBatch: UInt64) throws -> (outcome: ChainRollback.Outcome, lastKept: UInt64) {
        let (dataDir, bridgeDir) = (c.dataDir, c.bridgeDataDir)
        let genesis = try Genesis.load(path: c.genesis)
        for (dir, what) in [(dataDir, "data directory"), (bridgeDir, "bridge data directory")] where !FileManager.default.fileExists(atPath: dir) {
            throw NodeError("no \(what) at \(dir)")
        }
        let store: BridgeStore
        do { store = try BridgeStore(path: bridgeDir) } catch {
            throw NodeError("cannot open the bridge store \(bridgeDir): \(error)" + lockHint(error, "the sequencer or `emeth bridge run`"))
        }
        defer { store.db.close() }
        let lastKept: UInt64
        do { lastKept = try PosterRecovery.lastKeptBlock(store, rollingBackTo: toBatch) } catch {
            throw NodeError("cannot roll back to batch \(toBatch): \(error)")
        }
        let outcome: ChainRollback.Outcome
        do { outcome = try ChainRollback.truncate(path: dataDir, genesis: genesis, to: lastKept) } catch {
            throw NodeError("cannot roll back the chain in \(dataDir): \(error)" + lockHint(error, "the sequencer"))
        }
        do { try PosterRecovery.rollback(store, toBatch: toBatch, lastKept: lastKept) } catch {
            throw NodeError("the chain is rolled back but the bridge store is not (run the command again): \(error)")
        }
        return (outcome, lastKept)
    }

    /// `emeth bridge resume`: clears the poster's halt so it re-posts the unchanged blocks from
    /// the challenged batch — for when the operator's own replay says they were right and the
    /// challenge was wrong. Returns that batch.
    public static func resume(bridgeDataDir dir: String) throws -> UInt64 {
        guard FileManager.default.fileExists(atPath: dir) else { throw NodeError("no bridge data directory at \(dir)") }
        let store: BridgeStore
        do { store = try BridgeStore(path: dir) } catch {
            throw NodeError("cannot open the bridge store \(dir) (is the sequencer or `emeth bridge run` still running?): \(error)")
        }
        defer { store.db.close() }
        do { return try PosterRecovery.resume(store) } catch { throw NodeError("cannot resume: \(error)") }
    }

    /// RocksDB refuses a store another process holds open: say which process that likely is.
    static func lockHint(_ error: Error, _ who: String) -> String {
        "\(error)".lowercased().contains("lock") ? " (is \(who) still running? stop it first)" : ""
    }
}
