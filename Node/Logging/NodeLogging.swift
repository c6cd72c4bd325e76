import Core
import Foundation
import Logging

/// How a node logs: to stderr (stdout is for a command's result), as swift-log's text lines or
/// one JSON object per line (`[sequencer] log_format`), from `log_level` up.
public enum NodeLogging {
    /// Installs the process-wide log handler (once per process) and returns the node's logger.
    public static func bootstrap(format: String, level: String, label: String) throws -> Logger {
        guard let lvl = Logger.Level(rawValue: level) else {
            throw NodeError("log level \"\(level)\": use trace, debug, info, notice, warning, error or critical")
        }
        switch format {
        case "text": LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
        case "json": LoggingSystem.bootstrap { label in JSONLineLogHandler(label: label) }
        default: throw NodeError("log format \"\(format)\": use text or json")
        }
        var logger = Logger(label: label)
        logger.logLevel = lvl
        return logger
    }

    /// A logger whose lines are its messages alone (with `timestamps`, prefixed by the UTC
    /// time), for the commands whose log is their output: `emeth exit` on stdout, an audit
    /// export's progress on stderr.
    public static func lines(_ label: String, to stream: LineLogHandler.Stream, timestamps: Bool) -> Logger {
        Logger(label: label) { _ in LineLogHandler(stream: stream, timestamps: timestamps) }
    }
}

/// `{"ts": …, "level": …, "label": …, "msg": …, <metadata>}` per line on stderr.
public struct JSONLineLogHandler: LogHandler {
    public let label: String
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var o: [String: JSONValue] = ["ts": .string(ISO8601DateFormatter().string(from: Date())), "level": .string(event.level.rawValue),
                                      "label": .string(label), "msg": .string("\(event.message)")]
        for (k, v) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { o[k] = .string("\(v)") }
        FileHandle.standardError.write(Data((JSONValue.object(o).serialized + "\n").utf8))
    }
}

/// One line per message: the message, then any metadata as `key=value`.
public struct LineLogHandler: LogHandler {
    public enum Stream: Sendable { case stdout, stderr }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let stream: Stream
    let timestamps: Bool

    public init(stream: Stream, timestamps: Bool) { self.stream = stream; self.timestamps = timestamps }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = timestamps ? ISO8601DateFormatter().string(from: Date()) + " " : ""
        line += "\(event.message)"
        let all = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        for k in all.keys.sorted() { line += " \(k)=\(all[k]!)" }
        switch stream {
        case .stdout: print(line)  // in order with the command's other output
        case .stderr: FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }
}
