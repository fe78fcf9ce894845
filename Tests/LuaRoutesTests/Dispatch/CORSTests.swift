import Testing
@testable import LuaRoutes
import TestSupport

/// CORS (docs/reference.md sections 3 and 7): off by default; when on, the host answers preflights
/// for every kind of route and adds headers to the answers of allowed origins only.
@Suite struct CORSTests {
    static let kinds = [
        "pages/api/plain.lua": "return function(req, res) res.json({ method = req.method }) end",
        "pages/api/handler.lua": "return { handler = function(req, res) res.json({ method = req.method }) end }",
        "pages/api/methods.lua": "return { GET = function(req, res) res.json({ ok = true }) end, POST = function(req, res) res.status(201).json({}) end }",
    ]

    static func project(config: String? = nil, extra: [String: String] = [:]) -> [String: String] {
        var files = kinds.merging(extra) { $1 }
        if let config { files["luaroutes.config.lua"] = "return { cors = \(config) }" }
        return files
    }

    static func preflight(origin: String = "https://a.com", method: String = "POST", headers: String? = nil) -> [(String, String)] {
        [("Origin", origin), ("Access-Control-Request-Method", method)] + (headers.map { [("Access-Control-Request-Headers", $0)] } ?? [])
    }

    static func corsHeaders(_ response: APIResponse) -> [String] {
        response.headers.filter { $0.name.lowercased().hasPrefix("access-control-") }.map { "\($0.name): \($0.value)" }
    }

    @Test func offByDefaultNothingChanges() async throws {
        try await withProject(Self.kinds) { app in
            let plain = await app.request("OPTIONS", "/api/plain", headers: Self.preflight())
            #expect(plain.status == 200, "a plain function still sees OPTIONS")
            #expect(plain.text == #"{"method":"OPTIONS"}"#)
            let methods = await app.request("OPTIONS", "/api/methods", headers: Self.preflight())
            #expect(methods.status == 204)
            #expect(methods.header("Allow") == "GET, HEAD, OPTIONS, POST")
            let get = await app.request("GET", "/api/plain", headers: [("Origin", "https://a.com")])
            for response in [plain, methods, get] {
                #expect(Self.corsHeaders(response).isEmpty)
                #expect(response.header("Vary") == nil)
            }
        }
    }

