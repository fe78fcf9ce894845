import Foundation
import Testing
@testable import LuaRoutes

/// What the contract answers when a limit or an error stops a handler (docs/reference.md section 5).
let internalErrorBody = #"{"error":"Internal Server Error"}"#

/// Small limits, so every case ends fast whatever the machine: the limits stop the work, the
/// tests never look at a clock.
let smallLimits = #"config = { limits = { cpu = "50ms", memory = "8mb" } }"#

/// A handler that misbehaves (the `evil` Lua) and what must stop it.
struct LimitCase: Sendable, CustomTestStringConvertible {
    let name: String
    /// Module-scope Lua, run when the route loads.
    var setup = ""
    /// Lua run by the handler when the request has ?go=1; otherwise the handler answers "fine".
    let evil: String
    /// The key the log must name ("limits.cpu"), or the text it must contain for plain errors.
    let logged: [String]

    var testDescription: String { name }

    /// The route file: `evil` only when asked, so the next request shows the state serves.
    var source: String {
        """
        \(setup)
        return { handler = function(req, res)
          if req.query.go then
        \(evil)
          end
          res.send("fine")
        end, \(smallLimits) }
        """
    }
}

private let loop = "function() while true do end end"

/// A handler body that walks a binary tree of 150 levels, one new coroutine per node (`call`
/// starts a child): 2^150 nodes never finish.
func treeOf(_ call: String) -> String {
    "local function node(d) if d > 0 then \(call); \(call) end end node(150)"
}

