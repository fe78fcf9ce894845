import Testing
@testable import LuaRoutes

/// One request path against a set of files: which file answers, with which params.
struct RouteRow: Sendable, CustomTestStringConvertible {
    let files: [String]
    let path: String
    /// nil: 404.
    let file: String?
    let params: [(String, RouteParam)]

    init(_ files: [String], _ path: String, _ file: String?, _ params: [(String, RouteParam)] = []) {
        self.files = files
        self.path = path
        self.file = file.map { "pages/api/" + $0 }
        self.params = params
    }

    var testDescription: String { "\(path) -> \(file ?? "404")" }
}

/// docs/reference.md section 2's table, as files on disk.
private let contract = [
    "pages/api/index.lua", "pages/api/user.lua", "pages/api/users/index.lua", "pages/api/users/[id].lua",
    "pages/api/posts/[pid]/comments.lua", "pages/api/files/[...path].lua", "pages/api/opt/[[...slug]].lua",
]

private let rows: [RouteRow] = [
    // docs/reference.md section 2, row by row.
    RouteRow(contract, "/api", "index.lua"),                          // index.lua serves its folder
    RouteRow(contract, "/api/user", "user.lua"),                      // a plain file
    RouteRow(contract, "/api/users", "users/index.lua"),              // a folder's index
    RouteRow(contract, "/api/users/42", "users/[id].lua", [("id", .single("42"))]),
    RouteRow(contract, "/api/posts/7/comments", "posts/[pid]/comments.lua", [("pid", .single("7"))]),  // param folder
    RouteRow(contract, "/api/files/a/b", "files/[...path].lua", [("path", .multiple(["a", "b"]))]),
    RouteRow(contract, "/api/files/a", "files/[...path].lua", [("path", .multiple(["a"]))]),
    RouteRow(contract, "/api/files", nil),                            // a catch-all needs one segment
    RouteRow(contract, "/api/opt", "opt/[[...slug]].lua"),             // optional, empty: param absent
    RouteRow(contract, "/api/opt/a/b", "opt/[[...slug]].lua", [("slug", .multiple(["a", "b"]))]),

    // Paths no file serves.
    RouteRow(contract, "/api/user/", nil),                            // trailing slash: the caller redirects
    RouteRow(contract, "/api/", nil),                                 // likewise for /api itself
    RouteRow(contract, "/api//user", nil),                            // an empty segment matches nothing
    RouteRow(contract, "/api/users//", nil),                          // not even a param
    RouteRow(contract, "/api/users/42/x", nil),                       // [id].lua has no deeper level
    RouteRow(contract, "/api/posts/7", nil),                          // a param folder without an index
    RouteRow(contract, "/api/user.lua", nil),                         // a file never serves its own name
    RouteRow(contract, "/pages/api/user.lua", nil),                   // nor its path under ROOT
    RouteRow(contract, "/API/user", nil),                             // literals are case-sensitive
    RouteRow(contract, "/user", nil),                                 // every route is under /api
    RouteRow(contract, "/", nil),
    RouteRow(contract, "", nil),
    RouteRow(contract, "api/user", nil),                              // not a path at all
    RouteRow(contract, "*", nil),                                     // OPTIONS *

    // `..` is text: nothing climbs, and only dynamic segments match it.
    RouteRow(contract, "/api/users/..", "users/[id].lua", [("id", .single(".."))]),
    RouteRow(contract, "/api/users/%2e%2e", "users/[id].lua", [("id", .single(".."))]),
    RouteRow(contract, "/api/users/../user", nil),                    // no [id]/user: no climbing to /api/user
    RouteRow(contract, "/api/files/a/../b", "files/[...path].lua", [("path", .multiple(["a", "..", "b"]))]),
    RouteRow(contract, "/api/..", nil),                               // no dynamic route at the /api level
    RouteRow(contract, "/api/users/user.lua", "users/[id].lua", [("id", .single("user.lua"))]),  // a dynamic route may

    // Percent-decoding happens per segment, after splitting.
    RouteRow(contract, "/api/users/a%2Fb", "users/[id].lua", [("id", .single("a/b"))]),   // %2F stays in its segment
    RouteRow(contract, "/api/users/caf%C3%A9", "users/[id].lua", [("id", .single("café"))]),
    RouteRow(contract, "/api/users/a+b", "users/[id].lua", [("id", .single("a+b"))]),      // + is a space only in queries
    RouteRow(contract, "/api/us%65r", "user.lua"),                    // literals match decoded text
    RouteRow(contract, "/%61pi/user", "user.lua"),                    // /api too: it is the first literal
    RouteRow(contract, "/api/files/%2F/%20", "files/[...path].lua", [("path", .multiple(["/", " "]))]),

    // Precedence at one level: literal, [param], [...catchAll], then [[...optional]].
    RouteRow(["pages/api/users/me.lua", "pages/api/users/[id].lua"], "/api/users/me", "users/me.lua"),
    RouteRow(["pages/api/users/me.lua", "pages/api/users/[id].lua"], "/api/users/you", "users/[id].lua", [("id", .single("you"))]),
    RouteRow(["pages/api/[id].lua", "pages/api/[...rest].lua"], "/api/x", "[id].lua", [("id", .single("x"))]),  // [id] beside [...rest] is fine
    RouteRow(["pages/api/[id].lua", "pages/api/[...rest].lua"], "/api/x/y", "[...rest].lua", [("rest", .multiple(["x", "y"]))]),
    RouteRow(["pages/api/[id].lua", "pages/api/[[...rest]].lua"], "/api", "[[...rest]].lua"),  // only the optional takes zero

    // Fallback: a branch that fails deeper down hands over to its dynamic siblings (Next.js).
    RouteRow(["pages/api/users/me/settings.lua", "pages/api/users/[id]/profile.lua"],
             "/api/users/me/profile", "users/[id]/profile.lua", [("id", .single("me"))]),
    RouteRow(["pages/api/users/me/settings.lua", "pages/api/users/[id]/profile.lua"],
             "/api/users/me/settings", "users/me/settings.lua"),
    RouteRow(["pages/api/a/b.lua", "pages/api/[[...rest]].lua"], "/api/a", "[[...rest]].lua", [("rest", .multiple(["a"]))]),
    RouteRow(["pages/api/[id]/edit.lua", "pages/api/[...rest].lua"], "/api/5/view", "[...rest].lua",
             [("rest", .multiple(["5", "view"]))]),   // [param] fails deeper, the catch-all takes over
    RouteRow(["pages/api/[id]/edit.lua", "pages/api/[...rest].lua"], "/api/5/edit", "[id]/edit.lua", [("id", .single("5"))]),
    RouteRow(["pages/api/a/[x]/c.lua", "pages/api/[y]/b/d.lua"], "/api/a/b/d", "[y]/b/d.lua", [("y", .single("a"))]),
    RouteRow(["pages/api/a/[x]/c.lua", "pages/api/[y]/b/d.lua"], "/api/a/b/c", "a/[x]/c.lua", [("x", .single("b"))]),

    // Params come in path order.
    RouteRow(["pages/api/[org]/[repo]/[...path].lua"], "/api/o/r/x", "[org]/[repo]/[...path].lua",
             [("org", .single("o")), ("repo", .single("r")), ("path", .multiple(["x"]))]),

    // `.lua` only ends the file name; `x.api.lua` with the default extensions is the route x.api.
    RouteRow(["pages/api/x.api.lua"], "/api/x.api", "x.api.lua"),
    RouteRow(["pages/api/x.api.lua"], "/api/x", nil),
    RouteRow(["pages/api/index/index.lua"], "/api/index", "index/index.lua"),  // only the last index folds
]

