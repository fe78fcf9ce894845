import Foundation
import Testing
import TestSupport
@testable import LuaRoutes

/// Middleware, ETag/304, cookies and CORS on host answers on the wire: a real server on a
/// loopback port, raw HTTP/1.1 bytes in and out.
@Suite struct ParityRound2SocketTests {
    static let files: [String: String] = [
        "luaroutes.config.lua": "return { cors = { origin = { 'http://app.test' } } }",
        "pages/api/admin/_middleware.lua": """
            return function(req, res, next)
              if req.headers.authorization ~= "Bearer ok" then return res.status(401).json({ error = "no" }) end
              req.locals.who = "admin"
              next()
              res.setHeader("X-After", "rewritten " .. res.statusCode)
              if req.query.fail then error("middle failed") end
            end
            """,
        "pages/api/admin/x.lua": "return function(req, res) res.setHeader('X-After', 'route'); res.send(req.locals.who) end",
        "pages/api/hello.lua": "return function(req, res) res.cookie('a', '1', { httpOnly = true }); res.cookie('b', '2'); res.send('hello') end",
    ]

    static func get(_ port: Int, _ target: String, _ headers: String = "", method: String = "GET") async throws -> String {
        try await onOwnThread {
            try rawHTTP(port: port, "\(method) \(target) HTTP/1.1\r\nHost: x\r\n\(headers)Connection: close\r\n\r\n")
        }
    }

    static func header(_ name: String, in text: String) -> [String] {
        text.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
            .filter { $0.lowercased().hasPrefix(name.lowercased() + ": ") }.map { String($0.dropFirst(name.count + 2)) }
    }

    @Test func middlewareShortCircuitRewriteAndErrorOnTheWire() async throws {
        try await withServer(Self.files) { port in
            let denied = try await Self.get(port, "/api/admin/x")
            #expect(denied.hasPrefix("HTTP/1.1 401 "), "\(denied)")
            #expect(denied.hasSuffix(#"{"error":"no"}"#))

            let allowed = try await Self.get(port, "/api/admin/x", "Authorization: Bearer ok\r\n")
            #expect(allowed.hasPrefix("HTTP/1.1 200 "), "\(allowed)")
            #expect(allowed.hasSuffix("\r\n\r\nadmin"))
            #expect(Self.header("X-After", in: allowed) == ["rewritten 200"])

            let failed = try await Self.get(port, "/api/admin/x?fail=1", "Authorization: Bearer ok\r\n")
            #expect(failed.hasPrefix("HTTP/1.1 500 "), "\(failed)")
            #expect(failed.hasSuffix(#"{"error":"Internal Server Error"}"#))
        }
    }

    @Test func etagAnd304OnTheWireIncludingHead() async throws {
        try await withServer(Self.files) { port in
            let first = try await Self.get(port, "/api/hello")
            let tag = try #require(Self.header("ETag", in: first).first)
            let cached = try await Self.get(port, "/api/hello", "If-None-Match: \(tag)\r\n")
            #expect(cached.hasPrefix("HTTP/1.1 304 "), "\(cached)")
            #expect(cached.hasSuffix("\r\n\r\n"), "no body")
            #expect(Self.header("Content-Length", in: cached).isEmpty)
            let head = try await Self.get(port, "/api/hello", method: "HEAD")
            #expect(Self.header("ETag", in: head) == [tag])
            #expect(Self.header("Content-Length", in: head) == ["5"])
            let headCached = try await Self.get(port, "/api/hello", "If-None-Match: W/\(tag)\r\n", method: "HEAD")
            #expect(headCached.hasPrefix("HTTP/1.1 304 "), "\(headCached)")
        }
    }

    @Test func severalSetCookieFieldsOnTheWire() async throws {
        try await withServer(Self.files) { port in
            let text = try await Self.get(port, "/api/hello")
            #expect(Self.header("Set-Cookie", in: text) == ["a=1; Path=/; HttpOnly", "b=2; Path=/"], "\(text)")
        }
    }

    @Test func corsHeadersOnTheHostsOwnAnswers() async throws {
        try await withServer(Self.files) { port in
            let origin = "Origin: http://app.test\r\n"
            let missing = try await Self.get(port, "/api/nothing-here", origin)
            #expect(missing.hasPrefix("HTTP/1.1 404 "), "\(missing)")
            #expect(Self.header("Access-Control-Allow-Origin", in: missing) == ["http://app.test"])
            let slash = try await Self.get(port, "/api/hello/", origin)
            #expect(slash.hasPrefix("HTTP/1.1 308 "))
            #expect(Self.header("Access-Control-Allow-Origin", in: slash) == ["http://app.test"])
            let other = try await Self.get(port, "/api/nothing-here", "Origin: http://evil.test\r\n")
            #expect(Self.header("Access-Control-Allow-Origin", in: other).isEmpty, "only an allowed origin")
            let tooBig = try await onOwnThread {
                try rawHTTP(port: port, "POST /api/hello HTTP/1.1\r\nHost: x\r\n\(origin)Content-Length: 2000000\r\n\r\n")
            }
            #expect(tooBig.hasPrefix("HTTP/1.1 413 "), "\(tooBig)")
            #expect(Self.header("Access-Control-Allow-Origin", in: tooBig) == ["http://app.test"])
        }
    }
}
