/// Why bytes are not a valid encoding of the given types. `offset` is the absolute byte
/// position in the input of the word (or data) at fault.
public struct ABIDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable, CustomStringConvertible {
        case invalidType(ABIParseError)
        /// `needed` bytes were to be read here but only `available` remain.
        case truncated(needed: Int, available: Int)
        /// An offset word whose value (decimal) points outside the data.
        case offsetOutOfRange(String)
        /// An offset pointing back into the head or into data already decoded (absolute
        /// positions). Refusing these makes every byte belong to one value, so a small
        /// input cannot expand into a huge decoded tree by aliasing.
        case offsetBackwards(target: Int, minimum: Int)
        /// A length word (decimal) larger than what the remaining data can hold.
        case lengthOutOfRange(String, available: Int)
        /// Non-zero bits where the type requires padding (Solidity reverts on these too).
        case dirtyPadding(type: String)
        case invalidBool(String)
        case invalidUTF8
        /// Calldata for another function (or error): the first four bytes differ.
        case wrongSelector(expected: String, found: String)

        public var description: String {
            switch self {
            case .invalidType(let e): return e.description
            case .truncated(let n, let a): return "needs \(n) bytes but only \(a) remain"
            case .offsetOutOfRange(let v): return "offset \(v) points outside the data"
            case .offsetBackwards(let t, let m):
                return "offset points back to byte \(t), before the end of the previous data (byte \(m))"
            case .lengthOutOfRange(let v, let a): return "length \(v) exceeds the \(a) bytes that remain"
            case .dirtyPadding(let t): return "non-zero padding bits in a \(t) value"
            case .invalidBool(let v): return "bool value \(v) is neither 0 nor 1"
            case .invalidUTF8: return "string is not valid UTF-8"
            case .wrongSelector(let e, let f): return "selector \(f) is not \(e)"
            }
        }
    }

    public let offset: Int
    public let reason: Reason

    public init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "ABI decode: at byte \(offset): \(reason)" }
}

extension ABI {
    /// Decodes `abi.encode`d values of `types` (a function's arguments or return values,
    /// without a selector). Safe on hostile input: every offset and length is checked
    /// against the data before it is used or anything is allocated for it; offsets may not
    /// point backwards (into a head or earlier data); padding must be zero as Solidity
    /// requires; bools are 0 or 1; strings are valid UTF-8. Bytes after the encoding are
    /// ignored, as Solidity ignores extra calldata.
    public static func decode(_ types: [ABIType], _ data: Bytes) throws(ABIDecodingError) -> [ABIValue] {
        for t in types {
            do { try t.validate() } catch { throw ABIDecodingError(offset: 0, reason: .invalidType(error)) }
        }
        let d = ABIDecoder(data: data)
        return try d.decodeSequence(types.count, { types[$0] }, base: 0, headSize: ABIType.sumOfHeads(types)).values
    }

    /// Decodes `selector ‖ abi.encode(values)` (calldata, custom error data). Error offsets
    /// count from the start of `data`, selector included.
    static func decode(_ types: [ABIType], selector: Bytes, _ data: Bytes) throws(ABIDecodingError) -> [ABIValue] {
        guard data.count >= 4 else {
            throw ABIDecodingError(offset: 0, reason: .truncated(needed: 4, available: data.count))
        }
        guard data[0..<4].elementsEqual(selector) else {
            throw ABIDecodingError(offset: 0, reason: .wrongSelector(expected: Hex.encode(selector), found: Hex.encode(data[0..<4])))
        }
        do { return try decode(types, Array(data[4...])) } catch {
            if case .invalidType = error.reason { throw error }
            throw ABIDecodingError(offset: error.offset + 4, reason: error.reason)
        }
    }

    /// Decodes one value-type word (an event topic): the same checks as inside an encoding.
    static func decodeWord(_ type: ABIType, _ word: Bytes) throws(ABIDecodingError) -> ABIValue {
        do { try type.validate() } catch { throw ABIDecodingError(offset: 0, reason: .invalidType(error)) }
        guard word.count == 32 else {
            throw ABIDecodingError(offset: 0, reason: .truncated(needed: 32, available: word.count))
        }
        return try ABIDecoder(data: word).decodeValue(type, at: 0).value
    }
}

/// The decoding walk. Every position is validated before it is read, with arithmetic that
/// cannot overflow (positions are bounded by `data.count` before they are added).
struct ABIDecoder {
    let data: Bytes

    func fail(_ offset: Int, _ r: ABIDecodingError.Reason) -> ABIDecodingError {
        ABIDecodingError(offset: offset, reason: r)
    }

    /// The word at `p`; `p` is already known to be ≥ 0.
    func word(at p: Int) throws(ABIDecodingError) -> UInt256 {
        guard p <= data.count - 32 else { throw fail(p, .truncated(needed: 32, available: Swift.max(data.count - p, 0))) }
        func limb(_ k: Int) -> UInt64 {
            var v: UInt64 = 0
            for j in 0..<8 { v = v << 8 | UInt64(data[p + k * 8 + j]) }
            return v
        }
        return UInt256(w0: limb(3), w1: limb(2), w2: limb(1), w3: limb(0))
    }

