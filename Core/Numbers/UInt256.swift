/// An unsigned 256-bit integer: every amount, fuel figure and EVM word in the project.
///
/// Fixed width rather than arbitrary precision so that hot paths (fee math, ABI words, state
/// encoding) never allocate. Arithmetic comes in three flavours: throwing methods
/// (`adding`, `subtracting`, …) for money, where an overflow must become an explicit error;
/// `…ReportingOverflow` for EVM-style wrapping; and trapping operators for code whose bounds
/// are already proven.
public struct UInt256: Hashable, Comparable, Sendable {
    /// Little-endian 64-bit limbs: `w0` is the least significant.
    public var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    public init(_ v: UInt64) { self.init(w0: v, w1: 0, w2: 0, w3: 0) }

    public init(_ v: Int) {
        precondition(v >= 0, "UInt256 cannot hold a negative Int")
        self.init(UInt64(v))
    }

    public static let zero = UInt256(0)
    public static let one = UInt256(1)
    public static let max = UInt256(w0: .max, w1: .max, w2: .max, w3: .max)

    public var isZero: Bool { (w0 | w1 | w2 | w3) == 0 }

    /// The value as UInt64 when it fits.
    public var uint64: UInt64? { (w1 | w2 | w3) == 0 ? w0 : nil }

    var limbs: [UInt64] { [w0, w1, w2, w3] }

    init(limbs l: [UInt64]) { self.init(w0: l[0], w1: l[1], w2: l[2], w3: l[3]) }

    public static func < (a: UInt256, b: UInt256) -> Bool {
        if a.w3 != b.w3 { return a.w3 < b.w3 }
        if a.w2 != b.w2 { return a.w2 < b.w2 }
        if a.w1 != b.w1 { return a.w1 < b.w1 }
        return a.w0 < b.w0
    }

    public var leadingZeroBitCount: Int {
        if w3 != 0 { return w3.leadingZeroBitCount }
        if w2 != 0 { return 64 + w2.leadingZeroBitCount }
        if w1 != 0 { return 128 + w1.leadingZeroBitCount }
        return 192 + w0.leadingZeroBitCount
    }

    /// Number of significant bits (0 for zero).
    public var bitLength: Int { 256 - leadingZeroBitCount }
}

extension UInt256: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: UInt64) { self.init(value) }
}

/// An arithmetic result that does not fit, or an undefined operation; money code turns these
/// into transaction failures or errors rather than wrapping silently.
public enum ArithmeticError: Error, Equatable, CustomStringConvertible {
    case overflow
    case underflow
    case divisionByZero

    public var description: String {
        switch self {
        case .overflow: return "arithmetic overflow (result exceeds 2^256-1)"
        case .underflow: return "arithmetic underflow (result below zero)"
        case .divisionByZero: return "division by zero"
        }
    }
}

// MARK: - Arithmetic

