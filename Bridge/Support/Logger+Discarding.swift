import Logging

extension Logger {
    /// A logger that drops everything: the default of the parts that log (poster, transaction
    /// manager, auditor tools), so a test or a tool that passes no logger stays quiet.
    public static let discarding = Logger(label: "emeth.discarding", factory: { _ in SwiftLogNoOpLogHandler() })
}
