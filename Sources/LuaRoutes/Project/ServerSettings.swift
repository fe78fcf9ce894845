/// `server = { ... }` in `luaroutes.config.lua`: how the HTTP host treats connections. Project-wide
/// (a route's `config` cannot set them) and read once, when `serve` starts.
///
/// Defaults follow nginx where it has one: `sendTimeout` is nginx's `send_timeout` (60s), and
/// `idleTimeout` sits just under its `keepalive_timeout` (75s) and equals its
/// `client_body_timeout` (60s, silence while a body is read). `headerTimeout` is stricter than
/// nginx's `client_header_timeout` (60s): a request head is small, and a slow one is how
/// slowloris holds a connection.
public struct ServerSettings: Sendable, Equatable {
    /// From the first byte of a request until its head is complete; then 408 and close.
    public var headerTimeout: Duration = .seconds(10)
    /// A connection with no request in progress (a fresh one, or kept alive between requests)
    /// closes after this long; it is also the longest silence while a request body is read (408).
    public var idleTimeout: Duration = .seconds(60)
    /// A client that takes none of the answer being written for this long is disconnected.
    public var sendTimeout: Duration = .seconds(60)
    /// Open connections at once; nil derives it from the descriptor limit (``ConnectionBudget``).
    public var maxConnections: Int? = nil
    /// Request line and header fields together, and any single field; above it, 431.
    public var maxHeaderSize = 80 << 10

    public init() {}

    static let keys = ["headerTimeout", "idleTimeout", "sendTimeout", "maxConnections", "maxHeaderSize"]

    /// The `server` table of the config file; messages name the key (`server.idleTimeout`).
    static func parse(_ value: LuaValue) throws(ConfigError) -> ServerSettings {
        guard case .table(let pairs) = value else { throw ConfigError("server: expected a table, got \(value.typeName)") }
        var settings = ServerSettings()
        for (field, item) in pairs {
            switch field {
            case .string("headerTimeout"): settings.headerTimeout = try DurationText.parse(item, key: "server.headerTimeout")
            case .string("idleTimeout"): settings.idleTimeout = try DurationText.parse(item, key: "server.idleTimeout")
            case .string("sendTimeout"): settings.sendTimeout = try DurationText.parse(item, key: "server.sendTimeout")
            case .string("maxConnections"):
                guard case .integer(let count) = item, count >= 1, count <= 1 << 30 else {
                    throw ConfigError("server.maxConnections: expected a whole number of connections of at least 1, got \(item.display)")
                }
                settings.maxConnections = Int(count)
            case .string("maxHeaderSize"):
                let size = try ByteSize.parse(item, key: "server.maxHeaderSize")
                guard size >= 1024 else { throw ConfigError("server.maxHeaderSize: at least 1kb, got \(ByteSize.format(size))") }
                settings.maxHeaderSize = size
            default:
                throw ConfigError("server: unknown key \(field.display) (known: \(keys.joined(separator: ", ")))")
            }
        }
        return settings
    }
}
