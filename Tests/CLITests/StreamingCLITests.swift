import Foundation
import Testing

/// Streamed answers and uploads through the real binary: `luaroutes request` prints the whole
/// streamed body, `luaroutes test` asserts on it and sends `[MultipartFormData]` sections.
@Suite struct StreamingCLITests {
    static let routes = [
        "pages/api/feed.lua": """
            return function(req, res)
              for i = 1, 3 do res.sse({ id = i, data = "tick " .. i }) end
            end
            """,
        "pages/api/up.lua": """
            return function(req, res)
              local f = req.files[1]
              res.json({ title = req.body.title, name = f.name, filename = f.filename, type = f.type, size = f.size, data = f.data })
            end
            """,
    ]

    @Test func requestPrintsTheWholeStream() throws {
        let root = try CLI.project(Self.routes)
        let result = try CLI.run(["request", "--root", root, "GET", "/api/feed"])
        #expect(result.status == 0)
        #expect(result.stdout == "id: 1\ndata: tick 1\n\nid: 2\ndata: tick 2\n\nid: 3\ndata: tick 3\n\n")
    }

    @Test func testAssertsOnStreamsAndSendsMultipart() throws {
        var files = Self.routes
        files["tests/data/hello.txt"] = "hi there\n"
        files["tests/stream.hurl"] = """
            GET {{host}}/api/feed
            HTTP 200
            Content-Type: text/event-stream; charset=utf-8
            [Asserts]
            body contains "id: 3\\ndata: tick 3\\n\\n"

            POST {{host}}/api/up
            [MultipartFormData]
            title: Notes
            doc: file,data/hello.txt;
            HTTP 200
            {"title": "Notes", "name": "doc", "filename": "hello.txt", "type": "text/plain", "size": 9, "data": "hi there\\n"}

            """
        let root = try CLI.project(files)
        let result = try CLI.run(["test", "--root", root])
        #expect(result.stdout == "tests/stream.hurl: OK (2 entries)\n1 passed, 0 failed\n")
        #expect(result.status == 0)
    }
}
