import Foundation
import NIOConcurrencyHelpers
import Prometheus
import Testing
import TestSupport
@testable import LuaRoutes

/// HTTP/1.1 rules a request must pass (RFC 9110, RFC 9112) and what the connection does after
/// upgrades and errors, with exact bytes over a loopback socket.
@Suite struct RequestRulesTests {
    static let files = [
        "pages/api/user.lua": "return function(req, res) res.json({ name = 'John Doe' }) end",
        "pages/api/echo.lua": "return function(req, res) res.send(req.rawBody or '') end",
    ]

    /// Every status line in `text`, wherever it starts (an answer may follow a body directly).
    static func statuses(_ text: String) -> [String] {
        text.matches(of: /(HTTP\/1\.[01] \d{3} [A-Za-z -]*)\r\n/).map { String($0.output.1) }
    }

    // MARK: Host (RFC 9112 section 3.2)

    @Test(arguments: [
        ("GET /api/user HTTP/1.1\r\n\r\n", "no Host"),
        ("GET /api/user HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n", "two Hosts"),
        ("GET /api/user HTTP/1.1\r\nHost: a b\r\n\r\n", "a space"),
        ("GET /api/user HTTP/1.1\r\nHost: a/b\r\n\r\n", "a slash"),
        ("GET /api/user HTTP/1.1\r\nHost: user@a.example\r\n\r\n", "userinfo"),
        ("GET /api/user HTTP/1.1\r\nHost: [::1\r\n\r\n", "an open bracket"),
        ("GET /api/user HTTP/1.1\r\nHost: a.example:80x\r\n\r\n", "a port that is not a number"),
        ("GET /api/user HTTP/1.1\r\nHost:\r\n\r\n", "empty"),
        ("GET /api/user HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", "two Hosts in HTTP/1.0"),
    ])
    func badHostIs400AndClose(request: String, why: String) async throws {
        let answer = try await withServer(Self.files) { port in
            let client = try RawConnection(port: port)
            client.send(request)
            return client.readToEnd()
        }
        #expect(answer.text.hasPrefix("HTTP/1."), "\(why): \(answer.text)")
        #expect(answer.text.dropFirst(9).hasPrefix("400 Bad Request\r\n"), "\(why): \(answer.text)")
        #expect(answer.text.hasSuffix(#"{"error":"Bad Request"}"#))
        #expect(answer.end == .closed, "\(why)")
    }

    @Test(arguments: ["Host: example.com", "Host: example.com:8080", "Host: [::1]:3000", "Host: 127.0.0.1", "host: xn--bcher-kva.example"])
    func validHostIsServed(host: String) async throws {
        let answer = try await withServer(Self.files) { port in
            try rawHTTP(port: port, "GET /api/user HTTP/1.1\r\n\(host)\r\nConnection: close\r\n\r\n")
        }
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(host): \(answer)")
    }

    @Test func http10WithoutHostIsServed() async throws {
        let answer = try await withServer(Self.files) { port in try rawHTTP(port: port, "GET /api/user HTTP/1.0\r\n\r\n") }
        #expect(answer.hasPrefix("HTTP/1.0 200 OK\r\n"), "\(answer)")
    }

    // MARK: Upgrade and CONNECT

