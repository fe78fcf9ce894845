import ArgumentParser
import Foundation
import Logging
import LuaRoutes

/// `luaroutes migrate [--status]` (docs/data.md ("Migrations")): applies the migrations not applied
/// yet, or lists every migration file and whether it ran.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply ROOT/migrations/NNN_name.sql files not applied yet (serve, request and test do this at start-up too).",
        discussion: "With --status, list each migration file and when it was applied, and change nothing. Exit 1 when a migration fails or a file changed after it ran."
    )

    @OptionGroup var root: RootOption

    @Flag(help: "List the migrations and whether each was applied; change nothing.")
    var status = false

    func run() throws {
        var logger = Logger(label: "luaroutes")
        logger.logLevel = .warning
        let project = try root.loadProject(logger: logger, database: false)
        do {
            let lines = status ? try project.migrationStatus() : try project.migrate()
            print(lines.joined(separator: "\n"))
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
    }
}
