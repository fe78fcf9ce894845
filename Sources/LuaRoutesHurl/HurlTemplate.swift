import LuaRoutes
/// Text with `{{name}}` placeholders, as written in URLs, headers, section values, bodies and
/// quoted predicate values. Escapes are already resolved; only variables are left.
struct HurlTemplate: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case text(String)
        case variable(HurlVariableReference)
    }
    var parts: [Part] = []

    init(parts: [Part] = []) { self.parts = parts }
    init(literal: String) { self.parts = literal.isEmpty ? [] : [.text(literal)] }

    mutating func append(_ text: String) {
        if case .text(let last)? = parts.last {
            parts[parts.count - 1] = .text(last + text)
        } else if !text.isEmpty {
            parts.append(.text(text))
        }
    }

    mutating func append(_ variable: HurlVariableReference) { parts.append(.variable(variable)) }

    /// The text when there is no placeholder (used to check JSONPath and names at parse time).
    var literalText: String? {
        var out = ""
        for part in parts {
            guard case .text(let t) = part else { return nil }
            out += t
        }
        return out
    }

    /// Renders as plain text (URL, header, raw body, quoted string).
    func render(_ variables: HurlVariables) throws(HurlRunFailure) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .text(let t): out += t
            case .variable(let ref): out += try variables.value(of: ref).plainText
            }
        }
        return out
    }

    /// Renders a JSON literal: inside a JSON string a variable is inserted escaped; elsewhere it is
    /// inserted as JSON (strings quoted, numbers and booleans bare), as Hurl does.
    func renderJSON(_ variables: HurlVariables) throws(HurlRunFailure) -> String {
        var out = ""
        var inString = false
        var escaped = false
        for part in parts {
            switch part {
            case .text(let t):
                for c in t {
                    if inString {
                        if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                    } else if c == "\"" {
                        inString = true
                    }
                }
                out += t
            case .variable(let ref):
                let value = try variables.value(of: ref)
                if inString {
                    out += String(JSONValue.quote(value.plainText).dropFirst().dropLast())
                } else {
                    out += value.jsonText
                }
            }
        }
        return out
    }
}
