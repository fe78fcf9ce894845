import Logging
import Testing
@testable import LuaRoutes
import TestSupport

/// `luaroutes.config.lua` and route `config` tables (docs/reference.md section 7): every key, how a
/// route overrides the file, and every error. A bad config file stops start-up (LoadError);
/// a bad route config makes that route answer 500 while the others serve.
@Suite struct ConfigTests {
    static let echo = "return function(req, res) res.json({ bodyType = type(req.body), raw = req.rawBody }) end"

    /// The LoadError `Project.load` throws for these files, as `serve` and `routes` print it.
    func loadError(_ files: [String: String]) throws -> String {
        let root = try makeProjectFolder(files)
        do {
            _ = try Project.load(root: root, processEnvironment: [:], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            return "(loaded)"
        } catch {
            return error.description
        }
    }

    func configError(_ config: String) throws -> String {
        try loadError(["luaroutes.config.lua": config, "pages/api/x.lua": Self.echo])
    }

    @Test func noFileMeansTheDefaults() throws {
        let root = try makeProjectFolder(["pages/api/x.lua": Self.echo])
        let project = try Project.load(root: root, processEnvironment: [:], logger: Logger(label: "test"))
        #expect(project.config == ProjectConfig())
        let defaults = project.config.routeDefaults
        #expect(defaults.bodyParser && defaults.bodySizeLimit == 1 << 20 && defaults.responseLimit == 4 << 20)
        #expect(defaults.cors == nil)
        #expect(defaults.limits == SandboxLimits(memory: 64 << 20, cpu: .seconds(1), timeout: .seconds(10)))
        #expect(defaults.fetch == FetchSettings())
    }

    @Test func everyKeyIsRead() throws {
        let root = try makeProjectFolder(["luaroutes.config.lua": """
            return {
              pageExtensions = { "api.lua", "route.lua" },
              bodyParser = { sizeLimit = "1.5kb" },
              responseLimit = 2048,
              cors = { origin = { "https://a.com" }, credentials = true, maxAge = 60 },
              limits = { memory = "8mb", cpu = "250ms", timeout = 2 },
              fetch = { timeout = "1500ms", maxBody = "1gb", allow = { "API.example.com", "*.example.org" } },
            }
            """])
        let config = try Project.load(root: root, processEnvironment: [:], logger: Logger(label: "test")).config
        #expect(config.pageExtensions == ["api.lua", "route.lua"])
        let route = config.routeDefaults
        #expect(route.bodySizeLimit == 1536)
        #expect(route.responseLimit == 2048)
        #expect(route.cors?.origins == .list(["https://a.com"]) && route.cors?.credentials == true && route.cors?.maxAge == 60)
        #expect(route.limits == SandboxLimits(memory: 8 << 20, cpu: .milliseconds(250), timeout: .seconds(2)))
        // Kept beside the Durations for the per-request budget and deadline: they follow the config.
        #expect(route.limits.cpuNanoseconds == 250_000_000 && route.limits.timeoutNanoseconds == 2_000_000_000)
        #expect(route.fetch.timeout == .milliseconds(1500) && route.fetch.maxBody == 1 << 30)
        #expect(route.fetch.allow == ["api.example.com", "*.example.org"])
    }

    @Test func pageExtensionsDecideWhichFilesAreRoutes() async throws {
        try await withProject([
            "luaroutes.config.lua": #"return { pageExtensions = { "api.lua" } }"#,
            "pages/api/users.api.lua": "local h = require('helper') return function(req, res) res.send(h) end",
            "pages/api/helper.lua": "return function(req, res) res.send('not a route') end",
            "lib/helper.lua": "return 'users'",
        ]) { app in
            #expect(app.dispatcher.project.routeTable.routes.map(\.file) == ["pages/api/users.api.lua"])
            #expect(await app.request("GET", "/api/users").text == "users")
            #expect(await app.request("GET", "/api/helper").status == 404)
        }
    }

    @Test func bodyParserSizeLimitAndFalse() async throws {
        try await withProject([
            "luaroutes.config.lua": #"return { bodyParser = { sizeLimit = "8b" } }"#,
            "pages/api/x.lua": Self.echo,
            "pages/api/raw.lua": "return { config = { api = { bodyParser = false } }, handler = \(Self.echo.dropFirst(7)) }",
            "pages/api/big.lua": "return { config = { bodyParser = { sizeLimit = '1kb' } }, handler = \(Self.echo.dropFirst(7)) }",
        ]) { app in
            let json = [("Content-Type", "application/json")]
            let over = await app.request("POST", "/api/x", headers: json, body: "[1,2,3,4]")
            #expect(over.status == 413 && over.text == #"{"error":"Body exceeded 8b limit"}"#)
            #expect(await app.request("POST", "/api/x", headers: json, body: "[1,2,3]").sortedJSON == #"{"bodyType":"table","raw":"[1,2,3]"}"#)
            // Next.js's `config = { api = { bodyParser = false } }`: no parsing, the file's size limit kept.
            #expect(await app.request("POST", "/api/raw", headers: json, body: "{bad").sortedJSON == #"{"bodyType":"nil","raw":"{bad"}"#)
            #expect(await app.request("POST", "/api/raw", body: "123456789").status == 413)
            #expect(await app.request("POST", "/api/big", headers: json, body: "[1,2,3,4,5,6]").status == 200, "the route's limit wins")
        }
    }

    @Test func responseLimitOnlyWarns() async throws {
        try await withProject([
            "luaroutes.config.lua": #"return { responseLimit = "10b" }"#,
            "pages/api/big.lua": "return function(req, res) res.send(string.rep('x', 11)) end",
            "pages/api/quiet.lua": "return { config = { responseLimit = false }, handler = function(req, res) res.send(string.rep('x', 11)) end }",
        ]) { app in
            let big = await app.request("GET", "/api/big?x=1")
            #expect(big.status == 200 && big.body.count == 11)
            #expect(app.logText.contains("warning API response for /api/big exceeds 10b (responseLimit)"), "\(app.logText)")
            #expect(await app.request("GET", "/api/quiet").status == 200)
            #expect(!app.logText.contains("/api/quiet exceeds"))
        }
    }

    @Test func limitsFromTheFileAndOverriddenByARoute() async throws {
        // Some 0.3 s of CPU: over 100ms anywhere, well under 20s.
        let loop = "handler = function(req, res) local n = 0 for i = 1, 5e7 do n = n + 1 end res.send('done') end"
        try await withProject([
            "luaroutes.config.lua": #"return { limits = { cpu = "100ms" } }"#,
            "pages/api/strict.lua": "return { \(loop) }",
            "pages/api/relaxed.lua": "return { config = { limits = { cpu = '20s' } }, \(loop) }",
        ]) { app in
            #expect(await app.request("GET", "/api/strict").status == 500)
            #expect(app.logText.contains("pages/api/strict.lua: limits.cpu exceeded (100ms)"))
            #expect(await app.request("GET", "/api/relaxed").text == "done")
        }
    }

    @Test func fetchSettingsFromTheFile() async throws {
        try await withProject([
            "luaroutes.config.lua": #"return { fetch = { allow = { "api.example.com" } } }"#,
            "pages/api/f.lua": "return function(req, res) local r, err = fetch('http://127.0.0.1:9/') res.send(err) end",
            "pages/api/open.lua": "return { config = { fetch = { allow = false, timeout = '1s' } }, handler = function(req, res) local r, err = fetch('http://127.0.0.1:9/') res.send(err) end }",
        ]) { app in
            #expect(await app.request("GET", "/api/f").text == "fetch: 127.0.0.1 is not in fetch.allow")
            #expect(await app.request("GET", "/api/open").text != "fetch: 127.0.0.1 is not in fetch.allow")
        }
    }

    // MARK: - Errors in the config file stop start-up

    @Test(arguments: [
        (#"return { bodyParser = { sizeLimit = "12 parsecs" } }"#,
         #"bodyParser.sizeLimit: "12 parsecs" is not a size (use a number of bytes or a text like "1mb", "500kb")"#),
        (#"return { bodyParser = { sizeLimit = -1 } }"#, "bodyParser.sizeLimit: -1 is not a size"),
        (#"return { bodyParser = { sizeLimit = "1e30tb" } }"#, #"bodyParser.sizeLimit: "1e30tb" is not a size"#),
        (#"return { bodyParser = { sizelimit = "1mb" } }"#, "bodyParser: unknown key 'sizelimit' (known: sizeLimit, fieldSizeLimit, fileSizeLimit, maxParts)"),
        (#"return { bodyParser = "off" }"#, #"bodyParser: expected false or a table like { sizeLimit = "1mb" }, got string"#),
        (#"return { responseLimit = true }"#, #"responseLimit: expected a size like "1mb", got boolean"#),
        (#"return { limits = { cpu = "fast" } }"#, #"limits.cpu: "fast" is not a duration (use a text like "10s" or "500ms")"#),
        (#"return { limits = { timeout = 0 } }"#, "limits.timeout: 0 is not a duration"),
        (#"return { limits = { timeout = 1e300 } }"#, "limits.timeout: 1e+300 is not a duration"),
        (#"return { limits = { timeout = "1e300h" } }"#, #"limits.timeout: "1e300h" is not a duration"#),
        (#"return { limits = { memory = {} } }"#, #"limits.memory: expected a size like "1mb", got table"#),
        (#"return { limits = { disk = "1gb" } }"#, "limits: unknown key 'disk' (known: memory, cpu, timeout)"),
        (#"return { limits = 5 }"#, "limits: expected a table, got number"),
        (#"return { fetch = { timeout = "soon" } }"#, #"fetch.timeout: "soon" is not a duration"#),
        (#"return { fetch = { allow = "x.com" } }"#, "fetch.allow: expected an array of host patterns"),
        (#"return { fetch = { retries = 3 } }"#, "fetch: unknown key 'retries' (known: timeout, maxBody, allow)"),
        (#"return { pageExtensions = ".lua" }"#, #"pageExtensions: expected an array of texts like { "lua" }"#),
        (#"return { pageExtensions = { ".lua" } }"#, #"pageExtensions: each item must be an extension like "lua" or "api.lua", got '.lua'"#),
        (#"return { bodyparser = false }"#, "bodyparser: unknown key (known: bodyParser, responseLimit, limits, cors, fetch)"),
        (#"return { api = { bodyParser = 1 } }"#, "api.bodyParser: expected false or a table"),
        (#"return { [1] = "x" }"#, "keys must be names, got a number"),
        ("return 42", "must return a table, got number"),
        ("return nil", "must return a table, got nil"),
    ])
    func invalidFileStopsStartUpNamingTheKey(source: String, message: String) throws {
        let error = try configError(source)
        #expect(error.hasPrefix("error: luaroutes.config.lua: " + message), "\(error)")
    }

    @Test func compileErrorNamesTheLine() throws {
        #expect(try configError("return {\n  limits = {\n    cpu = = 1,\n}") == "error: luaroutes.config.lua:3: unexpected symbol near '='")
    }

    @Test func runtimeErrorNamesTheLine() throws {
        #expect(try configError("local x = nil\nreturn { limits = x.y }") == "error: luaroutes.config.lua:2: attempt to index a nil value (local 'x')")
    }

    @Test func loopingForeverIsStoppedByTheCPULimit() throws {
        #expect(try configError("while true do end") == "error: luaroutes.config.lua: CPU limit exceeded (1s) while loading; the file must return its table at once")
    }

    @Test func binaryChunksAreRefused() throws {
        #expect(try configError("\u{1B}Lua\u{54}\u{00}return {}").contains("attempt to load a binary chunk"))
        // load() inside the file is text-only too.
        #expect(try configError(#"return load("\27Lua\84\0") or {}"#) == "(loaded)")
        #expect(try configError(#"local f, err = load("\27Lua\84\0") error(err)"#).contains("attempt to load a binary chunk"))
    }

    @Test func theFileIsSandboxed() throws {
        #expect(try configError("return { x = io.open('/etc/passwd') }").contains("luaroutes.config.lua:1: attempt to index a nil value (global 'io')"))
    }

    @Test func theFileReadsTheEnvironment() throws {
        let root = try makeProjectFolder(["luaroutes.config.lua": "return { limits = { cpu = env.CPU } }", ".env": "CPU=300ms"])
        let project = try Project.load(root: root, processEnvironment: [:], logger: Logger(label: "test"))
        #expect(project.config.routeDefaults.limits.cpu == .milliseconds(300))
    }

    // MARK: - Errors in a route's config: that route answers 500

    @Test(arguments: [
        ("{ bodyParser = { sizeLimit = '12 parsecs' } }", #"pages/api/bad.lua: config.bodyParser.sizeLimit: \"12 parsecs\" is not a size"#),
        ("{ api = { limits = { cpu = 'never' } } }", #"pages/api/bad.lua: config.api.limits.cpu: \"never\" is not a duration"#),
        ("{ api = 5 }", "pages/api/bad.lua: config.api: expected a table, got number"),
        ("{ colour = 'red' }", "pages/api/bad.lua: config.colour: unknown key (known: bodyParser, responseLimit, limits, cors, fetch)"),
        ("{ pageExtensions = { 'x' } }", "pages/api/bad.lua: config.pageExtensions: unknown key"),
        ("'fast'", "pages/api/bad.lua: 'config' must be a table, got string"),
    ])
    func invalidRouteConfigAnswers500(config: String, message: String) async throws {
        try await withProject([
            "pages/api/bad.lua": "return { config = \(config), handler = function(req, res) res.send('ran') end }",
            "pages/api/ok.lua": "return function(req, res) res.send('ok') end",
        ], dev: true) { app in
            let bad = await app.request("GET", "/api/bad")
            #expect(bad.status == 500)
            #expect(bad.text.contains(message), "\(bad.text)")
            #expect(app.logText.contains("route failed to load"))
            #expect(await app.request("GET", "/api/ok").text == "ok")
        }
    }
}
