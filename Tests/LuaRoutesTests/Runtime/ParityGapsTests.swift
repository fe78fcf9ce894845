import Testing
@testable import LuaRoutes

/// The smaller parity gaps of issue 18: json.isarray, sorted JSON output, the responseLimit
/// warning at exactly the limit.
@Suite struct ParityGapsTests {
    @Test func isarrayTellsArraysFromObjects() async throws {
        let code = """
            return function(req, res)
              local d = json.decode('{"a":[],"o":{},"l":[1,2]}')
              res.json({
                json.isarray({}), json.isarray(json.array({})), json.isarray({ 1, 2 }), json.isarray({ 1, nil, 3 }),
                json.isarray({ x = 1 }), json.isarray({ 1, x = 2 }), json.isarray("s"), json.isarray(nil),
                json.isarray(d.a), json.isarray(d.o), json.isarray(d.l),
              })
            end
            """
        try await withProject(["pages/api/a.lua": code]) { app in
            #expect(await app.request("GET", "/api/a").text
                    == "[false,true,true,false,false,false,false,false,true,false,true]")
        }
    }

    @Test func sortedKeysPerCallAndProjectWide() async throws {
        let route = "return function(req, res) local t = {} for _, k in ipairs({ 'zeta', 'alpha', 'mid' }) do t[k] = #k end "
            + "if req.query.opt then res.json(t, { sort_keys = true }) elseif req.query.send then res.send({ b = 1, a = 2 }) else res.json(t) end end"
        try await withProject(["pages/api/s.lua": route]) { app in
            #expect(await app.request("GET", "/api/s?opt=1").text == #"{"alpha":5,"mid":3,"zeta":4}"#)
        }
        try await withProject(["pages/api/s.lua": route, "luaroutes.config.lua": "return { json = { sortKeys = true } }"]) { app in
            #expect(await app.request("GET", "/api/s").text == #"{"alpha":5,"mid":3,"zeta":4}"#)
            #expect(await app.request("GET", "/api/s?send=1").text == #"{"a":2,"b":1}"#)
        }
    }

    @Test func badJsonConfigIsAStartUpError() throws {
        #expect(throws: ConfigError.self) { try ProjectConfig.parse(.table([(.string("json"), .table([(.string("sortkeys"), .boolean(true))]))])) }
        #expect(throws: ConfigError.self) { try ProjectConfig.parse(.table([(.string("json"), .table([(.string("sortKeys"), .string("yes"))]))])) }
    }

    @Test func responseLimitWarnsAtExactlyTheLimit() async throws {
        try await withProject([
            "luaroutes.config.lua": #"return { responseLimit = "10b" }"#,
            "pages/api/ten.lua": "return function(req, res) res.send(string.rep('x', 10)) end",
            "pages/api/nine.lua": "return function(req, res) res.send(string.rep('x', 9)) end",
        ]) { app in
            #expect(await app.request("GET", "/api/nine").status == 200)
            #expect(!app.logText.contains("/api/nine"))
            #expect(await app.request("GET", "/api/ten").status == 200)
            #expect(app.logText.contains("API response for /api/ten exceeds 10b (responseLimit)"), "\(app.logText)")
        }
    }
}
