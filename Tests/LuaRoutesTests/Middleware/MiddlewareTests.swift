import Foundation
import Testing
@testable import LuaRoutes

/// `_middleware.lua` chains (docs/reference.md section 9) through the Dispatcher, the path
/// `serve`, `request` and `test` share; MiddlewareSocketTests drives the same over HTTP.
@Suite struct MiddlewareTests {
    /// Auth across admin/: 401 without the token; with it, the route runs and sees req.locals.
    static let project: [String: String] = [
        "pages/api/_middleware.lua": """
            return function(req, res, next)
              req.locals.trail = "root"
              next()
              res.setHeader("X-Status-Seen", res.statusCode)   -- after next(): the finished answer
              res.removeHeader("X-Internal")
            end
            """,
        "pages/api/admin/_middleware.lua": """
            return function(req, res, next)
              req.locals.trail = req.locals.trail .. ">admin"
              if req.headers.authorization ~= "Bearer letmein" then
                return res.status(401).json({ error = "unauthorized" })
              end
              next()
            end
            """,
        "pages/api/admin/stats.lua": """
            return function(req, res)
              res.setHeader("X-Internal", "secret")
              res.json({ trail = req.locals.trail })
            end
            """,
        "pages/api/admin/broken.lua": "return function(req, res) error('route blew up') end",
        "pages/api/public.lua": "return function(req, res) res.send(req.locals.trail) end",
        "pages/api/plain/hello.lua": "return function(req, res) res.send('hi') end",
    ]

    @Test func authShortCircuitsBeforeTheRoute() async throws {
        try await withProject(Self.project) { app in
            let denied = await app.request("GET", "/api/admin/stats")
            #expect(denied.status == 401)
            #expect(denied.text == #"{"error":"unauthorized"}"#)
            #expect(denied.header("X-Status-Seen") == "401", "the outer middleware saw the inner one's answer")

            let allowed = await app.request("GET", "/api/admin/stats", headers: [("Authorization", "Bearer letmein")])
            #expect(allowed.status == 200)
            #expect(allowed.text == #"{"trail":"root>admin"}"#, "req.locals is shared, outermost first")
            #expect(allowed.header("X-Status-Seen") == "200")
            #expect(allowed.header("X-Internal") == nil, "removed after next() returned")
        }
    }

    @Test func onlyFoldersAboveARouteApply() async throws {
        try await withProject(Self.project) { app in
            let outside = await app.request("GET", "/api/public")
            #expect(outside.status == 200)
            #expect(outside.text == "root", "admin's middleware does not run for /api/public")
            let chains = Dictionary(uniqueKeysWithValues: app.dispatcher.routeReports.map { ($0.route.pattern, $0.middleware) })
            #expect(chains["/api/admin/stats"] == ["pages/api/_middleware.lua", "pages/api/admin/_middleware.lua"])
            #expect(chains["/api/public"] == ["pages/api/_middleware.lua"])
        }
    }

    @Test func anErrorInTheChainAnswers500LikeAHandlerError() async throws {
        var files = Self.project
        files["pages/api/admin/_middleware.lua"] = "return function(req, res, next) local x = nil; return x.field end"
        try await withProject(files, dev: true) { app in
            let answer = await app.request("GET", "/api/admin/stats")
            #expect(answer.status == 500)
            #expect(answer.text.contains("pages/api/admin/_middleware.lua:1:"), "\(answer.text)")
            #expect(app.logText.contains("pages/api/admin/_middleware.lua:1:"))
            #expect(await app.request("GET", "/api/public").status == 200, "other routes keep serving")
        }
    }

    @Test func anErrorInTheRoutePassesThroughTheMiddleware() async throws {
        try await withProject(Self.project) { app in
            let answer = await app.request("GET", "/api/admin/broken", headers: [("Authorization", "Bearer letmein")])
            #expect(answer.status == 500)
            #expect(app.logText.contains("route blew up"))
        }
    }

    @Test func aMiddlewareCanCatchTheInnerError() async throws {
        let files = [
            "pages/api/_middleware.lua": """
                return function(req, res, next)
                  local ok, err = pcall(next)
                  if not ok then res.status(503).json({ caught = tostring(err):match("boom") }) end
                end
                """,
            "pages/api/x.lua": "return function(req, res) error('boom') end",
        ]
        try await withProject(files) { app in
            let answer = await app.request("GET", "/api/x")
            #expect(answer.status == 503)
            #expect(answer.text == #"{"caught":"boom"}"#)
        }
    }

    @Test func nextTwiceAndBadExportsAreClearErrors() async throws {
        let files = [
            "pages/api/a/_middleware.lua": "return function(req, res, next) next(); next() end",
            "pages/api/a/x.lua": "return function(req, res) res.send('x') end",
            "pages/api/b/_middleware.lua": "return { not_a_function = true }",
            "pages/api/b/y.lua": "return function(req, res) res.send('y') end",
        ]
        try await withProject(files, dev: true) { app in
            let twice = await app.request("GET", "/api/a/x")
            #expect(twice.status == 500)
            #expect(twice.text.contains("next() called twice"), "\(twice.text)")
            let bad = await app.request("GET", "/api/b/y")
            #expect(bad.status == 500)
            #expect(bad.text.contains("pages/api/b/_middleware.lua: a middleware file must return function(req, res, next), got table"), "\(bad.text)")
        }
    }

    @Test func limitsCoverTheChain() async throws {
        let files = [
            "luaroutes.config.lua": "return { limits = { cpu = '50ms' } }",
            "pages/api/_middleware.lua": "return function(req, res, next) if req.query.spin then while true do end end next() end",
            "pages/api/x.lua": "return function(req, res) res.send('ok') end",
        ]
        try await withProject(files) { app in
            #expect(await app.request("GET", "/api/x?spin=1").status == 500)
            #expect(app.logText.contains("limits.cpu exceeded"))
            #expect(await app.request("GET", "/api/x").text == "ok", "a fresh state serves next")
        }
    }

    @Test func misplacedAndMisspelledMiddlewareIsReported() async throws {
        let files = [
            "middleware.lua": "return function() end",
            "pages/api/middleware.lua": "return function(req, res) res.send('route') end",
            "pages/api/_midleware.lua": "return function() end",
            "pages/api/hello.lua": "return function(req, res) res.send('hi') end",
        ]
        try await withProject(files) { app in
            let warnings = app.dispatcher.project.middlewareWarnings
            #expect(warnings.count == 3, "\(warnings)")
            #expect(app.logText.contains("warning middleware.lua is not used"), "\(app.logText)")
            #expect(app.logText.contains("pages/api/_midleware.lua is ignored"))
            #expect(app.logText.contains("pages/api/middleware.lua is served as a route"))
        }
    }

    @Test func reloadPicksUpMiddlewareChanges() async throws {
        try await withProject(["pages/api/hello.lua": "return function(req, res) res.send('hi') end"], dev: true, threads: 2) { app in
            #expect(await app.request("GET", "/api/hello").status == 200)
            try app.write("pages/api/_middleware.lua", "return function(req, res, next) res.status(403).send('no') end")
            #expect(app.dispatcher.reload() == .reloaded(routes: 1))
            for _ in 0..<2 { #expect(await app.request("GET", "/api/hello").status == 403) }
            try FileManager.default.removeItem(atPath: app.root + "/pages/api/_middleware.lua")
            app.dispatcher.reload()
            #expect(await app.request("GET", "/api/hello").text == "hi")
        }
    }
}
