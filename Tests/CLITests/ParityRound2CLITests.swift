import Foundation
import Testing

/// Middleware, ETag/304 and cookies through the real binary: `routes`, `request` and `test`.
@Suite struct ParityRound2CLITests {
    static let app = [
        "pages/api/_middleware.lua": "return function(req, res, next) next(); res.setHeader('X-Chain', 'root') end",
        "pages/api/admin/_middleware.lua": """
            return function(req, res, next)
              if req.headers.authorization ~= 'Bearer ok' then return res.status(401).json({ error = 'no' }) end
              next()
            end
            """,
        "pages/api/admin/users.lua": "return { GET = function(req, res) res.cookie('seen', 'yes').json({ 'ada' }) end }",
        "pages/api/hello.lua": "return function(req, res) res.send('hello') end",
        "pages/api/_midleware.lua": "return function() end",
        "tests/chain.hurl": """
            GET {{host}}/api/admin/users
            HTTP 401

            GET {{host}}/api/admin/users
            Authorization: Bearer ok
            HTTP 200
            X-Chain: root
            [Captures]
            tag: header "ETag"
            [Asserts]
            header "Set-Cookie" == "seen=yes; Path=/"

            GET {{host}}/api/admin/users
            Authorization: Bearer ok
            If-None-Match: {{tag}}
            HTTP 304
            """,
    ]

    @Test func routesShowsEachChainAndWarnsAboutAMisspelling() throws {
        let root = try CLI.project(Self.app)
        let result = try CLI.run(["routes", "--root", root])
        #expect(result.status == 0)
        #expect(result.stdout == """
            /api/admin/users  pages/api/admin/users.lua  GET  middleware: pages/api/_middleware.lua > pages/api/admin/_middleware.lua
            /api/hello        pages/api/hello.lua        ANY  middleware: pages/api/_middleware.lua

            """)
        #expect(result.stderr.contains("warning: pages/api/_midleware.lua is ignored"), "\(result.stderr)")
    }

    @Test func requestRunsTheChain() throws {
        let root = try CLI.project(Self.app)
        let denied = try CLI.run(["request", "--root", root, "-i", "GET", "/api/admin/users"])
        #expect(denied.stdout.hasPrefix("HTTP/1.1 401 Unauthorized\n"), "\(denied.stdout)")
        #expect(denied.stdout.contains("\nX-Chain: root\n"))
        let allowed = try CLI.run(["request", "--root", root, "-i", "-H", "Authorization: Bearer ok", "GET", "/api/admin/users"])
        #expect(allowed.stdout.hasPrefix("HTTP/1.1 200 OK\n"), "\(allowed.stdout)")
        #expect(allowed.stdout.contains("\nSet-Cookie: seen=yes; Path=/\n"))
        #expect(allowed.stdout.hasSuffix("\n\n[\"ada\"]"))
        let tag = try #require(allowed.stdout.split(separator: "\n").first { $0.hasPrefix("ETag: ") }?.dropFirst(6))
        let cached = try CLI.run(["request", "--root", root, "-i", "-H", "Authorization: Bearer ok", "-H", "If-None-Match: \(tag)",
                                  "GET", "/api/admin/users"])
        #expect(cached.stdout.hasPrefix("HTTP/1.1 304 Not Modified\n"), "\(cached.stdout)")
    }

    @Test func testRunsHurlFilesThroughTheChain() throws {
        let root = try CLI.project(Self.app)
        let result = try CLI.run(["test", "--root", root])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout == "tests/chain.hurl: OK (3 entries)\n1 passed, 0 failed\n", "\(result.stdout)")
    }
}
