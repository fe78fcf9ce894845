import CoreMetrics
import NIOConcurrencyHelpers

/// The host's metrics, through swift-metrics so any backend fits; `serve --metrics-port` uses
/// Prometheus (``MetricsResponder``). The factory is passed in, never the global
/// `MetricsSystem`, so tests can each read their own registry.
///
/// Names: `luaroutes_requests_total{route,status}`, `luaroutes_request_duration_seconds{route,status}`
/// (histogram), `luaroutes_limit_hits_total{route,kind}`, `luaroutes_lua_memory_bytes{route}`,
/// `luaroutes_reloads_total{result}`, `luaroutes_connections_closed_total{reason}`. `route` is the
/// route file, "-" when no route matched.
public final class ServerMetrics: Sendable {
    let factory: any MetricsFactory
    /// Handles by label set: creating one through the factory takes the registry's lock and
    /// allocates, which a request should not pay every time.
    private let requests = NIOLockedValueBox<[RouteStatus: (count: Counter, duration: Timer)]>([:])

    private struct RouteStatus: Hashable {
        let route: String
        let status: Int
    }

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func requestFinished(_ record: RequestRecord) {
        let key = RouteStatus(route: record.route ?? "-", status: record.status)
        let handles = requests.withLockedValue { cache in
            if let found = cache[key] { return found }
            let dimensions = [("route", key.route), ("status", String(key.status))]
            let made = (Counter(label: "luaroutes_requests_total", dimensions: dimensions, factory: factory),
                        Timer(label: "luaroutes_request_duration_seconds", dimensions: dimensions, factory: factory))
            cache[key] = made
            return made
        }
        handles.count.increment()
        // 504 only ever comes from limits.timeout, whether the handler ran or waited on fetch.
        if record.status == 504, let route = record.route { limitHit(route: route, kind: "timeout") }
        let (seconds, attoseconds) = record.duration.components
        handles.duration.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// A request or a route's module scope hit `limits.<kind>` (cpu, memory, timeout).
    func limitHit(route: String, kind: String) {
        Counter(label: "luaroutes_limit_hits_total", dimensions: [("route", route), ("kind", kind)], factory: factory).increment()
    }

    func reloaded(succeeded: Bool) {
        Counter(label: "luaroutes_reloads_total", dimensions: [("result", succeeded ? "ok" : "failed")], factory: factory).increment()
    }

    /// The host closed a connection on its own: a timeout, or the connection budget.
    func connectionClosed(reason: ConnectionCloseReason) {
        Counter(label: "luaroutes_connections_closed_total", dimensions: [("reason", reason.rawValue)], factory: factory).increment()
    }

    /// Bytes in use by a route's Lua states, summed over the event loops.
    func luaMemory(route: String, bytes: Int) {
        Gauge(label: "luaroutes_lua_memory_bytes", dimensions: [("route", route)], factory: factory).record(bytes)
    }
}
