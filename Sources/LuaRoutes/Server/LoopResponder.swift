import Logging
import NIOCore

/// What ``HTTPServer`` serves: the ``Dispatcher`` on the main port, ``MetricsResponder`` on
/// the metrics port. Called on the connection's event loop, answering there.
public protocol LoopResponder: AnyObject, Sendable {
    /// Routes a request target once, when its head arrives, on the connection's `loop`: the
    /// result tells the largest body accepted (refused with 413 before buffering) and goes back
    /// to `respond`.
    func route(target: String, on loop: any EventLoop) -> RoutedTarget
    /// Calls `completion` once, on `loop`, with a response that carries its Content-Length.
    func respond(to request: APIRequest, routed: RoutedTarget, on loop: any EventLoop, completion: @escaping (APIResponse) -> Void)
    /// Logged with the "listening on" line.
    var startupMetadata: Logger.Metadata { get }
    /// The server answered on its own, without `respond` (400, 408, 413, 431, 501 before or
    /// instead of a request): logged and counted like any other answer. `method` is "-" and
    /// `target` nil when the input never made a request head. Answers the request id the
    /// answer carries in X-Request-Id, or nil for none.
    func recordHostAnswer(method: String, target: String?, status: Int, bytes: Int, client: String) -> String?
    /// Work that still runs after its answer went out (`res.after`): a graceful shutdown waits for it.
    var pendingAfterWork: Int { get }
}

extension LoopResponder {
    public func recordHostAnswer(method: String, target: String?, status: Int, bytes: Int, client: String) -> String? { nil }
    public var pendingAfterWork: Int { 0 }

    /// Routes and answers `request` on `loop` (the caller must be on it); `completion` runs there.
    public func respond(to request: APIRequest, on loop: any EventLoop, completion: @escaping (APIResponse) -> Void) {
        respond(to: request, routed: route(target: request.target, on: loop), on: loop, completion: completion)
    }
}

extension Dispatcher {
    public var pendingAfterWork: Int { workerContext.afterWork.pending }

    public var startupMetadata: Logger.Metadata {
        let generation = self.generation
        let broken = generation.firstLoopWorkers.workers.filter { $0.loadError != nil }.count
        return [
            "routes": .stringConvertible(generation.project.routeTable.routes.count),
            "broken_routes": .stringConvertible(broken),
            "env_files": .string(generation.project.envFiles.isEmpty ? "none" : generation.project.envFiles.joined(separator: ",")),
            "dev": .stringConvertible(dev),
            "threads": .stringConvertible(generation.allLoopWorkers.count),
            // The engine and the database, never a password (Project+database.swift).
            "db": .string(generation.project.databaseDescription),
        ]
    }
}
