import CLuaGlue
import Testing
import TestSupport
@testable import LuaRoutes

/// `shared` dictionaries (docs/data.md ("shared")): one store per process, seen by every route on
/// every event loop, with ngx.shared.DICT's semantics.
@Suite struct SharedDictTests {
    static let config = #"return { shared = { counters = "1mb", small = "8kb" } }"#
    /// all(...): every result, nils as json.null, so answers read as JSON arrays.
    static let all = """
        local function all(...)
          local t = table.pack(...)
          for i = 1, t.n do if t[i] == nil then t[i] = json.null end end
          t.n = nil
          return t
        end

        """

    /// 8 keep-alive connections over 4 event loops incr one key 10,000 times in all: exactly
    /// 10,000, and more than one Lua state (loop) took part.
    @Test func incrFromEveryLoopCountsExactly() async throws {
        let files = [
            "luaroutes.config.lua": Self.config,
            "pages/api/hit.lua": """
                local me = tostring({})   -- one per Lua state: one per loop for this route
                return function(req, res)
                  shared.counters:add("state:" .. me, true)
                  res.json({ n = shared.counters:incr("hits", 1, 0) })
                end
                """,
            "pages/api/count.lua": """
                return function(req, res)
                  local states = 0
                  for _, key in ipairs(shared.counters:get_keys(0)) do
                    if key:sub(1, 6) == "state:" then states = states + 1 end
                  end
                  res.json({ hits = shared.counters.get("hits"), states = states })
                end
                """,
        ]
        let summary = try await withServer(files, threads: 4) { port, _ in
            let clients = try (0..<8).map { _ in try KeepAliveClient(port: port) }
            var failures = 0
            for _ in 0..<1_250 {
                for client in clients { try client.send("GET", "/api/hit") }
                for client in clients where client.read()?.status != 200 { failures += 1 }
            }
            return (failures, try KeepAliveClient(port: port).request("GET", "/api/count")?.body ?? "")
        }
        #expect(summary.0 == 0)
        let counts = try #require(sortedJSON(Array(summary.1.utf8)))
        #expect(counts.hasPrefix(#"{"hits":10000,"states":"#))
        #expect(!counts.hasSuffix(#""states":1}"#), "only one Lua state answered: \(counts)")
    }

