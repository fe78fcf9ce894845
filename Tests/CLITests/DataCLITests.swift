import Foundation
import Testing

/// The database from the command line (docs/data.md ("Migrations", "Tests")): start-up checks, migrate.
@Suite struct DataCLITests {
    @Test func aCorruptDatabaseFileStopsStartUpNamingIt() throws {
        let root = try CLI.project([
            "pages/api/x.lua": "return function(req, res) res.send('x') end",
            ".luaroutes/data.db": String(repeating: "this is not a database ", count: 200),
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = try CLI.run(["request", "--root", root, "GET", "/api/x"])
        #expect(result.status == 1)
        #expect(result.stderr == "error: cannot open the database .luaroutes/data.db: file is not a database\n")
        #expect(result.stdout.isEmpty)
    }

    @Test func migrateAppliesThenReports() throws {
        let root = try CLI.project([
            "migrations/001_teams.sql": "CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT);",
            "migrations/002_seed.sql": "INSERT INTO teams(name) VALUES ('a');",
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try CLI.run(["migrate", "--status", "--root", root]).stdout == "pending  migrations/001_teams.sql\npending  migrations/002_seed.sql\n")
        let applied = try CLI.run(["migrate", "--root", root])
        #expect(applied.stdout == "applied migrations/001_teams.sql\napplied migrations/002_seed.sql\n")
        #expect(applied.status == 0)
        #expect(try CLI.run(["migrate", "--status", "--root", root]).stdout == "applied  migrations/001_teams.sql\napplied  migrations/002_seed.sql\n")
        #expect(FileManager.default.fileExists(atPath: root + "/.luaroutes/data.db"))
    }

    /// `luaroutes test` runs on a fresh temporary database: the project's own file is untouched.
    @Test func testRunsOnAFreshTemporaryDatabase() throws {
        let root = try CLI.project([
            "migrations/001_teams.sql": "CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT);",
            "pages/api/teams.lua": """
                return {
                  POST = function(req, res) res.status(201).json(db.exec("INSERT INTO teams(name) VALUES (?)", req.body.name)) end,
                  GET = function(req, res) res.json(db.query("SELECT name FROM teams")) end,
                }
                """,
            "tests/teams.hurl": """
                GET {{host}}/api/teams
                HTTP 200
                []

                POST {{host}}/api/teams
                {"name": "a"}
                HTTP 201
                [Asserts]
                jsonpath "$.last_id" == 1
                """,
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A second file expecting the same empty start: each file gets a fresh database.
        try FileManager.default.copyItem(atPath: root + "/tests/teams.hurl", toPath: root + "/tests/teams_again.hurl")
        for _ in 0..<2 {   // the second run starts from an empty database again
            let result = try CLI.run(["test", "--root", root])
            #expect(result.stdout.hasSuffix("2 passed, 0 failed\n"), "\(result.stdout)\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/.luaroutes/data.db"))
    }
}
