import Testing
@testable import LuaRoutes

/// `req` (docs/reference.md section 4), as a handler sees it.
@Suite struct RequestTableTests {
    static let inspect = """
        return function(req, res)
          local out = {}
          for _, key in ipairs({ "method", "url", "path", "ip" }) do out[key] = req[key] end
          out.headers = req.headers
          out.cookies = req.cookies
          out.bodyType = type(req.body)
          out.body = req.body
          out.rawBody = req.rawBody
          res.json(out)
        end
        """

    func inspect(_ method: String = "GET", _ target: String = "/api/inspect", headers: [(String, String)] = [], body: String? = nil,
                 config: String = "") async throws -> String {
        let source = config.isEmpty ? Self.inspect
            : Self.inspect.replacingOccurrences(of: "return function(req, res)", with: "return { config = \(config), handler = function(req, res)") + " }"
        return try await withProject(["pages/api/inspect.lua": source]) { app in
            let response = await app.request(method, target, headers: headers, body: body)
            return JSONPretty.format(response.body, indent: 0) ?? "status \(response.status): \(response.text)"
        }
    }

    @Test func basicFields() async throws {
        let seen = try await inspect("POST", "/api/inspect?x=1", headers: [("X-One", "a"), ("x-one", "b"), ("Accept", "*/*")])
        #expect(seen.contains(#""method":"POST""#))
        #expect(seen.contains(#""url":"/api/inspect?x=1""#))
        #expect(seen.contains(#""path":"/api/inspect""#))
        #expect(seen.contains(#""ip":"127.0.0.1""#))
        #expect(seen.contains(#""x-one":"a, b""#), "repeated headers joined by ', ', names lower-case")
        #expect(seen.contains(#""bodyType":"nil""#))
        #expect(!seen.contains("rawBody"))
    }

    @Test func emptyParamsQueryAndHeadersAreTablesAUserCanFill() async throws {
        let text = try await withProject(["pages/api/bare.lua": """
            return function(req, res)
              local kinds = { type(req.params), type(req.query), type(req.headers), tostring(next(req.query)), tostring(req.query.x) }
              req.query.x = "set"
              req.params.id = 7
              kinds[#kinds + 1] = req.query.x .. "," .. req.params.id .. "," .. tostring(req.headers.host)
              res.json(kinds)
            end
            """]) { app in await app.request("GET", "/api/bare").text }
        #expect(text == #"["table","table","table","nil","nil","set,7,nil"]"#)
    }

    @Test func jsonBodyIsDecoded() async throws {
        let seen = try await inspect("POST", headers: [("Content-Type", "application/json; charset=utf-8")], body: #"{"n":3,"big":9007199254740993}"#)
        #expect(seen.contains(#""body":{"big":9007199254740993,"n":3}"#))
        #expect(seen.contains(#""rawBody":"{\"n\":3,\"big\":9007199254740993}""#))
    }

    @Test func vendorJSONIsJSON() async throws {
        let seen = try await inspect("POST", headers: [("Content-Type", "application/vnd.api+json")], body: "[1,2]")
        #expect(seen.contains(#""body":[1,2]"#))
    }

    @Test func invalidJSONIs400BeforeTheHandler() async throws {
        try await withProject(["pages/api/x.lua": "return function(req, res) print('handler ran'); res.send('no') end"]) { app in
            let response = await app.request("POST", "/api/x", headers: [("Content-Type", "application/json")], body: #"{"a":"#)
            #expect(response.status == 400)
            #expect(response.text == #"{"error":"Invalid JSON"}"#)
            #expect(!app.logText.contains("handler ran"))
        }
    }

    @Test func formBodyIsATable() async throws {
        let seen = try await inspect("POST", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: "a=1&b=x+y&b=z%21")
        #expect(seen.contains(#""body":{"a":"1","b":["x y","z!"]}"#))
    }

    @Test func textAndRawBodiesAreStrings() async throws {
        #expect(try await inspect("POST", headers: [("Content-Type", "text/plain")], body: "hello").contains(#""body":"hello""#))
        #expect(try await inspect("POST", headers: [("Content-Type", "application/octet-stream")], body: "\u{1}x").contains(#""body":"\u0001x""#))
        #expect(try await inspect("POST", body: "no type").contains(#""body":"no type""#))
    }

    @Test func malformedContentTypeCountsAsAbsent() async throws {
        for type in ["application/json/extra", "json", "text/", ";;;", "application/js on"] {
            let seen = try await inspect("POST", headers: [("Content-Type", type)], body: "{not json")
            #expect(seen.contains(#""body":"{not json""#), "\(type): \(seen)")
        }
    }

    @Test func bodyParserFalseKeepsRawBodyOnly() async throws {
        let seen = try await inspect("POST", headers: [("Content-Type", "application/json")], body: "{bad", config: "{ bodyParser = false }")
        #expect(seen.contains(#""bodyType":"nil""#))
        #expect(seen.contains(#""rawBody":"{bad""#))
    }

    @Test func bodyOverTheLimitIs413() async throws {
        try await withProject(["pages/api/x.lua": "return { config = { bodyParser = { sizeLimit = '10b' } }, handler = function(req, res) res.send('ran') end }"]) { app in
            let response = await app.request("POST", "/api/x", body: String(repeating: "x", count: 11))
            #expect(response.status == 413)
            #expect(response.text == #"{"error":"Body exceeded 10b limit"}"#)
            #expect(await app.request("POST", "/api/x", body: "0123456789").text == "ran")
        }
    }

    @Test func cookiesAreParsedOnFirstUse() async throws {
        let seen = try await inspect(headers: [("Cookie", #"a=1; b="quoted"; c=x%20y; bad; =nope; a=2"#)])
        #expect(seen.contains(#""cookies":{"a":"1","b":"quoted","c":"x y"}"#), "\(seen)")
    }
}
