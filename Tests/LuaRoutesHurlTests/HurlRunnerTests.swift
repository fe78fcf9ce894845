import Foundation
import Testing
@testable import LuaRoutesHurl
import LuaRoutes

/// What the runner sends, templates and their precedence, captures and the cookie jar.
@Suite struct HurlRunnerTests {
    /// Runs `text` against `responder`; returns the outcome and the requests sent.
    func run(_ text: String, variables: [String: String] = [:], environment: [String: String] = [:],
             responder: @escaping @Sendable (APIRequest) async -> APIResponse = { _ in APIResponse(status: 200) }
    ) async throws -> (HurlRunner.Outcome, [APIRequest]) {
        let log = RequestLog()
        let file = try HurlParser.parse(text)
        var runner = HurlRunner(
            file: file, directory: URL(fileURLWithPath: "/nonexistent"),
            responder: FakeResponder { request in await log.append(request); return await responder(request) },
            commandLineVariables: HurlVariables.commandLine(variables: variables, environment: environment))
        let outcome = await runner.run()
        return (outcome, await log.requests)
    }

    @Test func urlFormsSetHostAndTarget() async throws {
        let (outcome, requests) = try await run("""
            GET https://api.example.test:8443/a/b?x=1#frag
            GET {{host}}/c
            GET /d
            GET http://example.test
            GET /e?x=1
            [Query]
            q: Ada Lovelace & co/é
            """)
        #expect(outcome == .passed(entries: 5, skipped: 0))
        #expect(requests.map(\.target) == ["/a/b?x=1", "/c", "/d", "/", "/e?x=1&q=Ada%20Lovelace%20%26%20co%2F%C3%A9"])
        #expect(requests.map { $0.header("Host") } == ["api.example.test:8443", "localhost", "localhost", "example.test", "localhost"])
        #expect(requests[0].remoteAddress == "local")
    }