extension UInt256 {
    public func addingReportingOverflow(_ b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, c0) = w0.addingReportingOverflow(b.w0)
        var (r1, c1) = w1.addingReportingOverflow(b.w1)
        if c0 { let (t, c) = r1.addingReportingOverflow(1); r1 = t; c1 = c1 || c }
        var (r2, c2) = w2.addingReportingOverflow(b.w2)
        if c1 { let (t, c) = r2.addingReportingOverflow(1); r2 = t; c2 = c2 || c }
        var (r3, c3) = w3.addingReportingOverflow(b.w3)
        if c2 { let (t, c) = r3.addingReportingOverflow(1); r3 = t; c3 = c3 || c }
        return (UInt256(w0: r0, w1: r1, w2: r2, w3: r3), c3)
    }

    public func subtractingReportingOverflow(_ b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, c0) = w0.subtractingReportingOverflow(b.w0)
        var (r1, c1) = w1.subtractingReportingOverflow(b.w1)
        if c0 { let (t, c) = r1.subtractingReportingOverflow(1); r1 = t; c1 = c1 || c }
        var (r2, c2) = w2.subtractingReportingOverflow(b.w2)
        if c1 { let (t, c) = r2.subtractingReportingOverflow(1); r2 = t; c2 = c2 || c }
        var (r3, c3) = w3.subtractingReportingOverflow(b.w3)
        if c2 { let (t, c) = r3.subtractingReportingOverflow(1); r3 = t; c3 = c3 || c }
        return (UInt256(w0: r0, w1: r1, w2: r2, w3: r3), c3)
    }

    /// Low 256 bits of the product, and whether any higher bit was set.
    public func multipliedReportingOverflow(by b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let a = limbs, m = b.limbs
        var r = [UInt64](repeating: 0, count: 8)
        for i in 0..<4 where a[i] != 0 {
            var carry: UInt64 = 0
            for j in 0..<4 {
                let (hi, lo) = a[i].multipliedFullWidth(by: m[j])
                let (s1, o1) = lo.addingReportingOverflow(r[i + j])
                let (s2, o2) = s1.addingReportingOverflow(carry)
                r[i + j] = s2
                carry = hi &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            }
            r[i + 4] = carry
        }
        let overflow = (r[4] | r[5] | r[6] | r[7]) != 0
        return (UInt256(w0: r[0], w1: r[1], w2: r[2], w3: r[3]), overflow)
    }

    /// Quotient and remainder; the divisor must not be zero.
    public func quotientAndRemainder(dividingBy d: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        precondition(!d.isZero, "division by zero")
        if self < d { return (.zero, self) }
        if let small = d.uint64 {
            let (q, r) = quotientAndRemainder(dividingBy: small)
            return (q, UInt256(r))
        }
        // Binary long division: divisors wider than 64 bits are rare (amount math divides by
        // rates and counts), so simplicity wins over Knuth's algorithm D here.
        var q = UInt256.zero, r = UInt256.zero
        for bit in stride(from: bitLength - 1, through: 0, by: -1) {
            r = r << 1
            if self.bit(bit) { r.w0 |= 1 }
            if r >= d {
                r = r.subtractingReportingOverflow(d).partialValue
                q.setBit(bit)
            }
        }
        return (q, r)
    }

    /// Fast path: division by a single limb.
    public func quotientAndRemainder(dividingBy d: UInt64) -> (quotient: UInt256, remainder: UInt64) {
        precondition(d != 0, "division by zero")
        var l = limbs
        var rem: UInt64 = 0
        for i in stride(from: 3, through: 0, by: -1) {
            let (q, r) = d.dividingFullWidth((high: rem, low: l[i]))
            l[i] = q
            rem = r
        }
        return (UInt256(limbs: l), rem)
    }

    func bit(_ i: Int) -> Bool {
        let limb: UInt64
        switch i >> 6 { case 0: limb = w0; case 1: limb = w1; case 2: limb = w2; default: limb = w3 }
        return (limb >> UInt64(i & 63)) & 1 == 1
    }

    mutating func setBit(_ i: Int) {
        let m = UInt64(1) << UInt64(i & 63)
        switch i >> 6 { case 0: w0 |= m; case 1: w1 |= m; case 2: w2 |= m; default: w3 |= m }
    }

    // Throwing forms, for amounts.

    public func adding(_ b: UInt256) throws(ArithmeticError) -> UInt256 {
        let (r, o) = addingReportingOverflow(b)
        if o { throw .overflow }
        return r
    }

    public func subtracting(_ b: UInt256) throws(ArithmeticError) -> UInt256 {
        let (r, o) = subtractingReportingOverflow(b)
        if o { throw .underflow }
        return r
    }

    public func multiplied(by b: UInt256) throws(ArithmeticError) -> UInt256 {
        let (r, o) = multipliedReportingOverflow(by: b)
        if o { throw .overflow }
        return r
    }

    public func divided(by b: UInt256) throws(ArithmeticError) -> UInt256 {
        if b.isZero { throw .divisionByZero }
        return quotientAndRemainder(dividingBy: b).quotient
    }

    public func remainder(dividingBy b: UInt256) throws(ArithmeticError) -> UInt256 {
        if b.isZero { throw .divisionByZero }
        return quotientAndRemainder(dividingBy: b).remainder
    }

    // Trapping operators, like Swift's own integers.

    public static func + (a: UInt256, b: UInt256) -> UInt256 {
        let (r, o) = a.addingReportingOverflow(b); precondition(!o, "UInt256 overflow"); return r
    }
    public static func - (a: UInt256, b: UInt256) -> UInt256 {
        let (r, o) = a.subtractingReportingOverflow(b); precondition(!o, "UInt256 underflow"); return r
    }
    public static func * (a: UInt256, b: UInt256) -> UInt256 {
        let (r, o) = a.multipliedReportingOverflow(by: b); precondition(!o, "UInt256 overflow"); return r
    }
    public static func / (a: UInt256, b: UInt256) -> UInt256 { a.quotientAndRemainder(dividingBy: b).quotient }
    public static func % (a: UInt256, b: UInt256) -> UInt256 { a.quotientAndRemainder(dividingBy: b).remainder }
    public static func += (a: inout UInt256, b: UInt256) { a = a + b }
    public static func -= (a: inout UInt256, b: UInt256) { a = a - b }

    // Wrapping operators (EVM semantics).
    public static func &+ (a: UInt256, b: UInt256) -> UInt256 { a.addingReportingOverflow(b).partialValue }
    public static func &- (a: UInt256, b: UInt256) -> UInt256 { a.subtractingReportingOverflow(b).partialValue }
    public static func &* (a: UInt256, b: UInt256) -> UInt256 { a.multipliedReportingOverflow(by: b).partialValue }
}

