/// The data globals a route's state gets besides the sandbox's own: `shared` (docs/data.md
/// section 2) and `db` (section 1). Installed after the prelude and before module scope runs.
extension RouteWorker {
    func installData(in sandbox: Sandbox) -> String? {
        if let error = SharedDictionaries.install(in: sandbox, project: project) { return error }
        if database == nil {
            let location = try? project.databaseLocation()
            database = DatabaseBinding(worker: self, location: location, settings: project.config.database)
        }
        return database?.install(in: sandbox)
    }
}