    @Test func bodiesAndContentTypes() async throws {
        let (_, requests) = try await run("""
            POST /json
            {"a": {{n}}, "s": "{{s}}", "t": {{s}}}

            POST /json-own-type
            Content-Type: application/vnd.api+json
            [1]

            POST /form
            [Form]
            a: 1 2
            b: {{s}}

            POST /raw
            ```
            x {{n}}
            y
            ```
            """, variables: ["n": "5", "s": "q\"uote"])
        #expect(requests.map { String(decoding: $0.body, as: UTF8.self) } == [
            #"{"a": 5, "s": "q\"uote", "t": "q\"uote"}"#, "[1]", "a=1%202&b=q%22uote", "x 5\ny\n",
        ])
        #expect(requests.map { $0.header("Content-Type") } == [
            "application/json", "application/vnd.api+json", "application/x-www-form-urlencoded", nil,
        ])
    }

    @Test func variablePrecedence() async throws {
        // Environment < --variable < [Options] variable < capture.
        let (outcome, requests) = try await run("""
            GET /1/{{a}}/{{b}}/{{c}}
            [Options]
            variable: c=option
            HTTP 200
            [Captures]
            b: header "X-B"

            GET /2/{{a}}/{{b}}/{{c}}
            [Options]
            variable: b=option
            """, variables: ["a": "cli", "b": "cli", "c": "cli"],
            environment: ["HURL_VARIABLE_a": "env", "HURL_VARIABLE_d": "env"],
            responder: { _ in APIResponse(status: 200, headers: [("X-B", "captured")]) })
        #expect(outcome == .passed(entries: 2, skipped: 0))
        #expect(requests.map(\.target) == ["/1/cli/cli/option", "/2/cli/captured/option"])
    }

    @Test func commandLineValuesAreTyped() {
        let values = HurlVariables.commandLine(
            variables: ["t": "true", "n": "null", "i": "-12", "f": "1.5", "s": "1.2.3", "e": "1e3"],
            environment: ["HURL_VARIABLE_x": "7", "OTHER": "1"])
        #expect(values["t"] == .bool(true))
        #expect(values["n"] == .null)
        #expect(values["i"] == .integer(-12))
        #expect(values["f"] == .float(1.5))
        #expect(values["s"] == .string("1.2.3"))
        #expect(values["e"] == .string("1e3"))
        #expect(values["x"] == .integer(7))
        #expect(values["host"] == .string("http://localhost"))
        #expect(values.count == 8)
    }

    @Test func typedVariableInPredicate() async throws {
        let (outcome, _) = try await run("""
            GET /a
            HTTP 200
            [Captures]
            id: jsonpath "$.id"
            [Asserts]
            jsonpath "$.id" == {{id}}
            jsonpath "$.id" == 42
            jsonpath "$.id" != "{{id}}"
            """, responder: { _ in .json(200, #"{"id": 42}"#) })
        #expect(outcome == .passed(entries: 1, skipped: 0))
    }

    @Test func laterCapturesOverwriteEarlierOnes() async throws {
        let (_, requests) = try await run("""
            GET /first
            HTTP 200
            [Captures]
            v: status
            v: header "X"

            GET /{{v}}
            """, responder: { _ in APIResponse(status: 200, headers: [("X", "second")]) })
        #expect(requests.last?.target == "/second")
    }

    @Test func undefinedVariableFailsTheEntry() async throws {
        let (outcome, requests) = try await run("GET /a\n\nGET /{{nope}}\nGET /c")
        #expect(requests.count == 1)
        guard case let .failed(entry, of, entryLine, diagnostics) = outcome else { Issue.record("should fail"); return }
        #expect((entry, of, entryLine) == (2, 3, 3))
        #expect(diagnostics == [HurlDiagnostic(heading: "Undefined variable", location: SourceLocation(line: 3, column: 6),
                                               caretLength: 8, message: "you must set the variable nope")])
    }

    @Test func skipOption() async throws {
        let (outcome, requests) = try await run("""
            GET /skipped
            [Options]
            skip: {{flag}}
            GET /run
            [Options]
            skip: false
            """, variables: ["flag": "true"])
        #expect(outcome == .passed(entries: 2, skipped: 1))
        #expect(requests.map(\.target) == ["/run"])
    }

    @Test func cookieJarKeepsAndDeletes() async throws {
        let (outcome, requests) = try await run("""
            GET /login
            GET /a
            [Cookies]
            extra: 1
            GET /logout
            GET /b
            """, responder: { request in
                switch request.target {
                case "/login": return APIResponse(status: 200, headers: [("Set-Cookie", "sid=1; Path=/"), ("Set-Cookie", "lang=en")])
                case "/logout": return APIResponse(status: 200, headers: [
                    ("Set-Cookie", "sid=; Max-Age=0"), ("Set-Cookie", "lang=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"),
                ])
                default: return APIResponse(status: 200)
                }
            })
        #expect(outcome == .passed(entries: 4, skipped: 0))
        #expect(requests.map { $0.header("Cookie") } == [nil, "sid=1; lang=en; extra=1", "sid=1; lang=en", nil])
    }

    @Test func setCookieParsing() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let future = HurlCookieJar.parseSetCookie("a=b=c; Expires=Wed, 21 Oct 2099 07:28:00 GMT; HttpOnly")
        #expect(future?.name == "a")
        #expect(future?.value == "b=c")
        #expect(future?.expired(now: now) == false)
        #expect(HurlCookieJar.parseSetCookie("a=1; Max-Age=-1")?.expired(now: now) == true)
        #expect(HurlCookieJar.parseSetCookie("a=1; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT")?.expired(now: now) == false)
        #expect(HurlCookieJar.parseSetCookie("novalue") == nil)
    }

    @Test func firstFailureEndsTheFile() async throws {
        let (outcome, requests) = try await run("GET /a\nHTTP 201\nGET /b", responder: { _ in APIResponse(status: 200) })
        #expect(requests.count == 1)
        guard case .failed(1, 2, 1, let diagnostics) = outcome else { Issue.record("\(outcome)"); return }
        #expect(diagnostics.map(\.heading) == ["Status"])
    }

    @Test func queryErrors() async throws {
        let (outcome, _) = try await run("""
            GET /a
            HTTP 200
            [Asserts]
            jsonpath "$.a" exists
            body exists
            jsonpath "$.none" count == 0
            """, responder: { _ in APIResponse(status: 200, body: [0xFF]) })
        guard case .failed(_, _, _, let diagnostics) = outcome else { Issue.record("\(outcome)"); return }
        #expect(diagnostics.compactMap(\.caret?.message) == [
            "the response body is not valid JSON", "the response body is not valid UTF-8", "the response body is not valid JSON",
        ])
    }

    @Test func fileBodyIsReadBesideTheHurlFile() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hurl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("payload".utf8).write(to: folder.appendingPathComponent("p.bin"))
        let log = RequestLog()
        var runner = HurlRunner(file: try HurlParser.parse("POST /a\nfile,p.bin;\nPOST /b\nfile,missing.bin;"),
                                directory: folder,
                                responder: FakeResponder { await log.append($0); return APIResponse(status: 200) },
                                commandLineVariables: [:])
        let outcome = await runner.run()
        #expect(await log.requests.map(\.body) == [Array("payload".utf8)])
        guard case .failed(2, 2, 3, let diagnostics) = outcome else { Issue.record("\(outcome)"); return }
        #expect(diagnostics.first?.caret?.message == "cannot read file <missing.bin>")
    }
}
