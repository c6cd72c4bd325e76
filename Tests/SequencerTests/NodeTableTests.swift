import Core
import Testing
@testable import Sequencer

/// The node cache's hash table against `Dictionary`, under the churn it sees (nodes in,
/// superseded nodes out, growth), including keys that share their table word.
@Suite struct NodeTableTests {
    @Test func agreesWithADictionaryUnderChurn() throws {
        var rng = SeededGenerator(seed: TestSeed.value(21))
        let table = NodeTable(capacity: 4)
        var reference: [SMTHash: SMTNode] = [:]
        var keys: [SMTHash] = []
        func random() -> SMTHash { try! SMTHash((0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }) }
        for step in 0..<40_000 {
            let roll = Int.random(in: 0..<10, using: &rng)
            if roll < 5 || keys.isEmpty {
                // Every fourth key shares bytes 8..<16 with an earlier one: same home slot.
                var k = random()
                if step % 4 == 0, let other = keys.randomElement(using: &rng) {
                    var b = k.bytes
                    b.replaceSubrange(8..<16, with: other.bytes[8..<16])
                    k = try SMTHash(b)
                }
                let n = SMTNode.leaf(key: k, valueHash: random())
                table.insert(k, n)
                if reference[k] == nil { keys.append(k) }
                reference[k] = reference[k] ?? n
            } else if roll < 8 {
                let i = Int.random(in: 0..<keys.count, using: &rng)
                let k = keys.remove(at: i)
                #expect(table.remove(k))
                reference[k] = nil
                #expect(!table.remove(k))
            } else {
                let k = keys.randomElement(using: &rng)!
                #expect(table.find(k) == reference[k])
                #expect(table.find(random()) == nil)
            }
            #expect(table.count == reference.count)
        }
        for (k, n) in reference { #expect(table.find(k) == n) }
        #expect(Set(table.hashes) == Set(reference.keys))
        table.removeAll()
        #expect(table.count == 0 && table.find(keys[0]) == nil)
    }
}
