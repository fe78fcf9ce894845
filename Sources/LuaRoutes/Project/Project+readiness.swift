import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// "Is the database reachable" for `/readyz` (docs/deploy.md).
extension Project {
    /// SQLite: start-up opened the file (the host would not listen otherwise); now the file must
    /// still be there, readable and writable, and start like a database. No lock is taken (an
    /// open would wait on writers or fail with "database is locked" under load), so it runs on
    /// the asking loop. No file yet is fine: the first `db` call makes it. PostgreSQL:
    /// ``databaseReachable(on:)``.
    public func databaseProbe() -> Readiness.Check {
        guard case .sqlite(let path) = try? databaseLocation() else {
            // PostgreSQL (a connection of its own and SELECT 1, never blocking), or a bad db.url.
            return { loop in self.databaseReachable(on: loop) }
        }
        let shown = relative(path)
        return { loop in loop.makeSucceededFuture(Self.sqliteFileProblem(path).map { "db: \(shown): \($0)" }) }
    }

    /// nil when `path` is absent or looks like a SQLite database we may write, else what is wrong.
    static func sqliteFileProblem(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return errno == ENOENT ? nil : String(cString: strerror(errno)) }
        defer { close(fd) }
        if access(path, W_OK) != 0 { return "not writable: \(String(cString: strerror(errno)))" }
        var header = [UInt8](repeating: 0, count: 16)
        let count = read(fd, &header, header.count)
        // An empty file is what SQLite makes before the first write; anything else needs the magic.
        if count == 0 { return nil }
        return count == 16 && header == Array("SQLite format 3\0".utf8) ? nil : "not a database (no SQLite header)"
    }
}
