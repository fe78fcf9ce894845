import ArgumentParser
import Foundation
import Logging

/// `luaroutes`: Next.js API routes in Lua. Subcommands are nested types, as in
/// swift-argument-parser's `Examples/math`.
struct LuaRoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "luaroutes",
        abstract: "Serve and test API routes written in Lua (pages/api/**.lua -> /api/**).",
        subcommands: [ServeCommand.self, RequestCommand.self, RoutesCommand.self, TestCommand.self, MigrateCommand.self, BenchCommand.self]
    )
}

@main
enum Main {
    /// Usage errors exit 2 (CONTRACT.md section 8), not ArgumentParser's 64.
    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        do {
            var command = try LuaRoutesCommand.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = LuaRoutesCommand.exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((LuaRoutesCommand.fullMessage(for: error) + "\n").utf8))
                exit(2)
            }
            LuaRoutesCommand.exit(withError: error)
        }
    }
}
