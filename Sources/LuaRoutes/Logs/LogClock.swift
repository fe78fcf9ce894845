#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore

/// Timestamps formatted once a second, the part that changes appended per line.
struct LogClock {
    private var localSecond = -1
    private var localText = ""
    private var utcSecond = -1
    private var utcPrefix = ""

    /// swift-log's text format: "2026-11-26T01:58:17+0000", local time.
    mutating func localTimestamp() -> String {
        var now = time(nil)
        if Int(now) != localSecond {
            localSecond = Int(now)
            var parts = tm()
            localtime_r(&now, &parts)
            localText = Self.format("%Y-%m-%dT%H:%M:%S%z", &parts)
        }
        return localText
    }

    /// ``JSONLogHandler``'s: "2026-11-26T01:58:17.123Z".
    mutating func utcTimestampWithMilliseconds() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        if now.tv_sec != utcSecond {
            utcSecond = now.tv_sec
            var seconds = now.tv_sec
            var parts = tm()
            gmtime_r(&seconds, &parts)
            utcPrefix = Self.format("%Y-%m-%dT%H:%M:%S", &parts)
        }
        let millis = String(now.tv_nsec / 1_000_000)
        return utcPrefix + "." + String(repeating: "0", count: 3 - millis.count) + millis + "Z"
    }

    private static func format(_ pattern: String, _ parts: inout tm) -> String {
        var text = [CChar](repeating: 0, count: 64)
        let count = strftime(&text, text.count, pattern, &parts)
        return String(decoding: text[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
