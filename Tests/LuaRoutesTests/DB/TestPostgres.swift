import Foundation
import Testing
import TestSupport

/// The PostgreSQL server the tests use (docs/data.md ("Running the PostgreSQL tests")):
/// `LUAROUTES_TEST_POSTGRES_URL`, which scripts/test.sh sets after starting a throwaway cluster.
/// Tests that need it are skipped only when it is absent and `LUAROUTES_REQUIRE_POSTGRES` is
/// unset; with that set (CI), a missing server fails them instead.
enum TestPostgres {
    static let environment = ProcessInfo.processInfo.environment
    static let url = environment["LUAROUTES_TEST_POSTGRES_URL"]
    static let enabled = url != nil || environment["LUAROUTES_REQUIRE_POSTGRES"] != nil

    struct Missing: Error, CustomStringConvertible {
        var description: String { "LUAROUTES_REQUIRE_POSTGRES is set but LUAROUTES_TEST_POSTGRES_URL is not (run scripts/test.sh, or start scripts/postgres-cluster.sh)" }
    }

    struct CommandFailed: Error, CustomStringConvertible { let description: String }

    /// Runs psql against `url` (the server's maintenance database); its output.
    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> String {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", url, "-v", "ON_ERROR_STOP=1", "-tAqc", sql]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(description: "psql: \(String(decoding: err, as: UTF8.self))")
        }
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `base` with its database name replaced.
    static func url(_ base: String, database: String) -> String {
        var components = URLComponents(string: base)!
        components.path = "/" + database
        return components.string!
    }

    /// A database of the test's own (so suites can run in parallel), dropped afterwards.
    static func withDatabase<T>(_ body: (_ url: String) async throws -> T) async throws -> T {
        guard let base = url else { throw Missing() }
        let name = "lr_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try psql(base, "CREATE DATABASE \(name)")
        defer { _ = try? psql(base, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        return try await body(url(base, database: name))
    }
}
