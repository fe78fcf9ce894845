import LuaRoutes
/// Request bodies and response body asserts: JSON literal, ```` ``` ```` block, `` `one line` ``,
/// `file,path;`. `base64,`, `hex,`, XML and GraphQL are outside the subset.
extension HurlParser {
    mutating func parseBody() throws(HurlParseError) -> HurlBody {
        let chars = code[index]
        let column = (chars.firstIndex { !$0.isWhitespace } ?? 0) + 1
        let start = SourceLocation(line: index + 1, column: column)
        let text = trimmed(index)
        if text.hasPrefix("```") { return try parseMultilineBody(start: start) }
        if text.hasPrefix("`") {
            var cursor = HurlLineCursor(chars, line: index + 1, position: column - 1)
            let template = try cursor.readQuoted()
            try expectEndOfLine(cursor)
            index += 1
            return HurlBody(kind: .text(template), location: start)
        }
        if text.hasPrefix("{") || text.hasPrefix("[") { return try parseJSONBody(start: start) }
        if text.hasPrefix("file,") { return try parseFileBody(start: start) }
        for prefix in ["base64,", "hex,"] where text.hasPrefix(prefix) {
            throw .unsupported("\(prefix) body", at: start, length: prefix.count)
        }
        throw .unsupported("XML body", at: start, length: 1)
    }

    /// ```` ``` ```` (optional `json` hint) through a closing ```` ``` ```` line; the text keeps a
    /// newline after each line, so a one-line block `hello` is `hello\n` (as in Hurl).
    mutating func parseMultilineBody(start: SourceLocation) throws(HurlParseError) -> HurlBody {
        let hint = String(trimmed(index).dropFirst(3)).trimmingCharacters(in: .whitespaces)
        if !hint.isEmpty, hint != "json" {
            throw .unsupported("```\(hint) body", at: start, length: 3 + hint.count)
        }
        var template = HurlTemplate()
        var i = index + 1
        while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces) != "```" {
            var cursor = HurlLineCursor(Array(lines[i]), line: i + 1)
            while let c = cursor.current {
                if cursor.hasPrefix("{{") { template.append(try cursor.readVariable()); continue }
                template.append(String(c))
                cursor.position += 1
            }
            template.append("\n")
            i += 1
        }
        guard i < lines.count else { throw .syntax("missing ``` to close this body", at: start, length: 3) }
        index = i + 1
        return HurlBody(kind: .text(template), location: start)
    }

    /// `file,path;`: the path is relative to the .hurl file and may not leave its folder.
    mutating func parseFileBody(start: SourceLocation) throws(HurlParseError) -> HurlBody {
        var cursor = HurlLineCursor(code[index], line: index + 1, position: start.column - 1 + 5)
        cursor.skipSpaces()
        let pathStart = cursor.location
        var path = ""
        while let c = cursor.current, c != ";" { path.append(c); cursor.position += 1 }
        guard cursor.current == ";" else { throw .syntax("missing ; after the file name", at: cursor.location) }
        cursor.position += 1
        path = path.trimmingCharacters(in: .whitespaces)
        let components = path.split(separator: "/")
        guard !path.isEmpty, !path.hasPrefix("/"), !components.contains("..") else {
            throw .syntax("file bodies must name a file inside the .hurl file's folder (no .., no absolute path)",
                          at: pathStart, length: max(1, path.count))
        }
        try expectEndOfLine(cursor)
        index += 1
        return HurlBody(kind: .file(path), location: start)
    }

    /// A JSON literal from `{`/`[` to its matching bracket, possibly over several lines; `{{var}}`
    /// may stand for a value or sit inside a string. Checked for JSON syntax here, rendered later.
    mutating func parseJSONBody(start: SourceLocation) throws(HurlParseError) -> HurlBody {
        var template = HurlTemplate()
        var probe = ""  // the text with each placeholder replaced, to check the JSON syntax
        var depth = 0
        var inString = false
        var escaped = false
        var i = index
        var cursor = HurlLineCursor(Array(lines[i]), line: i + 1, position: start.column - 1)
        scan: while true {
            guard let c = cursor.current else {
                template.append("\n")
                probe += "\n"
                i += 1
                guard i < lines.count else { throw .syntax("this JSON body is never closed", at: start) }
                cursor = HurlLineCursor(Array(lines[i]), line: i + 1)
                continue
            }
            if cursor.hasPrefix("{{") {
                template.append(try cursor.readVariable())
                probe += inString ? "" : "0"
                continue
            }
            cursor.position += 1
            template.append(String(c))
            probe.append(c)
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                continue
            }
            switch c {
            case "\"": inString = true
            case "{", "[": depth += 1
            case "}", "]":
                depth -= 1
                if depth == 0 { break scan }
            default: break
            }
        }
        let after = HurlParser.stripComment(String(cursor.chars[cursor.position...]))
        guard after.allSatisfy(\.isWhitespace) else {
            throw .syntax("unexpected text after the JSON body", at: cursor.location)
        }
        do {
            _ = try JSONParser.parse(probe)
        } catch {
            throw .syntax("invalid JSON body: \(error.message)", at: start)
        }
        index = i + 1
        return HurlBody(kind: .json(template), location: start)
    }
}