    @Test func valuesKeepTheirTypes() async throws {
        let handler = #"""
            return function(req, res)
              local d = shared.counters
              d:set("t", true); d:set("f", false); d:set("big", math.maxinteger); d:set("min", math.mininteger)
              d:set("float", 2.0); d:set("half", 0.5); d:set("bin", "a\0b\255"); d:set("empty", "")
              d:set("gone", "x"); d:set("gone", nil)
              local function kind(v) return math.type(v) or type(v) end
              res.json({
                t = d:get("t"), f = d:get("f"), big = d:get("big") == math.maxinteger, min = d:get("min") == math.mininteger,
                float = kind(d:get("float")), half = d:get("half"), bin = d:get("bin") == "a\0b\255", empty = d:get("empty"),
                gone = d:get("gone") == nil, missing = d.get("never") == nil,
                table_error = select(2, pcall(function() d.set("k", {}) end)),
              })
            end
            """#
        try await withProject(["luaroutes.config.lua": Self.config, "pages/api/types.lua": handler]) { app in
            let answer = await app.request("GET", "/api/types")
            #expect(answer.sortedJSON == #"{"big":true,"bin":true,"empty":"","f":false,"float":"float","gone":true,"half":0.5,"min":true,"missing":true,"t":true,"table_error":"pages/api/types.lua:11: bad argument #2 to 'set' (a table cannot be stored: json.encode it first)"}"#)
        }
    }

    @Test func operationsAnswerLikeNgxSharedDict() async throws {
        let handler = #"""
            return function(req, res)
              local d = shared.counters
              d:flush_all()
              local r = {}
              r.add1 = all(d:add("a", 1))
              r.add2 = all(d:add("a", 2))
              r.safe_add = all(d:safe_add("a", 2))
              r.replace_missing = all(d:replace("zz", 1))
              r.replace = all(d:replace("a", 10))
              r.incr = all(d:incr("a", 5))
              r.incr_float = d:incr("a", 0.5)
              r.incr_missing = all(d:incr("nope", 1))
              r.incr_init = all(d:incr("fresh", 2, 40))
              d:set("s", "text")
              r.incr_text = all(d:incr("s", 1))
              r.int_kind = math.type(d:incr("fresh", 1))
              r.delete = d:delete("s")
              r.after_delete = d:get("s") == nil
              r.ttl_none = d:ttl("a")
              r.ttl_missing = all(d:ttl("nope"))
              r.expire_missing = all(d:expire("nope", 1))
              r.empty_key = all(d:get(""))
              r.capacity = d:capacity()
              r.free_is_less = d:free_space() < d:capacity()
              local keys = d:get_keys()
              table.sort(keys)
              r.keys = keys
              r.keys_max = #d:get_keys(1)
              r.bad_key = select(2, pcall(function() d.get({}) end))
              r.bad_ttl = select(2, pcall(function() d:set("k", 1, -1) end))
              res.json(r)
            end
            """#
        try await withProject(["luaroutes.config.lua": Self.config, "pages/api/ops.lua": Self.all + handler]) { app in
            let answer = await app.request("GET", "/api/ops")
            #expect(answer.sortedJSON == #"{"add1":[true,null,false],"add2":[false,"exists",false],"after_delete":true,"bad_key":"pages/api/ops.lua:35: bad argument #1 to 'get' (string expected, got table)","bad_ttl":"pages/api/ops.lua:36: bad argument #3 to 'set' (ttl must be a number of seconds >= 0)","capacity":1048576,"delete":true,"empty_key":[null,"empty key"],"expire_missing":[null,"not found"],"free_is_less":true,"incr":[15,null,false],"incr_float":15.5,"incr_init":[42,null,false],"incr_missing":[null,"not found"],"incr_text":[null,"not a number"],"int_kind":"integer","keys":["a","fresh"],"keys_max":1,"replace":[true,null,false],"replace_missing":[false,"not found",false],"safe_add":[false,"exists",false],"ttl_missing":[null,"not found"],"ttl_none":0}"#)
        }
    }

    /// TTLs on the dictionary's clock, moved forward by the test: TTLs of minutes, so the real
    /// time a loaded machine takes between requests cannot matter.
    @Test func expiredItemsAreNeverReturned() async throws {
        let handler = #"""
            return function(req, res)
              local d = shared.counters
              if req.query.step == "1" then
                d:flush_all()
                d:set("short", "v", 50)
                d:set("long", "v", 10000)
                d:set("later", "v")
                d:expire("later", 200)
                local t = d:ttl("short")
                return res.json({ get = d:get("short"), ttl_ok = t > 0 and t <= 50, added = all(d:add("short", "w")) })
              elseif req.query.step == "2" then
                return res.json({ short_nil = d:get("short") == nil, ttl = all(d:ttl("short")), long = d:get("long"),
                                  later = d:get("later"), keys = #d:get_keys() })
              end
              local flushed = d:flush_expired()
              res.json({ flushed = flushed, keys = #d:get_keys(), add = all(d:add("short", "w")) })
            end
            """#
        try await withProject(["luaroutes.config.lua": Self.config, "pages/api/ttl.lua": Self.all + handler]) { app in
            #expect(await app.request("GET", "/api/ttl?step=1").sortedJSON == #"{"added":[false,"exists",false],"get":"v","ttl_ok":true}"#)
            let dict = try #require(SharedDictionaries.handles(root: app.root, declared: [SharedDeclaration(name: "counters", capacity: 1 << 20)]).first?.dict)
            lr_shared_advance_clock(dict, 100_000)
            #expect(await app.request("GET", "/api/ttl?step=2").sortedJSON == #"{"keys":2,"later":"v","long":"v","short_nil":true,"ttl":[null,"not found"]}"#)
            lr_shared_advance_clock(dict, 150_000)
            #expect(await app.request("GET", "/api/ttl?step=3").sortedJSON == #"{"add":[true,null,false],"flushed":1,"keys":1}"#)
        }
    }

    /// Real time too: an item set with a 50 ms TTL is gone within a bounded wait.
    @Test func aShortTTLExpiresOnTheRealClock() async throws {
        let files = ["luaroutes.config.lua": Self.config,
                     "pages/api/t.lua": #"return function(req, res) if req.query.set then shared.counters:set("k", "v", 0.05) end res.json({ v = shared.counters:get("k") }) end"#]
        try await withProject(files) { app in
            #expect(await app.request("GET", "/api/t?set=1").text == #"{"v":"v"}"#)
            var gone = false
            for _ in 0..<200 where !gone {   // up to 2 s
                try await Task.sleep(for: .milliseconds(10))
                gone = await app.request("GET", "/api/t").text == "{}"
            }
            #expect(gone)
        }
    }

    /// "small" holds 7 items of 1 KB (each charged 64 + key + value bytes of 8 KB): the 8th
    /// evicts the least recently used one, and a read counts as a use.
    @Test func aFullDictionaryEvictsTheLeastRecentlyUsed() async throws {
        let handler = #"""
            return function(req, res)
              local d = shared.small
              local v = string.rep("x", 1000)
              for _, k in ipairs({ "a", "b", "c", "d", "e", "f", "g" }) do assert(d:set(k, v)) end
              d:get("a")                                  -- a is now the most recently used
              local safe = all(d:safe_set("h", v))         -- refuses to evict
              local set = all(d:set("h", v))               -- evicts b
              local present = {}
              for _, k in ipairs({ "a", "b", "c", "h" }) do present[k] = d:get(k) ~= nil end
              d:set("c", "old")
              local huge = all(d:set("c", string.rep("y", 9000)))   -- larger than the dictionary
              res.json({ safe = safe, set = set, present = present, huge = huge, c = d:get("c") })
            end
            """#
        try await withProject(["luaroutes.config.lua": Self.config, "pages/api/lru.lua": Self.all + handler]) { app in
            #expect(await app.request("GET", "/api/lru").sortedJSON == #"{"c":"old","huge":[false,"no memory",false],"present":{"a":true,"b":false,"c":true,"h":true},"safe":[null,"no memory",false],"set":[true,null,true]}"#)
            let usage = SharedDictionaries.usage(root: app.root, declared: [SharedDeclaration(name: "small", capacity: 8 << 10)])
            #expect(usage.first?.evictions == 1)
        }
    }

    @Test func anUndeclaredNameRaisesNamingTheConfigKey() async throws {
        let files = ["luaroutes.config.lua": Self.config,
                     "pages/api/u.lua": #"return function(req, res) res.json({ select(2, pcall(function() return shared.cache end)) }) end"#]
        try await withProject(files) { app in
            let answer = await app.request("GET", "/api/u").text
            #expect(answer == #"["pages/api/u.lua:1: shared.cache is not declared (add cache = \"1mb\" to the `shared` table of luaroutes.config.lua)"]"#)
        }
    }

    @Test func contentsSurviveAReloadButNotAnotherProject() async throws {
        let files = ["luaroutes.config.lua": Self.config,
                     "pages/api/c.lua": #"return function(req, res) res.json({ n = shared.counters:incr("n", 1, 0) }) end"#]
        try await withProject(files) { app in
            #expect(await app.request("GET", "/api/c").text == #"{"n":1}"#)
            #expect(app.dispatcher.reload() == .reloaded(routes: 1))
            #expect(await app.request("GET", "/api/c").text == #"{"n":2}"#)
        }
        try await withProject(files) { app in   // another ROOT: its own dictionary
            #expect(await app.request("GET", "/api/c").text == #"{"n":1}"#)
        }
    }

    @Test(arguments: [
        (#"shared = { cache = 5 }"#, "shared.cache: 5b is too small (at least \"8kb\")"),
        (#"shared = { ["a b"] = "1mb" }"#, "shared: each key must be a name like cache or rate_limits, got 'a b'"),
        (#"shared = "1mb""#, "shared: expected a table of name = size, like { cache = \"10mb\" }, got string"),
    ])
    func badDeclarationsStopTheLoad(config: String, message: String) throws {
        #expect(throws: ConfigError.self) { try ProjectConfig.parse(Self.parse("return { \(config) }")) }
        do { _ = try ProjectConfig.parse(Self.parse("return { \(config) }")) } catch { #expect(error.description == message) }
    }

    static func parse(_ source: String) -> LuaValue {
        let sandbox = try! Sandbox(limits: SandboxLimits(), environment: [:], modules: [:], callbacks: SandboxCallbacks(logger: .init(label: "t")))
        return (try? sandbox.runChunk(source, chunkName: "=config").get()) ?? .nil
    }
}
