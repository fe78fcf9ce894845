import Foundation
import Logging
import NIOPosix
import Prometheus
import ServiceLifecycle
import TestSupport
import Testing
@testable import LuaRoutes

#if canImport(Glibc)
import Glibc
#endif

/// `/healthz` and `/readyz` on the ops (metrics) port, and how the main port drains after
/// SIGTERM (docs/deploy.md), over real loopback sockets.
@Suite struct HealthEndpointTests {
    /// The main server and the ops server as `serve` wires them, Readiness last in the group.
    /// `body` gets both ports and the running group (to trigger the graceful shutdown SIGTERM starts).
    func withOpsServer(_ files: [String: String], listening: (@Sendable () -> Bool)? = nil,
                       prepare: (String) throws -> Void = { _ in },
                       _ body: @Sendable (_ port: Int, _ ops: Int, _ services: ServiceGroup, _ readiness: Readiness) async throws -> Void) async throws {
        let root = try makeProjectFolder(files)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try prepare(root)
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let project = try Project.load(root: root, processEnvironment: [:], logger: logger)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let registry = PrometheusCollectorRegistry()
        let metrics = ServerMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let dispatcher = Dispatcher(project: project, group: group, logger: logger, metrics: metrics)
        let server = HTTPServer(dispatcher: dispatcher, configuration: .init(port: 0, grace: .seconds(5)), logger: logger)
        let readiness = Readiness(listening: listening ?? { server.localPort != nil }, database: project.databaseProbe())
        let opsServer = HTTPServer(responder: MetricsResponder(registry: registry, metrics: metrics, dispatcher: dispatcher, readiness: readiness),
                                   group: group, configuration: .init(port: 0, grace: .zero, name: "metrics"), logger: logger)
        let services = ServiceGroup(configuration: .init(services: [.init(service: opsServer), .init(service: server), .init(service: readiness)],
                                                         logger: logger))
        async let running: Void = services.run()
        var ports: (Int, Int)?
        for _ in 0..<500 where ports == nil {
            if let port = server.localPort, let ops = opsServer.localPort { ports = (port, ops) } else { try await Task.sleep(for: .milliseconds(10)) }
        }
        guard let (port, ops) = ports else { throw LoopbackError.noPort }
        let result: Result<Void, any Error>
        do { result = .success(try await body(port, ops, services, readiness)) } catch { result = .failure(error) }
        await services.triggerGracefulShutdown()
        try await running
        await dispatcher.shutdown()
        try await group.shutdownGracefully()
        try result.get()
    }

    func get(_ port: Int, _ path: String) async throws -> String {
        try await onOwnThread { try rawHTTP(port: port, "GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n") }
    }