@Suite struct RouteTableTests {
    @Test(arguments: rows)
    func lookup(_ row: RouteRow) throws {
        let table = try RouteTable(files: row.files)
        switch table.lookup(path: row.path) {
        case .matched(let match):
            #expect(table.routes[match.routeIndex].file == row.file)
            #expect(match.params.map(\.name) == row.params.map(\.0))
            #expect(match.params.map(\.value) == row.params.map(\.1))
        case .notFound:
            #expect(row.file == nil)
        case .badRequest:
            Issue.record("unexpected 400")
        }
    }

    /// Invalid percent-encoding anywhere in the path is a 400, even under no route.
    @Test(arguments: ["/api/users/%zz", "/api/users/%4", "/api/users/%", "/api/users/%C3", "/api/users/%FF", "/nope/%zz"])
    func badRequest(_ path: String) throws {
        let table = try RouteTable(files: contract)
        guard case .badRequest = table.lookup(path: path) else {
            Issue.record("\(path) should be a bad request")
            return
        }
    }

    /// Display order is Next.js's: a level's own route, literals by name, then [param], [...], [[...]].
    @Test func displayOrder() throws {
        let table = try RouteTable(files: contract.reversed() + ["pages/api/users/me.lua", "pages/api/a.lua"])
        #expect(table.routes.map(\.pattern) == [
            "/api", "/api/a", "/api/files/[...path]", "/api/opt/[[...slug]]", "/api/posts/[pid]/comments",
            "/api/user", "/api/users", "/api/users/me", "/api/users/[id]",
        ])
        #expect(table.routes.first?.file == "pages/api/index.lua")
    }

    /// 10,000 routes build and every one of them matches (correctness, never time).
    @Test func tenThousandRoutes() throws {
        var files: [String] = []
        for i in 0..<2_500 {
            files += ["pages/api/r\(i).lua", "pages/api/r\(i)/[id].lua", "pages/api/r\(i)/[id]/items/[...rest].lua",
                      "pages/api/g\(i % 50)/s\(i)/[[...opt]].lua"]
        }
        let table = try RouteTable(files: files)
        #expect(table.routes.count == 10_000)
        for i in stride(from: 0, to: 2_500, by: 7) {
            #expect(file(table, "/api/r\(i)") == "pages/api/r\(i).lua")
            #expect(file(table, "/api/r\(i)/x") == "pages/api/r\(i)/[id].lua")
            #expect(file(table, "/api/r\(i)/x/items/1/2") == "pages/api/r\(i)/[id]/items/[...rest].lua")
            #expect(file(table, "/api/g\(i % 50)/s\(i)/a") == "pages/api/g\(i % 50)/s\(i)/[[...opt]].lua")
            #expect(file(table, "/api/g\(i % 50)/s\(i + 2_500)") == nil)
        }
    }

    @Test func emptyTableMatchesNothing() throws {
        let table = try RouteTable(routes: [])
        #expect(file(table, "/api") == nil)
    }

    private func file(_ table: RouteTable, _ path: String) -> String? {
        guard case .matched(let match) = table.lookup(path: path) else { return nil }
        return table.routes[match.routeIndex].file
    }
}

