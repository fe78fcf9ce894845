import Foundation
import Testing
import TestSupport
@testable import LuaRoutes

#if canImport(Glibc)
import Glibc
#endif

/// SQLite runs on the event loop, so nothing may wait there: while one request holds the write
/// lock (its transaction waiting on fetch), reads on the same loop keep answering, and a writer
/// waits by yielding (its request is resumed to retry) until the lock is free or db.timeout.
@Suite struct DBLockTests {
    static func files(upstream: Int, timeout: String) -> [String: String] {
        [
            "migrations/001_schema.sql": DBSchema.sqlite,
            "luaroutes.config.lua": "return { db = { timeout = \"\(timeout)\" }, shared = { flags = \"8kb\" } }",
            "pages/api/held.lua": #"return function(req, res) res.json({ held = shared.flags:get("held") or false }) end"#,
            "pages/api/hold.lua": """
                return function(req, res)
                  local r = { db.transaction(function()
                    db.exec("INSERT INTO teams(name) VALUES ('held')")
                    shared.flags:set("held", true)   -- the write lock is taken: the test may go on
                    local answer = fetch("http://127.0.0.1:\(upstream)/slow")
                    return answer and answer.status
                  end) }
                  res.json(r)
                end
                """,
            "pages/api/read.lua": #"return function(req, res) res.json(db.first("SELECT count(*) AS n FROM teams")) end"#,
            "pages/api/write.lua": """
                return function(req, res)
                  local r, err, state = db.exec("INSERT INTO teams(name) VALUES ('writer')")
                  res.json({ changes = r and r.changes, err = err, state = state })
                end
                """,
        ]
    }

    /// Waits (bounded, 5 s) until the holder has its write lock.
    static func waitUntilHeld(port: Int) async throws {
        let probe = try KeepAliveClient(port: port)
        for _ in 0..<500 {
            if try probe.request("GET", "/api/held")?.body == #"{"held":true}"# { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("the holder never took the lock")
    }

    /// True when the answer has not come yet (nothing to read without waiting).
    static func nothingYet(_ client: KeepAliveClient) -> Bool {
        var byte: UInt8 = 0
        return recv(client.fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) < 0
    }

    @Test func readsKeepAnsweringAndAWriterWaitsForTheLock() async throws {
        let upstream = try await Upstream { _ in UpstreamReply(body: Array("ok".utf8), delay: .milliseconds(1500)) }
        defer { Task { try? await upstream.close() } }
        let root = try makeProjectFolder(Self.files(upstream: upstream.port, timeout: "10s"))
        defer { try? FileManager.default.removeItem(atPath: root) }
        let project = try Project.load(root: root, processEnvironment: [:], logger: .init(label: "t"))
        try project.prepareDatabase(logger: .init(label: "t"))
        let outcome = try await withServer([:], threads: 1, root: root) { port, _ in
            let holder = try KeepAliveClient(port: port), writer = try KeepAliveClient(port: port), reader = try KeepAliveClient(port: port)
            try holder.send("GET", "/api/hold")
            try await Self.waitUntilHeld(port: port)
            try writer.send("POST", "/api/write")
            var reads: [String] = []
            for _ in 0..<5 { reads.append(try reader.request("GET", "/api/read")?.body ?? "no answer") }
            let waitingWhileRead = Self.nothingYet(holder) && Self.nothingYet(writer)
            let held = holder.read()
            let written = writer.read()
            let after = try reader.request("GET", "/api/read")?.body
            return (reads, waitingWhileRead, held?.body, written?.body, after)
        }
        #expect(outcome.0 == Array(repeating: #"{"n":0}"#, count: 5))   // the held insert is not visible yet
        #expect(outcome.1, "the holder and the writer must still be waiting while the reads were answered")
        #expect(outcome.2 == "[200]")
        #expect(outcome.3 == #"{"changes":1}"#)
        #expect(outcome.4 == #"{"n":2}"#)
    }

    @Test func aLockHeldPastTheDatabaseTimeoutIs55P03() async throws {
        let upstream = try await Upstream { _ in UpstreamReply(body: Array("ok".utf8), delay: .milliseconds(1500)) }
        defer { Task { try? await upstream.close() } }
        let root = try makeProjectFolder(Self.files(upstream: upstream.port, timeout: "200ms"))
        defer { try? FileManager.default.removeItem(atPath: root) }
        let project = try Project.load(root: root, processEnvironment: [:], logger: .init(label: "t"))
        try project.prepareDatabase(logger: .init(label: "t"))
        let written = try await withServer([:], threads: 1, root: root) { port, _ in
            let holder = try KeepAliveClient(port: port), writer = try KeepAliveClient(port: port)
            try holder.send("GET", "/api/hold")
            try await Self.waitUntilHeld(port: port)
            let written = try writer.request("POST", "/api/write")?.body
            _ = holder.read()
            return written
        }
        #expect(written.flatMap { sortedJSON(Array($0.utf8)) } == #"{"err":"db: could not obtain a lock within db.timeout (200ms): another request is writing","state":"55P03"}"#)
    }
}
