/// Why values could not be encoded as the given types, with the path of the offending value
/// (`#1[2].0` = second argument, third element, first tuple member).
public struct ABIEncodingError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable, CustomStringConvertible {
        case invalidType(ABIParseError)
        case valueCount(expected: Int, actual: Int)
        /// The value's kind (`uint`, `string`, …) is not what the type needs.
        case typeMismatch(type: String, value: String)
        /// An integer that does not fit `uintN`/`intN` (the value printed in decimal).
        case outOfRange(type: String, value: String)
        case wrongByteCount(type: String, expected: Int, actual: Int)
        case wrongElementCount(type: String, expected: Int, actual: Int)

        public var description: String {
            switch self {
            case .invalidType(let e): return e.description
            case .valueCount(let e, let a): return "expected \(e) values, got \(a)"
            case .typeMismatch(let t, let v): return "a \(v) value cannot be encoded as \(t)"
            case .outOfRange(let t, let v): return "value \(v) is out of range for \(t)"
            case .wrongByteCount(let t, let e, let a): return "\(t) needs exactly \(e) bytes, got \(a)"
            case .wrongElementCount(let t, let e, let a): return "\(t) needs exactly \(e) elements, got \(a)"
            }
        }
    }

    /// Where the value sits: `#i` for the i-th top-level value, then `[k]` for array
    /// elements and `.k` for tuple members. Empty for errors about the whole list.
    public let path: String
    public let reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        path.isEmpty ? "ABI encode: \(reason)" : "ABI encode: value \(path): \(reason)"
    }

    func inside(_ component: String) -> ABIEncodingError {
        ABIEncodingError(path: component + path, reason: reason)
    }
}

extension ABIValue {
    /// The kind's name, for messages.
    var kindName: String {
        switch self {
        case .uint: return "uint"
        case .int: return "int"
        case .address: return "address"
        case .bool: return "bool"
        case .fixedBytes: return "fixed bytes"
        case .bytes: return "bytes"
        case .string: return "string"
        case .array: return "array"
        case .tuple: return "tuple"
        }
    }
}

/// The ABI codec. Encoding follows the specification's head/tail layout exactly (the
/// "strict" encoding Solidity's `abi.encode` produces), so hashes of encodings agree with
/// the contracts'.
public enum ABI {
    /// `abi.encode(values…)` of values of `types` (a function's argument list without the
    /// selector). Checks every value against its type first-hand: ranges of `uintN`/`intN`,
    /// byte counts of `bytesN`, element counts of `T[k]` and tuples.
    public static func encode(_ types: [ABIType], _ values: [ABIValue]) throws(ABIEncodingError) -> Bytes {
        for t in types {
            do { try t.validate() } catch { throw ABIEncodingError(path: "", reason: .invalidType(error)) }
        }
        guard types.count == values.count else {
            throw ABIEncodingError(path: "", reason: .valueCount(expected: types.count, actual: values.count))
        }
        var out = Bytes()
        out.reserveCapacity(Swift.min(ABIType.sumOfHeads(types), 4096))
        do {
            try encodeSequence(values.count, { types[$0] }, values, into: &out)
        } catch {
            // Top-level members are arguments: `#i` rather than `.i`.
            throw ABIEncodingError(path: "#" + error.path.dropFirst(), reason: error.reason)
        }
        return out
    }

    /// Heads in order (static values inline, offsets for dynamic ones), then the tails of
    /// the dynamic values; offsets count from the start of this sequence.
    static func encodeSequence(_ n: Int, _ typeAt: (Int) -> ABIType, _ values: [ABIValue],
                               into out: inout Bytes) throws(ABIEncodingError) {
        let start = out.count
        var pending: [(position: Int, index: Int)] = []
        for i in 0..<n {
            let t = typeAt(i)
            if t.isDynamic {
                pending.append((out.count, i))
                out.append(contentsOf: repeatElement(0, count: 32))
            } else {
                do { try encode(t, values[i], into: &out) } catch { throw error.inside(".\(i)") }
            }
        }
        for (position, i) in pending {
            writeOffset(out.count - start, at: position, in: &out)
            do { try encode(typeAt(i), values[i], into: &out) } catch { throw error.inside(".\(i)") }
        }
    }

