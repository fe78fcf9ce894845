import Foundation
import InMemoryLogging
import Testing
import TestSupport
@testable import LuaRoutes

/// res.after (docs/after.md): work that outlives the answer, with fetch available, its errors
/// logged with the request id, and a graceful shutdown that waits for it.
@Suite struct AfterWorkTests {
    static func slowUpstream() async throws -> Upstream {
        try await Upstream { _ in UpstreamReply(body: Array("late".utf8), delay: .seconds(2)) }
    }

    static func files(upstream port: Int) -> [String: String] {
        ["luaroutes.config.lua": #"return { shared = { s = "1mb" } }"#,
         "pages/api/work.lua": """
            return function(req, res)
              res.after(function()
                local r = fetch("http://127.0.0.1:\(port)/slow")
                shared.s:set("after", "done " .. r.status)
                log.info("after done: " .. r.body)
              end)
              res.after(function() error("after boom") end)
              res.after(function() shared.s:set("second", "ran") end)
              res.json({ answered = true })
            end
            """,
         "pages/api/state.lua": "return function(req, res) res.json({ after = shared.s:get('after'), second = shared.s:get('second') }) end"]
    }

    @Test func workOutlivesTheAnswerAndShowsInTheLog() async throws {
        // The upstream holds its answer until the test has the route's answer: the after work
        // is still waiting on it then, so the answer cannot have waited for the after work.
        let release = DispatchSemaphore(value: 0)
        let up = try await Upstream { _ in
            _ = release.wait(timeout: .now() + 10)
            return UpstreamReply(body: Array("late".utf8))
        }
        try await withProject(Self.files(upstream: up.port)) { app in
            let response = await app.request("GET", "/api/work")
            #expect(response.text == #"{"answered":true}"#)
            #expect(!app.logText.contains("after done"))
            release.signal()
            var state = ""
            for _ in 0..<100 where !state.contains("done") {
                try await Task.sleep(for: .milliseconds(100))
                state = await app.request("GET", "/api/state").text
            }
            #expect(state.contains(#""after":"done 200""#) && state.contains(#""second":"ran""#))
            let log = app.logText
            #expect(log.contains("after done: late"))
            // The failing function is logged with the request's id, and did not stop the next one.
            let boom = log.split(separator: "\n").first { $0.contains("res.after:") && $0.contains("after boom") }
            #expect(boom?.contains("request=") == true)
        }
        try await up.close()
    }

    @Test func gracefulShutdownWaitsForPendingAfterWork() async throws {
        let up = try await Self.slowUpstream()
        let logs = InMemoryLogHandler()
        try await withServer(Self.files(upstream: up.port), logs: logs) { port in
            let answer = try await onOwnThread { try rawHTTP(port: port, "GET /api/work HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n") }
            #expect(answer.hasSuffix(#"{"answered":true}"#))
        }   // shuts down gracefully here, with the after work still waiting on its upstream
        #expect(logs.entries.contains { "\($0.message)" == "after done: late" })
        try await up.close()
    }

    /// After work runs under the route's limits: one that never ends is stopped by limits.cpu,
    /// logged with the request's id, and the route keeps answering.
    @Test func afterWorkIsLimited() async throws {
        try await withProject(["pages/api/spin.lua": """
            return { config = { limits = { cpu = "100ms" } }, handler = function(req, res)
              if req.query.spin then res.after(function() while true do end end) end
              res.send("ok")
            end }
            """]) { app in
            #expect(await app.request("GET", "/api/spin?spin=1").text == "ok")
            var line: Substring?
            for _ in 0..<100 where line == nil {
                try await Task.sleep(for: .milliseconds(50))
                line = app.logText.split(separator: "\n").first { $0.contains("limits.cpu exceeded") }
            }
            #expect(line?.contains("request=1") == true)
            #expect(await app.request("GET", "/api/spin").text == "ok")
        }
    }

    /// The answer is over when after work runs: writing to it then raises, clearly.
    @Test func afterWorkCannotWriteToTheAnswer() async throws {
        try await withProject(["pages/api/w.lua": """
            return function(req, res)
              res.after(function() res.write("late") end)
              res.write("streamed")
            end
            """]) { app in
            #expect(await app.request("GET", "/api/w").text == "streamed")
            var log = ""
            for _ in 0..<100 where !log.contains("res.after:") {
                try await Task.sleep(for: .milliseconds(20))
                log = app.logText
            }
            #expect(log.contains("res.after: pages/api/w.lua:2: response already finished"))
        }
    }

    @Test func badArgumentReadsClearly() async throws {
        try await withProject(["pages/api/x.lua": "return function(req, res) res.after('nope') end"]) { app in
            #expect(await app.request("GET", "/api/x").status == 500)
            #expect(app.logText.contains("bad argument #1 to 'after' (function expected, got string)"))
        }
    }
}
