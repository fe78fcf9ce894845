import LuaRoutes
/// Capture and assert lines: `name: query [count]` and `query [count] [not] predicate [value]`.
extension HurlParser {
    static let unsupportedQueries: Set = ["xpath", "regex", "sha256", "md5", "url", "redirects", "ip", "version", "certificate"]
    static let unsupportedFilters: Set = [
        "base64Decode", "base64Encode", "base64UrlSafeDecode", "base64UrlSafeEncode", "daysAfterNow", "daysBeforeNow",
        "decode", "first", "format", "htmlEscape", "htmlUnescape", "jsonpath", "last", "location", "nth", "regex",
        "replace", "replaceRegex", "split", "toDate", "toFloat", "toHex", "toInt", "toString", "urlDecode",
        "urlEncode", "urlQueryParam", "utf8Decode", "utf8Encode", "xpath", "dateFormat",
    ]
    static let unsupportedPredicates: Set = [
        "isNumber", "isDate", "isIsoDate", "isList", "isObject", "isIpv4", "isIpv6", "isUuid",
        "equals", "notEquals", "greaterThan", "greaterThanOrEquals", "lessThan", "lessThanOrEquals",
    ]

    mutating func parseCapture() throws(HurlParseError) -> HurlCapture {
        var cursor = HurlLineCursor(code[index], line: index + 1)
        cursor.skipSpaces()
        let start = cursor.location
        let name = try readKey(&cursor, what: "a capture (name: query)")
        guard let literal = name.literalText else { throw .syntax("a capture name cannot be a template", at: start) }
        cursor.skipSpaces()
        let query = try parseQuery(&cursor)
        let filters = try parseFilters(&cursor, after: query)
        try expectEndOfLine(cursor)
        return HurlCapture(name: literal, query: query, filters: filters, location: start)
    }

    mutating func parseAssert() throws(HurlParseError) -> HurlAssert {
        var cursor = HurlLineCursor(code[index], line: index + 1)
        cursor.skipSpaces()
        let start = cursor.location
        let query = try parseQuery(&cursor)
        let filters = try parseFilters(&cursor, after: query)
        cursor.skipSpaces()
        let predicate = try parsePredicate(&cursor)
        try expectEndOfLine(cursor)
        return HurlAssert(query: query, filters: filters, predicate: predicate, location: start)
    }

    func parseQuery(_ cursor: inout HurlLineCursor) throws(HurlParseError) -> HurlQuery {
        let start = cursor.location
        let word = cursor.readWord()
        let kind = try queryKind(word, start: start, &cursor)
        return HurlQuery(kind: kind, location: start, length: cursor.position - start.column + 1)
    }

    private func queryKind(_ word: String, start: SourceLocation, _ cursor: inout HurlLineCursor) throws(HurlParseError) -> HurlQuery.Kind {
        switch word {
        case "status": return .status
        case "body": return .body
        case "bytes": return .bytes
        case "duration": return .duration
        case "header": return .header(try quotedArgument(&cursor, of: word))
        case "cookie":
            let argumentStart = cursor.location
            let name = try quotedArgument(&cursor, of: word)
            if name.literalText?.contains("[") == true {
                throw .unsupported("cookie attribute query", at: argumentStart, length: cursor.position - start.column + 1)
            }
            return .cookie(name)
        case "variable":
            let name = try quotedArgument(&cursor, of: word)
            guard let literal = name.literalText else { throw .syntax("a variable name cannot be a template", at: start) }
            return .variable(literal)
        case "jsonpath":
            cursor.skipSpaces()
            let pathStart = cursor.location
            let expression = try quotedArgument(&cursor, of: word)
            if let literal = expression.literalText {
                try checkJSONPath(literal, at: pathStart, length: cursor.position - pathStart.column + 1)
            }
            return .jsonpath(expression)
        default:
            throw unknownQuery(word, start: start, after: cursor)
        }
    }

    /// Why `word` is not a query: outside the subset, a misplaced header assert, or unknown.
    private func unknownQuery(_ word: String, start: SourceLocation, after cursor: HurlLineCursor) -> HurlParseError {
        if HurlParser.unsupportedQueries.contains(word) {
            return .unsupported("query \(word)", at: start, length: word.count)
        }
        var probe = cursor
        probe.skipSpaces()
        if !word.isEmpty, probe.current == ":" {
            return .syntax("\(word): looks like a header; header asserts go right after the HTTP line", at: start, length: word.count)
        }
        return .syntax(word.isEmpty ? "expected a query (status, header, body, jsonpath…)" : "unknown query \(word)",
                       at: start, length: max(1, word.count))
    }

    // A method, not a local function: Swift 6.3's optimizer crashes on a local function with
    // typed throws here (SIL verification error in OwnershipModelEliminator, release builds only).
    private func quotedArgument(_ cursor: inout HurlLineCursor, of word: String) throws(HurlParseError) -> HurlTemplate {
        cursor.skipSpaces()
        guard cursor.current == "\"" else { throw .syntax("\(word) takes a quoted argument", at: cursor.location) }
        return try cursor.readQuoted()
    }

