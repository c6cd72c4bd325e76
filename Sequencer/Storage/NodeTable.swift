import Core

/// A hash table from node hash to node for the tree's node cache: open addressing with linear
/// probing over one flat allocation, indexed straight by a word of the hash.
///
/// Why not `Dictionary`: a tree update looks up, inserts and drops a dozen nodes per changed
/// key, and `Dictionary` runs SipHash over every key — for keys that are keccak outputs
/// already, that hashing cost more than the lookups. The word is mixed with a per-table random
/// seed, so nobody can choose keys that pile up in one place of a table they cannot see.
/// Deletion shifts the following run back (no tombstones), so a table that churns (nodes in,
/// superseded nodes out) never degrades.
final class NodeTable {
    private var keys: UnsafeMutablePointer<SMTHash>
    private var nodes: UnsafeMutablePointer<SMTNode>
    private var used: UnsafeMutablePointer<Bool>
    private var mask: Int
    private var shift: UInt64
    private let seed = UInt64.random(in: .min ... .max)
    private(set) var count = 0

    /// Room for `capacity` nodes before the first growth.
    init(capacity: Int = 8) {
        var size = 16
        while size * 7 / 10 < capacity { size <<= 1 }
        (keys, nodes, used, mask, shift) = Self.allocate(size)
    }

    deinit {
        keys.deallocate(); nodes.deallocate(); used.deallocate()
    }

    private static func allocate(_ size: Int) -> (UnsafeMutablePointer<SMTHash>, UnsafeMutablePointer<SMTNode>, UnsafeMutablePointer<Bool>, Int, UInt64) {
        let used = UnsafeMutablePointer<Bool>.allocate(capacity: size)
        used.initialize(repeating: false, count: size)
        return (.allocate(capacity: size), .allocate(capacity: size), used, size - 1, UInt64(64 - size.trailingZeroBitCount))
    }

    @inline(__always)
    private func home(_ h: SMTHash) -> Int {
        Int(truncatingIfNeeded: ((h.spreadWord ^ seed) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    func find(_ h: SMTHash) -> SMTNode? {
        var i = home(h)
        while used[i] {
            if keys[i] == h { return nodes[i] }
            i = (i + 1) & mask
        }
        return nil
    }

    /// Inserts or replaces (a node's content never changes, so replacing is a no-op in effect).
    func insert(_ h: SMTHash, _ n: SMTNode) {
        if (count + 1) * 10 > (mask + 1) * 7 { grow() }
        var i = home(h)
        while used[i] {
            if keys[i] == h { return }
            i = (i + 1) & mask
        }
        used[i] = true
        (keys + i).initialize(to: h)
        (nodes + i).initialize(to: n)
        count += 1
    }

    @discardableResult
    func remove(_ h: SMTHash) -> Bool {
        var i = home(h)
        while used[i] {
            if keys[i] == h { break }
            i = (i + 1) & mask
        }
        guard used[i] else { return false }
        // Backward-shift: move later members of the run into the hole when their home allows.
        var hole = i
        var j = (i + 1) & mask
        while used[j] {
            let k = home(keys[j])
            // j's entry may fill the hole iff its home is not in (hole, j] cyclically.
            let fits = hole <= j ? (k <= hole || k > j) : (k <= hole && k > j)
            if fits {
                keys[hole] = keys[j]
                nodes[hole] = nodes[j]
                hole = j
            }
            j = (j + 1) & mask
        }
        used[hole] = false
        count -= 1
        return true
    }

    func removeAll() {
        used.update(repeating: false, count: mask + 1)
        count = 0
    }

    func forEach(_ body: (SMTHash, SMTNode) -> Void) {
        for i in 0...mask where used[i] { body(keys[i], nodes[i]) }
    }

    var hashes: [SMTHash] {
        var out: [SMTHash] = []
        out.reserveCapacity(count)
        forEach { h, _ in out.append(h) }
        return out
    }

    private func grow() {
        let (oldKeys, oldNodes, oldUsed, oldSize) = (keys, nodes, used, mask + 1)
        (keys, nodes, used, mask, shift) = Self.allocate(oldSize * 2)
        count = 0
        for i in 0..<oldSize where oldUsed[i] { insert(oldKeys[i], oldNodes[i]) }
        oldKeys.deallocate(); oldNodes.deallocate(); oldUsed.deallocate()
    }
}
