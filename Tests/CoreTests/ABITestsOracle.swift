import Foundation
import Testing
@testable import Core

/// Cross-checks against eth-abi (Tests/oracle/abi_cases.py) and a never-crash fuzz run.
@Suite struct ABIOracleTests {
    /// A JSON value from the oracle as an ABIValue of `type` (integers are decimal strings).
    static func value(_ json: Any, _ type: ABIType) throws -> ABIValue {
        switch type {
        case .uint:
            return .uint(try UInt256(decimal: try #require(json as? String)))
        case .int:
            let s = try #require(json as? String)
            let negative = s.hasPrefix("-")
            let magnitude = try UInt256(decimal: negative ? String(s.dropFirst()) : s)
            return try #require(ABIValue.signed(negative: negative, magnitude: magnitude))
        case .address:
            return .address(try Address(try #require(json as? String)))
        case .bool:
            return .bool(try #require(json as? Bool))
        case .fixedBytes:
            return .fixedBytes(try Hex.decode(try #require(json as? String)))
        case .bytes:
            return .bytes(try Hex.decode(try #require(json as? String)))
        case .string:
            return .string(try #require(json as? String))
        case .array(let elem), .fixedArray(let elem, _):
            return .array(try #require(json as? [Any]).map { try value($0, elem) })
        case .tuple(let ts):
            let items = try #require(json as? [Any])
            try #require(items.count == ts.count)
            return .tuple(try zip(items, ts).map { try value($0, $1) })
        }
    }

    @Test func matchesEthAbi() throws {
        let cases = try PythonOracle.cases("abi_cases.py", ["--seed", "7", "--count", "400"])
        #expect(cases.count == 400)
        var mutationsAccepted = 0, mutationsRefused = 0, stricterThanEthAbi = 0
        for (k, c) in cases.enumerated() {
            let typeTexts = try #require(c["types"] as? [String])
            let types = try typeTexts.map { try ABIType(parsing: $0) }
            #expect(types.map(\.canonical) == typeTexts, "case \(k)")
            let values = try zip(try #require(c["values"] as? [Any]), types).map { try Self.value($0, $1) }
            let expected = try Hex.decode(try #require(c["encoded"] as? String))

            #expect(try ABI.encode(types, values) == expected, "case \(k): \(typeTexts)")
            #expect(try ABI.decode(types, expected) == values, "case \(k): \(typeTexts)")

            let f = try ABIFunction(signature: try #require(c["signature"] as? String))
            #expect(f.selector.hex == c["selector"] as? String, "case \(k)")
            #expect(f.signature == c["signature"] as? String)

            // The text form reads back as the same value (what the CLI prints, it accepts).
            for (t, v) in zip(types, values) {
                #expect(try ABI.parseArgument(v.description, as: t) == v, "case \(k): \(t) \(v)")
            }

            // Mutated encodings: anything we accept, eth-abi accepts with the same values.
            for m in try #require(c["mutations"] as? [[String: Any]]) {
                let data = try Hex.decode(try #require(m["data"] as? String))
                let theirs = try (m["decoded"] as? [Any]).map { try zip($0, types).map { try Self.value($0, $1) } }
                do {
                    let ours = try ABI.decode(types, data)
                    mutationsAccepted += 1
                    #expect(ours == theirs, "case \(k): mutation \(data.hex)")
                } catch {
                    mutationsRefused += 1
                    // Where eth-abi accepts what we refuse, it must be for overlapping tails
                    // (eth-abi follows aliased offsets; we refuse them by design).
                    if theirs != nil {
                        stricterThanEthAbi += 1
                        guard case .offsetBackwards = error.reason else {
                            Issue.record("case \(k): refused \(data.hex) that eth-abi accepts: \(error)")
                            continue
                        }
                    }
                }
            }
        }
        // The mutations exercise both outcomes (a generator change that breaks this would
        // silently weaken the check above).
        #expect(mutationsAccepted > 100)
        #expect(mutationsRefused > 300)
        #expect(stricterThanEthAbi < 10)
    }

    /// Thousands of random and mutated inputs against random types: decoding never traps,
    /// and whatever decodes re-encodes canonically into at most the input's size (so no
    /// input can expand by aliasing) and decodes back to itself.
    @Test func fuzzedDecodingNeverCrashes() throws {
        var rng = ABIRandomGenerator(seed: TestSeed.value(0xAB1))
        var accepted = 0, refused = 0
        for round in 0..<4000 {
            let types = (0..<Int.random(in: 1...3, using: &rng)).map { _ in ABIRandom.type(&rng, depth: 0) }
            var data: Bytes
            switch round % 4 {
            case 0:
                data = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 1:
                // Words of small numbers: plausible offsets and lengths.
                data = (0..<Int.random(in: 0...12, using: &rng)).flatMap { _ in
                    abiWord(UInt64([0, 1, 2, 3, 31, 32, 33, 64, 96, 128, 0xffff].randomElement(using: &rng)!))
                }
            default:
                let values = types.map { ABIRandom.value($0, &rng) }
                data = try ABI.encode(types, values)
                for _ in 0..<Int.random(in: 1...3, using: &rng) { ABIRandom.mutate(&data, &rng) }
            }
            do {
                let decoded = try ABI.decode(types, data)
                accepted += 1
                let again = try ABI.encode(types, decoded)
                #expect(again.count <= data.count, "round \(round)")
                #expect(try ABI.decode(types, again) == decoded, "round \(round)")
            } catch {
                refused += 1
            }
        }
        #expect(accepted > 300)
        #expect(refused > 1000)
    }
}

typealias ABIRandomGenerator = SeededGenerator

enum ABIRandom {
    static func type(_ rng: inout ABIRandomGenerator, depth: Int) -> ABIType {
        if depth < 3, Int.random(in: 0..<10, using: &rng) < 4 {
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return .array(type(&rng, depth: depth + 1))
            case 1: return .fixedArray(type(&rng, depth: depth + 1), Int.random(in: 1...3, using: &rng))
            default: return .tuple((0..<Int.random(in: 1...3, using: &rng)).map { _ in type(&rng, depth: depth + 1) })
            }
        }
        switch Int.random(in: 0..<7, using: &rng) {
        case 0: return .uint(8 * Int.random(in: 1...32, using: &rng))
        case 1: return .int(8 * Int.random(in: 1...32, using: &rng))
        case 2: return .address
        case 3: return .bool
        case 4: return .fixedBytes(Int.random(in: 1...32, using: &rng))
        case 5: return .bytes
        default: return .string
        }
    }

    static func bytes(_ n: Int, _ rng: inout ABIRandomGenerator) -> Bytes {
        (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    static func value(_ t: ABIType, _ rng: inout ABIRandomGenerator) -> ABIValue {
        switch t {
        case .uint(let bits):
            let v = UInt256(w0: rng.next(), w1: rng.next(), w2: rng.next(), w3: rng.next())
            return .uint(v >> (256 - bits))
        case .int(let bits):
            let v = UInt256(w0: rng.next(), w1: rng.next(), w2: rng.next(), w3: rng.next())
            // Arithmetic shift right: keeps the value within intN with either sign.
            let shifted = v >> (256 - bits)
            let negative = bits < 256 && v.w3 >> 63 == 1
            return .int(negative ? shifted | ~(UInt256.max >> (256 - bits)) : shifted)
        case .address: return .address(try! Address(bytes: bytes(20, &rng)))
        case .bool: return .bool(Bool.random(using: &rng))
        case .fixedBytes(let n): return .fixedBytes(bytes(n, &rng))
        case .bytes: return .bytes(bytes(Int.random(in: 0...70, using: &rng), &rng))
        case .string: return .string(["", "a", "héllo", "中文", "😀", String(repeating: "x", count: 40)].randomElement(using: &rng)!)
        case .array(let e): return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in value(e, &rng) })
        case .fixedArray(let e, let n): return .array((0..<n).map { _ in value(e, &rng) })
        case .tuple(let ts): return .tuple(ts.map { value($0, &rng) })
        }
    }

    static func mutate(_ data: inout Bytes, _ rng: inout ABIRandomGenerator) {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0 where !data.isEmpty:
            data[Int.random(in: 0..<data.count, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
        case 1 where data.count >= 32:
            let w = Int.random(in: 0..<(data.count / 32), using: &rng)
            let v = abiWord(UInt64([0, 1, 32, 64, 0x7fff_ffff, UInt64(data.count)].randomElement(using: &rng)!))
            data.replaceSubrange((w * 32)..<(w * 32 + 32), with: v)
        case 2 where !data.isEmpty:
            data.removeLast(Int.random(in: 1...data.count, using: &rng))
        case 3 where data.count >= 32:
            data[Int.random(in: 0..<(data.count / 32), using: &rng) * 32] = UInt8.random(in: 1...255, using: &rng)
        default:
            data += bytes(Int.random(in: 1...40, using: &rng), &rng)
        }
    }
}
