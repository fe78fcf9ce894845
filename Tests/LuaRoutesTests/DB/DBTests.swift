import CLuaGlue
import Foundation
import InMemoryLogging
import Logging
import NIOPosix
import Testing
import TestSupport
@testable import LuaRoutes

/// A project with `DBSchema` as its first migration, its database prepared (as serve does at
/// start-up), served in-process by a real Dispatcher.
func withDatabaseProject<T>(_ files: [String: String], threads: Int = 1,
                            _ body: (TestApp) async throws -> T) async throws -> T {
    var files = files
    if files["migrations/001_schema.sql"] == nil { files["migrations/001_schema.sql"] = DBSchema.sqlite }
    return try await withProject(files, dev: true, threads: threads, prepareDatabase: true, body)
}

/// The handler that runs a conformance row: its return values, nils as json.null, as JSON.
func conformanceRoute(_ lua: String) -> String {
    """
    local function run()
    \(lua)
    end
    return function(req, res)
      local t = table.pack(run())
      for i = 1, t.n do if t[i] == nil then t[i] = json.null end end
      t.n = nil
      res.json(json.array(t))
    end
    """
}

@Suite struct DBTests {
    @Test(arguments: DBConformance.cases)
    func sqliteConformance(_ row: DBCase) async throws {
        try await withDatabaseProject(["pages/api/case.lua": conformanceRoute(row.lua)]) { app in
            let answer = await app.request("GET", "/api/case")
            #expect(answer.sortedJSON == row.expected, "\(row.name)")
        }
    }

    @Test func moduleScopeGetsAnAnswerNotAnError() async throws {
        let route = #"local rows, err = db.query("SELECT 1") return function(req, res) res.json({ rows == nil, err }) end"#
        try await withDatabaseProject(["pages/api/m.lua": route]) { app in
            #expect(await app.request("GET", "/api/m").text == #"[true,"db: only available while handling a request (not at module scope)"]"#)
        }
    }

    /// A query past db.timeout is canceled (57014); the route and the database keep working.
    @Test func aQueryOverTheDatabaseTimeoutIsCanceled() async throws {
        let files = [
            "luaroutes.config.lua": #"return { db = { timeout = "100ms" } }"#,
            "pages/api/slow.lua": """
                return function(req, res)
                  local rows, err, state = db.query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) AS n FROM c")
                  res.json({ err = err, state = state, after = db.first("SELECT 1 AS one").one })
                end
                """,
        ]
        try await withDatabaseProject(files) { app in
            #expect(await app.request("GET", "/api/slow").sortedJSON == #"{"after":1,"err":"db: canceling statement: query exceeded db.timeout (100ms)","state":"57014"}"#)
        }
    }

    /// limits.cpu stops a long query too: the request answers 500, its transaction is rolled
    /// back, and the next request finds nothing of it.
    @Test func aCPULimitHitInsideATransactionRollsItBack() async throws {
        let files = [
            "pages/api/burn.lua": """
                return { handler = function(req, res)
                  db.transaction(function()
                    db.exec("INSERT INTO teams(name) VALUES ('half done')")
                    db.query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c")
                    while true do end
                  end)
                  res.json({})
                end, config = { limits = { cpu = "100ms" } } }
                """,
            "pages/api/count.lua": #"return function(req, res) res.json(db.first("SELECT count(*) AS n FROM teams")) end"#,
        ]
        try await withDatabaseProject(files) { app in
            let burnt = await app.request("GET", "/api/burn")
            #expect(burnt.status == 500)
            #expect(await app.request("GET", "/api/count").text == #"{"n":0}"#)
            #expect(app.logText.contains("limits.cpu exceeded"))
        }
    }

    /// A handler that leaves a transaction open (in a coroutine it abandoned) gets it rolled back.
    @Test func aTransactionLeftOpenIsRolledBackAndLogged() async throws {
        let files = [
            "pages/api/leave.lua": """
                return function(req, res)
                  local co = coroutine.create(function()
                    db.transaction(function()
                      db.exec("INSERT INTO teams(name) VALUES ('left open')")
                      coroutine.yield()
                    end)
                  end)
                  coroutine.resume(co)
                  res.json({ status = coroutine.status(co) })
                end
                """,
            "pages/api/count.lua": #"return function(req, res) res.json(db.first("SELECT count(*) AS n FROM teams")) end"#,
        ]
        try await withDatabaseProject(files) { app in
            #expect(await app.request("GET", "/api/leave").text == #"{"status":"suspended"}"#)
            #expect(await app.request("GET", "/api/count").text == #"{"n":0}"#)
            #expect(app.logText.contains("the request ended inside db.transaction; rolled back"))
        }
    }

    /// Two routes (two Lua states) on four loops share the database.
    @Test func everyRouteAndLoopSeesOneDatabase() async throws {
        let files = [
            "pages/api/add.lua": #"return function(req, res) res.json(db.exec("INSERT INTO teams(name) VALUES (?)", req.query.name)) end"#,
            "pages/api/all.lua": #"return function(req, res) res.json(db.first("SELECT count(*) AS n FROM teams")) end"#,
        ]
        try await withDatabaseProject(files, threads: 4) { app in
            for i in 0..<20 { _ = await app.request("POST", "/api/add?name=t\(i)") }
            #expect(await app.request("GET", "/api/all").text == #"{"n":20}"#)
        }
    }
}

/// Checkpoints run off the loop (WALCheckpointer): written data reaches the database file
/// while the server runs, though the loops' connections never checkpoint themselves.
@Suite struct CheckpointTests {
    @Test func writesReachTheDatabaseFileWhileServing() async throws {
        let files = ["pages/api/fill.lua": """
            return function(req, res)
              db.transaction(function()
                for i = 1, 300 do db.exec("INSERT INTO docs(t) VALUES (?)", string.rep("x", 4000)) end
              end)
              res.json(db.first("SELECT count(*) AS n FROM docs"))
            end
            """]
        try await withDatabaseProject(files) { app in
            #expect(await app.request("GET", "/api/fill").text == #"{"n":300}"#)
            let path = app.root + "/.luaroutes/data.db"
            var size = 0
            for _ in 0..<500 where size < 1_000_000 {   // up to 5 s
                try await Task.sleep(for: .milliseconds(10))
                size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            }
            #expect(size >= 1_000_000, "the database file is \(size) bytes")
        }
    }
}