    /// A JSONPath literal outside the subset fails the file where it stands.
    private func checkJSONPath(_ literal: String, at location: SourceLocation, length: Int) throws(HurlParseError) {
        let error: JSONPath.ParseError
        do {
            _ = try JSONPath.parse(literal)
            return
        } catch let thrown {
            error = thrown
        }
        switch error {
        case .unsupported(let what): throw .unsupported(what, at: location, length: length)
        case .syntax(let message): throw .syntax(message, at: location, length: length)
        }
    }

    func parseFilters(_ cursor: inout HurlLineCursor, after query: HurlQuery) throws(HurlParseError) -> [HurlFilter] {
        var filters: [HurlFilter] = []
        while true {
            var probe = cursor
            probe.skipSpaces()
            let at = probe.location
            let word = probe.readWord()
            if word == "count" {
                filters.append(.count)
                cursor = probe
            } else if HurlParser.unsupportedFilters.contains(word) {
                throw .unsupported("filter \(word)", at: at, length: word.count)
            } else {
                break
            }
        }
        if case .bytes = query.kind, filters.isEmpty {
            throw .unsupported("bytes without count", at: query.location, length: query.length)
        }
        return filters
    }

    func parsePredicate(_ cursor: inout HurlLineCursor) throws(HurlParseError) -> HurlPredicate {
        let start = cursor.location
        var negated = false
        var probe = cursor
        if probe.readWord() == "not", probe.current == " " || probe.current == "\t" {
            negated = true
            cursor = probe
            cursor.skipSpaces()
        }
        let operatorStart = cursor.location
        let op: HurlPredicate.Operator
        if let symbol = ["==", "!=", ">=", "<=", ">", "<"].first(where: { cursor.hasPrefix($0) }) {
            op = HurlPredicate.Operator(rawValue: symbol)!
            cursor.position += symbol.count
        } else {
            let word = cursor.readWord()
            if HurlParser.unsupportedPredicates.contains(word) {
                throw .unsupported("predicate \(word)", at: operatorStart, length: word.count)
            }
            guard let known = HurlPredicate.Operator(rawValue: word), !word.isEmpty else {
                throw .syntax(word.isEmpty ? "expected a predicate (==, contains, exists…)" : "unknown predicate \(word)",
                              at: operatorStart, length: max(1, word.count))
            }
            op = known
        }
        var value: HurlPredicateValue?
        if op.takesValue {
            cursor.skipSpaces()
            value = try parsePredicateValue(&cursor)
            if case .regex = value, op != .matches {
                throw .syntax("a /regex/ value only goes with matches", at: operatorStart)
            }
        }
        return HurlPredicate(negated: negated, op: op, value: value, location: start)
    }

    /// `"…"`, `` `…` ``, `12`, `1.5`, `true`, `false`, `null`, `/regex/`, `{{var}}`.
    func parsePredicateValue(_ cursor: inout HurlLineCursor) throws(HurlParseError) -> HurlPredicateValue {
        let start = cursor.location
        guard let c = cursor.current else { throw .syntax("expected a value", at: start) }
        if c == "\"" || c == "`" { return .string(try cursor.readQuoted()) }
        if cursor.hasPrefix("{{") {
            let ref = try cursor.readVariable()
            return .variable(ref)
        }
        if c == "/" { return .regex(try readRegex(&cursor)) }
        for prefix in ["hex,", "base64,", "file,"] where cursor.hasPrefix(prefix) {
            throw .unsupported("\(prefix) value", at: start, length: prefix.count)
        }
        var probe = cursor
        let word = probe.readWordWithSign()
        switch word {
        case "true": cursor = probe; return .bool(true)
        case "false": cursor = probe; return .bool(false)
        case "null": cursor = probe; return .null
        default: break
        }
        if let number = HurlParser.number(word) {
            cursor = probe
            return number
        }
        throw .syntax("expected a value (\"string\", number, true, false, null, /regex/ or {{variable}})", at: start)
    }

    static func number(_ text: String) -> HurlPredicateValue? {
        var digits = Substring(text)
        if digits.first == "-" { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) else {
            return nil
        }
        if parts.count == 1 { return Int64(text).map { .integer($0) } }
        return Double(text).map { .float($0) }
    }

    /// `/pattern/` with `\/` for a slash; other escapes are left to the regex engine.
    func readRegex(_ cursor: inout HurlLineCursor) throws(HurlParseError) -> String {
        let start = cursor.location
        cursor.position += 1
        var pattern = ""
        while let c = cursor.current {
            cursor.position += 1
            if c == "/" { return pattern }
            if c == "\\", cursor.current == "/" {
                pattern.append("/")
                cursor.position += 1
            } else {
                pattern.append(c)
            }
        }
        throw .syntax("missing / to close the regex", at: start)
    }
}

extension HurlLineCursor {
    /// A number or word, with an optional leading minus and inner dots.
    mutating func readWordWithSign() -> String {
        let start = position
        if current == "-" { position += 1 }
        while let c = current, c.isLetter || c.isNumber || c == "." || c == "_" { position += 1 }
        return String(chars[start..<position])
    }
}
