import Logging

extension Dispatcher {
    /// Reads ROOT again (routes, `lib/`, `.env` files, config), builds and checks the new
    /// generation aside, then swaps it in. Requests in flight finish on the generation they
    /// started with; new requests use the new one; none waits for the reload.
    ///
    /// Blocking (reads files, runs module scope for every route on every loop): call it off the
    /// event loops. Reloads run one at a time.
    @discardableResult
    public func reload() -> ReloadOutcome {
        reloadLock.withLock {
            let previous = generation
            let project: Project
            do {
                project = try previous.project.reloaded(logger: logger)
                try project.prepareDatabase(logger: logger)   // new migrations; a failure keeps the previous version
            } catch {
                let message = "\(error)"
                logger.error("reload failed; still serving the previous version\n\(message)")
                metrics?.reloaded(succeeded: false)
                return .failed(message)
            }
            let next = Generation.build(project, previous: previous, context: workerContext)
            _ = publish(next)
            metrics?.reloaded(succeeded: true)
            logger.info("reloaded", metadata: ["routes": .stringConvertible(project.routeTable.routes.count),
                                               "env_files": .string(project.envFiles.joined(separator: ","))])
            return .reloaded(routes: project.routeTable.routes.count)
        }
    }
}
