import NIOCore
import NIOHTTP1
import Testing
@testable import LuaRoutes

/// What one connection does with several requests, HTTP versions and headers, through a
/// loopback socket (``HTTPConnectionHandler`` and ``HTTPResponseSerializer``).
@Suite struct ConnectionTests {
    static func files(upstreamPort: Int = 1) -> [String: String] {
        [
            "pages/api/user.lua": "return function(req, res) res.status(200).json({ name = 'John Doe' }) end",
            "pages/api/users/[id].lua": "return function(req, res) res.json({ id = req.query.id }) end",
            "pages/api/echo.lua": "return function(req, res) res.send(req.rawBody or '') end",
            "pages/api/slow.lua": """
                return { config = { fetch = { allow = { '127.0.0.1' } } }, handler = function(req, res)
                  local r = fetch('http://127.0.0.1:\(upstreamPort)/slow')
                  res.send('slow:' .. r.body)
                end }
                """,
        ]
    }

    /// The HTTP/1.1 answers in `text`, in order: status line and body of each.
    static func answers(_ text: String) -> [(status: String, body: String)] {
        text.components(separatedBy: "HTTP/1.").dropFirst().map { part in
            let status = part.components(separatedBy: "\r\n")[0]
            let body = part.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
            return ("HTTP/1." + status, body)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrderEvenWhenTheFirstWaits() async throws {
        let up = try await Upstream { _ in UpstreamReply(body: Array("up".utf8), delay: .milliseconds(200)) }
        let text = try await withServer(Self.files(upstreamPort: up.port)) { port in
            try rawHTTP(port: port, "GET /api/slow HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /api/users/1 HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /api/users/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        }
        try await up.close()
        let answers = Self.answers(text)
        #expect(answers.map(\.body) == ["slow:up", #"{"id":"1"}"#, "hello", #"{"id":"2"}"#], "\(text)")
        #expect(answers.allSatisfy { $0.status == "HTTP/1.1 200 OK" })
    }

    @Test func malformedInputAfterGoodRequestsIsAnsweredAfterThem() async throws {
        let text = try await withServer(Self.files()) { port in
            try rawHTTP(port: port, "GET /api/users/1 HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\nGET /api/users/2 HTTP/1.1\r\n\r\n")
        }
        let answers = Self.answers(text)
        #expect(answers.map(\.status) == ["HTTP/1.1 200 OK", "HTTP/1.1 400 Bad Request"], "\(text)")
        #expect(answers.last?.body == #"{"error":"Bad Request"}"#)
    }

    @Test func everyAnswerCarriesADate() async throws {
        let text = try await withServer(Self.files()) { port in
            try rawHTTP(port: port, "GET /api/user HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        }
        let date = text.components(separatedBy: "\r\n").first { $0.hasPrefix("Date: ") }
        // IMF-fixdate, e.g. "Date: Thu, 26 Nov 2026 02:30:00 GMT".
        #expect(date?.wholeMatch(of: /Date: [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT/) != nil, "\(text)")
    }

    @Test func http10ClosesUnlessAskedToKeepAlive() async throws {
        let (plain, kept) = try await withServer(Self.files()) { port in
            (try rawHTTP(port: port, "GET /api/user HTTP/1.0\r\n\r\n"),
             try rawHTTP(port: port, "GET /api/users/1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /api/users/2 HTTP/1.0\r\n\r\n"))
        }
        #expect(plain.hasPrefix("HTTP/1.0 200 OK\r\n"))
        #expect(plain.contains("\r\nConnection: close\r\n"))
        #expect(plain.hasSuffix(#"{"name":"John Doe"}"#))
        let answers = Self.answers(kept)
        #expect(answers.map(\.body) == [#"{"id":"1"}"#, #"{"id":"2"}"#], "\(kept)")
        #expect(kept.contains("\r\nConnection: keep-alive\r\n"))
    }

    @Test func expectContinueGets100BeforeTheBody() async throws {
        let text = try await withServer(Self.files()) { port in
            try rawHTTP(port: port, "POST /api/echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
        }
        #expect(text.hasPrefix("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"), "\(text)")
        #expect(text.hasSuffix("\r\n\r\nhi"))
    }

    @Test func expectContinueOverTheLimitGets413Instead() async throws {
        let text = try await withServer(Self.files()) { port in
            try rawHTTP(port: port, "POST /api/echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000000\r\n\r\n")
        }
        #expect(text.hasPrefix("HTTP/1.1 413 Payload Too Large\r\n"), "\(text)")
        #expect(!text.contains("100 Continue"))
        #expect(text.hasSuffix(#"{"error":"Body exceeded 1mb limit"}"#))
    }

    @Test func headersThatCouldSplitAResponseAreNeverWritten() {
        var serializer = HTTPResponseSerializer()
        let allocator = ByteBufferAllocator()
        for bad in [("X-Bad", "a\r\nSet-Cookie: x=1"), ("X Bad", "v"), ("", "v"), ("X-Nul", "a\u{0}b")] {
            let response = APIResponse(status: 200, headers: [bad, ("Content-Length", "2")], body: Array("ok".utf8))
            let bytes = serializer.serialize(response, version: .http1_1, keepAlive: true, allocator: allocator)
            let text = String(buffer: bytes)
            #expect(text.hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"), "\(bad)")
            #expect(!text.contains("Set-Cookie"))
            #expect(text.hasSuffix(#"{"error":"Internal Server Error"}"#))
        }
    }

    @Test func responsesAreSerializedWholeInOrder() {
        var serializer = HTTPResponseSerializer()
        let response = APIResponse(status: 404, headers: [("Content-Type", "text/plain"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("Content-Length", "1")],
                                   body: Array("x".utf8))
        let text = String(buffer: serializer.serialize(response, version: .http1_1, keepAlive: false, allocator: ByteBufferAllocator()))
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines[0] == "HTTP/1.1 404 Not Found")
        #expect(Array(lines[1...4]) == ["Content-Type: text/plain", "Set-Cookie: a=1", "Set-Cookie: b=2", "Content-Length: 1"])
        #expect(lines[5].hasPrefix("Date: "))
        #expect(Array(lines[6...]) == ["Connection: close", "", "x"])
    }
}
