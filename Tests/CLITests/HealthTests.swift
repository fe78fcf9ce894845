import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The ops port of the real binary (`serve --metrics-port`): /healthz, /readyz, and /readyz
/// turning 503 at SIGTERM while the main port drains (docs/deploy.md).
@Suite struct HealthTests {
    func eventually(seconds: Int = 15, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    }

    /// A request is held by an upstream that answers only when the test says so; SIGTERM comes
    /// meanwhile. From then on /readyz answers 503 (draining) and /healthz 200, while the held
    /// request is still running; then it finishes with 200 and the process exits 0.
    @Test func sigtermTurnsReadyzTo503WhileTheRequestInFlightFinishes() async throws {
        let upstream = try PythonUpstream(doGET: """
            open(marker + ".arrived", "w").close()
            while not os.path.exists(marker + ".release"): time.sleep(0.02)
            self.send_response(200); self.send_header("Content-Length", "4"); self.end_headers(); self.wfile.write(b"held")
            """)
        defer { upstream.stop() }
        try #require(try await upstream.waitUntilListening(), "the upstream is listening")
        let upstreamPort = upstream.port

        let root = try CLI.project([
            ".env": "UP=http://127.0.0.1:\(upstreamPort)/\n",
            // limits.timeout well past the test's own waits: on a loaded machine the steps between
            // the request's start and its release took over the default 10 s.
            "pages/api/held.lua": "return { config = { limits = { timeout = '120s' } }, handler = function(req, res) local r = fetch(env.UP) res.send('got ' .. r.body) end }",
        ])
        let server = try ServeProcess(root: root, arguments: ["--metrics-port", "0", "--grace", "20"])
        defer { server.stop() }
        try #require(try await server.waitUntilListening(), "\(server.stderr)")
        let ops = server.opsPort
        #expect(try HTTPGet.get(port: ops, path: "/healthz").status == 200)
        #expect(try HTTPGet.get(port: ops, path: "/readyz") == (200, #"{"status":"ready"}"#))

        let port = server.port
        let held = StartedThread { try HTTPGet.get(port: port, path: "/api/held") }
        try await eventually { upstream.exists(".arrived") || held.isFinished }
        let ended = upstream.exists(".arrived") ? "" : String(describing: try? await held.value())
        try #require(upstream.exists(".arrived"), "the upstream got the request; it ended with \(ended): \(server.stderr)")
        kill(server.process.processIdentifier, SIGTERM)

        try await eventually { (try? HTTPGet.get(port: ops, path: "/readyz").status) == 503 }
        let ready = try HTTPGet.get(port: ops, path: "/readyz")
        #expect(ready == (503, #"{"status":"not ready","reason":"draining"}"#), "\(server.stderr)")
        #expect(try HTTPGet.get(port: ops, path: "/healthz").status == 200, "the process still answers")
        #expect(server.process.isRunning, "still draining: the held request has not finished")
        #expect((try? connectLoopback(port: port)).map { close($0); return false } ?? true, "the main port no longer accepts")

        FileManager.default.createFile(atPath: upstream.marker + ".release", contents: nil)
        let answer = try await held.value()
        #expect(answer.status == 200)
        #expect(answer.body == "got held")
        try await eventually { !server.process.isRunning }
        #expect(!server.process.isRunning)
        #expect(server.process.terminationStatus == 0, "\(server.stderr)")
    }
}
