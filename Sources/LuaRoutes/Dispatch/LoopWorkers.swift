import Logging
import NIOCore

/// The route workers of one event loop, indexed like `RouteTable.routes`.
/// `@unchecked Sendable` so it can be handed to `loop.submit`; its workers are used on `loop` only.
final class LoopWorkers: @unchecked Sendable {
    let loop: any EventLoop
    let workers: [RouteWorker]
    init(loop: any EventLoop, workers: [RouteWorker]) {
        self.loop = loop
        self.workers = workers
    }
}
