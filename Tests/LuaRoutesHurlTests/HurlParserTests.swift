import Testing
@testable import LuaRoutesHurl
import LuaRoutes

/// The parser: every construct of the subset, and the whole message for errors and for
/// constructs outside it (docs/hurl-subset.md sections 3 and 6).
@Suite struct HurlParserTests {
    /// The frame a file that fails to parse prints, or nil when it parses.
    func parseFailure(_ text: String) -> String? {
        do {
            _ = try HurlParser.parse(text)
            return nil
        } catch {
            return HurlReport.frame(error.diagnostic, path: "t.hurl", lines: HurlParser.sourceLines(text), entryLine: nil)
        }
    }

    func literal(_ template: HurlTemplate) -> String? { template.literalText }

    @Test func requestLineHeadersAndComments() throws {
        let file = try HurlParser.parse("""
            \u{FEFF}# leading comment\r
            GET {{host}}/api/users?x=1   # trailing comment\r
            Accept: application/json\r
            X-Tag: a\\#b #c\r
            \r
            DELETE /api/users/1\r
            """)
        #expect(file.entries.count == 2)
        let first = file.entries[0].request
        #expect(first.method == "GET")
        #expect(first.location == SourceLocation(line: 2, column: 1))
        #expect(first.url.parts.count == 2)
        #expect(first.headers.map { literal($0.name) } == ["Accept", "X-Tag"])
        #expect(first.headers.map { literal($0.value) } == ["application/json", "a#b"])
        #expect(file.entries[0].response == nil)
        #expect(file.entries[1].request.method == "DELETE")
    }