    /// After the upgrade request is answered, the connection either keeps speaking HTTP/1.1 or
    /// closes: a second request on it must never wait forever.
    @Test(arguments: [
        "GET /api/user HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
        "GET /api/user HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    ])
    func upgradeRequestsAreAnsweredAndNeverHang(request: String) async throws {
        let (text, end) = try await withServer(Self.files) { port in
            let client = try RawConnection(port: port)
            client.send(request)
            let first = client.readFor(seconds: 0.5)
            client.send("GET /api/user HTTP/1.1\r\nHost: x\r\n\r\n")
            let rest = client.readFor(seconds: 3)
            return (first.text + rest.text, first.end ?? rest.end)
        }
        let statuses = Self.statuses(text)
        #expect(statuses.first == "HTTP/1.1 200 OK", "\(text)")
        #expect(end == .closed || statuses.count == 2, "the second request neither answered nor the connection closed: \(text)")
    }

    @Test func connectIsAnsweredThenClosed() async throws {
        let (text, end) = try await withServer(Self.files) { port in
            let client = try RawConnection(port: port)
            client.send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
            return client.readFor(seconds: 3)
        }
        #expect(text.hasPrefix("HTTP/1.1 "), "\(text)")
        #expect(text.contains("Connection: close\r\n"))
        #expect(end == .closed)
    }

    // MARK: Framing

    /// RFC 9112 section 6.1: HTTP/1.0 with Transfer-Encoding is answered, then the connection
    /// closes; what followed the body is not a request.
    @Test func http10WithTransferEncodingIsAnsweredOnceThenClosed() async throws {
        let text = try await withServer(Self.files) { port in
            try rawHTTP(port: port, "POST /api/echo HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
                + "GET /api/user HTTP/1.0\r\n\r\n")
        }
        #expect(Self.statuses(text).count == 1, "\(text)")
        #expect(text.contains("Connection: close\r\n"))
    }

    @Test func transferCodingsOtherThanChunkedAre501() async throws {
        let text = try await withServer(Self.files) { port in
            try rawHTTP(port: port, "POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        }
        #expect(text.hasPrefix("HTTP/1.1 501 Not Implemented\r\n"), "\(text)")
        #expect(text.hasSuffix(#"{"error":"Not Implemented"}"#))
    }

    /// Any token is a method (RFC 9110 section 9.1), llhttp's list or not: a route's own method
    /// functions answer 405 with Allow, a handler route sees it, a body and a kept-alive next
    /// request read as usual; garbage stays 400.
    @Test func aMethodTheParserDoesNotKnowReachesTheRoute() async throws {
        let files = ["pages/api/any.lua": "return function(req, res) res.send(req.method .. ' ' .. (req.body or '-')) end",
                     "pages/api/only.lua": "return { GET = function(req, res) res.send('get') end }"]
        let (unknown, allowed, pipelined, garbage) = try await withServer(files) { port in
            (try rawHTTP(port: port, "FROBNICATE /api/any HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"),
             try rawHTTP(port: port, "FROBNICATE /api/only HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
             try rawHTTP(port: port, "\r\nX /api/any HTTP/1.1\r\nHost: x\r\n\r\nGET /api/any HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
             try rawHTTP(port: port, "GARBAGE\r\n\r\n"))
        }
        #expect(unknown.hasPrefix("HTTP/1.1 200 OK\r\n") && unknown.hasSuffix("\r\n\r\nFROBNICATE hi"), "\(unknown)")
        #expect(allowed.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n") && allowed.contains("Allow: GET, HEAD"), "\(allowed)")
        #expect(pipelined.hasPrefix("HTTP/1.1 200 OK\r\n") && pipelined.contains("\r\n\r\nX -HTTP/1.1 200 OK\r\n")
                && pipelined.hasSuffix("\r\n\r\nGET -"), "\(pipelined)")
        #expect(garbage.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "malformed input stays 400: \(garbage)")
    }

    @Test func http10GetsNo100Continue() async throws {
        let text = try await withServer(Self.files) { port in
            try rawHTTP(port: port, "POST /api/echo HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi")
        }
        #expect(!text.contains("100 Continue"), "\(text)")
        #expect(text.hasPrefix("HTTP/1.0 200 OK\r\n"))
        #expect(text.hasSuffix("\r\n\r\nhi"))
    }

    @Test func aRequestLineWithoutVersionGets400NotSilence() async throws {
        let (text, end) = try await withServer(Self.files) { port in
            let client = try RawConnection(port: port)
            client.send("GET /api/user\r\n")
            return client.readFor(seconds: 3)
        }
        #expect(text.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(text)")
        #expect(end == .closed)
    }

    /// A chunked body over the limit: the 413 arrives and the connection ends with a close
    /// the client can read to the end, not a reset.
    @Test func chunkedBodyOverTheLimitEndsWithAGracefulClose() async throws {
        var request = Array("POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        let chunk = Array("10000\r\n".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 0x10000) + Array("\r\n".utf8)
        for _ in 0..<40 { request += chunk }
        request += Array("0\r\n\r\n".utf8)
        let (text, end) = try await withServer(Self.files) { [request] port in
            let client = try RawConnection(port: port)
            client.send(request)
            client.shutdownWrite()
            return client.readToEnd()
        }
        #expect(text.hasPrefix("HTTP/1.1 413 Payload Too Large\r\n"), "\(text.prefix(100))")
        #expect(end == .closed, "reset instead of a graceful close")
    }

    // MARK: Host answers are observed

    @Test func hostAnswersReachTheAccessLogAndTheMetrics() async throws {
        let lines = NIOLockedValueBox<[UInt8]>([])
        let accessLog = AccessLog(format: .text, write: { bytes in lines.withLockedValue { $0 += bytes } })
        let registry = PrometheusCollectorRegistry()
        let metrics = ServerMetrics(factory: PrometheusMetricsFactory(registry: registry))
        try await withServer(Self.files, accessLog: accessLog, metrics: metrics) { port in
            _ = try rawHTTP(port: port, "GARBAGE\r\n\r\n")
            _ = try rawHTTP(port: port, "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n")
            _ = try rawHTTP(port: port, "GET /api/user HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n")
            _ = try rawHTTP(port: port, "GET /api/user HTTP/1.1\r\n\r\n")
        }
        accessLog.flush()
        let log = String(decoding: lines.withLockedValue { $0 }, as: UTF8.self)
        #expect(log.contains("method=- path=- request="), "\(log)")
        #expect(log.contains("route=- status=400"))
        #expect(log.contains("method=POST path=/api/echo request=") && log.contains("status=413"))
        #expect(log.contains("status=431"))
        let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
        #expect(text.contains(#"luaroutes_requests_total{route="-",status="400"} 2"#), "\(text)")
        #expect(text.contains(#"luaroutes_requests_total{route="-",status="413"} 1"#))
        #expect(text.contains(#"luaroutes_requests_total{route="-",status="431"} 1"#))
    }
}
