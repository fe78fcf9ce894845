import Foundation
import Logging
import NIOCore

/// The project's database (docs/data.md ("db")): where it is, and what must happen before the
/// host answers: the file is opened (a corrupt one stops start-up, naming it) and the
/// migrations run.
extension Project {
    public func databaseLocation() throws(ConfigError) -> DatabaseLocation {
        try DatabaseLocation.resolve(root: root, config: config.database, environment: environment)
    }

    /// The migration files, in order (none when `db.migrations` is false or the folder is absent).
    func migrationFiles() throws(Migrations.Failure) -> [Migrations.File] {
        guard let folder = config.database.migrations else { return [] }
        return try Migrations.scan(root: root, folder: folder)
    }

    /// Opens the database when there is something to check or run (an existing file, or
    /// migrations) and applies the migrations not applied yet. Off the event loops.
    public func prepareDatabase(logger: Logger) throws(LoadError) {
        let location: DatabaseLocation
        do { location = try databaseLocation() } catch { throw LoadError(description: "error: \(ProjectConfig.fileName): \(error.description)") }
        let files: [Migrations.File]
        do { files = try migrationFiles() } catch { throw LoadError(description: "error: \(error.description)") }
        let path: String
        switch location {
        case .sqlite(let file):
            path = file
        case .postgres(let url):
            do {
                let address = try PostgresAddress(url: url)
                guard !files.isEmpty else { return }
                let ran = try PostgresMigrations.run(files, address: address)
                for file in ran { logger.info("migration applied", metadata: ["file": .string(file)]) }
                return
            } catch let error as PostgresAddress.Invalid {
                throw LoadError(description: "error: \(error.description)")
            } catch {
                throw LoadError(description: "error: \(error)")
            }
        }
        guard !files.isEmpty || FileManager.default.fileExists(atPath: path) else { return }
        let connection: SQLiteConnection
        do {
            connection = try SQLiteConnection(path: path, timeout: config.database.timeout, maxResult: config.database.maxResult)
        } catch {
            throw LoadError(description: "error: cannot open the database \(relative(path)): \(error.description)")
        }
        do {
            let ran = try Migrations.run(files, on: connection, lockWait: config.database.timeout)
            for file in ran { logger.info("migration applied", metadata: ["file": .string(file)]) }
        } catch {
            throw LoadError(description: "error: \(error.description)")
        }
    }

    /// "sqlite .luaroutes/data.db" for the start-up log (a PostgreSQL URL without its password).
    var databaseDescription: String {
        guard let location = try? databaseLocation() else { return "invalid db.url" }
        switch location {
        case .sqlite(let path): return "sqlite " + relative(path)
        case .postgres: return "postgres " + location.display
        }
    }

    /// A path inside ROOT as the user wrote it.
    func relative(_ path: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }
}

/// `luaroutes migrate [--status]`: the lines it prints.
extension Project {
    /// Applies what is not applied yet: one line per file applied, or that none was needed.
    public func migrate() throws(LoadError) -> [String] {
        if let (files, address) = try postgresForMigrations() {
            do {
                let ran = try PostgresMigrations.run(files, address: address)
                return ran.isEmpty ? ["nothing to apply (\(files.count) migration\(files.count == 1 ? "" : "s") already applied)"]
                                   : ran.map { "applied \($0)" }
            } catch {
                throw LoadError(description: "error: \(error.description)")
            }
        }
        let (files, connection) = try openForMigrations()
        do {
            let ran = try Migrations.run(files, on: connection, lockWait: config.database.timeout)
            return ran.isEmpty ? ["nothing to apply (\(files.count) migration\(files.count == 1 ? "" : "s") already applied)"]
                               : ran.map { "applied \($0)" }
        } catch {
            throw LoadError(description: "error: \(error.description)")
        }
    }

    /// One line per migration file: "applied  migrations/001_x.sql" or "pending  ...".
    public func migrationStatus() throws(LoadError) -> [String] {
        if let (files, address) = try postgresForMigrations() {
            do {
                return try PostgresMigrations.status(files, address: address, folder: config.database.migrations)
            } catch {
                throw LoadError(description: "error: \(error.description)")
            }
        }
        let (files, connection) = try openForMigrations()
        do {
            let applied = try Migrations.applied(on: connection)
            try Migrations.checkUnchanged(files, applied: applied)
            if files.isEmpty { return ["no migrations in \(config.database.migrations ?? "(migrations off)")"] }
            return files.map { file in (applied.contains { $0.version == file.version } ? "applied  " : "pending  ") + file.path }
        } catch {
            throw LoadError(description: "error: \(error.description)")
        }
    }

    /// The files and the server when the project's database is PostgreSQL; nil for SQLite.
    private func postgresForMigrations() throws(LoadError) -> ([Migrations.File], PostgresAddress)? {
        let location: DatabaseLocation
        do { location = try databaseLocation() } catch { throw LoadError(description: "error: \(ProjectConfig.fileName): \(error.description)") }
        guard case .postgres(let url) = location else { return nil }
        let files: [Migrations.File]
        do { files = try migrationFiles() } catch { throw LoadError(description: "error: \(error.description)") }
        do { return (files, try PostgresAddress(url: url)) } catch { throw LoadError(description: "error: \(error.description)") }
    }

    private func openForMigrations() throws(LoadError) -> ([Migrations.File], SQLiteConnection) {
        let location: DatabaseLocation
        do { location = try databaseLocation() } catch { throw LoadError(description: "error: \(ProjectConfig.fileName): \(error.description)") }
        guard case .sqlite(let path) = location else {
            throw LoadError(description: "error: db.url: PostgreSQL is not supported by this build yet (use a sqlite: URL)")
        }
        let files: [Migrations.File]
        do { files = try migrationFiles() } catch { throw LoadError(description: "error: \(error.description)") }
        do {
            return (files, try SQLiteConnection(path: path, timeout: config.database.timeout, maxResult: config.database.maxResult))
        } catch {
            throw LoadError(description: "error: cannot open the database \(relative(path)): \(error.description)")
        }
    }
}

/// For /readyz (docs/data.md ("Several hosts")): whether the project's database answers.
extension Project {
    /// Succeeds with nil when the database answers (PostgreSQL: a connection of its own on
    /// `loop` and `SELECT 1`; SQLite: the file opens and answers `SELECT 1`), else with why
    /// not. Never blocks the loop on PostgreSQL; never fails the future.
    public func databaseReachable(on loop: any EventLoop) -> EventLoopFuture<String?> {
        let location: DatabaseLocation
        do { location = try databaseLocation() } catch { return loop.makeSucceededFuture("db.url: \(error.description)") }
        switch location {
        case .postgres(let url):
            do {
                return PostgresMigrations.ping(try PostgresAddress(url: url), on: loop)
            } catch {
                return loop.makeSucceededFuture(error.description)
            }
        case .sqlite(let path):
            do {
                let connection = try SQLiteConnection(path: path, timeout: .seconds(1), maxResult: 1 << 20)
                return loop.makeSucceededFuture(connection.execute("SELECT 1").map { "db: \($0)" })
            } catch {
                return loop.makeSucceededFuture("db: cannot open \(relative(path)): \(error.description)")
            }
        }
    }
}
