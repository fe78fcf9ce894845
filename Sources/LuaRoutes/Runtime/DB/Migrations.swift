import CLuaGlue
import Foundation

/// `ROOT/migrations/NNN_name.sql` (docs/data.md ("Migrations")): run in numeric order before the host
/// answers, each in its own transaction, each recorded in `luaroutes_migrations(version, name,
/// checksum, applied_at)`. A file changed after it ran, two files with one number, or a file
/// without a number stops start-up; so does a failing file, whose effects are rolled back
/// (the files before it stay applied). Several hosts starting together apply each file once:
/// each file's transaction begins with BEGIN IMMEDIATE and first checks it is still unapplied.
enum Migrations {
    struct File: Equatable {
        let version: Int64
        let name: String
        /// Relative to ROOT: "migrations/003_add_index.sql".
        let path: String
        let text: String
        var checksum: String {
            var out = [CChar](repeating: 0, count: 65)
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer { raw in
                raw.withMemoryRebound(to: CChar.self) { lr_db_sha256_hex($0.baseAddress, $0.count, &out) }
            }
            return String(cBuffer: out)
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The migration files of `folder` (relative to ROOT), in order; none when it does not exist.
    static func scan(root: String, folder: String) throws(Failure) -> [File] {
        let directory = root + "/" + folder
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var files: [File] = []
        for name in names.sorted() where name.hasSuffix(".sql") {
            let path = folder + "/" + name
            let stem = name.dropLast(4)
            let digits = stem.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let version = Int64(digits), stem.dropFirst(digits.count).first == "_",
                  stem.count > digits.count + 1 else {
                throw Failure(description: "\(path): a migration's name starts with its number and a name, like 001_create_users.sql; rename it")
            }
            guard let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) else {
                throw Failure(description: "\(path): cannot be read as UTF-8 text")
            }
            if let twin = files.first(where: { $0.version == version }) {
                throw Failure(description: "\(twin.path) and \(path) have the same number (\(version)); give one the next free number")
            }
            files.append(File(version: version, name: String(stem.dropFirst(digits.count + 1)), path: path, text: text))
        }
        return files.sorted { $0.version < $1.version }
    }

    /// One applied row of luaroutes_migrations.
    struct Applied: Equatable {
        let version: Int64
        let name: String
        let checksum: String
    }

    static let createTable = """
        CREATE TABLE IF NOT EXISTS luaroutes_migrations (
          version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)
        """

    static func applied(on connection: SQLiteConnection) throws(Failure) -> [Applied] {
        if let error = connection.execute(createTable) { throw Failure(description: "cannot create luaroutes_migrations: \(error)") }
        final class Rows { var list: [Applied] = [] }
        let rows = Rows()
        var error = [CChar](repeating: 0, count: 512)
        let rc = lr_sqlite_applied(connection.raw, Unmanaged.passUnretained(rows).toOpaque(), { ud, version, name, checksum in
            let rows = Unmanaged<Rows>.fromOpaque(ud!).takeUnretainedValue()
            rows.list.append(Applied(version: version, name: name.map { String(cString: $0) } ?? "", checksum: checksum.map { String(cString: $0) } ?? ""))
        }, &error, error.count)
        guard rc == 0 else { throw Failure(description: "cannot read luaroutes_migrations: \(String(cBuffer: error))") }
        return rows.list
    }

    /// A file that ran is checked against what ran.
    static func checkUnchanged(_ files: [File], applied: [Applied]) throws(Failure) {
        for row in applied {
            guard let file = files.first(where: { $0.version == row.version }) else { continue }
            if file.checksum != row.checksum {
                throw Failure(description: "\(file.path) changed after it was applied (checksum \(row.checksum.prefix(12)) then, \(file.checksum.prefix(12)) now); restore it and put the change in a new migration with the next number")
            }
        }
    }

    /// Applies every file not applied yet; returns their paths.
    @discardableResult
    static func run(_ files: [File], on connection: SQLiteConnection, lockWait: Duration) throws(Failure) -> [String] {
        try checkUnchanged(files, applied: applied(on: connection))
        var ran: [String] = []
        for file in files {
            try begin(connection, lockWait: lockWait, file: file)
            // Another host may have applied it while this one waited for the lock.
            let now = try applied(on: connection)
            if let done = now.first(where: { $0.version == file.version }) {
                connection.execute("ROLLBACK")
                if done.checksum != file.checksum { try checkUnchanged([file], applied: [done]) }
                continue
            }
            var line: Int32 = 0, column: Int32 = 0
            var error = [CChar](repeating: 0, count: 1024)
            var sqlstate: UnsafePointer<CChar>?
            if lr_sqlite_exec_script(connection.raw, file.text, &line, &column, &error, error.count, &sqlstate) != 0 {
                connection.execute("ROLLBACK")
                let state = sqlstate.map { String(cString: $0) } ?? "XX000"
                throw Failure(description: "\(file.path):\(line):\(column): \(String(cBuffer: error)) (\(state))")
            }
            var recordError = [CChar](repeating: 0, count: 512)
            if lr_sqlite_record(connection.raw, file.version, file.name, file.checksum, &recordError, recordError.count) != 0 {
                connection.execute("ROLLBACK")
                throw Failure(description: "\(file.path): cannot record it in luaroutes_migrations: \(String(cBuffer: recordError))")
            }
            if let error = connection.execute("COMMIT") {
                connection.execute("ROLLBACK")
                throw Failure(description: "\(file.path): COMMIT failed: \(error)")
            }
            ran.append(file.path)
        }
        return ran
    }

    /// BEGIN IMMEDIATE, waiting (off the event loops: start-up) while another host migrates.
    private static func begin(_ connection: SQLiteConnection, lockWait: Duration, file: File) throws(Failure) {
        let deadline = ContinuousClock.now + lockWait
        while true {
            guard let error = connection.execute("BEGIN IMMEDIATE") else { return }
            guard error.contains("locked") || error.contains("busy"), ContinuousClock.now < deadline else {
                throw Failure(description: "\(file.path): cannot start its transaction: \(error)")
            }
            usleep(20_000)
        }
    }
}
