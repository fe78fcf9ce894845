import Logging
import NIOConcurrencyHelpers
import NIOCore
import Prometheus

/// `serve --metrics-port N`, the ops port: `GET /metrics` answers the Prometheus text format,
/// `/healthz` and `/readyz` the health checks (`MetricsResponder+health.swift`). Lua memory is
/// sampled at scrape time, on each loop (a worker's state may only be read on its loop), so
/// requests pay nothing for it.
public final class MetricsResponder: LoopResponder {
    let registry: PrometheusCollectorRegistry
    let metrics: ServerMetrics
    let dispatcher: Dispatcher
    let readiness: Readiness?
    /// Routes given a memory value last time, so a route removed by a reload drops to 0.
    private let reportedRoutes = NIOLockedValueBox<Set<String>>([])

    public init(registry: PrometheusCollectorRegistry, metrics: ServerMetrics, dispatcher: Dispatcher, readiness: Readiness? = nil) {
        self.registry = registry
        self.metrics = metrics
        self.dispatcher = dispatcher
        self.readiness = readiness
    }

    public var startupMetadata: Logger.Metadata { ["paths": readiness == nil ? "/metrics" : "/metrics,/healthz,/readyz"] }

    public func route(target: String, on loop: any EventLoop) -> RoutedTarget { RoutedTarget(bodyLimit: 0, routing: nil) }

    public func respond(to request: APIRequest, routed: RoutedTarget, on loop: any EventLoop, completion: @escaping (APIResponse) -> Void) {
        let answer = { (response: APIResponse) in
            var response = response
            response.headers.append(("Content-Length", String(response.body.count)))
            if request.method == "HEAD" { response.body = [] }
            completion(response)
        }
        let path = Dispatcher.split(target: request.target).path
        let health = readiness != nil && (path == "/healthz" || path == "/readyz")
        guard path == "/metrics" || health else {
            return answer(HostError.response(404, "Not Found"))
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return answer(HostError.response(405, "Method Not Allowed", headers: [("Allow", "GET, HEAD")]))
        }
        if let readiness, health {
            return path == "/healthz" ? answer(Self.healthy) : answerReadiness(readiness, on: loop, answer: answer)
        }
        let answerOnLoop = NIOLoopBound(answer, eventLoop: loop)
        dispatcher.luaMemoryByRoute(replyingOn: loop).whenComplete { result in
            if case .success(let memory) = result { self.recordMemory(memory) }
            let project = self.dispatcher.project
            self.metrics.recordShared(root: project.root, declared: project.config.shared)
            answerOnLoop.value(APIResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                                           body: self.registry.emitToBuffer()))
        }
    }

    private func recordMemory(_ memory: [String: Int]) {
        let gone = reportedRoutes.withLockedValue { reported in
            let gone = reported.subtracting(memory.keys)
            reported = Set(memory.keys)
            return gone
        }
        for (route, bytes) in memory { metrics.luaMemory(route: route, bytes: bytes) }
        for route in gone { metrics.luaMemory(route: route, bytes: 0) }
    }
}

extension Dispatcher {
    /// Bytes in use by each route's Lua states (current generation), summed over the loops.
    func luaMemoryByRoute(replyingOn loop: any EventLoop) -> EventLoopFuture<[String: Int]> {
        let samples = generation.allLoopWorkers.map { loopWorkers in
            loopWorkers.loop.submit {
                loopWorkers.workers.map { ($0.route.file, $0.sandbox.map { Int($0.state.context.pointee.used) } ?? 0) }
            }
        }
        return EventLoopFuture.whenAllSucceed(samples, on: loop).map { perLoop in
            var total: [String: Int] = [:]
            for (route, bytes) in perLoop.joined() { total[route, default: 0] += bytes }
            return total
        }
    }
}
