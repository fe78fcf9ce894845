import Logging

/// What a reload needs from a `Project`: read ROOT again the way it was first read, and keep
/// an older source for a route file that no longer loads.
extension Project {
    func reloaded(logger: Logger) throws(LoadError) -> Project {
        try Project.load(root: root, processEnvironment: processEnvironment, envFileNames: envFileNames, logger: logger)
    }

    /// The same project with `sources` (file -> text) in place of what was read from disk.
    func replacingRouteSources(_ sources: [String: String]) -> Project {
        Project(root: root, config: config, routeTable: routeTable, routeSources: routeSources.merging(sources) { $1 },
                modules: modules, environment: environment, envFiles: envFiles, processEnvironment: processEnvironment,
                envFileNames: envFileNames, middlewareSources: middlewareSources, middlewareWarnings: middlewareWarnings)
    }
}
