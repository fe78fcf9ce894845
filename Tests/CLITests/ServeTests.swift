import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `luaroutes serve` as a process: hot reload, graceful shutdown, JSON logs.
@Suite struct ServeTests {
    /// Polls `condition` until it holds or `seconds` pass; the caller asserts on the final state.
    func eventually(seconds: Int = 15, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    }

    @Test func devModeServesAnEditedFile() async throws {
        let root = try CLI.project(["pages/api/hello.lua": "return function(req, res) res.send('v1') end"])
        let server = try ServeProcess(root: root, arguments: ["--dev"])
        defer { server.stop() }
        #expect(try await server.waitUntilListening(), "\(server.stderr)")
        #expect(try HTTPGet.get(port: server.port, path: "/api/hello").body == "v1")

        try "return function(req, res) res.send('v2') end".write(toFile: root + "/pages/api/hello.lua", atomically: true, encoding: .utf8)
        try await eventually { (try? HTTPGet.get(port: server.port, path: "/api/hello").body) == "v2" }
        #expect(try HTTPGet.get(port: server.port, path: "/api/hello").body == "v2", "\(server.stderr)")
        #expect(server.stderr.contains("reloaded"))
    }

    @Test func sigtermLetsASlowRequestFinishThenExits0() async throws {
        let upstream = try PythonUpstream(doGET: """
            open(marker + ".arrived", "w").close()
            time.sleep(1.5)
            self.send_response(200); self.send_header("Content-Length", "4"); self.end_headers(); self.wfile.write(b"slow")
            """)
        defer { upstream.stop() }
        try #require(try await upstream.waitUntilListening(), "the upstream is listening")
        let upstreamPort = upstream.port

        let root = try CLI.project([
            ".env": "UP=http://127.0.0.1:\(upstreamPort)/\n",
            "pages/api/slow.lua": "return function(req, res) local r = fetch(env.UP) res.send('got ' .. r.body) end",
            "pages/api/ping.lua": "return function(req, res) res.send('pong') end",
        ])
        let server = try ServeProcess(root: root)
        defer { server.stop() }
        try #require(try await server.waitUntilListening(), "\(server.stderr)")

        let port = server.port
        let slow = StartedThread { try HTTPGet.get(port: port, path: "/api/slow") }
        try await eventually { upstream.exists(".arrived") || slow.isFinished }
        let ended = upstream.exists(".arrived") ? "" : String(describing: try? await slow.value())
        try #require(upstream.exists(".arrived"), "the upstream got the request; it ended with \(ended): \(server.stderr)")
        kill(server.process.processIdentifier, SIGTERM)

        let answer = try await slow.value()
        #expect(answer.status == 200)
        #expect(answer.body == "got slow")
        try await eventually { !server.process.isRunning }
        #expect(!server.process.isRunning)
        #expect(server.process.terminationStatus == 0, "\(server.stderr)")
    }

    /// Issue 13: a handler holds the only event loop under a CPU budget too large to save it
    /// (30 s): SIGTERM still ends the process within --grace plus a second, exit status 1, and
    /// the last line names the route whose Lua was still running.
    @Test func sigtermExitsWithinGraceWhileAHandlerHoldsTheOnlyLoop() async throws {
        let root = try CLI.project([
            "pages/api/stuck.lua": """
                local function node(d) if d > 0 then coroutine.wrap(node)(d - 1); coroutine.wrap(node)(d - 1) end end
                return { config = { limits = { cpu = "30s", timeout = "60s" } },
                         handler = function(req, res) log.info("tree started") coroutine.wrap(node)(150) res.json({}) end }
                """,
        ])
        let server = try ServeProcess(root: root, threads: 1, arguments: ["--grace", "1"])
        defer { server.stop() }
        #expect(try await server.waitUntilListening(), "\(server.stderr)")
        let port = server.port
        let stuck = Task { try? await onOwnThread { try HTTPGet.get(port: port, path: "/api/stuck", timeout: 15) } }
        try await eventually { server.stderr.contains("tree started") }
        #expect(server.stderr.contains("tree started"), "the handler runs: \(server.stderr)")

        kill(server.process.processIdentifier, SIGTERM)
        // --grace 1 plus the second the deadline allows; the rest is slack for a loaded machine.
        try await eventually(seconds: 5) { !server.process.isRunning }
        #expect(!server.process.isRunning, "still running after SIGTERM: \(server.stderr)")
        if server.process.isRunning { kill(server.process.processIdentifier, SIGKILL) }
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 1)
        #expect(server.stderr.contains("--grace (1s) passed with 1 requests unanswered; Lua still running in pages/api/stuck.lua"),
                "\(server.stderr)")
        _ = await stuck.value
    }

    @Test func jsonLogsOneObjectPerLineWithAnAccessLine() async throws {
        let root = try CLI.project(["pages/api/hello.lua": "return function(req, res) log.info('hi') res.send('v1') end"])
        let server = try ServeProcess(root: root, arguments: ["--log-format", "json"])
        defer { server.stop() }
        #expect(try await server.waitUntilListening(), "\(server.stderr)")
        _ = try HTTPGet.get(port: server.port, path: "/api/hello")
        server.process.terminate()
        server.process.waitUntilExit()

        let lines = server.stderr.split(separator: "\n")
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == lines.count, "every line is a JSON object: \(server.stderr)")
        let access = objects.first { $0["log"] as? String == "access" && $0["path"] as? String == "/api/hello" }
        #expect(access?["status"] as? Int == 200)
        #expect(access?["route"] as? String == "pages/api/hello.lua")
        #expect(access?["bytes"] as? Int == 2)
        #expect(access?["client"] as? String == "127.0.0.1")
        let fromLua = objects.first { $0["msg"] as? String == "hi" }
        #expect(fromLua?["request"] != nil && fromLua?["request"] as? String == access?["request"] as? String)
        #expect(objects.contains { ($0["msg"] as? String)?.hasPrefix("luaroutes listening on http://127.0.0.1:") == true })
    }

    @Test func noAccessLogKeepsHandlerLogsOnly() async throws {
        let root = try CLI.project(["pages/api/hello.lua": "return function(req, res) log.info('hi') res.send('v1') end"])
        let server = try ServeProcess(root: root, arguments: ["--log-format", "json", "--no-access-log"])
        defer { server.stop() }
        #expect(try await server.waitUntilListening(), "\(server.stderr)")
        _ = try HTTPGet.get(port: server.port, path: "/api/hello")
        server.process.terminate()
        server.process.waitUntilExit()

        let objects = server.stderr.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.contains { $0["msg"] as? String == "hi" }, "the handler's own log line stays: \(server.stderr)")
        #expect(!objects.contains { $0["log"] as? String == "access" }, "no access line: \(server.stderr)")
    }
}
