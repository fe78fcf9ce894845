import Logging
import NIOCore

/// What ``HTTPServer`` serves: the ``Dispatcher`` on the main port, ``MetricsResponder`` on
/// the metrics port. Called on the connection's event loop, answering there.
public protocol LoopResponder: AnyObject, Sendable {
    /// The largest request body accepted for `target` (refused with 413 before buffering).
    func bodyLimit(forTarget target: String) -> Int
    /// Calls `completion` once, on `loop`, with a response that carries its Content-Length.
    func respond(to request: APIRequest, on loop: any EventLoop, completion: @escaping (APIResponse) -> Void)
    /// Logged with the "listening on" line.
    var startupMetadata: Logger.Metadata { get }
}

extension Dispatcher {
    public var startupMetadata: Logger.Metadata {
        let generation = self.generation
        let broken = generation.firstLoopWorkers.workers.filter { $0.loadError != nil }.count
        return [
            "routes": .stringConvertible(generation.project.routeTable.routes.count),
            "broken_routes": .stringConvertible(broken),
            "env_files": .string(generation.project.envFiles.isEmpty ? "none" : generation.project.envFiles.joined(separator: ",")),
            "dev": .stringConvertible(dev),
            "threads": .stringConvertible(generation.allLoopWorkers.count),
        ]
    }
}
