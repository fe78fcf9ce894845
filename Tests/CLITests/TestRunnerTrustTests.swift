import Foundation
import TestSupport
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// What makes `luaroutes test` trustworthy (docs/testing.md): isolation between files, mocks
/// for fetch, the test environment, reports a person or a CI system can read, and the same
/// files against a live server.
@Suite struct TestRunnerTrustTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let counter = "local n = 0\nreturn function(req, res) n = n + 1; res.json({ n = n }) end"
    static let expectOne = "GET {{host}}/api/count\nHTTP 200\n{\"n\": 1}\n"

    @Test func eachFileStartsFromFreshModuleState() throws {
        let root = try CLI.project(["pages/api/count.lua": Self.counter, "tests/a.hurl": Self.expectOne, "tests/b.hurl": Self.expectOne])
        let fresh = try CLI.run(["test", "--root", root])
        #expect(fresh.status == 0, "\(fresh.stdout)")
        #expect(fresh.stdout.hasSuffix("2 passed, 0 failed\n"))

        let kept = try CLI.run(["test", "--root", root, "--keep-state"])
        #expect(kept.status == 1)
        #expect(kept.stdout.contains("tests/b.hurl: FAILED"), "\(kept.stdout)")
        #expect(kept.stdout.hasSuffix("1 passed, 1 failed\n"))
    }

    @Test func eachFileStartsWithEmptySharedDictionaries() throws {
        let root = try CLI.project([
            "luaroutes.config.lua": "return { shared = { counters = \"1mb\" } }",
            "pages/api/count.lua": "return function(req, res) res.json({ n = shared.counters:incr('n', 1, 0) }) end",
            "tests/a.hurl": Self.expectOne, "tests/b.hurl": Self.expectOne,
        ])
        let fresh = try CLI.run(["test", "--root", root])
        #expect(fresh.status == 0, "\(fresh.stdout)")
        let kept = try CLI.run(["test", "--root", root, "--keep-state"])
        #expect(kept.stdout.hasSuffix("1 passed, 1 failed\n"), "\(kept.stdout)")
    }

    @Test func readsDotEnvTestAndNeverDotEnvLocal() throws {
        let root = try CLI.project([
            ".env": "MODE=base\nONLY_BASE=yes\n",
            ".env.test": "MODE=test\n",
            ".env.local": "MODE=local\nLOCAL_ONLY=leaked\n",
            "pages/api/env.lua": "return function(req, res) res.json({ mode = env.MODE, base = env.ONLY_BASE, leaked = env.LOCAL_ONLY or 'no' }) end",
            "tests/env.hurl": "GET {{host}}/api/env\nHTTP 200\n{\"mode\": \"test\", \"base\": \"yes\", \"leaked\": \"no\"}\n",
        ])
        let result = try CLI.run(["test", "--root", root])
        #expect(result.status == 0, "\(result.stdout)")
    }

    @Test func proxyExamplePassesOnItsMocksAlone() throws {
        let result = try CLI.run(["test", "--root", Self.repository.appendingPathComponent("examples/proxy").path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasSuffix("1 passed, 0 failed\n"))
    }

    @Test func aRemovedMockFailsNamingTheURL() throws {
        let copy = try CLI.project([:])
        try FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: Self.repository.appendingPathComponent("examples/proxy").path, toPath: copy)
        let mocks = copy + "/tests/mocks/upstream.lua"
        let text = try String(contentsOfFile: mocks, encoding: .utf8)
        let start = try #require(text.range(of: "  [\"GET \""))
        let end = try #require(text.range(of: "  [\"POST \""))
        try text.replacingCharacters(in: start.lowerBound..<end.lowerBound, with: "").write(toFile: mocks, atomically: true, encoding: .utf8)

        let result = try CLI.run(["test", "--root", copy])
        #expect(result.status == 1)
        #expect(result.stdout.contains("error: fetch without a mock"), "\(result.stdout)")
        #expect(result.stdout.contains("GET http://upstream.test/secret-url"))
        #expect(result.stdout.hasSuffix("0 passed, 1 failed\n"))
    }

    @Test func anUnmockedURLFailsUnlessTheNetworkIsAllowed() throws {
        let closed = try freeLoopbackPort()   // nothing listens: an allowed fetch is refused at once
        let root = try CLI.project([
            "pages/api/up.lua": """
                return function(req, res)
                  local answer, err = fetch("http://127.0.0.1:\(closed)/health")
                  res.status(answer and 200 or 502).json({ error = err })
                end
                """,
            "tests/up.hurl": "GET {{host}}/api/up\nHTTP 502\n",
        ])
        let refused = try CLI.run(["test", "--root", root])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("GET http://127.0.0.1:\(closed)/health"), "\(refused.stdout)")
        #expect(refused.stdout.contains("tests/up.hurl: FAILED (fetch without a mock: GET http://127.0.0.1:\(closed)/health)"))

        let allowed = try CLI.run(["test", "--root", root, "--allow-network"])
        #expect(allowed.status == 0, "\(allowed.stdout)")
    }

    @Test func aStatusMismatchShowsTheBody() throws {
        let root = try CLI.project([
            "pages/api/user.lua": "return function(req, res) res.status(404).json({ error = 'no user 7' }) end",
            "tests/user.hurl": "GET {{host}}/api/user\nHTTP 200\n",
        ])
        let result = try CLI.run(["test", "--root", root])
        #expect(result.status == 1)
        #expect(result.stdout.contains(" |      ^^^ actual value is <404>\n   |   body: {\"error\":\"no user 7\"}\n"), "\(result.stdout)")
    }

    @Test func verbosePrintsEveryExchangeOnStderr() throws {
        let root = try CLI.project([
            "pages/api/echo.lua": "return function(req, res) res.json({ got = req.body }) end",
            "tests/echo.hurl": "POST {{host}}/api/echo\n{\"a\": 1}\nHTTP 200\n",
        ])
        let result = try CLI.run(["test", "--root", root, "--verbose"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("* tests/echo.hurl:1\n> POST /api/echo\n"), "\(result.stderr)")
        #expect(result.stderr.contains("> {\"a\": 1}\n"))
        #expect(result.stderr.contains("< 200 ("))
        #expect(result.stderr.contains("< {\"got\":{\"a\":1}}\n"))
        let quiet = try CLI.run(["test", "--root", root])
        #expect(quiet.stderr == "")
    }

    @Test func junitReportParsesAsXML() throws {
        let root = try CLI.project([
            "pages/api/user.lua": "return function(req, res) res.json({ name = 'Ada' }) end",
            "tests/ok.hurl": "GET {{host}}/api/user\nHTTP 200\n",
            "tests/bad.hurl": "GET {{host}}/api/user\nHTTP 200\n[Asserts]\njsonpath \"$.name\" == \"<Bob & co>\"\n",
        ])
        let report = root + "/junit.xml"
        let result = try CLI.run(["test", "--root", root, "--report-junit", report])
        #expect(result.status == 1)
        let document = try XMLDocument(contentsOf: URL(fileURLWithPath: report))
        let suite = try #require(try document.nodes(forXPath: "/testsuites/testsuite").first as? XMLElement)
        #expect(suite.attribute(forName: "tests")?.stringValue == "2")
        #expect(suite.attribute(forName: "failures")?.stringValue == "1")
        let cases = try document.nodes(forXPath: "//testcase").compactMap { $0 as? XMLElement }
        #expect(cases.map { $0.attribute(forName: "name")?.stringValue ?? "" } == ["tests/bad.hurl", "tests/ok.hurl"])
        let failure = try #require(cases[0].elements(forName: "failure").first)
        #expect(failure.attribute(forName: "message")?.stringValue == "tests/bad.hurl: FAILED at entry 1 of 1")
        #expect(failure.stringValue?.contains("expected: string <<Bob & co>>") == true, "\(failure.stringValue ?? "")")
        #expect(cases[1].elements(forName: "failure").isEmpty)
    }

    @Test func variablesFileAndCommandLine() throws {
        let root = try CLI.project([
            "pages/api/user.lua": "return function(req, res) res.json({ name = 'Ada' }) end",
            "tests/v.hurl": "GET {{host}}/api/{{route}}\nHTTP 200\n{\"name\": \"{{who}}\"}\n",
            "vars.env": "# test variables\nroute=user\nwho=Bob\n",
        ])
        let fromFile = try CLI.run(["test", "--root", root, "--variables-file", root + "/vars.env"])
        #expect(fromFile.status == 1, "who=Bob does not match")
        let overridden = try CLI.run(["test", "--root", root, "--variables-file", root + "/vars.env", "--variable", "who=Ada"])
        #expect(overridden.status == 0, "\(overridden.stdout)")
        let missing = try CLI.run(["test", "--root", root, "--variables-file", root + "/none.env"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("none.env"))
    }

    @Test func hostVariableRunsTheFilesAgainstALiveServer() async throws {
        let root = try CLI.project([
            "pages/api/who.lua": "return function(req, res) res.json({ ip = req.ip }) end",
            // In-process requests come from "local"; over a socket, from the loopback address.
            "tests/who.hurl": "GET {{host}}/api/who\nHTTP 200\n{\"ip\": \"127.0.0.1\"}\n",
        ])
        #expect(try CLI.run(["test", "--root", root]).status == 1, "in-process, req.ip is not 127.0.0.1")
        let server = try ServeProcess(root: root)
        defer { server.stop() }
        #expect(try await server.waitUntilListening(), "\(server.stderr)")
        let port = server.port
        let live = try await onOwnThread { try CLI.run(["test", "--root", root, "--variable", "host=http://127.0.0.1:\(port)"]) }
        #expect(live.status == 0, "\(live.stdout)")
        #expect(live.stdout.hasSuffix("1 passed, 0 failed\n"))
    }
}
