import CLuaGlue
import Foundation

/// One SQLite connection (lr_db_sqlite.c): WAL, synchronous=NORMAL, foreign keys on, a cache of
/// prepared statements. Used on one thread at a time; closed when released.
final class SQLiteConnection {
    let raw: OpaquePointer
    let path: String

    struct OpenError: Error, CustomStringConvertible {
        let description: String
    }

    /// Opens (creating the file and its folder) and checks it is a database.
    init(path: String, timeout: Duration, maxResult: Int) throws(OpenError) {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        var error = [CChar](repeating: 0, count: 512)
        guard let raw = lr_sqlite_open(path, &error, error.count) else {
            throw OpenError(description: String(cBuffer: error))
        }
        self.raw = raw
        self.path = path
        lr_sqlite_configure(raw, FetchClient.nanoseconds(timeout), maxResult)
    }

    deinit { lr_sqlite_close(raw) }

    var inTransaction: Bool { lr_sqlite_in_transaction(raw) != 0 }

    /// Runs BEGIN / COMMIT / ROLLBACK and the like; nil, or SQLite's message.
    @discardableResult
    func execute(_ sql: String) -> String? {
        var error = [CChar](repeating: 0, count: 512)
        let rc = lr_sqlite_exec_simple(raw, sql, &error, error.count)
        return rc == 0 ? nil : String(cBuffer: error)
    }
}

extension String {
    /// The text of a NUL-terminated C buffer.
    init(cBuffer: [CChar]) {
        self = String(decoding: cBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
