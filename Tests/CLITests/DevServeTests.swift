import Foundation
import TestSupport
import Testing

/// `luaroutes serve --dev` as a process, over HTTP: what a broken save and a new middleware
/// file look like to a client once the watcher reloaded.
@Suite struct DevServeTests {
    /// GETs `path` until `accept` holds or `seconds` pass (the reload runs after a debounce);
    /// returns the last answer for the caller to assert on.
    static func poll(_ port: Int, _ path: String, seconds: Int = 15,
                     until accept: @escaping @Sendable (Int, String) -> Bool) async throws -> (status: Int, body: String) {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            let answer = try await onOwnThread { try HTTPGet.get(port: port, path: path) }
            if accept(answer.status, answer.body) || ContinuousClock.now >= deadline { return answer }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func aBrokenSaveAnswers500WithTheCompileErrorThenTheFixServes() async throws {
        let root = try CLI.project(["pages/api/hello.lua": "return function(req, res) res.send('v1') end"])
        let server = try ServeProcess(root: root, arguments: ["--dev"])
        defer { server.stop() }
        #expect(try await server.waitUntilListening(), "\(server.stderr)")
        #expect(try await Self.poll(server.port, "/api/hello") { _, body in body == "v1" }.body == "v1")

        try "return function(req, res)\n  res.send('v2'\nend".write(toFile: root + "/pages/api/hello.lua", atomically: true, encoding: .utf8)
        let broken = try await Self.poll(server.port, "/api/hello") { status, _ in status == 500 }
        #expect(broken.status == 500, "\(server.stderr)")
        #expect(broken.body.contains("pages/api/hello.lua:3:"), "\(broken.body)")

        try "return function(req, res) res.send('v3') end".write(toFile: root + "/pages/api/hello.lua", atomically: true, encoding: .utf8)
        #expect(try await Self.poll(server.port, "/api/hello") { _, body in body == "v3" }.body == "v3")
    }

    @Test func aNewMiddlewareFileIsPickedUp() async throws {
        let root = try CLI.project(["pages/api/hello.lua": "return function(req, res) res.send('hi') end"])
        let server = try ServeProcess(root: root, arguments: ["--dev"])
        defer { server.stop() }
        #expect(try await server.waitUntilListening(), "\(server.stderr)")
        try "return function(req, res, next) res.status(403).send('blocked') end"
            .write(toFile: root + "/pages/api/_middleware.lua", atomically: true, encoding: .utf8)
        let blocked = try await Self.poll(server.port, "/api/hello") { status, _ in status == 403 }
        #expect(blocked.status == 403 && blocked.body == "blocked", "\(server.stderr)")
    }
}
