import Foundation
import NIOConcurrencyHelpers
import NIOEmbedded
import Testing
@testable import LuaRoutes

/// The batched access log: the lines it formats itself, and when they reach the output.
@Suite struct AccessLogTests {
    static func record(_ n: Int = 1) -> RequestRecord {
        RequestRecord(method: "GET", path: "/api/users/\(n)", route: "pages/api/users/[id].lua", status: 200, bytes: 19,
                      duration: .microseconds(1234), requestID: String(n, radix: 16), client: "127.0.0.1", userAgent: "curl/8.5.0")
    }

    final class Output: Sendable {
        let writes = NIOLockedValueBox<[[UInt8]]>([])
        var text: String { writes.withLockedValue { String(decoding: $0.joined(), as: UTF8.self) } }
        var count: Int { writes.withLockedValue { $0.count } }
    }

    static func log(_ format: AccessLog.Format) -> (AccessLog, Output) {
        let output = Output()
        return (AccessLog(format: format, write: { bytes in output.writes.withLockedValue { $0.append(bytes) } }), output)
    }

    @Test func textLinesReadLikeTheRestOfTheLog() {
        let (log, output) = Self.log(.text)
        log.record(Self.record())
        log.flush()
        let line = output.text
        #expect(line.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} info luaroutes: bytes=19 client=127\.0\.0\.1 duration_ms=1\.234 log=access method=GET path=\/api\/users\/1 request=1 route=pages\/api\/users\/\[id\]\.lua status=200 user_agent="curl\/8\.5\.0" \[LuaRoutes\] GET \/api\/users\/1 200\n/) != nil, "\(line)")
    }

    @Test func jsonLinesAreObjectsWithTheHandlersKeys() throws {
        let (log, output) = Self.log(.json)
        log.record(Self.record(26))
        log.flush()
        let any = try #require(try JSONSerialization.jsonObject(with: Data(output.text.utf8)) as? [String: Any])
        // Numbers stay numbers, so a log query can compare them.
        #expect(any["status"] as? Int == 200 && any["bytes"] as? Int == 19 && any["duration_ms"] as? Double == 1.234)
        let object = any.compactMapValues { $0 as? String }
        #expect(object["log"] == "access" && object["level"] == "info" && object["label"] == "luaroutes")
        #expect(object["method"] == "GET" && object["path"] == "/api/users/26" && object["route"] == "pages/api/users/[id].lua")
        #expect(object["request"] == "1a" && object["client"] == "127.0.0.1" && object["user_agent"] == "curl/8.5.0")
        #expect(object["msg"] == "GET /api/users/26 200")
        #expect(object["time"]?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(object)")
    }

    @Test func linesWaitForABatchOrAFlush() {
        let (log, output) = Self.log(.text)
        log.record(Self.record())
        #expect(output.count == 0, "one line is held back")
        var n = 1
        while output.count == 0 {
            n += 1
            log.record(Self.record(n))
        }
        #expect(output.text.utf8.count >= AccessLog.batchBytes, "a full batch goes out at once")
        #expect(output.text.hasSuffix("\n"))
        log.record(Self.record(n + 1))
        log.flush()
        let lines = output.text.split(separator: "\n")
        #expect(lines.count == n + 1, "every line, in order, nothing lost or repeated")
        #expect(lines.last?.hasSuffix("GET /api/users/\(n + 1) 200") == true)
        log.flush()
        #expect(output.count == 2, "an empty flush writes nothing")
    }

    @Test func aQuietServersLinesGoOutOnTheTimer() throws {
        let (log, output) = Self.log(.text)
        let loop = EmbeddedEventLoop()
        let flusher = log.flushPeriodically(on: loop, every: .milliseconds(200))
        defer { flusher.cancel() }
        log.record(Self.record())
        loop.advanceTime(by: .milliseconds(199))
        #expect(output.count == 0)
        loop.advanceTime(by: .milliseconds(1))
        #expect(output.text.hasSuffix("GET /api/users/1 200\n"))
        try loop.syncShutdownGracefully()
    }

    @Test func piecesEndAtNewlinesWithinTheLimit() {
        let bytes = Array("aaaa\nbb\ncccccccc\nd\n".utf8)
        let pieces = AccessLog.pieces(of: bytes, limit: 8)
        #expect(pieces.map { String(decoding: bytes[$0], as: UTF8.self) } == ["aaaa\nbb\n", "cccccccc", "\nd\n"])
        #expect(AccessLog.pieces(of: [], limit: 8).isEmpty)
    }
}