private let cases: [LimitCase] = [
    LimitCase(name: "a plain loop", evil: "while true do end", logged: ["limits.cpu exceeded"]),
    LimitCase(name: "a loop that swallows the error with pcall",
              evil: "while true do pcall(\(loop)) end", logged: ["limits.cpu exceeded"]),
    LimitCase(name: "a loop in a gsub callback, under pcall (the error is raised inside C)",
              evil: "while true do pcall(string.gsub, string.rep('x', 100), '.', \(loop)) end", logged: ["limits.cpu exceeded"]),
    LimitCase(name: "a loop in a coroutine the handler made",
              evil: "coroutine.wrap(\(loop))()", logged: ["limits.cpu exceeded"]),
    LimitCase(name: "a loop in a coroutine the handler made, swallowed by pcall",
              evil: "while true do pcall(coroutine.wrap(\(loop))) end", logged: ["limits.cpu exceeded"]),
    LimitCase(name: "a loop in a coroutine created at module scope",
              setup: "local spin = coroutine.wrap(\(loop))", evil: "spin()", logged: ["limits.cpu exceeded"]),
    LimitCase(name: "a backtracking pattern (52 s unguarded)",
              evil: "string.rep('a', 4000):find('.-.-b')", logged: ["limits.cpu exceeded"]),
    LimitCase(name: "a backtracking pattern through the string metatable, in gmatch and gsub, swallowed",
              evil: """
              local s = string.rep('a', 600)
              while true do
                pcall(s.match, s, '.-.-.-b')
                pcall(function() for _ in s:gmatch('.-.-.-b') do end end)
                pcall(string.gsub, s, '.-.-.-b', '')
              end
              """, logged: ["limits.cpu exceeded"]),
    LimitCase(name: "a plain find that compares O(n*m) bytes",
              evil: "string.rep('a', 2000000):find(string.rep('a', 1000000) .. 'b', 1, true)", logged: ["limits.cpu exceeded"]),
    LimitCase(name: "string.rep of a huge result",
              evil: "local s = string.rep('x', 1e9)", logged: ["limits.memory exceeded"]),
    LimitCase(name: "string.rep of a huge result, caught by pcall (the state is still replaced)",
              evil: "local ok = pcall(string.rep, 'x', 1e9); local t = {} for i = 1, 1e9 do t[i] = i end", logged: ["limits.memory exceeded"]),
    LimitCase(name: "many small string.rep calls", evil: "while true do string.rep('ab', 100000) end", logged: ["limits.cpu exceeded"]),
    LimitCase(name: "table.move over a huge range", evil: "table.move({}, 1, 1e9, 2)", logged: ["limits.cpu exceeded"]),
    LimitCase(name: "table.move over a huge range into another table",
              evil: "table.move({}, 1, math.maxinteger - 1, 1, {})", logged: ["limits.cpu exceeded"]),
    LimitCase(name: "table.concat through a C __index (no memory grows)",
              evil: "table.concat(setmetatable({}, { __index = table.concat }), '', 1, 1e12)", logged: ["limits.cpu exceeded"]),
    LimitCase(name: "table.insert with a huge __len",
              evil: "table.insert(setmetatable({}, { __len = function() return 1 << 60 end }), 1, 'x')", logged: ["limits.cpu exceeded"]),
    LimitCase(name: "table.remove with a huge __len",
              evil: "table.remove(setmetatable({}, { __len = function() return 1 << 60 end }), 1)", logged: ["limits.cpu exceeded"]),
    LimitCase(name: "table.unpack through a C __index",
              evil: "while true do table.unpack(setmetatable({}, { __index = table.concat }), 1, 100000) end", logged: ["limits.cpu exceeded"]),
    LimitCase(name: "deep recursion", evil: "local function f() return 1 + f() end f()", logged: ["pages/api/bad.lua"]),
    LimitCase(name: "deep recursion through pcall (C stack)", evil: "local function f() return pcall(f) end while true do f() end",
              logged: ["limits.cpu exceeded"]),
    LimitCase(name: "a table that grows until the cap",
              evil: "local t = {} for i = 1, 1e9 do t[i] = { i } end", logged: ["limits.memory exceeded"]),
    // Only the CPU limit can end a loop that swallows every memory error; both were hit, the log names cpu.
    LimitCase(name: "a table that grows, the memory error swallowed by pcall",
              evil: "local keep = {} while true do pcall(function() local t = {} keep[#keep + 1] = t for i = 1, 1e9 do t[i] = i end end) end",
              logged: ["limits.cpu exceeded"]),
    LimitCase(name: "a string that doubles", evil: "local s = 'x' while true do s = s .. s end", logged: ["limits.memory exceeded"]),
    LimitCase(name: "xpcall(loop, loop)", evil: "xpcall(\(loop), \(loop))", logged: ["limits.cpu exceeded"]),
    LimitCase(name: "a message handler that loops", evil: "while true do xpcall(error, \(loop)) end", logged: ["limits.cpu exceeded"]),
    LimitCase(name: "a __close handler that loops, run by coroutine.close",
              evil: """
              local co = coroutine.create(function()
                local guard <close> = setmetatable({}, { __close = \(loop) })
                coroutine.yield()
              end)
              coroutine.resume(co)
              while true do coroutine.close(co) end
              """, logged: ["limits.cpu exceeded"]),
    LimitCase(name: "a __close handler that loops, in the handler itself",
              evil: "do local guard <close> = setmetatable({}, { __close = \(loop) }) end", logged: ["limits.cpu exceeded"]),
    LimitCase(name: "a __close handler that loops, pending in a coroutine when the request is cut off",
              evil: """
              local co = coroutine.wrap(function()
                local guard <close> = setmetatable({}, { __close = \(loop) })
                coroutine.yield()
              end)
              co()
              while true do end
              """, logged: ["limits.cpu exceeded"]),
    LimitCase(name: "a message handler that loops, for an error raised inside C",
              evil: "while true do xpcall(string.gsub, \(loop), 'x', '.', \(loop)) end", logged: ["limits.cpu exceeded"]),
    LimitCase(name: "a __close handler that loops, in a coroutine the hook killed inside C",
              evil: """
              local co = coroutine.create(function()
                local guard <close> = setmetatable({}, { __close = \(loop) })
                string.gsub("x", ".", \(loop))
              end)
              coroutine.resume(co)
              coroutine.close(co)
              """, logged: ["limits.cpu exceeded"]),
    LimitCase(name: "table.sort of a huge __len through a C __index",
              evil: "table.sort(setmetatable({}, { __len = function() return (1 << 31) - 2 end, __index = rawlen, __newindex = rawequal }))",
              logged: ["limits.cpu exceeded"]),
    // Issue 13: each coroutine below runs a few dozen instructions and dies, so a budget counted
    // per coroutine (the old count hook, every 1000 instructions of one thread) never fired.
    LimitCase(name: "a tree of short coroutine.wrap calls", evil: treeOf("coroutine.wrap(node)(d - 1)"), logged: ["limits.cpu exceeded"]),
    LimitCase(name: "a tree of short coroutine.resume calls (errors come back as values)",
              evil: treeOf("coroutine.resume(coroutine.create(node), d - 1)"), logged: ["limits.cpu exceeded"]),
    LimitCase(name: "a tree of wrapped coroutines, each call under pcall",
              evil: treeOf("pcall(coroutine.wrap(node), d - 1)"), logged: ["limits.cpu exceeded"]),
    LimitCase(name: "short coroutines closed while pending __close handlers loop",
              evil: """
              local function node(d)
                if d == 0 then
                  local co = coroutine.create(function() local g <close> = setmetatable({}, { __close = function() local x = 0 for i = 1, 20 do x = x + i end end }) coroutine.yield() end)
                  coroutine.resume(co)
                  coroutine.close(co)
                  return
                end
                coroutine.wrap(node)(d - 1); coroutine.wrap(node)(d - 1)
              end
              coroutine.wrap(node)(150)
              """, logged: ["limits.cpu exceeded"]),
    LimitCase(name: "an error object whose __tostring loops",
              evil: "error(setmetatable({}, { __tostring = \(loop) }))", logged: ["error object is a table value"]),
]

