import Core
import Foundation
import Sequencer

/// Reads what people type for job commands — ids, content hashes, fuel, amounts, deadlines,
/// statuses — with an error that names the flag, shows the value, and says what is expected.
/// Nothing is sent when any of these fails, so bad input never changes state.
public enum JobInput {
    public static func jobId(_ text: String, _ what: String) throws(ClientError) -> JobID {
        guard let b = try? Hex.decode(text, requirePrefix: true), let id = try? JobID(bytes: b) else {
            throw .invalid("\(what): \"\(text)\" is not a job id: write 16 bytes as 0x and 32 hex digits")
        }
        return id
    }

    public static func hash(_ text: String, _ what: String) throws(ClientError) -> Hash32 {
        guard let b = try? Hex.decode(text, requirePrefix: true), let h = try? Hash32(bytes: b) else {
            throw .invalid("\(what): \"\(text)\" is not a content hash: write 32 bytes as 0x and 64 hex digits")
        }
        return h
    }

    public static func address(_ text: String, _ what: String) throws(ClientError) -> Address {
        do { return try Address(text) } catch {
            throw .invalid("\(what): \"\(text)\" is not an address (\(error)): write 20 bytes as 0x and 40 hex digits")
        }
    }

    /// A count such as fuel or a program id: decimal or 0x-hex, no unit.
    public static func number(_ text: String, _ what: String) throws(ClientError) -> UInt256 {
        let t = text.replacingOccurrences(of: "_", with: "")
        guard !t.isEmpty, let v = try? UInt256(parsing: t) else {
            throw .invalid("\(what): \"\(text)\" is not a whole number: write it in decimal (1000000) or 0x-hex")
        }
        return v
    }

    /// An amount of EMT (docs/PROTOCOL.md §1): `1.5emt`, `120gholon`, or base units.
    public static func amount(_ text: String, _ what: String) throws(ClientError) -> UInt256 {
        do { return try Amount.parse(text) } catch { throw .invalid("\(what): \(error)") }
    }

    /// A deadline: Unix seconds, or a time from `now` as `+90s`, `+30m`, `+2h`, `+1d`.
    public static func deadline(_ text: String, now: UInt64, _ what: String = "--deadline") throws(ClientError) -> UInt256 {
        let bad = ClientError.invalid("\(what): \"\(text)\" is not a deadline: give Unix seconds (1767225600) or a time from now (+90s, +30m, +2h, +1d)")
        guard text.hasPrefix("+") else {
            guard let v = try? UInt256(decimal: text), !text.isEmpty else { throw bad }
            return v
        }
        var body = Substring(text.dropFirst())
        var unit: UInt64 = 1
        if let last = body.last, let u = ["s": 1, "m": 60, "h": 3_600, "d": 86_400][String(last)] {
            unit = UInt64(u)
            body = body.dropLast()
        }
        guard !body.isEmpty, body.allSatisfy(\.isASCII), let n = UInt64(body) else { throw bad }
        let (span, o1) = n.multipliedReportingOverflow(by: unit)
        let (at, o2) = now.addingReportingOverflow(span)
        guard !o1, !o2 else { throw bad }
        return UInt256(at)
    }

    /// A job status by name (any case) or number 1–10.
    public static func status(_ text: String, _ what: String = "--status") throws(ClientError) -> JobStatus {
        if let s = JobStatus.allCases.first(where: { $0.description == text.uppercased() }) { return s }
        if let n = UInt8(text), let s = JobStatus(rawValue: n) { return s }
        throw .invalid("\(what): \"\(text)\" is not a job status: use one of \(JobStatus.allCases.map(\.description).joined(separator: ", ")) or its number 1–10")
    }

    /// A random job id (the odds of two clients drawing the same one are 2^-128).
    public static func randomJobId() -> JobID {
        var g = SystemRandomNumberGenerator()
        return try! JobID(bytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) })
    }
}
