import ArgumentParser
import Foundation

/// `luaroutes types`: refreshes ROOT/types/ with this binary's editor definitions.
struct TypesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "types",
        abstract: "Write the editor definitions (LuaLS) for this version into ROOT/types/, replacing older ones."
    )

    @OptionGroup var root: RootOption

    func run() throws {
        let files = Scaffold.typeFiles
        do {
            try Scaffold.write(files, into: root.root)
        } catch {
            printError("error: cannot write \(root.root)/types: \(error.localizedDescription)")
            throw ExitCode(1)
        }
        print("wrote " + files.map(\.path).joined(separator: ", "))
    }
}
