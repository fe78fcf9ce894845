import Foundation

/// `luaroutes.config.lua`, read once per project load: route discovery settings and the
/// defaults every route starts from.
public struct ProjectConfig: Sendable, Equatable {
    public static let fileName = "luaroutes.config.lua"

    public var pageExtensions = ["lua"]
    public var routeDefaults = RouteConfig()
    /// `server = { ... }`: timeouts and limits of the HTTP host.
    public var server = ServerSettings()
    /// `shared` dictionaries and `db` (docs/data.md): project-wide, a route's `config` cannot change them.
    public var shared: [SharedDeclaration] = []
    public var database = DatabaseConfig()
    /// `generateEtags = false` turns off the ETag the host adds to 200 answers (Dispatch/ETag.swift).
    public var generateEtags = true
    /// `json = { sortKeys = true }`: res.json and res.send write object keys sorted, so equal
    /// tables give equal bytes on every event loop (and equal ETags).
    public var jsonSortKeys = false

    public init() {}

    /// Reads ROOT/luaroutes.config.lua when it exists. It runs in a sandbox of its own with
    /// the default limits, text only; it must return a table.
    static func load(root: String, environment: [String: String], callbacks: SandboxCallbacks) throws(ConfigError) -> ProjectConfig {
        let path = root + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else { return ProjectConfig() }
        guard let source = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError("\(fileName): cannot be read as UTF-8 text")
        }
        let value: LuaValue
        do {
            let sandbox = try Sandbox(limits: SandboxLimits(), environment: environment, modules: [:], callbacks: callbacks)
            switch sandbox.runChunk(source, chunkName: "@" + fileName) {
            case .success(let result): value = result
            case .failure(let failure): throw ConfigError(describe(failure))
            }
        } catch let error as Sandbox.SetupError {
            throw ConfigError("\(fileName): \(error.description)")
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError("\(fileName): \(error)")
        }
        do {
            return try parse(value)
        } catch {
            throw ConfigError("\(fileName): \(error.description)")
        }
    }

    /// A failure while the file ran. Lua errors already say `luaroutes.config.lua:3: ...`; the
    /// file runs under the default limits whatever its `limits` key says.
    private static func describe(_ failure: LuaFailure) -> String {
        let limits = SandboxLimits()
        switch failure.kind {
        case .error, .yield, .hostYieldAtLoad:
            return failure.message
        case .cpu:
            return "\(fileName): CPU limit exceeded (\(DurationText.format(limits.cpu))) while loading; the file must return its table at once"
        case .timeout:
            return "\(fileName): time limit exceeded (\(DurationText.format(limits.timeout))) while loading"
        case .memory:
            return "\(fileName): memory limit exceeded (\(ByteSize.format(limits.memory))) while loading"
        }
    }

    /// The table the file returned; error messages name the key and leave the file name to
    /// the caller.
    static func parse(_ value: LuaValue) throws(ConfigError) -> ProjectConfig {
        guard case .table = value else { throw ConfigError("must return a table, got \(value.typeName)") }
        var config = ProjectConfig()
        if let extensions = value["pageExtensions"] {
            guard let items = extensions.arrayItems, !items.isEmpty else {
                throw ConfigError("pageExtensions: expected an array of texts like { \"lua\" }")
            }
            config.pageExtensions = try items.map { (item: LuaValue) throws(ConfigError) -> String in
                guard case .string(let ext) = item, !ext.isEmpty, !ext.hasPrefix("."), !ext.contains("/") else {
                    throw ConfigError("pageExtensions: each item must be an extension like \"lua\" or \"api.lua\", got \(item.display)")
                }
                return ext
            }
        }
        if let server = value["server"] { config.server = try ServerSettings.parse(server) }
        if let shared = value["shared"] { config.shared = try SharedDeclaration.parse(shared) }
        if let database = value["db"] { config.database = try DatabaseConfig.parse(database) }
        if let etags = value["generateEtags"] {
            guard case .boolean(let flag) = etags else { throw ConfigError("generateEtags: expected true or false, got \(etags.typeName)") }
            config.generateEtags = flag
        }
        if let json = value["json"] {
            guard case .table(let items) = json else { throw ConfigError("json: expected a table like { sortKeys = true }, got \(json.typeName)") }
            for (key, item) in items {
                guard key == .string("sortKeys") else { throw ConfigError("json: unknown key \(key.display) (known: sortKeys)") }
                guard case .boolean(let flag) = item else { throw ConfigError("json.sortKeys: expected true or false, got \(item.typeName)") }
                config.jsonSortKeys = flag
            }
        }
        config.routeDefaults = try RouteConfig().overridden(by: value, prefix: "")
        return config
    }
}
