import Foundation
import NIOCore

/// "Is the database reachable" for `/readyz` (docs/deploy.md).
extension Project {
    /// SQLite: the file opens as a database (a corrupt file says so); no file yet is fine, the
    /// first `db` call makes it. Opening takes microseconds, so it runs on the asking loop.
    public func databaseProbe() -> Readiness.Check {
        let location: DatabaseLocation
        do { location = try databaseLocation() } catch {
            let reason = "database: \(error.description)"
            return { loop in loop.makeSucceededFuture(reason) }
        }
        let settings = config.database
        switch location {
        case .sqlite(let path):
            return { loop in
                guard FileManager.default.fileExists(atPath: path) else { return loop.makeSucceededFuture(nil) }
                do {
                    _ = try SQLiteConnection(path: path, timeout: settings.timeout, maxResult: settings.maxResult)
                    return loop.makeSucceededFuture(nil)
                } catch {
                    return loop.makeSucceededFuture("database: \(error)")
                }
            }
        case .postgres:
            return { loop in loop.makeSucceededFuture("database: PostgreSQL is not supported by this build") }
        }
    }
}
