import ArgumentParser
import Foundation

/// `luaroutes init [DIR]`: a new project that serves and passes its tests at once.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new project in DIR (default: the current folder): a hello route, a notes API, tests, editor types.",
        discussion: "Refuses to replace a file that already exists unless --force is given."
    )

    @Argument(help: "The folder to create the project in; made when missing.")
    var directory = "."

    @Flag(help: "Replace files that already exist.")
    var force = false

    func run() throws {
        let files = Scaffold.files
        let existing = Scaffold.existing(files, in: directory)
        if !existing.isEmpty && !force {
            printError("error: \(directory) already has \(existing.joined(separator: ", ")); nothing was written (--force replaces them)")
            throw ExitCode(1)
        }
        do {
            try Scaffold.write(files, into: directory)
        } catch {
            printError("error: cannot write the project into \(directory): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        let cd = directory == "." ? "" : "  cd \(directory)\n"
        print("""
            Created a luaroutes project in \(directory) (\(files.count) files).

            Next:
            \(cd)  luaroutes serve --dev     # http://127.0.0.1:3000/api/hello, reloads on change
              luaroutes test            # runs tests/*.hurl
            """)
    }
}
