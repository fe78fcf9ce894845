import Foundation
import InMemoryLogging
import Logging
import NIOPosix
import Prometheus
import Testing
import TestSupport
@testable import LuaRoutes

/// luaroutes_shared_bytes{dict} and luaroutes_shared_evictions_total{dict} at scrape time.
@Suite struct SharedMetricsTests {
    @Test func scrapesReportBytesAndEvictions() async throws {
        let root = try makeProjectFolder([
            "luaroutes.config.lua": #"return { shared = { small = "8kb" } }"#,
            // 10 items of 1 KB into 8 KB: 3 evictions (7 fit).
            "pages/api/fill.lua": #"return function(req, res) for i = 1, 10 do shared.small:set("k" .. i, string.rep("x", 1000)) end res.send("ok") end"#,
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let logger = Logger(label: "test", factory: { _ in InMemoryLogHandler() })
        let registry = PrometheusCollectorRegistry()
        let metrics = ServerMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let dispatcher = Dispatcher(project: try Project.load(root: root, processEnvironment: [:], logger: logger),
                                    group: group, logger: logger, metrics: metrics)
        _ = await dispatcher.respond(to: APIRequest(method: "GET", target: "/api/fill", headers: [], body: []))
        let responder = MetricsResponder(registry: registry, metrics: metrics, dispatcher: dispatcher)
        let loop = group.next()
        func scrape() async -> String {
            let answer = await withCheckedContinuation { continuation in
                loop.execute {
                    responder.respond(to: APIRequest(method: "GET", target: "/metrics", headers: [], body: []), on: loop) {
                        continuation.resume(returning: $0)
                    }
                }
            }
            return String(decoding: answer.body, as: UTF8.self)
        }
        let first = await scrape()
        let itemBytes = 64 + 2 + 1000   // overhead + key + value ("k8".."k10": the survivors' keys are 2 or 3 bytes)
        #expect(first.contains(#"luaroutes_shared_evictions_total{dict="small"} 3"#), "\(first)")
        let line = first.split(separator: "\n").first { $0.hasPrefix(#"luaroutes_shared_bytes{dict="small"}"#) }
        let bytes = line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? 0
        #expect(bytes >= 7 * itemBytes && bytes <= 8 << 10, "\(line ?? "no line")")
        // A second scrape adds nothing: the counter follows the dictionary, not the scrapes.
        #expect(await scrape().contains(#"luaroutes_shared_evictions_total{dict="small"} 3"#))
        await dispatcher.shutdown()
        try await group.shutdownGracefully()
    }
}
