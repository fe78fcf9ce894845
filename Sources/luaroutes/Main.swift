import ArgumentParser
import Foundation
import Logging

@main
enum Main {
    /// Usage errors exit 2 (docs/reference.md section 8), not ArgumentParser's 64.
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
