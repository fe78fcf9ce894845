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

/// One `{{name}}` as written: where, and how many characters (for the caret under it).
struct HurlVariableReference: Sendable, Equatable {
    var name: String
    var location: SourceLocation
    var length: Int
}

/// The variables one file sees, looked up by precedence (HURL-SUBSET §3 "Templates"):
/// captures, then `[Options] variable`, then command-line / environment values.
struct HurlVariables: Sendable {
    var captures: [String: HurlValue] = [:]
    var optionVariables: [String: HurlValue] = [:]
    var commandLine: [String: HurlValue] = [:]

    init(commandLine: [String: HurlValue] = [:]) { self.commandLine = commandLine }

    subscript(name: String) -> HurlValue? {
        captures[name] ?? optionVariables[name] ?? commandLine[name]
    }

    func value(of ref: HurlVariableReference) throws(HurlRunFailure) -> HurlValue {
        guard let value = self[ref.name] else { throw .undefinedVariable(ref) }
        return value
    }

    /// The variables given to `luaroutes test`: `HURL_VARIABLE_name` environment entries, then
    /// `--variable name=value` on top; values typed (true/false/null/numbers). `host` defaults
    /// to `http://localhost`.
    static func commandLine(variables: [String: String], environment: [String: String]) -> [String: HurlValue] {
        var out: [String: HurlValue] = ["host": .string("http://localhost")]
        let prefix = "HURL_VARIABLE_"
        for (key, value) in environment where key.hasPrefix(prefix) && key.count > prefix.count {
            out[String(key.dropFirst(prefix.count))] = HurlValue(commandLine: value)
        }
        for (key, value) in variables { out[key] = HurlValue(commandLine: value) }
        return out
    }
}
