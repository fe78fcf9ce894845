import Logging

/// One structured line per request (`serve` only): method, path, route file, status, bytes,
/// duration and request id, the id that `log.*` lines from the handler carry too. The format
/// (text or JSON) is the logger's: see ``JSONLogHandler``.
public struct AccessLog: Sendable {
    let logger: Logger

    public init(logger: Logger) {
        var logger = logger
        logger[metadataKey: "log"] = "access"
        self.logger = logger
    }

    func record(_ record: RequestRecord) {
        logger.info("\(record.method) \(record.path) \(record.status)", metadata: [
            "method": .string(record.method),
            "path": .string(record.path),
            "route": .string(record.route ?? "-"),
            "status": .stringConvertible(record.status),
            "bytes": .stringConvertible(record.bytes),
            "duration_ms": .string(Self.milliseconds(record.duration)),
            "request": .string(record.requestID),
        ])
    }

    /// Milliseconds with microsecond precision ("1.234"), without Foundation's formatters.
    static func milliseconds(_ duration: Duration) -> String {
        let micros = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        let fraction = String(micros % 1000)
        return "\(micros / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
