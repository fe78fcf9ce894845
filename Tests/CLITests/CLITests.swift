import Foundation
import Testing

/// The real binary, output compared whole (docs/reference.md section 8).
@Suite struct CLITests {
    static let app = [
        "pages/api/user.lua": "return function(req, res) res.status(200).json({ name = 'John Doe' }) end",
        "pages/api/users/[id].lua": "return { GET = function(req, res) res.json({ id = req.query.id }) end }",
        "pages/api/boom.lua": "return function(req, res)\n  error('boom')\nend",
        "pages/api/form.lua": "return function(req, res) res.json({ type = req.headers['content-type'], body = req.body }) end",
    ]

    @Test func routesPrintsTheTable() throws {
        let root = try CLI.project(Self.app)
        let result = try CLI.run(["routes", "--root", root])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout == """
            /api/boom        pages/api/boom.lua        ANY
            /api/form        pages/api/form.lua        ANY
            /api/user        pages/api/user.lua        ANY
            /api/users/[id]  pages/api/users/[id].lua  GET

            """)
    }

    @Test func routesReportsCompileErrorsAndExits1() throws {
        let root = try CLI.project(["pages/api/ok.lua": "return function(req, res) end", "pages/api/bad.lua": "return function(\n"])
        let result = try CLI.run(["routes", "--root", root])
        #expect(result.status == 1)
        #expect(result.stdout.contains("/api/bad  pages/api/bad.lua  (error)"))
        #expect(result.stderr.hasPrefix("error: pages/api/bad.lua:2: <name> or '...' expected near <eof>"))
    }

    @Test(arguments: ["routes", "serve"])
    func conflictingDynamicNamesExit1NamingBothFiles(command: String) throws {
        let root = try CLI.project([
            "pages/api/users/[id].lua": "return function(req, res) end",
            "pages/api/users/[slug].lua": "return function(req, res) end",
        ])
        let result = try CLI.run([command, "--root", root, "--port", "0"].filter { command == "serve" || $0 != "--port" && $0 != "0" })
        #expect(result.status == 1)
        #expect(result.stderr.contains("--> pages/api/users/[id].lua"))
        #expect(result.stderr.contains("--> pages/api/users/[slug].lua"))
    }

    @Test func requestPrintsHeadersAndBody() throws {
        let root = try CLI.project(Self.app)
        let result = try CLI.run(["request", "--root", root, "-i", "get", "/api/user"])
        #expect(result.status == 0)
        #expect(result.stdout == "HTTP/1.1 200 OK\nContent-Type: application/json; charset=utf-8\nETag: \"0281bb67ccfbb255-13\"\nX-Request-Id: 1\nContent-Length: 19\n\n{\"name\":\"John Doe\"}")
    }

    @Test func requestWithAFullURLRoutesByPath() throws {
        let root = try CLI.project(Self.app)
        let result = try CLI.run(["request", "--root", root, "GET", "http://localhost:3000/api/users/7?x=1"])
        #expect(result.stdout == #"{"id":"7"}"#)
    }

    @Test func serverErrorExits1WithTheTracebackOnStderr() throws {
        let root = try CLI.project(Self.app)
        let result = try CLI.run(["request", "--root", root, "GET", "/api/boom"])
        #expect(result.status == 1)
        #expect(result.stdout == #"{"error":"Internal Server Error"}"#)
        #expect(result.stderr.contains("pages/api/boom.lua:2: boom"))
    }

    @Test func failMakesA4xxExit1() throws {
        let root = try CLI.project(Self.app)
        let plain = try CLI.run(["request", "--root", root, "GET", "/api/missing"])
        #expect(plain.status == 0)
        #expect(plain.stdout == #"{"error":"Not Found"}"#)
        let failing = try CLI.run(["request", "--root", root, "--fail", "GET", "/api/missing"])
        #expect(failing.status == 1)
        #expect(failing.stdout == #"{"error":"Not Found"}"#, "--fail still prints the body")
    }

    @Test func dataPicksJSONOrForm() throws {
        let root = try CLI.project(Self.app)
        let json = try CLI.run(["request", "--root", root, "POST", "/api/form", "-d", #"{"a":1}"#])
        #expect(json.stdout == #"{"body":{"a":1},"type":"application/json"}"# || json.stdout == #"{"type":"application/json","body":{"a":1}}"#)
        let form = try CLI.run(["request", "--root", root, "POST", "/api/form", "-d", "a=1"])
        #expect(form.stdout.contains(#""type":"application/x-www-form-urlencoded""#))
        #expect(form.stdout.contains(#""body":{"a":"1"}"#))
    }

    @Test func bodyFromAFile() throws {
        let root = try CLI.project(Self.app.merging(["body.json": #"{"from":"file"}"#]) { a, _ in a })
        let dataFile = try CLI.run(["request", "--root", root, "POST", "/api/form", "--data-file", root + "/body.json",
                                    "-H", "Content-Type: application/json"])
        #expect(dataFile.stdout.contains(#""body":{"from":"file"}"#))
        let at = try CLI.run(["request", "--root", root, "POST", "/api/form", "-d", "@" + root + "/body.json"])
        #expect(at.stdout.contains(#""body":{"from":"file"}"#), "-d @file reads the file")
        let missing = try CLI.run(["request", "--root", root, "POST", "/api/form", "--data-file", root + "/nope.json"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("error: cannot read"))
    }

    @Test(arguments: [
        ["request", "GET"],
        ["request", "GET", "no-slash"],
        ["request", "GET", "/api/x", "-H", "NoColon"],
        ["request", "GET", "/api/x", "-H", ": no name"],
        ["bench", "GET", "/api/x", "-H", "NoColon"],
        ["bench", "GET", "/api/x", "-n", "0"],
        ["serve", "--port", "70000"],
        ["nonsense"],
    ])
    func usageErrorsExit2(arguments: [String]) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test func missingRootExits1() throws {
        let result = try CLI.run(["routes", "--root", "/nonexistent/luaroutes"])
        #expect(result.status == 1)
        #expect(result.stderr == "error: the project folder /nonexistent/luaroutes does not exist\n")
    }
}

/// docs/reference.md section 2's table through `luaroutes request`.
@Suite struct CLIRoutingTests {
    @Test func everyRowOfTheContractTable() throws {
        let handler = "return function(req, res) res.json({ params = req.params }) end"
        let root = try CLI.project([
            "pages/api/index.lua": handler, "pages/api/user.lua": handler, "pages/api/users/index.lua": handler,
            "pages/api/users/[id].lua": handler, "pages/api/posts/[pid]/comments.lua": handler,
            "pages/api/files/[...path].lua": handler, "pages/api/opt/[[...slug]].lua": handler,
        ])
        let rows: [(String, String)] = [
            ("/api", #"{"params":{}}"#), ("/api/user", #"{"params":{}}"#), ("/api/users", #"{"params":{}}"#),
            ("/api/users/42", #"{"params":{"id":"42"}}"#), ("/api/posts/7/comments", #"{"params":{"pid":"7"}}"#),
            ("/api/files/a/b", #"{"params":{"path":["a","b"]}}"#), ("/api/opt", #"{"params":{}}"#),
            ("/api/opt/a/b", #"{"params":{"slug":["a","b"]}}"#),
        ]
        for (path, expected) in rows {
            let result = try CLI.run(["request", "--root", root, "GET", path])
            #expect(result.status == 0, "\(path)")
            #expect(result.stdout == expected, "\(path)")
        }
        let missing = try CLI.run(["request", "--root", root, "GET", "/api/files"])
        #expect(missing.stdout == #"{"error":"Not Found"}"#)
    }
}
