import Testing
@testable import LuaRoutes

/// ETag and 304 (docs/reference.md section 10) through the Dispatcher; ETagSocketTests
/// checks the same on the wire.
@Suite struct ETagTests {
    static let files = [
        "pages/api/hello.lua": "return function(req, res) res.send('hello') end",
        "pages/api/own.lua": "return function(req, res) res.setHeader('ETag', 'W/\"v7\"').send('mine') end",
        "pages/api/created.lua": "return function(req, res) res.status(201).send('new') end",
        "pages/api/echo.lua": "return function(req, res) res.send(req.query.v) end",
    ]

    @Test func a200GetCarriesAStrongETagAndIfNoneMatchGives304() async throws {
        try await withProject(Self.files) { app in
            let first = await app.request("GET", "/api/hello")
            let tag = try #require(first.header("ETag"))
            #expect(tag.hasPrefix("\"") && tag.hasSuffix("-5\""), "strong, ends with the length: \(tag)")
            #expect(await app.request("GET", "/api/hello").header("ETag") == tag, "same bytes, same tag")

            let again = await app.request("GET", "/api/hello", headers: [("If-None-Match", tag)])
            #expect(again.status == 304)
            #expect(again.body.isEmpty)
            #expect(again.header("ETag") == tag)
            #expect(again.header("Content-Length") == nil && again.header("Content-Type") == nil)

            let stale = await app.request("GET", "/api/hello", headers: [("If-None-Match", "\"other\"")])
            #expect(stale.status == 200 && stale.text == "hello")
        }
    }

    @Test func listsStarAndWeakComparison() async throws {
        try await withProject(Self.files) { app in
            let tag = try #require(await app.request("GET", "/api/hello").header("ETag"))
            for condition in ["\"a\", \(tag)", "W/\(tag)", "*", "\"x\",W/\(tag) , \"y\""] {
                #expect(await app.request("GET", "/api/hello", headers: [("If-None-Match", condition)]).status == 304, "\(condition)")
            }
            #expect(await app.request("GET", "/api/hello", headers: [("If-None-Match", "\"a\", \"b\"")]).status == 200)
        }
    }

    @Test func headGetsTheSameTagAnd304() async throws {
        try await withProject(Self.files) { app in
            let tag = try #require(await app.request("GET", "/api/hello").header("ETag"))
            let head = await app.request("HEAD", "/api/hello")
            #expect(head.header("ETag") == tag, "HEAD's tag is the one GET's body has")
            #expect(head.body.isEmpty)
            #expect(await app.request("HEAD", "/api/hello", headers: [("If-None-Match", tag)]).status == 304)
        }
    }

    @Test func aHandlerSetETagIsKept() async throws {
        try await withProject(Self.files) { app in
            let own = await app.request("GET", "/api/own")
            #expect(own.headerValues("ETag") == ["W/\"v7\""])
            #expect(await app.request("GET", "/api/own", headers: [("If-None-Match", "\"v7\"")]).status == 304)
        }
    }

    @Test func onlyA200ToGetOrHeadIsTagged() async throws {
        try await withProject(Self.files) { app in
            #expect(await app.request("GET", "/api/created").header("ETag") == nil)
            #expect(await app.request("POST", "/api/hello").header("ETag") == nil)
            #expect(await app.request("GET", "/api/missing").header("ETag") == nil)
            let a = await app.request("GET", "/api/echo?v=a").header("ETag")
            let b = await app.request("GET", "/api/echo?v=b").header("ETag")
            #expect(a != nil && a != b, "a different body gets a different tag")
        }
    }

    @Test func generateEtagsFalseTurnsItOff() async throws {
        var files = Self.files
        files["luaroutes.config.lua"] = "return { generateEtags = false }"
        try await withProject(files) { app in
            #expect(await app.request("GET", "/api/hello").header("ETag") == nil)
            #expect(await app.request("GET", "/api/own", headers: [("If-None-Match", "\"v7\"")]).status == 304,
                    "a handler's own ETag still answers 304")
        }
    }

    @Test func aBadGenerateEtagsIsAStartUpError() throws {
        #expect(throws: ConfigError.self) { try ProjectConfig.parse(.table([(.string("generateEtags"), .string("no"))])) }
    }

    @Test func theHashSeesEveryByte() {
        var seen = Set<String>()
        var body = [UInt8](repeating: 0, count: 37)
        for i in 0..<body.count {
            body[i] = 1
            seen.insert(ETag.strongTag(of: body))
            body[i] = 0
        }
        #expect(seen.count == 37, "flipping any one byte changes the tag")
        #expect(ETag.strongTag(of: []) != ETag.strongTag(of: [0]))
    }
}
