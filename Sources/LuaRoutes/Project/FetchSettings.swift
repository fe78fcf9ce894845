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
