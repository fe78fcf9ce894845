import Foundation
import Logging

/// `serve --log-format json`: every log entry as one JSON object on one line of stderr, for
/// log shippers. Keys: time, level, label, msg, then the metadata: numbers, booleans, tables
/// (`log.info("x", { n = 5 })`) and integers logged from Swift keep their JSON type.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let write: @Sendable (String) -> Void

    public init(label: String, write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { $1 } }
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        var object: [String: Any] = [:]
        for (key, value) in fields { object[key] = Self.json(value) }
        object["time"] = Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date())
        object["level"] = event.level.rawValue
        object["label"] = label
        object["msg"] = event.message.description
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        write(String(decoding: data, as: UTF8.self))
    }

    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let value as JSONLogValue): return value.parsed
        case .stringConvertible(let value as any BinaryInteger): return Int64(truncatingIfNeeded: value)
        case .stringConvertible(let value as Double): return value.isFinite ? value : value.description
        case .stringConvertible(let value as Bool): return value
        case .stringConvertible(let value): return value.description
        case .array(let values): return values.map(json)
        case .dictionary(let values): return values.mapValues(json)
        }
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
