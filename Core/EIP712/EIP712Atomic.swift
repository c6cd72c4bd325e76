/// Encoding of one atomic or dynamic value (everything but structs and arrays) to its
/// 32-byte EIP-712 word.
enum EIP712Atomic {
    static func encode(_ type: EIP712FieldType, _ value: EIP712Value, into out: inout Bytes) throws(EIP712Error.Reason) {
        switch type {
        case .uint(let bits): appendWord(try integer(value, signed: false, bits: bits), to: &out)
        case .int(let bits): appendWord(try integer(value, signed: true, bits: bits), to: &out)
        case .bool:
            guard case .bool(let b) = value else { throw .notABool }
            out += Bytes(repeating: 0, count: 31)
            out.append(b ? 1 : 0)
        case .address:
            guard case .string(let s) = value else { throw .notAnAddress("expected a hex string") }
            do { out += Bytes(repeating: 0, count: 12) + (try Address(s)).bytes } catch { throw .notAnAddress(error.description) }
        case .fixedBytes(let n):
            let b = try hexBytes(value)
            guard b.count == n else { throw .wrongByteCount(expected: n, actual: b.count) }
            out += b
            out += Bytes(repeating: 0, count: 32 - n)
        case .bytes:
            out += Keccak.hash256(try hexBytes(value))
        case .string:
            guard case .string(let s) = value else { throw .expectedString }
            out += Keccak.hash256(s)
        case .structure, .array:
            preconditionFailure("structs and arrays are encoded by TypedData.encodeField")
        }
    }

    static func appendWord(_ v: UInt256, to out: inout Bytes) { EIP712.StructHasher.appendWord(v, to: &out) }

    static func hexBytes(_ value: EIP712Value) throws(EIP712Error.Reason) -> Bytes {
        guard case .string(let s) = value else { throw .notHexBytes("expected a string") }
        do { return try Hex.decode(s, requirePrefix: true) } catch { throw .notHexBytes(error.description) }
    }

    /// An integer as a JSON number (integral literal), a decimal string (optionally negative)
    /// or a `0x`-hex string (non-negative), range-checked for uint<bits>/int<bits>; negative
    /// values become their 256-bit two's complement (sign-extended, as abi.encode does).
    static func integer(_ value: EIP712Value, signed: Bool, bits: Int) throws(EIP712Error.Reason) -> UInt256 {
        let text: String
        switch value {
        case .number(let s): text = s
        case .string(let s): text = s
        default: throw .notAnInteger(value.serialized)
        }
        var body = Substring(text)
        let negative = body.hasPrefix("-")
        if negative { body = body.dropFirst() }
        let isHex = body.hasPrefix("0x") || body.hasPrefix("0X")
        if case .number = value, body.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            throw .notAnInteger(text)
        }
        if negative && isHex { throw .notAnInteger(text) }
        let magnitude: UInt256
        do {
            magnitude = isHex ? try UInt256(hex: String(body)) : try UInt256(decimal: String(body))
        } catch {
            if case .tooLarge = error { throw .integerOutOfRange(value: text, type: (signed ? "int" : "uint") + String(bits)) }
            throw .notAnInteger(text)
        }
        let typeName = (signed ? "int" : "uint") + String(bits)
        if !signed {
            guard !negative || magnitude.isZero, magnitude.bitLength <= bits else {
                throw .integerOutOfRange(value: text, type: typeName)
            }
            return magnitude
        }
        let limit = UInt256.one << (bits - 1)
        if negative {
            guard magnitude <= limit else { throw .integerOutOfRange(value: text, type: typeName) }
            return (~magnitude) &+ UInt256.one
        }
        guard magnitude < limit else { throw .integerOutOfRange(value: text, type: typeName) }
        return magnitude
    }
}