// MARK: - Bitwise

extension UInt256 {
    public static prefix func ~ (a: UInt256) -> UInt256 { UInt256(w0: ~a.w0, w1: ~a.w1, w2: ~a.w2, w3: ~a.w3) }
    public static func & (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(w0: a.w0 & b.w0, w1: a.w1 & b.w1, w2: a.w2 & b.w2, w3: a.w3 & b.w3)
    }
    public static func | (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(w0: a.w0 | b.w0, w1: a.w1 | b.w1, w2: a.w2 | b.w2, w3: a.w3 | b.w3)
    }
    public static func ^ (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(w0: a.w0 ^ b.w0, w1: a.w1 ^ b.w1, w2: a.w2 ^ b.w2, w3: a.w3 ^ b.w3)
    }

    public static func << (a: UInt256, n: Int) -> UInt256 {
        if n <= 0 { return n == 0 ? a : a >> -n }
        if n >= 256 { return .zero }
        let l = a.limbs
        var r = [UInt64](repeating: 0, count: 4)
        let limbShift = n / 64, bitShift = UInt64(n % 64)
        for i in stride(from: 3, through: limbShift, by: -1) {
            r[i] = l[i - limbShift] << bitShift
            if bitShift > 0 && i - limbShift - 1 >= 0 { r[i] |= l[i - limbShift - 1] >> (64 - bitShift) }
        }
        return UInt256(limbs: r)
    }

    public static func >> (a: UInt256, n: Int) -> UInt256 {
        if n <= 0 { return n == 0 ? a : a << -n }
        if n >= 256 { return .zero }
        let l = a.limbs
        var r = [UInt64](repeating: 0, count: 4)
        let limbShift = n / 64, bitShift = UInt64(n % 64)
        for i in 0..<(4 - limbShift) {
            r[i] = l[i + limbShift] >> bitShift
            if bitShift > 0 && i + limbShift + 1 < 4 { r[i] |= l[i + limbShift + 1] << (64 - bitShift) }
        }
        return UInt256(limbs: r)
    }
}

// MARK: - Bytes

extension UInt256 {
    /// Big-endian bytes, at most 32 (shorter input is left-padded with zeros).
    public init(bigEndian bytes: some Collection<UInt8>) throws(HexError) {
        let n = bytes.count
        guard n <= 32 else { throw .wrongLength(expected: 32, actual: n) }
        // Shifted in most significant first, without a reversed copy or a limb array: state
        // records decode dozens of these per transaction.
        var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0
        for b in bytes {
            w3 = w3 << 8 | w2 >> 56
            w2 = w2 << 8 | w1 >> 56
            w1 = w1 << 8 | w0 >> 56
            w0 = w0 << 8 | UInt64(b)
        }
        self.init(w0: w0, w1: w1, w2: w2, w3: w3)
    }

    /// Exactly 32 big-endian bytes (an EVM word).
    public var bigEndianBytes: Bytes {
        var out = Bytes()
        out.reserveCapacity(32)
        appendBigEndian(to: &out)
        return out
    }

    /// Appends the 32 big-endian bytes to `out` (no intermediate array).
    public func appendBigEndian(to out: inout Bytes) {
        var be = (w3.bigEndian, w2.bigEndian, w1.bigEndian, w0.bigEndian)
        withUnsafeBytes(of: &be) { out.append(contentsOf: $0) }
    }

    /// Big-endian bytes without leading zeros (RLP's integer form; zero is empty).
    public var minimalBigEndianBytes: Bytes {
        let full = bigEndianBytes
        return Array(full.drop { $0 == 0 })
    }
}

// MARK: - Text

public enum NumberParseError: Error, Equatable, CustomStringConvertible {
    case empty
    case invalidDigit(Character, in: String)
    case tooLarge(String)

