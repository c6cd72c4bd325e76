import Core
import Logging

/// Collects what a part logs, for tests that check its messages: `logger` writes every
/// message (any level) as one line, with its metadata as `key=value`.
public final class LogLines: Sendable {
    private let lines = LockedValue<[String]>([])

    public init() {}

    public var logger: Logger {
        Logger(label: "test") { _ in Handler(sink: self) }
    }

    public var all: [String] { lines.value }
    public var text: String { all.joined(separator: "\n") }

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    struct Handler: LogHandler {
        let sink: LogLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
            sink.append(all.keys.sorted().reduce("\(event.message)") { $0 + " \($1)=\(all[$1]!)" })
        }
    }
}
