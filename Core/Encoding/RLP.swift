/// RLP encoding. The output size is computed first so each encoding is written into one
/// buffer allocated once (transactions and batches are encoded on hot paths).
public enum RLP {
    public static func encode(_ item: RLPItem) -> Bytes {
        var out = Bytes()
        out.reserveCapacity(encodedLength(item))
        append(item, to: &out)
        return out
    }

    public static func encode(_ bytes: Bytes) -> Bytes { encode(.bytes(bytes)) }
    public static func encode(_ v: UInt256) -> Bytes { encode(.uint(v)) }
    public static func encode(_ v: UInt64) -> Bytes { encode(.uint(v)) }
    public static func encode(_ a: Address) -> Bytes { encode(.bytes(a.bytes)) }

    /// Appends the encoding of `item` to `out` (for callers building a larger buffer).
    public static func append(_ item: RLPItem, to out: inout Bytes) {
        switch item {
        case .bytes(let b):
            if b.count == 1 && b[0] < 0x80 { out.append(b[0]); return }
            appendHeader(b.count, base: 0x80, to: &out)
            out.append(contentsOf: b)
        case .list(let items):
            appendHeader(payloadLength(items), base: 0xc0, to: &out)
            for i in items { append(i, to: &out) }
        }
    }

    /// The number of bytes `encode(item)` produces.
    public static func encodedLength(_ item: RLPItem) -> Int {
        switch item {
        case .bytes(let b):
            if b.count == 1 && b[0] < 0x80 { return 1 }
            return headerLength(b.count) + b.count
        case .list(let items):
            let p = payloadLength(items)
            return headerLength(p) + p
        }
    }

    static func payloadLength(_ items: [RLPItem]) -> Int {
        var n = 0
        for i in items { n += encodedLength(i) }
        return n
    }

    static func headerLength(_ payload: Int) -> Int {
        payload < 56 ? 1 : 1 + byteCount(UInt64(payload))
    }

    static func byteCount(_ v: UInt64) -> Int { (64 - v.leadingZeroBitCount + 7) / 8 }

    static func appendHeader(_ length: Int, base: UInt8, to out: inout Bytes) {
        if length < 56 { out.append(base + UInt8(length)); return }
        let v = UInt64(length)
        let n = byteCount(v)
        out.append(base + 55 + UInt8(n))
        for i in stride(from: n - 1, through: 0, by: -1) { out.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * i))) }
    }
}