    /// A word used as an offset or length, if it fits an Int no larger than the data.
    func smallInt(_ w: UInt256) -> Int? {
        guard let v = w.uint64, v <= UInt64(data.count) else { return nil }
        return Int(v)
    }

    func allZero(_ range: Range<Int>) -> Bool {
        for k in range where data[k] != 0 { return false }
        return true
    }

    /// `n` values laid out head/tail from `base`; returns them and the end of the last byte
    /// they used (the end of the heads if all are static).
    func decodeSequence(_ n: Int, _ typeAt: (Int) -> ABIType, base: Int,
                        headSize: Int) throws(ABIDecodingError) -> (values: [ABIValue], end: Int) {
        let available = data.count - base
        guard headSize <= available else { throw fail(base, .truncated(needed: headSize, available: available)) }
        var values: [ABIValue] = []
        // Safe to reserve: every element has a head of at least 32 bytes within the data.
        values.reserveCapacity(n)
        var pos = base
        var tailEnd = base + headSize
        for i in 0..<n {
            let t = typeAt(i)
            if t.isDynamic {
                let w = try word(at: pos)
                guard let rel = smallInt(w), rel <= data.count - base, base + rel <= data.count - 32 else {
                    throw fail(pos, .offsetOutOfRange(w.description))
                }
                let target = base + rel
                guard target >= tailEnd else { throw fail(pos, .offsetBackwards(target: target, minimum: tailEnd)) }
                let (v, end) = try decodeValue(t, at: target)
                values.append(v)
                tailEnd = end
                pos += 32
            } else {
                values.append(try decodeValue(t, at: pos).value)
                pos += t.headSize
            }
        }
        return (values, tailEnd)
    }

    /// The value of type `t` whose encoding starts at `p` (inline for static types, the
    /// tail for dynamic ones).
    func decodeValue(_ t: ABIType, at p: Int) throws(ABIDecodingError) -> (value: ABIValue, end: Int) {
        switch t {
        case .uint(let bits):
            let w = try word(at: p)
            guard w.bitLength <= bits else { throw fail(p, .dirtyPadding(type: t.canonical)) }
            return (.uint(w), p + 32)
        case .int(let bits):
            let w = try word(at: p)
            guard ABI.fitsSigned(w, bits: bits) else { throw fail(p, .dirtyPadding(type: t.canonical)) }
            return (.int(w), p + 32)
        case .address:
            _ = try word(at: p)
            guard allZero(p..<(p + 12)) else { throw fail(p, .dirtyPadding(type: "address")) }
            return (.address(Address(unchecked: Array(data[(p + 12)..<(p + 32)]))), p + 32)
        case .bool:
            let w = try word(at: p)
            guard w <= UInt256.one else { throw fail(p, .invalidBool(w.description)) }
            return (.bool(w == UInt256.one), p + 32)
        case .fixedBytes(let n):
            _ = try word(at: p)
            guard allZero((p + n)..<(p + 32)) else { throw fail(p, .dirtyPadding(type: t.canonical)) }
            return (.fixedBytes(Array(data[p..<(p + n)])), p + 32)
        case .bytes, .string:
            let (range, end) = try byteString(t, at: p)
            if case .bytes = t { return (.bytes(Array(data[range])), end) }
            guard let s = String(validating: data[range], as: UTF8.self) else {
                throw fail(range.lowerBound, .invalidUTF8)
            }
            return (.string(s), end)
        case .array(let elem):
            let w = try word(at: p)
            let available = data.count - p - 32
            let head = elem.headSize
            guard let n = smallInt(w), case (let size, false) = n.multipliedReportingOverflow(by: head),
                  size <= available else {
                throw fail(p, .lengthOutOfRange(w.description, available: Swift.max(available, 0)))
            }
            let (vs, end) = try decodeSequence(n, { _ in elem }, base: p + 32, headSize: size)
            return (.array(vs), end)
        case .fixedArray(let elem, let n):
            let (vs, end) = try decodeSequence(n, { _ in elem }, base: p, headSize: elem.headSize &* n)
            return (.array(vs), end)
        case .tuple(let ts):
            let (vs, end) = try decodeSequence(ts.count, { ts[$0] }, base: p, headSize: ABIType.sumOfHeads(ts))
            return (.tuple(vs), end)
        }
    }

    /// Length word, data, zero padding: returns the data's range and the padded end.
    func byteString(_ t: ABIType, at p: Int) throws(ABIDecodingError) -> (Range<Int>, Int) {
        let w = try word(at: p)
        let start = p + 32
        let available = data.count - start
        guard let n = smallInt(w), n <= available else {
            throw fail(p, .lengthOutOfRange(w.description, available: available))
        }
        let padded = (n + 31) / 32 * 32
        guard padded <= available else { throw fail(start, .truncated(needed: padded, available: available)) }
        guard allZero((start + n)..<(start + padded)) else { throw fail(start + n, .dirtyPadding(type: t.canonical)) }
        return (start..<(start + n), start + padded)
    }
}
