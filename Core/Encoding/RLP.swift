/// Recursive Length Prefix, Ethereum's serialisation for transactions (and our batches).
/// Decoding is strict: only the one canonical encoding of a value is accepted, so a value
/// has exactly one byte form and hashes of encodings are unambiguous.
public indirect enum RLPItem: Hashable, Sendable {
    case bytes(Bytes)
    case list([RLPItem])

    public static func uint(_ v: UInt256) -> RLPItem { .bytes(v.minimalBigEndianBytes) }
    public static func uint(_ v: UInt64) -> RLPItem { .uint(UInt256(v)) }
    public static func address(_ a: Address?) -> RLPItem { .bytes(a?.bytes ?? []) }

    public func bytesValue(_ what: String) throws(RLPError) -> Bytes {
        guard case .bytes(let b) = self else { throw .expectedBytes(what) }
        return b
    }

    public func listValue(_ what: String) throws(RLPError) -> [RLPItem] {
        guard case .list(let l) = self else { throw .expectedList(what) }
        return l
    }

    /// An integer: at most 32 bytes and no leading zero byte (RLP's canonical integer form).
    public func uint256Value(_ what: String) throws(RLPError) -> UInt256 {
        let b = try bytesValue(what)
        guard b.first != 0 else { throw .leadingZeros(what) }
        guard let v = try? UInt256(bigEndian: b) else { throw .integerTooLarge(what) }
        return v
    }

    public func uint64Value(_ what: String) throws(RLPError) -> UInt64 {
        guard let v = try uint256Value(what).uint64 else { throw .integerTooLarge(what) }
        return v
    }
}

public enum RLPError: Error, Equatable, CustomStringConvertible {
    case empty
    case truncated(offset: Int)
    case trailingBytes(offset: Int)
    case nonCanonicalSingleByte(offset: Int)
    case nonCanonicalLength(offset: Int)
    case leadingZeroInLength(offset: Int)
    case lengthOverflow(offset: Int)
    case tooDeep
    case expectedBytes(String)
    case expectedList(String)
    case leadingZeros(String)
    case integerTooLarge(String)
    case wrongFieldCount(String, expected: Int, actual: Int)

    public var description: String {
        switch self {
        case .empty: return "RLP: empty input"
        case .truncated(let o): return "RLP: input ends inside the item at offset \(o)"
        case .trailingBytes(let o): return "RLP: trailing bytes after the item, at offset \(o)"
        case .nonCanonicalSingleByte(let o): return "RLP: single byte below 0x80 encoded with a prefix at offset \(o)"
        case .nonCanonicalLength(let o): return "RLP: length below 56 encoded in long form at offset \(o)"
        case .leadingZeroInLength(let o): return "RLP: length with a leading zero byte at offset \(o)"
        case .lengthOverflow(let o): return "RLP: length does not fit the input at offset \(o)"
        case .tooDeep: return "RLP: nesting deeper than 64 lists"
        case .expectedBytes(let w): return "RLP: \(w) must be a byte string, found a list"
        case .expectedList(let w): return "RLP: \(w) must be a list, found a byte string"
        case .leadingZeros(let w): return "RLP: integer \(w) has leading zero bytes"
        case .integerTooLarge(let w): return "RLP: integer \(w) is too large"
        case .wrongFieldCount(let w, let e, let a): return "RLP: \(w) must have \(e) fields, found \(a)"
        }
    }
}

public enum RLP {
    public static func encode(_ item: RLPItem) -> Bytes {
        var out = Bytes()
        append(item, to: &out)
        return out
    }

    static func append(_ item: RLPItem, to out: inout Bytes) {
        switch item {
        case .bytes(let b):
            if b.count == 1 && b[0] < 0x80 { out.append(b[0]); return }
            header(b.count, short: 0x80, to: &out)
            out += b
        case .list(let items):
            var body = Bytes()
            for i in items { append(i, to: &body) }
            header(body.count, short: 0xc0, to: &out)
            out += body
        }
    }

    static func header(_ length: Int, short: UInt8, to out: inout Bytes) {
        if length < 56 { out.append(short + UInt8(length)); return }
        let len = UInt256(UInt64(length)).minimalBigEndianBytes
        out.append(short + 55 + UInt8(len.count))
        out += len
    }

    /// Decodes exactly one item that spans the whole input.
    public static func decode(_ input: Bytes) throws(RLPError) -> RLPItem {
        guard !input.isEmpty else { throw .empty }
        var offset = 0
        let item = try input.withUnsafeBufferPointer { (b) throws(RLPError) -> RLPItem in
            try decodeItem(b, &offset, end: b.count, depth: 0)
        }
        guard offset == input.count else { throw .trailingBytes(offset: offset) }
        return item
    }

    static func decodeItem(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, end: Int, depth: Int) throws(RLPError) -> RLPItem {
        guard depth <= 64 else { throw .tooDeep }
        guard i < end else { throw .truncated(offset: i) }
        let start = i
        let p = b[i]
        if p < 0x80 { i += 1; return .bytes([p]) }
        let isList = p >= 0xc0
        let base: UInt8 = isList ? 0xc0 : 0x80
        var length: Int
        i += 1
        if p - base <= 55 {
            length = Int(p - base)
        } else {
            let lenOfLen = Int(p - base - 55)
            guard lenOfLen <= 8, end - i >= lenOfLen else { throw .truncated(offset: start) }
            guard b[i] != 0 else { throw .leadingZeroInLength(offset: start) }
            var l: UInt64 = 0
            for k in 0..<lenOfLen { l = l << 8 | UInt64(b[i + k]) }
            i += lenOfLen
            guard l >= 56 else { throw .nonCanonicalLength(offset: start) }
            guard l <= UInt64(end - i) else { throw .lengthOverflow(offset: start) }
            length = Int(l)
        }
        guard end - i >= length else { throw .truncated(offset: start) }
        if !isList {
            if length == 1 && b[i] < 0x80 { throw .nonCanonicalSingleByte(offset: start) }
            let bytes = Array(b[i..<(i + length)])
            i += length
            return .bytes(bytes)
        }
        let listEnd = i + length
        var items: [RLPItem] = []
        while i < listEnd { items.append(try decodeItem(b, &i, end: listEnd, depth: depth + 1)) }
        return .list(items)
    }
}
