import Foundation
import Testing
@testable import LuaRoutes

/// res.cookie and res.clearCookie (docs/reference.md section 11) through the Dispatcher.
@Suite struct CookieTests {
    static func route(_ body: String) -> [String: String] {
        ["pages/api/c.lua": "return function(req, res)\n\(body)\nend"]
    }

    @Test func eachCookieIsItsOwnSetCookieField() async throws {
        let body = """
            res.cookie("session", "abc123", { httpOnly = true, secure = true, sameSite = "lax", maxAge = 3600 })
            res.cookie("theme", "dark", { path = "/api", domain = "example.test", expires = 0 })
            res.clearCookie("old")
            res.send("ok")
            """
        try await withProject(Self.route(body)) { app in
            let answer = await app.request("GET", "/api/c")
            #expect(answer.status == 200)
            #expect(answer.headerValues("Set-Cookie") == [
                "session=abc123; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax",
                "theme=dark; Path=/api; Domain=example.test; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                "old=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
            ])
        }
    }

    @Test func anEarlierSetHeaderIsKept() async throws {
        try await withProject(Self.route("res.setHeader('Set-Cookie', 'a=1'); res.cookie('b', '2'); res.send('')")) { app in
            #expect(await app.request("GET", "/api/c").headerValues("Set-Cookie") == ["a=1", "b=2; Path=/"])
        }
    }

    @Test(arguments: [
        ("res.cookie('bad name', 'v')", "cookie name \"bad name\" is not a token"),
        ("res.cookie('n', 'a;b')", "cookie value \"a;b\" has a character RFC 6265 does not allow"),
        ("res.cookie('n', 'a b')", "does not allow"),
        ("res.cookie('n', {})", "cookie value must be a string, got table"),
        ("res.cookie('n', 'v', { maxage = 1 })", "unknown option maxage"),
        ("res.cookie('n', 'v', { maxAge = 1.5 })", "option maxAge must be a whole number of seconds"),
        ("res.cookie('n', 'v', { sameSite = 'none' })", "sameSite = \"None\" needs secure = true"),
        ("res.cookie('n', 'v', { sameSite = 'sometimes' })", "option sameSite must be"),
        ("res.cookie('n', 'v', { path = '/a;b' })", "option path \"/a;b\" has a control character or ;"),
        ("res.send('x'); res.cookie('n', 'v')", "response already sent"),
    ])
    func badInputIsAClearError(code: String, message: String) async throws {
        try await withProject(Self.route(code + "\nres.send('unreached')"), dev: true) { app in
            let answer = await app.request("GET", "/api/c")
            #expect(answer.status == 500)
            let object = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any]
            let text = try #require(object?["message"] as? String, "\(answer.text)")
            #expect(text.contains(message), "\(text)")
            #expect(text.hasPrefix("pages/api/c.lua:2:"), "the error points at the caller's line: \(text)")
        }
    }
}