    @Test func requestSections() throws {
        let file = try HurlParser.parse("""
            POST /login
            [QueryStringParams]
            page: 2
            [FormParams]
            user: {{name}}
            [Cookies]
            theme: dark
            [Options]
            skip: false
            variable: id=42
            variable: label=hello world
            HTTP 303
            """)
        let request = file.entries[0].request
        #expect(request.query.map { literal($0.value) } == ["2"])
        #expect(request.form.first?.value.parts == [.variable(HurlVariableReference(
            name: "name", location: SourceLocation(line: 5, column: 7), length: 8))])
        #expect(request.cookies.map { literal($0.name) } == ["theme"])
        #expect(request.options.variables.map(\.name) == ["id", "label"])
        if case .integer(42) = request.options.variables[0].value {} else { Issue.record("id should be typed") }
        if case .string(let t) = request.options.variables[1].value { #expect(t.literalText == "hello world") }
        if case .bool(false)? = request.options.skip {} else { Issue.record("skip should be false") }
        #expect(file.entries[0].response?.status == 303)
    }

    @Test func bodies() throws {
        let file = try HurlParser.parse("""
            POST /a
            {
              "name": "{{name}}",
              "n": {{n}}
            }
            HTTP 200

            POST /b
            ```json
            line 1
            {{x}}
            ```
            HTTP *

            POST /c
            `one \\`line\\``

            POST /d
            file,data/x.bin;
            HTTP/1.1 200
            [1, 2]
            """)
        guard case .json(let json) = file.entries[0].request.body?.kind else { Issue.record("json"); return }
        #expect(json.parts.count == 5)
        guard case .text(let raw) = file.entries[1].request.body?.kind else { Issue.record("raw"); return }
        #expect(raw.parts.first == .text("line 1\n"))
        #expect(raw.parts.last == .text("\n"))
        #expect(file.entries[1].response?.status == nil)
        guard case .text(let one) = file.entries[2].request.body?.kind else { Issue.record("one line"); return }
        #expect(one.literalText == "one `line`")
        guard case .file("data/x.bin") = file.entries[3].request.body?.kind else { Issue.record("file"); return }
        guard case .json = file.entries[3].response?.body?.kind else { Issue.record("response json"); return }
    }

    @Test func responseHeadersCapturesAsserts() throws {
        let file = try HurlParser.parse("""
            GET /a
            HTTP 200
            Content-Type: application/json
            [Asserts]
            status == 200
            header "X" count == 2
            cookie "s" exists
            body contains "x"
            bytes count > 0
            jsonpath "$.a[0]['b']" not == null
            variable "v" isString
            duration < 1000
            jsonpath "$.x" matches "^a"
            jsonpath "$.x" >= -1.5
            jsonpath "$.x" != {{v}}
            [Captures]
            v: jsonpath "$.v" count
            """)
        let response = try #require(file.entries[0].response)
        #expect(response.headers.count == 1)
        #expect(response.headers[0].valueLocation == SourceLocation(line: 3, column: 15))
        #expect(response.asserts.count == 11)
        #expect(response.asserts.map(\.predicate.op) == [
            .equal, .equal, .exists, .contains, .greater, .equal, .isString, .less, .matches, .greaterOrEqual, .notEqual,
        ])
        #expect(response.asserts[1].filters == [.count])
        #expect(response.asserts[5].predicate.negated)
        #expect(response.captures.map(\.name) == ["v"])
        #expect(response.captures[0].filters == [.count])
        #expect(response.asserts[0].location == SourceLocation(line: 5, column: 1))
    }

    @Test func unsupportedConstructs() {
        let cases: [(String, String)] = [
            ("GET /a\n[BasicAuth]\nu: p", "[BasicAuth]"),
            ("GET /a\n[Options]\ndelay: 100", "[Options] delay"),
            ("GET /a\nbase64,aGk=;", "base64, body"),
            ("GET /a\nhex,00;", "hex, body"),
            ("GET /a\n<?xml version=\"1.0\"?>", "XML body"),
            ("GET /a\n```graphql\n{ x }\n```", "```graphql body"),
            ("GET /a\nHTTP/2 200", "HTTP/2"),
            ("GET /a\nHTTP/1.0 200", "HTTP/1.0"),
            ("GET /a\nHTTP 200\n[Asserts]\nsha256 == hex,00;", "query sha256"),
            ("GET /a\nHTTP 200\n[Asserts]\ncookie \"s[Expires]\" exists", "cookie attribute query"),
            ("GET /a\nHTTP 200\n[Asserts]\njsonpath \"$.a\" toInt == 1", "filter toInt"),
            ("GET /a\nHTTP 200\n[Asserts]\njsonpath \"$.a\" isNumber", "predicate isNumber"),
            ("GET /a\nHTTP 200\n[Asserts]\njsonpath \"$.a\" equals 1", "predicate equals"),
            ("GET /a\nHTTP 200\n[Asserts]\njsonpath \"$..a\" exists", "JSONPath .."),
            ("GET /a\nHTTP 200\n[Asserts]\njsonpath \"$.a[?(@.b)]\" exists", "JSONPath filter"),
            ("GET /a\nHTTP 200\n[Asserts]\njsonpath \"$.a[0:2]\" exists", "JSONPath slice"),
            ("GET /a\nHTTP 200\n[Asserts]\nbytes == hex,00;", "bytes without count"),
            ("GET /a/{{newUuid}}", "function newUuid"),
        ]
        for (text, construct) in cases {
            let frame = parseFailure(text) ?? ""
            #expect(frame.hasPrefix("error: Unsupported in luaroutes test\n"), "\(text)")
            #expect(frame.contains(" \(construct) is not in the luaroutes Hurl subset (see the docs); file not run\n"),
                    "\(text) → \(frame)")
        }
    }

    @Test func unsupportedSectionWholeMessage() {
        #expect(parseFailure("# upload\nPOST /api/upload\n[BasicAuth]\nbob: secret\n") == """
            error: Unsupported in luaroutes test
              --> t.hurl:3:1
               |
             3 | [BasicAuth]
               | ^^^^^^^^^^^ [BasicAuth] is not in the luaroutes Hurl subset (see the docs); file not run
               |

            """)
    }

    @Test func syntaxErrorsWholeMessage() {
        #expect(parseFailure("get /a\n") == """
            error: Parse error
              --> t.hurl:1:1
               |
             1 | get /a
               | ^ expected a request line (METHOD URL)
               |

            """)
        #expect(parseFailure("GET /a\nHTTP 200\n[Asserts]\njsonpath \"$.a\" == 1 2\n") == """
            error: Parse error
              --> t.hurl:4:21
               |
             4 | jsonpath "$.a" == 1 2
               |                     ^ unexpected text at the end of the line
               |

            """)
        #expect(parseFailure("GET /a\n{\"a\": 1,}\n") == """
            error: Parse error
              --> t.hurl:2:1
               |
             2 | {"a": 1,}
               | ^ invalid JSON body: expected a string key
               |

            """)
        #expect(parseFailure("GET /a/{{ bad name }}\n") == """
            error: Parse error
              --> t.hurl:1:8
               |
             1 | GET /a/{{ bad name }}
               |        ^^^^^^^^^^^^^^ invalid variable name <bad name>
               |

            """)
    }

    @Test func syntaxErrorMessages() {
        let cases: [(String, String)] = [
            ("HTTP 200", "a response line needs a request (METHOD URL) before it"),
            ("GET /a\n[Asserts]\nstatus == 200", "[Asserts] belongs to a response: put a response line (HTTP <code>) before it"),
            ("GET /a\n[Query]\na: 1\n[Query]\nb: 2", "section [Query] appears twice in this request"),
            ("GET /a\n[Bogus]", "unknown section [Bogus]"),
            ("GET /a\nHTTP 200\n[Query]\na: 1", "[Query] belongs to a request, before its response line"),
            ("GET /a\nHTTP abc", "expected a status code or * after HTTP"),
            ("GET /a\nnot a header", "expected a header (Name: value)"),
            ("GET /a\n```\nnever closed", "missing ``` to close this body"),
            ("GET /a\nfile,../secret;", "file bodies must name a file inside the .hurl file's folder (no .., no absolute path)"),
            ("GET /a\nfile,/etc/passwd;", "file bodies must name a file inside the .hurl file's folder (no .., no absolute path)"),
            ("GET /a\nHTTP 200\n[Asserts]\nstatus", "expected a predicate (==, contains, exists…)"),
            ("GET /a\nHTTP 200\n[Asserts]\nstatus is 200", "unknown predicate is"),
            ("GET /a\nHTTP 200\n[Asserts]\nfoo == 1", "unknown query foo"),
            ("GET /a\nHTTP 200\n[Asserts]\nheader == 1", "header takes a quoted argument"),
            ("GET /a\nHTTP 200\n[Asserts]\nbody == \"open", "missing closing \""),
            ("GET /a\nHTTP 200\n[Asserts]\nbody == \"\\q\"", "invalid escape \\q"),
            ("GET /a\nHTTP 200\n[Asserts]\nbody contains /x/", "a /regex/ value only goes with matches"),
            ("GET /a\nHTTP 200\n[Asserts]\njsonpath \"a.b\" exists", "a JSONPath starts with $"),
            ("GET /a\nHTTP 200\n{\"a\": 1}\nstatus == 200", "expected a new request (METHOD URL)"),
            ("GET /a\n[Options]\nskip: maybe", "expected a value (\"string\", number, true, false, null, /regex/ or {{variable}})"),
        ]
        for (text, message) in cases {
            let frame = parseFailure(text) ?? "parsed"
            #expect(frame.hasPrefix("error: Parse error\n"), "\(text)")
            #expect(frame.contains("^ \(message)\n") || frame.contains("^^ \(message)\n") || frame.contains("^ \(message)"),
                    "\(text) → \(frame)")
        }
    }

    @Test func quotedStringEscapes() throws {
        let file = try HurlParser.parse(#"GET /a"# + "\nHTTP 200\n[Asserts]\n" + #"body == "q\" b\\ n\n t\t u\u{e9}""#)
        guard case .string(let t)? = file.entries[0].response?.asserts[0].predicate.value else {
            Issue.record("string value"); return
        }
        #expect(t.literalText == "q\" b\\ n\n t\t u\u{e9}")
    }
}
