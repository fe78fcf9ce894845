import Foundation

/// A copied Lua value as JSON text, for values read out of a sandbox (fetch mocks): a table
/// with keys 1...n is an array, any other table an object with text keys.
enum JSONOfLuaValue {
    static func encode(_ value: LuaValue) throws(ConfigError) -> String {
        switch value {
        case .nil: return "null"
        case .boolean(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .number(let d):
            guard d.isFinite else { throw ConfigError("json: \(d) has no JSON form") }
            return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .string(let s): return JSONText.quoted(s)
        case .opaque(let name):
            if name == "userdata" { return "null" }   // json.null
            throw ConfigError("json: a \(name) has no JSON form")
        case .table(let pairs):
            if pairs.isEmpty { return "{}" }
            if let items = value.arrayItems {
                var parts: [String] = []
                for item in items { parts.append(try encode(item)) }
                return "[" + parts.joined(separator: ",") + "]"
            }
            var parts: [String] = []
            for (key, item) in pairs.sorted(by: { $0.key.display < $1.key.display }) {
                guard case .string(let name) = key else { throw ConfigError("json: object keys must be texts, got \(key.display)") }
                parts.append(JSONText.quoted(name) + ":" + (try encode(item)))
            }
            return "{" + parts.joined(separator: ",") + "}"
        }
    }
}
