import Foundation
import TestSupport
import Testing

/// `luaroutes init` and `luaroutes types`, done as the README's first steps say, from an empty folder.
@Suite struct InitCommandTests {
    /// The repository's types/ folder, the one source of the editor definitions.
    static let repositoryTypes = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("types").path

    func emptyFolder() throws -> String {
        try CLI.project([:])
    }

    @Test func initThenTestThenServeAnswersHello() async throws {
        let folder = try emptyFolder()
        let created = try await onOwnThread { try CLI.run(["init", "app"], in: folder) }
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("cd app"))

        let tested = try await onOwnThread { try CLI.run(["test", "--root", "app"], in: folder) }
        #expect(tested.status == 0, "\(tested.stdout)\(tested.stderr)")
        #expect(tested.stdout.hasSuffix("2 passed, 0 failed\n"), "\(tested.stdout)")

        let server = try ServeProcess(root: folder + "/app")
        defer { server.stop() }
        #expect(try await server.waitUntilListening(), "\(server.stderr)")
        let port = server.port
        let hello = try await onOwnThread { try HTTPGet.get(port: port, path: "/api/hello?name=Ada") }
        #expect(hello.status == 200)
        #expect(hello.body == #"{"message":"Hello, Ada!"}"#)
    }

    @Test func writesEveryFileANewProjectNeeds() throws {
        let folder = try emptyFolder()
        #expect(try CLI.run(["init"], in: folder).status == 0)
        for path in [".env.example", ".gitignore", ".luarc.json", "luaroutes.config.lua", "pages/api/hello.lua",
                     "tests/hello.hurl", "types/luaroutes.lua", "types/data.lua"] {
            #expect(FileManager.default.fileExists(atPath: folder + "/" + path), "\(path)")
        }
        // The editor finds the definitions inside the project, not in this repository.
        let luarc = try String(contentsOfFile: folder + "/.luarc.json", encoding: .utf8)
        #expect(luarc.contains(#""workspace.library": ["types"]"#))
        for name in ["luaroutes.lua", "data.lua"] {
            #expect(FileManager.default.contents(atPath: folder + "/types/" + name) == FileManager.default.contents(atPath: Self.repositoryTypes + "/" + name))
        }
        // Every key of the config file is commented out, so the file returns an empty table.
        let config = try String(contentsOfFile: folder + "/luaroutes.config.lua", encoding: .utf8)
        let active = config.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
        #expect(active == ["return {", "}"])
        for key in ["pageExtensions", "bodyParser", "responseLimit", "cors", "limits", "fetch", "server", "shared", "db"] {
            #expect(config.contains("-- \(key) = "), "\(key)")
        }
    }

    @Test func refusesToOverwriteUnlessForced() throws {
        let folder = try emptyFolder()
        #expect(try CLI.run(["init"], in: folder).status == 0)
        let hello = folder + "/pages/api/hello.lua"
        try "return function(req, res) res.send('mine') end".write(toFile: hello, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: folder + "/tests/notes.hurl")

        let refused = try CLI.run(["init"], in: folder)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("pages/api/hello.lua"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--force"))
        #expect(try String(contentsOfFile: hello, encoding: .utf8) == "return function(req, res) res.send('mine') end")
        #expect(!FileManager.default.fileExists(atPath: folder + "/tests/notes.hurl"), "nothing is written when one file exists")

        #expect(try CLI.run(["init", "--force"], in: folder).status == 0)
        #expect(try String(contentsOfFile: hello, encoding: .utf8).contains("Hello, "))
    }

    @Test func versionNamesLuaAndSQLite() throws {
        let result = try CLI.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.wholeMatch(of: /luaroutes \d+\.\d+\.\d+ \(Lua 5\.4\.\d+, SQLite 3\.\d+\.\d+\)\n/) != nil, "\(result.stdout)")
    }

    @Test func typesRefreshesTheDefinitions() throws {
        let folder = try emptyFolder()
        try FileManager.default.createDirectory(atPath: folder + "/types", withIntermediateDirectories: true)
        try "-- old".write(toFile: folder + "/types/luaroutes.lua", atomically: true, encoding: .utf8)
        let result = try CLI.run(["types", "--root", folder])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "wrote types/luaroutes.lua, types/data.lua, types/sandbox.lua\n")
        #expect(FileManager.default.contents(atPath: folder + "/types/luaroutes.lua") == FileManager.default.contents(atPath: Self.repositoryTypes + "/luaroutes.lua"))
    }
}
