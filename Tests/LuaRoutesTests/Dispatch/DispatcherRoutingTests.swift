import Testing
@testable import LuaRoutes

/// docs/reference.md section 2 through the dispatcher: each row is a file, a request path, and what
/// the handler saw. The handler answers its own file name and its params as JSON.
@Suite struct DispatcherRoutingTests {
    static let echoParams = "return function(req, res) res.json({ file = FILE, params = req.params, query = req.query }) end"

    static func files(_ names: [String]) -> [String: String] {
        var files: [String: String] = [:]
        for name in names { files[name] = echoParams.replacingOccurrences(of: "FILE", with: "\"\(name)\"") }
        return files
    }

    /// The contract's table, row by row: path, file, params (also run over a socket by ServerRoutingTests).
    static let contractRows: [(path: String, file: String, params: String)] = [
        ("/api", "pages/api/index.lua", "{}"),
        ("/api/user", "pages/api/user.lua", "{}"),
        ("/api/users", "pages/api/users/index.lua", "{}"),
        ("/api/users/42", "pages/api/users/[id].lua", #"{"id":"42"}"#),
        ("/api/posts/7/comments", "pages/api/posts/[pid]/comments.lua", #"{"pid":"7"}"#),
        ("/api/files/a/b", "pages/api/files/[...path].lua", #"{"path":["a","b"]}"#),
        ("/api/opt", "pages/api/opt/[[...slug]].lua", "{}"),
        ("/api/opt/a/b", "pages/api/opt/[[...slug]].lua", #"{"slug":["a","b"]}"#),
    ]

    @Test(arguments: [
        ("/api/a?x=1#f", "/api/a", "x=1"), ("/api/a#f?x", "/api/a", nil), ("/api/a?", "/api/a", ""),
        ("http://h:1/api/a?q", "/api/a", "q"), ("https://h/api", "/api", nil), ("http://h", "/", nil), ("http://h?q", "/", nil),
        ("*", "*", nil), ("?x", "", "x"), ("/api/caf\u{E9}?\u{E9}=1", "/api/caf\u{E9}", "\u{E9}=1"),
    ] as [(String, String, String?)])
    func targetsSplitIntoPathAndQuery(target: String, path: String, query: String?) {
        let split = Dispatcher.split(target: target)
        #expect(split.path == path && split.query == query, "\(target)")
    }

    @Test(arguments: contractRows + [
        // segments are percent-decoded before matching and before they reach req.params
        ("/api/users/a%20b", "pages/api/users/[id].lua", #"{"id":"a b"}"#),
        // static first, then the dynamic sibling when the static branch fails deeper down
        ("/api/users/me", "pages/api/users/me.lua", "{}"),
        ("/api/users/me/posts", "pages/api/users/[id]/posts.lua", #"{"id":"me"}"#),
        // a .lua suffix is only text: a dynamic segment may match it, never the file itself
        ("/api/users/user.lua", "pages/api/users/[id].lua", #"{"id":"user.lua"}"#),
        // .. and %2e%2e never climb: they are segment text
        ("/api/users/..", "pages/api/users/[id].lua", #"{"id":".."}"#),
        ("/api/users/%2e%2e", "pages/api/users/[id].lua", #"{"id":".."}"#),
    ])
    func routes(path: String, file: String, params: String) async throws {
        let names = ["pages/api/index.lua", "pages/api/user.lua", "pages/api/users/index.lua", "pages/api/users/[id].lua",
                     "pages/api/users/me.lua", "pages/api/users/[id]/posts.lua", "pages/api/posts/[pid]/comments.lua",
                     "pages/api/files/[...path].lua", "pages/api/opt/[[...slug]].lua"]
        try await withProject(Self.files(names)) { app in
            let response = await app.request("GET", path)
            #expect(response.status == 200)
            let expected = "{\"file\":\"\(file)\",\"params\":\(params),\"query\":\(params)}"
            #expect(JSONPretty.format(response.body) == JSONPretty.format(Array(expected.utf8)), "\(path): \(response.text)")
        }
    }

    @Test func unknownPathsAnswerJSON404() async throws {
        try await withProject(Self.files(["pages/api/user.lua", "pages/api/files/[...path].lua"])) { app in
            for path in ["/api/nope", "/", "/index.html", "/api/user.lua", "/pages/api/user.lua", "/api/files", "/api/user/x",
                         "/api/../pages/api/user.lua", "/api//user"] {
                let response = await app.request("GET", path)
                #expect(response.status == 404, "\(path)")
                #expect(response.text == #"{"error":"Not Found"}"#)
                #expect(response.header("content-type") == "application/json; charset=utf-8")
            }
        }
    }

    /// More distinct paths than a loop's lookup cache keeps (LoopWorkers.maxCachedLookups):
    /// each still routes to its own params, the first ones again after the cache started over.
    @Test func morePathsThanTheLookupCacheKeepsRouteTheSame() async throws {
        let files = ["pages/api/users/[id].lua": "return function(req, res) res.send(req.query.id) end"]
        try await withProject(files, threads: 1) { app in
            let count = LoopWorkers.maxCachedLookups + 100
            for round in 0..<2 {
                for i in stride(from: 0, to: count, by: round == 0 ? 1 : 97) {
                    let response = await app.request("GET", "/api/users/\(i)?round=\(round)")
                    #expect(response.text == "\(i)")
                }
            }
            #expect(await app.request("GET", "/api/users/%zz").status == 400)
            #expect(await app.request("GET", "/api/users/%zz").status == 400)
            #expect(await app.request("GET", "/api/nope").status == 404)
        }
    }

    @Test func trailingSlashRedirectsKeepingTheQuery() async throws {
        try await withProject(Self.files(["pages/api/user.lua"])) { app in
            let response = await app.request("GET", "/api/user/?a=1&b=2")
            #expect(response.status == 308)
            #expect(response.header("location") == "/api/user?a=1&b=2")
            #expect(await app.request("GET", "/api/user//").header("location") == "/api/user")
        }
    }

    @Test func invalidPercentEncodingIs400() async throws {
        try await withProject(Self.files(["pages/api/users/[id].lua"])) { app in
            let response = await app.request("GET", "/api/users/%zz")
            #expect(response.status == 400)
            #expect(response.text == #"{"error":"Bad Request"}"#)
        }
    }

    @Test func queryMergesWithParamsDynamicWins() async throws {
        try await withProject(Self.files(["pages/api/users/[id].lua"])) { app in
            let response = await app.request("GET", "/api/users/7?id=evil&tag=a&tag=b&q=a+b%21")
            let expected = #"{"file":"pages/api/users/[id].lua","params":{"id":"7"},"query":{"id":"7","tag":["a","b"],"q":"a b!"}}"#
            #expect(JSONPretty.format(response.body) == JSONPretty.format(Array(expected.utf8)))
        }
    }

    @Test func absoluteFormTargetsRouteByPath() async throws {
        try await withProject(Self.files(["pages/api/user.lua"])) { app in
            #expect(await app.request("GET", "http://example.com/api/user").status == 200)
        }
    }
}