    static func encode(_ type: ABIType, _ value: ABIValue, into out: inout Bytes) throws(ABIEncodingError) {
        func fail(_ r: ABIEncodingError.Reason) -> ABIEncodingError { ABIEncodingError(path: "", reason: r) }
        switch (type, value) {
        case (.uint(let bits), .uint(let v)):
            guard v.bitLength <= bits else { throw fail(.outOfRange(type: type.canonical, value: v.description)) }
            appendWord(v, to: &out)
        case (.int(let bits), .int(let v)):
            guard fitsSigned(v, bits: bits) else {
                throw fail(.outOfRange(type: type.canonical, value: ABIValue.signedDecimal(v)))
            }
            appendWord(v, to: &out)
        case (.address, .address(let a)):
            out.append(contentsOf: repeatElement(0, count: 12))
            out.append(contentsOf: a.bytes)
        case (.bool, .bool(let b)):
            out.append(contentsOf: repeatElement(0, count: 31))
            out.append(b ? 1 : 0)
        case (.fixedBytes(let n), .fixedBytes(let b)):
            guard b.count == n else { throw fail(.wrongByteCount(type: type.canonical, expected: n, actual: b.count)) }
            out.append(contentsOf: b)
            out.append(contentsOf: repeatElement(0, count: 32 - n))
        case (.bytes, .bytes(let b)):
            appendPadded(b, to: &out)
        case (.string, .string(let s)):
            appendPadded(Array(s.utf8), to: &out)
        case (.array(let elem), .array(let vs)):
            appendWord(UInt256(UInt64(vs.count)), to: &out)
            do { try encodeSequence(vs.count, { _ in elem }, vs, into: &out) } catch { throw element(error) }
        case (.fixedArray(let elem, let n), .array(let vs)):
            guard vs.count == n else {
                throw fail(.wrongElementCount(type: type.canonical, expected: n, actual: vs.count))
            }
            do { try encodeSequence(n, { _ in elem }, vs, into: &out) } catch { throw element(error) }
        case (.tuple(let ts), .tuple(let vs)):
            guard vs.count == ts.count else {
                throw fail(.wrongElementCount(type: type.canonical, expected: ts.count, actual: vs.count))
            }
            try encodeSequence(ts.count, { ts[$0] }, vs, into: &out)
        default:
            throw fail(.typeMismatch(type: type.canonical, value: value.kindName))
        }
    }

    /// Rewrites a sequence's `.k` path component as an array index `[k]`.
    static func element(_ e: ABIEncodingError) -> ABIEncodingError {
        let p = e.path.dropFirst()
        let digits = p.prefix { $0.isNumber }
        return ABIEncodingError(path: "[\(digits)]" + p.dropFirst(digits.count), reason: e.reason)
    }

    /// True when the two's-complement word `v` is the sign extension of its low `bits` bits:
    /// the bits from `bits - 1` up are all zeros or all ones.
    static func fitsSigned(_ v: UInt256, bits: Int) -> Bool {
        let high = v >> (bits - 1)
        return high.isZero || high == UInt256.max >> (bits - 1)
    }

    /// 32 big-endian bytes, written limb by limb (no temporary array).
    @inline(__always)
    static func appendWord(_ v: UInt256, to out: inout Bytes) {
        appendLimb(v.w3, to: &out)
        appendLimb(v.w2, to: &out)
        appendLimb(v.w1, to: &out)
        appendLimb(v.w0, to: &out)
    }

    @inline(__always)
    static func appendLimb(_ limb: UInt64, to out: inout Bytes) {
        withUnsafeBytes(of: limb.bigEndian) { out.append(contentsOf: $0) }
    }

    /// Length word, the bytes, zero padding to a whole word.
    static func appendPadded(_ b: Bytes, to out: inout Bytes) {
        appendWord(UInt256(UInt64(b.count)), to: &out)
        out.append(contentsOf: b)
        let rem = b.count % 32
        if rem != 0 { out.append(contentsOf: repeatElement(0, count: 32 - rem)) }
    }

    static func writeOffset(_ offset: Int, at position: Int, in out: inout Bytes) {
        let v = UInt64(offset)
        for j in 0..<8 { out[position + 24 + j] = UInt8(truncatingIfNeeded: v >> UInt64(56 - 8 * j)) }
    }
}
