import CLuaGlue
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// Migrations on PostgreSQL (docs/data.md ("Migrations")): the same files, checks and messages
/// as on SQLite, run at start-up (off the event loops, blocking) under a session advisory lock
/// (`pg_advisory_lock`), so of several hosts starting at once one applies each file and the
/// others wait, then find it applied. Each file runs statement by statement (PostgresNIO speaks
/// the extended protocol, one statement per message) inside one transaction.
enum PostgresMigrations {
    /// The advisory lock's key: "luaroute" as a 64-bit number.
    static let lockKey: Int64 = 0x6c75_6172_6f75_7465

    static let createTable = """
        CREATE TABLE IF NOT EXISTS luaroutes_migrations (
          version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
        """

    private static let logger = Logger(label: "luaroutes.migrations")

    /// Runs body on a connection of its own (no statement_timeout: a migration may take long,
    /// and waiting for the lock must not time out), closed afterwards.
    static func withConnection<T>(_ address: PostgresAddress, _ body: (PostgresConnection) throws(Migrations.Failure) -> T) throws(Migrations.Failure) -> T {
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(),
                                                        configuration: address.configuration(timeout: .zero, applicationName: "luaroutes migrate"),
                                                        id: 0, logger: logger).wait()
        } catch {
            throw Migrations.Failure(description: "cannot connect to PostgreSQL at \(address.display): \(PostgresLink.reason(error)) (08001)")
        }
        defer { try? connection.close().wait() }
        return try body(connection)
    }

    private static func execute(_ connection: PostgresConnection, _ sql: String, _ binds: PostgresBindings = PostgresBindings()) throws -> PostgresQueryResult {
        try connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).wait()
    }

    private static func failure(_ context: String, _ error: any Error) -> Migrations.Failure {
        let described = PostgresResult.describe(error, timeout: .zero)
        return Migrations.Failure(description: "\(context): \(described.message.dropFirst(4)) (\(described.sqlstate))")
    }

    static func applied(on connection: PostgresConnection) throws(Migrations.Failure) -> [Migrations.Applied] {
        do {
            _ = try execute(connection, createTable)
            let result = try execute(connection, "SELECT version, name, checksum FROM luaroutes_migrations ORDER BY version")
            return try result.rows.map { row in
                let (version, name, checksum) = try row.decode((Int64, String, String).self)
                return Migrations.Applied(version: version, name: name, checksum: checksum)
            }
        } catch {
            throw failure("cannot read luaroutes_migrations", error)
        }
    }

    /// Applies every file not applied yet, under the advisory lock; returns their paths.
    static func run(_ files: [Migrations.File], address: PostgresAddress) throws(Migrations.Failure) -> [String] {
        try withConnection(address) { connection throws(Migrations.Failure) in
            do {
                _ = try execute(connection, "SELECT pg_advisory_lock(\(lockKey))")
            } catch {
                throw failure("cannot take the migrations lock", error)
            }
            defer { _ = try? execute(connection, "SELECT pg_advisory_unlock(\(lockKey))") }
            // Read after the lock: another host may have applied files while this one waited.
            let before = try applied(on: connection)
            try Migrations.checkUnchanged(files, applied: before)
            let done = Set(before.map(\.version))
            var ran: [String] = []
            for file in files where !done.contains(file.version) {
                try apply(file, on: connection)
                ran.append(file.path)
            }
            return ran
        }
    }

    private static func apply(_ file: Migrations.File, on connection: PostgresConnection) throws(Migrations.Failure) {
        do { _ = try execute(connection, "BEGIN") } catch { throw failure("\(file.path): cannot start its transaction", error) }
        let text = Array(file.text.utf8)
        var start = 0
        while start < text.count {
            while start < text.count, [0x20, 0x09, 0x0A, 0x0D].contains(text[start]) { start += 1 }
            if start >= text.count { break }
            let length = text[start...].withUnsafeBufferPointer { rest in
                rest.withMemoryRebound(to: CChar.self) { lr_db_statement_end($0.baseAddress, $0.count) }
            }
            let statement = Array(text[start..<start + length])
            let trivia = statement.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { lr_db_is_trivia($0.baseAddress, $0.count) != 0 }
            }
            if !trivia {
                let sql = String(decoding: statement, as: UTF8.self)
                do {
                    _ = try execute(connection, sql)
                } catch {
                    _ = try? execute(connection, "ROLLBACK")
                    let described = PostgresResult.describe(error, timeout: .zero)
                    // PostgreSQL's position counts characters from 1 within the statement.
                    var offset = start
                    if let psql = error as? PSQLError, let text = psql.serverInfo?[.position], let position = Int(text), position > 0 {
                        offset += sql.prefix(position - 1).utf8.count
                    }
                    var line: Int32 = 0, column: Int32 = 0
                    file.text.withCString { lr_db_line_column($0, offset, &line, &column) }
                    throw Migrations.Failure(description: "\(file.path):\(line):\(column): \(described.message.dropFirst(4)) (\(described.sqlstate))")
                }
            }
            start += length + 1
        }
        do {
            var binds = PostgresBindings()
            binds.append(file.version)
            binds.append(file.name)
            binds.append(file.checksum)
            _ = try execute(connection, "INSERT INTO luaroutes_migrations(version, name, checksum) VALUES ($1, $2, $3)", binds)
            _ = try execute(connection, "COMMIT")
        } catch {
            _ = try? execute(connection, "ROLLBACK")
            throw failure("\(file.path): cannot record it in luaroutes_migrations", error)
        }
    }

    /// One line per file: "applied  migrations/001_x.sql" or "pending  ...".
    static func status(_ files: [Migrations.File], address: PostgresAddress, folder: String?) throws(Migrations.Failure) -> [String] {
        try withConnection(address) { connection throws(Migrations.Failure) in
            let applied = try applied(on: connection)
            try Migrations.checkUnchanged(files, applied: applied)
            if files.isEmpty { return ["no migrations in \(folder ?? "(migrations off)")"] }
            return files.map { file in (applied.contains { $0.version == file.version } ? "applied  " : "pending  ") + file.path }
        }
    }

    /// Whether the database answers: a connection of its own on `loop`, `SELECT 1`, closed.
    /// Succeeds with nil, or with why not; never blocks.
    static func ping(_ address: PostgresAddress, on loop: any EventLoop) -> EventLoopFuture<String?> {
        var configuration = address.configuration(timeout: .seconds(2), applicationName: "luaroutes ping")
        configuration.options.connectTimeout = .seconds(2)
        return PostgresConnection.connect(on: loop, configuration: configuration, id: 0, logger: logger).flatMap { connection in
            connection.query("SELECT 1", logger: logger).flatMap { _ in
                connection.close().map { nil as String? }
            }.flatMapError { error in
                connection.close().map { "db: \(PostgresLink.reason(error))" as String? }
            }
        }.flatMapErrorThrowing { error in
            "db: cannot connect to PostgreSQL at \(address.display) (\(PostgresLink.reason(error)))"
        }
    }
}
