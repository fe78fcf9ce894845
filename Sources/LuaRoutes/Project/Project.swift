import Foundation
import Logging

/// Everything a ROOT folder holds, read once: the config, the environment, the route table,
/// every route's source and every `lib/` module. Request handling never touches the disk,
/// and a reload builds a new `Project` beside the old one.
public struct Project: Sendable {
    public let root: String
    public private(set) var config: ProjectConfig
    public let routeTable: RouteTable
    /// Route sources by file (relative to ROOT); a file that cannot be read is absent.
    let routeSources: [String: String]
    /// `lib/**.lua` sources by path relative to ROOT ("lib/a/b.lua").
    let modules: [String: String]
    let environment: [String: String]
    /// The env files that were read (names only: never log their values).
    public let envFiles: [String]
    /// The process environment it was loaded with, so a reload reads ROOT the same way.
    let processEnvironment: [String: String]
    /// Which env files it reads (``DotEnv/serveFiles`` or ``DotEnv/testFiles``), kept for reloads.
    let envFileNames: [String]
    /// `_middleware.lua` sources by path relative to ROOT (docs/reference.md section 9).
    var middlewareSources: [String: String] = [:]
    /// Files that look meant as middleware but never run; logged at every load.
    public var middlewareWarnings: [String] = []

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads ROOT. Throws when ROOT is missing, the config is invalid, or two route files
    /// conflict; a route that fails to compile is not an error here (it answers 500).
    public static func load(root: String, processEnvironment: [String: String] = ProcessInfo.processInfo.environment,
                            envFileNames: [String] = DotEnv.serveFiles, logger: Logger) throws(LoadError) -> Project {
        let root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue else {
            throw LoadError(description: "error: the project folder \(root) does not exist")
        }
        let (environment, envFiles) = DotEnv.load(root: root, process: processEnvironment, names: envFileNames)
        let config: ProjectConfig
        do {
            config = try ProjectConfig.load(root: root, environment: environment, callbacks: SandboxCallbacks(logger: logger))
        } catch {
            throw LoadError(description: "error: \(error.description)")
        }
        let table: RouteTable
        do {
            table = try RouteTable.scan(root: root, pageExtensions: config.pageExtensions)
        } catch {
            throw LoadError(description: "\(error)")
        }
        var sources: [String: String] = [:]
        for route in table.routes {
            sources[route.file] = try? String(contentsOfFile: root + "/" + route.file, encoding: .utf8)
        }
        let middleware = MiddlewareScanner.scan(root: root)
        var middlewareSources: [String: String] = [:]
        for file in middleware.files {
            middlewareSources[file] = try? String(contentsOfFile: root + "/" + file, encoding: .utf8)
        }
        for warning in middleware.warnings { logger.warning("\(warning)") }
        return Project(root: root, config: config, routeTable: table, routeSources: sources,
                       modules: readModules(root: root), environment: environment, envFiles: envFiles,
                       processEnvironment: processEnvironment, envFileNames: envFileNames,
                       middlewareSources: middlewareSources, middlewareWarnings: middleware.warnings)
    }

    /// The `_middleware.lua` files that run around `route`, outermost first.
    public func middlewareChain(for route: Route) -> [String] {
        MiddlewareScanner.chain(forRoute: route.file, among: Set(middlewareSources.keys))
    }

    /// Every `.lua` file under ROOT/lib, keyed "lib/a/b.lua".
    static func readModules(root: String) -> [String: String] {
        let lib = root + "/lib"
        guard let walker = FileManager.default.enumerator(atPath: lib) else { return [:] }
        var modules: [String: String] = [:]
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".lua"),
                  let text = try? String(contentsOfFile: lib + "/" + relative, encoding: .utf8) else { continue }
            modules["lib/" + relative] = text
        }
        return modules
    }
}

extension Project {
    /// The same project with every limit off, for `luaroutes bench --no-limits`: what the
    /// limits cost is the difference. Never used while serving.
    public func withoutLimits() -> Project {
        var copy = self
        copy.config.routeDefaults.limits.enforced = false
        return copy
    }
}
