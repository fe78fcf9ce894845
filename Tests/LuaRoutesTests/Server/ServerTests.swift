import Testing
import TestSupport
@testable import LuaRoutes

/// Through a real loopback socket: the NIO half of the host, including what malformed or
/// oversized HTTP gets.
@Suite struct ServerTests {
    static let files = [
        "pages/api/user.lua": "return function(req, res) res.status(200).json({ name = 'John Doe' }) end",
        "pages/api/boom.lua": "return function(req, res) error('boom') end",
        "pages/api/echo.lua": "return function(req, res) res.send(req.rawBody or '') end",
        "pages/api/broken.lua": "return function(",
        "pages/api/users/[id].lua": "return function(req, res) res.json({ id = req.query.id }) end",
    ]

    @Test func servesJSONOverHTTP() async throws {
        let answer = try await withServer(Self.files) { port in
            try rawHTTP(port: port, "GET /api/user HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        }
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(answer.lowercased().contains("content-type: application/json; charset=utf-8\r\n"))
        #expect(answer.lowercased().contains("content-length: 19\r\n"))
        #expect(answer.hasSuffix("\r\n\r\n{\"name\":\"John Doe\"}"))
    }

    /// req.body's kind comes from the first Content-Type field as the parser recorded it
    /// (docs/reference.md section 4): case, parameters, `+json`, a second Content-Type, a
    /// malformed one.
    @Test func theBodysKindComesFromTheFirstContentTypeOverHTTP() async throws {
        let files = [
            "luaroutes.config.lua": "return { json = { sortKeys = true } }",
            "pages/api/kind.lua": "return function(req, res) res.json({ kind = type(req.body), a = type(req.body) == 'table' and req.body.a or nil }) end",
        ]
        let cases: [(fields: String, body: String, expected: String)] = [
            ("Content-Type: application/json\r\n", #"{"a":1}"#, #"{"a":1,"kind":"table"}"#),
            ("content-type: Application/JSON; charset=utf-8\r\n", #"{"a":2}"#, #"{"a":2,"kind":"table"}"#),
            ("Content-Type: application/vnd.api+json\r\n", #"{"a":3}"#, #"{"a":3,"kind":"table"}"#),
            ("Content-Type: application/x-www-form-urlencoded\r\n", "a=4", #"{"a":"4","kind":"table"}"#),
            ("Content-Type: text/plain\r\n", #"{"a":5}"#, #"{"kind":"string"}"#),
            ("Content-Type: text/plain\r\nContent-Type: application/json\r\n", #"{"a":6}"#, #"{"kind":"string"}"#),
            ("Content-Type: application/json; charset\r\n", #"{"a":7}"#, #"{"kind":"string"}"#),
            ("", #"{"a":8}"#, #"{"kind":"string"}"#),
        ]
        try await withServer(files) { port in
            for (fields, body, expected) in cases {
                let request = "POST /api/kind HTTP/1.1\r\nHost: x\r\n\(fields)Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
                let answer = try await onOwnThread { try rawHTTP(port: port, request) }
                #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n") && answer.hasSuffix("\r\n\r\n" + expected), "\(fields): \(answer)")
            }
        }
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        let answer = try await withServer(Self.files) { port in
            try rawHTTP(port: port, "GET /api/users/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /api/users/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        }
        #expect(answer.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
        #expect(answer.contains(#"{"id":"1"}"#) && answer.contains(#"{"id":"2"}"#))
    }

    @Test func errorsAndBrokenRoutesLeaveTheServerServing() async throws {
        let answers = try await withServer(Self.files) { port in
            [try rawHTTP(port: port, "GET /api/boom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
             try rawHTTP(port: port, "GET /api/broken HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
             try rawHTTP(port: port, "GET /api/user HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")]
        }
        #expect(answers[0].hasPrefix("HTTP/1.1 500"))
        #expect(answers[0].hasSuffix(#"{"error":"Internal Server Error"}"#))
        #expect(answers[1].hasPrefix("HTTP/1.1 500"))
        #expect(answers[2].hasPrefix("HTTP/1.1 200"))
    }

    @Test(arguments: [
        "GARBAGE\r\n\r\n",
        "GET /api/user HTTP/9.9\r\n\r\n",
        "GET /api/user HTTP/1.1\r\nBad Header Line\r\n\r\n",
        "GET /api/u ser HTTP/1.1\r\n\r\n",
        "POST /api/echo HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
    ])
    func malformedRequestsGetJSON400(request: String) async throws {
        let answer = try await withServer(Self.files) { port in try rawHTTP(port: port, request) }
        #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(answer)")
        #expect(answer.hasSuffix(#"{"error":"Bad Request"}"#))
        #expect(answer.lowercased().contains("connection: close"))
    }

    @Test func oversizedHeadersGet431() async throws {
        let big = String(repeating: "a", count: 100_000)
        let answer = try await withServer(Self.files) { port in
            try rawHTTP(port: port, "GET /api/user HTTP/1.1\r\nX-Big: \(big)\r\n\r\n")
        }
        #expect(answer.hasPrefix("HTTP/1.1 431"), "\(answer.prefix(100))")
        #expect(answer.hasSuffix(#"{"error":"Request Header Fields Too Large"}"#))
    }

    @Test func announcedOversizedBodyIsRefusedBeforeItIsRead() async throws {
        // Announces 1 GB and sends none of it: the answer must come from the header alone.
        let answer = try await withServer(Self.files) { port in
            try rawHTTP(port: port, "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n")
        }
        #expect(answer.hasPrefix("HTTP/1.1 413"))
        #expect(answer.hasSuffix(#"{"error":"Body exceeded 1mb limit"}"#))
    }

    @Test func chunkedBodyOverTheLimitIsRefused() async throws {
        var request = "POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        let chunk = String(repeating: "x", count: 65536)
        for _ in 0..<20 { request += String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n" }
        request += "0\r\n\r\n"
        let answer = try await withServer(Self.files) { [request] port in try rawHTTP(port: port, request) }
        #expect(answer.hasPrefix("HTTP/1.1 413"))
    }

    @Test func bodyUnderTheLimitIsEchoed() async throws {
        let answer = try await withServer(Self.files) { port in
            try rawHTTP(port: port, "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
        }
        #expect(answer.hasSuffix("\r\n\r\nhello"))
    }

    @Test func unknownPathsAndTraversalAre404() async throws {
        let answers = try await withServer(Self.files) { port in
            try ["/api/user.lua", "/pages/api/user.lua", "/api/../pages/api/user.lua", "/nothing"].map {
                try rawHTTP(port: port, "GET \($0) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            }
        }
        for answer in answers {
            #expect(answer.hasPrefix("HTTP/1.1 404"))
            #expect(answer.hasSuffix(#"{"error":"Not Found"}"#))
        }
    }
}
