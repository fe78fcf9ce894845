import Testing
@testable import LuaRoutes

/// A Lua expression a handler evaluates, and the text `tostring` must give for it.
struct EscapeProbe: Sendable, CustomTestStringConvertible {
    let expression: String
    let expected: String
    init(_ expression: String, _ expected: String) {
        self.expression = expression
        self.expected = expected
    }
    var testDescription: String { expression }
}

/// What docs/reference.md section 6 removes stays removed, and what it refuses stays refused.
private let probes: [EscapeProbe] = [
    EscapeProbe("io", "nil"), EscapeProbe("debug", "nil"), EscapeProbe("package", "nil"),
    EscapeProbe("dofile", "nil"), EscapeProbe("loadfile", "nil"), EscapeProbe("_G", "nil"),
    EscapeProbe("os.execute", "nil"), EscapeProbe("os.exit", "nil"), EscapeProbe("os.getenv", "nil"),
    EscapeProbe("os.remove", "nil"), EscapeProbe("os.rename", "nil"), EscapeProbe("os.tmpname", "nil"),
    EscapeProbe("os.setlocale", "nil"), EscapeProbe("string.dump", "nil"), EscapeProbe("(''). dump", "nil"),
    EscapeProbe("getmetatable('')", "false"),
    EscapeProbe("pcall(collectgarbage, 'collect')", "false"),
    EscapeProbe("pcall(collectgarbage, 'stop')", "false"),
    EscapeProbe("math.type(collectgarbage('count'))", "float"),
    // binary chunks: from a string and from a reader function
    EscapeProbe("select(2, load('\\27Lua' .. string.rep('\\0', 40))):match('binary chunk') ~= nil", "true"),
    EscapeProbe("select(2, load(coroutine.wrap(function() coroutine.yield('\\27Lua\\84\\0') end))):match('binary chunk') ~= nil", "true"),
    EscapeProbe("select(2, load('\\27Lua', 'x', 'b')):match('binary chunk') ~= nil", "true"),
    EscapeProbe("pcall(load, 'return 1', 'x', 't', {})", "false"),
    EscapeProbe("select(2, pcall(require, 'binary')):match('binary chunk') ~= nil", "true"),
    EscapeProbe("select(2, pcall(require, '..secret')):match('module name expected') ~= nil", "true"),
    EscapeProbe("pcall(setmetatable, {}, { __gc = function() end })", "false"),
    EscapeProbe("pcall(function() env.X = 1 end)", "false"),
    EscapeProbe("pcall(rawset, env, 'X', 1)", "false"),
    EscapeProbe("pcall(setmetatable, env, {})", "false"),
    EscapeProbe("pcall(function() json.encode = nil end)", "false"),
    EscapeProbe("getmetatable(env)", "false"),
    EscapeProbe("env.X", "secret-free"),
]

@Suite struct SandboxEscapeTests {
    @Test(arguments: probes)
    func staysClosed(_ probe: EscapeProbe) async throws {
        try await withProject([
            "pages/api/probe.lua": "return function(req, res) res.send(tostring(\(probe.expression))) end",
            "lib/binary.lua": "\u{1B}Lua\u{54}\u{00}\u{19}\u{93}\r\n\u{1A}\n",
        ], environment: ["X": "secret-free"]) { app in
            let response = await app.request("GET", "/api/probe")
            #expect(response.status == 200, "\(response.text)\n\(app.logText)")
            #expect(response.text == probe.expected)
        }
    }

    /// `env` is read-only for every request: a write in one is not seen by the next.
    @Test func envWritesAreNotShared() async throws {
        try await withProject([
            "pages/api/env.lua": "return function(req, res) pcall(function() env.X = 'changed' end) res.send(env.X) end",
        ], environment: ["X": "original"]) { app in
            #expect(await app.request("GET", "/api/env").text == "original")
            #expect(await app.request("GET", "/api/env").text == "original")
        }
    }

    /// A `res` kept in a module variable cannot answer a later request.
    @Test func staleResponseCannotAnswerLaterRequest() async throws {
        let route = """
        local saved
        return function(req, res)
          if saved == nil then
            saved = res
            return res.send("first")
          end
          local ok, err = pcall(saved.send, "hijack")
          local ok2 = pcall(saved.status, 418)
          local ok3 = pcall(saved.setHeader, "X-Hijack", "1")
          res.send(tostring(ok) .. "|" .. tostring(err):match("response already sent") .. "|" .. tostring(ok2) .. "|" .. tostring(ok3))
        end
        """
        try await withProject(["pages/api/stale.lua": route]) { app in
            #expect(await app.request("GET", "/api/stale").text == "first")
            let second = await app.request("GET", "/api/stale")
            #expect(second.status == 200)
            #expect(second.text == "false|response already sent|false|false")
            #expect(!second.headers.contains { $0.name.lowercased() == "x-hijack" })
        }
    }

    /// A bare coroutine.yield() in a handler answers 500, and the route serves afterwards.
    @Test func bareYieldAnswers500() async throws {
        let route = "return function(req, res) if req.query.go then coroutine.yield() end res.send('fine') end"
        try await withProject(["pages/api/y.lua": route]) { app in
            let cut = await app.request("GET", "/api/y?go=1")
            #expect(cut.status == 500 && cut.text == internalErrorBody)
            #expect(await app.request("GET", "/api/y").text == "fine")
        }
    }

    /// classify runs outside any request's limits, so it must not call a route's own
    /// metamethods: a looping __pairs or a key's looping __tostring would hang the start-up.
    @Test(arguments: [
        "return setmetatable({}, { __pairs = function() while true do end end })",
        "return { [setmetatable({}, { __tostring = function() while true do end end })] = function() end }",
    ])
    func exportsAreReadRaw(source: String) async throws {
        try await withProject([
            "pages/api/odd.lua": source,
            "pages/api/ok.lua": "return function(req, res) res.send('ok') end",
        ]) { app in
            let odd = await app.request("GET", "/api/odd")
            #expect(odd.status == 500 && odd.text == internalErrorBody)
            #expect(await app.request("GET", "/api/ok").text == "ok")
        }
    }
}
