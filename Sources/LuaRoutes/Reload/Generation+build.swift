import Logging
import NIOCore

extension Generation {
    /// What every route worker of every generation shares.
    struct Context {
        let group: any EventLoopGroup
        let fetcher: FetchClient
        let logger: Logger
        let metrics: ServerMetrics?
    }

    /// Loads every route on every loop (module scope runs once per loop), on the calling
    /// thread: nothing serves from these workers until the generation is published.
    ///
    /// A route file that no longer loads, but loaded in `previous`, keeps its previous source
    /// (built with the new lib/, env and config), so one bad save does not take a working
    /// route down. A new route that fails answers 500. Each error is logged once, not once per
    /// loop or per reload.
    static func build(_ project: Project, previous: Generation?, context: Context) -> Generation {
        let loops = Array(context.group.makeIterator())
        var project = project
        func worker(_ route: Route, on loop: any EventLoop) -> RouteWorker {
            RouteWorker(route: route, project: project, loop: loop, fetcher: context.fetcher,
                        logger: context.logger, metrics: context.metrics)
        }
        var first = project.routeTable.routes.map { worker($0, on: loops[0]) }

        var kept: [String: String] = [:]
        for broken in first where broken.loadError != nil {
            if let old = previous?.worker(for: broken.route.file), old.loadError == nil,
               let text = old.project.routeSources[broken.route.file] {
                kept[broken.route.file] = text
            }
        }
        var errors: [String: String] = [:]
        for broken in first { if let error = broken.loadError { errors[broken.route.file] = error } }
        if !kept.isEmpty {
            project = project.replacingRouteSources(kept)
            first = first.map { kept[$0.route.file] == nil ? $0 : worker($0.route, on: loops[0]) }
            for restored in first where kept[restored.route.file] != nil {
                if let error = restored.loadError {   // the old source no longer loads either
                    kept[restored.route.file] = nil
                    errors[restored.route.file] = error
                }
            }
        }

        var byLoop = [ObjectIdentifier(loops[0]): LoopWorkers(loop: loops[0], workers: first)]
        for loop in loops.dropFirst() {
            byLoop[ObjectIdentifier(loop)] = LoopWorkers(loop: loop, workers: project.routeTable.routes.map { worker($0, on: loop) })
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
}
