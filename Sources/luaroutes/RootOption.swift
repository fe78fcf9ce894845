import ArgumentParser
import Foundation
import LuaRoutes
import Logging

/// `--root DIR`, shared by every subcommand.
struct RootOption: ParsableArguments {
    @Option(name: .long, help: "The project folder (holds pages/api, lib, tests).")
    var root: String = "."

    /// Loads the project, or prints the start-up error and exits 1. With `database`, the
    /// database is checked and its migrations run first (serve, request, test).
    func loadProject(logger: Logger, database: Bool = true, envFileNames: [String] = DotEnv.serveFiles) throws -> Project {
        do {
            let project = try Project.load(root: root, envFileNames: envFileNames, logger: logger)
            if database { try project.prepareDatabase(logger: logger) }
            return project
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