@Suite(.timeLimit(.minutes(2))) struct LimitsTests {
    /// Each case: 500 with the contract's body, a log line naming the route and the key, a
    /// healthy route answering right after, and the same route serving its next request.
    /// Run twice, as ngx_lua's repeat_each(2) does: the replaced state must hold too.
    @Test(arguments: cases)
    func limitStopsHandler(_ limitCase: LimitCase) async throws {
        try await withProject([
            "pages/api/bad.lua": limitCase.source,
            "pages/api/ok.lua": "return function(req, res) res.send('ok') end",
        ]) { app in
            for _ in 1...2 {
                let cut = await app.request("GET", "/api/bad?go=1")
                #expect(cut.status == 500)
                #expect(cut.text == internalErrorBody)
                let ok = await app.request("GET", "/api/ok")
                #expect(ok.status == 200 && ok.text == "ok")
                let again = await app.request("GET", "/api/bad")
                #expect(again.status == 200 && again.text == "fine")
            }
            let lines = app.logText.split(separator: "\n").filter { $0.contains("pages/api/bad.lua") }
            for needle in limitCase.logged {
                #expect(lines.contains { $0.contains(needle) }, "no log line names \(needle):\n\(app.logText)")
            }
        }
    }

    /// string.rep("", 1e9) is "" at once (the standard one loops a billion times for it).
    @Test func emptyRepIsImmediate() async throws {
        let route = """
        return { handler = function(req, res)
          local n = 0
          for i = 1, 100 do n = n + #string.rep('', 1e9) + #string.rep('', 1e9, '') end
          res.send(tostring(n) .. ' ' .. string.rep('ab', 3, ','))
        end, \(smallLimits) }
        """
        try await withProject(["pages/api/rep.lua": route]) { app in
            let response = await app.request("GET", "/api/rep")
            #expect(response.status == 200)
            #expect(response.text == "0 ab,ab,ab")
        }
    }

    /// Module scope runs under the project's limits when the route loads: a route that loops
    /// or allocates forever answers 500, and the other routes serve.
    @Test(arguments: [
        ("while true do end\nreturn function(req, res) end", "limits.cpu exceeded"),
        ("local t = {} for i = 1, 1e9 do t[i] = { i } end\nreturn function(req, res) end", "limits.memory exceeded"),
        ("local s = string.rep('a', 4000):find('.-.-b')\nreturn function(req, res) end", "limits.cpu exceeded"),
        (treeOf("coroutine.wrap(node)(d - 1)") + "\nreturn function(req, res) end", "limits.cpu exceeded"),
    ])
    func moduleScopeIsLimited(source: String, key: String) async throws {
        try await withProject([
            "luaroutes.config.lua": #"return { limits = { cpu = "50ms", memory = "8mb" } }"#,
            "pages/api/bad.lua": source,
            "pages/api/ok.lua": "return function(req, res) res.send('ok') end",
        ]) { app in
            let bad = await app.request("GET", "/api/bad")
            #expect(bad.status == 500 && bad.text == internalErrorBody)
            let ok = await app.request("GET", "/api/ok")
            #expect(ok.status == 200 && ok.text == "ok")
            let lines = app.logText.split(separator: "\n").filter { $0.contains("pages/api/bad.lua") }
            #expect(lines.contains { $0.contains(key) }, "\(app.logText)")
        }
    }

    /// The guarded C functions give what Lua 5.4.4's give (values checked against lua5.4).
    @Test func guardedFunctionsKeepTheirMeaning() async throws {
        let route = #"""
        return function(req, res)
          local out = {}
          local function add(...) local t = table.pack(...) for i = 1, t.n do out[#out + 1] = tostring(t[i]) end end
          add(string.find("hello world", "o w"))
          add(string.find("hello world", "l+"))
          add(string.find("a.b", ".", 1, true))
          add(string.find("abc", "b", -1))
          add(string.find("abc", "", 10))
          add(string.match("key=val", "(%w+)=(%w+)"))
          add(string.match("  x  ", "^%s*(.-)%s*$"))
          add(string.match("f(a(b)c)d", "%b()"))
          add(string.match("THE (quick) fox", "%f[%a]%a+", 5))
          add(string.match("hello", "()ll()"))
          add(string.gsub("hello world", "o", "0"))
          add(string.gsub("hello world", "(%w+)", "<%1>"))
          add(string.gsub("abc", "%w", "%0%0", 2))
          add(string.gsub("$name is $age", "%$(%w+)", { name = "Ann", age = 7 }))
          add(string.gsub("abc", "", "-"))
          add(string.gsub("x = 1", "(%w+) = (%w+)", function(k, v) return v .. " = " .. k end))
          for k, v in string.gmatch("a=1, b=2", "(%w+)=(%w+)") do add(k, v) end
          for w in ("one two"):gmatch("%a+") do add(w) end
          add(pcall(string.find, "x", "%"))
          add(pcall(string.rep, "x", -1))
          add(string.rep("ab", 3), string.rep("ab", 3, "-"), string.rep("x", 0))
          local t = { 3, 1, 2 }
          table.sort(t) add(table.concat(t, ","))
          table.sort(t, function(a, b) return a > b end) add(table.concat(t, ","))
          table.insert(t, 1, 9) table.insert(t, 7) add(table.concat(t, ","))
          add(table.remove(t, 1), table.remove(t), table.concat(t, ","))
          add(table.concat(table.move({ 1, 2, 3 }, 1, 3, 2), ","))
          add(table.concat(table.move({ 1, 2, 3 }, 2, 3, 1), ","))
          add(table.concat(table.move({ 1, 2, 3 }, 1, 3, 1, {}), ","))
          add(table.unpack({ 1, 2, 3 }, 2))
          add(pcall(table.concat, { 1, {}, 3 }))
          add(pcall(table.insert, {}, 5, 1))
          res.send(table.concat(out, "|"))
        end
        """#
        // lua5.4 -e '<the same lines>' printed this.
        let expected = "5|7|3|4|2|2|nil|nil|key|val|x|(a(b)c)|quick|3|5|hell0 w0rld|2|<hello> <world>|2|aabbc|2|Ann is 7|2|-a-b-c-|4|1 = x|1|a|1|b|2|one|two|false|malformed pattern (ends with '%')|true||ababab|ab-ab-ab||1,2,3|3,2,1|9,3,2,1,7|9|7|3,2,1|1,1,2,3|2,3,3|1,2,3|2|3|false|invalid value (table) at index 2 in table for 'concat'|false|bad argument #2 to 'table.insert' (position out of bounds)"
        try await withProject(["pages/api/std.lua": route]) { app in
            let response = await app.request("GET", "/api/std")
            #expect(response.status == 200)
            #expect(response.text == expected)
        }
    }

    /// Running the memory-exhaustion route 20 times leaves the process's resident size bounded:
    /// each spent state is closed and its memory returned.
    @Test func residentSizeStaysBounded() async throws {
        try await withProject([
            "pages/api/hog.lua": "return { handler = function(req, res) local t = {} for i = 1, 1e9 do t[i] = { i } end end, \(smallLimits) }",
        ]) { app in
            _ = await app.request("GET", "/api/hog")
            let before = residentBytes()
            for _ in 1...20 {
                let response = await app.request("GET", "/api/hog")
                #expect(response.status == 500)
            }
            let growth = residentBytes() - before
            #expect(growth < 200 << 20, "resident size grew by \(growth >> 20) MB")
            #expect(app.logText.contains("limits.memory exceeded"))
        }
    }
}

/// Resident set size of this process, from /proc/self/statm (pages).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
