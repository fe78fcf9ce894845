/// The settings one route runs with: the config file's values, overridden by the route's own
/// `config` table (docs/reference.md section 7).
public struct RouteConfig: Sendable, Equatable {
    /// false: `req.body` stays nil and `req.rawBody` holds the bytes.
    public var bodyParser = true
    /// Bodies above this answer 413 before the handler runs.
    public var bodySizeLimit = 1 << 20
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
                        guard field == .string("sizeLimit") else {
                            throw ConfigError("\(name(key)): unknown key \(field.display) (known: sizeLimit)")
                        }
                        config.bodySizeLimit = try ByteSize.parse(item, key: name("bodyParser.sizeLimit"))
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
                 "shared" where prefix.isEmpty, "db" where prefix.isEmpty:
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

/// `fetch = { timeout, maxBody, allow }` (docs/reference.md section 7).
public struct FetchSettings: Sendable, Equatable {
    public var timeout: Duration = .seconds(10)
    public var maxBody = 10 << 20
    /// Host patterns a handler may reach ("api.example.com", "*.example.com", "localhost:8080");
    /// nil for any host.
    public var allow: [String]? = nil

    func overridden(by value: LuaValue, key: String) throws(ConfigError) -> FetchSettings {
        guard case .table(let pairs) = value else { throw ConfigError("\(key): expected a table, got \(value.typeName)") }
        var settings = self
        for (field, item) in pairs {
            switch field {
            case .string("timeout"): settings.timeout = try DurationText.parse(item, key: key + ".timeout")
            case .string("maxBody"): settings.maxBody = try ByteSize.parse(item, key: key + ".maxBody")
            case .string("allow"):
                if item == .boolean(false) || item == .nil { settings.allow = nil; continue }
                guard let items = item.arrayItems else { throw ConfigError("\(key).allow: expected an array of host patterns like { \"api.example.com\" }") }
                settings.allow = try items.map { (pattern: LuaValue) throws(ConfigError) -> String in
                    guard case .string(let text) = pattern, !text.isEmpty, !text.contains("/") else {
                        throw ConfigError("\(key).allow: each item must be a host pattern like \"api.example.com\" or \"*.example.com\", got \(pattern.display)")
                    }
                    return text.lowercased()
                }
            default:
                throw ConfigError("\(key): unknown key \(field.display) (known: timeout, maxBody, allow)")
            }
        }
        return settings
    }

    /// Whether `host` (and `port`) may be reached under `allow`.
    func allows(host: String, port: Int) -> Bool {
        guard let allow else { return true }
        let host = host.lowercased()
        return allow.contains { pattern in
            var hostPattern = Substring(pattern)
            if let colon = pattern.lastIndex(of: ":"), let wanted = Int(pattern[pattern.index(after: colon)...]) {
                guard wanted == port else { return false }
                hostPattern = pattern[..<colon]
            }
            if hostPattern.hasPrefix("*.") { return host.hasSuffix(hostPattern.dropFirst()) && host.count > hostPattern.count - 1 }
            return host == hostPattern
        }
    }
}
