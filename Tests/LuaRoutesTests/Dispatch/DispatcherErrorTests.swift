import Testing
@testable import LuaRoutes

/// What the host answers when route code goes wrong (docs/reference.md sections 3 and 5): JSON
/// errors, logs that name file and line, and every other route still serving.
@Suite struct DispatcherErrorTests {
    static let files = [
        "pages/api/ok.lua": "return function(req, res) res.json({ ok = true }) end",
        "pages/api/boom.lua": "return function(req, res)\n  local x = nil\n  return x.field\nend",
        "pages/api/broken.lua": "return function(req, res)\n  res.json({ ok = \nend",
        "pages/api/number.lua": "return 42",
        "pages/api/silent.lua": "return function(req, res) end",
        "pages/api/loads-bad-module.lua": "local m = require('missing')\nreturn function(req, res) end",
        "pages/api/yields.lua": "return function(req, res) coroutine.yield() end",
        "pages/api/twice.lua": "return function(req, res) res.send('a'); res.send('b') end",
    ]

    @Test func handlerErrorAnswers500AndLogsFileAndLine() async throws {
        try await withProject(Self.files) { app in
            let response = await app.request("GET", "/api/boom")
            #expect(response.status == 500)
            #expect(response.text == #"{"error":"Internal Server Error"}"#)
            #expect(app.logText.contains("pages/api/boom.lua:3: attempt to index a nil value (local 'x')"))
            #expect(app.logText.contains("request="))
            #expect(await app.request("GET", "/api/ok").status == 200)
            #expect(await app.request("GET", "/api/boom").status == 500, "the route keeps answering")
        }
    }

    @Test func devModeAddsMessageAndTraceback() async throws {
        try await withProject(Self.files, dev: true) { app in
            let response = await app.request("GET", "/api/boom")
            #expect(response.status == 500)
            #expect(response.text.contains(#""message":"pages/api/boom.lua:3: attempt to index a nil value (local 'x')""#))
            #expect(response.text.contains(#""traceback":"stack traceback:"#))
        }
    }

    @Test func productionBodiesNeverLeakMessages() async throws {
        try await withProject(Self.files) { app in
            for path in ["/api/boom", "/api/broken", "/api/number", "/api/silent", "/api/loads-bad-module", "/api/yields", "/api/twice"] {
                let response = await app.request("GET", path)
                #expect(response.status == 500, "\(path)")
                #expect(response.text == #"{"error":"Internal Server Error"}"#, "\(path)")
            }
        }
    }

    @Test func compileErrorIsReportedAtLoadAndOthersServe() async throws {
        try await withProject(Self.files, dev: true) { app in
            #expect(app.logText.contains("pages/api/broken.lua:3: unexpected symbol near 'end'"))
            let broken = await app.request("GET", "/api/broken")
            #expect(broken.status == 500)
            #expect(broken.text.contains("pages/api/broken.lua:3:"))
            #expect(await app.request("GET", "/api/ok").status == 200)
            let reports = app.dispatcher.routeReports
            #expect(reports.first { $0.route.file == "pages/api/broken.lua" }?.error != nil)
            #expect(reports.first { $0.route.file == "pages/api/ok.lua" }?.error == nil)
        }
    }

    @Test func wrongExportIsExplained() async throws {
        try await withProject(Self.files, dev: true) { app in
            #expect(await app.request("GET", "/api/number").text.contains("a route file must return a function or a table, got number"))
            #expect(await app.request("GET", "/api/loads-bad-module").text.contains("module 'missing' not found: no file lib/missing.lua"))
        }
    }

    @Test func handlerThatNeverSendsIs500NamingTheFile() async throws {
        try await withProject(Self.files) { app in
            #expect(await app.request("GET", "/api/silent").status == 500)
            #expect(app.logText.contains("pages/api/silent.lua: the handler returned without sending a response"))
        }
    }

    @Test func bareYieldIs500() async throws {
        try await withProject(Self.files) { app in
            #expect(await app.request("GET", "/api/yields").status == 500)
            #expect(app.logText.contains("coroutine.yield() outside a coroutine the handler created"))
            #expect(await app.request("GET", "/api/ok").status == 200)
        }
    }

    @Test func secondSendRaisesResponseAlreadySent() async throws {
        try await withProject(Self.files) { app in
            #expect(await app.request("GET", "/api/twice").status == 500)
            #expect(app.logText.contains("pages/api/twice.lua:1: response already sent"))
        }
    }
}
