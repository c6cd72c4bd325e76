/// What a failed call's revert data says, decoded for a human: the bridge prints this when
/// an L1 transaction or `eth_call` reverts instead of a hex blob.
public enum RevertReason: Hashable, Sendable, CustomStringConvertible {
    /// `revert()` or a failed `require(cond)`: no data.
    case empty
    /// `Error(string)`: `require(cond, "message")`, `revert("message")`.
    case message(String)
    /// `Panic(uint256)`: a failed assert, overflow, division by zero, bad array index…
    case panic(UInt256)
    /// A custom error declared in the contract's ABI, with its arguments.
    case custom(ABIErrorDefinition, [ABIValue])
    /// Data matching nothing we know (an undeclared error, or malformed data).
    case unrecognized(Bytes)

    /// Decodes revert data against the standard errors and `errors` (custom errors, e.g.
    /// `ContractABI.errors`). Never fails: what cannot be decoded is `.unrecognized`.
    public static func decode(_ data: Bytes, errors: [ABIErrorDefinition] = []) -> RevertReason {
        if data.isEmpty { return .empty }
        guard data.count >= 4 else { return .unrecognized(data) }
        let selector = data[0..<4]
        if selector.elementsEqual(ABIErrorDefinition.errorString.selector) {
            if let v = try? ABIErrorDefinition.errorString.decode(data), case .string(let m)? = v.first { return .message(m) }
            return .unrecognized(data)
        }
        if selector.elementsEqual(ABIErrorDefinition.panic.selector) {
            if let v = try? ABIErrorDefinition.panic.decode(data), case .uint(let c)? = v.first { return .panic(c) }
            return .unrecognized(data)
        }
        for e in errors where selector.elementsEqual(e.selector) {
            if let values = try? e.decode(data) { return .custom(e, values) }
        }
        return .unrecognized(data)
    }

    /// Solidity's panic codes (docs: "Panic via assert and Error via require").
    public static func panicDescription(_ code: UInt256) -> String? {
        switch code.uint64 {
        case 0x00: return "generic compiler panic"
        case 0x01: return "assertion failed"
        case 0x11: return "arithmetic overflow or underflow"
        case 0x12: return "division or modulo by zero"
        case 0x21: return "invalid enum value"
        case 0x22: return "incorrectly encoded storage byte array"
        case 0x31: return "pop() on an empty array"
        case 0x32: return "array index out of bounds"
        case 0x41: return "out of memory (allocation too large)"
        case 0x51: return "call to a zero-initialized internal function"
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .empty:
            return "reverted without a reason"
        case .message(let m):
            return "reverted: \(m)"
        case .panic(let c):
            let known = RevertReason.panicDescription(c).map { " (\($0))" } ?? ""
            return "panic \(c.hexQuantity)\(known)"
        case .custom(let e, let values):
            var out = "reverted with \(e.name)("
            for (i, (p, v)) in zip(e.inputs, values).enumerated() {
                if i > 0 { out += ", " }
                if !p.name.isEmpty { out += p.name + ": " }
                v.appendNested(to: &out)
            }
            return out + ")"
        case .unrecognized(let d):
            return "reverted with unrecognized data \(Hex.encode(d))"
        }
    }
}

extension ABI {
    /// `RevertReason.decode`: Error(string), Panic(uint256) and the given custom errors.
    public static func decodeRevert(_ data: Bytes, errors: [ABIErrorDefinition] = []) -> RevertReason {
        RevertReason.decode(data, errors: errors)
    }
}
