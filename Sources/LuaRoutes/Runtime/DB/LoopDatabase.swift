import NIOConcurrencyHelpers
import NIOCore

/// The SQLite connections of one database on one event loop: the autocommit connection every
/// request of the loop shares, and idle transaction connections (a request in `db.transaction`
/// takes one of its own, so no request ever joins another's transaction). Used on its loop
/// only; found through a process-wide table by file and loop, held by the route workers of
/// that loop, closed when the last of them is gone.
final class LoopDatabase: @unchecked Sendable {
    let path: String
    let settings: DatabaseConfig
    private var autocommit: SQLiteConnection?
    private var idle: [SQLiteConnection] = []
    static let maxIdle = 4

    private init(path: String, settings: DatabaseConfig) {
        self.path = path
        self.settings = settings
    }

    private final class Weak: @unchecked Sendable { weak var value: LoopDatabase? ; init(_ value: LoopDatabase) { self.value = value } }
    private static let table = NIOLockedValueBox<[String: Weak]>([:])

    /// The database for `path` on `loop`, made on first use.
    static func on(_ loop: any EventLoop, path: String, settings: DatabaseConfig) -> LoopDatabase {
        let key = "\(ObjectIdentifier(loop).hashValue)\0\(path)"
        return table.withLockedValue { table in
            if let found = table[key]?.value, found.settings == settings { return found }
            table = table.filter { $0.value.value != nil }
            let made = LoopDatabase(path: path, settings: settings)
            table[key] = Weak(made)
            return made
        }
    }

    /// Checkpoints off the loop, once the file exists (WALCheckpointer.swift).
    private var checkpointer: WALCheckpointer?

    private func open() throws(SQLiteConnection.OpenError) -> SQLiteConnection {
        let connection = try SQLiteConnection(path: path, timeout: settings.timeout, maxResult: settings.maxResult)
        if checkpointer == nil { checkpointer = WALCheckpointer.forFile(path, settings: settings) }
        if checkpointer != nil { connection.execute("PRAGMA wal_autocheckpoint=0") }
        return connection
    }

    /// The loop's autocommit connection, opened on first use.
    func autocommitConnection() throws(SQLiteConnection.OpenError) -> SQLiteConnection {
        if let autocommit { return autocommit }
        let made = try open()
        autocommit = made
        return made
    }

    /// A connection for one request's transaction.
    func takeTransactionConnection() throws(SQLiteConnection.OpenError) -> SQLiteConnection {
        if let reused = idle.popLast() { return reused }
        return try open()
    }

    /// Gives a transaction connection back; one still inside a transaction is rolled back
    /// first, and closed if even that fails.
    func giveBack(_ connection: SQLiteConnection) {
        if connection.inTransaction, connection.execute("ROLLBACK") != nil || connection.inTransaction { return }
        if idle.count < Self.maxIdle { idle.append(connection) }
    }
}
