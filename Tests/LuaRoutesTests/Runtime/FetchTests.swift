import Foundation
import Testing
@testable import LuaRoutes

/// fetch against a real local upstream (docs/reference.md section 6): the handler's coroutine waits
/// without blocking the loop, and every way an outbound request can end reads clearly.
@Suite struct FetchTests {
    static func upstream() async throws -> Upstream {
        try await Upstream { request in
            switch request.uri {
            case "/hello": return UpstreamReply(headers: [("Content-Type", "application/json"), ("X-Up", "1")], body: Array(#"{"name":"up","n":9007199254740993}"#.utf8))
            case "/missing": return UpstreamReply(status: 404, body: Array("nope".utf8))
            case "/broken": return UpstreamReply(status: 503, body: Array("down".utf8))
            case "/slow": return UpstreamReply(body: Array("late".utf8), delay: .seconds(2))
            case "/big": return UpstreamReply(body: [UInt8](repeating: 120, count: 2048))
            case "/loop": return UpstreamReply(status: 302, headers: [("Location", "/loop")])
            case "/hop": return UpstreamReply(status: 303, headers: [("Location", "/hello")])
            case "/away":
                let port = request.header("host")?.split(separator: ":").last ?? "80"
                return UpstreamReply(status: 302, headers: [("Location", "http://127.0.0.1:\(port)/hello")])
            case "/echo":
                let headers = request.headers.map { "\($0.0.lowercased())=\($0.1)" }.sorted().joined(separator: ";")
                return UpstreamReply(headers: [("X-Method", request.method), ("X-Seen", headers)], body: request.body)
            default: return UpstreamReply(status: 500)
            }
        }
    }

    static func route(_ body: String, config: String = "{}") -> [String: String] {
        ["pages/api/f.lua": "return { config = \(config), handler = function(req, res)\n\(body)\nend }",
         "pages/api/ok.lua": "return function(req, res) res.send('ok') end"]
    }

    @Test func successPassesStatusHeadersAndBody() async throws {
        let up = try await Self.upstream()
        try await withProject(Self.route("""
            local r = fetch("http://127.0.0.1:\(up.port)/hello")
            res.json({ status = r.status, ok = r.ok, up = r.headers["x-up"], name = r.json().name, n = r:json().n, raw = r.body })
            """)) { app in
            let response = await app.request("GET", "/api/f")
            #expect(response.status == 200)
            #expect(JSONPretty.format(response.body, indent: 0) == #"{"n":9007199254740993,"name":"up","ok":true,"raw":"{\"name\":\"up\",\"n\":9007199254740993}","status":200,"up":"1"}"#)
        }
        try await up.close()
    }

    @Test func errorStatusesPassThrough() async throws {
        let up = try await Self.upstream()
        try await withProject(Self.route("""
            local a = fetch("http://127.0.0.1:\(up.port)/missing")
            local b = fetch("http://127.0.0.1:\(up.port)/broken")
            res.json({ a.status, a.ok, a.body, b.status, b.ok, b.body })
            """)) { app in
            #expect(await app.request("GET", "/api/f").text == #"[404,false,"nope",503,false,"down"]"#)
        }
        try await up.close()
    }

    @Test func connectionRefusedIsNilAndAReason() async throws {
        let port = try await Upstream.closedPort()
        try await withProject(Self.route("""
            local r, err = fetch("http://127.0.0.1:\(port)/")
            res.json({ r == nil, err })
            """)) { app in
            #expect(await app.request("GET", "/api/f").text == #"[true,"connection refused"]"#)
        }
    }

    @Test func slowUpstreamTimesOut() async throws {
        let up = try await Self.upstream()
        try await withProject(Self.route("""
            local r, err = fetch("http://127.0.0.1:\(up.port)/slow", { timeout = "200ms" })
            res.json({ r == nil, err })
            """)) { app in
            #expect(await app.request("GET", "/api/f").text == #"[true,"timed out after 200ms"]"#)
        }
        try await up.close()
    }

    @Test func oversizedBodyIsRefused() async throws {
        let up = try await Self.upstream()
        try await withProject(Self.route("""
            local r, err = fetch("http://127.0.0.1:\(up.port)/big")
            res.json({ r == nil, err })
            """, config: "{ fetch = { maxBody = '1kb' } }")) { app in
            #expect(await app.request("GET", "/api/f").text == #"[true,"response over 1kb"]"#)
        }
        try await up.close()
    }

    @Test func redirectsAreFollowedAndLoopsStopped() async throws {
        let up = try await Self.upstream()
        try await withProject(Self.route("""
            local hop = fetch("http://127.0.0.1:\(up.port)/hop", { method = "POST", body = "x" })
            local r, err = fetch("http://127.0.0.1:\(up.port)/loop")
            res.json({ hop.status, hop.json().name, r == nil, err })
            """)) { app in
            #expect(await app.request("GET", "/api/f").text == #"[200,"up",true,"fetch: too many redirects (more than 10)"]"#)
        }
        try await up.close()
    }

    @Test func allowListRefusesOtherHostsAndRedirectsToThem() async throws {
        let up = try await Self.upstream()
        try await withProject(Self.route("""
            local a, errA = fetch("http://127.0.0.1:\(up.port)/hello")
            local b = fetch("http://localhost:\(up.port)/hello")
            local c, errC = fetch("http://localhost:\(up.port)/away")
            res.json({ a == nil, errA, b and b.status, c == nil, errC })
            """, config: "{ fetch = { allow = { 'localhost' } } }")) { app in
            #expect(await app.request("GET", "/api/f").text == #"[true,"fetch: 127.0.0.1 is not in fetch.allow",200,true,"fetch: 127.0.0.1 is not in fetch.allow"]"#)
        }
        try await up.close()
    }

    @Test func onlyHTTPAndHTTPS() async throws {
        try await withProject(Self.route("""
            local r, err = fetch("file:///etc/passwd")
            local r2, err2 = fetch("gopher://x/")
            res.json({ r == nil, err, err2 })
            """)) { app in
            let text = await app.request("GET", "/api/f").text
            #expect(text == #"[true,"fetch: only http and https URLs are allowed (got \"file:///etc/passwd\")","fetch: only http and https URLs are allowed (got \"gopher://x/\")"]"#)
        }
    }

    @Test func jsonBodyAndHeadersBothWays() async throws {
        let up = try await Self.upstream()
        try await withProject(Self.route("""
            local r = fetch("http://127.0.0.1:\(up.port)/echo", { method = "put", headers = { ["X-Key"] = "secret" }, body = { a = 1 } })
            res.json({ method = r.headers["x-method"], seen = r.headers["x-seen"], body = r.json() })
            """)) { app in
            let text = await app.request("GET", "/api/f").text
            #expect(text.contains(#""method":"PUT""#))
            #expect(text.contains("content-type=application/json"))
            #expect(text.contains("x-key=secret"))
            #expect(text.contains(#""body":{"a":1}"#))
        }
        try await up.close()
    }

    @Test func fetchInsidePcallAndInsideAScriptCoroutine() async throws {
        let up = try await Self.upstream()
        try await withProject(Self.route("""
            local ok, r = pcall(fetch, "http://127.0.0.1:\(up.port)/hello")
            local co = coroutine.wrap(function(u) local x = fetch(u); coroutine.yield(x.status); return "done" end)
            local first = co("http://127.0.0.1:\(up.port)/missing")
            local second = co()
            res.json({ ok, r.status, first, second })
            """)) { app in
            #expect(await app.request("GET", "/api/f").text == #"[true,200,404,"done"]"#)
        }
        try await up.close()
    }

    @Test func otherRequestsAreServedWhileOneWaits() async throws {
        let up = try await Self.upstream()
        try await withProject(Self.route("""
            local r = fetch("http://127.0.0.1:\(up.port)/slow")
            res.send(r.body)
            """)) { app in
            async let slow = app.request("GET", "/api/f")
            try await Task.sleep(for: .milliseconds(100))
            // the one loop is free: this answers while the slow request still waits
            #expect(await app.request("GET", "/api/ok").text == "ok")
            #expect(await slow.text == "late")
        }
        try await up.close()
    }

    /// A coroutine parked on fetch belongs to its request: another request that finds it in
    /// module state can neither resume nor close it, and the first request's answer is intact.
    @Test func aCoroutineWaitingOnTheHostCannotBeTakenByAnotherRequest() async throws {
        let up = try await Self.upstream()
        let slow = "http://127.0.0.1:\(up.port)/slow"
        try await withProject([
            "pages/api/held.lua": """
            local held = {}
            return function(req, res)
              if req.query.hold == "root" then
                held.root = coroutine.running()
                res.send("root:" .. fetch("\(slow)").body)
              elseif req.query.hold == "inner" then
                held.inner = coroutine.create(function() return fetch("\(slow)").body end)
                local ok, body = coroutine.resume(held.inner)
                res.send("inner:" .. tostring(ok) .. ":" .. tostring(body))
              else
                local out = {}
                for _, name in ipairs({ "root", "inner" }) do
                  local co = held[name]
                  local ok, err = coroutine.resume(co, "stolen")
                  local cok, cerr = pcall(coroutine.close, co)
                  out[#out + 1] = table.concat({ name, coroutine.status(co), tostring(ok), err, tostring(cok), cerr }, "|")
                end
                res.send(table.concat(out, "\\n"))
              end
            end
            """,
        ]) { app in
            async let root = app.request("GET", "/api/held?hold=root")
            async let inner = app.request("GET", "/api/held?hold=inner")
            try await Task.sleep(for: .milliseconds(300))   // both are parked on the slow upstream by now
            let seen = await app.request("GET", "/api/held").text
            #expect(seen == """
                root|suspended|false|cannot resume a coroutine of another request|false|cannot close a coroutine of another request
                inner|suspended|false|cannot resume a coroutine of another request|false|cannot close a coroutine of another request
                """)
            let (rootAnswer, innerAnswer) = await (root.text, inner.text)
            #expect(rootAnswer == "root:late")
            #expect(innerAnswer == "inner:true:late")
        }
        try await up.close()
    }

    @Test func wallTimeoutAnswers504AndTheRouteRecovers() async throws {
        let up = try await Self.upstream()
        try await withProject(Self.route("""
            if req.query.wait then fetch("http://127.0.0.1:\(up.port)/slow") end
            res.send('fine')
            """, config: "{ limits = { timeout = '300ms' } }")) { app in
            let response = await app.request("GET", "/api/f?wait=1")
            #expect(response.status == 504)
            #expect(response.text == #"{"error":"Gateway Timeout"}"#)
            #expect(app.logText.contains("limits.timeout exceeded (300ms)"))
            #expect(await app.request("GET", "/api/f").text == "fine")
        }
        try await up.close()
    }

    @Test func fetchAtModuleScopeIsRefused() async throws {
        try await withProject([
            "pages/api/m.lua": "local r, err = fetch('http://127.0.0.1:1/')\nreturn function(req, res) res.send(err) end",
        ]) { app in
            #expect(await app.request("GET", "/api/m").text == "fetch: only available while handling a request (not at module scope)")
        }
    }

    @Test func badArgumentsRaise() async throws {
        try await withProject(Self.route("""
            local results = {}
            for _, call in ipairs({
              function() return fetch() end,
              function() return fetch("http://x/", 5) end,
              function() return fetch("http://x/", { headers = { ["X-A"] = "a\\r\\nB: c" } }) end,
              function() return fetch("http://x/", { body = true }) end,
              function() return fetch("http://x/", { timeout = "soon" }) end,
            }) do
              local ok, err = pcall(call)
              results[#results + 1] = ok and "no error" or err
            end
            res.json(results)
            """), dev: true) { app in
            let text = await app.request("GET", "/api/f").text
            #expect(text.contains("bad argument #1 to 'fetch' (string expected, got nil)"))
            #expect(text.contains("bad argument #2 to 'fetch' (table expected, got number)"))
            #expect(text.contains("bad argument #2 to 'fetch' (invalid header \\\"X-A\\\")"))
            #expect(text.contains("bad argument #2 to 'fetch' (opts.body must be a string or a table, got boolean)"))
            #expect(text.contains("opts.timeout must be seconds"))
            #expect(!text.contains("no error"))
        }
    }
}
