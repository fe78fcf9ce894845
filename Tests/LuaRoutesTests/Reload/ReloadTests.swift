import Foundation
import Testing
@testable import LuaRoutes

/// Hot reload through its entry point, `Dispatcher.reload()`: what the next request sees.
@Suite struct ReloadTests {
    static let hello = "return function(req, res) res.send('v1') end"

    @Test func anEditedRouteAnswersWithTheNewVersion() async throws {
        try await withProject(["pages/api/hello.lua": Self.hello], threads: 2) { app in
            #expect(await app.request("GET", "/api/hello").text == "v1")
            try app.write("pages/api/hello.lua", "return function(req, res) res.send('v2') end")
            #expect(app.dispatcher.reload() == .reloaded(routes: 1))
            for _ in 0..<4 { #expect(await app.request("GET", "/api/hello").text == "v2") }   // every loop
        }
    }

    @Test func aFileInANewFolderIsRouted() async throws {
        try await withProject(["pages/api/hello.lua": Self.hello]) { app in
            try app.write("pages/api/users/[id].lua", "return function(req, res) res.json({ id = req.query.id }) end")
            app.dispatcher.reload()
            #expect(await app.request("GET", "/api/users/7").text == #"{"id":"7"}"#)
        }
    }

    @Test func aDeletedRouteAnswers404() async throws {
        try await withProject(["pages/api/hello.lua": Self.hello, "pages/api/other.lua": Self.hello]) { app in
            try FileManager.default.removeItem(atPath: app.root + "/pages/api/hello.lua")
            app.dispatcher.reload()
            #expect(await app.request("GET", "/api/hello").status == 404)
            #expect(await app.request("GET", "/api/other").text == "v1")
        }
    }

    /// Each loop caches its route lookups per generation (LoopWorkers): a path looked up before
    /// a reload is looked up afresh after it, whether it was a miss or a match.
    @Test func lookupsCachedBeforeAReloadAreNotUsedAfterIt() async throws {
        try await withProject(["pages/api/hello.lua": Self.hello, "pages/api/other.lua": Self.hello], threads: 2) { app in
            for _ in 0..<4 {   // every loop
                #expect(await app.request("GET", "/api/new").status == 404)
                #expect(await app.request("GET", "/api/hello").text == "v1")
            }
            try app.write("pages/api/new.lua", "return function(req, res) res.send('new') end")
            try FileManager.default.removeItem(atPath: app.root + "/pages/api/hello.lua")
            app.dispatcher.reload()
            for _ in 0..<4 {
                #expect(await app.request("GET", "/api/new").text == "new")
                #expect(await app.request("GET", "/api/hello").status == 404)
            }
        }
    }

    @Test func aBrokenFileKeepsThePreviousVersionUntilFixed() async throws {
        try await withProject(["pages/api/hello.lua": Self.hello], threads: 2) { app in
            try app.write("pages/api/hello.lua", "return function(req, res)\n  res.send('v2'\nend")
            app.dispatcher.reload()
            #expect(await app.request("GET", "/api/hello").text == "v1")
            app.dispatcher.reload()   // an unrelated change: still broken, not logged again
            #expect(await app.request("GET", "/api/hello").text == "v1")
            let errors = app.logs.entries.filter { $0.level == .error }.map(\.message.description)
            #expect(errors.count == 1)
            #expect(errors.first?.hasPrefix("pages/api/hello.lua:3:") == true, "\(errors)")

            try app.write("pages/api/hello.lua", "return function(req, res) res.send('v3') end")
            app.dispatcher.reload()
            #expect(await app.request("GET", "/api/hello").text == "v3")
        }
    }

    @Test func aNewBrokenFileAnswers500() async throws {
        try await withProject(["pages/api/hello.lua": Self.hello]) { app in
            try app.write("pages/api/bad.lua", "return function(\n")
            app.dispatcher.reload()
            #expect(await app.request("GET", "/api/bad").status == 500)
            #expect(app.logText.contains("route failed to load: pages/api/bad.lua:2:"))
        }
    }

    @Test func envAndLibChangesReachHandlers() async throws {
        try await withProject([
            ".env": "GREETING=hello\n",
            "lib/fmt.lua": "return { wrap = function(s) return '[' .. s .. ']' end }",
            "pages/api/greet.lua": "local fmt = require('fmt')\nreturn function(req, res) res.send(fmt.wrap(env.GREETING)) end",
        ]) { app in
            #expect(await app.request("GET", "/api/greet").text == "[hello]")
            try app.write(".env.local", "GREETING=bonjour\n")
            try app.write("lib/fmt.lua", "return { wrap = function(s) return '<' .. s .. '>' end }")
            app.dispatcher.reload()
            #expect(await app.request("GET", "/api/greet").text == "<bonjour>")
            #expect(app.dispatcher.project.envFiles == [".env", ".env.local"])
        }
    }

    @Test func aProjectLevelErrorKeepsTheWholePreviousGeneration() async throws {
        try await withProject(["pages/api/users/[id].lua": "return function(req, res) res.send('id') end"]) { app in
            try app.write("pages/api/users/[slug].lua", "return function(req, res) res.send('slug') end")
            try app.write("pages/api/new.lua", Self.hello)
            guard case .failed(let message) = app.dispatcher.reload() else {
                Issue.record("a conflicting route must fail the reload")
                return
            }
            #expect(message.contains("pages/api/users/[slug].lua"))
            #expect(await app.request("GET", "/api/users/1").text == "id")
            #expect(await app.request("GET", "/api/new").status == 404)
            #expect(app.logText.contains("reload failed; still serving the previous version"))
        }
    }

    @Test func aConfigChangeApplies() async throws {
        try await withProject(["pages/api/echo.lua": "return function(req, res) res.send(req.rawBody) end"]) { app in
            try app.write("luaroutes.config.lua", "return { bodyParser = { sizeLimit = '4b' } }")
            app.dispatcher.reload()
            #expect(await app.request("POST", "/api/echo", body: "12345").status == 413)
            try app.write("luaroutes.config.lua", "return { bodyParser = 42 }")
            #expect(app.dispatcher.reload() != .reloaded(routes: 1), "a bad config keeps the previous generation")
            #expect(await app.request("POST", "/api/echo", body: "12345").status == 413)
        }
    }
}

extension TestApp {
    /// Writes a file under ROOT the way an editor that saves by rename does.
    func write(_ path: String, _ text: String) throws {
        let url = URL(fileURLWithPath: root + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}

/// Dev mode shows what broke (docs/reference.md section 8, serve --dev): a route that no longer compiles
/// answers 500 with the compile error instead of its previous version.
@Suite struct DevCompileErrorTests {
    @Test func aBrokenFileAnswers500WithTheErrorInDevMode() async throws {
        try await withProject(["pages/api/hello.lua": ReloadTests.hello], dev: true) { app in
            #expect(await app.request("GET", "/api/hello").text == "v1")
            try app.write("pages/api/hello.lua", "return function(req, res)\n  res.send('v2'\nend")
            app.dispatcher.reload()
            let broken = await app.request("GET", "/api/hello")
            #expect(broken.status == 500)
            #expect(broken.text.contains("pages/api/hello.lua:3:"), "\(broken.text)")
            try app.write("pages/api/hello.lua", "return function(req, res) res.send('v3') end")
            app.dispatcher.reload()
            #expect(await app.request("GET", "/api/hello").text == "v3")
        }
    }
}
