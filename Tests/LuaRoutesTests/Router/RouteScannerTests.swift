import Foundation
import Testing
@testable import LuaRoutes

/// Builds a throwaway ROOT with the given files (relative path -> contents), runs `body`, removes it.
private func withRoot<T>(_ files: [String], _ body: (String) throws -> T) throws -> T {
    let root = FileManager.default.temporaryDirectory
        .appendingPathComponent("luaroutes-scan-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: root) }
    for file in files {
        let path = root + "/" + file
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try "return function(req, res) end\n".write(toFile: path, atomically: false, encoding: .utf8)
    }
    return try body(root)
}

private func link(_ root: String, _ at: String, to target: String) throws {
    try FileManager.default.createSymbolicLink(atPath: root + "/" + at, withDestinationPath: target)
}

private func scan(_ root: String, _ exts: [String] = ["lua"]) throws -> [String] {
    try RouteTable.scan(root: root, pageExtensions: exts).routes.map(\.file)
}

@Suite struct RouteScannerTests {
    /// docs/reference.md section 2's layout on disk, plus files that are not routes.
    @Test func contractLayout() throws {
        try withRoot([
            "pages/api/index.lua", "pages/api/user.lua", "pages/api/users/index.lua", "pages/api/users/[id].lua",
            "pages/api/posts/[pid]/comments.lua", "pages/api/files/[...path].lua", "pages/api/opt/[[...slug]].lua",
            "pages/api/README.md", "pages/api/user.lua.bak", "pages/api/lua", "lib/util.lua", "pages/other.lua",
        ]) { root throws in
            let table = try RouteTable.scan(root: root, pageExtensions: ["lua"])
            #expect(table.routes.map(\.pattern) == [
                "/api", "/api/files/[...path]", "/api/opt/[[...slug]]", "/api/posts/[pid]/comments",
                "/api/user", "/api/users", "/api/users/[id]",
            ])
            #expect(table.routes.map(\.file).contains("pages/api/posts/[pid]/comments.lua"))
        }
    }

    /// Names starting with `_` or `.` are private: files, and whole folders.
    @Test func underscoreAndDotSkipped() throws {
        try withRoot([
            "pages/api/_middleware.lua", "pages/api/.hidden.lua", "pages/api/_lib/a.lua", "pages/api/.git/x.lua",
            "pages/api/a/_b.lua", "pages/api/a/c.lua",
        ]) { root throws in
            #expect(try scan(root) == ["pages/api/a/c.lua"])
        }
    }

    /// With ["api.lua"] only `x.api.lua` files are routes; other `.lua` files are helpers.
    @Test func apiLuaExtension() throws {
        try withRoot(["pages/api/x.api.lua", "pages/api/helper.lua", "pages/api/v/index.api.lua"]) { root throws in
            let table = try RouteTable.scan(root: root, pageExtensions: ["api.lua"])
            #expect(table.routes.map(\.pattern) == ["/api/v", "/api/x"])
            #expect(table.routes.map(\.file) == ["pages/api/v/index.api.lua", "pages/api/x.api.lua"])
        }
    }

    /// The longest matching extension names the route; with the default, `x.api` is the route.
    @Test func longestExtensionWins() throws {
        try withRoot(["pages/api/x.api.lua", "pages/api/y.lua"]) { root throws in
            #expect(try RouteTable.scan(root: root, pageExtensions: ["lua", "api.lua"]).routes.map(\.pattern)
                    == ["/api/x", "/api/y"])
            #expect(try RouteTable.scan(root: root, pageExtensions: ["lua"]).routes.map(\.pattern)
                    == ["/api/x.api", "/api/y"])
        }
    }

    @Test func missingPagesApiIsEmpty() throws {
        try withRoot(["lib/a.lua"]) { root throws in
            #expect(try scan(root) == [])
        }
    }

    @Test func missingRootIsAnError() {
        #expect {
            _ = try RouteTable.scan(root: "/nonexistent/luaroutes-root", pageExtensions: ["lua"])
        } throws: { error in
            (error as? RouteTableError)?.description == """
                error: project folder /nonexistent/luaroutes-root does not exist or is not a folder
                  --> /nonexistent/luaroutes-root
                  pass the folder that holds pages/api with --root
                """
        }
    }

    /// A bad bracket name on disk stops start-up and names the file.
    @Test func invalidNameOnDisk() throws {
        try withRoot(["pages/api/[..x].lua"]) { root throws in
            #expect(throws: RouteTableError.self) { try scan(root) }
            #expect((try? scan(root)) == nil)
        }
    }

    /// A symlinked file is followed wherever it points; the route keeps the link's path.
    @Test func symlinkedFileFollowed() throws {
        try withRoot(["pages/api/a.lua"]) { outside throws in
            try withRoot(["pages/api/b.lua"]) { root throws in
                try link(root, "pages/api/linked.lua", to: outside + "/pages/api/a.lua")
                try link(root, "pages/api/broken.lua", to: root + "/nowhere.lua")
                #expect(try scan(root) == ["pages/api/b.lua", "pages/api/linked.lua"])
            }
        }
    }

    /// A symlinked folder is followed inside ROOT, not outside it, and a loop is entered once.
    @Test func symlinkedFolders() throws {
        try withRoot(["pages/api/secret/x.lua"]) { outside throws in
            try withRoot(["pages/api/v1/users.lua", "shared/ping.lua"]) { root throws in
                try link(root, "pages/api/v2", to: root + "/pages/api/v1")          // inside ROOT: followed
                try link(root, "pages/api/shared", to: "../../shared")               // relative, inside: followed
                try link(root, "pages/api/stolen", to: outside + "/pages/api/secret") // outside: ignored
                try link(root, "pages/api/v1/loop", to: root + "/pages/api/v1")     // a loop: not re-entered
                #expect(try scan(root) == [
                    "pages/api/shared/ping.lua", "pages/api/v1/users.lua", "pages/api/v2/users.lua",
                ])
            }
        }
    }

    /// `pages/api` itself linked outside ROOT is not followed either.
    @Test func pagesApiLinkedOutside() throws {
        try withRoot(["pages/api/x.lua"]) { outside throws in
            try withRoot(["lib/a.lua"]) { root throws in
                try FileManager.default.createDirectory(atPath: root + "/pages", withIntermediateDirectories: true)
                try link(root, "pages/api", to: outside + "/pages/api")
                #expect(try scan(root) == [])
            }
        }
    }

    /// Sorted output, so the table never depends on directory order.
    @Test func deterministicOrder() throws {
        let files = (0..<50).map { "pages/api/d\($0 % 5)/f\($0).lua" }
        try withRoot(files.shuffled()) { root throws in
            #expect(try RouteScanner.routeFiles(root: root, pageExtensions: ["lua"]) == files.sorted())
        }
    }
}
