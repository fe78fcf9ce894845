import Foundation
import Testing
import TestSupport
@testable import LuaRoutes

/// A Lua chunk run both inside a route and by stock `lua5.4`: what it returns must be the same.
struct StockProbe: Sendable, CustomTestStringConvertible {
    let name: String
    let code: String
    init(_ name: String, _ code: String) {
        self.name = name
        self.code = code
    }
    var testDescription: String { name }
}

/// `show(...)`: the values as text, joined by spaces (nil and errors included).
private let showHelper = "local function show(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end return table.concat(t, ' ') end; "

/// Where the sandbox replaces a standard function, it behaves as Lua 5.4.4's own (issue 13,
/// part 4). Each chunk is loaded as `x.lua` on both sides, so messages carry the same position.
private let probes: [StockProbe] = [
    StockProbe("%z matches a zero byte", "return show(string.find('a\\0b', '%z')) .. '|' .. show(string.find('xyz', '%z')) .. '|' .. show(string.match('a\\0\\0b', '%Z+()'))"),
    StockProbe("%z in a set and a frontier", "return show(string.find('ab\\0', '[%z]')) .. '|' .. show(string.gsub('a\\0b', '%f[%z]', '<'))"),
    StockProbe("wrap closes its coroutine after an error", """
        local log = {}
        local f = coroutine.wrap(function()
          local x <close> = setmetatable({}, { __close = function(_, e) log[#log + 1] = 'closed:' .. tostring(e) end })
          error('boom')
        end)
        return show(pcall(f)) .. '|' .. show(log[1])
        """),
    StockProbe("an error while closing replaces the original", """
        local f = coroutine.wrap(function()
          local x <close> = setmetatable({}, { __close = function() error('from close') end })
          error('orig')
        end)
        return show(pcall(f))
        """),
    StockProbe("wrap adds the caller's position", """
        local f = coroutine.wrap(function() error({}) end)
        local g = coroutine.wrap(function() error('plain', 0) end)
        local ok, e = pcall(function() g() end)
        return show(type(select(2, pcall(f)))) .. '|' .. show(ok, e) .. '|' .. show(pcall(function() g() end))
        """),
    StockProbe("string.rep past 2^31 is an ordinary error", "return show(pcall(string.rep, 'x', 2^31)) .. '|' .. show(pcall(string.rep, 'xy', 2^30, ',')) .. '|' .. show(pcall(error, 'after'))"),
    StockProbe("load honours its mode", "return show(load('return 1', '=x', 'b')) .. '|' .. show(load('return 1', '=x', 'q')) .. '|' .. show(load('return 1', '=x', 't')())"),
    StockProbe("load's argument errors", "return show(pcall(load)) .. '|' .. show(pcall(load, 'return 1', {}))"),
    StockProbe("setmetatable checks its arguments", "return show(pcall(setmetatable, {})) .. '|' .. show(pcall(function() setmetatable({}) end)) .. '|' .. show(pcall(setmetatable, 1, {})) .. '|' .. show(pcall(setmetatable, setmetatable({}, { __metatable = 1 }), {}))"),
    StockProbe("coroutine wrappers name the public function", "return show(pcall(function() coroutine.wrap(1) end)) .. '|' .. show(pcall(coroutine.wrap)) .. '|' .. show(pcall(function() local w = coroutine.wrap; w() end))"),
    StockProbe("resume and close check their argument", "return show(pcall(coroutine.resume, 1)) .. '|' .. show(pcall(function() coroutine.resume() end)) .. '|' .. show(pcall(function() coroutine.close({}) end))"),
    StockProbe("close of a running coroutine points at the caller", "return show(pcall(function() coroutine.close(coroutine.running()) end))"),
    StockProbe("xpcall checks its handler", "return show(pcall(function() xpcall(error) end)) .. '|' .. show(pcall(xpcall, error, 1)) .. '|' .. show(xpcall(error, function(m) return 'h:' .. m end, 'e', 0))"),
    StockProbe("table.remove names argument #1", "return show(pcall(table.remove, {1, 2, 3}, 7))"),
    StockProbe("print reports a bad __tostring at the caller", "return show(pcall(function() print(setmetatable({}, { __tostring = function() return {} end })) end)) .. '|' .. show(pcall(print, setmetatable({}, { __tostring = function() error('in tostring') end }), 'a'))"),
]

struct StockLuaMissing: Error, CustomStringConvertible {
    var description: String { "/usr/bin/lua5.4 is missing: scripts/setup.sh lua5.4 installs it" }
}

/// Runs `code` under stock lua5.4, loaded as `x.lua`, and returns what it wrote.
func stockLua(_ code: String) throws -> String {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/lua5.4") else { throw StockLuaMissing() }
    let process = ChildProcess()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/lua5.4")
    process.arguments = ["-e", "io.write(assert(load(io.read('a'), '@x.lua'))())"]
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    input.fileHandleForWriting.write(Data(code.utf8))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

@Suite struct StockBehaviourTests {
    @Test(arguments: probes)
    func routeMatchesStockLua(_ probe: StockProbe) async throws {
        let code = showHelper + probe.code
        let expected = try stockLua(code)
        #expect(!expected.isEmpty)
        let escaped = code.replacingOccurrences(of: "]==]", with: "")
        try await withProject([
            "pages/api/probe.lua": "return function(req, res) res.send(assert(load([==[\(escaped)]==], '@x.lua'))()) end",
        ]) { app in
            let response = await app.request("GET", "/api/probe")
            #expect(response.status == 200, "\(response.text)\n\(app.logText)")
            #expect(response.text == expected)
            #expect(!app.logText.contains("limits."), "\(app.logText)")
        }
    }

    /// `string.rep` past Lua's bound is not a memory-limit hit: the state is kept and a later
    /// error in the same request is reported as that error.
    @Test func hugeRepLeavesTheStateServing() async throws {
        try await withProject([
            "pages/api/rep.lua": """
                local count = 0
                return function(req, res)
                  count = count + 1
                  local ok, err = pcall(string.rep, 'x', 2^31)
                  if req.query.fail then error('plain failure') end
                  res.send(tostring(ok) .. ' ' .. err .. ' ' .. count)
                end
                """,
        ]) { app in
            #expect(await app.request("GET", "/api/rep").text == "false resulting string too large 1")
            let failed = await app.request("GET", "/api/rep?fail=1")
            #expect(failed.status == 500)
            #expect(app.logText.contains("plain failure"), "\(app.logText)")
            #expect(!app.logText.contains("limits.memory"), "\(app.logText)")
            #expect(await app.request("GET", "/api/rep").text == "false resulting string too large 3")
        }
    }
}
