import Foundation
import InMemoryLogging
import Testing
@testable import LuaRoutes

/// Issue 13, part 1, through a real socket on a server with one event loop: handlers whose
/// work is spread over many short coroutines (which a per-coroutine instruction count never
/// stopped) are cut off by limits.cpu and limits.timeout, and the loop serves again at once.
@Suite(.timeLimit(.minutes(1))) struct StuckLoopTests {
    static let tree = "local function node(d) if d > 0 then coroutine.wrap(node)(d - 1); coroutine.wrap(node)(d - 1) end end"

    static func files(limits: String) -> [String: String] {
        ["pages/api/tree.lua": """
         \(tree)
         return { config = { limits = \(limits) }, handler = function(req, res) coroutine.wrap(node)(150); res.json({}) end }
         """,
         "pages/api/spin.lua": "return { config = { limits = \(limits) }, handler = function(req, res) while true do end end }",
         "pages/api/ok.lua": "return function(req, res) res.send('ok') end"]
    }

    static func get(_ path: String) -> String { "GET \(path) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" }

    /// The coroutine tree of the issue: 500 with the contract's body, the log names the route
    /// and limits.cpu, and a healthy route on the same loop answers within a second after.
    @Test func coroutineTreeIsStoppedByTheCPULimit() async throws {
        let logs = InMemoryLogHandler()
        try await withServer(Self.files(limits: #"{ cpu = "50ms" }"#), logs: logs) { port in
            for _ in 1...2 {
                let cut = try rawHTTP(port: port, Self.get("/api/tree"), readTimeout: 20)
                #expect(cut.hasPrefix("HTTP/1.1 500 "), "\(cut)")
                #expect(cut.hasSuffix(#"{"error":"Internal Server Error"}"#))
                let ok = try rawHTTP(port: port, Self.get("/api/ok"), readTimeout: 1)
                #expect(ok.hasPrefix("HTTP/1.1 200 ") && ok.hasSuffix("\r\n\r\nok"), "the loop must serve again: \(ok)")
            }
        }
        let lines = logs.entries.map { "\($0.message)" }
        #expect(lines.contains { $0.contains("pages/api/tree.lua: limits.cpu exceeded (50ms)") }, "\(lines)")
    }

    /// limits.timeout holds while Lua runs (no NIO timer can fire then), with a CPU budget far
    /// above it: 504 for the coroutine tree and for a plain loop.
    @Test(arguments: ["/api/tree", "/api/spin"])
    func timeoutAnswers504WhileLuaRuns(path: String) async throws {
        let logs = InMemoryLogHandler()
        try await withServer(Self.files(limits: #"{ cpu = "60s", timeout = "200ms" }"#), logs: logs) { port in
            let cut = try rawHTTP(port: port, Self.get(path), readTimeout: 20)
            #expect(cut.hasPrefix("HTTP/1.1 504 "), "\(cut)")
            #expect(cut.hasSuffix(#"{"error":"Gateway Timeout"}"#))
            let ok = try rawHTTP(port: port, Self.get("/api/ok"), readTimeout: 1)
            #expect(ok.hasPrefix("HTTP/1.1 200 ") && ok.hasSuffix("\r\n\r\nok"), "the loop must serve again: \(ok)")
        }
        let lines = logs.entries.map { "\($0.message)" }
        #expect(lines.contains { $0.contains("limits.timeout exceeded (200ms)") }, "\(lines)")
    }
}
