import Foundation

/// The environment handlers read through `env`: `.env`, then `.env.local` over it, then the
/// process environment over all (docs/reference.md section 6). `luaroutes test` reads `.env`
/// then `.env.test` and never `.env.local`, so tests do not depend on one machine (Next.js's rule).
///
/// Syntax, as dotenv: `NAME=value`, optional `export `, `#` comments, values in single quotes
/// (literal) or double quotes (`\n \r \t \" \\` escapes), either followed by an optional
/// comment; unquoted values trimmed and cut at ` #`.
public enum DotEnv {
    /// The files serve, request and bench read, later ones winning.
    public static let serveFiles = [".env", ".env.local"]
    /// The files `luaroutes test` reads.
    public static let testFiles = [".env", ".env.test"]

    static func load(root: String, process: [String: String], names: [String] = serveFiles) -> (values: [String: String], files: [String]) {
        var values: [String: String] = [:]
        var files: [String] = []
        for name in names {
            guard let text = try? String(contentsOfFile: root + "/" + name, encoding: .utf8) else { continue }
            files.append(name)
            for (key, value) in parse(text) { values[key] = value }
        }
        for (key, value) in process { values[key] = value }
        return (values, files)
    }

    static func parse(_ text: String) -> [(String, String)] {
        var result: [(String, String)] = []
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }) else { continue }
            result.append((key, value(line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces))))
        }
        return result
    }

    /// The text after `=`: quoted (a comment may follow the closing quote) or bare.
    static func value(_ text: String) -> String {
        if text.hasPrefix("'"), let close = text.dropFirst().firstIndex(of: "'") {
            return String(text[text.index(after: text.startIndex)..<close])
        }
        if text.hasPrefix("\"") {
            var out = ""
            var escaped = false
            for c in text.dropFirst() {
                if escaped {
                    switch c {
                    case "n": out.append("\n")
                    case "r": out.append("\r")
                    case "t": out.append("\t")
                    case "\"", "\\": out.append(c)
                    default: out.append("\\"); out.append(c)
                    }
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == "\"" {
                    return out
                } else {
                    out.append(c)
                }
            }
            // No closing quote: taken as written, as a bare value.
        }
        if text.hasPrefix("#") { return "" }   // NAME= # a comment
        guard let hash = text.range(of: " #") ?? text.range(of: "\t#") else { return text }
        return text[..<hash.lowerBound].trimmingCharacters(in: .whitespaces)
    }
}
