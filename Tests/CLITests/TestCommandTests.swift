import Foundation
import Testing

/// `luaroutes test` from the real binary: stdout, stderr and exit status compared whole.
@Suite struct TestCommandTests {
    static let routes = [
        "pages/api/user.lua": "return function(req, res) res.json({ name = 'John Doe' }) end",
        "pages/api/boom.lua": "return function(req, res)\n  local t = nil\n  res.json({ n = t.n })\nend",
    ]

    func run(_ files: [String: String], _ arguments: [String] = []) throws -> CLIResult {
        var all = Self.routes
        for (path, text) in files { all[path] = text }
        let root = try CLI.project(all)
        return try CLI.run(["test", "--root", root] + arguments)
    }

    @Test func passingFiles() throws {
        let result = try run(["tests/user.hurl": "GET {{host}}/api/user\nHTTP 200\n{\"name\": \"John Doe\"}\n"])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout == "tests/user.hurl: OK (1 entry)\n1 passed, 0 failed\n")
    }

    @Test func failingFileShowsTheLocatedFrame() throws {
        let result = try run([
            "tests/a.hurl": "GET {{host}}/api/user\nHTTP 200\n[Asserts]\njsonpath \"$.name\" == \"Jane\"\n",
            "tests/b.hurl": "GET {{host}}/api/user\nHTTP 200\n",
        ])
        #expect(result.status == 1)
        #expect(result.stdout == """
            error: Assert failure
              --> tests/a.hurl:4:1
               |
               | GET {{host}}/api/user
               | ...
             4 | jsonpath "$.name" == "Jane"
               |   actual:   string <John Doe>
               |   expected: string <Jane>
               |

            tests/a.hurl: FAILED at entry 1 of 1
            tests/b.hurl: OK (1 entry)
            1 passed, 1 failed

            """)
    }

    @Test func brokenHandlerShowsTheFirstTracebackLine() throws {
        let result = try run(["tests/boom.hurl": "GET {{host}}/api/boom\nHTTP 200\n"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("pages/api/boom.lua:3: attempt to index a nil value (local 't')"), "\(result.stdout)")
        #expect(result.stdout.contains("actual value is <500>"))
        #expect(result.stdout.hasSuffix("0 passed, 1 failed\n"))
    }

    @Test func unparsableFileIsNotRun() throws {
        let result = try run(["tests/bad.hurl": "POST {{host}}/api/user\n[BasicAuth]\nbob: secret\nHTTP 200\n"])
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("error: Unsupported in luaroutes test\n  --> tests/bad.hurl:2:1\n"))
        #expect(result.stdout.contains("[BasicAuth] is not in the luaroutes Hurl subset"))
        #expect(result.stdout.hasSuffix("0 passed, 1 failed\n"))
    }

    @Test func noFilesFoundExits1() throws {
        let result = try run([:])
        #expect(result.status == 1)
        #expect(result.stdout == "no .hurl files found under tests/\n")
    }

    @Test func variablesFromTheCommandLine() throws {
        let result = try run(["tests/v.hurl": "GET {{host}}/api/{{name}}\nHTTP 200\n"], ["--variable", "name=user"])
        #expect(result.status == 0)
        #expect(result.stdout.hasSuffix("1 passed, 0 failed\n"))
    }
}
