import ArgumentParser
import Foundation
import LuaRoutes
import Logging

/// `--root DIR`, shared by every subcommand.
struct RootOption: ParsableArguments {
    @Option(name: .long, help: "The project folder (holds pages/api, lib, tests).")
    var root: String = "."

    /// Loads the project, or prints the start-up error and exits 1.
    func loadProject(logger: Logger) throws -> Project {
        do {
            return try Project.load(root: root, logger: logger)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
