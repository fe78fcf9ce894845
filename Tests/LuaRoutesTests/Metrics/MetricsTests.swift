import Foundation
import TestSupport
import InMemoryLogging
import Logging
import NIOPosix
import Prometheus
import Testing
@testable import LuaRoutes

/// Request counters, limit hits and reloads in Prometheus text, from a registry of the test's
/// own (the global MetricsSystem is never bootstrapped).
@Suite struct MetricsTests {
    @Test func countersFollowRequestsLimitsAndReloads() async throws {
        let root = try makeProjectFolder([
            "pages/api/ok.lua": "return function(req, res) res.send('ok') end",
            "pages/api/spin.lua": "return { handler = function(req, res) while true do end end, config = { limits = { cpu = '20ms' } } }",
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let logger = Logger(label: "test", factory: { _ in InMemoryLogHandler() })
        let registry = PrometheusCollectorRegistry()
        let metrics = ServerMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let dispatcher = Dispatcher(project: try Project.load(root: root, processEnvironment: [:], logger: logger),
                                    group: group, logger: logger, metrics: metrics)
        for _ in 0..<3 { _ = await dispatcher.respond(to: APIRequest(method: "GET", target: "/api/ok", headers: [], body: [])) }
        _ = await dispatcher.respond(to: APIRequest(method: "GET", target: "/api/missing", headers: [], body: []))
        _ = await dispatcher.respond(to: APIRequest(method: "GET", target: "/api/spin", headers: [], body: []))
        dispatcher.reload()

        let responder = MetricsResponder(registry: registry, metrics: metrics, dispatcher: dispatcher)
        let loop = group.next()
        let scrape = await withCheckedContinuation { continuation in
            loop.execute {
                responder.respond(to: APIRequest(method: "GET", target: "/metrics", headers: [], body: []), on: loop) {
                    continuation.resume(returning: $0)
                }
            }
        }
        let text = String(decoding: scrape.body, as: UTF8.self)
        #expect(scrape.status == 200)
        #expect(text.contains(#"luaroutes_requests_total{route="pages/api/ok.lua",status="200"} 3"#), "\(text)")
        #expect(text.contains(#"luaroutes_requests_total{route="-",status="404"} 1"#))
        #expect(text.contains(#"luaroutes_limit_hits_total{route="pages/api/spin.lua",kind="cpu"} 1"#))
        #expect(text.contains(#"luaroutes_reloads_total{result="ok"} 1"#))
        #expect(text.contains(#"luaroutes_request_duration_seconds_count{route="pages/api/ok.lua",status="200"} 3"#))
        #expect(text.contains(#"luaroutes_lua_memory_bytes{route="pages/api/ok.lua"}"#))

        await dispatcher.shutdown()
        try await group.shutdownGracefully()
    }
}
