import Logging
import NIOCore

/// One loaded version of the project: the `Project` and every loop's route workers, built
/// together and published whole. The dispatcher reads the current generation once per request,
/// and the request keeps it alive until it is answered, so a reload never pulls a Lua state
/// out from under a request in flight.
///
/// `@unchecked Sendable`: the workers are built on the reloading thread before the generation
/// is published (the lock that publishes it orders those writes), and afterwards each worker
/// is only touched on its own event loop.
final class Generation: @unchecked Sendable {
    let project: Project
    private let workersByLoop: [ObjectIdentifier: LoopWorkers]
    let firstLoopWorkers: LoopWorkers
    /// Route file -> the load error logged for it, so the next reload logs it only if it changed.
    let loggedErrors: [String: String]

    init(project: Project, workersByLoop: [ObjectIdentifier: LoopWorkers], firstLoopWorkers: LoopWorkers,
         loggedErrors: [String: String]) {
        self.project = project
        self.workersByLoop = workersByLoop
        self.firstLoopWorkers = firstLoopWorkers
        self.loggedErrors = loggedErrors
    }

    func workers(on loop: any EventLoop) -> LoopWorkers {
        guard let workers = workersByLoop[ObjectIdentifier(loop)] else {
            preconditionFailure("respond(to:on:) called with a loop outside the dispatcher's group")
        }
        return workers
    }

    var allLoopWorkers: [LoopWorkers] { Array(workersByLoop.values) }

    /// The first loop's workers by route file (a reload that broke many routes looks each up).
    func firstLoopWorkersByFile() -> [String: RouteWorker] {
        Dictionary(firstLoopWorkers.workers.map { ($0.route.file, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
