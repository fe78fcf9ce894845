import LuaRoutes
/// A JSON value that keeps what `JSONSerialization` loses: integer vs float (`1` vs `1.0`),
/// exact 64-bit integers, and object key order (for messages; equality ignores it).
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case float(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// Semantic equality (docs/hurl-subset.md section 3): key order ignored, `1 == 1.0`.
    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a.count == b.count && zip(a, b).allSatisfy { $0 == $1 }
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            return a.allSatisfy { key, value in b.first { $0.0 == key }.map { $0.1 == value } ?? false }
        default:
            if let a = lhs.number, let b = rhs.number { return a == b }
            return false
        }
    }

    var number: HurlNumber? {
        switch self {
        case .integer(let i): return .integer(i)
        case .float(let f): return .float(f)
        default: return nil
        }
    }

    /// Compact JSON text, used for messages and for typed template values in JSON bodies.
    var jsonText: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .float(let f): return HurlNumber.float(f).description
        case .string(let s): return JSONValue.quote(s)
        case .array(let items): return "[" + items.map(\.jsonText).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { JSONValue.quote($0.0) + ":" + $0.1.jsonText }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ s: String) -> String { JSONText.quoted(s) }
}
