import Foundation
import LuaRoutes

/// Turns `.hurl` text into a ``HurlFile``. The whole file is parsed before anything runs, and
/// anything outside the v1 subset fails it with a located message (docs/hurl-subset.md sections 2 and 6).
///
/// The grammar is line-based: a request line, headers, request sections, an optional body,
/// then optionally `HTTP <code>`, response headers, `[Captures]`/`[Asserts]` and a body assert.
/// Blank and comment lines may appear between any two of those.
struct HurlParser {
    /// Source lines without line terminators, as the report shows them.
    let lines: [String]
    /// Each line as characters, comments cut off (bodies read `lines` instead).
    let code: [[Character]]
    var index = 0

    static func parse(_ text: String) throws(HurlParseError) -> HurlFile {
        var parser = HurlParser(text: text)
        var entries: [HurlEntry] = []
        while parser.nextSignificantLine() != nil {
            entries.append(try parser.parseEntry())
        }
        return HurlFile(entries: entries)
    }

    /// Splits into lines (LF or CRLF, BOM ignored), the way the report numbers them.
    static func sourceLines(_ text: String) -> [String] {
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        // Split on the byte: Swift sees "\r\n" as one Character, which never equals "\n".
        var lines = body.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    init(text: String) {
        lines = HurlParser.sourceLines(text)
        code = lines.map(HurlParser.stripComment)
    }

    /// Cuts a `#` comment that starts a line or follows whitespace, outside quoted strings.
    static func stripComment(_ line: String) -> [Character] {
        let chars = Array(line)
        var quote: Character?
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if let q = quote {
                if c == "\\" { i += 1 } else if c == q { quote = nil }
            } else if c == "\"" || c == "`" {
                quote = c
            } else if c == "#", i == 0 || chars[i - 1].isWhitespace {
                return Array(chars[..<i])
            }
            i += 1
        }
        return chars
    }

    // MARK: - Line classification

    func location(column: Int = 1) -> SourceLocation { SourceLocation(line: index + 1, column: column) }

    func trimmed(_ i: Int) -> String { String(code[i]).trimmingCharacters(in: .whitespaces) }

    /// Moves past blank and comment lines; the index of the next line with code, if any.
    mutating func nextSignificantLine() -> Int? {
        while index < lines.count, trimmed(index).isEmpty { index += 1 }
        return index < lines.count ? index : nil
    }

    /// `[Name]` on its own line: the name and its column.
    func sectionHeader(_ i: Int) -> (name: String, column: Int)? {
        let text = trimmed(i)
        guard text.hasPrefix("["), text.hasSuffix("]"), text.count > 2 else { return nil }
        let name = String(text.dropFirst().dropLast())
        guard name.first?.isUppercase == true, name.allSatisfy(\.isLetter) else { return nil }
        let column = (code[i].firstIndex { !$0.isWhitespace } ?? 0) + 1
        return (name, column)
    }

    func isResponseLine(_ i: Int) -> Bool {
        let text = trimmed(i)
        return text == "HTTP" || text.hasPrefix("HTTP ") || text.hasPrefix("HTTP/") || text.hasPrefix("HTTP\t")
    }

    func isRequestLine(_ i: Int) -> Bool {
        guard !isResponseLine(i) else { return false }
        let chars = code[i]
        let method = chars.prefix { $0.isUppercase && $0.isASCII }
        guard !method.isEmpty, method.count < chars.count, chars[method.count].isWhitespace else { return false }
        return chars[method.count...].contains { !$0.isWhitespace }
    }

    func isBodyStart(_ i: Int) -> Bool {
        guard sectionHeader(i) == nil else { return false }
        let text = trimmed(i)
        return ["{", "[", "`", "<"].contains { text.hasPrefix($0) }
            || ["file,", "base64,", "hex,"].contains { text.hasPrefix($0) }
    }

    /// A line that ends a run of `Name: value` lines.
    func endsKeyValues(_ i: Int) -> Bool {
        sectionHeader(i) != nil || isBodyStart(i) || isResponseLine(i) || isRequestLine(i)
    }

    // MARK: - Entries

    mutating func parseEntry() throws(HurlParseError) -> HurlEntry {
        var request = try parseRequestLine()
        request.headers = try parseKeyValues(what: "a header (Name: value)")
        try parseRequestSections(into: &request)
        if let i = nextSignificantLine(), isBodyStart(i) { request.body = try parseBody() }
        var response: HurlResponseSpec?
        if let i = nextSignificantLine(), isResponseLine(i) { response = try parseResponse() }
        if let i = nextSignificantLine(), !isRequestLine(i) {
            let column = (code[i].firstIndex { !$0.isWhitespace } ?? 0) + 1
            if let (name, _) = sectionHeader(i) {
                throw .syntax("[\(name)] is out of place here; sections come before the body, each once",
                              at: SourceLocation(line: i + 1, column: column))
            }
            throw .syntax(response == nil && request.body != nil
                              ? "expected a response line (HTTP <code>) or a new request (METHOD URL)"
                              : "expected a new request (METHOD URL)",
                          at: SourceLocation(line: i + 1, column: column))
        }
        return HurlEntry(request: request, response: response)
    }

    mutating func parseRequestLine() throws(HurlParseError) -> HurlRequest {
        var cursor = HurlLineCursor(code[index], line: index + 1)
        cursor.skipSpaces()
        let start = cursor.location
        guard isRequestLine(index) else {
            if isResponseLine(index) {
                throw .syntax("a response line needs a request (METHOD URL) before it", at: start, length: 4)
            }
            throw .syntax("expected a request line (METHOD URL)", at: start)
        }
        let method = cursor.readWord()
        cursor.skipSpaces()
        let urlLocation = cursor.location
        let url = try cursor.readUnquotedTemplate()
        index += 1
        return HurlRequest(method: method, url: url, location: start, urlLocation: urlLocation)
    }

    /// `Name: value` lines until a section, body, response or request line.
    mutating func parseKeyValues(what: String) throws(HurlParseError) -> [HurlKeyValue] {
        var items: [HurlKeyValue] = []
        while let i = nextSignificantLine(), !endsKeyValues(i) {
            items.append(try parseKeyValue(what: what))
        }
        return items
    }

    mutating func parseKeyValue(what: String) throws(HurlParseError) -> HurlKeyValue {
        var cursor = HurlLineCursor(code[index], line: index + 1)
        cursor.skipSpaces()
        let start = cursor.location
        let name = try readKey(&cursor, what: what)
        cursor.skipSpaces()
        let valueLocation = cursor.location
        let value = try cursor.readUnquotedTemplate()
        index += 1
        return HurlKeyValue(name: name, value: value, location: start, valueLocation: valueLocation)
    }

    /// The `name` of `name: …` (templates allowed), leaving the cursor after the colon.
    func readKey(_ cursor: inout HurlLineCursor, what: String) throws(HurlParseError) -> HurlTemplate {
        let start = cursor.location
        var name = HurlTemplate()
        while let c = cursor.current, c != ":" {
            if c.isWhitespace { break }
            if cursor.hasPrefix("{{") { name.append(try cursor.readVariable()); continue }
            name.append(String(c))
            cursor.position += 1
        }
        cursor.skipSpaces()
        guard cursor.current == ":", !name.parts.isEmpty else { throw .syntax("expected \(what)", at: start) }
        cursor.position += 1
        return name
    }
}