    public var description: String {
        switch self {
        case .empty: return "empty number"
        case .invalidDigit(let c, let s): return "invalid digit '\(c)' in number \"\(s)\""
        case .tooLarge(let s): return "number \"\(s)\" does not fit in 256 bits"
        }
    }
}

extension UInt256: CustomStringConvertible, LosslessStringConvertible {
    /// A decimal number: ASCII digits only, leading zeros allowed, at most 2^256 − 1.
    ///
    /// Reads the UTF-8 bytes in runs of up to 19 digits (one 64-bit limb), one 256-bit
    /// multiply-add per run: every transaction's amounts arrive as decimal strings, and a
    /// Character walk with a 256-bit multiply per digit was ~2.5 µs a transaction at admission.
    /// Text with anything but ASCII digits gets the error of reading it character by character
    /// (a non-digit, unless the digits before it already overflow).
    public init(decimal text: String) throws(NumberParseError) {
        guard !text.isEmpty else { throw .empty }
        var v = UInt256.zero
        var overflow = false
        var run: UInt64 = 0, scale: UInt64 = 1
        func flush() {
            let (m, o1) = v.multipliedReportingOverflow(by: UInt256(scale))
            let (s, o2) = m.addingReportingOverflow(UInt256(run))
            overflow = overflow || o1 || o2
            v = s
            run = 0
            scale = 1
        }
        for byte in text.utf8 {
            guard byte >= 0x30, byte <= 0x39 else { throw Self.characterByCharacterError(text) }
            if scale == 10_000_000_000_000_000_000 { flush() }
            run = run &* 10 &+ UInt64(byte - 0x30)
            scale &*= 10
        }
        flush()
        if overflow { throw .tooLarge(text) }
        self = v
    }

    /// Why `text`, which holds something other than an ASCII digit, is not a number: the first
    /// character that is not one, unless the digits before it overflow first.
    private static func characterByCharacterError(_ text: String) -> NumberParseError {
        var v = UInt256.zero
        for ch in text {
            guard let d = ch.wholeNumberValue, ch.isASCII else { return .invalidDigit(ch, in: text) }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt256(UInt64(d)))
            if o1 || o2 { return .tooLarge(text) }
            v = s
        }
        return .invalidDigit(" ", in: text)  // unreachable: some byte was not an ASCII digit
    }

    /// Hex digits with or without `0x`; leading zeros allowed (up to 256 significant bits).
    public init(hex text: String) throws(NumberParseError) {
        let body = text.hasPrefix("0x") || text.hasPrefix("0X") ? String(text.dropFirst(2)) : text
        guard !body.isEmpty else { throw .empty }
        var v = UInt256.zero
        for ch in body {
            guard ch.isASCII, let d = ch.hexDigitValue else { throw .invalidDigit(ch, in: text) }
            if v.w3 >> 60 != 0 { throw .tooLarge(text) }
            v = (v << 4) | UInt256(UInt64(d))
        }
        self = v
    }

    /// `0x`-prefixed hex or plain decimal, the two forms our JSON inputs accept.
    public init(parsing text: String) throws(NumberParseError) {
        if text.hasPrefix("0x") || text.hasPrefix("0X") { try self.init(hex: text) } else { try self.init(decimal: text) }
    }

    public init?(_ description: String) {
        guard let v = try? UInt256(parsing: description) else { return nil }
        self = v
    }

    /// Decimal.
    public var description: String {
        if let small = uint64 { return String(small) }
        var chunks: [UInt64] = []
        var v = self
        let base: UInt64 = 10_000_000_000_000_000_000 // 10^19, the largest power of ten in a limb
        while !v.isZero {
            let (q, r) = v.quotientAndRemainder(dividingBy: base)
            chunks.append(r)
            v = q
        }
        var s = String(chunks.last!)
        for c in chunks.dropLast().reversed() {
            let part = String(c)
            s += String(repeating: "0", count: 19 - part.count) + part
        }
        return s
    }

    /// Minimal `0x` hex as Ethereum JSON-RPC quantities are written (`0x0` for zero).
    public var hexQuantity: String {
        if isZero { return "0x0" }
        let h = Hex.encode(minimalBigEndianBytes, prefix: false)
        return "0x" + (h.hasPrefix("0") ? String(h.dropFirst()) : h)
    }
}

extension UInt256: Codable {
    /// JSON form: a decimal string (JSON numbers lose precision past 2^53 in most clients).
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(UInt64.self) { self.init(n); return }
        let s = try c.decode(String.self)
        self = try UInt256(parsing: s)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
