/// The settings one route runs with: the config file's values, overridden by the route's own
/// `config` table (docs/reference.md section 7).
public struct RouteConfig: Sendable, Equatable {
    /// false: `req.body` stays nil and `req.rawBody` holds the bytes.
    public var bodyParser = true
    /// Bodies above this answer 413 before the handler runs.
    public var bodySizeLimit = 1 << 20
    /// Per part of a multipart/form-data body (docs/uploads.md): a field's text, a file's bytes
    /// (nil: up to the body's limit), and how many parts. Over any of them: 413.
    public var fieldSizeLimit = 1 << 20
    public var fileSizeLimit: Int? = nil
    public var maxParts = 1000
    /// Responses above this are logged (Next.js's warning); nil turns the warning off.
    public var responseLimit: Int? = 4 << 20
    public var limits = SandboxLimits()
    /// nil: CORS off (same-origin only, as in Next.js). A route's `cors` replaces the file's whole.
    public var cors: CORSPolicy? = nil
    public var fetch = FetchSettings()

    public init() {}

    static let keys = ["bodyParser", "responseLimit", "limits", "cors", "fetch"]

    /// This config with the keys of `table` applied over it. `prefix` names where the table
    /// came from in error messages ("config" for a route, "" for the config file).
    func overridden(by table: LuaValue, prefix: String) throws(ConfigError) -> RouteConfig {
        var config = self
        if table == .nil { return config }
        guard case .table(let pairs) = table else {
            throw ConfigError("\(prefix.isEmpty ? "config" : prefix): expected a table, got \(table.typeName)")
        }
        let name = { (key: String) in prefix.isEmpty ? key : "\(prefix).\(key)" }
        for (key, value) in pairs {
            guard case .string(let key) = key else { throw ConfigError((prefix.isEmpty ? "" : "\(prefix): ") + "keys must be names, got a \(key.typeName)") }
            switch key {
            case "bodyParser":
                switch value {
                case .boolean(false): config.bodyParser = false
                case .boolean(true): config.bodyParser = true
                case .table(let items):
                    config.bodyParser = true
                    for (field, item) in items {
                        switch field {
                        case .string("sizeLimit"): config.bodySizeLimit = try ByteSize.parse(item, key: name("bodyParser.sizeLimit"))
                        case .string("fieldSizeLimit"): config.fieldSizeLimit = try ByteSize.parse(item, key: name("bodyParser.fieldSizeLimit"))
                        case .string("fileSizeLimit"): config.fileSizeLimit = try ByteSize.parse(item, key: name("bodyParser.fileSizeLimit"))
                        case .string("maxParts"):
                            guard case .integer(let count) = item, count > 0 else {
                                throw ConfigError("\(name("bodyParser.maxParts")): expected a positive integer, got \(item.typeName)")
                            }
                            config.maxParts = Int(count)
                        default:
                            throw ConfigError("\(name(key)): unknown key \(field.display) (known: sizeLimit, fieldSizeLimit, fileSizeLimit, maxParts)")
                        }
                    }
                default: throw ConfigError("\(name(key)): expected false or a table like { sizeLimit = \"1mb\" }, got \(value.typeName)")
                }
            case "responseLimit":
                if value == .boolean(false) { config.responseLimit = nil } else { config.responseLimit = try ByteSize.parse(value, key: name(key)) }
            case "limits":
                guard case .table(let items) = value else { throw ConfigError("\(name(key)): expected a table, got \(value.typeName)") }
                for (limitKey, limitValue) in items {
                    switch limitKey {
                    case .string("memory"): config.limits.memory = try ByteSize.parse(limitValue, key: name("limits.memory"))
                    case .string("cpu"): config.limits.cpu = try DurationText.parse(limitValue, key: name("limits.cpu"))
                    case .string("timeout"): config.limits.timeout = try DurationText.parse(limitValue, key: name("limits.timeout"))
                    default: throw ConfigError("\(name("limits")): unknown key \(limitKey.display) (known: memory, cpu, timeout)")
                    }
                }
            case "cors": config.cors = try CORSPolicy.parse(value, key: name(key))
            case "fetch": config.fetch = try config.fetch.overridden(by: value, key: name(key))
            case "api":
                // Next.js writes route config as `config = { api = { bodyParser = ... } }`.
                config = try config.overridden(by: value, prefix: name("api"))
            case "pageExtensions" where prefix.isEmpty, "server" where prefix.isEmpty,
                 "shared" where prefix.isEmpty, "db" where prefix.isEmpty, "generateEtags" where prefix.isEmpty, "json" where prefix.isEmpty:
                continue   // project-wide, read by ProjectConfig
            default:
                throw ConfigError("\(name(key)): unknown key (known: \(RouteConfig.keys.joined(separator: ", ")))")
            }
        }
        return config
    }
}

extension LuaValue {
    /// How a key is quoted in messages.
    var display: String {
        switch self {
        case .string(let s): return "'\(s)'"
        case .integer(let n): return "\(n)"
        case .boolean(let flag): return "\(flag)"
        default: return "(\(typeName))"
        }
    }
}
