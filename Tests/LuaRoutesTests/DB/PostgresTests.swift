import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing
import TestSupport
@testable import LuaRoutes

/// A project on its own PostgreSQL database with `DBSchema.postgres` as its first migration,
/// migrated (as serve does at start-up) and served in-process by a real Dispatcher.
func withPostgresProject<T>(_ files: [String: String], threads: Int = 1,
                            _ body: (TestApp, _ url: String) async throws -> T) async throws -> T {
    try await TestPostgres.withDatabase { url in
        var files = files
        if files["migrations/001_schema.sql"] == nil { files["migrations/001_schema.sql"] = DBSchema.postgres }
        return try await withProject(files, dev: true, threads: threads, environment: [DatabaseLocation.overrideVariable: url],
                                     prepareDatabase: true) { app in try await body(app, url) }
    }
}

/// docs/data.md ("PostgreSQL"): the engine behind the same `db` API. Serialized: the liveness
/// bound of the 200-request test holds on a loaded 2-core machine only when the suite's own
/// CREATE DATABASE calls do not run beside it.
@Suite(.enabled(if: TestPostgres.enabled), .serialized) struct PostgresTests {
    @Test(arguments: DBConformance.postgresCases)
    func postgresConformance(_ row: DBCase) async throws {
        try await withPostgresProject(["pages/api/case.lua": conformanceRoute(row.lua)]) { app, _ in
            let answer = await app.request("GET", "/api/case")
            #expect(answer.sortedJSON == row.expected, "\(row.name)")
        }
    }

    /// Waiting on PostgreSQL parks the request, never the loop: on ONE event loop, 200 requests
    /// that each sleep 0.2 s in the server all answer within 1 s (a bounded liveness check; run
    /// one after another they would take 40 s).
    @Test func twoHundredSleepingQueriesOnOneLoopDoNotQueue() async throws {
        let files = [
            "luaroutes.config.lua": "return { db = { pool = 200 } }",
            "pages/api/sleep.lua": """
                return function(req, res)
                  local row, err = db.first("SELECT pg_sleep(?) IS NULL AS slept", tonumber(req.query.s))
                  res.json({ ok = row ~= nil, err = err })
                end
                """,
        ]
        try await withPostgresProject(files, threads: 1) { app, _ in
            // Open the pool first: 200 requests that each hold a connection 0.1 s (connecting is not what this measures).
            let warm = await Self.concurrently(200) { _ in await app.request("GET", "/api/sleep?s=0.1").text }
            #expect(warm.allSatisfy { $0 == #"{"ok":true}"# }, "\(warm.first { $0 != #"{"ok":true}"# } ?? "")")
            let started = ContinuousClock.now
            let answers = await Self.concurrently(200) { _ in await app.request("GET", "/api/sleep?s=0.2").text }
            let took = ContinuousClock.now - started
            #expect(answers.allSatisfy { $0 == #"{"ok":true}"# }, "\(answers.first { $0 != #"{"ok":true}"# } ?? "")")
            #expect(took < .seconds(1), "200 requests of pg_sleep(0.2) on one loop took \(took)")
        }
    }

    /// With every pooled connection of the loop in a transaction, a statement of another
    /// request gets a connection beyond the pool that stays alive while it is used (it was
    /// freed while C still used it), and the transaction's own statements keep their connection.
    @Test func aStatementWhileEveryConnectionIsInATransaction() async throws {
        let files = [
            "luaroutes.config.lua": "return { db = { pool = 1 } }",
            "pages/api/hold.lua": """
                return function(req, res)
                  local out = db.transaction(function()
                    db.exec("INSERT INTO teams(name) VALUES ('held')")
                    db.query("SELECT pg_sleep(0.5)")
                    return db.first("SELECT count(*)::int4 AS n FROM teams WHERE name = 'held'").n
                  end)
                  res.json({ seen = out })
                end
                """,
            "pages/api/one.lua": "return function(req, res) local rows = {} for i = 1, 5 do rows[i] = db.first('SELECT ?::int4 AS n', i).n end res.json(rows) end",
        ]
        try await withPostgresProject(files, threads: 1) { app, _ in
            async let held = app.request("GET", "/api/hold")
            try await Task.sleep(for: .milliseconds(150))   // the transaction holds the loop's one connection by now
            let others = await Self.concurrently(20) { _ in await app.request("GET", "/api/one").text }
            #expect(others.allSatisfy { $0 == "[1,2,3,4,5]" }, "\(others.first { $0 != "[1,2,3,4,5]" } ?? "")")
            #expect(await held.sortedJSON == #"{"seen":1}"#)
        }
    }

    /// A transaction whose connection is lost between statements fails from then on (08006)
    /// and leaves nothing behind: its later statements never run on a new connection outside it.
    @Test func aTransactionThatLosesItsConnectionCommitsNothing() async throws {
        let files = [
            "pages/api/lost.lua": """
                return function(req, res)
                  local a, b, c = db.transaction(function()
                    db.exec("INSERT INTO teams(name) VALUES ('before')")
                    db.query("SELECT pg_terminate_backend(pg_backend_pid())")
                    local _, _, state = db.exec("INSERT INTO teams(name) VALUES ('after')")
                    return state
                  end)
                  local n = db.first("SELECT count(*)::int4 AS n FROM teams WHERE name IN ('before', 'after')").n
                  res.json({ result = a or json.null, err = b, state = c, rows = n })
                end
                """,
        ]
        try await withPostgresProject(files) { app, _ in
            #expect(await app.request("GET", "/api/lost").sortedJSON
                    == #"{"err":"db: the connection was lost during the transaction; the server rolled it back","result":null,"rows":0,"state":"08006"}"#)
        }
    }

    static func concurrently<T: Sendable>(_ count: Int, _ work: @escaping @Sendable (Int) async -> T) async -> [T] {
        await withTaskGroup(of: T.self) { group in
            for i in 0..<count { group.addTask { await work(i) } }
            var all: [T] = []
            for await one in group { all.append(one) }
            return all
        }
    }

    /// A query over db.timeout is canceled by the server (statement_timeout, 57014); the
    /// connection keeps serving.
    @Test func aQueryOverTheDatabaseTimeoutIsCanceled() async throws {
        let files = [
            "luaroutes.config.lua": #"return { db = { timeout = "100ms" } }"#,
            "pages/api/slow.lua": """
                return function(req, res)
                  local rows, err, state = db.query("SELECT pg_sleep(5)")
                  res.json({ err = err, state = state, after = db.first("SELECT 1 AS one").one })
                end
                """,
        ]
        try await withPostgresProject(files) { app, _ in
            #expect(await app.request("GET", "/api/slow").sortedJSON == #"{"after":1,"err":"db: canceling statement: query exceeded db.timeout (100ms)","state":"57014"}"#)
        }
    }

    /// limits.timeout passes while a transaction waits on the server: 504, the transaction is
    /// rolled back (its connection closed: a statement was still running), and the next request
    /// finds nothing of it.
    @Test func aTimeoutInsideATransactionRollsItBack() async throws {
        let files = [
            "pages/api/stuck.lua": """
                return { handler = function(req, res)
                  db.transaction(function()
                    db.exec("INSERT INTO teams(name) VALUES ('half done')")
                    db.query("SELECT pg_sleep(3)")
                  end)
                  res.json({})
                end, config = { limits = { timeout = "200ms" } } }
                """,
            "pages/api/count.lua": #"return function(req, res) res.json(db.first("SELECT count(*) AS n FROM teams")) end"#,
        ]
        try await withPostgresProject(files) { app, _ in
            #expect(await app.request("GET", "/api/stuck").status == 504)
            #expect(await app.request("GET", "/api/count").text == #"{"n":0}"#)
            #expect(app.logText.contains("the request ended inside db.transaction; rolled back"))
        }
    }

    /// docs/data.md ("Migrations") on PostgreSQL: a failing file rolls back and names
    /// file:line:col from the server's position (or where the statement starts when the server
    /// gives none); the files before it stay applied.
    @Test func aFailingMigrationNamesFileLineAndColumn() async throws {
        try await TestPostgres.withDatabase { url in
            let root = try makeProjectFolder([
                "migrations/001_teams.sql": "CREATE TABLE teams (id BIGSERIAL PRIMARY KEY);",
                "migrations/002_bad.sql": "CREATE TABLE ok (id INTEGER);\n\n  INSERT INTO ok SELECT x FROM userz;",
            ])
            defer { try? FileManager.default.removeItem(atPath: root) }
            let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            let project = try Project.load(root: root, processEnvironment: [DatabaseLocation.overrideVariable: url], logger: logger)
            var message: String?
            do { try project.prepareDatabase(logger: logger) } catch { message = "\(error)" }
            #expect(message == #"error: migrations/002_bad.sql:3:32: relation "userz" does not exist (42P01)"#)
            #expect(try project.migrationStatus() == ["applied  migrations/001_teams.sql", "pending  migrations/002_bad.sql"])
            #expect(try TestPostgres.psql(url, "SELECT to_regclass('ok') IS NULL") == "t")   // rolled back
        }
    }

    /// Several hosts starting at once apply each file exactly once (pg_advisory_lock): four
    /// preparations run together; a file that ran twice would fail (CREATE TABLE, no IF NOT EXISTS).
    @Test func hostsStartingTogetherApplyEachFileOnce() async throws {
        try await TestPostgres.withDatabase { url in
            let root = try makeProjectFolder([
                "migrations/001_a.sql": "CREATE TABLE a (id INT); SELECT pg_sleep(0.2);",
                "migrations/002_b.sql": "CREATE TABLE b (id INT); INSERT INTO b VALUES (1);",
            ])
            defer { try? FileManager.default.removeItem(atPath: root) }
            let results = await PostgresTests.concurrently(4) { _ in
                (try? await onOwnThread { () -> String in
                    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
                    do {
                        let project = try Project.load(root: root, processEnvironment: [DatabaseLocation.overrideVariable: url], logger: logger)
                        try project.prepareDatabase(logger: logger)
                        return "ok"
                    } catch {
                        return "\(error)"
                    }
                }) ?? "thread failed"
            }
            #expect(results == ["ok", "ok", "ok", "ok"])
            #expect(try TestPostgres.psql(url, "SELECT count(*) FROM luaroutes_migrations") == "2")
            #expect(try TestPostgres.psql(url, "SELECT count(*) FROM b") == "1")
        }
    }

    /// PostgreSQL stopped mid-run: requests get 08006 / 08001 at once (no hang, no crash); once it
    /// is back, requests work again without restarting the host. The test runs a cluster of its
    /// own (scripts/postgres-cluster.sh).
    @Test func theDatabaseGoingAwayAndComingBack() async throws {
        guard TestPostgres.url != nil else { throw TestPostgres.Missing() }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/postgres-cluster.sh").path
        let dir = NSTemporaryDirectory() + "luaroutes-pg-" + UUID().uuidString
        let port = try freeLoopbackPort()
        func cluster(_ action: String) throws {
            // Not Foundation's Process: its waitUntilExit never returned here once pg_ctl had left
            // the server running in the background (and see ChildProcess.swift). The server does
            // not inherit the test process's sockets either.
            let process = ChildProcess()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [script, action, dir + "/cluster", "\(port)"]
            try process.run()
            process.waitUntilExit()
            if process.terminationStatus != 0 {
                throw TestPostgres.CommandFailed(description: "postgres-cluster.sh \(action) failed (\(process.terminationStatus))")
            }
        }
        try cluster("start")
        defer { try? cluster("stop"); try? FileManager.default.removeItem(atPath: dir) }
        let url = "postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable"
        let files = ["pages/api/one.lua": """
            return function(req, res)
              local row, err, state = db.first("SELECT 1 AS one")
              res.json({ one = row and row.one, err = err, state = state })
            end
            """]
        try await withProject(files, dev: true, environment: [DatabaseLocation.overrideVariable: url]) { app in
            #expect(await app.request("GET", "/api/one").text == #"{"one":1}"#)
            try cluster("stop")
            let down = await app.request("GET", "/api/one").sortedJSON
            #expect(down.contains(#""state":"08006""#) || down.contains(#""state":"08001""#), "\(down)")
            let again = await app.request("GET", "/api/one").sortedJSON
            #expect(again.contains(#""state":"08001""#), "\(again)")
            try cluster("start")
            var answer = ""
            for _ in 0..<100 where answer != #"{"one":1}"# {   // up to 10 s: the reconnect backs off up to 5 s
                answer = await app.request("GET", "/api/one").text
                if answer != #"{"one":1}"# { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(answer == #"{"one":1}"#)
        }
    }

    /// The host's readiness check (docs/data.md ("Several hosts")) sees the database.
    @Test func databaseReachableAnswers() async throws {
        try await withPostgresProject([:]) { app, url in
            let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let up = try Project.load(root: app.root, processEnvironment: [DatabaseLocation.overrideVariable: url], logger: logger)
            #expect(try await up.databaseReachable(on: group.next()).get() == nil)
            let port = try freeLoopbackPort()
            let down = try Project.load(root: app.root, processEnvironment: [DatabaseLocation.overrideVariable: "postgres://postgres@127.0.0.1:\(port)/x"], logger: logger)
            let why = try await down.databaseReachable(on: group.next()).get()
            #expect(why?.hasPrefix("db: cannot connect to PostgreSQL at 127.0.0.1:\(port)/x") == true, "\(why ?? "nil")")
            try await group.shutdownGracefully()
        }
    }
}
