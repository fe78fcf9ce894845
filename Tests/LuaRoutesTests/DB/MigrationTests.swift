import Foundation
import Logging
import Testing
import TestSupport
@testable import LuaRoutes

/// docs/data.md ("Migrations"): migrations run in order, once each; bad files stop start-up with a
/// message saying what to do.
@Suite struct MigrationTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// What preparing the project's database says: nil when it worked.
    static func prepare(_ root: String) -> String? {
        do {
            let project = try Project.load(root: root, processEnvironment: [:], logger: logger)
            try project.prepareDatabase(logger: logger)
            return nil
        } catch {
            return error.description
        }
    }

    static func status(_ root: String) throws -> [String] {
        try Project.load(root: root, processEnvironment: [:], logger: logger).migrationStatus()
    }

    @Test(arguments: [
        ("a file that fails rolls back and names file:line:col and the SQLSTATE",
         ["migrations/001_teams.sql": "CREATE TABLE teams (id INTEGER PRIMARY KEY);",
          "migrations/002_bad.sql": "CREATE TABLE ok (id INTEGER);\n\nCREATE INDEX i ON userz (x);"],
         "error: migrations/002_bad.sql:3:1: no such table: main.userz (42P01)", ["applied  migrations/001_teams.sql", "pending  migrations/002_bad.sql"]),
        ("two files with one number",
         ["migrations/001_a.sql": "SELECT 1;", "migrations/001_b.sql": "SELECT 1;"],
         "error: migrations/001_a.sql and migrations/001_b.sql have the same number (1); give one the next free number", nil),
        ("a file without a number",
         ["migrations/create_users.sql": "SELECT 1;"],
         "error: migrations/create_users.sql: a migration's name starts with its number and a name, like 001_create_users.sql; rename it", nil),
    ] as [(String, [String: String], String, [String]?)])
    func badMigrationsStopStartUp(_ name: String, files: [String: String], message: String, statusAfter: [String]?) throws {
        let root = try makeProjectFolder(files)
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(Self.prepare(root) == message, "\(name)")
        if let statusAfter { #expect(try Self.status(root) == statusAfter) }
    }

    @Test func aFileChangedAfterItRanStopsStartUp() throws {
        let root = try makeProjectFolder(["migrations/001_teams.sql": "CREATE TABLE teams (id INTEGER PRIMARY KEY);"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(Self.prepare(root) == nil)
        try "CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT);".write(toFile: root + "/migrations/001_teams.sql", atomically: true, encoding: .utf8)
        let message = try #require(Self.prepare(root))
        #expect(message.hasPrefix("error: migrations/001_teams.sql changed after it was applied (checksum "))
        #expect(message.hasSuffix("; restore it and put the change in a new migration with the next number"))
    }

    @Test func eachFileRunsOnceInOrderAndNewOnesRunLater() throws {
        let root = try makeProjectFolder([
            "migrations/002_seed.sql": "INSERT INTO teams(name) VALUES ('first');",
            "migrations/001_teams.sql": "CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT);",
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(Self.prepare(root) == nil)
        #expect(Self.prepare(root) == nil)   // nothing runs twice (the seed would duplicate)
        try "INSERT INTO teams(name) VALUES ('second');".write(toFile: root + "/migrations/010_more.sql", atomically: true, encoding: .utf8)
        let project = try Project.load(root: root, processEnvironment: [:], logger: Self.logger)
        #expect(try project.migrate() == ["applied migrations/010_more.sql"])
        #expect(try project.migrate() == ["nothing to apply (3 migrations already applied)"])
        #expect(try Self.status(root) == ["applied  migrations/001_teams.sql", "applied  migrations/002_seed.sql", "applied  migrations/010_more.sql"])
    }

    /// A reload runs new migration files; one that fails keeps the previous version serving.
    @Test func aReloadRunsNewMigrations() async throws {
        let files = ["pages/api/n.lua": #"return function(req, res) res.json({ db.first("SELECT count(*) AS n FROM teams") }) end"#]
        try await withDatabaseProject(files) { app in
            #expect(await app.request("GET", "/api/n").text == #"[{"n":0}]"#)
            try "INSERT INTO teams(name) VALUES ('a');".write(toFile: app.root + "/migrations/002_a.sql", atomically: true, encoding: .utf8)
            #expect(app.dispatcher.reload() == .reloaded(routes: 1))
            #expect(await app.request("GET", "/api/n").text == #"[{"n":1}]"#)
            try "INSERT INTO nope VALUES (1);".write(toFile: app.root + "/migrations/003_bad.sql", atomically: true, encoding: .utf8)
            guard case .failed(let message) = app.dispatcher.reload() else { Issue.record("the reload should fail"); return }
            #expect(message == "error: migrations/003_bad.sql:1:1: no such table: nope (42P01)")
            #expect(await app.request("GET", "/api/n").text == #"[{"n":1}]"#)
        }
    }
}
