import Dispatch
import Logging
import NIOCore

extension Generation {
    /// What every route worker of every generation shares.
    struct Context: Sendable {
        let group: any EventLoopGroup
        let fetcher: FetchClient
        let logger: Logger
        let metrics: ServerMetrics?
        /// --dev: a route that no longer loads answers 500 with its error instead of serving
        /// its previous version, so the developer sees what broke.
        var dev = false
        var afterWork = AfterWork()
    }

    /// Loads every route on every loop (module scope runs once per loop), off the event loops:
    /// nothing serves from these workers until the generation is published. The loops' states
    /// share nothing, so each loop's are built on a thread of their own, at once (start-up and
    /// reload take one loop's share of the time, not all of it).
    ///
    /// A route file that no longer loads, but loaded in `previous`, keeps its previous source
    /// (built with the new lib/, env and config), so one bad save does not take a working
    /// route down. A new route that fails answers 500. Each error is logged once, not once per
    /// loop or per reload. In dev mode nothing is kept: the broken route shows its error.
    static func build(_ project: Project, previous: Generation?, context: Context) -> Generation {
        let loops = Array(context.group.makeIterator())
        LoopPostgres.noteLoops(loops)   // db.pool is spread over them
        @Sendable func worker(_ route: Route, _ project: Project, on loop: any EventLoop) -> RouteWorker {
            RouteWorker(route: route, project: project, loop: loop, fetcher: context.fetcher,
                        logger: context.logger, metrics: context.metrics, afterWork: context.afterWork)
        }
        var perLoop = buildConcurrently(loops.count) { i in
            project.routeTable.routes.map { worker($0, project, on: loops[i]) }
        }
        var project = project   // may take back previous sources below

        var kept: [String: String] = [:]
        if let previous, !context.dev, perLoop[0].contains(where: { $0.loadError != nil }) {
            let before = previous.firstLoopWorkersByFile()
            for broken in perLoop[0] where broken.loadError != nil {
                if let old = before[broken.route.file], old.loadError == nil,
                   let text = old.project.routeSources[broken.route.file] {
                    kept[broken.route.file] = text
                }
            }
        }
        var errors: [String: String] = [:]
        for broken in perLoop[0] { if let error = broken.loadError { errors[broken.route.file] = error } }
        if !kept.isEmpty {
            project = project.replacingRouteSources(kept)
            for i in loops.indices {
                perLoop[i] = perLoop[i].map { kept[$0.route.file] == nil ? $0 : worker($0.route, project, on: loops[i]) }
            }
            for restored in perLoop[0] where kept[restored.route.file] != nil {
                if let error = restored.loadError {   // the old source no longer loads either
                    kept[restored.route.file] = nil
                    errors[restored.route.file] = error
                }
            }
        }

        var byLoop: [ObjectIdentifier: LoopWorkers] = [:]
        for (loop, workers) in zip(loops, perLoop) {
            byLoop[ObjectIdentifier(loop)] = LoopWorkers(loop: loop, workers: workers)
        }

        for (file, error) in errors.sorted(by: { $0.key < $1.key }) where previous?.loggedErrors[file] != error {
            if kept[file] != nil {
                context.logger.error("\(error)", metadata: ["route": .string(file), "serving": "the previous version"])
            } else {
                context.logger.error("route failed to load: \(error)", metadata: ["route": .string(file)])
            }
        }
        return Generation(project: project, workersByLoop: byLoop, firstLoopWorkers: byLoop[ObjectIdentifier(loops[0])]!,
                          loggedErrors: errors)
    }

    /// `body(0) ... body(count - 1)`, each on its own thread (the calling one among them), and
    /// their results in order. The workers made on one thread are only handed over once all
    /// are done, and each is used on its own loop afterwards.
    private static func buildConcurrently(_ count: Int, _ body: @Sendable (Int) -> [RouteWorker]) -> [[RouteWorker]] {
        let slots = WorkerSlots(count)
        DispatchQueue.concurrentPerform(iterations: count) { i in slots.store(body(i), at: i) }
        return slots.take()
    }
}
