/// A node that cannot start or keep running, and what to fix: a setting, a file, a key that
/// does not match the chain. Printed as it is (`error: …`), so the message names the problem.
public struct NodeError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}
