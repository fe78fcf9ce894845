import Logging
import Testing
import TestSupport
@testable import LuaRoutes

/// `server = { ... }` in `luaroutes.config.lua`: defaults, every key, every error.
@Suite struct ServerSettingsTests {
    func load(_ config: String) throws -> Result<ServerSettings, Project.LoadError> {
        let root = try makeProjectFolder(["luaroutes.config.lua": config, "pages/api/x.lua": "return function(req, res) res.send('x') end"])
        do {
            return .success(try Project.load(root: root, processEnvironment: [:], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })).config.server)
        } catch {
            return .failure(error)
        }
    }

    @Test func defaults() {
        let settings = ServerSettings()
        #expect(settings.headerTimeout == .seconds(10) && settings.idleTimeout == .seconds(60) && settings.sendTimeout == .seconds(60))
        #expect(settings.maxConnections == nil && settings.maxHeaderSize == 80 << 10)
    }

    @Test func everyKeyIsRead() throws {
        let settings = try load("""
            return { server = { headerTimeout = "2s", idleTimeout = "250ms", sendTimeout = 30, maxConnections = 500, maxHeaderSize = "16kb" } }
            """).get()
        #expect(settings.headerTimeout == .seconds(2) && settings.idleTimeout == .milliseconds(250) && settings.sendTimeout == .seconds(30))
        #expect(settings.maxConnections == 500 && settings.maxHeaderSize == 16 << 10)
    }

    @Test(arguments: [
        (#"return { server = { headerTimeout = "soon" } }"#, #"server.headerTimeout: "soon" is not a duration"#),
        (#"return { server = { idleTimeout = 0 } }"#, "server.idleTimeout: 0 is not a duration"),
        (#"return { server = { maxConnections = 0 } }"#, "server.maxConnections: expected a whole number of connections of at least 1, got 0"),
        (#"return { server = { maxConnections = "many" } }"#, "server.maxConnections: expected a whole number of connections of at least 1, got 'many'"),
        (#"return { server = { maxHeaderSize = 10 } }"#, "server.maxHeaderSize: at least 1kb, got 10b"),
        (#"return { server = { keepalive = "75s" } }"#, "server: unknown key 'keepalive' (known: headerTimeout, idleTimeout, sendTimeout, maxConnections, maxHeaderSize)"),
        (#"return { server = 5 }"#, "server: expected a table, got number"),
    ])
    func invalidValuesStopStartUpNamingTheKey(source: String, message: String) throws {
        guard case .failure(let error) = try load(source) else { Issue.record("loaded: \(source)"); return }
        #expect(error.description.hasPrefix("error: luaroutes.config.lua: " + message), "\(error.description)")
    }

    /// Connections are the server's, not a route's: a route's `config.server` is an unknown key.
    @Test func aRouteCannotSetThem() {
        #expect(throws: ConfigError.self) { try RouteConfig().overridden(by: .table([(.string("server"), .table([]))]), prefix: "config") }
    }
}
