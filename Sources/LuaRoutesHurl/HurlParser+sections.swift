import LuaRoutes
/// Request sections, `[Options]`, the response line and the response sections.
extension HurlParser {
    mutating func parseRequestSections(into request: inout HurlRequest) throws(HurlParseError) {
        var seen: Set<String> = []
        while let i = nextSignificantLine(), let (name, column) = sectionHeader(i) {
            let at = SourceLocation(line: i + 1, column: column)
            let length = name.count + 2
            switch name {
            case "BasicAuth":
                throw .unsupported("[\(name)]", at: at, length: length)
            case "Captures", "Asserts":
                throw .syntax("[\(name)] belongs to a response: put a response line (HTTP <code>) before it",
                              at: at, length: length)
            case "Query", "QueryStringParams", "Form", "FormParams", "Cookies", "Options", "Multipart", "MultipartFormData":
                break
            default:
                throw .syntax("unknown section [\(name)]", at: at, length: length)
            }
            let canonical = ["QueryStringParams": "Query", "FormParams": "Form", "Multipart": "MultipartFormData"][name] ?? name
            guard seen.insert(canonical).inserted else {
                throw .syntax("section [\(canonical)] appears twice in this request", at: at, length: length)
            }
            index += 1
            switch canonical {
            case "Query": request.query = try parseKeyValues(what: "a query parameter (name: value)")
            case "Form": request.form = try parseKeyValues(what: "a form field (name: value)")
            case "Cookies": request.cookies = try parseKeyValues(what: "a cookie (name: value)")
            case "MultipartFormData": request.multipart = try parseMultipartItems()
            default: request.options = try parseOptions()
            }
        }
    }

    /// `skip: true|false|{{var}}` and `variable: name=value`; every other Hurl option is refused.
    mutating func parseOptions() throws(HurlParseError) -> HurlOptions {
        var options = HurlOptions()
        while let i = nextSignificantLine(), !endsKeyValues(i) {
            var cursor = HurlLineCursor(code[i], line: i + 1)
            cursor.skipSpaces()
            let start = cursor.location
            let key = cursor.readWord()
            cursor.skipSpaces()
            guard !key.isEmpty, cursor.current == ":" else { throw .syntax("expected an option (name: value)", at: start) }
            cursor.position += 1
            cursor.skipSpaces()
            switch key {
            case "skip":
                let value = try parsePredicateValue(&cursor)
                switch value {
                case .bool, .variable: options.skip = value
                default: throw .syntax("skip takes true, false or {{variable}}", at: start, length: key.count)
                }
            case "variable":
                let nameStart = cursor.location
                let name = cursor.readWord()
                guard !name.isEmpty, cursor.current == "=" else {
                    throw .syntax("expected variable: name=value", at: nameStart)
                }
                cursor.position += 1
                let value = try parseOptionVariableValue(&cursor)
                options.variables.append(HurlOptionVariable(name: name, value: value, location: nameStart))
            default:
                throw .unsupported("[Options] \(key)", at: start, length: key.count)
            }
            try expectEndOfLine(cursor)
            index = i + 1
        }
        return options
    }

    /// A typed literal (`12`, `true`, `"text"`, `{{var}}`), else the rest of the line as a string.
    func parseOptionVariableValue(_ cursor: inout HurlLineCursor) throws(HurlParseError) -> HurlPredicateValue {
        var probe = cursor
        if let value = try? parsePredicateValue(&probe), probe.atEnd {
            if case .regex = value {} else { cursor = probe; return value }
        }
        return .string(try cursor.readUnquotedTemplate())
    }

    mutating func parseResponse() throws(HurlParseError) -> HurlResponseSpec {
        var cursor = HurlLineCursor(code[index], line: index + 1)
        cursor.skipSpaces()
        let start = cursor.location
        cursor.position += 4
        if cursor.current == "/" {
            let versionStart = start
            cursor.position += 1
            let version = cursor.readWordWithDots()
            if version != "1.1" {
                throw .unsupported("HTTP/\(version)", at: versionStart, length: 5 + version.count)
            }
        }
        cursor.skipSpaces()
        let statusLocation = cursor.location
        var status: Int?
        if cursor.current == "*" {
            cursor.position += 1
        } else {
            let digits = cursor.readWord()
            guard let code = Int(digits), digits.allSatisfy(\.isASCIIDigit) else {
                throw .syntax("expected a status code or * after HTTP", at: statusLocation, length: max(1, digits.count))
            }
            status = code
        }
        try expectEndOfLine(cursor)
        index += 1
        var response = HurlResponseSpec(status: status, statusLocation: statusLocation)
        response.headers = try parseKeyValues(what: "a header (Name: value)")
        try parseResponseSections(into: &response)
        if let i = nextSignificantLine(), isBodyStart(i) { response.body = try parseBody() }
        return response
    }

    mutating func parseResponseSections(into response: inout HurlResponseSpec) throws(HurlParseError) {
        var seen: Set<String> = []
        while let i = nextSignificantLine(), let (name, column) = sectionHeader(i) {
            let at = SourceLocation(line: i + 1, column: column)
            let length = name.count + 2
            switch name {
            case "Captures", "Asserts": break
            case "Multipart", "MultipartFormData", "BasicAuth", "Query", "QueryStringParams", "Form", "FormParams",
                 "Cookies", "Options":
                throw .syntax("[\(name)] belongs to a request, before its response line", at: at, length: length)
            default:
                throw .syntax("unknown section [\(name)]", at: at, length: length)
            }
            guard seen.insert(name).inserted else {
                throw .syntax("section [\(name)] appears twice in this response", at: at, length: length)
            }
            index += 1
            while let j = nextSignificantLine(), !endsKeyValues(j) {
                if name == "Captures" {
                    response.captures.append(try parseCapture())
                } else {
                    response.asserts.append(try parseAssert())
                }
                index = j + 1
            }
        }
    }

    func expectEndOfLine(_ cursor: HurlLineCursor) throws(HurlParseError) {
        var rest = cursor
        rest.skipSpaces()
        guard rest.atEnd else { throw .syntax("unexpected text at the end of the line", at: rest.location) }
    }
}

extension HurlLineCursor {
    mutating func readWordWithDots() -> String {
        let start = position
        while let c = current, c.isLetter || c.isNumber || c == "." { position += 1 }
        return String(chars[start..<position])
    }
}
