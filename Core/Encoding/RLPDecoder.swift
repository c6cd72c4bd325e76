/// Strict RLP decoding of untrusted input. Only the one canonical encoding of a value is
/// accepted, so every value has exactly one byte form and hashes of encodings cannot be
/// varied by a relayer. Lengths are checked against the bytes actually present before
/// anything is allocated, and nesting depth is bounded, so no input can crash the decoder
/// or make it allocate more than the input's size.
extension RLP {
    /// Deeper than anything Ethereum or our batches use; bounds recursion on hostile input.
    public static let defaultMaxDepth = 64

    /// Decodes exactly one item that spans the whole input.
    public static func decode(_ input: Bytes, maxDepth: Int = RLP.defaultMaxDepth) throws(RLPError) -> RLPItem {
        try input.withUnsafeBufferPointer { (b) throws(RLPError) -> RLPItem in try decode(b, maxDepth: maxDepth) }
    }

    /// Decodes exactly one item that spans the whole slice (offsets in errors count from
    /// the slice's start), e.g. a typed transaction after its type byte, without copying.
    public static func decode(_ input: ArraySlice<UInt8>, maxDepth: Int = RLP.defaultMaxDepth) throws(RLPError) -> RLPItem {
        try input.withUnsafeBufferPointer { (b) throws(RLPError) -> RLPItem in try decode(b, maxDepth: maxDepth) }
    }

    static func decode(_ b: UnsafeBufferPointer<UInt8>, maxDepth: Int) throws(RLPError) -> RLPItem {
        var offset = 0
        let item = try decodeItem(b, &offset, end: b.count, depth: 0, maxDepth: maxDepth)
        guard offset == b.count else { throw .trailingBytes(offset: offset) }
        return item
    }

    /// The prefix of an item: whether it is a list, where its payload starts, and how long it is.
    struct Header {
        var isList: Bool
        var payloadStart: Int
        var payloadLength: Int
    }

    /// Reads the item header at `start`, which must lie before `end`, checking every
    /// canonical-form rule and that the payload fits before `end`.
    static func header(_ b: UnsafeBufferPointer<UInt8>, at start: Int, end: Int) throws(RLPError) -> Header {
        guard start < end else { throw .truncated(offset: start) }
        let p = b[start]
        if p < 0x80 { return Header(isList: false, payloadStart: start, payloadLength: 1) }
        let isList = p >= 0xc0
        let short = p - (isList ? 0xc0 : 0x80)
        var i = start + 1
        let length: UInt64
        if short <= 55 {
            length = UInt64(short)
        } else {
            // 0xb8…0xbf / 0xf8…0xff: 1…8 length bytes follow, big-endian.
            let lenOfLen = Int(short - 55)
            guard end - i >= lenOfLen else { throw .truncated(offset: start) }
            guard b[i] != 0 else { throw .leadingZeroInLength(offset: start) }
            var l: UInt64 = 0
            for k in 0..<lenOfLen { l = l << 8 | UInt64(b[i + k]) }
            i += lenOfLen
            guard l >= 56 else { throw .nonCanonicalLength(offset: start) }
            length = l
        }
        let available = end - i
        guard length <= UInt64(available) else {
            throw .lengthExceedsInput(offset: start, declared: length, available: available)
        }
        if !isList && length == 1 && b[i] < 0x80 { throw .nonCanonicalSingleByte(offset: start) }
        return Header(isList: isList, payloadStart: i, payloadLength: Int(length))
    }

    static func decodeItem(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, end: Int,
                           depth: Int, maxDepth: Int) throws(RLPError) -> RLPItem {
        let start = i
        let h = try header(b, at: start, end: end)
        let payloadEnd = h.payloadStart + h.payloadLength
        if !h.isList {
            i = payloadEnd
            return .bytes(Array(UnsafeBufferPointer(rebasing: b[h.payloadStart..<payloadEnd])))
        }
        guard depth < maxDepth else { throw .nestingTooDeep(offset: start, limit: maxDepth) }
        i = h.payloadStart
        var items: [RLPItem] = []
        while i < payloadEnd {
            items.append(try decodeItem(b, &i, end: payloadEnd, depth: depth + 1, maxDepth: maxDepth))
        }
        return .list(items)
    }
}