    @Test func healthzAndReadyzAnswerWhileServing() async throws {
        try await withOpsServer(["pages/api/ok.lua": "return function(req, res) res.send('ok') end",
                                 "migrations/001_t.sql": "CREATE TABLE t (id INTEGER PRIMARY KEY);"],
                                prepare: { root in
                                    let quiet = Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() })
                                    try Project.load(root: root, processEnvironment: [:], logger: quiet).prepareDatabase(logger: quiet)
                                }) { port, ops, _, _ in
            let health = try await get(ops, "/healthz")
            #expect(health.hasPrefix("HTTP/1.1 200"), "\(health)")
            #expect(health.hasSuffix(#"{"status":"ok"}"#))
            let ready = try await get(ops, "/readyz")
            #expect(ready.hasPrefix("HTTP/1.1 200"), "\(ready)")
            #expect(ready.hasSuffix(#"{"status":"ready"}"#))
            #expect(try await get(ops, "/metrics").hasPrefix("HTTP/1.1 200"))
            #expect(try await get(ops, "/other").hasPrefix("HTTP/1.1 404"))
            // The main port serves the routes, not the health checks.
            #expect(try await get(port, "/readyz").hasPrefix("HTTP/1.1 404"))
        }
    }

    /// A database that no longer opens (here a file that is not SQLite) makes /readyz 503 with
    /// the database's reason; /healthz stays 200: the process answers.
    @Test func readyzIs503WhenTheDatabaseDoesNotOpen() async throws {
        try await withOpsServer(["pages/api/ok.lua": "return function(req, res) res.send('ok') end"],
                                prepare: { root in
                                    try FileManager.default.createDirectory(atPath: root + "/.luaroutes", withIntermediateDirectories: true)
                                    try String(repeating: "not a database ", count: 200).write(toFile: root + "/.luaroutes/data.db", atomically: true, encoding: .utf8)
                                }) { _, ops, _, _ in
            let ready = try await get(ops, "/readyz")
            #expect(ready.hasPrefix("HTTP/1.1 503"), "\(ready)")
            #expect(ready.contains(#""status":"not ready","reason":"db: .luaroutes/data.db: not a database"#), "\(ready)")
            #expect(try await get(ops, "/healthz").hasPrefix("HTTP/1.1 200"))
        }
    }

    /// PostgreSQL: /readyz asks the engine's ping; with nothing listening at the URL it says so.
    @Test func readyzIs503WhenPostgreSQLDoesNotAnswer() async throws {
        let closedPort = try freeLoopbackPort()
        try await withOpsServer(["pages/api/ok.lua": "return function(req, res) res.send('ok') end",
                                 "luaroutes.config.lua": "return { db = { url = 'postgres://postgres@127.0.0.1:\(closedPort)/none?sslmode=disable' } }"]) { _, ops, _, _ in
            let ready = try await get(ops, "/readyz")
            #expect(ready.hasPrefix("HTTP/1.1 503"), "\(ready)")
            #expect(ready.contains(#""status":"not ready","reason":"db: cannot connect to PostgreSQL at 127.0.0.1:"#), "\(ready)")
        }
    }

    @Test func readyzIs503UntilTheMainPortListens() async throws {
        try await withOpsServer(["pages/api/ok.lua": "return function(req, res) res.send('ok') end"], listening: { false }) { _, ops, _, _ in
            let ready = try await get(ops, "/readyz")
            #expect(ready.hasPrefix("HTTP/1.1 503"), "\(ready)")
            #expect(ready.hasSuffix(#"{"status":"not ready","reason":"starting"}"#), "\(ready)")
        }
    }

    /// Graceful shutdown (what SIGTERM starts): /readyz answers 503 at once, the listener
    /// closes, and a keep-alive connection opened before still gets its next request answered,
    /// with `Connection: close`, then the server closes it: a balancer that was sending on it
    /// loses nothing.
    @Test func afterShutdownBeginsReadyzIs503AndAKeptConnectionIsAnsweredThenClosed() async throws {
        try await withOpsServer(["pages/api/ok.lua": "return function(req, res) res.send('ok') end"]) { port, ops, services, readiness in
            let fd = try connectLoopback(port: port)
            defer { close(fd) }
            let first = try await onOwnThread { () -> String in
                sendAll(fd, Array("GET /api/ok HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = recv(fd, &buffer, buffer.count, 0)
                return String(decoding: buffer[0..<max(0, n)], as: UTF8.self)
            }
            #expect(first.hasPrefix("HTTP/1.1 200"), "\(first)")
            #expect(!first.lowercased().contains("connection: close"))

            await services.triggerGracefulShutdown()
            // The main port stops accepting; the ops port still answers, /readyz with 503.
            var refused = false
            for _ in 0..<200 where !refused {
                if let probe = try? connectLoopback(port: port) { close(probe); try await Task.sleep(for: .milliseconds(5)) } else { refused = true }
            }
            #expect(refused, "the listener closed")
            #expect(readiness.draining)
            let ready = try await get(ops, "/readyz")
            #expect(ready.hasPrefix("HTTP/1.1 503"), "\(ready)")
            #expect(ready.hasSuffix(#"{"status":"not ready","reason":"draining"}"#), "\(ready)")
            #expect(try await get(ops, "/healthz").hasPrefix("HTTP/1.1 200"))

            let second = try await onOwnThread { () -> String in
                sendAll(fd, Array("GET /api/ok HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
                return String(decoding: receiveAll(fd), as: UTF8.self)   // until the server closes
            }
            #expect(second.hasPrefix("HTTP/1.1 200"), "the kept connection was answered: \(second)")
            #expect(second.lowercased().contains("connection: close"), "\(second)")
            #expect(second.hasSuffix("ok"))
        }
    }
}