    @Test(arguments: ["/api/plain", "/api/handler", "/api/methods"])
    func preflightIsAnsweredByTheHostForEveryKind(path: String) async throws {
        try await withProject(Self.project(config: #"{ origin = "https://a.com" }"#)) { app in
            let response = await app.request("OPTIONS", path, headers: Self.preflight(headers: "content-type, x-token"))
            #expect(response.status == 204)
            #expect(response.body.isEmpty)
            #expect(response.header("Access-Control-Allow-Origin") == "https://a.com")
            #expect(response.header("Access-Control-Allow-Headers") == "content-type, x-token", "requested headers echoed")
            #expect(response.header("Vary") == "Origin, Access-Control-Request-Headers")
            #expect(response.header("Access-Control-Allow-Credentials") == nil)
            #expect(response.header("Access-Control-Max-Age") == nil)
            let methods = path == "/api/methods" ? "GET,HEAD,POST" : "GET,HEAD,PUT,PATCH,POST,DELETE"
            #expect(response.header("Access-Control-Allow-Methods") == methods)
        }
    }

    @Test func configuredValuesAreSent() async throws {
        let config = #"{ origin = { "https://a.com", "https://B.com" }, methods = { "get", "PUT" }, headers = { "Content-Type", "X-Token" }, credentials = true, maxAge = "10m" }"#
        try await withProject(Self.project(config: config)) { app in
            let response = await app.request("OPTIONS", "/api/plain", headers: Self.preflight(origin: "https://b.com", headers: "x-other"))
            #expect(Self.corsHeaders(response) == [
                "Access-Control-Allow-Origin: https://b.com",
                "Access-Control-Allow-Credentials: true",
                "Access-Control-Allow-Methods: GET,PUT",
                "Access-Control-Allow-Headers: Content-Type,X-Token",
                "Access-Control-Max-Age: 600",
            ])
            #expect(response.header("Vary") == "Origin")
        }
    }

    @Test func starStaysStarWithoutCredentials() async throws {
        try await withProject(Self.project(config: #"{ origin = "*", maxAge = 3600 }"#)) { app in
            let pre = await app.request("OPTIONS", "/api/handler", headers: Self.preflight(origin: "https://any.example"))
            #expect(pre.header("Access-Control-Allow-Origin") == "*")
            #expect(pre.header("Access-Control-Max-Age") == "3600")
            #expect(pre.header("Vary") == nil)
            let get = await app.request("GET", "/api/handler", headers: [("Origin", "https://any.example")])
            #expect(get.status == 200)
            #expect(Self.corsHeaders(get) == ["Access-Control-Allow-Origin: *"])
            #expect(get.header("Vary") == nil)
        }
    }

    @Test func credentialsNeverSendStar() async throws {
        try await withProject(Self.project(config: #"{ origin = "*", credentials = true }"#)) { app in
            for method in ["OPTIONS", "GET"] {
                let headers = method == "OPTIONS" ? Self.preflight(origin: "https://x.dev") : [("Origin", "https://x.dev")]
                let response = await app.request(method, "/api/plain", headers: headers)
                #expect(response.header("Access-Control-Allow-Origin") == "https://x.dev", "\(method)")
                #expect(response.header("Access-Control-Allow-Credentials") == "true")
                #expect(response.header("Vary") == "Origin")
            }
        }
    }

    @Test func disallowedOriginGetsNoCORSHeaders() async throws {
        try await withProject(Self.project(config: #"{ origin = "https://a.com" }"#)) { app in
            let pre = await app.request("OPTIONS", "/api/plain", headers: Self.preflight(origin: "https://evil.com"))
            #expect(pre.status == 204, "answered by the host; the handler never sees it")
            #expect(Self.corsHeaders(pre).isEmpty)
            #expect(pre.header("Vary") == "Origin", "the answer depends on Origin, so caches must key on it")
            let get = await app.request("GET", "/api/plain", headers: [("Origin", "https://evil.com")])
            #expect(get.status == 200, "the server answers; the browser blocks the page from reading it")
            #expect(Self.corsHeaders(get).isEmpty)
            let sameOrigin = await app.request("GET", "/api/plain")
            #expect(Self.corsHeaders(sameOrigin).isEmpty)
        }
    }

    @Test func actualResponsesOfAllowedOriginsAreDecorated() async throws {
        let config = #"{ origin = "https://a.com", exposedHeaders = { "X-Total-Count" } }"#
        let extra = ["pages/api/vary.lua": "return function(req, res) res.setHeader('Vary', 'Accept').setHeader('Access-Control-Allow-Origin', '*').send('v') end"]
        try await withProject(Self.project(config: config, extra: extra)) { app in
            let post = await app.request("POST", "/api/methods", headers: [("Origin", "https://a.com")])
            #expect(post.status == 201)
            #expect(Self.corsHeaders(post) == ["Access-Control-Allow-Origin: https://a.com", "Access-Control-Expose-Headers: X-Total-Count"])
            #expect(post.header("Vary") == "Origin")
            let vary = await app.request("GET", "/api/vary", headers: [("Origin", "https://a.com")])
            #expect(vary.headerValues("Access-Control-Allow-Origin") == ["https://a.com"], "the policy replaces what the handler set")
            #expect(vary.headerValues("Vary") == ["Accept, Origin"])
        }
    }

    @Test func hostErrorsCarryCORSHeadersSoThePageCanReadThem() async throws {
        let extra = [
            "pages/api/boom.lua": "return function(req, res) error('boom') end",
            "pages/api/small.lua": "return { config = { bodyParser = { sizeLimit = '2b' } }, handler = function(req, res) res.send('x') end }",
        ]
        try await withProject(Self.project(config: #"{ origin = "https://a.com" }"#, extra: extra)) { app in
            let origin = [("Origin", "https://a.com")]
            let responses = [
                await app.request("DELETE", "/api/methods", headers: origin),
                await app.request("GET", "/api/boom", headers: origin),
                await app.request("POST", "/api/small", headers: origin, body: "too big"),
                await app.request("OPTIONS", "/api/methods", headers: origin),
            ]
            #expect(responses.map(\.status) == [405, 500, 413, 204])
            for response in responses { #expect(response.header("Access-Control-Allow-Origin") == "https://a.com") }
        }
    }

    @Test func routeConfigOverridesTheFile() async throws {
        let extra = [
            "pages/api/closed.lua": "return { config = { cors = false }, handler = function(req, res) res.send('closed') end }",
            "pages/api/other.lua": "return { config = { cors = { origin = 'https://b.com' } }, GET = function(req, res) res.send('b') end }",
            "pages/api/nested.lua": "return { config = { api = { cors = { origin = '*' } } }, handler = function(req, res) res.send('n') end }",
        ]
        try await withProject(Self.project(config: #"{ origin = "https://a.com" }"#, extra: extra)) { app in
            let closed = await app.request("OPTIONS", "/api/closed", headers: Self.preflight())
            #expect(closed.status == 200, "CORS off for this route: the handler answers")
            #expect(Self.corsHeaders(closed).isEmpty)
            let fromA = await app.request("OPTIONS", "/api/other", headers: Self.preflight())
            #expect(Self.corsHeaders(fromA).isEmpty, "the route's policy replaces the file's")
            let fromB = await app.request("OPTIONS", "/api/other", headers: Self.preflight(origin: "https://b.com", method: "GET"))
            #expect(fromB.header("Access-Control-Allow-Methods") == "GET,HEAD")
            #expect(await app.request("GET", "/api/nested", headers: [("Origin", "https://z.org")]).header("Access-Control-Allow-Origin") == "*")
        }
    }

    @Test func onlyARouteCanTurnCORSOn() async throws {
        let files = ["pages/api/open.lua": "return { config = { cors = { origin = 'https://a.com' } }, handler = function(req, res) res.send('o') end }",
                     "pages/api/plain.lua": "return function(req, res) res.send(req.method) end"]
        try await withProject(files) { app in
            #expect(await app.request("OPTIONS", "/api/open", headers: Self.preflight()).status == 204)
            #expect(await app.request("OPTIONS", "/api/plain", headers: Self.preflight()).text == "OPTIONS")
        }
    }

    @Test func plainOptionsWithoutRequestMethodIsNoPreflight() async throws {
        try await withProject(Self.project(config: #"{ origin = "https://a.com" }"#)) { app in
            let response = await app.request("OPTIONS", "/api/plain", headers: [("Origin", "https://a.com")])
            #expect(response.text == #"{"method":"OPTIONS"}"#)
            #expect(response.header("Access-Control-Allow-Origin") == "https://a.com")
            #expect(response.header("Access-Control-Allow-Methods") == nil)
        }
    }

    @Test(arguments: [
        ("true", #"cors: expected false or a table like { origin = "https://example.com" }, got true"#),
        (#""*""#, #"cors: expected false or a table like { origin = "https://example.com" }, got '*'"#),
        (#"{ origin = "https://a.com/" }"#, #"cors.origin: "https://a.com/" is not an origin (write scheme://host[:port] without a path, like "https://example.com" or "http://127.0.0.1:8080")"#),
        (#"{ origin = { "a.com" } }"#, #"cors.origin: "a.com" is not an origin"#),
        (#"{ origin = {} }"#, #"cors.origin: expected "*", an origin like "https://example.com", or an array of origins, got table"#),
        (#"{ origin = { 1 } }"#, #"cors.origin: each origin must be a text like "https://example.com", got number"#),
        (#"{ methods = "GET" }"#, #"cors.methods: expected an array like { "GET" }, got string"#),
        (#"{ headers = { "X Token" } }"#, #"cors.headers: each item must be a name like "Content-Type", got 'X Token'"#),
        (#"{ credentials = "yes" }"#, "cors.credentials: expected true or false, got string"),
        (#"{ maxAge = "10 minutes" }"#, #"cors.maxAge: "10 minutes" is not a duration"#),
        (#"{ maxAge = -1 }"#, "cors.maxAge: must not be negative, got -1"),
        (#"{ origins = "*" }"#, "cors: unknown key 'origins' (known: origin, methods, headers, exposedHeaders, credentials, maxAge)"),
    ])
    func invalidPoliciesStopStartUpNamingTheKey(config: String, message: String) throws {
        let root = try makeProjectFolder(["luaroutes.config.lua": "return { cors = \(config) }"])
        #expect {
            _ = try Project.load(root: root, processEnvironment: [:], logger: .init(label: "test"))
        } throws: { error in
            "\(error)".hasPrefix("error: luaroutes.config.lua: " + message)
        }
    }

    @Test func invalidRoutePolicyMakesThatRouteAnswer500() async throws {
        let files = ["pages/api/bad.lua": "return { config = { cors = { origin = 'nope' } }, handler = function(req, res) res.send('x') end }",
                     "pages/api/ok.lua": "return function(req, res) res.send('ok') end"]
        try await withProject(files, dev: true) { app in
            let bad = await app.request("GET", "/api/bad")
            #expect(bad.status == 500)
            #expect(bad.text.contains(#"pages/api/bad.lua: config.cors.origin: \"nope\" is not an origin"#))
            #expect(await app.request("GET", "/api/ok").text == "ok")
        }
    }

    @Test func originMatchingIsExactButCaseInsensitive() {
        var policy = CORSPolicy()
        policy.origins = .list(["https://a.com", "http://127.0.0.1:8080"])
        #expect(policy.allows(origin: "https://A.com"))
        #expect(policy.allows(origin: "http://127.0.0.1:8080"))
        #expect(!policy.allows(origin: "http://a.com"))
        #expect(!policy.allows(origin: "https://a.com:443"))
        #expect(!policy.allows(origin: "https://sub.a.com"))
        #expect(!policy.allows(origin: "null"))
    }
}
