import Foundation
import Testing
@testable import LuaRoutesHurl
import LuaRoutes

/// Discovery, the per-file lines and the closing line, over a temporary ROOT.
@Suite struct HurlSuiteTests {
    func withRoot(_ files: [String: String], _ body: (String) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hurl-suite-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try await body(root.path)
    }

    @Test func discoversTestsRecursivelyInPathOrder() async throws {
        try await withRoot(["tests/users.hurl": "", "tests/b/z.hurl": "", "tests/a.hurl": "", "tests/notes.md": "",
                            "other/x.hurl": ""]) { root in
            let found = try HurlSuite.discover(root: root, files: [])
            #expect(found.map { HurlSuite.displayPath(URL(fileURLWithPath: $0), root: URL(fileURLWithPath: root)) }
                    == ["tests/a.hurl", "tests/b/z.hurl", "tests/users.hurl"])
            #expect(throws: HurlSuite.DiscoveryError.self) { try HurlSuite.discover(root: root, files: ["nope.hurl"]) }
            let explicit = try HurlSuite.discover(root: root, files: [root + "/other/x.hurl"])
            #expect(explicit == [root + "/other/x.hurl"])
        }
    }

    @Test func emptyRunSaysSoAndDoesNotPass() async throws {
        try await withRoot([:]) { root in
            let found = try HurlSuite.discover(root: root, files: [])
            #expect(found.isEmpty)
            let result = await HurlSuite.run(files: [], root: root, variables: [:], responder: fixtureAPI)
            #expect(result.output == "no .hurl files found under tests/\n")
            #expect(result.passed + result.failed == 0)
            #expect(!result.allPassed)
        }
    }

    @Test func reportCountsFiles() async throws {
        try await withRoot([
            "tests/health.hurl": "GET /api/users/1\nHTTP 200\n",
            "tests/users.hurl": """
                GET /api/users/1
                HTTP 200

                GET {{host}}/api/users/1
                HTTP 200
                [Asserts]
                jsonpath "$.id" == 1
                jsonpath "$.name" == "{{who}}"
                """,
            "tests/upload.hurl": "POST /api/upload\n[BasicAuth]\nbob: secret\n",
        ]) { root in
            let files = try HurlSuite.discover(root: root, files: [])
            let result = await HurlSuite.run(files: files, root: root, variables: ["who": "Bob"], environment: [:],
                                             responder: fixtureAPI)
            #expect(result.output == """
                error: Unsupported in luaroutes test
                  --> tests/upload.hurl:2:1
                   |
                 2 | [BasicAuth]
                   | ^^^^^^^^^^^ [BasicAuth] is not in the luaroutes Hurl subset (see the docs); file not run
                   |

                error: Assert failure
                  --> tests/users.hurl:8:1
                   |
                   | GET {{host}}/api/users/1
                   | ...
                 8 | jsonpath "$.name" == "{{who}}"
                   |   actual:   string <Ada>
                   |   expected: string <Bob>
                   |

                tests/health.hurl: OK (1 entry)
                tests/upload.hurl: FAILED (not run)
                tests/users.hurl: FAILED at entry 2 of 2
                1 passed, 2 failed

                """)
            #expect((result.passed, result.failed, result.allPassed) == (1, 2, false))
        }
    }

    @Test func unreadableFile() async throws {
        try await withRoot(["tests/bad.hurl": ""]) { root in
            try Data([0x47, 0xFF]).write(to: URL(fileURLWithPath: root + "/tests/bad.hurl"))
            let result = await HurlSuite.run(files: ["tests/bad.hurl"], root: root, variables: [:], responder: fixtureAPI)
            #expect(result.output == "error: tests/bad.hurl is not valid UTF-8\n\ntests/bad.hurl: FAILED (not run)\n0 passed, 1 failed\n")
        }
    }
}
