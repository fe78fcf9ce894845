import Foundation
import LuaRoutes

/// Reads tokens from one source line for the parser; positions are character columns so
/// diagnostics can point at them.
struct HurlLineCursor {
    let chars: [Character]
    let line: Int
    var position: Int

    init(_ chars: [Character], line: Int, position: Int = 0) {
        self.chars = chars
        self.line = line
        self.position = position
    }

    var location: SourceLocation { SourceLocation(line: line, column: position + 1) }
    var current: Character? { position < chars.count ? chars[position] : nil }
    /// True when only whitespace is left.
    var atEnd: Bool { chars[min(position, chars.count)...].allSatisfy(\.isWhitespace) }

    func hasPrefix(_ text: String) -> Bool {
        let t = Array(text)
        return position + t.count <= chars.count && Array(chars[position..<position + t.count]) == t
    }

    mutating func skipSpaces() {
        while let c = current, c == " " || c == "\t" { position += 1 }
    }

    /// Letters, digits, `_` and `-` (query, predicate and filter names).
    mutating func readWord() -> String {
        let start = position
        while let c = current, c.isLetter || c.isNumber || c == "_" || c == "-" { position += 1 }
        return String(chars[start..<position])
    }

    /// Everything up to the end of the line, trailing whitespace dropped.
    func rest() -> String {
        String(chars[min(position, chars.count)...]).trimmingTrailingWhitespace()
    }

    /// `{{ name }}` at the cursor.
    mutating func readVariable() throws(HurlParseError) -> HurlVariableReference {
        let start = location
        position += 2
        var name = ""
        while true {
            guard let c = current else { throw .syntax("missing }} to close the template", at: start, length: 2) }
            if hasPrefix("}}") { position += 2; break }
            name.append(c)
            position += 1
        }
        name = name.trimmingCharacters(in: .whitespaces)
        let length = position - (start.column - 1)
        if ["newUuid", "newDate"].contains(name) || name.hasPrefix("getEnv") {
            throw .unsupported("function \(name.prefix { $0.isLetter })", at: start, length: length)
        }
        guard let first = name.first, first.isLetter || first == "_",
              name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
        else { throw .syntax("invalid variable name <\(name)>", at: start, length: length) }
        return HurlVariableReference(name: name, location: start, length: length)
    }

    /// Unquoted text to the end of the line (header and section values, URLs): `\#` is `#`.
    mutating func readUnquotedTemplate() throws(HurlParseError) -> HurlTemplate {
        var template = HurlTemplate()
        let end = chars.count - (chars.reversed().prefix { $0.isWhitespace }.count)
        while position < end {
            if hasPrefix("{{") {
                template.append(try readVariable())
            } else if hasPrefix("\\#") {
                template.append("#")
                position += 2
            } else {
                template.append(String(chars[position]))
                position += 1
            }
        }
        return template
    }

    /// `"..."` or `` `...` `` with Hurl's escapes (`\" \\ \n \t \r \b \f \u{…}`) and templates.
    mutating func readQuoted() throws(HurlParseError) -> HurlTemplate {
        let start = location
        guard let quote = current, quote == "\"" || quote == "`" else {
            throw .syntax("expected a quoted string", at: start)
        }
        position += 1
        var template = HurlTemplate()
        while true {
            guard let c = current else { throw .syntax("missing closing \(quote)", at: start) }
            if c == quote { position += 1; return template }
            if hasPrefix("{{") { template.append(try readVariable()); continue }
            position += 1
            guard c == "\\" else { template.append(String(c)); continue }
            guard let e = current else { throw .syntax("missing closing \(quote)", at: start) }
            let escapeStart = SourceLocation(line: line, column: position)
            position += 1
            switch e {
            case "\"", "`", "\\", "#", "/", "{", "}": template.append(String(e))
            case "n": template.append("\n")
            case "t": template.append("\t")
            case "r": template.append("\r")
            case "b": template.append("\u{08}")
            case "f": template.append("\u{0C}")
            case "u":
                guard current == "{", let close = chars[position...].firstIndex(of: "}"),
                      let code = UInt32(String(chars[(position + 1)..<close]), radix: 16),
                      let scalar = Unicode.Scalar(code)
                else { throw .syntax("invalid \\u{…} escape", at: escapeStart, length: 2) }
                template.append(String(Character(scalar)))
                position = close + 1
            default:
                throw .syntax("invalid escape \\\(e)", at: escapeStart, length: 2)
            }
        }
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
