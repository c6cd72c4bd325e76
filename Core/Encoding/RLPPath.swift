/// Reading one item out of a large RLP encoding without decoding the rest. A stored block is a
/// list of six fields, the fifth a list of hundreds of transactions; a receipt needs one of
/// them. Decoding the whole block builds an item (and an array) for every field of every
/// transaction, so a client polling receipts made the sequencer decode each block hundreds of
/// times. Here the lists along the path are walked by their headers only: each sibling before
/// the one asked for costs one header read, nothing is allocated but the item returned.
extension RLP {
    /// The item at `path` (list positions, outermost first) of the one item `input` holds;
    /// nil when a list along the path has fewer items. Every header on the way is checked as
    /// `decode` checks it, and the item returned is decoded in full; siblings are skipped
    /// unchecked beyond their headers, so a fault elsewhere in the input is not reported.
    public static func decode(_ input: Bytes, at path: [Int], maxDepth: Int = RLP.defaultMaxDepth) throws(RLPError) -> RLPItem? {
        try input.withUnsafeBufferPointer { (b) throws(RLPError) -> RLPItem? in
            var start = 0
            var h = try header(b, at: 0, end: b.count)
            guard h.payloadStart + h.payloadLength == b.count else { throw .trailingBytes(offset: h.payloadStart + h.payloadLength) }
            for (depth, position) in path.enumerated() {
                guard h.isList else { throw .expectedList("item \(path.prefix(depth).map(String.init).joined(separator: "."))") }
                guard depth < maxDepth else { throw .nestingTooDeep(offset: start, limit: maxDepth) }
                guard position >= 0 else { return nil }
                let end = h.payloadStart + h.payloadLength
                var i = h.payloadStart
                var n = 0
                while true {
                    guard i < end else { return nil }
                    let child = try header(b, at: i, end: end)
                    if n == position {
                        start = i
                        h = child
                        break
                    }
                    i = child.payloadStart + child.payloadLength
                    n += 1
                }
            }
            var offset = start
            return try decodeItem(b, &offset, end: h.payloadStart + h.payloadLength, depth: path.count, maxDepth: maxDepth)
        }
    }
}
