import Foundation

/// The environment handlers read through `env`: `.env`, then `.env.local` over it, then the
/// process environment over both (CONTRACT.md section 6).
///
/// Syntax, as dotenv: `NAME=value`, optional `export `, `#` comments, values in single quotes
/// (literal) or double quotes (`\n` escapes), unquoted values trimmed and cut at ` #`.
enum DotEnv {
    static func load(root: String, process: [String: String]) -> (values: [String: String], files: [String]) {
        var values: [String: String] = [:]
        var files: [String] = []
        for name in [".env", ".env.local"] {
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
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("'"), value.hasSuffix("'") {
                value = String(value.dropFirst().dropLast())
            } else if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
                    .replacingOccurrences(of: "\\n", with: "\n")
                    .replacingOccurrences(of: "\\\"", with: "\"")
            } else if let hash = value.range(of: " #") {
                value = value[..<hash.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            result.append((key, value))
        }
        return result
    }
}
