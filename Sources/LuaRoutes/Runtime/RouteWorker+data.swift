/// The data globals a route's state gets besides the sandbox's own: `shared` (DATA.md
/// section 2). Installed after the prelude and before module scope runs.
extension RouteWorker {
    func installData(in sandbox: Sandbox) -> String? {
        SharedDictionaries.install(in: sandbox, project: project)
    }
}
