import Foundation
import LuaRoutes

/// What a query yields and what a predicate expects (docs/hurl-subset.md section 3 "Values").
/// *none* is not a case: queries return `HurlValue?` and `nil` is *none*.
enum HurlValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    case null
    case list([HurlValue])
    case object([(String, HurlValue)])
    case bytes([UInt8])
    /// Only ever an expected value (`/regex/` literal); the pattern text as written.
    case regex(String)

    init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .integer(let i): self = .integer(i)
        case .float(let f): self = .float(f)
        case .string(let s): self = .string(s)
        case .array(let items): self = .list(items.map(HurlValue.init))
        case .object(let members): self = .object(members.map { ($0.0, HurlValue($0.1)) })
        }
    }

    /// Types a `--variable n=v` / `HURL_VARIABLE_n` value: true/false/null/numbers, else a string.
    init(commandLine text: String) {
        switch text {
        case "true": self = .bool(true)
        case "false": self = .bool(false)
        case "null": self = .null
        default:
            if HurlValue.looksNumeric(text), let i = Int64(text) {
                self = .integer(i)
            } else if HurlValue.looksNumeric(text), text.contains("."), let f = Double(text) {
                self = .float(f)
            } else {
                self = .string(text)
            }
        }
    }

    private static func looksNumeric(_ text: String) -> Bool {
        var body = Substring(text)
        if body.first == "-" { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        return (1...2).contains(parts.count) && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }
    }

    static func == (lhs: HurlValue, rhs: HurlValue) -> Bool {
        switch (lhs, rhs) {
        case let (.string(a), .string(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case (.null, .null): return true
        case let (.list(a), .list(b)): return a.count == b.count && zip(a, b).allSatisfy { $0 == $1 }
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            return a.allSatisfy { key, value in b.first { $0.0 == key }.map { $0.1 == value } ?? false }
        case let (.bytes(a), .bytes(b)): return a == b
        case let (.regex(a), .regex(b)): return a == b
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

    /// Hurl's type word, as used in messages (`integer <5>`).
    var typeName: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        case .bool: return "boolean"
        case .null: return "null"
        case .list: return "list"
        case .object: return "object"
        case .bytes: return "bytes"
        case .regex: return "regex"
        }
    }

    /// The value as Hurl shows it in `actual:` / `expected:` lines: `integer <5>`, `null`.
    var display: String {
        if case .null = self { return "null" }
        return "\(typeName) <\(plainText)>"
    }

    /// The value as text: what `{{var}}` renders to in a URL, header or raw body.
    var plainText: String {
        switch self {
        case .string(let s): return s
        case .integer(let i): return String(i)
        case .float(let f): return HurlNumber.float(f).description
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .list, .object: return jsonText
        case .bytes(let b): return b.map { String(format: "%02x", $0) }.joined()
        case .regex(let r): return r
        }
    }

    /// The value as JSON text: what an unquoted `{{var}}` renders to inside a JSON body.
    var jsonText: String {
        switch self {
        case .string(let s): return JSONValue.quote(s)
        case .list(let items): return "[" + items.map(\.jsonText).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { JSONValue.quote($0.0) + ":" + $0.1.jsonText }.joined(separator: ",") + "}"
        case .bytes, .regex: return JSONValue.quote(plainText)
        default: return plainText
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
