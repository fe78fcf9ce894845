import Foundation
import Logging
import Prometheus
import Testing
import TestSupport
@testable import LuaRoutes

#if canImport(Glibc)
import Glibc
#endif

/// Timeouts and the connection budget (`server = { ... }`), through a real loopback socket,
/// with short timeouts so each test takes seconds. Waits are bounds for liveness, never
/// measurements: the server must act within a few times the configured timeout.
@Suite struct ConnectionLifecycleTests {
    static func files(_ server: String = "headerTimeout = '1s', idleTimeout = '1s', sendTimeout = '1s'") -> [String: String] {
        [
            "luaroutes.config.lua": "return { server = { \(server) } }",
            "pages/api/user.lua": "return function(req, res) res.json({ name = 'John Doe' }) end",
            "pages/api/echo.lua": "return function(req, res) res.send(req.rawBody or '') end",
            "pages/api/big.lua": """
                return { config = { responseLimit = false }, handler = function(req, res) res.send(string.rep('x', 16 * 1024 * 1024)) end }
                """,
        ]
    }

    @Test func slowlorisHeadGets408AfterTheHeaderTimeout() async throws {
        let (text, end) = try await withServer(Self.files()) { port in
            let client = try RawConnection(port: port)
            client.send("GET /api/user HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            // One byte every 200 ms: the head never completes, but the connection is never silent.
            for _ in 0..<40 {
                guard client.send("a") else { break }
                let (text, end) = client.readFor(seconds: 0.2)
                if !text.isEmpty || end != nil {
                    let rest = client.readToEnd()
                    return (text + rest.text, end ?? rest.end)
                }
            }
            return ("", RawConnection.End.timedOut)
        }
        #expect(text.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"), "\(text)")
        #expect(text.hasSuffix(#"{"error":"Request Timeout"}"#))
        #expect(end == .closed)
    }

    @Test func aConnectionThatNeverSendsIsClosedAfterTheIdleTimeout() async throws {
        let (text, end) = try await withServer(Self.files()) { port in
            try RawConnection(port: port).readFor(seconds: 6)
        }
        #expect(text.isEmpty)
        #expect(end == .closed)
    }

    @Test func anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        let (first, end) = try await withServer(Self.files()) { port in
            let client = try RawConnection(port: port)
            client.send("GET /api/user HTTP/1.1\r\nHost: x\r\n\r\n")
            return client.readFor(seconds: 6)
        }
        #expect(first.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(!first.contains("Connection: close"))
        #expect(end == .closed, "kept alive, then closed once idle")
    }

    @Test func aBodyThatStopsArrivingGets408() async throws {
        let (text, end) = try await withServer(Self.files()) { port in
            let client = try RawConnection(port: port)
            client.send("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
            return client.readFor(seconds: 6)
        }
        #expect(text.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"), "\(text)")
        #expect(end == .closed)
    }

    @Test func aClientThatStopsReadingIsDisconnectedAfterTheSendTimeout() async throws {
        let total = 16 * 1024 * 1024
        let registry = PrometheusCollectorRegistry()
        let metrics = ServerMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let (received, end) = try await withServer(Self.files("idleTimeout = '30s', sendTimeout = '1s'"), metrics: metrics) { port in
            let client = try RawConnection(port: port, receiveBuffer: 4096)
            client.send("GET /api/big HTTP/1.1\r\nHost: x\r\n\r\n")
            try await Task.sleep(for: .seconds(4))   // reads nothing meanwhile
            let (text, end) = client.readToEnd()
            return (text.utf8.count, end)
        }
        #expect(received < total, "the whole answer arrived: the server waited on a client that did not read")
        #expect(end != .timedOut)
        let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
        #expect(text.contains(#"luaroutes_connections_closed_total{reason="send_timeout"} 1"#), "\(text)")
    }

    /// A large answer to a slow reader outlives the idle timeout: the connection is not idle
    /// while its answer is still going out.
    @Test func aSlowReaderIsNotCutOffByTheIdleTimeout() async throws {
        let total = 16 * 1024 * 1024
        let (received, end) = try await withServer(Self.files("idleTimeout = '1s', sendTimeout = '30s'")) { port in
            let client = try RawConnection(port: port, receiveBuffer: 4096)
            client.send("GET /api/big HTTP/1.1\r\nHost: x\r\n\r\n")   // kept alive: idle once the answer is out
            try await Task.sleep(for: .seconds(3))   // three idle timeouts without reading
            let (text, end) = client.readToEnd()
            return (text.utf8.count, end)
        }
        #expect(received > total, "the answer was cut off")
        #expect(end == .closed, "closed once idle after the answer")
    }

    @Test func aFullBudgetClosesTheLongestIdleConnectionForANewClient() async throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = ServerMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let (answer, oldest, newer) = try await withServer(Self.files("maxConnections = 3"), metrics: metrics) { port in
            var idle: [RawConnection] = []
            for _ in 0..<3 {
                idle.append(try RawConnection(port: port))
                try await Task.sleep(for: .milliseconds(100))   // accepted in this order
            }
            let client = try RawConnection(port: port)
            client.send("GET /api/user HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let answer = client.readToEnd(seconds: 2).text
            return (answer, idle[0].readFor(seconds: 2).end, idle[2].readFor(seconds: 0.3).end)
        }
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(answer)")
        #expect(oldest == .closed, "the oldest idle connection made room")
        #expect(newer == nil, "the others stay open")
        let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
        #expect(text.contains(#"luaroutes_connections_closed_total{reason="budget_idle"} 1"#), "\(text)")
    }

    @Test func aFullBudgetWithNoIdleConnectionRefusesTheNewOneWith503() async throws {
        let answer = try await withServer(Self.files("maxConnections = 2")) { port in
            var busy: [RawConnection] = []
            for _ in 0..<2 {
                let connection = try RawConnection(port: port)
                connection.send("GET /api/user HTTP/1.1\r\n")   // a head in progress: not idle
                busy.append(connection)
            }
            try await Task.sleep(for: .milliseconds(500))
            return try RawConnection(port: port).readToEnd(seconds: 3).text
        }
        #expect(answer.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"), "\(answer)")
        #expect(answer.hasSuffix(#"{"error":"Service Unavailable"}"#))
    }

    @Test func defaultBudgetLeavesRoomForOtherDescriptors() {
        #expect(DescriptorLimit.defaultMaxConnections(limit: 1024) == 794)
        #expect(DescriptorLimit.defaultMaxConnections(limit: 256) == 128)
        #expect(DescriptorLimit.defaultMaxConnections(limit: 2) == 1)
    }
}
