import Foundation

/// Token amounts as people type them (docs/PROTOCOL.md §1): `1.5emt`, `120gholon`, or base units.
/// 1 EMT = 10^18 base units, 1 Gholon = 10^9. Exact: a fraction finer than one base unit is
/// an error, never rounded.
public enum Amount {
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case invalid(String)
        case tooPrecise(String, decimals: Int)
        case tooLarge(String)

        public var description: String {
            switch self {
            case .empty: return "empty amount"
            case .invalid(let s): return "invalid amount \"\(s)\": use base units (1500), Gholon (120gholon) or EMT (1.5emt)"
            case .tooPrecise(let s, let d): return "amount \"\(s)\" has more than \(d) decimal places for its unit"
            case .tooLarge(let s): return "amount \"\(s)\" does not fit in 256 bits"
            }
        }
    }

    public static func parse(_ text: String) throws(ParseError) -> UInt256 {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "")
        guard !s.isEmpty else { throw .empty }
        let units: [(suffix: String, decimals: Int)] = [("emt", 18), ("gholon", 9), ("wei", 0)]
        var number = s, decimals = 0
        for u in units where s.hasSuffix(u.suffix) {
            number = String(s.dropLast(u.suffix.count)).trimmingCharacters(in: .whitespaces)
            decimals = u.decimals
            break
        }
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !number.isEmpty, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigitChar) }),
              !(parts.first?.isEmpty ?? true) || parts.count == 2 else { throw .invalid(text) }
        let whole = String(parts[0]), fraction = parts.count == 2 ? String(parts[1]) : ""
        guard !(whole.isEmpty && fraction.isEmpty) else { throw .invalid(text) }
        let trimmed = fraction.replacingOccurrences(of: "0+$", with: "", options: .regularExpression)
        guard trimmed.count <= decimals else { throw .tooPrecise(text, decimals: decimals) }
        let digits = (whole.isEmpty ? "0" : whole) + trimmed + String(repeating: "0", count: decimals - trimmed.count)
        guard let v = try? UInt256(decimal: digits) else { throw .tooLarge(text) }
        return v
    }

    /// `1.5 EMT`-style text for output: exact, trailing zeros trimmed.
    public static func format(_ v: UInt256) -> String {
        let s = v.description
        let padded = String(repeating: "0", count: max(0, 19 - s.count)) + s
        let whole = padded.dropLast(18), frac = padded.suffix(18).replacingOccurrences(of: "0+$", with: "", options: .regularExpression)
        return frac.isEmpty ? "\(whole) EMT" : "\(whole).\(frac) EMT"
    }
}

extension Character {
    fileprivate var isASCIIDigitChar: Bool { ("0"..."9").contains(self) }
}
