#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore

/// One line per request (`serve` only): method, path, route file, status, bytes, duration,
/// client address, user agent and request id, the id that `log.*` lines from the handler carry
/// too (and the answer's X-Request-Id). Text lines look like
/// swift-log's (the rest of the log); JSON lines like ``JSONLogHandler``'s.
///
/// Lines are formatted here and written in batches, as nginx's `access_log ... buffer=`: a
/// swift-log line per request (formatting, then a write and flush each) doubled the CPU cost
/// of a small request in one measured run. Batches go out when they pass `batchBytes`, on
/// ``flushPeriodically(on:every:)``'s timer, and at ``flush()`` (shutdown).
public final class AccessLog: Sendable {
    public enum Format: Sendable { case text, json }

    let format: Format
    let label: String
    private let state = NIOLockedValueBox<(pending: [UInt8], clock: LogClock)>(([], LogClock()))
    private let write: @Sendable ([UInt8]) -> Void
    static let batchBytes = 16 * 1024

    public init(format: Format, label: String = "luaroutes", write: @escaping @Sendable ([UInt8]) -> Void = AccessLog.standardError) {
        self.format = format
        self.label = label
        self.write = write
    }

    func record(_ record: RequestRecord) {
        let full: [UInt8]? = state.withLockedValue { state in
            let line = format == .text ? textLine(record, time: state.clock.localTimestamp())
                                       : jsonLine(record, time: state.clock.utcTimestampWithMilliseconds())
            state.pending.append(contentsOf: line.utf8)
            state.pending.append(UInt8(ascii: "\n"))
            guard state.pending.count >= Self.batchBytes else { return nil }
            defer { state.pending.removeAll(keepingCapacity: true) }
            return state.pending
        }
        if let full { write(full) }
    }

    /// Writes what is pending now.
    public func flush() {
        let lines = state.withLockedValue { state in
            defer { state.pending.removeAll(keepingCapacity: true) }
            return state.pending
        }
        if !lines.isEmpty { write(lines) }
    }

    /// Flushes every `interval` on `loop`, so a quiet server's lines still appear promptly.
    public func flushPeriodically(on loop: any EventLoop, every interval: TimeAmount = .milliseconds(200)) -> RepeatedTask {
        loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in self.flush() }
    }

    private func textLine(_ record: RequestRecord, time: String) -> String {
        return "\(time) info \(label): bytes=\(record.bytes) client=\(record.client) duration_ms=\(Self.milliseconds(record.duration)) log=access "
            + "method=\(record.method) path=\(record.path) request=\(record.requestID) route=\(record.route ?? "-") "
            + "status=\(record.status) user_agent=\(JSONText.quoted(record.userAgent ?? "-")) [LuaRoutes] \(record.method) \(record.path) \(record.status)"
    }

    /// The keys in ``JSONLogHandler``'s (sorted) order; bytes, duration_ms and status are numbers.
    private func jsonLine(_ record: RequestRecord, time: String) -> String {
        return "{\"bytes\":\(record.bytes),\"client\":\(JSONText.quoted(record.client)),\"duration_ms\":\(Self.milliseconds(record.duration)),\"label\":\(JSONText.quoted(label)),"
            + "\"level\":\"info\",\"log\":\"access\",\"method\":\(JSONText.quoted(record.method)),"
            + "\"msg\":\(JSONText.quoted("\(record.method) \(record.path) \(record.status)")),\"path\":\(JSONText.quoted(record.path)),"
            + "\"request\":\(JSONText.quoted(record.requestID)),\"route\":\(JSONText.quoted(record.route ?? "-")),\"status\":\(record.status),"
            + "\"time\":\"\(time)\",\"user_agent\":\(JSONText.quoted(record.userAgent ?? "-"))}"
    }

    /// Milliseconds with microsecond precision ("1.234"), without Foundation's formatters.
    static func milliseconds(_ duration: Duration) -> String {
        let micros = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        let fraction = String(micros % 1000)
        return "\(micros / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// Whole lines, in pieces of at most PIPE_BUF bytes: each write to a pipe is atomic, so a
    /// line never interleaves with one another thread logs at the same moment.
    public static let standardError: @Sendable ([UInt8]) -> Void = { bytes in
        for piece in pieces(of: bytes, limit: Int(PIPE_BUF)) {
            var offset = piece.lowerBound
            while offset < piece.upperBound {
                let written = bytes[offset..<piece.upperBound].withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
                if written <= 0 { return }   // stderr closed: nothing to do about it
                offset += written
            }
        }
    }

    /// Consecutive ranges of at most `limit` bytes that end at a newline (a longer line is cut).
    static func pieces(of bytes: [UInt8], limit: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        while start < bytes.count {
            var end = min(bytes.count, start + limit)
            if end < bytes.count, let lastNewline = bytes[start..<end].lastIndex(of: UInt8(ascii: "\n")) {
                end = lastNewline + 1
            }
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }
}
