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
            // limits.timeout and fetch.timeout well past the test's own waits: under the whole
            // suite on 2 cores, the steps between the request's start and its release took over
            // the default 10 s, and the fetch timing out ended the drain early.
            "pages/api/held.lua": """
                return { config = { limits = { timeout = '120s' }, fetch = { timeout = '120s' } },
                         handler = function(req, res) local r = assert(fetch(env.UP)) res.send('got ' .. r.body) end }
                """,
        ])
        let server = try ServeProcess(root: root, arguments: ["--metrics-port", "0", "--grace", "60"])
        defer { server.stop() }
        // Runs before the stop above: a failed run must not leave the server draining for --grace.
        defer { FileManager.default.createFile(atPath: upstream.marker + ".release", contents: nil) }
        try #require(try await server.waitUntilListening(), "\(server.stderr)")
        let ops = server.opsPort
        #expect(try await onOwnThread { try HTTPGet.get(port: ops, path: "/healthz") }.status == 200)
        #expect(try await onOwnThread { try HTTPGet.get(port: ops, path: "/readyz") } == (200, #"{"status":"ready"}"#))

        let port = server.port
        let held = StartedThread { try HTTPGet.get(port: port, path: "/api/held") }
        try await eventually { upstream.exists(".arrived") || held.isFinished }
        let ended = upstream.exists(".arrived") ? "" : String(describing: try? await held.value())
        try #require(upstream.exists(".arrived"), "the upstream got the request; it ended with \(ended): \(server.stderr)")
        kill(server.process.processIdentifier, SIGTERM)
        let signalled = ContinuousClock.now

        // What each poll of /readyz got, so a failure says whether the ops port answered,
        // refused or hung, and whether the process was still there. The polls block, so each
        // runs on a thread of its own: the cooperative pool is shared with the whole suite.
        var polls: [String] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let started = ContinuousClock.now
            let answer = try? await onOwnThread { try HTTPGet.get(port: ops, path: "/readyz", timeout: 5) }
            polls.append("\(answer.map { String($0.status) } ?? "no answer") at +\(started - signalled) in \(ContinuousClock.now - started), running: \(server.process.isRunning)")
            if answer?.status == 503 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let ready = try? await onOwnThread { try HTTPGet.get(port: ops, path: "/readyz") }
        #expect(ready?.status == 503 && ready?.body == #"{"status":"not ready","reason":"draining"}"#,
                "\(String(describing: ready)); polls: \(polls.prefix(4)) ... \(polls.suffix(3)) of \(polls.count); running: \(server.process.isRunning); \(server.stderr)")
        #expect((try? await onOwnThread { try HTTPGet.get(port: ops, path: "/healthz") })?.status == 200, "the process still answers")
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