/// One test per start-up error, with the whole message compared.
@Suite struct RouteTableErrorTests {
    private func error(_ files: [String], pageExtensions: [String] = ["lua"]) -> RouteTableError? {
        do {
            _ = try RouteTable(files: files, pageExtensions: pageExtensions)
            return nil
        } catch {
            return error
        }
    }

    @Test func twoParamNames() {
        let e = error(["pages/api/users/[slug].lua", "pages/api/users/[id].lua"])
        #expect(e?.code == .dynamicNameConflict)
        #expect(e?.description == """
            error: two dynamic names at one level of /api/users ('id' and 'slug')
              --> pages/api/users/[id].lua
              --> pages/api/users/[slug].lua
              use one name for both files
            """)
    }

    /// A folder `[id]/` counts as well; the error names a file inside it.
    @Test func paramFolderBesideParamFile() {
        #expect(error(["pages/api/users/[id]/posts.lua", "pages/api/users/[slug].lua"])?.description == """
            error: two dynamic names at one level of /api/users ('id' and 'slug')
              --> pages/api/users/[id]/posts.lua
              --> pages/api/users/[slug].lua
              use one name for both files
            """)
    }

    @Test func twoCatchAllNames() {
        #expect(error(["pages/api/docs/[...a].lua", "pages/api/docs/[...b].lua"])?.description == """
            error: two dynamic names at one level of /api/docs ('a' and 'b')
              --> pages/api/docs/[...a].lua
              --> pages/api/docs/[...b].lua
              use one name for both files
            """)
    }

    @Test func catchAllBesideOptionalCatchAll() {
        let e = error(["pages/api/docs/[[...b]].lua", "pages/api/docs/[...a].lua"])
        #expect(e?.code == .catchAllBesideOptional)
        #expect(e?.description == """
            error: a catch-all beside an optional catch-all at one level of /api/docs ('[...a]' and '[[...b]]')
              --> pages/api/docs/[...a].lua
              --> pages/api/docs/[[...b]].lua
              keep one of them: [[...b]] matches /api/docs and everything below it
            """)
    }

    @Test func twoFilesForOneRoute() {
        let e = error(["pages/api/users/index.lua", "pages/api/users.lua"])
        #expect(e?.code == .duplicateRoute)
        #expect(e?.description == """
            error: two files for one route /api/users
              --> pages/api/users.lua
              --> pages/api/users/index.lua
              keep one of them
            """)
    }

    /// With two page extensions, `x.lua` and `x.api.lua` both serve /api/x.
    @Test func twoExtensionsForOneRoute() {
        #expect(error(["pages/api/x.lua", "pages/api/x.api.lua"], pageExtensions: ["lua", "api.lua"])?.description == """
            error: two files for one route /api/x
              --> pages/api/x.api.lua
              --> pages/api/x.lua
              keep one of them
            """)
    }

    /// Next.js refuses this too: both files would serve /api/opt.
    @Test func optionalCatchAllBesideIndex() {
        let e = error(["pages/api/opt/[[...slug]].lua", "pages/api/opt.lua"])
        #expect(e?.code == .optionalBesideIndex)
        #expect(e?.description == """
            error: an optional catch-all and another file both serve /api/opt
              --> pages/api/opt.lua
              --> pages/api/opt/[[...slug]].lua
              remove the other file: an optional catch-all also matches /api/opt itself
            """)
    }

    @Test func catchAllNotLast() {
        let e = error(["pages/api/[...a]/b.lua"])
        #expect(e?.code == .catchAllNotLast)
        #expect(e?.description == """
            error: a catch-all must be the last segment ('[...a]' in /api/[...a]/b)
              --> pages/api/[...a]/b.lua
              make [...a] the file name, or use [a] for one segment
            """)
    }

    @Test func optionalCatchAllNotLast() {
        #expect(error(["pages/api/[[...a]]/index.lua", "pages/api/[[...a]]/b.lua"])?.code == .catchAllNotLast)
    }

    @Test func sameNameTwice() {
        let e = error(["pages/api/[id]/[id].lua"])
        #expect(e?.code == .repeatedParamName)
        #expect(e?.description == """
            error: the name 'id' is used twice in /api/[id]/[id]
              --> pages/api/[id]/[id].lua
              rename one of them
            """)
    }

    /// Brackets must be exactly [a], [...a] or [[...a]], with a name that does not start with '.'.
    @Test(arguments: ["[]", "[..x]", "[a", "a]", "[[id]]", "[...]", "[[...a]", "[....a]", "x[id]", "[a[b]]"])
    func invalidName(_ name: String) {
        let e = error(["pages/api/v1/\(name).lua"])
        #expect(e?.code == .invalidSegmentName)
        #expect(e?.description == """
            error: invalid dynamic segment name '\(name)'
              --> pages/api/v1/\(name).lua
              write [name], [...name] or [[...name]], with a name that does not start with '.'
            """)
    }

    /// A bad folder name is reported with the file that sits in it.
    @Test func invalidFolderName() {
        #expect(error(["pages/api/[a/x.lua"])?.files == ["pages/api/[a/x.lua"])
    }

    /// The first error, and the order of its files, do not depend on the input order.
    @Test func errorsAreDeterministic() {
        let files = ["pages/api/b/[x].lua", "pages/api/b/[y].lua", "pages/api/a.lua", "pages/api/a/index.lua"]
        #expect(error(files) == error(files.reversed()))
        #expect(error(files)?.code == .duplicateRoute)
    }

    /// Different kinds at one level are fine, and so is one name reused at different levels.
    @Test func allowedNeighbours() throws {
        #expect(error(["pages/api/[id].lua", "pages/api/[...rest].lua"]) == nil)
        #expect(error(["pages/api/a/[id].lua", "pages/api/b/[id].lua", "pages/api/[id]/x/[[...rest]].lua"]) == nil)
    }
}

extension RouteTableTests {
    /// `RouteMatch.param(_:)` reads one value; an empty optional catch-all is simply absent.
    @Test func paramByName() throws {
        let table = try RouteTable(files: contract)
        guard case .matched(let match) = table.lookup(path: "/api/users/42"),
              case .matched(let empty) = table.lookup(path: "/api/opt") else {
            Issue.record("no match")
            return
        }
        #expect(match.param("id") == .single("42"))
        #expect(empty.param("slug") == nil)
        #expect(table.routes[empty.routeIndex].segments == [.literal("opt"), .optionalCatchAll("slug")])
    }
}
